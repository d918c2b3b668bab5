/*
 * The YouTube connector end to end: the real daemon polls the fake YouTube
 * Data API (tests/fakes/fake_youtube.c) over loopback and tracks comments
 * in a real redis-server. Backfill over two pages with the brand's inline
 * replies at their exact publishedAt, a brand reply beyond the replies a
 * thread carries inline (found through comments.list), the day's quota
 * counted in /status and a 403 quotaExceeded that waits until midnight
 * Pacific time (on the test clock), a rejected API key (down, never
 * logged), and a restart that resumes without doubles.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/clock.h"
#include "rwtest.h"

#define SOURCE "yt"
#define API_KEY "youtube-test-key"
#define CHANNEL "UCacmeBrandChannel0000AA"
#define VIDEO "acmeVideo01"
#define MINUTE_MS (60 * 1000LL)
#define ID_LEN 64

static struct rwt_redis redis;
static struct rwt_daemon daemon_;
static struct rwt_fake fake;
static char *dir;

static void
setup(void)
{
	dir = rwt_tmpdir_new();
	rwt_redis_start(&redis, NULL);
	rwt_fake_start(&fake, NULL);
	json_decref(
		rwt_fake_call(&fake, "POST", "/_fake/youtube/config", "{'rate_limit': 1000000}"));
}

static void
teardown(void)
{
	rwt_daemon_stop_clean(&daemon_);
	rwt_daemon_cleanup(&daemon_);
	rwt_fake_stop(&fake);
	rwt_redis_destroy(&redis);
	rwt_tmpdir_remove(dir);
}

TestSuite(youtube, .init = setup, .fini = teardown, .timeout = 120);

/* One youtube source; extra: more of its keys (", 'k': 'v'" with " quotes) or "". */
static void
start_daemon_with(const char *api_key, const char *poll_every, const char *extra)
{
	int port = daemon_.http_port ? daemon_.http_port : rwt_free_port();
	char *top, *path;

	cr_assert(
		asprintf(&top,
			 ",\n \"retention\": { \"backfill\": \"30d\" },\n"
			 " \"policies\": [ { \"name\": \"social\", \"breach_after\": \"48h\" } ],\n"
			 " \"sources\": [ { \"name\": \"" SOURCE "\", \"type\": \"youtube\","
			 " \"base_url\": \"%s\", \"channel_id\": \"" CHANNEL "\","
			 " \"api_key\": \"%s\", \"poll_every\": \"%s\"%s } ]",
			 fake.base, api_key, poll_every, extra) > 0);
	path = rwt_write_config(dir, &redis, port, "", top);
	rwt_daemon_start(&daemon_, path, port, NULL);
	rwt_daemon_wait_ready(&daemon_, 5.0);
	free(path);
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
	r = rwt_fake_call(&fake, "POST", "/_fake/youtube/comment", body);
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
	json_decref(rwt_fake_call(&fake, "POST", "/_fake/youtube/reply", body));
	free(body);
}

static json_t *
get_json(const char *path)
{
	return rwt_get_json(daemon_.http_port, path, NULL);
}

static json_t *
mention(const char *id)
{
	char path[160];

	snprintf(path, sizeof(path), "/mentions/" SOURCE "%%3A%s", id);
	return get_json(path);
}

struct state_wait {
	const char *id, *want;
};

static bool
state_is(void *arg)
{
	struct state_wait *w = arg;
	json_t *m = mention(w->id);
	const char *state = json_string_value(json_object_get(m, "state"));
	bool ok = state && strcmp(state, w->want) == 0;

	json_decref(m);
	return ok;
}

static void
wait_state(const char *id, const char *want, double timeout_s)
{
	struct state_wait w = {id, want};
	json_t *m;

	if (rwt_wait(&daemon_, state_is, &w, timeout_s))
		return;
	m = mention(id);
	cr_assert_fail("%s never became %s: %s\n%s", id, want,
		       m ? json_dumps(m, 0) : "(not tracked)", rwt_daemon_log(&daemon_));
}

static size_t
tracked(void)
{
	json_t *list = get_json("/mentions?source=" SOURCE "&limit=1000");
	size_t n;

	cr_assert_not_null(list);
	n = json_array_size(json_object_get(list, "mentions"));
	json_decref(list);
	return n;
}

static bool
tracked_at_least(void *arg)
{
	return tracked() >= *(size_t *)arg;
}

static void
wait_tracked(size_t n, double timeout_s)
{
	if (!rwt_wait(&daemon_, tracked_at_least, &n, timeout_s))
		cr_assert_fail("%zu tracked, not %zu\n%s", tracked(), n, rwt_daemon_log(&daemon_));
}

static json_t *
source_status(void)
{
	json_t *st = get_json("/status"), *src, *found = NULL;
	size_t i;

	cr_assert_not_null(st);
	json_array_foreach(json_object_get(st, "sources"), i, src)
	{
		if (strcmp(json_string_value(json_object_get(src, "name")), SOURCE) == 0)
			found = json_incref(src);
	}
	json_decref(st);
	cr_assert_not_null(found);
	return found;
}

static bool
source_state_is(void *arg)
{
	json_t *s = source_status();
	const char *state = json_string_value(json_object_get(s, "state"));
	bool ok = state && strcmp(state, arg) == 0;

	json_decref(s);
	return ok;
}

static void
wait_source_state(const char *want, double timeout_s)
{
	json_t *s;

	if (rwt_wait(&daemon_, source_state_is, (void *)want, timeout_s))
		return;
	s = source_status();
	cr_assert_fail("source never %s: %s\n%s", want, json_dumps(s, 0), rwt_daemon_log(&daemon_));
}

/* Requests to endpoint (NULL: any) whose query holds needle (NULL: any). */
static size_t
count_requests(const char *endpoint, const char *needle)
{
	json_t *list = rwt_fake_requests(&fake, "youtube", endpoint), *r;
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
	wait_tracked(BACKLOG, 20.0);

	m = mention(ids[149]);
	cr_assert_str_eq(json_string_value(json_object_get(m, "kind")), "comment");
	cr_assert_str_eq(json_string_value(json_object_get(m, "author")), "@fan");
	cr_assert_str_eq(json_string_value(json_object_get(m, "text")), "Help please");
	cr_assert_str_eq(json_string_value(json_object_get(m, "conversation_id")), VIDEO);
	snprintf(url, sizeof(url), "https://www.youtube.com/watch?v=" VIDEO "&lc=%s", ids[149]);
	cr_assert_str_eq(json_string_value(json_object_get(m, "url")), url);
	cr_assert_str_eq(json_string_value(json_object_get(m, "state")), "open");
	json_decref(m);

	/* ids[5] is on page 2 and was answered inline: at the reply's time. */
	wait_state(ids[5], "replied", 10.0);
	m = mention(ids[5]);
	cr_assert_eq(json_number_value(json_object_get(m, "response_seconds")), 30 * 60 + 0.25,
		     "%s", json_dumps(m, 0));
	json_decref(m);

	cr_assert_geq(count_requests("commentThreads", "pageToken="), 1);
	cr_assert_geq(count_requests("commentThreads", "allThreadsRelatedToChannelId=" CHANNEL), 2);
	/* The key went in the X-Goog-Api-Key header, never in a URL. */
	cr_assert_eq(count_requests(NULL, "key="), 0);
	log = rwt_fake_requests(&fake, "youtube", NULL);
	json_array_foreach(log, i, r)
		cr_assert_str_eq(json_string_value(json_object_get(r, "auth")), "ok");
	json_decref(log);

	/* The day's quota is counted under one entry in /status. */
	s = source_status();
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
	wait_state(id, "open", 10.0);
	add_reply(id, true, now - MINUTE_MS + 7);
	wait_state(id, "replied", 10.0);
	m = mention(id);
	rw_time_format(now - MINUTE_MS + 7, at, sizeof(at));
	cr_assert_str_eq(json_string_value(json_object_get(m, "replied_at")), at, "%s",
			 json_dumps(m, 0));
	cr_assert_str_eq(json_string_value(json_object_get(m, "author")), "@asker");
	json_decref(m);
	cr_assert_geq(count_requests("comments", id), 1);
	/* Others' replies are not items to answer. */
	cr_assert_eq(tracked(), 1);
}

/* True once an auto interval was chosen (poll_interval.seconds a number). */
static bool
auto_chosen(void *arg)
{
	json_t *s = source_status();
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
	wait_state(id, "open", 10.0);
	cr_assert(rwt_wait(&daemon_, auto_chosen, NULL, 10.0), "no auto interval");
	s = source_status();
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

	daemon_.test_clock = true;
	add_comment("", rw_now_ms() - MINUTE_MS, first);
	start_daemon_with(API_KEY, "60s", ", \"down_after\": \"30h\"");
	wait_state(first, "open", 10.0);

	json_decref(rwt_fake_call(&fake, "POST", "/_fake/youtube/quota", "{'used': 10000}"));
	now = rwt_clock_advance(&daemon_, 61);
	wait_source_state("rate_limited", 10.0);
	s = source_status();
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
	json_decref(rwt_fake_call(&fake, "POST", "/_fake/youtube/quota", "{'used': 0}"));
	before = count_requests(NULL, NULL);
	now = rwt_clock_advance(&daemon_, (reset - now) / 1000 - 120);
	add_comment("", rw_now_ms(), later);
	for (int i = 0; i < 3; i++)
		rwt_clock_advance(&daemon_, 30); /* still before the reset */
	cr_assert_not(rwt_wait_until(asked_since, &before, 1.5), "asked before the reset");
	cr_assert(source_state_is("rate_limited"));

	rwt_clock_advance(&daemon_, 60);
	wait_state(later, "open", 10.0);
	wait_source_state("ok", 10.0);
	s = source_status();
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

	daemon_.test_clock = true;
	add_comment("", rw_now_ms() - MINUTE_MS, id);
	start_daemon(API_KEY, "60s");
	wait_state(id, "open", 10.0);
	json_decref(rwt_fake_call(&fake, "POST", "/_fake/youtube/quota", "{'used': 10000}"));
	rwt_clock_advance(&daemon_, 61);
	wait_source_state("down", 10.0);
	s = source_status();
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
	wait_source_state("down", 10.0);
	s = source_status();
	const char *err = json_string_value(json_object_get(s, "last_error"));
	cr_assert_not_null(err);
	cr_assert(strstr(err, "HTTP 400") && strstr(err, "API key rejected"), "%s", err);
	text = json_dumps(s, 0);
	cr_assert_null(strstr(text, wrong));
	free(text);
	json_decref(s);
	log = rwt_daemon_log(&daemon_);
	cr_assert_null(strstr(log, wrong));
	free(log);
	cr_assert_eq(tracked(), 0);
}

/* A restart goes on from the stored watermark (no second page) and nothing
 * is doubled. */
Test(youtube, restart_resumes_without_doubles)
{
	char fresh[3][ID_LEN];
	size_t pages;

	add_backlog(rw_now_ms());
	start_daemon(API_KEY, "1s");
	wait_tracked(BACKLOG, 20.0);
	rwt_daemon_stop_clean(&daemon_);
	pages = count_requests("commentThreads", "pageToken=");

	for (int i = 0; i < 3; i++)
		add_comment("", rw_now_ms() - 100 + i, fresh[i]);
	rwt_daemon_cleanup(&daemon_);
	start_daemon(API_KEY, "1s");
	for (int i = 0; i < 3; i++)
		wait_state(fresh[i], "open", 10.0);
	cr_assert_eq(tracked(), BACKLOG + 3);
	cr_assert_eq(count_requests("commentThreads", "pageToken="), pages);
}
