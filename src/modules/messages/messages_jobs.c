/* messages_jobs.c — "messages.send": drains due messages of every tenant.
 *
 * Woken by a job per second of send time (0020's trigger: a burst of
 * messages queued together makes one job, a reminder due at 15:00 makes a
 * job that runs at 15:00), plus a sweep every 30 s as a safety net. A job
 * whose first claim comes back full starts a sibling at once, and one that
 * still finds work after its time budget queues another and ends, so a
 * backlog (100,000 reminders due in the same hour) fans out over the
 * worker's threads and processes, each claiming with SKIP LOCKED. */
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "core/config.h"
#include "core/log.h"
#include "db/db.h"
#include "modules/messages/messages_internal.h"

#define BUDGET_S 20

/* Says once, when the worker first sends (its periodic sweep runs at
 * start), where e-mail goes: a development MAIL_DIR must never pass
 * unnoticed, nor a production worker without SMTP_URL. */
static void
announce(const struct config *cfg)
{
	static atomic_bool said;

	if (atomic_exchange(&said, true))
		return;
	if (cfg->smtp_url != NULL)
		log_info("e-mail: sending over SMTP (SMTP_URL)");
	else if (cfg->mail_dir != NULL)
		log_warn("e-mail: no SMTP_URL; writing each message as an .eml file under %s"
		    " (development only)", cfg->mail_dir);
	else
		log_warn("e-mail: no SMTP_URL; messages stay queued in the outbox");
}

/* One more send job now, named by this one and why. */
static enum status
sibling(struct job *job, const char *why)
{
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin_as(&tx, &job->ctx, NULL)) != ST_OK)
		return st;
	st = messages_store_continue(&tx, arena_printf(job->arena, "%s@%lld", why, job->id));
	return db_tx_end(&tx, st);
}

/* A full batch: another thread (or worker) joins in. Each job starts at
 * most one, so the jobs grow one by one while the backlog lasts and stop
 * when a claim comes back short. */
static void
fan_out(void *arg)
{
	struct job *job = arg;

	if (sibling(job, "fan") != ST_OK)
		log_warn("messages.send: no sibling job: %s", job->err.message);
}

static enum status
send_job(struct job *job)
{
	bool more = false;
	enum status st;

	announce(job->ctx.cfg);
	if ((st = messages_send_due(&job->ctx, BUDGET_S, fan_out, job, &more)) != ST_OK || !more)
		return st;
	return sibling(job, "more");
}

static const struct job_handler messages_job_handlers_v[] = {
	{ "messages.send", send_job },
};
const struct job_table messages_job_handlers = TABLE_OF(messages_job_handlers_v);

static const struct periodic_job messages_periodic_v[] = {
	{ "messages.send", 30 },
};
const struct periodic_table messages_periodic_jobs = TABLE_OF(messages_periodic_v);
