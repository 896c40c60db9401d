/* idempotency.c — idempotency keys stored in the caller's transaction. */
#include "db/idempotency.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

bool
idem_key_ok(const char *key)
{
	size_t n = key ? strlen(key) : 0;

	if (n == 0 || n > IDEMPOTENCY_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)key[i] < 0x21 || (unsigned char)key[i] > 0x7e)
			return false;
	return true;
}

static void
hex(const unsigned char *b, size_t n, char *out)
{
	sodium_bin2hex(out, n * 2 + 1, b, n);
}

enum status
idem_begin(struct db_tx *tx, struct idem *idem, const char *scope, const char *key,
    const char *body, size_t body_len)
{
	char h[65];
	const char *params[3];
	PGresult *res;

	memset(idem, 0, sizeof(*idem));
	idem->scope = scope;
	idem->key = key;
	crypto_hash_sha256(idem->request_hash, (const unsigned char *)body, body_len);
	hex(idem->request_hash, sizeof(idem->request_hash), h);
	params[0] = scope;
	params[1] = key;
	params[2] = h;
	/* Inserting first takes the key: a concurrent request with the same
	 * key blocks here until we commit or roll back. */
	res = db_exec(tx, "INSERT INTO idempotency_keys (tenant_id, scope, key, request_hash)"
	    " VALUES (app_tenant(), $1, $2, decode($3, 'hex'))"
	    " ON CONFLICT (tenant_id, scope, key) DO NOTHING RETURNING 1", 3, params);
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 1)
		return ST_OK;
	res = db_exec(tx, "SELECT encode(request_hash, 'hex'), status_code, response_body"
	    " FROM idempotency_keys WHERE tenant_id = app_tenant() AND scope = $1 AND key = $2",
	    2, params);
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 0)	/* expired and purged between the two statements */
		return err_set(tx->err, ST_CONFLICT, "Retry the request.");
	if (strcmp(PQgetvalue(res, 0, 0), h) != 0)
		return err_set(tx->err, ST_UNPROCESSABLE,
		    "This Idempotency-Key was used with a different request body.");
	if (db_val(res, 0, 1) == NULL)
		return err_set(tx->err, ST_CONFLICT,
		    "A request with this Idempotency-Key is still in progress.");
	idem->replay = true;
	idem->replay_status = atoi(PQgetvalue(res, 0, 1));
	idem->replay_body = db_val(res, 0, 2) ? db_val(res, 0, 2) : "";
	return ST_OK;
}

enum status
idem_finish(struct db_tx *tx, const struct idem *idem, int status, const char *body)
{
	char st[16];
	const char *params[4] = { idem->scope, idem->key, st, body };

	snprintf(st, sizeof(st), "%d", status);
	/* Queued: it goes to the server with the commit. */
	return db_queue(tx, "UPDATE idempotency_keys SET status_code = $3::int, response_body = $4"
	    " WHERE tenant_id = app_tenant() AND scope = $1 AND key = $2", 4, params);
}
