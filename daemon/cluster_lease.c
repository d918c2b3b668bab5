/*
 * cluster_lease.c: the lease calls of one source (daemon/lua/lease.lua):
 * acquire, renew, release, peek, and what their answers change.
 *
 * At most one acquire or renew per source is in flight (busy), so answers
 * arrive in the order the state expects. The time a call was sent is kept:
 * a successful renewal counts from when it was sent, not answered, so the
 * fence (RW_CLUSTER_FENCE_MS) always ends before the lease (RW_CLUSTER_LEASE_MS)
 * can, however late the answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_internal.h"
#include "replywatch/keys.h"
#include "replywatch/log.h"
#include "replywatch/store.h"

#define STR2(x) #x
#define STR(x) STR2(x)

/* Sends lease.lua op for s. Returns 0, or -1 (nothing sent: not connected,
 * over the store's cap, or a name too long for a key). */
static int
lease_call(struct rw_cluster *c, struct cl_source *s, const char *op, rw_store_reply_fn *fn)
{
	char base[RW_KEY_SIZE];
	const char *argv[5];
	size_t len[5];

	if (rw_key_base(rw_store_key_prefix(c->st), s->name, base, sizeof(base)) == NULL)
		return -1;
	argv[0] = base;
	argv[1] = op;
	argv[2] = c->id;
	argv[3] = c->epoch;
	argv[4] = STR(RW_CLUSTER_LEASE_MS);
	for (int i = 0; i < 5; i++)
		len[i] = strlen(argv[i]);
	if (rw_store_script(c->st, "lease", 1, 5, argv, len, fn, s) == -1)
		return -1;
	c->pending++;
	s->inflight++;
	return 0;
}

/* The element i of an array reply as text ("" when absent or not text). */
static void
element_text(const redisReply *r, size_t i, char *out, size_t len)
{
	const redisReply *e;

	out[0] = '\0';
	if (r == NULL || r->type != REDIS_REPLY_ARRAY || i >= r->elements)
		return;
	e = r->element[i];
	if (e->type == REDIS_REPLY_STRING || e->type == REDIS_REPLY_STATUS)
		snprintf(out, len, "%.*s", (int)e->len, e->str);
	else if (e->type == REDIS_REPLY_INTEGER)
		snprintf(out, len, "%lld", e->integer);
}

/* 1 when the reply says the call succeeded, 0 when it was refused, -1 when
 * there was no usable answer. */
static int
lease_ok(const redisReply *r)
{
	if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements < 1 ||
	    r->element[0]->type != REDIS_REPLY_INTEGER)
		return -1;
	return r->element[0]->integer == 1;
}

/* The instance id of a lease value "INSTANCE:EPOCH" into s->holder. */
static void
set_holder(struct cl_source *s, const char *value)
{
	const char *colon = strrchr(value, ':');
	size_t n = colon ? (size_t)(colon - value) : strlen(value);

	if (n > RW_CLUSTER_ID_MAX)
		n = RW_CLUSTER_ID_MAX;
	snprintf(s->holder, sizeof(s->holder), "%.*s", (int)n, value);
	s->holder_read_ms = cl_mono_ms();
}

/* An acquire that took the lease from this instance id under another
 * epoch: expected once per source after a restart; again and again, it
 * means two daemons run with one instance id (they take each other's
 * leases). Logged at most once a minute. */
static void
note_takeover(struct rw_cluster *c, struct cl_source *s, const redisReply *r)
{
	char prev[RW_KEY_SIZE];
	int64_t now;

	element_text(r, 2, prev, sizeof(prev));
	if (prev[0] == '\0' || strncmp(prev, c->id, strlen(c->id)) != 0 ||
	    prev[strlen(c->id)] != ':' || strcmp(prev + strlen(c->id) + 1, c->epoch) == 0)
		return;
	c->takeovers++;
	now = cl_mono_ms();
	if (c->takeover_logged_ms != 0 && now - c->takeover_logged_ms < 60000)
		return;
	c->takeover_logged_ms = now;
	log_notice("cluster: %s: took the lease of an earlier run of instance %s (%llu so far; if "
		   "this keeps growing, two daemons share cluster.instance_id)",
		   s->name, c->id, c->takeovers);
}

static void
acquired(struct rw_store *st, const redisReply *r, void *arg)
{
	struct cl_source *s = arg;
	struct rw_cluster *c = s->c;
	char text[RW_KEY_SIZE];
	int ok = lease_ok(r);

	(void)st;
	s->busy = false;
	element_text(r, 1, text, sizeof(text));
	if (ok == 1 && strlen(text) >= sizeof(s->token)) {
		ok = -1; /* not a counter's value: cannot happen with lease.lua */
		cl_release(c, s);
	}
	if (ok == 1) {
		c->acquires++;
		if (s->removed || c->stopping || strcmp(s->first, c->id) != 0) {
			/* Wanted no more while the call was out: hand it back. */
			cl_release(c, s);
		} else {
			s->owned = true;
			memcpy(s->token, text, strlen(text) + 1);
			note_takeover(c, s, r);
			s->sent_ms = s->gained_ms = s->op_sent_ms;
			set_holder(s, c->id);
			log_debug("cluster: %s gained (fencing token %s)", s->name, s->token);
			cl_notify(c, s->name, true);
		}
	} else if (ok == 0) {
		set_holder(s, text);
	} else if (r != NULL && r->type == REDIS_REPLY_ERROR) {
		log_warnx("cluster: %s: lease not taken: %s", s->name, r->str);
	}
	cl_done(c, s);
}

void
cl_acquire(struct rw_cluster *c, struct cl_source *s)
{
	int64_t now = cl_mono_ms();

	if (lease_call(c, s, "acquire", acquired) == 0) {
		s->busy = true;
		s->op_sent_ms = now;
	}
}

static void
renewed(struct rw_store *st, const redisReply *r, void *arg)
{
	struct cl_source *s = arg;
	struct rw_cluster *c = s->c;
	char text[RW_KEY_SIZE];
	int ok = lease_ok(r);

	(void)st;
	s->busy = false;
	element_text(r, 1, text, sizeof(text));
	if (ok == 1 && s->owned && strcmp(text, s->token) == 0) {
		if (s->op_sent_ms > s->sent_ms)
			s->sent_ms = s->op_sent_ms;
	} else if (ok == 0 || (ok == 1 && s->owned)) {
		/* Taken by another daemon (or re-taken under a new token): not
		 * ours any more. */
		c->renew_failures++;
		set_holder(s, text);
		cl_lose(c, s, text[0] ? "taken" : "lapsed");
	} else if (ok == -1) {
		/* No answer: the fence decides if none comes in time. */
		c->renew_failures++;
	}
	cl_done(c, s);
}

void
cl_renew(struct rw_cluster *c, struct cl_source *s)
{
	int64_t now = cl_mono_ms();

	if (lease_call(c, s, "renew", renewed) == 0) {
		s->busy = true;
		s->op_sent_ms = now;
	} else {
		c->renew_failures++;
	}
}

static void
released(struct rw_store *st, const redisReply *r, void *arg)
{
	struct cl_source *s = arg;

	(void)st;
	if (lease_ok(r) == 1)
		s->c->releases++;
	s->holder[0] = '\0';
	cl_done(s->c, s);
}

void
cl_release(struct rw_cluster *c, struct cl_source *s)
{
	if (lease_call(c, s, "release", released) == -1)
		log_debug("cluster: %s: lease not released (redis unavailable): it lapses",
			  s->name);
}

static void
peeked(struct rw_store *st, const redisReply *r, void *arg)
{
	struct cl_source *s = arg;
	char text[RW_KEY_SIZE], ttl[32];

	(void)st;
	if (r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 3 && !s->owned) {
		element_text(r, 0, text, sizeof(text));
		element_text(r, 1, ttl, sizeof(ttl));
		set_holder(s, text);
		s->holder_ttl_ms = strtoll(ttl, NULL, 10);
	}
	cl_done(s->c, s);
}

void
cl_peek(struct rw_cluster *c, struct cl_source *s)
{
	(void)lease_call(c, s, "peek", peeked);
}
