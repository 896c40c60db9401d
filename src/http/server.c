/* server.c — the only file that speaks h2o.
 *
 * Each event-loop thread owns an h2o context and a listener. A request is
 * copied into a job (our struct request, in the job's arena) and queued on
 * the worker pool; the worker runs the handler and posts the job back to its
 * loop through an h2o multithread queue, where the response is sent. The
 * loop thread never blocks. If the client disconnects first, the request's
 * pool disposer marks the job cancelled and the finished job is dropped.
 * A streaming handler takes its worker thread out of the pool for the rest
 * of the request (workers_detach), up to STREAMS_MAX at once. */
#define H2O_USE_LIBUV 0
#include <h2o.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "core/buf.h"
#include "core/log.h"
#include "http/dispatch.h"
#include "http/metrics.h"
#include "http/server.h"
#include "http/workers.h"

struct loop;

struct job_ref {
	struct http_job *job;
};

/* A message from a worker to its loop. Both kinds of a job go through one
 * receiver so they arrive in the order they were sent: every chunk of a
 * stream before the end of its handler. */
enum job_msg_kind { JOB_DONE, JOB_STREAM };

struct job_msg {
	h2o_multithread_message_t super;
	struct http_job *job;
	enum job_msg_kind kind;
};

/* The channel between a streaming handler (worker thread) and the loop.
 * Guarded by mu; `pending` is capped so a slow client slows the handler
 * down instead of growing memory. */
#define STREAM_PENDING_MAX (256 * 1024)

struct http_stream {
	pthread_mutex_t mu;
	pthread_cond_t drained;
	struct buf pending;
	bool started;		/* the handler called http_stream_start */
	bool admitted;		/* its thread has left the pool (http_stream_admit) */
	bool posted;		/* a JOB_STREAM message is on its way */
	/* Loop-thread only: */
	bool response_started;
	bool sending;		/* waiting for h2o's proceed */
	bool handler_done;
};

struct stream_generator {
	h2o_generator_t super;
	struct http_job *job;	/* NULL once the job is gone */
};

struct http_job {
	struct work_item work;		/* must stay first */
	struct job_msg msg;
	struct job_msg stream_msg;
	struct http_stream stream;
	struct stream_generator *gen;	/* in the request's pool */
	h2o_linklist_t inflight;	/* loop thread only */
	struct loop *loop;
	h2o_req_t *req;			/* loop thread only; NULL once the client is gone */
	struct job_ref *ref;
	atomic_bool cancelled;
	uint64_t start_us;
	struct arena arena;
	struct request r;
	struct response w;
};

struct loop {
	pthread_t tid;
	struct server *srv;
	h2o_evloop_t *evloop;
	h2o_context_t ctx;
	h2o_accept_ctx_t accept_ctx;
	int listen_fd;
	h2o_socket_t *listener;
	h2o_multithread_receiver_t done_rx;
	h2o_multithread_receiver_t stop_rx;
	h2o_multithread_message_t stop_msg;
	size_t inflight;		/* loop thread only */
	h2o_linklist_t jobs;		/* in flight, loop thread only */
	bool stopping;			/* loop thread only */
	bool forced;			/* the grace period ran out */
	uint64_t last_activity_us;	/* loop thread only */
};

struct server {
	struct app *app;
	h2o_globalconf_t globalconf;
	h2o_hostconf_t *hostconf;
	struct loop *loops;
	size_t nloops;
	struct workers *workers;
	atomic_bool stopping;
	pthread_barrier_t ready;
};

/* Set at SIGTERM/SIGINT, for handlers that stream until told to stop. */
static atomic_bool shutting_down;

bool
http_shutting_down(void)
{
	return atomic_load(&shutting_down);
}

/* Our output filter, with a way back to the server for logs and metrics. */
struct json_error_filter {
	h2o_filter_t super;
	struct server *srv;
};

static struct workers *current_workers;

size_t
http_body_hard_cap(int max_body_bytes)
{
	size_t cap = (size_t)max_body_bytes * 4;

	return cap > 16u << 20 ? cap : 16u << 20;
}

struct workers *
http_server_workers(void)
{
	return current_workers;
}

/* ---- h2o-generated errors carry our error body too ---------------------
 * h2o answers some failures itself (413 for a body over the limit, 400 for
 * a malformed body) with text/plain. This output filter swaps such a body
 * for the JSON error shape, so clients see one format for every failure. */

struct json_error_ostream {
	h2o_ostream_t super;
	h2o_iovec_t body;
	bool sent;
};

static void
json_error_do_send(h2o_ostream_t *_self, h2o_req_t *req, h2o_iovec_t *bufs,
    size_t bufcnt, h2o_send_state_t state)
{
	struct json_error_ostream *self = (void *)_self;

	(void)bufs;
	(void)bufcnt;
	if (!self->sent) {
		self->sent = true;
		h2o_ostream_send_next(&self->super, req, &self->body, 1, state);
	} else {
		h2o_ostream_send_next(&self->super, req, NULL, 0, state);
	}
}

static enum status
status_for_http(int code)
{
	switch (code) {
	case 400: return ST_INVALID;
	case 404: return ST_NOTFOUND;
	case 405: return ST_METHOD;
	case 413: return ST_TOO_LARGE;
	case 503: return ST_UNAVAILABLE;
	case 504: return ST_TIMEOUT;
	default: return code >= 500 ? ST_INTERNAL : ST_INVALID;
	}
}

/* The client's X-Request-ID when it is acceptable, else a fresh one. */
static void
request_id_of(h2o_req_t *req, char rid[REQUEST_ID_MAX + 1])
{
	for (size_t i = 0; i < req->headers.size; i++) {
		h2o_header_t *h = &req->headers.entries[i];

		if (h2o_lcstris(h->name->base, h->name->len, H2O_STRLIT("x-request-id")) &&
		    id_request_id_ok(h->value.base, h->value.len)) {
			memcpy(rid, h->value.base, h->value.len);
			rid[h->value.len] = '\0';
			return;
		}
	}
	id_request_id(rid);
}

static void
json_error_setup(h2o_filter_t *_self, h2o_req_t *req, h2o_ostream_t **slot)
{
	struct json_error_filter *self = (void *)_self;
	ssize_t ct;
	struct json_error_ostream *os;
	char rid[REQUEST_ID_MAX + 1];
	char *body;
	int n;
	enum status st;

	ct = h2o_find_header(&req->res.headers, H2O_TOKEN_CONTENT_TYPE, -1);
	if (req->res.status < 400 || (ct != -1 &&
	    h2o_memis(req->res.headers.entries[ct].value.base, 16, H2O_STRLIT("application/json"))))
		goto next;

	request_id_of(req, rid);
	st = status_for_http(req->res.status);
	/* These never reached a handler: log and count them here. */
	metrics_record(self->srv->app->metrics, ROUTER_MAX_ROUTES, req->res.status, 0);
	log_emit(req->res.status >= 500 ? LOG_ERROR : LOG_INFO, "request",
	    json_pack("{s:s, s:s, s:s%, s:s%, s:i}", "request_id", rid, "route", "h2o",
	    "method", req->method.base ? req->method.base : "", req->method.len,
	    "path", req->path.base ? req->path.base : "",
	    req->query_at != SIZE_MAX ? req->query_at : req->path.len,
	    "status", req->res.status));
	body = h2o_mem_alloc_pool(&req->pool, 512);
	n = snprintf(body, 512, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\","
	    "\"request_id\":\"%s\",\"details\":[]}}", status_code(st),
	    status_default_message(st), rid);
	req->res.content_length = (size_t)n;
	if (ct != -1)
		h2o_delete_header(&req->res.headers, ct);
	h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
	    H2O_STRLIT("application/json; charset=utf-8"));
	h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-request-id"), 0, NULL,
	    h2o_strdup(&req->pool, rid, SIZE_MAX).base, strlen(rid));
	os = (void *)h2o_add_ostream(req, sizeof(*os), slot);
	os->super.do_send = json_error_do_send;
	os->body = h2o_iovec_init(body, (size_t)n);
	os->sent = false;
	slot = &os->super.next;
next:
	h2o_setup_next_ostream(req, slot);
}

/* ---- request → job -------------------------------------------------- */

static void
on_req_dispose(void *p)
{
	struct job_ref *ref = p;

	if (ref->job != NULL) {
		ref->job->req = NULL;
		atomic_store(&ref->job->cancelled, true);
	}
}

static char *
lower_dup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_strndup(a, s, n);

	for (size_t i = 0; i < n; i++)
		if (p[i] >= 'A' && p[i] <= 'Z')
			p[i] = (char)(p[i] - 'A' + 'a');
	return p;
}

static void
copy_request(struct http_job *job, h2o_req_t *req)
{
	struct request *r = &job->r;
	struct arena *a = &job->arena;
	struct http_header *hs;
	size_t plen = req->path.len, hlen;
	const char *rid = NULL;
	size_t rid_len = 0;
	struct sockaddr_storage ss;
	socklen_t sl;
	char *host;

	r->arena = a;
	r->app = job->loop->srv->app;
	r->cancelled = &job->cancelled;
	r->method_name = arena_strndup(a, req->method.base, req->method.len);
	r->method = http_method_parse(req->method.base, req->method.len);
	if (req->query_at != SIZE_MAX) {
		plen = req->query_at;
		r->query = arena_strndup(a, req->path.base + req->query_at + 1,
		    req->path.len - req->query_at - 1);
	}
	r->path = arena_strndup(a, req->path.base, plen);

	host = lower_dup(a, req->authority.base, req->authority.len);
	/* Drop the port; keep bracketed IPv6 literals whole. */
	hlen = strlen(host);
	for (size_t i = hlen; i > 0; i--) {
		if (host[i - 1] == ']')
			break;
		if (host[i - 1] == ':') {
			host[i - 1] = '\0';
			break;
		}
	}
	r->host = host;

	hs = arena_calloc(a, req->headers.size ? req->headers.size : 1, sizeof(*hs));
	for (size_t i = 0; i < req->headers.size; i++) {
		h2o_header_t *h = &req->headers.entries[i];

		hs[i].name = lower_dup(a, h->name->base, h->name->len);
		hs[i].value = arena_strndup(a, h->value.base, h->value.len);
		hs[i].value_len = h->value.len;
		if (strcmp(hs[i].name, "x-request-id") == 0) {
			rid = hs[i].value;
			rid_len = hs[i].value_len;
		}
	}
	r->headers = hs;
	r->nheaders = req->headers.size;
	if (req->entity.base != NULL) {
		r->body = arena_strndup(a, req->entity.base, req->entity.len);
		r->body_len = req->entity.len;
	} else {
		r->body = "";
	}

	if (rid != NULL && id_request_id_ok(rid, rid_len))
		memcpy(r->request_id, rid, rid_len + 1);
	else
		id_request_id(r->request_id);

	sl = sizeof(ss);
	r->remote_addr = "";
	if (req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss) > 0) {
		char ip[INET6_ADDRSTRLEN] = "";

		if (ss.ss_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, ip, sizeof(ip));
		else if (ss.ss_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, ip, sizeof(ip));
		r->remote_addr = arena_strdup(a, ip);
	}
	(void)sl;
	/* Behind a trusted reverse proxy the client is in X-Forwarded-For;
	 * from anyone else the header is the client's own claim. */
	r->remote_addr = http_client_addr(a, r->remote_addr, r->app->cfg.trusted,
	    r->app->cfg.ntrusted, r->headers, r->nheaders);

	ctx_init(&r->ctx, ACTOR_PUBLIC, a, &r->err, r->app->db, &r->app->cfg);
	r->ctx.metrics = r->app->metrics;
	r->ctx.request_id = r->request_id;
	r->ctx.cancelled = r->cancelled;
}

static void
job_free(struct http_job *job)
{
	if (job->gen != NULL)
		job->gen->job = NULL;
	pthread_mutex_destroy(&job->stream.mu);
	pthread_cond_destroy(&job->stream.drained);
	buf_free(&job->stream.pending);
	arena_free(&job->arena);
	free(job);
}

/* Ends a job on its loop: it no longer counts as in flight. */
static void
job_retire(struct loop *loop, struct http_job *job)
{
	h2o_linklist_unlink(&job->inflight);
	job_free(job);
	loop->inflight--;
	loop->last_activity_us = http_now_us();
}

static void
send_response(struct loop *loop, h2o_req_t *req, struct request *r, struct response *w)
{
	static const char *reasons[] = { [200] = "OK", [201] = "Created",
		[204] = "No Content", [304] = "Not Modified", [400] = "Bad Request",
		[401] = "Unauthorized", [403] = "Forbidden", [404] = "Not Found",
		[405] = "Method Not Allowed", [409] = "Conflict",
		[413] = "Payload Too Large", [415] = "Unsupported Media Type",
		[422] = "Unprocessable Entity", [429] = "Too Many Requests",
		[500] = "Internal Server Error", [502] = "Bad Gateway",
		[503] = "Service Unavailable", [504] = "Gateway Timeout" };
	const char *reason = NULL;

	if (w->status >= 0 && (size_t)w->status < sizeof(reasons) / sizeof(reasons[0]))
		reason = reasons[w->status];
	req->res.status = w->status;
	req->res.reason = reason ? reason : "Status";
	if (w->content_type != NULL)
		h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
		    w->content_type, strlen(w->content_type));
	h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-request-id"), 0, NULL,
	    h2o_strdup(&req->pool, r->request_id, SIZE_MAX).base, strlen(r->request_id));
	h2o_add_header_by_str(&req->pool, &req->res.headers,
	    H2O_STRLIT("x-content-type-options"), 0, NULL, H2O_STRLIT("nosniff"));
	for (size_t i = 0; i < w->nheaders; i++) {
		h2o_iovec_t v = h2o_strdup(&req->pool, w->headers[i].value, SIZE_MAX);

		h2o_add_header_by_str(&req->pool, &req->res.headers, w->headers[i].name,
		    strlen(w->headers[i].name), 1, NULL, v.base, v.len);
	}
	req->res.content_length = w->body_len;
	/* While draining, ask HTTP/1 clients to move off this connection. */
	if (loop->stopping)
		req->http1_is_persistent = 0;
	h2o_send_inline(req, w->body ? w->body : "", w->body_len);
}

/* ---- streaming ----------------------------------------------------------- */

static void stream_pump(struct http_job *job);

static void
on_stream_proceed(h2o_generator_t *g, h2o_req_t *req)
{
	struct stream_generator *gen = (void *)g;

	(void)req;
	if (gen->job != NULL) {
		gen->job->stream.sending = false;
		stream_pump(gen->job);
	}
}

static void
on_stream_stop(h2o_generator_t *g, h2o_req_t *req)
{
	struct stream_generator *gen = (void *)g;

	(void)req;
	if (gen->job != NULL)	/* the client is gone: the handler should stop */
		atomic_store(&gen->job->cancelled, true);
}

static void
stream_start_response(struct http_job *job)
{
	h2o_req_t *req = job->req;
	struct response *w = &job->w;

	req->res.status = w->status;
	req->res.reason = "OK";
	if (w->content_type != NULL)
		h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
		    w->content_type, strlen(w->content_type));
	h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-request-id"), 0, NULL,
	    h2o_strdup(&req->pool, job->r.request_id, SIZE_MAX).base, strlen(job->r.request_id));
	h2o_add_header_by_str(&req->pool, &req->res.headers,
	    H2O_STRLIT("x-content-type-options"), 0, NULL, H2O_STRLIT("nosniff"));
	/* Proxies must not buffer an event stream. */
	h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("cache-control"), 0,
	    NULL, H2O_STRLIT("no-store"));
	h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-accel-buffering"), 0,
	    NULL, H2O_STRLIT("no"));
	for (size_t i = 0; i < w->nheaders; i++) {
		h2o_iovec_t v = h2o_strdup(&req->pool, w->headers[i].value, SIZE_MAX);

		h2o_add_header_by_str(&req->pool, &req->res.headers, w->headers[i].name,
		    strlen(w->headers[i].name), 1, NULL, v.base, v.len);
	}
	job->gen = h2o_mem_alloc_pool(&req->pool, sizeof(*job->gen));
	job->gen->super.proceed = on_stream_proceed;
	job->gen->super.stop = on_stream_stop;
	job->gen->job = job;
	h2o_start_response(req, &job->gen->super);
	job->stream.response_started = true;
}

/* Sends what the handler wrote since the last send, at most one send in
 * flight (h2o's rule); the last send carries FINAL once the handler is
 * done, and then the job is retired. Loop thread only. */
static void
stream_pump(struct http_job *job)
{
	struct http_stream *s = &job->stream;
	struct loop *loop = job->loop;
	h2o_iovec_t chunk = { NULL, 0 };
	bool final;

	if (job->req == NULL || s->sending)
		return;
	if (!s->response_started)
		stream_start_response(job);
	pthread_mutex_lock(&s->mu);
	if (s->pending.len > 0) {
		/* Copied into the request's pool: h2o reads it until proceed. */
		chunk = h2o_strdup(&job->req->pool, s->pending.data, s->pending.len);
		buf_reset(&s->pending);
		pthread_cond_broadcast(&s->drained);
	}
	pthread_mutex_unlock(&s->mu);
	final = s->handler_done;
	if (chunk.len == 0 && !final)
		return;
	s->sending = !final;
	h2o_send(job->req, chunk.len ? &chunk : NULL, chunk.len ? 1 : 0,
	    final ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS);
	if (final) {
		job->ref->job = NULL;
		job_retire(loop, job);
	}
}

static bool
stream_started(struct http_job *job)
{
	bool started;

	pthread_mutex_lock(&job->stream.mu);
	started = job->stream.started;
	job->stream.posted = false;
	pthread_mutex_unlock(&job->stream.mu);
	return started;
}

static void
on_jobs_done(h2o_multithread_receiver_t *rx, h2o_linklist_t *messages)
{
	struct loop *loop = H2O_STRUCT_FROM_MEMBER(struct loop, done_rx, rx);

	while (!h2o_linklist_is_empty(messages)) {
		h2o_multithread_message_t *m = H2O_STRUCT_FROM_MEMBER(h2o_multithread_message_t,
		    link, messages->next);
		struct job_msg *jm = (struct job_msg *)m;
		struct http_job *job = jm->job;

		h2o_linklist_unlink(&m->link);
		if (jm->kind == JOB_STREAM) {
			if (stream_started(job))
				stream_pump(job);
			continue;
		}
		if (job->req != NULL && job->stream.response_started) {
			job->stream.handler_done = true;
			stream_pump(job);	/* retires the job after FINAL */
			continue;
		}
		if (job->req != NULL) {
			job->ref->job = NULL;
			send_response(loop, job->req, &job->r, &job->w);
		}
		job_retire(loop, job);
	}
}

/* Worker side. */
static void
stream_post(struct http_job *job)
{
	/* Caller holds job->stream.mu. */
	if (!job->stream.posted) {
		job->stream.posted = true;
		h2o_multithread_send_message(&job->loop->done_rx, &job->stream_msg.super);
	}
}

enum status
http_stream_start(struct request *r, struct response *w, int status, const char *content_type)
{
	struct http_job *job = r->stream;

	if (job == NULL)
		return err_set(&r->err, ST_INTERNAL, "Streaming is not available here.");
	if (!job->stream.admitted && http_stream_admit(r) != ST_OK)
		return ST_UNAVAILABLE;
	w->status = status;
	w->content_type = content_type;
	pthread_mutex_lock(&job->stream.mu);
	job->stream.started = true;
	stream_post(job);
	pthread_mutex_unlock(&job->stream.mu);
	return ST_OK;
}

enum status
http_stream_admit(struct request *r)
{
	struct http_job *job = r->stream;

	if (job == NULL)
		return err_set(&r->err, ST_INTERNAL, "Streaming is not available here.");
	if (job->stream.admitted)
		return ST_OK;
	/* A stream holds its thread for the whole turn, mostly waiting on a
	 * model provider: the thread leaves the pool, which starts another, so
	 * open streams never starve ordinary requests. Refused before any
	 * byte is sent, the route still answers with an error body. */
	if (workers_detach(job->loop->srv->workers) == WORKERS_FULL) {
		r->err.retry_after = 1;
		return err_set(&r->err, ST_UNAVAILABLE, "Too many open streams; retry shortly.");
	}
	job->stream.admitted = true;
	return ST_OK;
}

/* Queues n bytes for the loop to send. While the client is far behind,
 * waits for it to catch up, or (wait false) answers ST_CONFLICT at once. */
static enum status
stream_write(struct request *r, const void *p, size_t n, bool wait)
{
	struct http_job *job = r->stream;
	struct http_stream *s;
	enum status st = ST_OK;

	if (job == NULL || !job->stream.started)
		return err_set(&r->err, ST_INTERNAL, "The stream was not started.");
	s = &job->stream;
	pthread_mutex_lock(&s->mu);
	if (!wait && s->pending.len + n > STREAM_PENDING_MAX) {
		pthread_mutex_unlock(&s->mu);
		return ST_CONFLICT;
	}
	while (s->pending.len + n > STREAM_PENDING_MAX && !atomic_load(&job->cancelled)) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&s->drained, &s->mu, &ts);
	}
	if (atomic_load(&job->cancelled))
		st = ST_UNAVAILABLE;
	else if (buf_append(&s->pending, p, n) != ST_OK)
		st = ST_TOO_LARGE;
	else
		stream_post(job);
	pthread_mutex_unlock(&s->mu);
	if (st == ST_UNAVAILABLE)
		err_set(&r->err, st, "The client went away.");
	return st;
}

enum status
http_stream_write(struct request *r, const void *p, size_t n)
{
	return stream_write(r, p, n, true);
}

enum status
http_stream_try_write(struct request *r, const void *p, size_t n)
{
	return stream_write(r, p, n, false);
}

static void
run_job(struct work_item *wi)
{
	struct http_job *job = (struct http_job *)wi;

	http_dispatch(job->loop->srv->app, &job->r, &job->w);
	h2o_multithread_send_message(&job->loop->done_rx, &job->msg.super);
}

static int
on_req(h2o_handler_t *self, h2o_req_t *req)
{
	struct loop *loop = H2O_STRUCT_FROM_MEMBER(struct loop, ctx, req->conn->ctx);
	struct http_job *job = calloc(1, sizeof(*job));

	(void)self;
	if (job == NULL)
		abort();
	job->loop = loop;
	job->req = req;
	job->start_us = http_now_us();
	job->work.run = run_job;
	job->msg.job = job;
	job->msg.kind = JOB_DONE;
	job->stream_msg.job = job;
	job->stream_msg.kind = JOB_STREAM;
	pthread_mutex_init(&job->stream.mu, NULL);
	pthread_cond_init(&job->stream.drained, NULL);
	buf_init(&job->stream.pending, STREAM_PENDING_MAX);
	job->r.stream = job;
	atomic_init(&job->cancelled, false);
	arena_init(&job->arena, 16384);
	copy_request(job, req);
	job->ref = h2o_mem_alloc_shared(&req->pool, sizeof(*job->ref), on_req_dispose);
	job->ref->job = job;
	loop->last_activity_us = job->start_us;

	if (!workers_submit(loop->srv->workers, &job->work)) {
		/* Saturated: say so now rather than queue without bound. */
		job->r.err.retry_after = 1;
		err_set(&job->r.err, ST_UNAVAILABLE, "The server is busy; retry shortly.");
		http_render_error(&job->r, &job->w, ST_UNAVAILABLE);
		http_finish(loop->srv->app, &job->r, &job->w, job->start_us);
		job->ref->job = NULL;
		send_response(loop, req, &job->r, &job->w);
		job_free(job);
		return 0;
	}
	loop->inflight++;
	h2o_linklist_insert(&loop->jobs, &job->inflight);
	return 0;
}

/* ---- listeners and loops ------------------------------------------- */

static void
on_accept(h2o_socket_t *listener, const char *err)
{
	struct loop *loop = listener->data;

	if (err != NULL)
		return;
	/* Accept a bounded batch per wake-up so one loop cannot starve. */
	for (int i = 0; i < 16; i++) {
		h2o_socket_t *sock = h2o_evloop_socket_accept(listener);

		if (sock == NULL)
			break;
		h2o_accept(&loop->accept_ctx, sock);
	}
}

static int
open_listener(const char *host, int port)
{
	struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICSERV,
		.ai_socktype = SOCK_STREAM }, *res = NULL;
	char portstr[16];
	int fd = -1, one = 1;

	snprintf(portstr, sizeof(portstr), "%d", port);
	if (getaddrinfo(host, portstr, &hints, &res) != 0 || res == NULL)
		return -1;
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 1024) != 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		errno = e;
		return -1;
	}
	freeaddrinfo(res);
	return fd;
}

static void
on_stop(h2o_multithread_receiver_t *rx, h2o_linklist_t *messages)
{
	struct loop *loop = H2O_STRUCT_FROM_MEMBER(struct loop, stop_rx, rx);

	while (!h2o_linklist_is_empty(messages))
		h2o_linklist_unlink(messages->next);
	if (loop->stopping)
		return;
	loop->stopping = true;
	loop->last_activity_us = http_now_us();
	if (loop->listener != NULL) {
		h2o_socket_read_stop(loop->listener);
		h2o_socket_close(loop->listener);
		loop->listener = NULL;
	}
	h2o_context_request_shutdown(&loop->ctx);
}

/* Everything a loop uses is created on the loop's own thread: h2o keeps
 * per-thread allocators (socket buffer prototypes, memory pool recyclers),
 * and a socket created on one thread but read on another would share the
 * creator's allocator with every other loop. */
static void *
loop_main(void *arg)
{
	struct loop *loop = arg;
	struct server *srv = loop->srv;
	uint64_t deadline = 0;

	h2o_linklist_init_anchor(&loop->jobs);
	loop->evloop = h2o_evloop_create();
	h2o_context_init(&loop->ctx, loop->evloop, &srv->globalconf);
	loop->accept_ctx.ctx = &loop->ctx;
	loop->accept_ctx.hosts = srv->globalconf.hosts;
	loop->listener = h2o_evloop_socket_create(loop->evloop, loop->listen_fd,
	    H2O_SOCKET_FLAG_DONT_READ);
	loop->listener->data = loop;
	h2o_socket_read_start(loop->listener, on_accept);
	h2o_multithread_register_receiver(loop->ctx.queue, &loop->done_rx, on_jobs_done);
	h2o_multithread_register_receiver(loop->ctx.queue, &loop->stop_rx, on_stop);
	pthread_barrier_wait(&srv->ready);

	while (!loop->stopping || loop->inflight > 0 ||
	    http_now_us() - loop->last_activity_us < 200000) {
		if (loop->stopping && deadline == 0)
			deadline = http_now_us() +
			    (uint64_t)srv->app->cfg.shutdown_grace_s * 1000000u;
		if (deadline != 0 && http_now_us() > deadline) {
			log_warn("shutdown grace period over with %zu requests in flight",
			    loop->inflight);
			/* Tell the handlers still running to give up. */
			for (h2o_linklist_t *l = loop->jobs.next; l != &loop->jobs; l = l->next)
				atomic_store(&H2O_STRUCT_FROM_MEMBER(struct http_job, inflight,
				    l)->cancelled, true);
			loop->forced = true;
			break;
		}
		h2o_evloop_run(loop->evloop, loop->stopping ? 50 : INT32_MAX);
	}
	/* The context is not disposed: h2o 2.2.5 asserts on idle keep-alive
	 * connections still linked to its timeouts and has no call to close
	 * them, and the process exits next (see tests/lsan.supp). */
	return NULL;
}

enum status
http_serve(struct app *app)
{
	struct server srv;
	h2o_pathconf_t *pathconf;
	h2o_handler_t *handler;
	h2o_filter_t *filter;
	size_t nloops = app->cfg.http_threads > 0 ? (size_t)app->cfg.http_threads
	    : (size_t)sysconf(_SC_NPROCESSORS_ONLN);
	sigset_t set;
	bool forced = false;
	int sig;

	memset(&srv, 0, sizeof(srv));
	srv.app = app;
	if (nloops < 1)
		nloops = 1;
	h2o_config_init(&srv.globalconf);
	/* Bodies up to the hard cap are read whole and refused by our own
	 * check (413 with the request's id, logged) once the client has sent
	 * them: h2o has no lingering close, so refusing mid-upload resets the
	 * connection before most clients read the answer. Past the hard cap
	 * h2o refuses at once, bounding what one connection can make us hold. */
	srv.globalconf.max_request_entity_size = http_body_hard_cap(app->cfg.max_body_bytes);
	srv.globalconf.server_name = h2o_iovec_init(H2O_STRLIT(""));
	srv.hostconf = h2o_config_register_host(&srv.globalconf,
	    h2o_iovec_init(H2O_STRLIT("default")), 65535);
	pathconf = h2o_config_register_path(srv.hostconf, "/", 0);
	handler = h2o_create_handler(pathconf, sizeof(*handler));
	handler->on_req = on_req;
	filter = h2o_create_filter(pathconf, sizeof(struct json_error_filter));
	filter->on_setup_ostream = json_error_setup;
	((struct json_error_filter *)filter)->srv = &srv;
	filter = h2o_create_filter(&srv.hostconf->fallback_path, sizeof(struct json_error_filter));
	filter->on_setup_ostream = json_error_setup;
	((struct json_error_filter *)filter)->srv = &srv;

	/* Signals are taken by sigwait below, never by a loop or a worker. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	srv.workers = workers_start((size_t)app->cfg.worker_threads,
	    (size_t)app->cfg.worker_queue_max, (size_t)app->cfg.streams_max);
	current_workers = srv.workers;
	srv.loops = calloc(nloops, sizeof(*srv.loops));
	pthread_barrier_init(&srv.ready, NULL, (unsigned)nloops + 1);
	srv.nloops = nloops;
	for (size_t i = 0; i < nloops; i++) {
		struct loop *loop = &srv.loops[i];
		int fd = open_listener(app->cfg.host, app->cfg.port);

		if (fd < 0) {
			log_error("cannot listen on %s:%d: %s", app->cfg.host, app->cfg.port,
			    strerror(errno));
			exit(1);
		}
		loop->srv = &srv;
		loop->listen_fd = fd;
		pthread_create(&loop->tid, NULL, loop_main, loop);
	}
	pthread_barrier_wait(&srv.ready);
	log_emit(LOG_INFO, "listening", json_pack("{s:s, s:i, s:i, s:i}", "host",
	    app->cfg.host, "port", app->cfg.port, "loops", (int)nloops,
	    "workers", app->cfg.worker_threads));

	sigwait(&set, &sig);
	log_emit(LOG_INFO, "shutting down", json_pack("{s:s}", "signal",
	    sig == SIGTERM ? "SIGTERM" : "SIGINT"));
	atomic_store(&srv.stopping, true);
	atomic_store(&shutting_down, true);
	for (size_t i = 0; i < nloops; i++)
		h2o_multithread_send_message(&srv.loops[i].stop_rx, &srv.loops[i].stop_msg);
	for (size_t i = 0; i < nloops; i++) {
		pthread_join(srv.loops[i].tid, NULL);
		forced |= srv.loops[i].forced;
	}
	current_workers = NULL;
	if (forced) {
		/* Cancelled handlers get a moment to notice; one stuck in a
		 * blocking call cannot be waited for past the grace period. */
		if (!workers_stop_within(srv.workers, 1000))
			log_warn("exiting with handlers still running");
		log_info("stopped (grace period over)");
		return ST_TIMEOUT;
	}
	workers_stop(srv.workers);
	free(srv.loops);
	pthread_barrier_destroy(&srv.ready);
	log_info("stopped");
	return ST_OK;
}
