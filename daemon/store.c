/*
 * store.c: hiredis 0.14 async on libev — connect, handshake, reconnect,
 * liveness, EVALSHA with NOSCRIPT fallback, in-flight cap.
 *
 * hiredis frees its context after the connect callback reports failure and
 * after the disconnect callback, and calls every pending callback with a NULL
 * reply as it goes. So: st->ac is cleared in both callbacks before anything
 * else, reconnects are scheduled on a timer (never from inside hiredis), and
 * every operation's private data is released in its own callback whatever the
 * reply. Contexts the store drops itself (timeouts, reconfigure) are freed
 * from libev timers, never from hiredis callbacks.
 */
#include <errno.h>
#include <ev.h>
#include <hiredis/adapters/libev.h>
#include <hiredis/async.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/backoff.h"
#include "replywatch/clock.h"
#include "replywatch/config.h"
#include "replywatch/log.h"
#include "replywatch/scripts.h"
#include "replywatch/secret.h"
#include "replywatch/store.h"
#include "store_internal.h"

/* One command in flight. Script ops keep their arguments for the EVAL resend. */
struct store_op {
	struct rw_store *st;
	rw_store_reply_fn *fn;
	void *arg;
	int script; /* index into rw_lua_scripts, or -1 */
	bool retried;
	int argc;
	char **argv; /* script ops only: owned copies */
	size_t *argvlen;
};

static char script_shas[64][41];
static bool script_shas_ready;

static void store_connect(struct rw_store *st);
static void store_lost(struct rw_store *st, const char *reason);

/* SHA1 of each embedded script, as Redis names it for EVALSHA. */
static void
compute_script_shas(void)
{
	if (script_shas_ready)
		return;
	for (unsigned i = 0; i < rw_lua_script_count && i < 64; i++) {
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int mdlen = 0;

		if (EVP_Digest(rw_lua_scripts[i].body, rw_lua_scripts[i].len, md, &mdlen,
			       EVP_sha1(), NULL) != 1)
			fatalx("store: SHA1 of script %s failed", rw_lua_scripts[i].name);
		for (unsigned j = 0; j < mdlen && j < 20; j++)
			snprintf(&script_shas[i][j * 2], 3, "%02x", md[j]);
	}
	script_shas_ready = true;
}

static int
script_index(const char *name)
{
	for (unsigned i = 0; i < rw_lua_script_count; i++)
		if (strcmp(rw_lua_scripts[i].name, name) == 0)
			return (int)i;
	return -1;
}

const char *
rw_store_script_sha(const char *name)
{
	int i = script_index(name);

	compute_script_shas();
	return i < 0 ? NULL : script_shas[i];
}

void
store_set_error(struct rw_store *st, const char *what)
{
	snprintf(st->last_error, sizeof(st->last_error), "%s", what ? what : "unknown error");
}

static void
notify_state(struct rw_store *st, bool connected)
{
	if (st->state_fn != NULL && !st->freeing)
		st->state_fn(st, connected, st->state_arg);
}

static void
op_free(struct store_op *op)
{
	if (op == NULL)
		return;
	for (int i = 0; op->argv != NULL && i < op->argc; i++)
		free(op->argv[i]);
	free(op->argv);
	free(op->argvlen);
	free(op);
}

static bool
is_noscript(const redisReply *reply)
{
	return reply != NULL && reply->type == REDIS_REPLY_ERROR && reply->str != NULL &&
	       strncmp(reply->str, "NOSCRIPT", 8) == 0;
}

static void op_done(redisAsyncContext *ac, void *r, void *privdata);

/* Sends op's script again as EVAL with the full body. Returns 0 or -1. */
static int
op_resend_as_eval(struct rw_store *st, struct store_op *op)
{
	const struct rw_lua_script *s = &rw_lua_scripts[op->script];

	op->retried = true;
	free(op->argv[0]);
	free(op->argv[1]);
	op->argv[0] = strdup("EVAL");
	op->argv[1] = strndup(s->body, s->len);
	if (op->argv[0] == NULL || op->argv[1] == NULL)
		return -1;
	op->argvlen[0] = 4;
	op->argvlen[1] = s->len;
	if (st->ac == NULL ||
	    redisAsyncCommandArgv(st->ac, op_done, op, op->argc, (const char **)op->argv,
				  op->argvlen) != REDIS_OK)
		return -1;
	return 0;
}

/* hiredis's callback for every command: hands the reply on, or resends a
 * script that Redis forgot. */
static void
op_done(redisAsyncContext *ac, void *r, void *privdata)
{
	struct store_op *op = privdata;
	struct rw_store *st = op->st;
	redisReply *reply = r;

	(void)ac;
	if (store_is_redirect(reply))
		store_ask_sentinels_again(st, reply->str);
	else if (store_is_noreplicas(reply))
		store_confirm_master(st);
	if (op->script >= 0 && !op->retried && is_noscript(reply) && !st->freeing) {
		st->stats.noscript_fallbacks++;
		/* Once per flush, not once per queued call. */
		if (!st->noscript_logged)
			log_info("redis: script %s unknown to the server (restart or SCRIPT "
				 "FLUSH); sending scripts again",
				 rw_lua_scripts[op->script].name);
		st->noscript_logged = true;
		if (op_resend_as_eval(st, op) == 0)
			return;
		reply = NULL;
	} else if (op->script >= 0 && !op->retried && reply != NULL) {
		st->noscript_logged = false;
	}
	st->in_flight--;
	if (op->fn != NULL)
		op->fn(st, reply, op->arg);
	op_free(op);
}

/* Sends one command on the current context, whatever the connected flag
 * (the handshake uses this before the store counts as connected). */
static int
send_raw(struct rw_store *st, struct store_op *op, int argc, const char **argv,
	 const size_t *argvlen)
{
	if (st->ac == NULL ||
	    redisAsyncCommandArgv(st->ac, op_done, op, argc, argv, argvlen) != REDIS_OK)
		return -1;
	st->in_flight++;
	return 0;
}

static struct store_op *
op_new(struct rw_store *st, rw_store_reply_fn *fn, void *arg, int script)
{
	struct store_op *op = calloc(1, sizeof(*op));

	if (op == NULL)
		return NULL;
	op->st = st;
	op->fn = fn;
	op->arg = arg;
	op->script = script;
	return op;
}

/* Sends a plain (non-script) command on the current context. */
static int
send_command(struct rw_store *st, int argc, const char **argv, const size_t *argvlen,
	     rw_store_reply_fn *fn, void *arg)
{
	struct store_op *op = op_new(st, fn, arg, -1);

	if (op == NULL)
		return -1;
	if (send_raw(st, op, argc, argv, argvlen) == -1) {
		op_free(op);
		return -1;
	}
	return 0;
}

/* Sends a command of the handshake or the liveness check. */
static int
send_internal(struct rw_store *st, rw_store_reply_fn *fn, int argc, const char **argv,
	      const size_t *argvlen)
{
	return send_command(st, argc, argv, argvlen, fn, NULL);
}

/* A NULL reply means the connection went away; store_lost records why. */
static void
handshake_step(struct rw_store *st, const redisReply *reply, void *arg)
{
	(void)arg;
	if (st->handshake_failed || st->freeing || reply == NULL)
		return;
	if (reply->type == REDIS_REPLY_ERROR) {
		st->handshake_failed = true;
		store_set_error(st, reply->str);
		log_warnx("redis %s: %s", st->set.display, st->last_error);
		/* Safe from a reply callback: hiredis disconnects once it returns. */
		if (st->ac != NULL)
			redisAsyncDisconnect(st->ac);
	}
}

static void
handshake_role(struct rw_store *st, const redisReply *reply, void *arg)
{
	char why[200];

	(void)arg;
	if (st->handshake_failed || st->freeing || reply == NULL)
		return;
	if (store_role_seen(st, reply, why, sizeof(why)) == -1) {
		st->handshake_failed = true;
		store_set_error(st, why);
		/* Once until the next good connect, like store_lost's "cannot connect". */
		if (!st->role_warned)
			log_warnx("redis: %s; asking the sentinels again", why);
		else
			log_debug("redis: %s; asking the sentinels again", why);
		st->role_warned = true;
		if (st->ac != NULL)
			redisAsyncDisconnect(st->ac);
	}
}

static void
handshake_done(struct rw_store *st, const redisReply *reply, void *arg)
{
	(void)arg;
	handshake_step(st, reply, NULL);
	if (reply == NULL || st->handshake_failed || st->freeing || st->ac == NULL)
		return;
	/* The connect timer ran through the handshake: a server that accepts
	 * and never answers is dropped too. */
	ev_timer_stop(st->loop, &st->connect_timer);
	st->handshaking = false;
	st->connected = true;
	st->attempt = 0;
	st->last_error[0] = '\0';
	st->stats.connects++;
	st->ping_sent = 0;
	ev_timer_again(st->loop, &st->ping_timer);
	store_confirm_start(st);
	st->redirect_asked = false;
	st->role_warned = false;
	if (st->set.master_name != NULL)
		log_info("redis: connected to %s, master %s (%s)", st->set.display, st->master,
			 st->found_by);
	else
		log_info("redis: connected to %s", st->set.display);
	notify_state(st, true);
}

/* AUTH, SELECT and SCRIPT LOAD, pipelined; the trailing PING completes the
 * handshake (replies arrive in order). */
static void
handshake_start(struct rw_store *st)
{
	char db[16];
	int rc = 0;

	st->handshaking = true;
	st->handshake_failed = false;
	if (st->set.password != NULL) {
		const char *argv[3] = {"AUTH"};
		size_t len[3] = {4};
		int argc = 2;

		if (st->set.username != NULL) {
			argv[1] = st->set.username;
			len[1] = strlen(st->set.username);
			argc = 3;
		}
		argv[argc - 1] = rw_secret_value(st->set.password);
		len[argc - 1] = rw_secret_len(st->set.password);
		rc |= send_internal(st, handshake_step, argc, argv, len);
	}
	if (st->set.db != 0) {
		const char *argv[2] = {"SELECT", db};
		size_t len[2] = {6, 0};

		len[1] = (size_t)snprintf(db, sizeof(db), "%d", st->set.db);
		rc |= send_internal(st, handshake_step, 2, argv, len);
	}
	for (unsigned i = 0; i < rw_lua_script_count; i++) {
		const char *argv[3] = {"SCRIPT", "LOAD", rw_lua_scripts[i].body};
		size_t len[3] = {6, 4, rw_lua_scripts[i].len};

		rc |= send_internal(st, handshake_step, 3, argv, len);
	}
	{
		const char *argv[1] = {"ROLE"};
		size_t len[1] = {4};

		rc |= send_internal(st, handshake_role, 1, argv, len);
	}
	{
		const char *argv[1] = {"PING"};
		size_t len[1] = {4};

		rc |= send_internal(st, handshake_done, 1, argv, len);
	}
	if (rc != 0) {
		store_set_error(st, "could not queue the handshake");
		redisAsyncDisconnect(st->ac);
	}
}

static void
schedule_reconnect(struct rw_store *st)
{
	double delay;

	if (st->freeing)
		return;
	/* Randomised: spreads reconnects of many daemons without ever retrying
	 * in a tight loop. */
	delay = rw_backoff_seconds(st->attempt, BACKOFF_FIRST, BACKOFF_CAP);
	st->attempt++;
	ev_timer_stop(st->loop, &st->reconnect_timer);
	ev_timer_set(&st->reconnect_timer, delay, 0.);
	ev_timer_start(st->loop, &st->reconnect_timer);
}

/* The connection is gone (or never came up): forget it, tell the owner, and
 * try again later. The context itself is freed by whoever called this. */
static void
store_lost(struct rw_store *st, const char *reason)
{
	bool was_connected = st->connected;

	st->ac = NULL;
	st->connected = false;
	st->handshaking = false;
	st->ping_sent = 0;
	ev_timer_stop(st->loop, &st->connect_timer);
	ev_timer_stop(st->loop, &st->ping_timer);
	store_confirm_stop(st);
	/* A refused AUTH says more than the disconnect that follows it. */
	if (reason != NULL && !st->handshake_failed)
		store_set_error(st, reason);
	st->handshake_failed = false;
	if (was_connected) {
		st->stats.disconnects++;
		log_warnx("redis: lost connection to %s (%s): %s", st->set.display, st->master,
			  st->last_error);
		notify_state(st, false);
	} else if (st->attempt == 0 || log_enabled(RW_LOG_DEBUG)) {
		log_warnx("redis: cannot connect to %s: %s", st->set.display, st->last_error);
	}
	schedule_reconnect(st);
}

static void
on_connect(const redisAsyncContext *ac, int status)
{
	struct rw_store *st = ac->data;

	if (st == NULL || ac != st->ac)
		return; /* a context the store already abandoned */
	if (status != REDIS_OK) {
		/* hiredis frees ac after this returns; no disconnect callback follows. */
		char reason[200];

		snprintf(reason, sizeof(reason), "connect failed: %s", ac->errstr);
		store_lost(st, reason);
		return;
	}
	/* TCP keepalive notices a peer that vanished without a FIN; the
	 * options do not exist for unix sockets. */
	if (!st->set.unix_socket)
		redisEnableKeepAlive((redisContext *)&ac->c);
	handshake_start(st);
}

static void
on_disconnect(const redisAsyncContext *ac, int status)
{
	struct rw_store *st = ac->data;
	char reason[200];

	if (st == NULL || ac != st->ac)
		return;
	if (status == REDIS_OK)
		snprintf(reason, sizeof(reason), "%s", "disconnected");
	else
		snprintf(reason, sizeof(reason), "%s",
			 ac->errstr[0] ? ac->errstr : "connection closed");
	store_lost(st, reason);
}

/* Frees the current context from a timer callback (safe: not inside hiredis)
 * and schedules a reconnect. */
void
store_drop_connection(struct rw_store *st, const char *reason)
{
	redisAsyncContext *ac = st->ac;

	st->ac = NULL; /* so the callbacks run by the free below ignore it */
	if (ac != NULL) {
		ac->data = NULL;
		redisAsyncFree(ac);
	}
	st->ac = NULL;
	store_lost(st, reason);
}

static void connect_to(struct rw_store *st, const char *host, int port);

/* Runs from the lookup's timer, never inside hiredis. */
static void
lookup_done(void *arg, const struct rw_sentinel_answer *answer, const char *why)
{
	struct rw_store *st = arg;
	char reason[300];

	st->lookup = NULL;
	if (answer == NULL) {
		st->lookups_failed++;
		snprintf(reason, sizeof(reason), "no sentinel named a master: %s", why);
		store_lost(st, reason);
		return;
	}
	store_master_found(st, answer);
	connect_to(st, answer->host, answer->port);
}

static void
store_connect(struct rw_store *st)
{
	if (st->set.master_name == NULL) {
		connect_to(st, st->set.host, st->set.port);
		return;
	}
	if (st->lookup != NULL)
		return;
	st->lookup = rw_sentinel_lookup_start(
		st->loop, &st->set, st->have_found ? st->found.via_index : 0, lookup_done, st);
	if (st->lookup == NULL)
		store_lost(st, "out of memory");
}

/* Connects to host:port (or the unix socket of a plain redis.url). */
static void
connect_to(struct rw_store *st, const char *host, int port)
{
	redisAsyncContext *ac;

	st->redirect_asked = false;
	if (st->set.unix_socket)
		ac = redisAsyncConnectUnix(st->set.path);
	else
		ac = redisAsyncConnect(host, port);
	if (ac == NULL) {
		store_lost(st, "out of memory");
		return;
	}
	if (ac->err) {
		char reason[200];

		snprintf(reason, sizeof(reason), "connect failed: %s", ac->errstr);
		redisAsyncFree(ac);
		store_lost(st, reason);
		return;
	}
	ac->data = st;
	st->ac = ac;
	if (redisLibevAttach(st->loop, ac) != REDIS_OK ||
	    redisAsyncSetConnectCallback(ac, on_connect) != REDIS_OK ||
	    redisAsyncSetDisconnectCallback(ac, on_disconnect) != REDIS_OK) {
		store_drop_connection(st, "cannot attach to the event loop");
		return;
	}
	ev_timer_stop(st->loop, &st->connect_timer);
	ev_timer_set(&st->connect_timer, CONNECT_TIMEOUT, 0.);
	ev_timer_start(st->loop, &st->connect_timer);
}

static void
on_reconnect_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	store_connect(w->data);
}

/* hiredis 0.14 has no connect timeout: a blackholed SYN or a server that
 * accepts but never answers the handshake is abandoned here. */
static void
on_connect_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct rw_store *st = w->data;

	(void)loop;
	(void)revents;
	if (!st->connected)
		store_drop_connection(st, "connect timed out");
}

/* The liveness ping is ROLE: it also keeps the replica count fresh and
 * notices a master that Sentinel demoted without closing our connection. */
static void
ping_answered(struct rw_store *st, const redisReply *reply, void *arg)
{
	char why[200];

	(void)arg;
	st->ping_sent = 0;
	if (reply == NULL || st->freeing)
		return;
	if (reply->type == REDIS_REPLY_ARRAY && store_role_seen(st, reply, why, sizeof(why)) == -1)
		store_ask_sentinels_again(st, why);
}

static void
on_ping_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct rw_store *st = w->data;
	const char *argv[1] = {"ROLE"};
	size_t len[1] = {4};

	(void)revents;
	if (!st->connected)
		return;
	if (st->ping_sent != 0) {
		if (ev_now(loop) - st->ping_sent > PING_DEADLINE)
			store_drop_connection(st, "server stopped answering");
		return;
	}
	if (send_internal(st, ping_answered, 1, argv, len) == 0)
		st->ping_sent = ev_now(loop);
}

struct rw_store *
rw_store_new(struct ev_loop *loop, const struct rw_redis_config *cfg)
{
	struct rw_store *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return NULL;
	if (store_settings_copy(&st->set, cfg) == -1) {
		free(st);
		return NULL;
	}
	compute_script_shas();
	st->loop = loop;
	snprintf(st->last_error, sizeof(st->last_error), "%s", "not connected yet");
	ev_timer_init(&st->reconnect_timer, on_reconnect_timer, 0., 0.);
	ev_timer_init(&st->connect_timer, on_connect_timer, 0., 0.);
	ev_timer_init(&st->ping_timer, on_ping_timer, 0., PING_EVERY);
	st->reconnect_timer.data = st->connect_timer.data = st->ping_timer.data = st;
	st->connected_replicas = -1;
	if (st->set.master_name == NULL)
		store_set_plain_master(st);
	return st;
}

void
rw_store_set_state_fn(struct rw_store *st, rw_store_state_fn *fn, void *arg)
{
	st->state_fn = fn;
	st->state_arg = arg;
}

void
rw_store_start(struct rw_store *st)
{
	if (st->ac == NULL && st->lookup == NULL && !ev_is_active(&st->reconnect_timer))
		store_connect(st);
}

int
rw_store_reconfigure(struct rw_store *st, const struct rw_redis_config *cfg)
{
	struct rw_redis_config next;
	bool reconnect;

	if (store_settings_copy(&next, cfg) == -1)
		return -1;
	reconnect = !store_settings_same(&st->set, &next);
	store_settings_clear(&st->set);
	st->set = next;
	if (reconnect) {
		log_info("redis: settings changed, reconnecting to %s", st->set.display);
		ev_timer_stop(st->loop, &st->reconnect_timer);
		rw_sentinel_lookup_cancel(st->lookup);
		st->lookup = NULL;
		st->have_found = false;
		st->connected_replicas = -1;
		st->master[0] = '\0';
		if (st->set.master_name == NULL)
			store_set_plain_master(st);
		if (st->ac != NULL) {
			redisAsyncContext *ac = st->ac;
			bool was_connected = st->connected;

			st->ac = NULL;
			st->connected = st->handshaking = false;
			ev_timer_stop(st->loop, &st->connect_timer);
			ev_timer_stop(st->loop, &st->ping_timer);
			store_confirm_stop(st);
			ac->data = NULL;
			redisAsyncFree(ac);
			if (was_connected)
				notify_state(st, false);
		}
		st->attempt = 0;
		store_connect(st);
	}
	return 0;
}

bool
rw_store_connected(const struct rw_store *st)
{
	return st->connected;
}

const char *
rw_store_last_error(const struct rw_store *st)
{
	return st->connected ? NULL : st->last_error;
}

const char *
rw_store_address(const struct rw_store *st)
{
	return st->set.display;
}

const char *
rw_store_key_prefix(const struct rw_store *st)
{
	return st->set.key_prefix;
}

size_t
rw_store_in_flight(const struct rw_store *st)
{
	return st->in_flight;
}

static bool
can_send(struct rw_store *st)
{
	if (!st->connected || st->ac == NULL || st->freeing ||
	    st->in_flight >= RW_STORE_MAX_IN_FLIGHT) {
		st->stats.rejected++;
		return false;
	}
	return true;
}

int
rw_store_command(struct rw_store *st, int argc, const char **argv, const size_t *argvlen,
		 rw_store_reply_fn *fn, void *arg)
{
	if (!can_send(st))
		return -1;
	return send_command(st, argc, argv, argvlen, fn, arg);
}

int
rw_store_script(struct rw_store *st, const char *name, int nkeys, int argc, const char **argv,
		const size_t *argvlen, rw_store_reply_fn *fn, void *arg)
{
	int script = script_index(name);
	struct store_op *op;
	char nkeys_buf[16];
	int total = argc + 3;

	if (script < 0 || nkeys < 0 || nkeys > argc || !can_send(st))
		return -1;
	op = op_new(st, fn, arg, script);
	if (op == NULL)
		return -1;
	op->argc = total;
	op->argv = calloc((size_t)total, sizeof(*op->argv));
	op->argvlen = calloc((size_t)total, sizeof(*op->argvlen));
	if (op->argv == NULL || op->argvlen == NULL)
		goto fail;
	snprintf(nkeys_buf, sizeof(nkeys_buf), "%d", nkeys);
	op->argv[0] = strdup("EVALSHA");
	op->argvlen[0] = 7;
	op->argv[1] = strdup(script_shas[script]);
	op->argvlen[1] = 40;
	op->argv[2] = strdup(nkeys_buf);
	op->argvlen[2] = strlen(nkeys_buf);
	for (int i = 0; i < argc; i++) {
		op->argv[i + 3] = malloc(argvlen[i] + 1);
		if (op->argv[i + 3] == NULL)
			goto fail;
		memcpy(op->argv[i + 3], argv[i], argvlen[i]);
		op->argv[i + 3][argvlen[i]] = '\0';
		op->argvlen[i + 3] = argvlen[i];
	}
	if (!op->argv[0] || !op->argv[1] || !op->argv[2])
		goto fail;
	if (send_raw(st, op, total, (const char **)op->argv, op->argvlen) == -1)
		goto fail;
	return 0;
fail:
	op_free(op);
	return -1;
}

void
rw_store_get_stats(const struct rw_store *st, struct rw_store_stats *out)
{
	*out = st->stats;
}

void
rw_store_free(struct rw_store *st)
{
	if (st == NULL)
		return;
	st->freeing = true;
	ev_timer_stop(st->loop, &st->reconnect_timer);
	ev_timer_stop(st->loop, &st->connect_timer);
	ev_timer_stop(st->loop, &st->ping_timer);
	store_confirm_stop(st);
	rw_sentinel_lookup_cancel(st->lookup);
	st->lookup = NULL;
	if (st->ac != NULL) {
		redisAsyncContext *ac = st->ac;

		st->ac = NULL;
		ac->data = NULL;
		redisAsyncFree(ac); /* pending callbacks run now, with NULL replies */
	}
	store_settings_clear(&st->set);
	free(st);
}
