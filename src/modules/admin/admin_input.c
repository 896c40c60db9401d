/* admin_input.c — a request body checked against a resource descriptor:
 * unknown, read-only, fixed and malformed fields named one by one,
 * required ones on create, string arrays item by item, then each field's
 * normaliser. No HTTP here: a route, a job or the CLI's seed hands in the
 * JSON a client would send. */
#include <string.h>

#include "modules/admin/admin_service.h"

static bool
has_detail(const struct err *e, const char *field)
{
	for (size_t i = 0; i < e->ndetails; i++)
		if (strcmp(e->details[i].field, field) == 0)
			return true;
	return false;
}

/* Columns every row has, which nobody writes. */
static bool
builtin_column(const struct admin_resource *res, const char *k)
{
	return strcmp(k, "id") == 0 || strcmp(k, "version") == 0 ||
	    strcmp(k, "created_at") == 0 || strcmp(k, "updated_at") == 0 ||
	    strcmp(k, "deleted_at") == 0 || strcmp(k, "warnings") == 0 ||
	    (res->parent != NULL && strcmp(k, res->parent->column) == 0);
}

/* Per-item checks of a string array (jv checked the item count). */
static void
check_items(const struct admin_field *f, json_t *arr, struct err *e)
{
	size_t i, j;
	json_t *v;

	json_array_foreach(arr, i, v) {
		const char *s;

		if (!json_is_string(v)) {
			err_detail(e, f->v.name, "must hold only strings");
			return;
		}
		s = json_string_value(v);
		if (*s == '\0' || (f->item_max > 0 && jv_utf8_length(s) > (size_t)f->item_max)) {
			err_detail(e, f->v.name, "items must be 1 to %d characters", f->item_max);
			return;
		}
		if (!jv_no_controls(s)) {
			err_detail(e, f->v.name, "items must not contain control characters");
			return;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(json_string_value(json_array_get(arr, j)), s) == 0) {
				err_detail(e, f->v.name, "must not repeat an item");
				return;
			}
		}
	}
}

enum status
admin_input_parse(struct ctx *ctx, const struct admin_resource *res, json_t *body, bool create,
    json_t **out)
{
	struct jv_field jf[64];
	size_t n = 0, before = ctx->err->nviolations;
	json_t *in = json_copy(body), *v;
	const char *k;
	void *tmp;

	arena_defer(ctx->arena, (void (*)(void *))json_decref, in);
	json_object_foreach_safe(in, tmp, k, v) {
		const struct admin_field *f = admin_find_field(res, k);

		if (builtin_column(res, k) || (f != NULL && (f->flags & AF_READONLY))) {
			err_detail(ctx->err, k, "is read-only");
			json_object_del(in, k);
		} else if (f != NULL && !create && (f->flags & AF_CREATE_ONLY)) {
			err_detail(ctx->err, k, "cannot be changed once set");
			json_object_del(in, k);
		}
	}
	for (size_t i = 0; i < res->nfields && n < sizeof(jf) / sizeof(jf[0]); i++) {
		const struct admin_field *f = &res->fields[i];

		if ((f->flags & AF_READONLY) || (!create && (f->flags & AF_CREATE_ONLY)))
			continue;
		jf[n] = f->v;
		jf[n].required = create && (f->flags & AF_REQUIRED);
		jf[n].nullable = (f->flags & AF_NULLABLE) != 0;
		n++;
	}
	(void)!jv_validate(in, jf, n, ctx->err);
	json_object_foreach(in, k, v) {
		const struct admin_field *f = admin_find_field(res, k);

		if (f == NULL || has_detail(ctx->err, k))
			continue;
		if (f->type == ADM_TEXT_ARRAY && json_is_array(v))
			check_items(f, v, ctx->err);
		if (f->normalise != NULL && json_is_string(v)) {
			const char *s = f->normalise(ctx->arena, json_string_value(v), k, ctx->err);

			if (s != NULL)
				json_object_set_new(in, k, json_string(s));
		}
	}
	if (ctx->err->nviolations > before)
		return err_set(ctx->err, ST_INVALID, "Some fields are invalid.");
	*out = in;
	return ST_OK;
}

