/* knowledge.h — what the receptionist knows and says: FAQs and the
 * business's policies (cancellation, lateness, no-shows, payment),
 * managed through the admin API and read by the AI. */
#ifndef KNOWLEDGE_H
#define KNOWLEDGE_H

#include <stddef.h>

#include "http/http.h"

struct admin_resource;

/* Descriptors for admin_svc_* callers (the demo): FAQs, and the policies
 * singleton. */
extern const struct admin_resource knowledge_faqs_res;
extern const struct admin_resource knowledge_policies_res;

extern const struct route_table knowledge_routes;

#endif
