/* ai_admin_routes.c — the business's view of its conversations:
 *
 *   GET  /v1/admin/conversations              list (status, waiting, channel, from/to
 *                                             on last activity, q = text in
 *                                             any message, customer_id,
 *                                             cursor, limit)
 *   GET  /v1/admin/conversations/{id}         one, with its messages
 *   POST /v1/admin/conversations/{id}/reply   {text}: a person answers; the
 *                                             AI stays silent from then on
 *   POST /v1/admin/conversations/{id}/handback  the AI takes over again
 *   POST /v1/admin/conversations/{id}/takeover  a person claims it before
 *                                             replying: the AI falls silent
 *   POST /v1/admin/conversations/{id}/close     ended; the widget's session
 *                                             with it
 *
 * Reading needs conversations:read, the changes conversations:write;
 * every change is audited. */
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"
#include "core/time.h"
#include "core/jsonv.h"
#include "modules/ai/ai_internal.h"
#include "modules/appointments/appointments.h"
#include "modules/auth/auth.h"

#define LIST_DEFAULT 20
#define LIST_MAX 100
#define TEXT_MAX 4000

static const char *const statuses[] = { "ACTIVE", "HANDED_OFF", "CLOSED", NULL };
static const char *const channels[] = { "web", "whatsapp", "sms", "voice", "instagram",
	"messenger", NULL };

static bool
in_list(const char *v, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(*list, v) == 0)
			return true;
	return false;
}

static bool
all_digits(const char *s)
{
	if (s == NULL || *s == '\0' || strlen(s) > 20)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

#define QPARAMS_MAX 32

static enum status
list_route(struct request *r, struct response *w)
{
	struct http_qparam qp[QPARAMS_MAX];
	size_t nq;
	const char *status = NULL, *channel = NULL, *from = NULL, *to = NULL, *q = NULL,
	    *customer = NULL, *waiting = NULL,
	    *cursor = NULL, *limit_s = NULL, *cur_ts = NULL, *cur_id = NULL, *next = NULL,
	    *cur[2];
	int limit = LIST_DEFAULT;
	int64_t t;
	struct ai_conv_query cq;
	json_t *items;
	enum status st;

	if (http_query_all(r, qp, QPARAMS_MAX, &nq) != HTTP_QUERY_OK) {
		err_detail(&r->err, "query", "is malformed or has too many parameters");
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	}
	for (size_t i = 0; i < nq; i++) {
		const char *k = qp[i].name, **slot = NULL;

		if (strcmp(k, "status") == 0)
			slot = &status;
		else if (strcmp(k, "channel") == 0)
			slot = &channel;
		else if (strcmp(k, "from") == 0)
			slot = &from;
		else if (strcmp(k, "to") == 0)
			slot = &to;
		else if (strcmp(k, "q") == 0)
			slot = &q;
		else if (strcmp(k, "customer_id") == 0)
			slot = &customer;
		else if (strcmp(k, "waiting") == 0)
			slot = &waiting;
		else if (strcmp(k, "cursor") == 0)
			slot = &cursor;
		else if (strcmp(k, "limit") == 0)
			slot = &limit_s;
		if (slot == NULL)
			err_detail(&r->err, k, "is not a parameter of this endpoint");
		else if (*slot != NULL)
			err_detail(&r->err, k, "may be given once");
		else
			*slot = qp[i].value;
	}
	if (status && !in_list(status, statuses))
		err_detail(&r->err, "status", "must be ACTIVE, HANDED_OFF or CLOSED");
	if (channel && !in_list(channel, channels))
		err_detail(&r->err, "channel", "must be one of web, whatsapp, sms, voice, instagram, "
		    "messenger");
	if (from && !time_parse_rfc3339(from, 0, &t, NULL))
		err_detail(&r->err, "from", "must be an RFC 3339 date-time with offset");
	if (to && !time_parse_rfc3339(to, 0, &t, NULL))
		err_detail(&r->err, "to", "must be an RFC 3339 date-time with offset");
	if (q && (jv_utf8_length(q) < 1 || jv_utf8_length(q) > 200 || !jv_no_controls(q)))
		err_detail(&r->err, "q", "must be 1 to 200 characters");
	if (customer && !id_is_uuid(customer))
		err_detail(&r->err, "customer_id", "must be a customer's id");
	if (waiting && strcmp(waiting, "true") != 0 && strcmp(waiting, "false") != 0)
		err_detail(&r->err, "waiting", "must be true or false");
	if (limit_s) {
		limit = all_digits(limit_s) && strlen(limit_s) <= 3 ? atoi(limit_s) : 0;
		if (limit < 1 || limit > LIST_MAX)
			err_detail(&r->err, "limit", "must be between 1 and %d", LIST_MAX);
	}
	if (cursor && (!cursor_decode(r->arena, cursor, cur, 2) ||
	    !all_digits(cur_ts = cur[0]) || !id_is_uuid(cur_id = cur[1])))
		err_detail(&r->err, "cursor", "is not a cursor of this list");
	if (r->err.nviolations > 0)
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");

	cq = (struct ai_conv_query){ .status = status, .waiting = waiting, .channel = channel, .from = from,
		.to = to, .q = q, .customer_id = customer ? appt_lower(r->arena, customer) : NULL,
		.cursor_ts = cur_ts, .cursor_id = cur_id, .limit = limit };
	if ((st = ai_conv_list(&r->ctx, &cq, &items, &next)) != ST_OK)
		return st;
	return reply_json(r, w, 200, json_pack("{s:o, s:s?}", "items", items, "next_cursor", next));
}

static const char *
conv_param(struct request *r)
{
	const char *id = http_param(r, "id");

	return id && id_is_uuid(id) ? appt_lower(r->arena, id) : NULL;
}

static enum status
get_route(struct request *r, struct response *w)
{
	const char *id = conv_param(r);
	json_t *o;
	enum status st;

	if (id == NULL)
		return err_set(&r->err, ST_NOTFOUND, "No such conversation.");
	if ((st = ai_conv_get(&r->ctx, id, &o)) != ST_OK)
		return st;
	return reply_json(r, w, 200, o);
}

static const struct jv_field reply_fields[] = {
	{ "text", JV_STRING, true, false, 1, TEXT_MAX, NULL, NULL, NULL },
};

static enum status
reply_route(struct request *r, struct response *w)
{
	const char *id = conv_param(r), *text;
	char mid[UUID_STR_LEN + 1];
	json_t *body;
	int seq = 0;
	enum status st;

	if ((st = http_json_body(r, &body)) != ST_OK)
		return st;
	/* Newlines are welcome in a person's reply; other controls are not. */
	if ((st = jv_validate(body, reply_fields, 1, &r->err)) != ST_OK)
		return st;
	text = ai_sanitize_input(r->arena, json_string_value(json_object_get(body, "text")));
	if (text == NULL || *text == '\0') {
		err_detail(&r->err, "text", "must not be empty");
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	}
	if (id == NULL)
		return err_set(&r->err, ST_NOTFOUND, "No such conversation.");
	if ((st = ai_conv_reply(&r->ctx, id, text, mid, &seq)) != ST_OK)
		return st;
	return reply_json(r, w, 201, json_pack("{s:s, s:i, s:s, s:s, s:s}", "id", mid, "seq", seq,
	    "role", "assistant", "author", "human", "text", text));
}

/* The status changes: an empty body, the conversation back. */
static enum status
status_route(struct request *r, struct response *w,
    enum status (*fn)(struct ctx *, const char *, json_t **))
{
	const char *id = conv_param(r);
	json_t *o;
	enum status st;

	if ((st = ai_body_empty(r)) != ST_OK)
		return st;
	if (id == NULL)
		return err_set(&r->err, ST_NOTFOUND, "No such conversation.");
	if ((st = fn(&r->ctx, id, &o)) != ST_OK)
		return st;
	return reply_json(r, w, 200, o);
}

static enum status
handback_route(struct request *r, struct response *w)
{
	return status_route(r, w, ai_conv_handback);
}

static enum status
takeover_route(struct request *r, struct response *w)
{
	return status_route(r, w, ai_conv_takeover);
}

static enum status
close_route(struct request *r, struct response *w)
{
	return status_route(r, w, ai_conv_close);
}

#define ROUTE(m, p, fn, verb) { m, p, fn, TENANCY_HOST_OR_HEADER, PERM(RES_CONVERSATIONS, verb), NULL }

static const struct route ai_admin_routes_v[] = {
	ROUTE(HTTP_GET, "/v1/admin/conversations", list_route, VERB_READ),
	ROUTE(HTTP_GET, "/v1/admin/conversations/{id}", get_route, VERB_READ),
	ROUTE(HTTP_POST, "/v1/admin/conversations/{id}/reply", reply_route, VERB_WRITE),
	ROUTE(HTTP_POST, "/v1/admin/conversations/{id}/handback", handback_route, VERB_WRITE),
	ROUTE(HTTP_POST, "/v1/admin/conversations/{id}/takeover", takeover_route, VERB_WRITE),
	ROUTE(HTTP_POST, "/v1/admin/conversations/{id}/close", close_route, VERB_WRITE),
};
const struct route_table ai_admin_routes = TABLE_OF(ai_admin_routes_v);
