/* fuzz_jsonv.c — request bodies: jv_parse_object (size cap, syntax,
 * UTF-8) then jv_validate against a table using every field kind. Any
 * input must end in ST_OK or a reported error, never a crash; an error
 * always carries a message, and the message and every detail are valid
 * UTF-8, since http_render_error puts them in a JSON body (a string that
 * is not UTF-8 would turn the whole answer into the generic one).
 * SOURCES: src/core/jsonv.c src/core/status.c
 * PKGS: jansson
 */
#include "fuzz.h"

#include "core/jsonv.h"

static bool
starts_with_letter(const char *s)
{
	return (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z');
}

static const char *const kinds[] = { "phone", "email", "walk_in", NULL };

static const struct jv_field fields[] = {
	{ "name", JV_STRING, true, false, 1, 80, NULL, NULL, NULL },
	{ "kind", JV_STRING, false, false, 0, 0, kinds, NULL, NULL },
	{ "code", JV_STRING, false, true, 2, 0, NULL, starts_with_letter, "a code" },
	{ "count", JV_INT, false, false, 0, 100, NULL, NULL, NULL },
	{ "offset", JV_INT, false, false, -5, 0, NULL, NULL, NULL },
	{ "active", JV_BOOL, false, true, 0, 0, NULL, NULL, NULL },
	{ "meta", JV_OBJECT, false, false, 0, 0, NULL, NULL, NULL },
	{ "tags", JV_ARRAY, false, false, 1, 3, NULL, NULL, NULL },
	{ "ids", JV_ARRAY, false, false, 2, 0, NULL, NULL, NULL },
};

/* What http_render_error needs: every text of the error as a JSON string. */
static void
check_err_renders(const struct err *e)
{
	json_t *j = json_string(e->message);

	FUZZ_CHECK(j != NULL);
	json_decref(j);
	for (size_t i = 0; i < e->ndetails; i++) {
		j = json_pack("{s:s, s:s}", "field", e->details[i].field,
		    "issue", e->details[i].issue);
		FUZZ_CHECK(j != NULL);
		json_decref(j);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e;
	json_t *obj = NULL;
	enum status st;

	err_clear(&e);
	st = jv_parse_object((const char *)data, size, 4096, &obj, &e);
	if (st != ST_OK) {
		FUZZ_CHECK(obj == NULL && e.message[0] != '\0');
		check_err_renders(&e);
		return 0;
	}
	FUZZ_CHECK(json_is_object(obj));
	st = jv_validate(obj, fields, sizeof(fields) / sizeof(fields[0]), &e);
	FUZZ_CHECK(st == ST_OK ? e.nviolations == 0 : e.nviolations > 0);
	check_err_renders(&e);
	json_decref(obj);
	return 0;
}
