/*
 * tracker_due.c: closing a mention by hand, and raising the deadlines that
 * fell due.
 */
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/config.h"
#include "replywatch/lifecycle.h"
#include "replywatch/log.h"
#include "replywatch/store.h"
#include "tracker_internal.h"

/* ------------------------------------------------------------------- close */

struct close_op {
	struct rw_tracker *tr;
	const struct rw_source_config *src;
	char *id;
	char *reason;
	int attempts;
	rw_tracker_done_fn *done;
	void *arg;
};

static int close_start(struct close_op *op);

static void
close_finish(struct close_op *op, int result, const char *detail)
{
	op->done(op->arg, result, detail);
	free(op->id);
	free(op->reason);
	free(op);
}

static void
close_applied(struct rw_tracker *tr, const redisReply *reply, void *arg)
{
	struct close_op *op = arg;
	const char *v = tracker_verdict(reply, 0);

	(void)tr;
	if (v != NULL && strcmp(v, "stale") == 0 && ++op->attempts < TRACKER_RETRIES &&
	    close_start(op) == 0)
		return;
	/* Only "ok" means written: an error reply (Redis refusing writes) fails. */
	if (v != NULL && strcmp(v, "ok") == 0)
		close_finish(op, 0, NULL);
	else if (v != NULL)
		close_finish(op, -1, "the mention kept changing");
	else
		close_finish(op, -1,
			     reply != NULL && reply->type == REDIS_REPLY_ERROR
				     ? reply->str
				     : "redis unavailable");
}

static void
close_fetched(struct rw_tracker *tr, const redisReply *reply, void *arg)
{
	struct close_op *op = arg;
	struct rw_mention m;
	json_t *change;
	int rc;

	if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements != 1) {
		close_finish(op, -1, "redis unavailable");
		return;
	}
	rc = rw_mention_decode(&m, op->id, reply->element[0]);
	if (rc != 0) {
		close_finish(op, rc == 1 ? 1 : -1, rc == 1 ? "no such mention" : "bad record");
		return;
	}
	if (!rw_state_is_open(m.state)) {
		rw_mention_clear(&m);
		close_finish(op, 2, "already resolved");
		return;
	}
	change = tracker_resolve(tr, op->src, &m, RW_STATE_CLOSED, rw_now_ms(), NULL, op->reason);
	rw_mention_clear(&m);
	if (change == NULL ||
	    tracker_apply(tr, op->src, json_pack("[o]", change), true, close_applied, op) == -1)
		close_finish(op, -1, "redis unavailable");
}

static int
close_start(struct close_op *op)
{
	const char *argv[2] = {"ids", op->id};

	return tracker_fetch(op->tr, op->src, 2, argv, close_fetched, op);
}

int
rw_tracker_close(struct rw_tracker *tr, const struct rw_source_config *src, const char *id,
		 const char *reason, rw_tracker_done_fn *done, void *arg)
{
	struct close_op *op = calloc(1, sizeof(*op));

	if (op == NULL || (op->id = strdup(id)) == NULL || (op->reason = strdup(reason)) == NULL)
		goto fail;
	op->tr = tr;
	op->src = src;
	op->done = done;
	op->arg = arg;
	if (close_start(op) == 0)
		return 0;
fail:
	if (op != NULL) {
		free(op->id);
		free(op->reason);
	}
	free(op);
	return -1;
}

/* -------------------------------------------------------------------- fire */

/* Mentions handled per fetch; a larger backlog takes several rounds. */
#define FIRE_BATCH 200

struct fire_op {
	struct rw_tracker *tr;
	const struct rw_source_config *src;
	int64_t now;
	size_t fetched;
	rw_tracker_done_fn *done;
	void *arg;
};

static int fire_start(struct fire_op *op);

static void
fire_finish(struct fire_op *op, int result, const char *detail)
{
	op->done(op->arg, result, detail);
	free(op);
}

static void
next_due_read(struct rw_tracker *tr, const redisReply *reply, void *arg)
{
	struct fire_op *op = arg;
	int64_t due = 0;

	(void)tr;
	if (reply != NULL && reply->type == REDIS_REPLY_ARRAY && reply->elements == 1)
		due = strtoll(reply->element[0]->str, NULL, 10);
	if (op->tr->due_fn != NULL && reply != NULL)
		op->tr->due_fn(op->tr->due_arg, op->src->name, due, true);
	fire_finish(op, reply ? 0 : -1, reply ? NULL : "redis unavailable");
}

/* Reads the source's earliest remaining deadline (0 when none). */
static void
read_next_due(struct fire_op *op)
{
	const char *argv[1] = {"next"};

	if (tracker_fetch(op->tr, op->src, 1, argv, next_due_read, op) == -1)
		fire_finish(op, -1, "redis unavailable");
}

static void
fire_applied(struct rw_tracker *tr, const redisReply *reply, void *arg)
{
	struct fire_op *op = arg;

	(void)tr;
	if (reply == NULL) {
		fire_finish(op, -1, "redis unavailable");
		return;
	}
	/* "stale" entries changed under us (a reply, another daemon): the next
	 * round sees them as they are now. */
	if (op->fetched == FIRE_BATCH && fire_start(op) == 0)
		return;
	read_next_due(op);
}

/* Decides what is due for one fetched mention; appends its change. */
static int
fire_one(struct fire_op *op, json_t *changes, const char *id, const redisReply *fields)
{
	struct rw_mention m;
	struct rw_advance adv;
	enum rw_state from;
	json_t *events, *counters;
	int rc = rw_mention_decode(&m, id, fields);

	if (rc != 0) {
		/* The fetch script drops deadlines of vanished mentions, so this
		 * is a record this daemon cannot read: leave it to a newer one. */
		log_warnx("%s: mention %s has a record this version cannot read", op->src->name,
			  id);
		return 0;
	}
	from = m.state;
	rw_lifecycle_advance(&m, op->now, &adv);
	events = json_array();
	counters = json_object();
	for (size_t i = 0; events && i < adv.nevents; i++) {
		tracker_add_event(op->tr, events, op->src, &m, adv.events[i].type,
				  adv.events[i].level, adv.events[i].due, op->now);
		if (adv.events[i].type == RW_EVENT_BREACH)
			tracker_count(counters, "b", m.policy, NULL);
		if (adv.events[i].type == RW_EVENT_EXPIRED)
			tracker_count(counters, "x", m.policy, NULL);
	}
	json_t *change = tracker_change(op->tr, &m, m.version, from, m.policy, events, counters);
	rw_mention_clear(&m);
	return change ? json_array_append_new(changes, change) : -1;
}

static void
due_fetched(struct rw_tracker *tr, const redisReply *reply, void *arg)
{
	struct fire_op *op = arg;
	json_t *changes;

	if (reply == NULL || reply->type != REDIS_REPLY_ARRAY) {
		fire_finish(op, -1, "redis unavailable");
		return;
	}
	op->fetched = reply->elements / 2;
	changes = json_array();
	for (size_t i = 0; changes && i + 1 < reply->elements; i += 2)
		if (fire_one(op, changes, reply->element[i]->str, reply->element[i + 1]) == -1) {
			json_decref(changes);
			changes = NULL;
		}
	if (changes == NULL) {
		fire_finish(op, -1, "out of memory");
		return;
	}
	if (json_array_size(changes) == 0) {
		json_decref(changes);
		read_next_due(op);
		return;
	}
	if (tracker_apply(tr, op->src, changes, false, fire_applied, op) == -1)
		fire_finish(op, -1, "redis unavailable");
}

static int
fire_start(struct fire_op *op)
{
	char now[32], limit[16];

	snprintf(now, sizeof(now), "%" PRId64, op->now);
	snprintf(limit, sizeof(limit), "%d", FIRE_BATCH);
	const char *argv[3] = {"due", now, limit};
	return tracker_fetch(op->tr, op->src, 3, argv, due_fetched, op);
}

int
rw_tracker_fire(struct rw_tracker *tr, const struct rw_source_config *src, int64_t now_ms,
		rw_tracker_done_fn *done, void *arg)
{
	struct fire_op *op = calloc(1, sizeof(*op));

	if (op == NULL)
		return -1;
	op->tr = tr;
	op->src = src;
	op->now = now_ms;
	op->done = done;
	op->arg = arg;
	if (fire_start(op) == 0)
		return 0;
	free(op);
	return -1;
}
