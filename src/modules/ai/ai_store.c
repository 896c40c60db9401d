/* ai_store.c — the conversation engine's SQL, and only SQL: conversations,
 * messages, the tenant's knowledge the prompt is built from, and the
 * handoff notification. Every statement runs in the caller's tenant
 * transaction (RLS scopes it); bound parameters only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "modules/ai/ai_internal.h"
#include "modules/audit/audit.h"
#include "modules/auth/auth.h"
#include "modules/ai/ai_nlu.h"

int64_t
ai_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

void
ai_actor(const struct ctx *ctx, const char *conversation_id, struct audit_actor *out)
{
	out->type = "ai";
	out->id = conversation_id;
	out->on_behalf_of = NULL;
	out->request_id = ctx->request_id;
}

static void
decref_cb(void *p)
{
	json_decref(p);
}

json_t *
ai_keep(struct arena *a, json_t *j)
{
	if (j != NULL)
		arena_defer(a, decref_cb, j);
	return j;
}

static json_t *
json_col(struct arena *a, PGresult *res, int row, int col)
{
	const char *v = db_val(res, row, col);

	return v ? ai_keep(a, json_loads(v, JSON_DECODE_ANY, NULL)) : NULL;
}

static int
int_col(PGresult *res, int row, int col)
{
	const char *v = db_val(res, row, col);

	return v ? atoi(v) : 0;
}

static long long
ll_col(PGresult *res, int row, int col)
{
	const char *v = db_val(res, row, col);

	return v ? atoll(v) : 0;
}

/* ---- conversations ---------------------------------------------------------- */

#define CONV_COLS "id, channel, status, customer_id, summary, message_count, input_tokens," \
	" output_tokens, contact::text, pending_proposal::text, offered_slots::text," \
	" coalesce(extract(epoch FROM expires_at)::bigint, 0)," \
	" extract(epoch FROM last_activity_at)::bigint"

static void
conv_from_row(struct arena *a, PGresult *res, int row, struct ai_conv *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%s", db_val(res, row, 0));
	c->channel = db_val(res, row, 1);
	c->status = db_val(res, row, 2);
	c->customer_id = db_val(res, row, 3);
	c->summary = db_val(res, row, 4);
	c->message_count = int_col(res, row, 5);
	c->input_tokens = ll_col(res, row, 6);
	c->output_tokens = ll_col(res, row, 7);
	c->contact = json_col(a, res, row, 8);
	c->proposal = json_col(a, res, row, 9);
	c->offered = json_col(a, res, row, 10);
	if (!json_is_object(c->contact))
		c->contact = ai_keep(a, json_object());
	if (!json_is_object(c->proposal))
		c->proposal = NULL;
	if (!json_is_array(c->offered))
		c->offered = ai_keep(a, json_array());
	c->expires_at = ll_col(res, row, 11);
	c->last_activity = ll_col(res, row, 12);
}

enum status
ai_store_conv_create(struct db_tx *tx, const char *channel, const unsigned char token_hash[32],
    int idle_s, char id[UUID_STR_LEN + 1])
{
	char idle[16];
	const char *p[3] = { channel, token_hash ? sec_bytea_hex(tx->arena, token_hash, 32) : NULL,
		idle };
	PGresult *res;

	snprintf(idle, sizeof(idle), "%d", idle_s);
	res = db_exec(tx, "INSERT INTO conversations (tenant_id, channel, session_token_hash,"
	    " expires_at) VALUES (app_tenant(), $1, $2::bytea,"
	    " CASE WHEN $3::int > 0 THEN now() + make_interval(secs => $3::int) END) RETURNING id",
	    3, p);
	if (res == NULL)
		return db_status(tx);
	snprintf(id, UUID_STR_LEN + 1, "%s", db_val(res, 0, 0));
	return ST_OK;
}

enum status
ai_store_conv_by_token(struct db_tx *tx, const unsigned char token_hash[32],
    struct ai_conv *out, bool *found)
{
	const char *p[1] = { sec_bytea_hex(tx->arena, token_hash, 32) };
	PGresult *res = db_exec(tx, "SELECT " CONV_COLS " FROM conversations"
	    " WHERE session_token_hash = $1::bytea", 1, p);

	if (res == NULL)
		return db_status(tx);
	*found = PQntuples(res) == 1;
	if (*found)
		conv_from_row(tx->arena, res, 0, out);
	return ST_OK;
}

enum status
ai_store_conv_get(struct db_tx *tx, const char *id, bool for_update, struct ai_conv *out,
    bool *found)
{
	const char *p[1] = { id };
	PGresult *res = db_exec(tx, for_update ?
	    "SELECT " CONV_COLS " FROM conversations WHERE id = $1::uuid FOR UPDATE" :
	    "SELECT " CONV_COLS " FROM conversations WHERE id = $1::uuid", 1, p);

	if (res == NULL)
		return db_status(tx);
	*found = PQntuples(res) == 1;
	if (*found)
		conv_from_row(tx->arena, res, 0, out);
	return ST_OK;
}

enum status
ai_store_turn_lock(struct db_tx *tx, const char *id, const unsigned char *token_hash,
    struct ai_conv *out, enum ai_lock *state)
{
	const char *p[1] = { id ? id : sec_bytea_hex(tx->arena, token_hash, 32) };
	/* Longer than any turn (a few model calls under LLM_TIMEOUT_MS); a
	 * crashed turn frees itself after it. The row comes back as the lock
	 * left it: what the previous turn committed included. */
	PGresult *res = db_exec(tx, id ?
	    "UPDATE conversations SET turn_lock_until = now() + interval '300 seconds'"
	    " WHERE id = $1::uuid AND (turn_lock_until IS NULL OR turn_lock_until < now())"
	    " RETURNING " CONV_COLS :
	    "UPDATE conversations SET turn_lock_until = now() + interval '300 seconds'"
	    " WHERE session_token_hash = $1::bytea"
	    " AND (turn_lock_until IS NULL OR turn_lock_until < now())"
	    " RETURNING " CONV_COLS, 1, p);

	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 1) {
		conv_from_row(tx->arena, res, 0, out);
		*state = AI_LOCK_TAKEN;
		return ST_OK;
	}
	/* Not taken: someone else's turn, or no such conversation. */
	res = db_exec(tx, id ? "SELECT " CONV_COLS " FROM conversations WHERE id = $1::uuid" :
	    "SELECT " CONV_COLS " FROM conversations WHERE session_token_hash = $1::bytea", 1, p);
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 1)
		conv_from_row(tx->arena, res, 0, out);
	*state = PQntuples(res) == 1 ? AI_LOCK_BUSY : AI_LOCK_MISSING;
	return ST_OK;
}

enum status
ai_store_turn_unlock(struct db_tx *tx, const char *id)
{
	const char *p[1] = { id };

	if (db_exec(tx, "UPDATE conversations SET turn_lock_until = NULL WHERE id = $1::uuid",
	    1, p) == NULL)
		return db_status(tx);
	return ST_OK;
}

enum status
ai_store_close(struct db_tx *tx, const char *id)
{
	const char *p[1] = { id };

	if (db_exec(tx, "UPDATE conversations SET status = 'CLOSED', closed_at = now(),"
	    " turn_lock_until = NULL WHERE id = $1::uuid AND status <> 'CLOSED'", 1, p) == NULL)
		return db_status(tx);
	return ST_OK;
}

/* ---- messages ---------------------------------------------------------------- */

static char *
num(struct arena *a, long long v)
{
	return arena_printf(a, "%lld", v);
}

static char *
dump(struct arena *a, json_t *j)
{
	char *s, *out;

	if (j == NULL)
		return NULL;
	s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	if (s == NULL)
		return NULL;
	out = arena_strdup(a, s);
	free(s);
	return out;
}

enum status
ai_store_msg_add(struct db_tx *tx, const char *conv_id, const struct ai_msg_in *m, int idle_s,
    char id[UUID_STR_LEN + 1], int *seq)
{
	struct arena *a = tx->arena;
	const char *p[19] = {
		conv_id, m->role, m->author, m->author_id, m->content, dump(a, m->tool_calls),
		m->tool_call_id, m->tool_name, dump(a, m->tool_result), m->model, m->provider,
		m->input_tokens || m->output_tokens ? num(a, m->input_tokens) : NULL,
		m->input_tokens || m->output_tokens ? num(a, m->output_tokens) : NULL,
		m->latency_ms > 0 ? num(a, m->latency_ms) : NULL,
		m->interrupted ? "true" : "false", num(a, idle_s),
		num(a, m->input_tokens), num(a, m->output_tokens), m->ends_turn ? "true" : "false",
	};
	PGresult *res = db_exec(tx,
	    "WITH c AS (UPDATE conversations SET message_count = message_count + 1,"
	    " last_activity_at = now(),"
	    " expires_at = CASE WHEN $16::int > 0 THEN now() + make_interval(secs => $16::int)"
	    "   ELSE expires_at END,"
	    " input_tokens = input_tokens + $17::bigint, output_tokens = output_tokens + $18::bigint,"
	    " turn_lock_until = CASE WHEN $19::boolean THEN NULL ELSE turn_lock_until END"
	    " WHERE id = $1::uuid RETURNING message_count)"
	    " INSERT INTO messages (tenant_id, conversation_id, seq, role, author, author_id,"
	    " content, tool_calls, tool_call_id, tool_name, tool_result, model, provider,"
	    " input_tokens, output_tokens, latency_ms, interrupted)"
	    " SELECT app_tenant(), $1::uuid, c.message_count, $2, $3, $4::uuid, $5, $6::jsonb, $7,"
	    " $8, $9::jsonb, $10, $11, $12::int, $13::int, $14::int, $15::boolean FROM c"
	    " RETURNING id, seq", 19, p);

	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) != 1)
		return err_set(tx->err, ST_NOTFOUND, "The conversation is gone.");
	if (id)
		snprintf(id, UUID_STR_LEN + 1, "%s", db_val(res, 0, 0));
	if (seq)
		*seq = int_col(res, 0, 1);
	return ST_OK;
}

enum status
ai_store_history(struct db_tx *tx, struct arena *a, const char *conv_id, int turns,
    struct llm_message **msgs, size_t *n, int *first_seq)
{
	char t[16];
	const char *p[2] = { conv_id, t };
	PGresult *res;
	struct llm_message *out;
	size_t k = 0;
	int rows;

	snprintf(t, sizeof(t), "%d", turns);
	res = db_exec(tx, "SELECT seq, role, author, content, tool_calls::text, tool_call_id,"
	    " tool_name, tool_result::text FROM messages WHERE conversation_id = $1::uuid"
	    " AND seq >= coalesce((SELECT seq FROM messages WHERE conversation_id = $1::uuid"
	    "   AND role = 'user' ORDER BY seq DESC OFFSET $2::int - 1 LIMIT 1), 1)"
	    " AND role <> 'system' ORDER BY seq", 2, p);
	if (res == NULL)
		return db_status(tx);
	rows = PQntuples(res);
	out = arena_calloc(a, (size_t)rows + 1, sizeof(*out));
	*first_seq = rows ? int_col(res, 0, 0) : 1;
	for (int i = 0; i < rows; i++) {
		const char *role = db_val(res, i, 1);
		struct llm_message *m = &out[k];

		if (strcmp(role, "user") == 0) {
			m->role = LLM_USER;
			m->content = db_val(res, i, 3) ? db_val(res, i, 3) : "";
		} else if (strcmp(role, "assistant") == 0) {
			json_t *calls = json_col(a, res, i, 4);
			size_t nc = json_array_size(calls);

			m->role = LLM_ASSISTANT;
			m->content = db_val(res, i, 3);
			if (nc > 0) {
				struct llm_tool_call *tc = arena_calloc(a, nc, sizeof(*tc));

				for (size_t j = 0; j < nc; j++) {
					json_t *c = json_array_get(calls, j);

					tc[j].id = json_string_value(json_object_get(c, "id"));
					tc[j].name = json_string_value(json_object_get(c, "name"));
					tc[j].arguments = json_string_value(json_object_get(c, "arguments"));
				}
				m->tool_calls = tc;
				m->ntool_calls = nc;
			}
			if (m->content == NULL && m->ntool_calls == 0)
				continue;
		} else if (strcmp(role, "tool") == 0) {
			m->role = LLM_TOOL;
			m->content = db_val(res, i, 7) ? db_val(res, i, 7) : "{}";
			m->tool_call_id = db_val(res, i, 5);
			m->tool_name = db_val(res, i, 6);
		} else {
			continue;
		}
		k++;
	}
	*msgs = out;
	*n = k;
	return ST_OK;
}

enum status
ai_store_user_texts(struct db_tx *tx, const char *conv_id, int from_seq, int to_seq,
    const char ***texts, size_t *n)
{
	char f[16], t[16];
	const char *p[3] = { conv_id, f, t };
	PGresult *res;
	const char **out;

	snprintf(f, sizeof(f), "%d", from_seq);
	snprintf(t, sizeof(t), "%d", to_seq);
	res = db_exec(tx, "SELECT content FROM messages WHERE conversation_id = $1::uuid"
	    " AND role = 'user' AND seq >= $2::int AND seq < $3::int ORDER BY seq", 3, p);
	if (res == NULL)
		return db_status(tx);
	out = arena_calloc(tx->arena, (size_t)PQntuples(res) + 1, sizeof(*out));
	for (int i = 0; i < PQntuples(res); i++)
		out[i] = db_val(res, i, 0) ? db_val(res, i, 0) : "";
	*texts = out;
	*n = (size_t)PQntuples(res);
	return ST_OK;
}

enum status
ai_store_customer_contacts(struct db_tx *tx, struct arena *a, const char *conv_id,
    const char ***out, size_t *n)
{
	const char *p[1] = { conv_id };
	PGresult *res = db_exec(tx, "SELECT content FROM messages WHERE conversation_id = $1::uuid"
	    " AND role = 'user' ORDER BY seq DESC LIMIT 200", 1, p);
	const char **list;
	size_t k = 0, cap;

	if (res == NULL)
		return db_status(tx);
	cap = (size_t)PQntuples(res) * 4 + 4;
	list = arena_calloc(a, cap + 1, sizeof(*list));
	for (int i = 0; i < PQntuples(res); i++) {
		const char *t = db_val(res, i, 0);

		/* Up to a few of each per message. */
		for (const char *s = t; s && *s && k + 2 < cap;) {
			const char *at = strchr(s, '@');
			char *e;

			if (at == NULL)
				break;
			{
				const char *b = at;

				while (b > t && b[-1] != ' ' && b[-1] != '\n' && b[-1] != ',')
					b--;
				e = nlu_extract_email(a, b);
			}
			if (e != NULL)
				list[k++] = e;
			s = at + 1;
		}
		{
			const char *s = t;

			for (int j = 0; s && *s && j < 4 && k + 1 < cap; j++) {
				char *ph = nlu_extract_phone(a, s, "1");
				const char *q;

				if (ph == NULL)
					break;
				list[k++] = ph;
				/* move past the digits just used */
				q = strpbrk(s, "0123456789");
				while (q && *q && (strchr("0123456789+()-. ", *q) != NULL))
					q++;
				s = q;
			}
		}
	}
	*out = list;
	*n = k;
	return ST_OK;
}

enum status
ai_store_set_json(struct db_tx *tx, const char *conv_id, const char *column, json_t *value)
{
	const char *p[2] = { conv_id, dump(tx->arena, value) };
	const char *sql;

	if (strcmp(column, "contact") == 0)
		sql = "UPDATE conversations SET contact = coalesce($2::jsonb, '{}') WHERE id = $1::uuid";
	else if (strcmp(column, "pending_proposal") == 0)
		sql = "UPDATE conversations SET pending_proposal = $2::jsonb WHERE id = $1::uuid";
	else if (strcmp(column, "offered_slots") == 0)
		sql = "UPDATE conversations SET offered_slots = coalesce($2::jsonb, '[]')"
		    " WHERE id = $1::uuid";
	else
		return err_set(tx->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	if (db_exec(tx, sql, 2, p) == NULL)
		return db_status(tx);
	return ST_OK;
}

enum status
ai_store_set_summary(struct db_tx *tx, const char *conv_id, const char *summary)
{
	const char *p[2] = { conv_id, summary };

	if (db_exec(tx, "UPDATE conversations SET summary = left($2, 4000) WHERE id = $1::uuid",
	    2, p) == NULL)
		return db_status(tx);
	return ST_OK;
}

enum status
ai_store_set_customer(struct db_tx *tx, const char *conv_id, const char *email,
    const char *phone)
{
	const char *p[3] = { conv_id, email, phone };

	if (email == NULL && phone == NULL)
		return ST_OK;
	if (db_exec(tx, "UPDATE conversations SET customer_id = (SELECT c.id FROM customers c"
	    " WHERE c.deleted_at IS NULL AND (c.email = $2::citext OR c.phone = $3)"
	    " ORDER BY (c.email = $2::citext) IS TRUE DESC, c.created_at LIMIT 1)"
	    " WHERE id = $1::uuid", 3, p) == NULL)
		return db_status(tx);
	return ST_OK;
}

enum status
ai_store_set_status(struct db_tx *tx, const char *conv_id, const char *status,
    const char *reason)
{
	const char *p[3] = { conv_id, status, reason };

	if (db_exec(tx, "UPDATE conversations SET status = $2,"
	    " handoff_reason = CASE WHEN $2 = 'HANDED_OFF' THEN left($3, 500) ELSE handoff_reason END,"
	    " handed_off_at = CASE WHEN $2 = 'HANDED_OFF' THEN now() ELSE handed_off_at END,"
	    " closed_at = CASE WHEN $2 = 'CLOSED' THEN now() ELSE NULL END"
	    " WHERE id = $1::uuid", 3, p) == NULL)
		return db_status(tx);
	return ST_OK;
}

/* ---- the tenant's knowledge ----------------------------------------------------- */

enum status
ai_store_tenant_json(struct db_tx *tx, const char **json)
{
	/* One statement, one JSON document: it is cached as text
	 * (ai_knowledge.c) and parsed on every turn. */
	PGresult *res = db_exec(tx, "SELECT json_build_object("
	    " 'id', t.id, 'name', coalesce(b.display_name, p.business_name),"
	    " 'zone', p.timezone, 'country', p.country, 'phone', p.phone, 'email', p.email,"
	    " 'website', p.website_url,"
	    " 'address', nullif(concat_ws(', ', nullif(p.address_line1, ''),"
	    "   nullif(p.address_line2, ''), nullif(p.city, ''), nullif(concat_ws(' ',"
	    "   nullif(p.region, ''), nullif(p.postal_code, '')), '')), ''),"
	    " 'cancellation_policy', po.cancellation_policy, 'late_policy', po.late_policy,"
	    " 'no_show_policy', po.no_show_policy, 'payment_policy', po.payment_policy,"
	    " 'cancel_window_h', coalesce(po.cancellation_window_hours, 0),"
	    " 'tone', coalesce(s.tone, b.voice_style, 'friendly'), 'greeting', s.greeting,"
	    " 'escalation_rules', s.escalation_rules, 'never_do', coalesce(s.never_do, '{}'),"
	    " 'allow_handoff', coalesce(s.allow_human_handoff, true),"
	    " 'handoff_keywords', coalesce(s.handoff_keywords, '{}'),"
	    " 'hours', (SELECT coalesce(json_agg(json_build_array(h.weekday,"
	    "     (extract(epoch FROM h.opens) / 60)::int, (extract(epoch FROM h.closes) / 60)::int)"
	    "     ORDER BY h.weekday, h.opens), '[]') FROM business_hours h),"
	    " 'closures', (SELECT coalesce(json_agg((c.day - date '1970-01-01')::int"
	    "     ORDER BY c.day), '[]') FROM (SELECT day FROM closures"
	    "     WHERE day >= (now() AT TIME ZONE coalesce(p.timezone, 'UTC'))::date - 1"
	    "     ORDER BY day LIMIT 60) c),"
	    " 'services', (SELECT coalesce(json_agg(json_build_array(v.id, v.name, v.description,"
	    "     v.currency, v.duration_minutes, v.price_minor)"
	    "     ORDER BY v.sort_order, v.name, v.id), '[]')"
	    "   FROM (SELECT * FROM services WHERE active AND deleted_at IS NULL"
	    "     ORDER BY sort_order, name, id LIMIT 200) v),"
	    " 'faqs', (SELECT coalesce(json_agg(json_build_array(f.id, f.question, f.answer)"
	    "     ORDER BY f.sort_order, f.created_at, f.id), '[]')"
	    "   FROM (SELECT * FROM faqs WHERE active AND deleted_at IS NULL"
	    "     ORDER BY sort_order, created_at, id LIMIT 200) f)"
	    ")::text"
	    " FROM tenants t LEFT JOIN tenant_profiles p ON p.tenant_id = t.id"
	    " LEFT JOIN tenant_branding b ON b.tenant_id = t.id"
	    " LEFT JOIN tenant_policies po ON po.tenant_id = t.id"
	    " LEFT JOIN ai_settings s ON s.tenant_id = t.id"
	    " WHERE t.id = app_tenant()", 0, NULL);

	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) != 1)
		return err_set(tx->err, ST_NOTFOUND, "This business is not available.");
	*json = db_val(res, 0, 0);
	return ST_OK;
}

enum status
ai_store_notify_recipient(struct db_tx *tx, const char **email)
{
	PGresult *res = db_exec(tx, "SELECT conversation_notify_recipient()", 0, NULL);

	if (res == NULL)
		return db_status(tx);
	*email = PQntuples(res) == 1 ? db_val(res, 0, 0) : NULL;
	return ST_OK;
}

enum status
ai_store_outbox(struct db_tx *tx, const char *recipient, const char *template, json_t *payload)
{
	const char *p[3] = { recipient, template, dump(tx->arena, payload) };

	json_decref(payload);
	if (db_exec(tx, "INSERT INTO notification_outbox (tenant_id, recipient, template, payload)"
	    " VALUES (app_tenant(), $1, $2, coalesce($3::jsonb, '{}'))", 3, p) == NULL)
		return db_status(tx);
	return ST_OK;
}
