/* ai_offline.c — the offline receptionist (see ai_offline.h).
 *
 * Each complete() rebuilds what the conversation knows from the request
 * alone — the customer's messages, the tool calls made so far and their
 * results — and takes the next step: one tool call, or a reply. Nothing is
 * remembered between calls, so any number of threads may share it and a
 * conversation can move between servers.
 *
 * "The episode" is what the customer said since the last finished action
 * (a booking made, cancelled or moved, or a proposal declined): the slots
 * of the current request are filled from it, newest message first. */
#include "modules/ai/ai_offline.h"

#include <ctype.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/time.h"
#include "modules/ai/ai_lang.h"
#include "modules/ai/ai_nlu.h"

static atomic_int stream_delay_ms;

void
ai_offline_set_stream_delay_ms(int ms)
{
	atomic_store(&stream_delay_ms, ms < 0 ? 0 : ms);
}

int
ai_offline_local_now(struct arena *a, const char *zone, int64_t now_utc, int32_t *day,
    int *minute)
{
	struct tz *z;
	int64_t wall;

	if (zone == NULL || tz_open(a, zone, &z) != ST_OK)
		return -1;
	wall = tz_wall(z, now_utc);
	if (tz_failed(z))
		return -1;
	*day = (int32_t)tz_floor_div(wall, TZ_DAY_S);
	*minute = (int)(tz_floor_mod(wall, TZ_DAY_S) / 60);
	return 0;
}

/* ---- what the request tells --------------------------------------------------- */

/* Services booked back to back in one request, and add-ons with them (the
 * tools take as many). */
#define AI_BUNDLE_MAX 8

enum tone { TONE_FRIENDLY, TONE_PROFESSIONAL, TONE_PLAYFUL, TONE_CONCISE };

/* A tool call of the conversation with its result (NULL while unanswered). */
struct call {
	const char *name;
	json_t *args;
	json_t *result;
	size_t msg;		/* index of the assistant message that made it */
};

#define CALLS_MAX 256

struct offline {
	struct arena *a;
	const struct llm_request *req;
	struct call calls[CALLS_MAX];
	size_t ncalls;
	size_t last_user;	/* index of the last user message */
	bool have_user;
	size_t episode;		/* first message index of the episode */
	int32_t today;
	int now_min;
	enum tone tone;
	const char *business;
	const char *cc;		/* default country calling code */
	bool day_first;
	const struct ai_lang *home;	/* the business's language (from its country) */
	const struct ai_lang *lang;	/* the language of this reply */
	/* the answer */
	struct llm_response *out;
	const char *call_name;
	json_t *call_args;
	char *text;
	bool states_proposal;	/* text is say_booking's confirmation question */
};

static void
json_decref_cb(void *p)
{
	json_decref(p);
}

static json_t *
keep(struct arena *a, json_t *j)
{
	if (j != NULL)
		arena_defer(a, json_decref_cb, j);
	return j;
}

/* "Label: value" on its own line of the static prompt. */
static const char *
prompt_field(struct arena *a, const char *prompt, const char *label)
{
	size_t ll = strlen(label);

	for (const char *p = prompt; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, label, ll) == 0 && p[ll] == ':') {
			const char *v = p + ll + 1, *e;

			while (*v == ' ')
				v++;
			e = strchr(v, '\n');
			return arena_strndup(a, v, e ? (size_t)(e - v) : strlen(v));
		}
	}
	return NULL;
}

static const char *
calling_code(const char *country)
{
	static const struct { const char *c, *cc; } t[] = {
		{ "US", "1" }, { "CA", "1" }, { "GB", "44" }, { "IE", "353" }, { "AU", "61" },
		{ "NZ", "64" }, { "ES", "34" }, { "MX", "52" }, { "FR", "33" }, { "DE", "49" },
		{ "IT", "39" }, { "NL", "31" }, { "PT", "351" }, { "BR", "55" }, { "IN", "91" },
		{ "ZA", "27" }, { "AR", "54" }, { "CO", "57" }, { "CL", "56" }, { "SG", "65" },
	};

	for (size_t i = 0; country && i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(country, t[i].c) == 0)
			return t[i].cc;
	return "1";
}

static void
read_context(struct offline *c)
{
	const struct llm_request *r = c->req;
	const char *tone, *country;

	tone = r->system_static ? prompt_field(c->a, r->system_static, "Tone") : NULL;
	c->tone = TONE_FRIENDLY;
	if (tone && strncmp(tone, "professional", 12) == 0)
		c->tone = TONE_PROFESSIONAL;
	else if (tone && strncmp(tone, "playful", 7) == 0)
		c->tone = TONE_PLAYFUL;
	else if (tone && strncmp(tone, "concise", 7) == 0)
		c->tone = TONE_CONCISE;
	c->business = r->system_static ? prompt_field(c->a, r->system_static, "Business name")
	    : NULL;
	country = r->system_static ? prompt_field(c->a, r->system_static, "Country") : NULL;
	c->cc = calling_code(country);
	c->day_first = country != NULL && strcmp(country, "US") != 0 &&
	    strcmp(country, "CA") != 0;
	c->home = ai_lang_for_country(country);
	if (ai_offline_local_now(c->a, r->tenant_timezone ? r->tenant_timezone : "UTC",
	    r->now_utc, &c->today, &c->now_min) != 0) {
		c->today = (int32_t)(r->now_utc / 86400);
		c->now_min = (int)(r->now_utc % 86400 / 60);
	}

	/* Every tool call, paired with its result. */
	for (size_t i = 0; i < r->nmessages; i++) {
		const struct llm_message *m = &r->messages[i];

		if (m->role == LLM_USER) {
			c->last_user = i;
			c->have_user = true;
		} else if (m->role == LLM_ASSISTANT) {
			for (size_t k = 0; k < m->ntool_calls && c->ncalls < CALLS_MAX; k++) {
				struct call *cl = &c->calls[c->ncalls++];

				cl->name = m->tool_calls[k].name;
				cl->args = keep(c->a, json_loads(m->tool_calls[k].arguments ?
				    m->tool_calls[k].arguments : "{}", 0, NULL));
				cl->result = NULL;
				cl->msg = i;
			}
		} else if (m->role == LLM_TOOL && m->tool_call_id != NULL) {
			for (size_t k = c->ncalls; k-- > 0;) {
				/* The assistant message that made the call holds its id. */
				const struct llm_message *am = &r->messages[c->calls[k].msg];
				bool match = false;

				for (size_t j = 0; j < am->ntool_calls && !match; j++)
					match = am->tool_calls[j].id != NULL &&
					    strcmp(am->tool_calls[j].id, m->tool_call_id) == 0 &&
					    strcmp(am->tool_calls[j].name, c->calls[k].name) == 0;
				if (match && c->calls[k].result == NULL) {
					c->calls[k].result = keep(c->a, json_loads(m->content ?
					    m->content : "null", JSON_DECODE_ANY, NULL));
					break;
				}
			}
		}
	}
}

/* The language of the customer's newest message that shows one, else the
 * business's: "4pm" or an e-mail address keeps the conversation's. */
static const struct ai_lang *
reply_lang(struct offline *c)
{
	for (size_t i = c->have_user ? c->last_user + 1 : 0; i-- > 0;) {
		const struct llm_message *m = &c->req->messages[i];
		const struct ai_lang *l;

		if (m->role != LLM_USER || m->content == NULL)
			continue;
		l = ai_lang_detect(c->a, nlu_normalize(c->a, m->content));
		if (l != NULL)
			return l;
	}
	return c->home;
}

/* What a customer's message says about when. Dates in figures follow the
 * message's language when it writes the day first ("el 5/12" is the 5th
 * of December), else the business's country. */
static bool
when_of(struct offline *c, const char *raw, struct nlu_when *w)
{
	char *norm = nlu_normalize(c->a, raw);
	const struct ai_lang *l = ai_lang_detect(c->a, norm);

	return nlu_parse_when(c->a, norm, c->today, c->day_first || (l && l->day_before_month),
	    w);
}

static const char *
rstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static bool
result_has(json_t *res, const char *k)
{
	return json_is_object(res) && json_object_get(res, k) != NULL;
}

static const char *
result_status(json_t *res)
{
	return rstr(res, "status");
}

/* A finished action ends an episode: a booking made, cancelled or moved. */
static bool
terminal(const struct call *cl)
{
	const char *s = result_status(cl->result);

	return s != NULL && (strcmp(s, "booked") == 0 || strcmp(s, "cancelled") == 0 ||
	    strcmp(s, "rescheduled") == 0 || strcmp(s, "handed_off") == 0 ||
	    strcmp(s, "waitlisted") == 0 || strcmp(s, "already_waiting") == 0);
}

/* The user message texts of the conversation, oldest first. */
static const char *
user_text(const struct offline *c, size_t i)
{
	const struct llm_message *m = &c->req->messages[i];

	return m->role == LLM_USER && m->content ? m->content : NULL;
}

static const struct call *
last_call(const struct offline *c, const char *name, size_t from)
{
	for (size_t k = c->ncalls; k-- > 0;) {
		if (c->calls[k].msg < from)
			break;
		if (strcmp(c->calls[k].name, name) == 0 && c->calls[k].result != NULL)
			return &c->calls[k];
	}
	return NULL;
}

/* A call with these exact arguments made since the last user message. */
static const struct call *
called_this_turn(const struct offline *c, const char *name, json_t *args)
{
	for (size_t k = c->ncalls; k-- > 0;) {
		if (c->calls[k].msg < c->last_user)
			break;
		if (strcmp(c->calls[k].name, name) == 0 && json_equal(c->calls[k].args, args))
			return &c->calls[k];
	}
	return NULL;
}

static bool
tool_offered(const struct offline *c, const char *name)
{
	for (size_t i = 0; i < c->req->ntools; i++)
		if (strcmp(c->req->tools[i].name, name) == 0)
			return true;
	return false;
}

/* ---- replies ---------------------------------------------------------------------- */

static void
say(struct offline *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(struct offline *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	c->text = arena_vprintf(c->a, fmt, ap);
	va_end(ap);
}

static void
call(struct offline *c, const char *name, json_t *args)
{
	if (!tool_offered(c, name)) {
		json_decref(args);
		say(c, "Sorry, I can't do that here. Is there anything else I can help with?");
		return;
	}
	c->call_name = name;
	c->call_args = keep(c->a, args);
}

static const char *
ok_word(const struct offline *c)
{
	/* Tones are English words; other languages have one register. */
	if (c->lang != &ai_lang_en)
		return c->lang->say.ok;
	switch (c->tone) {
	case TONE_PROFESSIONAL: return "Certainly.";
	case TONE_PLAYFUL: return "Ooh, great!";
	case TONE_CONCISE: return "OK.";
	default: return "Great!";
	}
}

static const char *
sorry_word(const struct offline *c)
{
	if (c->lang != &ai_lang_en)
		return c->lang->say.sorry;
	return c->tone == TONE_PROFESSIONAL ? "I apologise," : "Sorry,";
}

/* "A, B and C" (or "A, B or C") from a string array. */
static char *
join_with(struct arena *a, const char *const *items, size_t n, const char *last)
{
	char *s = arena_strdup(a, "");

	for (size_t i = 0; i < n; i++)
		s = arena_printf(a, "%s%s%s", s, i == 0 ? "" : i + 1 == n ? last : ", ", items[i]);
	return s;
}

static char *
join_list(struct arena *a, const char *const *items, size_t n)
{
	return join_with(a, items, n, " and ");
}

static void
say_help(struct offline *c)
{
	if (c->lang != &ai_lang_en)
		say(c, "%s", c->lang->say.help);
	else if (c->tone == TONE_CONCISE)
		say(c, "I can book, cancel or reschedule appointments and answer questions. "
		    "What do you need?");
	else
		say(c, "I can book, cancel or reschedule appointments, and answer questions "
		    "about our services, prices, hours and location. What can I do for you?");
}

static void
say_result_error(struct offline *c, json_t *res, const char *retry)
{
	const char *e = rstr(res, "error");

	say(c, "%s %s%s%s", sorry_word(c), e ? e : "something went wrong.",
	    retry ? " " : "", retry ? retry : "");
}

/* ---- standalone answers ------------------------------------------------------------- */

/* "Monday – Saturday: 9:00 AM – 6:00 PM; Sunday: closed" from the
 * per-day lines "Monday: …". */
static char *
group_hours(struct offline *c, json_t *hours)
{
	char *out = arena_strdup(c->a, "");
	size_t n = json_array_size(hours);

	for (size_t i = 0; i < n;) {
		const char *li = json_string_value(json_array_get(hours, i));
		const char *vi = li ? strstr(li, ": ") : NULL;
		size_t j = i + 1;

		if (vi == NULL)
			return NULL;
		while (j < n) {
			const char *lj = json_string_value(json_array_get(hours, j));
			const char *vj = lj ? strstr(lj, ": ") : NULL;

			if (vj == NULL || strcmp(vi, vj) != 0)
				break;
			j++;
		}
		if (j - i >= 3) {
			const char *last = json_string_value(json_array_get(hours, j - 1));

			out = arena_printf(c->a, "%s%s%.*s – %.*s%s", out, *out ? "; " : "",
			    (int)(vi - li), li, (int)(strstr(last, ": ") - last), last, vi);
		} else {
			for (size_t k = i; k < j; k++)
				out = arena_printf(c->a, "%s%s%s", out, *out ? "; " : "",
				    json_string_value(json_array_get(hours, k)));
		}
		i = j;
	}
	return out;
}

static void
answer_hours(struct offline *c, json_t *info)
{
	json_t *hours = json_object_get(info, "hours_text");
	const char *next = rstr(info, "next_open");
	bool open = json_is_true(json_object_get(info, "open_now"));
	char *grouped = group_hours(c, hours);

	if (json_array_size(hours) == 0 || grouped == NULL) {
		say(c, "I don't have our opening hours on file — please contact us directly.");
		return;
	}
	say(c, "Our hours: %s. %s", grouped, open ? "We're open right now." : next ?
	    arena_printf(c->a, "We're closed right now; we open again %s.", next) : "");
}

static void
answer_location(struct offline *c, json_t *info)
{
	const char *addr = rstr(info, "address"), *phone = rstr(info, "phone");

	if (addr == NULL || *addr == '\0')
		say(c, "I don't have our address on file%s%s.", phone ? " — you can call us at " : "",
		    phone ? phone : "");
	else
		say(c, "You'll find us at %s.%s%s", addr, phone ? " Phone: " : "", phone ? phone : "");
}

static json_t *
services_of(const struct offline *c)
{
	const struct call *g = last_call(c, "get_services", 0);

	return g ? json_object_get(g->result, "services") : NULL;
}

static const char **
service_names(struct offline *c, json_t *svcs)
{
	const char **names = arena_calloc(c->a, json_array_size(svcs) + 1, sizeof(*names));

	for (size_t i = 0; i < json_array_size(svcs); i++)
		names[i] = rstr(json_array_get(svcs, i), "name");
	return names;
}

/* The index of the service a normalised message names, or -1 (also
 * while the catalogue is not known yet). */
static int
service_named(struct offline *c, const char *norm)
{
	json_t *svcs = services_of(c);

	if (svcs == NULL || json_array_size(svcs) == 0)
		return -1;
	return nlu_best_match(c->a, norm, service_names(c, svcs), json_array_size(svcs), 0.5,
	    NULL);
}

static char *
service_line(struct offline *c, json_t *s)
{
	const char *price = rstr(s, "price");
	json_int_t dur = json_integer_value(json_object_get(s, "duration_minutes"));

	return arena_printf(c->a, "%s (%s%s%lld min)", rstr(s, "name"), price ? price : "",
	    price ? ", " : "", (long long)dur);
}

static void
answer_services(struct offline *c, json_t *svcs, bool prices, const char *norm)
{
	size_t n = json_array_size(svcs);
	const char **lines = arena_calloc(c->a, n + 1, sizeof(*lines));
	int pick;

	if (n == 0) {
		say(c, "I don't have any services listed yet — please contact us directly.");
		return;
	}
	pick = nlu_best_match(c->a, norm, service_names(c, svcs), n, 0.5, NULL);
	if (prices && pick >= 0) {
		json_t *s = json_array_get(svcs, (size_t)pick);

		say(c, "%s is %s and takes %lld minutes. Would you like to book it?",
		    rstr(s, "name"), rstr(s, "price") ? rstr(s, "price") : "priced on request",
		    (long long)json_integer_value(json_object_get(s, "duration_minutes")));
		return;
	}
	for (size_t i = 0; i < n; i++)
		lines[i] = service_line(c, json_array_get(svcs, i));
	say(c, "%s %s. Would you like to book one of them?",
	    prices ? "Here are our prices:" : "We offer", join_list(c->a, lines, n));
}

/* The search score from which an FAQ is taken as the answer. */
#define FAQ_MIN_SCORE 0.3

static void
answer_faq(struct offline *c, json_t *res)
{
	json_t *top = json_array_get(json_object_get(res, "results"), 0);
	double score = json_number_value(json_object_get(top, "score"));

	if (top != NULL && score >= FAQ_MIN_SCORE && rstr(top, "answer") != NULL) {
		say(c, "%s", rstr(top, "answer"));
		return;
	}
	say(c, "I'm not sure about that one. I can help with bookings, our services, prices, "
	    "hours and location%s.", tool_offered(c, "handoff_to_human") ?
	    ", or put you in touch with the team" : "");
}

/* The FAQ search's query: the normalised message, at most qsz - 1 bytes;
 * one cut short ends on a whole character. */
static void
faq_query(const char *norm, char *q, size_t qsz)
{
	size_t n;

	snprintf(q, qsz, "%s", norm);
	if ((n = strlen(q)) == strlen(norm))
		return;
	/* Drop the cut character: its continuation bytes, then its lead. */
	while (n > 0 && ((unsigned char)q[n - 1] & 0xc0) == 0x80)
		q[--n] = '\0';
	if (n > 0 && ((unsigned char)q[n - 1] & 0xc0) == 0xc0)
		q[--n] = '\0';
}

static bool continues(struct offline *c, const char *raw, const char *norm);

/* ---- episodes and slot filling --------------------------------------------------------- */

/* The episode starts after the last finished action, or after the last
 * customer message that declined a proposal. */
static void
find_episode(struct offline *c)
{
	c->episode = 0;
	for (size_t k = 0; k < c->ncalls; k++)
		if (terminal(&c->calls[k]) && c->calls[k].msg < c->last_user)
			c->episode = c->calls[k].msg + 1;
	for (size_t i = c->episode; i < c->last_user; i++) {
		const char *t = user_text(c, i);

		if (t != NULL && nlu_confirmation(c->a, t) == NLU_CONFIRM_NO &&
		    !continues(c, t, nlu_normalize(c->a, t))) {
			/* Declined only if a proposal was waiting. */
			for (size_t k = 0; k < c->ncalls; k++)
				if (c->calls[k].msg < i && c->calls[k].msg >= c->episode &&
				    result_status(c->calls[k].result) != NULL &&
				    strcmp(result_status(c->calls[k].result),
				    "confirmation_required") == 0)
					c->episode = i + 1;
		}
	}
}

/* The proposal waiting for a yes: the newest confirmation_required in the
 * episode made before the last customer message. */
static const struct call *
pending(const struct offline *c)
{
	for (size_t k = c->ncalls; k-- > 0;) {
		const char *s = result_status(c->calls[k].result);

		if (c->calls[k].msg < c->episode)
			break;
		if (c->calls[k].msg > c->last_user)
			continue;
		if (s != NULL && strcmp(s, "confirmation_required") == 0)
			return &c->calls[k];
	}
	return NULL;
}

/* "Haircut this Wednesday, 3:45pm", "¿Tienen cita mañana a las 10?",
 * "Any chance of a beard trim today at 2pm?": a message with a day or a
 * time, or one that names a service with a word of wanting one, asks for
 * a booking whatever else it looks like (a question, a greeting). Hours,
 * prices and the like keep their intent: "are you open tomorrow" asks
 * for hours. */
static bool asks_waitlist(struct offline *c, const char *norm);

static enum nlu_intent
books_without_verb(struct offline *c, const char *raw, enum nlu_intent it)
{
	struct nlu_when w;

	if (it != NLU_NONE && it != NLU_FAQ && it != NLU_GREETING && it != NLU_THANKS)
		return it;
	/* "Can you put me on the waiting list?" is the booking dialogue's. */
	if (asks_waitlist(c, nlu_normalize(c->a, raw)))
		return NLU_BOOK;
	if (when_of(c, raw, &w) && (w.has_date || w.has_time) &&
	    nlu_extract_reference(c->a, raw) == NULL)
		return NLU_BOOK;
	return it;
}

/* The goal of the episode's messages before end: the newest booking-type
 * intent in them. */
static enum nlu_intent
goal_before(struct offline *c, size_t end)
{
	/* Said in words first; then a day or time said alone ("Haircut
	 * Friday 3pm") asks for a booking, but only when no other request
	 * is under way: after "move ABC123", "Friday 3pm" is the new time. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = end; i-- > c->episode;) {
			const char *t = user_text(c, i);
			enum nlu_intent it;

			if (t == NULL)
				continue;
			it = nlu_classify(c->a, nlu_normalize(c->a, t));
			if (pass == 1)
				it = books_without_verb(c, t, it);
			if (it == NLU_BOOK || it == NLU_CANCEL || it == NLU_RESCHEDULE ||
			    it == NLU_LOOKUP)
				return it;
		}
	}
	return NLU_NONE;
}

/* The goal of the episode, its newest message included. */
static enum nlu_intent
episode_goal(struct offline *c)
{
	return goal_before(c, c->last_user + 1);
}

/* Which offered slot a message picks: a time that one slot has, an
 * ordinal ("the second one", "2"), the slot's label, or its RFC 3339
 * start (what a slot button sends). */
static json_t *
pick_slot(struct offline *c, json_t *slots, const char *raw)
{
	char *norm = nlu_normalize(c->a, raw);
	size_t n = json_array_size(slots);
	static const char *const ordinals[] = { "first", "second", "third", "fourth", "fifth",
		"sixth", "seventh", "eighth" };
	struct nlu_words ws;
	struct nlu_when w;
	int t;

	for (size_t i = 0; i < n; i++) {
		json_t *s = json_array_get(slots, i);
		const char *start = rstr(s, "start"), *label = rstr(s, "label");

		if ((start && strstr(raw, start) != NULL) ||
		    (label && strcmp(norm, nlu_normalize(c->a, label)) == 0))
			return s;
	}
	nlu_words(c->a, norm, &ws);
	if (ws.n <= 4) {
		for (size_t i = 0; i < ws.n; i++) {
			for (size_t k = 0; k < 8 && k < n; k++)
				if (strcmp(ws.w[i], ordinals[k]) == 0)
					return json_array_get(slots, k);
			if (strcmp(ws.w[i], "last") == 0 && n > 0)
				return json_array_get(slots, n - 1);
		}
		if (ws.n == 1 && isdigit((unsigned char)ws.w[0][0]) && ws.w[0][1] == '\0' &&
		    ws.w[0][0] >= '1' && (size_t)(ws.w[0][0] - '0') <= n && strchr(norm, ':') == NULL)
			return json_array_get(slots, (size_t)(ws.w[0][0] - '1'));
	}
	/* A time: the slot at that local time (on the named day, if any). */
	t = nlu_parse_time_only(c->a, norm);
	if (t < 0 && when_of(c, raw, &w) && w.has_time)
		t = w.minute;
	else if (t >= 0)
		w.has_date = false;
	if (t >= 0) {
		for (size_t i = 0; i < n; i++) {
			json_t *s = json_array_get(slots, i);
			json_t *lm = json_object_get(s, "local_minute");
			json_t *ld = json_object_get(s, "local_date");
			int32_t d = 0;

			if (lm == NULL || json_integer_value(lm) != t)
				continue;
			if (w.has_date && ld && tz_date_parse(json_string_value(ld), &d) && d != w.day)
				continue;
			return s;
		}
	}
	return NULL;
}

struct contact {
	const char *name, *email, *phone;
};

/* What the customer gave in the episode (newest first), on top of what
 * collect_contact_info saved in the conversation. expect_from: messages
 * from here on answer "what name should I use". */
static void
gather_contact(struct offline *c, size_t expect_from, struct contact *out)
{
	const struct call *saved = last_call(c, "collect_contact_info", 0);
	json_t *sv = saved ? json_object_get(saved->result, "saved") : NULL;

	memset(out, 0, sizeof(*out));
	for (size_t i = c->last_user + 1; i-- > c->episode;) {
		const char *t = user_text(c, i);

		if (t == NULL)
			continue;
		if (out->email == NULL)
			out->email = nlu_extract_email(c->a, t);
		if (out->phone == NULL)
			out->phone = nlu_extract_phone(c->a, t, c->cc);
		if (out->name == NULL)
			out->name = nlu_extract_name(c->a, t, i >= expect_from);
	}
	if (sv != NULL) {
		if (out->name == NULL)
			out->name = rstr(sv, "name");
		if (out->email == NULL)
			out->email = rstr(sv, "email");
		if (out->phone == NULL)
			out->phone = rstr(sv, "phone");
	}
}

/* Whether the contact differs from what the conversation saved. */
static bool
contact_new(const struct offline *c, const struct contact *ct)
{
	const struct call *saved = last_call(c, "collect_contact_info", 0);
	json_t *sv = saved ? json_object_get(saved->result, "saved") : NULL;

#define SAME(f) ((ct->f == NULL) || (rstr(sv, #f) != NULL && strcmp(rstr(sv, #f), ct->f) == 0))
	return sv == NULL ? (ct->name || ct->email || ct->phone)
	    : !(SAME(name) && SAME(email) && SAME(phone));
#undef SAME
}

static json_t *
contact_args(const struct contact *ct)
{
	json_t *o = json_object();

	if (ct->name)
		json_object_set_new(o, "name", json_string(ct->name));
	if (ct->email)
		json_object_set_new(o, "email", json_string(ct->email));
	if (ct->phone)
		json_object_set_new(o, "phone", json_string(ct->phone));
	return o;
}

static void
add_verification(json_t *args, const struct contact *ct)
{
	if (ct->email)
		json_object_set_new(args, "email", json_string(ct->email));
	else if (ct->phone)
		json_object_set_new(args, "phone", json_string(ct->phone));
}

/* The when of the episode: the newest date and the newest time wish,
 * skipping messages that picked an offered slot. */
static void
episode_when(struct offline *c, struct nlu_when *w, bool *picked_msgs)
{
	bool have_time = false;

	memset(w, 0, sizeof(*w));
	w->minute = w->after_min = w->before_min = -1;
	for (size_t i = c->last_user + 1; i-- > c->episode;) {
		const char *t = user_text(c, i);
		struct nlu_when m;

		if (t == NULL || (picked_msgs && picked_msgs[i]))
			continue;
		/* A reference or a phone number is not a date. */
		if (!when_of(c, t, &m))
			continue;
		if (!w->has_date && m.has_date) {
			w->has_date = true;
			w->day = m.day;
			w->ambiguous = m.ambiguous;
			w->alt_day = m.alt_day;
		}
		if (!have_time && (m.has_time || m.after_min >= 0 || m.before_min >= 0)) {
			have_time = true;
			w->has_time = m.has_time;
			w->minute = m.minute;
			w->after_min = m.after_min;
			w->before_min = m.before_min;
		}
	}
}

static char *
hhmm(struct arena *a, int minute)
{
	return arena_printf(a, "%02d:%02d", minute / 60 % 24, minute % 60);
}

/* What the customer asks to book: one service, or several back to back,
 * with add-ons (ids as get_services gave them). */
struct want {
	const char *ids[AI_BUNDLE_MAX];
	size_t n;
	const char *addons[AI_BUNDLE_MAX];
	size_t naddons;
	const char *staff_id;	/* asked for by name ("with Ann"); NULL: anyone */
};

/* The tools' arguments for a want: service_id, or service_ids for a
 * bundle, and addon_ids when there are add-ons. */
static void
want_args(json_t *o, const struct want *wt)
{
	if (wt->n == 1) {
		json_object_set_new(o, "service_id", json_string(wt->ids[0]));
	} else {
		json_t *ids = json_array();

		for (size_t i = 0; i < wt->n; i++)
			json_array_append_new(ids, json_string(wt->ids[i]));
		json_object_set_new(o, "service_ids", ids);
	}
	if (wt->naddons > 0) {
		json_t *ids = json_array();

		for (size_t i = 0; i < wt->naddons; i++)
			json_array_append_new(ids, json_string(wt->addons[i]));
		json_object_set_new(o, "addon_ids", ids);
	}
}

static json_t *
avail_args(struct offline *c, const struct want *wt, const struct nlu_when *w)
{
	char date[TZ_DATE_SIZE];
	json_t *o = json_object();

	want_args(o, wt);
	if (wt->staff_id != NULL)
		json_object_set_new(o, "staff_id", json_string(wt->staff_id));
	tz_date_format(w->has_date && w->day >= c->today ? w->day : c->today, date);
	json_object_set_new(o, "date", json_string(date));
	if (!w->has_date)
		json_object_set_new(o, "days", json_integer(7));
	if (w->has_time)
		json_object_set_new(o, "time", json_string(hhmm(c->a, w->minute)));
	if (w->after_min >= 0)
		json_object_set_new(o, "after", json_string(hhmm(c->a, w->after_min)));
	if (w->before_min >= 0 && w->before_min < 1440)
		json_object_set_new(o, "before", json_string(hhmm(c->a, w->before_min)));
	return o;
}

/* "Tue 3:30 PM" (the tool's label) in English; "martes 15:30" in other
 * languages, from the slot's local day and minute. full: "Tuesday,
 * December 15 at 3:30 PM". */
static const char *
slot_label(struct offline *c, json_t *slot, bool full)
{
	json_int_t m = json_integer_value(json_object_get(slot, "local_minute"));
	int32_t d;
	char day[64], tm[16];

	if (!tz_date_parse(rstr(slot, "local_date"), &d) || m < 0 || m >= 1440)
		return rstr(slot, "label") ? rstr(slot, "label") : "";
	if (!full && c->lang == &ai_lang_en && rstr(slot, "label"))
		return rstr(slot, "label");
	ai_lang_format_day(c->lang, d, day, sizeof(day));
	ai_lang_format_time(c->lang, (int)m, tm, sizeof(tm));
	if (!full)
		return arena_printf(c->a, "%s %s", c->lang->day_names[tz_iso_weekday(d) - 1], tm);
	return arena_printf(c->a, "%s%s%s", day, c->lang->time_join, tm);
}

static char *
slot_list(struct offline *c, json_t *slots, size_t max)
{
	size_t n = json_array_size(slots) < max ? json_array_size(slots) : max;
	const char **l = arena_calloc(c->a, n + 1, sizeof(*l));

	for (size_t i = 0; i < n; i++)
		l[i] = slot_label(c, json_array_get(slots, i), false);
	return join_with(c->a, l, n, c->lang->say.or_word);
}

/* An "HH:MM" of the tool, in the reply's language. */
static const char *
clock_text(struct offline *c, const char *hhmm_s)
{
	int h, m;
	char out[16];

	if (hhmm_s == NULL || sscanf(hhmm_s, "%d:%d", &h, &m) != 2)
		return "";
	ai_lang_format_time(c->lang, h * 60 + m, out, sizeof(out));
	return arena_strdup(c->a, out);
}

/* Why the time asked for is not offered, in words (the tool's "asked"). */
static const char *
why_text(struct offline *c, json_t *asked, json_t *slots, const struct nlu_when *w)
{
	const struct ai_lang_replies *r = &c->lang->say;
	const char *why = rstr(asked, "why");
	char day[64], tm[16];

	ai_lang_format_day(c->lang, w->day, day, sizeof(day));
	ai_lang_format_time(c->lang, w->minute, tm, sizeof(tm));
	if (why == NULL)
		return "";
	if (strcmp(why, "closed") == 0)
		return arena_printf(c->a, r->closed_day, day);
	if (strcmp(why, "after_close") == 0 && rstr(asked, "latest"))
		return arena_printf(c->a, r->after_close, day, clock_text(c, rstr(asked, "closes")),
		    clock_text(c, rstr(asked, "latest")));
	if (strcmp(why, "before_open") == 0)
		return arena_printf(c->a, r->before_open, day, clock_text(c, rstr(asked, "opens")));
	if (strcmp(why, "too_soon") == 0 && json_array_size(slots) > 0)
		return arena_printf(c->a, r->too_soon, slot_label(c, json_array_get(slots, 0),
		    true));
	return arena_printf(c->a, r->taken, day, tm);
}

/* The times found, after saying why the one asked for is not among them. */
static void
say_slots(struct offline *c, json_t *res, bool again, const struct nlu_when *w)
{
	const struct ai_lang_replies *r = &c->lang->say;
	json_t *slots = json_object_get(res, "slots"), *asked = json_object_get(res, "asked");
	const char *svc = rstr(res, "service"), *note = rstr(res, "note");

	/* The tool's notes are English. */
	if (c->lang != &ai_lang_en)
		note = NULL;
	if (json_array_size(slots) == 0) {
		say(c, r->none_free, sorry_word(c), asked && w ? why_text(c, asked, slots, w) :
		    note ? note : "");
		return;
	}
	if (asked != NULL && w != NULL && w->has_date && w->has_time) {
		say(c, "%s %s %s", why_text(c, asked, slots, w),
		    arena_printf(c->a, r->nearest, slot_list(c, slots, 8)), r->which_one);
		return;
	}
	if (again)
		say(c, r->slots_again, slot_list(c, slots, 8));
	else
		say(c, r->slots, note ? note : ok_word(c), svc ? svc : "", slot_list(c, slots, 8));
}

/* The slot of an availability check of the conversation that starts at
 * start (the RFC 3339 text the tool gave). */
static json_t *
offered_slot(const struct offline *c, const char *start, json_t **found_by)
{
	for (size_t k = c->ncalls; start != NULL && k-- > 0;) {
		json_t *slots;

		if (strcmp(c->calls[k].name, "check_availability") != 0)
			continue;
		slots = json_object_get(c->calls[k].result, "slots");
		for (size_t i = 0; i < json_array_size(slots); i++)
			if (rstr(json_array_get(slots, i), "start") != NULL &&
			    strcmp(rstr(json_array_get(slots, i), "start"), start) == 0) {
				if (found_by)
					*found_by = c->calls[k].result;
				return json_array_get(slots, i);
			}
	}
	return NULL;
}

static json_t *
service_by_id(const struct offline *c, const char *id)
{
	json_t *svcs = services_of(c);

	for (size_t i = 0; id != NULL && i < json_array_size(svcs); i++)
		if (rstr(json_array_get(svcs, i), "id") != NULL &&
		    strcasecmp(rstr(json_array_get(svcs, i), "id"), id) == 0)
			return json_array_get(svcs, i);
	return NULL;
}

/* What an availability check was for, in the reply's language: "Haircut
 * with Hair Wash and Beard Trim" (the tool lists a bundle's services and
 * add-ons); svc's name for one service without add-ons. */
static const char *
want_names(struct offline *c, json_t *res, json_t *svc)
{
	json_t *svcs = json_object_get(res, "services"), *adds = json_object_get(res, "addons");
	size_t n = json_array_size(svcs);
	const char **names;

	if (n == 0)
		return svc ? rstr(svc, "name") : rstr(res, "service");
	names = arena_calloc(c->a, n + 1, sizeof(*names));
	for (size_t i = 0; i < n; i++) {
		json_t *s = json_array_get(svcs, i);
		const char **with = arena_calloc(c->a, json_array_size(adds) + 1, sizeof(*with));
		size_t m = 0;

		for (size_t k = 0; k < json_array_size(adds); k++) {
			json_t *ad = json_array_get(adds, k);

			if (rstr(ad, "service_id") && rstr(s, "id") &&
			    strcmp(rstr(ad, "service_id"), rstr(s, "id")) == 0)
				with[m++] = rstr(ad, "name");
		}
		names[i] = m ? arena_printf(c->a, "%s%s%s", rstr(s, "name"), c->lang->say.with,
		    join_with(c->a, with, m, c->lang->say.and_word)) : rstr(s, "name");
	}
	return join_with(c->a, names, n, c->lang->say.and_word);
}

/* Who performs a slot: its staff member, or a bundle's distinct ones. */
static const char *
slot_staff(struct offline *c, json_t *slot)
{
	json_t *items = json_object_get(slot, "items");
	const char **names = arena_calloc(c->a, json_array_size(items) + 1, sizeof(*names));
	size_t n = 0;

	for (size_t i = 0; i < json_array_size(items); i++) {
		const char *who = rstr(json_array_get(items, i), "staff");
		bool seen = false;

		for (size_t k = 0; k < n && who; k++)
			seen = seen || strcmp(names[k], who) == 0;
		if (who && !seen)
			names[n++] = who;
	}
	return n > 1 ? join_with(c->a, names, n, c->lang->say.and_word) : rstr(slot, "staff");
}

/* The booking of book_appointment's args in the reply's language: the
 * question that asks for a yes (services and add-ons, price in all, full
 * date, time, staff, name, contact), or with a reference the booking
 * made. False when the slot or service is not in the conversation (the
 * tool's text is used). */
static bool
say_booking(struct offline *c, json_t *args, const char *reference)
{
	const struct ai_lang_replies *r = &c->lang->say;
	json_t *found = NULL, *slot = offered_slot(c, rstr(args, "start"), &found);
	json_t *ids = json_object_get(args, "service_ids");
	json_t *svc = service_by_id(c, rstr(args, "service_id") ? rstr(args, "service_id") :
	    json_string_value(json_array_get(ids, 0)));
	json_int_t m = json_integer_value(json_object_get(slot, "local_minute"));
	const char *staff = slot_staff(c, slot), *price, *names = want_names(c, found, svc);
	char day[64], tm[16];
	int32_t d;

	if (slot == NULL || svc == NULL || names == NULL ||
	    !tz_date_parse(rstr(slot, "local_date"), &d))
		return false;
	ai_lang_format_day(c->lang, d, day, sizeof(day));
	ai_lang_format_time(c->lang, (int)m, tm, sizeof(tm));
	price = rstr(found, "total_price") ? rstr(found, "total_price") : rstr(svc, "price") ?
	    rstr(svc, "price") : arena_printf(c->a, "%lld min",
	    (long long)json_integer_value(json_object_get(svc, "duration_minutes")));
	c->states_proposal = reference == NULL;
	if (reference != NULL)
		say(c, r->booked, names, day, tm, staff ? r->with : "",
		    staff ? staff : "", reference);
	else
		say(c, r->confirm, names, day, tm, staff ? r->with : "",
		    staff ? staff : "", rstr(args, "name"), rstr(args, "email") ?
		    rstr(args, "email") : rstr(args, "phone") ? rstr(args, "phone") : "", price);
	return true;
}

/* join_waitlist's proposal and outcome in the reply's language. */
static const char *const part_keys[] = { "any", "morning", "afternoon", "evening" };

static bool
say_waitlist(struct offline *c, json_t *args, const char *status)
{
	const struct ai_lang_replies *r = &c->lang->say;
	json_t *svc = service_by_id(c, rstr(args, "service_id"));
	const char *part = "", *who = rstr(args, "email") ? rstr(args, "email") :
	    rstr(args, "phone");
	char day[64];
	int32_t d;

	if (svc == NULL || !tz_date_parse(rstr(args, "date"), &d))
		return false;
	ai_lang_format_day(c->lang, d, day, sizeof(day));
	for (size_t i = 1; i < 4; i++)
		if (rstr(args, "part_of_day") && strcmp(rstr(args, "part_of_day"), part_keys[i]) == 0)
			part = r->part_names[i];
	if (strcmp(status, "confirmation_required") == 0) {
		c->states_proposal = true;
		say(c, r->waitlist_confirm, rstr(args, "name"), who ? who : "", rstr(svc, "name"),
		    day, part);
	} else if (strcmp(status, "waitlisted") == 0) {
		say(c, r->waitlisted, rstr(svc, "name"), day, part, who ? who : "");
	} else if (strcmp(status, "already_waiting") == 0) {
		say(c, r->waitlist_already, rstr(svc, "name"), day, part);
	} else {
		return false;
	}
	return true;
}

static void
say_final(struct offline *c, const struct call *cl)
{
	const char *tool = cl->name, *s = result_status(cl->result);
	json_t *res = cl->result;

	if (result_has(res, "error")) {
		if (strcmp(tool, "book_appointment") == 0 || strcmp(tool, "hold_slot") == 0)
			say_result_error(c, res, "Would you like me to look for another time?");
		else
			say_result_error(c, res, NULL);
		return;
	}
	if (s != NULL && strcmp(tool, "join_waitlist") == 0 && say_waitlist(c, cl->args, s))
		return;
	if (s != NULL && strcmp(s, "confirmation_required") == 0) {
		if (strcmp(tool, "book_appointment") != 0 || !say_booking(c, cl->args, NULL))
			say(c, "%s", rstr(res, "confirmation_text") ? rstr(res, "confirmation_text")
			    : "Shall I go ahead? Please reply yes to confirm.");
		return;
	}
	if (s != NULL && strcmp(s, "booked") == 0 && strcmp(tool, "book_appointment") == 0 &&
	    say_booking(c, cl->args, rstr(res, "reference")))
		return;
	if (s != NULL && strcmp(s, "booked") == 0) {
		const char *staff = rstr(res, "staff");

		say(c, "%s You're booked for %s on %s%s%s. Your reference is %s.%s",
		    c->tone == TONE_PLAYFUL ? "Woohoo!" : c->tone == TONE_PROFESSIONAL ?
		    "Thank you." : "All set!", rstr(res, "service") ? rstr(res, "service") :
		    "your appointment", rstr(res, "label") ? rstr(res, "label") : "the time you chose",
		    staff ? " with " : "", staff ? staff : "", rstr(res, "reference"),
		    c->tone == TONE_CONCISE ? "" : " See you then!");
		return;
	}
	if (s != NULL && strcmp(s, "cancelled") == 0) {
		say(c, "Done — booking %s is cancelled.%s", rstr(res, "reference"),
		    c->tone == TONE_CONCISE ? "" : " Hope to see you another time!");
		return;
	}
	if (s != NULL && strcmp(s, "rescheduled") == 0) {
		say(c, "Done — booking %s is now on %s.", rstr(res, "reference"),
		    rstr(res, "label") ? rstr(res, "label") : "the new time");
		return;
	}
	if (s != NULL && strcmp(s, "handed_off") == 0) {
		say(c, "%s", rstr(res, "message") ? rstr(res, "message")
		    : "I've passed your conversation to the team.");
		return;
	}
	say(c, "Done.");
}

/* A call to make unless it was made this turn. Returns true when the
 * turn's answer is decided (the call is made); false with *done set to the
 * earlier call, whose result the caller turns into a reply. */
static bool
step(struct offline *c, const char *tool, json_t *args, const struct call **done)
{
	const struct call *d = called_this_turn(c, tool, args);

	if (d == NULL) {
		call(c, tool, args);
		return true;
	}
	json_decref(args);
	if (d->result == NULL) {
		say_help(c);
		return true;
	}
	*done = d;
	return false;
}

/* ---- flows ----------------------------------------------------------------------------- */

/* Two services named equally well ("a trim" with a Beard Trim and a Hair
 * Trim): the receptionist asks which, never guesses. best is the one
 * nlu_best_match chose; *other gets the one as good as it. */
static bool
service_tie(struct offline *c, const char *norm, json_t *svcs, int best, const char **other)
{
	const char **names = service_names(c, svcs);
	size_t n = json_array_size(svcs), k = 0;
	const char **rest = arena_calloc(c->a, n + 1, sizeof(*rest));
	double s1, s2;
	int second;

	(void)nlu_best_match(c->a, norm, names, n, 0.5, &s1);
	if (s1 >= 0.99)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((int)i != best)
			rest[k++] = names[i];
	second = nlu_best_match(c->a, norm, rest, k, 0.5, &s2);
	if (second < 0 || s2 + 1e-9 < s1)
		return false;
	*other = rest[second];
	return true;
}

/* The service of the episode: the newest message that names one; else
 * the one of the last availability check; else the only one. NULL with
 * *tie set when the newest naming one names two equally well. */
static const char *
episode_service(struct offline *c, json_t *svcs, const struct call *av, const char **tie)
{
	*tie = NULL;
	for (size_t i = c->last_user + 1; i-- > c->episode;) {
		const char *t = user_text(c, i);
		char *norm = t ? nlu_normalize(c->a, t) : NULL;
		int k = norm ? service_named(c, norm) : -1;

		if (k >= 0 && service_tie(c, norm, svcs, k, tie)) {
			*tie = arena_printf(c->a, "%s%s%s", rstr(json_array_get(svcs, (size_t)k),
			    "name"), c->lang->say.or_word, *tie);
			return NULL;
		}
		if (k >= 0)
			return rstr(json_array_get(svcs, (size_t)k), "id");
	}
	if (av != NULL)
		return rstr(av->args, "service_id") ? rstr(av->args, "service_id") :
		    json_string_value(json_array_get(json_object_get(av->args, "service_ids"), 0));
	if (json_array_size(svcs) == 1)
		return rstr(json_array_get(svcs, 0), "id");
	return NULL;
}

/* Whether w is, in any language, a "with" word ("with", "con") or, with
 * and_too, an "and" word ("and", "y") as well. */
static bool
any_lang_joins(const char *w, bool and_too)
{
	size_t nl;
	const struct ai_lang *const *ls = ai_lang_all(&nl);

	for (size_t l = 0; l < nl; l++)
		if (ai_lang_in(ls[l]->with_words, w) || (and_too && ai_lang_in(ls[l]->and_words, w)))
			return true;
	return false;
}

/* True for a language's "with" word (an add-on follows). */
static bool
with_word(const char *w)
{
	return any_lang_joins(w, false);
}

/* Whether w joins things asked for together: "and", "y", or a "with" word. */
static bool
joiner(const char *w)
{
	return any_lang_joins(w, true);
}

/* "without a wash", "sin lavado": an add-on declined. */
static bool
says_without(struct offline *c, const char *part)
{
	size_t nl;
	const struct ai_lang *const *ls = ai_lang_all(&nl);
	struct nlu_words ws;

	nlu_words(c->a, part, &ws);
	for (size_t i = 0; i < ws.n; i++)
		for (size_t l = 0; l < nl; l++)
			if (ai_lang_in(ls[l]->without_words, ws.w[i]))
				return true;
	return false;
}

/* The parts of a normalised message that each name one thing: cut at
 * commas, "&", "+" and the languages' "and" and "with" words ("a haircut
 * | a beard trim on friday at 3", "haircut | a hair wash"). */
static size_t
parts_of(struct offline *c, const char *norm, const char **parts, size_t max)
{
	char *copy = arena_strdup(c->a, norm), *save = NULL, *tok;
	size_t n = 0;

	for (char *p = copy; *p; p++)
		if (*p == ',' || *p == ';' || *p == '&' || *p == '+')
			*p = '|';
	for (tok = strtok_r(copy, "|", &save); tok != NULL; tok = strtok_r(NULL, "|", &save)) {
		struct nlu_words ws;
		const char *cur = "";

		nlu_words(c->a, tok, &ws);
		for (size_t i = 0; i <= ws.n; i++) {
			if (i < ws.n && !joiner(ws.w[i])) {
				cur = arena_printf(c->a, "%s%s%s", cur, *cur ? " " : "", ws.w[i]);
				continue;
			}
			if (*cur && n < max)
				parts[n++] = cur;
			cur = "";
		}
	}
	return n;
}

/* The service a part of a message names in full, or -1 — also when it
 * names an add-on as well ("a hair wash" is not a Haircut). */
static int
part_service(struct offline *c, json_t *svcs, const char *part)
{
	const char **names = service_names(c, svcs), **adds;
	size_t n = 0, total = 0;
	double ss = 0, as = 0;
	int k = nlu_best_match(c->a, part, names, json_array_size(svcs), 0.99, &ss);

	if (k < 0)
		return -1;
	for (size_t i = 0; i < json_array_size(svcs); i++)
		total += json_array_size(json_object_get(json_array_get(svcs, i), "addons"));
	adds = arena_calloc(c->a, total + 1, sizeof(*adds));
	for (size_t i = 0; i < json_array_size(svcs); i++) {
		json_t *l = json_object_get(json_array_get(svcs, i), "addons");

		for (size_t m = 0; m < json_array_size(l); m++)
			if (rstr(json_array_get(l, m), "name") != NULL)
				adds[n++] = rstr(json_array_get(l, m), "name");
	}
	if (n > 0 && nlu_best_match(c->a, part, adds, n, 0.99, &as) >= 0 && as >= ss)
		return -1;
	return k;
}

/* The services a message asks for together, in the order it names them:
 * every part that names one in full ("a haircut and a beard trim"). */
static size_t
services_together(struct offline *c, json_t *svcs, const char *norm, const char **ids)
{
	const char *parts[32];
	size_t np = parts_of(c, norm, parts, 32), n = 0;

	for (size_t i = 0; i < np; i++) {
		int k = part_service(c, svcs, parts[i]);
		const char *id = k >= 0 ? rstr(json_array_get(svcs, (size_t)k), "id") : NULL;
		bool seen = false;

		for (size_t m = 0; m < n && id; m++)
			seen = seen || strcmp(ids[m], id) == 0;
		if (id != NULL && !seen && n < AI_BUNDLE_MAX)
			ids[n++] = id;
	}
	return n;
}

/* The add-ons of the want's services that the episode asks for ("with a
 * hair wash"), unless said with "without". */
static void
episode_addons(struct offline *c, json_t *svcs, struct want *wt)
{
	const char *names[AI_BUNDLE_MAX * 8], *ids[AI_BUNDLE_MAX * 8];
	size_t n = 0;

	for (size_t i = 0; i < wt->n; i++) {
		json_t *adds = json_object_get(service_by_id(c, wt->ids[i]), "addons");

		for (size_t k = 0; k < json_array_size(adds) && n < AI_BUNDLE_MAX * 8; k++) {
			names[n] = rstr(json_array_get(adds, k), "name");
			ids[n] = rstr(json_array_get(adds, k), "id");
			if (names[n] != NULL && ids[n] != NULL)
				n++;
		}
	}
	wt->naddons = 0;
	for (size_t i = c->episode; n > 0 && i <= c->last_user; i++) {
		const char *t = user_text(c, i), *parts[32];
		size_t np = t ? parts_of(c, nlu_normalize(c->a, t), parts, 32) : 0;

		for (size_t p = 0; p < np; p++) {
			int k;
			bool seen = false;

			if (says_without(c, parts[p]) || part_service(c, svcs, parts[p]) >= 0)
				continue;
			if ((k = nlu_best_match(c->a, parts[p], names, n, 0.6, NULL)) < 0)
				continue;
			for (size_t m = 0; m < wt->naddons; m++)
				seen = seen || strcmp(wt->addons[m], ids[k]) == 0;
			if (!seen && wt->naddons < AI_BUNDLE_MAX)
				wt->addons[wt->naddons++] = ids[k];
		}
	}
}

/* How many of a staff member's name words ("ann", "lee") follow from word
 * k of ws; 0 unless the first name does. */
static size_t
name_words_at(struct offline *c, const char *name, const struct nlu_words *ws, size_t k)
{
	struct nlu_words nw;
	size_t n = 0;

	nlu_words(c->a, nlu_normalize(c->a, name), &nw);
	while (n < nw.n && k + n < ws->n && strcmp(nw.w[n], ws->w[k + n]) == 0)
		n++;
	return n;
}

/* The staff member of the wanted services named after a "with" word at
 * word k ("with Ann", "con Ana Ruiz"): the one whose name matches most
 * words, first name at least. NULL when none does. */
static const char *
staff_named_at(struct offline *c, const struct want *wt, const struct nlu_words *ws, size_t k)
{
	const char *best = NULL;
	size_t best_n = 0;

	for (size_t i = 0; i < wt->n; i++) {
		json_t *staff = json_object_get(service_by_id(c, wt->ids[i]), "staff");

		for (size_t j = 0; j < json_array_size(staff); j++) {
			json_t *m = json_array_get(staff, j);
			size_t n = rstr(m, "name") ? name_words_at(c, rstr(m, "name"), ws, k) : 0;

			if (n > best_n && rstr(m, "id") != NULL) {
				best_n = n;
				best = rstr(m, "id");
			}
		}
	}
	return best;
}

/* The staff member the episode asks for by name, "haircut with Ann on
 * Friday", "con Ana": only after a "with" word, so a customer's own name
 * ("I'm Ann") never picks anyone; the newest mention wins. */
static const char *
episode_staff(struct offline *c, const struct want *wt)
{
	const char *found = NULL, *id;

	for (size_t i = c->episode; i <= c->last_user; i++) {
		const char *t = user_text(c, i);
		struct nlu_words ws;

		if (t == NULL)
			continue;
		nlu_words(c->a, nlu_normalize(c->a, t), &ws);
		for (size_t k = 0; k + 1 < ws.n; k++)
			if (with_word(ws.w[k]) && (id = staff_named_at(c, wt, &ws, k + 1)) != NULL)
				found = id;
	}
	return found;
}

/* What the episode asks to book: the services the newest message naming
 * any asks for together, else the one service chosen; with the add-ons
 * asked for. */
static void
episode_want(struct offline *c, json_t *svcs, const char *service_id, struct want *wt)
{
	memset(wt, 0, sizeof(*wt));
	for (size_t i = c->last_user + 1; i-- > c->episode;) {
		const char *t = user_text(c, i);
		char *norm = t ? nlu_normalize(c->a, t) : NULL;

		if (norm == NULL || service_named(c, norm) < 0)
			continue;
		if ((wt->n = services_together(c, svcs, norm, wt->ids)) >= 2)
			break;
		wt->n = 0;
		break;
	}
	if (wt->n == 0) {
		wt->ids[0] = service_id;
		wt->n = 1;
	}
	episode_addons(c, svcs, wt);
	wt->staff_id = episode_staff(c, wt);
}

/* The slot picked by the customer's newest message that picks one of the
 * last availability check's; *pick_msg is that message. */
static json_t *
picked_slot(struct offline *c, const struct call *av, bool *picked, size_t *pick_msg)
{
	json_t *slots, *slot = NULL;

	if (av == NULL)
		return NULL;
	slots = json_object_get(av->result, "slots");
	for (size_t i = av->msg + 1; i <= c->last_user; i++) {
		const char *t = user_text(c, i);
		json_t *s = t ? pick_slot(c, slots, t) : NULL;

		if (s != NULL) {
			picked[i] = true;
			slot = s;
			*pick_msg = i;
		}
	}
	return slot;
}

/* The found slot at exactly the time (and day) asked for: a free time
 * that was asked for is proposed as it is, not listed among others. */
static json_t *
exact_slot(json_t *slots, const struct nlu_when *w)
{
	for (size_t i = 0; w->has_time && i < json_array_size(slots); i++) {
		json_t *s = json_array_get(slots, i);
		int32_t d;

		if (json_integer_value(json_object_get(s, "local_minute")) != w->minute)
			continue;
		if (w->has_date && (!tz_date_parse(rstr(s, "local_date"), &d) || d != w->day))
			continue;
		return s;
	}
	return NULL;
}

/* "next Thursday" has two readings (ai_nlu.h): ask which one is meant
 * rather than pick. */
static void
ask_which_date(struct offline *c, const struct nlu_when *w)
{
	char d1[64], d2[64];

	ai_lang_format_day(c->lang, w->day, d1, sizeof(d1));
	ai_lang_format_day(c->lang, w->alt_day, d2, sizeof(d2));
	say(c, c->lang->say.which_date, d1, d2);
}

/* Name and a way to reach the customer, once a time is chosen (or the
 * waitlist: ask, when not NULL, is its question): true when both are
 * known (and saved), false while asking or saving. */
static bool
need_contact(struct offline *c, json_t *slot, const char *ask, size_t expect_from,
    struct contact *ct)
{
	const struct ai_lang_replies *r = &c->lang->say;
	const char *when = slot ? slot_label(c, slot, true) : "";

	gather_contact(c, expect_from, ct);
	if (contact_new(c, ct)) {
		json_t *ca = contact_args(ct);
		const struct call *cc = called_this_turn(c, "collect_contact_info", ca);

		if (cc == NULL) {
			call(c, "collect_contact_info", ca);
			return false;
		}
		json_decref(ca);
		if (result_has(cc->result, "error")) {
			say_result_error(c, cc->result, "Could you check it and send it again?");
			return false;
		}
	}
	if (ct->name != NULL && (ct->email != NULL || ct->phone != NULL))
		return true;
	if (ask != NULL)
		say(c, "%s", ask);
	else if (ct->name == NULL && ct->email == NULL && ct->phone == NULL)
		say(c, r->ask_name_contact, when);
	else if (ct->name == NULL)
		say(c, r->ask_name, when);
	else
		say(c, r->ask_contact, when);
	return false;
}

static void
book_slot(struct offline *c, const struct want *wt, json_t *slot, const struct contact *ct)
{
	const struct call *got;
	json_t *args = json_pack("{s:s, s:s}", "start", rstr(slot, "start"), "name", ct->name);

	want_args(args, wt);

	if (rstr(slot, "staff_id"))
		json_object_set_new(args, "staff_id", json_string(rstr(slot, "staff_id")));
	if (ct->email)
		json_object_set_new(args, "email", json_string(ct->email));
	if (ct->phone)
		json_object_set_new(args, "phone", json_string(ct->phone));
	if (step(c, "book_appointment", args, &got))
		return;
	say_final(c, got);
}

/* ---- the waitlist, when no time suits ------------------------------------------------- */

/* "put me on the waitlist", "lista de espera" */
static bool
asks_waitlist(struct offline *c, const char *norm)
{
	size_t nl, len;
	const struct ai_lang *const *ls = ai_lang_all(&nl);
	struct nlu_words ws;

	nlu_words(c->a, norm, &ws);
	for (size_t i = 0; i < ws.n; i++)
		for (size_t l = 0; l < nl; l++)
			if (ai_lang_phrase_at(ls[l]->waitlist_words, ws.w, ws.n, i, &len))
				return true;
	return false;
}

enum wl_state {
	WL_NONE,	/* times are being offered */
	WL_OFFER,	/* nothing on the day asked, or the times were declined: offer it */
	WL_JOIN,	/* the customer wants it: from *from on they answer its questions */
	WL_DECLINED,	/* they said no to it */
};

/* Where the waitlist stands in the episode: asked for in words, or
 * offered (the day asked has no free time, or the customer declined the
 * times offered) and answered. */
static enum wl_state
waitlist_state(struct offline *c, const struct call *av, const struct nlu_when *w,
    size_t *from)
{
	json_t *slots = av ? json_object_get(av->result, "slots") : NULL;
	bool full = av != NULL && w->has_date && !result_has(av->result, "error");
	bool offered;

	for (size_t i = c->episode; i <= c->last_user; i++) {
		const char *t = user_text(c, i);

		if (t != NULL && asks_waitlist(c, nlu_normalize(c->a, t))) {
			*from = i + 1;
			return WL_JOIN;
		}
	}
	if (av == NULL)
		return WL_NONE;
	for (size_t i = 0; full && i < json_array_size(slots); i++) {
		int32_t d;

		if (tz_date_parse(rstr(json_array_get(slots, i), "local_date"), &d) && d == w->day)
			full = false;
	}
	offered = full;
	for (size_t i = av->msg + 1; i <= c->last_user; i++) {
		const char *t = user_text(c, i);
		enum nlu_confirm cf = t ? nlu_confirmation(c->a, t) : NLU_CONFIRM_NONE;

		if (!offered) {
			offered = cf == NLU_CONFIRM_NO;
			continue;
		}
		if (cf == NLU_CONFIRM_YES) {
			*from = i + 1;
			return WL_JOIN;
		}
		if (cf == NLU_CONFIRM_NO)
			return WL_DECLINED;
	}
	return offered ? WL_OFFER : WL_NONE;
}

/* The waitlist's part of the day for a wish: the part of the time asked
 * for, or of a range's start; "any" otherwise. */
static size_t
wish_part(const struct nlu_when *w)
{
	int m = w->has_time ? w->minute : w->after_min >= 0 ? w->after_min : -1;

	if (m < 0 && w->before_min > 0 && w->before_min <= 12 * 60)
		return 1;
	if (m < 0)
		return 0;
	return m < 12 * 60 ? 1 : m < 17 * 60 ? 2 : 3;
}

/* Offers the waitlist, joins it (a proposal the customer confirms, with
 * their name and contact), or takes their no. */
static void
flow_waitlist(struct offline *c, const struct call *av, const struct want *wt,
    const struct nlu_when *w, enum wl_state state, size_t from)
{
	const struct ai_lang_replies *r = &c->lang->say;
	json_t *svc = service_by_id(c, wt->ids[0]);
	const char *name = svc ? rstr(svc, "name") : "";
	size_t part = wish_part(w);
	const struct call *got;
	struct contact ct;
	char day[64], date[TZ_DATE_SIZE];
	json_t *args;

	if (!w->has_date) {
		/* "put me on the waitlist" before any day was said. */
		say(c, r->ask_when, name);
		return;
	}
	ai_lang_format_day(c->lang, w->day, day, sizeof(day));
	if (state == WL_DECLINED) {
		say(c, "%s", r->declined);
		return;
	}
	if (state == WL_OFFER) {
		const char *offer = arena_printf(c->a, r->waitlist_offer, name, day,
		    r->part_names[part]);

		if (json_array_size(json_object_get(av->result, "slots")) > 0 &&
		    av->msg > c->last_user) {
			say_slots(c, av->result, false, w);
			c->text = arena_printf(c->a, "%s %s", c->text, offer);
		} else if (av->msg > c->last_user) {
			say(c, r->none_free, sorry_word(c), rstr(av->result, "asked") ?
			    why_text(c, json_object_get(av->result, "asked"),
			    json_object_get(av->result, "slots"), w) : "");
			c->text = arena_printf(c->a, "%s %s", c->text, offer);
		} else {
			say(c, "%s", offer);
		}
		return;
	}
	if (!need_contact(c, NULL, arena_printf(c->a, r->waitlist_ask, name, day,
	    r->part_names[part]), from, &ct))
		return;
	tz_date_format(w->day, date);
	args = json_pack("{s:s, s:s, s:s, s:s}", "service_id", wt->ids[0], "date", date,
	    "part_of_day", part_keys[part], "name", ct.name);
	if (ct.email)
		json_object_set_new(args, "email", json_string(ct.email));
	else if (ct.phone)
		json_object_set_new(args, "phone", json_string(ct.phone));
	if (step(c, "join_waitlist", args, &got))
		return;
	say_final(c, got);
}

static void
flow_book(struct offline *c)
{
	json_t *svcs = services_of(c), *args, *slot;
	const struct call *av, *got;
	const char *service_id, *tie;
	bool *picked = arena_calloc(c->a, c->req->nmessages + 1, sizeof(bool));
	size_t pick_msg = 0, wl_from = 0;
	struct contact ct;
	struct nlu_when w;
	struct want wt;
	enum wl_state wl;

	if (svcs == NULL) {
		if (step(c, "get_services", json_object(), &got))
			return;
		svcs = json_object_get(got->result, "services");
	}
	if (json_array_size(svcs) == 0) {
		say(c, "%s I don't have any services I can book online yet — please contact us "
		    "directly.", sorry_word(c));
		return;
	}
	av = last_call(c, "check_availability", c->episode);
	if ((service_id = episode_service(c, svcs, av, &tie)) == NULL) {
		say(c, c->lang->say.ask_service, tie ? tie : join_with(c->a, service_names(c, svcs),
		    json_array_size(svcs), c->lang->say.or_word));
		return;
	}
	episode_want(c, svcs, service_id, &wt);
	slot = picked_slot(c, av, picked, &pick_msg);
	episode_when(c, &w, picked);
	if (slot == NULL && w.has_date && w.ambiguous) {
		ask_which_date(c, &w);
		return;
	}
	/* Asked for in words, the waitlist needs only the service and day. */
	if (slot == NULL && w.has_date && w.day >= c->today &&
	    (wl = waitlist_state(c, NULL, &w, &wl_from)) == WL_JOIN) {
		flow_waitlist(c, av, &wt, &w, wl, wl_from);
		return;
	}
	args = avail_args(c, &wt, &w);
	/* A new wish (another day, time or service) asks again. */
	if (av == NULL || (!json_equal(av->args, args) && !picked[c->last_user])) {
		call(c, "check_availability", args);
		return;
	}
	json_decref(args);
	if (result_has(av->result, "error")) {
		say_result_error(c, av->result, "Could you tell me another day?");
		return;
	}
	if (slot == NULL) {
		/* Proposed by the reply to that check: what follows answers it. */
		slot = exact_slot(json_object_get(av->result, "slots"), &w);
		pick_msg = av->msg;
	}
	if (slot == NULL && tool_offered(c, "join_waitlist") &&
	    (wl = waitlist_state(c, av, &w, &wl_from)) != WL_NONE) {
		flow_waitlist(c, av, &wt, &w, wl, wl_from);
		return;
	}
	if (slot == NULL) {
		say_slots(c, av->result, av->msg < c->last_user, &w);
		return;
	}
	if (!need_contact(c, slot, NULL, pick_msg + 1, &ct))
		return;
	book_slot(c, &wt, slot, &ct);
}

/* Reference and contact for the customer's own booking. */
static bool
need_reference(struct offline *c, const char **ref, struct contact *ct, const char *what)
{
	*ref = NULL;
	for (size_t i = c->last_user + 1; i-- > c->episode && *ref == NULL;) {
		const char *t = user_text(c, i);

		if (t != NULL)
			*ref = nlu_extract_reference(c->a, t);
	}
	gather_contact(c, c->req->nmessages, ct);
	if (*ref == NULL || (ct->email == NULL && ct->phone == NULL)) {
		say(c, "%s To %s, I need your booking reference (6 characters, like K7M4QX) and "
		    "the e-mail address or phone number the booking was made with.",
		    c->tone == TONE_CONCISE ? "OK." : "I can help with that.", what);
		return false;
	}
	return true;
}

/* A tool call on the customer's booking once they gave its reference and
 * a contact it was made with: true with its result in *done, false while
 * they are asked for them or the call is made. */
static bool
booking_step(struct offline *c, const char *what, const char *tool, const struct call **done)
{
	const char *ref;
	struct contact ct;
	json_t *args;

	if (!need_reference(c, &ref, &ct, what))
		return false;
	args = json_pack("{s:s}", "reference", ref);
	add_verification(args, &ct);
	return !step(c, tool, args, done);
}

static void
flow_cancel(struct offline *c)
{
	const struct call *done;

	if (!booking_step(c, "cancel", "cancel_booking", &done))
		return;
	say_final(c, done);
}

static void
flow_lookup(struct offline *c)
{
	const struct call *got;

	if (!booking_step(c, "look up a booking", "get_booking", &got))
		return;
	if (result_has(got->result, "error")) {
		say_result_error(c, got->result, NULL);
		return;
	}
	say(c, "Booking %s: %s on %s%s%s (%s).", rstr(got->result, "reference"),
	    rstr(got->result, "service") ? rstr(got->result, "service") : "your appointment",
	    rstr(got->result, "label") ? rstr(got->result, "label") : "",
	    rstr(got->result, "staff") ? " with " : "",
	    rstr(got->result, "staff") ? rstr(got->result, "staff") : "",
	    rstr(got->result, "status") ? rstr(got->result, "status") : "confirmed");
}

static void
flow_reschedule(struct offline *c)
{
	const char *ref;
	struct contact ct;
	json_t *args, *slot;
	const struct call *got, *av;
	bool *picked = arena_calloc(c->a, c->req->nmessages + 1, sizeof(bool));
	size_t pick_msg = 0;
	struct nlu_when w;
	struct want one;

	if (!need_reference(c, &ref, &ct, "move a booking"))
		return;
	args = json_pack("{s:s}", "reference", ref);
	add_verification(args, &ct);
	got = last_call(c, "get_booking", c->episode);
	if (got == NULL || !json_equal(got->args, args)) {
		if (step(c, "get_booking", args, &got))
			return;
	} else {
		json_decref(args);
	}
	if (got == NULL || result_has(got->result, "error")) {
		say_result_error(c, got ? got->result : NULL, NULL);
		return;
	}
	av = last_call(c, "check_availability", got->msg);
	slot = picked_slot(c, av, picked, &pick_msg);
	episode_when(c, &w, picked);
	if (!w.has_date && !w.has_time && w.after_min < 0 && w.before_min < 0 && av == NULL) {
		say(c, "I found your booking: %s on %s. What day and time would you like instead?",
		    rstr(got->result, "service") ? rstr(got->result, "service") : "your appointment",
		    rstr(got->result, "label") ? rstr(got->result, "label") : "");
		return;
	}
	memset(&one, 0, sizeof(one));
	one.ids[0] = rstr(got->result, "service_id");
	one.n = 1;
	args = avail_args(c, &one, &w);
	if (av == NULL || (!json_equal(av->args, args) && !picked[c->last_user])) {
		call(c, "check_availability", args);
		return;
	}
	json_decref(args);
	if (result_has(av->result, "error")) {
		say_result_error(c, av->result, NULL);
		return;
	}
	if (slot == NULL) {
		say_slots(c, av->result, av->msg < c->last_user, &w);
		return;
	}
	args = json_pack("{s:s, s:s}", "reference", ref, "new_start", rstr(slot, "start"));
	add_verification(args, &ct);
	if (rstr(slot, "staff_id"))
		json_object_set_new(args, "staff_id", json_string(rstr(slot, "staff_id")));
	if (step(c, "reschedule_booking", args, &got))
		return;
	say_final(c, got);
}

/* ---- the turn ---------------------------------------------------------------------------- */

/* A message that carries the details an open request waits for. */
static bool
continues(struct offline *c, const char *raw, const char *norm)
{
	struct nlu_when w;
	struct nlu_words ws;

	nlu_words(c->a, norm, &ws);
	/* A short message in a request under way may be the name just asked
	 * for ("It's Grace Hope"); longer ones must say it is a name. */
	return nlu_extract_email(c->a, raw) || nlu_extract_phone(c->a, raw, c->cc) ||
	    nlu_extract_reference(c->a, raw) || when_of(c, raw, &w) ||
	    nlu_parse_time_only(c->a, norm) >= 0 ||
	    nlu_extract_name(c->a, raw, ws.n >= 2 && ws.n <= 4 && strchr(raw, '?') == NULL) !=
	    NULL || service_named(c, norm) >= 0;
}

/* The request under way goes on: the customer is answering its questions. */
static void
continue_goal(struct offline *c, enum nlu_intent goal)
{
	if (goal == NLU_BOOK)
		flow_book(c);
	else if (goal == NLU_CANCEL)
		flow_cancel(c);
	else if (goal == NLU_RESCHEDULE)
		flow_reschedule(c);
	else
		flow_lookup(c);
}

/* A question with a day or a time that names no service, asked when no
 * request is under way ("Can I pay by card tomorrow?"): an FAQ that
 * answers what it is about (its words but the day and time) wins over
 * starting a booking; with none, it is a booking
 * ("anything free tomorrow at 10?"). The services are read first, so a
 * service named ("haircut on Friday?") books without an FAQ search. True
 * when the turn's answer is decided: a call made, or the FAQ answered. */
/* The words of norm that do not, alone, say a day or a time: what a
 * question is about ("pay by card" of "can I pay by card tomorrow"). */
static const char *
without_when_words(struct offline *c, const char *norm)
{
	struct nlu_words ws;
	struct nlu_when w;
	const char *out = "";

	nlu_words(c->a, norm, &ws);
	for (size_t i = 0; i < ws.n; i++)
		if (!when_of(c, ws.w[i], &w) || !(w.has_date || w.has_time))
			out = arena_printf(c->a, "%s%s%s", out, *out ? " " : "", ws.w[i]);
	return out;
}

static bool
faq_before_booking(struct offline *c, const char *norm)
{
	const struct call *g, *f;
	json_t *top;
	char q[301];

	if (!tool_offered(c, "search_faqs") || asks_waitlist(c, norm))
		return false;
	if (services_of(c) == NULL && step(c, "get_services", json_object(), &g))
		return true;
	if (service_named(c, norm) >= 0)
		return false;
	faq_query(without_when_words(c, norm), q, sizeof(q));
	if (q[0] == '\0' || step(c, "search_faqs", json_pack("{s:s}", "query", q), &f))
		return q[0] != '\0';
	top = json_array_get(json_object_get(f->result, "results"), 0);
	if (top == NULL || json_number_value(json_object_get(top, "score")) < FAQ_MIN_SCORE)
		return false;
	answer_faq(c, f->result);
	return true;
}

static void
decide(struct offline *c)
{
	const char *raw, *norm;
	enum nlu_intent it, goal;
	const struct call *p;

	if (!c->have_user) {
		say_help(c);
		return;
	}
	raw = user_text(c, c->last_user);
	norm = nlu_normalize(c->a, raw ? raw : "");
	it = nlu_classify(c->a, norm);
	find_episode(c);

	/* A proposal waiting for the customer: only their own yes repeats the
	 * call (and the engine checks that yes again itself). */
	p = pending(c);
	if (p != NULL && p->msg < c->last_user) {
		enum nlu_confirm conf = nlu_confirmation(c->a, raw);

		if (conf == NLU_CONFIRM_YES) {
			const struct call *d;

			if (!step(c, p->name, json_deep_copy(p->args), &d))
				say_final(c, d);
			return;
		}
		if (conf == NLU_CONFIRM_NO && it != NLU_CANCEL && it != NLU_RESCHEDULE &&
		    !continues(c, raw, norm)) {
			say(c, "%s", c->lang->say.declined);
			return;
		}
	}

	goal = episode_goal(c);
	if (goal == NLU_NONE || goal == NLU_BOOK) {
		enum nlu_intent said = it;

		it = books_without_verb(c, raw ? raw : "", it);
		if (it == NLU_BOOK && said != NLU_BOOK && goal_before(c, c->last_user) == NLU_NONE &&
		    faq_before_booking(c, norm))
			return;
	}
	switch (it) {
	case NLU_HUMAN:
		if (!tool_offered(c, "handoff_to_human")) {
			say(c, "I'm not able to connect you with a person here, but I can help with "
			    "bookings and questions.");
			return;
		}
		if (!step(c, "handoff_to_human", json_pack("{s:s}", "reason",
		    "The customer asked to talk to a person."), &p))
			say_final(c, p);
		return;
	case NLU_CANCEL:
		flow_cancel(c);
		return;
	case NLU_RESCHEDULE:
		flow_reschedule(c);
		return;
	case NLU_LOOKUP:
		flow_lookup(c);
		return;
	case NLU_BOOK:
		flow_book(c);
		return;
	default:
		break;
	}
	/* Details for the request under way ("4:30", "Jane, jane@x.com", "my
	 * nails done" — which must not read as "donde", where). */
	if (goal != NLU_NONE && (it == NLU_NONE || it == NLU_FAQ || it == NLU_GREETING ||
	    it == NLU_THANKS || ((it == NLU_LOCATION || it == NLU_HOURS) &&
	    service_named(c, norm) >= 0)) && (continues(c, raw, norm) ||
	    (goal == NLU_BOOK && nlu_confirmation(c->a, raw) != NLU_CONFIRM_NONE))) {
		continue_goal(c, goal);
		return;
	}
	switch (it) {
	case NLU_HOURS:
	case NLU_LOCATION: {
		const struct call *g;

		if (step(c, "get_business_info", json_object(), &g))
			return;
		if (it == NLU_HOURS)
			answer_hours(c, g->result);
		else
			answer_location(c, g->result);
		return;
	}
	case NLU_PRICES:
	case NLU_SERVICES:
		if (services_of(c) == NULL) {
			const struct call *g;

			if (step(c, "get_services", json_object(), &g))
				return;
		}
		answer_services(c, services_of(c), it == NLU_PRICES, norm);
		return;
	case NLU_FAQ: {
		const struct call *f;
		char q[301];

		faq_query(norm, q, sizeof(q));
		if (step(c, "search_faqs", json_pack("{s:s}", "query", q[0] ? q : "help"), &f))
			return;
		answer_faq(c, f->result);
		return;
	}
	case NLU_THANKS:
		say(c, "%s", c->tone == TONE_CONCISE && c->lang == &ai_lang_en ? "You're welcome." :
		    c->lang->say.thanks);
		return;
	case NLU_GREETING:
		if (c->tone == TONE_CONCISE && c->lang == &ai_lang_en)
			say(c, "Hi! How can I help?");
		else
			say(c, c->lang->say.greeting, c->business ?
			    arena_printf(c->a, c->lang->say.welcome, c->business) : "");
		return;
	default:
		if (goal != NLU_NONE) {
			continue_goal(c, goal);
			return;
		}
		say(c, c->lang->say.not_understood, sorry_word(c));
		return;
	}
}

/* Without tools (the engine's last word after too many calls): say what the
 * last result says, or ask the customer to go on. */
static void
decide_without_tools(struct offline *c)
{
	for (size_t k = c->ncalls; k-- > 0;) {
		const struct call *cl = &c->calls[k];
		const char *raw;

		if (cl->msg < c->last_user || cl->result == NULL)
			break;
		raw = user_text(c, c->last_user);
		if (result_has(cl->result, "error"))
			break;
		if (strcmp(cl->name, "check_availability") == 0)
			say_slots(c, cl->result, false, NULL);
		else if (strcmp(cl->name, "get_services") == 0)
			answer_services(c, json_object_get(cl->result, "services"), false,
			    nlu_normalize(c->a, raw ? raw : ""));
		else if (strcmp(cl->name, "get_business_info") == 0)
			answer_hours(c, cl->result);
		else if (strcmp(cl->name, "search_faqs") == 0)
			answer_faq(c, cl->result);
		else
			say_final(c, cl);
		return;
	}
	say(c, "Sorry, I couldn't finish that. Could you tell me again what you'd like to do?");
}

static size_t
request_chars(const struct llm_request *r)
{
	size_t n = (r->system_static ? strlen(r->system_static) : 0) +
	    (r->system_dynamic ? strlen(r->system_dynamic) : 0);

	for (size_t i = 0; i < r->nmessages; i++) {
		n += r->messages[i].content ? strlen(r->messages[i].content) : 0;
		for (size_t k = 0; k < r->messages[i].ntool_calls; k++)
			n += r->messages[i].tool_calls[k].arguments ?
			    strlen(r->messages[i].tool_calls[k].arguments) : 0;
	}
	for (size_t i = 0; i < r->ntools; i++)
		n += strlen(r->tools[i].parameters ? r->tools[i].parameters : "") +
		    strlen(r->tools[i].description ? r->tools[i].description : "");
	return n;
}

static enum status
offline_complete(struct llm_provider *self, struct arena *a, const struct llm_request *req,
    const struct llm_stream *stream, struct llm_response *out, struct err *e)
{
	struct offline *c = arena_calloc(a, 1, sizeof(*c));
	int delay = atomic_load(&stream_delay_ms);

	(void)self;
	memset(out, 0, sizeof(*out));
	c->a = a;
	c->req = req;
	c->out = out;
	read_context(c);
	c->lang = reply_lang(c);
	if (req->ntools == 0)
		decide_without_tools(c);
	else
		decide(c);

	out->provider = "offline";
	out->model = AI_OFFLINE_MODEL;
	out->input_tokens = (int)(request_chars(req) / 4 + 1);
	if (c->call_name != NULL) {
		char *args = json_dumps(c->call_args, JSON_COMPACT | JSON_SORT_KEYS);

		if (args == NULL)
			return err_set(e, ST_INTERNAL, "offline: cannot encode tool arguments");
		out->tool_calls = arena_calloc(a, 1, sizeof(*out->tool_calls));
		out->tool_calls[0].id = arena_printf(a, "call_offline_%zu_%zu", req->nmessages,
		    c->ncalls);
		out->tool_calls[0].name = c->call_name;
		out->tool_calls[0].arguments = arena_strdup(a, args);
		free(args);
		out->ntool_calls = 1;
		out->text = "";
		out->output_tokens = (int)(strlen(out->tool_calls[0].arguments) / 4 + 4);
		return ST_OK;
	}
	out->text = c->text ? c->text : "";
	out->states_proposal = c->states_proposal;
	out->output_tokens = (int)(strlen(out->text) / 4 + 1);
	if (stream != NULL && stream->on_text != NULL && out->text[0] != '\0') {
		/* Word by word, like a model streams; stop when the client left. */
		const char *p = out->text;

		while (*p) {
			const char *q = p;

			while (*q == ' ')
				q++;
			while (*q && *q != ' ')
				q++;
			if (req->cancelled != NULL && atomic_load(req->cancelled))
				return err_set(e, ST_UNAVAILABLE, "the client went away");
			stream->on_text(stream->ud, p, (size_t)(q - p));
			p = q;
			if (delay > 0 && *p) {
				struct timespec ts = { delay / 1000, (long)(delay % 1000) * 1000000L };

				nanosleep(&ts, NULL);
			}
		}
	}
	return ST_OK;
}

static void
offline_free(struct llm_provider *self)
{
	(void)self;
}

static struct llm_provider shared = { "offline", offline_complete, offline_free, NULL };

struct llm_provider *
ai_offline_new(struct arena *a)
{
	struct llm_provider *p;

	if (a == NULL)
		return &shared;
	p = arena_alloc(a, sizeof(*p));
	*p = shared;
	return p;
}
