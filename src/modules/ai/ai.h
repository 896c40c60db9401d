/* ai.h — the AI receptionist: one conversation engine for every channel,
 * the chat endpoints of the web widget, and the admin's conversations API.
 *
 * A channel (web today; WhatsApp, SMS, voice later) finds or opens its
 * conversation, then hands each customer message to ai_turn with a sink
 * that receives what the receptionist says as it says it. The engine
 * persists the message first, runs the model with the tenant's tools under
 * the guardrails (tool calls validated and executed server-side in the
 * request's tenant, offered slots only, explicit confirmation, leak
 * filter), persists every step, and returns the final reply. */
#ifndef AI_H
#define AI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/ctx.h"
#include "core/ids.h"
#include "core/status.h"
#include "http/http.h"

/* POST /v1/chat/session, /v1/chat/stream, /v1/chat/message, /v1/chat/history. */
extern const struct route_table ai_chat_routes;
/* /v1/admin/conversations… (RES_CONVERSATIONS). */
extern const struct route_table ai_admin_routes;
/* The tenant's AI behaviour settings (tone, greeting, escalation rules,
 * "never do" list, human handoff), edited through the admin API and read
 * by the conversation engine. */
extern const struct route_table ai_settings_routes;
/* With ENABLE_TEST_ROUTES: POST /v1/test/llm. */
extern const struct route_table ai_test_routes;

/* Where a turn's output goes as it happens. Every callback may be NULL.
 * data is borrowed for the duration of the call. */
struct ai_sink {
	void *ud;
	void (*delta)(void *ud, const char *text, size_t n);
	/* "tool" {name, status: started|done|refused}, "slots" {slots: […]} */
	void (*event)(void *ud, const char *name, json_t *data);
};

struct ai_turn_out {
	char message_id[UUID_STR_LEN + 1];	/* the final reply's id; "" when silent */
	const char *text;			/* what the customer is told; NULL when silent */
	json_t *slots;				/* the last offered slots of the turn, or NULL */
	json_t *tool_events;			/* [{name, status}] in order */
	bool silent;				/* handed off: a person answers, not the AI */
	bool handed_off;			/* the conversation is (now) with a person */
	bool cancelled;				/* the client went away mid-turn */
	bool failed;				/* the model failed; text is an apology */
};

/* One customer message through the receptionist. conversation_id is the
 * tenant's conversation (ctx->tenant), text as the customer wrote it (the
 * engine strips control characters). The context supplies the tenant, the
 * arena, the cancellation flag and the error slot; json references in out
 * belong to ctx's arena. A channel's route, job or webhook calls it alike. ST_NOTFOUND for an unknown or closed conversation,
 * ST_CONFLICT while another turn of it runs. */
enum status ai_turn(struct ctx *ctx, const char *conversation_id, const char *text,
    const struct ai_sink *sink, struct ai_turn_out *out) MUST_USE;

/* The same in two steps, for a channel that must answer a refusal before
 * it starts replying (the SSE stream): ai_turn_begin takes the
 * conversation's lock and persists the message, or refuses (404, 409, 503)
 * with nothing begun; ai_turn_run does the rest. A begun turn that will not
 * run is given up with ai_turn_abandon (its message stays). */
struct ai_turn;
struct ai_turn_in {
	const char *conversation_id;		/* a channel's conversation, or NULL and */
	const unsigned char *session_hash;	/* the SHA-256 of the web session token */
	const char *text;
	const char *client;			/* the caller's address (web), or NULL */
};
enum status ai_turn_begin(struct ctx *ctx, const struct ai_turn_in *in, struct ai_turn **out)
    MUST_USE;
enum status ai_turn_run(struct ai_turn *t, const struct ai_sink *sink, struct ai_turn_out *out)
    MUST_USE;
void ai_turn_abandon(struct ai_turn *t);

/* One person's transcripts, for the appointments module's export and
 * erasure (ai_store.c), in the caller's tenant transaction: the
 * conversations linked to customer_id, or whose contact carries the e-mail
 * (any case) or the phone (email and phone may be NULL). */
struct db_tx;
/* As a JSON array of conversations, each with its messages in order (the
 * latest AI_EXPORT_CONVERSATIONS conversations); *out belongs to tx's
 * arena. */
#define AI_EXPORT_CONVERSATIONS 500
enum status ai_person_transcripts(struct db_tx *tx, const char *customer_id,
    const char *email, const char *phone, json_t **out) MUST_USE;
/* Deletes their messages and strips the conversations of what identifies
 * the person (contact, summary, channel handle, proposal, offered slots,
 * session), closing them; the rows stay for the tenant's counts. */
enum status ai_person_erase(struct db_tx *tx, const char *customer_id, const char *email,
    const char *phone, long long *messages, long long *conversations) MUST_USE;

/* The AI settings singleton's descriptor (tone, greeting, …), for
 * admin_svc_* callers (the demo). */
struct admin_resource;
extern const struct admin_resource ai_settings_res;

#endif
