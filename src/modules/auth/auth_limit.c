/* auth_limit.c — the sign-in rate limits: attempts counted per client IP
 * and per account (case-insensitively) in Redis, so guessing a password or
 * a 2FA code is slow from one address and against one account alike. */
#include <string.h>

#include "modules/auth/auth_internal.h"

const struct auth_limit AUTH_LIMIT_LOGIN = { "login", 5, 15 * 60 };
const struct auth_limit AUTH_LIMIT_RESET = { "reset", 3, 60 * 60 };
const struct auth_limit AUTH_LIMIT_2FA = { "2fa", 10, 15 * 60 };

static const char *
limit_key(struct arena *a, const struct auth_limit *l, const char *what, const char *v)
{
	char low[320];
	size_t i;

	/* Accounts are counted case-insensitively: "Bob@x" is "bob@x". */
	for (i = 0; v[i] && i < sizeof(low) - 1; i++)
		low[i] = (char)((v[i] >= 'A' && v[i] <= 'Z') ? v[i] + 32 : v[i]);
	low[i] = '\0';
	return arena_printf(a, "auth:%s:%s:%s", l->name, what, low);
}

enum status
auth_limit_check(struct ctx *c, const char *ip, const struct auth_limit *l,
    const char *subject, bool count)
{
	bool (*fn)(struct ratelimit *, const char *, int, int, int *) =
	    count ? ratelimit_hit : ratelimit_check;
	int ra = 0, ra2 = 0;
	bool ok_ip, ok_acct = true;

	ok_ip = fn(auth_g.rl, limit_key(c->arena, l, "ip", ip), l->limit, l->window_s, &ra);
	if (subject != NULL && subject[0] != '\0')
		ok_acct = fn(auth_g.rl, limit_key(c->arena, l, "acct", subject), l->limit,
		    l->window_s, &ra2);
	if (ok_ip && ok_acct)
		return ST_OK;
	c->err->retry_after = ra > ra2 ? ra : ra2;
	return err_set(c->err, ST_RATE_LIMITED, "Too many attempts; try again in %d seconds.",
	    c->err->retry_after);
}

void
auth_limit_fail(struct ctx *c, const char *ip, const struct auth_limit *l,
    const char *subject)
{
	(void)ratelimit_hit(auth_g.rl, limit_key(c->arena, l, "ip", ip), l->limit,
	    l->window_s, NULL);
	if (subject != NULL && subject[0] != '\0')
		(void)ratelimit_hit(auth_g.rl, limit_key(c->arena, l, "acct", subject), l->limit,
		    l->window_s, NULL);
}

void
auth_limit_clear(const struct auth_limit *l, const char *subject)
{
	struct arena a;

	arena_init(&a, 512);
	ratelimit_reset(auth_g.rl, limit_key(&a, l, "acct", subject), l->window_s);
	arena_free(&a);
}
