/* http_client.c — libcurl, configured the same careful way for every call:
 * timeouts, a capped body, no redirects, http(s) only, no signals (we are
 * multi-threaded), and errors that never echo a URL's query or a body. */
#include "core/http_client.h"

#include <ctype.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void
global_init(void)
{
	/* Once per process, before any thread makes a handle. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		abort();
}

struct sink {
	struct arena *a;
	char *buf;
	size_t len, cap, max;
	int overflow;
	int retry_after_s;
};

static size_t
on_body(char *p, size_t size, size_t n, void *ud)
{
	struct sink *s = ud;
	size_t add = size * n;

	if (s->len + add > s->max) {
		s->overflow = 1;
		return 0;	/* makes curl stop with CURLE_WRITE_ERROR */
	}
	if (s->len + add + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		char *nb;

		while (cap < s->len + add + 1)
			cap *= 2;
		nb = arena_alloc(s->a, cap);
		if (s->len)
			memcpy(nb, s->buf, s->len);
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, add);
	s->len += add;
	s->buf[s->len] = '\0';
	return add;
}

int
http_client_parse_retry_after(const char *v, long now)
{
	char *end;
	long n;
	time_t t;

	if (v == NULL)
		return 0;
	while (*v == ' ' || *v == '\t')
		v++;
	if (*v == '\0')
		return 0;
	if (isdigit((unsigned char)*v)) {
		n = strtol(v, &end, 10);
		while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
			end++;
		if (*end != '\0' || n < 0)
			return 0;
	} else {
		pthread_once(&global_once, global_init);
		if ((t = curl_getdate(v, NULL)) == -1)
			return 0;
		n = (long)t - now;
		if (n < 1)
			n = 1;
	}
	return n > 86400 ? 86400 : (int)n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *ud)
{
	struct sink *s = ud;
	size_t len = size * n;
	char line[256];

	/* Only Retry-After matters to us; a new status line (after a 100
	 * Continue) starts over. */
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0)
		s->retry_after_s = 0;
	if (len > 12 && len < sizeof(line) && strncasecmp(p, "retry-after:", 12) == 0) {
		memcpy(line, p + 12, len - 12);
		line[len - 12] = '\0';
		line[strcspn(line, "\r\n")] = '\0';
		s->retry_after_s = http_client_parse_retry_after(line, (long)time(NULL));
	}
	return len;
}

void
http_client_header(struct arena *a, struct http_client_request *req, const char *name,
    const char *value)
{
	for (size_t i = 0; i < HTTP_CLIENT_MAX_HEADERS; i++) {
		if (req->headers[i] == NULL) {
			req->headers[i] = arena_printf(a, "%s: %s", name, value);
			req->headers[i + 1] = NULL;
			return;
		}
	}
}

/* scheme://host[:port] of url, for error messages (never the path, whose
 * query may hold a token). */
static const char *
url_origin(struct arena *a, const char *url)
{
	const char *p = strstr(url, "://");
	size_t n;

	if (p == NULL)
		return "(invalid URL)";
	p += 3;
	n = strcspn(p, "/?#");
	return arena_printf(a, "%.*s%.*s", (int)(p - url), url, (int)n, p);
}

enum status
http_client_do(struct arena *a, const struct http_client_request *req,
    struct http_client_response *out, struct err *e)
{
	struct sink s = { .a = a };
	struct curl_slist *hdrs = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *c;
	CURLcode rc;
	enum status st = ST_OK;

	pthread_once(&global_once, global_init);
	memset(out, 0, sizeof(*out));
	s.max = req->max_response ? req->max_response : HTTP_CLIENT_MAX_RESPONSE;
	if ((c = curl_easy_init()) == NULL)
		return err_set(e, ST_INTERNAL, "cannot create an HTTP client handle");

	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
	if (strcmp(req->method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    req->connect_timeout_ms > 0 ? req->connect_timeout_ms : HTTP_CLIENT_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
	    req->timeout_ms > 0 ? req->timeout_ms : HTTP_CLIENT_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s.max);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &s);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "receptionist/0.1");
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	if (req->body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	}
	for (size_t i = 0; i < HTTP_CLIENT_MAX_HEADERS && req->headers[i] != NULL; i++)
		hdrs = curl_slist_append(hdrs, req->headers[i]);
	/* curl would add "Expect: 100-continue" to larger bodies: one round
	 * trip more for nothing. */
	hdrs = curl_slist_append(hdrs, "Expect:");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);

	rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
		out->body = s.buf ? s.buf : arena_strdup(a, "");
		out->body_len = s.len;
		out->retry_after_s = s.retry_after_s;
		if (s.len > 0 && (s.buf[0] == '{' || s.buf[0] == '[')) {
			json_error_t jerr;

			out->json = json_loadb(s.buf, s.len, 0, &jerr);
			if (out->json != NULL)
				arena_defer(a, (void (*)(void *))json_decref, out->json);
		}
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		st = err_set(e, ST_TIMEOUT, "%s %s timed out", req->method, url_origin(a, req->url));
	} else if (s.overflow || rc == CURLE_FILESIZE_EXCEEDED) {
		st = err_set(e, ST_TOO_LARGE, "%s %s: response larger than %zu bytes", req->method,
		    url_origin(a, req->url), s.max);
	} else {
		st = err_set(e, ST_UPSTREAM, "%s %s failed: %s", req->method,
		    url_origin(a, req->url), curl_easy_strerror(rc));
	}
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	return st;
}

char *
http_client_escape(struct arena *a, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out = arena_alloc(a, 3 * n + 1), *o = out;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

char *
http_client_form(struct arena *a, const char *const *kv)
{
	char *out = arena_strdup(a, "");

	for (size_t i = 0; kv[i] != NULL; i += 2) {
		if (kv[i + 1] == NULL)
			continue;
		out = arena_printf(a, "%s%s%s=%s", out, *out ? "&" : "", http_client_escape(a, kv[i]),
		    http_client_escape(a, kv[i + 1]));
	}
	return out;
}
