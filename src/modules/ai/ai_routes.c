/* ai_routes.c — the web widget's chat API (public: the tenant comes from
 * the host; origins and rate limits are the browser guard's, web_guard.c).
 *
 *   POST /v1/chat/session {test?}                 → {session_id, greeting}
 *   POST /v1/chat/stream  {session_id, message}   → text/event-stream
 *   POST /v1/chat/message {session_id, message}   → the same turn as JSON
 *   POST /v1/chat/history {session_id, after_seq?} → what was said
 *
 * The stream's events: delta {text}, tool {name, status}, slots {slots},
 * message {id, text} (the final text: clients replace the deltas with it),
 * done {handed_off}, error {code, message}; ": ping" comments every
 * CHAT_HEARTBEAT_S. The session id is an opaque token stored hashed. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "core/jsonv.h"
#include "core/log.h"
#include "modules/ai/ai_internal.h"
#include "modules/auth/auth.h"

/* ---- input ------------------------------------------------------------------- */

struct chat_in {
	const char *session_id;
	const char *message;		/* sanitised */
	long long after_seq;
};

/* {session_id, message} (or {session_id, after_seq} for history), with
 * the message's control characters stripped before its length is judged. */
static enum status
chat_input(struct request *r, bool want_message, struct chat_in *in)
{
	const int max = r->app->cfg.chat_message_max_chars;
	const char *key;
	json_t *body, *v;
	size_t before = r->err.nviolations;
	enum status st;

	memset(in, 0, sizeof(*in));
	if ((st = http_json_body(r, &body)) != ST_OK)
		return st;
	json_object_foreach(body, key, v) {
		if (strcmp(key, "session_id") != 0 &&
		    strcmp(key, want_message ? "message" : "after_seq") != 0)
			err_detail(&r->err, key, "is not a known field");
	}
	v = json_object_get(body, "session_id");
	if (v == NULL)
		err_detail(&r->err, "session_id", "is required");
	else if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 128)
		err_detail(&r->err, "session_id", "must be the session id from /v1/chat/session");
	else
		in->session_id = json_string_value(v);
	if (want_message) {
		v = json_object_get(body, "message");
		if (v == NULL) {
			err_detail(&r->err, "message", "is required");
		} else if (!json_is_string(v)) {
			err_detail(&r->err, "message", "must be a string");
		} else {
			char *m = ai_sanitize_input(r->arena, json_string_value(v));

			if (m == NULL)
				err_detail(&r->err, "message", "must be valid UTF-8");
			else if (*m == '\0')
				err_detail(&r->err, "message", "must not be empty");
			else if ((long long)jv_utf8_length(m) > max)
				err_detail(&r->err, "message", "must be at most %d characters", max);
			else
				in->message = m;
		}
	} else if ((v = json_object_get(body, "after_seq")) != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			err_detail(&r->err, "after_seq", "must be a non-negative integer");
		else
			in->after_seq = json_integer_value(v);
	}
	if (r->err.nviolations > before)
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	return ST_OK;
}

/* The session token's hash, or the refusal of a token that cannot be one
 * (no database needed to say so). */
static enum status
session_hash(struct request *r, const char *token, unsigned char hash[32])
{
	if (strlen(token) != AI_SESSION_LEN || strncmp(token, AI_SESSION_PREFIX, 3) != 0) {
		err_detail(&r->err, "session_id", "is not a chat session of this business");
		return err_set(&r->err, ST_NOTFOUND, "Unknown chat session; start a new one.");
	}
	sec_sha256(token, hash);
	return ST_OK;
}

enum status
ai_body_empty(struct request *r)
{
	json_t *body, *v;
	const char *key;
	enum status st;

	if (r->body_len == 0)
		return ST_OK;
	if ((st = http_json_body(r, &body)) != ST_OK)
		return st;
	json_object_foreach(body, key, v)
		err_detail(&r->err, key, "is not a known field");
	if (r->err.nviolations > 0)
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	return ST_OK;
}

/* ---- POST /v1/chat/session ------------------------------------------------------- */

static enum status
session_route(struct request *r, struct response *w)
{
	static const struct jv_field fields[] = {
		{ "test", JV_BOOL, false, false, 0, 0, NULL, NULL, NULL },
	};
	struct ai_chat_session s;
	json_t *body = NULL;
	bool test = false;
	enum status st;

	/* An empty body, {} or {"test": true} (the admin's "try it" panel:
	 * the conversation is labelled as a test in the inbox). */
	if (r->body_len > 0 && ((st = http_json_body(r, &body)) != ST_OK ||
	    (st = jv_validate(body, fields, 1, &r->err)) != ST_OK))
		return st;
	test = body != NULL && json_is_true(json_object_get(body, "test"));
	if ((st = ai_chat_open(&r->ctx, test, &s)) != ST_OK)
		return st;
	response_header(w, "Cache-Control", "no-store");
	return reply_json(r, w, 201, json_pack("{s:s, s:s, s:i}", "session_id", s.token,
	    "greeting", s.greeting, "idle_timeout_s", r->app->cfg.chat_session_idle_s));
}

/* ---- the event stream --------------------------------------------------------------- */

struct sse {
	struct request *r;
};

/* One event in one write, so heartbeats never land inside it. A failed
 * write means the client left: the HTTP layer has set r->cancelled, and
 * the engine stops; the write's own error must not replace the turn's. */
static void
sse_send(struct sse *s, const char *event, json_t *data)
{
	struct request *r = s->r;
	char *d = json_dumps(data, JSON_COMPACT);
	char *msg;
	struct err saved;

	if (d == NULL)
		return;
	msg = arena_printf(r->arena, "event: %s\ndata: %s\n\n", event, d);
	free(d);
	if (r->cancelled != NULL && atomic_load(r->cancelled))
		return;
	saved = r->err;
	if (http_stream_write(r, msg, strlen(msg)) != ST_OK)
		r->err = saved;
}

static void
sse_delta(void *ud, const char *text, size_t n)
{
	struct sse *s = ud;
	json_t *j = json_object();

	json_object_set_new(j, "text", json_stringn(text, n));
	sse_send(s, "delta", j);
	json_decref(j);
}

static void
sse_event(void *ud, const char *name, json_t *data)
{
	sse_send(ud, name, data);
}

/* The turn begins before the stream does: an unknown or expired session, a
 * turn already running or a busy database is an HTTP error, not an event. */
static enum status
stream_route(struct request *r, struct response *w)
{
	struct chat_in in;
	unsigned char hash[32];
	struct ai_turn_in tin = { .session_hash = hash, .client = r->remote_addr };
	struct ai_turn *turn;
	struct ai_turn_out out;
	struct sse s = { r };
	struct ai_sink sink = { &s, sse_delta, sse_event };
	struct ai_heartbeat *hb;
	enum status st;

	/* Room for the stream first: a turn begun persists the message. */
	if ((st = chat_input(r, true, &in)) != ST_OK ||
	    (st = session_hash(r, in.session_id, hash)) != ST_OK ||
	    (st = http_stream_admit(r)) != ST_OK)
		return st;
	tin.text = in.message;
	if ((st = ai_turn_begin(&r->ctx, &tin, &turn)) != ST_OK)
		return st;
	response_header(w, "Cache-Control", "no-store");
	if ((st = http_stream_start(r, w, 200, "text/event-stream; charset=utf-8")) != ST_OK) {
		ai_turn_abandon(turn);
		return st;
	}
	hb = arena_calloc(r->arena, 1, sizeof(*hb));
	ai_heartbeat_start(hb, r);
	st = ai_turn_run(turn, &sink, &out);
	if (st != ST_OK) {
		json_t *e = json_pack("{s:s, s:s}", "code", status_code(st), "message",
		    r->err.message[0] ? r->err.message : status_default_message(st));

		sse_send(&s, "error", e);
		json_decref(e);
		log_emit(LOG_INFO, "chat turn failed", json_pack("{s:s, s:s}", "request_id",
		    r->request_id, "code", status_code(st)));
	} else if (!out.cancelled) {
		json_t *j;

		if (!out.silent && out.text != NULL) {
			j = json_pack("{s:s, s:s}", "id", out.message_id, "text", out.text);
			sse_send(&s, "message", j);
			json_decref(j);
		}
		j = json_pack("{s:b}", "handed_off", out.handed_off);
		sse_send(&s, "done", j);
		json_decref(j);
	}
	ai_heartbeat_stop(hb);
	err_clear(&r->err);
	return ST_OK;	/* the stream carries any error */
}

/* ---- POST /v1/chat/message ---------------------------------------------------------- */

static enum status
message_route(struct request *r, struct response *w)
{
	struct chat_in in;
	unsigned char hash[32];
	struct ai_turn_in tin = { .session_hash = hash, .client = r->remote_addr };
	struct ai_turn *turn;
	struct ai_turn_out out;
	struct ai_sink sink = { NULL, NULL, NULL };
	enum status st;

	if ((st = chat_input(r, true, &in)) != ST_OK ||
	    (st = session_hash(r, in.session_id, hash)) != ST_OK)
		return st;
	tin.text = in.message;
	if ((st = ai_turn_begin(&r->ctx, &tin, &turn)) != ST_OK ||
	    (st = ai_turn_run(turn, &sink, &out)) != ST_OK)
		return st;
	response_header(w, "Cache-Control", "no-store");
	return reply_json(r, w, 200, json_pack("{s:o, s:O, s:O, s:b}",
	    "message", out.silent || out.text == NULL ? json_null() :
	    json_pack("{s:s, s:s}", "id", out.message_id, "text", out.text),
	    "slots", out.slots ? out.slots : ai_keep(r->arena, json_array()),
	    "tool_events", out.tool_events, "handed_off", out.handed_off));
}

/* ---- POST /v1/chat/history ------------------------------------------------------------ */

static enum status
history_route(struct request *r, struct response *w)
{
	struct chat_in in;
	unsigned char hash[32];
	const char *status;
	json_t *items;
	enum status st;

	if ((st = chat_input(r, false, &in)) != ST_OK ||
	    (st = session_hash(r, in.session_id, hash)) != ST_OK ||
	    (st = ai_chat_history(&r->ctx, hash, in.after_seq, &items, &status)) != ST_OK)
		return st;
	response_header(w, "Cache-Control", "no-store");
	return reply_json(r, w, 200, json_pack("{s:o, s:s}", "items", items, "status", status));
}

static const struct route ai_chat_routes_v[] = {
	{ HTTP_POST, "/v1/chat/session", session_route, TENANCY_HOST, 0, NULL },
	{ HTTP_POST, "/v1/chat/stream", stream_route, TENANCY_HOST, 0, NULL },
	{ HTTP_POST, "/v1/chat/message", message_route, TENANCY_HOST, 0, NULL },
	{ HTTP_POST, "/v1/chat/history", history_route, TENANCY_HOST, 0, NULL },
};
const struct route_table ai_chat_routes = TABLE_OF(ai_chat_routes_v);
