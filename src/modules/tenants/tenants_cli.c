/* tenants_cli.c — operator commands: `tenant create|list|suspend|restore`
 * and `seed-demo`. They run as the owner role. Exit codes: 0 done,
 * 1 failed, 2 usage error. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "db/db.h"
#include "modules/auth/auth.h"
#include "modules/billing/billing.h"
#include "modules/tenants/tenants.h"

static void
usage(FILE *f)
{
	fputs("usage: receptionist tenant create --slug SLUG --name NAME\n"
	    "                                [--timezone IANA_ZONE] [--plan free|basic|pro|enterprise]\n"
	    "       receptionist tenant list\n"
	    "       receptionist tenant suspend SLUG\n"
	    "       receptionist tenant restore SLUG\n", f);
}

static int
fail(struct err *e, const char *what)
{
	fprintf(stderr, "error: %s: %s\n", what, e->message[0] ? e->message : "failed");
	return 1;
}

/* The operator's context: no tenant, no principal; audited as the CLI. */
static void
operator_ctx(struct app *app, struct ctx *c, struct arena *a, struct err *e)
{
	arena_init(a, 4096);
	err_clear(e);
	ctx_init(c, ACTOR_OPERATOR, a, e, app->db, &app->cfg);
}

static int
cmd_create(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "slug", required_argument, NULL, 's' }, { "name", required_argument, NULL, 'n' },
		{ "timezone", required_argument, NULL, 'z' }, { "plan", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct tenant_new in = { NULL, NULL, "America/New_York", "free" };
	enum plan_tier tier;
	struct arena a;
	struct ctx ctx;
	struct err e;
	char id[UUID_STR_LEN + 1];
	enum status st;
	int c;

	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': in.slug = optarg; break;
		case 'n': in.name = optarg; break;
		case 'z': in.timezone = optarg; break;
		case 'p': in.plan = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (in.slug == NULL || in.name == NULL) {
		usage(stderr);
		return 2;
	}
	if (!plan_parse(in.plan, &tier)) {
		fprintf(stderr, "error: unknown plan %s\n", in.plan);
		return 2;
	}
	operator_ctx(app, &ctx, &a, &e);
	st = tenants_add(&ctx, &in, id);
	arena_free(&a);
	if (st == ST_CONFLICT)
		err_set(&e, st, "a tenant with slug %s already exists", in.slug);
	else if (st == ST_INVALID)
		err_set(&e, st, "check the slug (a-z, 0-9, -), the name and the time zone");
	if (st != ST_OK)
		return fail(&e, "tenant create");
	printf("created tenant %s (%s)\n", id, in.slug);
	return 0;
}

static int
cmd_list(struct app *app)
{
	struct tenant_row *t = NULL;
	struct arena a;
	struct ctx ctx;
	struct err e;
	size_t n = 0;
	enum status st;

	operator_ctx(app, &ctx, &a, &e);
	if ((st = tenants_list(&ctx, &t, &n)) == ST_OK) {
		printf("%-36s  %-24s  %-9s  %-10s  %s\n", "ID", "SLUG", "STATUS", "PLAN", "NAME");
		for (size_t i = 0; i < n; i++)
			printf("%-36s  %-24s  %-9s  %-10s  %s\n", t[i].id, t[i].slug, t[i].status,
			    t[i].plan, t[i].name);
	}
	arena_free(&a);
	return st == ST_OK ? 0 : fail(&e, "tenant list");
}

static int
cmd_set_status(struct app *app, const char *slug, const char *status)
{
	struct arena a;
	struct ctx ctx;
	struct err e;
	enum status st;

	operator_ctx(app, &ctx, &a, &e);
	st = tenants_set_status_by_slug(&ctx, slug, status);
	arena_free(&a);
	if (st != ST_OK)
		return fail(&e, "tenant status");
	printf("tenant %s is now %s\n", slug, status);
	return 0;
}

int
tenants_cli(struct app *app, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "create") == 0)
		return cmd_create(app, argc, argv);
	if (strcmp(argv[1], "list") == 0 && argc == 2)
		return cmd_list(app);
	if (strcmp(argv[1], "suspend") == 0 && argc == 3)
		return cmd_set_status(app, argv[2], "suspended");
	if (strcmp(argv[1], "restore") == 0 && argc == 3)
		return cmd_set_status(app, argv[2], "active");
	usage(stderr);
	return 2;
}
