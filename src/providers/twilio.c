/* twilio.c — Twilio's Messages API and webhook signatures. See twilio.h.
 * Wire formats: the Message resource (twilio.com/docs/messaging/api/
 * message-resource) and "Validating requests" (twilio.com/docs/usage/
 * security), cross-checked against twilio-node's webhooks.js, whose
 * getExpectedTwilioSignature the integration tests sign with. */
#include "providers/twilio.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "core/crypto.h"
#include "core/http_client.h"

/* Sending -------------------------------------------------------------------- */

static long
json_long(json_t *v)
{
	if (json_is_integer(v))
		return (long)json_integer_value(v);
	if (json_is_string(v))
		return strtol(json_string_value(v), NULL, 10);
	return 0;
}

static const char *
json_str(struct arena *a, json_t *o, const char *name)
{
	const char *s = json_string_value(json_object_get(o, name));

	return s != NULL ? arena_strdup(a, s) : NULL;
}

static void
classify(struct arena *a, const struct http_client_response *resp, struct twilio_result *out)
{
	json_t *j = resp->json;
	long code = json_is_object(j) ? json_long(json_object_get(j, "code")) : 0;

	out->http_status = resp->status;
	out->retry_after_s = resp->retry_after_s;
	if (resp->status >= 200 && resp->status < 300) {
		out->sid = json_is_object(j) ? json_str(a, j, "sid") : NULL;
		out->status = json_is_object(j) ? json_str(a, j, "status") : NULL;
		out->num_segments = json_is_object(j) ?
		    (int)json_long(json_object_get(j, "num_segments")) : 0;
		if (out->sid == NULL || out->sid[0] == '\0' || strlen(out->sid) > 64) {
			/* Accepted, but we cannot track it: say so rather than
			 * send it again. */
			out->cls = TWILIO_SENT;
			out->sid = NULL;
			out->why = "twilio accepted the message without a sid";
			return;
		}
		out->cls = TWILIO_SENT;
		return;
	}
	out->error_code = code;
	if (resp->status == 429 || resp->status >= 500) {
		out->cls = TWILIO_RETRY;
		out->why = arena_printf(a, "twilio answered %ld%s", resp->status,
		    code ? arena_printf(a, " (error %ld)", code) : "");
		return;
	}
	out->cls = TWILIO_FAILED;
	out->why = arena_printf(a, "twilio refused the message: HTTP %ld, error %ld",
	    resp->status, code);
}

enum status
twilio_send(struct arena *a, const struct twilio_account *acct, const struct twilio_message *m,
    struct twilio_result *out, struct err *e)
{
	struct http_client_request req = { .method = "POST" };
	struct http_client_response resp = { 0 };
	const char *base = acct->api_base ? acct->api_base : TWILIO_DEFAULT_API_BASE;
	const char *kv[13];
	size_t n = 0, bl = strlen(base);
	char *cred, *b64;
	size_t credlen, b64len;
	struct err ce;
	enum status st;

	memset(out, 0, sizeof(*out));
	if (acct->account_sid == NULL || acct->auth_token == NULL ||
	    (acct->messaging_service_sid == NULL && acct->from == NULL) || m->to == NULL ||
	    m->body == NULL)
		return err_set(e, ST_INVALID, "twilio: account, sender, to and body are required");
	if (bl && base[bl - 1] == '/')
		bl--;
	req.url = arena_printf(a, "%.*s/2010-04-01/Accounts/%s/Messages.json", (int)bl, base,
	    http_client_escape(a, acct->account_sid));
	kv[n++] = "To";
	kv[n++] = m->to;
	/* A Messaging Service picks the sender from its pool (and carries the
	 * A2P registration); From is used only without one. */
	if (acct->messaging_service_sid != NULL) {
		kv[n++] = "MessagingServiceSid";
		kv[n++] = acct->messaging_service_sid;
	} else {
		kv[n++] = "From";
		kv[n++] = acct->from;
	}
	kv[n++] = "Body";
	kv[n++] = m->body;
	kv[n++] = "StatusCallback";
	kv[n++] = m->status_callback;
	kv[n] = NULL;
	req.body = http_client_form(a, kv);
	req.body_len = strlen(req.body);
	cred = arena_printf(a, "%s:%s", acct->account_sid, acct->auth_token);
	credlen = strlen(cred);
	b64len = sodium_base64_ENCODED_LEN(credlen, sodium_base64_VARIANT_ORIGINAL);
	b64 = arena_alloc(a, b64len);
	sodium_bin2base64(b64, b64len, (const unsigned char *)cred, credlen,
	    sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(cred, credlen);
	http_client_header(a, &req, "Authorization", arena_printf(a, "Basic %s", b64));
	http_client_header(a, &req, "Content-Type", "application/x-www-form-urlencoded");
	http_client_header(a, &req, "Accept", "application/json");
	req.timeout_ms = m->timeout_ms;
	req.max_response = 64 * 1024;
	err_clear(&ce);
	st = http_client_do(a, &req, &resp, &ce);
	sodium_memzero(b64, b64len);
	if (st != ST_OK) {
		/* No answer (timeout, refused, TLS) or an answer too large: we do
		 * not know it was taken, and Twilio is the kind to recover. */
		out->cls = TWILIO_RETRY;
		out->why = st == ST_TIMEOUT ? "twilio did not answer in time"
		    : arena_printf(a, "twilio unreachable: %s", ce.message);
		return ST_OK;
	}
	classify(a, &resp, out);
	return ST_OK;
}

/* Signatures ------------------------------------------------------------------ */

static int
param_cmp(const void *x, const void *y)
{
	const struct twilio_param *p = x, *q = y;
	int c = strcmp(p->name, q->name);

	return c ? c : strcmp(p->value, q->value);
}

char *
twilio_signature_base(struct arena *a, const char *url, struct twilio_param *params, size_t n)
{
	size_t len = strlen(url) + 1, off;
	char *s;

	qsort(params, n, sizeof(*params), param_cmp);
	for (size_t i = 0; i < n; i++)
		len += strlen(params[i].name) + strlen(params[i].value);
	s = arena_alloc(a, len);
	off = strlen(url);
	memcpy(s, url, off);
	for (size_t i = 0; i < n; i++) {
		size_t nl, vl;

		/* A repeated (name, value) pair counts once, as twilio-node's
		 * Set does. */
		if (i > 0 && param_cmp(&params[i - 1], &params[i]) == 0)
			continue;
		nl = strlen(params[i].name);
		vl = strlen(params[i].value);
		memcpy(s + off, params[i].name, nl);
		memcpy(s + off + nl, params[i].value, vl);
		off += nl + vl;
	}
	s[off] = '\0';
	return s;
}

void
twilio_signature(const char *auth_token, const char *base, char out[29])
{
	unsigned char mac[20];

	sec_hmac_sha1(auth_token, strlen(auth_token), base, strlen(base), mac);
	sodium_bin2base64(out, 29, mac, sizeof(mac), sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(mac, sizeof(mac));
}

bool
twilio_signature_ok(struct arena *a, const char *auth_token, const char *url,
    struct twilio_param *params, size_t n, const char *header)
{
	char want[29];
	bool ok;

	if (header == NULL || auth_token == NULL || strlen(header) != 28)
		return false;
	twilio_signature(auth_token, twilio_signature_base(a, url, params, n), want);
	ok = sec_equal(want, header, 28);
	sodium_memzero(want, sizeof(want));
	return ok;
}

/* TwiML ------------------------------------------------------------------------- */

char *
twilio_twiml(struct arena *a, const char *text)
{
	static const char head[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>";
	size_t len = 0;
	char *s, *p;

	if (text == NULL)
		return arena_strdup(a, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>");
	for (const char *c = text; *c; c++)
		len += (*c == '&' || *c == '<' || *c == '>' || *c == '"' || *c == '\'') ? 6 : 1;
	s = p = arena_alloc(a, sizeof(head) + len + 64);
	p = stpcpy(p, head);
	p = stpcpy(p, "<Message>");
	for (const char *c = text; *c; c++) {
		switch (*c) {
		case '&': p = stpcpy(p, "&amp;"); break;
		case '<': p = stpcpy(p, "&lt;"); break;
		case '>': p = stpcpy(p, "&gt;"); break;
		case '"': p = stpcpy(p, "&quot;"); break;
		case '\'': p = stpcpy(p, "&apos;"); break;
		default: *p++ = *c;
		}
	}
	stpcpy(p, "</Message></Response>");
	return s;
}
