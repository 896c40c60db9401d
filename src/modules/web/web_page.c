/* web_page.c — an HTML page under construction, shared by the booking
 * portal (web_portal.c) and the admin app's shell (web_admin.c): a buffer
 * in the request's arena, HTML escaping for everything that is not ours,
 * JSON blocks no value can break out of, and the security headers every
 * page carries. */
#include <ctype.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "modules/web/web_internal.h"

#define PAGE_MAX (1u << 20)

void
page_init(struct page *p, struct request *r)
{
	unsigned char rnd[16];

	memset(p, 0, sizeof(*p));
	p->r = r;
	p->b = arena_calloc(r->arena, 1, sizeof(*p->b));
	buf_init(p->b, PAGE_MAX);
	arena_defer(r->arena, (void (*)(void *))buf_free, p->b);
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2base64(p->nonce, sizeof(p->nonce), rnd, sizeof(rnd),
	    sodium_base64_VARIANT_ORIGINAL);
}

void
page_raw(struct page *p, const char *s)
{
	if (p->st == ST_OK && s != NULL)
		p->st = buf_puts(p->b, s);
}

/* Only for values we produced (numbers, checked ids): never tenant text. */
void
page_rawf(struct page *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	page_raw(p, arena_vprintf(p->r->arena, fmt, ap));
	va_end(ap);
}

/* HTML-escapes s for text and for quoted attribute values alike. */
void
page_text(struct page *p, const char *s)
{
	const char *run = s;

	if (s == NULL)
		return;
	for (; *s; s++) {
		const char *rep;

		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		if (p->st == ST_OK && s > run)
			p->st = buf_append(p->b, run, (size_t)(s - run));
		page_raw(p, rep);
		run = s + 1;
	}
	if (p->st == ST_OK && s > run)
		p->st = buf_append(p->b, run, (size_t)(s - run));
}

const char *
page_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) && json_string_length(v) > 0 ? json_string_value(v) : NULL;
}

/* JSON for a <script type="application/json"> block: no '<', '>' or '&'
 * survive, so "</script>" or "<!--" in a value cannot end the block. */
void
page_json_block(struct page *p, const char *id, json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);

	json_decref(v);
	if (s == NULL) {
		p->st = ST_INTERNAL;
		return;
	}
	page_rawf(p, "<script type=\"application/json\" id=\"%s\">", id);
	for (const char *c = s; *c && p->st == ST_OK; c++) {
		if (*c == '<')
			page_raw(p, "\\u003c");
		else if (*c == '>')
			page_raw(p, "\\u003e");
		else if (*c == '&')
			page_raw(p, "\\u0026");
		else
			p->st = buf_append(p->b, c, 1);
	}
	free(s);
	page_raw(p, "</script>\n");
}

/* A colour as stored ("#rrggbb", checked by the database); anything else
 * falls back so the <style> block can never carry other text. */
const char *
page_colour(json_t *b, const char *key, const char *def)
{
	const char *c = page_str(b, key);

	if (c == NULL || strlen(c) != 7 || c[0] != '#')
		return def;
	for (int i = 1; i < 7; i++)
		if (!isxdigit((unsigned char)c[i]))
			return def;
	return c;
}

/* A strict CSP (scripts from this host only, one nonce'd <style> for the
 * tenant's colours), never framed, never cached without revalidation. */
void
page_headers(struct page *p, struct response *w)
{
	response_header(w, "content-security-policy", arena_printf(p->r->arena,
	    "default-src 'none'; script-src 'self'; style-src 'self' 'nonce-%s';"
	    " img-src 'self' https: data:; connect-src 'self'; form-action 'self';"
	    " manifest-src 'self'; base-uri 'none'; frame-ancestors 'none'", p->nonce));
	response_header(w, "x-frame-options", "DENY");
	response_header(w, "referrer-policy", "no-referrer");
	response_header(w, "permissions-policy", "camera=(), microphone=(), geolocation=()");
	response_header(w, "cross-origin-opener-policy", "same-origin");
	response_header(w, "cache-control", "no-cache");
}
