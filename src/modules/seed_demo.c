/* seed_demo.c — `receptionist seed-demo`: the demo salon a new developer
 * sees after `make run`. It is created through the services a business's
 * own admin calls (tenants, the admin engine's descriptors, the catalog's
 * set endpoints, accounts), so the demo obeys every rule they do —
 * validation, plan limits, audit rows — and cannot drift from them. It
 * sits beside the registry because it is composition: it needs five
 * modules, and none of them should need the others for it.
 *
 * Two connections: the tenant and the accounts are the operator's work
 * (the owner role, as `tenant create` and `user create`); everything inside
 * the tenant runs as the runtime role, under row-level security, exactly
 * as the admin API would — the owner role bypasses RLS, so a plan limit
 * counted there would count every tenant's rows. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "core/ctx.h"
#include "db/db.h"
#include "modules/admin/admin.h"
#include "modules/ai/ai.h"
#include "modules/auth/auth.h"
#include "modules/catalog/catalog.h"
#include "modules/knowledge/knowledge.h"
#include "modules/seed_demo.h"
#include "modules/tenants/tenants.h"

/* j, freed with the arena (the services borrow what they are given). */
static json_t *
owned(struct ctx *c, json_t *j)
{
	arena_defer(c->arena, (void (*)(void *))json_decref, j);
	return j;
}

/* Creates one row of res (under parent, for nested collections); *id, when
 * asked for, is the new row's id. body is consumed. */
static enum status
create(struct ctx *c, const struct admin_resource *res, const char *parent, json_t *body,
    const char **id)
{
	struct admin_target t = { .res = res, .parent_id = parent };
	json_t *row = NULL;
	enum status st;

	if ((st = admin_svc_create(c, &t, owned(c, body), &row)) == ST_OK && id != NULL)
		*id = json_string_value(json_object_get(row, "id"));
	return st;
}

/* Changes fields of a singleton (profile, branding, policies, AI settings). */
static enum status
update(struct ctx *c, const struct admin_resource *res, json_t *body)
{
	struct admin_target t = { .res = res };
	json_t *row = NULL;

	return admin_svc_update(c, &t, NULL, false, 0, owned(c, body), &row);
}

/* Tuesday to Friday with a lunch break, a late Thursday, a long Saturday;
 * closed Sunday and Monday. Staff work the same hours. */
static const struct admin_interval hours[] = {
	{ 2, "09:00", "12:30", 0 }, { 2, "13:30", "18:00", 1 }, { 3, "09:00", "12:30", 2 },
	{ 3, "13:30", "18:00", 3 }, { 4, "09:00", "12:30", 4 }, { 4, "13:30", "20:00", 5 },
	{ 5, "09:00", "12:30", 6 }, { 5, "13:30", "18:00", 7 }, { 6, "10:00", "16:00", 8 },
};
#define NHOURS (sizeof(hours) / sizeof(hours[0]))

static enum status
seed_business(struct ctx *c)
{
	enum status st = ST_OK;
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	if ((st = update(c, &tenants_profile_res, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s,"
	    " s:s, s:s}", "phone", "+12125550123", "email", "hello@demo-salon.example",
	    "website_url", "https://demo-salon.example", "address_line1", "123 Example Street",
	    "city", "New York", "region", "NY", "postal_code", "10001", "country", "US"))) != ST_OK ||
	    (st = update(c, &tenants_branding_res, json_pack("{s:s, s:s, s:s, s:s}",
	    "display_name", "Demo Salon", "primary_color", "#7c3aed", "accent_color", "#4c1d95",
	    "voice_style", "friendly"))) != ST_OK)
		return st;
	for (size_t i = 0; i < NHOURS && st == ST_OK; i++)
		st = create(c, &tenants_hours_res, NULL, json_pack("{s:i, s:s, s:s}", "weekday",
		    hours[i].weekday, "opens", hours[i].start, "closes", hours[i].end), NULL);
	/* Christmas Day, this year and next. */
	for (int y = tm.tm_year + 1900; y <= tm.tm_year + 1901 && st == ST_OK; y++)
		st = create(c, &tenants_closures_res, NULL, json_pack("{s:s, s:s}", "day",
		    arena_printf(c->arena, "%04d-12-25", y), "reason", "Christmas Day"), NULL);
	if (st == ST_OK)
		st = create(c, &tenants_origins_res, NULL, json_pack("{s:s}", "origin",
		    "http://localhost:8080"), NULL);
	if (st == ST_OK)
		st = create(c, &tenants_origins_res, NULL, json_pack("{s:s}", "origin",
		    "http://demo.localhost:8080"), NULL);
	return st;
}

static json_t *
service(const char *name, const char *description, int minutes, int price, int buffer,
    int sort)
{
	return json_pack("{s:s, s:s, s:i, s:i, s:s, s:i, s:i}", "name", name, "description",
	    description, "duration_minutes", minutes, "price_minor", price, "currency", "USD",
	    "buffer_after_minutes", buffer, "sort_order", sort);
}

/* What the salon sells and who works there: Alex does everything, Sam
 * cuts and trims. */
static enum status
seed_catalogue(struct ctx *c)
{
	const char *haircut, *beard, *colour, *alex, *sam;
	json_t *out;
	enum status st;

	if ((st = create(c, &catalog_services_res, NULL, service("Haircut",
	    "Wash, cut and style.", 45, 4500, 15, 1), &haircut)) != ST_OK ||
	    (st = create(c, &catalog_services_res, NULL, service("Beard trim",
	    "Shape and line-up.", 20, 2000, 10, 2), &beard)) != ST_OK ||
	    (st = create(c, &catalog_services_res, NULL, service("Colour",
	    "Full colour with a gloss.", 90, 12000, 15, 3), &colour)) != ST_OK ||
	    (st = create(c, &catalog_addons_res, haircut, json_pack("{s:s, s:i, s:s, s:i}",
	    "name", "Scalp massage", "price_minor", 1500, "currency", "USD",
	    "duration_minutes", 15), NULL)) != ST_OK ||
	    (st = create(c, &catalog_staff_res, NULL, json_pack("{s:s, s:s}", "display_name",
	    "Alex", "color", "#7c3aed"), &alex)) != ST_OK ||
	    (st = create(c, &catalog_staff_res, NULL, json_pack("{s:s, s:s}", "display_name",
	    "Sam", "color", "#0e7490"), &sam)) != ST_OK)
		return st;
	if ((st = catalog_staff_services_put(c, alex, false, 0, owned(c, json_pack("[s, s, s]",
	    haircut, beard, colour)), &out)) != ST_OK ||
	    (st = catalog_staff_services_put(c, sam, false, 0, owned(c, json_pack("[s, s]", haircut,
	    beard)), &out)) != ST_OK ||
	    (st = catalog_staff_schedule_put(c, alex, false, 0, hours, NHOURS, &out)) != ST_OK)
		return st;
	return catalog_staff_schedule_put(c, sam, false, 0, hours, NHOURS, &out);
}

/* What the receptionist knows and says. */
static enum status
seed_knowledge(struct ctx *c)
{
	static const char *const faqs[][2] = {
		{ "Is there parking?", "Yes: free street parking on Example Street, and a garage"
		    " on the corner." },
		{ "How can I pay?", "Cards, Apple Pay and cash." },
		{ "Do you take walk-ins?", "When a chair is free, yes; booking guarantees your"
		    " time." },
	};
	enum status st = ST_OK;

	for (size_t i = 0; i < sizeof(faqs) / sizeof(faqs[0]) && st == ST_OK; i++)
		st = create(c, &knowledge_faqs_res, NULL, json_pack("{s:s, s:s, s:i}", "question",
		    faqs[i][0], "answer", faqs[i][1], "sort_order", (int)i + 1), NULL);
	if (st == ST_OK)
		st = update(c, &knowledge_policies_res, json_pack("{s:i, s:s, s:s}",
		    "cancellation_window_hours", 2, "cancellation_policy", "Cancel or reschedule"
		    " free of charge up to 2 hours before your appointment.", "late_policy",
		    "More than 15 minutes late and we may need to shorten or move your"
		    " appointment."));
	if (st == ST_OK)
		st = update(c, &ai_settings_res, json_pack("{s:s}", "greeting", "Hi! I'm the Demo"
		    " Salon receptionist. I can book, move or cancel appointments and answer"
		    " questions. How can I help?"));
	return st;
}

/* The platform administrator and the salon's owner; a password is shown
 * only when this run created the account. */
static enum status
seed_accounts(struct ctx *c)
{
	char admin_pw[24], owner_pw[24], uid[37];
	struct user_new admin = { "admin@platform.localhost", "Platform Admin", admin_pw,
		NULL, NULL, true };
	struct user_new owner = { "owner@demo.localhost", "Demo Owner", owner_pw, "demo",
		"OWNER", false };
	enum status st;

	auth_password_generate(admin_pw, sizeof(admin_pw));
	auth_password_generate(owner_pw, sizeof(owner_pw));
	if ((st = auth_users_create(c, &admin, uid)) == ST_CONFLICT)
		st = ST_OK, admin.password = NULL;
	if (st == ST_OK && (st = auth_users_create(c, &owner, uid)) == ST_CONFLICT)
		st = ST_OK, owner.password = NULL;
	if (st != ST_OK)
		return st;
	printf("accounts (passwords are shown only this once):\n");
	if (admin.password)
		printf("  platform admin  %-28s %s\n", admin.email, admin_pw);
	if (owner.password)
		printf("  demo owner      %-28s %s\n", owner.email, owner_pw);
	return ST_OK;
}

int
seed_demo_cli(struct app *app, int argc, char **argv)
{
	struct tenant_new in = { "demo", "Demo Salon", "America/New_York", "pro" };
	char id[UUID_STR_LEN + 1];
	struct db_pool *runtime;
	struct arena a;
	struct err e;
	struct ctx c, biz;
	enum status st;

	if (argc > 1) {
		fputs("usage: receptionist seed-demo\n\nCreates the demo salon (slug demo) and"
		    " two accounts, once;\nprints their passwords the first time only.\n",
		    strcmp(argv[1], "--help") == 0 ? stdout : stderr);
		return strcmp(argv[1], "--help") == 0 ? 0 : 2;
	}
	id[0] = '\0';
	arena_init(&a, 8192);
	err_clear(&e);
	ctx_init(&c, ACTOR_OPERATOR, &a, &e, app->db, &app->cfg);
	/* The slug is unique: a second run finds it taken and stops. */
	if ((st = tenants_add(&c, &in, id)) == ST_CONFLICT) {
		printf("demo salon already seeded\n");
		arena_free(&a);
		return 0;
	}
	if (st == ST_OK) {
		runtime = db_pool_new(app->cfg.database_url, 2, app->cfg.db_acquire_timeout_ms,
		    app->cfg.db_connect_timeout_s, app->cfg.db_statement_timeout_ms);
		ctx_init(&biz, ACTOR_OPERATOR, &a, &e, runtime, &app->cfg);
		ctx_set_tenant(&biz, id);
		if ((st = seed_business(&biz)) == ST_OK && (st = seed_catalogue(&biz)) == ST_OK &&
		    (st = seed_knowledge(&biz)) == ST_OK) {
			printf("seeded the demo salon: slug demo, tenant %s\n", id);
			st = seed_accounts(&c);
		}
		db_pool_free(runtime);
	}
	if (st != ST_OK) {
		fprintf(stderr, "receptionist: seed-demo: %s%s%s\n", e.message[0] ? e.message :
		    status_default_message(st), e.ndetails ? " " : "", e.ndetails ?
		    arena_printf(&a, "(%s %s)", e.details[0].field, e.details[0].issue) : "");
		if (id[0] != '\0')
			fprintf(stderr, "the demo tenant was created but is incomplete: remove it"
			    " (or the database) and run seed-demo again\n");
	}
	arena_free(&a);
	return st == ST_OK ? 0 : 1;
}
