/* jsonv.c — capped JSON parsing and table-driven validation. */
#include "core/jsonv.h"

#include <string.h>

size_t
jv_utf8_length(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

bool
jv_no_controls(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
			return false;
	}
	return true;
}

/* What is wrong with the JSON, in the caller's words: Jansson's own texts
 * name its flags ("\\u0000 is not allowed without JSON_ALLOW_NUL"). */
static const char *
json_problem(const json_error_t *jerr)
{
	switch (json_error_code(jerr)) {
	case json_error_invalid_utf8:
		return "the text is not valid UTF-8.";
	case json_error_null_character:
		return "text may not contain the NUL character (\\u0000).";
	case json_error_duplicate_key:
		return "an object has the same key twice.";
	case json_error_premature_end_of_input:
		return "the body ends before the JSON does.";
	case json_error_end_of_input_expected:
		return "there is more after the JSON value.";
	case json_error_numeric_overflow:
		return "a number is too large.";
	case json_error_out_of_memory:
		return "the body is too complex.";
	default:
		return "this is not valid JSON syntax.";
	}
}

enum status
jv_parse_object(const char *body, size_t len, size_t max, json_t **out,
    struct err *e)
{
	json_error_t jerr;
	json_t *j;

	*out = NULL;
	if (len > max)
		return err_set(e, ST_TOO_LARGE, "The request body is larger than %zu bytes.", max);
	if (len == 0)
		return err_set(e, ST_INVALID, "A JSON object body is required.");
	/* Jansson rejects invalid UTF-8 and NUL escapes by itself. */
	j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL)
		return err_set(e, ST_INVALID, "Malformed JSON at line %d, column %d: %s",
		    jerr.line, jerr.column, json_problem(&jerr));
	if (!json_is_object(j)) {
		json_decref(j);
		return err_set(e, ST_INVALID, "The request body must be a JSON object.");
	}
	*out = j;
	return ST_OK;
}

static const char *
type_name(enum jv_type t)
{
	switch (t) {
	case JV_STRING: return "a string";
	case JV_INT: return "an integer";
	case JV_BOOL: return "a boolean";
	case JV_OBJECT: return "an object";
	case JV_ARRAY: return "an array";
	}
	return "a value";
}

static bool
type_ok(json_t *v, enum jv_type t)
{
	switch (t) {
	case JV_STRING: return json_is_string(v);
	case JV_INT: return json_is_integer(v);
	case JV_BOOL: return json_is_boolean(v);
	case JV_OBJECT: return json_is_object(v);
	case JV_ARRAY: return json_is_array(v);
	}
	return false;
}

static void
check_string(const struct jv_field *f, const char *s, struct err *e)
{
	size_t n = jv_utf8_length(s);

	if ((long long)n < f->min) {
		if (f->min == 1)
			err_detail(e, f->name, "must not be empty");
		else
			err_detail(e, f->name, "must be at least %lld characters", f->min);
		return;
	}
	if (f->max > 0 && (long long)n > f->max) {
		err_detail(e, f->name, "must be at most %lld characters", f->max);
		return;
	}
	if (!jv_no_controls(s)) {
		err_detail(e, f->name, "must not contain control characters");
		return;
	}
	if (f->choices != NULL) {
		for (const char *const *c = f->choices; *c != NULL; c++)
			if (strcmp(*c, s) == 0)
				return;
		err_detail(e, f->name, "must be one of the allowed values");
		return;
	}
	if (f->check != NULL && !f->check(s))
		err_detail(e, f->name, "must be %s", f->check_desc ? f->check_desc : "valid");
}

static void
check_field(const struct jv_field *f, json_t *v, struct err *e)
{
	if (json_is_null(v)) {
		if (!f->nullable)
			err_detail(e, f->name, f->required ? "is required" : "must not be null");
		return;
	}
	if (!type_ok(v, f->type)) {
		err_detail(e, f->name, "must be %s", type_name(f->type));
		return;
	}
	switch (f->type) {
	case JV_STRING:
		check_string(f, json_string_value(v), e);
		break;
	case JV_INT: {
		long long n = json_integer_value(v);

		if (f->max == 0 && n < f->min)
			err_detail(e, f->name, "must be at least %lld", f->min);
		else if (n < f->min || (f->max != 0 && n > f->max))
			err_detail(e, f->name, "must be between %lld and %lld", f->min, f->max);
		break;
	}
	case JV_ARRAY: {
		size_t n = json_array_size(v);

		if (f->max == 0 && (long long)n < f->min)
			err_detail(e, f->name, "must have at least %lld items", f->min);
		else if ((long long)n < f->min || (f->max > 0 && (long long)n > f->max))
			err_detail(e, f->name, "must have between %lld and %lld items",
			    f->min, f->max);
		break;
	}
	case JV_BOOL:
	case JV_OBJECT:
		break;
	}
}

enum status
jv_validate(json_t *obj, const struct jv_field *fields, size_t n, struct err *e)
{
	const char *key;
	json_t *v;
	size_t before = e->nviolations;

	json_object_foreach(obj, key, v) {
		size_t i;

		for (i = 0; i < n; i++)
			if (strcmp(fields[i].name, key) == 0)
				break;
		if (i == n)
			err_detail(e, key, "is not a known field");
	}
	for (size_t i = 0; i < n; i++) {
		v = json_object_get(obj, fields[i].name);
		if (v == NULL) {
			if (fields[i].required)
				err_detail(e, fields[i].name, "is required");
			continue;
		}
		check_field(&fields[i], v, e);
	}
	if (e->nviolations > before)
		return err_set(e, ST_INVALID, "Some fields are invalid.");
	return ST_OK;
}
