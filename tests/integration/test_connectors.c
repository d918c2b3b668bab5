/*
 * Platform connectors end to end: the real daemon polls the fake Mastodon,
 * X and Bluesky APIs (tests/fakes) over loopback and tracks what it finds
 * in a real redis-server. Backfill window, multi-page catch-up, replies
 * before and after start with exact response times, rate limits, errors,
 * token refresh, and restarts that resume from the saved cursors.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "replywatch/mention.h"
#include "rwtest.h"

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

TestSuite(connectors, .init = setup, .fini = teardown, .timeout = 120);

#define POLICIES                                                                                   \
	",\n \"retention\": { \"backfill\": \"1h\" },\n"                                           \
	" \"policies\": [ { \"name\": \"vip\", \"match\": { \"min_followers\": 10000 },"       \
	" \"breach_after\": \"1h\" },"                                                              \
	" { \"name\": \"social\", \"warn_after\": \"2h\", \"breach_after\": \"3h\" } ]"

/* The three connectors against the fake, polling every second. extra is
 * spliced into each source object (starts with a comma, or ""). */
static char *
sources_json(const char *which, const char *extra)
{
	char *text;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	const char *sep = "";

	cr_assert_not_null(out);
	fputs(",\n \"sources\": [", out);
	if (strstr(which, "mastodon")) {
		fprintf(out,
			"%s{ \"name\": \"masto\", \"type\": \"mastodon\", \"base_url\": \"%s\","
			" \"token\": \"mastodon-test-token\", \"poll_every\": \"1s\"%s }",
			sep, fake.base, extra);
		sep = ", ";
	}
	if (strstr(which, "x")) {
		fprintf(out,
			"%s{ \"name\": \"xsrc\", \"type\": \"x\", \"base_url\": \"%s\","
			" \"user_id\": \"2244994945\", \"token\": \"x-test-token\","
			" \"poll_every\": \"1s\"%s }",
			sep, fake.base, extra);
		sep = ", ";
	}
	if (strstr(which, "bluesky")) {
		fprintf(
		    out,
		    "%s{ \"name\": \"sky\", \"type\": \"bluesky\", \"base_url\": \"%s\","
		    " \"identifier\": \"acme.bsky.social\", \"app_password\": \"app-pass-1234\","
		    " \"poll_every\": \"1s\"%s }",
		    sep, fake.base, extra);
	}
	fputs(" ]", out);
	cr_assert(fclose(out) == 0);
	return text;
}

static void
start_daemon(const char *which, const char *extra)
{
	int port = daemon_.http_port ? daemon_.http_port : rwt_free_port();
	char *sources = sources_json(which, extra);
	char *top;
	char *path;

	cr_assert(asprintf(&top, "%s%s", POLICIES, sources) > 0);
	path = rwt_write_config(dir, &redis, port, "", top);
	rwt_daemon_start(&daemon_, path, port, NULL);
	rwt_daemon_wait_ready(&daemon_, 5.0);
	free(path);
	free(top);
	free(sources);
}

static json_t *
get_json(const char *path)
{
	return rwt_get_json(daemon_.http_port, path, NULL);
}

/* The mention SOURCE:ID as /mentions/KEY shows it, or NULL (caller decrefs). */
static json_t *
mention(const char *source, const char *id)
{
	char *key, *escaped, path[1024];
	json_t *m;

	cr_assert(asprintf(&key, "%s:%s", source, id) > 0);
	escaped = rwt_url_escape(key);
	snprintf(path, sizeof(path), "/mentions/%s", escaped);
	m = get_json(path);
	free(escaped);
	free(key);
	return m;
}

struct state_wait {
	const char *source, *id, *want;
};

static bool
state_is(void *arg)
{
	struct state_wait *w = arg;
	json_t *m = mention(w->source, w->id);
	const char *state = json_string_value(json_object_get(m, "state"));
	bool ok = state && strcmp(state, w->want) == 0;

	json_decref(m);
	return ok;
}

static void
wait_state(const char *source, const char *id, const char *want, double timeout_s)
{
	struct state_wait w = {source, id, want};
	json_t *m;

	if (rwt_wait_until(state_is, &w, timeout_s))
		return;
	m = mention(source, id);
	char *text = m ? json_dumps(m, 0) : strdup("(not tracked)");
	cr_assert_fail("%s:%s never became %s: %s\n%s", source, id, want, text,
		       rwt_daemon_log(&daemon_));
}

/* The /status entry of source name (caller decrefs). */
static json_t *
source_status(const char *name)
{
	json_t *st = get_json("/status"), *src, *found = NULL;
	size_t i;

	cr_assert_not_null(st);
	json_array_foreach(json_object_get(st, "sources"), i, src)
	{
		if (strcmp(json_string_value(json_object_get(src, "name")), name) == 0)
			found = json_incref(src);
	}
	json_decref(st);
	cr_assert_not_null(found, "no source %s in /status", name);
	return found;
}

struct source_wait {
	const char *name, *field, *want;
	long long at_least;
};

static bool
source_field_is(void *arg)
{
	struct source_wait *w = arg;
	json_t *s = source_status(w->name), *v = json_object_get(s, w->field);
	bool ok = w->want ? json_is_string(v) && strcmp(json_string_value(v), w->want) == 0
			  : json_integer_value(v) >= w->at_least;

	json_decref(s);
	return ok;
}

static void
wait_source(const char *name, const char *field, const char *want, long long at_least,
	    double timeout_s)
{
	struct source_wait w = {name, field, want, at_least};

	if (rwt_wait_until(source_field_is, &w, timeout_s))
		return;
	json_t *s = source_status(name);
	char *text = json_dumps(s, 0);
	cr_assert_fail("source %s: %s never reached %s%lld: %s", name, field,
		       want ? want : ">=", at_least, text);
}

/* How many times needle appears in the daemon's log. */
static size_t
count_in_log(const char *needle)
{
	char *log = rwt_daemon_log(&daemon_);
	size_t n = 0;

	for (const char *p = strstr(log, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	free(log);
	return n;
}

static char *
iso(int64_t ms)
{
	char buf[40];

	return strdup(rw_time_format(ms, buf, sizeof(buf)));
}

/* Adds a customer mention on platform at ms; returns its platform id. */
static char *
add_mention(const char *platform, const char *author, int64_t at_ms, const char *extra)
{
	char path[64], body[512];
	char *when = iso(at_ms);
	json_t *doc;
	char *id;

	snprintf(path, sizeof(path), "/_fake/%s/mention", platform);
	snprintf(body, sizeof(body),
		 "{'author': '%s', 'text': 'where is my order?',"
		 " 'created_at': '%s'%s}",
		 author, when, extra ? extra : "");
	doc = rwt_fake_call(&fake, "POST", path, body);
	id = strdup(json_string_value(json_object_get(doc, "id")));
	json_decref(doc);
	free(when);
	return id;
}

/* Adds a brand reply to id on platform at ms. */
static void
add_reply(const char *platform, const char *id, int64_t at_ms)
{
	char path[64], body[600];
	char *when = iso(at_ms);

	snprintf(path, sizeof(path), "/_fake/%s/reply", platform);
	snprintf(body, sizeof(body),
		 "{'in_reply_to': '%s', 'text': 'Sorry! Fixed.',"
		 " 'created_at': '%s'}",
		 id, when);
	json_decref(rwt_fake_call(&fake, "POST", path, body));
	free(when);
}

static void
fault(const char *platform, const char *body)
{
	char path[64];

	snprintf(path, sizeof(path), "/_fake/%s/fault", platform);
	json_decref(rwt_fake_call(&fake, "POST", path, body));
}

static double
response_seconds(const char *source, const char *id)
{
	json_t *m = mention(source, id);
	double s;

	cr_assert_not_null(m);
	s = json_real_value(json_object_get(m, "response_seconds"));
	json_decref(m);
	return s;
}

/* Now, rounded down to a whole second, so platform times are exact. */
static int64_t
now_s_ms(void)
{
	return rw_now_ms() / 1000 * 1000;
}

/*
 * Per platform: a mention older than the backfill window is not tracked; a
 * mention inside it that was answered before the daemon started is recorded
 * as replied with its exact response time; an open one stays open and is
 * resolved, to the millisecond, by a reply made after the start; a mention
 * made after the start is tracked.
 */
static void
backfill_and_replies(const char *platform, const char *source)
{
	int64_t now = now_s_ms();
	char *old = add_mention(platform, "olga", now - 2 * 3600 * 1000, NULL);
	char *answered = add_mention(platform, "ann", now - 30 * 60 * 1000, NULL);
	char *open = add_mention(platform, "oscar", now - 10 * 60 * 1000 + 250, NULL);

	add_reply(platform, answered, now - 30 * 60 * 1000 + 1200123);
	start_daemon(platform, "");
	wait_state(source, open, "open", 10);
	wait_state(source, answered, "replied", 10);
	cr_assert_float_eq(response_seconds(source, answered), 1200.123, 1e-9);
	cr_assert_null(mention(source, old), "a mention older than the backfill was tracked");

	/* In the past: a future-dated reply gets the time the platform saw it
	 * (Bluesky's indexedAt), not its own. */
	add_reply(platform, open, now - 10 * 60 * 1000 + 250 + 400500);
	wait_state(source, open, "replied", 10);
	cr_assert_float_eq(response_seconds(source, open), 400.5, 1e-9);

	char *later = add_mention(platform, "lena", rw_now_ms(), NULL);
	wait_state(source, later, "open", 10);
	free(old);
	free(answered);
	free(open);
	free(later);
}

Test(connectors, mastodon_backfill_and_replies)
{
	backfill_and_replies("mastodon", "masto");

	/* The requests asked for mentions only, filtered ones included, and
	 * went on incrementally from the newest id seen. */
	json_t *reqs = rwt_fake_requests(&fake, "mastodon", "notifications"), *r;
	size_t i;
	bool incremental = false;

	cr_assert_gt(json_array_size(reqs), 1);
	json_array_foreach(reqs, i, r)
	{
		const char *q = json_string_value(json_object_get(r, "query"));

		cr_assert(strstr(q, "types%5B%5D=mention") || strstr(q, "types[]=mention"), "%s",
			  q);
		cr_assert(strstr(q, "include_filtered=true"), "%s", q);
		if (strstr(q, "since_id="))
			incremental = true;
	}
	cr_assert(incremental, "no poll used since_id");
	json_decref(reqs);
}

Test(connectors, x_backfill_and_replies)
{
	backfill_and_replies("x", "xsrc");
}

Test(connectors, bluesky_backfill_and_replies)
{
	backfill_and_replies("bluesky", "sky");
}

static long long
mentions_seen(const char *name)
{
	json_t *s = source_status(name);
	long long n = json_integer_value(json_object_get(s, "mentions_seen"));

	json_decref(s);
	return n;
}

/* 250 mentions waiting: the first poll walks every page (100 per page) and
 * tracks each exactly once, in X's newer field names too. */
Test(connectors, x_multi_page_catch_up)
{
	int64_t now = rw_now_ms();

	json_decref(rwt_fake_call(&fake, "POST", "/_fake/x/config", "{'renamed_fields': true}"));
	for (int i = 0; i < 250; i++) {
		char author[16];

		snprintf(author, sizeof(author), "cust%d", i % 40);
		free(add_mention("x", author, now - 50 * 60 * 1000 + i * 1000, NULL));
	}
	start_daemon("x", "");
	wait_source("xsrc", "mentions_seen", NULL, 250, 15);
	/* A few more polls: nothing is counted twice. */
	wait_source("xsrc", "consecutive_failures", NULL, 0, 1);
	sleep(2);
	cr_assert_eq(mentions_seen("xsrc"), 250);

	json_t *reqs = rwt_fake_requests(&fake, "x", "mentions"), *r;
	size_t i, paged = 0;

	json_array_foreach(reqs, i, r)
	{
		if (strstr(json_string_value(json_object_get(r, "query")), "pagination_token="))
			paged++;
	}
	cr_assert_geq(paged, 2, "expected at least two follow-up pages");
	json_decref(reqs);
}

/* Bluesky signs in once; an expired access token is refreshed with the
 * refresh token, never by signing in again. */
Test(connectors, bluesky_session_refresh)
{
	json_decref(rwt_fake_call(&fake, "POST", "/_fake/bluesky/config", "{'access_ttl': 2}"));
	start_daemon("bluesky", "");
	char *first = add_mention("bluesky", "carol.example.com", rw_now_ms(), NULL);

	wait_state("sky", first, "open", 10);
	sleep(4); /* two access-token lifetimes, several polls */
	fault("bluesky", "{'kind': 'expire_token', 'endpoint': '*'}");
	char *second = add_mention("bluesky", "dan.example.com", rw_now_ms(), NULL);

	wait_state("sky", second, "open", 10);
	json_t *created = rwt_fake_requests(&fake, "bluesky", "createSession");
	json_t *refreshed = rwt_fake_requests(&fake, "bluesky", "refreshSession");

	cr_assert_geq(json_array_size(created), 1);
	cr_assert_eq(count_in_log("sky: signed in as"), 1, "signed in %zu times",
		     count_in_log("sky: signed in as"));
	cr_assert_geq(json_array_size(refreshed), 2);
	cr_assert_geq(count_in_log("sky: session renewed as"), 2);
	json_decref(created);
	json_decref(refreshed);
	free(first);
	free(second);
}

/* A 429 with a reset: the source is rate_limited and the endpoint is not
 * called again before the reset. */
Test(connectors, rate_limit_waits_for_reset)
{
	start_daemon("mastodon", "");
	wait_source("masto", "state", "ok", 0, 10);
	fault("mastodon", "{'endpoint': 'notifications', 'kind': '429', 'reset_in': 3}");
	wait_source("masto", "state", "rate_limited", 0, 5);

	json_t *s = source_status("masto");
	const char *reset =
	    json_string_value(json_object_get(json_object_get(s, "rate_limit"), "reset_at"));
	int64_t reset_ms = 0;

	cr_assert_not_null(reset, "no rate_limit.reset_at in /status");
	cr_assert_eq(rw_time_parse(reset, &reset_ms), 0);
	cr_assert_eq(
	    json_integer_value(json_object_get(json_object_get(s, "rate_limit"), "remaining")), 0);
	json_decref(s);
	wait_source("masto", "state", "ok", 0, 10);

	/* No request between the 429 and the reset. */
	json_t *reqs = rwt_fake_requests(&fake, "mastodon", "notifications"), *r;
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

static bool
metrics_contain(void *arg)
{
	struct rwt_response r = rwt_http(daemon_.http_port, "GET", "/metrics", NULL, NULL);
	bool ok = r.status == 200 && strstr(r.body, arg) != NULL;

	rwt_response_free(&r);
	return ok;
}

/* The source's events of type (caller decrefs). */
static size_t
count_events(const char *type)
{
	json_t *doc = get_json("/events?limit=1000"), *e;
	size_t i, n = 0;

	cr_assert_not_null(doc);
	json_array_foreach(json_object_get(doc, "events"), i, e)
	{
		if (strcmp(json_string_value(json_object_get(e, "type")), type) == 0)
			n++;
	}
	json_decref(doc);
	return n;
}

struct event_wait {
	const char *type;
	size_t n;
};

static bool
events_reached(void *arg)
{
	struct event_wait *w = arg;

	return count_events(w->type) >= w->n;
}

/* 5xx and garbage: failing, counted, retried; after down_after the source
 * is down (one source_down event), and its recovery raises source_up. */
Test(connectors, failures_down_and_up)
{
	start_daemon("x", ", \"down_after\": \"2s\"");
	wait_source("xsrc", "state", "ok", 0, 10);
	fault("x", "{'endpoint': 'mentions', 'kind': 'garbage'}");
	cr_assert(rwt_wait_until(
	    metrics_contain,
	    "replywatch_source_polls_total{source=\"xsrc\",result=\"malformed\"} 1", 10));
	cr_assert(rwt_daemon_log_contains(&daemon_, "malformed answer from mentions"));
	wait_source("xsrc", "state", "ok", 0, 10);

	fault("x", "{'endpoint': 'mentions', 'kind': '503', 'count': 4}");
	wait_source("xsrc", "state", "failing", 0, 5);
	struct event_wait down = {"source_down", 1}, up = {"source_up", 1};

	cr_assert(rwt_wait_until(events_reached, &down, 20), "no source_down event");
	cr_assert(rwt_wait_until(events_reached, &up, 30), "no source_up event");
	cr_assert_eq(count_events("source_down"), 1);
	wait_source("xsrc", "state", "ok", 0, 5);
	cr_assert(metrics_contain(
	    "replywatch_source_polls_total{source=\"xsrc\",result=\"server_error\"} 4"));
}

/* 401: down at once, with a clear reason and a source_down event. */
Test(connectors, unauthorized_is_down_at_once)
{
	start_daemon("mastodon", "");
	wait_source("masto", "state", "ok", 0, 10);
	fault("mastodon", "{'endpoint': '*', 'kind': '401', 'count': 100}");
	wait_source("masto", "state", "down", 0, 5);

	json_t *s = source_status("masto");
	const char *err = json_string_value(json_object_get(s, "last_error"));

	cr_assert(err && strstr(err, "401"), "last_error: %s", err ? err : "null");
	json_decref(s);
	struct event_wait down = {"source_down", 1};

	cr_assert(rwt_wait_until(events_reached, &down, 5));
	cr_assert(metrics_contain("replywatch_source_up{source=\"masto\",type=\"mastodon\"} 0"));
	/* No token in the log. */
	cr_assert(!rwt_daemon_log_contains(&daemon_, "mastodon-test-token"));
}

/* A restart goes on from the saved cursors: no backfill walk again, and
 * what arrived meanwhile is tracked. */
Test(connectors, restart_resumes_from_cursor)
{
	char *before = add_mention("mastodon", "ann", rw_now_ms() - 60000, NULL);

	start_daemon("mastodon", "");
	wait_state("masto", before, "open", 10);
	rwt_daemon_stop_clean(&daemon_);
	rwt_daemon_cleanup(&daemon_);
	int64_t restarted = rw_now_ms();
	char *during = add_mention("mastodon", "bob", rw_now_ms(), NULL);

	start_daemon("mastodon", "");
	wait_state("masto", during, "open", 10);

	/* Every request after the restart is incremental. */
	json_t *reqs = rwt_fake_requests(&fake, "mastodon", "notifications"), *r;
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
	wait_source("masto", "mentions_seen", NULL, 2, 5);
	cr_assert_eq(mentions_seen("masto"), 2);
	free(before);
	free(during);
}

/* A hanging platform does not delay another source. */
Test(connectors, slow_source_does_not_block_others)
{
	start_daemon("mastodon x", "");
	wait_source("masto", "state", "ok", 0, 10);
	wait_source("xsrc", "state", "ok", 0, 10);
	fault("mastodon", "{'endpoint': 'notifications', 'kind': 'slow', 'delay_ms': 8000}");
	sleep(2); /* mastodon is now waiting on its slow answer */

	char *id = add_mention("x", "zed", rw_now_ms(), NULL);

	wait_state("xsrc", id, "open", 4);
	free(id);
}

/* Rewrites the configuration with which sources and reloads (SIGHUP). */
static void
reload_with(const char *which)
{
	char *sources = sources_json(which, "");
	char *top, *path;

	cr_assert(asprintf(&top, "%s%s", POLICIES, sources) > 0);
	path = rwt_write_config(dir, &redis, daemon_.http_port, "", top);
	rwt_daemon_signal(&daemon_, SIGHUP);
	free(path);
	free(top);
	free(sources);
}

static bool
reloaded(void *arg)
{
	(void)arg;
	return rwt_daemon_log_contains(&daemon_, "configuration reloaded");
}

/* A reload keeps an unchanged source's session (no new sign-in) and stops
 * a removed one even while its request hangs; the daemon still exits
 * cleanly. */
Test(connectors, reload_keeps_sessions_and_drops_removed_sources)
{
	start_daemon("mastodon bluesky", "");
	wait_source("masto", "state", "ok", 0, 10);
	wait_source("sky", "state", "ok", 0, 10);
	fault("mastodon", "{'endpoint': '*', 'kind': 'slow', 'delay_ms': 3000, 'count': 5}");
	sleep(1);
	reload_with("bluesky");
	cr_assert(rwt_wait_until(reloaded, NULL, 5));

	json_t *st = get_json("/status");

	cr_assert_eq(json_array_size(json_object_get(st, "sources")), 1);
	json_decref(st);
	char *id = add_mention("bluesky", "erin.example.com", rw_now_ms(), NULL);

	wait_state("sky", id, "open", 10);
	sleep(3); /* the abandoned mastodon answer arrives meanwhile */
	/* Counted in the daemon's log: a request curl has to send again on a
	 * fresh connection is one sign-in, though the fake may see it twice. */
	cr_assert_eq(count_in_log("sky: signed in as"), 1, "signed in again:\n%s",
		     rwt_daemon_log(&daemon_));
	free(id);
}

/* More pages than one poll reads (10): the walk goes on over the next
 * polls from the saved page cursor, and every mention is tracked once. */
Test(connectors, bluesky_walk_longer_than_one_poll)
{
	int64_t now = rw_now_ms();

	json_decref(rwt_fake_call(&fake, "POST", "/_fake/bluesky/config", "{'page_limit_max': 5}"));
	for (int i = 0; i < 73; i++) {
		char author[32];

		snprintf(author, sizeof(author), "c%d.example.com", i % 20);
		free(add_mention("bluesky", author, now - 40 * 60 * 1000 + i * 1000, NULL));
	}
	start_daemon("bluesky", "");
	wait_source("sky", "mentions_seen", NULL, 73, 20);
	sleep(2);
	cr_assert_eq(mentions_seen("sky"), 73);

	/* 73 entries at 5 a page: 15 pages, more than one poll's 10. */
	json_t *reqs = rwt_fake_requests(&fake, "bluesky", "listNotifications");

	cr_assert_geq(json_array_size(reqs), 15);
	json_decref(reqs);
}

/* An answer over the size cap fails the poll cleanly (counted, retried);
 * the next poll works. */
Test(connectors, huge_answer_is_refused)
{
	start_daemon("mastodon", "");
	wait_source("masto", "state", "ok", 0, 10);
	fault("mastodon", "{'endpoint': 'notifications', 'kind': 'huge', 'bytes': 12000000}");
	cr_assert(rwt_wait_until(
	    metrics_contain,
	    "replywatch_source_polls_total{source=\"masto\",result=\"network_error\"} 1", 15));
	cr_assert(rwt_daemon_log_contains(&daemon_, "larger than"));
	char *id = add_mention("mastodon", "hugo", rw_now_ms(), NULL);

	wait_state("masto", id, "open", 10);
	free(id);
}

/* Redis goes away and comes back: polling pauses without failing the
 * source, then goes on. */
Test(connectors, redis_restart_pauses_polling)
{
	start_daemon("x", "");
	wait_source("xsrc", "state", "ok", 0, 10);
	rwt_redis_stop(&redis);
	sleep(2);
	wait_source("xsrc", "state", "ok", 0, 1); /* not the platform's fault */
	rwt_redis_restart(&redis);
	rwt_daemon_wait_ready(&daemon_, 10);
	char *id = add_mention("x", "rita", rw_now_ms(), NULL);

	wait_state("xsrc", id, "open", 10);
	free(id);
}

static const char *
field_of(const char *source, const char *id, const char *field, char *buf, size_t len)
{
	json_t *m = mention(source, id);
	const char *v = json_string_value(json_object_get(m, field));

	snprintf(buf, len, "%s", v ? v : "(null)");
	json_decref(m);
	return buf;
}

/* What the platforms say about a mention reaches the policy and the
 * display: X follower counts pick the "vip" policy, Mastodon's HTML
 * becomes text, and a reply to the brand's own post is a comment. */
Test(connectors, platform_fields_reach_policies_and_display)
{
	char buf[256];
	char *famous = add_mention("x", "famous", rw_now_ms(), ", 'followers': 250000");
	char *plain = add_mention("x", "plain", rw_now_ms(), ", 'followers': 12");
	json_t *post = rwt_fake_call(&fake, "POST", "/_fake/mastodon/post",
				     "{'text': 'Our new store opens today'}");
	char *toot = add_mention("mastodon", "ann", rw_now_ms(), ", 'text': 'Fish & chips <3'");
	char reply_extra[200];

	snprintf(reply_extra, sizeof(reply_extra), ", 'in_reply_to': '%s'",
		 json_string_value(json_object_get(post, "id")));
	char *comment = add_mention("mastodon", "bob", rw_now_ms(), reply_extra);

	start_daemon("x mastodon", "");
	wait_state("xsrc", famous, "open", 10);
	wait_state("xsrc", plain, "open", 10);
	wait_state("masto", toot, "open", 10);
	wait_state("masto", comment, "open", 10);
	cr_assert_str_eq(field_of("xsrc", famous, "policy", buf, sizeof(buf)), "vip");
	cr_assert_str_eq(field_of("xsrc", plain, "policy", buf, sizeof(buf)), "social");
	cr_assert_str_eq(field_of("xsrc", famous, "author", buf, sizeof(buf)), "famous");
	cr_assert(strstr(field_of("xsrc", famous, "url", buf, sizeof(buf)), "/famous/status/"),
		  "%s", buf);
	cr_assert_str_eq(field_of("masto", toot, "text", buf, sizeof(buf)),
			 "@acme Fish & chips <3");
	cr_assert_str_eq(field_of("masto", toot, "kind", buf, sizeof(buf)), "mention");
	cr_assert_str_eq(field_of("masto", comment, "kind", buf, sizeof(buf)), "comment");
	json_decref(post);
	free(famous);
	free(plain);
	free(toot);
	free(comment);
}
