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
#include "modules/knowledge/knowledge.h"
#include "modules/system/system.h"
#include "modules/tenants/tenants.h"
#include "modules/web/web.h"
#include "modules/llm/llm.h"

struct route_table {
	const struct route *routes;
	const size_t *n;
};

static const struct route_table tables[] = {
	{ system_routes, &system_nroutes },
	{ tenants_routes, &tenants_nroutes },
	{ tenants_admin_routes, &tenants_admin_nroutes },
	{ catalog_routes, &catalog_nroutes },
	{ knowledge_routes, &knowledge_nroutes },
	{ ai_settings_routes, &ai_settings_nroutes },
	{ ai_chat_routes, &ai_chat_nroutes },
	{ ai_admin_routes, &ai_admin_nroutes },
	{ admin_routes, &admin_nroutes },
	{ appt_public_routes, &appt_public_nroutes },
	{ appt_admin_routes, &appt_admin_nroutes },
	{ calendar_routes, &calendar_nroutes },
	{ web_routes, &web_nroutes },
	{ usage_routes, &usage_nroutes },
	{ llm_routes, &llm_nroutes },
};

void
registry_mount(struct app *app)
{
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		router_add_all(&app->router, tables[i].routes, *tables[i].n);
	if (app->cfg.test_routes) {
		log_warn("ENABLE_TEST_ROUTES is on: test-only routes are mounted");
		router_add_all(&app->router, system_test_routes, system_test_nroutes);
		router_add_all(&app->router, tenants_admin_test_routes, tenants_admin_test_nroutes);
		router_add_all(&app->router, calendar_test_routes, calendar_test_nroutes);
		router_add_all(&app->router, ai_test_routes, ai_test_nroutes);
	}
	app->resolve_tenant = tenants_resolve;
	web_mount(app);		/* widget, portal, browser guard */
	auth_mount(app);	/* auth, account admin and platform routes; app->authenticate */
}

struct job_table {
	const struct job_handler *handlers;
	const size_t *n;
	bool test_only;
};

static const struct job_table jobs[] = {
	{ system_job_handlers, &system_njob_handlers, false },
	{ system_test_job_handlers, &system_test_njob_handlers, true },
	{ appt_job_handlers, &appt_njob_handlers, false },
	{ calendar_job_handlers, &calendar_njob_handlers, false },
};

size_t
registry_job_handlers(const struct app *app, struct job_handler *out, size_t max)
{
	size_t n = 0;

	for (size_t t = 0; t < sizeof(jobs) / sizeof(jobs[0]); t++) {
		if (jobs[t].test_only && !app->cfg.test_routes)
			continue;
		for (size_t i = 0; i < *jobs[t].n; i++) {
			if (n == max)
				abort();	/* raise the caller's array size */
			out[n++] = jobs[t].handlers[i];
		}
	}
	return n;
}

struct periodic_table {
	const struct periodic_job *jobs;
	const size_t *n;
};

static const struct periodic_table periodic[] = {
	{ system_periodic_jobs, &system_nperiodic_jobs },
	{ calendar_periodic_jobs, &calendar_nperiodic_jobs },
};

/* Called once, from the worker's start (single-threaded then). */
const struct periodic_job *
registry_periodic_jobs(size_t *n)
{
	static struct periodic_job all[32];
	size_t k = 0;

	for (size_t t = 0; t < sizeof(periodic) / sizeof(periodic[0]); t++) {
		for (size_t i = 0; i < *periodic[t].n; i++) {
			if (k == sizeof(all) / sizeof(all[0]))
				abort();	/* raise the array size */
			all[k++] = periodic[t].jobs[i];
		}
	}
	*n = k;
	return all;
}
