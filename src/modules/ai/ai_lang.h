/* ai_lang.h — the languages of the built-in receptionist, as data.
 *
 * Everything that differs between languages lives in one constant struct
 * per language (ai_lang_en.c, ai_lang_es.c): the words people use for days,
 * months, numbers, parts of the day and "next week", words that mark a
 * message as written in that language, a small glossary from the
 * language's service words to the catalogue's, and the reply templates.
 * The understanding (ai_nlu.c) reads the tables of every language at once,
 * so a customer may mix them; the dialogue (ai_offline.c) answers in the
 * language of the customer's message. A third language is a third data
 * file added to the list in ai_lang.c, not new code.
 *
 * Word lists hold normalised words (nlu_normalize: lower case, no accents)
 * and end with NULL. Reply templates are printf formats whose %s
 * arguments are fixed per template (documented at each field). */
#ifndef AI_LANG_H
#define AI_LANG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

/* A word of the language and what it means in the catalogue's words
 * ("corte" → "haircut"), or in the understanding's ("pasado" …). */
struct ai_lang_gloss {
	const char *word;
	const char *means;
};

/* The replies of the booking dialogue. Arguments in order: */
struct ai_lang_replies {
	const char *ok;			/* "Great!" */
	const char *sorry;		/* "Sorry," */
	const char *or_word;		/* " or " between the last two of a list */
	const char *and_word;		/* " and " */
	const char *with;		/* " with " before a staff member's name */
	const char *which_one;		/* "Which one works for you?" */
	const char *ask_service;	/* the services list */
	const char *ask_when;		/* service */
	const char *slots;		/* intro (ok word or note), service, slot list */
	const char *slots_again;	/* slot list */
	const char *none_free;		/* sorry word, why */
	const char *ask_name_contact;	/* slot label */
	const char *ask_name;		/* slot label */
	const char *ask_contact;	/* slot label */
	const char *confirm;		/* service, day, time, with, staff, name, contact,
					 * price */
	const char *booked;		/* service, day, time, with, staff, reference */
	const char *which_date;		/* first day, second day */
	/* The waitlist, when no time suits. part is one of part_names. */
	const char *part_names[4];	/* after a day: any, morning, afternoon, evening */
	const char *waitlist_offer;	/* service, day, part */
	const char *waitlist_ask;	/* service, day, part: name and contact wanted */
	const char *waitlist_confirm;	/* name, contact, service, day, part */
	const char *waitlisted;		/* service, day, part, contact */
	const char *waitlist_already;	/* service, day, part */
	const char *declined;
	const char *not_understood;	/* sorry word */
	const char *help;
	const char *greeting;		/* the welcome below, or "" */
	const char *welcome;		/* business name: ", welcome to X" */
	const char *thanks;
	/* Why the time asked for is not offered. */
	const char *closed_day;		/* day */
	const char *after_close;	/* day, closing time, latest start */
	const char *before_open;	/* day, opening time */
	const char *taken;		/* day, time */
	const char *too_soon;		/* earliest time */
	const char *nearest;		/* slot list */
};

struct ai_lang {
	const char *code;			/* BCP 47: "en" */
	/* Understanding. Weekdays Monday first. */
	const char *const *weekdays[7];
	const char *const *months[12];
	const char *const *numbers;		/* numbers[k] is k in words, "" when none */
	const char *const *markers;		/* words that show the language */
	const char *const *time_leads;		/* "at", "around": a bare number after is a time */
	const char *const *this_words;		/* "this" before a weekday */
	const char *const *next_words;		/* "next" before a weekday */
	const char *const *next_week;		/* "next week" phrases */
	const char *const *in_words;		/* "in" of "in two weeks" */
	const char *const *day_words;		/* "day", "days" */
	const char *const *week_words;		/* "week", "weeks" */
	const char *const *half_past;		/* after the hour: +30 ("y media") */
	const char *const *quarter_past;	/* after the hour: +15 ("y cuarto") */
	const char *const *am_phrases;		/* after a time: "in the morning" */
	const char *const *pm_phrases;		/* "in the afternoon", "de la tarde" */
	const char *const *mornings;		/* part-of-day phrases */
	const char *const *afternoons;
	const char *const *evenings;
	const char *const *book_words;		/* what says "I want an appointment" */
	const char *const *corrections;		/* "sorry, I mean": a later time wins */
	const char *const *yes_words;		/* a confirmation may start with these */
	const char *const *no_words;		/* any of these declines */
	/* Several services and add-ons in one request: "a haircut and a beard
	 * trim", "a haircut with a hair wash", "without the wash". */
	const char *const *and_words;
	const char *const *with_words;
	const char *const *without_words;
	const char *const *waitlist_words;	/* phrases that ask for the waitlist */
	const struct ai_lang_gloss *glossary;	/* ends with { NULL, NULL } */
	/* Writing dates and times. */
	const char *const *day_names;		/* 7, Monday first, as written */
	const char *const *month_names;		/* 12 */
	bool day_before_month;			/* "martes 15 de diciembre" */
	const char *month_join;			/* " de " between day and month, or " " */
	bool clock24;				/* "15:30" rather than "3:30 PM" */
	const char *time_join;			/* " at " between a day and a time */
	const struct ai_lang_replies say;
};

/* The data files. W() builds a NULL-terminated word list. */
#define AI_LANG_W(...) ((const char *const[]){ __VA_ARGS__, NULL })
extern const struct ai_lang ai_lang_en;
extern const struct ai_lang ai_lang_es;

/* The languages, the first being the default of last resort. */
const struct ai_lang *const *ai_lang_all(size_t *n);
/* By code; NULL when not built in. */
const struct ai_lang *ai_lang_find(const char *code);
/* A business's default language from its ISO country ("ES", "MX" → es). */
const struct ai_lang *ai_lang_for_country(const char *country);

/* The language a normalised message is written in: the language with the
 * most marker words, NULL when no language has any (a name, a time, an
 * e-mail address say nothing about the language). */
const struct ai_lang *ai_lang_detect(struct arena *a, const char *norm);

/* Whether normalised word w is one of the NULL-terminated list. */
bool ai_lang_in(const char *const *list, const char *w);
/* Whether the NULL-terminated phrase list has a phrase that starts at word
 * i of ws (words as nlu_words cuts them); *len gets its word count. */
bool ai_lang_phrase_at(const char *const *phrases, const char *const *ws, size_t n, size_t i,
    size_t *len);
/* The number a word names in any language ("two", "dos"), or -1. */
int ai_lang_number(const char *w);

/* "Tuesday, December 15" / "martes 15 de diciembre" for a day number. */
void ai_lang_format_day(const struct ai_lang *l, int32_t day, char *out, size_t outsz);
/* "3:30 PM" / "15:30" for a minute of the day. */
void ai_lang_format_time(const struct ai_lang *l, int minute, char *out, size_t outsz);

#endif
