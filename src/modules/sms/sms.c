/* sms.c — until the Twilio adapter lands, no tenant has an SMS account:
 * every text stays queued (SMS_UNCONFIGURED) and the admin sees it. */
#include "modules/sms/sms.h"

enum status
sms_deliver(struct ctx *ctx, const char *to_e164, const char *body, struct sms_result *out)
{
	(void)ctx;
	(void)to_e164;
	(void)body;
	*out = (struct sms_result){ .outcome = SMS_UNCONFIGURED, .why = "no SMS provider is configured" };
	return ST_OK;
}
