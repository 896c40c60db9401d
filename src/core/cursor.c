/* cursor.c — opaque list cursors (see cursor.h): one codec for every
 * paginated list. */
#include "core/cursor.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"

char *
cursor_encode(struct arena *a, const char *const *vals, size_t n)
{
	json_t *arr;
	char *text, *out = NULL;
	size_t len, outsz;

	if (n == 0 || n > CURSOR_VALUES_MAX)
		return NULL;
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_string(vals[i] ? vals[i] : ""));
	text = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	if (text == NULL)	/* a value that is not UTF-8 */
		return NULL;
	len = strlen(text);
	outsz = 4 * ((len + 2) / 3) + 1;
	if (outsz - 1 <= CURSOR_TEXT_MAX) {
		out = arena_alloc(a, outsz);
		sec_b64url((const unsigned char *)text, len, out, outsz);
	}
	free(text);
	return out;
}

bool
cursor_decode(struct arena *a, const char *s, const char **vals, size_t n)
{
	size_t len = s ? strlen(s) : 0, binlen = 0;
	unsigned char *bin;
	json_error_t je;
	json_t *arr;
	bool ok;

	if (len == 0 || len > CURSOR_TEXT_MAX || n == 0 || n > CURSOR_VALUES_MAX)
		return false;
	bin = arena_alloc(a, len + 1);
	if (!sec_b64url_decode(s, len, bin, len + 1, &binlen))
		return false;
	arr = json_loadb((const char *)bin, binlen, JSON_REJECT_DUPLICATES, &je);
	if (arr == NULL)
		return false;
	ok = json_is_array(arr) && json_array_size(arr) == n;
	for (size_t i = 0; ok && i < n; i++) {
		json_t *v = json_array_get(arr, i);

		ok = json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v);
		if (ok)
			vals[i] = arena_strdup(a, json_string_value(v));
	}
	json_decref(arr);
	return ok;
}
