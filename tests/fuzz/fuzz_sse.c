/* fuzz_sse.c — the SSE parser, fed what a model provider streams. The
 * stream is parsed twice: in one chunk, and cut into chunks at places the
 * first two input bytes choose (one byte at a time included). Chunks may
 * split anywhere, so both must give the same events (name, data with its
 * length, id) and the same final status; each event's data is NUL-
 * terminated at len and its name is never empty. Small caps make the
 * ST_TOO_LARGE paths reachable.
 * SOURCES: src/providers/sse_parse.c src/core/buf.c
 * PKGS:
 */
#include "fuzz.h"

#include "providers/sse_parse.h"

#define MAX_LINE 200
#define MAX_DATA 600

struct log {
	unsigned char *p;
	size_t len, cap;
};

static void
log_put(struct log *l, const void *p, size_t n)
{
	if (l->len + n > l->cap) {
		l->cap = (l->len + n) * 2;
		l->p = realloc(l->p, l->cap);
		FUZZ_CHECK(l->p != NULL);
	}
	memcpy(l->p + l->len, p, n);
	l->len += n;
}

static enum status
on_event(void *ud, const struct sse_event *ev)
{
	struct log *l = ud;
	size_t n;

	FUZZ_CHECK(ev->event != NULL && ev->event[0] != '\0' && ev->data != NULL && ev->id != NULL);
	FUZZ_CHECK(strlen(ev->event) <= SSE_EVENT_NAME_MAX && strlen(ev->id) <= SSE_ID_MAX);
	FUZZ_CHECK(ev->data[ev->len] == '\0' && ev->len <= MAX_DATA);
	n = strlen(ev->event) + 1;
	log_put(l, ev->event, n);
	log_put(l, &ev->len, sizeof(ev->len));
	log_put(l, ev->data, ev->len);
	log_put(l, ev->id, strlen(ev->id) + 1);
	return ST_OK;
}

/* Parses in chunks of 1 + (step … ) bytes; returns the final status. */
static enum status
parse(const uint8_t *d, size_t n, size_t step, unsigned seed, struct log *l, bool *pending)
{
	struct sse_parser p;
	enum status st = ST_OK;
	size_t off = 0;

	sse_init(&p, MAX_LINE, MAX_DATA);
	while (off < n && st == ST_OK) {
		size_t c = step == 0 ? n - off : 1 + (seed = seed * 1103515245u + 12345u) % step;

		if (c > n - off)
			c = n - off;
		st = sse_feed(&p, (const char *)d + off, c, on_event, l);
		off += c;
	}
	*pending = sse_pending(&p);
	sse_cleanup(&p);
	return st;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log whole = { 0 }, cut = { 0 };
	enum status a, b;
	bool pa, pb;

	if (size < 2)
		return 0;
	a = parse(data + 2, size - 2, 0, 0, &whole, &pa);
	b = parse(data + 2, size - 2, data[0] % 8, data[1], &cut, &pb);
	FUZZ_CHECK(a == b);
	FUZZ_CHECK(whole.len == cut.len && (whole.len == 0 || memcmp(whole.p, cut.p, whole.len) == 0));
	if (a == ST_OK)
		FUZZ_CHECK(pa == pb);
	free(whole.p);
	free(cut.p);
	return 0;
}
