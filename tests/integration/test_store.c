/*
 * The store module on a real libev loop against a real redis-server:
 * handshake, scripts and the NOSCRIPT fallback, reconnects, AUTH, SELECT,
 * unix sockets, the in-flight cap and the connect timeout.
 */
#include <criterion/criterion.h>
#include <ev.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "replywatch/config.h"
#include "replywatch/secret.h"
#include "replywatch/store.h"
#include "rwtest.h"
#include "rwtloop.h"

static struct rwt_redis redis;
static struct ev_loop *loop;

struct replies {
	int ok;     /* replies of the expected shape */
	int errors; /* error replies */
	int nulls;  /* NULL replies */
	char last_error[256];
};

struct state_log {
	int ups, downs;
};

static void
setup(void)
{
	loop = rwt_loop_new();
}

static void
teardown(void)
{
	rwt_redis_destroy(&redis);
	rwt_loop_free(loop);
}

TestSuite(store, .init = setup, .fini = teardown, .timeout = 60);

/* Runs the loop until *counter reaches want or timeout_s passes. */
static bool
run_until_count(const int *counter, int want, double timeout_s)
{
	return rwt_loop_until_count(loop, counter, want, timeout_s);
}

static bool
run_until_connected(struct rw_store *st, bool want, double timeout_s)
{
	double end = ev_time() + timeout_s;

	while (rw_store_connected(st) != want && ev_time() < end)
		ev_run(loop, EVRUN_ONCE);
	return rw_store_connected(st) == want;
}

static void
record_state(struct rw_store *st, bool connected, void *arg)
{
	struct state_log *log = arg;

	(void)st;
	if (connected)
		log->ups++;
	else
		log->downs++;
}

static void
record_ping_script(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct replies *r = arg;

	(void)st;
	if (reply == NULL) {
		r->nulls++;
	} else if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
		   strcmp(reply->element[0]->str, "tok") == 0) {
		r->ok++;
	} else {
		r->errors++;
		if (reply->type == REDIS_REPLY_ERROR)
			snprintf(r->last_error, sizeof(r->last_error), "%s", reply->str);
	}
}

static void
record_any(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct replies *r = arg;

	(void)st;
	if (reply == NULL)
		r->nulls++;
	else if (reply->type == REDIS_REPLY_ERROR)
		r->errors++;
	else
		r->ok++;
}

static struct rw_redis_config
tcp_config(int port)
{
	struct rw_redis_config c = {
		.host = "127.0.0.1",
		.port = port,
		.key_prefix = "rwt:",
		.display = "127.0.0.1 (test)",
	};
	return c;
}

static int
run_ping_script(struct rw_store *st, struct replies *r)
{
	const char *argv[1] = {"tok"};
	size_t len[1] = {3};

	return rw_store_script(st, "ping", 0, 1, argv, len, record_ping_script, r);
}

Test(store, connects_and_runs_a_script)
{
	rwt_redis_start(&redis, NULL);
	struct rw_redis_config cfg = tcp_config(redis.port);
	struct rw_store *st = rw_store_new(loop, &cfg);
	struct replies r = {0};

	cr_assert_not_null(st);
	cr_assert_not(rw_store_connected(st));
	cr_assert_eq(run_ping_script(st, &r), -1, "commands must fail before connecting");
	rw_store_start(st);
	cr_assert(run_until_connected(st, true, 5.0), "never connected: %s",
		  rw_store_last_error(st));
	cr_assert_null(rw_store_last_error(st));
	cr_assert_eq(run_ping_script(st, &r), 0);
	cr_assert(run_until_count(&r.ok, 1, 5.0));
	cr_assert_eq(r.errors + r.nulls, 0);
	/* The handshake loaded the script: Redis knows it by our SHA1. */
	redisContext *c = rwt_redis_connect(&redis);
	redisReply *exists = redisCommand(c, "SCRIPT EXISTS %s", rw_store_script_sha("ping"));
	cr_assert_eq(exists->element[0]->integer, 1);
	freeReplyObject(exists);
	redisFree(c);
	rw_store_free(st);
}

Test(store, every_queued_evalsha_survives_script_flush)
{
	rwt_redis_start(&redis, NULL);
	struct rw_redis_config cfg = tcp_config(redis.port);
	struct rw_store *st = rw_store_new(loop, &cfg);
	struct rw_store_stats stats;
	struct replies r = {0};

	rw_store_start(st);
	cr_assert(run_until_connected(st, true, 5.0));
	redisContext *c = rwt_redis_connect(&redis);
	freeReplyObject(redisCommand(c, "SCRIPT FLUSH"));
	/* A pipeline of calls: every one of them meets NOSCRIPT. */
	for (int i = 0; i < 50; i++)
		cr_assert_eq(run_ping_script(st, &r), 0);
	cr_assert(run_until_count(&r.ok, 50, 5.0), "ok=%d errors=%d (%s) nulls=%d", r.ok, r.errors,
		  r.last_error, r.nulls);
	rw_store_get_stats(st, &stats);
	cr_assert_geq(stats.noscript_fallbacks, 1);
	/* EVAL cached the script again: the next call needs no fallback. */
	unsigned long long before = stats.noscript_fallbacks;
	cr_assert_eq(run_ping_script(st, &r), 0);
	cr_assert(run_until_count(&r.ok, 51, 5.0));
	rw_store_get_stats(st, &stats);
	cr_assert_eq(stats.noscript_fallbacks, before);
	cr_assert_eq(rw_store_in_flight(st), 0);
	redisFree(c);
	rw_store_free(st);
}

Test(store, reconnects_after_redis_restarts)
{
	rwt_redis_start(&redis, NULL);
	struct rw_redis_config cfg = tcp_config(redis.port);
	struct rw_store *st = rw_store_new(loop, &cfg);
	struct state_log states = {0};
	struct replies r = {0};

	rw_store_set_state_fn(st, record_state, &states);
	rw_store_start(st);
	cr_assert(run_until_connected(st, true, 5.0));
	cr_assert_eq(states.ups, 1);
	rwt_redis_stop(&redis);
	cr_assert(run_until_connected(st, false, 5.0));
	cr_assert_eq(states.downs, 1);
	cr_assert_not_null(rw_store_last_error(st));
	cr_assert_eq(run_ping_script(st, &r), -1, "commands fail fast while disconnected");
	rwt_redis_restart(&redis);
	double restarted = ev_time();
	cr_assert(run_until_connected(st, true, 5.0));
	cr_assert_lt(ev_time() - restarted, 3.0, "reconnect took too long");
	cr_assert_eq(states.ups, 2);
	/* The new server has an empty script cache: the handshake loaded it. */
	cr_assert_eq(run_ping_script(st, &r), 0);
	cr_assert(run_until_count(&r.ok, 1, 5.0));
	rw_store_free(st);
}

Test(store, authenticates_and_never_reports_the_password)
{
	rwt_redis_start(&redis, "pw-SECRET-123");
	struct rw_redis_config cfg = tcp_config(redis.port);
	struct rw_secret *good = rw_secret_from_literal("pw-SECRET-123");
	struct rw_secret *bad = rw_secret_from_literal("wrong-SECRET-456");
	struct replies r = {0};

	cfg.password = bad;
	struct rw_store *refused = rw_store_new(loop, &cfg);
	rw_store_start(refused);
	double end = ev_time() + 3.0;
	while (ev_time() < end && strstr(rw_store_last_error(refused), "pass") == NULL)
		ev_run(loop, EVRUN_ONCE);
	const char *why = rw_store_last_error(refused);
	cr_assert_not_null(why);
	cr_assert(strstr(why, "WRONGPASS") || strstr(why, "invalid"), "reason: %s", why);
	cr_assert_null(strstr(why, "wrong-SECRET-456"));
	cr_assert_not(rw_store_connected(refused));
	rw_store_free(refused);

	cfg.password = good;
	struct rw_store *st = rw_store_new(loop, &cfg);
	rw_store_start(st);
	cr_assert(run_until_connected(st, true, 5.0), "%s", rw_store_last_error(st));
	cr_assert_eq(run_ping_script(st, &r), 0);
	cr_assert(run_until_count(&r.ok, 1, 5.0));
	rw_store_free(st);
	rw_secret_free(good);
	rw_secret_free(bad);
}

Test(store, selects_the_database_over_a_unix_socket)
{
	rwt_redis_start(&redis, NULL);
	struct rw_redis_config cfg = {
		.unix_socket = true,
		.path = redis.socket_path,
		.db = 3,
		.key_prefix = "rwt:",
		.display = "unix (test)",
	};
	struct rw_store *st = rw_store_new(loop, &cfg);
	struct replies r = {0};
	const char *argv[3] = {"SET", "rwt:where", "db3"};
	size_t len[3] = {3, 9, 3};

	rw_store_start(st);
	cr_assert(run_until_connected(st, true, 5.0), "%s", rw_store_last_error(st));
	cr_assert_eq(rw_store_command(st, 3, argv, len, record_any, &r), 0);
	cr_assert(run_until_count(&r.ok, 1, 5.0));
	redisContext *c = rwt_redis_connect(&redis);
	freeReplyObject(redisCommand(c, "SELECT 3"));
	redisReply *got = redisCommand(c, "GET rwt:where");
	cr_assert_str_eq(got->str, "db3");
	freeReplyObject(got);
	freeReplyObject(redisCommand(c, "SELECT 0"));
	got = redisCommand(c, "EXISTS rwt:where");
	cr_assert_eq(got->integer, 0, "the key must not land in db 0");
	freeReplyObject(got);
	redisFree(c);
	rw_store_free(st);
}

Test(store, refuses_commands_beyond_the_in_flight_cap)
{
	rwt_redis_start(&redis, NULL);
	struct rw_redis_config cfg = tcp_config(redis.port);
	struct rw_store *st = rw_store_new(loop, &cfg);
	struct replies r = {0};
	const char *argv[1] = {"PING"};
	size_t len[1] = {4};
	struct rw_store_stats stats;

	rw_store_start(st);
	cr_assert(run_until_connected(st, true, 5.0));
	for (int i = 0; i < RW_STORE_MAX_IN_FLIGHT; i++)
		cr_assert_eq(rw_store_command(st, 1, argv, len, record_any, &r), 0);
	cr_assert_eq(rw_store_command(st, 1, argv, len, record_any, &r), -1);
	rw_store_get_stats(st, &stats);
	cr_assert_eq(stats.rejected, 1);
	cr_assert(run_until_count(&r.ok, RW_STORE_MAX_IN_FLIGHT, 20.0));
	cr_assert_eq(rw_store_in_flight(st), 0);
	cr_assert_eq(rw_store_command(st, 1, argv, len, record_any, &r), 0, "room again");
	rw_store_free(st);
}

Test(store, pending_callbacks_get_null_when_the_store_is_freed)
{
	rwt_redis_start(&redis, NULL);
	struct rw_redis_config cfg = tcp_config(redis.port);
	struct rw_store *st = rw_store_new(loop, &cfg);
	struct replies r = {0};

	rw_store_start(st);
	cr_assert(run_until_connected(st, true, 5.0));
	for (int i = 0; i < 10; i++)
		cr_assert_eq(run_ping_script(st, &r), 0);
	rw_store_free(st); /* before any reply was read */
	cr_assert_eq(r.nulls + r.ok, 10, "every callback runs exactly once");
	cr_assert_eq(r.nulls, 10);
}

Test(store, gives_up_on_a_server_that_never_answers, .timeout = 30)
{
	/* A socket that listens but never accepts: the kernel completes the TCP
	 * handshake, so only the store's own timer can notice. */
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t slen = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(listen(fd, 8), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sin, &slen), 0);
	redis.dir = NULL;
	struct rw_redis_config cfg = tcp_config(ntohs(sin.sin_port));
	struct rw_store *st = rw_store_new(loop, &cfg);

	rw_store_start(st);
	double end = ev_time() + 12.0;
	while (ev_time() < end && strstr(rw_store_last_error(st), "timed out") == NULL)
		ev_run(loop, EVRUN_ONCE);
	cr_assert_not_null(strstr(rw_store_last_error(st), "timed out"), "reason: %s",
			   rw_store_last_error(st));
	cr_assert_not(rw_store_connected(st));
	rw_store_free(st);
	close(fd);
}
