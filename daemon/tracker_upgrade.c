/*
 * tracker_upgrade.c: moves a source's mentions written by an older
 * replywatchd to the current Redis layout (the migrate script), a slice at a
 * time so Redis keeps answering everyone else meanwhile.
 */
#include <hiredis/hiredis.h>
#include <stdlib.h>

#include "replywatch/config.h"
#include "replywatch/log.h"
#include "tracker_internal.h"

/* Index entries moved per script call: a few milliseconds of Redis time. */
#define UPGRADE_SLICE "2000"

struct upgrade_op {
	const struct rw_source_config *src;
	rw_tracker_done_fn *done;
	void *arg;
	long long moved;
};

static int upgrade_step(struct rw_tracker *tr, struct upgrade_op *op);

static void
upgrade_finish(struct upgrade_op *op, int result, const char *detail)
{
	if (result == 0 && op->moved > 0)
		log_info("%s: moved %lld index entries to the compact Redis layout", op->src->name,
			 op->moved);
	op->done(op->arg, result, detail);
	free(op);
}

static void
upgrade_stepped(struct rw_tracker *tr, const redisReply *reply, void *arg)
{
	struct upgrade_op *op = arg;

	if (reply == NULL || reply->type != REDIS_REPLY_INTEGER) {
		upgrade_finish(op, -1,
			       reply && reply->type == REDIS_REPLY_ERROR ? reply->str
									 : "redis unavailable");
		return;
	}
	if (reply->integer == 0) {
		upgrade_finish(op, 0, NULL);
		return;
	}
	op->moved += reply->integer;
	if (upgrade_step(tr, op) == -1)
		upgrade_finish(op, -1, "redis unavailable");
}

static int
upgrade_step(struct rw_tracker *tr, struct upgrade_op *op)
{
	const char *argv[1] = {UPGRADE_SLICE};

	return tracker_script(tr, op->src, "migrate", 1, argv, upgrade_stepped, op);
}

int
rw_tracker_upgrade(struct rw_tracker *tr, const struct rw_source_config *src,
		   rw_tracker_done_fn *done, void *arg)
{
	struct upgrade_op *op = calloc(1, sizeof(*op));

	if (op == NULL)
		return -1;
	op->src = src;
	op->done = done;
	op->arg = arg;
	if (upgrade_step(tr, op) == -1) {
		free(op);
		return -1;
	}
	return 0;
}
