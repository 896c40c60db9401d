/* migrate.h — forward-only schema migrations, embedded in the binary at
 * build time, applied in order, one transaction each, and recorded with a
 * SHA-256 checksum so a file edited after it was applied is caught. */
#ifndef DB_MIGRATE_H
#define DB_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"

struct db_tx;

struct migration {
	int version;
	const char *name;
	size_t len;
	const char *sql;
};

extern const struct migration db_migrations[];
extern const size_t db_nmigrations;

/* Applies what is missing, as the owner role. Prints one line per applied
 * migration to stdout. */
enum status db_migrate(const char *owner_url, struct err *e) MUST_USE;

/* True when every embedded migration is applied with a matching checksum
 * (read through the runtime role inside tx). */
enum status db_migrations_current(struct db_tx *tx, bool *current) MUST_USE;

/* Lower-case hex SHA-256 of a migration's text; out holds 65 bytes. */
void db_migration_checksum(const struct migration *m, char out[65]);

#endif
