/* usage.h — TRANSITIONAL (issue 10): metering is declared in billing.h,
 * the billing module's one public header; include that. */
#ifndef BILLING_USAGE_H
#define BILLING_USAGE_H

#include "modules/billing/billing.h"

#endif
