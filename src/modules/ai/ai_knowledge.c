/* ai_knowledge.c — what the receptionist knows about the business (profile,
 * hours, closures, services, FAQs, policies, AI settings), read once per
 * process and tenant rather than once per turn.
 *
 * The store reads it as one JSON document; the tenants' text cache keeps
 * that text until a tenant_changed NOTIFY (every table behind it sends
 * one: 0002, and business_table_setup in 0005) or TENANT_CACHE_TTL_S. Each turn parses the text into
 * its own struct ai_tenant, so nothing is shared between threads but the
 * cache's copy. */
#include <string.h>

#include "db/db.h"

#include "modules/ai/ai_internal.h"
#include "modules/tenants/tenants.h"

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL && *s != '\0' ? s : NULL;
}

static const char **
strings(struct arena *a, json_t *arr, size_t *n)
{
	const char **out = arena_calloc(a, json_array_size(arr) + 1, sizeof(*out));

	*n = 0;
	for (size_t i = 0; i < json_array_size(arr); i++)
		if (json_is_string(json_array_get(arr, i)))
			out[(*n)++] = json_string_value(json_array_get(arr, i));
	return out;
}

static int
at_int(json_t *arr, size_t i)
{
	return (int)json_integer_value(json_array_get(arr, i));
}

static const char *
at_str(json_t *arr, size_t i)
{
	const char *s = json_string_value(json_array_get(arr, i));

	return s != NULL && *s != '\0' ? s : NULL;
}

enum status
ai_tenant_parse(struct arena *a, const char *json, struct ai_tenant *out)
{
	json_t *o = ai_keep(a, json_loads(json, 0, NULL)), *v, *e;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(o))
		return ST_INTERNAL;
	out->id = str(o, "id");
	out->name = str(o, "name") ? str(o, "name") : "our business";
	out->zone = str(o, "zone") ? str(o, "zone") : "UTC";
	out->country = str(o, "country") ? str(o, "country") : "US";
	out->phone = str(o, "phone");
	out->email = str(o, "email");
	out->website = str(o, "website");
	out->address = str(o, "address");
	out->cancellation_policy = str(o, "cancellation_policy");
	out->late_policy = str(o, "late_policy");
	out->no_show_policy = str(o, "no_show_policy");
	out->payment_policy = str(o, "payment_policy");
	out->cancel_window_h = (int)json_integer_value(json_object_get(o, "cancel_window_h"));
	out->tone = str(o, "tone") ? str(o, "tone") : "friendly";
	out->greeting = str(o, "greeting");
	out->escalation_rules = str(o, "escalation_rules");
	out->never_do = strings(a, json_object_get(o, "never_do"), &out->nnever_do);
	out->allow_handoff = json_is_true(json_object_get(o, "allow_handoff"));
	out->handoff_keywords = strings(a, json_object_get(o, "handoff_keywords"),
	    &out->nhandoff_keywords);

	v = json_object_get(o, "hours");
	out->hours = arena_calloc(a, json_array_size(v) + 1, sizeof(*out->hours));
	json_array_foreach(v, i, e)
		out->hours[out->nhours++] = (struct ai_hours){ at_int(e, 0), at_int(e, 1),
			at_int(e, 2) };
	v = json_object_get(o, "closures");
	out->closures = arena_calloc(a, json_array_size(v) + 1, sizeof(*out->closures));
	json_array_foreach(v, i, e)
		out->closures[out->nclosures++] = (int32_t)json_integer_value(e);
	v = json_object_get(o, "services");
	out->services = arena_calloc(a, json_array_size(v) + 1, sizeof(*out->services));
	json_array_foreach(v, i, e) {
		struct ai_service *s = &out->services[out->nservices++];
		json_t *l = json_array_get(e, 6), *x;
		size_t k;

		*s = (struct ai_service){ at_str(e, 0), at_str(e, 1), at_str(e, 2), at_str(e, 3),
			at_int(e, 4), (long)json_integer_value(json_array_get(e, 5)), NULL, 0, NULL, 0 };
		s->addons = arena_calloc(a, json_array_size(l) + 1, sizeof(*s->addons));
		json_array_foreach(l, k, x)
			s->addons[s->naddons++] = (struct ai_addon){ at_str(x, 0), at_str(x, 1),
				at_str(x, 2), at_int(x, 3), (long)json_integer_value(json_array_get(x, 4)) };
		l = json_array_get(e, 7);
		s->staff = arena_calloc(a, json_array_size(l) + 1, sizeof(*s->staff));
		json_array_foreach(l, k, x)
			s->staff[s->nstaff++] = (struct ai_person){ at_str(x, 0), at_str(x, 1) };
	}
	v = json_object_get(o, "faqs");
	out->faqs = arena_calloc(a, json_array_size(v) + 1, sizeof(*out->faqs));
	json_array_foreach(v, i, e)
		out->faqs[out->nfaqs++] = (struct ai_faq){ at_str(e, 0), at_str(e, 1), at_str(e, 2) };
	return out->id != NULL ? ST_OK : ST_INTERNAL;
}

enum status
ai_tenant_load(struct db_tx *tx, struct arena *a, const char *tenant_id, struct ai_tenant *out)
{
	char *key = arena_printf(a, "ai:%s", tenant_id);
	const char *json;
	uint64_t gen;
	enum status st;

	if ((json = tcache_text_get(key, a, &gen)) == NULL) {
		if ((st = ai_store_tenant_json(tx, &json)) != ST_OK)
			return st;
		tcache_text_put(key, json, gen);
	}
	if (ai_tenant_parse(a, json, out) != ST_OK)
		return err_set(tx->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	return ST_OK;
}
