/*
 * outbox.c: the Redis side of alert delivery.
 *
 * The outbox is the sources' event streams themselves ("PREFIX{S}:ev"),
 * written in the same atomic call as the state change that raised each
 * event. Each target reads the streams of the sources this daemon owns
 * through its consumer group "a:TARGET", as consumer the daemon's instance
 * id (alerts_cluster.c; every name from keys.h): an entry stays pending in
 * the group until the target's receiver took it (XACK), so after a restart
 * or when a source moves to this daemon the target first claims the
 * group's pending entries (XAUTOCLAIM to itself from 0-0, in pages: its
 * own, a dead daemon's, a pre-upgrade daemon's "replywatchd"), then reads
 * new ones (">").
 *
 * Dead letters: "PREFIX{S}:dl:TARGET", a list of {"event","reason","at"}
 * (newest first, the last 10 000 kept).
 *
 * The request under way: "PREFIX:rq:TARGET:INSTANCE" (one per daemon), a
 * string {"v":1, "id",
 * "format", "body" (json, slack), "events": [{"source", "sid", "mention",
 * "raised", "event"}]}, written (SET NX) before the request is first sent
 * and deleted after its events are acknowledged or dead-lettered, so a
 * restart sends the same events under the same id (and the same body).
 * Crashes: before the write, nothing was sent and the events are still
 * pending; between the acknowledgements and the delete, the request is
 * sent once more under its id, which receivers drop as a duplicate. The
 * record lives retry_for + 2 h at most (its events are dead-lettered by
 * then), so a daemon that never returns leaves nothing for ever: its events
 * are pending in the groups and claimed by the sources' new owners. A
 * record of a daemon before issue 14 ("PREFIX:rq:TARGET") is renamed to the
 * first daemon that looks (RENAMENX) and sent by it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts_internal.h"
#include "replywatch/clock.h"
#include "replywatch/keys.h"
#include "replywatch/log.h"
#include "replywatch/mention.h"
#include "replywatch/store.h"

#define DEAD_LETTERS_KEPT "9999"
#define NEW_GROUP_LOOKBACK_MS 60000 /* a new group starts this far back */
#define RECORD_MARGIN_MS 7200000    /* a stored request outlives retry_for by this */
#define FIGURES_PER_REFRESH 500     /* sources whose figures a target asks for per second */

struct read_call {
	struct rw_alerts *a;
	char *target;
	char *source;
	bool backlog; /* XAUTOCLAIM of the group's pending entries; else XREADGROUP > */
	unsigned gen; /* the read's source_read.gen when it was sent */
	bool create;  /* the call creates the group */
	/* WAIT goes just before XREADGROUP (see outbox_read). */
	bool waited;     /* a WAIT was sent before the read */
	bool waiting;    /* that WAIT has not answered yet */
	bool replicated; /* its answer: a replica has every entry read */
	bool abandoned;  /* XREADGROUP was not sent: the WAIT callback frees */
};

static struct source_read *
find_read(struct target *t, const char *source)
{
	for (size_t i = 0; t != NULL && i < t->nreads; i++)
		if (strcmp(t->reads[i].source, source) == 0)
			return &t->reads[i];
	return NULL;
}

/* Source's events stream ("B ev") into key; NULL when the name does not fit
 * (call() then refuses the command). */
static const char *
events_key(const struct rw_alerts *a, const char *source, char *key, size_t len)
{
	return rw_key_name(RW_KEY_EVENTS, rw_store_key_prefix(a->store), source, NULL, key, len);
}

/* Sends argv (-1 without sending when an argument is NULL: a key name that
 * did not fit); fn(reply, arg) follows. Counts it for the drain. */
struct pending_call {
	struct rw_alerts *a;
	rw_store_reply_fn *fn;
	void *arg;
};

static void
call_done(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct pending_call *pc = arg;

	pc->a->redis_pending--;
	if (pc->fn != NULL)
		pc->fn(st, reply, pc->arg);
	free(pc);
}

static int
call(struct rw_alerts *a, int argc, const char **argv, rw_store_reply_fn *fn, void *arg)
{
	struct pending_call *pc;
	size_t lens[ALERTS_BATCH_MAX + 8];

	if (a->freeing || argc > ALERTS_BATCH_MAX + 8)
		return -1;
	for (int i = 0; i < argc; i++)
		if (argv[i] == NULL)
			return -1;
	if ((pc = calloc(1, sizeof(*pc))) == NULL)
		return -1;
	pc->a = a;
	pc->fn = fn;
	pc->arg = arg;
	for (int i = 0; i < argc; i++)
		lens[i] = strlen(argv[i]);
	if (rw_store_command(a->store, argc, argv, lens, call_done, pc) == -1) {
		free(pc);
		return -1;
	}
	a->redis_pending++;
	return 0;
}

static void
read_call_free(struct read_call *rc)
{
	free(rc->target);
	free(rc->source);
	free(rc);
}

/* An entry [id, [field, value, ...] or nil] into t's queue. Returns the
 * entry's id when it is to be acknowledged at once (not wanted, deleted). */
static const char *
take_entry(struct target *t, const char *source, const redisReply *entry)
{
	const redisReply *id, *fields;
	struct queued q = {0};
	json_t *event = NULL;
	char full[RW_EVENT_ID_SIZE];

	if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2)
		return NULL;
	id = entry->element[0];
	fields = entry->element[1];
	if (id->type != REDIS_REPLY_STRING)
		return NULL;
	for (size_t i = 0; fields->type == REDIS_REPLY_ARRAY && i + 1 < fields->elements; i += 2)
		if (strcmp(fields->element[i]->str, "e") == 0)
			event = json_loadb(fields->element[i + 1]->str, fields->element[i + 1]->len,
					   0, NULL);
	if (event == NULL) {
		/* Trimmed away, or not an event: nothing to deliver. */
		log_warnx("alert target %s: event %s:%s unreadable; skipped", t->name, source,
			  id->str);
		return id->str;
	}
	if (rw_event_log_id(event, source, id->str, full, sizeof(full)) == -1) {
		json_decref(event);
		return NULL; /* stays pending: read again after a restart */
	}
	json_object_set_new(event, "id", json_string(full));
	if (!alerts_wanted(t, event)) {
		json_decref(event);
		return id->str;
	}
	q.source = strdup(source);
	q.sid = strdup(id->str);
	if (json_object_get(event, "mention") != NULL)
		q.mention = strdup(
			json_string_value(json_object_get(json_object_get(event, "mention"), "id"))
				?: "");
	q.event = event;
	q.raised_ms = strtoll(id->str, NULL, 10);
	if (q.source == NULL || q.sid == NULL) {
		free(q.source);
		free(q.sid);
		free(q.mention);
		json_decref(event);
		return NULL; /* stays pending: read again after a restart */
	}
	alerts_queue_push(t, &q);
	return NULL;
}

static void
ack_ids(struct target *t, const char *source, const char **ids, size_t n)
{
	const char *argv[ALERTS_READ_COUNT + 4];
	char key[RW_KEY_SIZE], group[RW_KEY_SIZE];
	int argc = 0;

	if (n == 0)
		return;
	argv[argc++] = "XACK";
	argv[argc++] = events_key(t->a, source, key, sizeof(key));
	argv[argc++] = rw_key_alert_group(t->name, group, sizeof(group));
	for (size_t i = 0; i < n && argc < ALERTS_READ_COUNT + 3; i++)
		argv[argc++] = ids[i];
	if (call(t->a, argc, argv, NULL, NULL) == -1)
		log_warnx("alert target %s: acknowledgement not sent (redis unavailable): those "
			  "events may be delivered again",
			  t->name);
}

static void
group_created(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct read_call *rc = arg;
	struct target *t = alerts_find_target(rc->a, rc->target);
	struct source_read *r = find_read(t, rc->source);

	(void)st;
	if (reply != NULL && reply->type == REDIS_REPLY_ERROR &&
	    strncmp(reply->str, "BUSYGROUP", 9) != 0)
		log_warnx("alert target %s: consumer group on %s not created: %s", rc->target,
			  rc->source, reply->str);
	if (r != NULL)
		r->reading = false;
	read_call_free(rc);
}

static void
create_group(struct read_call *rc)
{
	char key[RW_KEY_SIZE], group[RW_KEY_SIZE], start[32];
	const char *argv[6];

	snprintf(start, sizeof(start), "%" PRId64 "-0", rw_now_ms() - NEW_GROUP_LOOKBACK_MS);
	argv[0] = "XGROUP";
	argv[1] = "CREATE";
	argv[2] = events_key(rc->a, rc->source, key, sizeof(key));
	argv[3] = rw_key_alert_group(rc->target, group, sizeof(group));
	argv[4] = start;
	argv[5] = "MKSTREAM";
	if (call(rc->a, 6, argv, group_created, rc) == -1) {
		struct source_read *r =
			find_read(alerts_find_target(rc->a, rc->target), rc->source);

		if (r != NULL)
			r->reading = false;
		read_call_free(rc);
	}
}

static void
wait_done(struct rw_store *st, bool ok, void *arg)
{
	struct read_call *rc = arg;

	(void)st;
	rc->waiting = false;
	rc->replicated = ok;
	if (rc->abandoned)
		read_call_free(rc);
}

/* A read whose entries no replica has confirmed: deliver nothing yet.
 * Entries read as new are pending now, so the next read takes the backlog
 * again, from where it was. */
static void
read_unreplicated(struct target *t, struct source_read *r, struct read_call *rc)
{
	if (!rc->a->unreplicated_logged)
		log_warnx("alert target %s: no replica confirmed the events of %s; holding "
			  "delivery until one does",
			  t->name, rc->source);
	rc->a->unreplicated_logged = true;
	r->backlog_read = false;
	r->more = false;
	read_call_free(rc);
}

/* The entries of a read's reply: XREADGROUP's [[key, [entry, ...]]] (nil
 * when nothing is new), XAUTOCLAIM's [cursor, [entry, ...], [deleted id,
 * ...]]. NULL when there are none. */
static const redisReply *
entries_of(const redisReply *reply, bool claim)
{
	const redisReply *list = NULL;

	if (reply->type != REDIS_REPLY_ARRAY)
		return NULL;
	if (claim && reply->elements >= 2)
		list = reply->element[1];
	else if (!claim && reply->elements == 1 && reply->element[0]->type == REDIS_REPLY_ARRAY &&
		 reply->element[0]->elements == 2)
		list = reply->element[0]->element[1];
	return list != NULL && list->type == REDIS_REPLY_ARRAY ? list : NULL;
}

/* After a page of the claim: goes on from XAUTOCLAIM's cursor at once, or,
 * with cursor 0-0, the claim is over and new entries are read. The claim
 * goes forward, so an entry acknowledged meanwhile is never claimed (and
 * delivered) twice; a later claim (read_unreplicated) starts again from the
 * last entry claimed. */
static void
claim_moved(struct source_read *r, const redisReply *reply, const redisReply *list)
{
	const redisReply *cursor =
		reply->type == REDIS_REPLY_ARRAY && reply->elements >= 2 ? reply->element[0] : NULL;
	bool over = cursor == NULL || cursor->type != REDIS_REPLY_STRING ||
		    strcmp(cursor->str, "0-0") == 0;

	if (!over) {
		snprintf(r->backlog_after, sizeof(r->backlog_after), "%s", cursor->str);
		r->more = true;
		return;
	}
	for (size_t i = list ? list->elements : 0; i-- > 0;) {
		const redisReply *e = list->element[i];

		if (e->type == REDIS_REPLY_ARRAY && e->elements == 2 &&
		    e->element[0]->type == REDIS_REPLY_STRING) {
			snprintf(r->backlog_after, sizeof(r->backlog_after), "%s",
				 e->element[0]->str);
			break;
		}
	}
	r->backlog_read = true;
	r->more = false;
}

static void
read_done(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct read_call *rc = arg;
	struct target *t = alerts_find_target(rc->a, rc->target);
	struct source_read *r = find_read(t, rc->source);
	const char *acks[ALERTS_READ_COUNT];
	size_t nacks = 0, entries = 0;

	(void)st;
	if (r == NULL || rc->a->freeing) {
		read_call_free(rc);
		return;
	}
	if (reply != NULL && reply->type == REDIS_REPLY_ERROR &&
	    strncmp(reply->str, "NOGROUP", 7) == 0) {
		create_group(rc); /* frees rc, clears r->reading */
		return;
	}
	r->reading = false;
	if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
		if (reply != NULL)
			log_warnx("alert target %s: reading %s: %s", t->name, rc->source,
				  reply->str);
		read_call_free(rc);
		return;
	}
	if (!r->owned || rc->gen != r->gen) {
		/* Lost while reading: what came is pending under this daemon's
		 * name, and the new owner claims it (its claim follows this read
		 * in Redis: the lease passed on after it). Lost and gained again:
		 * the claim started over from 0-0 and brings it back. */
		read_call_free(rc);
		return;
	}
	if (rc->waited && !rc->replicated) {
		read_unreplicated(t, r, rc);
		return;
	}
	rc->a->unreplicated_logged = false;
	const redisReply *list = entries_of(reply, rc->backlog);

	for (size_t i = 0; list != NULL && i < list->elements; i++) {
		const char *ack = take_entry(t, rc->source, list->element[i]);

		entries++;
		if (ack != NULL && nacks < ALERTS_READ_COUNT)
			acks[nacks++] = ack;
	}
	ack_ids(t, rc->source, acks, nacks);
	if (rc->backlog)
		claim_moved(r, reply, list);
	else
		r->more = entries == ALERTS_READ_COUNT;
	read_call_free(rc);
}

void
outbox_read(struct target *t, struct source_read *r)
{
	struct read_call *rc = calloc(1, sizeof(*rc));
	char key[RW_KEY_SIZE], group[RW_KEY_SIZE], count[16];
	const char *argv[9];
	int argc = 0;

	if (rc == NULL || (rc->target = strdup(t->name)) == NULL ||
	    (rc->source = strdup(r->source)) == NULL) {
		if (rc != NULL)
			read_call_free(rc);
		return;
	}
	rc->a = t->a;
	rc->backlog = !r->backlog_read;
	rc->gen = r->gen;
	snprintf(count, sizeof(count), "%d", ALERTS_READ_COUNT);
	if (rc->backlog) {
		/* Every pending entry of the group, whoever read it, to this
		 * daemon: min-idle 0, since the source is this daemon's now. */
		argv[argc++] = "XAUTOCLAIM";
		argv[argc++] = events_key(t->a, r->source, key, sizeof(key));
		argv[argc++] = rw_key_alert_group(t->name, group, sizeof(group));
		argv[argc++] = alerts_consumer(t->a);
		argv[argc++] = "0";
		argv[argc++] = r->backlog_after[0] ? r->backlog_after : "0-0";
		argv[argc++] = "COUNT";
		argv[argc++] = count;
	} else {
		argv[argc++] = "XREADGROUP";
		argv[argc++] = "GROUP";
		argv[argc++] = rw_key_alert_group(t->name, group, sizeof(group));
		argv[argc++] = alerts_consumer(t->a);
		argv[argc++] = "COUNT";
		argv[argc++] = count;
		argv[argc++] = "STREAMS";
		argv[argc++] = events_key(t->a, r->source, key, sizeof(key));
		argv[argc++] = ">";
	}
	/* Only replicated events are delivered: WAIT and XREADGROUP leave back
	 * to back on the store's one connection, so every entry the read sees
	 * was written before the WAIT ran. */
	if (rw_store_replicated(t->a->store)) {
		if (rw_store_wait(t->a->store, wait_done, rc) == -1) {
			read_call_free(rc);
			return;
		}
		rc->waiting = rc->waited = true;
	}
	if (call(t->a, argc, argv, read_done, rc) == -1) {
		if (rc->waiting)
			rc->abandoned = true;
		else
			read_call_free(rc);
		return;
	}
	r->reading = true;
}

void
outbox_ack(struct target *t, const struct queued *q, size_t n)
{
	alerts_note_settled(t, q, n);
	/* One XACK per source, in queue order. */
	for (size_t i = 0; i < n; i++) {
		const char *ids[ALERTS_READ_COUNT];
		size_t k = 0;
		bool seen = false;

		if (q[i].sid == NULL)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = q[j].sid && strcmp(q[j].source, q[i].source) == 0;
		if (seen)
			continue;
		for (size_t j = i; j < n && k < ALERTS_READ_COUNT; j++)
			if (q[j].sid && strcmp(q[j].source, q[i].source) == 0)
				ids[k++] = q[j].sid;
		ack_ids(t, q[i].source, ids, k);
	}
}

void
outbox_dead_letter(struct target *t, const struct queued *q, size_t n, const char *reason)
{
	char key[RW_KEY_SIZE], at[40];

	for (size_t i = 0; i < n; i++) {
		json_t *doc = json_pack("{s:O, s:s, s:s}", "event", q[i].event, "reason", reason,
					"at", rw_time_format(rw_now_ms(), at, sizeof(at)));
		char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;

		json_decref(doc);
		const char *dl = rw_key_name(RW_KEY_DEAD_LETTERS, rw_store_key_prefix(t->a->store),
					     q[i].source, t->name, key, sizeof(key));
		const char *push[] = {"LPUSH", dl, text};
		const char *trim[] = {"LTRIM", dl, "0", DEAD_LETTERS_KEPT};

		if (text == NULL || call(t->a, 3, push, NULL, NULL) == -1 ||
		    call(t->a, 4, trim, NULL, NULL) == -1)
			log_err("alert target %s: dead letter %s not stored", t->name,
				json_string_value(json_object_get(q[i].event, "id")));
		free(text);
	}
	outbox_ack(t, q, n);
}

/* --- figures --------------------------------------------------------------- */

struct figure_call {
	struct rw_alerts *a;
	char *target;
	char *source;
	bool dead; /* LLEN of the dead letters; else XINFO GROUPS */
};

static void
figure_call_free(struct figure_call *fc)
{
	free(fc->target);
	free(fc->source);
	free(fc);
}

static long long
integer(const redisReply *r)
{
	if (r->type == REDIS_REPLY_INTEGER)
		return r->integer;
	if (r->type == REDIS_REPLY_STRING)
		return strtoll(r->str, NULL, 10);
	return 0;
}

/* The group's unacknowledged plus not yet read entries, from XINFO GROUPS:
 * [[name, G, consumers, n, pending, n, last-delivered-id, id, entries-read,
 * n, lag, n], ...]; -1 when the group is not there. */
static long long
group_backlog(const redisReply *groups, const char *group)
{
	for (size_t i = 0; groups->type == REDIS_REPLY_ARRAY && i < groups->elements; i++) {
		const redisReply *g = groups->element[i];
		long long pending = 0, lag = 0;
		bool ours = false;

		for (size_t j = 0; g->type == REDIS_REPLY_ARRAY && j + 1 < g->elements; j += 2) {
			const char *k = g->element[j]->str;
			const redisReply *v = g->element[j + 1];

			if (k == NULL)
				continue;
			if (strcmp(k, "name") == 0)
				ours = v->str && strcmp(v->str, group) == 0;
			else if (strcmp(k, "pending") == 0)
				pending = integer(v);
			else if (strcmp(k, "lag") == 0)
				lag = integer(v);
		}
		if (ours)
			return pending + lag;
	}
	return -1;
}

static void
figure_done(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct figure_call *fc = arg;
	struct source_read *r = find_read(alerts_find_target(fc->a, fc->target), fc->source);
	char group[RW_KEY_SIZE];

	(void)st;
	if (r != NULL && reply != NULL && reply->type != REDIS_REPLY_ERROR &&
	    rw_key_alert_group(fc->target, group, sizeof(group)) != NULL) {
		if (fc->dead) {
			r->dead = integer(reply);
		} else {
			long long n = group_backlog(reply, group);

			r->pending = n < 0 ? 0 : n;
		}
	}
	figure_call_free(fc);
}

static void
ask_figure(struct rw_alerts *a, const struct target *t, const char *source, bool dead)
{
	struct figure_call *fc = calloc(1, sizeof(*fc));
	char key[RW_KEY_SIZE];

	if (fc == NULL || (fc->target = strdup(t->name)) == NULL ||
	    (fc->source = strdup(source)) == NULL) {
		if (fc != NULL)
			figure_call_free(fc);
		return;
	}
	fc->a = a;
	fc->dead = dead;
	const char *name = dead ? rw_key_name(RW_KEY_DEAD_LETTERS, rw_store_key_prefix(a->store),
					      source, t->name, key, sizeof(key))
				: events_key(a, source, key, sizeof(key));
	const char *info[] = {"XINFO", "GROUPS", name};
	const char *llen[] = {"LLEN", name};

	if (call(a, dead ? 2 : 3, dead ? llen : info, figure_done, fc) == -1)
		figure_call_free(fc);
}

/* At most FIGURES_PER_REFRESH sources of each target per refresh (every
 * second), going round: with 10 000 sources a target's figures are up to
 * 20 s old, and never 20 000 commands go out at once. */
void
outbox_refresh(struct rw_alerts *a)
{
	for (struct target *t = a->targets; t != NULL; t = t->next) {
		size_t n = t->nreads < FIGURES_PER_REFRESH ? t->nreads : FIGURES_PER_REFRESH;

		for (size_t k = 0; k < n; k++) {
			const char *source = t->reads[(t->figures_next + k) % t->nreads].source;

			ask_figure(a, t, source, false);
			ask_figure(a, t, source, true);
		}
		t->figures_next = t->nreads > 0 ? (t->figures_next + n) % t->nreads : 0;
	}
}

/* --- the request under way ------------------------------------------------- */

struct record_call {
	struct rw_alerts *a;
	char *target;
	char id[RW_EVENT_ID_SIZE];
};

/* This daemon's request under way for the target ("P rq:TARGET:INSTANCE")
 * into key; NULL when the name does not fit (call() then refuses the
 * command). */
static const char *
record_key(const struct target *t, char *key, size_t len)
{
	return rw_key_request(rw_store_key_prefix(t->a->store), t->name,
			      t->a->cluster ? alerts_consumer(t->a) : NULL, key, len);
}

/* How long a stored request lives (ms, as text into buf): its events are
 * dead-lettered retry_for after the oldest was raised, a wait included. */
static const char *
record_life(const struct target *t, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRId64, t->cfg->retry_for * 1000 + RECORD_MARGIN_MS);
	return buf;
}

static struct record_call *
record_call_new(const struct target *t, const char *id)
{
	struct record_call *rc = calloc(1, sizeof(*rc));

	if (rc == NULL || (rc->target = strdup(t->name)) == NULL) {
		free(rc);
		return NULL;
	}
	rc->a = t->a;
	snprintf(rc->id, sizeof(rc->id), "%s", id ? id : "");
	return rc;
}

static void
record_call_free(struct record_call *rc)
{
	free(rc->target);
	free(rc);
}

static void
record_loaded(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct record_call *rc = arg;
	struct target *t = rc->a->freeing ? NULL : alerts_find_target(rc->a, rc->target);

	(void)st;
	if (t != NULL) {
		if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
			t->loading = false; /* looked for again at the next tick */
			if (reply != NULL)
				log_warnx("alert target %s: reading its stored request: %s",
					  t->name, reply->str);
		} else {
			request_adopt(t, reply->type == REDIS_REPLY_STRING ? reply->str : NULL,
				      reply->type == REDIS_REPLY_STRING ? reply->len : 0);
		}
	}
	record_call_free(rc);
}

/* A record stored by a daemon before issue 14 ("P rq:TARGET") becomes this
 * daemon's unless it has one (RENAMENX: only one daemon gets it), with a
 * lifetime. Sent before the GET of outbox_load on the same connection. */
static int
adopt_legacy(struct target *t)
{
	char old[RW_KEY_SIZE], key[RW_KEY_SIZE], life[32];
	const char *rename[] = {
		"RENAMENX",
		rw_key_request(rw_store_key_prefix(t->a->store), t->name, NULL, old, sizeof(old)),
		record_key(t, key, sizeof(key))};
	const char *expire[] = {"PEXPIRE", key, record_life(t, life, sizeof(life))};

	/* "no such key" (nothing to adopt) is the usual answer: not looked at. */
	if (call(t->a, 3, rename, NULL, NULL) == -1 || call(t->a, 3, expire, NULL, NULL) == -1)
		return -1;
	return 0;
}

int
outbox_load(struct target *t)
{
	struct record_call *rc = record_call_new(t, NULL);
	char key[RW_KEY_SIZE];

	if (rc == NULL)
		return -1;
	if (t->a->cluster != NULL && adopt_legacy(t) == -1) {
		record_call_free(rc);
		return -1;
	}
	const char *argv[] = {"GET", record_key(t, key, sizeof(key))};

	if (call(t->a, 2, argv, record_loaded, rc) == -1) {
		record_call_free(rc);
		return -1;
	}
	return 0;
}

static void
record_stored(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct record_call *rc = arg;
	struct target *t = rc->a->freeing ? NULL : alerts_find_target(rc->a, rc->target);

	(void)st;
	if (t != NULL) {
		bool ok = reply != NULL && reply->type == REDIS_REPLY_STATUS;
		bool exists = reply != NULL && reply->type == REDIS_REPLY_NIL;

		if (reply != NULL && reply->type == REDIS_REPLY_ERROR)
			log_warnx("alert target %s: request %s not stored: %s", t->name, rc->id,
				  reply->str);
		request_stored(t, rc->id, ok, exists);
	}
	record_call_free(rc);
}

int
outbox_store(struct target *t, const char *id, const char *text)
{
	struct record_call *rc = record_call_new(t, id);
	char key[RW_KEY_SIZE];

	char life[32];

	if (rc == NULL)
		return -1;
	const char *argv[] = {"SET", record_key(t, key, sizeof(key)),   text, "NX",
			      "PX",  record_life(t, life, sizeof(life))};

	if (call(t->a, 6, argv, record_stored, rc) == -1) {
		record_call_free(rc);
		return -1;
	}
	return 0;
}

int
outbox_forget(struct target *t)
{
	char key[RW_KEY_SIZE];

	const char *argv[] = {"DEL", record_key(t, key, sizeof(key))};

	return call(t->a, 2, argv, NULL, NULL);
}
