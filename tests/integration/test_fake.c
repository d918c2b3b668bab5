/*
 * The fake server's own features that scripts/soak.sh relies on: the list
 * of mentions it served, pausing its simulator, --history, and a webhook
 * receiver that takes a delivery and drops the connection unanswered. And
 * what every platform of its table (GET /_fake/platforms) does alike:
 * faults, rate-limit windows, the request log, unknown paths; these loop
 * over the table, so a platform added to the fake is covered too.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replywatch/clock.h"
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

/* The fake's platform table (GET /_fake/platforms): caller decrefs. */
static json_t *
platform_table(void)
{
	json_t *doc = rwt_fake_call(&fake, "GET", "/_fake/platforms", NULL);
	json_t *list = json_incref(json_object_get(doc, "platforms"));

	json_decref(doc);
	cr_assert(json_is_array(list) && json_array_size(list) >= 3, "no platform table");
	return list;
}

/* pattern with every "*" segment replaced by "1", as a request path. */
static void
route_path(const char *pattern, char *out, size_t outlen)
{
	size_t n = 0;

	for (const char *c = pattern; *c != '\0' && n + 2 < outlen; c++)
		out[n++] = *c == '*' ? '1' : *c;
	out[n] = '\0';
}

/* The status of the newest logged request of platform/endpoint, -1 when none. */
static long
last_logged(const char *platform, const char *endpoint)
{
	json_t *list = rwt_fake_requests(&fake, platform, endpoint);
	size_t n = json_array_size(list);
	long status = -1;

	if (n > 0)
		status = (long)json_integer_value(
			json_object_get(json_array_get(list, n - 1), "status"));
	json_decref(list);
	return status;
}

Test(fake, platform_table_names_state_options_and_errors_alike)
{
	json_t *list, *state, *p;
	struct rwt_response r;
	char names[512] = "", want[600];
	size_t i;

	rwt_fake_start(&fake, NULL);
	list = platform_table();
	state = rwt_fake_call(&fake, "GET", "/_fake/state", NULL);
	json_array_foreach(list, i, p)
	{
		const char *name = json_string_value(json_object_get(p, "name"));
		size_t k;
		json_t *o;
		char prefix[64];

		cr_assert_not_null(name);
		cr_assert(json_is_object(json_object_get(state, name)), "%s not in /_fake/state",
			  name);
		cr_assert_gt(json_array_size(json_object_get(p, "routes")), 0, "%s: no route",
			     name);
		snprintf(prefix, sizeof(prefix), "--%s-", name);
		json_array_foreach(json_object_get(p, "options"), k, o)
			cr_assert(strncmp(json_string_value(o), prefix, strlen(prefix)) == 0,
				  "%s: option %s", name, json_string_value(o));
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
			 i ? ", " : "", name);
	}
	cr_assert(strstr(names, "mastodon") && strstr(names, "bluesky"), "%s", names);
	/* Credentials are flags only: the table never shows their values. */
	r = rwt_http(fake.port, "GET", "/_fake/platforms", NULL, NULL);
	cr_assert_null(strstr(r.body, "test-token"));
	cr_assert_null(strstr(r.body, "app-pass"));
	rwt_response_free(&r);

	r = rwt_http(fake.port, "POST", "/_fake/nosuchplatform/fault", NULL, "{}");
	cr_assert_eq(r.status, 404);
	snprintf(want, sizeof(want), "unknown platform (%s)", names);
	cr_assert(strstr(r.body, want) != NULL, "%s, wanted %s", r.body, want);
	rwt_response_free(&r);
	json_decref(state);
	json_decref(list);
}

Test(fake, every_route_answers_its_queued_fault_and_is_logged)
{
	json_t *list, *p, *rt;
	size_t i, k;

	rwt_fake_start(&fake, NULL);
	list = platform_table();
	json_array_foreach(list, i, p)
	{
		const char *name = json_string_value(json_object_get(p, "name"));

		json_array_foreach(json_object_get(p, "routes"), k, rt)
		{
			const char *ep = json_string_value(json_object_get(rt, "endpoint"));
			char ctl[96], body[128], path[256];
			struct rwt_response r;

			snprintf(ctl, sizeof(ctl), "/_fake/%s/fault", name);
			snprintf(body, sizeof(body), "{'kind': '503', 'endpoint': '%s'}", ep);
			json_decref(rwt_fake_call(&fake, "POST", ctl, body));
			route_path(json_string_value(json_object_get(rt, "path")), path,
				   sizeof(path));
			r = rwt_http(fake.port, json_string_value(json_object_get(rt, "method")),
				     path, NULL, NULL);
			cr_assert_eq(r.status, 503, "%s %s: %ld", name, path, r.status);
			rwt_response_free(&r);
			cr_assert_eq(last_logged(name, ep), 503, "%s %s not logged", name, ep);
		}
	}
	json_decref(list);
}

/* Gives platform p (a row of the table) a window of one call and returns
 * its first route, whose path (segments filled in) goes into path. */
static json_t *
window_of_one(json_t *p, char *path, size_t size)
{
	json_t *rt = json_array_get(json_object_get(p, "routes"), 0);
	char ctl[96];

	snprintf(ctl, sizeof(ctl), "/_fake/%s/config",
		 json_string_value(json_object_get(p, "name")));
	json_decref(rwt_fake_call(&fake, "POST", ctl, "{'rate_limit': 1}"));
	route_path(json_string_value(json_object_get(rt, "path")), path, size);
	return rt;
}

Test(fake, every_platform_answers_429_once_its_window_is_spent)
{
	json_t *list, *p, *state;
	size_t i;

	rwt_fake_start(&fake, NULL);
	list = platform_table();
	json_array_foreach(list, i, p)
	{
		const char *name = json_string_value(json_object_get(p, "name"));
		char path[256];
		json_t *rt = window_of_one(p, path, sizeof(path));
		const char *ep = json_string_value(json_object_get(rt, "endpoint"));
		const char *method = json_string_value(json_object_get(rt, "method"));
		struct rwt_response r;

		r = rwt_http(fake.port, method, path, NULL, NULL);
		cr_assert_neq(r.status, 429, "%s %s: the first call of the window", name, path);
		rwt_response_free(&r);
		r = rwt_http(fake.port, method, path, NULL, NULL);
		if (strcmp(name, "meta") == 0) /* Graph throttles with a 400 and error code 4 */
			cr_assert(r.status == 400 && r.body && strstr(r.body, "\"code\":4"),
				  "%s %s: %ld %s", name, path, r.status, r.body);
		else
			cr_assert_eq(r.status, 429, "%s %s: %ld", name, path, r.status);
		rwt_response_free(&r);

		state = rwt_fake_call(&fake, "GET", "/_fake/state", NULL);
		cr_assert_eq(json_integer_value(json_object_get(
				     json_object_get(json_object_get(json_object_get(state, name),
								     "rate_limits"),
						     ep),
				     "remaining")),
			     0, "%s: /_fake/state shows budget left", name);
		json_decref(state);
	}
	json_decref(list);
}

/* rwt_fake_unlimit, which the platform suites' setup relies on: after it
 * a window of one call no longer holds on any platform. */
Test(fake, unlimit_lifts_every_platforms_window)
{
	json_t *list, *p;
	size_t i;

	rwt_fake_start(&fake, NULL);
	list = platform_table();
	json_array_foreach(list, i, p)
	{
		const char *name = json_string_value(json_object_get(p, "name"));
		char path[256];
		json_t *rt = window_of_one(p, path, sizeof(path));
		const char *method = json_string_value(json_object_get(rt, "method"));

		rwt_fake_unlimit(&fake, name);
		for (int n = 0; n < 2; n++) {
			struct rwt_response r = rwt_http(fake.port, method, path, NULL, NULL);

			/* Graph throttles with a 400 and error code 4 */
			bool throttled = r.status == 429 || (r.status == 400 && r.body &&
							     strstr(r.body, "\"code\":4"));

			cr_assert_not(throttled, "%s %s: call %d: %ld", name, path, n + 1,
				      r.status);
			rwt_response_free(&r);
		}
	}
	json_decref(list);
}

Test(fake, unknown_path_under_a_prefix_is_that_platforms_unknown)
{
	json_t *list, *p;
	struct rwt_response r;
	size_t i;

	rwt_fake_start(&fake, NULL);
	list = platform_table();
	json_array_foreach(list, i, p)
	{
		const char *name = json_string_value(json_object_get(p, "name"));
		char path[128];

		snprintf(path, sizeof(path), "%sno.such/thing",
			 json_string_value(json_object_get(p, "prefix")));
		r = rwt_http(fake.port, "GET", path, NULL, NULL);
		cr_assert_geq(r.status, 400, "%s %s: %ld", name, path, r.status);
		cr_assert_eq(last_logged(name, "unknown"), r.status, "%s: not logged", name);
		rwt_response_free(&r);
	}
	r = rwt_http(fake.port, "GET", "/no/platform/here", NULL, NULL);
	cr_assert_eq(r.status, 404);
	rwt_response_free(&r);
	json_decref(list);
}

/* ---- the simulator's reviews ---- */

/* One review of GET /_fake/NAME/reviews, in either form (the store's own, or
 * Trustpilot's API shape). */
struct sim_review {
	int rating;
	bool anonymous, no_text, answered, pending, deleted;
	const char *text;
};

static struct sim_review
sim_review(json_t *r)
{
	json_t *answer = json_object_get(r, "answer"), *reply = json_object_get(r, "companyReply");
	struct sim_review v = {0};

	if (json_object_get(r, "stars") != NULL) {
		v.rating = (int)json_integer_value(json_object_get(r, "stars"));
		v.anonymous =
			json_object_get(json_object_get(r, "consumer"), "displayName") == NULL;
		v.answered = json_is_object(reply);
	} else {
		v.rating = (int)json_integer_value(json_object_get(r, "rating"));
		v.anonymous = json_is_true(json_object_get(r, "anonymous"));
		v.answered = json_is_object(answer);
		v.pending =
			v.answered && strcmp(json_string_value(json_object_get(answer, "state")),
					     "PENDING_PUBLISH") == 0;
	}
	v.text = json_string_value(json_object_get(r, "text"));
	v.no_text = v.text == NULL;
	v.deleted = json_is_true(json_object_get(r, "deleted"));
	return v;
}

static json_t *
sim_reviews(const char *platform)
{
	char path[64];
	json_t *doc, *list;

	snprintf(path, sizeof(path), "/_fake/%s/reviews", platform);
	doc = rwt_fake_call(&fake, "GET", path, NULL);
	list = json_incref(json_object_get(doc, "reviews"));
	json_decref(doc);
	cr_assert(json_is_array(list), "no reviews list for %s", platform);
	return list;
}

/* Every review platform of the table gets reviews of every rating, J-shaped
 * (more 1s and 5s than 3s), some anonymous, some without text, most of them
 * answered; the history holds more than a first page (100) of them. */
Test(fake, simulator_leaves_reviews_on_every_review_platform)
{
	char *const args[] = {"--simulate", "--rate", "30", "--history",
			      "600",        "--seed", "5",  NULL};
	json_t *table, *d;
	size_t i, review_platforms = 0;

	rwt_fake_start(&fake, args);
	table = platform_table();
	json_array_foreach(table, i, d)
	{
		const char *name = json_string_value(json_object_get(d, "name"));
		json_t *list, *r;
		size_t j, live = 0, answered = 0, anonymous = 0, no_text = 0, by[6] = {0};

		if (!json_is_true(json_object_get(d, "reviews")))
			continue;
		review_platforms++;
		list = sim_reviews(name);
		cr_assert_gt(json_array_size(list), 150, "%s: %zu reviews", name,
			     json_array_size(list));
		json_array_foreach(list, j, r)
		{
			struct sim_review v = sim_review(r);

			cr_assert(v.rating >= 1 && v.rating <= 5);
			by[v.rating]++;
			anonymous += v.anonymous;
			no_text += v.no_text;
			if (v.deleted)
				continue;
			live++;
			answered += v.answered && !v.pending;
		}
		for (int k = 1; k <= 5; k++)
			cr_assert_gt(by[k], 0, "%s: no %d-star review", name, k);
		cr_assert_gt(by[5], by[3], "%s: %zu 5s, %zu 3s", name, by[5], by[3]);
		cr_assert_gt(by[1], by[3], "%s: %zu 1s, %zu 3s", name, by[1], by[3]);
		cr_assert_gt(anonymous, 0, "%s: no anonymous reviewer", name);
		cr_assert_gt(no_text, 0, "%s: no review without text", name);
		cr_assert(answered * 100 >= live * 60 && answered * 100 <= live * 95,
			  "%s: %zu of %zu answered", name, answered, live);
		json_decref(list);
	}
	cr_assert_eq(review_platforms, 4);
	json_decref(table);
}

/* The same --seed makes the same reviews (ratings, texts), in the same order. */
Test(fake, simulator_reviews_follow_the_seed)
{
	char *const args[] = {"--simulate", "--rate", "30", "--history",
			      "300",        "--seed", "9",  NULL};
	json_t *first, *second, *a, *b;
	size_t i;

	rwt_fake_start(&fake, args);
	first = sim_reviews("google_business");
	rwt_fake_stop(&fake);
	rwt_fake_start(&fake, args);
	second = sim_reviews("google_business");
	cr_assert_gt(json_array_size(first), 100);
	for (i = 0; i < 100; i++) {
		a = json_array_get(first, i);
		b = json_array_get(second, i);
		cr_assert_eq(sim_review(a).rating, sim_review(b).rating, "review %zu", i);
		cr_assert(json_equal(json_object_get(a, "text"), json_object_get(b, "text")),
			  "review %zu", i);
		cr_assert(json_equal(json_object_get(a, "author"), json_object_get(b, "author")),
			  "review %zu", i);
	}
	json_decref(first);
	json_decref(second);
}

/* ---- the simulator's feeds: facebook, instagram, youtube, reddit, linkedin ---- */

/* A fake's own part of GET /_fake/state (caller decrefs). */
static json_t *
own_state(const char *platform)
{
	json_t *doc = rwt_fake_call(&fake, "GET", "/_fake/state", NULL);
	json_t *p = json_incref(json_object_get(doc, platform));

	json_decref(doc);
	cr_assert_not_null(p, "no %s in /_fake/state", platform);
	return p;
}

/* The brand answers at varied delays (the feeds share them; Reddit's things
 * show both times): some before the demo's social policy warns (45 s), some
 * between warning and breach (90 s), some after, and some items never. */
Test(fake, simulator_feeds_answer_fast_late_and_never)
{
	char *const args[] = {"--simulate", "--rate", "30", "--history",
			      "1800",       "--seed", "11", NULL};
	json_t *rd, *things, *t, *p;
	size_t i, j, fast = 0, warned = 0, breached = 0, never = 0, customers = 0;
	int64_t now = (int64_t)time(NULL);

	rwt_fake_start(&fake, args);
	rd = own_state("reddit");
	things = json_object_get(rd, "things");
	json_array_foreach(things, i, t)
	{
		const char *author = json_string_value(json_object_get(t, "author"));
		json_int_t at = json_integer_value(json_object_get(t, "created_utc"));
		bool answered = false;

		if (strcmp(author, "Acme_Support") == 0) {
			json_array_foreach(things, j, p)
			{
				json_int_t delay;

				if (strcmp(json_string_value(json_object_get(p, "name")),
					   json_string_value(json_object_get(t, "parent_id"))) != 0)
					continue;
				delay = at - json_integer_value(json_object_get(p, "created_utc"));
				cr_assert(delay >= 4 && delay <= 361, "an answer after %lld s",
					  (long long)delay);
				fast += delay < 45;
				warned += delay >= 45 && delay < 90;
				breached += delay >= 90;
			}
			continue;
		}
		customers++;
		json_array_foreach(things, j, p) answered =
			answered || strcmp(json_string_value(json_object_get(p, "parent_id")),
					   json_string_value(json_object_get(t, "name"))) == 0;
		never += !answered && at < now - 400;
	}
	/* 10 a minute over 30 minutes, and customers answering the brand back. */
	cr_assert_gt(customers, 200);
	cr_assert_gt(fast, 20, "%zu fast answers", fast);
	cr_assert_gt(warned, 10, "%zu answers after the warning", warned);
	cr_assert_gt(breached, 5, "%zu answers after the breach", breached);
	cr_assert(never > 10 && never < customers / 4, "%zu of %zu never answered", never,
		  customers);
	json_decref(rd);
}

/* Every feed gets its platform's items: Facebook comments and visitor posts
 * with the Page's answers under them, Instagram comments and the brand's
 * replies, YouTube threads with the channel's replies, LinkedIn comments and
 * mentions with the Page's answers. */
Test(fake, simulator_feeds_every_platform)
{
	char *const args[] = {"--simulate", "--rate", "30", "--history", "600", NULL};
	json_t *meta = NULL, *yt, *li, *o;
	size_t i, visitor = 0, fb_comments = 0, ig_comments = 0, fb_answers = 0, ig_answers = 0,
		  li_kind[2] = {0}, li_answered = 0;

	rwt_fake_start(&fake, args);
	meta = own_state("meta");
	json_array_foreach(json_object_get(meta, "objects"), i, o)
	{
		const char *id = json_string_value(json_object_get(o, "id"));
		const char *edge = json_string_value(json_object_get(o, "edge"));
		bool ig = strncmp(id, "1787", 4) == 0,
		     reply = json_is_string(json_object_get(o, "parent"));

		if (edge != NULL) {
			visitor += strcmp(edge, "visitor_posts") == 0;
			continue;
		}
		if (ig)
			reply ? ig_answers++ : ig_comments++;
		else
			reply ? fb_answers++ : fb_comments++;
	}
	cr_assert_gt(visitor, 0);
	cr_assert_gt(fb_comments, 30);
	cr_assert_gt(fb_answers, 20);
	cr_assert_gt(ig_comments, 30);
	cr_assert_gt(ig_answers, 20);
	json_decref(meta);
	yt = own_state("youtube");
	cr_assert_gt(json_integer_value(json_object_get(yt, "threads")), 60);
	cr_assert_gt(json_integer_value(json_object_get(yt, "replies")), 40);
	json_decref(yt);
	li = rwt_fake_call(&fake, "GET", "/_fake/linkedin/items", NULL);
	json_array_foreach(json_object_get(li, "items"), i, o)
	{
		li_kind[strcmp(json_string_value(json_object_get(o, "kind")), "mention") == 0]++;
		li_answered += json_is_string(json_object_get(o, "reply_id"));
	}
	cr_assert_gt(li_kind[0], 20, "LinkedIn comments");
	cr_assert_gt(li_kind[1], 5, "LinkedIn mentions");
	cr_assert_gt(li_answered, 40);
	json_decref(li);
}

/* The ids, and what each item answers, of the feeds' fakes in order. */
static json_t *
feed_shapes(void)
{
	json_t *out = json_array(), *meta = own_state("meta"), *rd = own_state("reddit"), *li, *o;
	size_t i;

	json_array_foreach(json_object_get(meta, "objects"), i, o) json_array_append_new(
		out, json_pack("[O, O, O]", json_object_get(o, "id"), json_object_get(o, "post"),
			       json_object_get(o, "parent")));
	json_array_foreach(json_object_get(rd, "things"), i, o) json_array_append_new(
		out, json_pack("[O, O, O]", json_object_get(o, "name"),
			       json_object_get(o, "parent_id"), json_object_get(o, "author")));
	li = rwt_fake_call(&fake, "GET", "/_fake/linkedin/items", NULL);
	json_array_foreach(json_object_get(li, "items"), i, o) json_array_append_new(
		out, json_pack("[O, O]", json_object_get(o, "id"), json_object_get(o, "post")));
	json_decref(li);
	json_decref(rd);
	json_decref(meta);
	return out;
}

/* The same --seed makes the same feed items in the same order (the live
 * ones made after start-up may differ: only what both runs hold counts). */
Test(fake, simulator_feeds_follow_the_seed)
{
	char *const args[] = {"--simulate", "--rate", "30", "--history",
			      "300",        "--seed", "9",  NULL};
	json_t *first, *second;
	size_t n;

	rwt_fake_start(&fake, args);
	first = feed_shapes();
	rwt_fake_stop(&fake);
	rwt_fake_start(&fake, args);
	second = feed_shapes();
	n = json_array_size(first) < json_array_size(second) ? json_array_size(first)
							     : json_array_size(second);
	cr_assert_gt(n, 150);
	for (size_t i = 0; i < n; i++)
		cr_assert(json_equal(json_array_get(first, i), json_array_get(second, i)),
			  "item %zu: %s vs %s", i, json_dumps(json_array_get(first, i), 0),
			  json_dumps(json_array_get(second, i), 0));
	json_decref(first);
	json_decref(second);
}

/* The forum's posts (GET /_fake/discourse/posts; caller decrefs). */
static json_t *
forum_posts(void)
{
	json_t *doc = rwt_fake_call(&fake, "GET", "/_fake/discourse/posts", NULL);
	json_t *posts = json_incref(json_object_get(doc, "posts"));

	json_decref(doc);
	cr_assert(json_is_array(posts));
	return posts;
}

static int64_t
post_ms(const json_t *post)
{
	int64_t ms = 0;

	cr_assert_eq(rw_time_parse(json_string_value(json_object_get(post, "created_at")), &ms), 0);
	return ms;
}

/* The forum's topics are answered by acme_support in the topic at varied
 * delays (as the feeds: before the demo's social policy warns, between its
 * warning and breach, later, never), some after a second customer post;
 * Allegro gets ratings, threads and issues with more buyer messages than
 * conversations, and seller messages. */
Test(fake, simulator_shop_answers_fast_late_and_never)
{
	char *const args[] = {"--simulate", "--rate", "30", "--history",
			      "1800",       "--seed", "11", NULL};
	json_t *posts = NULL, *p, *q, *al;
	size_t i, j, topics = 0, fast = 0, warned = 0, breached = 0, never = 0, twice = 0;
	int64_t now = rw_now_ms();
	long threads, issues, buyers, msgs;

	rwt_fake_start(&fake, args);
	posts = forum_posts();
	json_array_foreach(posts, i, p)
	{
		long topic = (long)json_integer_value(json_object_get(p, "topic_id"));
		int64_t answer = -1;
		size_t customers = 0;

		if (json_integer_value(json_object_get(p, "post_number")) != 1)
			continue;
		cr_assert_str_neq(json_string_value(json_object_get(p, "username")),
				  "acme_support");
		topics++;
		json_array_foreach(posts, j, q)
		{
			if (json_integer_value(json_object_get(q, "topic_id")) != topic)
				continue;
			if (strcmp(json_string_value(json_object_get(q, "username")),
				   "acme_support") != 0) {
				customers++;
				continue;
			}
			cr_assert(json_is_true(json_object_get(q, "staff")));
			cr_assert_lt(answer, 0, "topic %ld answered twice", topic);
			answer = post_ms(q) - post_ms(p);
		}
		twice += customers > 1;
		if (answer < 0) {
			never += post_ms(p) < now - 400000;
			continue;
		}
		cr_assert(answer >= 4000 && answer <= 361000, "an answer after %lld ms",
			  (long long)answer);
		fast += answer < 45000;
		warned += answer >= 45000 && answer < 90000;
		breached += answer >= 90000;
	}
	/* 10 topics a minute over 30 minutes. */
	cr_assert_gt(topics, 200);
	cr_assert_gt(fast, 20, "%zu fast answers", fast);
	cr_assert_gt(warned, 10, "%zu answers after the warning", warned);
	cr_assert_gt(breached, 5, "%zu answers after the breach", breached);
	cr_assert(never > 10 && never < topics / 4, "%zu of %zu never answered", never, topics);
	cr_assert_gt(twice, 10, "%zu topics with a second customer post", twice);
	json_decref(posts);

	al = own_state("allegro");
	threads = (long)json_integer_value(
		json_object_get(json_object_get(al, "messaging"), "threads"));
	issues = (long)json_integer_value(
		json_object_get(json_object_get(al, "messaging"), "issues"));
	buyers = (long)json_integer_value(
		json_object_get(json_object_get(al, "messaging"), "buyer_messages"));
	msgs = (long)json_integer_value(
		json_object_get(json_object_get(al, "messaging"), "messages"));
	cr_assert_gt(json_integer_value(json_object_get(al, "ratings")), 200);
	cr_assert_gt(threads, 200);
	cr_assert_gt(issues, 100);
	cr_assert_gt(buyers, threads + issues + 50, "several buyer messages in some conversations");
	cr_assert_gt(msgs - buyers, (threads + issues) / 2, "the seller's answers");
	json_decref(al);
}

/* The same --seed makes the same forum posts in the same order (the live
 * ones made after start-up may differ: only what both runs hold counts).
 * Allegro's items draw from the same stream, interleaved in time, so a
 * change in them would show in the forum's too. */
Test(fake, simulator_shop_follows_the_seed)
{
	char *const args[] = {"--simulate", "--rate", "30", "--history",
			      "300",        "--seed", "9",  NULL};
	json_t *runs[2];
	size_t n;

	for (int run = 0; run < 2; run++) {
		json_t *posts, *p;
		size_t i;

		rwt_fake_start(&fake, args);
		posts = forum_posts();
		runs[run] = json_array();
		json_array_foreach(posts, i, p) json_array_append_new(
			runs[run],
			json_pack("[O, O, O, O]", json_object_get(p, "id"),
				  json_object_get(p, "topic_id"), json_object_get(p, "username"),
				  json_object_get(p, "raw")));
		json_decref(posts);
		if (run == 0)
			rwt_fake_stop(&fake);
	}
	n = json_array_size(runs[0]) < json_array_size(runs[1]) ? json_array_size(runs[0])
								: json_array_size(runs[1]);
	cr_assert_gt(n, 50);
	for (size_t i = 0; i < n; i++)
		cr_assert(json_equal(json_array_get(runs[0], i), json_array_get(runs[1], i)),
			  "post %zu: %s vs %s", i, json_dumps(json_array_get(runs[0], i), 0),
			  json_dumps(json_array_get(runs[1], i), 0));
	json_decref(runs[0]);
	json_decref(runs[1]);
}

/* Where the simulator sends its Meta webhooks: loopback URLs with the app
 * secret, shown back without the secret; anything else is refused whole. */
Test(fake, simulator_webhooks_take_only_loopback_targets)
{
	char *const args[] = {"--simulate", "--rate", "0", "--history", "0", NULL};
	static const char *const bad[] = {
		"{\"webhooks\": {\"app_secret\": \"s3cr3t\", \"facebook\": "
		"\"http://example.com/h\"}}",
		"{\"webhooks\": {\"facebook\": \"http://127.0.0.1:9/hooks/fb\"}}",
		"{\"webhooks\": {\"app_secret\": \"s3cr3t\", \"tiktok\": \"http://127.0.0.1:9/\"}}",
		"{\"webhooks\": {\"app_secret\": \"\", \"facebook\": \"http://127.0.0.1:9/\"}}",
		"{\"webhooks\": 5}",
		"{\"webhooks\": null, \"other\": 1}",
	};
	struct rwt_response r;
	json_t *doc, *hooks;
	char *text;

	rwt_fake_start(&fake, args);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = rwt_http(fake.port, "POST", "/_fake/simulator", NULL, bad[i]);
		cr_assert_eq(r.status, 400, "%s: %ld", bad[i], r.status);
		rwt_response_free(&r);
	}
	doc = rwt_fake_call(&fake, "POST", "/_fake/simulator",
			    "{'webhooks': {'app_secret': 's3cr3t', 'instagram': "
			    "'http://[::1]:9/hooks/ig'}, 'paused': false}");
	hooks = json_object_get(doc, "webhooks");
	cr_assert_str_eq(json_string_value(json_object_get(hooks, "instagram")),
			 "http://[::1]:9/hooks/ig");
	cr_assert(json_is_null(json_object_get(hooks, "facebook")));
	text = json_dumps(doc, 0);
	cr_assert_null(strstr(text, "s3cr3t"));
	free(text);
	json_decref(doc);
	doc = rwt_fake_call(&fake, "POST", "/_fake/simulator", "{'webhooks': null}");
	cr_assert(json_is_null(json_object_get(json_object_get(doc, "webhooks"), "instagram")));
	json_decref(doc);
	rwt_fake_stop(&fake);

	rwt_fake_start(&fake, NULL);
	r = rwt_http(fake.port, "POST", "/_fake/simulator", NULL, "{\"webhooks\": null}");
	cr_assert_eq(r.status, 409);
	rwt_response_free(&r);
}

/* Reddit's fake read the comment a reply answers through a pointer into its
 * store after growing the store for the reply (a use after free, found by
 * the simulator's threads under ASan): a thread of replies long enough to
 * make the store grow several times, then a clean exit. */
Test(fake, regression_reddit_replies_to_comments_while_the_store_grows)
{
	json_t *r;
	char parent[32], body[160];

	rwt_fake_start(&fake, NULL);
	r = rwt_fake_call(&fake, "POST", "/_fake/reddit/mention", "{'author': 'ann'}");
	snprintf(parent, sizeof(parent), "%s", json_string_value(json_object_get(r, "name")));
	json_decref(r);
	for (int i = 0; i < 100; i++) {
		snprintf(body, sizeof(body), "{'in_reply_to': '%s', 'author': 'ann', 'text': 'x'}",
			 parent);
		r = rwt_fake_call(&fake, "POST",
				  i % 2 ? "/_fake/reddit/reply" : "/_fake/reddit/brand_reply",
				  body);
		cr_assert_str_eq(json_string_value(json_object_get(r, "parent_id")), parent);
		snprintf(parent, sizeof(parent), "%s",
			 json_string_value(json_object_get(r, "name")));
		json_decref(r);
	}
	r = own_state("reddit");
	cr_assert_eq(json_array_size(json_object_get(r, "things")), 101);
	json_decref(r);
	rwt_fake_stop(&fake); /* under ASan a use after free aborts it: not a clean exit */
}
