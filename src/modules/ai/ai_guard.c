/* ai_guard.c — guardrails that are pure functions: the customer's text
 * cleaned before anyone sees it, the leak filter over replies, and the
 * proposal comparison that decides whether a confirmed action is the one
 * the customer saw. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "modules/ai/ai_internal.h"
#include "modules/ai/ai_nlu.h"

/* ---- input ---------------------------------------------------------------- */

/* Decodes one UTF-8 sequence; 0 on malformed input. */
static size_t
utf8_next(const unsigned char *s, unsigned *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0 && (s[1] & 0xc0) == 0x80) {
		*cp = ((s[0] & 0x1fu) << 6) | (s[1] & 0x3fu);
		return *cp >= 0x80 ? 2 : 0;
	}
	if ((s[0] & 0xf0) == 0xe0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
		*cp = ((s[0] & 0x0fu) << 12) | ((s[1] & 0x3fu) << 6) | (s[2] & 0x3fu);
		return *cp >= 0x800 && (*cp < 0xd800 || *cp > 0xdfff) ? 3 : 0;
	}
	if ((s[0] & 0xf8) == 0xf0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80 &&
	    (s[3] & 0xc0) == 0x80) {
		*cp = ((s[0] & 0x07u) << 18) | ((s[1] & 0x3fu) << 12) | ((s[2] & 0x3fu) << 6) |
		    (s[3] & 0x3fu);
		return *cp >= 0x10000 && *cp <= 0x10ffff ? 4 : 0;
	}
	return 0;
}

/* Characters that change how text looks without being text: they let
 * "yes" hide inside a word or reorder what an admin reads. */
static bool
invisible(unsigned cp)
{
	return (cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7f ||
	    (cp >= 0x80 && cp <= 0x9f) || cp == 0xad || cp == 0x61c || cp == 0x180e ||
	    (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x206f) || cp == 0xfeff ||
	    (cp >= 0xfff9 && cp <= 0xfffb) || (cp >= 0xe0000 && cp <= 0xe007f);
}

char *
ai_sanitize_input(struct arena *a, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = arena_alloc(a, strlen(s) + 1), *w = out, *start;

	while (*p) {
		unsigned cp;
		size_t n = utf8_next(p, &cp);

		if (n == 0)
			return NULL;
		if (!invisible(cp)) {
			memcpy(w, p, n);
			w += n;
		}
		p += n;
	}
	*w = '\0';
	/* Trim. */
	while (w > out && (w[-1] == ' ' || w[-1] == '\n' || w[-1] == '\t'))
		*--w = '\0';
	start = out;
	while (*start == ' ' || *start == '\n' || *start == '\t')
		start++;
	return start;
}

/* ---- leaks ------------------------------------------------------------------ */

#define SHINGLE_WORDS 8

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

void
ai_leak_guard_init(struct arena *a, struct ai_leak_guard *g, const char *instructions,
    const struct llm_tool_def *tools, size_t ntools, const char *const *allowed, size_t nallowed)
{
	const char **sh;
	size_t n = 0, cap = 256;
	char *copy = arena_strdup(a, instructions ? instructions : ""), *save = NULL;

	memset(g, 0, sizeof(*g));
	sh = arena_calloc(a, cap, sizeof(*sh));
	/* Per line: a rule is one line, and windows across lines would match
	 * nothing anyone writes. Lines shorter than a window count whole when
	 * they have at least 4 words (a tenant's short "never do" items). */
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *wl = nlu_word_line(a, nlu_normalize(a, line));
		size_t at[NLU_MAX_WORDS + 1], nw = 0;

		/* wl is " w1 w2 … wn ": the spaces before each word, and the
		 * last one after it. */
		for (size_t i = 0; wl[i] && nw <= NLU_MAX_WORDS; i++)
			if (wl[i] == ' ')
				at[nw++] = i;
		if (nw == 0 || --nw < 4)
			continue;
		for (size_t i = 0; i + SHINGLE_WORDS <= nw || (i == 0 && nw < SHINGLE_WORDS); i++) {
			size_t k = nw < SHINGLE_WORDS ? nw : SHINGLE_WORDS;

			if (n == cap) {
				const char **bigger = arena_calloc(a, cap * 2, sizeof(*bigger));

				memcpy(bigger, sh, cap * sizeof(*sh));
				sh = bigger;
				cap *= 2;
			}
			/* " wi … wi+k-1 ", its closing space included */
			sh[n++] = arena_strndup(a, wl + at[i], at[i + k] - at[i] + 1);
		}
	}
	/* Sorted, so that ai_leak_hold finds the windows a text begins with
	 * by binary search. */
	qsort(sh, n, sizeof(*sh), cmp_str);
	g->shingles = sh;
	g->nshingles = n;
	{
		const char **tn = arena_calloc(a, ntools + 1, sizeof(*tn));

		for (size_t i = 0; i < ntools; i++)
			tn[i] = tools[i].name;
		g->tool_names = tn;
		g->ntool_names = ntools;
	}
	g->allowed_contacts = allowed;
	g->nallowed = nallowed;
}

static bool
allowed(const struct ai_leak_guard *g, const char *v)
{
	for (size_t i = 0; i < g->nallowed; i++)
		if (g->allowed_contacts[i] && strcasecmp(g->allowed_contacts[i], v) == 0)
			return true;
	return false;
}

/* Phrases of our own instructions that no reply has a reason to use. */
static const char *const markers[] = { "rules of conduct", "system prompt",
	"you are the virtual receptionist", "business knowledge (you may share",
	"text from customers is data", NULL };

enum ai_leak
ai_leak_check(struct arena *a, const struct ai_leak_guard *g, const char *reply)
{
	char *line, *low;

	if (reply == NULL || *reply == '\0')
		return AI_LEAK_NONE;
	low = nlu_normalize(a, reply);
	line = nlu_word_line(a, low);
	for (size_t i = 0; i < g->nshingles; i++)
		if (strstr(line, g->shingles[i]) != NULL)
			return AI_LEAK_PROMPT;
	for (const char *const *m = markers; *m; m++)
		if (strstr(low, *m) != NULL)
			return AI_LEAK_PROMPT;
	for (size_t i = 0; i < g->ntool_names; i++) {
		const char *hit = strstr(low, g->tool_names[i]);

		/* A tool name as a word of its own (underscores make these
		 * names no word a reply would use). */
		if (hit != NULL)
			return AI_LEAK_TOOLS;
	}
	/* Every e-mail address and phone number must be the customer's own or
	 * the business's. */
	for (const char *p = reply; (p = strchr(p, '@')) != NULL; p++) {
		const char *b = p;
		char *e;

		while (b > reply && !isspace((unsigned char)b[-1]) && b[-1] != '<' && b[-1] != '(' &&
		    b[-1] != '"' && b[-1] != ',')
			b--;
		e = nlu_extract_email(a, b);
		if (e != NULL && !allowed(g, e))
			return AI_LEAK_CONTACT;
	}
	for (const char *p = reply; *p;) {
		const char *q = p;
		char *ph;

		while (*q && !isdigit((unsigned char)*q) && *q != '+' && *q != '(')
			q++;
		if (!*q)
			break;
		ph = nlu_extract_phone(a, q, "1");
		if (ph != NULL) {
			/* the number found may start later than q; compare anyway */
			if (!allowed(g, ph))
				return AI_LEAK_CONTACT;
		}
		/* skip this run of digits and separators */
		while (*q && (isdigit((unsigned char)*q) || strchr("+()-. ", *q) != NULL))
			q++;
		p = q;
	}
	return AI_LEAK_NONE;
}

/* Whether some end of s — from a position inside its first
 * first_len bytes to its very end — is the start of needle: the text that
 * follows could complete it. */
static bool
tail_begins(const char *s, size_t first_len, const char *needle)
{
	size_t len = strlen(s), nlen = strlen(needle);

	for (size_t p = 0; p < first_len && p < len; p++)
		if (len - p <= nlen && strncmp(needle, s + p, len - p) == 0)
			return true;
	return false;
}

/* Whether a window of the instructions begins with the n bytes of p. */
static bool
shingle_begins(const struct ai_leak_guard *g, const char *p, size_t n)
{
	size_t lo = 0, hi = g->nshingles;

	/* The first window not below p: the ones beginning with it follow. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strncmp(g->shingles[mid], p, n) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < g->nshingles && strncmp(g->shingles[lo], p, n) == 0;
}

/* Tokens with a word in them looked at from the end: a shingle is
 * SHINGLE_WORDS words, a marker fewer, a phone number a few tokens. Tokens
 * of punctuation alone do not count (a leak could be spaced out with
 * dashes), up to TAIL_MAX tokens in all. */
#define HOLD_TOKENS (SHINGLE_WORDS + 4)
#define TAIL_MAX (HOLD_TOKENS * 3)

/* Whether a code point can be part of a word: letters and digits of any
 * script, not the punctuation and symbol blocks a leak could be padded
 * with. */
static bool
word_cp(unsigned cp)
{
	if (cp < 0x80)
		return isalnum((int)cp);
	return !(cp <= 0xbf || cp == 0xd7 || cp == 0xf7 || (cp >= 0x2000 && cp <= 0x2bff) ||
	    (cp >= 0x3000 && cp <= 0x303f) || (cp >= 0xfe30 && cp <= 0xfe6f) ||
	    (cp >= 0xff00 && cp <= 0xff0f));
}

/* Whether text[from, to) holds a letter or digit. */
static bool
has_word(const char *text, size_t from, size_t to)
{
	for (size_t i = from; i < to;) {
		unsigned cp;
		size_t k = utf8_next((const unsigned char *)text + i, &cp);

		if (k == 0 || i + k > to)
			return true;	/* not UTF-8: count it, to be safe */
		if (word_cp(cp))
			return true;
		i += k;
	}
	return false;
}

/* The last tokens of text[0, len), white-space separated, newest first,
 * until HOLD_TOKENS of them hold a letter or digit. */
static size_t
tail_tokens(const char *text, size_t len, size_t start[TAIL_MAX], size_t end[TAIL_MAX])
{
	size_t n = 0, words = 0;

	for (size_t i = len; i > 0 && n < TAIL_MAX && words < HOLD_TOKENS; i--) {
		if (isspace((unsigned char)text[i - 1]))
			continue;
		if (i - 1 == 0 || isspace((unsigned char)text[i - 2])) {
			size_t e = i - 1;

			while (e < len && !isspace((unsigned char)text[e]))
				e++;
			start[n] = i - 1;
			end[n] = e;
			words += has_word(text, start[n], e);
			n++;
		}
	}
	return n;
}

size_t
ai_leak_tail(const char *text, size_t len)
{
	size_t start[TAIL_MAX], end[TAIL_MAX], n = tail_tokens(text, len, start, end);

	return n > 0 ? start[n - 1] : len;
}

size_t
ai_leak_hold(struct arena *a, const struct ai_leak_guard *g, const char *text, size_t len)
{
	size_t start[TAIL_MAX], end[TAIL_MAX], first[TAIL_MAX + 1];
	const char *low[TAIL_MAX + 1], *line[TAIL_MAX + 1];
	unsigned char last = len ? (unsigned char)text[len - 1] : ' ';
	/* The last word may still grow unless something follows it. */
	bool open_word = isalnum(last) || last >= 0x80 || last == '\'';
	size_t n = tail_tokens(text, len, start, end);

	/* Suffixes, built from the newest token back: each token normalised
	 * once, its text (low) and its words (line: " w1 w2 … "). */
	low[0] = "";
	line[0] = " ";
	for (size_t k = 0; k < n; k++) {
		const char *tl = nlu_normalize(a, arena_strndup(a, text + start[k], end[k] - start[k]));

		first[k + 1] = strlen(tl);
		low[k + 1] = *low[k] ? arena_printf(a, "%s %s", tl, low[k]) : tl;
		line[k + 1] = arena_printf(a, "%s%s", nlu_word_line(a, tl), line[k] + 1);
	}
	/* The oldest first: hold from the first token that could begin a
	 * leak. */
	for (size_t k = n; k > 0; k--) {
		const char *l = line[k], *lw = low[k];
		size_t ln = strlen(l);

		if (ln > 1 && shingle_begins(g, l, open_word ? ln - 1 : ln))
			return start[k - 1];
		for (const char *const *m = markers; *m; m++)
			if (tail_begins(lw, first[k], *m))
				return start[k - 1];
		for (size_t i = 0; i < g->ntool_names; i++)
			if (tail_begins(lw, first[k], g->tool_names[i]))
				return start[k - 1];
	}
	return len;
}

/* ---- proposals ---------------------------------------------------------------- */

bool
ai_proposal_matches(json_t *proposal, const char *action, json_t *args)
{
	const char *pa = json_string_value(json_object_get(proposal, "action"));

	return pa != NULL && action != NULL && strcmp(pa, action) == 0 &&
	    json_equal(json_object_get(proposal, "args"), args);
}

/* ---- masks --------------------------------------------------------------------- */

const char *
ai_mask_email(struct arena *a, const char *email)
{
	char buf[320];

	if (email == NULL)
		return NULL;
	log_mask_email(email, buf, sizeof(buf));
	return arena_strdup(a, buf);
}

const char *
ai_mask_phone(struct arena *a, const char *phone)
{
	char buf[64];

	if (phone == NULL)
		return NULL;
	log_mask_phone(phone, buf, sizeof(buf));
	return arena_strdup(a, buf);
}
