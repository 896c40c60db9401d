/* time.h — tenant-local wall time ↔ UTC instants for one IANA zone, through
 * ICU's ucal and never the process TZ. Instants are int64 seconds since the
 * Unix epoch (UTC). Local ("wall") times are int64 seconds since 1970-01-01
 * 00:00 *on the tenant's wall clock*, so a wall time is day * 86400 +
 * minute * 60 and date arithmetic stays plain integer arithmetic. Dates are
 * day numbers (days since 1970-01-01, proleptic Gregorian).
 *
 * The one mapping rule from wall time to instant (tz_from_wall): the first
 * instant at which the wall clock reads that time or later. So a time in a
 * repeated hour (fall-back) maps to its first occurrence, and a time the
 * clock skips (spring-forward gap) maps to the instant of the jump. It is
 * monotonic, which is what lets a local interval [open, close) become one
 * UTC interval [from_wall(open), from_wall(close)): the business is open
 * from the moment its clock reaches the opening time until the moment it
 * first reaches the closing time. Callers that need every instant a wall
 * time names use tz_resolve.
 *
 * A struct tz is for one thread and one request: it owns a UCalendar and,
 * after tz_preload, a table of the zone's offsets over a window, so lookups
 * inside the window are arithmetic instead of ICU calls (~0.4 µs for an
 * offset, ~0.65 µs for a transition). Measured on the dev box: tz_open is
 * ~5 µs warm (ucal_open ~2.6 µs of it; ICU caches zone data itself) and
 * ~0.4 ms once per process while ICU loads its data. Against the 1–3 ms
 * of a 30-day availability answer, a per-thread cache of calendars would
 * save well under 1 %, so there is none, and nothing to invalidate. */
#ifndef CORE_TIME_H
#define CORE_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/status.h"

#define TZ_ID_MAX 64		/* longest IANA id is ~32 bytes */
#define TZ_RFC3339_SIZE 26	/* "2026-03-08T03:00:00-04:00" + NUL */
#define TZ_DATE_SIZE 11		/* "2026-03-08" + NUL */
#define TZ_DAY_S 86400

/* Day numbers accepted everywhere: 1900-01-01 .. 9999-12-31, so every
 * instant we compute fits ICU's range and four-digit years. */
#define TZ_DAY_MIN (-25567)
#define TZ_DAY_MAX 2932896

struct tz;

/* Opens zone_id (an IANA id such as "America/New_York", or "UTC") for the
 * lifetime of arena a. An unknown or malformed id is ST_INVALID: ICU would
 * otherwise silently fall back to GMT. */
enum status tz_open(struct arena *a, const char *zone_id, struct tz **out) MUST_USE;

/* The id as given to tz_open. */
const char *tz_id(const struct tz *z);

/* Precomputes the offsets in force over [from, to) (instants). Optional:
 * lookups outside the window still work, through ICU. */
void tz_preload(struct tz *z, int64_t from, int64_t to);

/* True once any ICU call on z failed; results since then are meaningless
 * and the caller should report ST_INTERNAL. Sticky. */
bool tz_failed(const struct tz *z);

/* Seconds east of UTC in force at instant t. */
int tz_offset_at(struct tz *z, int64_t t);

/* The first instant after t at which the UTC offset changes. False when
 * the zone has no later transition. */
bool tz_next_transition(struct tz *z, int64_t t, int64_t *at);

/* The wall time at instant t, and the local date it falls on. */
int64_t tz_wall(struct tz *z, int64_t t);
int32_t tz_local_day(struct tz *z, int64_t t);

/* Every instant at which the wall clock reads wall, ascending: 0 in a gap,
 * 2 in a repeated hour, 1 otherwise. */
int tz_resolve(struct tz *z, int64_t wall, int64_t out[2]);

/* The first instant at which the wall clock reads wall or later (see the
 * header comment). */
int64_t tz_from_wall(struct tz *z, int64_t wall);

/* "2026-03-08T03:00:00-04:00": the wall time at t with the offset in force.
 * An offset that is not whole minutes (local mean time before ~1900) cannot
 * be written in RFC 3339, so such instants are written in UTC with "Z". */
void tz_format_rfc3339(struct tz *z, int64_t t, char buf[TZ_RFC3339_SIZE]);

/* Pure calendar helpers (no zone). */
int32_t tz_days_from_civil(int y, int m, int d);

/* RFC 3339 ------------------------------------------------------------------
 * The one parser for date-times from outside (API input, provider replies):
 * "2026-12-04T07:20:00Z", "…T07:20:00.123Z" (1–9 fraction digits, what
 * JavaScript's toISOString sends), "…T07:20:00-05:00". An offset is always
 * required: a time without one is ambiguous. No leap seconds. */
#define TIME_RFC3339_MINUTES 0x1	/* also "…T07:20Z" (seconds omitted) */
#define TIME_RFC3339_SPACE 0x2		/* also "2026-12-04 07:20:00Z" (RFC 3339 §5.6 note) */
/* Epoch seconds in *secs and the fraction in *nanos (may be NULL). */
bool time_parse_rfc3339(const char *s, unsigned flags, int64_t *secs, int32_t *nanos);

#define TIME_UTC_SIZE 21	/* "2026-12-04T07:20:00Z" + NUL */
#define TIME_UTC_MS_SIZE 25	/* "2026-12-04T07:20:00.000Z" + NUL */
/* UTC, whole seconds, "Z". */
void time_format_utc(int64_t t, char buf[TIME_UTC_SIZE]);
/* UTC with milliseconds ("….000Z"): some providers want this form. */
void time_format_utc_ms(int64_t t, int ms, char buf[TIME_UTC_MS_SIZE]);
void tz_civil_from_days(int32_t days, int *y, int *m, int *d);
int tz_iso_weekday(int32_t days);	/* 1 = Monday … 7 = Sunday */
/* Strict "YYYY-MM-DD" within TZ_DAY_MIN..TZ_DAY_MAX. */
bool tz_date_parse(const char *s, int32_t *days);
void tz_date_format(int32_t days, char buf[TZ_DATE_SIZE]);

/* floor(a / b) and the matching non-negative remainder, for wall and
 * instant maths before 1970 or with negative offsets. */
int64_t tz_floor_div(int64_t a, int64_t b);
int64_t tz_floor_mod(int64_t a, int64_t b);

#endif
