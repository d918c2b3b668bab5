/*
 * cluster_members.c: the membership heartbeat (daemon/lua/members.lua).
 *
 * Every RW_CLUSTER_HEARTBEAT_MS the daemon records its heartbeat (Redis
 * TIME, so the hosts' clocks do not matter), drops members silent for
 * RW_CLUSTER_MEMBER_DEAD_MS and reads the live list. When the list changed,
 * every source is ranked again; then the sources are rebalanced.
 */
#include <stdlib.h>
#include <string.h>

#include "cluster_internal.h"
#include "replywatch/keys.h"
#include "replywatch/log.h"
#include "replywatch/store.h"

#define STR2(x) #x
#define STR(x) STR2(x)

static int
member_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cl_member *)a)->id, ((const struct cl_member *)b)->id);
}

static bool
same_members(const struct cl_member *a, size_t na, const struct cl_member *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i].id, b[i].id) != 0)
			return false;
	return true;
}

/* The beat's answer { now, id1, ms1, ... } as a new sorted member list that
 * holds self. Returns the count, or -1 (*out untouched) when unusable. */
static long
parse_members(const struct rw_cluster *c, const redisReply *r, struct cl_member **out, int64_t *now)
{
	struct cl_member *m;
	size_t n = 0;
	bool self = false;

	if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements < 1 || r->elements % 2 != 1 ||
	    r->element[0]->type != REDIS_REPLY_STRING)
		return -1;
	*now = strtoll(r->element[0]->str, NULL, 10);
	m = calloc(r->elements / 2 + 1, sizeof(*m));
	if (m == NULL)
		return -1;
	for (size_t i = 1; i + 1 < r->elements; i += 2) {
		const redisReply *id = r->element[i], *ms = r->element[i + 1];

		if (id->type != REDIS_REPLY_STRING || ms->type != REDIS_REPLY_STRING ||
		    !rw_cluster_id_valid(id->str))
			continue; /* not a daemon's: ignored */
		snprintf(m[n].id, sizeof(m[n].id), "%s", id->str);
		m[n].beat_ms = strtoll(ms->str, NULL, 10);
		self = self || strcmp(m[n].id, c->id) == 0;
		n++;
	}
	if (!self) {
		snprintf(m[n].id, sizeof(m[n].id), "%s", c->id);
		m[n].beat_ms = *now;
		n++;
	}
	qsort(m, n, sizeof(*m), member_cmp);
	*out = m;
	return (long)n;
}

static void
beaten(struct rw_store *st, const redisReply *r, void *arg)
{
	struct rw_cluster *c = arg;
	struct cl_member *m = NULL;
	int64_t now = 0;
	long n = parse_members(c, r, &m, &now);

	(void)st;
	cl_done(c, NULL);
	if (n < 0) {
		c->beats_failed++;
		if (r != NULL && r->type == REDIS_REPLY_ERROR)
			log_warnx("cluster: heartbeat refused: %s", r->str);
		return;
	}
	if (c->stopping) {
		free(m);
		return;
	}
	if (!same_members(c->members, c->nmembers, m, (size_t)n)) {
		log_info("cluster: %ld live member%s (was %zu)", n, n == 1 ? "" : "s", c->nmembers);
		free(c->members);
		c->members = m;
		c->nmembers = (size_t)n;
		for (size_t i = 0; i < c->nlist; i++) {
			struct cl_source *src = c->list[i];
			char was[sizeof(src->first)];

			memcpy(was, src->first, sizeof(was));
			cl_rank(c, src);
			/* A holder read under the old ranking says nothing about
			 * the handover the new one starts. */
			if (strcmp(was, src->first) != 0 && !src->owned)
				src->holder[0] = '\0';
		}
	} else {
		/* Same members: only the heartbeat times are new. */
		memcpy(c->members, m, (size_t)n * sizeof(*m));
		free(m);
	}
	c->members_now_ms = now;
	c->members_read_mono = cl_mono_ms();
	cl_rebalance(c);
}

static int
members_call(struct rw_cluster *c, const char *op, rw_store_reply_fn *fn)
{
	char key[RW_KEY_SIZE];
	const char *argv[4];
	size_t len[4];

	if (rw_key_name(RW_KEY_MEMBERS, rw_store_key_prefix(c->st), NULL, NULL, key, sizeof(key)) ==
	    NULL)
		return -1;
	argv[0] = key;
	argv[1] = op;
	argv[2] = c->id;
	argv[3] = STR(RW_CLUSTER_MEMBER_DEAD_MS);
	for (int i = 0; i < 4; i++)
		len[i] = strlen(argv[i]);
	if (rw_store_script(c->st, "members", 1, 4, argv, len, fn, c) == -1)
		return -1;
	c->pending++;
	return 0;
}

void
cl_beat(struct rw_cluster *c)
{
	if (members_call(c, "beat", beaten) == -1)
		c->beats_failed++;
}

static void
left(struct rw_store *st, const redisReply *r, void *arg)
{
	(void)st;
	(void)r;
	cl_done(arg, NULL);
}

void
cl_leave(struct rw_cluster *c)
{
	(void)members_call(c, "leave", left);
}
