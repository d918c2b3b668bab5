/*
 * The fake server's own features that scripts/soak.sh relies on: the list
 * of mentions it served, pausing its simulator, --history, and a webhook
 * receiver that takes a delivery and drops the connection unanswered.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rwtest.h"

static struct rwt_fake fake;

static void
teardown(void)
{
	rwt_fake_stop(&fake);
}

TestSuite(fake, .fini = teardown, .timeout = 60);

/* The "count" of GET /_fake/PLATFORM/mentions. */
static long
served(const char *platform)
{
	char path[64];
	json_t *doc;
	long n;

	snprintf(path, sizeof(path), "/_fake/%s/mentions", platform);
	doc = rwt_fake_call(&fake, "GET", path, NULL);
	cr_assert_eq(json_array_size(json_object_get(doc, "mentions")),
		     (size_t)json_integer_value(json_object_get(doc, "count")));
	n = (long)json_integer_value(json_object_get(doc, "count"));
	json_decref(doc);
	return n;
}

Test(fake, mentions_lists_every_customer_post_and_nothing_else)
{
	json_t *m1, *m2, *doc;
	const char *id1, *id2;

	rwt_fake_start(&fake, NULL);
	m1 = rwt_fake_call(&fake, "POST", "/_fake/x/mention", "{'author': 'ann', 'text': 'hi'}");
	m2 = rwt_fake_call(&fake, "POST", "/_fake/x/mention", "{'author': 'bob', 'text': 'help'}");
	id1 = json_string_value(json_object_get(m1, "id"));
	id2 = json_string_value(json_object_get(m2, "id"));
	cr_assert(id1 && id2);
	{
		char body[128];

		snprintf(body, sizeof(body), "{'in_reply_to': '%s', 'text': 'on it'}", id1);
		json_decref(rwt_fake_call(&fake, "POST", "/_fake/x/reply", body));
	}
	json_decref(rwt_fake_call(&fake, "POST", "/_fake/x/post", "{'text': 'news'}"));

	doc = rwt_fake_call(&fake, "GET", "/_fake/x/mentions", NULL);
	cr_assert_eq(json_integer_value(json_object_get(doc, "count")), 2);
	cr_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(json_object_get(doc, "mentions"), 0), "id")),
			 id1);
	cr_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(json_object_get(doc, "mentions"), 1), "id")),
			 id2);
	cr_assert_not_null(
		json_object_get(json_array_get(json_object_get(doc, "mentions"), 0), "created_at"));
	cr_assert_eq(served("mastodon"), 0);
	json_decref(doc);
	json_decref(m1);
	json_decref(m2);
}

static bool
x_grew(void *arg)
{
	return served("x") > *(long *)arg;
}

Test(fake, paused_simulator_makes_nothing_until_resumed)
{
	char *const args[] = {"--simulate", "--rate", "3000", "--history", "0", NULL};
	json_t *doc;
	long before = 0, paused;

	rwt_fake_start(&fake, args);
	cr_assert(rwt_wait_until(x_grew, &before, 10), "the simulator made no mention");

	doc = rwt_fake_call(&fake, "POST", "/_fake/simulator", "{'paused': true}");
	cr_assert(json_is_true(json_object_get(doc, "paused")));
	cr_assert(json_is_true(json_object_get(doc, "running")));
	json_decref(doc);
	paused = served("x");
	/* 50 mentions a second per platform: a second without one is a pause. */
	cr_assert_not(rwt_wait_until(x_grew, &paused, 1.0), "mentions made while paused");

	json_decref(rwt_fake_call(&fake, "POST", "/_fake/simulator", "{'paused': false}"));
	cr_assert(rwt_wait_until(x_grew, &paused, 5), "the simulator did not resume");
	doc = rwt_fake_call(&fake, "GET", "/_fake/simulator", NULL);
	cr_assert(json_is_false(json_object_get(doc, "paused")));
	json_decref(doc);
}

Test(fake, simulator_pause_refuses_a_bad_body)
{
	struct rwt_response r;

	rwt_fake_start(&fake, NULL);
	r = rwt_http(fake.port, "POST", "/_fake/simulator", NULL, "{\"paused\": 1}");
	cr_assert_eq(r.status, 400);
	rwt_response_free(&r);
	r = rwt_http(fake.port, "DELETE", "/_fake/simulator", NULL, NULL);
	cr_assert_eq(r.status, 405);
	rwt_response_free(&r);
}

/* The created_at of every mention of doc, in ms. */
static void
oldest_newest(json_t *doc, int64_t *oldest, int64_t *newest)
{
	size_t i;
	json_t *m;

	*oldest = INT64_MAX;
	*newest = 0;
	json_array_foreach(json_object_get(doc, "mentions"), i, m)
	{
		struct tm tm = {0};
		const char *at = json_string_value(json_object_get(m, "created_at"));
		int64_t ms;

		cr_assert_not_null(strptime(at, "%Y-%m-%dT%H:%M:%S", &tm), "%s", at);
		ms = (int64_t)timegm(&tm) * 1000;
		if (ms < *oldest)
			*oldest = ms;
		if (ms > *newest)
			*newest = ms;
	}
}

Test(fake, history_replays_only_the_seconds_asked_for)
{
	char *const args[] = {"--simulate", "--rate", "120", "--history", "600", NULL};
	int64_t now = (int64_t)time(NULL) * 1000, oldest, newest;
	json_t *doc;

	rwt_fake_start(&fake, args);
	doc = rwt_fake_call(&fake, "GET", "/_fake/bluesky/mentions", NULL);
	/* About 1 200 mentions over the last 10 minutes, none before. */
	cr_assert_gt(json_integer_value(json_object_get(doc, "count")), 600);
	oldest_newest(doc, &oldest, &newest);
	cr_assert_geq(oldest, now - 601000, "a mention from %lld s ago",
		      (long long)((now - oldest) / 1000));
	cr_assert_lt(oldest, now - 540000, "no mention in the first minute of the history");
	json_decref(doc);
}

/* The deliveries to receiver "t". */
static json_t *
deliveries(void)
{
	json_t *doc = rwt_fake_call(&fake, "GET", "/_fake/hooks?name=t", NULL);
	json_t *list = json_incref(json_object_get(doc, "deliveries"));

	json_decref(doc);
	return list;
}

Test(fake, hook_drop_records_the_delivery_and_closes_unanswered)
{
	struct rwt_response r;
	json_t *list, *d;

	rwt_fake_start(&fake, NULL);
	json_decref(rwt_fake_call(&fake, "POST", "/_fake/hook/t/fault", "{'kind': 'drop'}"));
	r = rwt_http(fake.port, "POST", "/hook/t", NULL, "{\"n\": 1}");
	cr_assert_eq(r.status, 0, "answered %ld instead of closing", r.status);
	rwt_response_free(&r);
	r = rwt_http(fake.port, "POST", "/hook/t", NULL, "{\"n\": 2}");
	cr_assert_eq(r.status, 200, "the fault was used once");
	rwt_response_free(&r);

	list = deliveries();
	cr_assert_eq(json_array_size(list), 2);
	d = json_array_get(list, 0);
	cr_assert_str_eq(json_string_value(json_object_get(d, "fault")), "drop");
	cr_assert(json_is_null(json_object_get(d, "status")));
	cr_assert_str_eq(json_string_value(json_object_get(d, "body")), "{\"n\": 1}");
	d = json_array_get(list, 1);
	cr_assert(json_is_null(json_object_get(d, "fault")));
	cr_assert_eq(json_integer_value(json_object_get(d, "status")), 200);
	json_decref(list);
}
