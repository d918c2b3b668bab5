/*
 * What every connector shares, shown through one platform or all three
 * (rwtconn.h): failures, backoff, down and up, rate limits and clamped
 * waits, walks that make no progress, cursors kept across restarts or
 * refused, item times capped at arrival, error texts cut on characters, and
 * platform fields reaching policies.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/clock.h"
#include "rwtconn.h"

TestSuite(connectors, .init = rwc_setup, .fini = rwc_teardown, .timeout = 120);

/*
 * Regression: a platform that gives the same page again (the same token, or
 * a page that ignores max_id) made the daemon re-ask it 30–50 times a
 * second, forever, while the source showed ok. Now the walk stops, the
 * poll ends failing (no_progress, the endpoint named), backoff spaces the
 * retries, the source goes down after down_after and comes back when the
 * platform pages again.
 */
static void
stuck_walk(const char *platform, const char *source, const char *endpoint)
{
	char cfg[64], polls[160], needle[128];
	int64_t now = rw_now_ms();

	snprintf(cfg, sizeof(cfg), "/_fake/%s/config", platform);
	json_decref(rwt_fake_call(&rwc.fake, "POST", cfg,
				  "{'page_limit_max': 3, 'ignore_paging': true}"));
	for (int i = 0; i < 8; i++)
		free(rwc_add_mention(platform, i % 2 ? "ann.example.com" : "bob.example.com",
				     now - 20 * 60 * 1000 + i * 1000, NULL));
	rwc_start(platform, ", \"down_after\": \"2s\"");
	rwc_clock_steps(10); /* Backoff between stuck polls passes on the daemon's clock. */
	snprintf(polls, sizeof(polls),
		 "replywatch_source_polls_total{source=\"%s\",result=\"no_progress\"}", source);
	rwc_wait_metric(polls, 3, 15);
	/* Two requests per stuck poll (the page, and the same page again):
	 * never a storm. */
	json_t *reqs = rwt_fake_requests(&rwc.fake, platform, endpoint);
	size_t asked = json_array_size(reqs);
	double stuck = rwc_metric_value(polls);

	json_decref(reqs);
	cr_assert_leq((double)asked, 2 * stuck + 2, "%zu requests for %g stuck polls", asked,
		      stuck);
	snprintf(needle, sizeof(needle), "%s: %s: the walk made no progress", source, endpoint);
	cr_assert(rwt_daemon_log_contains(&rwc.daemon, needle), "%s", rwt_daemon_log(&rwc.daemon));

	json_t *s = rwc_source_status(source);
	const char *state = json_string_value(json_object_get(s, "state"));
	const char *err = json_string_value(json_object_get(s, "last_error"));

	cr_assert(state && (strcmp(state, "failing") == 0 || strcmp(state, "down") == 0), "%s",
		  state);
	cr_assert(err && strstr(err, endpoint) && strstr(err, "no progress"), "%s",
		  err ? err : "null");
	json_decref(s);
	struct rwc_event_wait down = {"source_down", 1}, up = {"source_up", 1};

	cr_assert(rwc_wait(rwc_events_reached, &down, 15), "no source_down event");
	json_decref(rwt_fake_call(&rwc.fake, "POST", cfg, "{'ignore_paging': false}"));
	cr_assert(rwc_wait(rwc_events_reached, &up, 30), "no source_up event");
	rwc_wait_source(source, "mentions_seen", NULL, 8, 10);
	rwc_wait_source(source, "state", "ok", 0, 5);
}

/* A 429 with a reset: the source is rate_limited and the endpoint is not
 * called again before the reset. */
Test(connectors, rate_limit_waits_for_reset)
{
	rwc_start("mastodon", "");
	rwc_wait_source("masto", "state", "ok", 0, 10);
	rwc_fault("mastodon", "{'endpoint': 'notifications', 'kind': '429', 'reset_in': 3}");
	rwc_wait_source("masto", "state", "rate_limited", 0, 5);

	json_t *s = rwc_source_status("masto");
	const char *reset =
		json_string_value(json_object_get(json_object_get(s, "rate_limit"), "reset_at"));
	int64_t reset_ms = 0;

	cr_assert_not_null(reset, "no rate_limit.reset_at in /status");
	cr_assert_eq(rw_time_parse(reset, &reset_ms), 0);
	cr_assert_eq(
		json_integer_value(json_object_get(json_object_get(s, "rate_limit"), "remaining")),
		0);
	json_decref(s);
	rwc_wait_source("masto", "state", "ok", 0, 10);

	/* No request between the 429 and the reset. */
	json_t *reqs = rwt_fake_requests(&rwc.fake, "mastodon", "notifications"), *r;
	size_t i;
	int64_t limited_at = 0;

	json_array_foreach(reqs, i, r)
	{
		int64_t at;

		cr_assert_eq(rw_time_parse(json_string_value(json_object_get(r, "at")), &at), 0);
		if (json_integer_value(json_object_get(r, "status")) == 429)
			limited_at = at;
		else if (limited_at && at > limited_at)
			cr_assert_geq(at, reset_ms - 1000, "called %lld ms before the reset",
				      (long long)(reset_ms - at));
	}
	cr_assert_gt(limited_at, 0);
	json_decref(reqs);
}

/* 5xx and garbage: failing, counted, retried; after down_after the source
 * is down (one source_down event), and its recovery raises source_up. */
Test(connectors, failures_down_and_up)
{
	rwc_start("x", ", \"down_after\": \"2s\"");
	rwc_clock_steps(5); /* Backoff passes on the daemon's clock. */
	rwc_wait_source("xsrc", "state", "ok", 0, 10);
	rwc_fault("x", "{'endpoint': 'mentions', 'kind': 'garbage'}");
	cr_assert(rwc_wait(rwc_metrics_contain,
			   "replywatch_source_polls_total{source=\"xsrc\",result=\"malformed\"} 1",
			   10));
	cr_assert(rwt_daemon_log_contains(&rwc.daemon, "malformed answer from mentions"));
	rwc_wait_source("xsrc", "state", "ok", 0, 10);

	rwc_fault("x", "{'endpoint': 'mentions', 'kind': '503', 'count': 4}");
	rwc_wait_source("xsrc", "state", "failing", 0, 5);
	struct rwc_event_wait down = {"source_down", 1}, up = {"source_up", 1};

	cr_assert(rwc_wait(rwc_events_reached, &down, 20), "no source_down event");
	cr_assert(rwc_wait(rwc_events_reached, &up, 30), "no source_up event");
	cr_assert_eq(rwc_count_events("source_down"), 1);
	rwc_wait_source("xsrc", "state", "ok", 0, 5);
	cr_assert(rwc_metrics_contain(
		"replywatch_source_polls_total{source=\"xsrc\",result=\"server_error\"} 4"));
}

/* A restart goes on from the saved cursors: no backfill walk again, and
 * what arrived meanwhile is tracked. */
Test(connectors, restart_resumes_from_cursor)
{
	char *before = rwc_add_mention("mastodon", "ann", rw_now_ms() - 60000, NULL);

	rwc_start("mastodon", "");
	rwc_wait_state("masto", before, "open", 10);
	rwt_daemon_stop_clean(&rwc.daemon);
	rwt_daemon_cleanup(&rwc.daemon);
	int64_t restarted = rw_now_ms();
	char *during = rwc_add_mention("mastodon", "bob", rw_now_ms(), NULL);

	rwc_start("mastodon", "");
	rwc_wait_state("masto", during, "open", 10);

	/* Every request after the restart is incremental. */
	json_t *reqs = rwt_fake_requests(&rwc.fake, "mastodon", "notifications"), *r;
	size_t i, after = 0;

	json_array_foreach(reqs, i, r)
	{
		const char *q = json_string_value(json_object_get(r, "query"));
		int64_t at;

		cr_assert_eq(rw_time_parse(json_string_value(json_object_get(r, "at")), &at), 0);
		if (at < restarted)
			continue;
		after++;
		cr_assert(strstr(q, "since_id="), "a poll after the restart: %s", q);
	}
	cr_assert_gt(after, 0);
	json_decref(reqs);
	rwc_wait_source("masto", "mentions_seen", NULL, 2, 5);
	cr_assert_eq(rwc_mentions_seen("masto"), 2);
	free(before);
	free(during);
}

/* What the platforms say about a mention reaches the policy and the
 * display: X follower counts pick the "vip" policy, Mastodon's HTML
 * becomes text, and a reply to the brand's own post is a comment. */
Test(connectors, platform_fields_reach_policies_and_display)
{
	char buf[256];
	char *famous = rwc_add_mention("x", "famous", rw_now_ms(), ", 'followers': 250000");
	char *plain = rwc_add_mention("x", "plain", rw_now_ms(), ", 'followers': 12");
	json_t *post = rwt_fake_call(&rwc.fake, "POST", "/_fake/mastodon/post",
				     "{'text': 'Our new store opens today'}");
	char *toot = rwc_add_mention("mastodon", "ann", rw_now_ms(), ", 'text': 'Fish & chips <3'");
	char reply_extra[200];

	snprintf(reply_extra, sizeof(reply_extra), ", 'in_reply_to': '%s'",
		 json_string_value(json_object_get(post, "id")));
	char *comment = rwc_add_mention("mastodon", "bob", rw_now_ms(), reply_extra);

	rwc_start("x mastodon", "");
	rwc_wait_state("xsrc", famous, "open", 10);
	rwc_wait_state("xsrc", plain, "open", 10);
	rwc_wait_state("masto", toot, "open", 10);
	rwc_wait_state("masto", comment, "open", 10);
	cr_assert_str_eq(rwc_field_of("xsrc", famous, "policy", buf, sizeof(buf)), "vip");
	cr_assert_str_eq(rwc_field_of("xsrc", plain, "policy", buf, sizeof(buf)), "social");
	cr_assert_str_eq(rwc_field_of("xsrc", famous, "author", buf, sizeof(buf)), "famous");
	cr_assert(strstr(rwc_field_of("xsrc", famous, "url", buf, sizeof(buf)), "/famous/status/"),
		  "%s", buf);
	cr_assert_str_eq(rwc_field_of("masto", toot, "text", buf, sizeof(buf)),
			 "@acme Fish & chips <3");
	cr_assert_str_eq(rwc_field_of("masto", toot, "kind", buf, sizeof(buf)), "mention");
	cr_assert_str_eq(rwc_field_of("masto", comment, "kind", buf, sizeof(buf)), "comment");
	json_decref(post);
	free(famous);
	free(plain);
	free(toot);
	free(comment);
}

Test(connectors, regression_x_same_page_token_is_no_progress)
{
	stuck_walk("x", "xsrc", "mentions");
}

Test(connectors, regression_bluesky_same_cursor_is_no_progress)
{
	stuck_walk("bluesky", "sky", "listNotifications");
}

Test(connectors, regression_mastodon_ignored_max_id_is_no_progress)
{
	stuck_walk("mastodon", "masto", "notifications");
}

/*
 * Regression: a stored cursor the platform refuses (400/422 on since_id)
 * failed every poll forever. Now it is dropped and the walk falls back to
 * the time watermark: the source stays ok and keeps tracking.
 */
Test(connectors, regression_refused_cursor_falls_back_to_time)
{
	char *first = rwc_add_mention("mastodon", "ann", rw_now_ms() - 60000, NULL);

	rwc_start("mastodon", "");
	rwc_clock_steps(2); /* Polls come as fast as the daemon answers. */
	rwc_wait_state("masto", first, "open", 10);
	/* From now on every request with a since_id is refused. */
	rwc_script("mastodon", "notifications",
		   json_pack("{s:i, s:s, s:s, s:i}", "status", 422, "body",
			     "{\"error\":\"Validation failed: since_id is invalid\"}", "param",
			     "since_id", "count", 1000));
	int64_t refused_at = rw_now_ms();
	char *second = rwc_add_mention("mastodon", "bob", rw_now_ms(), NULL);

	rwc_wait_state("masto", second, "open", 10);
	cr_assert(rwt_daemon_log_contains(&rwc.daemon, "refused the stored cursor"));
	rwc_wait_metric("replywatch_source_polls_total{source=\"masto\",result=\"ok\"}", 4, 10);
	cr_assert_eq(rwc_metric_value("replywatch_source_polls_total{source=\"masto\",result=\""
				      "client_error\"}"),
		     0);
	rwc_wait_source("masto", "state", "ok", 0, 1);
	/* The fallback asked without the refused cursor. */
	json_t *reqs = rwt_fake_requests(&rwc.fake, "mastodon", "notifications"), *r;
	size_t i, fallback = 0;

	json_array_foreach(reqs, i, r)
	{
		int64_t at;

		rw_time_parse(json_string_value(json_object_get(r, "at")), &at);
		if (at >= refused_at &&
		    !strstr(json_string_value(json_object_get(r, "query")), "since_id="))
			fallback++;
	}
	cr_assert_gt(fallback, 0);
	json_decref(reqs);
	free(first);
	free(second);
}

/*
 * Regression: an item's time came from the poster's clock. A mention dated
 * 10 minutes ahead delayed its warning and breach by 10 minutes, and a real
 * answer to it was recorded as given in 0 s; a reply dated an hour ahead
 * made a response time an hour too long. Now no time is later than the
 * answer that brought it.
 */
Test(connectors, regression_future_dated_items_are_capped_at_arrival)
{
	rwc_start("mastodon", "");
	rwc_wait_source("masto", "state", "ok", 0, 10);
	int64_t before = rw_now_ms();
	char *ahead = rwc_add_mention("mastodon", "fast", before + 10 * 60 * 1000, NULL);

	rwc_wait_state("masto", ahead, "open", 10);
	int64_t found = rw_now_ms();

	cr_assert_leq(rwc_time_field("masto", ahead, "created_at"), found);
	cr_assert_geq(rwc_time_field("masto", ahead, "created_at"), before - 1000);
	cr_assert_leq(rwc_time_field("masto", ahead, "warn_at"), found + 2 * 3600 * 1000);
	cr_assert_leq(rwc_time_field("masto", ahead, "breach_at"), found + 3 * 3600 * 1000);
	/* A real answer, after it was found: a real response time, not 0 s. */
	rwc_add_reply("mastodon", ahead, rw_now_ms() + 1);
	rwc_wait_state("masto", ahead, "replied", 10);
	cr_assert_gt(rwc_response_seconds("masto", ahead), 0);
	cr_assert_lt(rwc_response_seconds("masto", ahead), 30);

	/* A reply dated an hour ahead counts from when it was found. */
	char *asked = rwc_add_mention("mastodon", "slow", rw_now_ms() - 60 * 1000, NULL);

	rwc_wait_state("masto", asked, "open", 10);
	rwc_add_reply("mastodon", asked, rw_now_ms() + 3600 * 1000);
	rwc_wait_state("masto", asked, "replied", 10);
	cr_assert_geq(rwc_response_seconds("masto", asked), 59);
	cr_assert_lt(rwc_response_seconds("masto", asked), 90);
	free(ahead);
	free(asked);
}

/*
 * Regression: "Retry-After: 999999999" parked a source for 31 years, never
 * counted as down. The wait is clamped to the ceiling (1 h), and a source
 * that stays rate-limited past down_after goes down with a source_down
 * event like any other failure.
 */
Test(connectors, regression_absurd_retry_after_is_clamped_and_goes_down)
{
	rwc_start("x", ", \"down_after\": \"2s\"");
	rwc_wait_source("xsrc", "state", "ok", 0, 10);
	rwc_script("x", "mentions",
		   json_pack("{s:i, s:s, s:s}", "status", 429, "body",
			     "{\"title\":\"Too Many Requests\",\"detail\":\"Too Many Requests\"}",
			     "header", "Retry-After: 999999999"));
	struct rwc_event_wait down = {"source_down", 1};

	cr_assert(rwc_wait(rwc_events_reached, &down, 10), "no source_down event");
	json_t *s = rwc_source_status("xsrc");
	const char *next = json_string_value(json_object_get(s, "next_poll_at"));
	int64_t next_ms = 0;

	cr_assert_str_eq(json_string_value(json_object_get(s, "state")), "down");
	cr_assert_not_null(next);
	cr_assert_eq(rw_time_parse(next, &next_ms), 0);
	cr_assert_leq(next_ms, rw_now_ms() + 3601 * 1000, "next poll at %s", next);
	cr_assert_geq(next_ms, rw_now_ms() + 3500 * 1000, "next poll at %s", next);
	json_decref(s);
}

/*
 * Regression: a platform's error message cut at a byte limit inside a
 * UTF-8 character made Jansson refuse last_error: /status lost the source
 * and the source_down event was never written. The cut is on a character
 * boundary; the event carries the message.
 */
Test(connectors, regression_error_cut_inside_utf8_still_recorded)
{
	char detail[700] = "a";
	json_t *doc, *e;
	size_t i;
	bool found = false;

	for (size_t n = 1; n + 2 < sizeof(detail) - 1; n += 2)
		memcpy(detail + n, "\xc5\x82", 2); /* "ł" */
	detail[sizeof(detail) - 2] = '\0';
	rwc_start("x", ", \"down_after\": \"1s\"");
	rwc_clock_steps(5); /* Backoff passes on the daemon's clock. */
	rwc_wait_source("xsrc", "state", "ok", 0, 10);
	json_t *problem = json_pack("{s:s}", "detail", detail);
	char *body = json_dumps(problem, JSON_COMPACT | JSON_ENSURE_ASCII);

	rwc_script("x", "mentions",
		   json_pack("{s:i, s:s, s:i}", "status", 503, "body", body, "count", 1000));
	free(body);
	json_decref(problem);
	struct rwc_event_wait down = {"source_down", 1};

	cr_assert(rwc_wait(rwc_events_reached, &down, 15), "no source_down event");
	doc = rwc_get_json("/events?limit=1000");
	json_array_foreach(json_object_get(doc, "events"), i, e)
	{
		const char *err = json_string_value(
			json_object_get(json_object_get(e, "source"), "last_error"));

		if (strcmp(json_string_value(json_object_get(e, "type")), "source_down") == 0) {
			cr_assert(err && strstr(err, "HTTP 503: a\xc5\x82\xc5\x82"), "%s",
				  err ? err : "null");
			found = true;
		}
	}
	cr_assert(found);
	json_decref(doc);
	json_t *s = rwc_source_status("xsrc");
	const char *err = json_string_value(json_object_get(s, "last_error"));

	cr_assert_str_eq(json_string_value(json_object_get(s, "state")), "down");
	cr_assert(err && strstr(err, "\xc5\x82"), "%s", err ? err : "null");
	json_decref(s);
	/* Recorded the first time: no write of the event failed. */
	cr_assert_eq(
		rwc_metric_value("replywatch_source_event_write_failures_total{source=\"xsrc\"}"),
		0);
}
