/* plans.h — the one table that says what each plan tier may do. Every
 * gated action asks plan_has / plan_limit; nothing compares plan names in
 * place. */
#ifndef BILLING_PLANS_H
#define BILLING_PLANS_H

#include <stdbool.h>

#include "core/status.h"

enum plan_tier { PLAN_FREE, PLAN_BASIC, PLAN_PRO, PLAN_ENTERPRISE, PLAN__COUNT };

enum plan_feature {
	FEAT_WEB_CHAT,
	FEAT_SMS,
	FEAT_WHATSAPP,
	FEAT_INSTAGRAM,
	FEAT_MESSENGER,
	FEAT_VOICE,
	FEAT_CALENDAR_SYNC,
	FEAT_CUSTOM_DOMAIN,
	FEAT_ANALYTICS,
	FEAT_API_KEYS,
	FEAT_REMOVE_PLATFORM_BRANDING,
	FEAT__COUNT
};

enum plan_limit {
	LIMIT_MESSAGES_PER_MONTH,
	LIMIT_BOOKINGS_PER_MONTH,
	LIMIT_CHANNELS,
	LIMIT_STAFF_SEATS,
	LIMIT__COUNT
};

#define PLAN_UNLIMITED (-1L)

bool plan_parse(const char *name, enum plan_tier *out);
const char *plan_name(enum plan_tier t);
bool plan_has(enum plan_tier t, enum plan_feature f);
long plan_limit(enum plan_tier t, enum plan_limit l);
const char *plan_feature_name(enum plan_feature f);
const char *plan_limit_name(enum plan_limit l);

/* ST_OK while used + wanted stays within the limit; otherwise
 * ST_FORBIDDEN with a message naming the limit and the plan. */
enum status plan_check_limit(enum plan_tier t, enum plan_limit l, long used,
    long wanted, struct err *e) MUST_USE;
/* ST_OK when the plan has the feature; otherwise ST_FORBIDDEN naming it. */
enum status plan_require(enum plan_tier t, enum plan_feature f, struct err *e) MUST_USE;

#endif
