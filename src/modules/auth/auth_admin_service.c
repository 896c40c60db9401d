/* auth_admin_service.c — the rules of a tenant's own accounts, each taking
 * a struct ctx in that tenant: members and their roles, invitations, API
 * keys, the security settings (mandatory 2FA) and the outbox of mail the
 * tenant sent. Every change is audited in its own transaction; nobody
 * hands out a role above their own; the last owner stays an owner. */
#include <sodium.h>
#include <string.h>

#include "modules/audit/audit.h"
#include "modules/auth/auth_internal.h"
#include "modules/messages/messages.h"
#include "modules/auth/auth_store.h"

#define INVITE_TTL_S (7 * 24 * 3600)

static enum status
audit(struct ctx *c, struct db_tx *tx, const char *action, const char *type, const char *id,
    json_t *changes)
{
	struct audit_actor who;

	auth_actor(c, &who);
	return audit_record(tx, &who, action, type, id, changes);
}

/* The caller's user id for created_by / invited_by (NULL for keys and
 * services). */
static const char *
creator(const struct ctx *c)
{
	return c->principal->kind == PRINCIPAL_USER ? c->principal->id : NULL;
}

/* Nobody hands out a role above their own. */
static enum status
may_grant(struct ctx *c, const char *role, const char *refusal)
{
	if (!authz_role_may_grant(c->principal->role, authz_role_parse(role)))
		return err_set(c->err, ST_FORBIDDEN, "%s", refusal);
	return ST_OK;
}

typedef enum status (*list_fn)(struct db_tx *, const struct page *, struct page_rows *);

/* One page of a list in the tenant's transaction, with the next cursor. */
static enum status
list_page(struct ctx *c, list_fn list, const struct page *pg, json_t **items, json_t **next)
{
	struct page_rows rows = { 0 };
	struct db_tx tx;
	enum status st;

	*items = *next = NULL;
	if ((st = db_tx_begin(&tx, c)) != ST_OK)
		return st;
	st = list(&tx, pg, &rows);
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(rows.items);
		return st;
	}
	*items = rows.items;
	*next = rows.next_ts ? auth_page_cursor(c->arena, rows.next_ts, rows.next_id)
	    : json_null();
	return ST_OK;
}

/* ---- security settings --------------------------------------------------------- */

enum status
auth_security_get(struct ctx *c, json_t **out)
{
	struct db_tx tx;
	enum status st;

	*out = NULL;
	if ((st = db_tx_begin(&tx, c)) != ST_OK)
		return st;
	st = auth_store_security_get(&tx, out);
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return st;
}

enum status
auth_security_set(struct ctx *c, bool mfa, long long if_version, json_t **out)
{
	struct db_tx tx;
	bool was = false;
	enum status st;

	*out = NULL;
	if ((st = db_tx_begin(&tx, c)) != ST_OK)
		return st;
	if ((st = auth_store_security_set(&tx, mfa, if_version, &was, out)) == ST_OK && was != mfa)
		st = audit(c, &tx, "security.updated", "tenant", c->tenant.id,
		    json_pack("{s:{s:b, s:b}}", "mfa_required", "from", was, "to", mfa));
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return st;
}

/* ---- the outbox, redacted ------------------------------------------------------------ */

/* A message in the outbox carries its secret (an invitation's or a reset's
 * token) to the one mailbox it is for. Anyone with users:read may list the
 * outbox (GET /v1/admin/messages, the messages module's), so the API shows
 * every message with its secrets replaced: the value of every secret-named field, that value wherever else it appears
 * (the link built from it), and the value of any token= parameter in any
 * link. The row itself keeps the secret for the mail sender. */

#define REDACTED "[redacted]"
#define SECRETS_MAX 16

/* token, *_token, secret, *_secret, password, api_key, *_key */
static bool
secret_name(const char *k)
{
	static const char *const ends[] = { "token", "secret", "password", "_key" };
	size_t n = strlen(k);

	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		size_t m = strlen(ends[i]);

		if (n >= m && strcmp(k + n - m, ends[i]) == 0)
			return true;
	}
	return false;
}

struct secrets {
	const char *v[SECRETS_MAX];
	size_t n;
};

/* Replaces the value of every secret-named field of v (at any depth) by
 * REDACTED, remembering the strings in s. */
static void
redact_fields(struct arena *a, json_t *v, struct secrets *s)
{
	const char *k;
	json_t *x;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			redact_fields(a, x, s);
		return;
	}
	json_object_foreach(v, k, x) {
		if (!secret_name(k)) {
			redact_fields(a, x, s);
			continue;
		}
		/* Short values are not searched for elsewhere: they would blank
		 * out ordinary words; every token we issue is 43 characters. */
		if (json_is_string(x) && json_string_length(x) >= 8 && s->n < SECRETS_MAX)
			s->v[s->n++] = arena_strdup(a, json_string_value(x));
		json_object_set_new(v, k, json_string(REDACTED));
	}
}

/* str with each remembered secret and each token= value replaced. */
static char *
scrub(struct arena *a, const char *str, const struct secrets *s)
{
	char *out = arena_alloc(a, strlen(str) * sizeof(REDACTED) + 1), *o = out;

	while (*str) {
		size_t i, m = 0;

		for (i = 0; i < s->n && m == 0; i++)
			if (strncmp(str, s->v[i], strlen(s->v[i])) == 0)
				m = strlen(s->v[i]);
		if (m > 0) {
			o = stpcpy(o, REDACTED);
			str += m;
		} else if (strncmp(str, "token=", 6) == 0 && str[6] != '\0' &&
		    strchr("&#\"' ", str[6]) == NULL) {
			o = stpcpy(o, "token=" REDACTED);
			for (str += 6; *str && strchr("&#\"' ", *str) == NULL; str++)
				;
		} else {
			*o++ = *str++;
		}
	}
	*o = '\0';
	return out;
}

static void
redact_strings(struct arena *a, json_t *v, const struct secrets *s)
{
	const char *k;
	json_t *x;
	size_t i;

	if (json_is_string(v))
		json_string_set(v, scrub(a, json_string_value(v), s));
	else if (json_is_array(v))
		json_array_foreach(v, i, x)
			redact_strings(a, x, s);
	else if (json_is_object(v))
		json_object_foreach(v, k, x)
			redact_strings(a, x, s);
}

void
auth_outbox_redact(struct arena *a, json_t *items)
{
	json_t *m;
	size_t i;

	json_array_foreach(items, i, m) {
		json_t *payload = json_object_get(m, "payload");
		struct secrets s = { .n = 0 };

		if (!json_is_object(payload) && !json_is_array(payload))
			continue;
		redact_fields(a, payload, &s);
		redact_strings(a, payload, &s);
	}
}

/* ---- lists --------------------------------------------------------------------------- */

enum status
auth_admin_list(struct ctx *c, enum auth_list what, const struct page *pg, json_t **items,
    json_t **next)
{
	static const list_fn lists[] = {
		[AUTH_LIST_INVITATIONS] = auth_store_invitations_list,
		[AUTH_LIST_MEMBERS] = auth_store_members_list,
		[AUTH_LIST_API_KEYS] = auth_store_api_keys_list,
	};

	return list_page(c, lists[what], pg, items, next);
}

/* ---- invitations ------------------------------------------------------------------------ */

/* The invitation row and its mail, in tx (of the invitation's tenant). */
static enum status
invite(struct ctx *c, struct db_tx *tx, const char *email, const char *role,
    const char *invited_by, json_t **out)
{
	char token[SEC_TOKEN_CHARS + 1];
	unsigned char hash[32];
	const char *host = NULL;
	json_t *payload;
	enum status st;

	sec_random_token(token);
	sec_sha256(token, hash);
	if ((st = auth_store_invitation_create(tx, email, role, hash, invited_by, INVITE_TTL_S,
	    out)) != ST_OK)
		goto out;
	/* The link opens this business's app on its own host. */
	if ((st = auth_store_tenant_host(tx, auth_g.platform_domain, &host)) != ST_OK)
		goto out;
	payload = json_pack("{s:s, s:s, s:s, s:i}", "accept_url", auth_app_link(c->arena, host,
	    "accept-invitation", token), "token", token,
	    "role", role, "expires_in_days", INVITE_TTL_S / 86400);
	st = messages_queue(tx, &(struct message_new){ MESSAGE_EMAIL, email, "auth.invitation",
	    payload, NULL, NULL, 0 });
	json_decref(payload);
out:
	sodium_memzero(token, sizeof(token));
	return st;
}

enum status
auth_invitation_create(struct ctx *c, const char *email, const char *role, json_t **out)
{
	struct db_tx tx;
	enum status st;

	*out = NULL;
	if ((st = may_grant(c, role, "You cannot invite someone with a role above your"
	    " own.")) != ST_OK)
		return st;
	if ((st = db_tx_begin(&tx, c)) != ST_OK)
		return st;
	if ((st = invite(c, &tx, email, role, creator(c), out)) != ST_OK)
		goto out;
	st = audit(c, &tx, "invitation.created", "invitation",
	    json_string_value(json_object_get(*out, "id")), json_pack("{s:s}", "role", role));
out:
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return st;
}

enum status
auth_platform_invite_owner(struct ctx *c, struct db_tx *tx, const char *email, json_t **out)
{
	const struct audit_actor who = { "platform", c->principal->id, NULL, c->request_id };
	enum status st;

	*out = NULL;
	if ((st = invite(c, tx, email, "OWNER", c->principal->id, out)) != ST_OK)
		return st;
	return audit_record(tx, &who, "invitation.created", "invitation",
	    json_string_value(json_object_get(*out, "id")), json_pack("{s:s, s:s}", "role", "OWNER",
	    "email", email));
}

enum status
auth_invitation_revoke(struct ctx *c, const char *id)
{
	json_t *before = NULL;
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, c)) != ST_OK)
		return st;
	if ((st = auth_store_invitation_revoke(&tx, id, &before)) != ST_OK)
		goto out;
	if (before == NULL) {
		st = err_set(c->err, ST_NOTFOUND, "No pending invitation with this id.");
		goto out;
	}
	/* Only an owner changes owners, pending ones included (the update
	 * above is rolled back). */
	if ((st = may_grant(c, json_string_value(json_object_get(before, "role")),
	    "Only an owner can revoke an invitation to become an owner.")) != ST_OK) {
		json_decref(before);
		goto out;
	}
	st = audit(c, &tx, "invitation.revoked", "invitation", id, before);
out:
	return db_tx_end(&tx, st);
}

/* ---- members ---------------------------------------------------------------------------- */

/* What the caller may do to a member whose current role is cur: never
 * touch someone above one's own role, and never leave the business without
 * an owner. */
static enum status
member_guard(struct ctx *c, enum role cur, enum role next, long long owners)
{
	if (!authz_role_may_grant(c->principal->role, cur))
		return err_set(c->err, ST_FORBIDDEN, "You cannot change a member whose role is"
		    " above your own.");
	if (next != ROLE_NONE && !authz_role_may_grant(c->principal->role, next))
		return err_set(c->err, ST_FORBIDDEN, "You cannot give a role above your own.");
	if (cur == ROLE_OWNER && next != ROLE_OWNER && owners <= 1)
		return err_set(c->err, ST_CONFLICT, "This is the business's last owner; make"
		    " someone else an owner first.");
	return ST_OK;
}

/* Locks the member (and every owner): *cur is the member's role. */
static enum status
member_lock(struct ctx *c, struct db_tx *tx, const char *user_id, char cur[24],
    long long *version, long long *owners)
{
	bool found = false;
	enum status st;

	if ((st = auth_store_member_lock(tx, user_id, &found, cur, version, owners)) != ST_OK)
		return st;
	if (!found)
		return err_set(c->err, ST_NOTFOUND, "No member with this id in this business.");
	return ST_OK;
}

enum status
auth_member_set_role(struct ctx *c, const char *user_id, const char *role,
    long long want_version, json_t **out)
{
	long long version = 0, owners = 0;
	char cur[24] = "";
	struct db_tx tx;
	enum status st;

	*out = NULL;
	if ((st = db_tx_begin(&tx, c)) != ST_OK)
		return st;
	if ((st = member_lock(c, &tx, user_id, cur, &version, &owners)) != ST_OK)
		goto out;
	if (version != want_version) {
		st = err_set(c->err, ST_CONFLICT, "This member was changed by someone else;"
		    " reload and try again.");
		goto out;
	}
	if ((st = member_guard(c, authz_role_parse(cur), authz_role_parse(role), owners)) != ST_OK)
		goto out;
	if (strcmp(cur, role) != 0 &&
	    ((st = auth_store_member_set_role(&tx, user_id, role)) != ST_OK ||
	    (st = audit(c, &tx, "user.role_changed", "user", user_id,
	    json_pack("{s:{s:s, s:s}}", "role", "from", cur, "to", role))) != ST_OK))
		goto out;
	st = auth_store_member_json(&tx, user_id, out);
out:
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return st;
}

enum status
auth_member_remove(struct ctx *c, const char *user_id)
{
	long long version = 0, owners = 0;
	char cur[24] = "";
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, c)) != ST_OK)
		return st;
	if ((st = member_lock(c, &tx, user_id, cur, &version, &owners)) != ST_OK ||
	    (st = member_guard(c, authz_role_parse(cur), ROLE_NONE, owners)) != ST_OK ||
	    (st = auth_store_member_remove(&tx, user_id)) != ST_OK)
		goto out;
	st = audit(c, &tx, "user.removed", "user", user_id, json_pack("{s:s}", "role", cur));
out:
	return db_tx_end(&tx, st);
}

/* ---- API keys ------------------------------------------------------------------------------ */

enum status
auth_api_key_create(struct ctx *c, const char *name, const char *role, const char *scopes_csv,
    json_t **out)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	char prefix[13], secret[SEC_TOKEN_CHARS + 1], *key;
	unsigned char hash[32];
	unsigned scopes = 0;
	struct db_tx tx;
	enum status st;

	*out = NULL;
	if ((st = may_grant(c, role, "An API key cannot have a role above your own.")) != ST_OK)
		return st;
	/* A key (or a service) that may make keys makes none wider than itself. */
	if (!auth_scopes_parse(scopes_csv, &scopes) || (scopes & ~c->principal->scopes) != 0)
		return err_set(c->err, ST_FORBIDDEN, "An API key cannot have scopes beyond your"
		    " own.");
	for (size_t i = 0; i < 12; i++)
		prefix[i] = alnum[randombytes_uniform(sizeof(alnum) - 1)];
	prefix[12] = '\0';
	sec_random_token(secret);
	key = arena_printf(c->arena, "rk_live_%s_%s", prefix, secret);
	sodium_memzero(secret, sizeof(secret));
	sec_sha256(key, hash);
	if ((st = db_tx_begin(&tx, c)) != ST_OK)
		return st;
	if ((st = auth_store_api_key_create(&tx, name, prefix, hash, role, scopes_csv,
	    creator(c), out)) == ST_OK)
		st = audit(c, &tx, "api_key.created", "api_key",
		    json_string_value(json_object_get(*out, "id")), json_pack("{s:s, s:s, s:s}",
		    "role", role, "scopes", scopes_csv, "prefix", prefix));
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(*out);
		*out = NULL;
		return st;
	}
	json_object_set_new(*out, "key", json_string(key));
	return ST_OK;
}

enum status
auth_api_key_revoke(struct ctx *c, const char *id)
{
	struct db_tx tx;
	bool found = false;
	enum status st;

	if ((st = db_tx_begin(&tx, c)) != ST_OK)
		return st;
	if ((st = auth_store_api_key_revoke(&tx, id, &found)) == ST_OK) {
		if (!found)
			st = err_set(c->err, ST_NOTFOUND, "No live API key with this id.");
		else
			st = audit(c, &tx, "api_key.revoked", "api_key", id, NULL);
	}
	return db_tx_end(&tx, st);
}
