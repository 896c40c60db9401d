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

struct msg_brand;
enum status messages_brand(struct ctx *c, const char *tenant_id, struct msg_brand *b) MUST_USE;

/* Unsubscribing from reminder e-mails (messages_unsubscribe.c). The link
 * names the message, not the address, and is signed for its tenant. */
char *messages_unsubscribe_url(struct ctx *c, const char *portal_base, const char *message_id);
/* Checks m and t (ST_NOTFOUND, the same answer for a bad signature and an
 * unknown message); with act, opts the address out (source "one_click" or
 * "link"); *html is the page to show (the question, or the answer). */
enum status messages_unsubscribe(struct ctx *c, const char *m, const char *t, bool act,
    const char *source, const char **html) MUST_USE;

#endif
