/* fuzz_query.c — query strings (http_query_split, what http_query_all
 * runs on the request's query). Properties: a split that succeeds yields
 * at most max pairs, each decoded name and value is valid UTF-8 without
 * NUL (http.h promises "UTF-8 checked"); the count never exceeds the
 * number of '&'-separated parts; too many pairs is reported, not cut.
 * SOURCES: src/http/request.c src/core/arena.c src/core/jsonv.c src/core/status.c
 * PKGS: jansson
 */
#include "fuzz.h"

#include <jansson.h>

#include "http/http.h"

#define MAXPAIRS 8

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_qparam out[MAXPAIRS];
	struct arena a;
	size_t n = 0, parts = 1;
	enum http_qstatus st;
	char *q = fuzz_cstr(data, size);

	for (const char *p = q; *p; p++)
		parts += *p == '&';
	arena_init(&a, 1024);
	st = http_query_split(&a, q, out, MAXPAIRS, &n);
	FUZZ_CHECK(n <= MAXPAIRS && n <= parts);
	if (st == HTTP_QUERY_OK) {
		for (size_t i = 0; i < n; i++) {
			json_t *j = json_pack("{s:s, s:s}", "n", out[i].name, "v", out[i].value);

			/* jansson's own UTF-8 check, independent of ours */
			FUZZ_CHECK(j != NULL);
			json_decref(j);
		}
	} else {
		FUZZ_CHECK(st == HTTP_QUERY_MALFORMED || st == HTTP_QUERY_TOO_MANY);
		if (st == HTTP_QUERY_TOO_MANY)
			FUZZ_CHECK(n == MAXPAIRS);
	}
	arena_free(&a);
	free(q);
	return 0;
}
