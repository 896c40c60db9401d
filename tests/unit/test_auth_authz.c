/* test_auth_authz.c — the decisions authz_check adds on top of the matrix:
 * support sessions are read-only unless escalated and never platform
 * admins; API keys and service tokens are held to their scopes; platform
 * routes only for platform admins; and nobody grants a role above their
 * own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "modules/auth/authz.h"

static struct principal
user(enum role role)
{
	struct principal p;

	memset(&p, 0, sizeof(p));
	p.kind = PRINCIPAL_USER;
	p.role = role;
	p.scopes = SCOPE_ALL;
	return p;
}

static enum status
check(const struct principal *p, int perm)
{
	struct err e;

	err_clear(&e);
	return authz_check(p, perm, &e);
}

static void
test_no_principal_is_unauthenticated(void **state)
{
	assert_int_equal(check(NULL, PERM(RES_CATALOG, VERB_READ)), ST_UNAUTHENTICATED);
	assert_int_equal(check(NULL, 0), ST_OK);
}

static void
test_matrix_decides_for_users(void **state)
{
	struct principal o = user(ROLE_OWNER), v = user(ROLE_VIEWER), n = user(ROLE_NONE);

	assert_int_equal(check(&o, PERM(RES_SECURITY, VERB_WRITE)), ST_OK);
	assert_int_equal(check(&v, PERM(RES_CATALOG, VERB_READ)), ST_OK);
	assert_int_equal(check(&v, PERM(RES_CATALOG, VERB_WRITE)), ST_FORBIDDEN);
	assert_int_equal(check(&n, PERM(RES_CATALOG, VERB_READ)), ST_FORBIDDEN);
	assert_int_equal(check(&n, PERM_AUTHENTICATED), ST_OK);
}

static void
test_act_as_is_read_only_unless_escalated_and_never_platform(void **state)
{
	struct principal p = user(ROLE_OWNER);

	p.act_as = true;
	p.platform_admin = true;
	assert_int_equal(check(&p, PERM(RES_CATALOG, VERB_READ)), ST_OK);
	assert_int_equal(check(&p, PERM(RES_CATALOG, VERB_WRITE)), ST_FORBIDDEN);
	assert_int_equal(check(&p, PERM_PLATFORM), ST_FORBIDDEN);
	p.act_as_write = true;
	assert_int_equal(check(&p, PERM(RES_CATALOG, VERB_WRITE)), ST_OK);
}

static void
test_platform_routes_need_a_platform_admin_user(void **state)
{
	struct principal p = user(ROLE_OWNER);

	assert_int_equal(check(&p, PERM_PLATFORM), ST_FORBIDDEN);
	p.platform_admin = true;
	assert_int_equal(check(&p, PERM_PLATFORM), ST_OK);
	p.kind = PRINCIPAL_API_KEY;
	assert_int_equal(check(&p, PERM_PLATFORM), ST_FORBIDDEN);
}

static void
test_keys_and_service_tokens_are_held_to_their_scopes(void **state)
{
	struct principal k = user(ROLE_OWNER);

	k.kind = PRINCIPAL_API_KEY;
	k.scopes = SCOPE_BIT(RES_CATALOG);
	assert_int_equal(check(&k, PERM(RES_CATALOG, VERB_WRITE)), ST_OK);
	assert_int_equal(check(&k, PERM(RES_BOOKINGS, VERB_READ)), ST_FORBIDDEN);
	k.kind = PRINCIPAL_SERVICE;
	k.role = ROLE_ADMIN;
	assert_int_equal(check(&k, PERM(RES_CATALOG, VERB_WRITE)), ST_OK);
	assert_int_equal(check(&k, PERM(RES_USERS, VERB_READ)), ST_FORBIDDEN);
	/* Scopes add nothing the role lacks. */
	k.scopes = SCOPE_BIT(RES_SECURITY);
	assert_int_equal(check(&k, PERM(RES_SECURITY, VERB_WRITE)), ST_FORBIDDEN);
	k.kind = PRINCIPAL_API_KEY;
	k.role = ROLE_VIEWER;
	k.scopes = SCOPE_BIT(RES_CATALOG);
	assert_int_equal(check(&k, PERM(RES_CATALOG, VERB_WRITE)), ST_FORBIDDEN);
}

static void
test_nobody_grants_above_their_own_role(void **state)
{
	assert_true(authz_role_may_grant(ROLE_OWNER, ROLE_OWNER));
	assert_true(authz_role_may_grant(ROLE_OWNER, ROLE_ACCOUNTANT));
	assert_true(authz_role_may_grant(ROLE_ADMIN, ROLE_ADMIN));
	assert_true(authz_role_may_grant(ROLE_ADMIN, ROLE_VIEWER));
	assert_false(authz_role_may_grant(ROLE_ADMIN, ROLE_OWNER));
	assert_false(authz_role_may_grant(ROLE_VIEWER, ROLE_ADMIN));
	assert_false(authz_role_may_grant(ROLE_OWNER, ROLE_NONE));
	assert_false(authz_role_may_grant(ROLE_NONE, ROLE_VIEWER));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_principal_is_unauthenticated),
		cmocka_unit_test(test_matrix_decides_for_users),
		cmocka_unit_test(test_act_as_is_read_only_unless_escalated_and_never_platform),
		cmocka_unit_test(test_platform_routes_need_a_platform_admin_user),
		cmocka_unit_test(test_keys_and_service_tokens_are_held_to_their_scopes),
		cmocka_unit_test(test_nobody_grants_above_their_own_role),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
