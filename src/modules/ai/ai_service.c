/* ai_service.c — the rules behind the ai routes that are not the engine:
 * web chat sessions (open, find, history) and the admin's conversations
 * (list, read, a person's reply, hand back). Each takes a struct ctx and
 * runs its own transaction; the SQL is in ai_store.c. */
#include <string.h>

#include "core/cursor.h"
#include "core/config.h"
#include "db/db.h"
#include "modules/ai/ai_internal.h"
#include "modules/ai/ai_offline.h"
#include "modules/llm/llm.h"
#include "modules/billing/billing.h"
#include "modules/appointments/appointments.h"
#include "modules/audit/audit.h"
#include "modules/auth/auth.h"

/* ---- web chat sessions ---------------------------------------------------------- */

static const char *
default_greeting(struct arena *a, const struct ai_tenant *t)
{
	const char *n = t->name;

	if (t->tone && strcmp(t->tone, "professional") == 0)
		return arena_printf(a, "Hello, and welcome to %s. How may I help you today? I can "
		    "book appointments and answer questions about our services.", n);
	if (t->tone && strcmp(t->tone, "playful") == 0)
		return arena_printf(a, "Hey there, welcome to %s! Want to book something or ask me "
		    "anything?", n);
	if (t->tone && strcmp(t->tone, "concise") == 0)
		return arena_printf(a, "Hi! %s here. How can I help?", n);
	return arena_printf(a, "Hi! Welcome to %s. I can help you book an appointment or answer "
	    "any questions. How can I help today?", n);
}

enum status
ai_chat_open(struct ctx *ctx, bool test, struct ai_chat_session *out)
{
	char id[UUID_STR_LEN + 1];
	unsigned char hash[32];
	struct ai_tenant t;
	struct ai_msg_in m;
	struct db_tx tx;
	enum status st;

	memcpy(out->token, AI_SESSION_PREFIX, 3);
	sec_random_token(out->token + 3);
	sec_sha256(out->token, hash);
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = ai_tenant_load(&tx, ctx->arena, ctx->tenant.id, &t)) != ST_OK ||
	    (st = ai_store_conv_create(&tx, "web", hash, ctx->cfg->chat_session_idle_s, test,
	    id)) != ST_OK)
		goto out;
	out->greeting = t.greeting ? t.greeting : default_greeting(ctx->arena, &t);
	m = (struct ai_msg_in){ .role = "assistant", .author = "ai", .content = out->greeting };
	st = ai_store_msg_add(&tx, id, &m, ctx->cfg->chat_session_idle_s, NULL, NULL);
out:
	return db_tx_end(&tx, st);
}

static enum status
unknown_session(struct ctx *ctx)
{
	err_detail(ctx->err, "session_id", "is not a chat session of this business");
	return err_set(ctx->err, ST_NOTFOUND, "Unknown chat session; start a new one.");
}

enum status
ai_chat_find(struct ctx *ctx, const unsigned char hash[32], struct ai_conv *conv)
{
	struct db_tx tx;
	bool found = false, expired = false;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = ai_store_conv_by_token(&tx, hash, conv, &found)) != ST_OK || !found)
		goto out;
	expired = strcmp(conv->status, "CLOSED") == 0 ||
	    (conv->expires_at > 0 && conv->expires_at <= ai_now());
	if (expired && strcmp(conv->status, "CLOSED") != 0)
		st = ai_store_close(&tx, conv->id);
out:
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (expired) {
		err_detail(ctx->err, "session_id", "has expired");
		return err_set(ctx->err, ST_NOTFOUND, "This chat session has expired; start a new "
		    "one.");
	}
	if (!found)
		return unknown_session(ctx);
	return ST_OK;
}

enum status
ai_chat_history(struct ctx *ctx, const unsigned char hash[32], long long after_seq,
    json_t **items, const char **status)
{
	struct ai_conv conv;
	struct db_tx tx;
	enum status st;

	*items = NULL;
	if ((st = ai_chat_find(ctx, hash, &conv)) != ST_OK)
		return st;
	*status = conv.status;
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	st = ai_store_chat_lines(&tx, conv.id, after_seq, items);
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(*items);
		*items = NULL;
	}
	return st;
}

/* ---- the admin's conversations ------------------------------------------------------ */

enum status
ai_conv_list(struct ctx *ctx, const struct ai_conv_query *q, json_t **items, const char **next)
{
	struct ai_conv_page page;
	struct db_tx tx;
	enum status st;

	*items = NULL;
	*next = NULL;
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	st = ai_store_conv_list(&tx, ctx->arena, q, &page);
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(page.items);
		return st;
	}
	/* A full page may have a next one. */
	if (page.n == q->limit && page.n > 0)
		*next = cursor_encode(ctx->arena, (const char *[]){ page.last_ts, page.last_id }, 2);
	*items = page.items;
	return ST_OK;
}

static enum status
no_such_conversation(struct ctx *ctx)
{
	return err_set(ctx->err, ST_NOTFOUND, "No such conversation.");
}

/* The conversation as the admin sees it, in the caller's transaction. */
static enum status
conv_json(struct ctx *ctx, struct db_tx *tx, const char *id, json_t **out)
{
	bool found;
	enum status st;

	if ((st = ai_store_conv_json(tx, id, out, &found)) != ST_OK)
		return st;
	return found ? ST_OK : no_such_conversation(ctx);
}

/* Ends tx, with the conversation read back into *out when all went well
 * (and nothing in *out when it did not). */
static enum status
conv_end(struct ctx *ctx, struct db_tx *tx, const char *id, enum status st, json_t **out)
{
	if (st == ST_OK)
		st = conv_json(ctx, tx, id, out);
	if ((st = db_tx_end(tx, st)) != ST_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return st;
}

enum status
ai_conv_get(struct ctx *ctx, const char *id, json_t **out)
{
	struct db_tx tx;
	enum status st;

	*out = NULL;
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	return conv_end(ctx, &tx, id, ST_OK, out);
}

/* The person a claim names: a signed-in user (an API key claims nothing). */
static const char *
claimer(const struct ctx *ctx)
{
	const struct principal *p = ctx->principal;

	return p && p->kind == PRINCIPAL_USER && id_is_uuid(p->id) ? p->id : NULL;
}

/* Opens the transaction and locks the conversation for a status change;
 * on failure nothing is left open. */
static enum status
conv_lock(struct ctx *ctx, struct db_tx *tx, const char *id, struct ai_conv *conv)
{
	bool found = false;
	enum status st;

	if ((st = db_tx_begin(tx, ctx)) != ST_OK)
		return st;
	if ((st = ai_store_conv_get(tx, id, true, conv, &found)) == ST_OK && !found)
		st = no_such_conversation(ctx);
	return st == ST_OK ? ST_OK : db_tx_end(tx, st);
}

enum status
ai_conv_reply(struct ctx *ctx, const char *id, const char *text,
    char message_id[UUID_STR_LEN + 1], int *seq)
{
	const struct principal *p = ctx->principal;
	struct audit_actor who;
	struct ai_conv conv;
	struct ai_msg_in m;
	struct db_tx tx;
	bool claimed;
	enum status st;

	*seq = 0;
	if ((st = conv_lock(ctx, &tx, id, &conv)) != ST_OK)
		return st;
	if (strcmp(conv.status, "CLOSED") == 0) {
		st = err_set(ctx->err, ST_CONFLICT, "This conversation is closed.");
		goto out;
	}
	/* A person answering takes the conversation: the AI falls silent,
	 * and the handoff no longer waits for anyone. */
	if (strcmp(conv.status, "ACTIVE") == 0)
		st = ai_store_set_status(&tx, id, "HANDED_OFF", "A person replied from the admin.",
		    claimer(ctx));
	else
		st = ai_store_claim(&tx, id, claimer(ctx), &claimed);
	if (st != ST_OK)
		goto out;
	m = (struct ai_msg_in){ .role = "assistant", .author = "human", .content = text,
		.author_id = p && id_is_uuid(p->id) ? p->id : NULL };
	if ((st = ai_store_msg_add(&tx, id, &m, 0, message_id, seq)) != ST_OK)
		goto out;
	auth_actor(ctx, &who);
	st = audit_record(&tx, &who, "conversation.replied", "conversation", id,
	    json_pack("{s:s, s:{s:s, s:s}}", "message_id", message_id, "status", "from",
	    conv.status, "to", strcmp(conv.status, "ACTIVE") == 0 ? "HANDED_OFF" : conv.status));
out:
	return db_tx_end(&tx, st);
}

enum status
ai_conv_handback(struct ctx *ctx, const char *id, json_t **out)
{
	struct audit_actor who;
	struct ai_conv conv;
	struct db_tx tx;
	enum status st;

	*out = NULL;
	if ((st = conv_lock(ctx, &tx, id, &conv)) != ST_OK)
		return st;
	if (strcmp(conv.status, "HANDED_OFF") != 0) {
		st = err_set(ctx->err, ST_CONFLICT, "Only a conversation handed to a person can be "
		    "handed back (this one is %s).", conv.status);
		goto out;
	}
	if ((st = ai_store_set_status(&tx, id, "ACTIVE", NULL, NULL)) != ST_OK)
		goto out;
	auth_actor(ctx, &who);
	st = audit_record(&tx, &who, "conversation.handed_back", "conversation", id,
	    json_pack("{s:{s:s, s:s}}", "status", "from", "HANDED_OFF", "to", "ACTIVE"));
out:
	return conv_end(ctx, &tx, id, st, out);
}

/* A person claims the conversation (the AI falls silent) or ends it: one
 * locked status change, audited. A conversation already in the wanted
 * state answers as it is for a takeover (two people clicking at once)
 * and 409 for a close; a closed one cannot be taken over. */
static enum status
conv_move(struct ctx *ctx, const char *id, const char *to, const char *action, json_t **out)
{
	struct audit_actor who;
	struct ai_conv conv;
	struct db_tx tx;
	bool take = strcmp(to, "HANDED_OFF") == 0, claimed = false;
	enum status st;

	*out = NULL;
	if ((st = conv_lock(ctx, &tx, id, &conv)) != ST_OK)
		return st;
	if (strcmp(conv.status, "CLOSED") == 0) {
		st = err_set(ctx->err, ST_CONFLICT, "This conversation is closed.");
		goto out;
	}
	if (strcmp(conv.status, to) != 0) {
		if ((st = ai_store_set_status(&tx, id, to,
		    take ? "Taken over by a person from the admin." : NULL,
		    take ? claimer(ctx) : NULL)) != ST_OK)
			goto out;
		auth_actor(ctx, &who);
		if ((st = audit_record(&tx, &who, action, "conversation", id,
		    json_pack("{s:{s:s, s:s}}", "status", "from", conv.status, "to", to))) != ST_OK)
			goto out;
	} else if (take) {
		/* A handoff waiting for a person: this one takes it. */
		if ((st = ai_store_claim(&tx, id, claimer(ctx), &claimed)) != ST_OK)
			goto out;
		auth_actor(ctx, &who);
		if (claimed)
			st = audit_record(&tx, &who, action, "conversation", id,
			    json_pack("{s:b}", "claimed", true));
	}
out:
	return conv_end(ctx, &tx, id, st, out);
}

enum status
ai_conv_takeover(struct ctx *ctx, const char *id, json_t **out)
{
	return conv_move(ctx, id, "HANDED_OFF", "conversation.taken_over", out);
}

enum status
ai_conv_close(struct ctx *ctx, const char *id, json_t **out)
{
	return conv_move(ctx, id, "CLOSED", "conversation.closed", out);
}

/* The test-only model route ----------------------------------------------- */

enum status
ai_test_model_prepare(struct ctx *ctx, bool tenant, bool meter, struct llm_provider **p)
{
	enum plan_tier plan = PLAN_FREE;
	struct db_tx tx;
	enum status st = ST_OK;

	(void)plan_parse(ctx->tenant.plan, &plan);
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if (meter)
		st = usage_allow_message(&tx, plan, ctx->err);
	if (st == ST_OK && tenant)
		st = llm_for_tenant(ctx, &tx, ai_offline_new(ctx->arena), p, ctx->err);
	return db_tx_end(&tx, st);
}

enum status
ai_test_model_meter(struct ctx *ctx, const struct llm_response *resp)
{
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	return db_tx_end(&tx, usage_record_response(&tx, resp));
}
