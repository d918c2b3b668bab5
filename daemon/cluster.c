/*
 * cluster.c: the cluster member's life (cluster.h) — sources table, timers,
 * roles, reloads and the stop. Membership is in cluster_members.c, the
 * lease calls in cluster_lease.c, ranking in cluster_rank.c, /status and
 * metrics in cluster_report.c.
 *
 * Timers: the heartbeat (RW_CLUSTER_HEARTBEAT_MS) reads the live members and
 * then rebalances (acquire what this daemon ranks first for, release what
 * another ranks first for); every owned lease is renewed once per
 * RW_CLUSTER_RENEW_MS, a tenth of the sources every tenth of it; a fence
 * check every CL_FENCE_CHECK_S drops (and tells the listeners about) leases
 * whose last successful renewal was sent RW_CLUSTER_FENCE_MS ago, and sends
 * overdue renewals again; peeks read others' leases for /status.
 */
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cluster_internal.h"
#include "replywatch/config.h"
#include "replywatch/log.h"
#include "replywatch/store.h"

/* CLOCK_BOOTTIME: monotonic, and unlike CLOCK_MONOTONIC it keeps counting
 * while the machine is suspended, which a lease in Redis does too. */
int64_t
cl_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* FNV-1a: names are short and chosen by the operator, not an attacker. */
static size_t
name_hash(const char *name)
{
	uint64_t h = 1469598103934665603ULL;

	for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return (size_t)h;
}

struct cl_source *
cl_find(const struct rw_cluster *c, const char *name)
{
	struct cl_source *s;

	if (c->table_size == 0)
		return NULL;
	for (s = c->table[name_hash(name) & (c->table_size - 1)]; s != NULL; s = s->next_hash)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

bool
cl_owner_now(const struct rw_cluster *c, const struct cl_source *s, int64_t now)
{
	return s->owned && !c->stopping && now - s->sent_ms < RW_CLUSTER_FENCE_MS;
}

void
cl_notify(struct rw_cluster *c, const char *source, bool owned)
{
	for (size_t i = 0; i < c->nlisteners; i++)
		c->listeners[i].fn(c->listeners[i].arg, source, owned);
}

void
cl_lose(struct rw_cluster *c, struct cl_source *s, const char *why)
{
	if (!s->owned)
		return;
	s->owned = false;
	s->token[0] = '\0';
	c->losses++;
	if (strcmp(why, "fenced") == 0)
		c->fenced++;
	if (strcmp(why, "taken") == 0)
		log_info("cluster: %s lost: another daemon holds its lease", s->name);
	else if (strcmp(why, "lapsed") == 0)
		log_info("cluster: %s lost: its lease was gone from redis", s->name);
	else
		log_debug("cluster: %s lost (%s)", s->name, why);
	cl_notify(c, s->name, false);
}

static void
source_free(struct cl_source *s)
{
	if (s == NULL)
		return;
	free(s->name);
	free(s);
}

void
cl_done(struct rw_cluster *c, struct cl_source *s)
{
	if (c->pending > 0)
		c->pending--;
	if (s == NULL)
		return;
	if (s->inflight > 0)
		s->inflight--;
	if (s->removed && s->inflight == 0) {
		struct cl_source **p = &c->removed;

		while (*p != NULL && *p != s)
			p = &(*p)->next_removed;
		if (*p == s)
			*p = s->next_removed;
		source_free(s);
	}
}

void
cl_rebalance(struct rw_cluster *c)
{
	if (!c->used || c->stopping || !c->connected)
		return;
	for (size_t i = 0; i < c->nlist; i++) {
		struct cl_source *s = c->list[i];
		bool first = strcmp(s->first, c->id) == 0;

		if (s->owned && !first) {
			/* Another live member ranks first: stop acting, then hand
			 * the lease over at once. */
			cl_lose(c, s, "released");
			cl_release(c, s);
		} else if (!s->owned && first && !s->busy) {
			cl_acquire(c, s);
		}
	}
}

static void
on_beat_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	cl_beat(w->data);
}

#define RENEW_OVERDUE_MS 1000

/* Drops every lease past the fence time and sends again the renewals that
 * are overdue. */
static void
fence_check(struct rw_cluster *c)
{
	int64_t now = cl_mono_ms();
	size_t n = 0;

	for (size_t i = 0; i < c->nlist; i++) {
		struct cl_source *s = c->list[i];

		if (s->owned && !cl_owner_now(c, s, now)) {
			cl_lose(c, s, "fenced");
			n++;
		} else if (s->owned && !s->busy && c->connected &&
			   now - s->sent_ms >= RW_CLUSTER_RENEW_MS + RENEW_OVERDUE_MS) {
			/* Its renewal could not be sent (the store's in-flight
			 * cap, a disconnect) or failed: try again now rather
			 * than a whole round later, while the fence is far. */
			cl_renew(c, s);
		}
	}
	if (n > 0)
		log_warnx("cluster: no lease renewal confirmed within %d ms for %zu source%s: "
			  "not acting on %s any more",
			  RW_CLUSTER_FENCE_MS, n, n == 1 ? "" : "s", n == 1 ? "it" : "them");
}

static void
on_renew_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct rw_cluster *c = w->data;

	(void)loop;
	(void)revents;
	size_t slice = c->renew_slice++ % CL_RENEW_SLICES;

	/* A daemon that was stopped (SIGSTOP) wakes here: the fence first, so
	 * that a lease past it is not renewed back into use. */
	fence_check(c);
	/* One slice of the sources per tick: each is renewed every
	 * RW_CLUSTER_RENEW_MS, and 10 000 renewals do not all wait in the
	 * store at once. */
	for (size_t i = slice; i < c->nlist; i += CL_RENEW_SLICES) {
		struct cl_source *s = c->list[i];

		if (s->owned && !s->busy)
			cl_renew(c, s);
	}
}

static void
on_fence_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	fence_check(w->data);
}

static void
on_peek_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct rw_cluster *c = w->data;

	(void)loop;
	(void)revents;
	if (c->status_read_mono == 0 || cl_mono_ms() - c->status_read_mono > CL_PEEK_WANTED_MS)
		return;
	for (size_t i = 0; i < c->nlist; i++) {
		struct cl_source *s = c->list[i];

		if (!s->owned && !s->busy)
			cl_peek(c, s);
	}
}

struct rw_cluster *
rw_cluster_new(struct ev_loop *loop, struct rw_store *st, const char *instance_id)
{
	struct rw_cluster *c;
	unsigned char rnd[CL_EPOCH_LEN / 2];

	if (!rw_cluster_id_valid(instance_id) || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->loop = loop;
	c->st = st;
	snprintf(c->id, sizeof(c->id), "%s", instance_id);
	/* The epoch tells this process's leases from those of an earlier one
	 * under the same id; only uniqueness matters. */
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		free(c);
		return NULL;
	}
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(c->epoch + 2 * i, 3, "%02x", rnd[i]);
	c->members = calloc(1, sizeof(*c->members));
	if (c->members == NULL) {
		free(c);
		return NULL;
	}
	snprintf(c->members[0].id, sizeof(c->members[0].id), "%s", c->id);
	c->nmembers = 1;
	ev_timer_init(&c->beat_timer, on_beat_timer, 0., RW_CLUSTER_HEARTBEAT_MS / 1000.);
	ev_timer_init(&c->renew_timer, on_renew_timer, 0.,
		      RW_CLUSTER_RENEW_MS / 1000. / CL_RENEW_SLICES);
	ev_timer_init(&c->fence_timer, on_fence_timer, 0., CL_FENCE_CHECK_S);
	ev_timer_init(&c->peek_timer, on_peek_timer, 0., CL_PEEK_EVERY_S);
	c->beat_timer.data = c->renew_timer.data = c->fence_timer.data = c->peek_timer.data = c;
	return c;
}

static struct cl_source *
source_new(struct rw_cluster *c, const char *name)
{
	struct cl_source *s = calloc(1, sizeof(*s));

	if (s == NULL || (s->name = strdup(name)) == NULL) {
		free(s);
		return NULL;
	}
	s->c = c;
	s->holder_ttl_ms = -1;
	cl_rank(c, s);
	return s;
}

/* A source left the configuration: released if owned, freed once nothing
 * about it is in flight. */
static void
source_remove(struct rw_cluster *c, struct cl_source *s)
{
	if (s->owned) {
		cl_lose(c, s, "released");
		cl_release(c, s);
	}
	s->removed = true;
	if (s->inflight == 0) {
		source_free(s);
		return;
	}
	s->next_removed = c->removed;
	c->removed = s;
}

static size_t
table_size_for(size_t n)
{
	size_t size = 16;

	while (size < 2 * n)
		size *= 2;
	return size;
}

void
rw_cluster_use(struct rw_cluster *c, const struct rw_config *cfg)
{
	size_t n = cfg->nsources, size = table_size_for(n);
	struct cl_source **table = calloc(size, sizeof(*table));
	struct cl_source **list = calloc(n ? n : 1, sizeof(*list));
	size_t nlist = 0;

	if (table == NULL || list == NULL) {
		/* Keeps the sources it had: a later reload tries again. */
		log_warnx("cluster: out of memory taking the new sources; keeping the old ones");
		free(table);
		free(list);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char *name = cfg->sources[i].name;
		struct cl_source *s = cl_find(c, name);
		size_t b = name_hash(name) & (size - 1);

		if (s == NULL && (s = source_new(c, name)) == NULL) {
			log_warnx("cluster: out of memory: %s is not shared", name);
			continue;
		}
		s->next_hash = table[b];
		table[b] = s;
		list[nlist++] = s;
	}
	/* Whatever the new table does not hold left the configuration. */
	for (size_t i = 0; i < c->nlist; i++) {
		struct cl_source *s = c->list[i], *t;

		for (t = table[name_hash(s->name) & (size - 1)]; t != NULL && t != s;
		     t = t->next_hash)
			;
		if (t == NULL)
			source_remove(c, s);
	}
	free(c->table);
	free(c->list);
	c->table = table;
	c->table_size = size;
	c->list = list;
	c->nlist = nlist;
	if (!c->used) {
		c->used = true;
		ev_timer_again(c->loop, &c->beat_timer);
		ev_timer_again(c->loop, &c->renew_timer);
		ev_timer_again(c->loop, &c->fence_timer);
		ev_timer_again(c->loop, &c->peek_timer);
	}
	cl_rebalance(c);
}

void
rw_cluster_note_store(struct rw_cluster *c, bool connected)
{
	if (c == NULL)
		return;
	c->connected = connected;
	if (connected && c->used && !c->stopping) {
		/* The heartbeat's answer rebalances: the acquires follow at once. */
		cl_beat(c);
		ev_timer_again(c->loop, &c->beat_timer);
	}
}

void
rw_cluster_listen(struct rw_cluster *c, rw_cluster_change_fn *fn, void *arg)
{
	if (c->nlisteners == CL_LISTENERS_MAX) {
		log_err("cluster: more than %d listeners; one ignored", CL_LISTENERS_MAX);
		return;
	}
	c->listeners[c->nlisteners].fn = fn;
	c->listeners[c->nlisteners].arg = arg;
	c->nlisteners++;
}

enum rw_cluster_role
rw_cluster_role(const struct rw_cluster *c, const char *source)
{
	const struct cl_source *s = c ? cl_find(c, source) : NULL;
	int64_t now = cl_mono_ms();
	const char *standby;
	bool other_holds;

	if (s == NULL || c->stopping)
		return RW_CLUSTER_NONE;
	if (cl_owner_now(c, s, now))
		return RW_CLUSTER_OWNER;
	/* The standby is the best-ranked live member not holding the lease.
	 * The holder counts as read only while fresh; otherwise the first
	 * member is taken to hold it (it takes the lease within a heartbeat). */
	other_holds = s->holder[0] != '\0' && now - s->holder_read_ms < CL_HOLDER_FRESH_MS &&
		      strcmp(s->holder, s->first) != 0;
	standby = other_holds ? s->first : s->second;
	return strcmp(standby, c->id) == 0 ? RW_CLUSTER_STANDBY : RW_CLUSTER_NONE;
}

bool
rw_cluster_owns(const struct rw_cluster *c, const char *source)
{
	return rw_cluster_role(c, source) == RW_CLUSTER_OWNER;
}

const char *
rw_cluster_fence(const struct rw_cluster *c, const char *source)
{
	const struct cl_source *s = c ? cl_find(c, source) : NULL;

	if (s == NULL || !cl_owner_now(c, s, cl_mono_ms()))
		return NULL;
	return s->token;
}

bool
rw_cluster_leads(const struct rw_cluster *c, const char *key)
{
	const char *ids[64];
	size_t n = 0;

	if (c->nmembers <= 1)
		return true;
	/* More than 64 daemons is far past the design; rank the first 64 (and
	 * self) rather than allocate here. */
	for (size_t i = 0; i < c->nmembers && n < 63; i++)
		if (strcmp(c->members[i].id, c->id) != 0)
			ids[n++] = c->members[i].id;
	ids[n++] = c->id;
	return rw_cluster_first(key, ids, n) == n - 1;
}

const char *
rw_cluster_instance(const struct rw_cluster *c)
{
	return c->id;
}

void
rw_cluster_stop(struct rw_cluster *c)
{
	if (c == NULL || c->stopping)
		return;
	ev_timer_stop(c->loop, &c->beat_timer);
	ev_timer_stop(c->loop, &c->renew_timer);
	ev_timer_stop(c->loop, &c->fence_timer);
	ev_timer_stop(c->loop, &c->peek_timer);
	for (size_t i = 0; i < c->nlist; i++) {
		struct cl_source *s = c->list[i];

		if (s->owned) {
			cl_lose(c, s, "released");
			cl_release(c, s);
		}
	}
	c->stopping = true;
	cl_leave(c);
}

size_t
rw_cluster_pending(const struct rw_cluster *c)
{
	return c ? c->pending : 0;
}

void
rw_cluster_free(struct rw_cluster *c)
{
	if (c == NULL)
		return;
	ev_timer_stop(c->loop, &c->beat_timer);
	ev_timer_stop(c->loop, &c->renew_timer);
	ev_timer_stop(c->loop, &c->fence_timer);
	ev_timer_stop(c->loop, &c->peek_timer);
	for (size_t i = 0; i < c->nlist; i++)
		source_free(c->list[i]);
	while (c->removed != NULL) {
		struct cl_source *s = c->removed;

		c->removed = s->next_removed;
		source_free(s);
	}
	free(c->list);
	free(c->table);
	free(c->members);
	free(c);
}
