/* log_bench.c — the cost of one log line (log_emit to /dev/null), for the
 * redactor every line passes: a typical access-log line, a line with an
 * e-mail address and a phone number to mask, and a long SQL error line.
 * An executable, not a test. Run: build/tests/unit/log_bench */
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"

#define N 200000

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);	/* CPU time: the machine is shared */
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static json_t *
access_line(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:i, s:f}", "request_id",
	    "01jeh3v4k5m6n7p8q9r0s1t2u3", "method", "POST", "route", "/v1/public/bookings",
	    "tenant_id", "550e8400-e29b-41d4-a716-446655440000", "status", 201,
	    "duration_ms", 3.25);
}

static json_t *
pii_line(void)
{
	return json_pack("{s:s, s:s, s:s}", "request_id", "01jeh3v4k5m6n7p8q9r0s1t2u3",
	    "error", "Key (tenant_id, email)=(550e8400-e29b-41d4-a716-446655440000, "
	    "jane.doe@example.com) already exists; phone +14155550123",
	    "sql", "INSERT INTO customers (tenant_id, email, phone, name) VALUES ($1, $2, $3, $4)"
	    " ON CONFLICT DO NOTHING RETURNING id");
}

static void
run(const char *name, const char *msg, json_t *(*fields)(void))
{
	double t0 = now_ns();

	for (int i = 0; i < N; i++)
		log_emit(LOG_INFO, msg, fields());
	printf("%-8s %7.0f ns/line\n", name, (now_ns() - t0) / N);
}

/* The redactor alone over the strings of an access line (ns per line). */
static void
redact_only(void)
{
	static const char *const s[] = { "request", "01jeh3v4k5m6n7p8q9r0s1t2u3", "POST",
	    "/v1/public/bookings", "550e8400-e29b-41d4-a716-446655440000", "info",
	    "2026-12-05T12:00:00.000Z" };
	double t0 = now_ns();
	size_t hits = 0;

	for (int i = 0; i < N; i++)
		for (size_t k = 0; k < sizeof(s) / sizeof(s[0]); k++)
			hits += log_redact(s[k]) != NULL;
	printf("%-8s %7.0f ns/line (%zu masked)\n", "redact", (now_ns() - t0) / N, hits);
}

int
main(void)
{
	int devnull = open("/dev/null", O_WRONLY);

	if (devnull < 0 || dup2(devnull, STDERR_FILENO) < 0)
		return 1;
	run("access", "request", access_line);
	run("pii", "sql failed for jane@example.com", pii_line);
	redact_only();
	return 0;
}
