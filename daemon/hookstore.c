/*
 * hookstore.c: webhook removals and the queue of items to read, in Redis
 * (hookstore.h). Commands of one operation are sent back to back on the
 * store's connection; the operation ends when the last reply is in.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/hookstore.h"
#include "replywatch/item.h"
#include "replywatch/keys.h"
#include "replywatch/store.h"

#define KEY_MAX RW_KEY_SIZE
#define REF_MAX 256
#define MEMBER_MAX (2 * REF_MAX + 8)

/* Key k of source into buf (KEY_MAX bytes); NULL when the name does not
 * fit (hs_send then refuses the command). */
static const char *
hs_key(struct rw_store *st, const char *source, enum rw_key k, char *buf)
{
	return rw_key_name(k, rw_store_key_prefix(st), source, NULL, buf, KEY_MAX);
}

/* One operation: its replies counted down, then done. */
struct hs_op {
	int pending;
	bool failed;
	rw_hookstore_done_fn *done;
	rw_hookstore_drop_fn *drop_fn;
	rw_hookstore_list_fn *list_fn;
	void *arg;
	/* drop */
	struct rw_item *items;
	size_t *n;
	int64_t since_ms;
	/* list */
	struct rw_queued *q;
	size_t nq;
};

/* A command of argc arguments (NUL-terminated strings) for op; -1 without
 * sending when one is NULL (a key name that did not fit). */
static int
hs_send(struct rw_store *st, struct hs_op *op, int argc, const char **argv, rw_store_reply_fn *fn)
{
	size_t *lens;
	int rc;

	if (argc <= 0)
		return -1;
	for (int i = 0; i < argc; i++)
		if (argv[i] == NULL)
			return -1;
	if ((lens = calloc((size_t)argc, sizeof(*lens))) == NULL)
		return -1;
	for (int i = 0; i < argc; i++)
		lens[i] = strlen(argv[i]);
	rc = rw_store_command(st, argc, argv, lens, fn, op);
	free(lens);
	if (rc == 0)
		op->pending++;
	return rc;
}

static bool
hs_reply_ok(const redisReply *r)
{
	return r != NULL && r->type != REDIS_REPLY_ERROR;
}

static void
hs_finish(struct hs_op *op)
{
	if (op->done != NULL)
		op->done(op->arg, op->failed ? -1 : 0);
	free(op);
}

static void
hs_counted(struct rw_store *st, const redisReply *r, void *arg)
{
	struct hs_op *op = arg;

	(void)st;
	if (!hs_reply_ok(r))
		op->failed = true;
	if (--op->pending == 0)
		hs_finish(op);
}

/* After sending: nothing in flight means nothing was sent (-1, op freed),
 * else a send that failed after others marks the op failed. */
static int
hs_sent(struct hs_op *op, bool all_sent)
{
	if (op->pending == 0) {
		free(op);
		return -1;
	}
	if (!all_sent)
		op->failed = true;
	return 0;
}

static struct hs_op *
hs_op_new(void *arg)
{
	struct hs_op *op = calloc(1, sizeof(*op));

	if (op != NULL)
		op->arg = arg;
	return op;
}

/* ---- removals ---- */

int
rw_hookstore_note_removed(struct rw_store *st, const char *source, char *const *ids, size_t n,
			  int64_t now_ms, rw_hookstore_done_fn *done, void *arg)
{
	char key[KEY_MAX], ms[24], cut[24], rank[24];
	const char **argv = calloc(3 + 2 * n, sizeof(*argv));
	struct hs_op *op = hs_op_new(arg);
	bool all = true;
	int argc = 0;

	if (argv == NULL || op == NULL || n == 0 ||
	    hs_key(st, source, RW_KEY_WEBHOOK_REMOVALS, key) == NULL) {
		free(argv);
		free(op);
		return -1;
	}
	op->done = done;
	snprintf(ms, sizeof(ms), "%" PRId64, now_ms);
	snprintf(cut, sizeof(cut), "(%" PRId64, now_ms - RW_HOOKSTORE_REMOVED_TTL_MS);
	snprintf(rank, sizeof(rank), "%d", -(RW_HOOKSTORE_REMOVED_MAX + 1));
	argv[argc++] = "ZADD";
	argv[argc++] = key;
	argv[argc++] = "NX"; /* a removal seen again keeps its first time */
	for (size_t i = 0; i < n; i++) {
		argv[argc++] = ms;
		argv[argc++] = ids[i];
	}
	all = hs_send(st, op, argc, argv, hs_counted) == 0;
	if (all) {
		const char *trim_time[] = {"ZREMRANGEBYSCORE", key, "-inf", cut};
		const char *trim_count[] = {"ZREMRANGEBYRANK", key, "0", rank};

		all = hs_send(st, op, 4, trim_time, hs_counted) == 0 &&
		      hs_send(st, op, 4, trim_count, hs_counted) == 0;
	}
	free(argv);
	return hs_sent(op, all);
}

static void
hs_scores(struct rw_store *st, const redisReply *r, void *arg)
{
	struct hs_op *op = arg;
	size_t kept = 0, dropped = 0;

	(void)st;
	op->pending--;
	if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != *op->n) {
		op->drop_fn(op->arg, -1, 0);
		free(op);
		return;
	}
	for (size_t i = 0; i < *op->n; i++) {
		const redisReply *s = r->element[i];
		bool removed =
			s->type == REDIS_REPLY_STRING && strtoll(s->str, NULL, 10) >= op->since_ms;

		if (removed) {
			rw_item_clear(&op->items[i]);
			dropped++;
			continue;
		}
		if (kept != i)
			op->items[kept] = op->items[i];
		kept++;
	}
	*op->n = kept;
	op->drop_fn(op->arg, 0, dropped);
	free(op);
}

int
rw_hookstore_drop_removed(struct rw_store *st, const char *source, struct rw_item *items, size_t *n,
			  int64_t now_ms, rw_hookstore_drop_fn *fn, void *arg)
{
	char key[KEY_MAX];
	const char **argv;
	struct hs_op *op;
	int rc;

	if (*n == 0 || (op = hs_op_new(arg)) == NULL)
		return -1;
	if ((argv = calloc(2 + *n, sizeof(*argv))) == NULL) {
		free(op);
		return -1;
	}
	op->drop_fn = fn;
	op->items = items;
	op->n = n;
	op->since_ms = now_ms - RW_HOOKSTORE_REMOVED_TTL_MS;
	argv[0] = "ZMSCORE";
	argv[1] = hs_key(st, source, RW_KEY_WEBHOOK_REMOVALS, key);
	for (size_t i = 0; i < *n; i++)
		argv[2 + i] = items[i].id;
	rc = hs_send(st, op, (int)(2 + *n), argv, hs_scores);
	free(argv);
	if (rc == -1)
		free(op);
	return rc;
}

/* ---- the queue ---- */

void
rw_queued_free(struct rw_queued *q, size_t n)
{
	for (size_t i = 0; q != NULL && i < n; i++) {
		free(q[i].id);
		free(q[i].conversation_id);
	}
	free(q);
}

bool
rw_queued_ref_ok(const char *id)
{
	size_t len = id ? strlen(id) : 0;

	if (len == 0 || len > REF_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (id[i] <= ' ' || id[i] > '~' || id[i] == '|')
			return false;
	return true;
}

/* "K|ID|CONV" into out; -1 when q cannot be a member. */
static int
hs_member(const struct rw_queued *q, char *out, size_t len)
{
	if (q->kind <= ' ' || q->kind > '~' || q->kind == '|' || !rw_queued_ref_ok(q->id) ||
	    (q->conversation_id != NULL && !rw_queued_ref_ok(q->conversation_id)))
		return -1;
	snprintf(out, len, "%c|%s|%s", q->kind, q->id,
		 q->conversation_id ? q->conversation_id : "");
	return 0;
}

/* A member back into q (strings owned); -1 when it is not one. */
static int
hs_unmember(const char *m, size_t len, struct rw_queued *q)
{
	char buf[MEMBER_MAX], *id, *conv;

	if (len < 4 || len >= sizeof(buf) || m[1] != '|')
		return -1;
	memcpy(buf, m, len);
	buf[len] = '\0';
	id = buf + 2;
	if ((conv = strchr(id, '|')) == NULL)
		return -1;
	*conv++ = '\0';
	if (!rw_queued_ref_ok(id) || (*conv != '\0' && !rw_queued_ref_ok(conv)))
		return -1;
	q->kind = buf[0];
	q->id = strdup(id);
	q->conversation_id = *conv != '\0' ? strdup(conv) : NULL;
	if (q->id == NULL || (*conv != '\0' && q->conversation_id == NULL)) {
		free(q->id);
		free(q->conversation_id);
		return -1;
	}
	return 0;
}

int
rw_hookstore_queue_add(struct rw_store *st, const char *source, const struct rw_queued *q, size_t n,
		       rw_hookstore_done_fn *done, void *arg)
{
	char key[KEY_MAX];
	const char **argv = calloc(3 + 2 * n, sizeof(*argv));
	char(*ms)[24] = calloc(n, sizeof(*ms));
	char(*members)[MEMBER_MAX] = calloc(n, sizeof(*members));
	struct hs_op *op = hs_op_new(arg);
	int argc = 0, rc = -1;

	if (argv == NULL || ms == NULL || members == NULL || op == NULL || n == 0)
		goto out;
	op->done = done;
	argv[argc++] = "ZADD";
	argv[argc++] = hs_key(st, source, RW_KEY_WEBHOOK_QUEUE, key);
	argv[argc++] = "NX"; /* a delivery sent again keeps its first receipt */
	for (size_t i = 0; i < n; i++) {
		if (hs_member(&q[i], members[i], sizeof(members[i])) == -1)
			goto out;
		snprintf(ms[i], sizeof(ms[i]), "%" PRId64, q[i].received_ms);
		argv[argc++] = ms[i];
		argv[argc++] = members[i];
	}
	rc = hs_send(st, op, argc, argv, hs_counted);
	if (rc == 0)
		op = NULL;
out:
	free(op);
	free(argv);
	free(ms);
	free(members);
	return rc;
}

/* The list's end, once both replies are in. */
static void
hs_list_end(struct hs_op *op)
{
	if (op->pending > 0)
		return;
	if (op->failed) {
		rw_queued_free(op->q, op->nq);
		op->list_fn(op->arg, -1, NULL, 0);
	} else {
		op->list_fn(op->arg, 0, op->q, op->nq);
	}
	free(op);
}

/* The ZRANGE ... WITHSCORES reply: the queue's oldest members. */
static void
hs_listed(struct rw_store *st, const redisReply *r, void *arg)
{
	struct hs_op *op = arg;
	size_t pairs;

	(void)st;
	op->pending--;
	if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements % 2 != 0) {
		op->failed = true;
	} else if ((pairs = r->elements / 2) > 0 &&
		   (op->q = calloc(pairs, sizeof(*op->q))) == NULL) {
		op->failed = true;
	} else {
		for (size_t i = 0; i < pairs; i++) {
			const redisReply *m = r->element[2 * i], *s = r->element[2 * i + 1];
			struct rw_queued *q = &op->q[op->nq];

			if (m->type != REDIS_REPLY_STRING || s->type != REDIS_REPLY_STRING ||
			    hs_unmember(m->str, m->len, q) == -1)
				continue; /* not one of ours: left alone */
			q->received_ms = strtoll(s->str, NULL, 10);
			op->nq++;
		}
	}
	hs_list_end(op);
}

/* The HGETALL of the failed reads (member, count, member, count...), read
 * after the range (replies come in order). */
static void
hs_attempts(struct rw_store *st, const redisReply *r, void *arg)
{
	struct hs_op *op = arg;
	char member[MEMBER_MAX];

	(void)st;
	op->pending--;
	if (r == NULL || r->type != REDIS_REPLY_ARRAY)
		op->failed = true;
	for (size_t i = 0; !op->failed && i + 1 < r->elements; i += 2) {
		const redisReply *m = r->element[i], *a = r->element[i + 1];

		if (m->type != REDIS_REPLY_STRING || a->type != REDIS_REPLY_STRING)
			continue;
		for (size_t k = 0; k < op->nq; k++) {
			if (hs_member(&op->q[k], member, sizeof(member)) == 0 &&
			    strcmp(member, m->str) == 0)
				op->q[k].attempts = (unsigned)strtoul(a->str, NULL, 10);
		}
	}
	hs_list_end(op);
}

int
rw_hookstore_queue_list(struct rw_store *st, const char *source, size_t limit,
			rw_hookstore_list_fn *fn, void *arg)
{
	char qkey[KEY_MAX], akey[KEY_MAX], stop[24];
	struct hs_op *op = hs_op_new(arg);
	const char *range[] = {"ZRANGE", qkey, "0", stop, "WITHSCORES"};
	/* The counts of members that failed: few (only those ever failed,
	 * until read or given up), so the whole hash comes with the range. */
	const char *counts[] = {"HGETALL", akey};

	if (op == NULL || limit == 0 || hs_key(st, source, RW_KEY_WEBHOOK_QUEUE, qkey) == NULL ||
	    hs_key(st, source, RW_KEY_WEBHOOK_QUEUE_ATTEMPTS, akey) == NULL) {
		free(op);
		return -1;
	}
	op->list_fn = fn;
	snprintf(stop, sizeof(stop), "%zu", limit - 1);
	if (hs_send(st, op, 5, range, hs_listed) == -1) {
		free(op);
		return -1;
	}
	/* Not sent: the range's reply still comes and ends it, failed. */
	if (hs_send(st, op, 2, counts, hs_attempts) == -1)
		op->failed = true;
	return 0;
}

int
rw_hookstore_queue_settle(struct rw_store *st, const char *source,
			  const struct rw_queued *const *done, size_t ndone,
			  const struct rw_queued *const *failed, size_t nfailed,
			  rw_hookstore_done_fn *fn, void *arg)
{
	char qkey[KEY_MAX], akey[KEY_MAX];
	char(*members)[MEMBER_MAX] = calloc(ndone + nfailed + 1, sizeof(*members));
	const char **argv = calloc(2 + ndone, sizeof(*argv));
	struct hs_op *op = hs_op_new(arg);
	bool all = true;
	int rc = -1;

	if (members == NULL || argv == NULL || op == NULL || ndone + nfailed == 0 ||
	    hs_key(st, source, RW_KEY_WEBHOOK_QUEUE, qkey) == NULL ||
	    hs_key(st, source, RW_KEY_WEBHOOK_QUEUE_ATTEMPTS, akey) == NULL)
		goto out;
	op->done = fn;
	for (size_t i = 0; i < ndone + nfailed; i++)
		if (hs_member(i < ndone ? done[i] : failed[i - ndone], members[i],
			      sizeof(members[i])) == -1)
			goto out;
	if (ndone > 0) {
		argv[1] = qkey;
		argv[0] = "ZREM";
		for (size_t i = 0; i < ndone; i++)
			argv[2 + i] = members[i];
		all = hs_send(st, op, (int)(2 + ndone), argv, hs_counted) == 0;
		argv[0] = "HDEL";
		argv[1] = akey;
		all = all && hs_send(st, op, (int)(2 + ndone), argv, hs_counted) == 0;
	}
	for (size_t i = 0; all && i < nfailed; i++) {
		const char *incr[] = {"HINCRBY", akey, members[ndone + i], "1"};

		all = hs_send(st, op, 4, incr, hs_counted) == 0;
	}
	rc = hs_sent(op, all);
	op = NULL; /* freed by hs_sent, or by the last reply */
out:
	free(op);
	free(members);
	free(argv);
	return rc;
}
