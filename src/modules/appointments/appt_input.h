/* appt_input.h — parsing and validating the scheduling API's input at the
 * edge: ids, start times, bundles of services, customers, the customer's
 * proof of identity. Each helper adds a detail naming the field to r->err
 * when something is wrong and returns false; the route then answers 400
 * with every problem at once (appt_input_done). Ids come out lower-case. */
#ifndef APPOINTMENTS_INPUT_H
#define APPOINTMENTS_INPUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/jsonv.h"
#include "http/http.h"
#include "modules/appointments/appt_service.h"

#define APPT_ADDONS_MAX 20

/* ST_INVALID ("Some fields are invalid.") when details were added since
 * `before` (r->err.nviolations), else ST_OK. */
enum status appt_input_done(struct request *r, size_t before) MUST_USE;

/* The query string's decoded pairs (at most APPT_QPARAMS_MAX); a
 * malformed query string is a detail on "query". */
bool appt_input_query(struct request *r, struct http_qparam *qp, size_t *n);
/* The query parameters named in names, each at most once, into vals (NULL
 * when absent); any other name or a repeat is a detail. false only when
 * the query string could not be read (a detail on "query"). */
bool appt_input_query_named(struct request *r, const char *const *names, const char **vals,
    size_t nnames);

/* An optional whole number (a query parameter) from lo to hi; dflt when
 * s is NULL. */
bool appt_input_int(struct request *r, const char *s, const char *field, int lo, int hi,
    int dflt, int *out);
/* A UUID string member (NULL when absent and not required). */
bool appt_input_uuid(struct request *r, json_t *v, const char *field, const char **out);
/* An array of distinct UUIDs, at most max. */
bool appt_input_uuid_array(struct request *r, json_t *v, const char *field, size_t max,
    const char ***out, size_t *n);
/* "a,b,c" of distinct UUIDs (a query parameter), at most max. */
bool appt_input_uuid_list(struct request *r, const char *s, const char *field, size_t max,
    const char ***out, size_t *n);
/* An RFC 3339 date-time with offset. */
bool appt_input_start(struct request *r, const char *s, const char *field, int64_t *out);
/* A list filter's bound (from, to): any RFC 3339 instant, fractions too. */
bool appt_input_instant(struct request *r, const char *s, const char *field, int64_t *out);

/* Validates obj (a JSON object) against fields, naming problems
 * "prefix.field". */
bool appt_input_object(struct request *r, json_t *obj, const struct jv_field *fields,
    size_t n, const char *prefix);

/* "services": [{"service_id", "addon_ids"?}], 1..AVAIL_MAX_SERVICES,
 * each service once. */
bool appt_input_services(struct request *r, json_t *arr, struct appt_item_in *items,
    size_t *n);
/* Fills items from plain service ids (availability, holds). */
bool appt_input_service_ids(struct request *r, const char **ids, size_t n, const char *field,
    struct appt_item_in *items, size_t *n_items);

/* "customer": {"name", "email"?, "phone"?}: a name and a way to reach them;
 * SMS consent needs a phone. */
bool appt_input_customer(struct request *r, json_t *obj, bool sms_consent,
    struct appt_customer_in *out);

/* The customer's proof on the public booking routes: exactly one of an
 * e-mail and a phone. A malformed one can match no booking: it is kept as
 * given and the lookup simply finds nothing. */
bool appt_input_contact(struct request *r, const char *email, const char *phone,
    struct appt_verify *v);

/* What every booking create starts with: the Idempotency-Key header, the
 * JSON body (*body) checked against fields, the services, the start, the
 * preferred staff member and the notes. A status other than ST_OK only when the body
 * cannot be read or checked; other problems are details. */
enum status appt_input_booking(struct request *r, const struct jv_field *fields, size_t n,
    struct appt_book_in *in, json_t **body) MUST_USE;

#endif
