/* test_calendar_http_client.c — the outbound HTTP client the calendar
 * adapters use, against a scripted server on a loopback socket: what it
 * sends, a 429's Retry-After, the timeout that always ends a call, the
 * response cap, no redirects followed, http(s) only, and errors that never
 * repeat a URL's query (where tokens travel). Plus escaping and forms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/http_client.h"

struct script {
	int listen_fd;
	int port;
	const char *reply;	/* sent verbatim after the request head */
	size_t big;		/* or: a 200 with a body of this many bytes */
	int delay_ms;		/* before answering */
	atomic_bool answered;	/* set just before the reply is sent */
	atomic_bool client_done;	/* set by the client side when its call returned */
	bool answered_before_return;
	char got[8192];		/* what the client sent */
};

static void *
serve_once(void *arg)
{
	struct script *s = arg;
	int c = accept(s->listen_fd, NULL, NULL);
	size_t n = 0;

	if (c < 0)
		return NULL;
	/* Read until the head and the announced body are in. */
	for (;;) {
		ssize_t r = recv(c, s->got + n, sizeof(s->got) - 1 - n, 0);
		char *h;

		if (r <= 0)
			break;
		n += (size_t)r;
		s->got[n] = '\0';
		if ((h = strstr(s->got, "\r\n\r\n")) != NULL) {
			const char *cl = strcasestr(s->got, "content-length:");
			size_t want = cl ? (size_t)atol(cl + 15) : 0;

			if (n >= (size_t)(h + 4 - s->got) + want)
				break;
		}
	}
	/* Wait (in slices, so a finished client does not hold the test). */
	for (int waited = 0; waited < s->delay_ms && !atomic_load(&s->client_done); waited += 10) {
		struct timespec ts = { 0, 10 * 1000000L };

		nanosleep(&ts, NULL);
	}
	atomic_store(&s->answered, true);
	if (s->big) {
		char head[128];
		char *chunk = calloc(1, 65536);

		memset(chunk, 'a', 65536);
		snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", s->big);
		(void)!send(c, head, strlen(head), MSG_NOSIGNAL);
		for (size_t sent = 0; sent < s->big; sent += 65536)
			if (send(c, chunk, 65536, MSG_NOSIGNAL) < 0)
				break;
		free(chunk);
	} else if (s->reply) {
		(void)!send(c, s->reply, strlen(s->reply), MSG_NOSIGNAL);
	}
	close(c);
	return NULL;
}

static void
listen_on(struct script *s)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->listen_fd, 4), 0);
	getsockname(s->listen_fd, (struct sockaddr *)&a, &len);
	s->port = ntohs(a.sin_port);
}

static enum status
run(struct script *s, struct arena *a, struct http_client_request *req,
    struct http_client_response *res, struct err *e)
{
	pthread_t t;
	enum status st;

	pthread_create(&t, NULL, serve_once, s);
	st = http_client_do(a, req, res, e);
	s->answered_before_return = atomic_load(&s->answered);
	atomic_store(&s->client_done, true);
	shutdown(s->listen_fd, SHUT_RDWR);
	pthread_join(t, NULL);
	close(s->listen_fd);
	return st;
}

static void
test_sends_method_headers_body_and_reads_retry_after(void **state)
{
	struct script s = { .reply = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\n"
	    "Content-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"error\":\"x\"}" };
	struct http_client_request req = { .method = "POST" };
	struct http_client_response res;
	struct arena a;
	struct err e;

	(void)state;
	arena_init(&a, 4096);
	err_clear(&e);
	listen_on(&s);
	req.url = arena_printf(&a, "http://127.0.0.1:%d/v2/bookings", s.port);
	req.body = "{\"start\":\"2030-01-02T10:00:00.000Z\"}";
	req.body_len = strlen(req.body);
	http_client_header(&a, &req, "cal-api-version", "2024-08-13");
	http_client_header(&a, &req, "content-type", "application/json");
	assert_int_equal(run(&s, &a, &req, &res, &e), ST_OK);
	assert_int_equal(res.status, 429);
	assert_int_equal(res.retry_after_s, 7);
	assert_non_null(res.json);
	assert_string_equal(json_string_value(json_object_get(res.json, "error")), "x");
	assert_true(strncmp(s.got, "POST /v2/bookings HTTP/1.1\r\n", 28) == 0);
	assert_non_null(strstr(s.got, "cal-api-version: 2024-08-13\r\n"));
	assert_non_null(strstr(s.got, "\r\n\r\n{\"start\":\"2030-01-02T10:00:00.000Z\"}"));
	assert_null(strcasestr(s.got, "Expect:"));
	arena_free(&a);
}

static void
test_timeout_ends_the_call(void **state)
{
	struct script s = { .reply = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", .delay_ms = 10000 };
	struct http_client_request req = { .method = "GET", .timeout_ms = 200 };
	struct http_client_response res;
	struct arena a;
	struct err e;

	(void)state;
	arena_init(&a, 4096);
	err_clear(&e);
	listen_on(&s);
	req.url = arena_printf(&a, "http://127.0.0.1:%d/slow?access_token=SECRET", s.port);
	/* A server that would answer after 10 s: the call ends first, on
	 * its own timeout. */
	assert_int_equal(run(&s, &a, &req, &res, &e), ST_TIMEOUT);
	assert_false(s.answered_before_return);
	assert_null(strstr(e.message, "SECRET"));
	assert_null(strstr(e.message, "/slow"));
	arena_free(&a);
}

static void
test_response_over_the_cap_is_refused(void **state)
{
	struct script s = { .big = 2 * 1024 * 1024 };
	struct http_client_request req = { .method = "GET", .max_response = 4096 };
	struct http_client_response res;
	struct arena a;
	struct err e;

	(void)state;
	arena_init(&a, 4096);
	err_clear(&e);
	listen_on(&s);
	req.url = arena_printf(&a, "http://127.0.0.1:%d/big", s.port);
	assert_int_equal(run(&s, &a, &req, &res, &e), ST_TOO_LARGE);
	arena_free(&a);
}

static void
test_redirects_are_not_followed(void **state)
{
	struct script s = { .reply = "HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/\r\n"
	    "Content-Length: 0\r\n\r\n" };
	struct http_client_request req = { .method = "GET" };
	struct http_client_response res;
	struct arena a;
	struct err e;

	(void)state;
	arena_init(&a, 4096);
	err_clear(&e);
	listen_on(&s);
	req.url = arena_printf(&a, "http://127.0.0.1:%d/r", s.port);
	assert_int_equal(run(&s, &a, &req, &res, &e), ST_OK);
	assert_int_equal(res.status, 302);
	assert_null(res.json);
	arena_free(&a);
}

static void
test_no_answer_and_other_protocols(void **state)
{
	struct http_client_request req = { .method = "GET" };
	struct http_client_response res;
	struct script s;
	struct arena a;
	struct err e;

	(void)state;
	arena_init(&a, 4096);
	/* A port nobody listens on (bound, then closed). */
	listen_on(&s);
	close(s.listen_fd);
	err_clear(&e);
	req.url = arena_printf(&a, "http://127.0.0.1:%d/x?key=cal_live_SECRET", s.port);
	assert_int_equal(http_client_do(&a, &req, &res, &e), ST_UPSTREAM);
	assert_null(strstr(e.message, "cal_live_SECRET"));
	assert_non_null(strstr(e.message, "127.0.0.1"));
	err_clear(&e);
	req.url = "file:///etc/passwd";
	assert_int_equal(http_client_do(&a, &req, &res, &e), ST_UPSTREAM);
	err_clear(&e);
	req.url = "ftp://127.0.0.1/x";
	assert_int_equal(http_client_do(&a, &req, &res, &e), ST_UPSTREAM);
	arena_free(&a);
}

static void
test_escape_form_and_retry_after(void **state)
{
	const char *kv[] = { "grant_type", "refresh_token", "refresh_token", "1//a+b/c=",
	    "skipped", NULL, "redirect_uri", "https://x.test/cb?a=1&b=2", NULL };
	struct arena a;

	(void)state;
	arena_init(&a, 4096);
	assert_string_equal(http_client_escape(&a, "a-b_c.d~e f/@+é"),
	    "a-b_c.d~e%20f%2F%40%2B%C3%A9");
	assert_string_equal(http_client_form(&a, kv), "grant_type=refresh_token&"
	    "refresh_token=1%2F%2Fa%2Bb%2Fc%3D&redirect_uri=https%3A%2F%2Fx.test%2Fcb%3Fa%3D1%26b%3D2");
	assert_int_equal(http_client_parse_retry_after("120", 0), 120);
	assert_int_equal(http_client_parse_retry_after(" 5 \r\n", 0), 5);
	assert_int_equal(http_client_parse_retry_after("999999", 0), 86400);
	assert_int_equal(http_client_parse_retry_after("-1", 0), 0);
	assert_int_equal(http_client_parse_retry_after("soon", 0), 0);
	assert_int_equal(http_client_parse_retry_after("", 0), 0);
	assert_int_equal(http_client_parse_retry_after(NULL, 0), 0);
	/* An HTTP date, relative to now. */
	assert_int_equal(http_client_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT",
	    1445412480 - 30), 30);
	assert_int_equal(http_client_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT",
	    1445412480 + 30), 1);
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sends_method_headers_body_and_reads_retry_after),
		cmocka_unit_test(test_timeout_ends_the_call),
		cmocka_unit_test(test_response_over_the_cap_is_refused),
		cmocka_unit_test(test_redirects_are_not_followed),
		cmocka_unit_test(test_no_answer_and_other_protocols),
		cmocka_unit_test(test_escape_form_and_retry_after),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
