/* time.c — IANA zone maths on ICU ucal: offsets, transitions, wall time ↔
 * instant, RFC 3339. ICU is asked for offsets and transition instants only;
 * all calendar arithmetic is ours (proleptic Gregorian day numbers), so no
 * ICU field computation and no locale is involved. */
#include "core/time.h"

#include <stdio.h>
#include <string.h>

#include <unicode/ucal.h>
#include <unicode/ustring.h>

/* A preload window covers a request's few weeks; a zone changes offset at
 * most a few times a year, so this is far more than ever needed. Past the
 * cap the table simply ends early and ICU answers the rest. */
#define SEG_CAP 64

/* Looking ±2 days around a wall time always spans every offset that could
 * apply to it (real offsets stay within ±26 h). */
#define SEARCH_S (2 * (int64_t)TZ_DAY_S)

struct tz_seg {
	int64_t start;		/* the offset below is in force from here */
	int32_t off;		/* seconds east of UTC */
};

struct tz {
	struct arena *arena;	/* owns the table built by tz_preload */
	UCalendar *cal;
	char id[TZ_ID_MAX + 1];
	bool failed;
	struct tz_seg *segs;	/* preloaded table covering [lo, hi) */
	size_t nsegs;
	int64_t lo, hi;
	bool has_beyond;	/* the first transition at or after hi, */
	int64_t beyond;		/* so the table's last stretch needs no ICU */
};

int64_t
tz_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

int64_t
tz_floor_mod(int64_t a, int64_t b)
{
	return a - tz_floor_div(a, b) * b;
}

/* H. Hinnant's days_from_civil / civil_from_days: exact for any
 * proleptic Gregorian date, no tables, no libc time functions. */
int32_t
tz_days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

void
tz_civil_from_days(int32_t days, int *y, int *m, int *d)
{
	int64_t z = (int64_t)days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int
tz_iso_weekday(int32_t days)
{
	/* 1970-01-01 was a Thursday (4). */
	return (int)tz_floor_mod((int64_t)days + 3, 7) + 1;
}

bool
tz_date_parse(const char *s, int32_t *days)
{
	int y, m, d, ry, rm, rd;
	int32_t n;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	n = tz_days_from_civil(y, m, d);
	/* 2026-02-30 would silently become 2026-03-02: the round trip catches
	 * every day that is not in its month. */
	tz_civil_from_days(n, &ry, &rm, &rd);
	if (ry != y || rm != m || rd != d || n < TZ_DAY_MIN || n > TZ_DAY_MAX)
		return false;
	*days = n;
	return true;
}

/* Fixed-width decimal digits; callers guarantee the value fits, which
 * keeps the formatting free of snprintf truncation paths. */
static char *
put_digits(char *p, unsigned v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

static char *
put_date(char *p, int32_t days)
{
	int y, m, d;

	tz_civil_from_days(days, &y, &m, &d);
	/* Day numbers are validated to years 1900..9999 before they get here. */
	p = put_digits(p, (unsigned)y, 4);
	*p++ = '-';
	p = put_digits(p, (unsigned)m, 2);
	*p++ = '-';
	return put_digits(p, (unsigned)d, 2);
}

void
tz_date_format(int32_t days, char buf[TZ_DATE_SIZE])
{
	*put_date(buf, days) = '\0';
}

static bool
valid_id(const char *id)
{
	size_t n = 0;

	if (id == NULL)
		return false;
	/* IANA ids are ASCII letters, digits and "/_+-"; anything else is not a
	 * zone and must not reach u_charsToUChars (invariant characters only). */
	for (const char *p = id; *p != '\0'; p++, n++) {
		char c = *p;

		if (n >= TZ_ID_MAX)
			return false;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '/' || c == '_' || c == '+' || c == '-'))
			return false;
	}
	return n > 0;
}

static void
close_cal(void *p)
{
	ucal_close(p);
}

enum status
tz_open(struct arena *a, const char *zone_id, struct tz **out)
{
	UChar uid[TZ_ID_MAX + 1], canon[TZ_ID_MAX + 1];
	UErrorCode ust = U_ZERO_ERROR;
	UBool is_system = 0;
	struct tz *z;
	int32_t len;

	*out = NULL;
	if (!valid_id(zone_id))
		return ST_INVALID;
	len = (int32_t)strlen(zone_id);
	u_charsToUChars(zone_id, uid, len);
	uid[len] = 0;
	/* ucal_open accepts any string and quietly uses GMT for names it does
	 * not know; asking for the canonical id is how an unknown zone shows. */
	ucal_getCanonicalTimeZoneID(uid, len, canon, TZ_ID_MAX + 1, &is_system, &ust);
	if (U_FAILURE(ust) || !is_system)
		return ST_INVALID;
	z = arena_calloc(a, 1, sizeof(*z));
	z->arena = a;
	memcpy(z->id, zone_id, (size_t)len + 1);
	z->cal = ucal_open(uid, len, "", UCAL_GREGORIAN, &ust);
	if (U_FAILURE(ust) || z->cal == NULL)
		return ST_INTERNAL;
	arena_defer(a, close_cal, z->cal);
	*out = z;
	return ST_OK;
}

const char *
tz_id(const struct tz *z)
{
	return z->id;
}

bool
tz_failed(const struct tz *z)
{
	return z->failed;
}

static int32_t
icu_offset(struct tz *z, int64_t t)
{
	UErrorCode ust = U_ZERO_ERROR;
	int32_t zone, dst;

	ucal_setMillis(z->cal, (UDate)t * 1000.0, &ust);
	zone = ucal_get(z->cal, UCAL_ZONE_OFFSET, &ust);
	dst = ucal_get(z->cal, UCAL_DST_OFFSET, &ust);
	if (U_FAILURE(ust)) {
		z->failed = true;
		return 0;
	}
	return (int32_t)tz_floor_div((int64_t)zone + dst, 1000);
}

/* ICU reports transitions where only the zone's name or its raw/DST split
 * changes; skip those, since only the total offset matters here. */
static bool
icu_next_transition(struct tz *z, int64_t t, int64_t *at)
{
	int32_t before = icu_offset(z, t);

	for (int guard = 0; guard < 16 && !z->failed; guard++) {
		UErrorCode ust = U_ZERO_ERROR;
		UDate d = 0;
		UBool found;
		int64_t tt;

		ucal_setMillis(z->cal, (UDate)t * 1000.0, &ust);
		found = ucal_getTimeZoneTransitionDate(z->cal, UCAL_TZ_TRANSITION_NEXT,
		    &d, &ust);
		if (U_FAILURE(ust)) {
			z->failed = true;
			return false;
		}
		if (!found)
			return false;
		tt = tz_floor_div((int64_t)d, 1000);
		if (tt <= t)	/* sub-second transition: step past it */
			tt = t + 1;
		if (icu_offset(z, tt) != before) {
			*at = tt;
			return true;
		}
		t = tt;
	}
	return false;
}

void
tz_preload(struct tz *z, int64_t from, int64_t to)
{
	struct tz_seg *segs;
	size_t n = 0;
	int64_t cur = from, next = 0;

	if (to <= from)
		return;
	bool found;

	segs = arena_alloc(z->arena, SEG_CAP * sizeof(*segs));
	segs[n++] = (struct tz_seg){ from, icu_offset(z, from) };
	while ((found = icu_next_transition(z, cur, &next)) && next < to) {
		if (n == SEG_CAP) {
			to = next;	/* the table ends here; ICU answers beyond */
			break;
		}
		segs[n++] = (struct tz_seg){ next, icu_offset(z, next) };
		cur = next;
	}
	if (z->failed)
		return;
	z->segs = segs;
	z->nsegs = n;
	z->lo = from;
	z->hi = to;
	z->has_beyond = found;
	z->beyond = next;
}

static bool
in_table(const struct tz *z, int64_t t)
{
	return z->segs != NULL && t >= z->lo && t < z->hi;
}

/* The table segment holding t (in_table(z, t) must hold). */
static size_t
seg_index(const struct tz *z, int64_t t)
{
	size_t lo = 0, hi = z->nsegs;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (z->segs[mid].start <= t)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

int
tz_offset_at(struct tz *z, int64_t t)
{
	if (in_table(z, t))
		return z->segs[seg_index(z, t)].off;
	return icu_offset(z, t);
}

bool
tz_next_transition(struct tz *z, int64_t t, int64_t *at)
{
	if (in_table(z, t)) {
		size_t i = seg_index(z, t);

		if (i + 1 < z->nsegs) {
			*at = z->segs[i + 1].start;
			return true;
		}
		/* Nothing more inside the table: the next one is at or past hi,
		 * and preloading already asked ICU which. */
		*at = z->beyond;
		return z->has_beyond;
	}
	return icu_next_transition(z, t, at);
}

int64_t
tz_wall(struct tz *z, int64_t t)
{
	return t + tz_offset_at(z, t);
}

int32_t
tz_local_day(struct tz *z, int64_t t)
{
	return (int32_t)tz_floor_div(tz_wall(z, t), TZ_DAY_S);
}

/* Adds t to the ascending, duplicate-free list c (capacity 4). */
static void
add_candidate(int64_t c[4], int *n, int64_t t)
{
	int i;

	for (i = 0; i < *n; i++) {
		if (c[i] == t)
			return;
		if (c[i] > t)
			break;
	}
	if (*n == 4)
		return;
	memmove(&c[i + 1], &c[i], (size_t)(*n - i) * sizeof(c[0]));
	c[i] = t;
	(*n)++;
}

int
tz_resolve(struct tz *z, int64_t wall, int64_t out[2])
{
	int64_t c[4], t = wall - SEARCH_S, next;
	int n = 0, off = tz_offset_at(z, t);

	/* Every offset in force near the wall time is a candidate; the instant
	 * it names is real only if that offset is the one in force then. */
	for (;;) {
		int64_t cand = wall - off;

		if (tz_offset_at(z, cand) == off)
			add_candidate(c, &n, cand);
		if (!tz_next_transition(z, t, &next) || next >= wall + SEARCH_S)
			break;
		t = next;
		off = tz_offset_at(z, t);
	}
	if (n == 0)
		return 0;
	out[0] = c[0];
	out[1] = c[n - 1];
	return n == 1 ? 1 : 2;
}

int64_t
tz_from_wall(struct tz *z, int64_t wall)
{
	int64_t inst[2], t = wall - SEARCH_S, next;

	if (tz_resolve(z, wall, inst) > 0)
		return inst[0];
	/* A gap: find the jump that skips over wall. */
	while (tz_next_transition(z, t, &next) && next < wall + SEARCH_S) {
		int64_t before = next + tz_offset_at(z, next - 1);
		int64_t after = next + tz_offset_at(z, next);

		if (before <= wall && wall < after)
			return next;
		t = next;
	}
	z->failed = true;	/* a wall time that neither exists nor is skipped */
	return wall - tz_offset_at(z, wall);
}

void
tz_format_rfc3339(struct tz *z, int64_t t, char buf[TZ_RFC3339_SIZE])
{
	int raw = tz_offset_at(z, t);
	bool whole = raw % 60 == 0;
	int off = whole ? raw : 0;
	unsigned a = (unsigned)(off < 0 ? -off : off) / 60;	/* minutes */
	int64_t w = t + off;
	int32_t day = (int32_t)tz_floor_div(w, TZ_DAY_S);
	unsigned sod = (unsigned)(w - (int64_t)day * TZ_DAY_S);
	char *p = put_date(buf, day);

	*p++ = 'T';
	p = put_digits(p, sod / 3600, 2);
	*p++ = ':';
	p = put_digits(p, sod / 60 % 60, 2);
	*p++ = ':';
	p = put_digits(p, sod % 60, 2);
	if (!whole) {
		*p++ = 'Z';
	} else {
		*p++ = off < 0 ? '-' : '+';
		p = put_digits(p, a / 60, 2);
		*p++ = ':';
		p = put_digits(p, a % 60, 2);
	}
	*p = '\0';
}

/* RFC 3339 ------------------------------------------------------------------ */

static bool
digits_n(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static int
month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* "Z" or "±hh:mm" and nothing after: the offset in seconds east of UTC. */
static bool
parse_offset(const char *p, int *off)
{
	int oh, om;

	if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0') {
		*off = 0;
		return true;
	}
	if ((p[0] != '+' && p[0] != '-') || !digits_n(p + 1, 2, &oh) || p[3] != ':' ||
	    !digits_n(p + 4, 2, &om) || p[6] != '\0' || oh > 23 || om > 59)
		return false;
	*off = (p[0] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
	return true;
}

bool
time_parse_rfc3339(const char *s, unsigned flags, int64_t *secs, int32_t *nanos)
{
	int y, mo, d, h, mi, sec = 0, off, ndig = 0;
	int32_t frac = 0;
	int64_t t;
	const char *p;

	if (s == NULL || strnlen(s, 64) >= 64)
		return false;
	if (!digits_n(s, 4, &y) || s[4] != '-' || !digits_n(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits_n(s + 8, 2, &d))
		return false;
	if (s[10] != 'T' && s[10] != 't' && !(s[10] == ' ' && (flags & TIME_RFC3339_SPACE)))
		return false;
	if (!digits_n(s + 11, 2, &h) || s[13] != ':' || !digits_n(s + 14, 2, &mi))
		return false;
	p = s + 16;
	if (*p == ':') {
		if (!digits_n(p + 1, 2, &sec))
			return false;
		p += 3;
		if (*p == '.') {
			for (p++; *p >= '0' && *p <= '9'; p++, ndig++)
				if (ndig < 9)
					frac = frac * 10 + (*p - '0');
			if (ndig == 0 || ndig > 9)
				return false;
			for (int i = ndig; i < 9; i++)
				frac *= 10;
		}
	} else if (!(flags & TIME_RFC3339_MINUTES)) {
		return false;
	}
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 ||
	    mi > 59 || sec > 59 || !parse_offset(p, &off))
		return false;
	t = (int64_t)tz_days_from_civil(y, mo, d) * TZ_DAY_S + h * 3600 + mi * 60 + sec - off;
	/* The offset can move the instant out of the four-digit years
	 * ("9999-12-31T23:59:59-01:00" is in 10000): time_format_utc could
	 * not write it back ("0000-…"), so it is not accepted either. */
	if (t < (int64_t)tz_days_from_civil(1, 1, 1) * TZ_DAY_S ||
	    t >= ((int64_t)tz_days_from_civil(9999, 12, 31) + 1) * TZ_DAY_S)
		return false;
	*secs = t;
	if (nanos != NULL)
		*nanos = frac;
	return true;
}

void
time_format_utc(int64_t t, char buf[TIME_UTC_SIZE])
{
	int64_t day = tz_floor_div(t, TZ_DAY_S), sod = tz_floor_mod(t, TZ_DAY_S);
	int y, m, d;

	tz_civil_from_days((int32_t)day, &y, &m, &d);
	/* The modulos only tell the compiler each field's width. */
	snprintf(buf, TIME_UTC_SIZE, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)y % 10000u,
	    (unsigned)m % 100u, (unsigned)d % 100u, (unsigned)(sod / 3600) % 100u,
	    (unsigned)(sod / 60 % 60), (unsigned)(sod % 60));
}

void
time_format_utc_ms(int64_t t, int ms, char buf[TIME_UTC_MS_SIZE])
{
	char whole[TIME_UTC_SIZE];

	time_format_utc(t, whole);
	snprintf(buf, TIME_UTC_MS_SIZE, "%.19s.%03dZ", whole, (ms < 0 || ms > 999 ? 0 : ms) % 1000);
}
