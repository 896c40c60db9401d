/* jsonv.h — JSON input at the edge: parse with a size cap, then validate
 * an object against a field table. Unknown fields are rejected, every bad
 * field is reported by name, and nothing downstream sees unchecked input. */
#ifndef CORE_JSONV_H
#define CORE_JSONV_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"

enum jv_type { JV_STRING, JV_INT, JV_BOOL, JV_OBJECT, JV_ARRAY };

struct jv_field {
	const char *name;
	enum jv_type type;
	bool required;
	bool nullable;
	long long min, max;		/* JV_STRING: length in characters; JV_INT: value;
					 * JV_ARRAY: items. max 0 = no upper bound. */
	const char *const *choices;	/* JV_STRING enum, NULL-terminated */
	bool (*check)(const char *s);	/* JV_STRING format check */
	const char *check_desc;		/* what check expects, for the message */
};

/* Parses body (which must be a JSON object) of len bytes. Bodies over max
 * are ST_TOO_LARGE; invalid JSON or UTF-8 is ST_INVALID with the position.
 * *out is a new reference. */
enum status jv_parse_object(const char *body, size_t len, size_t max,
    json_t **out, struct err *e) MUST_USE;

/* Checks obj against fields[0..n). Every violation becomes one detail. */
enum status jv_validate(json_t *obj, const struct jv_field *fields, size_t n,
    struct err *e) MUST_USE;

/* Characters (code points) in a valid UTF-8 string. */
size_t jv_utf8_length(const char *s);
/* True when s has no control characters other than tab and newline. */
bool jv_no_controls(const char *s);

#endif
