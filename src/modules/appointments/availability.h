/* availability.h — the pure availability engine: which start times a
 * tenant can offer for a service (or a bundle of services back to back),
 * with whom and with which resource units. No database, no clock, no
 * process TZ, no global state: everything comes in through struct
 * avail_input, everything allocated goes to the caller's arena. The booking
 * path re-asks avail_slot_is_offered with the same kind of input, and it
 * shares every rule with the generator, so the two cannot disagree.
 *
 * Times: instants are UTC epoch seconds; durations and weekly hours are
 * minutes; dates are day numbers (see tz.h) in the tenant's zone. Intervals
 * are half-open [start, end).
 *
 * The rules, including those the issue left open:
 *
 * - Wall time → instant follows tz.h: a local interval [open, close) is
 *   open from the moment the clock first reaches `open` until it first
 *   reaches `close`. So a spring-forward gap shrinks an interval that spans
 *   it, an interval inside the gap vanishes, a fall-back repeated hour
 *   inside an interval is open twice (it is real time), and a closing time
 *   inside a repeated hour closes at its first occurrence.
 * - An interval (business hours or a staff schedule) belongs to the local
 *   date on which it opens. end_min <= start_min means it closes the next
 *   day (22:00–02:00); a closure date removes the intervals that open on
 *   it, so Friday 22:00–02:00 still runs when Saturday is closed.
 * - Slot grid: within each business-hours interval, a start is a candidate
 *   when its wall-clock reading is a whole number of steps after the
 *   interval's opening time (09:00, 09:15, … for a 15-minute step). The
 *   grid is on the wall clock, so a 30-minute DST shift (Lord Howe) or a
 *   +05:45 zone keeps slots on the published times; a grid time the clock
 *   skips has no slot; a grid time in a repeated hour has two slots, at two
 *   distinct instants. Overlapping intervals contribute one slot per
 *   instant.
 * - The service itself (duration + add-ons) must lie inside business hours
 *   and inside the staff member's schedule; its buffers need not (prep
 *   before opening is allowed). The padded span [start - buffer_before,
 *   end + buffer_after] must not overlap the staff member's time off,
 *   calendar busy times, or the padded spans of their appointments and
 *   holds (so two back-to-back appointments are separated by the first's
 *   buffer_after plus the second's buffer_before).
 * - Resources are held for the padded span, per unit. Existing bookings
 *   name the unit they hold (unit numbers 1..units), because the database
 *   will enforce exclusion per resource unit: counting overlaps alone would
 *   offer a slot that needs two half-free units, which the constraint then
 *   rejects. A slot takes the lowest-numbered units free for its whole
 *   padded span, and says which.
 * - Bundles: service i+1 starts buffer_after(i) + buffer_before(i+1) after
 *   service i ends, whoever performs either, so the shape of a bundle never
 *   depends on the assignment. Each service gets its own staff member.
 * - "Any" staff: among eligible staff who are free, the one with the fewest
 *   bookings on the slot's local start date (avail_input.day_counts);
 *   ties go to the earlier entry in avail_input.staff (give staff in a
 *   stable order, e.g. by id). A preferred staff member is a requirement
 *   for every service of the bundle they can perform; the others use "any".
 * - Minimum notice: start >= now + min_notice. Maximum days ahead: the
 *   slot's local start date <= today's local date + max_days_ahead (0 =
 *   today only). The requested range is local dates [start_day, start_day
 *   + days) of the slot start.
 * - Slot start/end are those of the services themselves (first start, last
 *   end), not of the buffers.
 *
 * Ids (staff, resources) are compared as strings; the engine keeps
 * pointers to the caller's strings rather than copying them. */
#ifndef APPOINTMENTS_AVAILABILITY_H
#define APPOINTMENTS_AVAILABILITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/status.h"
#include "core/time.h"

/* Caps on what one input may hold: far above any real tenant, low enough
 * that a bad caller cannot make one request eat the machine. */
#define AVAIL_MAX_SERVICES 8		/* services in a bundle */
#define AVAIL_MAX_DAYS 31		/* requested range */
#define AVAIL_MAX_DAYS_AHEAD 3660
#define AVAIL_MAX_NOTICE_MIN (366 * 24 * 60)
#define AVAIL_MAX_BUNDLE_MIN (24 * 60)	/* padded span of a whole bundle */
#define AVAIL_MAX_STAFF 1000
#define AVAIL_MAX_RESOURCES 256
#define AVAIL_MAX_UNITS 1000		/* units of one resource */
#define AVAIL_MAX_HOURS 512		/* weekly intervals per list */
#define AVAIL_MAX_LIST 200000		/* bookings, time off, busy, counts */

struct avail_range {		/* UTC instants, [start, end) */
	int64_t start, end;
};

struct avail_hours {		/* a weekly interval on the tenant's wall clock */
	int weekday;		/* ISO: 1 = Monday … 7 = Sunday */
	int start_min;		/* 0 … 1439 */
	int end_min;		/* 0 … 1440; <= start_min: closes the next day
				 * (equal: open 24 hours) */
};

struct avail_staff {
	const char *id;
	const struct avail_hours *schedule;
	size_t n_schedule;
	const struct avail_range *time_off;
	size_t n_time_off;
	const struct avail_range *calendar_busy;	/* from connected calendars */
	size_t n_calendar_busy;
};

struct avail_resource {
	const char *id;
	int units;		/* how many exist (chairs, rooms); 0 … AVAIL_MAX_UNITS */
};

struct avail_need {		/* a service needs `quantity` units of a resource */
	const char *resource_id;
	int quantity;
};

struct avail_service {
	int duration_min;	/* > 0 */
	int buffer_before_min;	/* >= 0 */
	int buffer_after_min;	/* >= 0 */
	const int *addon_min;	/* the chosen add-ons' extra minutes (>= 0 each) */
	size_t n_addons;
	const char *const *staff_ids;	/* who can perform it (ids in avail_input.staff) */
	size_t n_staff_ids;
	const struct avail_need *needs;	/* distinct resources */
	size_t n_needs;
};

struct avail_unit {		/* one unit of one resource */
	const char *resource_id;
	int unit;		/* 1 … units */
};

/* An existing appointment or active hold: both block exactly the same.
 * A staff id, resource or unit number the input does not know is ignored:
 * it cannot collide with anything this input can offer. */
struct avail_booking {
	int64_t start, end;	/* UTC, the service time itself */
	int buffer_before_min;	/* 0 when start/end already include them */
	int buffer_after_min;
	const char *staff_id;	/* NULL: holds resources only */
	const struct avail_unit *units;
	size_t n_units;
};

/* Bookings a staff member has on a local date; entries for the same pair
 * add up, entries for unknown staff or other dates are ignored. */
struct avail_day_count {
	const char *staff_id;
	int32_t day;
	int count;
};

struct avail_input {
	const char *zone;	/* the tenant's IANA zone */
	const struct avail_service *services;	/* booked back to back, in order */
	size_t n_services;
	const struct avail_staff *staff;	/* ties in round robin follow this order */
	size_t n_staff;
	const struct avail_resource *resources;
	size_t n_resources;
	const struct avail_hours *hours;	/* business hours */
	size_t n_hours;
	const int32_t *closures;		/* local dates the business is closed */
	size_t n_closures;
	const struct avail_booking *bookings;	/* appointments and active holds */
	size_t n_bookings;
	const struct avail_day_count *day_counts;
	size_t n_day_counts;
	int64_t now;		/* UTC; the engine never reads the clock */
	int min_notice_min;	/* >= 0 */
	int max_days_ahead;	/* >= 0 */
	int step_min;		/* 1 … 1440 */
	int32_t start_day;	/* first local date requested */
	int days;		/* 1 … AVAIL_MAX_DAYS */
	const char *preferred_staff_id;	/* NULL: any */
};

/* Who performs one service of the bundle, when, with which units. */
struct avail_assignment {
	const char *staff_id;	/* points into avail_input.staff */
	int64_t start, end;	/* the service itself, UTC */
	struct avail_unit *units;	/* resource_id points into the input */
	size_t n_units;
};

struct avail_slot {
	int64_t start, end;	/* first service's start, last service's end */
	char start_text[TZ_RFC3339_SIZE];	/* RFC 3339 with the local offset */
	char end_text[TZ_RFC3339_SIZE];
	struct avail_assignment *services;	/* n_services of them, in order */
	size_t n_services;
};

struct avail_result {
	struct avail_slot *slots;	/* ascending by start, one per instant */
	size_t n_slots;
};

/* Every offered slot in the requested range. ST_INVALID (with a detail in
 * e, when e is not NULL) for an unknown zone, an id that refers to nothing,
 * a value out of range or past a cap; ST_INTERNAL if ICU fails. */
enum status avail_compute(const struct avail_input *in, struct arena *a,
    struct avail_result *out, struct err *e) MUST_USE;

/* Whether the generator, given in, offers a slot starting at start with
 * these staff. staff_ids is NULL (use in->preferred_staff_id, exactly as
 * avail_compute does) or n_services entries, each a required staff id or
 * NULL for "any". When offered and slot is not NULL, *slot is the slot as
 * avail_compute would describe it (with "any" resolved by round robin). */
enum status avail_slot_is_offered(const struct avail_input *in, int64_t start,
    const char *const *staff_ids, struct arena *a, bool *offered,
    struct avail_slot *slot, struct err *e) MUST_USE;

#endif
