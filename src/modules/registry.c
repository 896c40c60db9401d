/* registry.c — every module's routes, hooks and jobs, in one list. */
#include "modules/registry.h"

#include <stdlib.h>

#include "core/log.h"
#include "modules/admin/admin.h"
#include "modules/ai/ai.h"
#include "modules/appointments/appointments.h"
#include "modules/auth/auth.h"
#include "modules/billing/billing.h"
#include "modules/calendar/calendar.h"
#include "modules/catalog/catalog.h"
#include "modules/events/events.h"
#include "modules/knowledge/knowledge.h"
#include "modules/push/push.h"
#include "modules/reminders/reminders.h"
#include "modules/sms/sms.h"
#include "modules/system/system.h"
#include "modules/tenants/tenants.h"
#include "modules/waitlist/waitlist.h"
#include "modules/web/web.h"
#include "modules/llm/llm.h"
#include "modules/messages/messages.h"

static const struct route_table *const tables[] = {
	&system_routes, &tenants_routes, &tenants_admin_routes, &catalog_routes,
	&knowledge_routes, &ai_settings_routes, &ai_chat_routes, &ai_admin_routes,
	&admin_routes, &appt_public_routes, &appt_admin_routes, &calendar_routes,
	&web_routes, &usage_routes, &llm_routes, &push_routes,
	&events_routes, &messages_routes,
	&sms_routes, &reminders_routes, &waitlist_routes,
};

/* Mounted only with ENABLE_TEST_ROUTES=true. */
static const struct route_table *const test_tables[] = {
	&system_test_routes, &tenants_admin_test_routes, &calendar_test_routes, &ai_test_routes,
	&sms_test_routes, &reminders_test_routes, &waitlist_test_routes,
};

void
registry_mount(struct app *app)
{
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		router_add_table(&app->router, tables[i]);
	if (app->cfg.test_routes) {
		log_warn("ENABLE_TEST_ROUTES is on: test-only routes are mounted");
		for (size_t i = 0; i < sizeof(test_tables) / sizeof(test_tables[0]); i++)
			router_add_table(&app->router, test_tables[i]);
	}
	app->resolve_tenant = tenants_resolve;
	web_mount(app);		/* widget, portal, browser guard */
	auth_mount(app);	/* auth, account admin and platform routes; app->authenticate */
}

static const struct {
	const struct job_table *t;
	bool test_only;
} jobs[] = {
	{ &system_job_handlers, false },
	{ &system_test_job_handlers, true },
	{ &appt_job_handlers, false },
	{ &calendar_job_handlers, false },
	{ &push_job_handlers, false },
	{ &sms_job_handlers, false },
	{ &messages_job_handlers, false },
	{ &reminders_job_handlers, false },
	{ &waitlist_job_handlers, false },
};

size_t
registry_job_handlers(const struct app *app, struct job_handler *out, size_t max)
{
	size_t n = 0;

	for (size_t t = 0; t < sizeof(jobs) / sizeof(jobs[0]); t++) {
		if (jobs[t].test_only && !app->cfg.test_routes)
			continue;
		for (size_t i = 0; i < jobs[t].t->n; i++) {
			if (n == max)
				abort();	/* raise the caller's array size */
			out[n++] = jobs[t].t->v[i];
		}
	}
	return n;
}

static const struct periodic_table *const periodic[] = {
	&system_periodic_jobs, &calendar_periodic_jobs, &messages_periodic_jobs,
	&reminders_periodic_jobs,
};

/* Called once, from the worker's start (single-threaded then). */
const struct periodic_job *
registry_periodic_jobs(size_t *n)
{
	static struct periodic_job all[32];
	size_t k = 0;

	for (size_t t = 0; t < sizeof(periodic) / sizeof(periodic[0]); t++) {
		for (size_t i = 0; i < periodic[t]->n; i++) {
			if (k == sizeof(all) / sizeof(all[0]))
				abort();	/* raise the array size */
			all[k++] = periodic[t]->v[i];
		}
	}
	*n = k;
	return all;
}
