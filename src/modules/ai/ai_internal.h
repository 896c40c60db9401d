/* ai_internal.h — what the conversation engine's files share: the tenant's
 * knowledge as the engine reads it, the pure prompt builder and guardrails
 * (unit-tested in tests/unit/test_ai_engine.c), the tools, and the store. */
#ifndef AI_INTERNAL_H
#define AI_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/crypto.h"
#include "core/ids.h"
#include "core/status.h"
#include "http/http.h"
#include "modules/ai/ai.h"
#include "providers/llm.h"

struct db_tx;

/* ---- the tenant's knowledge ------------------------------------------------ */

struct ai_hours {
	int weekday;		/* ISO 1 = Monday … 7 */
	int open_min, close_min;	/* close_min <= open_min: closes next day */
};

/* An add-on of a service ("Hair Wash" with a Haircut): extra time and
 * price, chosen with the service. */
struct ai_addon {
	const char *id, *name, *currency;
	int duration_min;
	long price_minor;
};

/* A staff member who performs a service. */
struct ai_person {
	const char *id, *name;
};

struct ai_service {
	const char *id, *name, *description, *currency;
	int duration_min;
	long price_minor;
	struct ai_addon *addons;	/* active ones, in the catalogue's order */
	size_t naddons;
	struct ai_person *staff;	/* who performs it */
	size_t nstaff;
};

struct ai_faq {
	const char *id, *question, *answer;
};

struct ai_tenant {
	const char *id;
	const char *name;		/* branding display name, else business name */
	const char *zone;
	const char *country;
	const char *phone, *email, *website;
	const char *address;		/* one line, NULL when none */
	struct ai_hours *hours;
	size_t nhours;
	int32_t *closures;		/* local dates, ascending, from today on */
	size_t nclosures;
	struct ai_service *services;
	size_t nservices;
	struct ai_faq *faqs;
	size_t nfaqs;
	/* policies */
	const char *cancellation_policy, *late_policy, *no_show_policy, *payment_policy;
	int cancel_window_h;
	/* AI settings */
	const char *tone;
	const char *greeting;
	const char *escalation_rules;
	const char **never_do;
	size_t nnever_do;
	bool allow_handoff;
	const char **handoff_keywords;
	size_t nhandoff_keywords;
};

/* The tenant's knowledge for this turn, from the process's cache or the
 * database (ai_knowledge.c); strings live as long as a. */
enum status ai_tenant_load(struct db_tx *tx, struct arena *a, const char *tenant_id,
    struct ai_tenant *out) MUST_USE;
/* The same from the JSON text of ai_store_tenant_json. Pure. */
enum status ai_tenant_parse(struct arena *a, const char *json, struct ai_tenant *out) MUST_USE;

/* ---- prompt (ai_prompt.c, pure) -------------------------------------------- */

#define AI_PROMPT_MAX_FAQS 50
#define AI_PROMPT_MAX_SERVICES 100

struct ai_prompt {
	const char *system_static;	/* instructions + knowledge, stable turn after turn */
	const char *instructions;	/* the part that must never be repeated to a customer */
};

/* The static prompt of a tenant: who the receptionist is, its rules, tone,
 * "never do" list and escalation rules (the instructions), then the
 * business profile, hours in local time, services, policies and FAQs (the
 * knowledge, which it may share). Deterministic: the same tenant gives the
 * same bytes, so providers can cache it. */
void ai_prompt_build(struct arena *a, const struct ai_tenant *t, struct ai_prompt *out);
/* What changes per turn: today's local date and time, whether the business
 * is open, the conversation's state (contact given, a proposal waiting),
 * the running summary. */
const char *ai_prompt_dynamic(struct arena *a, const struct ai_tenant *t, int64_t now,
    const char *summary, json_t *contact, json_t *proposal);

/* "Monday: 9:00 AM – 5:00 PM" per weekday (closed days included), in
 * order; n is 7. */
const char **ai_hours_lines(struct arena *a, const struct ai_tenant *t);
/* Whether the business is open at now, and when it next opens ("today at
 * 1:00 PM", "tomorrow at 9:00 AM", "Tuesday at 9:00 AM", "on Monday, March
 * 16 at 9:00 AM"); *next NULL when it has no hours in the next 2 weeks. */
void ai_open_state(struct arena *a, const struct ai_tenant *t, int64_t now, bool *open_now,
    const char **next);
/* "$25.00", "€25.00", "25.00 SEK". */
const char *ai_money(struct arena *a, long minor, const char *currency);

/* ---- guardrails (ai_guard.c, pure) ------------------------------------------- */

/* The customer's text as stored and shown to the model: control characters
 * (other than newline and tab) and invisible format characters (zero-width,
 * bidi overrides) removed, trimmed. NULL for invalid UTF-8. */
char *ai_sanitize_input(struct arena *a, const char *s);

struct ai_leak_guard {
	const char *const *shingles;	/* normalised 8-word windows of the instructions, sorted */
	size_t nshingles;
	const char *const *tool_names;
	size_t ntool_names;
	const char *const *allowed_contacts;	/* e-mails / phones that may appear */
	size_t nallowed;
};

void ai_leak_guard_init(struct arena *a, struct ai_leak_guard *g, const char *instructions,
    const struct llm_tool_def *tools, size_t ntools, const char *const *allowed,
    size_t nallowed);

enum ai_leak { AI_LEAK_NONE, AI_LEAK_PROMPT, AI_LEAK_TOOLS, AI_LEAK_CONTACT };

/* Whether a reply repeats the instructions (any 6-word window, whatever
 * the case and punctuation), names a tool, or contains an e-mail address
 * or phone number that is neither the customer's own nor the business's. */
enum ai_leak ai_leak_check(struct arena *a, const struct ai_leak_guard *g, const char *reply);

/* How much of a reply still being written may be shown now, given that
 * ai_leak_check passed it: text[0, returned) — everything before the first
 * of its last words that could begin a leak (the first words of an
 * instruction window, the start of a marker phrase or a tool name), so
 * that when a leak completes none of it has been sent. len when nothing
 * needs holding; the caller still cuts at a word boundary. */
size_t ai_leak_hold(struct arena *a, const struct ai_leak_guard *g, const char *text,
    size_t len);
/* Where the part of a reply that text arriving after text[0, len) could
 * still complete a leak with begins: the last dozen word-bearing tokens.
 * A check of text[ai_leak_tail(text, len), …) once more has come finds
 * what a check of the whole would, when text[0, len) passed already. */
size_t ai_leak_tail(const char *text, size_t len);

#define AI_SAFE_REPLY \
	"Sorry, I can't share that. I can help you book, change or cancel an " \
	"appointment, or answer questions about our services, hours and location."

/* ---- tools (ai_tools.c) --------------------------------------------------------- */

/* The tool definitions (strict JSON Schemas), in a fixed order; without
 * handoff_to_human when the tenant does not allow handoff. */
const struct llm_tool_def *ai_tool_defs(bool allow_handoff, size_t *n);

/* Parses and validates a tool call's arguments like API input: a JSON
 * object, only the schema's fields, types, lengths, formats. ST_INVALID
 * with the reason in why (for the model). *args is a new reference. */
enum status ai_tool_args_parse(struct arena *a, const char *name, const char *arguments,
    json_t **args, char *why, size_t whysz) MUST_USE;

/* The turn, as the tools see it. */
struct ai_turn_ctx {
	struct ctx *ctx;			/* the turn's tenant, arena, error slot, request id */
	const char *conversation_id;
	const char *channel;
	const char *client;		/* the caller's address: the waitlist's rate limit */
	int user_seq;			/* the customer message of this turn */
	bool confirmed;			/* that message confirmed the pending proposal */
	const struct ai_tenant *tenant;
	int64_t now;
	/* outputs for the engine */
	json_t *slots;			/* the last check_availability slots (for the widget) */
	const char *confirmation_text;	/* a proposal shown this turn: the customer must see it */
	bool handed_off;
	const char *handoff_message;
};

/* Executes one validated tool call in the tenant. *result is a new
 * reference (always an object; {"error": …} when refused); *refused says
 * whether a guardrail or a validation stopped it. ST_OK unless the
 * database failed. */
enum status ai_tool_exec(struct ai_turn_ctx *t, const char *name, json_t *args,
    json_t **result, bool *refused) MUST_USE;

/* The handoff itself (by the tool, the tenant's keywords or the customer's
 * request): status HANDED_OFF, the business notified through the outbox,
 * an audit row, and what to tell the customer (aware of business hours). */
enum status ai_handoff(struct ai_turn_ctx *t, const char *reason, const char **message) MUST_USE;

/* Whether the proposal (pending_proposal) and a call ask the same thing.
 * Pure. */
bool ai_proposal_matches(json_t *proposal, const char *action, json_t *args);

/* ---- heartbeats (ai_heartbeat.c) ---------------------------------------------------- */

/* A chat stream's ": ping" every CHAT_HEARTBEAT_S while it is open. Lives
 * in the request's arena; stop before the handler returns. */
struct ai_heartbeat {
	struct ai_heartbeat *prev, *next;
	struct request copy;	/* pings write through it */
	long long due_ms;
	int interval_ms;
	bool busy;		/* a ping is being written */
};
void ai_heartbeat_start(struct ai_heartbeat *hb, struct request *r);
void ai_heartbeat_stop(struct ai_heartbeat *hb);

/* ---- route helpers (ai_routes.c) ------------------------------------------------- */

/* A body that must be empty or {}: any field in it is unknown. */
enum status ai_body_empty(struct request *r) MUST_USE;

/* ---- chat sessions and the admin's conversations (ai_service.c) ----------------- */

struct ai_conv;

#define AI_SESSION_PREFIX "cs_"
#define AI_SESSION_LEN (3 + SEC_TOKEN_CHARS)

/* A new web chat session: its token (shown once, stored hashed) and the
 * greeting, persisted as the conversation's first message; test labels it
 * as the admin's "try it" conversation. */
struct ai_chat_session {
	char token[AI_SESSION_LEN + 1];
	const char *greeting;
};
enum status ai_chat_open(struct ctx *ctx, bool test, struct ai_chat_session *out) MUST_USE;
/* The session's conversation; an expired one is closed on the way and
 * refused (ST_NOTFOUND), like an unknown one. */
enum status ai_chat_find(struct ctx *ctx, const unsigned char hash[32], struct ai_conv *conv)
    MUST_USE;
/* What was said after after_seq (customer and receptionist only), and the
 * conversation's status. *items is a new reference. */
enum status ai_chat_history(struct ctx *ctx, const unsigned char hash[32], long long after_seq,
    json_t **items, const char **status) MUST_USE;

/* GET /v1/admin/conversations, checked by the route. */
struct ai_conv_query {
	const char *status, *channel, *from, *to, *q;
	const char *customer_id;		/* the customer's conversations only */
	const char *waiting;			/* "true": handed off, nobody has it yet */
	const char *cursor_ts, *cursor_id;	/* from the decoded cursor, or NULL */
	int limit;
};
/* *items is a new reference; *next NULL on the last page. */
enum status ai_conv_list(struct ctx *ctx, const struct ai_conv_query *q, json_t **items,
    const char **next) MUST_USE;
/* The conversation with its messages; *out is a new reference. */
enum status ai_conv_get(struct ctx *ctx, const char *id, json_t **out) MUST_USE;
/* A person's reply: it hands an active conversation to people, and is
 * audited. */
enum status ai_conv_reply(struct ctx *ctx, const char *id, const char *text,
    char message_id[UUID_STR_LEN + 1], int *seq) MUST_USE;
/* Back to the receptionist; *out as ai_conv_get. */
enum status ai_conv_handback(struct ctx *ctx, const char *id, json_t **out) MUST_USE;
/* A person takes it (ACTIVE → HANDED_OFF, claimed by them; a handoff
 * nobody has yet: claimed; someone else's: as it is) or closes it; a
 * CLOSED one is a conflict. *out as ai_conv_get. */
enum status ai_conv_takeover(struct ctx *ctx, const char *id, json_t **out) MUST_USE;
enum status ai_conv_close(struct ctx *ctx, const char *id, json_t **out) MUST_USE;

/* ---- store (ai_store.c) ----------------------------------------------------------- */

struct ai_conv {
	char id[UUID_STR_LEN + 1];
	const char *channel;
	const char *status;
	const char *customer_id;
	const char *summary;
	int message_count;
	long long input_tokens, output_tokens;
	json_t *contact;		/* object (arena-owned reference) */
	json_t *proposal;		/* object or NULL */
	json_t *offered;		/* array */
	int64_t expires_at;		/* 0: never */
	int64_t last_activity;
};

/* test: opened from the admin's "try it" panel (only a label). */
enum status ai_store_conv_create(struct db_tx *tx, const char *channel,
    const unsigned char token_hash[32], int idle_s, bool test,
    char id[UUID_STR_LEN + 1]) MUST_USE;
/* By the widget's token hash; *found false when none. */
enum status ai_store_conv_by_token(struct db_tx *tx, const unsigned char token_hash[32],
    struct ai_conv *out, bool *found) MUST_USE;
enum status ai_store_conv_get(struct db_tx *tx, const char *id, bool for_update,
    struct ai_conv *out, bool *found) MUST_USE;
/* Takes the turn lock (turn_lock_until); *busy when another turn holds it. */
/* Takes the conversation's turn lock and reads it, by id or (id NULL) by
 * the web session's token hash. AI_LOCK_BUSY: another turn holds it (out
 * is filled); AI_LOCK_MISSING: no such conversation. */
enum ai_lock { AI_LOCK_TAKEN, AI_LOCK_BUSY, AI_LOCK_MISSING };
enum status ai_store_turn_lock(struct db_tx *tx, const char *id, const unsigned char *token_hash,
    struct ai_conv *out, enum ai_lock *state) MUST_USE;
enum status ai_store_turn_unlock(struct db_tx *tx, const char *id) MUST_USE;
enum status ai_store_close(struct db_tx *tx, const char *id) MUST_USE;

struct ai_msg_in {
	const char *role;		/* user, assistant, tool, system */
	const char *author;		/* customer, ai, human, system */
	const char *author_id;
	const char *content;
	json_t *tool_calls;		/* borrowed */
	const char *tool_call_id, *tool_name;
	json_t *tool_result;		/* borrowed */
	const char *model, *provider;
	int input_tokens, output_tokens, latency_ms;
	bool interrupted;
	bool ends_turn;			/* the turn's last write: release its lock too */
};

/* Appends a message (next seq), touches last activity and the idle expiry
 * (idle_s > 0), adds tokens to the conversation's totals; with ends_turn,
 * releases the turn lock in the same statement. */
enum status ai_store_msg_add(struct db_tx *tx, const char *conv_id, const struct ai_msg_in *m,
    int idle_s, char id[UUID_STR_LEN + 1], int *seq) MUST_USE;

/* Messages of the last `turns` exchanges (from the turns-th newest user
 * message on), oldest first, as llm messages; *first_seq is where they
 * start. */
enum status ai_store_history(struct db_tx *tx, struct arena *a, const char *conv_id,
    int turns, struct llm_message **msgs, size_t *n, int *first_seq) MUST_USE;
/* User texts between two seqs (for the running summary). */
enum status ai_store_user_texts(struct db_tx *tx, const char *conv_id, int from_seq,
    int to_seq, const char ***texts, size_t *n) MUST_USE;
/* Every e-mail and phone the customer wrote in this conversation. */
enum status ai_store_customer_contacts(struct db_tx *tx, struct arena *a, const char *conv_id,
    const char ***out, size_t *n) MUST_USE;

enum status ai_store_set_json(struct db_tx *tx, const char *conv_id, const char *column,
    json_t *value) MUST_USE;	/* contact, pending_proposal, offered_slots */
enum status ai_store_set_summary(struct db_tx *tx, const char *conv_id, const char *summary)
    MUST_USE;
enum status ai_store_set_customer(struct db_tx *tx, const char *conv_id, const char *email,
    const char *phone) MUST_USE;
/* A status change leaves the conversation unclaimed unless claimed_by (a
 * person of the business taking it) is given. */
enum status ai_store_set_status(struct db_tx *tx, const char *conv_id, const char *status,
    const char *reason, const char *claimed_by) MUST_USE;
/* A person takes a handed-off conversation nobody has yet; *claimed false
 * when someone already has it (or claimed_by is NULL). */
enum status ai_store_claim(struct db_tx *tx, const char *conv_id, const char *claimed_by,
    bool *claimed) MUST_USE;

/* The tenant's knowledge as one JSON document (ai_knowledge.c parses it). */
enum status ai_store_tenant_json(struct db_tx *tx, const char **json) MUST_USE;
/* Whom to tell about a handoff: the business's e-mail, else an owner's. */
enum status ai_store_notify_recipient(struct db_tx *tx, const char **email) MUST_USE;

/* ---- misc ------------------------------------------------------------------------ */

int64_t ai_now(void);
/* The audit actor for what the AI does in a conversation. */
struct audit_actor;
void ai_actor(const struct ctx *ctx, const char *conversation_id, struct audit_actor *out);
/* A JSON reference the arena releases. */
json_t *ai_keep(struct arena *a, json_t *j);
/* Masked copies for logs. */
const char *ai_mask_email(struct arena *a, const char *email);
const char *ai_mask_phone(struct arena *a, const char *phone);

/* The chat history's lines after after_seq; *items a new reference. */
enum status ai_store_chat_lines(struct db_tx *tx, const char *conv_id, long long after_seq,
    json_t **items) MUST_USE;
/* One page of the admin's list: the rows as JSON, and the last row's
 * cursor parts (microseconds since the epoch, id). */
struct ai_conv_page {
	json_t *items;			/* a new reference */
	int n;
	const char *last_ts, *last_id;
};
enum status ai_store_conv_list(struct db_tx *tx, struct arena *a, const struct ai_conv_query *q,
    struct ai_conv_page *out) MUST_USE;
/* The conversation as the admin sees it (hold tokens and nonces scrubbed),
 * with its messages; *found false when there is none. */
enum status ai_store_conv_json(struct db_tx *tx, const char *id, json_t **out, bool *found)
    MUST_USE;

/* The test-only model route (ai_test_routes.c), its two transactions in
 * ai_service.c so no transaction spans the model call: before it, the
 * plan's message allowance (meter) and the tenant's provider chain
 * (tenant: *p is set); after it, the call's usage. */
enum status ai_test_model_prepare(struct ctx *ctx, bool tenant, bool meter,
    struct llm_provider **p) MUST_USE;
enum status ai_test_model_meter(struct ctx *ctx, const struct llm_response *resp) MUST_USE;

#endif
