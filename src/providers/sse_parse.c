/* sse_parse.c — text/event-stream, incrementally, by the WHATWG rules
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation). */
#include "providers/sse_parse.h"

#include <stdlib.h>
#include <string.h>

static const unsigned char bom[3] = { 0xEF, 0xBB, 0xBF };

void
sse_init(struct sse_parser *p, size_t max_line, size_t max_data)
{
	memset(p, 0, sizeof(*p));
	buf_init(&p->line, max_line);
	buf_init(&p->data, max_data);
	p->retry_ms = -1;
}

void
sse_cleanup(struct sse_parser *p)
{
	buf_free(&p->line);
	buf_free(&p->data);
}

bool
sse_pending(const struct sse_parser *p)
{
	return p->line.len > 0 || p->data.len > 0 || p->event[0] != '\0';
}

static void
reset_event(struct sse_parser *p)
{
	buf_reset(&p->data);
	p->event[0] = '\0';
}

static enum status
dispatch(struct sse_parser *p, sse_event_fn fn, void *ud)
{
	struct sse_event ev;
	enum status st;

	/* "If the data buffer is an empty string, set the data buffer and the
	 * event type buffer to the empty string and return." */
	if (p->data.len == 0) {
		reset_event(p);
		return ST_OK;
	}
	/* Every data line appended a LF; the last one is not part of the data. */
	p->data.len--;
	p->data.data[p->data.len] = '\0';
	ev.event = p->event[0] ? p->event : "message";
	ev.data = p->data.data;
	ev.len = p->data.len;
	ev.id = p->id;
	st = fn(ud, &ev);
	reset_event(p);
	return st;
}

static bool
all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static enum status
field(struct sse_parser *p, const char *name, size_t nlen, const char *value, size_t vlen)
{
	enum status st;

	if (nlen == 5 && memcmp(name, "event", 5) == 0) {
		/* Longer names than any provider uses are cut, and so match
		 * nothing the adapters look for. */
		size_t k = vlen < SSE_EVENT_NAME_MAX ? vlen : SSE_EVENT_NAME_MAX;

		memcpy(p->event, value, k);
		p->event[k] = '\0';
	} else if (nlen == 4 && memcmp(name, "data", 4) == 0) {
		if ((st = buf_append(&p->data, value, vlen)) != ST_OK ||
		    (st = buf_append(&p->data, "\n", 1)) != ST_OK)
			return st;
	} else if (nlen == 2 && memcmp(name, "id", 2) == 0) {
		if (memchr(value, '\0', vlen) == NULL && vlen <= SSE_ID_MAX) {
			memcpy(p->id, value, vlen);
			p->id[vlen] = '\0';
		}
	} else if (nlen == 5 && memcmp(name, "retry", 5) == 0) {
		if (all_digits(value, vlen) && vlen <= 9)
			p->retry_ms = strtol(value, NULL, 10);
	}
	/* Any other field is ignored. */
	return ST_OK;
}

static enum status
line_done(struct sse_parser *p, sse_event_fn fn, void *ud)
{
	const char *l = p->line.data ? p->line.data : "";
	size_t n = p->line.len;
	const char *colon;
	enum status st;

	if (n == 0)
		return dispatch(p, fn, ud);
	if (l[0] == ':') {
		p->comments++;
		st = ST_OK;
	} else if ((colon = memchr(l, ':', n)) != NULL) {
		const char *v = colon + 1;
		size_t vlen = n - (size_t)(v - l);

		if (vlen > 0 && *v == ' ') {
			v++;
			vlen--;
		}
		st = field(p, l, (size_t)(colon - l), v, vlen);
	} else {
		st = field(p, l, n, "", 0);
	}
	buf_reset(&p->line);
	return st;
}

enum status
sse_feed(struct sse_parser *p, const char *bytes, size_t n, sse_event_fn fn, void *ud)
{
	size_t i = 0;
	enum status st;

	if (p->failed != ST_OK)
		return p->failed;
	/* A UTF-8 BOM may open the stream, possibly split across chunks. */
	while (!p->started && i < n) {
		if ((unsigned char)bytes[i] == bom[p->bom_seen]) {
			i++;
			if (++p->bom_seen == sizeof(bom))
				p->started = true;
			continue;
		}
		p->started = true;
		/* Not a BOM after all: the bytes matched so far are content. */
		if (p->bom_seen > 0 && (st = buf_append(&p->line, bom, p->bom_seen)) != ST_OK)
			return p->failed = st;
	}
	while (i < n) {
		size_t j;

		if (p->skip_lf) {
			p->skip_lf = false;
			if (bytes[i] == '\n') {
				i++;
				continue;
			}
		}
		for (j = i; j < n && bytes[j] != '\r' && bytes[j] != '\n'; j++)
			;
		if (j > i && (st = buf_append(&p->line, bytes + i, j - i)) != ST_OK)
			return p->failed = st;
		if (j == n)
			break;
		p->skip_lf = bytes[j] == '\r';
		i = j + 1;
		if ((st = line_done(p, fn, ud)) != ST_OK)
			return p->failed = st;
	}
	return ST_OK;
}
