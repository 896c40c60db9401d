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
    int idle_s, bool test, char id[UUID_STR_LEN + 1])
{
	char idle[16];
	const char *p[4] = { channel, token_hash ? sec_bytea_hex(tx->arena, token_hash, 32) : NULL,
		idle, test ? "true" : "false" };
	PGresult *res;

	snprintf(idle, sizeof(idle), "%d", idle_s);
	res = db_exec(tx, "INSERT INTO conversations (tenant_id, channel, session_token_hash,"
	    " expires_at, test) VALUES (app_tenant(), $1, $2::bytea,"
	    " CASE WHEN $3::int > 0 THEN now() + make_interval(secs => $3::int) END, $4::boolean)"
	    " RETURNING id", 4, p);
	if (res == NULL)
		return db_status(tx);
	snprintf(id, UUID_STR_LEN + 1, "%s", db_val(res, 0, 0));
	return ST_OK;
}

/* At most one conversation, by a one-parameter query. */
static enum status
conv_one(struct db_tx *tx, const char *sql, const char *const *p, struct ai_conv *out,
    bool *found)
{
	PGresult *res = db_exec(tx, sql, 1, p);

	if (res == NULL)
		return db_status(tx);
	*found = PQntuples(res) == 1;
	if (*found)
		conv_from_row(tx->arena, res, 0, out);
	return ST_OK;
}

enum status
ai_store_conv_by_token(struct db_tx *tx, const unsigned char token_hash[32],
    struct ai_conv *out, bool *found)
{
	const char *p[1] = { sec_bytea_hex(tx->arena, token_hash, 32) };

	return conv_one(tx, "SELECT " CONV_COLS " FROM conversations"
	    " WHERE session_token_hash = $1::bytea", p, out, found);
}

enum status
ai_store_conv_get(struct db_tx *tx, const char *id, bool for_update, struct ai_conv *out,
    bool *found)
{
	const char *p[1] = { id };

	return conv_one(tx, for_update ?
	    "SELECT " CONV_COLS " FROM conversations WHERE id = $1::uuid FOR UPDATE" :
	    "SELECT " CONV_COLS " FROM conversations WHERE id = $1::uuid", p, out, found);
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
    const char *reason, const char *claimed_by)
{
	const char *p[4] = { conv_id, status, reason, claimed_by };

	if (db_exec(tx, "UPDATE conversations SET status = $2,"
	    " handoff_reason = CASE WHEN $2 = 'HANDED_OFF' THEN left($3, 500) ELSE handoff_reason END,"
	    " handed_off_at = CASE WHEN $2 = 'HANDED_OFF' THEN now() ELSE handed_off_at END,"
	    " closed_at = CASE WHEN $2 = 'CLOSED' THEN now() ELSE NULL END,"
	    " claimed_by = $4::uuid, claimed_at = CASE WHEN $4::uuid IS NULL THEN NULL ELSE now() END"
	    " WHERE id = $1::uuid", 4, p) == NULL)
		return db_status(tx);
	return ST_OK;
}

enum status
ai_store_claim(struct db_tx *tx, const char *conv_id, const char *claimed_by, bool *claimed)
{
	PGresult *res;

	*claimed = false;
	if (claimed_by == NULL)
		return ST_OK;
	res = db_exec(tx, "UPDATE conversations SET claimed_by = $2::uuid, claimed_at = now()"
	    " WHERE id = $1::uuid AND status = 'HANDED_OFF' AND claimed_at IS NULL RETURNING 1", 2,
	    (const char *[]){ conv_id, claimed_by });
	if (res == NULL)
		return db_status(tx);
	*claimed = PQntuples(res) == 1;
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
	    "     v.currency, v.duration_minutes, v.price_minor,"
	    "     (SELECT coalesce(json_agg(json_build_array(ad.id, ad.name, ad.currency,"
	    "       ad.duration_minutes, ad.price_minor) ORDER BY ad.sort_order, ad.name, ad.id), '[]')"
	    "      FROM service_addons ad WHERE ad.service_id = v.id AND ad.active"
	    "      AND ad.deleted_at IS NULL),"
	    "     (SELECT coalesce(json_agg(json_build_array(sf.id, sf.display_name)"
	    "       ORDER BY sf.display_name, sf.id), '[]')"
	    "      FROM staff_services ss JOIN staff sf ON sf.tenant_id = ss.tenant_id"
	    "      AND sf.id = ss.staff_id WHERE ss.service_id = v.id AND sf.active"
	    "      AND sf.deleted_at IS NULL))"
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

/* ---- what the chat history and the admin's conversations API read ---------------- */


/* A chat session past its idle expiry is closed, whether or not anyone
 * has written to it since (the row is closed the next time it is used). */
/* Who has a handed-off conversation: the member's name and when (a
 * person no longer of the business keeps the id, with no name). */
#define CLAIMER "(SELECT m.name FROM auth_tenant_members(NULL, NULL, 1, c.claimed_by) m" \
	" WHERE c.claimed_by IS NOT NULL), " DB_RFC3339("c.claimed_at")

/* {id, name, at} from the three columns at col, or null. */
static json_t *
claimer_json(PGresult *res, int row, int col)
{
	if (db_val(res, row, col) == NULL)
		return json_null();
	return json_pack("{s:s, s:s?, s:s?}", "id", db_val(res, row, col), "name",
	    db_val(res, row, col + 1), "at", db_val(res, row, col + 2));
}

#define EFFECTIVE_STATUS "(CASE WHEN c.status = 'ACTIVE' AND c.expires_at <= now()" \
	" THEN 'CLOSED' ELSE c.status END)"

enum status
ai_store_chat_lines(struct db_tx *tx, const char *conv_id, long long after_seq, json_t **items)
{
	char after[24];
	const char *p[2] = { conv_id, after };
	PGresult *res;

	*items = NULL;
	snprintf(after, sizeof(after), "%lld", after_seq);
	res = db_exec(tx, "SELECT id, seq, role, author, content, " DB_RFC3339("created_at")
	    " FROM messages WHERE conversation_id = $1::uuid AND seq > $2::int"
	    " AND role IN ('user', 'assistant') AND content IS NOT NULL AND content <> ''"
	    " ORDER BY seq LIMIT 200", 2, p);
	if (res == NULL)
		return db_status(tx);
	*items = json_array();
	for (int i = 0; i < PQntuples(res); i++)
		json_array_append_new(*items, json_pack("{s:s, s:i, s:s, s:s, s:s, s:s}", "id",
		    db_val(res, i, 0), "seq", atoi(db_val(res, i, 1)), "role", db_val(res, i, 2),
		    "author", db_val(res, i, 3), "text", db_val(res, i, 4), "created_at",
		    db_val(res, i, 5)));
	return ST_OK;
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

/* At most 160 bytes of the last message, never cutting a character in half. */
static const char *
preview(struct arena *a, const char *last)
{
	char *p;
	size_t len;

	if (last == NULL)
		return NULL;
	p = arena_strndup(a, last, strlen(last) > 160 ? 160 : strlen(last));
	len = strlen(p);
	while (len > 0 && ((unsigned char)p[len - 1] & 0xc0) == 0x80)
		p[--len] = '\0';
	if (len > 0 && ((unsigned char)p[len - 1] & 0xc0) == 0xc0 && strlen(last) > len)
		p[--len] = '\0';
	return p;
}

enum status
ai_store_conv_list(struct db_tx *tx, struct arena *a, const struct ai_conv_query *q,
    struct ai_conv_page *out)
{
	char lim[8];
	const char *p[10];
	PGresult *res;
	int n;

	memset(out, 0, sizeof(*out));
	snprintf(lim, sizeof(lim), "%d", q->limit);
	p[0] = q->status;
	p[1] = q->channel;
	p[2] = q->from;
	p[3] = q->to;
	p[4] = q->q ? like_escape(a, q->q) : NULL;
	p[5] = q->cursor_ts;
	p[6] = q->cursor_id;
	p[7] = lim;
	p[8] = q->customer_id;
	p[9] = q->waiting;
	res = db_exec(tx, "SELECT c.id, c.channel, " EFFECTIVE_STATUS ", c.customer_id, c.summary,"
	    " c.message_count, " DB_RFC3339("c.last_activity_at") ", " DB_RFC3339("c.created_at") ","
	    " " DB_RFC3339("c.handed_off_at") ", c.handoff_reason, c.contact->>'name',"
	    " (extract(epoch FROM c.last_activity_at) * 1000000)::bigint,"
	    " (SELECT m.content FROM messages m WHERE m.conversation_id = c.id"
	    "   AND m.role IN ('user', 'assistant') AND m.content IS NOT NULL"
	    "   ORDER BY m.seq DESC LIMIT 1), c.test, c.claimed_by, " CLAIMER
	    " FROM conversations c"
	    " WHERE ($1::text IS NULL OR " EFFECTIVE_STATUS " = $1)"
	    " AND ($10::boolean IS NULL OR (c.status = 'HANDED_OFF' AND c.claimed_at IS NULL) = $10::boolean)"
	    " AND ($2::text IS NULL OR c.channel = $2)"
	    " AND ($3::timestamptz IS NULL OR c.last_activity_at >= $3::timestamptz)"
	    " AND ($4::timestamptz IS NULL OR c.last_activity_at < $4::timestamptz)"
	    " AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM messages m"
	    "   WHERE m.conversation_id = c.id AND m.role IN ('user', 'assistant')"
	    "   AND m.content ILIKE $5 ESCAPE '\\'))"
	    " AND ($6::bigint IS NULL OR (c.last_activity_at, c.id) <"
	    "   (timestamptz 'epoch' + $6::bigint * interval '1 microsecond', $7::uuid))"
	    " AND ($9::uuid IS NULL OR c.customer_id = $9::uuid)"
	    " ORDER BY c.last_activity_at DESC, c.id DESC LIMIT $8::int", 10, p);
	if (res == NULL)
		return db_status(tx);
	n = PQntuples(res);
	out->items = json_array();
	out->n = n;
	for (int i = 0; i < n; i++)
		json_array_append_new(out->items, json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:i, s:s, "
		    "s:s, s:s?, s:s?, s:s?, s:s?, s:b}", "id", db_val(res, i, 0), "channel",
		    db_val(res, i, 1), "status", db_val(res, i, 2), "customer_id", db_val(res, i, 3),
		    "summary", db_val(res, i, 4), "message_count", atoi(db_val(res, i, 5)),
		    "last_activity_at", db_val(res, i, 6), "created_at", db_val(res, i, 7),
		    "handed_off_at", db_val(res, i, 8), "handoff_reason", db_val(res, i, 9),
		    "customer_name", db_val(res, i, 10), "last_message",
		    preview(a, db_val(res, i, 12)), "test", db_bool(res, i, 13)));
	for (int i = 0; i < n; i++)
		json_object_set_new(json_array_get(out->items, i), "claimed_by",
		    claimer_json(res, i, 14));
	if (n > 0) {
		out->last_ts = arena_strdup(a, db_val(res, n - 1, 11));
		out->last_id = arena_strdup(a, db_val(res, n - 1, 0));
	}
	return ST_OK;
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

/* One message as the admin sees it: optional columns only when set. */
static json_t *
admin_msg_json(PGresult *res, int i)
{
	static const char *const strs[] = { [7] = "tool_call_id", [8] = "tool_name",
		[10] = "model", [11] = "provider" };
	static const char *const ints[] = { [12] = "input_tokens", [13] = "output_tokens",
		[14] = "latency_ms" };
	json_t *m = json_pack("{s:s, s:i, s:s, s:s, s:s?, s:s?, s:s}", "id", db_val(res, i, 0),
	    "seq", atoi(db_val(res, i, 1)), "role", db_val(res, i, 2), "author",
	    db_val(res, i, 3), "author_id", db_val(res, i, 4), "text", db_val(res, i, 5),
	    "created_at", db_val(res, i, 16));

	if (db_val(res, i, 6))
		json_object_set_new(m, "tool_calls", parse_col(db_val(res, i, 6)));
	for (int c = 7; c <= 14; c++) {
		if (db_val(res, i, c) == NULL)
			continue;
		if (c == 9)
			json_object_set_new(m, "tool_result", scrub(parse_col(db_val(res, i, 9))));
		else if (c < 12)
			json_object_set_new(m, strs[c], json_string(db_val(res, i, c)));
		else
			json_object_set_new(m, ints[c], json_integer(atoi(db_val(res, i, c))));
	}
	if (db_bool(res, i, 15))
		json_object_set_new(m, "interrupted", json_true());
	return m;
}

enum status
ai_store_conv_json(struct db_tx *tx, const char *id, json_t **out, bool *found)
{
	const char *p[1] = { id };
	PGresult *res;
	json_t *o, *msgs;

	*out = NULL;
	*found = false;
	res = db_exec(tx, "SELECT c.id, c.channel, " EFFECTIVE_STATUS ", c.customer_id, c.summary,"
	    " c.message_count,"
	    " " DB_RFC3339("last_activity_at") ", " DB_RFC3339("created_at") ", " DB_RFC3339("handed_off_at") ","
	    " handoff_reason, " DB_RFC3339("expires_at") ", contact::text, pending_proposal::text,"
	    " input_tokens, output_tokens, " DB_RFC3339("coalesce(closed_at, CASE WHEN c.status = 'ACTIVE'"
	    " AND c.expires_at <= now() THEN c.expires_at END)") ", c.test, c.claimed_by, " CLAIMER
	    " FROM conversations c WHERE id = $1::uuid", 1, p);
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) != 1)
		return ST_OK;
	*found = true;
	o = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:i, s:s, s:s, s:s?, s:s?, s:s?, s:o?, s:o?, "
	    "s:I, s:I, s:s?}", "id", db_val(res, 0, 0), "channel", db_val(res, 0, 1), "status",
	    db_val(res, 0, 2), "customer_id", db_val(res, 0, 3), "summary", db_val(res, 0, 4),
	    "message_count", atoi(db_val(res, 0, 5)), "last_activity_at", db_val(res, 0, 6),
	    "created_at", db_val(res, 0, 7), "handed_off_at", db_val(res, 0, 8), "handoff_reason",
	    db_val(res, 0, 9), "expires_at", db_val(res, 0, 10), "contact",
	    parse_col(db_val(res, 0, 11)), "pending_proposal", scrub(parse_col(db_val(res, 0, 12))),
	    "input_tokens", (json_int_t)atoll(db_val(res, 0, 13)), "output_tokens",
	    (json_int_t)atoll(db_val(res, 0, 14)), "closed_at", db_val(res, 0, 15));
	json_object_set_new(o, "test", json_boolean(db_bool(res, 0, 16)));
	json_object_set_new(o, "claimed_by", claimer_json(res, 0, 17));
	res = db_exec(tx, "SELECT id, seq, role, author, author_id, content, tool_calls::text,"
	    " tool_call_id, tool_name, tool_result::text, model, provider, input_tokens,"
	    " output_tokens, latency_ms, interrupted, " DB_RFC3339("created_at")
	    " FROM messages WHERE conversation_id = $1::uuid ORDER BY seq LIMIT 2000", 1, p);
	if (res == NULL) {
		json_decref(o);
		return db_status(tx);
	}
	msgs = json_array();
	for (int i = 0; i < PQntuples(res); i++)
		json_array_append_new(msgs, admin_msg_json(res, i));
	json_object_set_new(o, "messages", msgs);
	*out = o;
	return ST_OK;
}

/* One person's transcripts (export and erasure) --------------------------------- */

/* $1 customer id, $2 e-mail, $3 phone (either may be NULL). */
#define PERSON_CONVERSATIONS "c0.customer_id = $1::uuid" \
	" OR ($2::text IS NOT NULL AND lower(c0.contact->>'email') = lower($2::text))" \
	" OR ($3::text IS NOT NULL AND c0.contact->>'phone' = $3::text)"

enum status
ai_person_transcripts(struct db_tx *tx, const char *customer_id, const char *email,
    const char *phone, json_t **out)
{
	const char *params[4] = { customer_id, email, phone, NULL };
	char limit[16];
	PGresult *res;

	snprintf(limit, sizeof(limit), "%d", AI_EXPORT_CONVERSATIONS);
	params[3] = limit;
	res = db_exec(tx, "SELECT coalesce(json_agg(json_build_object('id', c.id,"
	    " 'channel', c.channel, 'status', c.status, 'summary', c.summary,"
	    " 'contact', c.contact, 'created_at', " DB_RFC3339("c.created_at") ","
	    " 'last_activity_at', " DB_RFC3339("c.last_activity_at") ","
	    " 'messages', coalesce((SELECT json_agg(json_build_object('seq', m.seq,"
	    "  'role', m.role, 'author', m.author, 'content', m.content,"
	    "  'tool_calls', m.tool_calls, 'tool_name', m.tool_name, 'tool_result', m.tool_result,"
	    "  'created_at', " DB_RFC3339("m.created_at") ") ORDER BY m.seq)"
	    "  FROM messages m WHERE m.tenant_id = c.tenant_id AND m.conversation_id = c.id),"
	    "  '[]'::json)) ORDER BY c.created_at, c.id), '[]'::json)::text"
	    " FROM (SELECT * FROM conversations c0 WHERE " PERSON_CONVERSATIONS
	    "  ORDER BY c0.created_at DESC LIMIT $4::int) c", 4, params);
	if (res == NULL)
		return db_status(tx);
	*out = json_col(tx->arena, res, 0, 0);
	if (*out == NULL)
		return err_set(tx->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	return ST_OK;
}

enum status
ai_person_erase(struct db_tx *tx, const char *customer_id, const char *email,
    const char *phone, long long *messages, long long *conversations)
{
	const char *params[3] = { customer_id, email, phone };
	PGresult *res;

	res = db_exec(tx, "WITH conv AS (SELECT c0.id FROM conversations c0"
	    "  WHERE " PERSON_CONVERSATIONS "),"
	    " dm AS (DELETE FROM messages m USING conv WHERE m.tenant_id = app_tenant()"
	    "  AND m.conversation_id = conv.id RETURNING 1),"
	    " uc AS (UPDATE conversations c SET contact = '{}', summary = NULL,"
	    "  channel_ref = NULL, pending_proposal = NULL, offered_slots = '[]',"
	    "  handoff_reason = NULL, session_token_hash = NULL, status = 'CLOSED',"
	    "  closed_at = coalesce(c.closed_at, now()), turn_lock_until = NULL"
	    "  FROM conv WHERE c.tenant_id = app_tenant() AND c.id = conv.id"
	    "  AND (c.contact <> '{}' OR c.summary IS NOT NULL OR c.channel_ref IS NOT NULL"
	    "  OR c.pending_proposal IS NOT NULL OR c.offered_slots <> '[]'"
	    "  OR c.handoff_reason IS NOT NULL OR c.session_token_hash IS NOT NULL"
	    "  OR c.status <> 'CLOSED') RETURNING 1)"
	    " SELECT (SELECT count(*) FROM dm), (SELECT count(*) FROM uc)", 3, params);
	if (res == NULL)
		return db_status(tx);
	*messages = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	*conversations = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	return ST_OK;
}
