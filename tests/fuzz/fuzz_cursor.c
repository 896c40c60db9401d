/* fuzz_cursor.c — list cursors come back from clients: cursor_decode
 * must refuse anything we did not make and never half-read. Properties:
 * a cursor that decodes re-encodes to one that decodes to the same
 * values; decoded values have no NUL inside (strlen is their length).
 * The first input byte picks how many values are expected.
 * SOURCES: src/core/cursor.c src/core/crypto.c src/core/arena.c src/core/status.c
 * PKGS: jansson libsodium openssl
 */
#include "fuzz.h"

#include "core/cursor.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *vals[CURSOR_VALUES_MAX], *again[CURSOR_VALUES_MAX];
	struct arena a;
	size_t n;
	char *s, *enc;

	if (size == 0)
		return 0;
	n = (size_t)(data[0] % (CURSOR_VALUES_MAX + 1));	/* 0 must be refused */
	s = fuzz_cstr(data + 1, size - 1);
	arena_init(&a, 1024);
	if (cursor_decode(&a, s, vals, n)) {
		FUZZ_CHECK(n >= 1 && n <= CURSOR_VALUES_MAX);
		enc = cursor_encode(&a, vals, n);
		/* What decoded from CURSOR_TEXT_MAX characters re-encodes
		 * compactly, so it fits again. */
		if (enc != NULL) {
			FUZZ_CHECK(cursor_decode(&a, enc, again, n));
			for (size_t i = 0; i < n; i++)
				FUZZ_CHECK(strcmp(vals[i], again[i]) == 0);
		}
	}
	arena_free(&a);
	free(s);
	return 0;
}
