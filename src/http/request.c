/* request.c — helpers handlers use to read requests and write responses,
 * and the one renderer of the error body. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>

#include "app.h"
#include "core/config.h"
#include "core/jsonv.h"
#include "http/http.h"

const char *
http_header(const struct request *r, const char *lower_name)
{
	for (size_t i = 0; i < r->nheaders; i++)
		if (strcmp(r->headers[i].name, lower_name) == 0)
			return r->headers[i].value;
	return NULL;
}

const char *
http_cookie(const struct request *r, const char *name)
{
	size_t nl = strlen(name);

	/* HTTP/2 may split cookies over several headers. */
	for (size_t i = 0; i < r->nheaders; i++) {
		const char *p;

		if (strcmp(r->headers[i].name, "cookie") != 0)
			continue;
		for (p = r->headers[i].value; p && *p; ) {
			while (*p == ' ' || *p == ';')
				p++;
			if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
				const char *v = p + nl + 1;
				size_t vl = strcspn(v, ";");
				char *out;

				if (vl == 0 || vl > 128)
					return NULL;
				out = arena_strndup(r->arena, v, vl);
				while (vl > 0 && out[vl - 1] == ' ')
					out[--vl] = '\0';
				return out;
			}
			p = strchr(p, ';');
		}
	}
	return NULL;
}

/* Whether s is one IPv4 or IPv6 address, written into ip (trimmed, IPv6
 * brackets dropped). */
static bool
hop_parse(const char *s, size_t n, char ip[INET6_ADDRSTRLEN])
{
	unsigned char bin[16];

	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n == 0 || n >= INET6_ADDRSTRLEN)
		return false;
	memcpy(ip, s, n);
	ip[n] = '\0';
	return inet_pton(AF_INET, ip, bin) == 1 || inet_pton(AF_INET6, ip, bin) == 1;
}

const char *
http_client_addr(struct arena *a, const char *peer, const struct cidr *trusted, size_t n,
    const struct http_header *hs, size_t nhs)
{
	const char *client = peer;
	char ip[INET6_ADDRSTRLEN];

	if (n == 0 || !cidr_list_contains(trusted, n, peer))
		return peer;
	/* Repeated headers form one list, in order: walk the last first. */
	for (size_t h = nhs; h > 0; h--) {
		const char *v = hs[h - 1].value;
		size_t end = hs[h - 1].value_len;

		if (strcmp(hs[h - 1].name, "x-forwarded-for") != 0)
			continue;
		for (;;) {
			size_t start = end;

			while (start > 0 && v[start - 1] != ',')
				start--;
			if (!hop_parse(v + start, end - start, ip))
				return client;
			client = arena_strdup(a, ip);
			if (!cidr_list_contains(trusted, n, ip))
				return client;
			if (start == 0)
				break;
			end = start - 1;
		}
	}
	return client;
}

const char *
http_param(const struct request *r, const char *name)
{
	for (size_t i = 0; i < r->nparams; i++)
		if (strcmp(r->param_names[i], name) == 0)
			return r->param_values[i];
	return NULL;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Percent-decodes n bytes of s; '+' is a space in query strings. Returns
 * NULL on a malformed escape or an embedded NUL. */
static char *
url_decode(struct arena *a, const char *s, size_t n)
{
	char *out = arena_alloc(a, n + 1), *o = out;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi, lo;

			if (i + 2 >= n || (hi = hexval(s[i + 1])) < 0 || (lo = hexval(s[i + 2])) < 0)
				return NULL;
			if (hi == 0 && lo == 0)
				return NULL;
			*o++ = (char)(hi * 16 + lo);
			i += 2;
		} else {
			*o++ = s[i] == '+' ? ' ' : s[i];
		}
	}
	*o = '\0';
	return out;
}

/* Well-formed UTF-8: no overlong forms, no surrogates, nothing past
 * U+10FFFF. */
static bool
utf8_ok(const unsigned char *s)
{
	while (*s) {
		size_t n;
		unsigned cp;

		if (*s < 0x80) {
			s++;
			continue;
		}
		if ((*s & 0xe0) == 0xc0) {
			n = 1;
			cp = *s & 0x1f;
		} else if ((*s & 0xf0) == 0xe0) {
			n = 2;
			cp = *s & 0x0f;
		} else if ((*s & 0xf8) == 0xf0) {
			n = 3;
			cp = *s & 0x07;
		} else {
			return false;
		}
		for (size_t i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += n + 1;
	}
	return true;
}

/* One decoded pair; false when either half is malformed. */
static bool
query_pair(struct arena *a, const char *p, size_t len, struct http_qparam *out)
{
	const char *eq = memchr(p, '=', len);
	size_t nl = eq ? (size_t)(eq - p) : len;

	out->name = url_decode(a, p, nl);
	out->value = eq ? url_decode(a, eq + 1, len - nl - 1) : "";
	return out->name != NULL && out->value != NULL &&
	    utf8_ok((const unsigned char *)out->name) && utf8_ok((const unsigned char *)out->value);
}

enum http_qstatus
http_query_all(const struct request *r, struct http_qparam *out, size_t max, size_t *n)
{
	return http_query_split(r->arena, r->query, out, max, n);
}

enum http_qstatus
http_query_split(struct arena *a, const char *query, struct http_qparam *out, size_t max,
    size_t *n)
{
	const char *p = query;

	*n = 0;
	while (p != NULL && *p) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);

		if (len > 0) {
			if (*n >= max)
				return HTTP_QUERY_TOO_MANY;
			if (!query_pair(a, p, len, &out[*n]))
				return HTTP_QUERY_MALFORMED;
			(*n)++;
		}
		p = amp ? amp + 1 : NULL;
	}
	return HTTP_QUERY_OK;
}

const char *
http_query(struct request *r, const char *name)
{
	const char *p = r->query;
	size_t nl = strlen(name);

	while (p != NULL && *p) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', len);

		if (eq != NULL && (size_t)(eq - p) == nl && memcmp(p, name, nl) == 0)
			return url_decode(r->arena, eq + 1, len - nl - 1);
		if (eq == NULL && len == nl && memcmp(p, name, nl) == 0)
			return "";
		p = amp ? amp + 1 : NULL;
	}
	return NULL;
}

enum status
http_json_body(struct request *r, json_t **out)
{
	const char *ct = http_header(r, "content-type");
	enum status st;

	*out = NULL;
	if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0 ||
	    (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' '))
		return err_set(&r->err, ST_UNSUPPORTED_MEDIA,
		    "Send the body as application/json.");
	st = jv_parse_object(r->body, r->body_len, (size_t)r->app->cfg.max_body_bytes,
	    out, &r->err);
	if (st == ST_OK)
		arena_defer(r->arena, (void (*)(void *))json_decref, *out);
	return st;
}

void
response_header(struct response *w, const char *name, const char *value)
{
	if (w->nheaders >= RESPONSE_HEADERS_MAX)
		return;
	w->headers[w->nheaders].name = name;
	w->headers[w->nheaders].value = value;
	w->nheaders++;
}

enum status
reply_text(struct response *w, int status, const char *content_type,
    const char *body, size_t len)
{
	w->status = status;
	w->content_type = content_type;
	w->body = body;
	w->body_len = len;
	return ST_OK;
}

enum status
reply_json(struct request *r, struct response *w, int status, json_t *body)
{
	char *s;

	if (body == NULL)	/* json_pack failed: a bug, not the caller's fault */
		return err_set(&r->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	s = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(body);
	if (s == NULL)
		return err_set(&r->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	arena_defer(r->arena, free, s);
	return reply_text(w, status, "application/json; charset=utf-8", s, strlen(s));
}

void
http_render_error(struct request *r, struct response *w, enum status st)
{
	json_t *details = json_array(), *body;
	/* A 500's own text is for the log (dispatch writes it there): it
	 * speaks of our internals, never of what the caller can change. */
	const char *msg = r->err.message[0] && st != ST_INTERNAL ? r->err.message
	    : status_default_message(st);
	char *s;

	for (size_t i = 0; i < r->err.ndetails; i++)
		json_array_append_new(details, json_pack("{s:s, s:s}",
		    "field", r->err.details[i].field, "issue", r->err.details[i].issue));
	body = json_pack("{s:{s:s, s:s, s:s, s:o}}", "error",
	    "code", status_code(st), "message", msg,
	    "request_id", r->request_id, "details", details);
	s = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(body);
	if (s == NULL) {	/* a message that was not UTF-8: never fail to fail */
		s = arena_printf(r->arena, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\","
		    "\"request_id\":\"%s\",\"details\":[]}}", status_code(st),
		    status_default_message(st), r->request_id);
	} else {
		arena_defer(r->arena, free, s);
	}
	w->nheaders = 0;
	reply_text(w, status_http(st), "application/json; charset=utf-8", s, strlen(s));
	/* Always for 429 and 503; for others (a 409 that passes once the
	 * running work ends) when the handler said when to come back. */
	if (st == ST_RATE_LIMITED || st == ST_UNAVAILABLE || r->err.retry_after > 0) {
		int ra = r->err.retry_after > 0 ? r->err.retry_after : 1;

		response_header(w, "retry-after", arena_printf(r->arena, "%d", ra));
	}
}
