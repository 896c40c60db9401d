/* messages_internal.h — what the module's files share. */
#ifndef MESSAGES_INTERNAL_H
#define MESSAGES_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "core/ctx.h"
#include "modules/messages/messages.h"
#include "modules/messages/messages_store.h"

struct config;

enum status messages_list(struct ctx *c, const struct msg_filter *f, json_t **items,
    json_t **next) MUST_USE;
enum status messages_retry(struct ctx *c, const char *id, json_t **out) MUST_USE;
/* Sends due messages for about budget_s seconds; *more when it stopped
 * with work left. fanout (may be NULL) is called once, when a claim first
 * comes back full: a backlog, worth another job beside this one. */
enum status messages_send_due(struct ctx *c, int budget_s, void (*fanout)(void *), void *arg,
    bool *more) MUST_USE;
int messages_backoff_s(const struct config *cfg, int attempt);

#endif
