/* ai_lang.c — the list of built-in languages and the few functions that
 * read their tables (see ai_lang.h). Nothing here knows a word of any
 * language: that is in ai_lang_<code>.c. */
#include "modules/ai/ai_lang.h"

#include <stdio.h>
#include <string.h>

#include "core/time.h"
#include "modules/ai/ai_nlu.h"

/* The first is the fallback when neither the message nor the business
 * says otherwise. A new language: its data file, and one line here. */
static const struct ai_lang *const langs[] = { &ai_lang_en, &ai_lang_es };

/* Countries whose businesses speak Spanish to customers by default. */
static const char *const spanish_countries[] = { "ES", "MX", "AR", "CO", "CL", "PE", "VE",
	"EC", "GT", "CU", "BO", "DO", "HN", "PY", "SV", "NI", "CR", "PA", "UY", NULL };

const struct ai_lang *const *
ai_lang_all(size_t *n)
{
	*n = sizeof(langs) / sizeof(langs[0]);
	return langs;
}

const struct ai_lang *
ai_lang_find(const char *code)
{
	for (size_t i = 0; code != NULL && i < sizeof(langs) / sizeof(langs[0]); i++)
		if (strcmp(langs[i]->code, code) == 0)
			return langs[i];
	return NULL;
}

const struct ai_lang *
ai_lang_for_country(const char *country)
{
	for (const char *const *c = spanish_countries; country != NULL && *c; c++)
		if (strcmp(*c, country) == 0)
			return &ai_lang_es;
	return langs[0];
}

bool
ai_lang_in(const char *const *list, const char *w)
{
	for (; list != NULL && *list != NULL; list++)
		if (strcmp(*list, w) == 0)
			return true;
	return false;
}

bool
ai_lang_phrase_at(const char *const *phrases, const char *const *ws, size_t n, size_t i,
    size_t *len)
{
	for (; phrases != NULL && *phrases != NULL; phrases++) {
		const char *p = *phrases;
		size_t k = i;

		/* Match the phrase word by word against ws[i…]. */
		while (*p != '\0' && k < n) {
			size_t wl = strlen(ws[k]);

			if (strncmp(p, ws[k], wl) != 0 || (p[wl] != ' ' && p[wl] != '\0'))
				break;
			p += wl;
			k++;
			if (*p == ' ')
				p++;
			else
				break;
		}
		if (*p == '\0' && k > i) {
			*len = k - i;
			return true;
		}
	}
	return false;
}

int
ai_lang_number(const char *w)
{
	for (size_t l = 0; l < sizeof(langs) / sizeof(langs[0]); l++)
		for (int k = 1; langs[l]->numbers[k] != NULL; k++)
			if (strcmp(langs[l]->numbers[k], w) == 0)
				return k;
	return -1;
}

const struct ai_lang *
ai_lang_detect(struct arena *a, const char *norm)
{
	struct nlu_words ws;
	const struct ai_lang *best = NULL;
	size_t best_n = 0;

	nlu_words(a, norm, &ws);
	for (size_t l = 0; l < sizeof(langs) / sizeof(langs[0]); l++) {
		size_t hits = 0;

		for (size_t i = 0; i < ws.n; i++)
			hits += ai_lang_in(langs[l]->markers, ws.w[i]);
		/* A tie keeps the earlier language: "a" and "me" are in both. */
		if (hits > best_n) {
			best_n = hits;
			best = langs[l];
		}
	}
	return best;
}

void
ai_lang_format_day(const struct ai_lang *l, int32_t day, char *out, size_t outsz)
{
	int y, m, d;
	const char *wd = l->day_names[tz_iso_weekday(day) - 1];

	tz_civil_from_days(day, &y, &m, &d);
	if (l->day_before_month)
		snprintf(out, outsz, "%s %d%s%s", wd, d, l->month_join, l->month_names[m - 1]);
	else
		snprintf(out, outsz, "%s, %s%s%d", wd, l->month_names[m - 1], l->month_join, d);
}

void
ai_lang_format_time(const struct ai_lang *l, int minute, char *out, size_t outsz)
{
	if (l->clock24)
		snprintf(out, outsz, "%d:%02d", minute / 60 % 24, minute % 60);
	else
		nlu_format_time(minute, out, outsz);
}
