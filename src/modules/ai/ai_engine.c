/* ai_engine.c — one turn of a conversation, for every channel.
 *
 *   open   one transaction: take the turn lock and read the conversation
 *          (one statement), persist the customer's message (before the
 *          model can fail or the client can leave), load the tenant's
 *          knowledge (cached per process); unless a person has the
 *          conversation or must get it (tenant keywords, a request for a
 *          person: no model), record whether the message confirms the
 *          pending proposal, load memory (last N exchanges + summary) and
 *          the provider chain, and count the message against the plan last
 *          (the month's counter stays locked only until the commit)
 *   —      model ⇄ tools, at most AI_MAX_TOOL_CALLS calls; each step is
 *          persisted with its metering as soon as it is complete; no
 *          transaction is held across a model call
 *   close  one transaction: persist the reply and release the lock (one
 *          statement), meter the last model call
 *
 * Two transactions for a plain turn: under a burst of turns the pool's
 * connections and the database's CPU are the scarce things.
 *
 * What the model writes goes through the leak filter before the customer
 * sees it: text streams as it comes except the last words that could begin
 * a leak (ai_leak_hold), and a reply that repeats the instructions, names a
 * tool or shows someone else's contact details is replaced as a whole. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "core/log.h"
#include "db/db.h"
#include "modules/ai/ai_internal.h"
#include "modules/billing/billing.h"
#include "modules/llm/llm.h"
#include "modules/ai/ai_offline.h"
#include "modules/ai/ai_nlu.h"

/* A streamed reply is shown as it comes, except its last words when they
 * could be the beginning of a leak (ai_leak_hold): when a leak completes,
 * none of it has been sent (and the final message replaces the deltas
 * anyway). Text from the first digit, "+" or "@" among the last
 * CONTACT_LOOKBACK bytes waits too, so no part of somebody's phone number
 * streams before the whole number is judged. */
#define CONTACT_LOOKBACK 40
/* Longest reply kept from one model step. */
#define REPLY_MAX (16 * 1024)

#define TOKENS_REPLY \
	"This conversation has become too long for me to continue. Please start a new chat, " \
	"or contact us directly, and we'll be glad to help."
#define FAILED_REPLY \
	"Sorry, I'm having trouble answering right now. Please try again in a moment, or " \
	"contact us directly."
#define GAVE_UP_REPLY \
	"Sorry, I couldn't finish that. Could you tell me again what you'd like to do?"

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool
cancelled(const struct ctx *ctx)
{
	return ctx->cancelled != NULL && atomic_load(ctx->cancelled);
}

/* ---- streaming through the leak filter ------------------------------------------ */

struct filter {
	struct ctx *ctx;
	const struct ai_sink *sink;
	const struct ai_leak_guard *guard;
	char *text;		/* this step's text so far */
	size_t len, cap;
	size_t sent;		/* bytes of text given to the sink */
	bool leaked;
	bool any_sent;		/* something of this turn reached the customer */
};

static void
filter_reset(struct filter *f)
{
	f->len = 0;
	f->sent = 0;
	if (f->text)
		f->text[0] = '\0';
}

/* Sends text[sent, upto) — while streaming, up to the last space before
 * upto, so the customer sees whole words; never inside a character. */
static void
filter_emit(struct filter *f, size_t upto, bool whole_words)
{
	if (whole_words) {
		size_t k = upto;

		while (k > f->sent && f->text[k - 1] != ' ' && f->text[k - 1] != '\n')
			k--;
		if (k > f->sent)
			upto = k;
		else if (upto - f->sent < 64)
			return;
	}
	while (upto > f->sent && upto < f->len && ((unsigned char)f->text[upto] & 0xc0) == 0x80)
		upto--;
	if (upto <= f->sent)
		return;
	if (f->sink && f->sink->delta)
		f->sink->delta(f->sink->ud, f->text + f->sent, upto - f->sent);
	f->sent = upto;
	f->any_sent = true;
}

static void
on_text(void *ud, const char *delta, size_t n)
{
	struct filter *f = ud;
	struct arena scratch;
	size_t tail;

	if (f->len + n + 1 > REPLY_MAX)
		n = REPLY_MAX > f->len + 1 ? REPLY_MAX - f->len - 1 : 0;
	if (n == 0)
		return;
	if (f->len + n + 1 > f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 1024;
		char *p;

		while (cap < f->len + n + 1)
			cap *= 2;
		p = arena_alloc(f->ctx->arena, cap);
		if (f->len)
			memcpy(p, f->text, f->len);
		f->text = p;
		f->cap = cap;
	}
	/* What passed before is judged already: only a leak that ends in the
	 * new text is left to find, and it begins at most this far back. */
	tail = f->len > 0 ? ai_leak_tail(f->text, f->len) : 0;
	memcpy(f->text + f->len, delta, n);
	f->len += n;
	f->text[f->len] = '\0';
	if (f->leaked)
		return;
	/* The checks run on every delta: their allocations live only as
	 * long as this call. */
	arena_init(&scratch, 8192);
	if (ai_leak_check(&scratch, f->guard, f->text + tail) != AI_LEAK_NONE) {
		f->leaked = true;
	} else {
		size_t upto = ai_leak_hold(&scratch, f->guard, f->text, f->len);
		size_t from = f->len > CONTACT_LOOKBACK ? f->len - CONTACT_LOOKBACK : 0;

		for (size_t i = from; i < upto; i++) {
			char ch = f->text[i];

			if (ch == '@' || (ch >= '0' && ch <= '9') || ch == '+') {
				upto = i;
				break;
			}
		}
		filter_emit(f, upto, true);
	}
	arena_free(&scratch);
}

/* The step is complete: judge it whole, then send what was held back. */
static void
filter_finish(struct filter *f)
{
	struct arena scratch;

	arena_init(&scratch, 8192);
	if (!f->leaked && f->len > 0 &&
	    ai_leak_check(&scratch, f->guard, f->text) != AI_LEAK_NONE)
		f->leaked = true;
	arena_free(&scratch);
	if (!f->leaked)
		filter_emit(f, f->len, false);
}

static void
sink_text(const struct ai_sink *s, const char *text)
{
	if (s && s->delta && text && *text)
		s->delta(s->ud, text, strlen(text));
}

static void
sink_event(const struct ai_sink *s, const char *name, json_t *data)
{
	if (s && s->event)
		s->event(s->ud, name, data);
	json_decref(data);
}

/* ---- persistence helpers ------------------------------------------------------------ */

static enum status
add_msg(struct ctx *ctx, const char *conv, const struct ai_msg_in *m, char id[UUID_STR_LEN + 1],
    int *seq)
{
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	st = ai_store_msg_add(&tx, conv, m, ctx->cfg->chat_session_idle_s, id, seq);
	return db_tx_end(&tx, st);
}

/* One transaction after a model call: the message it produced (m, may be
 * NULL), the turn lock released (unlock), and its metering (resp, may be
 * NULL) last: the tenant's month counters are rows every turn updates,
 * locked from there to the commit. */
static enum status
step_tx(struct ctx *ctx, const char *conv, const struct llm_response *resp,
    const struct ai_msg_in *m, char id[UUID_STR_LEN + 1], bool unlock)
{
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if (m != NULL) {
		struct ai_msg_in last = *m;

		last.ends_turn = unlock;
		st = ai_store_msg_add(&tx, conv, &last, ctx->cfg->chat_session_idle_s, id, NULL);
	} else if (unlock) {
		st = ai_store_turn_unlock(&tx, conv);
	}
	if (st == ST_OK && resp != NULL)
		st = usage_record_response(&tx, resp);
	return db_tx_end(&tx, st);
}

/* Saves a step (step_tx), releasing the turn lock when release and the
 * turn holds it. Metering never fails the turn: when the step cannot be
 * saved with it, it is saved without. */
static enum status
persist_step(struct ctx *ctx, const char *conv, const struct llm_response *resp,
    const struct ai_msg_in *m, char id[UUID_STR_LEN + 1], bool release, bool *locked)
{
	bool unlock = release && *locked;
	enum status st = ST_OK;

	if (m != NULL || unlock || resp != NULL)
		st = step_tx(ctx, conv, resp, m, id, unlock);
	if (st != ST_OK && resp != NULL) {
		log_warn("ai: a step could not be saved with its metering; saving it without");
		err_clear(ctx->err);
		st = m != NULL || unlock ? step_tx(ctx, conv, NULL, m, id, unlock) : ST_OK;
	}
	if (st == ST_OK && release)
		*locked = false;
	return st;
}

static enum status
unlock(struct ctx *ctx, const char *conv)
{
	struct db_tx tx;
	struct err saved = *ctx->err;
	enum status st;

	/* Runs on every way out, failures included: keep their message. */
	err_clear(ctx->err);
	if ((st = db_tx_begin(&tx, ctx)) == ST_OK)
		st = db_tx_end(&tx, ai_store_turn_unlock(&tx, conv));
	if (saved.message[0] != '\0')
		*ctx->err = saved;
	return st;
}

/* A reply that needs no model (handoff, limits, failures). */
static enum status
reply_fixed(struct ctx *ctx, const char *conv, const char *author, const char *text,
    const struct ai_sink *sink, struct ai_turn_out *out, bool *locked)
{
	struct ai_msg_in m = { .role = "assistant", .author = author, .content = text };
	enum status st;

	sink_text(sink, text);
	if ((st = persist_step(ctx, conv, NULL, &m, out->message_id, true, locked)) != ST_OK)
		return st;
	out->text = text;
	return ST_OK;
}

/* The running summary: what the customer said before the memory window,
 * newest kept when it is long. Deterministic, no model involved. */
static const char *
summarise(struct arena *a, const char *const *texts, size_t n)
{
	char *s = arena_strdup(a, "");
	size_t len;

	for (size_t i = 0; i < n; i++) {
		char buf[160];

		snprintf(buf, sizeof(buf), "%s", texts[i]);
		for (char *p = buf; *p; p++)
			if (*p == '\n' || *p == '"')
				*p = ' ';
		/* Cut on a character boundary. */
		len = strlen(buf);
		while (len > 0 && ((unsigned char)buf[len - 1] & 0xc0) == 0x80)
			buf[--len] = '\0';
		if (len > 0 && ((unsigned char)buf[len - 1] & 0xc0) == 0xc0)
			buf[--len] = '\0';
		s = arena_printf(a, "%s%s\"%s\"", s, *s ? "; " : "the customer wrote ", buf);
	}
	len = strlen(s);
	if (len > 1500) {
		const char *p = s + len - 1500;

		while (((unsigned char)*p & 0xc0) == 0x80)
			p++;
		s = arena_printf(a, "…%s", p);
	}
	return s;
}

static bool
keyword_hit(struct arena *a, const struct ai_tenant *t, const char *text)
{
	char *norm = nlu_normalize(a, text);
	char *line = arena_printf(a, " %s ", norm);

	for (char *p = line; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    ((unsigned char)*p >= 0x80)))
			*p = ' ';
	for (size_t i = 0; i < t->nhandoff_keywords; i++) {
		char *kw = nlu_normalize(a, t->handoff_keywords[i]);
		char *pat;

		for (char *p = kw; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			    ((unsigned char)*p >= 0x80)))
				*p = ' ';
		while (*kw == ' ')
			kw++;
		if (*kw == '\0')
			continue;
		pat = arena_printf(a, " %s ", kw);
		if (strstr(line, pat) != NULL)
			return true;
	}
	return false;
}

/* ---- the turn --------------------------------------------------------------------------- */

struct msgs {
	struct llm_message *v;
	size_t n, cap;
};

static struct llm_message *
msgs_push(struct arena *a, struct msgs *m)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 32;
		struct llm_message *v = arena_calloc(a, cap, sizeof(*v));

		if (m->n)
			memcpy(v, m->v, m->n * sizeof(*v));
		m->v = v;
		m->cap = cap;
	}
	memset(&m->v[m->n], 0, sizeof(m->v[0]));
	return &m->v[m->n++];
}

/* What the opening transaction hands the rest of the turn. */
struct ai_turn {
	struct ctx *ctx;
	const char *text;		/* the customer's message, sanitised */
	bool locked;			/* this turn holds the conversation's lock */
	struct ai_turn_ctx t;
	struct ai_tenant tenant;
	struct ai_conv conv;
	struct llm_provider *provider;	/* NULL: the offline receptionist */
	struct llm_message *hist;
	size_t nhist;
	const char **contacts;
	size_t ncontacts;
	const char *handoff_reason;	/* set: hand off now, no model */
	bool limited;			/* the plan's messages are used up */
};

/* Reasons kept short: they go to the business in the handoff notice. */
#define KEYWORD_REASON "The customer's message contains one of the business's handoff keywords."
#define ASKED_REASON "The customer asked to talk to a person."

/* The refusals of a turn that cannot begin: the web widget names its
 * conversation by session, a channel by id. */
static enum status
refuse_missing(struct ctx *ctx, const struct ai_turn_in *in)
{
	if (in->session_hash == NULL)
		return err_set(ctx->err, ST_NOTFOUND, "This conversation has ended; please start a "
		    "new one.");
	err_detail(ctx->err, "session_id", "is not a chat session of this business");
	return err_set(ctx->err, ST_NOTFOUND, "Unknown chat session; start a new one.");
}

static enum status
refuse_ended(struct ctx *ctx, const struct ai_turn_in *in)
{
	if (in->session_hash == NULL)
		return err_set(ctx->err, ST_NOTFOUND, "This conversation has ended; please start a "
		    "new one.");
	err_detail(ctx->err, "session_id", "has expired");
	return err_set(ctx->err, ST_NOTFOUND, "This chat session has expired; start a new one.");
}

/* The one transaction before the model. The lock is taken first, and the
 * conversation read in the same statement, so what the turn reads includes
 * everything the previous turn committed. u->locked says whether the turn
 * holds the lock when this returns. */
static enum status
open_turn(const struct ai_turn_in *in, struct ai_turn *u)
{
	struct ctx *ctx = u->ctx;
	const struct config *cfg = ctx->cfg;
	struct arena *a = ctx->arena;
	struct ai_msg_in um = { .role = "user", .author = "customer", .content = u->text };
	enum plan_tier tier = PLAN_FREE;
	struct db_tx tx;
	enum ai_lock lock;
	const char *conv_id;
	bool closed, expired;
	int first_seq = 1;
	enum status st;

	u->locked = false;
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = ai_store_turn_lock(&tx, in->conversation_id, in->session_hash, &u->conv,
	    &lock)) != ST_OK)
		goto out;
	if (lock == AI_LOCK_MISSING) {
		st = refuse_missing(ctx, in);
		goto out;
	}
	conv_id = u->conv.id;
	closed = strcmp(u->conv.status, "CLOSED") == 0;
	expired = in->session_hash != NULL && u->conv.expires_at > 0 &&
	    u->conv.expires_at <= ai_now();
	if (closed || expired) {
		/* An idle web session ends here: the close is kept, the turn
		 * refused. */
		if (!closed && lock == AI_LOCK_TAKEN)
			st = ai_store_close(&tx, conv_id);
		if ((st = db_tx_end(&tx, st)) != ST_OK)
			return st;
		return refuse_ended(ctx, in);
	}
	if (lock == AI_LOCK_BUSY) {
		ctx->err->retry_after = 2;
		st = err_set(ctx->err, ST_CONFLICT, "A reply is still being written; try again in a "
		    "moment.");
		goto out;
	}
	if ((st = ai_store_msg_add(&tx, conv_id, &um, cfg->chat_session_idle_s, NULL,
	    &u->t.user_seq)) != ST_OK ||
	    (st = ai_tenant_load(&tx, a, ctx->tenant.id, &u->tenant)) != ST_OK)
		goto out;

	/* A person has the conversation, or must get it: no model, nothing
	 * counted. */
	if (strcmp(u->conv.status, "HANDED_OFF") == 0)
		goto out;
	if (keyword_hit(a, &u->tenant, u->text))
		u->handoff_reason = KEYWORD_REASON;
	else if (u->tenant.allow_handoff && nlu_wants_human(a, nlu_normalize(a, u->text)))
		u->handoff_reason = ASKED_REASON;
	if (u->handoff_reason != NULL)
		goto out;

	if (u->conv.proposal != NULL &&
	    json_integer_value(json_object_get(u->conv.proposal, "after_seq")) < u->t.user_seq) {
		/* Only the customer's own words, in a message after the
		 * proposal was shown, confirm it. */
		enum nlu_confirm c = nlu_confirmation(a, u->text);

		if (c == NLU_CONFIRM_YES) {
			json_t *p = json_deep_copy(u->conv.proposal);

			json_object_set_new(p, "confirmed_seq", json_integer(u->t.user_seq));
			st = ai_store_set_json(&tx, conv_id, "pending_proposal", p);
			json_decref(p);
			u->t.confirmed = true;
		} else if (c == NLU_CONFIRM_NO) {
			st = ai_store_set_json(&tx, conv_id, "pending_proposal", NULL);
			u->conv.proposal = NULL;
		}
	}
	if (st != ST_OK)
		goto out;
	st = ai_store_history(&tx, a, conv_id, cfg->chat_memory_turns, &u->hist, &u->nhist,
	    &first_seq);
	if (st == ST_OK && first_seq > 1) {
		const char **older;
		size_t nolder;

		st = ai_store_user_texts(&tx, conv_id, 1, first_seq, &older, &nolder);
		if (st == ST_OK && nolder > 0) {
			/* The newest 20 of what fell out of the window. */
			size_t from = nolder > 20 ? nolder - 20 : 0;
			const char *sum = summarise(a, older + from, nolder - from);

			if (u->conv.summary == NULL || strcmp(u->conv.summary, sum) != 0)
				st = ai_store_set_summary(&tx, conv_id, sum);
			u->conv.summary = sum;
		}
	}
	if (st == ST_OK)
		st = ai_store_customer_contacts(&tx, a, conv_id, &u->contacts, &u->ncontacts);
	if (st == ST_OK) {
		/* The tenant's provider chain. Settings that cannot be used
		 * (a key that no longer decrypts, say) cost only the model:
		 * the offline receptionist answers. A failed statement fails
		 * the transaction like any other. */
		struct err pe;

		err_clear(&pe);
		if (llm_for_tenant(ctx, &tx, ai_offline_new(a), &u->provider, &pe) != ST_OK ||
		    u->provider == NULL) {
			u->provider = NULL;
			if (tx.failed != ST_OK)
				st = db_status(&tx);
			else
				log_warn("ai: no provider chain for the tenant (%s); using the offline "
				    "receptionist", pe.message);
		}
	}
	/* Counted last: the month's counter is one row every turn of the
	 * tenant updates, locked from here to the commit. */
	if (st == ST_OK) {
		struct err ue;

		(void)plan_parse(ctx->tenant.plan, &tier);
		err_clear(&ue);
		st = usage_allow_message(&tx, tier, &ue);
		if (st == ST_FORBIDDEN) {
			u->limited = true;
			st = ST_OK;
		}
	}
out:
	st = db_tx_end(&tx, st);
	u->locked = st == ST_OK;
	return st;
}

/* The model loop's state across the steps of one turn. */
struct loop {
	struct ai_turn *u;
	struct ctx *ctx;
	const struct config *cfg;
	struct arena *a;
	const struct ai_sink *sink;
	struct ai_turn_out *out;
	struct llm_provider *provider;
	struct ai_prompt prompt;
	const char *dynamic;
	const struct llm_tool_def *defs;
	size_t ndefs;
	struct ai_leak_guard guard;
	struct msgs msgs;
	struct filter f;
	const char *final;		/* the reply, once there is one */
	const char *turn_text;		/* text the model said beside its tool calls */
	bool failed, any_leak;
	int calls_used;
};

/* The tools' view of the turn. */
static void
turn_ctx_init(struct ai_turn *u)
{
	struct ai_turn_ctx *tc = &u->t;

	tc->ctx = u->ctx;
	tc->conversation_id = u->conv.id;
	tc->channel = u->conv.channel;
	tc->tenant = &u->tenant;
	tc->now = ai_now();
	if (tc->client == NULL)	/* a channel without an address: the conversation */
		tc->client = arena_printf(u->ctx->arena, "conversation:%s", u->conv.id);
}

/* Turns answered without a model: a person has the conversation, a handoff
 * was asked for, the plan is used up, or the conversation is too long.
 * *handled says whether this turn was one of them. */
static enum status
answer_without_model(struct ai_turn *u, const struct ai_sink *sink, struct ai_turn_out *out,
    bool *handled)
{
	struct ctx *ctx = u->ctx;
	const char *conv_id = u->conv.id, *msg;
	enum status st;

	*handled = true;
	/* A person has the conversation: the AI stays silent. */
	if (strcmp(u->conv.status, "HANDED_OFF") == 0) {
		out->silent = true;
		out->handed_off = true;
		return ST_OK;
	}
	if (u->handoff_reason != NULL) {
		if ((st = ai_handoff(&u->t, u->handoff_reason, &msg)) != ST_OK)
			return st;
		out->handed_off = true;
		sink_event(sink, "tool", json_pack("{s:s, s:s}", "name", "handoff_to_human",
		    "status", "done"));
		json_array_append_new(out->tool_events, json_pack("{s:s, s:s}", "name",
		    "handoff_to_human", "status", "done"));
		return reply_fixed(ctx, conv_id, "ai", msg, sink, out, &u->locked);
	}
	if (u->limited)
		return reply_fixed(ctx, conv_id, "system", USAGE_LIMIT_REPLY, sink, out, &u->locked);
	if (u->conv.input_tokens + u->conv.output_tokens >= ctx->cfg->ai_max_conversation_tokens)
		return reply_fixed(ctx, conv_id, "system", TOKENS_REPLY, sink, out, &u->locked);
	*handled = false;
	return ST_OK;
}

/* The customer's own contact details and the business's may be repeated;
 * nobody else's. */
static void
leak_guard_init(struct loop *l)
{
	struct ai_turn *u = l->u;
	const char **allowed = arena_calloc(l->a, u->ncontacts + 8, sizeof(*allowed));
	size_t na = 0;
	const char *cv[] = { json_string_value(json_object_get(u->conv.contact, "email")),
		json_string_value(json_object_get(u->conv.contact, "phone")), u->tenant.email,
		u->tenant.phone };

	for (size_t i = 0; i < u->ncontacts; i++)
		allowed[na++] = u->contacts[i];
	for (size_t i = 0; i < sizeof(cv) / sizeof(cv[0]); i++)
		if (cv[i])
			allowed[na++] = cv[i];
	ai_leak_guard_init(l->a, &l->guard, l->prompt.instructions, l->defs, l->ndefs, allowed, na);
}

/* Everything the steps share: provider, tools, prompt, guard, history. */
static void
loop_init(struct loop *l, struct ai_turn *u, const struct ai_sink *sink,
    struct ai_turn_out *out)
{
	memset(l, 0, sizeof(*l));
	l->u = u;
	l->ctx = u->ctx;
	l->cfg = u->ctx->cfg;
	l->a = u->ctx->arena;
	l->sink = sink;
	l->out = out;
	l->turn_text = "";
	l->provider = u->provider != NULL ? u->provider : ai_offline_new(l->a);
	ai_offline_set_stream_delay_ms(l->cfg->ai_offline_stream_delay_ms);
	l->defs = ai_tool_defs(u->tenant.allow_handoff, &l->ndefs);
	ai_prompt_build(l->a, &u->tenant, &l->prompt);
	l->dynamic = ai_prompt_dynamic(l->a, &u->tenant, u->t.now, u->conv.summary,
	    u->conv.contact, u->conv.proposal);
	leak_guard_init(l);
	for (size_t i = 0; i < u->nhist; i++)
		*msgs_push(l->a, &l->msgs) = u->hist[i];
	l->f.ctx = l->ctx;
	l->f.sink = sink;
	l->f.guard = &l->guard;
}

/* One call of the model, streamed through the leak filter. */
static enum status
call_model(struct loop *l, bool tools_ok, struct llm_response *resp, int *latency,
    struct err *pe)
{
	struct llm_request req;
	struct llm_stream stream = { on_text, &l->f };
	int64_t t0;
	enum status st;

	memset(&req, 0, sizeof(req));
	req.system_static = l->prompt.system_static;
	req.system_dynamic = l->dynamic;
	req.messages = l->msgs.v;
	req.nmessages = l->msgs.n;
	req.tools = tools_ok ? l->defs : NULL;
	req.ntools = tools_ok ? l->ndefs : 0;
	req.max_tokens = 800;
	req.timeout_ms = l->cfg->llm_timeout_ms;
	req.cancelled = l->ctx->cancelled;
	req.tenant_timezone = l->u->tenant.zone;
	req.now_utc = l->u->t.now;
	filter_reset(&l->f);
	err_clear(pe);
	t0 = now_ms();
	st = l->provider->complete(l->provider, l->a, &req, &stream, resp, pe);
	*latency = (int)(now_ms() - t0);
	return st;
}

/* The client went away: keep what the customer already saw, and meter
 * what the model did. */
static enum status
keep_cancelled(struct loop *l, enum status st, const struct llm_response *resp, int latency,
    int step)
{
	struct filter *f = &l->f;
	struct ai_msg_in m = { .role = "assistant", .author = "ai",
		.content = arena_strndup(l->a, f->text, f->sent), .interrupted = true,
		.latency_ms = latency };

	(void)!persist_step(l->ctx, l->u->conv.id, st == ST_OK ? resp : NULL,
	    f->sent > 0 && !f->leaked ? &m : NULL, l->out->message_id, true, &l->u->locked);
	err_clear(l->ctx->err);
	l->out->cancelled = true;
	log_emit(LOG_INFO, "ai turn cancelled", json_pack("{s:s, s:s, s:i}",
	    "request_id", l->ctx->request_id, "conversation_id", l->u->conv.id, "step", step));
	return ST_OK;
}

/* The model failed: an apology after whatever was already said. */
static void
model_failed(struct loop *l, const struct err *pe)
{
	struct filter *f = &l->f;

	log_emit(LOG_WARN, "ai model call failed", json_pack("{s:s, s:s, s:s}",
	    "request_id", l->ctx->request_id, "conversation_id", l->u->conv.id, "error",
	    pe->message));
	filter_finish(f);
	l->failed = true;
	l->final = f->leaked ? AI_SAFE_REPLY : f->sent > 0 ?
	    arena_printf(l->a, "%s\n\n%s", arena_strndup(l->a, f->text, f->sent), FAILED_REPLY)
	    : FAILED_REPLY;
	if (f->sent > 0 && !f->leaked)
		sink_text(l->sink, arena_printf(l->a, "\n\n%s", FAILED_REPLY));
	else if (!f->leaked)
		sink_text(l->sink, FAILED_REPLY);
}

/* The model answered without tools: the turn's reply, persisted with the
 * model's numbers. */
static enum status
final_reply(struct loop *l, const struct llm_response *resp, int latency)
{
	struct filter *f = &l->f;
	const char *confirm = l->u->t.confirmation_text;
	struct ai_msg_in m = { .role = "assistant", .author = "ai", .model = resp->model,
		.provider = resp->provider, .input_tokens = resp->input_tokens,
		.output_tokens = resp->output_tokens, .latency_ms = latency };
	enum status st;

	l->final = l->any_leak ? AI_SAFE_REPLY : arena_strndup(l->a, f->text, f->len);
	if (f->leaked && !f->any_sent)
		sink_text(l->sink, AI_SAFE_REPLY);
	else if (f->leaked)
		sink_text(l->sink, "\n\n" AI_SAFE_REPLY);
	if (confirm && !resp->states_proposal && strstr(l->final, confirm) == NULL &&
	    !f->leaked) {
		/* The customer must see exactly what they are confirming. */
		const char *add = arena_printf(l->a, "%s%s", *l->final ? "\n\n" : "", confirm);

		sink_text(l->sink, add);
		l->final = arena_printf(l->a, "%s%s", l->final, add);
	}
	if (*l->final == '\0') {
		l->final = GAVE_UP_REPLY;
		sink_text(l->sink, l->final);
	}
	m.content = l->final;
	if ((st = persist_step(l->ctx, l->u->conv.id, resp, &m, l->out->message_id, true,
	    &l->u->locked)) != ST_OK)
		return st;
	l->out->text = *l->turn_text ? arena_printf(l->a, "%s\n\n%s", l->turn_text, l->final) :
	    l->final;
	if (f->leaked)
		l->out->text = AI_SAFE_REPLY;
	return ST_OK;
}

/* The assistant's step of tool calls joins the conversation (ids given
 * where the model gave none) and is persisted before any call runs. */
static enum status
record_tool_step(struct loop *l, int step, struct llm_response *resp, int latency)
{
	struct filter *f = &l->f;
	json_t *calls = ai_keep(l->a, json_array());
	struct llm_message *am = msgs_push(l->a, &l->msgs);
	struct ai_msg_in m = { .role = "assistant", .author = "ai", .tool_calls = calls,
		.model = resp->model, .provider = resp->provider,
		.input_tokens = resp->input_tokens, .output_tokens = resp->output_tokens,
		.latency_ms = latency };

	am->role = LLM_ASSISTANT;
	am->content = f->len && !f->leaked ? arena_strndup(l->a, f->text, f->len) : NULL;
	am->tool_calls = resp->tool_calls;
	am->ntool_calls = resp->ntool_calls;
	for (size_t i = 0; i < resp->ntool_calls; i++) {
		struct llm_tool_call *c = &resp->tool_calls[i];

		if (c->id == NULL || *c->id == '\0')
			c->id = arena_printf(l->a, "call_%d_%zu", step, i);
		if (c->name == NULL)
			c->name = "";
		json_array_append_new(calls, json_pack("{s:s, s:s, s:s}", "id", c->id, "name",
		    c->name, "arguments", c->arguments ? c->arguments : ""));
	}
	if (am->content && !f->leaked)
		l->turn_text = *l->turn_text ? arena_printf(l->a, "%s\n\n%s", l->turn_text,
		    am->content) : am->content;
	m.content = am->content;
	return persist_step(l->ctx, l->u->conv.id, resp, &m, NULL, false, &l->u->locked);
}

/* One tool call, guarded: past the turn's budget, after a handoff or with
 * arguments that do not parse it is refused (and the model told why). */
static enum status
exec_tool(struct loop *l, const struct llm_tool_call *c, json_t **result, bool *refused)
{
	json_t *args = NULL;
	char why[512];
	enum status st;

	*refused = false;
	if (l->calls_used >= l->cfg->ai_max_tool_calls) {
		*result = json_pack("{s:s}", "error", "Too many tool calls in this turn; "
		    "answer the customer now with what you have.");
		*refused = true;
	} else if (l->u->t.handed_off) {
		*result = json_pack("{s:s}", "error", "The conversation is with a person now.");
		*refused = true;
	} else if (ai_tool_args_parse(l->a, c->name, c->arguments, &args, why,
	    sizeof(why)) != ST_OK) {
		*result = json_pack("{s:s}", "error", why);
		*refused = true;
		l->calls_used++;
	} else {
		l->calls_used++;
		st = ai_tool_exec(&l->u->t, c->name, args, result, refused);
		json_decref(args);
		if (st != ST_OK) {
			json_decref(*result);
			return st;
		}
	}
	ai_keep(l->a, *result);
	return ST_OK;
}

/* A tool's result goes back to the model and into the conversation, and
 * the channel hears how it went (with the slots for the widget). */
static enum status
record_tool_result(struct loop *l, const struct llm_tool_call *c, json_t *result, bool refused)
{
	struct ai_turn_ctx *tc = &l->u->t;
	struct llm_message *tm;
	char *rtext = json_dumps(result, JSON_COMPACT);
	struct ai_msg_in m = { .role = "tool", .author = "ai", .tool_call_id = c->id,
		.tool_name = c->name, .tool_result = result };
	const char *status = refused ? "refused" : "done";
	enum status st;

	tm = msgs_push(l->a, &l->msgs);
	tm->role = LLM_TOOL;
	tm->content = rtext ? arena_strdup(l->a, rtext) : "{}";
	tm->tool_call_id = c->id;
	tm->tool_name = c->name;
	free(rtext);
	if ((st = add_msg(l->ctx, l->u->conv.id, &m, NULL, NULL)) != ST_OK)
		return st;
	sink_event(l->sink, "tool", json_pack("{s:s, s:s}", "name", c->name, "status", status));
	json_array_append_new(l->out->tool_events, json_pack("{s:s, s:s}", "name", c->name,
	    "status", status));
	if (!refused && strcmp(c->name, "check_availability") == 0 && tc->slots != NULL) {
		sink_event(l->sink, "slots", json_pack("{s:O}", "slots", tc->slots));
		l->out->slots = ai_keep(l->a, json_incref(tc->slots));
	}
	return ST_OK;
}

/* A step of tool calls: persist it, run each, persist the results; a
 * handoff stops the rest. */
static enum status
tool_step(struct loop *l, int step, struct llm_response *resp, int latency)
{
	enum status st;

	if ((st = record_tool_step(l, step, resp, latency)) != ST_OK)
		return st;
	for (size_t i = 0; i < resp->ntool_calls; i++) {
		const struct llm_tool_call *c = &resp->tool_calls[i];
		json_t *result = NULL;
		bool refused;

		sink_event(l->sink, "tool", json_pack("{s:s, s:s}", "name", c->name, "status",
		    "started"));
		if ((st = exec_tool(l, c, &result, &refused)) != ST_OK ||
		    (st = record_tool_result(l, c, result, refused)) != ST_OK)
			return st;
		if (l->u->t.handed_off)
			break;
	}
	return ST_OK;
}

/* Out of steps without a reply, or the model failed: what the customer is
 * told is persisted as the turn's last message. */
static enum status
last_reply(struct loop *l)
{
	struct ai_msg_in m = { .role = "assistant", .author = "ai" };
	enum status st;

	if (l->final == NULL) {
		l->final = GAVE_UP_REPLY;
		l->failed = true;
		sink_text(l->sink, l->final);
	}
	m.content = l->final;
	if ((st = persist_step(l->ctx, l->u->conv.id, NULL, &m, l->out->message_id, true,
	    &l->u->locked)) != ST_OK)
		return st;
	l->out->text = l->final;
	l->out->failed = l->failed;
	return ST_OK;
}

/* A reply that tripped the leak filter anywhere in the turn is withheld. */
static enum status
withhold_if_leaked(struct loop *l)
{
	if (l->any_leak) {
		l->out->text = AI_SAFE_REPLY;
		log_emit(LOG_WARN, "ai reply withheld by the leak filter", json_pack("{s:s, s:s}",
		    "request_id", l->ctx->request_id, "conversation_id", l->u->conv.id));
	}
	return ST_OK;
}

/* The model loop: call, then either reply or run the tools it asked for
 * and call again, within the turn's budget of steps. */
static enum status
model_loop(struct loop *l)
{
	struct ai_turn *u = l->u;
	enum status st;

	for (int step = 0; step < l->cfg->ai_max_tool_calls + 2; step++) {
		/* Zeroed: a provider that leaves states_proposal alone never
		 * skips the confirmation text. */
		struct llm_response resp = { 0 };
		struct err pe;
		bool tools_ok = l->calls_used < l->cfg->ai_max_tool_calls;
		int latency;

		st = call_model(l, tools_ok, &resp, &latency, &pe);
		if (cancelled(l->ctx))
			return keep_cancelled(l, st, &resp, latency, step);
		if (st != ST_OK) {
			model_failed(l, &pe);
			break;
		}
		if (l->f.len == 0 && resp.text && *resp.text)
			on_text(&l->f, resp.text, strlen(resp.text));	/* a non-streaming provider */
		filter_finish(&l->f);
		l->any_leak |= l->f.leaked;
		if (resp.ntool_calls == 0 || !tools_ok) {
			if ((st = final_reply(l, &resp, latency)) != ST_OK)
				return st;
			return withhold_if_leaked(l);
		}
		if ((st = tool_step(l, step, &resp, latency)) != ST_OK)
			return st;
		if (u->t.handed_off) {
			l->out->handed_off = true;
			return reply_fixed(l->ctx, u->conv.id, "ai", u->t.handoff_message, l->sink,
			    l->out, &u->locked);
		}
		if (cancelled(l->ctx)) {
			l->out->cancelled = true;
			return ST_OK;
		}
	}
	if ((st = last_reply(l)) != ST_OK)
		return st;
	return withhold_if_leaked(l);
}

static enum status
run(struct ai_turn *u, const struct ai_sink *sink, struct ai_turn_out *out)
{
	struct loop l;
	bool handled;
	enum status st;

	turn_ctx_init(u);
	if ((st = answer_without_model(u, sink, out, &handled)) != ST_OK || handled)
		return st;
	loop_init(&l, u, sink, out);
	return model_loop(&l);
}

enum status
ai_turn_begin(struct ctx *ctx, const struct ai_turn_in *in, struct ai_turn **out)
{
	struct ai_turn *u = arena_calloc(ctx->arena, 1, sizeof(*u));
	enum status st;

	*out = NULL;
	u->ctx = ctx;
	u->text = in->text;
	u->t.client = in->client;
	if ((st = open_turn(in, u)) != ST_OK)
		return st;
	*out = u;
	return ST_OK;
}

enum status
ai_turn_run(struct ai_turn *u, const struct ai_sink *sink, struct ai_turn_out *out)
{
	enum status st, ust = ST_OK;

	memset(out, 0, sizeof(*out));
	out->tool_events = ai_keep(u->ctx->arena, json_array());
	st = run(u, sink, out);
	/* The common ways out released the lock with their last write; the
	 * others (failures included) release it here. */
	if (u->locked)
		ust = unlock(u->ctx, u->conv.id);
	return st != ST_OK ? st : ust;
}

void
ai_turn_abandon(struct ai_turn *u)
{
	if (u != NULL && u->locked && unlock(u->ctx, u->conv.id) == ST_OK)
		u->locked = false;
}

enum status
ai_turn(struct ctx *ctx, const char *conversation_id, const char *text,
    const struct ai_sink *sink, struct ai_turn_out *out)
{
	struct ai_turn_in in = { .conversation_id = conversation_id, .text = text };
	struct ai_turn *u;
	enum status st;

	if ((st = ai_turn_begin(ctx, &in, &u)) != ST_OK)
		return st;
	return ai_turn_run(u, sink, out);
}
