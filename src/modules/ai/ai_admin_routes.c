/* ai_admin_routes.c — the business's view of its conversations:
 *
 *   GET  /v1/admin/conversations              list (status, channel, from/to
 *                                             on last activity, q = text in
 *                                             any message, cursor, limit)
 *   GET  /v1/admin/conversations/{id}         one, with its messages
 *   POST /v1/admin/conversations/{id}/reply   {text}: a person answers; the
 *                                             AI stays silent from then on
 *   POST /v1/admin/conversations/{id}/handback  the AI takes over again
 *
 * Reading needs conversations:read, replying and handing back
 * conversations:write; both writes are audited. */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/jsonv.h"
#include "db/db.h"
#include "modules/ai/ai_internal.h"
#include "modules/appointments/appt_rules.h"
#include "modules/audit/audit.h"
#include "modules/auth/auth.h"
#include "modules/auth/authz.h"

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

/* ILIKE pattern that matches s literally. */
static char *
like_escape(struct arena *a, const char *s)
{
	char *o = arena_alloc(a, strlen(s) * 2 + 3), *w = o;

	*w++ = '%';
	for (; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			*w++ = '\\';
		*w++ = *s;
	}
	*w++ = '%';
	*w = '\0';
	return o;
}

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* A chat session past its idle expiry is closed, whether or not anyone
 * has written to it since (the row is closed the next time it is used). */
#define EFFECTIVE_STATUS "(CASE WHEN c.status = 'ACTIVE' AND c.expires_at <= now()" \
	" THEN 'CLOSED' ELSE c.status END)"

static enum status
list_route(struct request *r, struct response *w)
{
	struct appt_qparam qp[APPT_QPARAMS_MAX];
	int nq = appt_query_parse(r->arena, r->query, qp, APPT_QPARAMS_MAX);
	const char *status = NULL, *channel = NULL, *from = NULL, *to = NULL, *q = NULL,
	    *cursor = NULL, *limit_s = NULL, *cur_ts = NULL, *cur_id = NULL, *next = NULL;
	const char *p[8];
	char lim[8];
	int limit = LIST_DEFAULT;
	int64_t t;
	struct db_tx tx;
	PGresult *res;
	json_t *items;
	int n;
	enum status st;

	if (nq < 0) {
		err_detail(&r->err, "query", "is malformed or has too many parameters");
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	}
	for (int i = 0; i < nq; i++) {
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
	if (from && !appt_parse_rfc3339(from, &t))
		err_detail(&r->err, "from", "must be an RFC 3339 date-time with offset");
	if (to && !appt_parse_rfc3339(to, &t))
		err_detail(&r->err, "to", "must be an RFC 3339 date-time with offset");
	if (q && (jv_utf8_length(q) < 1 || jv_utf8_length(q) > 200 || !jv_no_controls(q)))
		err_detail(&r->err, "q", "must be 1 to 200 characters");
	if (limit_s) {
		limit = all_digits(limit_s) && strlen(limit_s) <= 3 ? atoi(limit_s) : 0;
		if (limit < 1 || limit > LIST_MAX)
			err_detail(&r->err, "limit", "must be between 1 and %d", LIST_MAX);
	}
	if (cursor && (!appt_cursor_decode(r->arena, cursor, &cur_ts, &cur_id) ||
	    !all_digits(cur_ts) || !id_is_uuid(cur_id)))
		err_detail(&r->err, "cursor", "is not a cursor of this list");
	if (r->err.nviolations > 0)
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");

	snprintf(lim, sizeof(lim), "%d", limit);
	p[0] = status;
	p[1] = channel;
	p[2] = from;
	p[3] = to;
	p[4] = q ? like_escape(r->arena, q) : NULL;
	p[5] = cur_ts;
	p[6] = cur_id;
	p[7] = lim;
	if ((st = db_tx_begin(&tx, &r->ctx)) != ST_OK)
		return st;
	res = db_exec(&tx, "SELECT c.id, c.channel, " EFFECTIVE_STATUS ", c.customer_id, c.summary,"
	    " c.message_count, " TS("c.last_activity_at") ", " TS("c.created_at") ","
	    " " TS("c.handed_off_at") ", c.handoff_reason, c.contact->>'name',"
	    " (extract(epoch FROM c.last_activity_at) * 1000000)::bigint,"
	    " (SELECT m.content FROM messages m WHERE m.conversation_id = c.id"
	    "   AND m.role IN ('user', 'assistant') AND m.content IS NOT NULL"
	    "   ORDER BY m.seq DESC LIMIT 1)"
	    " FROM conversations c"
	    " WHERE ($1::text IS NULL OR " EFFECTIVE_STATUS " = $1)"
	    " AND ($2::text IS NULL OR c.channel = $2)"
	    " AND ($3::timestamptz IS NULL OR c.last_activity_at >= $3::timestamptz)"
	    " AND ($4::timestamptz IS NULL OR c.last_activity_at < $4::timestamptz)"
	    " AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM messages m"
	    "   WHERE m.conversation_id = c.id AND m.role IN ('user', 'assistant')"
	    "   AND m.content ILIKE $5 ESCAPE '\\'))"
	    " AND ($6::bigint IS NULL OR (c.last_activity_at, c.id) <"
	    "   (timestamptz 'epoch' + $6::bigint * interval '1 microsecond', $7::uuid))"
	    " ORDER BY c.last_activity_at DESC, c.id DESC LIMIT $8::int", 8, p);
	if (res == NULL)
		return db_tx_end(&tx, db_status(&tx));
	n = PQntuples(res);
	items = json_array();
	for (int i = 0; i < n; i++) {
		const char *last = db_val(res, i, 12);
		char *preview = last ? arena_strndup(r->arena, last, strlen(last) > 160 ? 160 :
		    strlen(last)) : NULL;

		/* Never cut a character in half. */
		if (preview) {
			size_t len = strlen(preview);

			while (len > 0 && ((unsigned char)preview[len - 1] & 0xc0) == 0x80)
				preview[--len] = '\0';
			if (len > 0 && ((unsigned char)preview[len - 1] & 0xc0) == 0xc0 &&
			    strlen(last) > len)
				preview[--len] = '\0';
		}
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:i, s:s, s:s, "
		    "s:s?, s:s?, s:s?, s:s?}", "id", db_val(res, i, 0), "channel", db_val(res, i, 1),
		    "status", db_val(res, i, 2), "customer_id", db_val(res, i, 3), "summary",
		    db_val(res, i, 4), "message_count", atoi(db_val(res, i, 5)), "last_activity_at",
		    db_val(res, i, 6), "created_at", db_val(res, i, 7), "handed_off_at",
		    db_val(res, i, 8), "handoff_reason", db_val(res, i, 9), "customer_name",
		    db_val(res, i, 10), "last_message", preview));
	}
	if (n == limit && n > 0)
		next = appt_cursor_encode(r->arena, db_val(res, n - 1, 11), db_val(res, n - 1, 0));
	if ((st = db_tx_end(&tx, ST_OK)) != ST_OK) {
		json_decref(items);
		return st;
	}
	return reply_json(r, w, 200, json_pack("{s:o, s:s?}", "items", items, "next_cursor", next));
}

/* Server-side secrets of a conversation's state never leave it. */
static json_t *
scrub(json_t *j)
{
	size_t i;
	json_t *v;

	if (json_is_object(j)) {
		json_object_del(j, "hold_token");
		json_object_del(j, "nonce");
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			scrub(v);
	}
	return j;
}

static json_t *
parse_col(const char *v)
{
	return v ? json_loads(v, JSON_DECODE_ANY, NULL) : NULL;
}

static enum status
conversation_json(struct request *r, struct db_tx *tx, const char *id, json_t **out)
{
	const char *p[1] = { id };
	PGresult *res;
	json_t *o, *msgs;

	*out = NULL;
	res = db_exec(tx, "SELECT c.id, c.channel, " EFFECTIVE_STATUS ", c.customer_id, c.summary,"
	    " c.message_count,"
	    " " TS("last_activity_at") ", " TS("created_at") ", " TS("handed_off_at") ","
	    " handoff_reason, " TS("expires_at") ", contact::text, pending_proposal::text,"
	    " input_tokens, output_tokens, " TS("coalesce(closed_at, CASE WHEN c.status = 'ACTIVE'"
	    " AND c.expires_at <= now() THEN c.expires_at END)")
	    " FROM conversations c WHERE id = $1::uuid", 1, p);
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) != 1)
		return err_set(&r->err, ST_NOTFOUND, "No such conversation.");
	o = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:i, s:s, s:s, s:s?, s:s?, s:s?, s:o?, s:o?, "
	    "s:I, s:I, s:s?}", "id", db_val(res, 0, 0), "channel", db_val(res, 0, 1), "status",
	    db_val(res, 0, 2), "customer_id", db_val(res, 0, 3), "summary", db_val(res, 0, 4),
	    "message_count", atoi(db_val(res, 0, 5)), "last_activity_at", db_val(res, 0, 6),
	    "created_at", db_val(res, 0, 7), "handed_off_at", db_val(res, 0, 8), "handoff_reason",
	    db_val(res, 0, 9), "expires_at", db_val(res, 0, 10), "contact",
	    parse_col(db_val(res, 0, 11)), "pending_proposal", scrub(parse_col(db_val(res, 0, 12))),
	    "input_tokens", (json_int_t)atoll(db_val(res, 0, 13)), "output_tokens",
	    (json_int_t)atoll(db_val(res, 0, 14)), "closed_at", db_val(res, 0, 15));
	res = db_exec(tx, "SELECT id, seq, role, author, author_id, content, tool_calls::text,"
	    " tool_call_id, tool_name, tool_result::text, model, provider, input_tokens,"
	    " output_tokens, latency_ms, interrupted, " TS("created_at")
	    " FROM messages WHERE conversation_id = $1::uuid ORDER BY seq LIMIT 2000", 1, p);
	if (res == NULL) {
		json_decref(o);
		return db_status(tx);
	}
	msgs = json_array();
	for (int i = 0; i < PQntuples(res); i++) {
		json_t *m = json_pack("{s:s, s:i, s:s, s:s, s:s?, s:s?, s:s}", "id", db_val(res, i, 0),
		    "seq", atoi(db_val(res, i, 1)), "role", db_val(res, i, 2), "author",
		    db_val(res, i, 3), "author_id", db_val(res, i, 4), "text", db_val(res, i, 5),
		    "created_at", db_val(res, i, 16));

		if (db_val(res, i, 6))
			json_object_set_new(m, "tool_calls", parse_col(db_val(res, i, 6)));
		if (db_val(res, i, 7))
			json_object_set_new(m, "tool_call_id", json_string(db_val(res, i, 7)));
		if (db_val(res, i, 8))
			json_object_set_new(m, "tool_name", json_string(db_val(res, i, 8)));
		if (db_val(res, i, 9))
			json_object_set_new(m, "tool_result", scrub(parse_col(db_val(res, i, 9))));
		if (db_val(res, i, 10))
			json_object_set_new(m, "model", json_string(db_val(res, i, 10)));
		if (db_val(res, i, 11))
			json_object_set_new(m, "provider", json_string(db_val(res, i, 11)));
		if (db_val(res, i, 12))
			json_object_set_new(m, "input_tokens", json_integer(atoi(db_val(res, i, 12))));
		if (db_val(res, i, 13))
			json_object_set_new(m, "output_tokens", json_integer(atoi(db_val(res, i, 13))));
		if (db_val(res, i, 14))
			json_object_set_new(m, "latency_ms", json_integer(atoi(db_val(res, i, 14))));
		if (db_bool(res, i, 15))
			json_object_set_new(m, "interrupted", json_true());
		json_array_append_new(msgs, m);
	}
	json_object_set_new(o, "messages", msgs);
	*out = o;
	return ST_OK;
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
	struct db_tx tx;
	json_t *o;
	enum status st;

	if (id == NULL)
		return err_set(&r->err, ST_NOTFOUND, "No such conversation.");
	if ((st = db_tx_begin(&tx, &r->ctx)) != ST_OK)
		return st;
	st = conversation_json(r, &tx, id, &o);
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(o);
		return st;
	}
	return reply_json(r, w, 200, o);
}

static const struct jv_field reply_fields[] = {
	{ "text", JV_STRING, true, false, 1, TEXT_MAX, NULL, NULL, NULL },
};

static enum status
reply_route(struct request *r, struct response *w)
{
	const char *id = conv_param(r), *text;
	struct audit_actor who;
	struct ai_conv conv;
	struct ai_msg_in m;
	struct db_tx tx;
	char mid[UUID_STR_LEN + 1];
	json_t *body;
	bool found = false;
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
	if ((st = db_tx_begin(&tx, &r->ctx)) != ST_OK)
		return st;
	if ((st = ai_store_conv_get(&tx, id, true, &conv, &found)) != ST_OK)
		return db_tx_end(&tx, st);
	if (!found)
		return db_tx_end(&tx, err_set(&r->err, ST_NOTFOUND, "No such conversation."));
	if (strcmp(conv.status, "CLOSED") == 0)
		return db_tx_end(&tx, err_set(&r->err, ST_CONFLICT, "This conversation is closed."));
	/* A person answering takes the conversation: the AI falls silent. */
	if (strcmp(conv.status, "ACTIVE") == 0)
		st = ai_store_set_status(&tx, id, "HANDED_OFF", "A person replied from the admin.");
	m = (struct ai_msg_in){ .role = "assistant", .author = "human", .content = text,
		.author_id = r->ctx.principal && id_is_uuid(r->ctx.principal->id) ? r->ctx.principal->id : NULL };
	if (st == ST_OK)
		st = ai_store_msg_add(&tx, id, &m, 0, mid, &seq);
	auth_actor(&r->ctx, &who);
	if (st == ST_OK)
		st = audit_record(&tx, &who, "conversation.replied", "conversation", id,
		    json_pack("{s:s, s:{s:s, s:s}}", "message_id", mid, "status", "from", conv.status,
		    "to", strcmp(conv.status, "ACTIVE") == 0 ? "HANDED_OFF" : conv.status));
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	return reply_json(r, w, 201, json_pack("{s:s, s:i, s:s, s:s, s:s}", "id", mid, "seq", seq,
	    "role", "assistant", "author", "human", "text", text));
}

static enum status
handback_route(struct request *r, struct response *w)
{
	const char *id = conv_param(r);
	struct audit_actor who;
	struct ai_conv conv;
	struct db_tx tx;
	bool found = false;
	json_t *o = NULL;
	enum status st;

	if (r->body_len > 0) {
		json_t *body;
		const char *key;
		json_t *v;

		if ((st = http_json_body(r, &body)) != ST_OK)
			return st;
		json_object_foreach(body, key, v)
			err_detail(&r->err, key, "is not a known field");
		if (r->err.nviolations > 0)
			return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	}
	if (id == NULL)
		return err_set(&r->err, ST_NOTFOUND, "No such conversation.");
	if ((st = db_tx_begin(&tx, &r->ctx)) != ST_OK)
		return st;
	if ((st = ai_store_conv_get(&tx, id, true, &conv, &found)) != ST_OK)
		return db_tx_end(&tx, st);
	if (!found)
		return db_tx_end(&tx, err_set(&r->err, ST_NOTFOUND, "No such conversation."));
	if (strcmp(conv.status, "HANDED_OFF") != 0)
		return db_tx_end(&tx, err_set(&r->err, ST_CONFLICT,
		    "Only a conversation handed to a person can be handed back (this one is %s).",
		    conv.status));
	st = ai_store_set_status(&tx, id, "ACTIVE", NULL);
	auth_actor(&r->ctx, &who);
	if (st == ST_OK)
		st = audit_record(&tx, &who, "conversation.handed_back", "conversation", id,
		    json_pack("{s:{s:s, s:s}}", "status", "from", "HANDED_OFF", "to", "ACTIVE"));
	if (st == ST_OK)
		st = conversation_json(r, &tx, id, &o);
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(o);
		return st;
	}
	return reply_json(r, w, 200, o);
}

#define ROUTE(m, p, fn, verb) { m, p, fn, TENANCY_HOST_OR_HEADER, PERM(RES_CONVERSATIONS, verb), NULL }

const struct route ai_admin_routes[] = {
	ROUTE(HTTP_GET, "/v1/admin/conversations", list_route, VERB_READ),
	ROUTE(HTTP_GET, "/v1/admin/conversations/{id}", get_route, VERB_READ),
	ROUTE(HTTP_POST, "/v1/admin/conversations/{id}/reply", reply_route, VERB_WRITE),
	ROUTE(HTTP_POST, "/v1/admin/conversations/{id}/handback", handback_route, VERB_WRITE),
};
const size_t ai_admin_nroutes = sizeof(ai_admin_routes) / sizeof(ai_admin_routes[0]);
