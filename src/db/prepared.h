/* prepared.h — the statements one connection has prepared (prepared.c).
 * Owned by the pooled connection: freed with it, never shared. */
#ifndef DB_PREPARED_H
#define DB_PREPARED_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

struct db_stmts;

/* Statements prepared per connection at most; the others run unprepared. */
#define DB_STMTS_MAX 256

struct db_stmts *db_stmts_new(void);
void db_stmts_free(struct db_stmts *c);
size_t db_stmts_count(const struct db_stmts *c);

/* Makes sure sql is prepared on pg when it can be (preparable, room left):
 * *name is then the statement's name, or NULL to run it unprepared. For a
 * pipeline, which cannot wait for a preparation's answer in the middle.
 * false when the preparation failed: *failed is its result (NULL if the
 * connection broke), the error executing sql would have given. */
bool db_stmts_prepare(struct db_stmts *c, PGconn *pg, const char *sql, int nparams,
    const char **name, PGresult **failed);

/* Runs sql with text parameters on pg like PQexecParams, through a
 * statement prepared on pg the first time this text is seen (c NULL: never
 * prepared). */
PGresult *db_stmts_exec(struct db_stmts *c, PGconn *pg, const char *sql, int nparams,
    const char *const *params);

#endif
