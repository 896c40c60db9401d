/* auth_token.c — signed, short-lived service tokens: what we hand to a
 * provider that calls us back (a voice assistant's tool calls) or to one of
 * our own processes. Stateless: st_<base64url JSON>.<base64url HMAC>. The
 * claims are {tid, sub, scope, iat, exp}; a token lives at most an hour. */
#include <ctype.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/auth/auth.h"
#include "modules/auth/authz.h"

static bool
sub_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 36)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) &&
		    s[i] != '.' && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

static enum resource
resource_by_name(const char *name, size_t n)
{
	for (int r = RES_NONE + 1; r < RES__COUNT; r++) {
		const char *rn = authz_resource_name((enum resource)r);

		if (strlen(rn) == n && strncmp(rn, name, n) == 0)
			return (enum resource)r;
	}
	return RES_NONE;
}

bool
auth_scopes_parse(const char *csv, unsigned *out)
{
	const char *p = csv;

	*out = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		enum resource r;

		while (n > 0 && *p == ' ') {
			p++;
			n--;
		}
		if (n > 0 && (r = resource_by_name(p, n)) == RES_NONE)
			return false;
		if (n > 0)
			*out |= SCOPE_BIT(r);
		p += n;
		if (*p == ',')
			p++;
	}
	return *out != 0;
}

static void
mac(const unsigned char key[32], const char *msg, size_t n, unsigned char out[32])
{
	sec_hmac_sha256(key, 32, msg, n, out);
}

enum status
auth_service_token_sign(const unsigned char key[32], const struct service_claims *c,
    char *out, size_t outsz, struct err *e)
{
	json_t *scope = json_array(), *claims;
	unsigned char sig[32];
	char *js, *body = NULL, sigb[48];
	size_t jl, need;
	enum status st = ST_OK;

	if (!id_is_uuid(c->tid) || !sub_ok(c->sub) || c->scopes == 0 || c->exp <= c->iat ||
	    c->exp - c->iat > SERVICE_TOKEN_MAX_TTL_S) {
		json_decref(scope);
		return err_set(e, ST_INVALID, "A service token needs a tenant, a subject of"
		    " [a-z0-9._-]{1,36}, at least one scope and a lifetime of 1 s to 1 h.");
	}
	for (int r = RES_NONE + 1; r < RES__COUNT; r++)
		if (c->scopes & SCOPE_BIT(r))
			json_array_append_new(scope, json_string(authz_resource_name((enum resource)r)));
	claims = json_pack("{s:s, s:s, s:o, s:I, s:I}", "tid", c->tid, "sub", c->sub,
	    "scope", scope, "iat", (json_int_t)c->iat, "exp", (json_int_t)c->exp);
	js = claims ? json_dumps(claims, JSON_COMPACT) : NULL;
	json_decref(claims);
	if (js == NULL)
		return err_set(e, ST_INTERNAL, "Could not encode the token.");
	jl = strlen(js);
	need = 3 + sodium_base64_ENCODED_LEN(jl, sodium_base64_VARIANT_URLSAFE_NO_PADDING) + 1 +
	    sizeof(sigb);
	if (need > outsz || need > SERVICE_TOKEN_MAX) {
		st = err_set(e, ST_INVALID, "The token would be too long.");
		goto out;
	}
	body = malloc(need);
	if (body == NULL)
		abort();
	memcpy(body, "st_", 3);
	sec_b64url((const unsigned char *)js, jl, body + 3, need - 3);
	mac(key, body, strlen(body), sig);
	sec_b64url(sig, sizeof(sig), sigb, sizeof(sigb));
	snprintf(out, outsz, "%s.%s", body, sigb);
out:
	free(body);
	free(js);
	return st;
}

static enum status
bad(struct err *e, const char *why)
{
	return err_set(e, ST_UNAUTHENTICATED, "The service token is %s.", why);
}

enum status
auth_service_token_verify(const unsigned char key[32], const char *token, time_t now,
    struct service_claims *out, struct err *e)
{
	unsigned char want[32], got[32], js[SERVICE_TOKEN_MAX];
	const char *dot, *sub, *tid;
	size_t n = strlen(token), gl = 0, jl = 0, i;
	json_t *claims = NULL, *scope, *v;
	json_int_t iat, exp;
	enum status st;

	memset(out, 0, sizeof(*out));
	if (n > SERVICE_TOKEN_MAX || strncmp(token, "st_", 3) != 0 ||
	    (dot = strrchr(token, '.')) == NULL)
		return bad(e, "malformed");
	/* The signature first: nothing of an unsigned token is parsed. */
	mac(key, token, (size_t)(dot - token), want);
	if (!sec_b64url_decode(dot + 1, strlen(dot + 1), got, sizeof(got), &gl) ||
	    gl != sizeof(got) || !sec_equal(want, got, sizeof(got)))
		return bad(e, "not validly signed");
	if (!sec_b64url_decode(token + 3, (size_t)(dot - token - 3), js, sizeof(js) - 1, &jl))
		return bad(e, "malformed");
	js[jl] = '\0';
	claims = json_loadb((const char *)js, jl, JSON_REJECT_DUPLICATES, NULL);
	if (json_unpack(claims, "{s:s, s:s, s:o, s:I, s:I !}", "tid", &tid, "sub", &sub,
	    "scope", &scope, "iat", &iat, "exp", &exp) != 0 || !id_is_uuid(tid) ||
	    !sub_ok(sub) || !json_is_array(scope)) {
		st = bad(e, "malformed");
		goto out;
	}
	json_array_foreach(scope, i, v) {
		const char *s = json_string_value(v);
		enum resource r = s ? resource_by_name(s, strlen(s)) : RES_NONE;

		if (r == RES_NONE) {
			st = bad(e, "malformed");
			goto out;
		}
		out->scopes |= SCOPE_BIT(r);
	}
	if (exp <= iat || exp - iat > SERVICE_TOKEN_MAX_TTL_S || iat > (json_int_t)now + 60) {
		st = bad(e, "not within its allowed lifetime");
		goto out;
	}
	if (exp <= (json_int_t)now) {
		st = bad(e, "expired");
		goto out;
	}
	snprintf(out->tid, sizeof(out->tid), "%s", tid);
	snprintf(out->sub, sizeof(out->sub), "%s", sub);
	out->iat = iat;
	out->exp = exp;
	st = ST_OK;
out:
	json_decref(claims);
	return st;
}
