/* messages_routes.c — the admin's view of the tenant's outbox:
 * GET /v1/admin/messages (filters status, channel; cursor; also at its old
 * name /v1/admin/outbox) and
 * POST /v1/admin/messages/{id}/retry; and the customer's unsubscribe link
 * from reminder e-mails, GET/POST /v1/public/messages/unsubscribe. */
#include <string.h>

#include "core/ids.h"
#include "http/http.h"
#include "modules/auth/auth.h"
#include "modules/messages/messages_internal.h"

static bool
one_of(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(v, *set) == 0)
			return true;
	return false;
}

/* GET /v1/admin/messages?status=failed|queued|sent|sending|…&channel=email|sms */
static enum status
list_route(struct request *r, struct response *w)
{
	static const char *const statuses[] = { "queued", "sending", "sent", "delivered",
		"failed", "bounced", "suppressed", "dead", "cancelled", NULL };
	static const char *const channels[] = { "email", "sms", NULL };
	struct msg_filter f = { 0 };
	struct page pg;
	json_t *items = NULL, *next = NULL;
	enum status st;

	if ((st = auth_page_parse(r, &pg)) != ST_OK)
		return st;
	f.status = http_query(r, "status");
	f.channel = http_query(r, "channel");
	if (f.status != NULL && !one_of(f.status, statuses)) {
		err_detail(&r->err, "status", "must be one of queued, sending, sent, delivered,"
		    " failed (with dead and bounced), bounced, suppressed, dead, cancelled");
		return err_set(&r->err, ST_INVALID, "Unknown status filter.");
	}
	if (f.channel != NULL && !one_of(f.channel, channels)) {
		err_detail(&r->err, "channel", "must be email or sms");
		return err_set(&r->err, ST_INVALID, "Unknown channel filter.");
	}
	f.limit = pg.limit;
	f.after_ts = pg.after_ts;
	f.after_id = pg.after_id;
	if ((st = messages_list(&r->ctx, &f, &items, &next)) != ST_OK)
		return st;
	return reply_json(r, w, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

/* POST /v1/admin/messages/{id}/retry */
static enum status
retry_route(struct request *r, struct response *w)
{
	const char *id = http_param(r, "id");
	json_t *out = NULL;
	enum status st;

	if (id == NULL || !id_is_uuid(id))
		return err_set(&r->err, ST_NOTFOUND, "No such message in this business.");
	if ((st = messages_retry(&r->ctx, id, &out)) != ST_OK)
		return st;
	return reply_json(r, w, 200, out);
}

/* The page needs no script or style: nothing else may load. */
static enum status
reply_page(struct response *w, const char *html)
{
	response_header(w, "content-security-policy", "default-src 'none'; form-action 'self';"
	    " base-uri 'none'; frame-ancestors 'none'");
	response_header(w, "cache-control", "no-store");
	response_header(w, "referrer-policy", "no-referrer");
	return reply_text(w, 200, "text/html; charset=utf-8", html, strlen(html));
}

/* GET /v1/public/messages/unsubscribe?m=&t= — the question and its button
 * (a GET never unsubscribes: mail scanners open links). */
static enum status
unsubscribe_page_route(struct request *r, struct response *w)
{
	const char *html = NULL;
	enum status st;

	if ((st = messages_unsubscribe(&r->ctx, http_query(r, "m"), http_query(r, "t"), false,
	    NULL, &html)) != ST_OK)
		return st;
	return reply_page(w, html);
}

/* POST /v1/public/messages/unsubscribe?m=&t= — the page's button, or a
 * mail client's one-click (body "List-Unsubscribe=One-Click", RFC 8058). */
static enum status
unsubscribe_route(struct request *r, struct response *w)
{
	const char *accept = http_header(r, "accept");
	bool one_click = r->body != NULL && r->body_len > 0 &&
	    memmem(r->body, r->body_len, "List-Unsubscribe=One-Click", 26) != NULL;
	const char *html = NULL;
	enum status st;

	if ((st = messages_unsubscribe(&r->ctx, http_query(r, "m"), http_query(r, "t"), true,
	    one_click ? "one_click" : "link", &html)) != ST_OK)
		return st;
	if (!one_click && accept != NULL && strstr(accept, "text/html") != NULL)
		return reply_page(w, html);
	return reply_json(r, w, 200, json_pack("{s:b}", "unsubscribed", true));
}

#define T TENANCY_HOST_OR_HEADER

static const struct route messages_routes_v[] = {
	{ HTTP_GET, "/v1/admin/messages", list_route, T, PERM(RES_USERS, VERB_READ), NULL },
	/* The name the outbox had before it held every message (issue 11). */
	{ HTTP_GET, "/v1/admin/outbox", list_route, T, PERM(RES_USERS, VERB_READ), NULL },
	{ HTTP_POST, "/v1/admin/messages/{id}/retry", retry_route, T,
	    PERM(RES_USERS, VERB_WRITE), NULL },
	{ HTTP_GET, "/v1/public/messages/unsubscribe", unsubscribe_page_route, TENANCY_HOST, 0,
	    NULL },
	{ HTTP_POST, "/v1/public/messages/unsubscribe", unsubscribe_route, TENANCY_HOST, 0, NULL },
};
const struct route_table messages_routes = TABLE_OF(messages_routes_v);
