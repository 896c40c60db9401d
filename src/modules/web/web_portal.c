/* web_portal.c — the tenant's booking portal, rendered here so the first
 * paint needs no request from the page: the business's name, services,
 * hours and policies are in the HTML, and what the page scripts need is
 * inlined as JSON. Everything from the database is escaped on the way out
 * (HTML text and attributes; JSON with '<', '>' and '&' as \u escapes, so
 * no value can close the <script> block it sits in).
 *
 * White label: nothing names the platform unless the tenant's plan lacks
 * FEAT_REMOVE_PLATFORM_BRANDING, and then only a "Powered by" line.
 *
 * Every page carries a strict CSP: scripts from this host only, styles
 * from this host plus one nonce'd <style> holding the tenant's colours,
 * never framed. */
#include <ctype.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "modules/billing/billing.h"
#include "modules/web/web_internal.h"

/* ---- tenant data ------------------------------------------------------- */

enum status
web_tenant_json(struct request *r, json_t **out)
{
	const char *text;
	json_t *t;
	enum status st;

	if ((st = web_portal_text(&r->ctx, &text)) != ST_OK)
		return st;
	if ((t = json_loads(text, 0, NULL)) == NULL)
		return err_set(&r->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	arena_defer(r->arena, (void (*)(void *))json_decref, t);
	*out = t;
	return ST_OK;
}

static const char *
brand_name(struct page *p)
{
	const char *n = page_str(json_object_get(p->t, "branding"), "display_name");

	return n ? n : page_str(p->t, "name");
}

static enum status
page_begin(struct page *p, struct request *r, const char *title)
{
	json_t *b;
	enum status st;
	const char *logo, *css = web_asset_url("portal.css");

	page_init(p, r);
	if ((st = web_tenant_json(r, &p->t)) != ST_OK)
		return st;
	b = json_object_get(p->t, "branding");
	page_raw(p, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	    "<meta name=\"referrer\" content=\"no-referrer\"><title>");
	if (title != NULL) {
		page_text(p, title);
		page_raw(p, " · ");
	}
	page_text(p, brand_name(p));
	page_raw(p, "</title>");
	if (css != NULL)
		page_rawf(p, "<link rel=\"stylesheet\" href=\"%s\">", css);
	page_rawf(p, "<style nonce=\"%s\">:root{--rcp-primary:%s;--rcp-accent:%s}</style>",
	    p->nonce, page_colour(b, "primary_color", "#2563eb"), page_colour(b, "accent_color", "#1e40af"));
	page_raw(p, "</head>\n<body><a class=\"skip\" href=\"#main\">Skip to content</a>"
	    "<header class=\"site\"><a class=\"brand\" href=\"/\">");
	if ((logo = page_str(b, "logo_url")) != NULL && strncmp(logo, "https://", 8) == 0) {
		page_raw(p, "<img class=\"logo\" alt=\"\" src=\"");
		page_text(p, logo);
		page_raw(p, "\">");
	}
	page_raw(p, "<span class=\"name\">");
	page_text(p, brand_name(p));
	page_raw(p, "</span></a><nav aria-label=\"Main\"><a href=\"/book\">Book</a>"
	    "<a href=\"/chat\">Chat with us</a></nav></header>\n<main id=\"main\" tabindex=\"-1\">");
	return ST_OK;
}

static void
address_line(struct page *p)
{
	json_t *a = json_object_get(p->t, "address");
	const char *parts[] = { page_str(a, "line1"), page_str(a, "line2"), page_str(a, "city"),
		page_str(a, "region"), page_str(a, "postal_code") };
	bool first = true;

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (parts[i] == NULL)
			continue;
		if (!first)
			page_raw(p, ", ");
		page_text(p, parts[i]);
		first = false;
	}
}

static bool
has_address(struct page *p)
{
	json_t *a = json_object_get(p->t, "address");

	return page_str(a, "line1") || page_str(a, "city");
}

static enum status
page_end(struct page *p, struct response *w, int status, json_t *data, const char *script)
{
	enum plan_tier tier = PLAN_FREE;
	const char *url = script ? web_asset_url(script) : NULL;

	page_raw(p, "</main>\n<footer class=\"site\"><p>");
	page_text(p, page_str(p->t, "name"));
	if (has_address(p)) {
		page_raw(p, " · ");
		address_line(p);
	}
	page_raw(p, "</p><p><a href=\"/privacy\">Privacy</a> · <a href=\"/terms\">Terms</a></p>");
	(void)plan_parse(p->r->ctx.tenant.plan, &tier);
	if (!plan_has(tier, FEAT_REMOVE_PLATFORM_BRANDING)) {
		page_raw(p, "<p class=\"powered\">Powered by ");
		page_text(p, p->r->ctx.cfg->platform_name);
		page_raw(p, "</p>");
	}
	page_raw(p, "</footer>\n");
	if (data != NULL)
		page_json_block(p, "rcp-data", data);
	if (url != NULL)
		page_rawf(p, "<script src=\"%s\" defer></script>", url);
	page_raw(p, "</body></html>\n");
	if (p->st != ST_OK)
		return err_set(&p->r->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	page_headers(p, w);
	return reply_text(w, status, "text/html; charset=utf-8", p->b->data, p->b->len);
}

/* What every page script gets: the tenant, as far as the page needs it. */
static json_t *
page_data(struct page *p)
{
	json_t *b = json_object_get(p->t, "branding");

	return json_pack("{s:s?, s:s?, s:s?, s:O?, s:O?, s:O?, s:O?}",
	    "slug", page_str(p->t, "slug"), "name", brand_name(p),
	    "timezone", page_str(p->t, "timezone"),
	    "today", json_object_get(p->t, "today_date"),
	    "services", json_object_get(p->t, "services"),
	    "policies", json_object_get(p->t, "policies"),
	    "primary_color", json_object_get(b, "primary_color"));
}

/* ---- formatting --------------------------------------------------------- */

static const char *const weekdays[] = { "", "Monday", "Tuesday", "Wednesday", "Thursday",
	"Friday", "Saturday", "Sunday" };

static void
price(struct page *p, json_int_t minor, const char *currency)
{
	static const struct { const char *code, *sym; int digits; } cur[] = {
		{ "USD", "$", 2 }, { "EUR", "€", 2 }, { "GBP", "£", 2 }, { "CAD", "CA$", 2 },
		{ "AUD", "A$", 2 }, { "NZD", "NZ$", 2 }, { "JPY", "¥", 0 }, { "KRW", "₩", 0 },
		{ "INR", "₹", 2 }, { "CHF", "CHF ", 2 },
	};
	const char *sym = NULL;
	int digits = 2;

	if (minor == 0) {
		page_raw(p, "Free");
		return;
	}
	for (size_t i = 0; currency != NULL && i < sizeof(cur) / sizeof(cur[0]); i++) {
		if (strcmp(cur[i].code, currency) == 0) {
			sym = cur[i].sym;
			digits = cur[i].digits;
		}
	}
	if (sym != NULL)
		page_raw(p, sym);
	if (digits == 0)
		page_rawf(p, "%lld", (long long)minor);
	else
		page_rawf(p, "%lld.%02lld", (long long)(minor / 100), (long long)(minor % 100));
	if (sym == NULL && currency != NULL) {
		page_raw(p, " ");
		page_text(p, currency);
	}
}

static void
duration(struct page *p, json_int_t min)
{
	if (min >= 60 && min % 60 == 0)
		page_rawf(p, "%lld h", (long long)(min / 60));
	else if (min > 60)
		page_rawf(p, "%lld h %lld min", (long long)(min / 60), (long long)(min % 60));
	else
		page_rawf(p, "%lld min", (long long)min);
}

static void
service_meta(struct page *p, json_t *s)
{
	page_raw(p, "<span class=\"duration\">");
	duration(p, json_integer_value(json_object_get(s, "duration_minutes")));
	page_raw(p, "</span> · <span class=\"price\">");
	price(p, json_integer_value(json_object_get(s, "price_minor")), page_str(s, "currency"));
	page_raw(p, "</span>");
}

static void
hours_table(struct page *p)
{
	json_t *hours = json_object_get(p->t, "hours"), *day;
	json_int_t today = json_integer_value(json_object_get(p->t, "today"));
	size_t i;

	page_raw(p, "<table class=\"hours\"><caption>Opening hours, local time (");
	page_text(p, page_str(p->t, "timezone"));
	page_raw(p, ")</caption><tbody>");
	json_array_foreach(hours, i, day) {
		json_int_t wd = json_integer_value(json_object_get(day, "weekday"));
		json_t *iv = json_object_get(day, "intervals"), *one;
		size_t j;

		if (wd < 1 || wd > 7)
			continue;
		page_rawf(p, "<tr%s><th scope=\"row\">%s%s</th><td>", wd == today ?
		    " class=\"today\" aria-current=\"date\"" : "", weekdays[wd],
		    wd == today ? " <span class=\"tag\">today</span>" : "");
		if (json_array_size(iv) == 0)
			page_raw(p, "Closed");
		json_array_foreach(iv, j, one) {
			if (j > 0)
				page_raw(p, ", ");
			page_text(p, page_str(one, "opens"));
			page_raw(p, "–");
			page_text(p, page_str(one, "closes"));
		}
		page_raw(p, "</td></tr>");
	}
	page_raw(p, "</tbody></table>");
}

static void
policies(struct page *p)
{
	static const struct { const char *key, *title; } rows[] = {
		{ "cancellation", "Cancellations" }, { "late", "Arriving late" },
		{ "no_show", "Missed appointments" }, { "payment", "Payment" },
	};
	json_t *pol = json_object_get(p->t, "policies");
	json_int_t window = json_integer_value(json_object_get(pol, "cancellation_window_hours"));
	bool any = window > 0;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		any |= page_str(pol, rows[i].key) != NULL;
	if (!any)
		return;
	page_raw(p, "<section aria-labelledby=\"policies-h\"><h2 id=\"policies-h\">Policies</h2><dl>");
	if (window > 0)
		page_rawf(p, "<dt>Changes</dt><dd>Bookings can be cancelled or moved up to %lld hours"
		    " before they start.</dd>", (long long)window);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (page_str(pol, rows[i].key) == NULL)
			continue;
		page_rawf(p, "<dt>%s</dt><dd>", rows[i].title);
		page_text(p, page_str(pol, rows[i].key));
		page_raw(p, "</dd>");
	}
	page_raw(p, "</dl></section>");
}

static void
contact(struct page *p)
{
	const char *phone = page_str(p->t, "phone"), *email = page_str(p->t, "email"),
	    *web = page_str(p->t, "website_url");

	page_raw(p, "<section aria-labelledby=\"contact-h\"><h2 id=\"contact-h\">Find us</h2>");
	if (has_address(p)) {
		page_raw(p, "<p class=\"address\">");
		address_line(p);
		page_raw(p, "</p>");
	}
	page_raw(p, "<ul class=\"contact\">");
	if (phone != NULL) {
		page_raw(p, "<li>Phone: <a href=\"tel:");
		page_text(p, phone);
		page_raw(p, "\">");
		page_text(p, phone);
		page_raw(p, "</a></li>");
	}
	if (email != NULL) {
		page_raw(p, "<li>E-mail: <a href=\"mailto:");
		page_text(p, email);
		page_raw(p, "\">");
		page_text(p, email);
		page_raw(p, "</a></li>");
	}
	if (web != NULL && (strncmp(web, "https://", 8) == 0 || strncmp(web, "http://", 7) == 0)) {
		page_raw(p, "<li>Web: <a rel=\"noopener\" href=\"");
		page_text(p, web);
		page_raw(p, "\">");
		page_text(p, web);
		page_raw(p, "</a></li>");
	}
	page_raw(p, "</ul></section>");
}

/* ---- pages ------------------------------------------------------------------ */

/* GET / */
enum status
web_page_home(struct request *r, struct response *w)
{
	struct page p;
	json_t *svcs, *s;
	size_t i;
	enum status st;

	if ((st = page_begin(&p, r, NULL)) != ST_OK)
		return st;
	page_raw(&p, "<section class=\"hero\"><h1>");
	page_text(&p, brand_name(&p));
	page_raw(&p, "</h1>");
	if (has_address(&p)) {
		page_raw(&p, "<p class=\"address\">");
		address_line(&p);
		page_raw(&p, "</p>");
	}
	page_raw(&p, "<p class=\"actions\"><a class=\"button\" href=\"/book\">Book an appointment</a>"
	    " <a class=\"button secondary\" href=\"/chat\">Chat with us</a></p></section>");
	svcs = json_object_get(p.t, "services");
	page_raw(&p, "<section aria-labelledby=\"services-h\"><h2 id=\"services-h\">Services</h2>");
	if (json_array_size(svcs) == 0)
		page_raw(&p, "<p>Services will be listed here soon.</p>");
	else
		page_raw(&p, "<ul class=\"services\">");
	json_array_foreach(svcs, i, s) {
		page_raw(&p, "<li class=\"service\"><h3>");
		page_text(&p, page_str(s, "name"));
		page_raw(&p, "</h3>");
		if (page_str(s, "description") != NULL) {
			page_raw(&p, "<p>");
			page_text(&p, page_str(s, "description"));
			page_raw(&p, "</p>");
		}
		page_raw(&p, "<p class=\"meta\">");
		service_meta(&p, s);
		page_raw(&p, "</p><a class=\"book-link\" href=\"/book?service=");
		page_text(&p, page_str(s, "id"));
		page_raw(&p, "\">Book<span class=\"sr-only\"> ");
		page_text(&p, page_str(s, "name"));
		page_raw(&p, "</span></a></li>");
	}
	if (json_array_size(svcs) > 0)
		page_raw(&p, "</ul>");
	page_raw(&p, "</section><section aria-labelledby=\"hours-h\"><h2 id=\"hours-h\">Hours</h2>");
	hours_table(&p);
	{
		json_t *cl = json_object_get(p.t, "closures"), *c;
		size_t j;

		if (json_array_size(cl) > 0)
			page_raw(&p, "<p>Closed on: ");
		json_array_foreach(cl, j, c) {
			if (j > 0)
				page_raw(&p, "; ");
			page_text(&p, page_str(c, "date"));
			if (page_str(c, "reason") != NULL) {
				page_raw(&p, " (");
				page_text(&p, page_str(c, "reason"));
				page_raw(&p, ")");
			}
		}
		if (json_array_size(cl) > 0)
			page_raw(&p, "</p>");
	}
	page_raw(&p, "</section>");
	policies(&p);
	contact(&p);
	return page_end(&p, w, 200, NULL, NULL);
}

/* GET /book — service → date → time → details → confirm; the script
 * (portal-book) asks the public API for times and books. */
enum status
web_page_book(struct request *r, struct response *w)
{
	struct page p;
	const char *want = http_query(r, "service");
	json_t *svcs, *s;
	size_t i;
	enum status st;

	if ((st = page_begin(&p, r, "Book")) != ST_OK)
		return st;
	svcs = json_object_get(p.t, "services");
	page_raw(&p, "<h1>Book an appointment</h1>"
	    "<form id=\"book-form\" class=\"steps\" novalidate>"
	    "<fieldset id=\"step-service\"><legend><span class=\"n\">1</span> Service</legend>");
	if (json_array_size(svcs) == 0)
		page_raw(&p, "<p>Nothing can be booked online yet.</p>");
	json_array_foreach(svcs, i, s) {
		bool checked = want != NULL ? page_str(s, "id") && strcmp(want, page_str(s, "id")) == 0
		    : i == 0;

		page_raw(&p, "<label class=\"choice\"><input type=\"radio\" name=\"service\" value=\"");
		page_text(&p, page_str(s, "id"));
		page_raw(&p, checked ? "\" checked>" : "\">");
		page_raw(&p, "<span class=\"label\">");
		page_text(&p, page_str(s, "name"));
		page_raw(&p, "</span> <span class=\"meta\">");
		service_meta(&p, s);
		page_raw(&p, "</span></label>");
	}
	page_raw(&p, "</fieldset>"
	    "<fieldset id=\"step-date\"><legend><span class=\"n\">2</span> Date</legend>"
	    "<label for=\"date\">Day</label> <input type=\"date\" id=\"date\" name=\"date\" required");
	if (page_str(p.t, "today_date") != NULL) {
		page_raw(&p, " min=\"");
		page_text(&p, page_str(p.t, "today_date"));
		page_raw(&p, "\" value=\"");
		page_text(&p, page_str(p.t, "today_date"));
		page_raw(&p, "\"");
	}
	page_raw(&p, "></fieldset>"
	    "<fieldset id=\"step-slot\"><legend><span class=\"n\">3</span> Time</legend>"
	    "<p class=\"hint\">Times are local (");
	page_text(&p, page_str(p.t, "timezone"));
	page_raw(&p, ").</p><div id=\"slots\" class=\"slots\" aria-live=\"polite\">"
	    "<p>Choose a service and a day to see free times.</p></div>"
	    "<details id=\"waitlist\" class=\"waitlist\"><summary>No time that suits you? Join the"
	    " waitlist</summary><p class=\"hint\">Fill in your details below and we will tell you"
	    " if a time frees up on this day (by text if you tick \u201cText me\u201d).</p>"
	    "<label for=\"waitlist-part\">When could you come?</label> <select id=\"waitlist-part\">"
	    "<option value=\"any\">Any time</option><option value=\"morning\">Morning</option>"
	    "<option value=\"afternoon\">Afternoon</option><option value=\"evening\">Evening"
	    "</option></select> <button type=\"button\" id=\"waitlist-join\" class=\"button"
	    " secondary\">Join the waitlist</button><p id=\"waitlist-status\" role=\"status\">"
	    "</p></details></fieldset>"
	    "<fieldset id=\"step-details\"><legend><span class=\"n\">4</span> Your details</legend>"
	    "<label for=\"name\">Name</label><input id=\"name\" name=\"name\" autocomplete=\"name\""
	    " required maxlength=\"200\">"
	    "<label for=\"email\">E-mail</label><input id=\"email\" name=\"email\" type=\"email\""
	    " autocomplete=\"email\" maxlength=\"254\" aria-describedby=\"contact-hint\">"
	    "<label for=\"phone\">Phone</label><input id=\"phone\" name=\"phone\" type=\"tel\""
	    " autocomplete=\"tel\" maxlength=\"16\" placeholder=\"+14155550123\""
	    " aria-describedby=\"contact-hint\">"
	    "<p id=\"contact-hint\" class=\"hint\">An e-mail address or a phone number (with"
	    " country code), so we can confirm.</p>"
	    "<label for=\"notes\">Notes <span class=\"optional\">(optional)</span></label>"
	    "<textarea id=\"notes\" name=\"notes\" maxlength=\"2000\" rows=\"3\"></textarea>"
	    "<label class=\"check\"><input type=\"checkbox\" id=\"sms\" name=\"sms_consent\">"
	    " Text me reminders</label></fieldset>"
	    "<div id=\"summary\" class=\"summary\" aria-live=\"polite\"></div>"
	    "<p id=\"form-error\" class=\"error\" role=\"alert\"></p>"
	    "<button type=\"submit\" id=\"confirm\" class=\"button\">Confirm booking</button>"
	    "</form>"
	    "<section id=\"done\" class=\"done\" hidden tabindex=\"-1\" aria-labelledby=\"done-h\">"
	    "<h2 id=\"done-h\">You are booked</h2><p>Your booking reference is"
	    " <strong id=\"ref\" class=\"ref\"></strong>.</p><p id=\"done-when\"></p>"
	    "<p><a id=\"ics\" class=\"button\" download=\"booking.ics\" href=\"#\">Add to calendar"
	    " (.ics)</a> <a id=\"manage\" class=\"button secondary\" href=\"/\">View or change"
	    " this booking</a></p></section>"
	    "<noscript><p>Online booking needs JavaScript.");
	if (page_str(p.t, "phone") != NULL) {
		page_raw(&p, " Call us on ");
		page_text(&p, page_str(p.t, "phone"));
		page_raw(&p, " to book.");
	}
	page_raw(&p, "</p></noscript>");
	return page_end(&p, w, 200, page_data(&p), "portal-book.js");
}

/* GET /chat — the widget, full page. */
enum status
web_page_chat(struct request *r, struct response *w)
{
	struct page p;
	const char *loader = web_asset_url("widget-loader.js");
	enum status st;

	if ((st = page_begin(&p, r, "Chat")) != ST_OK)
		return st;
	page_raw(&p, "<h1 class=\"sr-only\">Chat with ");
	page_text(&p, brand_name(&p));
	page_raw(&p, "</h1><div id=\"rcp-chat\" class=\"chat-host\"></div>"
	    "<noscript><p>The chat needs JavaScript.</p></noscript>");
	if (loader != NULL)
		page_rawf(&p, "<script src=\"%s\" data-mode=\"page\" data-target=\"rcp-chat\" async>"
		    "</script>", loader);
	return page_end(&p, w, 200, NULL, NULL);
}

/* A booking reference from the path, upper-cased into up: six characters
 * of the reference alphabet (no 0, O, 1, I or L), or false. */
static bool
reference_of(const char *ref, char up[8])
{
	size_t n = ref != NULL ? strlen(ref) : 0;

	if (n != 6)
		return false;
	for (size_t i = 0; i < n; i++) {
		up[i] = (char)toupper((unsigned char)ref[i]);
		if (strchr("23456789ABCDEFGHJKMNPQRSTUVWXYZ", up[i]) == NULL)
			return false;
	}
	up[6] = '\0';
	return true;
}

/* GET /booking/{ref} — view, cancel or reschedule once the visitor proves
 * the booking is theirs (its e-mail or phone); until then the page shows
 * nothing about it, not even whether it exists. */
enum status
web_page_booking(struct request *r, struct response *w)
{
	char up[8];
	struct page p;
	json_t *data;
	enum status st;

	if (!reference_of(http_param(r, "ref"), up))
		return err_set(&r->err, ST_NOTFOUND, "No such booking reference.");
	if ((st = page_begin(&p, r, "Your booking")) != ST_OK)
		return st;
	page_rawf(&p, "<h1>Booking <span class=\"ref\">%s</span></h1>"
	    "<form id=\"verify-form\" class=\"card\" novalidate>"
	    "<p>To see or change this booking, enter the e-mail address or phone number"
	    " you booked with.</p><label for=\"contact\">E-mail or phone</label>"
	    "<input id=\"contact\" name=\"contact\" autocomplete=\"email\" required"
	    " maxlength=\"254\"><p id=\"verify-error\" class=\"error\" role=\"alert\"></p>"
	    "<button type=\"submit\" class=\"button\">Show my booking</button></form>"
	    "<section id=\"details\" class=\"card\" hidden tabindex=\"-1\""
	    " aria-labelledby=\"details-h\"><h2 id=\"details-h\">Your booking</h2>"
	    "<dl id=\"facts\"></dl><p id=\"action-status\" role=\"status\"></p>"
	    "<p class=\"actions\"><button type=\"button\" id=\"reschedule-open\""
	    " class=\"button\">Reschedule</button> <button type=\"button\" id=\"cancel\""
	    " class=\"button danger\">Cancel booking</button></p></section>"
	    "<section id=\"reschedule\" class=\"card\" hidden aria-labelledby=\"resched-h\">"
	    "<h2 id=\"resched-h\">Pick a new time</h2><label for=\"new-date\">Day</label>"
	    " <input type=\"date\" id=\"new-date\"><div id=\"new-slots\" class=\"slots\""
	    " aria-live=\"polite\"></div><p id=\"resched-error\" class=\"error\" role=\"alert\"></p>"
	    "<button type=\"button\" id=\"reschedule-confirm\" class=\"button\">Move my"
	    " booking</button></section>", up);
	data = page_data(&p);
	json_object_set_new(data, "reference", json_string(up));
	return page_end(&p, w, 200, data, "portal-booking.js");
}

/* GET /booking/{ref}/confirm#token=… — a reminder's confirmation link. The
 * token stays in the fragment (never in a log or a Referer); the page posts
 * it when the customer presses the button, so a mail scanner following the
 * link confirms nothing. */
enum status
web_page_booking_confirm(struct request *r, struct response *w)
{
	char up[8];
	struct page p;
	json_t *data;
	enum status st;

	if (!reference_of(http_param(r, "ref"), up))
		return err_set(&r->err, ST_NOTFOUND, "No such booking reference.");
	if ((st = page_begin(&p, r, "Confirm your booking")) != ST_OK)
		return st;
	page_rawf(&p, "<h1>Booking <span class=\"ref\">%s</span></h1>"
	    "<section class=\"card\" aria-labelledby=\"confirm-h\"><h2 id=\"confirm-h\">Are you"
	    " coming?</h2><p>Let us know you will be there, so we keep your time for you.</p>"
	    "<p><button type=\"button\" id=\"confirm\" class=\"button\">Yes, I'm coming</button>"
	    " <a class=\"button secondary\" href=\"/booking/%s\">Change or cancel</a></p>"
	    "<p id=\"confirm-status\" role=\"status\"></p></section>"
	    "<noscript><p>Confirming needs JavaScript.</p></noscript>", up, up);
	data = page_data(&p);
	json_object_set_new(data, "reference", json_string(up));
	return page_end(&p, w, 200, data, "portal-confirm.js");
}

/* GET /waitlist/offer#token=… — a waitlist offer's link. As for the
 * confirmation page, the token stays in the fragment and is posted only
 * when the customer presses the button: opening the link books nothing. */
enum status
web_page_waitlist_offer(struct request *r, struct response *w)
{
	struct page p;
	enum status st;

	if ((st = page_begin(&p, r, "A time opened up")) != ST_OK)
		return st;
	page_raw(&p, "<h1>A time opened up</h1>"
	    "<section class=\"card\" aria-labelledby=\"offer-h\"><h2 id=\"offer-h\">Do you want"
	    " it?</h2><p>You were on the waitlist. The first person to confirm gets this time.</p>"
	    "<p><button type=\"button\" id=\"take\" class=\"button\">Book this time</button></p>"
	    "<p id=\"offer-status\" role=\"status\"></p></section>"
	    "<noscript><p>Booking needs JavaScript.</p></noscript>");
	return page_end(&p, w, 200, page_data(&p), "portal-offer.js");
}

static void
legal_intro(struct page *p, const char *title)
{
	page_raw(p, "<article class=\"legal\"><h1>");
	page_raw(p, title);
	page_raw(p, "</h1><p>This page explains how <strong>");
	page_text(p, page_str(p->t, "name"));
	page_raw(p, "</strong>");
	if (has_address(p)) {
		page_raw(p, " (");
		address_line(p);
		page_raw(p, ")");
	}
	page_raw(p, " handles ");
}

static void
legal_contact(struct page *p)
{
	page_raw(p, "<h2>Contact</h2><p>Questions? ");
	if (page_str(p->t, "email") != NULL) {
		page_raw(p, "Write to <a href=\"mailto:");
		page_text(p, page_str(p->t, "email"));
		page_raw(p, "\">");
		page_text(p, page_str(p->t, "email"));
		page_raw(p, "</a>");
		if (page_str(p->t, "phone") != NULL)
			page_raw(p, " or call ");
	} else if (page_str(p->t, "phone") != NULL) {
		page_raw(p, "Call ");
	}
	page_text(p, page_str(p->t, "phone"));
	page_raw(p, ".</p></article>");
}

/* GET /privacy */
enum status
web_page_privacy(struct request *r, struct response *w)
{
	struct page p;
	enum status st;

	if ((st = page_begin(&p, r, "Privacy")) != ST_OK)
		return st;
	legal_intro(&p, "Privacy");
	page_raw(&p, "the personal data you give when you book or chat.</p>"
	    "<h2>What we keep</h2><p>Your name, e-mail address and phone number, the"
	    " appointments you book, and the messages you send in the chat. We use them to"
	    " run your appointments, to remind you of them, and to answer you.</p>"
	    "<h2>Who sees it</h2><p>Our team, and the service providers that host this page"
	    " and send our messages, only to do that for us. We do not sell it.</p>"
	    "<h2>How long</h2><p>As long as you are a customer, and as long afterwards as the"
	    " law asks us to keep records.</p><h2>Your rights</h2><p>You may ask for a copy of"
	    " your data, to correct it, or to delete it.</p>"
	    "<h2>Cookies</h2><p>This page sets no tracking cookies. The chat remembers your"
	    " conversation in your browser's storage so it survives a reload.</p>");
	legal_contact(&p);
	return page_end(&p, w, 200, NULL, NULL);
}

/* GET /terms */
enum status
web_page_terms(struct request *r, struct response *w)
{
	struct page p;
	json_t *pol;
	json_int_t window;
	enum status st;

	if ((st = page_begin(&p, r, "Terms")) != ST_OK)
		return st;
	pol = json_object_get(p.t, "policies");
	window = json_integer_value(json_object_get(pol, "cancellation_window_hours"));
	legal_intro(&p, "Terms of booking");
	page_raw(&p, "bookings made online.</p><h2>Bookings</h2><p>A booking is confirmed when you"
	    " receive its reference. Please arrive on time.</p><h2>Changes and cancellations"
	    "</h2><p>");
	if (window > 0)
		page_rawf(&p, "You can cancel or move a booking online up to %lld hours before it"
		    " starts. ", (long long)window);
	else
		page_raw(&p, "You can cancel or move a booking online any time before it starts. ");
	page_text(&p, page_str(pol, "cancellation"));
	page_raw(&p, "</p>");
	if (page_str(pol, "late") != NULL || page_str(pol, "no_show") != NULL) {
		page_raw(&p, "<h2>Late arrivals and missed appointments</h2><p>");
		page_text(&p, page_str(pol, "late"));
		page_raw(&p, " ");
		page_text(&p, page_str(pol, "no_show"));
		page_raw(&p, "</p>");
	}
	if (page_str(pol, "payment") != NULL) {
		page_raw(&p, "<h2>Payment</h2><p>");
		page_text(&p, page_str(pol, "payment"));
		page_raw(&p, "</p>");
	}
	legal_contact(&p);
	return page_end(&p, w, 200, NULL, NULL);
}
