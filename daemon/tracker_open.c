/*
 * tracker_open.c: a source's open mentions by position, for connectors that
 * re-read open items by id (the list script, states open/warning/breached,
 * every policy).
 */
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/tracker.h"
#include "tracker_internal.h"

#define OPEN_CODES "owb" /* open, warning, breached (mention.c's state codes) */
#define OPEN_LIMIT_MAX 1000

struct open_call {
	rw_tracker_open_fn *fn;
	void *arg;
};

static void
open_listed(struct rw_tracker *tr, const redisReply *reply, void *arg)
{
	struct open_call *call = arg;
	struct rw_open_item *items = NULL;
	size_t n = 0;

	(void)tr;
	/* Triples (id, created ms, fields). */
	if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements % 3 != 0) {
		call->fn(call->arg, -1, NULL, 0);
		free(call);
		return;
	}
	if (reply->elements > 0 && (items = calloc(reply->elements / 3, sizeof(*items))) == NULL) {
		call->fn(call->arg, -1, NULL, 0);
		free(call);
		return;
	}
	for (size_t i = 0; i + 2 < reply->elements; i += 3) {
		const redisReply *id = reply->element[i], *ms = reply->element[i + 1];

		if (id->type != REDIS_REPLY_STRING || ms->type != REDIS_REPLY_STRING)
			continue;
		items[n].id = id->str; /* borrowed from the reply */
		items[n].created_ms = strtoll(ms->str, NULL, 10);
		n++;
	}
	call->fn(call->arg, 0, items, n);
	free(items);
	free(call);
}

int
rw_tracker_open_ids(struct rw_tracker *tr, const struct rw_source_config *src, int64_t after_ms,
		    const char *after_id, size_t limit, rw_tracker_open_fn *fn, void *arg)
{
	struct open_call *call;
	char ms[32] = "", lim[16];

	if (limit == 0 || limit > OPEN_LIMIT_MAX || (call = calloc(1, sizeof(*call))) == NULL)
		return -1;
	call->fn = fn;
	call->arg = arg;
	if (after_id != NULL)
		snprintf(ms, sizeof(ms), "%" PRId64, after_ms);
	snprintf(lim, sizeof(lim), "%zu", limit);
	const char *argv[5] = {OPEN_CODES, "", ms, after_id ? after_id : "", lim};
	if (tracker_script(tr, src, "list", 5, argv, open_listed, call) == -1) {
		free(call);
		return -1;
	}
	return 0;
}
