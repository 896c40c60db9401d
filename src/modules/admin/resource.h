/* resource.h — TRANSITIONAL: the admin engine's declarations moved to
 * admin.h, the module's one public header; include that. This shim goes
 * once no module includes resource.h. */
#ifndef ADMIN_RESOURCE_H
#define ADMIN_RESOURCE_H

#include "modules/admin/admin.h"

#endif
