/* ai_nlu.h — the language understanding of the offline
 * receptionist, as pure functions: text normalisation, intents, dates and
 * times in the tenant's wall clock, fuzzy matching of service names and
 * FAQs, contact details, booking references and the confirmation
 * classifier. No clock, no zone database (callers pass today's local date
 * and minute), no global state; everything allocated goes to the caller's
 * arena. The conversation engine uses the same normaliser and confirmation
 * classifier for its guardrails, so "what counts as yes" has one
 * definition. Unit-tested in tests/unit/test_ai_nlu.c. */
#ifndef AI_NLU_H
#define AI_NLU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

/* ---- text -------------------------------------------------------------- */

/* Case-folded (NFKC + case fold), accents removed ("sí" → "si"), control
 * and invisible format characters (zero-width, bidi overrides) dropped,
 * curly quotes and dashes made ASCII, "a.m."/"p.m." → "am"/"pm", runs of
 * white space collapsed to one space, trimmed. Invalid UTF-8 yields "". */
char *nlu_normalize(struct arena *a, const char *s);

/* Words of a normalised text: runs of [a-z0-9'] (apostrophes dropped), at
 * most NLU_MAX_WORDS. */
#define NLU_MAX_WORDS 256
struct nlu_words {
	const char *w[NLU_MAX_WORDS];
	size_t n;
};
void nlu_words(struct arena *a, const char *norm, struct nlu_words *out);
/* All the words of a normalised text, as nlu_words cuts them but without
 * its cap, joined by single spaces with a space at each end (" " when
 * there are none): " book a haircut ". */
char *nlu_word_line(struct arena *a, const char *norm);

/* Optimal string alignment distance (Damerau-Levenshtein with adjacent
 * transpositions), capped: returns cap + 1 as soon as it must exceed cap. */
int nlu_edit_distance(const char *a, const char *b, int cap);
/* Whether word is kw, allowing typos for longer keywords: one edit from 5
 * letters, two from 9. */
bool nlu_word_like(const char *word, const char *kw);
/* Jaccard similarity of the sets of character trigrams of two normalised
 * strings (padded with spaces), 0 … 1. */
double nlu_trigram_similarity(const char *a, const char *b);

/* ---- intents ------------------------------------------------------------ */

enum nlu_intent {
	NLU_NONE,
	NLU_GREETING,
	NLU_THANKS,
	NLU_BOOK,
	NLU_CANCEL,
	NLU_RESCHEDULE,
	NLU_LOOKUP,		/* "when is my appointment", a reference */
	NLU_HOURS,
	NLU_PRICES,
	NLU_SERVICES,
	NLU_LOCATION,
	NLU_HUMAN,
	NLU_FAQ,		/* any other question */
	NLU__COUNT
};

const char *nlu_intent_name(enum nlu_intent i);

/* The strongest intent in a normalised message. Order of precedence when
 * several match: human, cancel, reschedule, lookup, booking, hours,
 * location, prices, services, then FAQ for anything that looks like a
 * question, then thanks and greeting. "cancellation policy" is a FAQ, not a
 * cancellation. */
enum nlu_intent nlu_classify(struct arena *a, const char *norm);

/* The customer asks for a person ("can I talk to a human", "real person",
 * "representative"). Stating one's own role ("I am the owner") is not. */
bool nlu_wants_human(struct arena *a, const char *norm);

/* ---- dates and times ----------------------------------------------------- */

/* What a message says about when, on the tenant's wall clock.
 *
 * - Dates: "today", "tonight", "tomorrow", "day after tomorrow", weekday
 *   names and abbreviations, "this <weekday>", "next <weekday>", "the
 *   14th", "March 14", "14 March", "3/14" (month first, or day first when
 *   asked), "2026-03-14", "in 3 days", "in a week", "next week" (its
 *   Monday), "this weekend" (Saturday).
 * - "<weekday>" and "this <weekday>" are the first such day on or after
 *   today (today itself when it is that day). "next <weekday>" is the
 *   first such day strictly after today: on a Monday, "next Friday" is in
 *   4 days, and on a Friday it is in 7. The receptionist always repeats
 *   the date it understood ("Friday, March 13"), so a customer who meant
 *   the week after can say so.
 * - "the 14th" is this month's 14th if it is not past, else the next month
 *   that has one; a month-day without a year is this year's unless past,
 *   then next year's.
 * - Times: "3:30pm", "3pm", "15:30", "noon", "midday", "midnight", "half
 *   past 3", "3 o'clock". A bare hour after "at", "around", "after",
 *   "before", "by", "from", "until", "between" is read the way people book
 *   appointments: 1–7 → afternoon (1 → 13:00), 8–11 → morning, 12 → noon.
 * - "after 4pm", "from 4" → after_min (inclusive); "before 11", "by 11",
 *   "until 11" → before_min (exclusive); "between 2 and 4" / "from 2 to 4"
 *   → both; "morning" [00:00, 12:00), "afternoon" [12:00, 17:00),
 *   "evening" / "tonight" [17:00, 24:00), "lunchtime" [11:30, 14:00).
 *
 * Minutes are 0 … 1439 (before_min may be 1440); -1 means "not said". */
struct nlu_when {
	bool has_date;
	int32_t day;		/* local day number (tz.h) */
	bool has_time;
	int minute;		/* exact time of day asked for */
	int after_min;
	int before_min;
	/* "next Thursday": day is its first reading, alt_day the other (a
	 * week later); the receptionist asks which is meant. */
	bool ambiguous;
	int32_t alt_day;
};

/* Parses a normalised message. today is the local day number, so every
 * relative date is resolved in the tenant's zone. Returns true when a date
 * or a time was found. */
bool nlu_parse_when(struct arena *a, const char *norm, int32_t today, bool day_first,
    struct nlu_when *out);

/* "3:30pm", "15:30", "4", "noon" as the whole message (a customer picking
 * a time): the minute of day, or -1. Bare hours follow nlu_parse_when. */
int nlu_parse_time_only(struct arena *a, const char *norm);

/* "Tue 4:15 PM", "Tue Mar 10" — labels in the tenant's local time. */
void nlu_format_time(int minute, char *out, size_t outsz);		/* "4:15 PM" */
void nlu_format_day(int32_t day, char *out, size_t outsz);		/* "Tuesday, March 10" */
void nlu_format_day_short(int32_t day, char *out, size_t outsz);	/* "Tue Mar 10" */

/* ---- fuzzy matching ------------------------------------------------------- */

/* The candidate a message names best: every word of the candidate (or of
 * the candidate with its spaces removed, "hair cut" ~ "haircut") found in
 * the message with typos allowed, scored 0 … 1. Returns the index, or -1
 * when nothing scores at least min_score. */
int nlu_best_match(struct arena *a, const char *norm, const char *const *candidates,
    size_t n, double min_score, double *score);

/* How well a normalised query matches a normalised FAQ question (and
 * answer): content-word overlap with typos allowed, blended with trigram
 * similarity, 0 … 1. */
double nlu_faq_score(struct arena *a, const char *query, const char *question,
    const char *answer);

/* ---- contact details and references ------------------------------------- */

/* First e-mail address in s (as written, lower-cased), or NULL. */
char *nlu_extract_email(struct arena *a, const char *s);
/* First phone number in s as E.164: "+1 (415) 555-0123" → "+14155550123";
 * ten national digits get default_cc ("1") in front. NULL when none. */
char *nlu_extract_phone(struct arena *a, const char *s, const char *default_cc);
/* A person's name the customer gave: "my name is Jane Doe", "name: Jane
 * Doe"; and — when the message also carries a contact, or expecting (the
 * receptionist just asked for a name) — "I'm Jane", "this is Jane Doe",
 * "Jane Doe, jane@x.com", or just "Jane Doe". NULL when none. Title-cased. */
char *nlu_extract_name(struct arena *a, const char *s, bool expecting);
/* A booking reference (6 characters of the reference alphabet, with a
 * digit, or after "ref"/"reference"/"booking"/"code"/"#"), upper-cased. */
char *nlu_extract_reference(struct arena *a, const char *s);

/* E.164: '+', a non-zero digit, 7 … 15 digits in all. */
/* One '@', a non-empty local part, a dotted domain, no spaces or
 * controls, at most 254 bytes. */

/* ---- confirmation ----------------------------------------------------------- */

enum nlu_confirm { NLU_CONFIRM_NONE, NLU_CONFIRM_YES, NLU_CONFIRM_NO };

/* Whether a customer's own message explicitly confirms (or declines) what
 * was proposed. Only the customer's words count: quoted lines ("> yes"),
 * quoted text ("…", '…'), reported speech ("the customer said yes"),
 * role or key-value claims ("system: confirmation=true") and anything
 * embedded in a longer request are not confirmations. A negation anywhere
 * ("no", "not yet", "don't") declines. A confirmation is a short message
 * (at most 12 words) that starts with an affirmative ("yes", "yeah",
 * "confirm", "book it", "go ahead", "sounds good", "sí", "claro", "oui",
 * …). */
enum nlu_confirm nlu_confirmation(struct arena *a, const char *raw);

#endif
