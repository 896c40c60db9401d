/* reminders_rules.h — the reminder settings' rules, no database: offsets
 * (minutes before the start) and quiet hours' wall-clock times. The
 * quiet-hours shift itself is SQL (reminder_send_at, 0022), where the
 * planner needs it set-based; tests/sql pins it down. */
#ifndef REMINDERS_RULES_H
#define REMINDERS_RULES_H

#include <stdbool.h>
#include <stddef.h>

#define RMD_MAX_OFFSETS 4
#define RMD_MIN_OFFSET 15		/* minutes */
#define RMD_MAX_OFFSET 10080		/* 7 days */

/* Checks a list of offsets: at most RMD_MAX_OFFSETS, each within bounds,
 * no repeats. Sorts them largest first (the order reminders go out). On
 * failure *why says what is wrong. */
bool rmd_offsets_ok(int *v, size_t n, const char **why);

/* "HH:MM" (24 h, 00:00–23:59) → minutes since midnight; false otherwise. */
bool rmd_hhmm_parse(const char *s, int *minutes);

#endif
