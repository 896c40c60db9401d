/* ai_settings_routes.c — /v1/admin/ai-settings, one row per tenant,
 * served by the admin engine from this descriptor. */
#include "modules/admin/admin.h"
#include "modules/ai/ai.h"

#define AI_SETTINGS "/v1/admin/ai-settings"

static const char *const tones[] = { "friendly", "professional", "playful", "concise", NULL };

static const struct admin_field ai_fields[] = {
	ADMIN_F_ENUM("tone", tones, 0),
	ADMIN_F_TEXT("greeting", 0, 500, AF_NULLABLE),
	ADMIN_F_TEXT("escalation_rules", 0, 2000, AF_NULLABLE),
	/* Things the receptionist must never do or say, one per item. */
	ADMIN_F_TEXTS("never_do", 50, 200, 0),
	ADMIN_F_BOOL("allow_human_handoff", 0),
	/* Words that hand the conversation to a human at once. */
	ADMIN_F_TEXTS("handoff_keywords", 50, 100, 0),
};

const struct admin_resource ai_settings_res = {
	.name = "ai_settings", .title = "AI settings", .path = AI_SETTINGS,
	.table = "ai_settings", .fields = ai_fields, .nfields = ADMIN_NFIELDS(ai_fields),
	.flags = ADMIN_SINGLETON,
};

ADMIN_SINGLETON_HANDLERS(ai_settings, ai_settings_res)

static const struct route ai_settings_routes_v[] = {
	ADMIN_SINGLETON_ROUTES(ai_settings, AI_SETTINGS, RES_AI_SETTINGS),
};
const struct route_table ai_settings_routes = TABLE_OF(ai_settings_routes_v);
