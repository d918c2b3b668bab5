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
#include "replywatch/cluster.h"
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

/* True when an error reply's text is the fence's refusal (cluster.h). Redis
 * 7 puts "ERR " in front of a one-word error_reply: both are taken. */
static bool
is_fenced(const char *text)
{
	size_t n = strlen(RW_CLUSTER_FENCED);

	if (text != NULL && strncmp(text, "ERR ", 4) == 0)
		text += 4;
	return text != NULL && strncmp(text, RW_CLUSTER_FENCED, n) == 0 &&
	       (text[n] == '\0' || text[n] == ' ');
}

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
	if (!poller_owns(ps)) {
		/* Another daemon's: its owner polls it; a gain reschedules. */
		rw_timer_stop(&ps->timer);
		ps->next_poll_at = 0;
		return;
	}
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
	if (reply != NULL && reply->type == REDIS_REPLY_ERROR && is_fenced(reply->str)) {
		/* Another daemon owns the source now: the event is its to raise. */
		ps->fenced++;
		log_info("%s: source_%s event not recorded: the source passed to another daemon",
			 ps->name, ps->pending_event ? ps->pending_event : "?");
		ps->pending_event = NULL;
		return;
	}
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
	const char *argv[5];
	size_t lens[5];
	json_t *e;
	char *text;
	int rc;

	if (ps->pending_event == NULL || p->freeing)
		return;
	/* source_down/up come from the owner only, and the script checks the
	 * fence: a daemon that lost the source says nothing about it. */
	const char *fence = poller_fence(ps);

	if (fence == NULL) {
		ps->pending_event = NULL;
		return;
	}
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
	argv[4] = fence;
	for (int i = 0; i < 5; i++)
		lens[i] = strlen(argv[i]);
	rc = rw_store_script(p->store, "source", 1, 5, argv, lens, event_written, ps);
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

bool
poller_owns(const struct poll_source *ps)
{
	const struct rw_cluster *c = ps->poller->cluster;

	return c == NULL || rw_cluster_owns(c, ps->name);
}

const char *
poller_fence(const struct poll_source *ps)
{
	const struct rw_cluster *c = ps->poller->cluster;

	return c == NULL ? "" : rw_cluster_fence(c, ps->name);
}

/* A poll under way when the daemon stops (SIGTERM: the cluster releases
 * every lease at once) ends by itself as before: its cursor write still
 * carries the token it began under, refused if another daemon took the
 * source meanwhile. */
bool
poller_poll_gone(const struct rw_poll *poll)
{
	return poll->lost || (!poll->ps->poller->stopping && !poller_owns(poll->ps));
}

bool
poller_poll_lost(struct rw_poll *poll)
{
	if (!poller_poll_gone(poll))
		return false;
	poll->lost = true;
	poller_end(poll, RW_POLL_OK, "ownership lost");
	return true;
}

bool
poller_fenced_reply(struct rw_poll *poll, const char *reply_text)
{
	struct poll_source *ps = poll->ps;

	if (!is_fenced(reply_text))
		return false;
	ps->fenced++;
	if (!ps->fence_logged) {
		ps->fence_logged = true;
		log_warnx("%s: cursors not written: the fencing token is no longer current (the "
			  "source passed to another daemon); this poll is dropped",
			  ps->name);
	}
	poll->lost = poll->fenced = true;
	return true;
}

/* Forgets what only the owner's polls keep up to date, so a source that
 * is not (or no longer) this daemon's shows no failures of its own. */
static void
run_reset(struct poll_source *ps)
{
	enum source_state st = ps->run.state == SOURCE_DISABLED ? SOURCE_DISABLED : SOURCE_OK;

	memset(&ps->run, 0, sizeof(ps->run));
	ps->run.state = st;
	ps->last_error[0] = '\0';
	ps->pending_event = NULL;
	ps->wake = false;
}

/* The end of a poll whose source was lost meanwhile: counted, nothing
 * recorded. Polled again at once if the source came back meanwhile (its
 * gain found this poll under way), at the usual pace after a fenced write
 * the cluster has not noticed yet (the next poll is fenced too, until the
 * lease is settled). */
static void
end_lost(struct poll_source *ps, bool fenced)
{
	ps->polls_lost++;
	log_info("%s: poll dropped: this daemon no longer owns the source", ps->name);
	if (!poller_owns(ps))
		return;
	schedule(ps, fenced ? (double)ps->src->poll_every : soon(0.01));
}

void
poller_end(struct rw_poll *poll, enum rw_poll_result result, const char *reason)
{
	struct poll_source *ps = poll->ps;
	struct rw_poller *p = ps->poller;
	int64_t now = rw_now_ms();
	bool more = poll->more, was_down = poll->was_down;
	/* A poll of a source no longer owned changes nothing here: another
	 * daemon polls it now (and the fence kept its cursors from us). */
	bool lost = poller_poll_gone(poll), fenced = poll->fenced;
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
	if (lost) {
		end_lost(ps, fenced);
		return;
	}
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

/*
 * Before the first poll of an ownership: drops the connector's session
 * (an access token is harmless to keep, but a rotating refresh token the
 * other owner replaced in Redis is not) and the daily quota's count (read
 * from Redis again: the other owner spent from it). Cursors, revisit
 * positions and queues are read from Redis by every poll anyway; budgets
 * learnt from headers stay (they are the platform's account's, not the
 * daemon's). 0, or -1 when the new session cannot be made (out of memory).
 */
static int
source_refresh(struct poll_source *ps)
{
	void *state = NULL;

	if (ps->conn && ps->conn->state_new && (state = ps->conn->state_new(ps->src)) == NULL)
		return -1;
	if (ps->conn && ps->conn->state_free)
		ps->conn->state_free(ps->conn_state);
	ps->conn_state = state;
	ps->daily_loaded = false;
	ps->cred_rotated_ms = ps->cred_expires_ms = 0;
	ps->stale = false;
	return 0;
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
	if (!poller_owns(ps))
		return; /* lost meanwhile: a gain reschedules */
	if (ps->stale && source_refresh(ps) == -1) {
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
	ps->owned = p->cluster == NULL || rw_cluster_owns(p->cluster, src->name);
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

	p->hint->last = NULL;
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

	if (p == NULL || (p->hint = calloc(1, sizeof(*p->hint))) == NULL) {
		free(p);
		return NULL;
	}
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
	/* A source another daemon owns is its owner's to poll, on its own
	 * schedule (the webhook's queue is in Redis: nothing is lost). */
	if (ps == NULL || p->stopping || ps->conn == NULL || !ps->src->enabled || !poller_owns(ps))
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

/* First polls a second at most after a burst of gains: a daemon starting
 * alone gains every source at once, and 10 000 requests in the same
 * millisecond are refused (measured with bench/); a failover's few hundred
 * sources still start within a second. */
#define GAIN_RATE 500

/* The delay of a gained source's first poll: about at once, spread. */
static double
gain_delay(struct rw_poller *p)
{
	int64_t now = rw_now_ms(), at;

	if (p->gain_slot_ms < now)
		p->gain_slot_ms = now;
	at = p->gain_slot_ms;
	p->gain_slot_ms += 1000 / GAIN_RATE;
	return (double)(at - now) / 1000.0 + soon(0.01);
}

/* The cluster's news: a gain polls about at once with fresh state, a
 * loss stops the schedule and ends a poll under way quietly. */
static void
on_ownership(void *arg, const char *source, bool owned)
{
	struct rw_poller *p = arg;
	struct poll_source *ps;

	for (ps = p->sources; ps != NULL; ps = ps->next)
		if (strcmp(ps->name, source) == 0)
			break;
	if (ps == NULL || ps->owned == owned)
		return;
	ps->owned = owned;
	run_reset(ps);
	if (owned) {
		ps->gains++;
		ps->stale = true;
		ps->fence_logged = false;
		log_info("%s: this daemon owns the source now: polling", ps->name);
		if (ps->poll == NULL)
			schedule(ps, gain_delay(p));
		return;
	}
	log_info("%s: the source is another daemon's now: polling stops", ps->name);
	rw_timer_stop(&ps->timer);
	ps->next_poll_at = 0;
	if (ps->poll != NULL && !p->stopping)
		ps->poll->lost = true;
}

void
rw_poller_set_cluster(struct rw_poller *p, struct rw_cluster *c)
{
	p->cluster = c;
	rw_cluster_listen(c, on_ownership, p);
	for (struct poll_source *ps = p->sources; ps != NULL; ps = ps->next) {
		ps->owned = rw_cluster_owns(c, ps->name);
		if (!ps->owned) {
			rw_timer_stop(&ps->timer);
			ps->next_poll_at = 0;
		}
	}
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
	free(p->hint);
	free(p);
}
