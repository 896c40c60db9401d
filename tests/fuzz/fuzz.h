/* fuzz.h — what every libFuzzer harness in tests/fuzz shares: a NUL-
 * terminated copy of the input, a splitter for inputs that carry several
 * fields, and an assertion that stays on in any build. Each harness names
 * the project sources and pkg-config packages it links in its header
 * comment (" * SOURCES:" and " * PKGS:" lines), which scripts/fuzz reads,
 * so a harness links only what it needs. */
#ifndef FUZZ_FUZZ_H
#define FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property broken is a finding like a crash: abort so libFuzzer saves
 * the input. */
#define FUZZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

/* data[0..size) copied and NUL-terminated (a C caller sees it up to its
 * first NUL). */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Cuts the next field off *data: everything up to the next "\n--\n" (or
 * the rest). The separator is text so seeds stay readable. Returns a
 * malloc'd C string; *len gets the field's length in bytes (NULs kept). */
static inline char *
fuzz_field(const uint8_t **data, size_t *size, size_t *len)
{
	static const char sep[] = "\n--\n";
	const uint8_t *d = *data, *end = NULL;
	size_t n = *size;

	for (size_t i = 0; i + 4 <= n; i++)
		if (memcmp(d + i, sep, 4) == 0) {
			end = d + i;
			break;
		}
	if (end == NULL) {
		*len = n;
		*data = d + n;
		*size = 0;
	} else {
		*len = (size_t)(end - d);
		*data = end + 4;
		*size = n - *len - 4;
	}
	return fuzz_cstr(d, *len);
}

#endif
