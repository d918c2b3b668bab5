/*
 * store_ha.c: the store in a replicated Redis. Sentinel mode (which server
 * is the master, when to ask the sentinels again, logging a switch) and
 * replicated acknowledgements (WAIT, throttled while replicas lag), plus
 * the picture /status shows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/clock.h"
#include "replywatch/log.h"
#include "store_internal.h"

/* An error that says this server is not (or not yet) a usable master. */
bool
store_is_redirect(const redisReply *reply)
{
	return reply != NULL && reply->type == REDIS_REPLY_ERROR && reply->str != NULL &&
	       (strncmp(reply->str, "READONLY", 8) == 0 || strncmp(reply->str, "LOADING", 7) == 0 ||
		strncmp(reply->str, "MASTERDOWN", 10) == 0);
}

bool
store_is_noreplicas(const redisReply *reply)
{
	return reply != NULL && reply->type == REDIS_REPLY_ERROR && reply->str != NULL &&
	       strncmp(reply->str, "NOREPLICAS", 10) == 0;
}

/* Drops the connection so the reconnect asks the sentinels again. Safe from
 * a reply callback: hiredis disconnects once the pending replies are in. */
static void
switch_master(struct rw_store *st, const char *why)
{
	st->redirect_asked = true;
	store_set_error(st, why);
	redisAsyncDisconnect(st->ac);
}

/* In Sentinel mode the master moved (or is not ready). */
void
store_ask_sentinels_again(struct rw_store *st, const char *why)
{
	if (st->set.master_name == NULL || st->ac == NULL || st->redirect_asked || st->freeing)
		return;
	log_warnx("redis: %s answered \"%.60s\"; asking the sentinels again", st->master, why);
	switch_master(st, why);
}

/* Runs from the lookup's timer, never inside hiredis. */
static void
confirm_done(void *arg, const struct rw_sentinel_answer *answer, const char *why)
{
	struct rw_store *st = arg;
	char addr[RW_SENTINEL_ADDR_MAX], reason[200];

	st->confirm = NULL;
	if (answer == NULL) {
		log_debug("redis: no sentinel confirmed the master: %s", why);
		return;
	}
	rw_sentinel_format_addr(addr, sizeof(addr), answer->host, answer->port);
	if (!st->connected || st->ac == NULL || st->redirect_asked || strcmp(addr, st->master) == 0)
		return;
	snprintf(reason, sizeof(reason), "the sentinels name %s as master, not %s", addr,
		 st->master);
	/* At once, not after the pending replies: the old master may be
	 * stopped, and whatever it still answers is lost or refused anyway
	 * (callers see a failed command and try again on the new one). */
	log_warnx("redis: %s; switching", reason);
	store_drop_connection(st, reason);
}

/*
 * A master cut off from the others (split brain) goes on answering as
 * master until Sentinel demotes it, about ten seconds after it is back;
 * writes it takes meanwhile are lost, and with min-replicas-to-write it
 * refuses them (NOREPLICAS). Neither closes our connection, so the store
 * asks the sentinels once a second, and at once on NOREPLICAS, instead of
 * waiting for the demotion.
 */
void
store_confirm_master(struct rw_store *st)
{
	if (st->set.master_name == NULL || !st->connected || st->confirm != NULL ||
	    st->redirect_asked || st->freeing)
		return;
	st->confirm = rw_sentinel_lookup_start(
		st->loop, &st->set, st->have_found ? st->found.via_index : 0, confirm_done, st);
}

static void
on_confirm_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	store_confirm_master(w->data);
}

void
store_confirm_start(struct rw_store *st)
{
	if (st->set.master_name == NULL || ev_is_active(&st->confirm_timer))
		return;
	ev_timer_init(&st->confirm_timer, on_confirm_timer, CONFIRM_EVERY, CONFIRM_EVERY);
	st->confirm_timer.data = st;
	ev_timer_start(st->loop, &st->confirm_timer);
}

void
store_confirm_stop(struct rw_store *st)
{
	ev_timer_stop(st->loop, &st->confirm_timer);
	rw_sentinel_lookup_cancel(st->confirm);
	st->confirm = NULL;
}

/*
 * ROLE: ["master", offset, [[ip, port, offset], ...]] on a master. Records
 * how many replicas are connected. Returns 0, or -1 with why when Sentinel
 * mode reached a server that is not the master.
 */
int
store_role_seen(struct rw_store *st, const redisReply *reply, char *why, size_t whylen)
{
	const char *role = NULL;

	if (reply != NULL && reply->type == REDIS_REPLY_ARRAY && reply->elements >= 1 &&
	    reply->element[0]->type == REDIS_REPLY_STRING)
		role = reply->element[0]->str;
	if (role != NULL && strcmp(role, "master") == 0) {
		st->connected_replicas =
			reply->elements >= 3 && reply->element[2]->type == REDIS_REPLY_ARRAY
				? (int)reply->element[2]->elements
				: 0;
		return 0;
	}
	st->connected_replicas = -1;
	if (st->set.master_name == NULL)
		return 0; /* a plain redis.url is used as given, whatever its role */
	snprintf(why, whylen, "%s is not the master (ROLE %s)", st->master,
		 role ? role : "unknown");
	return -1;
}

/* Remembers what the sentinels said and logs a change of master. */
void
store_master_found(struct rw_store *st, const struct rw_sentinel_answer *a)
{
	char addr[RW_SENTINEL_ADDR_MAX];

	rw_sentinel_format_addr(addr, sizeof(addr), a->host, a->port);
	if (st->master[0] != '\0' && strcmp(addr, st->master) != 0) {
		log_warnx("redis: master of %s switched from %s to %s (sentinel %s)",
			  st->set.master_name, st->master, addr, a->via);
		st->master_changes++;
		st->last_failover_ms = rw_now_ms();
	} else if (st->master[0] == '\0') {
		log_info("redis: sentinel %s names %s as master of %s", a->via, addr,
			 st->set.master_name);
	}
	snprintf(st->master, sizeof(st->master), "%s", addr);
	snprintf(st->found_by, sizeof(st->found_by), "sentinel %s", a->via);
	st->found = *a;
	st->have_found = true;
	for (size_t i = 0; i < st->found.nreplicas; i++)
		st->replica_ptrs[i] = st->found.replicas[i];
}

bool
rw_store_replicated(const struct rw_store *st)
{
	return st->set.master_name != NULL || st->connected_replicas > 0;
}

struct wait_call {
	rw_store_wait_fn *fn;
	void *arg;
};

static void
waited(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct wait_call *wc = arg;
	bool ok = reply != NULL && reply->type == REDIS_REPLY_INTEGER && reply->integer >= 1;

	if (ok) {
		st->waits++;
		st->wait_failed_at = 0;
	} else {
		st->waits_failed++;
		st->wait_failed_at = ev_now(st->loop);
	}
	wc->fn(st, ok, wc->arg);
	free(wc);
}

int
rw_store_wait(struct rw_store *st, rw_store_wait_fn *fn, void *arg)
{
	const char *argv[3] = {"WAIT", "1", RW_STORE_WAIT_MS_STR};
	size_t len[3] = {4, 1, strlen(RW_STORE_WAIT_MS_STR)};
	struct wait_call *wc = calloc(1, sizeof(*wc));

	if (wc == NULL)
		return -1;
	/* WAIT blocks the one connection: while the replicas are known to be
	 * behind, one probe a second, and every other call fails at once. */
	if (st->wait_failed_at != 0 && ev_now(st->loop) - st->wait_failed_at < WAIT_PROBE_EVERY) {
		st->waits_failed++;
		free(wc);
		return -1;
	}
	wc->fn = fn;
	wc->arg = arg;
	if (rw_store_command(st, 3, argv, len, waited, wc) == -1) {
		free(wc);
		return -1;
	}
	return 0;
}

void
rw_store_get_ha(const struct rw_store *st, struct rw_store_ha *out)
{
	memset(out, 0, sizeof(*out));
	out->sentinel = st->set.master_name != NULL;
	out->master = st->master[0] ? st->master : NULL;
	out->found_by = st->master[0] ? st->found_by : NULL;
	out->replicas = st->replica_ptrs;
	out->nreplicas = st->have_found ? st->found.nreplicas : 0;
	out->connected_replicas = st->connected ? st->connected_replicas : -1;
	out->last_failover_ms = st->last_failover_ms;
	out->master_changes = st->master_changes;
	out->lookups_failed = st->lookups_failed;
	out->waits = st->waits;
	out->waits_failed = st->waits_failed;
	out->replicated = rw_store_replicated(st);
}

void
store_set_plain_master(struct rw_store *st)
{
	char addr[RW_SENTINEL_ADDR_MAX];

	if (st->set.unix_socket)
		snprintf(addr, sizeof(addr), "unix:%s", st->set.path);
	else
		rw_sentinel_format_addr(addr, sizeof(addr), st->set.host, st->set.port);
	snprintf(st->master, sizeof(st->master), "%s", addr);
	snprintf(st->found_by, sizeof(st->found_by), "%s", "redis.url");
}
