/* test_sse_parse.c — the SSE parser against the WHATWG rules, with the
 * input split at every possible byte boundary: what comes out must never
 * depend on how the network chunked it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "providers/sse_parse.h"

#define MAX_EVENTS 32

struct got {
	char event[MAX_EVENTS][SSE_EVENT_NAME_MAX + 1];
	char data[MAX_EVENTS][256];
	size_t len[MAX_EVENTS];
	char id[MAX_EVENTS][SSE_ID_MAX + 1];
	size_t n;
	size_t stop_after;	/* 0: never */
};

static enum status
collect(void *ud, const struct sse_event *ev)
{
	struct got *g = ud;

	assert_true(g->n < MAX_EVENTS);
	snprintf(g->event[g->n], sizeof(g->event[0]), "%s", ev->event);
	assert_true(ev->len < sizeof(g->data[0]));
	memcpy(g->data[g->n], ev->data, ev->len);
	g->data[g->n][ev->len] = '\0';
	g->len[g->n] = ev->len;
	snprintf(g->id[g->n], sizeof(g->id[0]), "%s", ev->id);
	g->n++;
	if (g->stop_after && g->n == g->stop_after)
		return ST_UPSTREAM;
	return ST_OK;
}

/* Parses s in pieces of `piece` bytes (0: all at once). */
static enum status
parse(const char *s, size_t n, size_t piece, struct got *g, struct sse_parser *p)
{
	enum status st = ST_OK;

	memset(g, 0, sizeof(*g));
	sse_init(p, 1024, 1024);
	if (piece == 0)
		piece = n ? n : 1;
	for (size_t i = 0; i < n && st == ST_OK; i += piece)
		st = sse_feed(p, s + i, n - i < piece ? n - i : piece, collect, g);
	return st;
}

/* The same events whatever the chunking, from 1-byte pieces to all. */
static void
check_all_splits(const char *s, size_t n, size_t nevents, const char *const *events,
    const char *const *datas)
{
	for (size_t piece = 0; piece <= n; piece++) {
		struct sse_parser p;
		struct got g;

		assert_int_equal(parse(s, n, piece, &g, &p), ST_OK);
		assert_int_equal(g.n, nevents);
		for (size_t i = 0; i < nevents; i++) {
			assert_string_equal(g.event[i], events[i]);
			assert_string_equal(g.data[i], datas[i]);
		}
		sse_cleanup(&p);
	}
}

static void
test_openai_shape_every_split(void **state)
{
	static const char s[] =
	    "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n"
	    "data: {\"choices\":[{\"delta\":{\"content\":\" there\"}}]}\n\n"
	    "data: [DONE]\n\n";
	static const char *const ev[] = { "message", "message", "message" };
	static const char *const d[] = { "{\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}",
		"{\"choices\":[{\"delta\":{\"content\":\" there\"}}]}", "[DONE]" };

	(void)state;
	check_all_splits(s, sizeof(s) - 1, 3, ev, d);
}

static void
test_crlf_and_cr_line_endings(void **state)
{
	/* CRLF, lone CR and LF all end lines, even when CR and LF arrive in
	 * different chunks (a CR at the end of a chunk must not end the next
	 * line early when the LF follows). */
	static const char s[] = "event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\rdata: 3\n\n";
	static const char *const ev[] = { "a", "b", "message" };
	static const char *const d[] = { "1", "2", "3" };

	(void)state;
	check_all_splits(s, sizeof(s) - 1, 3, ev, d);
}

static void
test_comments_and_keepalives_ignored(void **state)
{
	static const char s[] = ": keep-alive\n\n:ping\ndata: x\n: in the middle\ndata: y\n\n";
	static const char *const ev[] = { "message" };
	static const char *const d[] = { "x\ny" };
	struct sse_parser p;
	struct got g;

	(void)state;
	check_all_splits(s, sizeof(s) - 1, 1, ev, d);
	assert_int_equal(parse(s, sizeof(s) - 1, 0, &g, &p), ST_OK);
	assert_int_equal(p.comments, 3);
	sse_cleanup(&p);
}

static void
test_multi_line_data_joined_with_lf(void **state)
{
	static const char s[] = "data: line one\ndata:line two\ndata:  two spaces\ndata\n\n";
	static const char *const ev[] = { "message" };
	/* One space after the colon is dropped, not two; "data" alone adds an
	 * empty line. */
	static const char *const d[] = { "line one\nline two\n two spaces\n" };

	(void)state;
	check_all_splits(s, sizeof(s) - 1, 1, ev, d);
}

static void
test_event_names_and_anthropic_shape(void **state)
{
	static const char s[] =
	    "event: message_start\ndata: {\"type\":\"message_start\"}\n\n"
	    "event: ping\ndata: {\"type\": \"ping\"}\n\n"
	    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0}\n\n"
	    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
	static const char *const ev[] = { "message_start", "ping", "content_block_delta",
		"message_stop" };
	static const char *const d[] = { "{\"type\":\"message_start\"}", "{\"type\": \"ping\"}",
		"{\"type\":\"content_block_delta\",\"index\":0}", "{\"type\":\"message_stop\"}" };

	(void)state;
	check_all_splits(s, sizeof(s) - 1, 4, ev, d);
}

static void
test_event_without_data_is_not_dispatched(void **state)
{
	/* The name does not leak into the next event either. */
	static const char s[] = "event: lonely\n\ndata: z\n\n";
	static const char *const ev[] = { "message" };
	static const char *const d[] = { "z" };

	(void)state;
	check_all_splits(s, sizeof(s) - 1, 1, ev, d);
}

static void
test_empty_data_line_dispatches_empty_event(void **state)
{
	static const char s[] = "data:\n\n";
	static const char *const ev[] = { "message" };
	static const char *const d[] = { "" };

	(void)state;
	check_all_splits(s, sizeof(s) - 1, 1, ev, d);
}

static void
test_unterminated_event_at_end_is_pending_not_dispatched(void **state)
{
	static const char s[] = "data: complete\n\ndata: cut off mid-";
	struct sse_parser p;
	struct got g;

	(void)state;
	assert_int_equal(parse(s, sizeof(s) - 1, 3, &g, &p), ST_OK);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.data[0], "complete");
	assert_true(sse_pending(&p));
	sse_cleanup(&p);
	assert_int_equal(parse("data: x\n\n", 9, 0, &g, &p), ST_OK);
	assert_false(sse_pending(&p));
	sse_cleanup(&p);
}

static void
test_retry_and_id_fields(void **state)
{
	static const char s[] = "retry: 1500\nid: 7\ndata: a\n\nretry: 15x\nid\ndata: b\n\n";
	struct sse_parser p;
	struct got g;

	(void)state;
	assert_int_equal(parse(s, sizeof(s) - 1, 2, &g, &p), ST_OK);
	assert_int_equal(g.n, 2);
	assert_int_equal(p.retry_ms, 1500);	/* "15x" is not digits: ignored */
	assert_string_equal(g.id[0], "7");
	assert_string_equal(g.id[1], "");	/* a bare "id" resets it */
	sse_cleanup(&p);
}

static void
test_id_with_nul_ignored(void **state)
{
	static const char s[] = "id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n";
	struct sse_parser p;
	struct got g;

	(void)state;
	assert_int_equal(parse(s, sizeof(s) - 1, 0, &g, &p), ST_OK);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.id[1], "1");
	sse_cleanup(&p);
}

static void
test_bom_dropped_even_split(void **state)
{
	static const char s[] = "\xEF\xBB\xBF" "data: after bom\n\n";
	static const char *const ev[] = { "message" };
	static const char *const d[] = { "after bom" };

	(void)state;
	check_all_splits(s, sizeof(s) - 1, 1, ev, d);
}

static void
test_unknown_fields_and_no_colon_lines(void **state)
{
	static const char s[] = "foo: bar\njustsometext\ndata: kept\nDATA: not data\n\n";
	static const char *const ev[] = { "message" };
	static const char *const d[] = { "kept" };

	(void)state;
	check_all_splits(s, sizeof(s) - 1, 1, ev, d);
}

static void
test_huge_line_capped(void **state)
{
	/* A line longer than the cap fails the stream instead of growing the
	 * buffer, and stays failed. */
	char *s = malloc(4096);
	struct sse_parser p;
	struct got g;

	(void)state;
	memset(s, 'x', 4096);
	memcpy(s, "data: ", 6);
	assert_int_equal(parse(s, 4096, 100, &g, &p), ST_TOO_LARGE);
	assert_true(p.line.len <= 1024);
	assert_int_equal(sse_feed(&p, "\n\n", 2, collect, &g), ST_TOO_LARGE);
	assert_int_equal(g.n, 0);
	sse_cleanup(&p);
	free(s);
}

static void
test_huge_event_capped(void **state)
{
	/* Many short data lines add up: the event's data has its own cap. */
	struct sse_parser p;
	struct got g;
	enum status st = ST_OK;

	(void)state;
	memset(&g, 0, sizeof(g));
	sse_init(&p, 1024, 1024);
	for (int i = 0; i < 200 && st == ST_OK; i++)
		st = sse_feed(&p, "data: 0123456789\n", 17, collect, &g);
	assert_int_equal(st, ST_TOO_LARGE);
	assert_int_equal(g.n, 0);
	sse_cleanup(&p);
}

static void
test_callback_failure_stops_the_stream(void **state)
{
	static const char s[] = "data: 1\n\ndata: 2\n\ndata: 3\n\n";
	struct sse_parser p;
	struct got g;

	(void)state;
	memset(&g, 0, sizeof(g));
	g.stop_after = 2;
	sse_init(&p, 1024, 1024);
	assert_int_equal(sse_feed(&p, s, sizeof(s) - 1, collect, &g), ST_UPSTREAM);
	assert_int_equal(g.n, 2);
	assert_int_equal(sse_feed(&p, "data: 4\n\n", 9, collect, &g), ST_UPSTREAM);
	assert_int_equal(g.n, 2);
	sse_cleanup(&p);
}

static void
test_utf8_split_inside_a_character(void **state)
{
	/* "é" and "€" split between chunks come out whole. */
	static const char s[] = "data: caf\xC3\xA9 5\xE2\x82\xAC\n\n";
	static const char *const ev[] = { "message" };
	static const char *const d[] = { "caf\xC3\xA9 5\xE2\x82\xAC" };

	(void)state;
	check_all_splits(s, sizeof(s) - 1, 1, ev, d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openai_shape_every_split),
		cmocka_unit_test(test_crlf_and_cr_line_endings),
		cmocka_unit_test(test_comments_and_keepalives_ignored),
		cmocka_unit_test(test_multi_line_data_joined_with_lf),
		cmocka_unit_test(test_event_names_and_anthropic_shape),
		cmocka_unit_test(test_event_without_data_is_not_dispatched),
		cmocka_unit_test(test_empty_data_line_dispatches_empty_event),
		cmocka_unit_test(test_unterminated_event_at_end_is_pending_not_dispatched),
		cmocka_unit_test(test_retry_and_id_fields),
		cmocka_unit_test(test_id_with_nul_ignored),
		cmocka_unit_test(test_bom_dropped_even_split),
		cmocka_unit_test(test_unknown_fields_and_no_colon_lines),
		cmocka_unit_test(test_huge_line_capped),
		cmocka_unit_test(test_huge_event_capped),
		cmocka_unit_test(test_callback_failure_stops_the_stream),
		cmocka_unit_test(test_utf8_split_inside_a_character),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
