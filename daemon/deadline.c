/*
 * deadline.c: the timer that raises deadlines at their instant.
 *
 * With several daemons (cluster.h) each source's deadlines are read and
 * raised by its owner at their instant, and by its standby
 * RW_CLUSTER_STANDBY_GRACE_MS later (the owner died or stopped: nothing is
 * missed; the tracker's version check makes a second raise impossible). A
 * daemon that is neither does not read the source at all: with thousands
 * of sources a read of every one each second would be thousands of
 * commands a second per daemon.
 */
#include <ev.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/cluster.h"
#include "replywatch/config.h"
#include "replywatch/deadline.h"
#include "replywatch/keys.h"
#include "replywatch/log.h"
#include "replywatch/mention.h"
#include "replywatch/store.h"
#include "replywatch/timer.h"
#include "replywatch/tracker.h"

#define REFRESH_EVERY 1.0 /* seconds between rounds of reads of earliest deadlines */
/* Sources read per round at most: with 10 000 sources one round of all would
 * queue 10 000 scripts at once behind the polls' commands (measured by
 * bench/: half the daemon's CPU and polls failing at the store's in-flight
 * cap). Past this, a round goes on where the last one stopped, so each
 * source is read every n / REFRESH_BATCH seconds. Deadlines this daemon's
 * own ingests set are known at once anyway (rw_deadlines_note). */
#define REFRESH_BATCH 2000

struct source_due {
	char *name;
	int64_t due; /* earliest known deadline, 0: none */
	bool firing; /* a fire is under way */
	bool refire; /* something became due while firing */
	bool urgent; /* gained during a burst of gains: read first in the next round */
	enum rw_cluster_role role; /* as of the last round or ownership change; checked
				      again before a fire */
};

struct rw_deadlines {
	struct ev_loop *loop;
	struct rw_store *store;
	struct rw_tracker *tracker;
	struct rw_cluster *cluster; /* NULL: every source is this daemon's */
	const struct rw_config *cfg;
	struct source_due *sources;
	size_t n;
	struct rw_timer timer; /* the earliest deadline: an instant on the daemon clock */
	ev_timer refresh;
	size_t refreshing; /* refresh reads under way */
	size_t next_read;  /* where the next round of reads starts */
	unsigned gen;      /* bumped when sources is rebuilt (rw_deadlines_use) */
	bool changed;      /* a read changed a deadline: arm once the round is in */
};

/* A read under way: its source by index while the table is the same
 * generation (no lookup by name per answer: 10 000 answers a second). */
struct refresh_read {
	struct rw_deadlines *d;
	unsigned gen;
	size_t idx;
	char *name;
};

static void arm(struct rw_deadlines *d);
static struct source_due *find(struct rw_deadlines *d, const char *name);

static enum rw_cluster_role
role(const struct rw_deadlines *d, const char *name)
{
	return d->cluster == NULL ? RW_CLUSTER_OWNER : rw_cluster_role(d->cluster, name);
}

/* When this daemon raises s's earliest deadline: the owner at its instant,
 * the standby a grace later, anyone else never (0). By the role kept in s
 * (arming looks at every source: no cluster lookup each time). */
static int64_t
fire_at(const struct source_due *s)
{
	if (s->due == 0)
		return 0;
	switch (s->role) {
	case RW_CLUSTER_OWNER:
		return s->due;
	case RW_CLUSTER_STANDBY:
		return s->due + RW_CLUSTER_STANDBY_GRACE_MS;
	case RW_CLUSTER_NONE:
		break;
	}
	return 0;
}

static struct source_due *
find(struct rw_deadlines *d, const char *name)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->sources[i].name, name) == 0)
			return &d->sources[i];
	return NULL;
}

void
rw_deadlines_note(void *arg, const char *source, int64_t due_ms, bool exact)
{
	struct rw_deadlines *d = arg;
	struct source_due *s = find(d, source);

	if (s == NULL)
		return;
	if (exact)
		s->due = due_ms;
	else if (due_ms && (s->due == 0 || due_ms < s->due))
		s->due = due_ms;
	if (s->firing && due_ms && !exact)
		s->refire = true;
	arm(d);
}

/* A fire under way; looked up by name when it ends, because a reload may
 * have rebuilt the source table meanwhile. */
struct firing {
	struct rw_deadlines *d;
	char *name;
};

static void
fired(void *arg, int result, const char *detail)
{
	struct firing *f = arg;
	struct source_due *s = find(f->d, f->name);

	if (s != NULL)
		s->firing = false;
	if (result != 0)
		log_warnx("deadlines of %s not raised yet: %s; retrying", f->name,
			  detail ? detail : "error");
	arm(f->d);
	free(f->name);
	free(f);
}

static void
start_fire(struct rw_deadlines *d, struct source_due *s, const struct rw_source_config *src,
	   int64_t now)
{
	struct firing *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->name = strdup(s->name)) == NULL) {
		free(f);
		return;
	}
	f->d = d;
	s->firing = true;
	s->refire = false;
	if (rw_tracker_fire(d->tracker, src, now, fired, f) == -1) {
		s->firing = false;
		free(f->name);
		free(f);
	}
}

/* Raises what is due for every source whose earliest deadline has come. */
static void
on_timer(struct rw_timer *t)
{
	struct rw_deadlines *d = t->data;
	int64_t now = rw_now_ms();

	for (size_t i = 0; i < d->n; i++) {
		struct source_due *s = &d->sources[i];
		const struct rw_source_config *src;
		int64_t at = s->firing ? 0 : fire_at(s);

		if (at == 0 || at > now)
			continue;
		/* The role now (a fence time may have passed since it was kept). */
		s->role = role(d, s->name);
		at = fire_at(s);
		if (at == 0 || at > now)
			continue;
		src = rw_config_find_source(d->cfg, s->name);
		if (src == NULL || !rw_store_connected(d->store))
			continue;
		start_fire(d, s, src, now);
	}
	arm(d);
}

/* Arms the timer for the earliest deadline not being fired right now. */
static void
arm(struct rw_deadlines *d)
{
	int64_t earliest = 0;

	for (size_t i = 0; i < d->n; i++) {
		const struct source_due *s = &d->sources[i];
		int64_t at = s->firing ? 0 : fire_at(s);

		if (at != 0 && (earliest == 0 || at < earliest))
			earliest = at;
	}
	/* Re-armed from the wall clock on every change and every refresh (1 s):
	 * a wall-clock jump is caught within a second. */
	if (earliest == 0)
		rw_timer_stop(&d->timer);
	else
		rw_timer_at(&d->timer, earliest);
}

static void
refresh_read(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct refresh_read *r = arg;
	struct rw_deadlines *d = r->d;
	struct source_due *s =
		r->gen == d->gen && r->idx < d->n ? &d->sources[r->idx] : find(d, r->name);

	(void)st;
	d->refreshing--;
	if (s != NULL && !s->firing && reply != NULL && reply->type == REDIS_REPLY_ARRAY) {
		int64_t due = reply->elements == 1 ? strtoll(reply->element[0]->str, NULL, 10) : 0;

		if (due != s->due) {
			s->due = due;
			d->changed = true;
		}
	}
	/* Armed once per round, not per answer. */
	if (d->refreshing == 0 && d->changed) {
		d->changed = false;
		arm(d);
	}
	free(r->name);
	free(r);
}

/* Asks Redis for source name's earliest deadline; 0, or -1 when the
 * command could not be sent. */
static int
read_due(struct rw_deadlines *d, size_t idx)
{
	struct refresh_read *r = calloc(1, sizeof(*r));
	char base[RW_KEY_SIZE];

	if (r == NULL || (r->name = strdup(d->sources[idx].name)) == NULL) {
		free(r);
		return -1;
	}
	r->d = d;
	r->gen = d->gen;
	r->idx = idx;
	/* The earliest deadline: see fetch.lua "next". */
	const char *argv[2] = {
		rw_key_base(rw_store_key_prefix(d->store), r->name, base, sizeof(base)), "next"};
	size_t len[2] = {argv[0] ? strlen(argv[0]) : 0, 4};

	if (argv[0] == NULL ||
	    rw_store_script(d->store, "fetch", 1, 2, argv, len, refresh_read, r) == -1) {
		free(r->name);
		free(r);
		return -1;
	}
	d->refreshing++;
	return 0;
}

void
rw_deadlines_refresh(struct rw_deadlines *d)
{
	size_t sent = 0, looked = 0;

	/* Roles first: the standby role changes with membership, which sends
	 * no news (cluster.h listeners hear gains and losses only). */
	for (size_t i = 0; i < d->n; i++) {
		enum rw_cluster_role r = role(d, d->sources[i].name);

		if (r != d->sources[i].role) {
			d->sources[i].role = r;
			d->changed = true;
		}
	}
	if (!rw_store_connected(d->store) || d->refreshing > 0) {
		if (d->changed && d->refreshing == 0) {
			d->changed = false;
			arm(d);
		}
		return;
	}
	for (size_t i = 0; i < d->n && sent < REFRESH_BATCH; i++) {
		if (!d->sources[i].urgent)
			continue;
		if (read_due(d, i) == -1)
			break;
		d->sources[i].urgent = false;
		sent++;
	}
	for (; looked < d->n && sent < REFRESH_BATCH; looked++) {
		size_t i = d->next_read++ % d->n;
		struct source_due *s = &d->sources[i];

		/* Another daemon's and not ours to back up: not read, and what
		 * was known of it forgotten (it is read again on a gain). */
		if (s->role == RW_CLUSTER_NONE) {
			if (!s->firing && s->due != 0) {
				s->due = 0;
				d->changed = true;
			}
			continue;
		}
		if (read_due(d, i) == -1)
			break;
		sent++;
	}
	d->next_read %= d->n ? d->n : 1;
	if (d->refreshing == 0 && d->changed) {
		d->changed = false;
		arm(d);
	}
}

/* A source gained is read at once (its deadlines may be due now); a loss
 * only re-arms (the next refresh forgets it unless this daemon is its
 * standby). */
static void
on_ownership(void *arg, const char *source, bool owned)
{
	struct rw_deadlines *d = arg;
	struct source_due *s = find(d, source);

	if (s != NULL)
		s->role = role(d, source);
	/* A burst of gains (a daemon starting alone with thousands of
	 * sources) is read in rounds, the gained sources first. */
	if (owned && s != NULL &&
	    (d->refreshing >= REFRESH_BATCH || !rw_store_connected(d->store) ||
	     read_due(d, (size_t)(s - d->sources)) == -1))
		s->urgent = true;
	/* A deadline known already fires at another time now (or never);
	 * one not known yet is armed when its read comes in. */
	if (s != NULL && s->due != 0)
		arm(d);
}

void
rw_deadlines_set_cluster(struct rw_deadlines *d, struct rw_cluster *c)
{
	d->cluster = c;
	rw_cluster_listen(c, on_ownership, d);
	for (size_t i = 0; i < d->n; i++)
		d->sources[i].role = role(d, d->sources[i].name);
	arm(d);
}

static void
on_refresh(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	rw_deadlines_refresh(w->data);
}

struct rw_deadlines *
rw_deadlines_new(struct ev_loop *loop, struct rw_store *st, struct rw_tracker *tr)
{
	struct rw_deadlines *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->loop = loop;
	d->store = st;
	d->tracker = tr;
	rw_timer_init(&d->timer, loop, on_timer, d);
	ev_timer_init(&d->refresh, on_refresh, REFRESH_EVERY, REFRESH_EVERY);
	d->refresh.data = d;
	ev_timer_start(loop, &d->refresh);
	return d;
}

static void
free_sources(struct source_due *sources, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(sources[i].name);
	free(sources);
}

void
rw_deadlines_use(struct rw_deadlines *d, const struct rw_config *cfg)
{
	struct source_due *next = calloc(cfg->nsources ? cfg->nsources : 1, sizeof(*next));
	size_t n = 0;

	if (next == NULL) {
		log_warnx("deadlines: out of memory; keeping the previous source list");
		return;
	}
	for (size_t i = 0; i < cfg->nsources; i++) {
		struct source_due *old = find(d, cfg->sources[i].name);

		next[n].name = strdup(cfg->sources[i].name);
		if (next[n].name == NULL)
			continue;
		next[n].role = role(d, next[n].name);
		/* A fire under way reports back by name; keep its state. */
		if (old != NULL) {
			next[n].due = old->due;
		}
		n++;
	}
	d->cfg = cfg;
	free_sources(d->sources, d->n);
	d->sources = next;
	d->n = n;
	d->gen++;
	d->next_read = 0;
	rw_deadlines_refresh(d);
	arm(d);
}

void
rw_deadlines_free(struct rw_deadlines *d)
{
	if (d == NULL)
		return;
	rw_timer_stop(&d->timer);
	ev_timer_stop(d->loop, &d->refresh);
	free_sources(d->sources, d->n);
	free(d);
}
