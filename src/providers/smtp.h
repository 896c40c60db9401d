/* smtp.h — e-mail out: over SMTP with libcurl (smtp:// with STARTTLS,
 * smtps://, AUTH from the URL's user:password), or, for development only,
 * as an .eml file in a directory. The caller renders; this file speaks the
 * wire format (RFC 5322 headers, MIME multipart) and classifies failures. */
#ifndef PROVIDERS_SMTP_H
#define PROVIDERS_SMTP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

struct mail {
	const char *from_name;		/* display name; may be non-ASCII */
	const char *from_addr;		/* SMTP_FROM */
	const char *reply_to;		/* NULL: none */
	const char *to;
	const char *subject;
	const char *text;		/* the text/plain part */
	const char *html;		/* the text/html part */
	const char *message_id;		/* "<…@…>" */
	long date;			/* epoch seconds for the Date header */
	const char *ics;		/* NULL, or a VCALENDAR attached as invite.ics */
	const char *ics_method;		/* "REQUEST", "PUBLISH" or "CANCEL" */
	const char *list_unsubscribe;	/* NULL, or "<https://…>" */
};

enum mail_outcome {
	MAIL_SENT,	/* the server accepted it */
	MAIL_RETRY,	/* connection, timeout, 4xx reply: try again later */
	MAIL_FAILED,	/* 5xx reply or unusable input: never retry */
	MAIL_BOUNCED,	/* 5xx to RCPT TO: the recipient's server refuses the address */
};

struct mail_result {
	enum mail_outcome outcome;
	long smtp_code;		/* the server's last reply code, 0 if none */
	char why[256];		/* for last_error: no credentials, no address */
};

/* E-mail through SMTP_URL: several messages through one SMTP session (one
 * connection, one EHLO and AUTH), sent one at a time, each with its own
 * result: a message the server refuses fails alone, and the next one
 * starts a new session on a new connection. A URL ending in
 * "?starttls=required" refuses to go on without TLS; plain smtp://
 * upgrades when the server offers STARTTLS. The connection opens on the
 * first send and closes (QUIT) in smtp_session_free. One thread at a time. */
struct smtp_session;
struct smtp_session *smtp_session_new(const char *url, long timeout_ms);
void smtp_session_send(struct smtp_session *s, const struct mail *m, struct mail_result *out);
void smtp_session_free(struct smtp_session *s);

/* Writes m as dir/<stamp>-<n>.eml (development: MAIL_DIR). */
void smtp_write_eml(const char *dir, const struct mail *m, struct mail_result *out);

/* The RFC 5322 text of m's headers and body as smtp_write_eml writes it
 * (arena-owned); exposed for the unit tests. */
char *smtp_render_eml(struct arena *a, const struct mail *m, const char *boundary);

/* A display name as a header phrase: quoted, or an RFC 2047 encoded word
 * when it is not ASCII; CR and LF never survive. */
char *smtp_phrase(struct arena *a, const char *name);

#endif
