/* billing.h — the billing module's one public header: what each plan tier
 * may do (plans.c), and AI usage metered per tenant per calendar month, UTC
 * (billing_service.c): customer messages (what plans limit,
 * LIMIT_MESSAGES_PER_MONTH), model calls and tokens per provider and model
 * (what the platform pays for). Every gated action asks plan_has /
 * plan_limit; nothing compares plan names in place.
 *
 * How the conversation engine meters, one customer message at a time,
 * never holding a transaction across the model call (ARCHITECTURE §3):
 *
 *	tx 1: usage_allow_message(&tx, plan, &e)
 *	      ST_OK        → the message is counted; go on and call the model
 *	      ST_FORBIDDEN → do NOT call a model; reply USAGE_LIMIT_REPLY
 *	(no transaction) provider->complete(...)
 *	tx 2: usage_record_response(&tx, &resp)   (once per model call)
 *
 * The tenant is the transaction's (app.tenant_id): RLS does the rest. */
#ifndef BILLING_H
#define BILLING_H

#include <jansson.h>
#include <stdbool.h>

#include "core/ctx.h"
#include "core/status.h"
#include "http/http.h"

struct db_tx;

/* ---- plans (plans.c) ------------------------------------------------------ */

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
	LIMIT_SMS_PER_MONTH,	/* texts the sms module sends, per calendar month (UTC) */
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


/* ---- usage (billing_service.c) ---------------------------------------------- */

/* What the customer is told when the tenant's plan has no messages left
 * this month. Deliberately says nothing about plans or limits: that is the
 * business's concern, not its customer's. */
#define USAGE_LIMIT_REPLY \
	"Sorry, our online assistant can't take more messages right now. " \
	"Please contact us directly and we'll be happy to help."

/* Counts one customer message against the plan's monthly limit, atomically
 * (two messages racing for the last unit: one wins). ST_OK when it was
 * within the limit and is now counted; ST_FORBIDDEN with USAGE_LIMIT_REPLY
 * in e->message when the limit is reached (nothing counted); or a database
 * failure. The model must not be called unless this returned ST_OK. */
enum status usage_allow_message(struct db_tx *tx, enum plan_tier plan, struct err *e) MUST_USE;

/* Messages counted this month (0 when none). */
enum status usage_messages_this_month(struct db_tx *tx, long *out) MUST_USE;

/* The read-only check: ST_OK while one more message fits the plan, else
 * ST_FORBIDDEN (e gets the admin-facing message naming the limit). */
enum status usage_check(struct db_tx *tx, enum plan_tier plan, struct err *e) MUST_USE;

/* One model call: tokens in/out/cached for provider + model this month.
 * provider and model may be NULL ("unknown"). */
enum status usage_record(struct db_tx *tx, const char *provider, const char *model,
    long input_tokens, long output_tokens, long cached_tokens) MUST_USE;
/* The same from a provider's response (struct llm_response, which the
 * caller has): a macro so billing does not depend on the providers. */
#define usage_record_response(tx, resp) usage_record((tx), (resp)->provider, \
	(resp)->model, (resp)->input_tokens, (resp)->output_tokens, (resp)->cached_tokens)

/* The month's usage against the plan, for the admin: {month "YYYY-MM",
 * plan, messages {used, limit, remaining} (null limits: unlimited),
 * model_calls, input_tokens, output_tokens, cached_tokens, by_model […]}.
 * month is "YYYY-MM-01", or NULL for the current one. */
enum status usage_report(struct db_tx *tx, enum plan_tier plan, const char *month,
    json_t **out) MUST_USE;

/* The same report for the context's tenant and plan, in its own
 * transaction (the admin route's service). */
enum status billing_usage_report(struct ctx *c, const char *month, json_t **out) MUST_USE;

/* GET /v1/admin/usage/ai (billing read). */
extern const struct route_table usage_routes;

#endif
