/* messages_unsubscribe.c — the link in every reminder e-mail, and the
 * List-Unsubscribe one-click POST (RFC 8058) to the same address:
 *
 *   {portal}/v1/public/messages/unsubscribe?m=<message id>&t=<signature>
 *
 * The link names the message, never the address (no e-mail in a URL, a log
 * or a Referer), and is signed with a subkey of APP_ENCRYPTION_KEY over the
 * tenant and the message, so it works only on that business's host and
 * cannot be made for another message. Opting out stops that business's
 * reminder e-mails to the address; what answers a customer's own action
 * (confirmations, changes, cancellations) still goes. */
#include <string.h>

#include <sodium.h>

#include "core/config.h"
#include "core/crypto.h"
#include "core/ids.h"
#include "db/db.h"
#include "modules/messages/messages_internal.h"
#include "modules/messages/messages_render.h"
#include "modules/messages/messages_store.h"

#define UNSUB_SUBKEY_ID 3	/* calendar state uses 2 */
#define UNSUB_SIG_BYTES 16
#define UNSUB_SIG_CHARS 22	/* base64url of 16 bytes, unpadded */

static enum status
signature(struct ctx *c, const char *tenant_id, const char *message_id,
    char out[UNSUB_SIG_CHARS + 1])
{
	unsigned char key[32], mac[32];
	const char *msg = arena_printf(c->arena, "%s:%s", tenant_id, message_id);
	enum status st;

	if ((st = sec_secret_subkey(c->cfg, UNSUB_SUBKEY_ID, "unsubscr", key, c->err)) != ST_OK)
		return st;
	sec_hmac_sha256(key, sizeof(key), msg, strlen(msg), mac);
	sec_b64url(mac, UNSUB_SIG_BYTES, out, UNSUB_SIG_CHARS + 1);
	sodium_memzero(key, sizeof(key));
	return ST_OK;
}

char *
messages_unsubscribe_url(struct ctx *c, const char *portal_base, const char *message_id)
{
	char sig[UNSUB_SIG_CHARS + 1];

	if (!c->has_tenant || signature(c, ctx_tenant_id(c), message_id, sig) != ST_OK)
		return NULL;
	return arena_printf(c->arena, "%s/v1/public/messages/unsubscribe?m=%s&t=%s", portal_base,
	    message_id, sig);
}

enum status
messages_unsubscribe(struct ctx *c, const char *m, const char *t, bool act, const char *source,
    const char **html)
{
	char sig[UNSUB_SIG_CHARS + 1];
	struct msg_brand b;
	struct db_tx tx;
	bool found = true;
	enum status st;

	if (m == NULL || t == NULL || !id_is_uuid(m) || strlen(t) != UNSUB_SIG_CHARS)
		goto invalid;
	if ((st = signature(c, ctx_tenant_id(c), m, sig)) != ST_OK)
		return st;
	if (!sec_equal(sig, t, UNSUB_SIG_CHARS))
		goto invalid;
	if (act) {
		if ((st = db_tx_begin(&tx, c)) != ST_OK)
			return st;
		st = messages_store_unsubscribe(&tx, m, source, &found);
		if ((st = db_tx_end(&tx, st)) != ST_OK)
			return st;
		if (!found)
			goto invalid;
	}
	if ((st = messages_brand(c, ctx_tenant_id(c), &b)) != ST_OK)
		return st;
	*html = msg_unsubscribe_page(c->arena, &b, act);
	return ST_OK;
invalid:
	return err_set(c->err, ST_NOTFOUND, "This unsubscribe link is not valid for this business.");
}
