/*
 * poller.c: the polled sources — which exist, when each polls next, what
 * state each is in, and the source_down / source_up events.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poller_internal.h"
#include "replywatch/clock.h"
#include "replywatch/config.h"
#include "replywatch/event.h"
#include "replywatch/httpc.h"
#include "replywatch/keys.h"
#include "replywatch/log.h"
#include "replywatch/mention.h"
#include "replywatch/platform.h"
#include "replywatch/secret.h"
#include "replywatch/store.h"
#include "replywatch/timer.h"
#include "replywatch/tracker.h"
#include "replywatch/utf8.h"

#define STORE_RETRY 2.0 /* Redis unavailable: try again soon */

static const char *const result_names[RW_POLL_RESULT_COUNT] = {
	[RW_POLL_OK] = "ok",
	[RW_POLL_RATE_LIMITED] = "rate_limited",
	[RW_POLL_SERVER_ERROR] = "server_error",
	[RW_POLL_NETWORK_ERROR] = "network_error",
	[RW_POLL_AUTH_ERROR] = "auth_error",
	[RW_POLL_CLIENT_ERROR] = "client_error",
	[RW_POLL_MALFORMED] = "malformed",
	[RW_POLL_TOKEN_EXPIRED] = "token_expired",
	[RW_POLL_STORE_ERROR] = "store_error",
	[RW_POLL_NO_PROGRESS] = "no_progress",
};

const char *
rw_poll_result_name(enum rw_poll_result r)
{
	return r < RW_POLL_RESULT_COUNT ? result_names[r] : "unknown";
}

const char *
poller_state_name(enum source_state s)
{
	switch (s) {
	case SOURCE_OK:
		return "ok";
	case SOURCE_FAILING:
		return "failing";
	case SOURCE_RATE_LIMITED:
		return "rate_limited";
	case SOURCE_DOWN:
		return "down";
	case SOURCE_DISABLED:
		return "disabled";
	}
	return "unknown";
}

struct endpoint_limit *
poller_limit(struct poll_source *ps, const char *endpoint)
{
	const struct rw_platform *pf = rw_platform_of(ps->src->type);

	/* Endpoints that spend one budget share one entry (struct rw_quota). */
	if (pf != NULL && pf->quota != NULL && pf->quota->shared != NULL)
		endpoint = pf->quota->shared;
	for (size_t i = 0; i < ps->nlimits; i++)
		if (strcmp(ps->limits[i].name, endpoint) == 0)
			return &ps->limits[i];
	if (ps->nlimits == POLL_MAX_ENDPOINTS)
		return NULL;
	struct endpoint_limit *l = &ps->limits[ps->nlimits++];

	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", endpoint);
	l->rl.limit = l->rl.remaining = -1; /* unknown until the platform says */
	poller_budget_adopt(ps, l);         /* or another source of the same client knows */
	return l;
}

/* A short wait, spread: Redis is away, or a source starts. */
static double
soon(double seconds)
{
	return seconds * (0.75 + 0.5 * ((double)random() / (double)RAND_MAX));
}

static void
schedule(struct poll_source *ps, double delay)
{
	struct rw_poller *p = ps->poller;

	if (p->stopping || ps->retired || ps->conn == NULL || !ps->src->enabled)
		return;
	if (delay < 0)
		delay = 0;
	/* An instant on the daemon clock: the test clock can bring it forward. */
	ps->next_poll_at = rw_timer_in(&ps->timer, (int64_t)(delay * 1000.0));
}

/* The latest reset among ps's spent budgets still in the future, or 0. */
static int64_t
spent_until(const struct poll_source *ps, int64_t now)
{
	int64_t until = 0;

	for (size_t i = 0; i < ps->nlimits; i++) {
		const struct rw_ratelimit *rl = &ps->limits[i].rl;

		if (rl->retry_at_ms > now && rl->retry_at_ms > until)
			until = rl->retry_at_ms;
		if (rl->remaining == 0 && rl->reset_at_ms > now && rl->reset_at_ms > until)
			until = rl->reset_at_ms;
	}
	return until;
}

/* A state change that could not be recorded: loud, counted, retried (the
 * event stays pending and is written again before the next poll). */
static void
event_failed(struct poll_source *ps, const char *why)
{
	ps->event_failures++;
	log_err("%s: source_%s event not recorded (%s); will try again", ps->name,
		ps->pending_event ? ps->pending_event : "?", why);
}

static void
event_written(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct poll_source *ps = arg;

	(void)st;
	if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
		event_failed(ps, reply ? reply->str : "redis unavailable");
		return; /* pending_event stays set */
	}
	ps->pending_event = NULL;
}

/* Writes the pending source_down/source_up event (and the shared flag). */
static void
write_pending_event(struct poll_source *ps)
{
	struct rw_poller *p = ps->poller;
	char base[RW_KEY_SIZE], minid[32], at[40];
	const char *argv[4];
	size_t lens[4];
	json_t *e;
	char *text;
	int rc;

	if (ps->pending_event == NULL || p->freeing)
		return;
	int64_t now = rw_now_ms();

	e = json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s?}}", "type",
		      strcmp(ps->pending_event, "down") == 0 ? "source_down" : "source_up", "at",
		      rw_time_format(now, at, sizeof(at)), "source", "name", ps->name, "type",
		      rw_source_type_name(ps->src->type), "state", poller_state_name(ps->run.state),
		      "last_error", ps->last_error[0] ? ps->last_error : NULL);
	text = e ? rw_event_dump(e) : NULL;
	json_decref(e);
	if (text == NULL) {
		event_failed(ps, "the event could not be built");
		return;
	}
	snprintf(minid, sizeof(minid), "%" PRId64, now - p->cfg->retention.closed * 1000);
	argv[0] = rw_key_base(rw_store_key_prefix(p->store), ps->name, base, sizeof(base));
	if (argv[0] == NULL) {
		free(text);
		event_failed(ps, "the source's key name is too long");
		return;
	}
	argv[1] = ps->pending_event;
	argv[2] = text;
	argv[3] = minid;
	for (int i = 0; i < 4; i++)
		lens[i] = strlen(argv[i]);
	rc = rw_store_script(p->store, "source", 1, 4, argv, lens, event_written, ps);
	free(text);
	if (rc == -1)
		event_failed(ps, "redis unavailable");
}

/* Keeps reason as last_error, cut on a character boundary and cleaned so
 * that JSON (the event, /status) can always hold it. */
static void
set_error(struct poll_source *ps, const char *reason)
{
	if (reason == NULL)
		reason = "error";
	rw_utf8_clean(ps->last_error, sizeof(ps->last_error), reason, strlen(reason));
}

/* Logs what a poll's end means, once. */
static void
log_end(const struct poll_source *ps, enum rw_poll_result result, const char *event)
{
	if (event != NULL && strcmp(event, "up") == 0)
		log_notice("%s: source up again", ps->name);
	else if (event != NULL)
		log_err("%s: source down: %s", ps->name, ps->last_error);
	switch (result) {
	case RW_POLL_OK:
	case RW_POLL_AUTH_ERROR: /* down at once: said above */
	case RW_POLL_TOKEN_EXPIRED:
		break;
	case RW_POLL_RATE_LIMITED:
		log_info("%s: %s", ps->name, ps->last_error);
		break;
	case RW_POLL_STORE_ERROR:
		log_warnx("%s: %s", ps->name, ps->last_error);
		break;
	default:
		log_warnx("%s: poll failed (%s): %s", ps->name, rw_poll_result_name(result),
			  ps->last_error);
		break;
	}
}

void
poller_end(struct rw_poll *poll, enum rw_poll_result result, const char *reason)
{
	struct poll_source *ps = poll->ps;
	struct rw_poller *p = ps->poller;
	int64_t now = rw_now_ms();
	bool more = poll->more, was_down = poll->was_down;
	char why[POLL_ERROR_MAX];
	double every;

	/* reason may live in the poll (a walk's failure): kept before it goes. */
	rw_utf8_clean(why, sizeof(why), reason ? reason : "error",
		      strlen(reason ? reason : "error"));
	ps->poll = NULL;
	poller_poll_free(poll);
	if (ps->retired) {
		/* Removed by a reload while polling: nothing more to do. */
		struct poll_source **pp = &p->retired;

		while (*pp != ps)
			pp = &(*pp)->next;
		*pp = ps->next;
		if (ps->conn && ps->conn->state_free)
			ps->conn->state_free(ps->conn_state);
		free(ps->name);
		free(ps);
		return;
	}
	if (p->freeing)
		return; /* shutting down: nothing to record or schedule */
	bool wake = ps->wake;

	ps->wake = false;
	struct poll_facts facts = {
		.result = result,
		.now = now,
		.down_after_ms = ps->src->down_after * 1000,
		.more = more,
		.was_down = was_down,
		.spent_until = spent_until(ps, now),
	};
	struct poll_outcome out;

	ps->polls[result < RW_POLL_RESULT_COUNT ? result : RW_POLL_CLIENT_ERROR]++;
	ps->last_poll_at = now;
	if (result == RW_POLL_OK) {
		ps->last_success_at = now;
		ps->last_error[0] = '\0';
	} else {
		set_error(ps, why);
	}
	poll_decide(&ps->run, &facts, &out);
	if (out.event != NULL)
		ps->pending_event = out.event;
	log_end(ps, result, out.event);
	write_pending_event(ps);
	every = poller_budget_interval(ps, now);
	poller_budget_save(ps, now);
	if (ps->src->poll_auto && out.wait == WAIT_EVERY)
		out.wait = WAIT_AUTO;
	else
		every = (double)ps->src->poll_every;
	schedule(ps, poll_delay(&out, every));
	if (wake)
		rw_poller_poll_soon(p, ps->name);
}

static void
on_poll_timer(struct rw_timer *t)
{
	struct poll_source *ps = t->data;

	if (ps->poller->stopping || ps->poll != NULL)
		return;
	if (!rw_store_connected(ps->poller->store)) {
		/* Nothing could be ingested nor a cursor saved: wait for Redis. */
		schedule(ps, soon(STORE_RETRY));
		return;
	}
	write_pending_event(ps);
	poller_begin(ps);
	poller_delay_due(ps);
	if (ps->poll == NULL) /* out of memory: try again later */
		schedule(ps, soon(STORE_RETRY));
}

/* Same platform account and endpoint: the state (session, budgets) carries
 * over. A type configured by a spec (json) is the same only with an equal
 * spec: another request or credential is another budget and session. */
static bool
same_identity(const struct rw_source_config *a, const struct rw_source_config *b)
{
	const struct rw_platform *pf = rw_platform_of(a->type);

	if (a->type != b->type || (a->base_url == NULL) != (b->base_url == NULL) ||
	    (a->base_url && strcmp(a->base_url, b->base_url) != 0) || a->nparams != b->nparams)
		return false;
	if ((a->spec == NULL) != (b->spec == NULL) ||
	    (a->spec != NULL &&
	     (pf == NULL || pf->spec_equal == NULL || !pf->spec_equal(a->spec, b->spec))))
		return false;
	for (size_t i = 0; i < a->nparams; i++) {
		const struct rw_source_param *x = &a->params[i], *y = NULL;

		for (size_t j = 0; j < b->nparams && y == NULL; j++)
			if (strcmp(b->params[j].key, x->key) == 0)
				y = &b->params[j];
		if (y == NULL || (x->value == NULL) != (y->value == NULL) ||
		    (x->value && strcmp(x->value, y->value) != 0) ||
		    (x->secret == NULL) != (y->secret == NULL) ||
		    (x->secret && !rw_secret_equal(x->secret, y->secret)) ||
		    (x->json == NULL) != (y->json == NULL) ||
		    (x->json != NULL && !json_equal(x->json, y->json)))
			return false;
	}
	return true;
}

static struct poll_source *
source_new(struct rw_poller *p, const struct rw_source_config *src)
{
	struct poll_source *ps = calloc(1, sizeof(*ps));

	if (ps == NULL || (ps->name = strdup(src->name)) == NULL) {
		free(ps);
		return NULL;
	}
	ps->poller = p;
	ps->src = src;
	ps->conn = rw_connector_for(src->type);
	rw_timer_init(&ps->timer, p->loop, on_poll_timer, ps);
	if (ps->conn && ps->conn->state_new &&
	    (ps->conn_state = ps->conn->state_new(src)) == NULL) {
		free(ps->name);
		free(ps);
		return NULL;
	}
	return ps;
}

/* Stops ps; frees it now, or once its poll under way ends. */
static void
source_retire(struct rw_poller *p, struct poll_source *ps)
{
	rw_timer_stop(&ps->timer);
	if (ps->poll != NULL) {
		ps->retired = true;
		ps->next = p->retired;
		p->retired = ps;
		return;
	}
	if (ps->conn && ps->conn->state_free)
		ps->conn->state_free(ps->conn_state);
	free(ps->name);
	free(ps);
}

/* Sets the state a source has before (or without) polling. */
static void
source_arm(struct poll_source *ps, bool fresh)
{
	if (!ps->src->enabled) {
		rw_timer_stop(&ps->timer);
		ps->run.state = SOURCE_DISABLED;
		ps->next_poll_at = 0;
		return;
	}
	if (ps->conn == NULL) {
		ps->run.state = SOURCE_DISABLED;
		snprintf(ps->last_error, sizeof(ps->last_error),
			 "type %s is not supported by this version",
			 rw_source_type_name(ps->src->type));
		return;
	}
	if (ps->run.state == SOURCE_DISABLED)
		ps->run.state = SOURCE_OK;
	/* A new source polls now; a kept one keeps its turn unless idle and
	 * disarmed (it was disabled before). */
	if (fresh || (!rw_timer_armed(&ps->timer) && ps->poll == NULL))
		schedule(ps, fresh ? soon(0.01) : 0.01);
}

void
rw_poller_use(struct rw_poller *p, const struct rw_config *cfg)
{
	struct poll_source *old = p->sources, *list = NULL, **tail = &list;

	p->cfg = cfg;
	p->sources = NULL;
	for (size_t i = 0; i < cfg->nsources; i++) {
		const struct rw_source_config *src = &cfg->sources[i];
		struct poll_source *ps = NULL, **op;
		bool fresh = true;

		if (rw_platform_of(src->type)->pushed)
			continue;
		for (op = &old; *op != NULL; op = &(*op)->next) {
			if (strcmp((*op)->name, src->name) == 0)
				break;
		}
		if (*op != NULL && same_identity((*op)->src, src)) {
			ps = *op;
			*op = ps->next;
			ps->src = src;
			fresh = false;
		} else {
			ps = source_new(p, src);
			if (ps == NULL) {
				log_err("%s: out of memory: not polled", src->name);
				continue;
			}
		}
		ps->next = NULL;
		*tail = ps;
		tail = &ps->next;
		source_arm(ps, fresh);
	}
	while (old != NULL) {
		struct poll_source *ps = old;

		old = ps->next;
		source_retire(p, ps);
	}
	p->sources = list;
}

struct rw_poller *
rw_poller_new(struct ev_loop *loop, struct rw_store *st, struct rw_tracker *tr,
	      struct rw_httpc *http)
{
	struct rw_poller *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->loop = loop;
	p->store = st;
	p->tracker = tr;
	p->http = http;
	return p;
}

/* How soon a wake-up polls: deliveries that come together share a poll. */
#define WAKE_DELAY_MS 1000

void
rw_poller_poll_soon(struct rw_poller *p, const char *name)
{
	struct poll_source *ps;
	int64_t now = rw_now_ms();

	for (ps = p ? p->sources : NULL; ps != NULL; ps = ps->next)
		if (strcmp(ps->name, name) == 0)
			break;
	if (ps == NULL || p->stopping || ps->conn == NULL || !ps->src->enabled)
		return;
	if (ps->poll != NULL) {
		ps->wake = true; /* the poll under way may have read the queue already */
		return;
	}
	if (ps->run.state != SOURCE_OK || spent_until(ps, now) != 0)
		return;
	if (rw_timer_armed(&ps->timer) && ps->next_poll_at <= now + WAKE_DELAY_MS)
		return;
	schedule(ps, WAKE_DELAY_MS / 1000.0);
}

void
rw_poller_stop(struct rw_poller *p)
{
	if (p == NULL)
		return;
	p->stopping = true;
	for (struct poll_source *ps = p->sources; ps != NULL; ps = ps->next)
		rw_timer_stop(&ps->timer);
}

void
rw_poller_detach(struct rw_poller *p)
{
	if (p == NULL)
		return;
	rw_poller_stop(p);
	p->freeing = true;
}

void
rw_poller_free(struct rw_poller *p)
{
	if (p == NULL)
		return;
	rw_poller_detach(p);
	/* The HTTP client was freed before: every request under way has ended,
	 * and with it its poll. */
	while (p->sources != NULL) {
		struct poll_source *ps = p->sources;

		p->sources = ps->next;
		if (ps->poll != NULL) {
			/* Nothing waits on it any more (store and client are gone). */
			poller_poll_free(ps->poll);
			ps->poll = NULL;
		}
		source_retire(p, ps);
	}
	while (p->retired != NULL) {
		struct poll_source *ps = p->retired;

		p->retired = ps->next;
		poller_poll_free(ps->poll);
		if (ps->conn && ps->conn->state_free)
			ps->conn->state_free(ps->conn_state);
		free(ps->name);
		free(ps);
	}
	free(p);
}
