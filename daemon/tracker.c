/*
 * tracker.c: the tracker's shared machinery (changes, events, the apply and
 * fetch scripts) and ingest.
 */
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "replywatch/calendar.h"
#include "replywatch/config.h"
#include "replywatch/event.h"
#include "replywatch/item.h"
#include "replywatch/keys.h"
#include "replywatch/lifecycle.h"
#include "replywatch/log.h"
#include "replywatch/policy.h"
#include "replywatch/stats.h"
#include "replywatch/store.h"
#include "tracker_internal.h"

/* Stands for "no policy" in keys and counters: not a valid policy name. */
#define NO_POLICY "~"

struct rw_tracker *
rw_tracker_new(struct rw_store *st)
{
	struct rw_tracker *tr = calloc(1, sizeof(*tr));

	if (tr != NULL)
		tr->store = st;
	return tr;
}

void
rw_tracker_use(struct rw_tracker *tr, const struct rw_config *cfg, struct rw_policy_set *ps)
{
	tr->cfg = cfg;
	tr->ps = ps;
}

void
rw_tracker_set_events_fn(struct rw_tracker *tr, rw_tracker_events_fn *fn, void *arg)
{
	tr->events_fn = fn;
	tr->events_arg = arg;
}

void
rw_tracker_set_due_fn(struct rw_tracker *tr, rw_tracker_due_fn *fn, void *arg)
{
	tr->due_fn = fn;
	tr->due_arg = arg;
}

size_t
rw_tracker_pending(const struct rw_tracker *tr)
{
	return tr->pending;
}

void
rw_tracker_free(struct rw_tracker *tr)
{
	free(tr);
}

const struct rw_policy_config *
tracker_policy(struct rw_tracker *tr, const char *name, struct rw_calendar **cal)
{
	const struct rw_policy_config *p = name ? rw_config_find_policy(tr->cfg, name) : NULL;

	*cal = p ? rw_policy_calendar(tr->ps, p) : NULL;
	return p;
}

void
tracker_add(json_t *counters, const char *what, const char *policy, const char *suffix, int64_t n)
{
	char field[160];
	json_t *cur;

	snprintf(field, sizeof(field), "%s:%s%s%s", what, policy ? policy : NO_POLICY,
		 suffix ? ":" : "", suffix ? suffix : "");
	cur = json_object_get(counters, field);
	json_object_set_new(counters, field, json_integer(cur ? json_integer_value(cur) + n : n));
}

void
tracker_count(json_t *counters, const char *what, const char *policy, const char *suffix)
{
	tracker_add(counters, what, policy, suffix, 1);
}

int
tracker_add_event(struct rw_tracker *tr, json_t *events, const struct rw_source_config *src,
		  const struct rw_mention *m, unsigned type, unsigned level, int64_t due,
		  int64_t at)
{
	struct rw_calendar *cal;
	const struct rw_policy_config *p = tracker_policy(tr, m->policy, &cal);
	json_t *e = rw_event_for_mention(type, level, due, at, m, src, p, cal);
	char *text = e ? rw_event_dump(e) : NULL;
	int rc = -1;

	if (text != NULL)
		rc = json_array_append_new(events, json_string(text));
	free(text);
	json_decref(e);
	return rc;
}

static json_t *
state_pair(enum rw_state s, const char *policy)
{
	char code[2] = {rw_state_code(s), '\0'};

	return json_pack("[s, s]", code, policy ? policy : NO_POLICY);
}

/* The next deadline fetch.lua derives for an open or warned mention from
 * its W (open only), B, first E and X; 0 for any other state. */
static int64_t
derived_due(const struct rw_mention *m)
{
	int64_t t = 0;
	const int64_t candidates[4] = {
		m->state == RW_STATE_OPEN ? m->warn_at : 0,
		m->breach_at,
		m->nescalate > 0 ? m->escalate_at[0] : 0,
		m->expire_at,
	};

	if (m->state != RW_STATE_OPEN && m->state != RW_STATE_WARNING)
		return 0;
	for (int i = 0; i < 4; i++)
		if (candidates[i] > 0 && (t == 0 || candidates[i] < t))
			t = candidates[i];
	return t;
}

json_t *
tracker_change(struct rw_tracker *tr, const struct rw_mention *m, long long expect,
	       enum rw_state from_state, const char *from_policy, json_t *events, json_t *counters)
{
	json_t *c = json_pack("{s:s, s:I, s:I}", "id", m->id, "expect", (json_int_t)expect,
			      "created", (json_int_t)m->created_ms);
	json_t *fields = rw_mention_fields(m);
	int64_t next = rw_lifecycle_next_due(m);

	(void)tr;
	if (c == NULL || fields == NULL) {
		json_decref(c);
		json_decref(fields);
		json_decref(events);
		json_decref(counters);
		return NULL;
	}
	json_object_set_new(c, "set", fields);
	if (expect != 0)
		json_object_set_new(c, "from", state_pair(from_state, from_policy));
	json_object_set_new(c, "to", state_pair(m->state, m->policy));
	/* An open or warned mention whose next deadline follows from its own
	 * fields (see fetch.lua) needs no entry in the "due" set. */
	json_object_set_new(c, "due",
			    next && next != derived_due(m) ? json_integer(next) : json_false());
	if (m->conversation_id != NULL) {
		json_object_set_new(c, "conv", json_string(m->conversation_id));
		json_object_set_new(c, "conv_add", json_boolean(rw_state_is_open(m->state)));
	}
	json_object_set_new(c, "resolved", json_boolean(!rw_state_is_open(m->state)));
	json_object_set_new(c, "events", events ? events : json_array());
	json_object_set_new(c, "cnt", counters ? counters : json_object());
	return c;
}

json_t *
tracker_resolve(struct rw_tracker *tr, const struct rw_source_config *src, struct rw_mention *m,
		enum rw_state to, int64_t at_ms, const char *reply_id, const char *reason)
{
	struct rw_calendar *cal;
	const struct rw_policy_config *p = tracker_policy(tr, m->policy, &cal);
	enum rw_state from = m->state;
	json_t *events = json_array(), *counters = json_object(), *change;
	int64_t end = at_ms < m->created_ms ? m->created_ms : at_ms;

	if (events == NULL || counters == NULL)
		goto fail;
	m->state = to;
	m->resolved_at = at_ms;
	m->has_response = true;
	m->response_ms = end - m->created_ms;
	m->business_ms = cal ? rw_calendar_business_ms(cal, m->created_ms, end) : m->response_ms;
	free(m->reply_id);
	free(m->close_reason);
	m->reply_id = reply_id ? strdup(reply_id) : NULL;
	m->close_reason = reason ? strdup(reason) : NULL;
	if ((reply_id && !m->reply_id) || (reason && !m->close_reason))
		goto fail;
	if ((m->warned || m->breached) &&
	    tracker_add_event(tr, events, src, m, RW_EVENT_RESOLVED, 0, 0, rw_now_ms()) == -1)
		goto fail;
	if (to == RW_STATE_REPLIED && p != NULL) {
		bool within = m->business_ms <= p->breach_after * 1000;
		char le[32];

		rw_stats_bucket_name(tr->cfg, m->business_ms, le, sizeof(le));
		tracker_add(counters, "h", m->policy, le, 1);
		tracker_add(counters, "hs", m->policy, NULL, m->business_ms);

		tracker_count(counters, "r", m->policy, within ? "1" : "0");
		/* Answered late without a breach event (it was found answered):
		 * still a breach of the SLA. */
		if (!within && !m->breached)
			tracker_count(counters, "b", m->policy, NULL);
	} else if (to == RW_STATE_REPLIED) {
		tracker_count(counters, "r", NULL, "-");
	}
	change = tracker_change(tr, m, m->version, from, m->policy, events, counters);
	if (change != NULL && to == RW_STATE_REPLIED) {
		char *member;
		const char *within = "-";

		if (p != NULL)
			within = m->business_ms <= p->breach_after * 1000 ? "1" : "0";
		if (asprintf(&member, "%s|%" PRId64 "|%" PRId64 "|%s|%s",
			     m->policy ? m->policy : NO_POLICY, m->response_ms, m->business_ms,
			     within, m->id) < 0) {
			json_decref(change);
			return NULL;
		}
		json_object_set_new(change, "log", json_pack("[s, I]", member, (json_int_t)end));
		free(member);
	}
	return change;
fail:
	json_decref(events);
	json_decref(counters);
	return NULL;
}

struct script_call {
	struct rw_tracker *tr;
	tracker_applied_fn *fn;
	void *arg;
	char *events_of; /* the source whose events this call appends, or NULL */
};

static void
script_done(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct script_call *call = arg;

	(void)st;
	call->tr->pending--;
	if (call->events_of != NULL && reply != NULL && reply->type == REDIS_REPLY_ARRAY &&
	    call->tr->events_fn != NULL)
		call->tr->events_fn(call->tr->events_arg, call->events_of);
	call->fn(call->tr, reply, call->arg);
	free(call->events_of);
	free(call);
}

static int
run_script(struct rw_tracker *tr, const struct rw_source_config *src, const char *script, int argc,
	   const char **argv, bool appends_events, tracker_applied_fn *fn, void *arg)
{
	struct script_call *call = calloc(1, sizeof(*call));
	const char *args[16];
	size_t lens[16];
	char base[RW_KEY_SIZE];

	if (call == NULL || argc > 15) {
		free(call);
		return -1;
	}
	call->tr = tr;
	call->fn = fn;
	call->arg = arg;
	if (appends_events && (call->events_of = strdup(src->name)) == NULL) {
		free(call);
		return -1;
	}
	if ((args[0] = rw_key_base(rw_store_key_prefix(tr->store), src->name, base,
				   sizeof(base))) == NULL) {
		free(call->events_of);
		free(call);
		return -1;
	}
	lens[0] = strlen(base);
	for (int i = 0; i < argc; i++) {
		args[i + 1] = argv[i];
		lens[i + 1] = strlen(argv[i]);
	}
	if (rw_store_script(tr->store, script, 1, argc + 1, args, lens, script_done, call) == -1) {
		free(call->events_of);
		free(call);
		return -1;
	}
	tr->pending++;
	return 0;
}

/* True when one of changes appends an event. */
static bool
has_events(const json_t *changes)
{
	size_t i;
	const json_t *c;

	json_array_foreach(changes, i, c)
	{
		if (json_array_size(json_object_get(c, "events")) > 0)
			return true;
	}
	return false;
}

int
tracker_apply(struct rw_tracker *tr, const struct rw_source_config *src, json_t *changes, bool all,
	      tracker_applied_fn *fn, void *arg)
{
	int64_t now = rw_now_ms();
	char minid[32], replies_minid[32];
	bool events = has_events(changes); /* before json_pack takes changes over */
	json_t *op;
	char *text;
	int rc;

	snprintf(minid, sizeof(minid), "%" PRId64, now - tr->cfg->retention.closed * 1000);
	snprintf(replies_minid, sizeof(replies_minid), "%" PRId64, now - RW_STATS_KEEP_MS);
	op = json_pack("{s:b, s:I, s:s, s:s, s:o}", "all", all, "retention_ms",
		       (json_int_t)(tr->cfg->retention.closed * 1000), "events_minid", minid,
		       "replies_minid", replies_minid, "changes", changes);
	if (op == NULL)
		return -1;
	text = json_dumps(op, JSON_COMPACT);
	json_decref(op);
	if (text == NULL)
		return -1;
	const char *argv[1] = {text};
	rc = run_script(tr, src, "apply", 1, argv, events, fn, arg);
	free(text);
	return rc;
}

int
tracker_fetch(struct rw_tracker *tr, const struct rw_source_config *src, int argc,
	      const char **argv, tracker_applied_fn *fn, void *arg)
{
	return run_script(tr, src, "fetch", argc, argv, false, fn, arg);
}

int
tracker_script(struct rw_tracker *tr, const struct rw_source_config *src, const char *script,
	       int argc, const char **argv, tracker_applied_fn *fn, void *arg)
{
	return run_script(tr, src, script, argc, argv, false, fn, arg);
}

const char *
tracker_verdict(const redisReply *reply, size_t i)
{
	if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || i >= reply->elements ||
	    reply->element[i]->type != REDIS_REPLY_STRING)
		return NULL;
	return reply->element[i]->str;
}

/* ------------------------------------------------------------------ ingest */

struct ingest {
	struct rw_tracker *tr;
	const struct rw_source_config *src;
	struct rw_item *items;
	size_t n;
	size_t mentions_left; /* mention applies still under way */
	size_t next_reply;    /* the reply phase's position */
	int failed;
	char detail[200];
	rw_tracker_done_fn *done;
	void *arg;
};

struct ingest_one {
	struct ingest *in;
	struct rw_item *item;
	struct rw_mention m;
};

static void ingest_replies(struct ingest *in);

static void
ingest_finish(struct ingest *in)
{
	in->done(in->arg, in->failed ? -1 : 0, in->failed ? in->detail : NULL);
	for (size_t i = 0; i < in->n; i++)
		rw_item_clear(&in->items[i]);
	free(in->items);
	free(in);
}

static void
ingest_fail(struct ingest *in, const char *why)
{
	if (!in->failed)
		snprintf(in->detail, sizeof(in->detail), "%s", why);
	in->failed = 1;
}

/* True when the brand reply's text matches one of the source's
 * auto-responder patterns: such replies do not stop the clock. */
static bool
is_automated(const struct rw_source_config *src, const struct rw_item *reply)
{
	for (size_t i = 0; reply->text && i < src->automated_reply_patterns.n; i++)
		if (strcasestr(reply->text, src->automated_reply_patterns.items[i]) != NULL)
			return true;
	return false;
}

/* True when r is a brand reply to a whole conversation (interface of
 * data-model.md "conversation-level replies"): no in_reply_to, a
 * conversation id. */
static bool
is_conversation_reply(const struct rw_item *r)
{
	return r->from_brand && r->in_reply_to == NULL && r->conversation_id != NULL;
}

/* The earliest counted brand reply to the whole conversation conv in the
 * batch made no earlier than created_ms, or NULL. */
static const struct rw_item *
conversation_reply_in_batch(const struct ingest *in, const char *conv, int64_t created_ms)
{
	const struct rw_item *best = NULL;

	for (size_t i = 0; conv != NULL && i < in->n; i++) {
		const struct rw_item *r = &in->items[i];

		if (is_conversation_reply(r) && strcmp(r->conversation_id, conv) == 0 &&
		    r->created_at_ms >= created_ms && !is_automated(in->src, r) &&
		    (!best || r->created_at_ms < best->created_at_ms))
			best = r;
	}
	return best;
}

/* The earliest counted brand reply to item in the batch, or NULL: one to
 * its id, or one to its whole conversation made no earlier than it. */
static const struct rw_item *
reply_in_batch(const struct ingest *in, const struct rw_item *item)
{
	const struct rw_item *best =
		conversation_reply_in_batch(in, item->conversation_id, item->created_at_ms);

	for (size_t i = 0; i < in->n; i++) {
		const struct rw_item *r = &in->items[i];

		if (r->from_brand && r->in_reply_to && strcmp(r->in_reply_to, item->id) == 0 &&
		    !is_automated(in->src, r) && (!best || r->created_at_ms < best->created_at_ms))
			best = r;
	}
	return best;
}

static void mention_applied(struct rw_tracker *tr, const redisReply *reply, void *arg);

/*
 * Builds the change that records a new mention. With reply_ms set it is
 * recorded as answered then (nothing raised); otherwise it is scheduled and
 * any deadline already past is raised at once.
 */
static json_t *
new_mention_change(struct ingest_one *one, int64_t reply_ms, const char *reply_id)
{
	struct rw_tracker *tr = one->in->tr;
	const struct rw_source_config *src = one->in->src;
	struct rw_mention *m = &one->m;
	char *folded = one->item->text ? rw_text_fold(one->item->text) : NULL;
	const struct rw_policy_config *p;
	struct rw_calendar *cal;
	json_t *events, *counters, *change;
	struct rw_advance adv;
	int64_t now = rw_now_ms();

	rw_mention_clear(m);
	if (rw_mention_from_item(m, one->item) == -1)
		goto fail;
	p = rw_policy_match(tr->ps, src, one->item, folded);
	cal = p ? rw_policy_calendar(tr->ps, p) : NULL;
	if (rw_lifecycle_schedule(m, p, cal, tr->cfg->retention.give_up_after * 1000) == -1)
		goto fail;
	m->state = RW_STATE_OPEN;
	if (reply_ms) {
		change = tracker_resolve(tr, src, m, RW_STATE_REPLIED, reply_ms, reply_id, NULL);
		if (change == NULL)
			goto fail;
		/* A new mention expects no version; resolve set the current one. */
		json_object_set_new(change, "expect", json_integer(0));
		json_object_del(change, "from");
		tracker_count(json_object_get(change, "cnt"), "m", m->policy, NULL);
		free(folded);
		return change;
	}
	events = json_array();
	counters = json_object();
	if (events == NULL || counters == NULL) {
		json_decref(events);
		json_decref(counters);
		goto fail;
	}
	tracker_count(counters, "m", m->policy, NULL);
	rw_lifecycle_advance(m, now, &adv);
	for (size_t i = 0; i < adv.nevents; i++) {
		tracker_add_event(tr, events, src, m, adv.events[i].type, adv.events[i].level,
				  adv.events[i].due, now);
		if (adv.events[i].type == RW_EVENT_BREACH)
			tracker_count(counters, "b", m->policy, NULL);
	}
	if (m->state == RW_STATE_EXPIRED)
		m->resolved_at = now;
	free(folded);
	return tracker_change(tr, m, 0, RW_STATE_OPEN, NULL, events, counters);
fail:
	free(folded);
	return NULL;
}

static int
apply_new_mention(struct ingest_one *one, int64_t reply_ms, const char *reply_id)
{
	json_t *change = new_mention_change(one, reply_ms, reply_id);
	json_t *changes = change ? json_pack("[o]", change) : NULL;

	if (changes == NULL)
		return -1;
	if (!reply_ms)
		json_object_set_new(change, "orphan", json_string("check"));
	else
		json_object_set_new(change, "orphan", json_string("consume"));
	return tracker_apply(one->in->tr, one->in->src, changes, true, mention_applied, one);
}

static void
mention_done(struct ingest_one *one)
{
	struct ingest *in = one->in;

	rw_mention_clear(&one->m);
	free(one);
	if (--in->mentions_left == 0)
		ingest_replies(in);
}

/* "orphan|MS|REPLY_ID": a brand reply seen before the mention. */
static int
parse_orphan(const char *verdict, int64_t *ms, const char **reply_id)
{
	char *end;

	*ms = strtoll(verdict + 7, &end, 10);
	if (*end != '|')
		return -1;
	*reply_id = end + 1;
	return 0;
}

static void
mention_applied(struct rw_tracker *tr, const redisReply *reply, void *arg)
{
	struct ingest_one *one = arg;
	const char *v = tracker_verdict(reply, 0);
	int64_t due;

	if (v == NULL) {
		ingest_fail(one->in, reply && reply->type == REDIS_REPLY_ERROR
					     ? reply->str
					     : "redis unavailable");
	} else if (strcmp(v, "ok") == 0) {
		due = rw_lifecycle_next_due(&one->m);
		if (due && tr->due_fn)
			tr->due_fn(tr->due_arg, one->in->src->name, due, false);
	} else if (strncmp(v, "orphan|", 7) == 0) {
		int64_t ms;
		const char *rid;
		char *rid_copy;

		if (parse_orphan(v, &ms, &rid) == 0 && (rid_copy = strdup(rid)) != NULL) {
			int rc = apply_new_mention(one, ms, rid_copy);

			free(rid_copy);
			if (rc == 0)
				return; /* mention_applied runs again */
		}
		ingest_fail(one->in, "could not record an already answered mention");
	}
	/* "dup": tracked already, nothing changes. */
	mention_done(one);
}

/* -------------------------------------------------------- the reply phase */

struct reply_op {
	struct ingest *in;
	const struct rw_item *reply;
	int attempts;
};

static void reply_next(struct ingest *in);
static int reply_start(struct reply_op *op);

static void
reply_finished(struct reply_op *op)
{
	struct ingest *in = op->in;

	free(op);
	reply_next(in);
}

/*
 * The apply script answered a reply's changes (applied all or none). Only
 * an array of "ok" means stored: an error reply (Redis refusing writes:
 * OOM, min-replicas-to-write, a full AOF disk) or no reply fails the batch,
 * and "stale" (a change in between) starts the reply again, until the
 * retries run out, which fails the batch too: the client sends it again.
 */
static void
reply_applied(struct rw_tracker *tr, const redisReply *reply, void *arg)
{
	struct reply_op *op = arg;
	bool stale = false;

	(void)tr;
	if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements == 0) {
		ingest_fail(op->in, reply == NULL ? "redis unavailable"
				    : reply->type == REDIS_REPLY_ERROR
					    ? reply->str
					    : "reply could not be applied");
		reply_finished(op);
		return;
	}
	for (size_t i = 0; i < reply->elements; i++) {
		const char *v = tracker_verdict(reply, i);

		if (v != NULL && strcmp(v, "stale") == 0) {
			stale = true;
		} else if (v == NULL || strcmp(v, "ok") != 0) {
			ingest_fail(op->in, "reply could not be applied");
			reply_finished(op);
			return;
		}
	}
	if (stale && ++op->attempts < TRACKER_RETRIES && reply_start(op) == 0)
		return;
	if (stale)
		ingest_fail(op->in, "reply could not be applied: the mention kept changing");
	reply_finished(op);
}

static void
orphan_stored(struct rw_tracker *tr, const redisReply *reply, void *arg)
{
	struct reply_op *op = arg;

	(void)tr;
	if (reply == NULL)
		ingest_fail(op->in, "redis unavailable");
	else if (reply->type == REDIS_REPLY_ERROR)
		ingest_fail(op->in, reply->str);
	reply_finished(op);
}

/* The reply's target is unknown: remember the reply for when it arrives. */
static int
store_orphan(struct reply_op *op)
{
	struct ingest *in = op->in;
	char value[300], ttl[32];

	snprintf(value, sizeof(value), "%" PRId64 "|%s", op->reply->created_at_ms, op->reply->id);
	snprintf(ttl, sizeof(ttl), "%" PRId64, in->tr->cfg->retention.give_up_after * 1000);
	const char *argv[3] = {op->reply->in_reply_to, value, ttl};
	return run_script(in->tr, in->src, "orphan", 3, argv, false, orphan_stored, op);
}

/*
 * The change that resolves stored open mention m as replied at reply_ms.
 * Deadlines m passed before the reply but never raised (its owner died or
 * was cut off before firing them, and the reply was found first) are
 * raised now, under their own instants, before the resolution: each
 * deadline that really passed reaches the receivers. A mention found
 * already answered when first seen (new_mention_change) was never open to
 * us and raises nothing.
 */
static json_t *
resolve_replied(struct rw_tracker *tr, const struct rw_source_config *src, struct rw_mention *m,
		int64_t reply_ms, const char *reply_id)
{
	int64_t now = rw_now_ms();
	enum rw_state stored = m->state;
	json_t *late = json_array(), *counters = json_object(), *change, *cnt;
	struct rw_advance adv;
	const char *key;
	json_t *v;

	if (late == NULL || counters == NULL)
		goto fail;
	rw_lifecycle_advance(m, reply_ms < now ? reply_ms : now, &adv);
	for (size_t i = 0; i < adv.nevents; i++) {
		if (tracker_add_event(tr, late, src, m, adv.events[i].type, adv.events[i].level,
				      adv.events[i].due, now) == -1)
			goto fail;
		if (adv.events[i].type == RW_EVENT_BREACH)
			tracker_count(counters, "b", m->policy, NULL);
		if (adv.events[i].type == RW_EVENT_EXPIRED)
			tracker_count(counters, "x", m->policy, NULL);
	}
	if (adv.nevents > 0)
		log_warnx("%s: mention %s answered after %zu deadline(s) nobody raised: raised now",
			  src->name, m->id, adv.nevents);
	/* Given up before the reply came: the expiry is the resolution. */
	if (!rw_state_is_open(m->state))
		return tracker_change(tr, m, m->version, stored, m->policy, late, counters);
	change = tracker_resolve(tr, src, m, RW_STATE_REPLIED, reply_ms, reply_id, NULL);
	if (change == NULL)
		goto fail;
	/* The record in Redis is still in its stored state's index. */
	json_object_set_new(change, "from", state_pair(stored, m->policy));
	if (json_array_extend(late, json_object_get(change, "events")) == -1)
		goto fail_change;
	json_object_set(change, "events", late);
	cnt = json_object_get(change, "cnt");
	json_object_foreach(counters, key, v)
	{
		json_int_t had = json_integer_value(json_object_get(cnt, key));

		json_object_set_new(cnt, key, json_integer(had + json_integer_value(v)));
	}
	json_decref(late);
	json_decref(counters);
	return change;
fail_change:
	json_decref(change);
fail:
	json_decref(late);
	json_decref(counters);
	return NULL;
}

/*
 * Adds the resolution of open mention m (decoded from fields) to changes.
 * A reply to a whole conversation resolves each mention with the earliest
 * such reply of the batch that is no earlier than it (replies run in batch
 * order, which need not be the order of their times).
 */
static int
resolve_into(struct reply_op *op, json_t *changes, const char *id, const redisReply *fields)
{
	const struct rw_item *by = op->reply;
	struct rw_mention m;
	json_t *change;
	int rc;

	rc = rw_mention_decode(&m, id, fields);
	if (rc != 0)
		return rc == 1 ? 0 : -1;
	if (!rw_state_is_open(m.state)) {
		rw_mention_clear(&m);
		return 0;
	}
	if (is_conversation_reply(by)) {
		const struct rw_item *first =
			conversation_reply_in_batch(op->in, by->conversation_id, m.created_ms);

		if (first != NULL)
			by = first;
	}
	change = resolve_replied(op->in->tr, op->in->src, &m, by->created_at_ms, by->id);
	rw_mention_clear(&m);
	if (change == NULL)
		return -1;
	return json_array_append_new(changes, change);
}

/* Applies the resolutions in changes (taken) for op; none (already
 * resolved: the first reply wins) finishes op at once. */
static void
reply_apply(struct rw_tracker *tr, struct reply_op *op, json_t *changes)
{
	if (json_array_size(changes) == 0) {
		json_decref(changes);
		reply_finished(op);
		return;
	}
	if (tracker_apply(tr, op->in->src, changes, true, reply_applied, op) == 0)
		return;
	ingest_fail(op->in, "reply could not be applied");
	reply_finished(op);
}

/* fetch "conv" answered: pairs of (id, fields) of the conversation's open
 * mentions no later than the reply. Nothing open is nothing to do: a reply
 * to a conversation is never kept as an orphan. */
static void
conversation_fetched(struct rw_tracker *tr, const redisReply *reply, void *arg)
{
	struct reply_op *op = arg;
	json_t *changes;

	if (reply == NULL || reply->type != REDIS_REPLY_ARRAY) {
		ingest_fail(op->in, reply && reply->type == REDIS_REPLY_ERROR
					    ? reply->str
					    : "redis unavailable");
		reply_finished(op);
		return;
	}
	changes = json_array();
	if (changes == NULL)
		goto fail;
	for (size_t i = 0; i + 1 < reply->elements; i += 2)
		if (reply->element[i]->type != REDIS_REPLY_STRING ||
		    resolve_into(op, changes, reply->element[i]->str, reply->element[i + 1]) == -1)
			goto fail;
	reply_apply(tr, op, changes);
	return;
fail:
	json_decref(changes);
	ingest_fail(op->in, "reply could not be applied");
	reply_finished(op);
}

/* fetch "reply" answered: the target, then (id, fields) of its older open
 * siblings by the same author in the same conversation. */
static void
reply_fetched(struct rw_tracker *tr, const redisReply *reply, void *arg)
{
	struct reply_op *op = arg;
	json_t *changes;

	if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements < 1) {
		ingest_fail(op->in, reply && reply->type == REDIS_REPLY_ERROR
					    ? reply->str
					    : "redis unavailable");
		reply_finished(op);
		return;
	}
	if (reply->element[0]->elements == 0) {
		if (store_orphan(op) == -1) {
			ingest_fail(op->in, "redis unavailable");
			reply_finished(op);
		}
		return;
	}
	changes = json_array();
	if (changes == NULL ||
	    resolve_into(op, changes, op->reply->in_reply_to, reply->element[0]) == -1)
		goto fail;
	for (size_t i = 1; i + 1 < reply->elements; i += 2)
		if (resolve_into(op, changes, reply->element[i]->str, reply->element[i + 1]) == -1)
			goto fail;
	reply_apply(tr, op, changes);
	return;
fail:
	json_decref(changes);
	ingest_fail(op->in, "reply could not be applied");
	reply_finished(op);
}

static int
reply_start(struct reply_op *op)
{
	const char *argv[3] = {"reply", op->reply->in_reply_to, NULL};
	char at[32];

	if (op->reply->in_reply_to != NULL)
		return tracker_fetch(op->in->tr, op->in->src, 2, argv, reply_fetched, op);
	snprintf(at, sizeof(at), "%" PRId64, op->reply->created_at_ms);
	argv[0] = "conv";
	argv[1] = op->reply->conversation_id;
	argv[2] = at;
	return tracker_fetch(op->in->tr, op->in->src, 3, argv, conversation_fetched, op);
}

/* Replies run one after another: two may resolve the same conversation. */
static void
reply_next(struct ingest *in)
{
	while (in->next_reply < in->n) {
		const struct rw_item *r = &in->items[in->next_reply++];
		struct reply_op *op;

		if (!r->from_brand || (r->in_reply_to == NULL && !is_conversation_reply(r)))
			continue;
		if (is_automated(in->src, r)) {
			log_debug("%s: reply %s matches an automated-reply pattern; the clock "
				  "keeps running",
				  in->src->name, r->id);
			continue;
		}
		op = calloc(1, sizeof(*op));
		if (op == NULL) {
			ingest_fail(in, "out of memory");
			continue;
		}
		op->in = in;
		op->reply = r;
		if (reply_start(op) == 0)
			return;
		free(op);
		ingest_fail(in, "redis unavailable");
	}
	ingest_finish(in);
}

static void
ingest_replies(struct ingest *in)
{
	in->next_reply = 0;
	reply_next(in);
}

int
rw_tracker_ingest(struct rw_tracker *tr, const struct rw_source_config *src, struct rw_item *items,
		  size_t n, rw_tracker_done_fn *done, void *arg)
{
	struct ingest *in = calloc(1, sizeof(*in));

	if (in == NULL)
		return -1;
	in->tr = tr;
	in->src = src;
	in->items = items;
	in->n = n;
	in->done = done;
	in->arg = arg;
	/* One extra count held while starting, so no callback finishes early. */
	in->mentions_left = 1;
	for (size_t i = 0; i < n; i++) {
		struct ingest_one *one;
		const struct rw_item *answer;

		if (items[i].from_brand)
			continue;
		one = calloc(1, sizeof(*one));
		if (one == NULL) {
			ingest_fail(in, "out of memory");
			continue;
		}
		one->in = in;
		one->item = &items[i];
		answer = reply_in_batch(in, &items[i]);
		in->mentions_left++;
		if (apply_new_mention(one, answer ? answer->created_at_ms : 0,
				      answer ? answer->id : NULL) == -1) {
			ingest_fail(in, rw_store_connected(tr->store) ? "could not apply"
								      : "redis unavailable");
			in->mentions_left--;
			rw_mention_clear(&one->m);
			free(one);
		}
	}
	if (--in->mentions_left == 0)
		ingest_replies(in);
	return 0;
}
