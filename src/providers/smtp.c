/* smtp.c — e-mail over SMTP with libcurl, and the development .eml backend.
 *
 * The message is multipart/mixed: a multipart/alternative (text, then HTML,
 * so a client shows the richest it can) and, on booking messages, the
 * invitation as text/calendar. libcurl's MIME API builds it for SMTP; the
 * .eml writer prints the same structure itself (libcurl only renders a
 * MIME tree during a transfer). Header values are stripped of CR and LF so
 * nothing a customer typed can add a header. */
#include "providers/smtp.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void
global_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		abort();
}

/* s without CR and LF (header injection). */
static char *
one_line(struct arena *a, const char *s)
{
	char *o = arena_strdup(a, s ? s : ""), *p;

	for (p = o; *p; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	return o;
}

static bool
ascii_only(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

static char *
base64(struct arena *a, const char *s, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *u = (const unsigned char *)s;
	char *o = arena_alloc(a, (n + 2) / 3 * 4 + 1), *p = o;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		*p++ = t[u[i] >> 2];
		*p++ = t[((u[i] & 3) << 4) | (u[i + 1] >> 4)];
		*p++ = t[((u[i + 1] & 15) << 2) | (u[i + 2] >> 6)];
		*p++ = t[u[i + 2] & 63];
	}
	if (i < n) {
		*p++ = t[u[i] >> 2];
		if (i + 1 < n) {
			*p++ = t[((u[i] & 3) << 4) | (u[i + 1] >> 4)];
			*p++ = t[(u[i + 1] & 15) << 2];
		} else {
			*p++ = t[(u[i] & 3) << 4];
			*p++ = '=';
		}
		*p++ = '=';
	}
	*p = '\0';
	return o;
}

/* A header text: as is when ASCII, else one RFC 2047 "B" encoded word. */
static char *
header_text(struct arena *a, const char *s)
{
	char *l = one_line(a, s);

	if (ascii_only(l))
		return l;
	return arena_printf(a, "=?UTF-8?B?%s?=", base64(a, l, strlen(l)));
}

char *
smtp_phrase(struct arena *a, const char *name)
{
	char *l = one_line(a, name), *o, *p;

	if (!ascii_only(l))
		return header_text(a, l);
	o = p = arena_alloc(a, strlen(l) * 2 + 3);
	*p++ = '"';
	for (; *l; l++) {
		if (*l == '"' || *l == '\\')
			*p++ = '\\';
		*p++ = *l;
	}
	*p++ = '"';
	*p = '\0';
	return o;
}

static char *
rfc5322_date(struct arena *a, long t)
{
	char buf[64];
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	return arena_strdup(a, buf);
}

/* The top-level headers, "Name: value" each, NULL-ended. */
static const char **
headers(struct arena *a, const struct mail *m)
{
	const char **h = arena_alloc(a, 12 * sizeof(*h));
	size_t n = 0;

	h[n++] = arena_printf(a, "From: %s <%s>", smtp_phrase(a, m->from_name),
	    one_line(a, m->from_addr));
	h[n++] = arena_printf(a, "To: <%s>", one_line(a, m->to));
	if (m->reply_to != NULL && *m->reply_to)
		h[n++] = arena_printf(a, "Reply-To: <%s>", one_line(a, m->reply_to));
	h[n++] = arena_printf(a, "Subject: %s", header_text(a, m->subject));
	h[n++] = arena_printf(a, "Date: %s", rfc5322_date(a, m->date));
	h[n++] = arena_printf(a, "Message-ID: %s", one_line(a, m->message_id));
	if (m->list_unsubscribe != NULL) {
		/* RFC 8058: one-click unsubscribe by POST to the https link. */
		h[n++] = arena_printf(a, "List-Unsubscribe: %s", one_line(a, m->list_unsubscribe));
		h[n++] = "List-Unsubscribe-Post: List-Unsubscribe=One-Click";
	}
	h[n] = NULL;
	return h;
}

static const char *
ics_type(struct arena *a, const struct mail *m)
{
	return arena_printf(a, "text/calendar; charset=UTF-8; method=%s",
	    m->ics_method ? m->ics_method : "PUBLISH");
}

/* ---- SMTP ----------------------------------------------------------------------------- */

static void
result(struct mail_result *out, enum mail_outcome o, long code, const char *fmt, const char *s)
{
	out->outcome = o;
	out->smtp_code = code;
	snprintf(out->why, sizeof(out->why), fmt, s);
}

/* Classifies what curl said: a reply code from the server decides (4xx
 * transient, 5xx permanent); without one, everything we cannot reach or
 * that timed out is transient, and only a URL we cannot use is permanent. */
static void
classify(CURLcode rc, long code, const char *detail, struct mail_result *out)
{
	char why[200];

	/* libcurl's detail is cut to fit last_error (gcc -O2 warned of it). */
	snprintf(why, sizeof(why), "%.170s (SMTP %ld)", detail[0] ? detail :
	    curl_easy_strerror(rc), code);
	/* libcurl words a refused recipient "RCPT failed: <code>" (lib/smtp.c):
	 * the address itself is refused, not this message or our sender. */
	if (code >= 500 && code < 600 && strncmp(detail, "RCPT failed", 11) == 0)
		result(out, MAIL_BOUNCED, code, "%s", why);
	else if (code >= 500 && code < 600)
		result(out, MAIL_FAILED, code, "%s", why);
	else if (code >= 400 && code < 500)
		result(out, MAIL_RETRY, code, "%s", why);
	else if (rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT)
		result(out, MAIL_FAILED, code, "%s", why);
	else
		result(out, MAIL_RETRY, code, "%s", why);
}

static void
add_part(curl_mime *mime, const char *data, const char *type, const char *encoder,
    const char *filename, struct curl_slist **hdrs)
{
	curl_mimepart *p = curl_mime_addpart(mime);

	curl_mime_data(p, data, CURL_ZERO_TERMINATED);
	curl_mime_type(p, type);
	curl_mime_encoder(p, encoder);
	if (filename != NULL) {
		curl_mime_filename(p, filename);
		*hdrs = curl_slist_append(NULL, "Content-Disposition: attachment; filename=\"invite.ics\"");
		curl_mime_headers(p, *hdrs, 1);
		*hdrs = NULL;	/* owned by the part now */
	}
}

/* One libcurl easy handle kept for several messages: libcurl keeps the
 * connection it used in the handle's cache, and the next transfer to the
 * same URL goes on in the same SMTP session (MAIL FROM straight after the
 * previous message's 250, no new TCP, TLS, EHLO or AUTH). A transfer that
 * fails ends the session (libcurl closes a connection whose transfer
 * failed), so the next message starts a clean one. */
struct smtp_session {
	CURL *c;
	char *url;		/* without "?starttls=required" */
	bool require_tls;
	long timeout_ms;
	char detail[CURL_ERROR_SIZE];
};

struct smtp_session *
smtp_session_new(const char *url, long timeout_ms)
{
	struct smtp_session *s = calloc(1, sizeof(*s));
	char *q;

	pthread_once(&global_once, global_init);
	if (s == NULL || (s->url = strdup(url)) == NULL)
		abort();
	if ((q = strstr(s->url, "?starttls=required")) != NULL) {
		*q = '\0';
		s->require_tls = true;
	}
	s->timeout_ms = timeout_ms;
	return s;
}

void
smtp_session_free(struct smtp_session *s)
{
	if (s == NULL)
		return;
	if (s->c != NULL)
		curl_easy_cleanup(s->c);	/* says QUIT on a live connection */
	free(s->url);
	free(s);
}

/* The handle, made on first use with what every message shares. */
static CURL *
session_handle(struct smtp_session *s)
{
	long t = s->timeout_ms;

	if (s->c != NULL || (s->c = curl_easy_init()) == NULL)
		return s->c;
	curl_easy_setopt(s->c, CURLOPT_URL, s->url);
	curl_easy_setopt(s->c, CURLOPT_ERRORBUFFER, s->detail);
	curl_easy_setopt(s->c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(s->c, CURLOPT_USE_SSL, s->require_tls ? (long)CURLUSESSL_ALL :
	    (long)CURLUSESSL_TRY);
	curl_easy_setopt(s->c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->c, CURLOPT_CONNECTTIMEOUT_MS, t < 5000 ? t : 5000L);
	curl_easy_setopt(s->c, CURLOPT_TIMEOUT_MS, t);
	/* One connection per session: the cache holds this one only. */
	curl_easy_setopt(s->c, CURLOPT_MAXCONNECTS, 1L);
	return s->c;
}

void
smtp_session_send(struct smtp_session *s, const struct mail *m, struct mail_result *out)
{
	struct arena a;
	CURL *c;
	curl_mime *mime = NULL, *alt;
	curl_mimepart *part;
	struct curl_slist *rcpt = NULL, *hdrs = NULL, *tmp = NULL;
	const char **h;
	long code = 0;
	CURLcode rc;

	arena_init(&a, 4096);
	s->detail[0] = '\0';
	if ((c = session_handle(s)) == NULL) {
		result(out, MAIL_RETRY, 0, "%s", "cannot start libcurl");
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, arena_printf(&a, "<%s>", one_line(&a, m->from_addr)));
	rcpt = curl_slist_append(rcpt, arena_printf(&a, "<%s>", one_line(&a, m->to)));
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	for (h = headers(&a, m); *h; h++)
		hdrs = curl_slist_append(hdrs, *h);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);

	mime = curl_mime_init(c);
	alt = curl_mime_init(c);
	add_part(alt, m->text, "text/plain; charset=UTF-8", "quoted-printable", NULL, &tmp);
	add_part(alt, m->html, "text/html; charset=UTF-8", "quoted-printable", NULL, &tmp);
	part = curl_mime_addpart(mime);
	curl_mime_subparts(part, alt);
	curl_mime_type(part, "multipart/alternative");
	if (m->ics != NULL)
		add_part(mime, m->ics, ics_type(&a, m), "base64", "invite.ics", &tmp);
	curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);

	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_OK)
		result(out, MAIL_SENT, code, "%s", "");
	else
		classify(rc, code, s->detail, out);
out:
	/* The handle outlives this message: it must not point at what is
	 * freed here. */
	if (c != NULL) {
		curl_easy_setopt(c, CURLOPT_MIMEPOST, NULL);
		curl_easy_setopt(c, CURLOPT_MAIL_RCPT, NULL);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	}
	curl_mime_free(mime);
	curl_slist_free_all(rcpt);
	curl_slist_free_all(hdrs);
	arena_free(&a);
}

/* ---- .eml ------------------------------------------------------------------------------ */

/* base64 body lines of 76 characters, CRLF-ended. */
static void
put_b64(FILE *f, struct arena *a, const char *s)
{
	const char *b = base64(a, s, strlen(s));
	size_t n = strlen(b);

	for (size_t i = 0; i < n; i += 76)
		fprintf(f, "%.*s\r\n", (int)(n - i < 76 ? n - i : 76), b + i);
}

char *
smtp_render_eml(struct arena *a, const struct mail *m, const char *boundary)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	const char **h;
	char *out;

	if (f == NULL)
		abort();
	for (h = headers(a, m); *h; h++)
		fprintf(f, "%s\r\n", *h);
	fprintf(f, "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"%s-m\"\r\n\r\n",
	    boundary);
	fprintf(f, "--%s-m\r\nContent-Type: multipart/alternative; boundary=\"%s-a\"\r\n\r\n",
	    boundary, boundary);
	fprintf(f, "--%s-a\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n", boundary);
	put_b64(f, a, m->text);
	fprintf(f, "--%s-a\r\nContent-Type: text/html; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n", boundary);
	put_b64(f, a, m->html);
	fprintf(f, "--%s-a--\r\n", boundary);
	if (m->ics != NULL) {
		fprintf(f, "--%s-m\r\nContent-Type: %s\r\nContent-Disposition: attachment;"
		    " filename=\"invite.ics\"\r\nContent-Transfer-Encoding: base64\r\n\r\n",
		    boundary, ics_type(a, m));
		put_b64(f, a, m->ics);
	}
	fprintf(f, "--%s-m--\r\n", boundary);
	fclose(f);
	out = arena_strndup(a, text, len);
	free(text);
	return out;
}

void
smtp_write_eml(const char *dir, const struct mail *m, struct mail_result *out)
{
	static atomic_uint seq;
	struct arena a;
	struct timespec ts;
	char *path, *tmp, *text;
	FILE *f;

	arena_init(&a, 4096);
	clock_gettime(CLOCK_REALTIME, &ts);
	path = arena_printf(&a, "%s/%ld%09ld-%d-%u.eml", dir, (long)ts.tv_sec, ts.tv_nsec,
	    (int)getpid(), atomic_fetch_add(&seq, 1));
	tmp = arena_printf(&a, "%s.tmp", path);
	text = smtp_render_eml(&a, m, arena_printf(&a, "=_%ld%09ld", (long)ts.tv_sec, ts.tv_nsec));
	/* Written aside and renamed, so a reader never sees half a message. */
	if ((f = fopen(tmp, "w")) == NULL) {
		result(out, MAIL_RETRY, 0, "MAIL_DIR not writable: %s", strerror(errno));
		goto out;
	}
	if (fputs(text, f) == EOF || fclose(f) != 0 || rename(tmp, path) != 0) {
		result(out, MAIL_RETRY, 0, "cannot write to MAIL_DIR: %s", strerror(errno));
		goto out;
	}
	result(out, MAIL_SENT, 0, "%s", "");
out:
	arena_free(&a);
}
