/* migrate.c — the migrations runner. */
#include "db/migrate.h"

#include <libpq-fe.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

void
db_migration_checksum(const struct migration *m, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)m->sql, m->len);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

static bool
ok(PGresult *res)
{
	ExecStatusType s = PQresultStatus(res);

	return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

static enum status
run(PGconn *pg, const char *sql, struct err *e, const char *what)
{
	PGresult *res = PQexec(pg, sql);
	enum status st = ST_OK;

	if (!ok(res))
		st = err_set(e, ST_INTERNAL, "%s: %s", what, PQresultErrorMessage(res));
	PQclear(res);
	return st;
}

static enum status
apply_one(PGconn *pg, const struct migration *m, struct err *e)
{
	char sum[65], version[16];
	const char *params[3] = { version, m->name, sum };
	PGresult *res;
	enum status st;

	db_migration_checksum(m, sum);
	snprintf(version, sizeof(version), "%d", m->version);
	if ((st = run(pg, "BEGIN", e, "begin")) != ST_OK)
		return st;
	res = PQexec(pg, m->sql);
	if (!ok(res)) {
		st = err_set(e, ST_INTERNAL, "%s failed: %s", m->name, PQresultErrorMessage(res));
		goto out;
	}
	PQclear(res);
	res = PQexecParams(pg, "INSERT INTO schema_migrations (version, name, checksum)"
	    " VALUES ($1, $2, $3)", 3, NULL, params, NULL, NULL, 0);
	if (!ok(res))
		st = err_set(e, ST_INTERNAL, "recording %s: %s", m->name, PQresultErrorMessage(res));
out:
	PQclear(res);
	if (st == ST_OK)
		st = run(pg, "COMMIT", e, "commit");
	else
		PQclear(PQexec(pg, "ROLLBACK"));
	return st;
}

enum status
db_migrate(const char *owner_url, struct err *e)
{
	PGconn *pg = PQconnectdb(owner_url);
	PGresult *res = NULL;
	enum status st = ST_OK;
	size_t applied = 0;

	if (PQstatus(pg) != CONNECTION_OK) {
		st = err_set(e, ST_UNAVAILABLE, "cannot connect as the owner role: %s",
		    PQerrorMessage(pg));
		goto out;
	}
	PQclear(PQexec(pg, "SET client_min_messages = warning"));
	/* Two deploys migrating at once wait for each other. */
	if ((st = run(pg, "SELECT pg_advisory_lock(727272)", e, "lock")) != ST_OK)
		goto out;
	if ((st = run(pg, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    " version int PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
	    " applied_at timestamptz NOT NULL DEFAULT now());"
	    " GRANT SELECT ON schema_migrations TO receptionist_app", e, "bookkeeping")) != ST_OK)
		goto out;
	res = PQexec(pg, "SELECT version, name, checksum FROM schema_migrations ORDER BY version");
	if (!ok(res)) {
		st = err_set(e, ST_INTERNAL, "reading schema_migrations: %s", PQresultErrorMessage(res));
		goto out;
	}
	/* Every applied migration must still be the same file. */
	for (int i = 0; i < PQntuples(res); i++) {
		int v = atoi(PQgetvalue(res, i, 0));
		const struct migration *m = NULL;
		char sum[65];

		for (size_t k = 0; k < db_nmigrations; k++)
			if (db_migrations[k].version == v)
				m = &db_migrations[k];
		if (m == NULL) {
			st = err_set(e, ST_CONFLICT, "the database has migration %s, which this"
			    " build does not know: deploy a newer build", PQgetvalue(res, i, 1));
			goto out;
		}
		db_migration_checksum(m, sum);
		if (strcmp(sum, PQgetvalue(res, i, 2)) != 0) {
			st = err_set(e, ST_CONFLICT, "migration %s was changed after it was applied"
			    " (checksum mismatch); add a new migration instead", m->name);
			goto out;
		}
	}
	for (size_t k = 0; k < db_nmigrations; k++) {
		bool done = false;

		for (int i = 0; i < PQntuples(res); i++)
			if (atoi(PQgetvalue(res, i, 0)) == db_migrations[k].version)
				done = true;
		if (done)
			continue;
		if ((st = apply_one(pg, &db_migrations[k], e)) != ST_OK)
			goto out;
		printf("applied %s\n", db_migrations[k].name);
		applied++;
	}
	printf("migrations: %zu applied, %zu total, schema current\n", applied, db_nmigrations);
out:
	PQclear(res);
	if (pg != NULL && PQstatus(pg) == CONNECTION_OK)
		PQclear(PQexec(pg, "SELECT pg_advisory_unlock(727272)"));
	PQfinish(pg);
	return st;
}

enum status
db_migrations_current(struct db_tx *tx, bool *current)
{
	PGresult *res;
	size_t matched = 0;

	*current = false;
	res = db_exec(tx, "SELECT version, checksum FROM schema_migrations", 0, NULL);
	if (res == NULL) {
		/* No bookkeeping table yet means nothing is applied. */
		if (strcmp(tx->sqlstate, "42P01") == 0)
			return ST_OK;
		return db_status(tx);
	}
	for (int i = 0; i < PQntuples(res); i++) {
		int v = atoi(PQgetvalue(res, i, 0));

		for (size_t k = 0; k < db_nmigrations; k++) {
			char sum[65];

			if (db_migrations[k].version != v)
				continue;
			db_migration_checksum(&db_migrations[k], sum);
			if (strcmp(sum, PQgetvalue(res, i, 1)) == 0)
				matched++;
		}
	}
	*current = matched == db_nmigrations;
	return ST_OK;
}
