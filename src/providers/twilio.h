/* twilio.h — Twilio's Programmable Messaging wire format: sending a text
 * (POST /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded,
 * basic auth AccountSid:AuthToken) and the X-Twilio-Signature that signs
 * every webhook Twilio sends us (base64 HMAC-SHA1 under the auth token of
 * the URL followed by each POST parameter's name and value, sorted by
 * name). Nothing here logs: bodies and numbers are personal data. */
#ifndef PROVIDERS_TWILIO_H
#define PROVIDERS_TWILIO_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/status.h"

#define TWILIO_DEFAULT_API_BASE "https://api.twilio.com"
/* Twilio refuses a body longer than 1,600 characters. */
#define TWILIO_BODY_MAX_CHARS 1600

/* The account a text goes out on. */
struct twilio_account {
	const char *api_base;			/* NULL: TWILIO_DEFAULT_API_BASE */
	const char *account_sid;
	const char *auth_token;
	const char *messaging_service_sid;	/* one of these two is the sender */
	const char *from;
};

struct twilio_message {
	const char *to;			/* E.164 */
	const char *body;
	const char *status_callback;	/* NULL: none */
	long timeout_ms;		/* 0: the HTTP client's default */
};

enum twilio_class {
	TWILIO_SENT,	/* 2xx: Twilio took it (sid set) */
	TWILIO_RETRY,	/* 429, 5xx, a timeout, no answer: try later */
	TWILIO_FAILED,	/* any other answer: permanent (e.g. 21211, 21610) */
};

struct twilio_result {
	enum twilio_class cls;
	long http_status;		/* 0 when no answer came */
	const char *sid;		/* the Message SID when TWILIO_SENT */
	const char *status;		/* Twilio's status ("queued", "accepted") or NULL */
	long error_code;		/* Twilio's error code (21211 …), 0 when none */
	const char *why;		/* a short reason without numbers or bodies */
	int retry_after_s;
	int num_segments;		/* as Twilio counted them; 0 if not said */
};

/* Sends one text. Always ST_OK with *out classified, except for a
 * malformed account or message (ST_INVALID). */
enum status twilio_send(struct arena *a, const struct twilio_account *acct,
    const struct twilio_message *m, struct twilio_result *out, struct err *e) MUST_USE;

/* One decoded POST parameter of a webhook. */
struct twilio_param {
	const char *name;
	const char *value;
};

/* The string Twilio signs: url, then every parameter as name + value,
 * ordered by name (then value, for repeated names, each distinct value
 * once: twilio-node's rule). Sorts params in place; arena-owned. */
char *twilio_signature_base(struct arena *a, const char *url, struct twilio_param *params,
    size_t n);

/* base64(HMAC-SHA1(token, base)) into out (at least 29 bytes). */
void twilio_signature(const char *auth_token, const char *base, char out[29]);

/* Whether header is the signature of (url, params) under auth_token, in
 * constant time. A NULL or empty header is never valid. */
bool twilio_signature_ok(struct arena *a, const char *auth_token, const char *url,
    struct twilio_param *params, size_t n, const char *header);

/* <?xml…?><Response><Message>text</Message></Response>, text XML-escaped;
 * text NULL gives an empty <Response/> (Twilio sends nothing). */
char *twilio_twiml(struct arena *a, const char *text);

#endif
