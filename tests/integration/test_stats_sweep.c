/*
 * test_stats_sweep: the live figures of many sources are read from Redis
 * in a bounded sweep (daemon/stats.c, SWEEP_MAX sources a second), not all
 * at once every second: at 10 000 sources that was 20 000 commands queued
 * at once, over the store's in-flight cap, and polls failed with "redis
 * unavailable" (the scale benchmark, docs/high-availability.md "Scale").
 */
#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "replywatch/clock.h"
#include "rwtest.h"

#define NSOURCES 2500

static struct rwt_redis redis;
static struct rwt_daemon daemon_;
static char *dir;

static void
setup(void)
{
	dir = rwt_tmpdir_new();
	rwt_redis_start(&redis, NULL);
}

static void
teardown(void)
{
	rwt_daemon_stop_clean(&daemon_);
	rwt_daemon_cleanup(&daemon_);
	rwt_redis_destroy(&redis);
	rwt_tmpdir_remove(dir);
}

TestSuite(stats_sweep, .init = setup, .fini = teardown, .timeout = 120);

/* NSOURCES push sources s0000 ... and one policy for all. */
static void
start(void)
{
	size_t cap = (size_t)NSOURCES * 80 + 400, len = 0;
	char *top = malloc(cap), *path;
	int port = rwt_free_port();

	cr_assert_not_null(top);
	len += (size_t)snprintf(top + len, cap - len,
				",\n \"policies\": [ { \"name\": \"social\", \"warn_after\": "
				"\"1h\", \"breach_after\": \"2h\" } ],\n \"sources\": [");
	for (int i = 0; i < NSOURCES; i++)
		len += (size_t)snprintf(top + len, cap - len,
					"%s{\"name\": \"s%04d\", \"type\": \"push\", "
					"\"token\": \"ptok\"}",
					i ? "," : "", i);
	cr_assert_lt(len + 3, cap);
	strcpy(top + len, "]");
	path = rwt_write_config(dir, &redis, port, "", top);
	rwt_daemon_start(&daemon_, path, port, NULL);
	rwt_daemon_wait_ready(&daemon_, 30.0);
	free(path);
	free(top);
}

/* The "open" figure of the policy in /status. */
static bool
one_open(void *arg)
{
	json_t *doc = rwt_get_json(daemon_.http_port, "/status", NULL);
	json_t *p = json_array_get(json_object_get(doc, "policies"), 0);
	bool ok = json_integer_value(json_object_get(p, "open")) >= 1;

	(void)arg;
	json_decref(doc);
	return ok;
}

static long long
xrange_calls(redisContext *c)
{
	redisReply *r = redisCommand(c, "INFO commandstats");
	const char *at;
	long long n = 0;

	cr_assert(r != NULL && r->type == REDIS_REPLY_STRING);
	at = strstr(r->str, "cmdstat_xrange:calls=");
	if (at != NULL)
		n = strtoll(at + strlen("cmdstat_xrange:calls="), NULL, 10);
	freeReplyObject(r);
	return n;
}

Test(stats_sweep, regression_stats_refresh_reads_a_bounded_sweep_that_covers_every_source)
{
	redisContext *c = rwt_redis_connect(&redis);
	char body[256], at[40];
	long long before, after;

	start();
	/* A mention of the last source reaches /status: the sweep gets round. */
	snprintf(body, sizeof(body),
		 "{\"id\": \"m1\", \"created_at\": \"%s\", \"author\": \"someone\"}",
		 rw_time_format(rw_now_ms() - 1000, at, sizeof(at)));
	struct rwt_response r = rwt_http(daemon_.http_port, "POST", "/ingest/s2499", "ptok", body);
	cr_assert_eq(r.status, 202, "%s", r.body);
	rwt_response_free(&r);
	cr_assert(rwt_wait_until(one_open, NULL, 15.0), "the last source's mention never counted");

	/* A rate, so a measured span: every source's reply log is read by one
	 * XRANGE per visit; 3 s may hold 4 refreshes of at most 1000 sources
	 * (2500 a second before the sweep: 7500). */
	before = xrange_calls(c);
	sleep(3);
	after = xrange_calls(c);
	cr_assert_leq(after - before, 4000, "%lld stream reads in 3 s", after - before);
	cr_assert_geq(after - before, 1000, "%lld stream reads in 3 s", after - before);
	redisFree(c);
}
