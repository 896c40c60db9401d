/* catalog_store.h — the catalog module's SQL. */
#ifndef CATALOG_STORE_H
#define CATALOG_STORE_H

#include <jansson.h>
#include <stdbool.h>

#include "db/db.h"

/* Statements run after a soft delete ($1 = the deleted row's id). */
extern const char *const catalog_service_after_delete[];
extern const char *const catalog_staff_after_delete[];
extern const char *const catalog_resource_after_delete[];

/* The tenant's plan, read in the transaction (not from a cache). */
enum status catalog_store_plan(struct db_tx *tx, char plan[16]) MUST_USE;
/* Serialises seat counting per tenant until the transaction ends. */
enum status catalog_store_lock_seats(struct db_tx *tx) MUST_USE;
enum status catalog_store_active_staff(struct db_tx *tx, const char *except_id,
    long *n) MUST_USE;
/* Whether a live staff member other than except_id links to user_id. */
enum status catalog_store_user_linked(struct db_tx *tx, const char *user_id,
    const char *except_id, bool *taken) MUST_USE;
/* The currency of a live service ("" when there is none). */
enum status catalog_store_service_currency(struct db_tx *tx, const char *service_id,
    char out[4]) MUST_USE;
/* A live add-on of service priced in another currency than currency. */
enum status catalog_store_addon_other_currency(struct db_tx *tx, const char *service_id,
    const char *currency, bool *found) MUST_USE;
/* The largest quantity_needed among a resource's services (0: none). */
enum status catalog_store_max_needed(struct db_tx *tx, const char *resource_id,
    long *max) MUST_USE;
/* Of ids (a JSON array of UUIDs), those that are not live services of the
 * tenant, as a JSON array (new reference in the arena). */
enum status catalog_store_unknown_services(struct db_tx *tx, json_t *ids,
    json_t **unknown) MUST_USE;
enum status catalog_store_staff_services(struct db_tx *tx, const char *staff_id,
    json_t **ids) MUST_USE;
enum status catalog_store_replace_staff_services(struct db_tx *tx, const char *staff_id,
    json_t *ids) MUST_USE;
enum status catalog_store_resource_services(struct db_tx *tx, const char *resource_id,
    json_t **items) MUST_USE;
enum status catalog_store_replace_resource_services(struct db_tx *tx,
    const char *resource_id, json_t *items) MUST_USE;

#endif
