/* sms.h — text messages to a tenant's customers: consent and opt-outs
 * (STOP/START/HELP), the plan's monthly allowance, and the tenant's own or
 * the platform's Twilio account. The messages module renders a text and
 * calls sms_deliver from its send job; this module decides whether and how
 * it goes. */
#ifndef SMS_H
#define SMS_H

#include "core/ctx.h"
#include "core/status.h"
#include "db/jobs.h"
#include "http/http.h"

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

/* GET/PUT/DELETE /v1/admin/sms/settings and the Twilio webhooks
 * (POST /v1/webhooks/twilio/status, /v1/webhooks/twilio/sms). */
extern const struct route_table sms_routes;
/* With ENABLE_TEST_ROUTES: POST /v1/test/sms/send, /v1/test/sms/usage. */
extern const struct route_table sms_test_routes;
/* sms.inbound: an inbound text through the receptionist. */
extern const struct job_table sms_job_handlers;

/* Segments body takes: GSM-7 (160, or 153 per part; extension characters
 * count 2) when every character fits, else UCS-2 (70, or 67 per part). */
int sms_segments(const char *body);

#endif
