/* reminders_rules.c — offsets and quiet-hours arithmetic, no database. */
#include "modules/reminders/reminders_rules.h"

#include <stdlib.h>

static int
by_size_desc(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x < y) - (x > y);
}

bool
rmd_offsets_ok(int *v, size_t n, const char **why)
{
	if (n > RMD_MAX_OFFSETS) {
		*why = "at most 4 offsets";
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (v[i] < RMD_MIN_OFFSET || v[i] > RMD_MAX_OFFSET) {
			*why = "each offset must be between 15 and 10080 minutes (7 days)";
			return false;
		}
	qsort(v, n, sizeof(*v), by_size_desc);
	for (size_t i = 1; i < n; i++)
		if (v[i] == v[i - 1]) {
			*why = "an offset is repeated";
			return false;
		}
	return true;
}

bool
rmd_hhmm_parse(const char *s, int *minutes)
{
	int h, m;

	if (s == NULL || s[0] < '0' || s[0] > '2' || s[1] < '0' || s[1] > '9' || s[2] != ':' ||
	    s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9' || s[5] != '\0')
		return false;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23)
		return false;
	*minutes = h * 60 + m;
	return true;
}
