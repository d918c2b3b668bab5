/*
 * The YouTube connector end to end: the real daemon polls the fake YouTube
 * Data API (tests/fakes/fake_youtube.c) over loopback and tracks comments
 * in a real redis-server. Backfill over two pages with the brand's inline
 * replies at their exact publishedAt, a brand reply beyond the replies a
 * thread carries inline (found through comments.list), the day's quota
 * counted in /status and a 403 quotaExceeded that waits until midnight
 * Pacific time (on the test clock), a rejected API key (down, never
 * logged), a restart that resumes without doubles, and the day's units
 * kept over a restart.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/clock.h"
#include "rwtest.h"
#include "rwtsrc.h"

#define SOURCE "yt"
#define API_KEY "youtube-test-key"
#define CHANNEL "UCacmeBrandChannel0000AA"
#define VIDEO "acmeVideo01"
#define MINUTE_MS (60 * 1000LL)
#define ID_LEN 64

static struct rwt_stack stack;
static const struct rwt_src src = {&stack.daemon, SOURCE};

static void
setup(void)
{
	rwt_stack_up(&stack, true);
	rwt_fake_unlimit(&stack.fake, "youtube");
}

static void
teardown(void)
{
	rwt_stack_down(&stack);
}

TestSuite(youtube, .init = setup, .fini = teardown, .timeout = 120);

/* One youtube source; extra: more of its keys (", 'k': 'v'" with " quotes) or "". */
static void
start_daemon_with(const char *api_key, const char *poll_every, const char *extra)
{
	char *top;

	cr_assert(
		asprintf(&top,
			 ",\n \"retention\": { \"backfill\": \"30d\" },\n"
			 " \"policies\": [ { \"name\": \"social\", \"breach_after\": \"48h\" } ],\n"
			 " \"sources\": [ { \"name\": \"" SOURCE "\", \"type\": \"youtube\","
			 " \"base_url\": \"%s\", \"channel_id\": \"" CHANNEL "\","
			 " \"api_key\": \"%s\", \"poll_every\": \"%s\"%s } ]",
			 stack.fake.base, api_key, poll_every, extra) > 0);
	rwt_stack_start(&stack, top);
	free(top);
}

static void
start_daemon(const char *api_key, const char *poll_every)
{
	start_daemon_with(api_key, poll_every, "");
}

/* A comment on the fake at ms (' for " in extra fields); its id into id. */
static void
add_comment(const char *extra, int64_t ms, char *id)
{
	char at[40], *body;
	json_t *r;

	rw_time_format(ms, at, sizeof(at));
	cr_assert(asprintf(&body, "{%s%s'text': 'Help please', 'at': '%s'}", extra,
			   *extra ? ", " : "", at) > 0);
	r = rwt_fake_call(&stack.fake, "POST", "/_fake/youtube/comment", body);
	snprintf(id, ID_LEN, "%s", json_string_value(json_object_get(r, "id")));
	cr_assert(id[0] != '\0');
	json_decref(r);
	free(body);
}

/* A reply to thread at ms, by the brand or another viewer. */
static void
add_reply(const char *thread, bool brand, int64_t ms)
{
	char at[40], *body;

	rw_time_format(ms, at, sizeof(at));
	cr_assert(asprintf(&body, "{'thread': '%s', 'brand': %s, 'text': 'Reply', 'at': '%s'}",
			   thread, brand ? "true" : "false", at) > 0);
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/youtube/reply", body));
	free(body);
}

/* Requests to endpoint (NULL: any) whose query holds needle (NULL: any). */
static size_t
count_requests(const char *endpoint, const char *needle)
{
	json_t *list = rwt_fake_requests(&stack.fake, "youtube", endpoint), *r;
	size_t i, n = 0;

	json_array_foreach(list, i, r)
	{
		if (needle == NULL ||
		    strstr(json_string_value(json_object_get(r, "query")), needle))
			n++;
	}
	json_decref(list);
	return n;
}

/* 150 comments, one every 10 minutes back from a minute ago: two pages of
 * 100 threads. Every tenth is answered inline by the brand 30 minutes (and
 * 250 ms) after it was written. */
#define BACKLOG 150
static char ids[BACKLOG][ID_LEN];

static void
add_backlog(int64_t now)
{
	for (int i = 0; i < BACKLOG; i++) {
		int64_t at = now - MINUTE_MS - (int64_t)(BACKLOG - 1 - i) * 10 * MINUTE_MS;

		add_comment("", at, ids[i]);
		if (i % 10 == 5)
			add_reply(ids[i], true, at + 30 * MINUTE_MS + 250);
	}
}

Test(youtube, backfill_two_pages_with_inline_replies)
{
	char url[160], *status;
	json_t *m, *s, *log, *r;
	size_t i;

	add_backlog(rw_now_ms());
	start_daemon(API_KEY, "1s");
	rwt_src_wait_tracked(&src, BACKLOG, 20.0);

	m = rwt_src_mention(&src, ids[149]);
	cr_assert_str_eq(json_string_value(json_object_get(m, "kind")), "comment");
	cr_assert_str_eq(json_string_value(json_object_get(m, "author")), "@fan");
	cr_assert_str_eq(json_string_value(json_object_get(m, "text")), "Help please");
	cr_assert_str_eq(json_string_value(json_object_get(m, "conversation_id")), VIDEO);
	snprintf(url, sizeof(url), "https://www.youtube.com/watch?v=" VIDEO "&lc=%s", ids[149]);
	cr_assert_str_eq(json_string_value(json_object_get(m, "url")), url);
	cr_assert_str_eq(json_string_value(json_object_get(m, "state")), "open");
	json_decref(m);

	/* ids[5] is on page 2 and was answered inline: at the reply's time. */
	rwt_src_wait_state(&src, ids[5], "replied", 10.0);
	m = rwt_src_mention(&src, ids[5]);
	cr_assert_eq(json_number_value(json_object_get(m, "response_seconds")), 30 * 60 + 0.25,
		     "%s", json_dumps(m, 0));
	json_decref(m);

	cr_assert_geq(count_requests("commentThreads", "pageToken="), 1);
	cr_assert_geq(count_requests("commentThreads", "allThreadsRelatedToChannelId=" CHANNEL), 2);
	/* The key went in the X-Goog-Api-Key header, never in a URL. */
	cr_assert_eq(count_requests(NULL, "key="), 0);
	log = rwt_fake_requests(&stack.fake, "youtube", NULL);
	json_array_foreach(log, i, r)
		cr_assert_str_eq(json_string_value(json_object_get(r, "auth")), "ok");
	json_decref(log);

	/* The day's quota is counted under one entry in /status. */
	s = rwt_src_status(&src);
	status = json_dumps(s, 0);
	json_t *q = json_object_get(json_object_get(json_object_get(s, "rate_limit"), "endpoints"),
				    "daily quota");
	cr_assert_not_null(q, "%s", status);
	cr_assert_eq(json_integer_value(json_object_get(q, "limit")), 10000);
	cr_assert_leq(json_integer_value(json_object_get(q, "remaining")),
		      10000 - (json_int_t)json_array_size(log), "%s", status);
	free(status);
	json_decref(s);
}

/* The brand's reply is the 7th of a thread that carries 5 inline: it is
 * found by reading the thread's replies, at its exact time. */
Test(youtube, reply_beyond_inline_replies)
{
	int64_t now = rw_now_ms(), asked = now - 20 * MINUTE_MS;
	char id[ID_LEN], at[40];
	json_t *m;

	add_comment("'author': 'UCasker000000000000000AA', 'name': '@asker'", asked, id);
	for (int i = 0; i < 6; i++)
		add_reply(id, false, asked + (i + 1) * MINUTE_MS);
	start_daemon(API_KEY, "1s");
	rwt_src_wait_state(&src, id, "open", 10.0);
	add_reply(id, true, now - MINUTE_MS + 7);
	rwt_src_wait_state(&src, id, "replied", 10.0);
	m = rwt_src_mention(&src, id);
	rw_time_format(now - MINUTE_MS + 7, at, sizeof(at));
	cr_assert_str_eq(json_string_value(json_object_get(m, "replied_at")), at, "%s",
			 json_dumps(m, 0));
	cr_assert_str_eq(json_string_value(json_object_get(m, "author")), "@asker");
	json_decref(m);
	cr_assert_geq(count_requests("comments", id), 1);
	/* Others' replies are not items to answer. */
	cr_assert_eq(rwt_src_tracked(&src), 1);
}

/* True once an auto interval was chosen (poll_interval.seconds a number). */
static bool
auto_chosen(void *arg)
{
	json_t *s = rwt_src_status(&src);
	bool ok = json_is_number(json_object_get(json_object_get(s, "poll_interval"), "seconds"));

	(void)arg;
	json_decref(s);
	return ok;
}

/* poll_every "auto": /status shows the day's quota once (the endpoints
 * report no figures of their own) and the interval spread over what is
 * left of it until midnight Pacific. */
Test(youtube, auto_status_shows_the_daily_quota_once)
{
	char id[ID_LEN];
	json_t *s, *rl, *q, *pi;
	const char *why;
	json_int_t remaining;

	add_comment("", rw_now_ms() - MINUTE_MS, id);
	start_daemon(API_KEY, "auto");
	rwt_src_wait_state(&src, id, "open", 10.0);
	cr_assert(rwt_wait(&stack.daemon, auto_chosen, NULL, 10.0), "no auto interval");
	s = rwt_src_status(&src);
	rl = json_object_get(s, "rate_limit");
	cr_assert_eq(json_object_size(json_object_get(rl, "endpoints")), 1, "%s", json_dumps(s, 0));
	q = json_object_get(json_object_get(rl, "endpoints"), "daily quota");
	cr_assert_not_null(q, "%s", json_dumps(s, 0));
	remaining = json_integer_value(json_object_get(q, "remaining"));
	cr_assert_eq(json_integer_value(json_object_get(q, "limit")), 10000, "%s",
		     json_dumps(s, 0));
	cr_assert(remaining > 9900 && remaining < 10000, "%s", json_dumps(s, 0));
	cr_assert_str_eq(json_string_value(json_object_get(q, "reset_at")),
			 json_string_value(json_object_get(rl, "reset_at")));
	pi = json_object_get(s, "poll_interval");
	why = json_string_value(json_object_get(pi, "why"));
	cr_assert_str_eq(json_string_value(json_object_get(pi, "mode")), "auto", "%s",
			 json_dumps(s, 0));
	cr_assert(why != NULL && strstr(why, "calls left until") &&
			  strstr(why, json_string_value(json_object_get(q, "reset_at"))),
		  "%s", json_dumps(s, 0));
	cr_assert_geq(json_real_value(json_object_get(pi, "seconds")), 5.0);
	json_decref(s);
}

/* True when the fake logged more requests than *arg. */
static bool
asked_since(void *arg)
{
	return count_requests(NULL, NULL) > *(size_t *)arg;
}

/* A 403 quotaExceeded: rate limited (not "credentials rejected") until
 * midnight Pacific on the daemon's clock, no request before it, polling
 * again after it. down_after is set past a day: with the default (5 min) a
 * wait that long makes the source down (it is blind), as the next test
 * shows. */
Test(youtube, quota_exceeded_waits_until_pacific_midnight)
{
	char first[ID_LEN], later[ID_LEN];
	int64_t now, reset;
	size_t before;
	json_t *s, *q;

	stack.daemon.test_clock = true;
	add_comment("", rw_now_ms() - MINUTE_MS, first);
	start_daemon_with(API_KEY, "60s", ", \"down_after\": \"30h\"");
	rwt_src_wait_state(&src, first, "open", 10.0);

	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/youtube/quota", "{'used': 10000}"));
	now = rwt_clock_advance(&stack.daemon, 61);
	rwt_src_wait_source_state(&src, "rate_limited", 10.0);
	s = rwt_src_status(&src);
	q = json_object_get(json_object_get(json_object_get(s, "rate_limit"), "endpoints"),
			    "daily quota");
	cr_assert_eq(json_integer_value(json_object_get(q, "remaining")), 0, "%s",
		     json_dumps(s, 0));
	cr_assert_eq(rw_time_parse(json_string_value(json_object_get(q, "reset_at")), &reset), 0);
	/* The next midnight Pacific: 08:00 UTC (PST) or 07:00 UTC (PDT), within a day. */
	cr_assert(reset > now && reset <= now + 24 * 60 * MINUTE_MS, "%s", json_dumps(s, 0));
	cr_assert(reset % (60 * MINUTE_MS) == 0 && (reset / (60 * MINUTE_MS) % 24 == 8 ||
						    reset / (60 * MINUTE_MS) % 24 == 7),
		  "%s", json_dumps(s, 0));
	cr_assert(strstr(json_string_value(json_object_get(s, "last_error")), "quota"), "%s",
		  json_dumps(s, 0));
	json_decref(s);

	/* The platform's day turns over at its midnight: nothing is asked before. */
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/youtube/quota", "{'used': 0}"));
	before = count_requests(NULL, NULL);
	now = rwt_clock_advance(&stack.daemon, (reset - now) / 1000 - 120);
	add_comment("", rw_now_ms(), later);
	for (int i = 0; i < 3; i++)
		rwt_clock_advance(&stack.daemon, 30); /* still before the reset */
	cr_assert_not(rwt_wait_until(asked_since, &before, 1.5), "asked before the reset");
	s = rwt_src_status(&src);
	cr_assert_str_eq(json_string_value(json_object_get(s, "state")), "rate_limited");
	json_decref(s);

	rwt_clock_advance(&stack.daemon, 60);
	rwt_src_wait_state(&src, later, "open", 10.0);
	rwt_src_wait_source_state(&src, "ok", 10.0);
	s = rwt_src_status(&src);
	q = json_object_get(json_object_get(json_object_get(s, "rate_limit"), "endpoints"),
			    "daily quota");
	cr_assert_gt(json_integer_value(json_object_get(q, "remaining")), 9000);
	json_decref(s);
}

/* With the default down_after, a quota spent for the rest of the Pacific
 * day is the source down at once, and says why and until when. */
Test(youtube, regression_quota_spent_past_down_after_is_down_with_its_reason)
{
	char id[ID_LEN];
	json_t *s;

	stack.daemon.test_clock = true;
	add_comment("", rw_now_ms() - MINUTE_MS, id);
	start_daemon(API_KEY, "60s");
	rwt_src_wait_state(&src, id, "open", 10.0);
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/youtube/quota", "{'used': 10000}"));
	rwt_clock_advance(&stack.daemon, 61);
	rwt_src_wait_source_state(&src, "down", 10.0);
	s = rwt_src_status(&src);
	const char *err = json_string_value(json_object_get(s, "last_error"));
	cr_assert(err && strstr(err, "daily quota spent until") &&
			  !strstr(err, "credentials rejected"),
		  "%s", json_dumps(s, 0));
	json_decref(s);
}

/* A wrong key (YouTube answers 400 keyInvalid): down at once, the key in no
 * log line and not in /status. */
Test(youtube, invalid_key_down)
{
	static const char wrong[] = "AIzaWRONG-key-Qx9";
	char id[ID_LEN], *text, *log;
	json_t *s;

	add_comment("", rw_now_ms() - MINUTE_MS, id);
	start_daemon(wrong, "1s");
	rwt_src_wait_source_state(&src, "down", 10.0);
	s = rwt_src_status(&src);
	const char *err = json_string_value(json_object_get(s, "last_error"));
	cr_assert_not_null(err);
	cr_assert(strstr(err, "HTTP 400") && strstr(err, "API key rejected"), "%s", err);
	text = json_dumps(s, 0);
	cr_assert_null(strstr(text, wrong));
	free(text);
	json_decref(s);
	log = rwt_daemon_log(&stack.daemon);
	cr_assert_null(strstr(log, wrong));
	free(log);
	cr_assert_eq(rwt_src_tracked(&src), 0);
}

/* A restart goes on from the stored watermark (no second page) and nothing
 * is doubled. */
Test(youtube, restart_resumes_without_doubles)
{
	char fresh[3][ID_LEN];
	size_t pages;

	add_backlog(rw_now_ms());
	start_daemon(API_KEY, "1s");
	rwt_src_wait_tracked(&src, BACKLOG, 20.0);
	rwt_daemon_stop_clean(&stack.daemon);
	pages = count_requests("commentThreads", "pageToken=");

	for (int i = 0; i < 3; i++)
		add_comment("", rw_now_ms() - 100 + i, fresh[i]);
	rwt_daemon_cleanup(&stack.daemon);
	start_daemon(API_KEY, "1s");
	for (int i = 0; i < 3; i++)
		rwt_src_wait_state(&src, fresh[i], "open", 10.0);
	cr_assert_eq(rwt_src_tracked(&src), BACKLOG + 3);
	cr_assert_eq(count_requests("commentThreads", "pageToken="), pages);
}

/* The daily quota's units left in /status; -1 before the first poll. */
static long
units_left(void)
{
	json_t *s = rwt_src_status(&src);
	json_t *q = json_object_get(json_object_get(json_object_get(s, "rate_limit"), "endpoints"),
				    "daily quota");
	json_t *r = json_object_get(q, "remaining");
	long v = json_is_integer(r) ? (long)json_integer_value(r) : -1;

	json_decref(s);
	return v;
}

/* True once the daily quota shows a figure below *(long *)arg. */
static bool
units_below(void *arg)
{
	long v = units_left();

	return v >= 0 && v < *(long *)arg;
}

/* Units spent before a restart stay spent: the day's count is kept in
 * Redis (PREFIX{SOURCE}:dq, gone an hour after the Pacific reset), so a
 * restart mid-day does not start again from 10 000 and overspend. */
Test(youtube, regression_daily_units_survive_restart)
{
	char id[ID_LEN];
	long target = 10000 - 5, before, after, any = 100000;
	redisContext *rc;
	redisReply *r;

	add_comment("", rw_now_ms() - MINUTE_MS, id);
	start_daemon(API_KEY, "1s");
	cr_assert(rwt_wait_until(units_below, &target, 20.0), "fewer than 5 units spent");
	before = units_left();
	rwt_daemon_stop_clean(&stack.daemon);
	rwt_daemon_cleanup(&stack.daemon);

	rc = rwt_redis_connect(&stack.redis);
	r = redisCommand(rc, "PTTL t:{" SOURCE "}:dq");
	cr_assert(r != NULL && r->type == REDIS_REPLY_INTEGER && r->integer > 3600 * 1000LL &&
			  r->integer <= 25 * 3600 * 1000LL,
		  "the count expires after the next Pacific midnight");
	freeReplyObject(r);
	redisFree(rc);

	start_daemon(API_KEY, "1s");
	cr_assert(rwt_wait_until(units_below, &any, 10.0), "no daily quota after the restart");
	after = units_left();
	cr_assert_leq(after, before, "the restart began the day again: %ld units left, %ld before",
		      after, before);
}
