/* plans.h — TRANSITIONAL (issue 10): the plans table is declared in
 * billing.h, the billing module's one public header; include that. */
#ifndef BILLING_PLANS_H
#define BILLING_PLANS_H

#include "modules/billing/billing.h"

#endif
