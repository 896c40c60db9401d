/* waitlist_service.c — the waitlist's rules (see waitlist_service.h).
 *
 * A freed slot goes round the waiting people one turn at a time. An offer
 * is an invitation, not a claim: while it is out the slot stays bookable
 * by anyone, and whoever confirms first — this person, someone whose turn
 * already passed, or a customer on the portal — gets it through appt_book,
 * whose exclusion constraints settle a race. Offering never happens inside
 * a request: the booking service enqueues a job in the transaction that
 * frees the slot, and each turn's end is another job. */
#include "modules/waitlist/waitlist_service.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "core/crypto.h"
#include "core/time.h"
#include "db/db.h"
#include "http/ratelimit.h"
#include "modules/admin/admin.h"
#include "modules/appointments/appointments.h"
#include "modules/messages/messages.h"

#define GONE_MESSAGE "Sorry, that time has gone: someone else booked it first, or it can no" \
	" longer be booked."

/* A slot whose offers are being settled, and the one offer (or none) that
 * is not to be told it went. */
struct wl_slot_ref {
	const char *key, *except;
	int64_t start;
};

static const char *
token_hash(struct ctx *ctx, const char *token)
{
	unsigned char h[32];

	sec_sha256(token, h);
	return sec_bytea_hex(ctx->arena, h, sizeof(h));
}

/* Joining and leaving -------------------------------------------------------- */

/* Each join may later send mail to an address nobody proved: capped per
 * client and business, one limiter for every way in (portal, widget,
 * receptionist). Counts go to Redis when it is configured. */
static struct ratelimit *join_rl;
static pthread_mutex_t join_rl_lock = PTHREAD_MUTEX_INITIALIZER;

static enum status
join_limit(struct ctx *ctx, const char *client)
{
	int max = ctx->cfg ? ctx->cfg->waitlist_joins_per_hour : 0, retry = 0;
	struct ratelimit *rl;

	if (max <= 0)
		return ST_OK;
	pthread_mutex_lock(&join_rl_lock);
	if (join_rl == NULL)
		join_rl = ratelimit_new(ctx->cfg->redis_url, 0);
	rl = join_rl;
	pthread_mutex_unlock(&join_rl_lock);
	if (rl == NULL || ratelimit_hit(rl, arena_printf(ctx->arena, "waitlist:join:%s:%s",
	    ctx->tenant.id, client ? client : ""), max, 3600, &retry))
		return ST_OK;
	ctx->err->retry_after = retry > 0 ? retry : 1;
	return err_set(ctx->err, ST_RATE_LIMITED, "Too many waitlist requests from your network. "
	    "Please try again later.");
}

enum status
waitlist_join(struct ctx *ctx, const struct waitlist_join_in *in, struct waitlist_joined *out)
{
	struct wl_entry_new e = { in->service_id, in->day, in->part_of_day ? in->part_of_day :
		"any", in->name, in->email, in->phone, in->channel, in->source };
	struct wl_join_check ok;
	struct db_tx tx;
	enum status st;

	if ((st = join_limit(ctx, in->client)) != ST_OK)
		return st;
	sec_random_token(out->leave_token);
	out->channel = in->channel;
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = wl_store_join_check(&tx, e.service_id, e.day, &ok)) != ST_OK)
		goto out;
	if (!ok.service_ok)
		err_detail(ctx->err, "service_id", "is not a bookable service");
	if (!ok.day_ok)
		err_detail(ctx->err, "day", "must be today or a later day within the booking horizon");
	if (!ok.service_ok || !ok.day_ok) {
		st = err_set(ctx->err, ST_INVALID, "Some fields are invalid.");
		goto out;
	}
	st = wl_store_join(&tx, &e, token_hash(ctx, out->leave_token), &out->id, &out->created_at);
	if (st == ST_CONFLICT) {
		st = err_set(ctx->err, ST_CONFLICT, "You are already on the waitlist for this"
		    " service and day.");
		goto out;
	}
	if (st == ST_OK)
		st = admin_audit(&tx, ctx, "waitlist.joined", "waitlist_entry", out->id,
		    json_pack("{s:s, s:s, s:s, s:s, s:s}", "service_id", e.service_id, "day", e.day,
		    "part_of_day", e.part_of_day, "channel", e.channel, "source", e.source));
out:
	return db_tx_end(&tx, st);
}

static json_t *
slot_json(const struct wl_slot *s)
{
	return json_pack("{s:s, s:s, s:s, s:I}", "slot_key", s->key, "service_id", s->service_id,
	    "staff_id", s->staff_id, "starts_at", (json_int_t)s->start);
}

/* Someone left during their own turn: the next person need not wait for
 * that turn to run out. The job is the turn's end, due now. */
static enum status
turns_ended(struct ctx *ctx, struct db_tx *tx, const struct wl_left *l, size_t n)
{
	enum status st = ST_OK;

	for (size_t i = 0; i < n && st == ST_OK; i++) {
		json_t *job;

		if (l[i].turn.key == NULL)
			continue;
		job = slot_json(&l[i].turn);
		st = jobs_enqueue(tx, WL_OFFER_EXPIRED_JOB, job, arena_printf(ctx->arena,
		    "left:%s:%s", l[i].entry_id, l[i].turn.key), 0, 0);
		json_decref(job);
	}
	return st;
}

/* Takes an entry off the list — by its leave token or, for the owner, by
 * id — audited, its running turn passed on; ST_NOTFOUND with msg when
 * nothing was waiting (one answer for a wrong key and one already used). */
static enum status
take_off(struct ctx *ctx, bool by_token, const char *key, const char *action, const char *msg)
{
	struct wl_left *l = NULL;
	struct db_tx tx;
	size_t n = 0;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	st = by_token ? wl_store_leave(&tx, token_hash(ctx, key), &l, &n) :
	    wl_store_remove(&tx, key, &l, &n);
	if (st == ST_OK && n == 0)
		st = err_set(ctx->err, ST_NOTFOUND, "%s", msg);
	if (st == ST_OK && (st = turns_ended(ctx, &tx, l, n)) == ST_OK)
		st = admin_audit(&tx, ctx, action, "waitlist_entry", l[0].entry_id, NULL);
	return db_tx_end(&tx, st);
}

enum status
wl_leave(struct ctx *ctx, const char *token)
{
	return take_off(ctx, true, token, "waitlist.left", "This link is not valid, or you"
	    " already left the waitlist.");
}

enum status
wl_remove(struct ctx *ctx, const char *id)
{
	return take_off(ctx, false, id, "waitlist.removed", "No waiting entry with this id.");
}

enum status
waitlist_person_erase(struct db_tx *tx, const char *email, const char *phone, long long *n)
{
	*n = 0;
	if (email == NULL && phone == NULL)
		return ST_OK;
	return wl_store_erase(tx, email, phone, n);
}

/* Messages ------------------------------------------------------------------------- */

static enum message_channel
channel_of(const char *c)
{
	return strcmp(c, "sms") == 0 ? MESSAGE_SMS : MESSAGE_EMAIL;
}

/* Closes the slot's offers still out and tells each person it went —
 * unless its time has come already, when there is nothing left to say. */
static enum status
tell_gone(struct ctx *ctx, struct db_tx *tx, const struct wl_slot_ref *ref)
{
	struct wl_told *t = NULL;
	size_t n = 0;
	enum status st;

	if ((st = wl_store_slot_gone(tx, ref->key, ref->except, &t, &n)) != ST_OK ||
	    ref->start <= (int64_t)time(NULL))
		return st;
	for (size_t i = 0; i < n && st == ST_OK; i++) {
		json_t *p = json_pack("{s:s, s:s, s:I}", "customer_name", t[i].name, "service",
		    t[i].service_name, "starts_at", (json_int_t)ref->start);

		if (t[i].recipient != NULL)
			st = messages_queue(tx, &(struct message_new){ channel_of(t[i].channel),
			    t[i].recipient, "waitlist.gone", p, arena_printf(ctx->arena,
			    "waitlist:gone:%s", t[i].offer_id), NULL, 0 });
		json_decref(p);
	}
	return st;
}

/* Offering ---------------------------------------------------------------------- */

/* The one service a slot is for, as the booking service's requests name it. */
static void
one_service(struct appt_item_in items[], size_t *n, const char *service_id)
{
	items[0].req.service_id = service_id;
	items[0].field = "service_id";
	items[0].addon_field = "addon_ids";
	*n = 1;
}

/* Whether the booking engine would still offer the slot (with its staff
 * member) to a customer: the freed time may overlap the same booking's new
 * time, fall inside the minimum notice, or have been taken already. Asked
 * outside any transaction (the engine may call the calendars). */
static enum status
still_free(struct ctx *ctx, const struct wl_slot *s, bool *free_)
{
	struct appt_avail_query q;
	struct appt_avail_answer a;
	enum status st;

	memset(&q, 0, sizeof(q));
	one_service(q.items, &q.n_items, s->service_id);
	/* The local date is the UTC date ± 1: ask for the three. */
	q.date = (int32_t)tz_floor_div(s->start, TZ_DAY_S) - 1;
	q.days = 3;
	q.staff_id = s->staff_id;
	*free_ = false;
	if ((st = appt_availability(ctx, &q, &a)) != ST_OK) {
		/* A service since deactivated is not free for anyone. */
		if (st == ST_INVALID)
			err_clear(ctx->err);
		return st == ST_INVALID ? ST_OK : st;
	}
	for (size_t i = 0; i < a.result.n_slots && !*free_; i++)
		*free_ = a.result.slots[i].start == s->start &&
		    strcmp(a.result.slots[i].services[0].staff_id, s->staff_id) == 0;
	return ST_OK;
}

static enum status
queue_offer(struct ctx *ctx, struct db_tx *tx, const struct wl_slot *s,
    const struct wl_next *who, const char *offer_id, const char *token, int64_t expires_at)
{
	const char *to = strcmp(who->channel, "sms") == 0 ? who->phone : who->email;
	json_t *p = json_pack("{s:s, s:s, s:I, s:I, s:s}", "customer_name", who->name,
	    "service", who->service_name, "starts_at", (json_int_t)s->start,
	    "expires_at", (json_int_t)expires_at,
	    "offer_path", arena_printf(ctx->arena, "/waitlist/offer#token=%s", token));
	enum status st;

	st = messages_queue(tx, &(struct message_new){ channel_of(who->channel), to,
	    "waitlist.offer", p, arena_printf(ctx->arena, "waitlist:offer:%s", offer_id), NULL,
	    0 });
	json_decref(p);
	return st;
}

/* Gives the slot to the next person in tx: the offer, its message, and the
 * job that ends the turn. */
static enum status
offer_to_next(struct ctx *ctx, struct db_tx *tx, const struct wl_slot *s, bool *offered)
{
	char token[SEC_TOKEN_CHARS + 1];
	struct wl_next who;
	const char *offer_id;
	int64_t expires_at;
	bool found = false;
	json_t *job;
	enum status st;

	if ((st = wl_store_next_entry(tx, s, &who, &found)) != ST_OK || !found)
		return st;	/* nobody waits: the slot stays free for anyone */
	sec_random_token(token);
	if ((st = wl_store_offer_insert(tx, s, who.entry_id, token_hash(ctx, token), WL_TURN_S,
	    &offer_id, &expires_at)) != ST_OK ||
	    (st = queue_offer(ctx, tx, s, &who, offer_id, token, expires_at)) != ST_OK)
		return st;
	job = slot_json(s);
	st = jobs_enqueue(tx, WL_OFFER_EXPIRED_JOB, job, arena_printf(ctx->arena, "offer:%s",
	    offer_id), (int)(expires_at - (int64_t)time(NULL)) + 1, 0);
	json_decref(job);
	*offered = st == ST_OK;
	return st;
}

enum status
wl_offer_next(struct ctx *ctx, const struct wl_slot *s, bool *offered)
{
	struct wl_slot_ref ref = { s->key, NULL, s->start };
	struct wl_slot_state state;
	struct db_tx tx;
	bool free_ = false;
	enum status st;

	*offered = false;
	if ((st = still_free(ctx, s, &free_)) != ST_OK)
		return st;
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	/* One offering at a time per slot: a turn's end and a new
	 * cancellation's job cannot both ask someone. */
	if ((st = wl_store_lock_slot(&tx, s->key)) != ST_OK ||
	    (st = wl_store_slot_state(&tx, s->key, &state)) != ST_OK)
		goto out;
	/* Taken, or someone lost it to another booking: close what is still
	 * out. Free with someone's turn running: wait for that turn. */
	if (!free_ || state.settled)
		st = tell_gone(ctx, &tx, &ref);
	else if (!state.turn_open)
		st = offer_to_next(ctx, &tx, s, offered);
out:
	return db_tx_end(&tx, st);
}

enum status
waitlist_slot_freed(struct db_tx *tx, const struct waitlist_freed *f)
{
	struct wl_slot s;
	json_t *job;
	enum status st;

	if (f->start <= (int64_t)time(NULL))
		return ST_OK;
	s.key = arena_printf(tx->arena, "%s:v%d:%d", f->booking_id, f->version, f->position);
	s.service_id = f->service_id;
	s.staff_id = f->staff_id;
	s.start = f->start;
	job = slot_json(&s);
	st = jobs_enqueue(tx, WL_SLOT_FREED_JOB, job, s.key, 0, 0);
	json_decref(job);
	return st;
}

/* Confirming ---------------------------------------------------------------------- */

static bool
in_play(const char *status)
{
	return strcmp(status, "open") == 0 || strcmp(status, "passed") == 0 ||
	    strcmp(status, "accepting") == 0;
}

/* Loads the offer and, while it is in play, marks it accepting: from now
 * until the booking's outcome nobody tells this person the slot went (a
 * turn's end that finds the slot just taken — by them — would). A retry
 * after a crash finds it accepting and books again, idempotently. */
static enum status
offer_claim(struct ctx *ctx, const char *token, struct wl_offer *o)
{
	struct db_tx tx;
	bool found = false;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = wl_store_offer_by_token(&tx, token_hash(ctx, token), o, &found)) == ST_OK &&
	    !found)
		st = err_set(ctx->err, ST_NOTFOUND, "This offer link is not valid.");
	if (st == ST_OK && in_play(o->status))
		st = wl_store_offer_set(&tx, o->id, "accepting");
	return db_tx_end(&tx, st);
}

/* Books the offered slot for its person through the booking service:
 * idempotent per offer, so a double click books once. */
static enum status
book(struct ctx *ctx, const struct wl_offer *o, struct wl_accepted *out)
{
	struct appt_book_in in;
	struct appt_reply rep;
	json_t *body;
	enum status st;

	memset(&in, 0, sizeof(in));
	one_service(in.items, &in.n_items, o->service_id);
	in.start = o->start;
	in.staff_id = o->staff_id;
	in.customer.name = o->name;
	in.customer.email = o->email;
	in.customer.phone = o->phone;
	in.customer.sms_consent = strcmp(o->channel, "sms") == 0;
	in.source = "portal";
	in.idem_key = arena_printf(ctx->arena, "waitlist-%s", o->id);
	in.body = o->id;
	in.body_len = strlen(o->id);
	if ((st = appt_book(ctx, &in, &rep)) != ST_OK)
		return st;
	body = json_loads(rep.body != NULL ? rep.body : "{}", 0, NULL);
	out->booking_id = arena_strdup(ctx->arena, json_string_value(json_object_get(body, "id")) ?
	    json_string_value(json_object_get(body, "id")) : "");
	out->reference = arena_strdup(ctx->arena, json_string_value(json_object_get(body,
	    "reference")) ? json_string_value(json_object_get(body, "reference")) : "");
	json_decref(body);
	out->start = o->start;
	return *out->booking_id != '\0' ? ST_OK : err_set(ctx->err, ST_INTERNAL,
	    "The booking's reply had no id.");
}

/* After the booking: the offer and its entry booked, everyone else told. */
static enum status
settle(struct ctx *ctx, const struct wl_offer *o, const struct wl_accepted *a)
{
	struct wl_slot_ref ref = { o->slot_key, o->id, o->start };
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = wl_store_lock_slot(&tx, o->slot_key)) != ST_OK ||
	    (st = wl_store_offer_booked(&tx, o, a->booking_id)) != ST_OK ||
	    (st = tell_gone(ctx, &tx, &ref)) != ST_OK)
		goto out;
	st = admin_audit(&tx, ctx, "waitlist.slot_refilled", "booking", a->booking_id,
	    json_pack("{s:s, s:s}", "offer_id", o->id, "entry_id", o->entry_id));
out:
	return db_tx_end(&tx, st);
}

/* The booking path refused: the slot went to someone else or is no longer
 * offered. Only this offer ends here; the others end with whoever got it
 * (settle) or at the turn's end, which finds the slot taken. */
static enum status
lost(struct ctx *ctx, const struct wl_offer *o)
{
	struct db_tx tx;
	enum status st;

	err_clear(ctx->err);
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	st = wl_store_offer_set(&tx, o->id, "gone");
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	return err_set(ctx->err, ST_CONFLICT, GONE_MESSAGE);
}

static enum status
not_open(struct ctx *ctx, const struct wl_offer *o, struct wl_accepted *out)
{
	if (strcmp(o->status, "booked") == 0) {
		out->booking_id = o->booking_id;
		out->reference = o->reference;
		out->start = o->start;
		out->already = true;
		return ST_OK;
	}
	if (strcmp(o->status, "gone") == 0)
		return err_set(ctx->err, ST_CONFLICT, GONE_MESSAGE);
	return err_set(ctx->err, ST_CONFLICT, "This offer is no longer open: you left the"
	    " waitlist or booked another time.");
}

enum status
wl_accept(struct ctx *ctx, const char *token, struct wl_accepted *out)
{
	struct wl_offer o;
	enum status st;

	memset(out, 0, sizeof(*out));
	if ((st = offer_claim(ctx, token, &o)) != ST_OK)
		return st;
	if (!in_play(o.status))
		return not_open(ctx, &o, out);
	st = book(ctx, &o, out);
	if (st == ST_CONFLICT || st == ST_INVALID)
		return lost(ctx, &o);
	if (st != ST_OK)
		return st;
	return settle(ctx, &o, out);
}

/* The owner's view ------------------------------------------------------------------ */

enum status
wl_list(struct ctx *ctx, const char *status, int limit, struct wl_entry_row **out, size_t *n)
{
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	st = wl_store_list(&tx, status, limit, out, n);
	return db_tx_end(&tx, st);
}

enum status
wl_summary(struct ctx *ctx, struct wl_summary *out)
{
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	st = wl_store_summary(&tx, out);
	return db_tx_end(&tx, st);
}

enum status
wl_expire_now(struct ctx *ctx, size_t *offered)
{
	struct wl_slot *slots = NULL;
	struct db_tx tx;
	size_t n = 0;
	enum status st;

	*offered = 0;
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	st = wl_store_expire_all(&tx, &slots, &n);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	for (size_t i = 0; i < n && st == ST_OK; i++) {
		bool one = false;

		st = wl_offer_next(ctx, &slots[i], &one);
		*offered += one;
	}
	return st;
}
