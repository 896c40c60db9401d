/* knowledge_routes.c — FAQs (a collection) and policies (one row per
 * tenant), served by the admin engine from these descriptors. */
#include "modules/admin/admin.h"
#include "modules/knowledge/knowledge.h"

#define FAQS "/v1/admin/faqs"
#define POLICIES "/v1/admin/policies"

static const struct admin_field faq_fields[] = {
	ADMIN_F_TEXT("question", 1, 500, AF_REQUIRED),
	ADMIN_F_TEXT("answer", 1, 5000, AF_REQUIRED),
	ADMIN_F_BOOL("active", AF_FILTER),
	ADMIN_F_INT("sort_order", 0, 1000000, AF_SORT | AF_FILTER),
	/* ?tags=x lists the FAQs carrying tag x. */
	ADMIN_F_TEXTS("tags", 20, 50, AF_FILTER),
};

const struct admin_resource knowledge_faqs_res = {
	.name = "faq", .title = "FAQ", .path = FAQS, .table = "faqs",
	.fields = faq_fields, .nfields = ADMIN_NFIELDS(faq_fields),
	.flags = ADMIN_SOFT_DELETE, .default_sort = "sort_order", .tiebreak = "created_at",
};

static const struct admin_field policy_fields[] = {
	ADMIN_F_TEXT("cancellation_policy", 0, 2000, AF_NULLABLE),
	ADMIN_F_TEXT("late_policy", 0, 2000, AF_NULLABLE),
	ADMIN_F_TEXT("no_show_policy", 0, 2000, AF_NULLABLE),
	ADMIN_F_TEXT("payment_policy", 0, 2000, AF_NULLABLE),
	ADMIN_F_INT("cancellation_window_hours", 0, 720, 0),
};

const struct admin_resource knowledge_policies_res = {
	.name = "policies", .title = "policies", .path = POLICIES, .table = "tenant_policies",
	.fields = policy_fields, .nfields = ADMIN_NFIELDS(policy_fields),
	.flags = ADMIN_SINGLETON,
};

ADMIN_HANDLERS(faqs, knowledge_faqs_res)
ADMIN_SINGLETON_HANDLERS(policies, knowledge_policies_res)

static const struct route knowledge_routes_v[] = {
	ADMIN_COLLECTION_ROUTES(faqs, FAQS, RES_KNOWLEDGE),
	ADMIN_SINGLETON_ROUTES(policies, POLICIES, RES_PROFILE),
};
const struct route_table knowledge_routes = TABLE_OF(knowledge_routes_v);
