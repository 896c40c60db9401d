/* sse_parse.h — an incremental parser for text/event-stream (Server-Sent
 * Events), as the model providers stream their replies.
 *
 * Pure: bytes in, events out through a callback; no I/O, no allocation
 * beyond its two capped buffers. Chunks may split anywhere (inside a line,
 * between CR and LF, inside a UTF-8 sequence). Follows the WHATWG HTML
 * "Server-sent events" parsing rules (§9.2.6, "Interpreting an event
 * stream", https://html.spec.whatwg.org/multipage/server-sent-events.html):
 * lines end with CRLF, LF or CR; a leading BOM is dropped; lines starting
 * with ':' are comments; "field: value" loses one space after the colon;
 * data lines join with LF; a blank line dispatches; an event with no data
 * is not dispatched; an unterminated event at end of stream is dropped;
 * "retry" takes ASCII digits only; "id" containing NUL is ignored. */
#ifndef PROVIDERS_SSE_PARSE_H
#define PROVIDERS_SSE_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/status.h"

#define SSE_EVENT_NAME_MAX 64
#define SSE_ID_MAX 256

struct sse_event {
	const char *event;	/* "message" when the stream named none */
	const char *data;	/* NUL-terminated; may contain NULs before len */
	size_t len;
	const char *id;		/* last event id seen so far ("" if none) */
};

/* Returns ST_OK to go on; anything else stops sse_feed, which returns it. */
typedef enum status (*sse_event_fn)(void *ud, const struct sse_event *ev);

struct sse_parser {
	struct buf line;	/* the line being read */
	struct buf data;	/* data of the event being built */
	char event[SSE_EVENT_NAME_MAX + 1];
	char id[SSE_ID_MAX + 1];
	long retry_ms;		/* -1 until the stream sets it */
	size_t bom_seen;	/* bytes of a leading BOM matched so far */
	bool started;		/* past the point where a BOM may appear */
	bool skip_lf;		/* the last line ended with CR: a following LF is part of it */
	bool has_data;		/* a data field was seen for this event */
	size_t comments;	/* comment lines seen (keep-alives), for tests */
	enum status failed;	/* sticky: once failed, every feed returns it */
};

/* max_line caps one line, max_data one event's data: a stream that passes
 * either fails with ST_TOO_LARGE instead of growing without limit. */
void sse_init(struct sse_parser *p, size_t max_line, size_t max_data);
void sse_cleanup(struct sse_parser *p);

/* Parses n more bytes, calling fn for each complete event. Returns ST_OK,
 * ST_TOO_LARGE (a cap was passed), or fn's first non-OK status. */
enum status sse_feed(struct sse_parser *p, const char *bytes, size_t n, sse_event_fn fn,
    void *ud) MUST_USE;

/* True when bytes are buffered that no blank line has completed yet (a
 * stream that ends here was cut off mid-event). */
bool sse_pending(const struct sse_parser *p);

#endif
