/* admin.h — the admin engine's own routes (the read-only audit log); the
 * engine itself is in resource.h. */
#ifndef ADMIN_H
#define ADMIN_H

#include <stddef.h>

#include "http/http.h"

extern const struct route admin_routes[];
extern const size_t admin_nroutes;

#endif
