/* appt_input.c — input parsing for the scheduling routes (see appt_input.h). */
#include "core/addr.h"
#include "modules/appointments/appt_input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "core/ids.h"
#include "db/idempotency.h"
#include "modules/appointments/appt_rules.h"

#define START_HINT "must be an RFC 3339 date-time with offset, such as 2026-03-08T10:00:00-05:00"

enum status
appt_input_done(struct request *r, size_t before)
{
	if (r->err.nviolations > before)
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	return ST_OK;
}

bool
appt_input_query(struct request *r, struct http_qparam *qp, size_t *n)
{
	if (http_query_all(r, qp, APPT_QPARAMS_MAX, n) == HTTP_QUERY_OK)
		return true;
	err_detail(&r->err, "query", "is malformed or has too many parameters");
	return false;
}

bool
appt_input_query_named(struct request *r, const char *const *names, const char **vals,
    size_t nnames)
{
	struct http_qparam qp[APPT_QPARAMS_MAX];
	size_t n;

	for (size_t j = 0; j < nnames; j++)
		vals[j] = NULL;
	if (!appt_input_query(r, qp, &n))
		return false;
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		while (j < nnames && strcmp(qp[i].name, names[j]) != 0)
			j++;
		if (j == nnames)
			err_detail(&r->err, qp[i].name, "is not a parameter of this list");
		else if (vals[j] != NULL)
			err_detail(&r->err, qp[i].name, "is given more than once");
		else
			vals[j] = qp[i].value;
	}
	return true;
}

bool
appt_input_int(struct request *r, const char *s, const char *field, int lo, int hi,
    int dflt, int *out)
{
	char *end;
	long v;

	*out = dflt;
	if (s == NULL)
		return true;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
		err_detail(&r->err, field, "must be a whole number from %d to %d", lo, hi);
		return false;
	}
	*out = (int)v;
	return true;
}

bool
appt_input_uuid(struct request *r, json_t *v, const char *field, const char **out)
{
	*out = NULL;
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_string(v) || !id_is_uuid(json_string_value(v))) {
		err_detail(&r->err, field, "must be an id");
		return false;
	}
	*out = appt_lower(r->arena, json_string_value(v));
	return true;
}

/* Whether id is among ids[0..n). */
static bool
seen(const char **ids, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(ids[i], id) == 0)
			return true;
	return false;
}

bool
appt_input_uuid_array(struct request *r, json_t *v, const char *field, size_t max,
    const char ***out, size_t *n)
{
	size_t i;
	json_t *x;
	bool ok = true;

	*out = arena_calloc(r->arena, json_array_size(v) + 1, sizeof(char *));
	*n = 0;
	if (v == NULL)
		return true;
	if (!json_is_array(v) || json_array_size(v) > max) {
		err_detail(&r->err, field, "must be an array of at most %zu ids", max);
		return false;
	}
	json_array_foreach(v, i, x) {
		const char *id;
		char *f = arena_printf(r->arena, "%s[%zu]", field, i);

		if (!appt_input_uuid(r, x, f, &id)) {
			ok = false;
			continue;
		}
		if (id == NULL) {	/* null */
			err_detail(&r->err, f, "must be an id");
			ok = false;
			continue;
		}
		if (seen(*out, *n, id)) {
			err_detail(&r->err, f, "is listed twice");
			ok = false;
			continue;
		}
		(*out)[(*n)++] = id;
	}
	return ok;
}

bool
appt_input_uuid_list(struct request *r, const char *s, const char *field, size_t max,
    const char ***out, size_t *n)
{
	size_t parts = 1;
	const char *p = s;
	bool ok = true;

	for (const char *c = s; *c; c++)
		parts += *c == ',';
	*out = arena_calloc(r->arena, parts + 1, sizeof(char *));
	*n = 0;
	if (*s == '\0')
		return true;
	if (parts > max) {
		err_detail(&r->err, field, "must list at most %zu ids", max);
		return false;
	}
	while (p != NULL) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char *id = arena_strndup(r->arena, p, len);

		if (!id_is_uuid(id)) {
			err_detail(&r->err, field, "must be ids separated by commas");
			return false;
		}
		id = appt_lower(r->arena, id);
		if (seen(*out, *n, id)) {
			err_detail(&r->err, field, "lists %s twice", id);
			ok = false;
		} else {
			(*out)[(*n)++] = id;
		}
		p = comma ? comma + 1 : NULL;
	}
	return ok;
}

bool
appt_input_start(struct request *r, const char *s, const char *field, int64_t *out)
{
	if (s == NULL || !appt_parse_rfc3339(s, out)) {
		err_detail(&r->err, field, START_HINT);
		return false;
	}
	return true;
}

bool
appt_input_instant(struct request *r, const char *s, const char *field, int64_t *out)
{
	/* A filter's bound, not a start: any RFC 3339 instant, fraction and
	 * all (JavaScript's toISOString() sends milliseconds); whole seconds
	 * are what the filter compares. */
	if (s == NULL || !time_parse_rfc3339(s, 0, out, NULL)) {
		err_detail(&r->err, field, START_HINT);
		return false;
	}
	return true;
}

bool
appt_input_object(struct request *r, json_t *obj, const struct jv_field *fields, size_t n,
    const char *prefix)
{
	struct err e;

	err_clear(&e);
	if (!json_is_object(obj)) {
		err_detail(&r->err, prefix, "must be an object");
		return false;
	}
	if (jv_validate(obj, fields, n, &e) == ST_OK)
		return true;
	for (size_t i = 0; i < e.ndetails; i++)
		err_detail(&r->err, arena_printf(r->arena, "%s.%s", prefix, e.details[i].field),
		    "%s", e.details[i].issue);
	return false;
}

static const struct jv_field service_fields[] = {
	{ "service_id", JV_STRING, true, false, 36, 36, NULL, id_is_uuid, "an id" },
	{ "addon_ids", JV_ARRAY, false, false, 0, APPT_ADDONS_MAX, NULL, NULL, NULL },
};

bool
appt_input_services(struct request *r, json_t *arr, struct appt_item_in *items, size_t *n)
{
	size_t i;
	json_t *x;
	bool ok = true;

	*n = 0;
	if (!json_is_array(arr) || json_array_size(arr) < 1 ||
	    json_array_size(arr) > AVAIL_MAX_SERVICES) {
		err_detail(&r->err, "services", "must list 1 to %d services", AVAIL_MAX_SERVICES);
		return false;
	}
	json_array_foreach(arr, i, x) {
		struct appt_item_in *it = &items[*n];
		char *prefix = arena_printf(r->arena, "services[%zu]", i);

		if (!appt_input_object(r, x, service_fields, 2, prefix)) {
			ok = false;
			continue;
		}
		it->field = arena_printf(r->arena, "%s.service_id", prefix);
		it->addon_field = arena_printf(r->arena, "%s.addon_ids", prefix);
		it->req.service_id = appt_lower(r->arena,
		    json_string_value(json_object_get(x, "service_id")));
		for (size_t k = 0; k < *n; k++) {
			if (strcmp(items[k].req.service_id, it->req.service_id) == 0) {
				err_detail(&r->err, it->field, "is listed twice");
				ok = false;
			}
		}
		if (!appt_input_uuid_array(r, json_object_get(x, "addon_ids"), it->addon_field,
		    APPT_ADDONS_MAX, &it->req.addon_ids, &it->req.n_addons))
			ok = false;
		(*n)++;
	}
	return ok;
}

bool
appt_input_service_ids(struct request *r, const char **ids, size_t n, const char *field,
    struct appt_item_in *items, size_t *n_items)
{
	*n_items = 0;
	if (n < 1 || n > AVAIL_MAX_SERVICES) {
		err_detail(&r->err, field, "must name 1 to %d services", AVAIL_MAX_SERVICES);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		items[i].req = (struct appt_item_req){ ids[i], NULL, 0 };
		items[i].field = field;
		items[i].addon_field = "addon_ids";
	}
	*n_items = n;
	return true;
}

static bool
email_check(const char *s)
{
	return addr_email_ok(s);
}

static bool
phone_check(const char *s)
{
	return addr_e164_ok(s);
}

static const struct jv_field customer_fields[] = {
	{ "name", JV_STRING, true, false, 1, 200, NULL, NULL, NULL },
	{ "email", JV_STRING, false, true, 3, 254, NULL, email_check, "an e-mail address" },
	{ "phone", JV_STRING, false, true, 8, 16, NULL, phone_check,
	  "a phone number in E.164 form such as +14155550123" },
};

bool
appt_input_customer(struct request *r, json_t *obj, bool sms_consent,
    struct appt_customer_in *out)
{
	memset(out, 0, sizeof(*out));
	if (!appt_input_object(r, obj, customer_fields, 3, "customer"))
		return false;
	out->name = json_string_value(json_object_get(obj, "name"));
	out->email = json_string_value(json_object_get(obj, "email"));
	out->phone = json_string_value(json_object_get(obj, "phone"));
	out->sms_consent = sms_consent;
	if (out->name != NULL && strspn(out->name, " \t") == strlen(out->name)) {
		err_detail(&r->err, "customer.name", "must not be blank");
		return false;
	}
	if (out->email == NULL && out->phone == NULL) {
		err_detail(&r->err, "customer.email",
		    "give an e-mail address or a phone number, so the booking can be confirmed");
		return false;
	}
	if (sms_consent && out->phone == NULL) {
		err_detail(&r->err, "sms_consent", "needs customer.phone");
		return false;
	}
	return true;
}

bool
appt_input_contact(struct request *r, const char *email, const char *phone,
    struct appt_verify *v)
{
	if ((email == NULL) == (phone == NULL)) {
		err_detail(&r->err, email ? "phone" : "email",
		    "give exactly one of email and phone, as on the booking");
		return false;
	}
	if ((email && strlen(email) > 254) || (phone && strlen(phone) > 16)) {
		err_detail(&r->err, email ? "email" : "phone", "is too long");
		return false;
	}
	v->email = email;
	v->phone = phone;
	return true;
}

enum status
appt_input_booking(struct request *r, const struct jv_field *fields, size_t n,
    struct appt_book_in *in, json_t **body)
{
	enum status st;

	memset(in, 0, sizeof(*in));
	in->body = r->body;	/* for the idempotency hash */
	in->body_len = r->body_len;
	in->idem_key = http_header(r, "idempotency-key");
	if (in->idem_key == NULL)
		err_detail(&r->err, "Idempotency-Key",
		    "is required: a unique value per booking attempt, reused on retries");
	else if (!idem_key_ok(in->idem_key))
		err_detail(&r->err, "Idempotency-Key", "must be 1 to 255 printable ASCII characters");
	if ((st = http_json_body(r, body)) != ST_OK ||
	    (st = jv_validate(*body, fields, n, &r->err)) != ST_OK)
		return st;
	(void)appt_input_services(r, json_object_get(*body, "services"), in->items, &in->n_items);
	(void)appt_input_start(r, json_string_value(json_object_get(*body, "start")), "start",
	    &in->start);
	(void)appt_input_uuid(r, json_object_get(*body, "staff_id"), "staff_id", &in->staff_id);
	in->notes = json_string_value(json_object_get(*body, "notes"));
	return ST_OK;
}
