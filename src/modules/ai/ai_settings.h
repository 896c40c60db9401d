/* ai_settings.h — the tenant's AI behaviour settings (tone, greeting,
 * escalation rules, "never do" list, human handoff), edited through the
 * admin API and read by the conversation engine. */
#ifndef AI_SETTINGS_H
#define AI_SETTINGS_H

#include <stddef.h>

#include "http/http.h"

extern const struct route ai_settings_routes[];
extern const size_t ai_settings_nroutes;

#endif
