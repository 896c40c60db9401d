/* deadline.h — absolute CLOCK_REALTIME deadlines for pthread timed waits,
 * which take an absolute time, not a timeout. */
#ifndef CORE_DEADLINE_H
#define CORE_DEADLINE_H

#include <time.h>

/* *ts = now + ms. */
static inline void
deadline_in_ms(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

#endif
