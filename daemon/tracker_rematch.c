/*
 * tracker_rematch.c: after a reload, every open mention is matched against
 * the new policies again and its deadlines recomputed. What was raised stays
 * raised (the flags are kept), so nothing is sent twice; a deadline the new
 * policy puts in the past is raised at once, like for a late mention.
 */
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/keys.h"
#include "replywatch/lifecycle.h"
#include "replywatch/log.h"
#include "replywatch/policy.h"
#include "replywatch/store.h"
#include "tracker_internal.h"

#define REMATCH_PAGE 500

struct rematch_op {
	struct rw_tracker *tr;
	const struct rw_source_config *src;
	char after_ms[32];
	char *after_id;
	bool last_page;
	size_t changed;
	rw_tracker_done_fn *done;
	void *arg;
};

static int rematch_page(struct rematch_op *op);

static void
rematch_finish(struct rematch_op *op, int result, const char *detail)
{
	if (result == 0 && op->changed)
		log_info("%s: %zu open mentions re-matched to the new policies", op->src->name,
			 op->changed);
	op->done(op->arg, result, detail);
	free(op->after_id);
	free(op);
}

/* The item fields policy matching looks at, borrowed from m. */
static void
item_view(const struct rw_mention *m, struct rw_item *it)
{
	memset(it, 0, sizeof(*it));
	it->id = m->id;
	it->author = m->author;
	it->text = m->text;
	it->kind = m->kind;
	it->has_followers = m->has_followers;
	it->author_followers = m->followers;
	it->has_rating = m->has_rating;
	it->rating = m->rating;
	it->created_at_ms = m->created_ms;
}

static bool
same_schedule(const struct rw_mention *a, const struct rw_mention *b)
{
	bool same_policy = (a->policy == NULL && b->policy == NULL) ||
			   (a->policy && b->policy && strcmp(a->policy, b->policy) == 0);

	return same_policy && a->warn_at == b->warn_at && a->breach_at == b->breach_at &&
	       a->expire_at == b->expire_at && a->nescalate == b->nescalate &&
	       memcmp(a->escalate_at, b->escalate_at, a->nescalate * sizeof(int64_t)) == 0;
}

/* Re-matches one open mention; appends a change when anything moved. */
static int
rematch_one(struct rematch_op *op, json_t *changes, const char *id, const redisReply *fields)
{
	struct rw_tracker *tr = op->tr;
	struct rw_mention m, before;
	struct rw_item it;
	struct rw_advance adv;
	char *folded;
	const struct rw_policy_config *p;
	struct rw_calendar *cal;
	json_t *events, *counters, *change;
	int64_t now = rw_now_ms();
	int rc = -1;

	if (rw_mention_decode(&m, id, fields) != 0)
		return 0;
	if (rw_mention_decode(&before, id, fields) != 0) {
		rw_mention_clear(&m);
		return 0;
	}
	if (!rw_state_is_open(m.state))
		goto done_ok;
	item_view(&m, &it);
	folded = m.text ? rw_text_fold(m.text) : NULL;
	p = rw_policy_match(tr->ps, op->src, &it, folded);
	free(folded);
	cal = p ? rw_policy_calendar(tr->ps, p) : NULL;
	if (rw_lifecycle_schedule(&m, p, cal, tr->cfg->retention.give_up_after * 1000) == -1)
		goto done;
	if (same_schedule(&m, &before))
		goto done_ok;
	/* Raised stays raised; the escalation count cannot exceed the new ladder. */
	if (m.escalated > m.nescalate)
		m.escalated = (unsigned)m.nescalate;
	events = json_array();
	counters = json_object();
	rw_lifecycle_advance(&m, now, &adv);
	for (size_t i = 0; events && i < adv.nevents; i++) {
		tracker_add_event(tr, events, op->src, &m, adv.events[i].type, adv.events[i].level,
				  adv.events[i].due, now);
		if (adv.events[i].type == RW_EVENT_BREACH)
			tracker_count(counters, "b", m.policy, NULL);
	}
	change = tracker_change(tr, &m, m.version, before.state, before.policy, events, counters);
	if (change == NULL || json_array_append_new(changes, change) == -1)
		goto done;
	op->changed++;
	if (tr->due_fn && rw_lifecycle_next_due(&m))
		tr->due_fn(tr->due_arg, op->src->name, rw_lifecycle_next_due(&m), false);
done_ok:
	rc = 0;
done:
	rw_mention_clear(&m);
	rw_mention_clear(&before);
	return rc;
}

/* After a page's changes (or a page without any): the next page, or done. */
static void
rematch_continue(struct rematch_op *op)
{
	if (op->last_page)
		rematch_finish(op, 0, NULL);
	else if (rematch_page(op) == -1)
		rematch_finish(op, -1, "redis unavailable");
}

static void
rematch_applied(struct rw_tracker *tr, const redisReply *reply, void *arg)
{
	struct rematch_op *op = arg;

	(void)tr;
	/* A "stale" mention changed meanwhile (a reply, a deadline): that
	 * change was decided under the new configuration already. */
	if (reply == NULL)
		rematch_finish(op, -1, "redis unavailable");
	else
		rematch_continue(op);
}

static void
page_read(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct rematch_op *op = arg;
	json_t *changes = json_array();
	size_t n;

	(void)st;
	op->tr->pending--;
	if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || changes == NULL) {
		json_decref(changes);
		rematch_finish(op, -1, "redis unavailable");
		return;
	}
	n = reply->elements;
	for (size_t i = 0; i + 2 < n; i += 3) {
		if (rematch_one(op, changes, reply->element[i]->str, reply->element[i + 2]) == -1) {
			json_decref(changes);
			rematch_finish(op, -1, "out of memory");
			return;
		}
	}
	op->last_page = n / 3 < REMATCH_PAGE;
	if (n >= 3) {
		free(op->after_id);
		op->after_id = strdup(reply->element[n - 3]->str);
		snprintf(op->after_ms, sizeof(op->after_ms), "%s", reply->element[n - 2]->str);
		if (op->after_id == NULL)
			op->last_page = true;
	}
	if (json_array_size(changes) == 0) {
		json_decref(changes);
		rematch_continue(op);
	} else if (tracker_apply(op->tr, op->src, changes, false, rematch_applied, op) == -1) {
		rematch_finish(op, -1, "redis unavailable");
	}
}

/* Reads the next page of open mentions after the cursor. */
static int
rematch_page(struct rematch_op *op)
{
	char base[RW_KEY_SIZE], limit[16];
	char codes[4] = {rw_state_code(RW_STATE_OPEN), rw_state_code(RW_STATE_WARNING),
			 rw_state_code(RW_STATE_BREACHED), '\0'};

	snprintf(limit, sizeof(limit), "%d", REMATCH_PAGE);
	if (rw_key_base(rw_store_key_prefix(op->tr->store), op->src->name, base, sizeof(base)) ==
	    NULL)
		return -1;
	const char *argv[6] = {base, codes, "", op->after_ms, op->after_id ? op->after_id : "",
			       limit};
	size_t len[6];
	for (int i = 0; i < 6; i++)
		len[i] = strlen(argv[i]);
	if (rw_store_script(op->tr->store, "list", 1, 6, argv, len, page_read, op) == -1)
		return -1;
	op->tr->pending++;
	return 0;
}

int
rw_tracker_rematch(struct rw_tracker *tr, const struct rw_source_config *src,
		   rw_tracker_done_fn *done, void *arg)
{
	struct rematch_op *op = calloc(1, sizeof(*op));

	if (op == NULL)
		return -1;
	op->tr = tr;
	op->src = src;
	op->done = done;
	op->arg = arg;
	if (rematch_page(op) == 0)
		return 0;
	free(op);
	return -1;
}
