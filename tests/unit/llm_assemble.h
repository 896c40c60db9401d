/* llm_assemble.h — for the adapters' unit tests (which include the
 * adapter's .c): a stream fed to the adapter's on_event in pieces, the
 * text it streamed collected, then finished as llm_remote_call would. */
#ifndef TESTS_LLM_ASSEMBLE_H
#define TESTS_LLM_ASSEMBLE_H

struct texts {
	char buf[4096];
	size_t n;
	size_t calls;
};

static void
on_text_cb(void *ud, const char *d, size_t n)
{
	struct texts *t = ud;

	assert_true(t->n + n < sizeof(t->buf));
	memcpy(t->buf + t->n, d, n);
	t->n += n;
	t->buf[t->n] = '\0';
	t->calls++;
}

/* Feeds s in pieces of `piece` bytes (0: whole), then finishes. */
static enum status
assemble_with(struct arena *a, const char *provider, sse_event_fn on_ev,
    enum status (*fin)(struct llm_asm *, const char *, struct llm_response *), const char *model,
    const char *s, size_t piece, struct llm_response *out, struct texts *t, struct err *e)
{
	struct llm_stream stream = { .on_text = on_text_cb, .ud = t };
	struct llm_asm as;
	size_t n = strlen(s);
	enum status st = ST_OK;

	memset(t, 0, sizeof(*t));
	err_clear(e);
	llm_asm_init(&as, a, provider, &stream, e);
	as.on_event = on_ev;
	if (piece == 0)
		piece = n;
	for (size_t i = 0; i < n && st == ST_OK; i += piece)
		st = llm_asm_feed(&as, s + i, n - i < piece ? n - i : piece);
	if (st == ST_OK)
		st = fin(&as, model, out);
	llm_asm_cleanup(&as);
	return st;
}

#endif
