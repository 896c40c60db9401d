/* knowledge.h — what the receptionist knows and says: FAQs and the
 * business's policies (cancellation, lateness, no-shows, payment),
 * managed through the admin API and read by the AI. */
#ifndef KNOWLEDGE_H
#define KNOWLEDGE_H

#include <stddef.h>

#include "http/http.h"

extern const struct route knowledge_routes[];
extern const size_t knowledge_nroutes;

#endif
