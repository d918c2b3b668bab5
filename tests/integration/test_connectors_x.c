/*
 * The X connector end to end against the fake (rwtconn.h): backfill and
 * replies, a multi-page catch-up, ids that must never become cursors,
 * rejected entries logged once, rate-limit figures X does not give.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "replywatch/clock.h"
#include "rwtconn.h"

TestSuite(connectors, .init = rwc_setup, .fini = rwc_teardown, .timeout = 120);

/* An X page whose entries and meta carry the ids given. */
static json_t *
x_page(const char *id, const char *created_at, const char *author_id)
{
	return json_pack("{s:[{s:s, s:s, s:s, s:s?}], s:{s:[{s:s, s:s, s:s}]}, s:{s:s, s:s, s:i}}",
			 "data", "id", id, "text", "@acme hello", "author_id", author_id,
			 "created_at", created_at, "includes", "users", "id", author_id, "username",
			 "odd", "name", "Odd", "meta", "newest_id", id, "oldest_id", id,
			 "result_count", 1);
}

Test(connectors, x_backfill_and_replies)
{
	rwc_backfill_and_replies("x", "xsrc");
}

/* 250 mentions waiting: the first poll walks every page (100 per page) and
 * tracks each exactly once, in X's newer field names too. */
Test(connectors, x_multi_page_catch_up)
{
	int64_t now = rw_now_ms();

	json_decref(
		rwt_fake_call(&rwc.fake, "POST", "/_fake/x/config", "{'renamed_fields': true}"));
	for (int i = 0; i < 250; i++) {
		char author[16];

		snprintf(author, sizeof(author), "cust%d", i % 40);
		free(rwc_add_mention("x", author, now - 50 * 60 * 1000 + i * 1000, NULL));
	}
	rwc_start("x", "");
	rwc_clock_steps(2); /* Polls come as fast as the daemon answers. */
	rwc_wait_source("xsrc", "mentions_seen", NULL, 250, 15);
	/* A few more polls: nothing is counted twice. */
	rwc_wait_more_ok_polls("xsrc", 2);
	cr_assert_eq(rwc_mentions_seen("xsrc"), 250);

	json_t *reqs = rwt_fake_requests(&rwc.fake, "x", "mentions"), *r;
	size_t i, paged = 0;

	json_array_foreach(reqs, i, r)
	{
		if (strstr(json_string_value(json_object_get(r, "query")), "pagination_token="))
			paged++;
	}
	cr_assert_geq(paged, 2, "expected at least two follow-up pages");
	json_decref(reqs);
}

/* Regression: an id the platform's format does not allow (X: 1-19 digits)
 * became the since_id of every later request. It is never stored. */
Test(connectors, regression_x_invalid_id_is_never_a_cursor)
{
	static const char *bad = "1234567890123456789012345";
	json_t *page = x_page(bad, "2026-01-01T00:00:00.000Z", "777");
	char *text = json_dumps(page, JSON_COMPACT);
	json_t *reqs, *r;
	size_t i;

	rwc_start("x", "");
	rwc_clock_steps(2); /* Polls come as fast as the daemon answers. */
	rwc_wait_source("xsrc", "state", "ok", 0, 10);
	rwc_script("x", "mentions", json_pack("{s:s, s:i}", "body", text, "count", 3));
	/* The parser rejects the post ("bad id"); the poller would refuse the
	 * id as a cursor too ("id not a valid cursor") had it come through. */
	rwc_wait_metric("replywatch_source_items_rejected_total{source=\"xsrc\",reason=\"bad id\"}",
			1, 10);
	char *later = rwc_add_mention("x", "lena", rw_now_ms(), NULL);

	rwc_wait_state("xsrc", later, "open", 10);
	reqs = rwt_fake_requests(&rwc.fake, "x", "mentions");
	json_array_foreach(reqs, i, r)
	{
		const char *q = json_string_value(json_object_get(r, "query"));

		cr_assert(!strstr(q, bad), "the invalid id was used as a cursor: %s", q);
	}
	json_decref(reqs);
	cr_assert_eq(rwc_count_in_log("entry rejected: bad id"), 1, "logged %zu times",
		     rwc_count_in_log("entry rejected: bad id"));
	json_decref(page);
	free(text);
	free(later);
}

/*
 * An entry the parser rejects (here an X post whose created_at cannot be
 * read) is logged once with source, endpoint, reason and id — not again
 * when the same page is read again — counted by reason, and shown in
 * /status.
 */
Test(connectors, rejected_entries_are_logged_once_and_counted)
{
	json_t *page = x_page("1999999999999999999", "yesterday", "778");
	char *text = json_dumps(page, JSON_COMPACT);

	rwc_start("x", "");
	rwc_clock_steps(2); /* Polls come as fast as the daemon answers. */
	rwc_wait_source("xsrc", "state", "ok", 0, 10);
	rwc_script("x", "mentions", json_pack("{s:s, s:i}", "body", text, "count", 4));
	rwc_wait_metric("replywatch_source_items_rejected_total{source=\"xsrc\",reason=\"bad "
			"created_at\"}",
			1, 10);
	/* The same page three more times (every scripted answer taken, and the
	 * poll that took the last one finished). */
	struct rwc_pending_wait all = {"x", 1};

	cr_assert(rwc_wait(rwc_faults_taken, &all, 15));
	rwc_wait_more_ok_polls("xsrc", 1);
	cr_assert_eq(rwc_count_in_log("xsrc: mentions: entry 1999999999999999999 rejected: bad "
				      "created_at"),
		     1, "%s", rwt_daemon_log(&rwc.daemon));
	cr_assert_eq(
		rwc_metric_value("replywatch_source_items_rejected_total{source=\"xsrc\",reason="
				 "\"bad created_at\"}"),
		1);
	json_t *s = rwc_source_status("xsrc");

	cr_assert_eq(json_integer_value(json_object_get(json_object_get(s, "items_rejected"),
							"bad created_at")),
		     1, "%s", json_dumps(s, 0));
	json_decref(s);
	json_decref(page);
	free(text);
}

/* Regression: /status showed a rate-limit figure the platform did not give
 * as -1. It is null. */
Test(connectors, regression_unknown_rate_limit_figures_are_null)
{
	rwc_start("x", "");
	rwc_wait_source("xsrc", "state", "ok", 0, 10);
	rwc_script("x", "mentions",
		   json_pack("{s:s, s:s, s:b, s:i}", "body", "{\"meta\":{\"result_count\":0}}",
			     "header", "x-rate-limit-remaining: 41", "limits", 0, "count", 1000));
	json_t *s = NULL, *rl = NULL;

	for (int i = 0; i < 100; i++) {
		json_decref(s);
		s = rwc_source_status("xsrc");
		rl = json_object_get(json_object_get(json_object_get(s, "rate_limit"), "endpoints"),
				     "mentions");
		if (json_integer_value(json_object_get(rl, "remaining")) == 41)
			break;
		usleep(100 * 1000);
	}
	cr_assert_eq(json_integer_value(json_object_get(rl, "remaining")), 41, "%s",
		     json_dumps(s, 0));
	cr_assert(json_is_null(json_object_get(rl, "limit")), "%s", json_dumps(s, 0));
	cr_assert(json_is_null(json_object_get(rl, "reset_at")), "%s", json_dumps(s, 0));
	json_decref(s);
}

/* One X source without poll_every: "auto", the default for X. */
static void
start_x_auto(void)
{
	int port = rwc.daemon.http_port ? rwc.daemon.http_port : rwt_free_port();
	char *top, *path;

	cr_assert(
		asprintf(&top,
			 "%s,\n \"sources\": [{ \"name\": \"xsrc\", \"type\": \"x\", \"base_url\":"
			 " \"%s\", \"user_id\": \"2244994945\", \"token\": \"x-test-token\" }]",
			 RWC_POLICIES, rwc.fake.base) > 0);
	path = rwt_write_config(rwc.dir, &rwc.redis, port, "", top);
	rwc.daemon.test_clock = true;
	rwt_daemon_start(&rwc.daemon, path, port, NULL);
	rwt_daemon_wait_ready(&rwc.daemon, 5.0);
	free(path);
	free(top);
}

/* The fake's requests of endpoint, and how many were answered 429. */
static size_t
x_requests(const char *endpoint, size_t *n429)
{
	json_t *list = rwt_fake_requests(&rwc.fake, "x", endpoint), *r;
	size_t i, n;

	n = json_array_size(list);
	*n429 = 0;
	json_array_foreach(list, i, r)
	{
		if (json_integer_value(json_object_get(r, "status")) == 429)
			(*n429)++;
	}
	json_decref(list);
	return n;
}

/* The shortest and longest gaps (ms) between the fake's requests of
 * endpoint. */
static void
x_gaps(const char *endpoint, int64_t *least, int64_t *most)
{
	json_t *list = rwt_fake_requests(&rwc.fake, "x", endpoint), *r;
	int64_t prev = 0, at;
	size_t i;

	*least = INT64_MAX;
	*most = 0;
	json_array_foreach(list, i, r)
	{
		cr_assert_eq(rw_time_parse(json_string_value(json_object_get(r, "at")), &at), 0);
		if (prev != 0 && at - prev < *least)
			*least = at - prev;
		if (prev != 0 && at - prev > *most)
			*most = at - prev;
		prev = at;
	}
	json_decref(list);
}

static bool
x_polled_windows(void *arg)
{
	size_t n429;

	return x_requests("mentions", &n429) >= *(size_t *)arg;
}

/*
 * poll_every "auto" spreads X's 15-minute windows (here 4 calls per
 * endpoint every 15 s at the fake, on real time: the fake's windows do not
 * follow the daemon's test clock): over three windows, no request is ever
 * refused with a 429, the windows are used (about three polls each), and
 * /status shows the interval chosen and why. A fixed interval of 1 s
 * spends such a window in 4 s.
 */
Test(connectors, x_auto_budget_never_hits_429, .timeout = 120)
{
	size_t want = 8, n429, n, t429;
	int64_t least, most;
	json_t *s, *pi;
	const char *why;

	json_decref(rwt_fake_call(&rwc.fake, "POST", "/_fake/x/config",
				  "{'rate_limit': 4, 'rate_window': 15}"));
	start_x_auto();
	cr_assert(rwc_wait(x_polled_windows, &want, 75), "only %zu polls",
		  x_requests("mentions", &n429));
	n = x_requests("mentions", &n429);
	x_requests("tweets", &t429);
	cr_assert_eq(n429 + t429, 0, "%zu + %zu requests refused with 429 (of %zu)", n429, t429, n);
	cr_assert_eq(rwc_metric_value("replywatch_source_polls_total{source=\"xsrc\",result=\"rate_"
				      "limited\"}"),
		     0);
	/* Spread: never faster than the floor, never a long blind wait for a
	 * reset (a fixed 1 s spends 4 calls in 3 s, then waits 12 s). */
	x_gaps("mentions", &least, &most);
	cr_assert_geq(least, 4500, "polls %lld ms apart", (long long)least);
	cr_assert_leq(most, 11000, "polls %lld ms apart", (long long)most);

	s = rwc_source_status("xsrc");
	pi = json_object_get(s, "poll_interval");
	why = json_string_value(json_object_get(pi, "why"));
	cr_assert_str_eq(json_string_value(json_object_get(pi, "mode")), "auto", "%s",
			 json_dumps(s, 0));
	cr_assert(why != NULL && strstr(why, "calls left until") &&
			  strstr(why, "per poll => every"),
		  "%s", json_dumps(s, 0));
	cr_assert_geq(json_real_value(json_object_get(pi, "seconds")), 5.0);
	cr_assert(json_is_integer(json_object_get(json_object_get(s, "rate_limit"), "remaining")),
		  "%s", json_dumps(s, 0));
	json_decref(s);
}
