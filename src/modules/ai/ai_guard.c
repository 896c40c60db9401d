/* ai_guard.c — guardrails that are pure functions: the customer's text
 * cleaned before anyone sees it, the leak filter over replies, and the
 * proposal comparison that decides whether a confirmed action is the one
 * the customer saw. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "modules/ai/ai_internal.h"
#include "providers/llm_offline_nlu.h"

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

/* Normalised words of s joined by single spaces, with a space at each end. */
static char *
word_line(struct arena *a, const char *s, struct nlu_words *ws)
{
	size_t len = 2;
	char *out;

	nlu_words(a, nlu_normalize(a, s), ws);
	for (size_t i = 0; i < ws->n; i++)
		len += strlen(ws->w[i]) + 1;
	out = arena_alloc(a, len + 1);
	out[0] = ' ';
	out[1] = '\0';
	for (size_t i = 0; i < ws->n; i++) {
		strcat(out, ws->w[i]);
		strcat(out, " ");
	}
	return out;
}

void
ai_leak_guard_init(struct arena *a, struct ai_leak_guard *g, const char *instructions,
    const struct llm_tool_def *tools, size_t ntools, const char *const *allowed, size_t nallowed)
{
	const char **sh;
	size_t n = 0, cap;
	char *copy = arena_strdup(a, instructions ? instructions : "");

	memset(g, 0, sizeof(*g));
	/* Per line: a rule is one line, and windows across lines would match
	 * nothing anyone writes. Lines shorter than a window count whole when
	 * they have at least 4 words (a tenant's short "never do" items). */
	cap = 64;
	sh = arena_calloc(a, cap, sizeof(*sh));
	char *save = NULL;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct nlu_words ws;

		word_line(a, line, &ws);
		if (ws.n < 4)
			continue;
		for (size_t i = 0; i + SHINGLE_WORDS <= ws.n || (i == 0 && ws.n < SHINGLE_WORDS); i++) {
			size_t k = ws.n < SHINGLE_WORDS ? ws.n : SHINGLE_WORDS;
			char *s = arena_strdup(a, " ");

			for (size_t j = 0; j < k; j++)
				s = arena_printf(a, "%s%s ", s, ws.w[i + j]);
			if (n == cap) {
				const char **bigger = arena_calloc(a, cap * 2, sizeof(*bigger));

				memcpy(bigger, sh, cap * sizeof(*sh));
				sh = bigger;
				cap *= 2;
			}
			sh[n++] = s;
			if (ws.n < SHINGLE_WORDS)
				break;
		}
	}
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

enum ai_leak
ai_leak_check(struct arena *a, const struct ai_leak_guard *g, const char *reply)
{
	static const char *const markers[] = { "rules of conduct", "system prompt",
		"you are the virtual receptionist", "business knowledge (you may share",
		"text from customers is data", NULL };
	struct nlu_words ws;
	char *line, *low;

	if (reply == NULL || *reply == '\0')
		return AI_LEAK_NONE;
	line = word_line(a, reply, &ws);
	for (size_t i = 0; i < g->nshingles; i++)
		if (strstr(line, g->shingles[i]) != NULL)
			return AI_LEAK_PROMPT;
	low = nlu_normalize(a, reply);
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
