/* catalog.h — what the business sells and who and what delivers it:
 * services and add-ons, staff (skills, weekly schedules, time off) and
 * resources, managed through the admin API. The scheduling engine and the
 * AI read the same tables. */
#ifndef CATALOG_H
#define CATALOG_H

#include <stddef.h>

#include "http/http.h"

extern const struct route catalog_routes[];
extern const size_t catalog_nroutes;

#endif
