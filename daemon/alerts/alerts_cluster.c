/*
 * alerts_cluster.c: which sources this daemon delivers when several daemons
 * share them (cluster.h, docs/high-availability.md "Several daemons").
 *
 * A daemon reads each group as its own consumer (its instance id) and only
 * the streams of the sources it owns. On a gain it first claims every entry
 * still pending in the group (XAUTOCLAIM, outbox.c): the previous owner's,
 * a pre-upgrade daemon's ("replywatchd") and its own, then reads new ones,
 * so a target's events of one source keep their order. On a loss it stops
 * reading the source and drops that source's events not yet in a request,
 * unacknowledged: the new owner claims them. Events already in a request
 * are delivered; the new owner may deliver them too, under the same event
 * ids, which receivers drop.
 */
#include <stdlib.h>
#include <string.h>

#include "alerts_internal.h"
#include "replywatch/cluster.h"
#include "replywatch/keys.h"
#include "replywatch/log.h"

const char *
alerts_consumer(const struct rw_alerts *a)
{
	return a->cluster ? rw_cluster_instance(a->cluster) : RW_KEY_ALERT_CONSUMER;
}

bool
alerts_owns(const struct rw_alerts *a, const char *source)
{
	return a->cluster == NULL || rw_cluster_owns(a->cluster, source);
}

const char *
alerts_fence(const struct rw_alerts *a, const char *source)
{
	return a->cluster ? rw_cluster_fence(a->cluster, source) : NULL;
}

bool
alerts_leads(const struct rw_alerts *a, const char *key)
{
	return a->cluster == NULL || rw_cluster_leads(a->cluster, key);
}

/* Drops the events of source that wait in t's queue for a request, without
 * acknowledging them. Repeats (no stream entry) stay: they were scheduled
 * again already. */
static void
drop_queued(struct target *t, const char *source)
{
	size_t kept = 0, dropped = 0;

	for (size_t i = 0; i < t->nq; i++) {
		if (t->q[i].sid != NULL && strcmp(t->q[i].source, source) == 0) {
			alerts_queued_clear(&t->q[i]);
			dropped++;
			continue;
		}
		t->q[kept++] = t->q[i];
	}
	t->nq = kept;
	/* At a stop every source is released: nothing to say then. */
	if (dropped > 0 && !t->a->stopping)
		log_info("alert target %s: source %s moved to another daemon: %zu queued events "
			 "left to it",
			 t->name, source, dropped);
}

void
alerts_follow(struct target *t, struct source_read *r, bool owned)
{
	/* Claimed from the start at every gain; a read under way when the
	 * source was lost delivers nothing (read_done looks at r->owned). */
	r->owned = owned;
	r->gen++;
	r->backlog_read = false;
	r->backlog_after[0] = '\0';
	r->more = false;
	if (owned)
		r->dirty = true;
	else
		drop_queued(t, r->source);
}

bool
alerts_check_owned(struct target *t, struct source_read *r)
{
	bool owned = alerts_owns(t->a, r->source);

	if (owned != r->owned)
		alerts_follow(t, r, owned);
	return owned;
}

/* A cluster listener: follows a gain or a loss at once in every target. */
static void
changed(void *arg, const char *source, bool owned)
{
	struct rw_alerts *a = arg;

	if (a->freeing)
		return;
	for (struct target *t = a->targets; t != NULL; t = t->next)
		for (size_t i = 0; i < t->nreads; i++)
			if (strcmp(t->reads[i].source, source) == 0)
				alerts_follow(t, &t->reads[i], owned);
}

void
rw_alerts_set_cluster(struct rw_alerts *a, struct rw_cluster *c)
{
	a->cluster = c;
	if (c != NULL)
		rw_cluster_listen(c, changed, a);
	/* The reads made so far take the cluster's view at the next tick. */
	for (struct target *t = a->targets; t != NULL; t = t->next)
		for (size_t i = 0; i < t->nreads; i++)
			alerts_check_owned(t, &t->reads[i]);
}
