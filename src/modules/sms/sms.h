/* sms.h — text messages to a tenant's customers: consent and opt-outs
 * (STOP/START/HELP), the plan's monthly allowance, and the tenant's own or
 * the platform's Twilio account. The messages module renders a text and
 * calls sms_deliver from its send job; this module decides whether and how
 * it goes. */
#ifndef SMS_H
#define SMS_H

#include "core/ctx.h"
#include "core/status.h"

/* What became of one text. */
enum sms_outcome {
	SMS_SENT,		/* the provider accepted it: provider_id and segments set */
	SMS_SUPPRESSED,		/* opted out, or the plan's allowance is used up: never retry */
	SMS_RETRY,		/* transient (timeout, 429, 5xx): try again later */
	SMS_FAILED,		/* permanent (invalid number, 4xx): never retry */
	SMS_UNCONFIGURED,	/* no Twilio account for this tenant or platform: leave it queued */
};

struct sms_result {
	enum sms_outcome outcome;
	const char *provider_id;	/* Twilio's Message SID when SMS_SENT (ctx arena) */
	int segments;			/* GSM-7 / UCS-2 segments the body takes */
	const char *why;		/* for the outbox's last_error; no phone number in it */
};

/* Sends body to to_e164 for ctx's tenant (ctx must carry one). Opens its own
 * short transactions; the caller holds none. ST_OK means *out says what
 * happened; any other status is an internal error (the caller retries). */
enum status sms_deliver(struct ctx *ctx, const char *to_e164, const char *body,
    struct sms_result *out) MUST_USE;

#endif
