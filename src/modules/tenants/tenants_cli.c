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

/* What the demo salon sells and who works there, so the portal can book
 * and the receptionist has something to offer on the first `make run`. */
static enum status
seed_demo_catalogue(struct db_tx *tx)
{
	static const char *const statements[] = {
		"INSERT INTO services (tenant_id, name, description, duration_minutes, price_minor,"
		" currency, buffer_after_minutes, sort_order) VALUES"
		" (app_tenant(), 'Haircut', 'Wash, cut and style.', 45, 4500, 'USD', 15, 1),"
		" (app_tenant(), 'Beard trim', 'Shape and line-up.', 20, 2000, 'USD', 10, 2),"
		" (app_tenant(), 'Colour', 'Full colour with a gloss.', 90, 12000, 'USD', 15, 3)",
		"INSERT INTO service_addons (tenant_id, service_id, name, price_minor, currency,"
		" duration_minutes) SELECT app_tenant(), id, 'Scalp massage', 1500, 'USD', 15"
		" FROM services WHERE name = 'Haircut'",
		"INSERT INTO staff (tenant_id, display_name, color) VALUES"
		" (app_tenant(), 'Alex', '#7c3aed'), (app_tenant(), 'Sam', '#0e7490')",
		/* Alex does everything; Sam cuts and trims. */
		"INSERT INTO staff_services (tenant_id, staff_id, service_id)"
		" SELECT app_tenant(), st.id, sv.id FROM staff st CROSS JOIN services sv"
		" WHERE st.display_name = 'Alex' OR sv.name <> 'Colour'",
		/* Everyone works the opening hours. */
		"INSERT INTO staff_schedules (tenant_id, staff_id, weekday, starts, ends)"
		" SELECT app_tenant(), st.id, h.weekday, h.opens, h.closes"
		" FROM staff st CROSS JOIN business_hours h",
		"INSERT INTO faqs (tenant_id, question, answer, sort_order) VALUES"
		" (app_tenant(), 'Is there parking?', 'Yes: free street parking on Example"
		" Street, and a garage on the corner.', 1),"
		" (app_tenant(), 'How can I pay?', 'Cards, Apple Pay and cash.', 2),"
		" (app_tenant(), 'Do you take walk-ins?', 'When a chair is free, yes; booking"
		" guarantees your time.', 3)",
		"UPDATE tenant_policies SET cancellation_window_hours = 2,"
		" cancellation_policy = 'Cancel or reschedule free of charge up to 2 hours"
		" before your appointment.', late_policy = 'More than 15 minutes late and we"
		" may need to shorten or move your appointment.'",
		"UPDATE ai_settings SET greeting = 'Hi! I''m the Demo Salon receptionist. I can"
		" book, move or cancel appointments and answer questions. How can I help?'",
	};

	for (size_t i = 0; i < sizeof(statements) / sizeof(statements[0]); i++)
		if (db_exec(tx, statements[i], 0, NULL) == NULL)
			return db_status(tx);
	return ST_OK;
}

/* The demo salon: what `make run` shows a new developer. */
static enum status
seed_demo_tenant(struct db_tx *tx, char id[UUID_STR_LEN + 1])
{
	struct tenant_new in = { "demo", "Demo Salon", "America/New_York", "pro" };
	enum status st;

	if ((st = tenants_create(tx, &in, id)) != ST_OK)
		return st;
	if (db_exec(tx, "UPDATE tenant_profiles SET phone = '+12125550123',"
	    " email = 'hello@demo-salon.example', website_url = 'https://demo-salon.example',"
	    " address_line1 = '123 Example Street', city = 'New York', region = 'NY',"
	    " postal_code = '10001', country = 'US'", 0, NULL) == NULL ||
	    db_exec(tx, "UPDATE tenant_branding SET display_name = 'Demo Salon',"
	    " primary_color = '#7c3aed', accent_color = '#4c1d95', voice_style = 'friendly'",
	    0, NULL) == NULL ||
	    /* Tuesday to Friday with a lunch break, long Saturday; closed
	     * Sunday and Monday. */
	    db_exec(tx, "INSERT INTO business_hours (tenant_id, weekday, opens, closes)"
	    " SELECT app_tenant(), d, o::time, c::time FROM (VALUES"
	    " (2, '09:00', '12:30'), (2, '13:30', '18:00'), (3, '09:00', '12:30'),"
	    " (3, '13:30', '18:00'), (4, '09:00', '12:30'), (4, '13:30', '20:00'),"
	    " (5, '09:00', '12:30'), (5, '13:30', '18:00'), (6, '10:00', '16:00'))"
	    " AS h (d, o, c)", 0, NULL) == NULL ||
	    db_exec(tx, "INSERT INTO closures (tenant_id, day, reason) SELECT app_tenant(),"
	    " make_date(y, 12, 25), 'Christmas Day' FROM generate_series("
	    " extract(year FROM now())::int, extract(year FROM now())::int + 1) AS y", 0, NULL) == NULL ||
	    db_exec(tx, "INSERT INTO widget_origins (tenant_id, origin) VALUES"
	    " (app_tenant(), 'http://localhost:8080'), (app_tenant(), 'http://demo.localhost:8080')",
	    0, NULL) == NULL)
		return db_status(tx);
	return seed_demo_catalogue(tx);
}

int
tenants_seed_demo(struct app *app, int argc, char **argv)
{
	struct arena a;
	struct db_tx tx;
	struct err e;
	PGresult *res;
	char id[UUID_STR_LEN + 1], admin_pw[24], owner_pw[24], uid[37];
	struct user_new admin = { "admin@platform.localhost", "Platform Admin", admin_pw,
		NULL, NULL, true };
	struct user_new owner = { "owner@demo.localhost", "Demo Owner", owner_pw, "demo",
		"OWNER", false };
	enum status st;
	bool exists;

	if (argc > 1) {
		fputs("usage: receptionist seed-demo\n\nCreates the demo salon (slug demo) and"
		    " two accounts, once;\nprints their passwords the first time only.\n",
		    strcmp(argv[1], "--help") == 0 ? stdout : stderr);
		return strcmp(argv[1], "--help") == 0 ? 0 : 2;
	}
	arena_init(&a, 4096);
	err_clear(&e);
	if ((st = db_tx_begin_legacy(&tx, app->db, &a, &e, NULL)) != ST_OK)
		goto out;
	res = db_exec(&tx, "SELECT 1 FROM tenants WHERE slug = 'demo'", 0, NULL);
	exists = res != NULL && PQntuples(res) > 0;
	if (res != NULL && !exists)
		st = seed_demo_tenant(&tx, id);
	st = db_tx_end(&tx, res == NULL ? db_status(&tx) : st);
	if (st != ST_OK || exists)
		goto out;

	auth_password_generate(admin_pw, sizeof(admin_pw));
	auth_password_generate(owner_pw, sizeof(owner_pw));
	if ((st = auth_user_create(app, &admin, uid, &e)) == ST_CONFLICT)
		st = ST_OK, admin.password = NULL;
	if (st == ST_OK && (st = auth_user_create(app, &owner, uid, &e)) == ST_CONFLICT)
		st = ST_OK, owner.password = NULL;
	if (st != ST_OK)
		goto out;
	printf("seeded the demo salon: slug demo, tenant %s\n", id);
	printf("accounts (passwords are shown only this once):\n");
	if (admin.password)
		printf("  platform admin  %-28s %s\n", admin.email, admin_pw);
	if (owner.password)
		printf("  demo owner      %-28s %s\n", owner.email, owner_pw);
out:
	arena_free(&a);
	if (st != ST_OK)
		return fail(&e, "seed-demo");
	if (exists)
		printf("demo salon already seeded\n");
	return 0;
}
