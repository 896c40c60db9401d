/* calendar_common.c — what every calendar adapter shares: RFC 3339 times,
 * range arithmetic (merge, clip, complement, subtract), the per-call
 * timeout budget, one JSON request helper, and the adapter table. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/time.h"
#include "providers/calendar_provider.h"

const struct calendar_provider *
calendar_provider_find(const char *name)
{
	static const struct calendar_provider *const all[] = {
		&calendar_internal_provider, &calendar_google_provider, &calendar_calcom_provider,
	};

	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}

/* Times ------------------------------------------------------------------------- */

char *
calendar_time_format(struct arena *a, int64_t t)
{
	char buf[TIME_UTC_SIZE];

	time_format_utc(t, buf);
	return arena_strdup(a, buf);
}

char *
calendar_time_format_ms(struct arena *a, int64_t t)
{
	char buf[TIME_UTC_MS_SIZE];

	time_format_utc_ms(t, 0, buf);
	return arena_strdup(a, buf);
}

bool
calendar_time_parse(const char *s, int64_t *out)
{
	return time_parse_rfc3339(s, TIME_RFC3339_SPACE, out, NULL);
}

/* Ranges -------------------------------------------------------------------------- */

static int
cmp_range(const void *x, const void *y)
{
	const struct calendar_range *a = x, *b = y;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return (a->end > b->end) - (a->end < b->end);
}

void
calendar_ranges_normalize(struct calendar_ranges *r)
{
	size_t n = 0;

	if (r->n == 0)
		return;
	qsort(r->v, r->n, sizeof(r->v[0]), cmp_range);
	for (size_t i = 0; i < r->n; i++) {
		if (r->v[i].end <= r->v[i].start)
			continue;
		if (n > 0 && r->v[i].start <= r->v[n - 1].end) {
			if (r->v[i].end > r->v[n - 1].end)
				r->v[n - 1].end = r->v[i].end;
		} else {
			r->v[n++] = r->v[i];
		}
	}
	r->n = n;
}

void
calendar_ranges_clip(struct calendar_ranges *r, int64_t from, int64_t to)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++) {
		struct calendar_range x = r->v[i];

		if (x.start < from)
			x.start = from;
		if (x.end > to)
			x.end = to;
		if (x.end > x.start)
			r->v[n++] = x;
	}
	r->n = n;
}

void
calendar_ranges_push(struct arena *a, struct calendar_ranges *r, size_t *cap, int64_t start,
    int64_t end)
{
	if (r->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct calendar_range *nv = arena_alloc(a, nc * sizeof(*nv));

		if (r->n)
			memcpy(nv, r->v, r->n * sizeof(*nv));
		r->v = nv;
		*cap = nc;
	}
	r->v[r->n].start = start;
	r->v[r->n].end = end;
	r->n++;
}

static void
copy_ranges(struct arena *a, const struct calendar_ranges *in, struct calendar_ranges *out)
{
	out->n = in->n;
	out->v = arena_alloc(a, (in->n ? in->n : 1) * sizeof(*out->v));
	if (in->n)
		memcpy(out->v, in->v, in->n * sizeof(*out->v));
}

void
calendar_ranges_complement(struct arena *a, const struct calendar_ranges *free_r, int64_t from,
    int64_t to, struct calendar_ranges *out)
{
	struct calendar_ranges f;
	size_t cap = 0;
	int64_t at = from;

	copy_ranges(a, free_r, &f);
	calendar_ranges_normalize(&f);
	calendar_ranges_clip(&f, from, to);
	out->v = NULL;
	out->n = 0;
	for (size_t i = 0; i < f.n; i++) {
		if (f.v[i].start > at)
			calendar_ranges_push(a, out, &cap, at, f.v[i].start);
		if (f.v[i].end > at)
			at = f.v[i].end;
	}
	if (at < to)
		calendar_ranges_push(a, out, &cap, at, to);
}

void
calendar_ranges_subtract(struct arena *a, const struct calendar_ranges *r,
    const struct calendar_ranges *cut, struct calendar_ranges *out)
{
	struct calendar_ranges x, c;
	size_t cap = 0, j = 0;

	copy_ranges(a, r, &x);
	copy_ranges(a, cut, &c);
	calendar_ranges_normalize(&x);
	calendar_ranges_normalize(&c);
	out->v = NULL;
	out->n = 0;
	for (size_t i = 0; i < x.n; i++) {
		int64_t s = x.v[i].start, e = x.v[i].end;

		while (j < c.n && c.v[j].end <= s)
			j++;
		for (size_t k = j; k < c.n && c.v[k].start < e; k++) {
			if (c.v[k].start > s)
				calendar_ranges_push(a, out, &cap, s, c.v[k].start);
			if (c.v[k].end > s)
				s = c.v[k].end;
		}
		if (s < e)
			calendar_ranges_push(a, out, &cap, s, e);
	}
}

/* Calls --------------------------------------------------------------------------- */

int64_t
calendar_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long
calendar_call_timeout_ms(const struct calendar_call *call)
{
	long t = call->cfg->calendar_timeout_ms > 0 ? call->cfg->calendar_timeout_ms
	    : HTTP_CLIENT_TIMEOUT_MS;

	if (call->deadline_ms > 0) {
		int64_t left = call->deadline_ms - calendar_now_ms();

		if (left < t)
			t = left < 100 ? 100 : (long)left;
	}
	return t;
}

enum status
calendar_http_json(struct calendar_call *call, const char *method, const char *url,
    const char *const *extra_headers, json_t *body, struct http_client_response *out)
{
	struct http_client_request req = { .method = method, .url = url };
	char *text = NULL;

	req.connect_timeout_ms = call->cfg->calendar_connect_timeout_ms;
	req.timeout_ms = calendar_call_timeout_ms(call);
	http_client_header(call->arena, &req, "accept", "application/json");
	if (body != NULL) {
		text = json_dumps(body, JSON_COMPACT);
		if (text == NULL)
			return err_set(call->err, ST_INTERNAL, "cannot encode a provider request");
		arena_defer(call->arena, free, text);
		req.body = text;
		req.body_len = strlen(text);
		http_client_header(call->arena, &req, "content-type", "application/json");
	}
	for (size_t i = 0; extra_headers != NULL && extra_headers[i] != NULL; i++) {
		for (size_t k = 0; k < HTTP_CLIENT_MAX_HEADERS; k++) {
			if (req.headers[k] == NULL) {
				req.headers[k] = extra_headers[i];
				req.headers[k + 1] = NULL;
				break;
			}
		}
	}
	call->requests++;
	return http_client_do(call->arena, &req, out, call->err);
}

const char *
calendar_http_error(struct arena *a, const struct http_client_response *res)
{
	json_t *e = res->json ? json_object_get(res->json, "error") : NULL;
	const char *msg = NULL;

	/* Google: {"error": {"code", "message"}} or, from the token endpoint,
	 * {"error": "invalid_grant", "error_description"}; Cal.com:
	 * {"status": "error", "error": {"code", "message"}}. */
	if (json_is_object(e))
		msg = json_string_value(json_object_get(e, "message"));
	else if (json_is_string(e))
		msg = json_string_value(e);
	if (msg == NULL && res->json)
		msg = json_string_value(json_object_get(res->json, "message"));
	if (msg == NULL)
		return arena_printf(a, "HTTP %ld", res->status);
	return arena_printf(a, "HTTP %ld: %.200s", res->status, msg);
}
