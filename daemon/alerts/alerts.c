/*
 * alerts.c: the alert targets — which exist, what each has queued, when it
 * sends, how a request is built (alertfmt.h, whsign.h) and what its answer
 * means.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts_internal.h"
#include "replywatch/alertfmt.h"
#include "replywatch/backoff.h"
#include "replywatch/clock.h"
#include "replywatch/httpc.h"
#include "replywatch/log.h"
#include "replywatch/mention.h"
#include "replywatch/ratelimit.h"
#include "replywatch/secret.h"
#include "replywatch/store.h"
#include "replywatch/tracker.h"
#include "replywatch/utf8.h"
#include "replywatch/whsign.h"

#define TICK_SECONDS 0.1
/* Events written by this daemon are read as soon as they are written; this
 * often a stream is looked at anyway (events of other daemons, sources). */
#define LOOK_EVERY_MS 2000
#define REFRESH_SECONDS 1.0
#define READS_PER_TICK 500 /* stream reads a target sends per tick (0.1 s) at most */
#define BACKOFF_FIRST_MS 1000
#define BACKOFF_CAP_MS 300000
#define PAGERDUTY_URL "https://events.pagerduty.com/v2/enqueue"

struct target *
alerts_find_target(struct rw_alerts *a, const char *name)
{
	for (struct target *t = a->targets; t != NULL; t = t->next)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

void
alerts_queued_clear(struct queued *q)
{
	free(q->source);
	free(q->sid);
	free(q->mention);
	json_decref(q->event);
	memset(q, 0, sizeof(*q));
}

bool
alerts_same_entry(const struct queued *x, const struct queued *y)
{
	return x->sid != NULL && y->sid != NULL && strcmp(x->sid, y->sid) == 0 &&
	       strcmp(x->source, y->source) == 0;
}

static bool
reading(const struct target *t)
{
	for (size_t i = 0; i < t->nreads; i++)
		if (t->reads[i].reading)
			return true;
	return false;
}

static void
settled_clear(struct target *t)
{
	for (size_t i = 0; i < t->nsettled; i++) {
		free(t->settled[i].source);
		free(t->settled[i].sid);
	}
	t->nsettled = 0;
}

void
alerts_note_settled(struct target *t, const struct queued *q, size_t n)
{
	if (!reading(t))
		return;
	for (size_t i = 0; i < n; i++) {
		struct settled *s;

		if (q[i].sid == NULL)
			continue;
		if (t->nsettled == t->settled_cap) {
			size_t cap = t->settled_cap ? t->settled_cap * 2 : 16;

			if ((s = realloc(t->settled, cap * sizeof(*s))) == NULL)
				return; /* at worst delivered once more, under its id */
			t->settled = s;
			t->settled_cap = cap;
		}
		s = &t->settled[t->nsettled];
		s->source = strdup(q[i].source);
		s->sid = strdup(q[i].sid);
		if (s->source == NULL || s->sid == NULL) {
			free(s->source);
			free(s->sid);
			return;
		}
		t->nsettled++;
	}
}

void
alerts_queue_push(struct target *t, struct queued *item)
{
	for (size_t i = 0; item->sid != NULL && i < t->nsettled; i++) {
		/* Acknowledged while the read that brought it back was under way. */
		if (strcmp(t->settled[i].sid, item->sid) == 0 &&
		    strcmp(t->settled[i].source, item->source) == 0) {
			alerts_queued_clear(item);
			return;
		}
	}
	/* Read again (the backlog after a reload or a restart): already here,
	 * or in the request under way. */
	for (size_t i = 0; i < t->nq; i++) {
		if (alerts_same_entry(&t->q[i], item)) {
			alerts_queued_clear(item);
			return;
		}
	}
	for (size_t i = 0; i < t->batch.n; i++) {
		if (alerts_same_entry(&t->batch.ev[i], item)) {
			alerts_queued_clear(item);
			return;
		}
	}
	if (t->nq == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct queued *q = realloc(t->q, cap * sizeof(*q));

		if (q == NULL) {
			/* Not acknowledged: read again after the next restart. */
			alerts_queued_clear(item);
			return;
		}
		t->q = q;
		t->cap = cap;
	}
	t->q[t->nq++] = *item;
	memset(item, 0, sizeof(*item));
}

/* Drops q[0..n) (delivered, dead-lettered or skipped). */
void
alerts_queue_pop(struct target *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		alerts_queued_clear(&t->q[i]);
	memmove(t->q, t->q + n, (t->nq - n) * sizeof(*t->q));
	t->nq -= n;
}

static bool
in_list(const struct rw_strlist *l, const char *s)
{
	if (s == NULL)
		return false;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i], s) == 0)
			return true;
	return false;
}

bool
alerts_wanted(const struct target *t, const json_t *event)
{
	const struct rw_alert_config *c = t->cfg;
	const json_t *mention = json_object_get(event, "mention");
	const char *source = json_string_value(json_object_get(
		mention ? mention : json_object_get(event, "source"), mention ? "source" : "name"));
	const struct rw_source_config *src;

	if ((rw_event_type_parse(json_string_value(json_object_get(event, "type"))) & c->events) ==
	    0)
		return false;
	if (c->match.sources.n > 0 && !in_list(&c->match.sources, source))
		return false;
	if (c->match.policies.n > 0 && mention != NULL &&
	    !in_list(&c->match.policies,
		     json_string_value(json_object_get(json_object_get(event, "policy"), "name"))))
		return false;
	src = source ? rw_config_find_source(t->a->cfg, source) : NULL;
	for (size_t i = 0; i < c->match.labels.n; i++) {
		const char *want = c->match.labels.items[i].value, *have = NULL;

		for (size_t j = 0; src != NULL && j < src->labels.n; j++)
			if (strcmp(src->labels.items[j].key, c->match.labels.items[i].key) == 0)
				have = src->labels.items[j].value;
		if (have == NULL || strcmp(have, want) != 0)
			return false;
	}
	return true;
}

/* --- one request ----------------------------------------------------------- */

static int64_t
backoff_ms(unsigned level)
{
	return (int64_t)(1000 * rw_backoff_seconds(level, BACKOFF_FIRST_MS / 1000.0,
						   BACKOFF_CAP_MS / 1000.0));
}

static const char *
lookup_header(void *arg, const char *name)
{
	return rw_httpc_header(arg, name);
}

/* How long Retry-After (seconds, or an HTTP date) asks to wait; 0 when absent. */
static int64_t
retry_after_ms(const struct rw_httpc_response *resp, int64_t now)
{
	struct rw_ratelimit rl;

	rw_ratelimit_read(RW_SOURCE_PUSH, lookup_header, (void *)resp, now, &rl);
	return rl.retry_at_ms > now ? rl.retry_at_ms - now : 0;
}

/* The failure of resp as t's last_error. The body is the receiver's text:
 * cleaned to valid UTF-8 on one line, so /status can always show it. */
static void
note_error(struct target *t, const struct rw_httpc_response *resp)
{
	char text[81];

	if (resp->status == 0) {
		const char *e = resp->error ? resp->error : "request failed";

		rw_utf8_clean(t->last_error, sizeof(t->last_error), e, strlen(e));
		return;
	}
	rw_utf8_clean(text, sizeof(text), resp->body, resp->body_len);
	snprintf(t->last_error, sizeof(t->last_error), "HTTP %ld: %s", resp->status, text);
}

static void
sent(struct rw_httpc *c, const struct rw_httpc_response *resp, void *arg)
{
	struct target *t = arg;
	struct rw_alerts *a = t->a;
	struct batch *b = &t->batch;
	int64_t now = rw_now_ms();
	struct rw_alert_decision d;

	(void)c;
	t->in_flight = false;
	if (t->retired) {
		/* Replaced by a reload: the new target sends this request again. */
		struct target **pp = &a->retired;

		while (*pp != t)
			pp = &(*pp)->next;
		*pp = t->next;
		alerts_target_free(t);
		return;
	}
	if (a->freeing)
		return;
	struct rw_alert_answer ans = {
		.status = resp->status,
		.retry_after_ms = resp->status != 0 ? retry_after_ms(resp, now) : 0,
		.now_ms = now,
		.oldest_ms = b->oldest,
		.retry_for_ms = t->cfg->retry_for * 1000,
		.backoff = t->backoff,
		.backoff_ms = backoff_ms(t->backoff),
	};

	d = rw_alert_decide(&ans);
	t->results[d.result] += b->n;
	t->backoff = d.backoff;
	if (d.next == RW_ALERT_NEXT_ACK) {
		t->last_error[0] = '\0';
		t->last_success_at = now;
		outbox_ack(t, b->ev, b->n);
		rearm_delivered(t, b->ev, b->n);
		request_done(t);
		return;
	}
	note_error(t, resp);
	switch (d.next) {
	case RW_ALERT_NEXT_DISABLE:
		t->disabled = true;
		log_err("alert target %s answered 410 Gone: disabled until the next reload; "
			"%zu events wait",
			t->name, b->n + t->nq);
		break;
	case RW_ALERT_NEXT_DEAD_LETTER:
		if (d.result == RW_ALERT_REJECTED)
			log_err("alert target %s rejected %zu events (%s): dead-lettered", t->name,
				b->n, t->last_error);
		else
			log_err("alert target %s: retried for %" PRId64 " s without success (%s): "
				"%zu events dead-lettered",
				t->name, t->cfg->retry_for, t->last_error, b->n);
		outbox_dead_letter(t, b->ev, b->n, t->last_error);
		request_done(t);
		break;
	default:
		t->not_before = now + d.delay_ms;
		log_warnx("alert target %s: %s; retrying in %" PRId64 " ms", t->name, t->last_error,
			  d.delay_ms);
		break;
	}
}

/* The receiver's URL for t. */
static char *
url_for(const struct target *t)
{
	const char *base = rw_secret_value(t->cfg->url);
	char *url;

	if (t->cfg->format != RW_ALERT_ALERTMANAGER)
		return strdup(base);
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	return asprintf(&url, "%.*s/api/v2/alerts", (int)n, base) < 0 ? NULL : url;
}

int
alerts_post(struct target *t, const char *body, const char *id, rw_httpc_done_fn *done, void *arg)
{
	const char *headers[5] = {"Content-Type: application/json", NULL};
	char hid[128], hts[64], hsig[RW_WHSIGN_MAX + 32], sig[RW_WHSIGN_MAX];
	char *url = url_for(t);
	size_t nh = 1;
	int rc;

	if (url == NULL)
		return -1;
	if (t->cfg->format == RW_ALERT_JSON) {
		/* Standard Webhooks headers on every attempt; the signature when a
		 * secret is set. */
		int64_t ts = rw_now_ms() / 1000;

		/* Ids are short (rw_event_request_id): one that does not fit is a
		 * bug, never cut (the signature covers the whole id). */
		if ((size_t)snprintf(hid, sizeof(hid), "webhook-id: %s", id) >= sizeof(hid)) {
			free(url);
			snprintf(t->last_error, sizeof(t->last_error), "webhook-id too long");
			return -1;
		}
		snprintf(hts, sizeof(hts), "webhook-timestamp: %" PRId64, ts);
		headers[nh++] = hid;
		headers[nh++] = hts;
		if (t->cfg->secret != NULL) {
			unsigned char *key = NULL;
			size_t keylen = 0;
			int rc_sign = rw_whsign_key(rw_secret_value(t->cfg->secret), &key, &keylen);

			if (rc_sign == 0)
				rc_sign = rw_whsign(key, keylen, id, ts, body, strlen(body), sig,
						    sizeof(sig));
			if (key != NULL) {
				explicit_bzero(key, keylen);
				free(key);
			}
			if (rc_sign == -1) {
				free(url);
				snprintf(t->last_error, sizeof(t->last_error),
					 "the signing secret is not valid (whsec_ needs base64)");
				return -1;
			}
			snprintf(hsig, sizeof(hsig), "webhook-signature: %s", sig);
			headers[nh++] = hsig;
		}
	}
	headers[nh] = NULL;

	struct rw_httpc_request req = {
		.method = "POST",
		.url = url,
		.headers = headers,
		.body = body,
		.body_len = strlen(body),
		.timeout_ms = t->cfg->timeout * 1000,
		.connect_timeout_ms =
			t->cfg->timeout * 1000 < 10000 ? t->cfg->timeout * 1000 : 10000,
		.max_response_bytes = 64 << 10,
	};

	rc = rw_httpc_submit(t->a->http, &req, done, arg);
	free(url);
	return rc;
}

/* Sends t's request, building it from the queue first, if it may now. */
static void
target_send(struct target *t, int64_t now)
{
	struct batch *b = &t->batch;
	char err[200], *body;

	if (t->in_flight || t->disabled || !t->loaded)
		return;
	if (b->state == BATCH_NONE) {
		if (now < t->not_before)
			return;
		/* Events the format does not take are done at once. */
		while (t->nq > 0 && !request_takes(t, t->q[0].event)) {
			outbox_ack(t, t->q, 1);
			rearm_delivered(t, t->q, 1);
			alerts_queue_pop(t, 1);
		}
		if (t->nq == 0)
			return;
		if (t->cfg->group_window > 0) {
			if (t->window_ends == 0) {
				t->window_ends = now + t->cfg->group_window * 1000;
				return;
			}
			if (now < t->window_ends)
				return;
		}
		t->window_ends = 0;
		if (request_build(t, now) == -1)
			return;
	}
	if (b->state == BATCH_STORING) {
		/* Never attempted before its record is in Redis. */
		if (!b->writing)
			request_write(t);
		return;
	}
	if (now < t->not_before)
		return;
	body = b->body ? b->body : request_body(t, b->ev, b->n, now, err, sizeof(err));
	if (body == NULL) {
		log_err("alert target %s: cannot build the request (%s): dead-lettered", t->name,
			err);
		outbox_dead_letter(t, b->ev, b->n, err);
		request_done(t);
		return;
	}
	if (alerts_post(t, body, b->id, sent, t) == 0) {
		t->in_flight = true;
	} else {
		t->not_before = now + backoff_ms(t->backoff++);
		if (t->last_error[0] == '\0')
			snprintf(t->last_error, sizeof(t->last_error), "request not started");
	}
	if (body != b->body)
		request_body_free(body);
}

static void reads_tick(struct target *t, int64_t now);

static void
on_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct rw_alerts *a = w->data;
	int64_t now = rw_now_ms();

	(void)loop;
	(void)revents;
	if (a->stopping || !rw_store_connected(a->store))
		return;
	for (struct target *t = a->targets; t != NULL; t = t->next) {
		if (t->disabled)
			continue;
		if (t->nsettled > 0 && !reading(t))
			settled_clear(t);
		if (!t->loaded) {
			/* The request stored before a restart goes first. */
			if (!t->loading && outbox_load(t) == 0)
				t->loading = true;
			continue;
		}
		reads_tick(t, now);
		rearm_tick(t, now);
		target_send(t, now);
	}
}

/* The reads of t due now, at most READS_PER_TICK, going round the sources
 * from where the last tick stopped: thousands of sources (all claimed at a
 * start, all looked at every 2 s) never go to Redis in one burst. */
static void
reads_tick(struct target *t, int64_t now)
{
	size_t k, sent = 0;

	for (k = 0; k < t->nreads && t->nq < ALERTS_QUEUE_MAX && sent < READS_PER_TICK; k++) {
		struct source_read *r = &t->reads[(t->read_next + k) % t->nreads];

		if (r->reading || ((r->backlog_read || !r->owned) && !r->dirty && !r->more &&
				   now - r->last_read < LOOK_EVERY_MS))
			continue;
		/* Another daemon's source: its ownership looked at again
		 * within 2 s (the cluster says gains and losses at once). */
		if (!alerts_check_owned(t, r)) {
			r->dirty = false;
			r->last_read = now;
			continue;
		}
		/* A claim of the backlog sees only entries already read once:
		 * events just written still wait for the first read of new
		 * ones. */
		if (r->backlog_read)
			r->dirty = false;
		r->more = false;
		r->last_read = now;
		outbox_read(t, r);
		sent++;
	}
	t->read_next = t->nreads > 0 ? (t->read_next + k) % t->nreads : 0;
}

static void
on_refresh(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct rw_alerts *a = w->data;

	(void)loop;
	(void)revents;
	if (!a->freeing && rw_store_connected(a->store))
		outbox_refresh(a);
}

/* --- targets ------------------------------------------------------------- */

void
alerts_target_free(struct target *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nq; i++)
		alerts_queued_clear(&t->q[i]);
	free(t->q);
	request_clear(&t->batch);
	settled_clear(t);
	free(t->settled);
	for (size_t i = 0; i < t->nreads; i++)
		free(t->reads[i].source);
	free(t->reads);
	free(t->name);
	free(t);
}

/* One read state per source of cfg. */
static int
reads_for(struct target *t, const struct rw_config *cfg)
{
	struct source_read *r = calloc(cfg->nsources + 1, sizeof(*r));

	if (r == NULL)
		return -1;
	for (size_t i = 0; i < cfg->nsources; i++) {
		/* Claimed again from the start when owned (a gain). */
		r[i].owned = alerts_owns(t->a, cfg->sources[i].name);
		if ((r[i].source = strdup(cfg->sources[i].name)) == NULL) {
			while (i-- > 0)
				free(r[i].source);
			free(r);
			return -1;
		}
	}
	for (size_t i = 0; i < t->nreads; i++)
		free(t->reads[i].source);
	free(t->reads);
	t->reads = r;
	t->nreads = cfg->nsources;
	return 0;
}

static bool
same_receiver(const struct rw_alert_config *x, const struct rw_alert_config *y)
{
	return x->format == y->format && rw_secret_equal(x->url, y->url) &&
	       (x->secret == NULL) == (y->secret == NULL) &&
	       (x->secret == NULL || rw_secret_equal(x->secret, y->secret)) &&
	       (x->routing_key == NULL) == (y->routing_key == NULL) &&
	       (x->routing_key == NULL || rw_secret_equal(x->routing_key, y->routing_key));
}

static void
target_retire(struct rw_alerts *a, struct target *t)
{
	if (t->in_flight) {
		t->retired = true;
		t->next = a->retired;
		a->retired = t;
		return;
	}
	alerts_target_free(t);
}

void
rw_alerts_use(struct rw_alerts *a, const struct rw_config *cfg, struct rw_policy_set *ps)
{
	struct target *old = a->targets, *list = NULL, **tail = &list;

	a->cfg = cfg;
	a->ps = ps;
	for (size_t i = 0; i < cfg->nalerts; i++) {
		const struct rw_alert_config *ac = &cfg->alerts[i];
		struct target *t = NULL, **op;

		for (op = &old; *op != NULL; op = &(*op)->next)
			if (strcmp((*op)->name, ac->name) == 0)
				break;
		if (*op != NULL && !(*op)->in_flight && same_receiver((*op)->cfg, ac)) {
			t = *op;
			*op = t->next;
		} else {
			if ((t = calloc(1, sizeof(*t))) == NULL ||
			    (t->name = strdup(ac->name)) == NULL) {
				free(t);
				log_err("alert target %s: out of memory: not delivering", ac->name);
				continue;
			}
			t->a = a;
		}
		t->cfg = ac;
		t->disabled = false;
		/* Reading starts over (the backlog first), so every source of the new
		 * configuration is covered; what is queued stays. */
		if (reads_for(t, cfg) == -1) {
			alerts_target_free(t);
			log_err("alert target %s: out of memory: not delivering", ac->name);
			continue;
		}
		t->next = NULL;
		*tail = t;
		tail = &t->next;
	}
	while (old != NULL) {
		struct target *t = old;

		old = t->next;
		target_retire(a, t);
	}
	a->targets = list;
	if (cfg->nalerts > 0 && !a->stopping) {
		ev_timer_again(a->loop, &a->tick);
		ev_timer_again(a->loop, &a->refresh);
	}
}

struct rw_alerts *
rw_alerts_new(struct ev_loop *loop, struct rw_store *st, struct rw_httpc *http)
{
	struct rw_alerts *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->loop = loop;
	a->store = st;
	a->http = http;
	ev_timer_init(&a->tick, on_tick, 0., TICK_SECONDS);
	ev_timer_init(&a->refresh, on_refresh, 0., REFRESH_SECONDS);
	a->tick.data = a->refresh.data = a;
	return a;
}

void
rw_alerts_stop(struct rw_alerts *a)
{
	if (a == NULL)
		return;
	a->stopping = true;
	ev_timer_stop(a->loop, &a->tick);
	ev_timer_stop(a->loop, &a->refresh);
}

void
rw_alerts_detach(struct rw_alerts *a)
{
	if (a == NULL)
		return;
	rw_alerts_stop(a);
	a->freeing = true;
}

void
rw_alerts_note_events(void *arg, const char *source)
{
	struct rw_alerts *a = arg;

	for (struct target *t = a->targets; t != NULL; t = t->next)
		for (size_t i = 0; i < t->nreads; i++)
			if (strcmp(t->reads[i].source, source) == 0)
				t->reads[i].dirty = true;
}

size_t
rw_alerts_pending(const struct rw_alerts *a)
{
	size_t n = a->redis_pending;

	for (const struct target *t = a->targets; t != NULL; t = t->next)
		n += t->in_flight;
	return n;
}

void
rw_alerts_free(struct rw_alerts *a)
{
	if (a == NULL)
		return;
	rw_alerts_detach(a);
	while (a->targets != NULL) {
		struct target *t = a->targets;

		a->targets = t->next;
		alerts_target_free(t);
	}
	while (a->retired != NULL) {
		struct target *t = a->retired;

		a->retired = t->next;
		alerts_target_free(t);
	}
	free(a);
}
