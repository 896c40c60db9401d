/* plans.c — plan tiers → features and limits. Change plans here only. */
#include "modules/billing/billing.h"

#include <string.h>

#define BIT(f) (1u << (f))

static const struct plan {
	const char *name;
	unsigned features;
	long limits[LIMIT__COUNT];
} plans[PLAN__COUNT] = {
	[PLAN_FREE] = { "free", BIT(FEAT_WEB_CHAT),
	    { [LIMIT_MESSAGES_PER_MONTH] = 200, [LIMIT_BOOKINGS_PER_MONTH] = 50,
	      [LIMIT_CHANNELS] = 1, [LIMIT_STAFF_SEATS] = 1, [LIMIT_SMS_PER_MONTH] = 25 } },
	[PLAN_BASIC] = { "basic", BIT(FEAT_WEB_CHAT) | BIT(FEAT_SMS) |
	    BIT(FEAT_CALENDAR_SYNC) | BIT(FEAT_API_KEYS),
	    { [LIMIT_MESSAGES_PER_MONTH] = 2000, [LIMIT_BOOKINGS_PER_MONTH] = 500,
	      [LIMIT_CHANNELS] = 2, [LIMIT_STAFF_SEATS] = 5, [LIMIT_SMS_PER_MONTH] = 500 } },
	[PLAN_PRO] = { "pro", BIT(FEAT_WEB_CHAT) | BIT(FEAT_SMS) | BIT(FEAT_WHATSAPP) |
	    BIT(FEAT_INSTAGRAM) | BIT(FEAT_MESSENGER) | BIT(FEAT_CALENDAR_SYNC) |
	    BIT(FEAT_CUSTOM_DOMAIN) | BIT(FEAT_ANALYTICS) | BIT(FEAT_API_KEYS),
	    { [LIMIT_MESSAGES_PER_MONTH] = 20000, [LIMIT_BOOKINGS_PER_MONTH] = 5000,
	      [LIMIT_CHANNELS] = 5, [LIMIT_STAFF_SEATS] = 25, [LIMIT_SMS_PER_MONTH] = 5000 } },
	[PLAN_ENTERPRISE] = { "enterprise", ~0u,
	    { [LIMIT_MESSAGES_PER_MONTH] = PLAN_UNLIMITED,
	      [LIMIT_BOOKINGS_PER_MONTH] = PLAN_UNLIMITED,
	      [LIMIT_CHANNELS] = PLAN_UNLIMITED, [LIMIT_STAFF_SEATS] = PLAN_UNLIMITED,
	      [LIMIT_SMS_PER_MONTH] = PLAN_UNLIMITED } },
};

static const char *const feature_names[FEAT__COUNT] = {
	[FEAT_WEB_CHAT] = "web_chat", [FEAT_SMS] = "sms", [FEAT_WHATSAPP] = "whatsapp",
	[FEAT_INSTAGRAM] = "instagram", [FEAT_MESSENGER] = "messenger",
	[FEAT_VOICE] = "voice", [FEAT_CALENDAR_SYNC] = "calendar_sync",
	[FEAT_CUSTOM_DOMAIN] = "custom_domain", [FEAT_ANALYTICS] = "analytics",
	[FEAT_API_KEYS] = "api_keys",
	[FEAT_REMOVE_PLATFORM_BRANDING] = "remove_platform_branding",
};

static const char *const limit_names[LIMIT__COUNT] = {
	[LIMIT_MESSAGES_PER_MONTH] = "messages_per_month",
	[LIMIT_BOOKINGS_PER_MONTH] = "bookings_per_month",
	[LIMIT_CHANNELS] = "channels",
	[LIMIT_STAFF_SEATS] = "staff_seats",
	[LIMIT_SMS_PER_MONTH] = "sms_per_month",
};

bool
plan_parse(const char *name, enum plan_tier *out)
{
	for (int t = 0; t < PLAN__COUNT; t++) {
		if (name != NULL && strcmp(plans[t].name, name) == 0) {
			*out = (enum plan_tier)t;
			return true;
		}
	}
	return false;
}

const char *
plan_name(enum plan_tier t)
{
	return (unsigned)t < PLAN__COUNT ? plans[t].name : "unknown";
}

bool
plan_has(enum plan_tier t, enum plan_feature f)
{
	return (unsigned)t < PLAN__COUNT && (unsigned)f < FEAT__COUNT &&
	    (plans[t].features & BIT(f)) != 0;
}

long
plan_limit(enum plan_tier t, enum plan_limit l)
{
	if ((unsigned)t >= PLAN__COUNT || (unsigned)l >= LIMIT__COUNT)
		return 0;
	return plans[t].limits[l];
}

const char *
plan_feature_name(enum plan_feature f)
{
	return (unsigned)f < FEAT__COUNT ? feature_names[f] : "unknown";
}

const char *
plan_limit_name(enum plan_limit l)
{
	return (unsigned)l < LIMIT__COUNT ? limit_names[l] : "unknown";
}

enum status
plan_check_limit(enum plan_tier t, enum plan_limit l, long used, long wanted,
    struct err *e)
{
	long max = plan_limit(t, l);

	if (max == PLAN_UNLIMITED || (used <= max && wanted <= max - used))
		return ST_OK;
	return err_set(e, ST_FORBIDDEN, "The %s plan allows %ld %s; %ld used.",
	    plan_name(t), max, plan_limit_name(l), used);
}

enum status
plan_require(enum plan_tier t, enum plan_feature f, struct err *e)
{
	if (plan_has(t, f))
		return ST_OK;
	return err_set(e, ST_FORBIDDEN, "The %s plan does not include %s.",
	    plan_name(t), plan_feature_name(f));
}
