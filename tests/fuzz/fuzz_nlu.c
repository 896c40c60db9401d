/* fuzz_nlu.c — the offline receptionist's understanding of what a
 * customer types: nlu_normalize, then dates and times (nlu_parse_when,
 * nlu_parse_time_only) and the friends that read the same text (intents,
 * contact details, references, confirmation). Input: byte 0 = day-first
 * flag, bytes 1–2 = today (days after 2000-01-01), then the message.
 * Properties (ai_nlu.h): normalised text is UTF-8, trimmed, single-
 * spaced; minutes are 0 … 1439 (before_min up to 1440) or -1; an
 * extracted phone is E.164 and an extracted e-mail passes addr_email_ok;
 * the day understood can be labelled.
 * (SOURCES is one line: scripts/fuzz reads the first line only.)
 * SOURCES: src/modules/ai/ai_nlu.c src/modules/ai/ai_lang.c src/modules/ai/ai_lang_en.c src/modules/ai/ai_lang_es.c src/core/time.c src/core/arena.c src/core/status.c src/core/addr.c
 * PKGS: icu-uc icu-i18n jansson
 */
#include "fuzz.h"

#include <jansson.h>

#include "core/addr.h"
#include "core/time.h"
#include "modules/ai/ai_nlu.h"

static bool
minute_ok(int m, int max)
{
	return m == -1 || (m >= 0 && m <= max);
}

static void
check_norm(const char *norm)
{
	json_t *j = json_string(norm);
	size_t n = strlen(norm);

	FUZZ_CHECK(j != NULL);
	json_decref(j);
	FUZZ_CHECK(n == 0 || (norm[0] != ' ' && norm[n - 1] != ' '));
	FUZZ_CHECK(strstr(norm, "  ") == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const services[] = { "haircut", "beard trim", "colour and cut",
	    "kids cut", NULL };
	struct arena a;
	struct nlu_when w;
	struct nlu_words words;
	int32_t today;
	bool day_first;
	char *raw, *norm, *p, label[64];
	double score;

	if (size < 3)
		return 0;
	day_first = data[0] & 1;
	today = tz_days_from_civil(2000, 1, 1) + (data[1] | data[2] << 8);
	raw = fuzz_cstr(data + 3, size - 3);
	arena_init(&a, 4096);

	norm = nlu_normalize(&a, raw);
	FUZZ_CHECK(norm != NULL);
	check_norm(norm);

	memset(&w, 0x5a, sizeof(w));
	if (nlu_parse_when(&a, norm, today, day_first, &w)) {
		if (w.has_time)
			FUZZ_CHECK(w.minute >= 0 && w.minute <= 1439);
		FUZZ_CHECK(minute_ok(w.after_min, 1439) && minute_ok(w.before_min, 1440));
		if (w.has_date) {
			nlu_format_day(w.day, label, sizeof(label));
			nlu_format_day_short(w.day, label, sizeof(label));
		}
		if (w.has_time)
			nlu_format_time(w.minute, label, sizeof(label));
	}
	FUZZ_CHECK(minute_ok(nlu_parse_time_only(&a, norm), 1439));

	(void)nlu_intent_name(nlu_classify(&a, norm));
	(void)nlu_wants_human(&a, norm);
	nlu_words(&a, norm, &words);
	FUZZ_CHECK(words.n <= NLU_MAX_WORDS);
	FUZZ_CHECK(nlu_word_line(&a, norm) != NULL);
	(void)nlu_best_match(&a, norm, services, 4, 0.5, &score);
	score = nlu_faq_score(&a, norm, "what are your opening hours", "we open at nine");
	FUZZ_CHECK(score >= 0.0 && score <= 1.0);

	if ((p = nlu_extract_phone(&a, raw, "1")) != NULL)
		FUZZ_CHECK(addr_e164_ok(p));
	if ((p = nlu_extract_email(&a, raw)) != NULL)
		FUZZ_CHECK(addr_email_ok(p));
	(void)nlu_extract_name(&a, raw, data[0] & 2);
	if ((p = nlu_extract_reference(&a, raw)) != NULL)
		FUZZ_CHECK(strlen(p) == 6);
	(void)nlu_confirmation(&a, raw);

	arena_free(&a);
	free(raw);
	return 0;
}
