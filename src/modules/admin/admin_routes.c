/* admin_routes.c — the admin engine's HTTP edge: query strings (limit,
 * cursor, sort, typed filters, ranges), request bodies checked against the
 * descriptor (unknown, read-only, fixed and malformed fields named one by
 * one), If-Match, and rendering (Location, ETag, warnings). No SQL and no
 * rules here: those are admin_store.c and admin_service.c. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"
#include "core/ids.h"
#include "core/time.h"
#include "modules/admin/admin_service.h"
#include "modules/admin/admin_store.h"

#define QUERY_PARAMS_MAX 32
#define FILTER_VALUE_MAX 500

/* Format checks --------------------------------------------------------------- */

static bool
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

static int
num(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

bool
admin_check_hex_color(const char *s)
{
	if (strlen(s) != 7 || s[0] != '#')
		return false;
	for (int i = 1; i < 7; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* scheme://host[:port][/…]: host of letters, digits, dots and hyphens. */
static bool
url_ok(const char *s, bool http_too)
{
	const char *p;
	size_t hl = 0;

	if (strncmp(s, "https://", 8) == 0)
		p = s + 8;
	else if (http_too && strncmp(s, "http://", 7) == 0)
		p = s + 7;
	else
		return false;
	for (; *p && *p != '/' && *p != ':' && *p != '?' && *p != '#'; p++, hl++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-')
			return false;
	if (hl == 0)
		return false;
	if (*p == ':') {
		size_t dl = 0;

		for (p++; isdigit((unsigned char)*p); p++)
			dl++;
		if (dl == 0 || dl > 5 || (*p && *p != '/' && *p != '?' && *p != '#'))
			return false;
	}
	for (; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return false;
	return true;
}

bool
admin_check_https_url(const char *s)
{
	return url_ok(s, false);
}

bool
admin_check_http_url(const char *s)
{
	return url_ok(s, true);
}

/* ISO 4217 codes in use (2025). */
static const char currencies[] =
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL "
    "BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD "
    "EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS "
    "INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD "
    "LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK "
    "NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK "
    "SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS "
    "UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL";

bool
admin_check_currency(const char *s)
{
	if (strlen(s) != 3 || !isupper((unsigned char)s[0]) || !isupper((unsigned char)s[1]) ||
	    !isupper((unsigned char)s[2]))
		return false;
	for (size_t i = 0; i + 3 < sizeof(currencies); i += 4)
		if (memcmp(currencies + i, s, 3) == 0)
			return true;
	return false;
}

bool
admin_check_time(const char *s)
{
	int h, m;

	if (strlen(s) != 5 || s[2] != ':' || !all_digits(s, 2) || !all_digits(s + 3, 2))
		return false;
	h = num(s, 2);
	m = num(s + 3, 2);
	return (h < 24 && m < 60) || (h == 24 && m == 0);
}

static bool
date_ok(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d;

	if (s[4] != '-' || s[7] != '-' || !all_digits(s, 4) || !all_digits(s + 5, 2) ||
	    !all_digits(s + 8, 2))
		return false;
	y = num(s, 4);
	mo = num(s + 5, 2);
	d = num(s + 8, 2);
	if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
		return false;
	return !(mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

bool
admin_check_date(const char *s)
{
	return strlen(s) == 10 && date_ok(s);
}

bool
admin_check_rfc3339(const char *s)
{
	int64_t t;

	return time_parse_rfc3339(s, TIME_RFC3339_MINUTES, &t, NULL);
}

bool
admin_rfc3339_seconds(const char *s, long long *out)
{
	int64_t t;

	if (!time_parse_rfc3339(s, TIME_RFC3339_MINUTES, &t, NULL))
		return false;
	*out = t;
	return true;
}

bool
admin_check_country(const char *s)
{
	return strlen(s) == 2 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]);
}

bool
admin_check_uuid(const char *s)
{
	return id_is_uuid(s);
}

/* Cursors ---------------------------------------------------------------------- */

/* A list cursor holds the sort spec it belongs to, the last row's sort
 * (and tiebreak) values and its id. Nothing in it is trusted: values are
 * bound as parameters, the spec must match the request's sort. */
static char *
list_cursor_encode(struct arena *a, const struct admin_list_q *q, const struct admin_page *p)
{
	const char *v[4] = { q->sort_spec, p->last_vals[0] ? p->last_vals[0] : "" };
	size_t n = 2;

	if (q->tiebreak != NULL)
		v[n++] = p->last_vals[1] ? p->last_vals[1] : "";
	v[n++] = p->last_id;
	return cursor_encode(a, v, n);
}

/* Decodes a cursor of nvals values (1 or 2); false when it is not one of
 * ours. */
static bool
list_cursor_decode(struct arena *a, const char *s, size_t nvals, const char **spec,
    const char *vals[2], const char **id)
{
	const char *v[4];

	if (!cursor_decode(a, s, v, nvals + 2) || !id_is_uuid(v[nvals + 1]))
		return false;
	*spec = v[0];
	for (size_t i = 0; i < nvals; i++)
		vals[i] = v[i + 1];
	*id = v[nvals + 1];
	return true;
}

/* Query strings ----------------------------------------------------------------- */

/* The query string's decoded pairs. */
static enum status
query_split(struct request *r, struct http_qparam *out, size_t max, size_t *n)
{
	switch (http_query_all(r, out, max, n)) {
	case HTTP_QUERY_OK:
		return ST_OK;
	case HTTP_QUERY_TOO_MANY:
		return err_set(&r->err, ST_INVALID, "Too many query parameters.");
	case HTTP_QUERY_MALFORMED:
		break;
	}
	err_detail(&r->err, "query", "is not correctly percent-encoded UTF-8");
	return err_set(&r->err, ST_INVALID, "The query string is malformed.");
}

/* Checks a filter (or range) value against the field's type. */
static bool
filter_value_ok(const struct admin_field *f, const char *v, const char **why)
{
	switch (f->type) {
	case ADM_INT: {
		char *end;
		long long n;

		*why = "must be an integer";
		if (*v == '\0' || strlen(v) > 11)
			return false;
		n = strtoll(v, &end, 10);
		return *end == '\0' && n >= INT_MIN && n <= INT_MAX;
	}
	case ADM_BOOL:
		*why = "must be true or false";
		return strcmp(v, "true") == 0 || strcmp(v, "false") == 0;
	case ADM_UUID:
		*why = "must be a UUID";
		return id_is_uuid(v);
	case ADM_DATE:
		*why = "must be a date (YYYY-MM-DD)";
		return admin_check_date(v);
	case ADM_TIME:
		*why = "must be a time (HH:MM)";
		return admin_check_time(v);
	case ADM_TSTZ:
		*why = "must be an RFC 3339 date-time with offset";
		return admin_check_rfc3339(v);
	case ADM_TEXT:
	case ADM_CITEXT:
	case ADM_TEXT_ARRAY:
	case ADM_JSON:
		break;
	}
	*why = "must be 1 to 500 characters without control characters";
	if (*v == '\0' || jv_utf8_length(v) > FILTER_VALUE_MAX || !jv_no_controls(v))
		return false;
	if (f->v.choices != NULL) {
		for (const char *const *c = f->v.choices; *c != NULL; c++)
			if (strcmp(*c, v) == 0)
				return true;
		*why = "must be one of the allowed values";
		return false;
	}
	return true;
}

static bool
parse_bool(const char *v, bool *out)
{
	if (strcmp(v, "true") == 0)
		*out = true;
	else if (strcmp(v, "false") == 0)
		*out = false;
	else
		return false;
	return true;
}

/* Takes a cursor made for this list's sort order into q. */
static void
check_cursor(struct request *r, const char *cursor, struct admin_list_q *q)
{
	size_t nv = q->tiebreak ? 2 : 1;
	const char *spec = NULL, *id, *vals[2];

	if (list_cursor_decode(r->arena, cursor, nv, &spec, q->cursor_vals, &q->cursor_id)) {
		if (strcmp(spec, q->sort_spec) == 0) {
			q->has_cursor = true;
			return;
		}
	} else if (!list_cursor_decode(r->arena, cursor, 3 - nv, &spec, vals, &id)) {
		err_detail(&r->err, "cursor", "is not a cursor of this list");
		return;
	}
	err_detail(&r->err, "cursor", "belongs to another sort order");
}

/* Parses ?limit, cursor, sort, include_deleted, from, to and filters. */
static enum status
parse_list_query(const struct admin_resource *res, struct request *r, struct admin_list_q *q)
{
	struct http_qparam qp[QUERY_PARAMS_MAX];
	const struct admin_field *rf = res->range_field ? admin_find_field(res, res->range_field)
	    : NULL;
	const char *sort = NULL, *cursor = NULL, *why;
	size_t n, before = r->err.nviolations;
	enum status st;

	memset(q, 0, sizeof(*q));
	q->limit = 50;
	if ((st = query_split(r, qp, QUERY_PARAMS_MAX, &n)) != ST_OK)
		return st;
	for (size_t i = 0; i < n; i++) {
		const char *k = qp[i].name, *v = qp[i].value;
		const struct admin_field *f;
		bool dup = false;

		for (size_t j = 0; j < i; j++)
			dup = dup || strcmp(qp[j].name, k) == 0;
		if (dup) {
			err_detail(&r->err, k, "is given more than once");
			continue;
		}
		if (strcmp(k, "limit") == 0) {
			char *end;
			long l = strtol(v, &end, 10);

			if (*v == '\0' || *end != '\0' || strlen(v) > 3 || l < 1 || l > 100)
				err_detail(&r->err, k, "must be an integer from 1 to 100");
			else
				q->limit = (int)l;
		} else if (strcmp(k, "cursor") == 0) {
			cursor = v;
		} else if (strcmp(k, "sort") == 0) {
			sort = v;
		} else if (strcmp(k, "include_deleted") == 0 && (res->flags & ADMIN_SOFT_DELETE)) {
			if (!parse_bool(v, &q->include_deleted))
				err_detail(&r->err, k, "must be true or false");
		} else if ((strcmp(k, "from") == 0 || strcmp(k, "to") == 0) && rf != NULL) {
			if (!filter_value_ok(rf, v, &why))
				err_detail(&r->err, k, "%s", why);
			else if (k[0] == 'f')
				q->from = v;
			else
				q->to = v;
		} else if ((f = admin_find_field(res, k)) != NULL && (f->flags & AF_FILTER) &&
		    !(f->flags & AF_SECRET)) {
			if (!filter_value_ok(f, v, &why))
				err_detail(&r->err, k, "%s", why);
			else if (q->nfilters < ADMIN_FILTERS_MAX)
				q->filters[q->nfilters++] = (struct admin_filter){ f, v };
		} else {
			err_detail(&r->err, k, "is not a query parameter of this list");
		}
	}
	if (sort == NULL)
		sort = res->default_sort ? res->default_sort : "created_at";
	q->desc = sort[0] == '-';
	q->sort = admin_find_field(res, sort + q->desc);
	if (q->sort == NULL || !(q->sort->flags & AF_SORT) || (q->sort->flags & AF_SECRET)) {
		err_detail(&r->err, "sort", "cannot sort by this field");
		q->sort = NULL;
	} else {
		q->sort_spec = sort;
		if (res->tiebreak != NULL && strcmp(res->tiebreak, q->sort->v.name) != 0)
			q->tiebreak = admin_find_field(res, res->tiebreak);
	}
	if (cursor != NULL && q->sort != NULL)
		check_cursor(r, cursor, q);
	if (r->err.nviolations > before)
		return err_set(&r->err, ST_INVALID, "Some query parameters are invalid.");
	return ST_OK;
}

/* Weekly intervals ------------------------------------------------------------------ */

static int
interval_cmp(const void *a, const void *b)
{
	const struct admin_interval *x = a, *y = b;
	int c;

	if (x->weekday != y->weekday)
		return x->weekday - y->weekday;
	if ((c = strcmp(x->start, y->start)) != 0)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

enum status
admin_parse_intervals(struct request *r, json_t *body, const char *field,
    const char *start_key, const char *end_key, size_t max,
    struct admin_interval **out, size_t *n)
{
	json_t *arr = json_object_get(body, field), *item;
	size_t before = r->err.nviolations, i;
	struct admin_interval *iv;

	*out = NULL;
	*n = 0;
	if (arr == NULL || !json_is_array(arr)) {
		err_detail(&r->err, field, arr ? "must be an array" : "is required");
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	}
	if (json_array_size(arr) > max) {
		err_detail(&r->err, field, "must have at most %zu items", max);
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	}
	iv = arena_calloc(r->arena, json_array_size(arr) + 1, sizeof(*iv));
	json_array_foreach(arr, i, item) {
		char *at = arena_printf(r->arena, "%s[%zu]", field, i);
		json_t *wd, *s, *e, *v;
		const char *k;
		bool ok = true;

		if (!json_is_object(item)) {
			err_detail(&r->err, at, "must be an object");
			continue;
		}
		json_object_foreach(item, k, v) {
			if (strcmp(k, "weekday") != 0 && strcmp(k, start_key) != 0 &&
			    strcmp(k, end_key) != 0) {
				err_detail(&r->err, arena_printf(r->arena, "%s.%s", at, k),
				    "is not a known field");
				ok = false;
			}
		}
		wd = json_object_get(item, "weekday");
		s = json_object_get(item, start_key);
		e = json_object_get(item, end_key);
		if (!json_is_integer(wd) || json_integer_value(wd) < 1 || json_integer_value(wd) > 7) {
			err_detail(&r->err, arena_printf(r->arena, "%s.weekday", at),
			    "must be an integer from 1 (Monday) to 7 (Sunday)");
			ok = false;
		}
		if (!json_is_string(s) || !admin_check_time(json_string_value(s))) {
			err_detail(&r->err, arena_printf(r->arena, "%s.%s", at, start_key),
			    "must be a time (HH:MM)");
			ok = false;
		}
		if (!json_is_string(e) || !admin_check_time(json_string_value(e))) {
			err_detail(&r->err, arena_printf(r->arena, "%s.%s", at, end_key),
			    "must be a time (HH:MM)");
			ok = false;
		}
		if (!ok)
			continue;
		if (strcmp(json_string_value(s), json_string_value(e)) >= 0) {
			err_detail(&r->err, arena_printf(r->arena, "%s.%s", at, end_key),
			    "must be after %s", start_key);
			continue;
		}
		iv[*n].weekday = (int)json_integer_value(wd);
		memcpy(iv[*n].start, json_string_value(s), 6);
		memcpy(iv[*n].end, json_string_value(e), 6);
		iv[*n].index = i;
		(*n)++;
	}
	if (r->err.nviolations > before)
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	qsort(iv, *n, sizeof(*iv), interval_cmp);
	for (i = 1; i < *n; i++) {
		if (iv[i].weekday == iv[i - 1].weekday && strcmp(iv[i].start, iv[i - 1].end) < 0)
			err_detail(&r->err, arena_printf(r->arena, "%s[%zu]", field, iv[i].index),
			    "overlaps %s[%zu] on the same weekday", field, iv[i - 1].index);
	}
	if (r->err.nviolations > before)
		return err_set(&r->err, ST_INVALID, "Some intervals overlap.");
	*out = iv;
	return ST_OK;
}

json_t *
admin_intervals_json(const struct admin_interval *iv, size_t n, const char *start_key,
    const char *end_key)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:i, s:s, s:s}", "weekday", iv[i].weekday,
		    start_key, iv[i].start, end_key, iv[i].end));
	return a;
}

/* Shared helpers ------------------------------------------------------------------ */

enum status
admin_path_id(struct request *r, const char *param, const char *what, const char **out)
{
	const char *v = http_param(r, param);

	if (v == NULL || !id_is_uuid(v))
		return err_set(&r->err, ST_NOTFOUND, "No %s with this id.", what);
	*out = v;
	return ST_OK;
}

/* "3", "\"3\"" or "W/\"3\"" → 3. */
static bool
parse_etag(const char *s, long long *out)
{
	size_t n;

	if (strncmp(s, "W/", 2) == 0)
		s += 2;
	n = strlen(s);
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s++;
		n -= 2;
	}
	if (n == 0 || n > 9 || !all_digits(s, n))
		return false;
	*out = 0;
	for (size_t i = 0; i < n; i++)
		*out = *out * 10 + (s[i] - '0');
	return true;
}

enum status
admin_if_match(struct request *r, json_t *body, bool *have, long long *version)
{
	const char *h = http_header(r, "if-match");
	json_t *bv = body ? json_object_get(body, "version") : NULL;
	long long hv = 0;

	*have = false;
	if (h != NULL && !parse_etag(h, &hv)) {
		err_detail(&r->err, "If-Match", "must be a version such as \"3\"");
		return err_set(&r->err, ST_INVALID, "The If-Match header is invalid.");
	}
	if (bv != NULL) {
		if (!json_is_integer(bv) || json_integer_value(bv) < 1 ||
		    json_integer_value(bv) > 999999999) {
			err_detail(&r->err, "version", "must be a positive integer");
			return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
		}
		if (h != NULL && hv != json_integer_value(bv)) {
			err_detail(&r->err, "If-Match", "names another version than \"version\"");
			return err_set(&r->err, ST_INVALID, "If-Match and version disagree.");
		}
		hv = json_integer_value(bv);
		json_object_del(body, "version");
	} else if (h == NULL) {
		return ST_OK;
	}
	*have = true;
	*version = hv;
	return ST_OK;
}

static enum status
require_if_match(struct request *r, json_t *body, long long *version)
{
	bool have;
	enum status st;

	if ((st = admin_if_match(r, body, &have, version)) != ST_OK)
		return st;
	if (!have) {
		err_detail(&r->err, "If-Match",
		    "is required: send the version you read, as If-Match: \"<version>\"");
		return err_set(&r->err, ST_INVALID,
		    "Updates need If-Match (or \"version\" in the body).");
	}
	return ST_OK;
}

enum status
admin_reply_row(struct request *r, struct response *w, int status, json_t *row)
{
	json_t *v = json_object_get(row, "version");

	if (json_is_integer(v))
		response_header(w, "etag", arena_printf(r->arena, "\"%lld\"",
		    (long long)json_integer_value(v)));
	return reply_json(r, w, status, json_incref(row));
}

/* The resource's path with its parent parameter filled in. */
static const char *
expand_path(struct arena *a, const char *path, const char *parent_id)
{
	const char *o = strchr(path, '{'), *c;

	if (o == NULL || parent_id == NULL || (c = strchr(o, '}')) == NULL)
		return path;
	return arena_printf(a, "%.*s%s%s", (int)(o - path), path, parent_id, c + 1);
}

static const char *
what(const struct admin_resource *res)
{
	return res->title ? res->title : res->name;
}

/* Handlers ------------------------------------------------------------------------ */

/* What the request's path names: the resource, its parent row if nested. */
static enum status
target_of(const struct admin_resource *res, struct request *r, struct admin_target *t)
{
	*t = (struct admin_target){ .res = res };
	if (res->parent == NULL)
		return ST_OK;
	return admin_path_id(r, res->parent->param, res->parent->what, &t->parent_id);
}

/* The target and, unless res is a singleton, the row's id. */
static enum status
row_of(const struct admin_resource *res, struct request *r, struct admin_target *t,
    const char **id)
{
	enum status st;

	*id = NULL;
	if ((st = target_of(res, r, t)) != ST_OK)
		return st;
	if (res->flags & ADMIN_SINGLETON)
		return ST_OK;
	return admin_path_id(r, "id", what(res), id);
}

enum status
admin_list(const struct admin_resource *res, struct request *r, struct response *w)
{
	struct admin_target t;
	struct admin_list_q q;
	struct admin_page page;
	const char *next = NULL;
	enum status st;

	if ((st = target_of(res, r, &t)) != ST_OK)
		return st;
	if ((st = parse_list_query(res, r, &q)) != ST_OK)
		return st;
	if ((st = admin_svc_list(&r->ctx, &t, &q, &page)) != ST_OK)
		return st;
	if (page.more && page.last_id != NULL &&
	    (next = list_cursor_encode(r->arena, &q, &page)) == NULL)
		return err_set(&r->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	return reply_json(r, w, 200, json_pack("{s:O, s:s?}", "items", page.items,
	    "next_cursor", next));
}

enum status
admin_create(const struct admin_resource *res, struct request *r, struct response *w)
{
	struct admin_target t;
	json_t *body, *row = NULL;
	enum status st;

	if ((st = target_of(res, r, &t)) != ST_OK)
		return st;
	if ((st = http_json_body(r, &body)) != ST_OK)
		return st;
	if ((st = admin_svc_create(&r->ctx, &t, body, &row)) != ST_OK)
		return st;
	response_header(w, "location", arena_printf(r->arena, "%s/%s",
	    expand_path(r->arena, res->path, t.parent_id),
	    json_string_value(json_object_get(row, "id"))));
	return admin_reply_row(r, w, 201, row);
}

enum status
admin_get(const struct admin_resource *res, struct request *r, struct response *w)
{
	struct admin_target t;
	const char *id;
	json_t *row = NULL;
	enum status st;

	if ((st = row_of(res, r, &t, &id)) != ST_OK)
		return st;
	if ((st = admin_svc_get(&r->ctx, &t, id, &row)) != ST_OK)
		return st;
	return admin_reply_row(r, w, 200, row);
}

enum status
admin_update(const struct admin_resource *res, struct request *r, struct response *w)
{
	struct admin_target t;
	const char *id;
	json_t *body, *row = NULL;
	long long version = 0;
	enum status st;

	if ((st = row_of(res, r, &t, &id)) != ST_OK)
		return st;
	if ((st = http_json_body(r, &body)) != ST_OK)
		return st;
	if ((st = require_if_match(r, body, &version)) != ST_OK)
		return st;
	if ((st = admin_svc_update(&r->ctx, &t, id, true, version, body, &row)) != ST_OK)
		return st;
	return admin_reply_row(r, w, 200, row);
}

enum status
admin_delete(const struct admin_resource *res, struct request *r, struct response *w)
{
	struct admin_target t;
	const char *id = NULL;
	long long version = 0;
	bool have = false;
	enum status st;

	if ((st = target_of(res, r, &t)) != ST_OK)
		return st;
	if ((st = admin_path_id(r, "id", what(res), &id)) != ST_OK)
		return st;
	if ((st = admin_if_match(r, NULL, &have, &version)) != ST_OK)
		return st;
	if ((st = admin_svc_delete(&r->ctx, &t, id, have, version)) != ST_OK)
		return st;
	return reply_text(w, 204, NULL, "", 0);
}
