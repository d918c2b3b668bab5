/*
 * sentinel.c: asks the configured sentinels, one at a time, where the master
 * named in the config is (hiredis 0.14 async on libev).
 *
 * Each attempt opens a fresh connection to one sentinel and pipelines
 * [AUTH], SENTINEL get-master-addr-by-name and SENTINEL replicas. hiredis
 * frees the context after a failed connect and after the disconnect
 * callback, so lk->ac is cleared there; the next attempt and the final
 * callback run from a zero timer, never from inside hiredis. A sentinel that
 * does not answer within SENTINEL_TIMEOUT is dropped from its timer.
 */
#include <ev.h>
#include <hiredis/adapters/libev.h>
#include <hiredis/async.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/config.h"
#include "replywatch/secret.h"
#include "replywatch/sentinel.h"

/* A sentinel on a healthy network answers in a millisecond; one that is down
 * must not hold up failover (Redis's client guide asks for a short timeout). */
#define SENTINEL_TIMEOUT 0.5

struct rw_sentinel_lookup {
	struct ev_loop *loop;
	const struct rw_redis_config *cfg;
	rw_sentinel_done_fn *fn;
	void *arg;
	redisAsyncContext *ac;
	size_t idx;    /* the sentinel being asked */
	size_t asked;  /* sentinels asked so far, this one included */
	bool answered; /* the current sentinel gave the master's address */
	bool finished; /* the step timer calls fn */
	struct rw_sentinel_answer answer;
	char why[256];
	ev_timer step;    /* zero timer: next attempt or the final callback */
	ev_timer timeout; /* the current attempt's deadline */
};

void
rw_sentinel_format_addr(char *out, size_t len, const char *host, int port)
{
	if (strchr(host, ':') != NULL)
		snprintf(out, len, "[%s]:%d", host, port);
	else
		snprintf(out, len, "%s:%d", host, port);
}

static void
current_addr(const struct rw_sentinel_lookup *lk, char *out, size_t len)
{
	const struct rw_redis_sentinel *s = &lk->cfg->sentinels[lk->idx];

	rw_sentinel_format_addr(out, len, s->host, s->port);
}

/* Records why the current sentinel did not help (the last reason is kept). */
static void
note_failure(struct rw_sentinel_lookup *lk, const char *what)
{
	char addr[RW_SENTINEL_ADDR_MAX];

	current_addr(lk, addr, sizeof(addr));
	snprintf(lk->why, sizeof(lk->why), "sentinel %s: %s", addr, what);
}

/* The current attempt is over: move on (or finish) from the step timer. */
static void
attempt_over(struct rw_sentinel_lookup *lk)
{
	ev_timer_stop(lk->loop, &lk->timeout);
	if (lk->answered) {
		current_addr(lk, lk->answer.via, sizeof(lk->answer.via));
		lk->answer.via_index = lk->idx;
		lk->finished = true;
	} else if (++lk->asked >= lk->cfg->nsentinels) {
		lk->finished = true;
	} else {
		lk->idx = (lk->idx + 1) % lk->cfg->nsentinels;
	}
	ev_timer_stop(lk->loop, &lk->step);
	ev_timer_set(&lk->step, 0., 0.);
	ev_timer_start(lk->loop, &lk->step);
}

/* [ip, port] or nil (unknown master name). */
static void
master_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	struct rw_sentinel_lookup *lk = privdata;
	const redisReply *reply = r;
	long port;
	char *end;

	if (reply == NULL || lk->ac != ac)
		return;
	if (reply->type == REDIS_REPLY_ERROR) {
		note_failure(lk, reply->str);
		return;
	}
	if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
	    reply->element[0]->type != REDIS_REPLY_STRING ||
	    reply->element[1]->type != REDIS_REPLY_STRING) {
		note_failure(lk, "does not know the master name");
		return;
	}
	port = strtol(reply->element[1]->str, &end, 10);
	if (*end != '\0' || port < 1 || port > 65535 ||
	    reply->element[0]->len >= sizeof(lk->answer.host)) {
		note_failure(lk, "gave a malformed address");
		return;
	}
	memcpy(lk->answer.host, reply->element[0]->str, reply->element[0]->len + 1);
	lk->answer.port = (int)port;
	lk->answered = true;
}

/* The value of field name in a flat [field, value, ...] array, or NULL. */
static const char *
field(const redisReply *flat, const char *name)
{
	for (size_t i = 0; i + 1 < flat->elements; i += 2)
		if (flat->element[i]->type == REDIS_REPLY_STRING &&
		    flat->element[i + 1]->type == REDIS_REPLY_STRING &&
		    strcmp(flat->element[i]->str, name) == 0)
			return flat->element[i + 1]->str;
	return NULL;
}

/* [[field, value, ...], ...]: the replicas not flagged down. Then the
 * attempt is complete: disconnect (allowed from a reply callback). */
static void
replicas_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	struct rw_sentinel_lookup *lk = privdata;
	const redisReply *reply = r;

	if (reply == NULL || lk->ac != ac)
		return;
	lk->answer.nreplicas = 0;
	for (size_t i = 0; reply->type == REDIS_REPLY_ARRAY && i < reply->elements &&
			   lk->answer.nreplicas < RW_SENTINEL_REPLICAS_MAX;
	     i++) {
		const redisReply *one = reply->element[i];
		const char *ip, *port, *flags;

		if (one->type != REDIS_REPLY_ARRAY)
			continue;
		ip = field(one, "ip");
		port = field(one, "port");
		flags = field(one, "flags");
		if (ip == NULL || port == NULL ||
		    (flags != NULL && (strstr(flags, "s_down") || strstr(flags, "o_down") ||
				       strstr(flags, "disconnected"))))
			continue;
		rw_sentinel_format_addr(lk->answer.replicas[lk->answer.nreplicas++],
					RW_SENTINEL_ADDR_MAX, ip, atoi(port));
	}
	redisAsyncDisconnect(ac);
}

static void
auth_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	struct rw_sentinel_lookup *lk = privdata;
	const redisReply *reply = r;

	if (reply == NULL || lk->ac != ac || reply->type != REDIS_REPLY_ERROR)
		return;
	/* The reply text names no secret ("WRONGPASS invalid username-password pair"). */
	note_failure(lk, reply->str);
}

static void
on_connect(const redisAsyncContext *ac, int status)
{
	struct rw_sentinel_lookup *lk = ac->data;
	char why[200];

	if (lk == NULL || lk->ac != ac || status == REDIS_OK)
		return;
	/* hiredis frees ac after this returns; no disconnect callback follows. */
	lk->ac = NULL;
	snprintf(why, sizeof(why), "connect failed: %s", ac->errstr);
	note_failure(lk, why);
	attempt_over(lk);
}

static void
on_disconnect(const redisAsyncContext *ac, int status)
{
	struct rw_sentinel_lookup *lk = ac->data;

	if (lk == NULL || lk->ac != ac)
		return;
	lk->ac = NULL;
	if (status != REDIS_OK && !lk->answered)
		note_failure(lk, ac->errstr[0] ? ac->errstr : "connection closed");
	attempt_over(lk);
}

/* Queues the questions; hiredis sends them once the connection is up. */
static int
ask(struct rw_sentinel_lookup *lk, redisAsyncContext *ac)
{
	const char *name = lk->cfg->master_name;
	int rc = REDIS_OK;

	if (lk->cfg->sentinel_password != NULL) {
		const char *argv[2] = {"AUTH", rw_secret_value(lk->cfg->sentinel_password)};
		size_t len[2] = {4, rw_secret_len(lk->cfg->sentinel_password)};

		rc |= redisAsyncCommandArgv(ac, auth_reply, lk, 2, argv, len);
	}
	{
		const char *argv[3] = {"SENTINEL", "get-master-addr-by-name", name};
		size_t len[3] = {8, 23, strlen(name)};

		rc |= redisAsyncCommandArgv(ac, master_reply, lk, 3, argv, len);
	}
	{
		/* "replicas" is Redis 5's name; "slaves" would work on older ones. */
		const char *argv[3] = {"SENTINEL", "replicas", name};
		size_t len[3] = {8, 8, strlen(name)};

		rc |= redisAsyncCommandArgv(ac, replicas_reply, lk, 3, argv, len);
	}
	return rc == REDIS_OK ? 0 : -1;
}

/* Frees the current context from a timer (not inside hiredis). */
static void
drop_current(struct rw_sentinel_lookup *lk)
{
	redisAsyncContext *ac = lk->ac;

	lk->ac = NULL;
	if (ac != NULL) {
		ac->data = NULL;
		redisAsyncFree(ac); /* pending callbacks see lk->ac != ac */
	}
}

static void
attempt(struct rw_sentinel_lookup *lk)
{
	const struct rw_redis_sentinel *s = &lk->cfg->sentinels[lk->idx];
	redisAsyncContext *ac = redisAsyncConnect(s->host, s->port);

	lk->answered = false;
	if (ac == NULL || ac->err) {
		note_failure(lk, ac ? ac->errstr : "out of memory");
		if (ac != NULL)
			redisAsyncFree(ac);
		attempt_over(lk);
		return;
	}
	ac->data = lk;
	lk->ac = ac;
	if (redisLibevAttach(lk->loop, ac) != REDIS_OK ||
	    redisAsyncSetConnectCallback(ac, on_connect) != REDIS_OK ||
	    redisAsyncSetDisconnectCallback(ac, on_disconnect) != REDIS_OK || ask(lk, ac) == -1) {
		drop_current(lk);
		note_failure(lk, "cannot queue the question");
		attempt_over(lk);
		return;
	}
	ev_timer_set(&lk->timeout, SENTINEL_TIMEOUT, 0.);
	ev_timer_start(lk->loop, &lk->timeout);
}

static void
on_timeout(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct rw_sentinel_lookup *lk = w->data;

	(void)loop;
	(void)revents;
	drop_current(lk);
	if (!lk->answered)
		note_failure(lk, "timed out");
	attempt_over(lk);
}

static void
on_step(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct rw_sentinel_lookup *lk = w->data;

	(void)loop;
	(void)revents;
	if (!lk->finished) {
		attempt(lk);
		return;
	}
	lk->fn(lk->arg, lk->answered ? &lk->answer : NULL, lk->why);
	rw_sentinel_lookup_cancel(lk);
}

struct rw_sentinel_lookup *
rw_sentinel_lookup_start(struct ev_loop *loop, const struct rw_redis_config *cfg, size_t first,
			 rw_sentinel_done_fn *fn, void *arg)
{
	struct rw_sentinel_lookup *lk = calloc(1, sizeof(*lk));

	if (lk == NULL)
		return NULL;
	lk->loop = loop;
	lk->cfg = cfg;
	lk->fn = fn;
	lk->arg = arg;
	snprintf(lk->why, sizeof(lk->why), "%s", "no sentinel configured");
	ev_timer_init(&lk->step, on_step, 0., 0.);
	ev_timer_init(&lk->timeout, on_timeout, 0., 0.);
	lk->step.data = lk->timeout.data = lk;
	lk->finished = cfg->nsentinels == 0;
	lk->idx = cfg->nsentinels > 0 ? first % cfg->nsentinels : 0;
	ev_timer_start(loop, &lk->step);
	return lk;
}

void
rw_sentinel_lookup_cancel(struct rw_sentinel_lookup *lk)
{
	if (lk == NULL)
		return;
	ev_timer_stop(lk->loop, &lk->step);
	ev_timer_stop(lk->loop, &lk->timeout);
	drop_current(lk);
	free(lk);
}
