/* test_availability.c — the availability engine, one behaviour per test:
 * the slot grid, DST gaps and repeats in every zone the issue names,
 * across midnight, closures, notice and horizon, buffers, staff schedules
 * and busy times, resource units, round robin, preferred staff, bundles,
 * validation, and the booking path's re-check. */
#include "test_availability_fixture.c"

#define NY "America/New_York"

static struct fx F;

static int
teardown(void **state)
{
	fx_free(&F);
	return 0;
}

/* A plain Monday in New York: open 09:00–17:00, alice works all day. */
static void
monday(const char *open, const char *close)
{
	fx_init(&F, NY, "2026-03-02", 1);
	fx_hours(&F, 0, open, close);
	fx_worker(&F, "alice", 0, "00:00", "24:00");
}

/* ---- the grid ---------------------------------------------------------- */

static void
test_slots_follow_the_step_inside_hours(void **state)
{
	monday("09:00", "12:00");
	F.in.step_min = 30;
	assert_string_equal(fx_starts(&F, fx_run(&F)),
	    "2026-03-02T09:00:00-05:00 2026-03-02T09:30:00-05:00 "
	    "2026-03-02T10:00:00-05:00 2026-03-02T10:30:00-05:00 "
	    "2026-03-02T11:00:00-05:00");
}

static void
test_grid_is_aligned_to_each_opening_time(void **state)
{
	fx_init(&F, NY, "2026-03-02", 1);
	fx_hours(&F, 1, "09:10", "11:00");
	fx_hours(&F, 1, "13:05", "14:30");
	fx_worker(&F, "alice", 0, "00:00", "24:00");
	F.in.step_min = 20;
	assert_string_equal(fx_starts(&F, fx_run(&F)),
	    "2026-03-02T09:10:00-05:00 2026-03-02T09:30:00-05:00 "
	    "2026-03-02T09:50:00-05:00 2026-03-02T13:05:00-05:00 "
	    "2026-03-02T13:25:00-05:00");
}

static void
test_touching_intervals_join(void **state)
{
	/* 09:00–12:00 then 12:00–17:00, for the business and for alice: an
	 * hour at 11:30 runs across both seams. */
	fx_init(&F, NY, "2026-03-02", 1);
	fx_hours(&F, 1, "09:00", "12:00");
	fx_hours(&F, 1, "12:00", "17:00");
	fx_worker(&F, "alice", 1, "09:00", "12:00");
	fx_shift(&F, 0, 1, "12:00", "17:00");
	assert_non_null(fx_find(fx_run(&F), "2026-03-02T11:30:00-05:00"));
}

static void
test_slot_end_is_the_service_end_with_its_own_offset(void **state)
{
	const struct avail_slot *s;

	/* 01:30 EST + 30 min is 03:00 EDT. */
	fx_init(&F, NY, "2026-03-08", 1);
	fx_hours(&F, 7, "01:00", "04:00");
	fx_worker(&F, "alice", 0, "00:00", "24:00");
	F.svc[0].duration_min = 30;
	s = fx_find(fx_run(&F), "2026-03-08T01:30:00-05:00");
	assert_non_null(s);
	assert_string_equal(s->end_text, "2026-03-08T03:00:00-04:00");
	assert_int_equal(s->end - s->start, 30 * 60);
}

/* ---- DST --------------------------------------------------------------- */

static void
test_new_york_spring_forward_has_no_slot_in_the_missing_hour(void **state)
{
	fx_init(&F, NY, "2026-03-08", 1);
	fx_hours(&F, 7, "00:00", "05:00");
	fx_worker(&F, "alice", 0, "00:00", "24:00");
	F.svc[0].duration_min = 30;
	F.in.step_min = 30;
	assert_string_equal(fx_starts(&F, fx_run(&F)),
	    "2026-03-08T00:00:00-05:00 2026-03-08T00:30:00-05:00 "
	    "2026-03-08T01:00:00-05:00 2026-03-08T01:30:00-05:00 "
	    "2026-03-08T03:00:00-04:00 2026-03-08T03:30:00-04:00 "
	    "2026-03-08T04:00:00-04:00 2026-03-08T04:30:00-04:00");
}

static void
test_new_york_spring_forward_interval_shrinks_to_real_time(void **state)
{
	/* 01:00–04:00 on the wall is two real hours that night. */
	fx_init(&F, NY, "2026-03-08", 1);
	fx_hours(&F, 7, "01:00", "04:00");
	fx_worker(&F, "alice", 0, "00:00", "24:00");
	F.in.step_min = 60;
	assert_string_equal(fx_starts(&F, fx_run(&F)),
	    "2026-03-08T01:00:00-05:00 2026-03-08T03:00:00-04:00");
}

static void
test_new_york_fall_back_repeated_hour_gives_distinct_slots(void **state)
{
	struct avail_result *r;

	fx_init(&F, NY, "2026-11-01", 1);
	fx_hours(&F, 7, "00:00", "03:00");
	fx_worker(&F, "alice", 0, "00:00", "24:00");
	F.svc[0].duration_min = 30;
	F.in.step_min = 30;
	r = fx_run(&F);
	assert_string_equal(fx_starts(&F, r),
	    "2026-11-01T00:00:00-04:00 2026-11-01T00:30:00-04:00 "
	    "2026-11-01T01:00:00-04:00 2026-11-01T01:30:00-04:00 "
	    "2026-11-01T01:00:00-05:00 2026-11-01T01:30:00-05:00 "
	    "2026-11-01T02:00:00-05:00 2026-11-01T02:30:00-05:00");
	/* Four real hours, every slot its own instant. */
	for (size_t i = 1; i < r->n_slots; i++)
		assert_int_equal(r->slots[i].start - r->slots[i - 1].start, 1800);
}

static void
test_new_york_closing_in_repeated_hour_is_its_first_occurrence(void **state)
{
	/* Saturday 22:00–01:30: staff go home when the clock first shows
	 * 01:30, not an hour later when it shows 01:30 again. */
	fx_init(&F, NY, "2026-10-31", 2);
	fx_hours(&F, 6, "22:00", "01:30");
	fx_worker(&F, "alice", 0, "00:00", "24:00");
	F.svc[0].duration_min = 30;
	F.in.step_min = 30;
	assert_string_equal(fx_starts(&F, fx_run(&F)),
	    "2026-10-31T22:00:00-04:00 2026-10-31T22:30:00-04:00 "
	    "2026-10-31T23:00:00-04:00 2026-10-31T23:30:00-04:00 "
	    "2026-11-01T00:00:00-04:00 2026-11-01T00:30:00-04:00 "
	    "2026-11-01T01:00:00-04:00");
}

static void
test_london_spring_forward(void **state)
{
	fx_init(&F, "Europe/London", "2026-03-29", 1);
	fx_hours(&F, 7, "00:00", "03:00");
	fx_worker(&F, "alice", 0, "00:00", "24:00");
	F.svc[0].duration_min = 30;
	F.in.step_min = 30;
	assert_string_equal(fx_starts(&F, fx_run(&F)),
	    "2026-03-29T00:00:00+00:00 2026-03-29T00:30:00+00:00 "
	    "2026-03-29T02:00:00+01:00 2026-03-29T02:30:00+01:00");
}

static void
test_london_fall_back(void **state)
{
	fx_init(&F, "Europe/London", "2026-10-25", 1);
	fx_hours(&F, 7, "00:00", "03:00");
	fx_worker(&F, "alice", 0, "00:00", "24:00");
	F.svc[0].duration_min = 30;
	F.in.step_min = 30;
	assert_string_equal(fx_starts(&F, fx_run(&F)),
	    "2026-10-25T00:00:00+01:00 2026-10-25T00:30:00+01:00 "
	    "2026-10-25T01:00:00+01:00 2026-10-25T01:30:00+01:00 "
	    "2026-10-25T01:00:00+00:00 2026-10-25T01:30:00+00:00 "
	    "2026-10-25T02:00:00+00:00 2026-10-25T02:30:00+00:00");
}

static void
test_lord_howe_half_hour_spring_forward(void **state)
{
	/* 2026-10-04 02:00 +10:30 → 02:30 +11:00: 02:00 is skipped. */
	fx_init(&F, "Australia/Lord_Howe", "2026-10-04", 1);
	fx_hours(&F, 7, "01:00", "04:00");
	fx_worker(&F, "alice", 0, "00:00", "24:00");
	F.svc[0].duration_min = 30;
	F.in.step_min = 30;
	assert_string_equal(fx_starts(&F, fx_run(&F)),
	    "2026-10-04T01:00:00+10:30 2026-10-04T01:30:00+10:30 "
	    "2026-10-04T02:30:00+11:00 2026-10-04T03:00:00+11:00 "
	    "2026-10-04T03:30:00+11:00");
}

static void
test_lord_howe_half_hour_fall_back(void **state)
{
	/* 2026-04-05 02:00 +11:00 → 01:30 +10:30: 01:30 happens twice. */
	fx_init(&F, "Australia/Lord_Howe", "2026-04-05", 1);
	fx_hours(&F, 7, "01:00", "03:00");
	fx_worker(&F, "alice", 0, "00:00", "24:00");
	F.svc[0].duration_min = 30;
	F.in.step_min = 30;
	assert_string_equal(fx_starts(&F, fx_run(&F)),
	    "2026-04-05T01:00:00+11:00 2026-04-05T01:30:00+11:00 "
	    "2026-04-05T01:30:00+10:30 2026-04-05T02:00:00+10:30 "
	    "2026-04-05T02:30:00+10:30");
}

static void
test_kathmandu_slots_sit_on_the_local_grid(void **state)
{
	struct avail_result *r;

	fx_init(&F, "Asia/Kathmandu", "2026-03-02", 1);
	fx_hours(&F, 0, "09:00", "11:00");
	fx_worker(&F, "alice", 0, "00:00", "24:00");
	F.in.step_min = 60;
	r = fx_run(&F);
	assert_string_equal(fx_starts(&F, r),
	    "2026-03-02T09:00:00+05:45 2026-03-02T10:00:00+05:45");
	assert_int_equal(r->slots[0].start, fx_utc("2026-03-02T03:15"));
}

static void
test_zone_without_dst_keeps_every_day_identical(void **state)
{
	struct avail_result *r;

	/* All of March, when New York and London both change clocks. */
	fx_init(&F, "Asia/Tokyo", "2026-03-01", 31);
	fx_hours(&F, 0, "09:00", "17:00");
	fx_worker(&F, "alice", 0, "00:00", "24:00");
	F.in.step_min = 60;
	r = fx_run(&F);
	assert_int_equal(r->n_slots, 31 * 8);
	for (size_t i = 0; i < r->n_slots; i++) {
		assert_int_equal(r->slots[i].start,
		    fx_utc("2026-03-01T00:00") + (int64_t)(i / 8) * TZ_DAY_S + (int64_t)(i % 8) * 3600);
		assert_non_null(strstr(r->slots[i].start_text, "+09:00"));
	}
}

/* ---- across midnight, closures ----------------------------------------- */

static void
test_business_open_across_midnight(void **state)
{
	fx_init(&F, NY, "2026-03-06", 2);
	fx_hours(&F, 5, "22:00", "02:00");	/* Friday night */
	fx_worker(&F, "alice", 0, "00:00", "24:00");
	F.in.step_min = 60;
	assert_string_equal(fx_starts(&F, fx_run(&F)),
	    "2026-03-06T22:00:00-05:00 2026-03-06T23:00:00-05:00 "
	    "2026-03-07T00:00:00-05:00 2026-03-07T01:00:00-05:00");
}

static void
test_previous_nights_hours_reach_into_the_first_day(void **state)
{
	fx_init(&F, NY, "2026-03-07", 1);	/* Saturday only */
	fx_hours(&F, 5, "22:00", "02:00");
	fx_worker(&F, "alice", 0, "00:00", "24:00");
	F.in.step_min = 60;
	assert_string_equal(fx_starts(&F, fx_run(&F)),
	    "2026-03-07T00:00:00-05:00 2026-03-07T01:00:00-05:00");
}

static void
test_staff_night_shift_across_midnight(void **state)
{
	/* A staff schedule crossing midnight works like business hours do. */
	fx_init(&F, NY, "2026-03-06", 2);
	fx_hours(&F, 0, "00:00", "24:00");
	fx_worker(&F, "alice", 5, "23:00", "01:00");
	F.in.step_min = 60;
	assert_string_equal(fx_starts(&F, fx_run(&F)),
	    "2026-03-06T23:00:00-05:00 2026-03-07T00:00:00-05:00");
}

static void
test_closure_removes_the_day(void **state)
{
	fx_init(&F, NY, "2026-03-02", 3);
	fx_hours(&F, 0, "09:00", "10:00");
	fx_worker(&F, "alice", 0, "00:00", "24:00");
	fx_closed(&F, "2026-03-03");
	assert_string_equal(fx_starts(&F, fx_run(&F)),
	    "2026-03-02T09:00:00-05:00 2026-03-04T09:00:00-05:00");
}

static void
test_closure_removes_intervals_that_open_on_it(void **state)
{
	/* Saturday closed: Friday night's 22:00–02:00 still runs. */
	fx_init(&F, NY, "2026-03-06", 2);
	fx_hours(&F, 5, "22:00", "02:00");
	fx_worker(&F, "alice", 0, "00:00", "24:00");
	F.in.step_min = 60;
	fx_closed(&F, "2026-03-07");
	assert_int_equal(fx_run(&F)->n_slots, 4);
	fx_closed(&F, "2026-03-06");
	assert_int_equal(fx_run(&F)->n_slots, 0);
}

/* ---- notice and horizon ------------------------------------------------ */

static void
test_minimum_notice(void **state)
{
	struct avail_result *r;

	monday("09:00", "12:00");
	F.svc[0].duration_min = 30;
	F.in.step_min = 30;
	F.in.now = fx_local(&F, "2026-03-02", "09:20");
	F.in.min_notice_min = 60;
	r = fx_run(&F);
	assert_string_equal(r->slots[0].start_text, "2026-03-02T10:30:00-05:00");
	F.in.min_notice_min = 40;	/* 10:00 exactly is enough notice */
	assert_string_equal(fx_run(&F)->slots[0].start_text, "2026-03-02T10:00:00-05:00");
}

static void
test_maximum_days_ahead(void **state)
{
	struct avail_result *r;

	fx_init(&F, NY, "2026-03-02", 5);
	fx_hours(&F, 0, "09:00", "10:00");
	fx_worker(&F, "alice", 0, "00:00", "24:00");
	F.in.now = fx_local(&F, "2026-03-02", "08:00");
	F.in.max_days_ahead = 2;
	r = fx_run(&F);
	assert_string_equal(fx_starts(&F, r),
	    "2026-03-02T09:00:00-05:00 2026-03-03T09:00:00-05:00 "
	    "2026-03-04T09:00:00-05:00");
}

static void
test_past_slots_are_not_offered(void **state)
{
	monday("09:00", "12:00");
	F.in.now = fx_local(&F, "2026-03-02", "11:01");
	assert_int_equal(fx_run(&F)->n_slots, 0);
}

/* ---- buffers ----------------------------------------------------------- */

static void
test_existing_booking_buffer_blocks_the_next_slot(void **state)
{
	struct avail_booking *b;
	struct avail_result *r;

	monday("09:00", "17:00");
	b = fx_booking(&F, "alice", fx_local(&F, "2026-03-02", "10:00"),
	    fx_local(&F, "2026-03-02", "11:00"));
	b->buffer_after_min = 15;
	r = fx_run(&F);
	assert_null(fx_find(r, "2026-03-02T11:00:00-05:00"));
	assert_non_null(fx_find(r, "2026-03-02T11:15:00-05:00"));
}

static void
test_new_service_buffers_must_not_touch_bookings(void **state)
{
	struct avail_result *r;

	monday("09:00", "17:00");
	F.svc[0].buffer_before_min = 15;
	F.svc[0].buffer_after_min = 15;
	fx_booking(&F, "alice", fx_local(&F, "2026-03-02", "12:00"),
	    fx_local(&F, "2026-03-02", "13:00"));
	r = fx_run(&F);
	assert_non_null(fx_find(r, "2026-03-02T10:45:00-05:00"));
	assert_null(fx_find(r, "2026-03-02T11:00:00-05:00"));
	assert_null(fx_find(r, "2026-03-02T13:00:00-05:00"));
	assert_non_null(fx_find(r, "2026-03-02T13:15:00-05:00"));
}

static void
test_buffers_may_fall_outside_business_hours(void **state)
{
	monday("09:00", "10:00");
	F.svc[0].buffer_before_min = 30;
	F.svc[0].buffer_after_min = 30;
	assert_string_equal(fx_starts(&F, fx_run(&F)), "2026-03-02T09:00:00-05:00");
}

/* ---- staff ------------------------------------------------------------- */

static void
test_staff_schedule_limits_slots(void **state)
{
	struct avail_result *r;

	fx_init(&F, NY, "2026-03-02", 1);
	fx_hours(&F, 0, "09:00", "17:00");
	fx_worker(&F, "alice", 1, "12:00", "14:00");
	fx_worker(&F, "alice-tuesday", 2, "09:00", "17:00");
	F.in.step_min = 60;
	r = fx_run(&F);
	assert_string_equal(fx_starts(&F, r),
	    "2026-03-02T12:00:00-05:00 2026-03-02T13:00:00-05:00");
}

static void
test_staff_time_off_blocks(void **state)
{
	struct avail_result *r;

	monday("09:00", "17:00");
	fx_time_off(&F, 0, fx_local(&F, "2026-03-02", "13:00"),
	    fx_local(&F, "2026-03-02", "14:00"));
	r = fx_run(&F);
	assert_non_null(fx_find(r, "2026-03-02T12:00:00-05:00"));
	assert_null(fx_find(r, "2026-03-02T12:15:00-05:00"));
	assert_null(fx_find(r, "2026-03-02T13:45:00-05:00"));
	assert_non_null(fx_find(r, "2026-03-02T14:00:00-05:00"));
}

static void
test_existing_appointment_blocks_its_staff(void **state)
{
	monday("09:00", "13:00");
	F.in.step_min = 30;
	fx_booking(&F, "alice", fx_local(&F, "2026-03-02", "10:00"),
	    fx_local(&F, "2026-03-02", "11:00"));
	assert_string_equal(fx_starts(&F, fx_run(&F)),
	    "2026-03-02T09:00:00-05:00 2026-03-02T11:00:00-05:00 "
	    "2026-03-02T11:30:00-05:00 2026-03-02T12:00:00-05:00");
}

static void
test_other_staff_bookings_do_not_block(void **state)
{
	const struct avail_slot *s;

	monday("09:00", "17:00");
	fx_worker(&F, "bob", 0, "00:00", "24:00");
	fx_booking(&F, "bob", fx_local(&F, "2026-03-02", "10:00"),
	    fx_local(&F, "2026-03-02", "11:00"));
	s = fx_find(fx_run(&F), "2026-03-02T10:00:00-05:00");
	assert_non_null(s);
	assert_string_equal(s->services[0].staff_id, "alice");
}

static void
test_calendar_busy_blocks(void **state)
{
	struct avail_result *r;

	monday("09:00", "17:00");
	fx_calendar_busy(&F, 0, fx_local(&F, "2026-03-02", "15:00"),
	    fx_local(&F, "2026-03-02", "15:30"));
	r = fx_run(&F);
	assert_non_null(fx_find(r, "2026-03-02T14:00:00-05:00"));
	assert_null(fx_find(r, "2026-03-02T14:15:00-05:00"));
	assert_null(fx_find(r, "2026-03-02T15:15:00-05:00"));
	assert_non_null(fx_find(r, "2026-03-02T15:30:00-05:00"));
}

static void
test_hold_blocks_its_resource_unit(void **state)
{
	struct avail_booking *hold;
	struct avail_result *r;

	/* A hold from a conversation that has not booked yet: no staff,
	 * just the only room. */
	monday("09:00", "17:00");
	fx_resource(&F, "room", 1);
	fx_need(&F, 0, "room", 1);
	hold = fx_booking(&F, NULL, fx_local(&F, "2026-03-02", "10:00"),
	    fx_local(&F, "2026-03-02", "10:30"));
	fx_booking_unit(hold, "room", 1);
	r = fx_run(&F);
	assert_non_null(fx_find(r, "2026-03-02T09:00:00-05:00"));
	assert_null(fx_find(r, "2026-03-02T09:15:00-05:00"));
	assert_null(fx_find(r, "2026-03-02T10:15:00-05:00"));
	assert_non_null(fx_find(r, "2026-03-02T10:30:00-05:00"));
}

/* ---- resources --------------------------------------------------------- */

/* Three stylists, two chairs, one booking already at 10:00 on chair 1. */
static void
salon_with_two_chairs(void)
{
	struct avail_booking *b;

	monday("09:00", "17:00");
	fx_worker(&F, "bob", 0, "00:00", "24:00");
	fx_worker(&F, "carol", 0, "00:00", "24:00");
	fx_resource(&F, "chair", 2);
	fx_need(&F, 0, "chair", 1);
	b = fx_booking(&F, "alice", fx_local(&F, "2026-03-02", "10:00"),
	    fx_local(&F, "2026-03-02", "11:00"));
	fx_booking_unit(b, "chair", 1);
}

static void
test_second_chair_allows_a_parallel_booking(void **state)
{
	const struct avail_slot *s;

	salon_with_two_chairs();
	s = fx_find(fx_run(&F), "2026-03-02T10:00:00-05:00");
	assert_non_null(s);
	assert_string_equal(s->services[0].staff_id, "bob");
	assert_int_equal(s->services[0].n_units, 1);
	assert_string_equal(s->services[0].units[0].resource_id, "chair");
	assert_int_equal(s->services[0].units[0].unit, 2);
}

static void
test_third_parallel_booking_is_not_offered(void **state)
{
	struct avail_booking *b;
	struct avail_result *r;

	salon_with_two_chairs();
	b = fx_booking(&F, "bob", fx_local(&F, "2026-03-02", "10:00"),
	    fx_local(&F, "2026-03-02", "11:00"));
	fx_booking_unit(b, "chair", 2);
	r = fx_run(&F);
	/* carol is free, but there is no chair for her. */
	assert_null(fx_find(r, "2026-03-02T10:00:00-05:00"));
	assert_null(fx_find(r, "2026-03-02T09:15:00-05:00"));
	assert_non_null(fx_find(r, "2026-03-02T11:00:00-05:00"));
}

static void
test_fragmented_units_are_not_offered(void **state)
{
	struct avail_booking *b;
	struct avail_result *r;

	/* Never more than one chair in use at a time, but no single chair is
	 * free 09:30–10:30: the per-unit constraint would reject it. */
	monday("09:00", "17:00");
	fx_worker(&F, "bob", 0, "00:00", "24:00");
	fx_worker(&F, "carol", 0, "00:00", "24:00");
	fx_resource(&F, "chair", 2);
	fx_need(&F, 0, "chair", 1);
	b = fx_booking(&F, "bob", fx_local(&F, "2026-03-02", "09:00"),
	    fx_local(&F, "2026-03-02", "10:00"));
	fx_booking_unit(b, "chair", 1);
	b = fx_booking(&F, "carol", fx_local(&F, "2026-03-02", "10:00"),
	    fx_local(&F, "2026-03-02", "11:00"));
	fx_booking_unit(b, "chair", 2);
	r = fx_run(&F);
	assert_null(fx_find(r, "2026-03-02T09:30:00-05:00"));
	assert_non_null(fx_find(r, "2026-03-02T10:00:00-05:00"));	/* chair 1 */
}

static void
test_service_needing_two_units_takes_the_lowest_free(void **state)
{
	struct avail_booking *b;
	const struct avail_slot *s;

	monday("09:00", "17:00");
	fx_resource(&F, "bay", 3);
	fx_need(&F, 0, "bay", 2);
	b = fx_booking(&F, NULL, fx_local(&F, "2026-03-02", "10:00"),
	    fx_local(&F, "2026-03-02", "11:00"));
	fx_booking_unit(b, "bay", 2);
	s = fx_find(fx_run(&F), "2026-03-02T10:00:00-05:00");
	assert_non_null(s);
	assert_int_equal(s->services[0].n_units, 2);
	assert_int_equal(s->services[0].units[0].unit, 1);
	assert_int_equal(s->services[0].units[1].unit, 3);
	fx_booking_unit(b, "bay", 3);
	assert_null(fx_find(fx_run(&F), "2026-03-02T10:00:00-05:00"));
}

/* ---- round robin and preferred staff ----------------------------------- */

static void
test_any_staff_goes_to_the_least_booked_that_day(void **state)
{
	struct avail_result *r;

	fx_init(&F, NY, "2026-03-02", 2);
	fx_hours(&F, 0, "09:00", "10:00");
	fx_worker(&F, "alice", 0, "00:00", "24:00");
	fx_worker(&F, "bob", 0, "00:00", "24:00");
	fx_count(&F, "alice", "2026-03-02", 3);
	fx_count(&F, "bob", "2026-03-02", 1);
	fx_count(&F, "bob", "2026-03-03", 4);
	r = fx_run(&F);
	assert_int_equal(r->n_slots, 2);
	assert_string_equal(r->slots[0].services[0].staff_id, "bob");
	assert_string_equal(r->slots[1].services[0].staff_id, "alice");
}

static void
test_any_staff_tie_goes_to_staff_order(void **state)
{
	struct avail_result *r;

	monday("09:00", "10:00");
	fx_worker(&F, "aaron", 0, "00:00", "24:00");	/* sorts first, listed second */
	fx_count(&F, "alice", "2026-03-02", 2);
	fx_count(&F, "aaron", "2026-03-02", 2);
	r = fx_run(&F);
	assert_string_equal(r->slots[0].services[0].staff_id, "alice");
}

static void
test_any_staff_skips_a_busy_least_booked_member(void **state)
{
	const struct avail_slot *s;

	monday("09:00", "17:00");
	fx_worker(&F, "bob", 0, "00:00", "24:00");
	fx_count(&F, "alice", "2026-03-02", 5);
	fx_booking(&F, "bob", fx_local(&F, "2026-03-02", "10:00"),
	    fx_local(&F, "2026-03-02", "11:00"));
	s = fx_find(fx_run(&F), "2026-03-02T10:00:00-05:00");
	assert_non_null(s);
	assert_string_equal(s->services[0].staff_id, "alice");
	s = fx_find(&F.res_out, "2026-03-02T11:00:00-05:00");
	assert_string_equal(s->services[0].staff_id, "bob");
}

static void
test_preferred_staff_is_required(void **state)
{
	struct avail_result *r;

	monday("09:00", "17:00");
	fx_worker(&F, "bob", 0, "00:00", "24:00");
	fx_count(&F, "alice", "2026-03-02", 3);
	fx_booking(&F, "alice", fx_local(&F, "2026-03-02", "10:00"),
	    fx_local(&F, "2026-03-02", "11:00"));
	F.in.preferred_staff_id = "alice";
	r = fx_run(&F);
	assert_string_equal(fx_find(r, "2026-03-02T09:00:00-05:00")->services[0].staff_id,
	    "alice");
	assert_null(fx_find(r, "2026-03-02T10:00:00-05:00"));	/* bob is free, but not asked for */
}

static void
test_unknown_preferred_staff_is_invalid(void **state)
{
	struct avail_result r;

	monday("09:00", "17:00");
	F.in.preferred_staff_id = "zed";
	assert_int_equal(avail_compute(&F.in, &F.arena, &r, NULL), ST_INVALID);
}

/* ---- bundles and add-ons ----------------------------------------------- */

/* A cut (alice only, 30 min + 10 cleanup) then colour (bob only, 5 prep +
 * 60 min). */
static void
cut_and_colour(void)
{
	fx_init(&F, NY, "2026-03-02", 1);
	fx_hours(&F, 0, "09:00", "17:00");
	fx_worker(&F, "alice", 0, "00:00", "24:00");
	fx_worker(&F, "bob", 0, "00:00", "24:00");
	F.in.n_services = 2;
	F.svc[0].duration_min = 30;
	F.svc[0].buffer_after_min = 10;
	F.svc[0].n_staff_ids = 1;	/* alice */
	F.svc[1].duration_min = 60;
	F.svc[1].buffer_before_min = 5;
	F.svc_staff[1][F.svc[1].n_staff_ids++] = "bob";
}

static void
test_bundle_runs_back_to_back_with_different_staff(void **state)
{
	const struct avail_slot *s;

	cut_and_colour();
	s = fx_find(fx_run(&F), "2026-03-02T09:00:00-05:00");
	assert_non_null(s);
	assert_int_equal(s->n_services, 2);
	assert_string_equal(s->services[0].staff_id, "alice");
	assert_int_equal(s->services[0].end, fx_local(&F, "2026-03-02", "09:30"));
	assert_string_equal(s->services[1].staff_id, "bob");
	assert_int_equal(s->services[1].start, fx_local(&F, "2026-03-02", "09:45"));
	assert_int_equal(s->services[1].end, fx_local(&F, "2026-03-02", "10:45"));
	assert_string_equal(s->end_text, "2026-03-02T10:45:00-05:00");
}

static void
test_bundle_needs_every_part_free(void **state)
{
	struct avail_result *r;

	cut_and_colour();
	fx_booking(&F, "bob", fx_local(&F, "2026-03-02", "09:45"),
	    fx_local(&F, "2026-03-02", "10:00"));
	r = fx_run(&F);
	assert_null(fx_find(r, "2026-03-02T09:00:00-05:00"));
	assert_null(fx_find(r, "2026-03-02T09:15:00-05:00"));	/* bob's prep at 09:55 */
	assert_non_null(fx_find(r, "2026-03-02T09:30:00-05:00"));
}

static void
test_bundle_last_part_must_end_inside_hours(void **state)
{
	struct avail_result *r;

	cut_and_colour();
	r = fx_run(&F);
	/* 15:30 cut, 16:15–17:15 colour: past closing. */
	assert_non_null(fx_find(r, "2026-03-02T15:15:00-05:00"));
	assert_null(fx_find(r, "2026-03-02T15:30:00-05:00"));
}

static void
test_addons_lengthen_the_service(void **state)
{
	monday("09:00", "11:00");
	F.in.step_min = 30;
	F.addons[0][F.svc[0].n_addons++] = 20;
	F.addons[0][F.svc[0].n_addons++] = 10;
	assert_string_equal(fx_starts(&F, fx_run(&F)),
	    "2026-03-02T09:00:00-05:00 2026-03-02T09:30:00-05:00");
	assert_int_equal(F.res_out.slots[0].end - F.res_out.slots[0].start, 90 * 60);
}

/* ---- empty and invalid input ------------------------------------------- */

static void
test_no_business_hours_gives_no_slots(void **state)
{
	fx_init(&F, NY, "2026-03-02", 7);
	fx_worker(&F, "alice", 0, "00:00", "24:00");
	assert_int_equal(fx_run(&F)->n_slots, 0);
}

static void
test_service_nobody_performs_gives_no_slots(void **state)
{
	fx_init(&F, NY, "2026-03-02", 7);
	fx_hours(&F, 0, "09:00", "17:00");
	assert_int_equal(fx_run(&F)->n_slots, 0);
}

static void
test_no_services_is_invalid(void **state)
{
	struct avail_result r;

	monday("09:00", "17:00");
	F.in.n_services = 0;
	assert_int_equal(avail_compute(&F.in, &F.arena, &r, NULL), ST_INVALID);
}

static void
test_invalid_zone_is_invalid(void **state)
{
	struct avail_result r;
	struct err e;

	err_clear(&e);
	fx_init(&F, "Mars/Olympus_Mons", "2026-03-02", 1);
	assert_int_equal(avail_compute(&F.in, &F.arena, &r, &e), ST_INVALID);
	assert_int_equal(e.ndetails, 1);
	assert_string_equal(e.details[0].field, "zone");
	assert_int_equal(r.n_slots, 0);
}

static void
test_unknown_staff_in_a_service_is_invalid(void **state)
{
	struct avail_result r;
	struct err e;

	err_clear(&e);
	monday("09:00", "17:00");
	F.svc_staff[0][F.svc[0].n_staff_ids++] = "ghost";
	assert_int_equal(avail_compute(&F.in, &F.arena, &r, &e), ST_INVALID);
	assert_string_equal(e.details[0].field, "services[0].staff_ids");
}

static void
test_repeated_staff_id_is_invalid(void **state)
{
	struct avail_result r;

	monday("09:00", "17:00");
	fx_worker(&F, "alice", 0, "00:00", "24:00");
	assert_int_equal(avail_compute(&F.in, &F.arena, &r, NULL), ST_INVALID);
}

static void
test_out_of_range_values_are_invalid(void **state)
{
	struct avail_result r;
	struct avail_booking *b;

	monday("09:00", "17:00");
	F.in.days = 0;
	assert_int_equal(avail_compute(&F.in, &F.arena, &r, NULL), ST_INVALID);
	F.in.days = 32;
	assert_int_equal(avail_compute(&F.in, &F.arena, &r, NULL), ST_INVALID);
	F.in.days = 1;
	F.in.step_min = 0;
	assert_int_equal(avail_compute(&F.in, &F.arena, &r, NULL), ST_INVALID);
	F.in.step_min = 15;
	F.in.min_notice_min = -1;
	assert_int_equal(avail_compute(&F.in, &F.arena, &r, NULL), ST_INVALID);
	F.in.min_notice_min = 0;
	F.svc[0].duration_min = 0;
	assert_int_equal(avail_compute(&F.in, &F.arena, &r, NULL), ST_INVALID);
	F.svc[0].duration_min = 60;
	F.hours[0].weekday = 8;
	assert_int_equal(avail_compute(&F.in, &F.arena, &r, NULL), ST_INVALID);
	F.hours[0].weekday = 1;
	b = fx_booking(&F, "alice", fx_local(&F, "2026-03-02", "11:00"),
	    fx_local(&F, "2026-03-02", "10:00"));
	assert_int_equal(avail_compute(&F.in, &F.arena, &r, NULL), ST_INVALID);
	b->end = b->start;	/* empty is fine: it blocks nothing */
	assert_int_equal(avail_compute(&F.in, &F.arena, &r, NULL), ST_OK);
}

/* ---- the booking path's re-check --------------------------------------- */

static bool
is_offered(int64_t start, const char *const *staff, struct avail_slot *slot)
{
	bool offered = true;

	assert_int_equal(avail_slot_is_offered(&F.in, start, staff, &F.arena, &offered,
	    slot, NULL), ST_OK);
	return offered;
}

static void
test_slot_is_offered_confirms_a_generated_slot(void **state)
{
	const struct avail_slot *s;
	struct avail_slot again;

	salon_with_two_chairs();
	fx_count(&F, "bob", "2026-03-02", 1);
	s = fx_find(fx_run(&F), "2026-03-02T10:00:00-05:00");
	assert_true(is_offered(s->start, NULL, &again));
	assert_string_equal(again.start_text, s->start_text);
	assert_string_equal(again.end_text, s->end_text);
	assert_string_equal(again.services[0].staff_id, s->services[0].staff_id);
	assert_string_equal(again.services[0].staff_id, "carol");
	assert_int_equal(again.services[0].units[0].unit, s->services[0].units[0].unit);
}

static void
test_slot_is_offered_rejects_a_start_off_the_grid(void **state)
{
	monday("09:00", "17:00");
	assert_true(is_offered(fx_local(&F, "2026-03-02", "10:00"), NULL, NULL));
	assert_false(is_offered(fx_local(&F, "2026-03-02", "10:05"), NULL, NULL));
	assert_false(is_offered(fx_local(&F, "2026-03-02", "10:00") + 1, NULL, NULL));
}

static void
test_slot_is_offered_rejects_a_taken_start(void **state)
{
	monday("09:00", "17:00");
	fx_booking(&F, "alice", fx_local(&F, "2026-03-02", "10:00"),
	    fx_local(&F, "2026-03-02", "10:30"));
	assert_false(is_offered(fx_local(&F, "2026-03-02", "10:00"), NULL, NULL));
}

static void
test_slot_is_offered_with_named_staff(void **state)
{
	const char *bob[] = { "bob" }, *ghost[] = { "ghost" }, *dave[] = { "dave" };
	struct avail_slot s;
	int64_t ten;

	monday("09:00", "17:00");
	fx_worker(&F, "bob", 0, "00:00", "24:00");
	fx_count(&F, "bob", "2026-03-02", 9);	/* round robin would pick alice */
	F.staff[F.in.n_staff] = (struct avail_staff){ .id = "dave" };	/* cannot do it */
	F.in.n_staff++;
	ten = fx_local(&F, "2026-03-02", "10:00");
	assert_true(is_offered(ten, bob, &s));
	assert_string_equal(s.services[0].staff_id, "bob");
	assert_false(is_offered(ten, ghost, NULL));
	assert_false(is_offered(ten, dave, NULL));
	fx_booking(&F, "bob", ten, ten + 1800);
	assert_false(is_offered(ten, bob, NULL));
}

static void
test_slot_is_offered_in_the_repeated_hour(void **state)
{
	int64_t out[2];

	fx_init(&F, NY, "2026-11-01", 1);
	fx_hours(&F, 7, "00:00", "03:00");
	fx_worker(&F, "alice", 0, "00:00", "24:00");
	F.svc[0].duration_min = 30;
	F.in.step_min = 30;
	assert_int_equal(tz_resolve(F.z, (int64_t)fx_day("2026-11-01") * TZ_DAY_S + 5400, out), 2);
	assert_true(is_offered(out[0], NULL, NULL));
	assert_true(is_offered(out[1], NULL, NULL));
	fx_booking(&F, "alice", out[1], out[1] + 1800);
	assert_true(is_offered(out[0], NULL, NULL));	/* the other 01:30 is still free */
	assert_false(is_offered(out[1], NULL, NULL));
}

#define T(name) cmocka_unit_test_teardown(name, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_slots_follow_the_step_inside_hours),
		T(test_grid_is_aligned_to_each_opening_time),
		T(test_touching_intervals_join),
		T(test_slot_end_is_the_service_end_with_its_own_offset),
		T(test_new_york_spring_forward_has_no_slot_in_the_missing_hour),
		T(test_new_york_spring_forward_interval_shrinks_to_real_time),
		T(test_new_york_fall_back_repeated_hour_gives_distinct_slots),
		T(test_new_york_closing_in_repeated_hour_is_its_first_occurrence),
		T(test_london_spring_forward),
		T(test_london_fall_back),
		T(test_lord_howe_half_hour_spring_forward),
		T(test_lord_howe_half_hour_fall_back),
		T(test_kathmandu_slots_sit_on_the_local_grid),
		T(test_zone_without_dst_keeps_every_day_identical),
		T(test_business_open_across_midnight),
		T(test_previous_nights_hours_reach_into_the_first_day),
		T(test_staff_night_shift_across_midnight),
		T(test_closure_removes_the_day),
		T(test_closure_removes_intervals_that_open_on_it),
		T(test_minimum_notice),
		T(test_maximum_days_ahead),
		T(test_past_slots_are_not_offered),
		T(test_existing_booking_buffer_blocks_the_next_slot),
		T(test_new_service_buffers_must_not_touch_bookings),
		T(test_buffers_may_fall_outside_business_hours),
		T(test_staff_schedule_limits_slots),
		T(test_staff_time_off_blocks),
		T(test_existing_appointment_blocks_its_staff),
		T(test_other_staff_bookings_do_not_block),
		T(test_calendar_busy_blocks),
		T(test_hold_blocks_its_resource_unit),
		T(test_second_chair_allows_a_parallel_booking),
		T(test_third_parallel_booking_is_not_offered),
		T(test_fragmented_units_are_not_offered),
		T(test_service_needing_two_units_takes_the_lowest_free),
		T(test_any_staff_goes_to_the_least_booked_that_day),
		T(test_any_staff_tie_goes_to_staff_order),
		T(test_any_staff_skips_a_busy_least_booked_member),
		T(test_preferred_staff_is_required),
		T(test_unknown_preferred_staff_is_invalid),
		T(test_bundle_runs_back_to_back_with_different_staff),
		T(test_bundle_needs_every_part_free),
		T(test_bundle_last_part_must_end_inside_hours),
		T(test_addons_lengthen_the_service),
		T(test_no_business_hours_gives_no_slots),
		T(test_service_nobody_performs_gives_no_slots),
		T(test_no_services_is_invalid),
		T(test_invalid_zone_is_invalid),
		T(test_unknown_staff_in_a_service_is_invalid),
		T(test_repeated_staff_id_is_invalid),
		T(test_out_of_range_values_are_invalid),
		T(test_slot_is_offered_confirms_a_generated_slot),
		T(test_slot_is_offered_rejects_a_start_off_the_grid),
		T(test_slot_is_offered_rejects_a_taken_start),
		T(test_slot_is_offered_with_named_staff),
		T(test_slot_is_offered_in_the_repeated_hour),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
