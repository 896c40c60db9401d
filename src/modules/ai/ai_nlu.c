/* ai_nlu.c — the offline receptionist's language understanding:
 * pure functions over normalised text (see the header for the rules). */
#include "modules/ai/ai_nlu.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "core/addr.h"

#include "core/time.h"
#include "modules/ai/ai_lang.h"

/* Messages and replies (16 KiB) are capped long before this; a longer text
 * is cut, not refused. Buffers are sized to the text, not to this: the leak
 * filter normalises every streamed reply many times. */
#define NORM_MAX_UNITS 65536

/* ---- text ------------------------------------------------------------------ */

static UChar32
map_punct(UChar32 c)
{
	switch (c) {
	case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2032: case 0x00B4:
	case 0x0060:
		return '\'';
	case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x00AB: case 0x00BB:
	case 0x2033: case 0x300C: case 0x300D: case 0x300E: case 0x300F:
		return '"';
	case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015:
	case 0x2212:
		return '-';
	case 0x2026:
		return '.';
	default:
		return c;
	}
}

/* Replaces every occurrence of from (same length or longer than to) in s. */
static void
replace_all(char *s, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to);
	char *p = s;

	while ((p = strstr(p, from)) != NULL) {
		memcpy(p, to, tl);
		memmove(p + tl, p + fl, strlen(p + fl) + 1);
		p += tl;
	}
}

/* nz applied to src[0, n) in a buffer sized for the result; -1 on failure
 * (including a result over NORM_MAX_UNITS). */
static int32_t
normalize_into(struct arena *a, const UNormalizer2 *nz, const UChar *src, int32_t n, UChar **out)
{
	UErrorCode ec = U_ZERO_ERROR;
	int32_t cap = n < NORM_MAX_UNITS / 2 - 16 ? n * 2 + 16 : NORM_MAX_UNITS, got;

	*out = arena_alloc(a, (size_t)cap * sizeof(UChar));
	got = unorm2_normalize(nz, src, n, *out, cap, &ec);
	if (ec == U_BUFFER_OVERFLOW_ERROR && got <= NORM_MAX_UNITS) {
		/* Rare: an expansion of more than 2×. */
		ec = U_ZERO_ERROR;
		cap = got;
		*out = arena_alloc(a, (size_t)cap * sizeof(UChar));
		got = unorm2_normalize(nz, src, n, *out, cap, &ec);
	}
	return U_FAILURE(ec) ? -1 : got;
}

char *
nlu_normalize(struct arena *a, const char *s)
{
	UErrorCode ec = U_ZERO_ERROR;
	const UNormalizer2 *nfkc = unorm2_getNFKCCasefoldInstance(&ec);
	const UNormalizer2 *nfd = unorm2_getNFDInstance(&ec);
	UChar *src, *tmp, *dec;
	int32_t n = 0, m, k, i, srccap;
	char *out, *w;
	size_t cap, bytes;

	if (U_FAILURE(ec) || s == NULL)
		return arena_strdup(a, "");
	/* UTF-16 never needs more units than UTF-8 has bytes. */
	bytes = strlen(s);
	srccap = bytes < NORM_MAX_UNITS ? (int32_t)bytes + 1 : NORM_MAX_UNITS;
	src = arena_alloc(a, (size_t)srccap * sizeof(UChar));
	u_strFromUTF8(src, srccap, &n, s, -1, &ec);
	if (ec == U_BUFFER_OVERFLOW_ERROR || ec == U_STRING_NOT_TERMINATED_WARNING) {
		ec = U_ZERO_ERROR;
		n = srccap;
	}
	if (U_FAILURE(ec))
		return arena_strdup(a, "");
	if ((m = normalize_into(a, nfkc, src, n, &tmp)) < 0 ||
	    (k = normalize_into(a, nfd, tmp, m, &dec)) < 0)
		return arena_strdup(a, "");
	/* Filter code points, then back to UTF-8 (≤ 4 bytes per unit pair). */
	cap = (size_t)k * 3 + 1;
	out = arena_alloc(a, cap + 1);
	w = out;
	for (i = 0; i < k;) {
		UChar32 c;
		int8_t t;

		U16_NEXT(dec, i, k, c);
		t = u_charType(c);
		if (t == U_NON_SPACING_MARK || t == U_FORMAT_CHAR || t == U_ENCLOSING_MARK)
			continue;
		if (t == U_CONTROL_CHAR || u_isUWhiteSpace(c) || t == U_UNASSIGNED ||
		    t == U_SURROGATE || t == U_PRIVATE_USE_CHAR)
			c = ' ';
		c = map_punct(c);
		if (c < 0x80) {
			*w++ = (char)c;
		} else {
			int32_t len = 0;
			UChar one[2];
			char enc[8];

			if (c > 0xffff) {
				one[0] = U16_LEAD(c);
				one[1] = U16_TRAIL(c);
				len = 2;
			} else {
				one[0] = (UChar)c;
				len = 1;
			}
			ec = U_ZERO_ERROR;
			u_strToUTF8(enc, sizeof(enc), &len, one, len, &ec);
			if (U_FAILURE(ec))
				continue;
			memcpy(w, enc, (size_t)len);
			w += len;
		}
	}
	*w = '\0';
	replace_all(out, "a.m.", "am");
	replace_all(out, "p.m.", "pm");
	/* Collapse white space and trim. */
	{
		char *r = out, *d = out;
		bool space = true;

		for (; *r; r++) {
			if (*r == ' ') {
				if (!space)
					*d++ = ' ';
				space = true;
			} else {
				*d++ = *r;
				space = false;
			}
		}
		if (d > out && d[-1] == ' ')
			d--;
		*d = '\0';
	}
	return out;
}

static bool
word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80 ||
	    (c >= 'A' && c <= 'Z');
}

/* The next word of a normalised text from *p: its first byte (NULL when
 * there is none) and its raw length in *n; *p moves past it. */
static const char *
next_word(const char **p, size_t *n)
{
	const char *s = *p, *start;

	while (*s && !word_byte((unsigned char)*s))
		s++;
	if (!*s)
		return NULL;
	start = s;
	while (*s && (word_byte((unsigned char)*s) ||
	    (*s == '\'' && word_byte((unsigned char)s[1]) && s > start)))
		s++;
	*p = s;
	*n = (size_t)(s - start);
	return start;
}

/* A word as the matchers see it: lower case, apostrophes dropped. Returns
 * the bytes written to w (at most n). */
static size_t
copy_word(char *w, const char *word, size_t n)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		if (word[i] != '\'')
			w[len++] = (char)tolower((unsigned char)word[i]);
	return len;
}

void
nlu_words(struct arena *a, const char *norm, struct nlu_words *out)
{
	const char *p = norm, *word;
	size_t n;

	out->n = 0;
	while (out->n < NLU_MAX_WORDS && (word = next_word(&p, &n)) != NULL) {
		char *w = arena_alloc(a, n + 1);

		w[copy_word(w, word, n)] = '\0';
		out->w[out->n++] = w;
	}
}

char *
nlu_word_line(struct arena *a, const char *norm)
{
	char *out = arena_alloc(a, strlen(norm) + 3), *w = out;
	const char *p = norm, *word;
	size_t n;

	*w++ = ' ';
	while ((word = next_word(&p, &n)) != NULL) {
		w += copy_word(w, word, n);
		*w++ = ' ';
	}
	*w = '\0';
	return out;
}

int
nlu_edit_distance(const char *a, const char *b, int cap)
{
	size_t la = strlen(a), lb = strlen(b);
	int d[40][40];

	if (la >= 40 || lb >= 40)
		return strcmp(a, b) == 0 ? 0 : cap + 1;
	if ((int)(la > lb ? la - lb : lb - la) > cap)
		return cap + 1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int rowmin = cap + 1;

		for (size_t j = 1; j <= lb; j++) {
			int cost = a[i - 1] != b[j - 1];
			int v = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
			if (v < rowmin)
				rowmin = v;
		}
		if (rowmin > cap)
			return cap + 1;
	}
	return d[la][lb] > cap ? cap + 1 : d[la][lb];
}

bool
nlu_word_like(const char *word, const char *kw)
{
	size_t n = strlen(kw);
	int cap = n >= 9 ? 2 : n >= 5 ? 1 : 0;

	if (strcmp(word, kw) == 0)
		return true;
	if (cap == 0)
		return false;
	/* Digits never count as typos of letters: "4pm" is not "apm". */
	for (const char *p = word; *p; p++)
		if (isdigit((unsigned char)*p))
			return false;
	return nlu_edit_distance(word, kw, cap) <= cap;
}

#define TRI_MAX 512

static size_t
trigrams(const char *s, char (*out)[4], size_t max)
{
	size_t n = 0, len = strlen(s);
	char *p = malloc(len + 3);

	if (p == NULL)
		abort();
	p[0] = ' ';
	memcpy(p + 1, s, len);
	p[len + 1] = ' ';
	p[len + 2] = '\0';
	for (size_t i = 0; i + 3 <= len + 2 && n < max; i++) {
		bool dup = false;

		for (size_t j = 0; j < n && !dup; j++)
			dup = memcmp(out[j], p + i, 3) == 0;
		if (!dup) {
			memcpy(out[n], p + i, 3);
			out[n][3] = '\0';
			n++;
		}
	}
	free(p);
	return n;
}

double
nlu_trigram_similarity(const char *a, const char *b)
{
	static _Thread_local char ta[TRI_MAX][4], tb[TRI_MAX][4];
	size_t na = trigrams(a, ta, TRI_MAX), nb = trigrams(b, tb, TRI_MAX), common = 0;

	if (na == 0 || nb == 0)
		return 0;
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++)
			if (memcmp(ta[i], tb[j], 3) == 0) {
				common++;
				break;
			}
	return (double)common / (double)(na + nb - common);
}

/* ---- word helpers ------------------------------------------------------------ */

static bool
has_word(const struct nlu_words *ws, const char *kw)
{
	for (size_t i = 0; i < ws->n; i++)
		if (nlu_word_like(ws->w[i], kw))
			return true;
	return false;
}

static bool
has_any(const struct nlu_words *ws, const char *const *kws)
{
	for (; *kws; kws++)
		if (has_word(ws, *kws))
			return true;
	return false;
}

/* A phrase of space-separated words, each matched exactly, consecutively. */
static bool
has_phrase(const struct nlu_words *ws, const char *phrase)
{
	char buf[128];
	const char *parts[8];
	size_t np = 0;
	char *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", phrase);
	for (tok = strtok_r(buf, " ", &save); tok && np < 8; tok = strtok_r(NULL, " ", &save))
		parts[np++] = tok;
	for (size_t i = 0; i + np <= ws->n; i++) {
		size_t j;

		for (j = 0; j < np; j++)
			if (!nlu_word_like(ws->w[i + j], parts[j]))
				break;
		if (j == np)
			return true;
	}
	return false;
}

static bool
has_any_phrase(const struct nlu_words *ws, const char *const *ph)
{
	for (; *ph; ph++)
		if (has_phrase(ws, *ph))
			return true;
	return false;
}

/* ---- intents ------------------------------------------------------------------- */

static const char *const intent_names[NLU__COUNT] = {
	[NLU_NONE] = "none", [NLU_GREETING] = "greeting", [NLU_THANKS] = "thanks",
	[NLU_BOOK] = "book", [NLU_CANCEL] = "cancel", [NLU_RESCHEDULE] = "reschedule",
	[NLU_LOOKUP] = "lookup", [NLU_HOURS] = "hours", [NLU_PRICES] = "prices",
	[NLU_SERVICES] = "services", [NLU_LOCATION] = "location", [NLU_HUMAN] = "human",
	[NLU_FAQ] = "faq",
};

const char *
nlu_intent_name(enum nlu_intent i)
{
	return (unsigned)i < NLU__COUNT ? intent_names[i] : "none";
}

static const char *const human_nouns[] = { "human", "person", "someone", "somebody", "agent",
	"representative", "rep", "operator", "manager", "staff", "receptionist", "employee",
	"people", "humano", "persona", "alguien", NULL };
static const char *const human_verbs[] = { "talk", "speak", "chat", "connect", "transfer",
	"reach", "contact", "call", "hablar", "need", "want", "get", NULL };
static const char *const human_phrases[] = { "real person", "live person", "live agent",
	"actual person", "human being", "a human", "the manager", "customer service",
	"customer support", "human please", "representative", "operator please", NULL };

bool
nlu_wants_human(struct arena *a, const char *norm)
{
	struct nlu_words ws;

	nlu_words(a, norm, &ws);
	if (has_any_phrase(&ws, human_phrases))
		return true;
	/* A verb of contact followed (within four words) by a person noun. */
	for (size_t i = 0; i < ws.n; i++) {
		bool verb = false;

		for (const char *const *v = human_verbs; *v && !verb; v++)
			verb = nlu_word_like(ws.w[i], *v);
		if (!verb)
			continue;
		for (size_t j = i + 1; j < ws.n && j <= i + 4; j++)
			for (const char *const *h = human_nouns; *h; h++)
				if (nlu_word_like(ws.w[j], *h) && strcmp(ws.w[j], "get") != 0) {
					/* "need someone to cut my hair" is a booking. */
					if (strcmp(*h, "someone") == 0 || strcmp(*h, "somebody") == 0 ||
					    strcmp(*h, "staff") == 0 || strcmp(*h, "people") == 0) {
						if (strcmp(ws.w[i], "talk") != 0 &&
						    strcmp(ws.w[i], "speak") != 0 &&
						    strcmp(ws.w[i], "hablar") != 0)
							continue;
					}
					return true;
				}
	}
	return false;
}

static const char *const cancel_words[] = { "cancel", "cancelled", "canceled", "cancelling",
	"canceling", "cancelar", "anular", NULL };
static const char *const resched_words[] = { "reschedule", "rescheduling", "rebook",
	"postpone", "reprogramar", NULL };
static const char *const resched_phrases[] = { "move my", "change my appointment",
	"change my booking", "change the time", "change my time", "different time",
	"another time", "push back", "move it", "move the appointment", "move the booking",
	"change it to", "change to", "move to", NULL };
static const char *const lookup_phrases[] = { "my appointment", "my booking",
	"my reservation", "when is my", "what time is my", "booking reference",
	"my reference", "mi cita", "all bookings", "all appointments", "show bookings",
	"list bookings", "list appointments", "other bookings", "other customers",
	"every booking", "everyone's", NULL };
static const char *const book_words[] = { "book", "booking", "appointment", "appointments",
	"schedule", "reserve", "reservation", "availability", "available", "slot", "slots",
	"opening", "openings", "free", "cita", "reservar", "agendar", "appt", NULL };
static const char *const book_phrases[] = { "can i get", "can i come", "could i get",
	"i want a", "i'd like a", "id like a", "i would like", "i need a", "do you have time",
	"get a", "come in", "fit me in", "squeeze me in", "any time", "anything", NULL };
static const char *const hours_words[] = { "hours", "open", "opens", "opening", "close",
	"closes", "closing", "closed", "horario", "abierto", NULL };
static const char *const location_words[] = { "where", "address", "located", "location",
	"directions", "direccion", "donde", "find you", NULL };
static const char *const price_words[] = { "price", "prices", "pricing", "cost", "costs",
	"charge", "fee", "fees", "rates", "expensive", "cheap", "precio", "cuesta", NULL };
static const char *const price_phrases[] = { "how much", NULL };
static const char *const services_words[] = { "services", "service", "offer", "menu",
	"treatments", "servicios", NULL };
static const char *const greeting_words[] = { "hi", "hello", "hey", "hiya", "howdy", "hola",
	"bonjour", "greetings", "yo", NULL };
static const char *const greeting_phrases[] = { "good morning", "good afternoon",
	"good evening", "buenos dias", "buenas tardes", NULL };
static const char *const thanks_words[] = { "thanks", "thank", "thx", "ty", "cheers",
	"gracias", "merci", "appreciate", NULL };
static const char *const question_words[] = { "what", "when", "where", "how", "why", "who",
	"which", "do", "does", "is", "are", "can", "could", "will", "should", "may", NULL };

enum nlu_intent
nlu_classify(struct arena *a, const char *norm)
{
	struct nlu_words ws;
	bool policy, question;

	nlu_words(a, norm, &ws);
	if (ws.n == 0)
		return NLU_NONE;
	policy = has_word(&ws, "policy") || has_word(&ws, "policies") ||
	    has_phrase(&ws, "how late") || has_phrase(&ws, "how far in advance") ||
	    has_phrase(&ws, "how much notice") || has_phrase(&ws, "what happens if");
	question = strchr(norm, '?') != NULL;
	for (const char *const *q = question_words; *q && !question; q++)
		question = strcmp(ws.w[0], *q) == 0;

	if (nlu_wants_human(a, norm))
		return NLU_HUMAN;
	if (policy)
		return NLU_FAQ;
	if (has_any(&ws, cancel_words))
		return NLU_CANCEL;
	if (has_any(&ws, resched_words) || has_any_phrase(&ws, resched_phrases))
		return NLU_RESCHEDULE;
	if (has_any_phrase(&ws, lookup_phrases) || has_word(&ws, "reference")) {
		/* "I'd like to book an appointment" is not a lookup. */
		if (!has_word(&ws, "book") && !has_word(&ws, "schedule") && !has_word(&ws, "new"))
			return NLU_LOOKUP;
	}
	if (has_any(&ws, book_words) || has_any_phrase(&ws, book_phrases)) {
		/* "are you open tomorrow" asks for hours, "do you have parking"
		 * is a FAQ, and "what services do you offer" lists services. */
		if (!has_any(&ws, hours_words) || has_any(&ws, (const char *const[]){ "book",
		    "appointment", "slot", "reserve", "schedule", NULL }))
			return NLU_BOOK;
	}
	if (has_any(&ws, hours_words) || has_phrase(&ws, "what time do you"))
		return NLU_HOURS;
	if (has_any(&ws, location_words) || has_phrase(&ws, "find you"))
		return NLU_LOCATION;
	if (has_any(&ws, price_words) || has_any_phrase(&ws, price_phrases))
		return NLU_PRICES;
	if (has_any(&ws, services_words) || has_phrase(&ws, "what do you do"))
		return NLU_SERVICES;
	if (question && ws.n >= 2)
		return NLU_FAQ;
	if (has_any(&ws, thanks_words))
		return NLU_THANKS;
	if (has_any(&ws, greeting_words) || has_any_phrase(&ws, greeting_phrases))
		return NLU_GREETING;
	if (ws.n >= 3)
		return NLU_FAQ;
	return NLU_NONE;
}

/* ---- dates and times -------------------------------------------------------------- */

enum tok_kind { TK_WORD, TK_NUM, TK_TIME, TK_ORD, TK_MD, TK_ISO, TK_SEP };

struct tok {
	enum tok_kind kind;
	char word[24];
	int a, b, c;		/* NUM: a (and ndigits in b); TIME: a:b; ORD: a;
				 * MD: a/b(/c); ISO: a-b-c */
};

#define TOK_MAX 160

/* Splits normalised text into words, numbers, "h:mm", ordinals, "m/d",
 * "yyyy-mm-dd" and separators (punctuation that ends a phrase). */
/* The digits at *r, moving *r past all of them. The value stops growing
 * at 100000 (no date part is that large, and the readers check ranges):
 * "2026-0381026026-…" must not overflow an int. */
static int
read_digits(const char **r)
{
	int v = 0;

	for (; isdigit((unsigned char)**r); (*r)++)
		if (v < 100000)
			v = v * 10 + (**r - '0');
	return v;
}

static size_t
tokenize(const char *s, struct tok *t, size_t max)
{
	size_t n = 0;
	const char *p = s;

	while (*p && n < max) {
		unsigned char c = (unsigned char)*p;
		struct tok *k = &t[n];

		memset(k, 0, sizeof(*k));
		if (isdigit(c)) {
			const char *q = p;
			long v = 0;
			int nd = 0;

			while (isdigit((unsigned char)*q) && nd < 9) {
				v = v * 10 + (*q - '0');
				q++;
				nd++;
			}
			while (isdigit((unsigned char)*q))
				q++;
			if (nd == 4 && q[0] == '-' && isdigit((unsigned char)q[1])) {
				const char *r = q + 1;
				int mo = read_digits(&r), d = 0;

				if (*r == '-' && isdigit((unsigned char)r[1])) {
					r++;
					d = read_digits(&r);
					k->kind = TK_ISO;
					k->a = (int)v;
					k->b = mo;
					k->c = d;
					p = r;
					n++;
					continue;
				}
			}
			if ((q[0] == ':' || q[0] == '.') && isdigit((unsigned char)q[1]) &&
			    isdigit((unsigned char)q[2]) && !isdigit((unsigned char)q[3]) && nd <= 2) {
				k->kind = TK_TIME;
				k->a = (int)v;
				k->b = (q[1] - '0') * 10 + (q[2] - '0');
				k->c = q[0] == '.';	/* "12.50" may be a price */
				p = q + 3;
				n++;
				continue;
			}
			if (q[0] == '/' && isdigit((unsigned char)q[1]) && nd <= 2) {
				const char *r = q + 1;
				int b = 0, cc = -1;

				b = read_digits(&r);
				if (*r == '/' && isdigit((unsigned char)r[1])) {
					r++;
					cc = 0;
					cc = read_digits(&r);
				}
				k->kind = TK_MD;
				k->a = (int)v;
				k->b = b;
				k->c = cc;
				p = r;
				n++;
				continue;
			}
			if (nd <= 2 && (strncmp(q, "st", 2) == 0 || strncmp(q, "nd", 2) == 0 ||
			    strncmp(q, "rd", 2) == 0 || strncmp(q, "th", 2) == 0) &&
			    !isalpha((unsigned char)q[2])) {
				k->kind = TK_ORD;
				k->a = (int)v;
				p = q + 2;
				n++;
				continue;
			}
			k->kind = TK_NUM;
			k->a = v > 100000 ? 100000 : (int)v;
			k->b = nd;
			p = q;
			n++;
			continue;
		}
		if (isalpha(c) || c >= 0x80) {
			size_t len = 0;

			/* A word runs through digits glued to it ("k7p4qx", a booking
			 * reference), so they are never read as times. */
			while (*p && (isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80 ||
			    *p == '\'')) {
				if (*p != '\'' && len + 1 < sizeof(k->word))
					k->word[len++] = (char)tolower((unsigned char)*p);
				p++;
			}
			k->word[len] = '\0';
			k->kind = TK_WORD;
			n++;
			continue;
		}
		if (c == ',' || c == '.' || c == ';' || c == '!' || c == '?' || c == '\n') {
			k->kind = TK_SEP;
			n++;
		}
		p++;
	}
	return n;
}

/* Month and weekday names come from every language's table, so "martes"
 * and "Tuesday" are read alike whatever language the message is in. Long
 * names (5 letters and more) allow a typo. */
static int
name_index(const char *w, const char *const *const *names, size_t count, size_t min_fuzzy)
{
	for (size_t k = 0; k < count; k++)
		for (const char *const *x = names[k]; *x; x++)
			if (strcmp(w, *x) == 0 || (strlen(*x) >= min_fuzzy && nlu_word_like(w, *x)))
				return (int)k + 1;
	return 0;
}

static int
month_of(const char *w)
{
	size_t nl;
	const struct ai_lang *const *ls = ai_lang_all(&nl);

	for (size_t l = 0; l < nl; l++) {
		int m = name_index(w, ls[l]->months, 12, 5);

		if (m != 0)
			return m;
	}
	return 0;
}

/* 1 = Monday … 7 = Sunday; "mondays" too. */
static int
weekday_of(const char *w)
{
	size_t nl, len = strlen(w);
	const struct ai_lang *const *ls = ai_lang_all(&nl);
	char sing[24];

	for (size_t l = 0; l < nl; l++) {
		int d = name_index(w, ls[l]->weekdays, 7, 6);

		if (d != 0)
			return d;
	}
	if (len > 6 && len < sizeof(sing) && w[len - 1] == 's') {
		memcpy(sing, w, len - 1);
		sing[len - 1] = '\0';
		for (size_t l = 0; l < nl; l++) {
			int d = name_index(sing, ls[l]->weekdays, 7, 100);

			if (d != 0)
				return d;
		}
	}
	return 0;
}

static int
days_in_month(int y, int m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

/* Month/day without a year: this year's unless already past. */
static bool
month_day(int32_t today, int m, int d, int32_t *out)
{
	int y, tm, td;

	if (m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	tz_civil_from_days(today, &y, &tm, &td);
	if (d > days_in_month(y, m) && !(m == 2 && d == 29))
		return false;
	for (int k = 0; k < 8; k++, y++) {
		int32_t day;

		if (d > days_in_month(y, m))
			continue;
		day = tz_days_from_civil(y, m, d);
		if (day >= today) {
			*out = day;
			return true;
		}
	}
	return false;
}

/* The n-th of a month: this month's unless past, then the next month
 * that has one. */
static bool
nth_of_month(int32_t today, int d, int32_t *out)
{
	int y, m, td;

	if (d < 1 || d > 31)
		return false;
	tz_civil_from_days(today, &y, &m, &td);
	for (int k = 0; k < 13; k++) {
		if (d <= days_in_month(y, m)) {
			int32_t day = tz_days_from_civil(y, m, d);

			if (day >= today) {
				*out = day;
				return true;
			}
		}
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
	return false;
}

static bool
is_word(const struct tok *t, size_t n, size_t i, const char *w)
{
	return i < n && t[i].kind == TK_WORD && strcmp(t[i].word, w) == 0;
}

/* A list of every language's table, chosen by its offset in struct
 * ai_lang, so one reader serves "in the morning" and "de la mañana". */
#define LANG_LIST(field) offsetof(struct ai_lang, field)

static const char *const *
lang_list(const struct ai_lang *l, size_t off)
{
	const char *const *list;

	memcpy(&list, (const char *)l + off, sizeof(list));
	return list;
}

/* Whether a phrase of the list at off (in any language) starts at token
 * i; *len gets its length in tokens. */
static bool
any_phrase(const struct tok *t, size_t n, size_t i, size_t off, size_t *len)
{
	const char *ws[6];
	size_t nw = 0, nl;
	const struct ai_lang *const *ls = ai_lang_all(&nl);

	for (; i + nw < n && nw < 6; nw++)
		ws[nw] = t[i + nw].kind == TK_WORD ? t[i + nw].word : "";
	for (size_t l = 0; l < nl; l++)
		if (ai_lang_phrase_at(lang_list(ls[l], off), ws, nw, 0, len))
			return true;
	return false;
}

static bool
any_word(const struct tok *t, size_t n, size_t i, size_t off)
{
	size_t len;

	return any_phrase(t, n, i, off, &len) && len == 1;
}

/* Whether w is in the list at off of any language. */
static bool
lang_word(const char *w, size_t off)
{
	size_t nl;
	const struct ai_lang *const *ls = ai_lang_all(&nl);

	for (size_t l = 0; l < nl; l++)
		if (ai_lang_in(lang_list(ls[l], off), w))
			return true;
	return false;
}

/* am/pm after position i: 1 = am, 2 = pm, 0 = none; *used = tokens eaten. */
static int
meridiem(const struct tok *t, size_t n, size_t i, size_t *used)
{
	*used = 0;
	if (i >= n || t[i].kind != TK_WORD)
		return 0;
	/* "4p" / "9a" only when nothing follows that could make "a" an
	 * article ("at 3 a haircut"). */
	bool alone = i + 1 >= n || t[i + 1].kind != TK_WORD;

	if (strcmp(t[i].word, "a") == 0 && alone) {
		*used = 1;
		return 1;
	}
	if (strcmp(t[i].word, "p") == 0 && alone) {
		*used = 1;
		return 2;
	}
	if (any_phrase(t, n, i, LANG_LIST(am_phrases), used))
		return 1;
	if (any_phrase(t, n, i, LANG_LIST(pm_phrases), used))
		return 2;
	return 0;
}

/* Hour h (1..12) without am/pm, the way appointments are asked for. */
static int
bare_hour(int h)
{
	if (h >= 1 && h <= 7)
		return h + 12;
	if (h == 12)
		return 12;
	return h;		/* 8..11 morning; 0, 13..23 as written */
}

/* A time of day at token i: returns minutes or -1; *used = tokens eaten.
 * bare: a lone number counts (after "at", "after", …). */
static int
time_at(const struct tok *t, size_t n, size_t i, bool bare, size_t *used)
{
	size_t mu = 0;
	int mer, h, m;

	*used = 0;
	if (i >= n)
		return -1;
	if (t[i].kind == TK_WORD) {
		if (strcmp(t[i].word, "noon") == 0 || strcmp(t[i].word, "midday") == 0 ||
		    strcmp(t[i].word, "mediodia") == 0) {
			*used = 1;
			return 12 * 60;
		}
		if (strcmp(t[i].word, "midnight") == 0) {
			*used = 1;
			return 0;
		}
		/* "at five", "a las cinco y media": an hour in words reads as
		 * the same hour in figures. */
		if ((h = ai_lang_number(t[i].word)) >= 1 && h <= 12) {
			struct tok as_num[6];
			size_t k = 0;

			for (; k < 6 && i + k < n; k++)
				as_num[k] = t[i + k];
			as_num[0].kind = TK_NUM;
			as_num[0].a = h;
			as_num[0].b = 1;
			return time_at(as_num, k, 0, bare, used);
		}
		/* "half past 3", "quarter past 4", "quarter to 5" */
		if ((strcmp(t[i].word, "half") == 0 || strcmp(t[i].word, "quarter") == 0) &&
		    i + 2 < n && (is_word(t, n, i + 1, "past") || is_word(t, n, i + 1, "to")) &&
		    t[i + 2].kind == TK_NUM && t[i + 2].a >= 1 && t[i + 2].a <= 12) {
			int off = t[i].word[0] == 'h' ? 30 : 15;
			bool to = is_word(t, n, i + 1, "to");

			mer = meridiem(t, n, i + 3, &mu);
			h = t[i + 2].a % 12 + (mer == 2 ? 12 : 0);
			if (mer == 0)
				h = bare_hour(t[i + 2].a);
			m = h * 60 + (to ? -off : off);
			*used = 3 + mu;
			return (m + 1440) % 1440;
		}
		return -1;
	}
	if (t[i].kind == TK_TIME) {
		h = t[i].a;
		m = t[i].b;
		if (h > 23 || m > 59)
			return -1;
		mer = meridiem(t, n, i + 1, &mu);
		if (mer != 0 && h >= 1 && h <= 12)
			h = h % 12 + (mer == 2 ? 12 : 0);
		else if (mer == 0 && h >= 1 && h <= 12)
			h = bare_hour(h);
		*used = 1 + mu;
		return h * 60 + m;
	}
	if (t[i].kind == TK_NUM && t[i].b <= 2) {
		size_t hu = 0;
		int add = 0;

		/* "4 y media", "4 y cuarto": minutes said after the hour. */
		if (any_phrase(t, n, i + 1, LANG_LIST(half_past), &hu))
			add = 30;
		else if (any_phrase(t, n, i + 1, LANG_LIST(quarter_past), &hu))
			add = 15;
		h = t[i].a;
		mer = meridiem(t, n, i + 1 + hu, &mu);
		if (mer != 0 && h >= 1 && h <= 12) {
			*used = 1 + hu + mu;
			return (h % 12 + (mer == 2 ? 12 : 0)) * 60 + add;
		}
		if (is_word(t, n, i + 1, "oclock") && h >= 1 && h <= 12) {
			*used = 2;
			return bare_hour(h) * 60;
		}
		if ((bare || add) && h >= 0 && h <= 23) {
			*used = 1 + hu;
			return (h <= 12 ? bare_hour(h) : h) * 60 + add;
		}
		return -1;
	}
	if (t[i].kind == TK_NUM && t[i].b == 4 && bare) {
		/* "1530" */
		h = t[i].a / 100;
		m = t[i].a % 100;
		if (h <= 23 && m <= 59) {
			*used = 1;
			return h * 60 + m;
		}
	}
	return -1;
}

static void
when_init(struct nlu_when *w)
{
	memset(w, 0, sizeof(*w));
	w->minute = -1;
	w->after_min = -1;
	w->before_min = -1;
}

static void
set_part(struct nlu_when *w, int from, int to)
{
	if (w->after_min < 0 || from > w->after_min)
		w->after_min = from;
	if (w->before_min < 0 || to < w->before_min)
		w->before_min = to;
}

/* One nlu_parse_when scan: the tokens, the context that reads them, and
 * what was found so far. */
struct when_scan {
	const struct tok *t;
	size_t n;
	int32_t today;
	bool day_first;
	struct nlu_when *out;
	int rank;		/* how the date was said: RANK_… */
	int weekday;		/* 1 … 7 when a weekday was named */
	bool weekday_next;	/* "next Thursday" */
	bool next_week;		/* "next week", "la semana que viene" */
	bool correcting;	/* "sorry, I mean": the next time or day replaces */
};

/* Dates written out (with a month or a day of the month) outrank days
 * named from today: in "Wednesday December 16" the 16th is meant, and a
 * weekday that disagrees is a slip, never a second date. */
enum { RANK_NONE, RANK_RELATIVE, RANK_EXPLICIT };

static void
scan_day(struct when_scan *s, int rank, int32_t day)
{
	if (rank > s->rank || (rank == s->rank && s->correcting)) {
		s->out->has_date = true;
		s->out->day = day;
		s->rank = rank;
	}
}

/* Each step below looks at token *i. It returns true when the token was its
 * kind (leaving *i on the last token it used: the loop steps past it), and
 * false to let the next step look. The order of the steps is the order of
 * precedence. */

/* The first time the customer mentions is the one they asked for, unless
 * they correct themselves ("at 4... sorry, I mean 3"). */
static void
scan_time(struct when_scan *s, int mins)
{
	if (!s->out->has_time || s->correcting) {
		s->out->has_time = true;
		s->out->minute = mins;
		s->correcting = false;
	}
}

static bool
word_at(const struct when_scan *s, size_t i, const char *w)
{
	return strcmp(s->t[i].word, w) == 0;
}

/* "2026-03-14": a date written in full needs no context. */
static bool
when_iso_date(struct when_scan *s, size_t *i)
{
	const struct tok *k = &s->t[*i];

	if (k->kind != TK_ISO)
		return false;
	if (k->b >= 1 && k->b <= 12 && k->c >= 1 && k->c <= days_in_month(k->a, k->b) &&
	    k->a >= 1900 && k->a <= 9999)
		scan_day(s, RANK_EXPLICIT, tz_days_from_civil(k->a, k->b, k->c));
	return true;
}

/* "3/14", "14/3/26": which number is the month depends on the country. */
static bool
when_numeric_date(struct when_scan *s, size_t *i)
{
	const struct tok *k = &s->t[*i];
	int m, d;
	int32_t day;

	if (k->kind != TK_MD)
		return false;
	m = s->day_first ? k->b : k->a;
	d = s->day_first ? k->a : k->b;
	if (k->c >= 0) {
		int y = k->c < 100 ? 2000 + k->c : k->c;

		if (m >= 1 && m <= 12 && d >= 1 && y >= 1900 && y <= 9999 &&
		    d <= days_in_month(y, m))
			scan_day(s, RANK_EXPLICIT, tz_days_from_civil(y, m, d));
	} else if (month_day(s->today, m, d, &day)) {
		scan_day(s, RANK_EXPLICIT, day);
	}
	return true;
}

/* "the 14th of March", "14th March", or "the 14th" of this or next month. */
static bool
when_ordinal(struct when_scan *s, size_t *i)
{
	const struct tok *t = s->t;
	size_t j = *i + 1;
	int32_t day;
	int mo;

	if (t[*i].kind != TK_ORD)
		return false;
	if (is_word(t, s->n, j, "of"))
		j++;
	if (j < s->n && t[j].kind == TK_WORD && (mo = month_of(t[j].word)) != 0) {
		if (month_day(s->today, mo, t[*i].a, &day))
			scan_day(s, RANK_EXPLICIT, day);
		*i = j;
		return true;
	}
	if (nth_of_month(s->today, t[*i].a, &day))
		scan_day(s, RANK_EXPLICIT, day);
	return true;
}

/* "14 March" (but "3 may" is a verb, not a month). */
static bool
when_day_month(struct when_scan *s, size_t *i)
{
	const struct tok *t = s->t;
	int32_t day;
	int mo;

	size_t j = *i + 1;

	/* "18 de diciembre" */
	if (is_word(t, s->n, j, "de") || is_word(t, s->n, j, "of"))
		j++;
	if (!(t[*i].kind == TK_NUM && t[*i].b <= 2 && j < s->n &&
	    t[j].kind == TK_WORD && (mo = month_of(t[j].word)) != 0 &&
	    strcmp(t[j].word, "may") != 0))
		return false;
	if (month_day(s->today, mo, t[*i].a, &day))
		scan_day(s, RANK_EXPLICIT, day);
	*i = j;
	return true;
}

/* "el día 19", "day 19": the 19th of this month or the next; a month
 * after it ("el día 19 de diciembre") is left to when_day_month. */
static bool
when_day_number(struct when_scan *s, size_t *i)
{
	const struct tok *t = s->t;
	size_t n = s->n, j = *i + 1;
	int32_t day;

	if (!any_word(t, n, *i, LANG_LIST(day_words)) || j >= n || t[j].kind != TK_NUM ||
	    t[j].b > 2 || is_word(t, n, j + 1, "de") || (j + 1 < n && t[j + 1].kind == TK_WORD &&
	    month_of(t[j + 1].word) != 0))
		return false;
	if (nth_of_month(s->today, t[j].a, &day))
		scan_day(s, RANK_EXPLICIT, day);
	*i = j;
	return true;
}

/* "sorry, I mean", "perdón": the next time or day said replaces the
 * first. */
static bool
when_correction(struct when_scan *s, size_t *i)
{
	size_t len;

	if (!any_phrase(s->t, s->n, *i, LANG_LIST(corrections), &len))
		return false;
	s->correcting = true;
	*i += len - 1;
	return true;
}

/* A time written with am/pm or h:mm needs no keyword; a bare number is not
 * a time without one. */
static bool
when_clock_time(struct when_scan *s, size_t *i)
{
	const struct tok *t = s->t;
	size_t used = 0;
	int mins;

	if (t[*i].kind != TK_NUM && t[*i].kind != TK_TIME)
		return false;
	mins = time_at(t, s->n, *i, false, &used);
	if (mins >= 0 && ((t[*i].kind == TK_TIME && !t[*i].c) || used > 1)) {
		if (s->out->after_min < 0 && s->out->before_min < 0)
			scan_time(s, mins);
		*i += used - 1;
	}
	return true;
}

/* "March 14", "mar 14th" — but "may 3pm" and "may 3" are not May 3rd. */
static bool
when_month_day(struct when_scan *s, size_t *i)
{
	const struct tok *t = s->t;
	size_t n = s->n, u2 = 0;
	int32_t day;
	int mo;

	if (!((mo = month_of(t[*i].word)) != 0 && *i + 1 < n &&
	    (t[*i + 1].kind == TK_ORD || (t[*i + 1].kind == TK_NUM && t[*i + 1].b <= 2)) &&
	    !(word_at(s, *i, "may") && t[*i + 1].kind == TK_NUM && !is_word(t, n, *i + 2, "th"))))
		return false;
	if (t[*i + 1].kind == TK_NUM && meridiem(t, n, *i + 2, &u2) != 0)
		return true;
	if (word_at(s, *i, "may") && t[*i + 1].kind == TK_NUM)
		return true;
	if (month_day(s->today, mo, t[*i + 1].a, &day))
		scan_day(s, RANK_EXPLICIT, day);
	(*i)++;
	return true;
}

/* Days named from today: today, tonight, tomorrow (and its spellings), the
 * day after tomorrow. */
static bool
when_named_day(struct when_scan *s, size_t *i)
{
	const struct tok *t = s->t;
	size_t n = s->n;

	if (word_at(s, *i, "today") || word_at(s, *i, "hoy")) {
		scan_day(s, RANK_RELATIVE, s->today);
		return true;
	}
	if (word_at(s, *i, "tonight")) {
		scan_day(s, RANK_RELATIVE, s->today);
		set_part(s->out, 17 * 60, 1440);
		return true;
	}
	if (word_at(s, *i, "pasado") && is_word(t, n, *i + 1, "manana")) {
		scan_day(s, RANK_RELATIVE, s->today + 2);
		(*i)++;
		return true;
	}
	if (word_at(s, *i, "day") && is_word(t, n, *i + 1, "after") && *i + 2 < n &&
	    t[*i + 2].kind == TK_WORD && nlu_word_like(t[*i + 2].word, "tomorrow")) {
		scan_day(s, RANK_RELATIVE, s->today + 2);
		*i += 2;
		return true;
	}
	if (nlu_word_like(t[*i].word, "tomorrow") || word_at(s, *i, "tmrw") ||
	    word_at(s, *i, "tmr") || word_at(s, *i, "tmw") || word_at(s, *i, "tomoz") ||
	    (word_at(s, *i, "manana") && !is_word(t, n, *i - 1, "la"))) {
		scan_day(s, RANK_RELATIVE, s->today + 1);
		return true;
	}
	return false;
}

/* "in 3 days", "in two weeks", "dentro de dos semanas": *i on "in". */
static bool
when_in_days(struct when_scan *s, size_t *i)
{
	const struct tok *t = s->t;
	size_t n = s->n, j = *i + 1;
	int k = -1;

	if (!any_word(t, n, *i, LANG_LIST(in_words)))
		return false;
	if (is_word(t, n, j, "de"))
		j++;
	if (j + 1 >= n || t[j + 1].kind != TK_WORD)
		return false;
	if (t[j].kind == TK_NUM && t[j].a <= 400)
		k = t[j].a;
	else if (is_word(t, n, j, "a") || is_word(t, n, j, "an") || is_word(t, n, j, "un"))
		k = 1;
	else if (t[j].kind == TK_WORD)
		k = ai_lang_number(t[j].word);
	if (k < 0)
		return false;
	if (any_word(t, n, j + 1, LANG_LIST(day_words)))
		scan_day(s, RANK_RELATIVE, s->today + k);
	else if (any_word(t, n, j + 1, LANG_LIST(week_words)))
		scan_day(s, RANK_RELATIVE, s->today + 7 * k);
	else
		return false;
	*i = j + 1;
	return true;
}

/* Days counted from today: "in 3 days", "next week", "this weekend", and
 * weekday names, which are resolved once the whole message is read
 * (resolve_weekday): "Monday next week" names its week after the day. */
static bool
when_offset_day(struct when_scan *s, size_t *i)
{
	const struct tok *t = s->t;
	size_t n = s->n, len;
	int iso = tz_iso_weekday(s->today), wd;

	if (when_in_days(s, i))
		return true;
	if (any_phrase(t, n, *i, LANG_LIST(next_week), &len)) {
		s->next_week = true;
		*i += len - 1;
		return true;
	}
	if (word_at(s, *i, "weekend")) {
		scan_day(s, RANK_RELATIVE, iso == 7 ? s->today : s->today + ((6 - iso + 7) % 7));
		return true;
	}
	if ((wd = weekday_of(t[*i].word)) != 0) {
		if (s->weekday == 0 || s->correcting) {
			s->weekday = wd;
			s->weekday_next = *i > 0 && any_word(t, n, *i - 1, LANG_LIST(next_words));
		}
		return true;
	}
	return false;
}

/* The documented rule for weekdays (docs/eval.md): "Thursday" and "this
 * Thursday" are the first Thursday from today on; "next week" is the
 * Monday-to-Sunday week after tomorrow's (said on a Sunday, tomorrow starts
 * this week, not the next), and "Thursday next week" its Thursday. "next
 * Thursday" has two
 * readings — the first Thursday after today, or the one a week later — so
 * it sets the first and flags the second, and the receptionist asks. */
static void
resolve_weekday(struct when_scan *s)
{
	int iso = tz_iso_weekday(s->today), ahead;
	int32_t monday = s->today + 1 - (tz_iso_weekday(s->today + 1) - 1) + 7;

	if (s->next_week) {
		scan_day(s, RANK_RELATIVE, monday + (s->weekday ? s->weekday - 1 : 0));
		return;
	}
	if (s->weekday == 0)
		return;
	ahead = (s->weekday - iso + 7) % 7;
	if (s->weekday_next && ahead == 0)
		ahead = 7;
	if (s->rank < RANK_RELATIVE && s->weekday_next) {
		s->out->ambiguous = true;
		s->out->alt_day = s->today + ahead + 7;
	}
	scan_day(s, RANK_RELATIVE, s->today + ahead);
}

/* Parts of the day narrow the range; they never set a time. */
static bool
when_day_part(struct when_scan *s, size_t *i)
{
	size_t len;

	if (any_phrase(s->t, s->n, *i, LANG_LIST(mornings), &len)) {
		set_part(s->out, 0, 12 * 60);
	} else if (any_phrase(s->t, s->n, *i, LANG_LIST(afternoons), &len)) {
		set_part(s->out, 12 * 60, 17 * 60);
	} else if (any_phrase(s->t, s->n, *i, LANG_LIST(evenings), &len)) {
		set_part(s->out, 17 * 60, 1440);
	} else if (word_at(s, *i, "lunchtime") || (word_at(s, *i, "lunch") &&
	    !is_word(s->t, s->n, *i + 1, "break"))) {
		set_part(s->out, 11 * 60 + 30, 14 * 60);
		len = 1;
	} else {
		return false;
	}
	*i += len - 1;
	return true;
}

/* "between 10 and 2", "from 9 to 11", or a lone "from 9". */
static bool
when_range(struct when_scan *s, size_t *i)
{
	const struct tok *t = s->t;
	size_t n = s->n, u1 = 0, u2 = 0, j;
	int m1, m2;

	if (!word_at(s, *i, "between") && !word_at(s, *i, "from"))
		return false;
	if ((m1 = time_at(t, n, *i + 1, true, &u1)) < 0)
		return true;
	j = *i + 1 + u1;
	if (is_word(t, n, j, "and") || is_word(t, n, j, "to") || is_word(t, n, j, "until") ||
	    is_word(t, n, j, "till")) {
		m2 = time_at(t, n, j + 1, true, &u2);
		if (m2 >= 0) {
			/* "between 10 and 2": the first bare hour follows the
			 * second's meridiem when that orders them. */
			if (m2 <= m1 && m1 >= 12 * 60 && t[*i + 1].kind == TK_NUM && u1 == 1 &&
			    m1 - 12 * 60 < m2)
				m1 -= 12 * 60;
			if (m2 > m1) {
				s->out->after_min = m1;
				s->out->before_min = m2;
			}
			*i = j + u2;
			return true;
		}
	}
	if (word_at(s, *i, "from")) {
		s->out->after_min = m1;
		*i += u1;
	}
	return true;
}

/* One end of a range: "after 3", "later than 3", "before noon", "by 5",
 * "until 6", "earlier than 10" (midnight as an upper bound is the day's end). */
static bool
when_bound(struct when_scan *s, size_t *i)
{
	bool after = word_at(s, *i, "after") || (word_at(s, *i, "later") &&
	    is_word(s->t, s->n, *i + 1, "than"));
	bool before = word_at(s, *i, "before") || word_at(s, *i, "by") ||
	    word_at(s, *i, "until") || word_at(s, *i, "till") ||
	    (word_at(s, *i, "earlier") && is_word(s->t, s->n, *i + 1, "than"));
	size_t k, used = 0;
	int mins;

	if (!after && !before)
		return false;
	k = word_at(s, *i, "later") || word_at(s, *i, "earlier") ? *i + 2 : *i + 1;
	if ((mins = time_at(s->t, s->n, k, true, &used)) < 0)
		return true;
	if (after)
		s->out->after_min = mins;
	else
		s->out->before_min = mins == 0 ? 1440 : mins;
	*i = k + used - 1;
	return true;
}

/* "at 3", "around 4", "about 10", "say 2", "maybe 5": a bare number after
 * these is a time. */
static bool
when_at(struct when_scan *s, size_t *i)
{
	size_t used = 0;
	int mins;

	if (!any_word(s->t, s->n, *i, LANG_LIST(time_leads)))
		return false;
	if ((mins = time_at(s->t, s->n, *i + 1, true, &used)) >= 0) {
		scan_time(s, mins);
		*i += used;
	}
	return true;
}

/* Whatever else reads as a time on its own. */
static void
when_bare_time(struct when_scan *s, size_t *i)
{
	size_t used = 0;
	int mins = time_at(s->t, s->n, *i, false, &used);

	if (mins >= 0) {
		scan_time(s, mins);
		*i += used - 1;
	}
}

/* Tokens that are not words: dates and times in figures. */
static bool
when_figures(struct when_scan *s, size_t *i)
{
	return when_iso_date(s, i) || when_numeric_date(s, i) || when_ordinal(s, i) ||
	    when_day_month(s, i) || when_clock_time(s, i);
}

/* Words: dates, days, parts of the day, ranges and times in words. */
static void
when_words(struct when_scan *s, size_t *i)
{
	if (when_correction(s, i) || when_day_number(s, i) || when_month_day(s, i) ||
	    when_named_day(s, i) || when_offset_day(s, i) ||
	    when_day_part(s, i) || when_range(s, i) || when_bound(s, i) || when_at(s, i))
		return;
	when_bare_time(s, i);
}

bool
nlu_parse_when(struct arena *a, const char *norm, int32_t today, bool day_first,
    struct nlu_when *out)
{
	struct tok *t = arena_alloc(a, TOK_MAX * sizeof(*t));
	struct when_scan s = { .t = t, .n = tokenize(norm, t, TOK_MAX), .today = today,
		.day_first = day_first, .out = out };

	when_init(out);
	for (size_t i = 0; i < s.n; i++) {
		if (when_figures(&s, &i) || t[i].kind != TK_WORD)
			continue;
		when_words(&s, &i);
	}
	resolve_weekday(&s);
	/* An inverted range is a misreading: keep its lower end only. */
	if (out->after_min >= 0 && out->before_min >= 0 && out->before_min <= out->after_min)
		out->before_min = -1;
	return out->has_date || out->has_time || out->after_min >= 0 || out->before_min >= 0;
}

int
nlu_parse_time_only(struct arena *a, const char *norm)
{
	struct tok t[8];
	size_t n = tokenize(norm, t, 8), used = 0, i = 0;
	int mins;

	while (i < n && t[i].kind == TK_WORD && (strcmp(t[i].word, "at") == 0 ||
	    strcmp(t[i].word, "the") == 0 || strcmp(t[i].word, "ok") == 0 ||
	    strcmp(t[i].word, "lets") == 0 || strcmp(t[i].word, "do") == 0 ||
	    strcmp(t[i].word, "how") == 0 || strcmp(t[i].word, "about") == 0))
		i++;
	mins = time_at(t, n, i, true, &used);
	if (mins < 0)
		return -1;
	i += used;
	while (i < n && (t[i].kind == TK_SEP || is_word(t, n, i, "please") ||
	    is_word(t, n, i, "one") || is_word(t, n, i, "slot") || is_word(t, n, i, "works")))
		i++;
	(void)a;
	return i == n ? mins : -1;
}

void
nlu_format_time(int minute, char *out, size_t outsz)
{
	int h = minute / 60 % 24, m = minute % 60;

	snprintf(out, outsz, "%d:%02d %s", h % 12 == 0 ? 12 : h % 12, m, h < 12 ? "AM" : "PM");
}

static const char *const wd_long[7] = { "Monday", "Tuesday", "Wednesday", "Thursday",
	"Friday", "Saturday", "Sunday" };
static const char *const mon_long[12] = { "January", "February", "March", "April", "May",
	"June", "July", "August", "September", "October", "November", "December" };

void
nlu_format_day(int32_t day, char *out, size_t outsz)
{
	int y, m, d;

	tz_civil_from_days(day, &y, &m, &d);
	snprintf(out, outsz, "%s, %s %d", wd_long[tz_iso_weekday(day) - 1], mon_long[m - 1], d);
}

void
nlu_format_day_short(int32_t day, char *out, size_t outsz)
{
	int y, m, d;

	tz_civil_from_days(day, &y, &m, &d);
	snprintf(out, outsz, "%.3s %.3s %d", wd_long[tz_iso_weekday(day) - 1], mon_long[m - 1], d);
}

/* ---- fuzzy matching --------------------------------------------------------------- */

static const char *const stop_words[] = { "a", "an", "the", "and", "or", "of", "to", "for",
	"in", "on", "at", "is", "are", "do", "does", "you", "your", "i", "me", "my", "we", "our",
	"can", "could", "would", "will", "what", "how", "when", "where", "there", "it", "its",
	"be", "have", "has", "with", "any", "about", "please", "get", "is", "this", "that",
	"us", "if", "so", "im", "id", "want", "like", "need", "some", NULL };

static bool
is_stop(const char *w)
{
	for (const char *const *s = stop_words; *s; s++)
		if (strcmp(w, *s) == 0)
			return true;
	return false;
}

/* Whether word w of the candidate appears in the message words ms. */
static bool
word_in(const struct nlu_words *ms, const char *w)
{
	size_t wl = strlen(w);

	for (size_t i = 0; i < ms->n; i++) {
		const char *m = ms->w[i];
		size_t ml = strlen(m);

		if (nlu_word_like(m, w))
			return true;
		/* Plurals and simple stems: "cuts" ~ "cut", "coloring" ~ "colour". */
		if (wl >= 4 && ml >= 4 && (strncmp(m, w, wl) == 0 || strncmp(w, m, ml) == 0) &&
		    (ml > wl ? ml - wl : wl - ml) <= 3)
			return true;
	}
	return false;
}

/* The catalogue words a message's words stand for, added to them: "un
 * corte de pelo" also says "haircut", "my nails done" "manicure". */
static void
add_glossary(struct nlu_words *ms)
{
	size_t nl, n = ms->n;
	const struct ai_lang *const *ls = ai_lang_all(&nl);

	for (size_t i = 0; i < n; i++)
		for (size_t l = 0; l < nl; l++)
			for (const struct ai_lang_gloss *g = ls[l]->glossary; g->word; g++)
				if (strcmp(ms->w[i], g->word) == 0 && ms->n < NLU_MAX_WORDS)
					ms->w[ms->n++] = g->means;
}

int
nlu_best_match(struct arena *a, const char *norm, const char *const *cands, size_t n,
    double min_score, double *score)
{
	struct nlu_words ms;
	char *joined;
	int best = -1;
	double best_s = 0, best_adj = 0;

	nlu_words(a, norm, &ms);
	add_glossary(&ms);
	/* The message with its words joined, for "hair cut" vs "haircut". */
	{
		size_t len = 0;

		for (size_t i = 0; i < ms.n; i++)
			len += strlen(ms.w[i]);
		joined = arena_alloc(a, len + 1);
		joined[0] = '\0';
		for (size_t i = 0; i < ms.n; i++)
			strcat(joined, ms.w[i]);
	}
	for (size_t c = 0; c < n; c++) {
		struct nlu_words cw;
		char *cn = nlu_normalize(a, cands[c]), *cj;
		size_t content = 0, cl = 0;
		double s, found = 0;

		nlu_words(a, cn, &cw);
		for (size_t i = 0; i < cw.n; i++)
			cl += strlen(cw.w[i]);
		cj = arena_alloc(a, cl + 1);
		cj[0] = '\0';
		for (size_t i = 0; i < cw.n; i++)
			strcat(cj, cw.w[i]);
		for (size_t i = 0; i < cw.n; i++) {
			if (is_stop(cw.w[i]) && cw.n > 1)
				continue;
			content++;
			if (word_in(&ms, cw.w[i])) {
				found += 1;
				continue;
			}
			/* "cut" for "haircut", "color" for "colour treatment". */
			for (size_t k = 0; k < ms.n; k++) {
				size_t ml = strlen(ms.w[k]), wl = strlen(cw.w[i]);

				if (ml >= 3 && ml < wl && !is_stop(ms.w[k]) &&
				    (strcmp(cw.w[i] + wl - ml, ms.w[k]) == 0 ||
				    strncmp(cw.w[i], ms.w[k], ml) == 0)) {
					found += 0.6;
					break;
				}
			}
		}
		s = content ? found / (double)content : 0;
		/* A word only this candidate has ("massage" for "Deep Tissue
		 * Massage") names it well enough. */
		if (s < 0.6) {
			for (size_t i = 0; i < cw.n; i++) {
				bool unique = true;

				if (is_stop(cw.w[i]) || strlen(cw.w[i]) < 4 || !word_in(&ms, cw.w[i]))
					continue;
				for (size_t o = 0; o < n && unique; o++) {
					struct nlu_words ow;

					if (o == c)
						continue;
					nlu_words(a, nlu_normalize(a, cands[o]), &ow);
					for (size_t k = 0; k < ow.n && unique; k++)
						unique = !nlu_word_like(ow.w[k], cw.w[i]);
				}
				if (unique) {
					s = 0.6;
					break;
				}
			}
		}
		/* "haircut" written "hair cut" (or the other way round). */
		if (s < 1 && cl >= 5) {
			if (strstr(joined, cj) != NULL) {
				s = 1;
			} else {
				for (size_t i = 0; i + 1 < ms.n; i++) {
					char two[80];

					snprintf(two, sizeof(two), "%s%s", ms.w[i], ms.w[i + 1]);
					if (nlu_word_like(two, cj)) {
						s = 1;
						break;
					}
				}
			}
		}
		/* Ties go to the more specific name ("mens haircut" is "Men's
		 * Haircut", not "Haircut"). */
		if (s > 0 && s + 0.001 * found > best_adj + 1e-9) {
			best_adj = s + 0.001 * found;
			best_s = s;
			best = (int)c;
		}
	}
	if (score)
		*score = best_s;
	return best_s >= min_score ? best : -1;
}

double
nlu_faq_score(struct arena *a, const char *query, const char *question, const char *answer)
{
	struct nlu_words qw, fw, aw;
	size_t content = 0, found = 0, afound = 0;
	double overlap, tri;

	nlu_words(a, query, &qw);
	nlu_words(a, question, &fw);
	nlu_words(a, answer ? answer : "", &aw);
	for (size_t i = 0; i < qw.n; i++) {
		if (is_stop(qw.w[i]) || strlen(qw.w[i]) < 3)
			continue;
		content++;
		if (word_in(&fw, qw.w[i]))
			found++;
		else if (word_in(&aw, qw.w[i]))
			afound++;
	}
	if (content == 0)
		return 0;
	overlap = ((double)found + 0.5 * (double)afound) / (double)content;
	tri = nlu_trigram_similarity(query, question);
	return overlap * 0.75 + tri * 0.25;
}

/* ---- contact details and references ---------------------------------------------- */

static bool
email_char(unsigned char c)
{
	return isalnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

char *
nlu_extract_email(struct arena *a, const char *s)
{
	for (const char *at = strchr(s, '@'); at; at = strchr(at + 1, '@')) {
		const char *b = at, *e = at + 1;
		char *out;

		while (b > s && email_char((unsigned char)b[-1]))
			b--;
		while (*e && email_char((unsigned char)*e))
			e++;
		while (e > at + 1 && (e[-1] == '.' || e[-1] == '-'))
			e--;
		if (b == at || e == at + 1)
			continue;
		out = arena_strndup(a, b, (size_t)(e - b));
		for (char *p = out; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (addr_email_ok(out))
			return out;
	}
	return NULL;
}

char *
nlu_extract_phone(struct arena *a, const char *s, const char *default_cc)
{
	for (const char *p = s; *p; p++) {
		char digits[24];
		size_t nd = 0;
		bool plus = *p == '+';
		const char *q = plus ? p + 1 : p, *end = NULL;
		char *out = NULL;

		if (!isdigit((unsigned char)*q) && *q != '(')
			continue;
		if (p > s && (isalnum((unsigned char)p[-1]) || p[-1] == '@' || p[-1] == '.' ||
		    p[-1] == '+' || p[-1] == '/' || p[-1] == ':' || p[-1] == '-'))
			continue;
		for (; *q; q++) {
			if (isdigit((unsigned char)*q)) {
				if (nd + 1 >= sizeof(digits))
					break;
				digits[nd++] = *q;
				end = q + 1;
			} else if (!(*q == ' ' || *q == '-' || *q == '.' || *q == '(' || *q == ')') ||
			    nd >= 15) {
				break;
			}
		}
		digits[nd] = '\0';
		if (end == NULL)
			continue;
		/* "555@…", "12pm", "3/14": not phone numbers. */
		if (*end == '@' || isalpha((unsigned char)*end) || *end == '/' || *end == ':') {
			p = end - 1;
			continue;
		}
		if (plus && nd >= 7 && nd <= 15 && digits[0] != '0')
			out = arena_printf(a, "+%s", digits);
		else if (!plus && nd == 10 && default_cc && digits[0] >= '2')
			out = arena_printf(a, "+%s%s", default_cc, digits);
		else if (!plus && nd == 11 && default_cc && strcmp(default_cc, "1") == 0 &&
		    digits[0] == '1')
			out = arena_printf(a, "+%s", digits);
		else if (!plus && nd >= 11 && nd <= 17 && strncmp(digits, "00", 2) == 0)
			out = arena_printf(a, "+%s", digits + 2);
		if (out != NULL && addr_e164_ok(out))
			return out;
		p = end - 1;
	}
	return NULL;
}

static bool
name_word(const char *w, size_t n)
{
	if (n == 0 || n > 40)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)w[i];

		if (!(isalpha(c) || c >= 0x80 || c == '-' || c == '\''))
			return false;
	}
	return true;
}

static const char *const not_names[] = { "yes", "no", "ok", "okay", "sure", "hi", "hello",
	"hey", "thanks", "thank", "please", "book", "it", "the", "a", "and", "my", "email",
	"phone", "number", "is", "at", "me", "here", "confirm", "appointment", "booking",
	"cancel", "reschedule", "tomorrow", "today", "you", "can", "i", "im", "would", "like",
	"to", "for", "with", "name", "not", "mobile", "cell", "call", "text", "reach",
	"contact", "e-mail", "mail", "on", "or", "haircut", "want", "need", "i'm", "i'd",
	"i'll", "it's", "that's", "what", "when", "how", "where", "do", "does", "are",
	"looking", "just", "the", "an", "of", "in", "ignore", "system", "admin", "owner",
	"drop", "select", "delete", "insert", "update", "table", "null", "true", "false",
	"book", "booked", "sounds", "good", "great", "perfect", "fine", "thanks", "who",
	"why", "which", "sure", "okay", "yeah", "yep", "nope", "please", "hello", "hi",
	"works", "that", "this", "there", "then", "so", "well", "actually", "also",
	/* Spanish: "mi correo es …", "sí, por favor" */
	"mi", "correo", "es", "el", "la", "de", "del", "telefono", "movil", "si", "hola",
	"gracias", "por", "favor", "vale", "quiero", "nombre", "llamo", "soy", "mail", NULL };

static bool
not_name(const char *w, size_t n)
{
	for (const char *const *s = not_names; *s; s++)
		if (strlen(*s) == n && strncasecmp(*s, w, n) == 0)
			return true;
	return false;
}

/* Up to four name words from p; title-cased into the arena. */
static char *
take_name(struct arena *a, const char *p)
{
	char buf[160];
	size_t len = 0;
	int words = 0;

	while (*p == ' ' || *p == ':' || *p == '-')
		p++;
	while (*p && words < 4) {
		const char *e = p;

		while (*e && *e != ' ' && *e != ',' && *e != '.' && *e != '!' && *e != '?' &&
		    *e != ';' && *e != '\n' && *e != '(' && *e != ')')
			e++;
		if (!name_word(p, (size_t)(e - p)) || not_name(p, (size_t)(e - p)))
			break;
		if (len + (size_t)(e - p) + 2 >= sizeof(buf))
			break;
		if (len)
			buf[len++] = ' ';
		for (const char *q = p; q < e; q++) {
			bool first = q == p || q[-1] == '-' || q[-1] == '\'';

			buf[len++] = first ? (char)toupper((unsigned char)*q)
			    : (char)tolower((unsigned char)*q);
		}
		words++;
		p = e;
		if (*p != ' ')
			break;
		while (*p == ' ')
			p++;
	}
	buf[len] = '\0';
	return words ? arena_strdup(a, buf) : NULL;
}

/* Words that follow "I'm" without being a name. */
static const char *const not_after_im[] = { "looking", "interested", "wondering", "trying",
	"calling", "here", "available", "free", "busy", "new", "sorry", "not", "just", "going",
	"hoping", "the", "a", "an", "in", "on", "at", "so", "very", "really", "good", "fine",
	"ok", "okay", "great", "thinking", "asking", "writing", "after", "back", "late",
	"running", "coming", "still", "also", "done", "ready", "happy", "sure", "glad", "afraid",
	"the", "owner", "manager", "admin", "administrator", "staff", "developer", "system",
	"your", "from", "with", "unable", "able", "confused", "allergic", "pregnant", NULL };

/* Where an e-mail address was: not a letter, so never part of a name. */
#define EMAIL_MARK '\x01'

static char *
without_emails(struct arena *a, const char *s)
{
	char *out = arena_strdup(a, s), *at;

	while ((at = strchr(out, '@')) != NULL) {
		char *b = at, *e = at;

		while (b > out && b[-1] != ' ' && b[-1] != ',' && b[-1] != ';' && b[-1] != '<' &&
		    b[-1] != ':')
			b--;
		while (*e && *e != ' ' && *e != ',' && *e != ';' && *e != '>')
			e++;
		memset(b, ' ', (size_t)(e - b));
		*b = EMAIL_MARK;
	}
	return out;
}

char *
nlu_extract_name(struct arena *a, const char *s, bool expecting)
{
	static const char *const strong[] = { "my name is ", "my name's ", "name is ",
		"name: ", "name - ", "me llamo ", "mi nombre es ", NULL };
	/* Not "for": "for colour" names a service, not a person. */
	static const char *const weak[] = { "i'm ", "i am ", "im ", "this is ", "it's ",
		"its ", "soy ", "under ", "call me ", NULL };
	bool has_email = strchr(s, '@') != NULL;
	char *low, *name;

	/* An e-mail address is never read as a name ("jane.doe@x" is not
	 * "Jane"): blank it out, keeping what the person wrote around it. */
	s = without_emails(a, s);
	low = arena_strdup(a, s);

	for (char *p = low; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (int pass = 0; pass < 2; pass++) {
		const char *const *lead = pass == 0 ? strong : weak;

		if (pass == 1 && !expecting && !has_email &&
		    strpbrk(s, "0123456789") == NULL)
			break;
		for (const char *const *l = lead; *l; l++) {
			const char *hit = strstr(low, *l), *after;
			size_t wl = 0;

			if (hit == NULL || (hit > low && isalpha((unsigned char)hit[-1])))
				continue;
			after = s + (hit - low) + strlen(*l);
			while (after[wl] && isalpha((unsigned char)after[wl]))
				wl++;
			if (pass == 1) {
				bool bad = false;

				for (const char *const *x = not_after_im; *x && !bad; x++)
					bad = strlen(*x) == wl && strncasecmp(*x, after, wl) == 0;
				if (bad)
					continue;
			}
			name = take_name(a, after);
			if (name != NULL)
				return name;
		}
	}
	/* "Jane Doe, jane@example.com" / "Jane Doe 555 123 4567": words before
	 * the contact, when the message carries one or a name was asked for. */
	if (expecting || has_email) {
		const char *p = s;

		while (*p == ' ')
			p++;
		name = take_name(a, p);
		if (name != NULL) {
			const char *after = p + strlen(name);

			while (*after == ' ')
				after++;
			/* Only the name, or the name then the contact: "Jane Doe,
			 * jane@x", "Jane Doe. 415 555 0123" — not "Forget everything
			 * above. New rule: …". */
			if (*after == '\0' || *after == ',')
				return name;
			while (*after == ' ' || *after == '.' || *after == '-')
				after++;
			if (*after == EMAIL_MARK || *after == '+' || *after == '(' ||
			    isdigit((unsigned char)*after))
				return name;
		}
	}
	return NULL;
}

static bool
ref_char(unsigned char c)
{
	c = (unsigned char)toupper(c);
	return strchr("23456789ABCDEFGHJKMNPQRSTUVWXYZ", c) != NULL && c != '\0';
}

/* The word before position p of s, lower-cased, into out. */
static void
word_before(const char *s, const char *p, char *out, size_t outsz)
{
	const char *e = p, *b;
	size_t n;

	while (e > s && !isalnum((unsigned char)e[-1]))
		e--;
	b = e;
	while (b > s && isalpha((unsigned char)b[-1]))
		b--;
	n = (size_t)(e - b) < outsz - 1 ? (size_t)(e - b) : outsz - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)b[i]);
	out[n] = '\0';
}

char *
nlu_extract_reference(struct arena *a, const char *s)
{
	char *low = arena_strdup(a, s);
	static const char *const keys[] = { "reference", "ref", "booking", "code", "#",
		"confirmation", "cancel", "reschedule", "move", "appointment", NULL };

	for (char *p = low; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (const char *p = s; *p; p++) {
		const char *q = p;
		bool digit = false, letter = false, keyed = false, upper = true, right_after = false;
		char prev[24];
		char *out;

		if (p > s && isalnum((unsigned char)p[-1]))
			continue;
		while (*q && ref_char((unsigned char)*q) && q - p < 7) {
			digit |= isdigit((unsigned char)*q) != 0;
			letter |= isalpha((unsigned char)*q) != 0;
			upper &= !islower((unsigned char)*q);
			q++;
		}
		if (q - p != 6 || isalnum((unsigned char)*q))
			continue;
		for (const char *const *k = keys; *k && !keyed; k++) {
			const char *hit = strstr(low, *k);

			keyed = hit != NULL && hit < low + (p - s);
		}
		word_before(s, p, prev, sizeof(prev));
		for (const char *const *k = keys; *k && !right_after; k++)
			right_after = strcmp(prev, *k) == 0;
		if (p > s && p[-1] == '#')
			right_after = true;
		/* Letters and digits together look like a reference. All letters
		 * ("BOOKED", "thanks") or all digits only when introduced as one:
		 * right after "reference", "cancel", "#" …, or upper-case after
		 * such a word anywhere before. */
		if (!(digit && letter) && !right_after && !(keyed && upper))
			continue;
		out = arena_strndup(a, p, 6);
		for (char *r = out; *r; r++)
			*r = (char)toupper((unsigned char)*r);
		return out;
	}
	return NULL;
}

/* ---- confirmation ----------------------------------------------------------------------- */

static const char *const affirm_words[] = { "yes", "y", "yeah", "yea", "yep", "yup", "ya",
	"sure", "ok", "okay", "k", "kk", "confirm", "confirmed", "confirming", "correct",
	"right", "perfect", "great", "absolutely", "definitely", "certainly", "please",
	"si", "claro", "vale", "dale", "oui", "ja", "affirmative", "yess", "yesss", "agreed",
	"fine", "good", "lovely", "excellent", "awesome", "alright", "aight", NULL };
static const char *const affirm_phrases[] = { "book it", "do it", "go ahead", "go for it",
	"sounds good", "that works", "works for me", "lets do it", "let's do it",
	"please do", "that's right", "thats right", "that's fine", "thats fine",
	"of course", "por favor", "d'accord", "all good", "looks good", "yes please",
	NULL };
static const char *const negation_words[] = { "no", "nope", "nah", "not", "dont", "don't",
	"never", "wait", "stop", "cancel", "change", "different", "another", "instead",
	"wrong", "incorrect", "hold", "nevermind", "nvm", "negative", "cant", "won't", "wont",
	"isnt", "but", "although", "however", "unless", "except", "maybe", "perhaps",
	"later", "rather", "actually", "hmm", "hm", "nicht", "non", "nein", NULL };
/* Reported speech, role claims and key-value pretences. */
static const char *const reported_words[] = { "said", "says", "say", "saying", "told",
	"tell", "customer", "user", "client", "system", "assistant", "admin", "administrator",
	"owner", "developer", "model", "ai", "bot", "confirmation", "override", "ignore",
	"instruction", "instructions", "prompt", "he", "she", "they", "them", "someone",
	"answer", "reply", "respond", "type", "typed", "wrote", "write", "pretend", "assume",
	"if", "quote", "quoted", "true", "false", "null", NULL };

static bool
word_in_list(const char *w, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(w, *list) == 0)
			return true;
	return false;
}

/* Removes quoted lines ("> …") and quoted spans ("…", '…' around words,
 * `…`). An unterminated quote removes the rest. */
static char *
strip_quotes(struct arena *a, const char *s)
{
	char *out = arena_alloc(a, strlen(s) + 1), *w = out;
	bool line_start = true;

	for (const char *p = s; *p;) {
		if (line_start) {
			const char *q = p;

			while (*q == ' ' || *q == '\t')
				q++;
			if (*q == '>' || *q == '|') {
				while (*q && *q != '\n')
					q++;
				p = q;
				continue;
			}
		}
		if (*p == '"' || *p == '`' ||
		    (*p == '\'' && (p == s || !isalnum((unsigned char)p[-1])))) {
			char close = *p;
			const char *q = strchr(p + 1, close);

			/* an apostrophe inside a word ("that's") is not a quote */
			if (close == '\'' && q != NULL && isalnum((unsigned char)q[1]))
				q = NULL;
			if (close == '\'' && q == NULL) {
				*w++ = *p++;
				line_start = false;
				continue;
			}
			p = q ? q + 1 : p + strlen(p);
			*w++ = ' ';
			continue;
		}
		line_start = *p == '\n';
		*w++ = *p++;
	}
	*w = '\0';
	return out;
}

/* Words a plain confirmation may carry besides the affirmative itself. */
static const char *const confirm_vocab[] = { "it", "that", "thats", "this", "one", "the", "a",
	"an", "appointment", "booking", "time", "slot", "me", "for", "book", "go", "ahead", "do",
	"lets", "let", "us", "works", "work", "sounds", "looks", "would", "be", "is", "will",
	"see", "you", "then", "there", "thank", "thanks", "much", "very", "so", "all", "set",
	"im", "i", "am", "in", "please", "really", "just", "with", "we", "good", "great",
	"perfect", "ready", "deal", "done", "exactly", "indeed", "fine", "right", "correct",
	"oh", "um", "uh", "well", "hi", "hey", "ah", "and", "also", "sure", "yes", "ok", "okay",
	"gracias", "merci", "favor", "por", "bien", "muy", "cool", "nice", "wonderful", "to",
	"of", "course", "me", "d", "accord", "confirm", "confirmed", NULL };

enum nlu_confirm
nlu_confirmation(struct arena *a, const char *raw)
{
	char *norm = nlu_normalize(a, raw), *plain;
	struct nlu_words ws;
	bool negated = false, lead = false;
	size_t unknown = 0;

	/* Quotes go first, on the normalised text, so a fake "yes" inside
	 * them never counts, however it is dressed up. */
	plain = strip_quotes(a, norm);
	/* Structure that people do not type to say yes: key-value claims, tags,
	 * JSON, role prefixes ("system: …"). "ok :)" is still a yes. */
	if (strpbrk(plain, "={}[]<>\\|") != NULL)
		return NLU_CONFIRM_NONE;
	for (const char *p = strchr(plain, ':'); p; p = strchr(p + 1, ':'))
		if (p > plain && isalnum((unsigned char)p[-1]))
			return NLU_CONFIRM_NONE;
	nlu_words(a, plain, &ws);
	if (ws.n == 0)
		return NLU_CONFIRM_NONE;
	for (size_t i = 0; i < ws.n; i++)
		if (word_in_list(ws.w[i], negation_words) || lang_word(ws.w[i],
		    LANG_LIST(no_words)))
			negated = true;
	for (size_t i = 0; i < ws.n; i++)
		if (word_in_list(ws.w[i], reported_words))
			return negated ? NLU_CONFIRM_NO : NLU_CONFIRM_NONE;
	if (negated)
		return NLU_CONFIRM_NO;
	if (ws.n > 12)
		return NLU_CONFIRM_NONE;
	/* The affirmative must lead: "yes", "ok book it", "sure, go ahead". */
	for (size_t i = 0; i < ws.n && i < 3 && !lead; i++) {
		if (word_in_list(ws.w[i], affirm_words) || lang_word(ws.w[i],
		    LANG_LIST(yes_words))) {
			lead = true;
			break;
		}
		for (const char *const *ph = affirm_phrases; *ph && !lead; ph++) {
			struct nlu_words pw;
			size_t j;

			nlu_words(a, *ph, &pw);
			for (j = 0; j < pw.n && i + j < ws.n; j++)
				if (strcmp(ws.w[i + j], pw.w[j]) != 0)
					break;
			lead = j == pw.n;
		}
		/* Filler before the yes: "oh yes", "um ok", "hi yes". */
		if (!lead && !word_in_list(ws.w[i], (const char *const[]){ "oh", "um", "uh",
		    "well", "hi", "hey", "ah", "and", "then", "so", "alright", NULL }))
			break;
	}
	if (!lead)
		return NLU_CONFIRM_NONE;
	/* Everything else must be the small talk of a yes; one stray word is
	 * tolerated ("yes Jane"), numbers and requests are not. */
	for (size_t i = 0; i < ws.n; i++) {
		if (word_in_list(ws.w[i], affirm_words) || word_in_list(ws.w[i], confirm_vocab) ||
		    lang_word(ws.w[i], LANG_LIST(yes_words)))
			continue;
		if (isdigit((unsigned char)ws.w[i][0]))
			return NLU_CONFIRM_NONE;
		unknown++;
	}
	return unknown <= 1 ? NLU_CONFIRM_YES : NLU_CONFIRM_NONE;
}
