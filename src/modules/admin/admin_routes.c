/* admin_routes.c — the admin engine's HTTP edge: query strings (limit,
 * cursor, sort, typed filters, ranges), request bodies checked against the
 * descriptor (unknown, read-only, fixed and malformed fields named one by
 * one), If-Match, and rendering (Location, ETag, warnings). No SQL and no
 * rules here: those are admin_store.c and admin_service.c. */
#include <ctype.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "core/ids.h"
#include "modules/admin/admin_service.h"
#include "modules/admin/admin_store.h"
#include "modules/admin/resource.h"

#define CURSOR_MAX 2048
#define QUERY_PARAMS_MAX 32
#define FILTER_VALUE_MAX 500

/* Format checks --------------------------------------------------------------- */

static bool
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

static int
num(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

bool
admin_check_e164(const char *s)
{
	size_t n = strlen(s);

	return n >= 8 && n <= 16 && s[0] == '+' && s[1] >= '1' && s[1] <= '9' &&
	    all_digits(s + 1, n - 1);
}

bool
admin_check_email(const char *s)
{
	const char *at = strchr(s, '@'), *dot;
	size_t n = strlen(s);

	if (at == NULL || at == s || strchr(at + 1, '@') != NULL || n > 254 ||
	    (size_t)(at - s) > 64)
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == ',' || *p == '<' ||
		    *p == '>' || *p == '(' || *p == ')' || *p == ';' || *p == '\\' || *p == '"')
			return false;
	dot = strrchr(at + 1, '.');
	return dot != NULL && dot > at + 1 && dot[1] != '\0' && at[1] != '.' &&
	    strstr(at, "..") == NULL;
}

bool
admin_check_hex_color(const char *s)
{
	if (strlen(s) != 7 || s[0] != '#')
		return false;
	for (int i = 1; i < 7; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* scheme://host[:port][/…]: host of letters, digits, dots and hyphens. */
static bool
url_ok(const char *s, bool http_too)
{
	const char *p;
	size_t hl = 0;

	if (strncmp(s, "https://", 8) == 0)
		p = s + 8;
	else if (http_too && strncmp(s, "http://", 7) == 0)
		p = s + 7;
	else
		return false;
	for (; *p && *p != '/' && *p != ':' && *p != '?' && *p != '#'; p++, hl++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-')
			return false;
	if (hl == 0)
		return false;
	if (*p == ':') {
		size_t dl = 0;

		for (p++; isdigit((unsigned char)*p); p++)
			dl++;
		if (dl == 0 || dl > 5 || (*p && *p != '/' && *p != '?' && *p != '#'))
			return false;
	}
	for (; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return false;
	return true;
}

bool
admin_check_https_url(const char *s)
{
	return url_ok(s, false);
}

bool
admin_check_http_url(const char *s)
{
	return url_ok(s, true);
}

/* ISO 4217 codes in use (2025). */
static const char currencies[] =
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL "
    "BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD "
    "EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS "
    "INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD "
    "LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK "
    "NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK "
    "SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS "
    "UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL";

bool
admin_check_currency(const char *s)
{
	if (strlen(s) != 3 || !isupper((unsigned char)s[0]) || !isupper((unsigned char)s[1]) ||
	    !isupper((unsigned char)s[2]))
		return false;
	for (size_t i = 0; i + 3 < sizeof(currencies); i += 4)
		if (memcmp(currencies + i, s, 3) == 0)
			return true;
	return false;
}

bool
admin_check_time(const char *s)
{
	int h, m;

	if (strlen(s) != 5 || s[2] != ':' || !all_digits(s, 2) || !all_digits(s + 3, 2))
		return false;
	h = num(s, 2);
	m = num(s + 3, 2);
	return (h < 24 && m < 60) || (h == 24 && m == 0);
}

static bool
date_ok(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d;

	if (s[4] != '-' || s[7] != '-' || !all_digits(s, 4) || !all_digits(s + 5, 2) ||
	    !all_digits(s + 8, 2))
		return false;
	y = num(s, 4);
	mo = num(s + 5, 2);
	d = num(s + 8, 2);
	if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
		return false;
	return !(mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

bool
admin_check_date(const char *s)
{
	return strlen(s) == 10 && date_ok(s);
}

bool
admin_check_rfc3339(const char *s)
{
	int64_t t;

	return time_parse_rfc3339(s, TIME_RFC3339_MINUTES, &t, NULL);
}


bool
admin_rfc3339_seconds(const char *s, long long *out)
{
	int64_t t;

	if (!time_parse_rfc3339(s, TIME_RFC3339_MINUTES, &t, NULL))
		return false;
	*out = t;
	return true;
}

bool
admin_check_country(const char *s)
{
	return strlen(s) == 2 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]);
}

bool
admin_check_uuid(const char *s)
{
	return id_is_uuid(s);
}

static bool
utf8_ok(const unsigned char *s)
{
	while (*s) {
		size_t n;
		unsigned cp;

		if (*s < 0x80) {
			s++;
			continue;
		}
		if ((*s & 0xe0) == 0xc0) {
			n = 1;
			cp = *s & 0x1f;
		} else if ((*s & 0xf0) == 0xe0) {
			n = 2;
			cp = *s & 0x0f;
		} else if ((*s & 0xf8) == 0xf0) {
			n = 3;
			cp = *s & 0x07;
		} else {
			return false;
		}
		for (size_t i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += n + 1;
	}
	return true;
}

/* Cursors ---------------------------------------------------------------------- */

/* An opaque cursor: base64url of {"s": sort spec, "v": [values], "i": id}.
 * Nothing in it is trusted: values are bound as parameters, the spec must
 * match the request's sort. */
static char *
cursor_encode(struct arena *a, const char *spec, const char *v0, const char *v1,
    const char *id)
{
	json_t *j = json_pack("{s:s, s:[s], s:s}", "s", spec, "v", v0 ? v0 : "", "i", id);
	char *text, *out;
	size_t len, outlen;

	if (j == NULL)
		return NULL;
	if (v1 != NULL)
		json_array_append_new(json_object_get(j, "v"), json_string(v1));
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (text == NULL)
		return NULL;
	len = strlen(text);
	outlen = sodium_base64_encoded_len(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	out = arena_alloc(a, outlen);
	sodium_bin2base64(out, outlen, (const unsigned char *)text, len,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	free(text);
	return out;
}

/* Decodes a cursor; false when it is not one of ours. */
static bool
cursor_decode(struct arena *a, const char *s, const char **spec, const char *vals[2],
    size_t *nvals, const char **id)
{
	size_t n = strlen(s), binlen = 0;
	unsigned char *bin;
	json_t *j, *v;
	json_error_t je;
	bool ok = false;

	if (n == 0 || n > CURSOR_MAX)
		return false;
	bin = arena_alloc(a, n + 1);
	if (sodium_base642bin(bin, n, s, n, NULL, &binlen, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return false;
	j = json_loadb((const char *)bin, binlen, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL)
		return false;
	v = json_object_get(j, "v");
	if (json_is_string(json_object_get(j, "s")) && json_is_string(json_object_get(j, "i")) &&
	    json_is_array(v) && json_array_size(v) >= 1 && json_array_size(v) <= 2 &&
	    json_object_size(j) == 3 && id_is_uuid(json_string_value(json_object_get(j, "i")))) {
		ok = true;
		*nvals = json_array_size(v);
		for (size_t i = 0; i < *nvals; i++) {
			if (!json_is_string(json_array_get(v, i))) {
				ok = false;
				break;
			}
			vals[i] = arena_strdup(a, json_string_value(json_array_get(v, i)));
		}
		*spec = arena_strdup(a, json_string_value(json_object_get(j, "s")));
		*id = arena_strdup(a, json_string_value(json_object_get(j, "i")));
	}
	json_decref(j);
	return ok;
}

/* Query strings ----------------------------------------------------------------- */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes n bytes ('+' is a space); NULL on a bad escape or NUL. */
static char *
qdecode(struct arena *a, const char *s, size_t n)
{
	char *out = arena_alloc(a, n + 1), *o = out;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return NULL;
			if ((hi = hexval(s[i + 1])) < 0 || (lo = hexval(s[i + 2])) < 0 ||
			    (hi == 0 && lo == 0))
				return NULL;
			*o++ = (char)(hi * 16 + lo);
			i += 2;
		} else {
			*o++ = s[i] == '+' ? ' ' : s[i];
		}
	}
	*o = '\0';
	return out;
}

struct qparam {
	const char *name;
	const char *value;
};

/* Splits a query string into decoded name/value pairs. */
static enum status
query_split(struct arena *a, const char *query, struct qparam *out, size_t max,
    size_t *n, struct err *e)
{
	const char *p = query;

	*n = 0;
	while (p != NULL && *p) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		size_t nl = eq ? (size_t)(eq - p) : len;

		if (len > 0) {
			if (*n >= max)
				return err_set(e, ST_INVALID, "Too many query parameters.");
			out[*n].name = qdecode(a, p, nl);
			out[*n].value = eq ? qdecode(a, eq + 1, len - nl - 1) : "";
			if (out[*n].name == NULL || out[*n].value == NULL ||
			    !utf8_ok((const unsigned char *)out[*n].name) ||
			    !utf8_ok((const unsigned char *)out[*n].value)) {
				err_detail(e, "query", "is not correctly percent-encoded UTF-8");
				return err_set(e, ST_INVALID, "The query string is malformed.");
			}
			(*n)++;
		}
		p = amp ? amp + 1 : NULL;
	}
	return ST_OK;
}

/* Checks a filter (or range) value against the field's type. */
static bool
filter_value_ok(const struct admin_field *f, const char *v, const char **why)
{
	switch (f->type) {
	case ADM_INT: {
		char *end;
		long long n;

		*why = "must be an integer";
		if (*v == '\0' || strlen(v) > 11)
			return false;
		n = strtoll(v, &end, 10);
		return *end == '\0' && n >= INT_MIN && n <= INT_MAX;
	}
	case ADM_BOOL:
		*why = "must be true or false";
		return strcmp(v, "true") == 0 || strcmp(v, "false") == 0;
	case ADM_UUID:
		*why = "must be a UUID";
		return id_is_uuid(v);
	case ADM_DATE:
		*why = "must be a date (YYYY-MM-DD)";
		return admin_check_date(v);
	case ADM_TIME:
		*why = "must be a time (HH:MM)";
		return admin_check_time(v);
	case ADM_TSTZ:
		*why = "must be an RFC 3339 date-time with offset";
		return admin_check_rfc3339(v);
	case ADM_TEXT:
	case ADM_CITEXT:
	case ADM_TEXT_ARRAY:
	case ADM_JSON:
		break;
	}
	*why = "must be 1 to 500 characters without control characters";
	if (*v == '\0' || jv_utf8_length(v) > FILTER_VALUE_MAX || !jv_no_controls(v))
		return false;
	if (f->v.choices != NULL) {
		for (const char *const *c = f->v.choices; *c != NULL; c++)
			if (strcmp(*c, v) == 0)
				return true;
		*why = "must be one of the allowed values";
		return false;
	}
	return true;
}

static bool
parse_bool(const char *v, bool *out)
{
	if (strcmp(v, "true") == 0)
		*out = true;
	else if (strcmp(v, "false") == 0)
		*out = false;
	else
		return false;
	return true;
}

/* Parses ?limit, cursor, sort, include_deleted, from, to and filters. */
static enum status
parse_list_query(const struct admin_resource *res, struct request *r, struct admin_list_q *q)
{
	struct qparam qp[QUERY_PARAMS_MAX];
	const struct admin_field *rf = res->range_field ? admin_find_field(res, res->range_field)
	    : NULL;
	const char *sort = NULL, *cursor = NULL, *why;
	size_t n, before = r->err.nviolations;
	enum status st;

	memset(q, 0, sizeof(*q));
	q->limit = 50;
	if ((st = query_split(r->arena, r->query, qp, QUERY_PARAMS_MAX, &n, &r->err)) != ST_OK)
		return st;
	for (size_t i = 0; i < n; i++) {
		const char *k = qp[i].name, *v = qp[i].value;
		const struct admin_field *f;
		bool dup = false;

		for (size_t j = 0; j < i; j++)
			dup = dup || strcmp(qp[j].name, k) == 0;
		if (dup) {
			err_detail(&r->err, k, "is given more than once");
			continue;
		}
		if (strcmp(k, "limit") == 0) {
			char *end;
			long l = strtol(v, &end, 10);

			if (*v == '\0' || *end != '\0' || strlen(v) > 3 || l < 1 || l > 100)
				err_detail(&r->err, k, "must be an integer from 1 to 100");
			else
				q->limit = (int)l;
		} else if (strcmp(k, "cursor") == 0) {
			cursor = v;
		} else if (strcmp(k, "sort") == 0) {
			sort = v;
		} else if (strcmp(k, "include_deleted") == 0 && (res->flags & ADMIN_SOFT_DELETE)) {
			if (!parse_bool(v, &q->include_deleted))
				err_detail(&r->err, k, "must be true or false");
		} else if ((strcmp(k, "from") == 0 || strcmp(k, "to") == 0) && rf != NULL) {
			if (!filter_value_ok(rf, v, &why))
				err_detail(&r->err, k, "%s", why);
			else if (k[0] == 'f')
				q->from = v;
			else
				q->to = v;
		} else if ((f = admin_find_field(res, k)) != NULL && (f->flags & AF_FILTER) &&
		    !(f->flags & AF_SECRET)) {
			if (!filter_value_ok(f, v, &why))
				err_detail(&r->err, k, "%s", why);
			else if (q->nfilters < ADMIN_FILTERS_MAX)
				q->filters[q->nfilters++] = (struct admin_filter){ f, v };
		} else {
			err_detail(&r->err, k, "is not a query parameter of this list");
		}
	}
	if (sort == NULL)
		sort = res->default_sort ? res->default_sort : "created_at";
	q->desc = sort[0] == '-';
	q->sort = admin_find_field(res, sort + q->desc);
	if (q->sort == NULL || !(q->sort->flags & AF_SORT) || (q->sort->flags & AF_SECRET)) {
		err_detail(&r->err, "sort", "cannot sort by this field");
		q->sort = NULL;
	} else {
		q->sort_spec = sort;
		if (res->tiebreak != NULL && strcmp(res->tiebreak, q->sort->v.name) != 0)
			q->tiebreak = admin_find_field(res, res->tiebreak);
	}
	if (cursor != NULL && q->sort != NULL) {
		const char *spec = NULL;
		size_t nv = 0;

		if (!cursor_decode(r->arena, cursor, &spec, q->cursor_vals, &nv, &q->cursor_id))
			err_detail(&r->err, "cursor", "is not a cursor of this list");
		else if (strcmp(spec, q->sort_spec) != 0 || nv != (q->tiebreak ? 2u : 1u))
			err_detail(&r->err, "cursor", "belongs to another sort order");
		else
			q->has_cursor = true;
	}
	if (r->err.nviolations > before)
		return err_set(&r->err, ST_INVALID, "Some query parameters are invalid.");
	return ST_OK;
}

/* Bodies ----------------------------------------------------------------------- */

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

/* Checks body against the descriptor: the writable fields for this verb,
 * typed and limited, required ones present on create; then normalises.
 * *out is a new object holding only fields to write. */
static enum status
parse_input(const struct admin_resource *res, struct request *r, json_t *body, bool create,
    json_t **out)
{
	struct jv_field jf[64];
	size_t n = 0, before = r->err.nviolations;
	json_t *in = json_copy(body), *v;
	const char *k;
	void *tmp;

	arena_defer(r->arena, (void (*)(void *))json_decref, in);
	json_object_foreach_safe(in, tmp, k, v) {
		const struct admin_field *f = admin_find_field(res, k);

		if (builtin_column(res, k) || (f != NULL && (f->flags & AF_READONLY))) {
			err_detail(&r->err, k, "is read-only");
			json_object_del(in, k);
		} else if (f != NULL && !create && (f->flags & AF_CREATE_ONLY)) {
			err_detail(&r->err, k, "cannot be changed once set");
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
	(void)!jv_validate(in, jf, n, &r->err);
	json_object_foreach(in, k, v) {
		const struct admin_field *f = admin_find_field(res, k);

		if (f == NULL || has_detail(&r->err, k))
			continue;
		if (f->type == ADM_TEXT_ARRAY && json_is_array(v))
			check_items(f, v, &r->err);
		if (f->normalise != NULL && json_is_string(v)) {
			const char *s = f->normalise(r->arena, json_string_value(v), k, &r->err);

			if (s != NULL)
				json_object_set_new(in, k, json_string(s));
		}
	}
	if (r->err.nviolations > before)
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	*out = in;
	return ST_OK;
}

/* Weekly intervals ------------------------------------------------------------------ */

static int
interval_cmp(const void *a, const void *b)
{
	const struct admin_interval *x = a, *y = b;
	int c;

	if (x->weekday != y->weekday)
		return x->weekday - y->weekday;
	if ((c = strcmp(x->start, y->start)) != 0)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

enum status
admin_parse_intervals(struct request *r, json_t *body, const char *field,
    const char *start_key, const char *end_key, size_t max,
    struct admin_interval **out, size_t *n)
{
	json_t *arr = json_object_get(body, field), *item;
	size_t before = r->err.nviolations, i;
	struct admin_interval *iv;

	*out = NULL;
	*n = 0;
	if (arr == NULL || !json_is_array(arr)) {
		err_detail(&r->err, field, arr ? "must be an array" : "is required");
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	}
	if (json_array_size(arr) > max) {
		err_detail(&r->err, field, "must have at most %zu items", max);
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	}
	iv = arena_calloc(r->arena, json_array_size(arr) + 1, sizeof(*iv));
	json_array_foreach(arr, i, item) {
		char *at = arena_printf(r->arena, "%s[%zu]", field, i);
		json_t *wd, *s, *e, *v;
		const char *k;
		bool ok = true;

		if (!json_is_object(item)) {
			err_detail(&r->err, at, "must be an object");
			continue;
		}
		json_object_foreach(item, k, v) {
			if (strcmp(k, "weekday") != 0 && strcmp(k, start_key) != 0 &&
			    strcmp(k, end_key) != 0) {
				err_detail(&r->err, arena_printf(r->arena, "%s.%s", at, k),
				    "is not a known field");
				ok = false;
			}
		}
		wd = json_object_get(item, "weekday");
		s = json_object_get(item, start_key);
		e = json_object_get(item, end_key);
		if (!json_is_integer(wd) || json_integer_value(wd) < 1 || json_integer_value(wd) > 7) {
			err_detail(&r->err, arena_printf(r->arena, "%s.weekday", at),
			    "must be an integer from 1 (Monday) to 7 (Sunday)");
			ok = false;
		}
		if (!json_is_string(s) || !admin_check_time(json_string_value(s))) {
			err_detail(&r->err, arena_printf(r->arena, "%s.%s", at, start_key),
			    "must be a time (HH:MM)");
			ok = false;
		}
		if (!json_is_string(e) || !admin_check_time(json_string_value(e))) {
			err_detail(&r->err, arena_printf(r->arena, "%s.%s", at, end_key),
			    "must be a time (HH:MM)");
			ok = false;
		}
		if (!ok)
			continue;
		if (strcmp(json_string_value(s), json_string_value(e)) >= 0) {
			err_detail(&r->err, arena_printf(r->arena, "%s.%s", at, end_key),
			    "must be after %s", start_key);
			continue;
		}
		iv[*n].weekday = (int)json_integer_value(wd);
		memcpy(iv[*n].start, json_string_value(s), 6);
		memcpy(iv[*n].end, json_string_value(e), 6);
		iv[*n].index = i;
		(*n)++;
	}
	if (r->err.nviolations > before)
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	qsort(iv, *n, sizeof(*iv), interval_cmp);
	for (i = 1; i < *n; i++) {
		if (iv[i].weekday == iv[i - 1].weekday && strcmp(iv[i].start, iv[i - 1].end) < 0)
			err_detail(&r->err, arena_printf(r->arena, "%s[%zu]", field, iv[i].index),
			    "overlaps %s[%zu] on the same weekday", field, iv[i - 1].index);
	}
	if (r->err.nviolations > before)
		return err_set(&r->err, ST_INVALID, "Some intervals overlap.");
	*out = iv;
	return ST_OK;
}

json_t *
admin_intervals_json(const struct admin_interval *iv, size_t n, const char *start_key,
    const char *end_key)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:i, s:s, s:s}", "weekday", iv[i].weekday,
		    start_key, iv[i].start, end_key, iv[i].end));
	return a;
}

/* Shared helpers ------------------------------------------------------------------ */

enum status
admin_path_id(struct request *r, const char *param, const char *what, const char **out)
{
	const char *v = http_param(r, param);

	if (v == NULL || !id_is_uuid(v))
		return err_set(&r->err, ST_NOTFOUND, "No %s with this id.", what);
	*out = v;
	return ST_OK;
}

/* "3", "\"3\"" or "W/\"3\"" → 3. */
static bool
parse_etag(const char *s, long long *out)
{
	size_t n;

	if (strncmp(s, "W/", 2) == 0)
		s += 2;
	n = strlen(s);
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s++;
		n -= 2;
	}
	if (n == 0 || n > 9 || !all_digits(s, n))
		return false;
	*out = 0;
	for (size_t i = 0; i < n; i++)
		*out = *out * 10 + (s[i] - '0');
	return true;
}

enum status
admin_if_match(struct request *r, json_t *body, bool *have, long long *version)
{
	const char *h = http_header(r, "if-match");
	json_t *bv = body ? json_object_get(body, "version") : NULL;
	long long hv = 0;

	*have = false;
	if (h != NULL && !parse_etag(h, &hv)) {
		err_detail(&r->err, "If-Match", "must be a version such as \"3\"");
		return err_set(&r->err, ST_INVALID, "The If-Match header is invalid.");
	}
	if (bv != NULL) {
		if (!json_is_integer(bv) || json_integer_value(bv) < 1 ||
		    json_integer_value(bv) > 999999999) {
			err_detail(&r->err, "version", "must be a positive integer");
			return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
		}
		if (h != NULL && hv != json_integer_value(bv)) {
			err_detail(&r->err, "If-Match", "names another version than \"version\"");
			return err_set(&r->err, ST_INVALID, "If-Match and version disagree.");
		}
		hv = json_integer_value(bv);
		json_object_del(body, "version");
	} else if (h == NULL) {
		return ST_OK;
	}
	*have = true;
	*version = hv;
	return ST_OK;
}

static enum status
require_if_match(struct request *r, json_t *body, long long *version)
{
	bool have;
	enum status st;

	if ((st = admin_if_match(r, body, &have, version)) != ST_OK)
		return st;
	if (!have) {
		err_detail(&r->err, "If-Match",
		    "is required: send the version you read, as If-Match: \"<version>\"");
		return err_set(&r->err, ST_INVALID,
		    "Updates need If-Match (or \"version\" in the body).");
	}
	return ST_OK;
}

enum status
admin_reply_row(struct request *r, struct response *w, int status, json_t *row)
{
	json_t *v = json_object_get(row, "version");

	if (json_is_integer(v))
		response_header(w, "etag", arena_printf(r->arena, "\"%lld\"",
		    (long long)json_integer_value(v)));
	return reply_json(r, w, status, json_incref(row));
}

static void
attach_warnings(json_t *row, json_t *warnings)
{
	if (json_array_size(warnings) > 0)
		json_object_set(row, "warnings", warnings);
}

/* The resource's path with its parent parameter filled in. */
static const char *
expand_path(struct arena *a, const char *path, const char *parent_id)
{
	const char *o = strchr(path, '{'), *c;

	if (o == NULL || parent_id == NULL || (c = strchr(o, '}')) == NULL)
		return path;
	return arena_printf(a, "%.*s%s%s", (int)(o - path), path, parent_id, c + 1);
}

static enum status
parent_of(const struct admin_resource *res, struct request *r, const char **out)
{
	*out = NULL;
	if (res->parent == NULL)
		return ST_OK;
	return admin_path_id(r, res->parent->param, res->parent->what, out);
}

static const char *
what(const struct admin_resource *res)
{
	return res->title ? res->title : res->name;
}

/* Handlers ------------------------------------------------------------------------ */

enum status
admin_list(const struct admin_resource *res, struct request *r, struct response *w)
{
	struct admin_ctx c = { res, r, NULL };
	struct admin_list_q q;
	struct admin_page page;
	const char *next = NULL;
	enum status st;

	if ((st = parent_of(res, r, &c.parent_id)) != ST_OK)
		return st;
	if ((st = parse_list_query(res, r, &q)) != ST_OK)
		return st;
	if ((st = admin_svc_list(&c, &q, &page)) != ST_OK)
		return st;
	if (page.more && page.last_id != NULL &&
	    (next = cursor_encode(r->arena, q.sort_spec, page.last_vals[0],
	    q.tiebreak ? page.last_vals[1] : NULL, page.last_id)) == NULL)
		return err_set(&r->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	return reply_json(r, w, 200, json_pack("{s:O, s:s?}", "items", page.items,
	    "next_cursor", next));
}

enum status
admin_create(const struct admin_resource *res, struct request *r, struct response *w)
{
	struct admin_ctx c = { res, r, NULL };
	json_t *body, *in, *row = NULL, *warnings = json_array();
	enum status st;

	arena_defer(r->arena, (void (*)(void *))json_decref, warnings);
	if ((st = parent_of(res, r, &c.parent_id)) != ST_OK)
		return st;
	if ((st = http_json_body(r, &body)) != ST_OK)
		return st;
	if ((st = parse_input(res, r, body, true, &in)) != ST_OK)
		return st;
	if ((st = admin_svc_create(&c, in, warnings, &row)) != ST_OK)
		return st;
	response_header(w, "location", arena_printf(r->arena, "%s/%s",
	    expand_path(r->arena, res->path, c.parent_id),
	    json_string_value(json_object_get(row, "id"))));
	attach_warnings(row, warnings);
	return admin_reply_row(r, w, 201, row);
}

enum status
admin_get(const struct admin_resource *res, struct request *r, struct response *w)
{
	struct admin_ctx c = { res, r, NULL };
	const char *id = NULL;
	json_t *row = NULL;
	enum status st;

	if ((st = parent_of(res, r, &c.parent_id)) != ST_OK)
		return st;
	if (!(res->flags & ADMIN_SINGLETON) &&
	    (st = admin_path_id(r, "id", what(res), &id)) != ST_OK)
		return st;
	if ((st = admin_svc_get(&c, id, &row)) != ST_OK)
		return st;
	return admin_reply_row(r, w, 200, row);
}

enum status
admin_update(const struct admin_resource *res, struct request *r, struct response *w)
{
	struct admin_ctx c = { res, r, NULL };
	const char *id = NULL;
	json_t *body, *in, *row = NULL, *warnings = json_array();
	long long version = 0;
	enum status st;

	arena_defer(r->arena, (void (*)(void *))json_decref, warnings);
	if ((st = parent_of(res, r, &c.parent_id)) != ST_OK)
		return st;
	if (!(res->flags & ADMIN_SINGLETON) &&
	    (st = admin_path_id(r, "id", what(res), &id)) != ST_OK)
		return st;
	if ((st = http_json_body(r, &body)) != ST_OK)
		return st;
	if ((st = require_if_match(r, body, &version)) != ST_OK)
		return st;
	if ((st = parse_input(res, r, body, false, &in)) != ST_OK)
		return st;
	if ((st = admin_svc_update(&c, id, true, version, in, warnings, &row)) != ST_OK)
		return st;
	attach_warnings(row, warnings);
	return admin_reply_row(r, w, 200, row);
}

enum status
admin_delete(const struct admin_resource *res, struct request *r, struct response *w)
{
	struct admin_ctx c = { res, r, NULL };
	const char *id = NULL;
	long long version = 0;
	bool have = false;
	enum status st;

	if ((st = parent_of(res, r, &c.parent_id)) != ST_OK)
		return st;
	if ((st = admin_path_id(r, "id", what(res), &id)) != ST_OK)
		return st;
	if ((st = admin_if_match(r, NULL, &have, &version)) != ST_OK)
		return st;
	if ((st = admin_svc_delete(&c, id, have, version)) != ST_OK)
		return st;
	return reply_text(w, 204, NULL, "", 0);
}
