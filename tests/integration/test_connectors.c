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
	" \"policies\": [ { \"name\": \"vip\", \"match\": { \"min_followers\": 10000 },"           \
	" \"breach_after\": \"1h\" },"                                                             \
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
		fprintf(out,
			"%s{ \"name\": \"sky\", \"type\": \"bluesky\", \"base_url\": \"%s\","
			" \"identifier\": \"acme.bsky.social\", \"app_password\": "
			"\"app-pass-1234\","
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

static double metric_value(const char *prefix);
static void wait_metric(const char *prefix, double at_least, double timeout_s);

/* Waits for n more polls of source that ended ok (polling, not sleeping). */
static void
wait_more_ok_polls(const char *source, double n)
{
	char line[160];

	snprintf(line, sizeof(line), "replywatch_source_polls_total{source=\"%s\",result=\"ok\"}",
		 source);
	wait_metric(line, metric_value(line) + n, 10);
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
	/* Old enough that the reply below (400.5 s later) is not in the future:
	 * no item is dated later than the answer that brought it. */
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
	wait_more_ok_polls("xsrc", 2);
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

static bool
renewed_once(void *arg)
{
	(void)arg;
	return rwt_daemon_log_contains(&daemon_, "sky: session renewed as");
}

/* Bluesky signs in once; an expired access token is refreshed with the
 * refresh token, never by signing in again. */
Test(connectors, bluesky_session_refresh)
{
	json_decref(rwt_fake_call(&fake, "POST", "/_fake/bluesky/config", "{'access_ttl': 2}"));
	start_daemon("bluesky", "");
	char *first = add_mention("bluesky", "carol.example.com", rw_now_ms(), NULL);

	wait_state("sky", first, "open", 10);
	/* The access token's lifetime ends: renewed with the refresh token. */
	cr_assert(rwt_wait_until(renewed_once, NULL, 10), "no session renewal");
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
		json_integer_value(json_object_get(json_object_get(s, "rate_limit"), "remaining")),
		0);
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

struct pending_wait {
	const char *platform;
	long below;
};

/* True when fewer than w->below faults of the platform are still queued:
 * the rest were taken by requests now under way. */
static bool
faults_taken(void *arg)
{
	struct pending_wait *w = arg;
	json_t *st = rwt_fake_call(&fake, "GET", "/_fake/state", NULL);
	long pending = (long)json_integer_value(
		json_object_get(json_object_get(st, w->platform), "faults_pending"));

	json_decref(st);
	return pending < w->below;
}

/* A hanging platform does not delay another source. */
Test(connectors, slow_source_does_not_block_others)
{
	start_daemon("mastodon x", "");
	wait_source("masto", "state", "ok", 0, 10);
	wait_source("xsrc", "state", "ok", 0, 10);
	fault("mastodon", "{'endpoint': 'notifications', 'kind': 'slow', 'delay_ms': 8000}");
	struct pending_wait slow = {"mastodon", 1};

	/* mastodon is now waiting on its slow answer */
	cr_assert(rwt_wait_until(faults_taken, &slow, 5));

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
	struct pending_wait slow = {"mastodon", 5};

	cr_assert(rwt_wait_until(faults_taken, &slow, 5)); /* a request hangs */
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
	wait_more_ok_polls("sky", 2);
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

/* --- walks, cursors, times and waits a platform cannot break ------------- */

/* The value of the metric line starting with prefix (-1: none). */
static double
metric_value(const char *prefix)
{
	struct rwt_response r = rwt_http(daemon_.http_port, "GET", "/metrics", NULL, NULL);
	double v = -1;
	const char *line;

	for (line = r.status == 200 ? r.body : NULL; line != NULL && *line;
	     line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (strncmp(line, prefix, strlen(prefix)) == 0) {
			/* The value follows the last space (labels may hold spaces). */
			const char *sp = strchr(line, '\n');

			sp = sp ? sp : line + strlen(line);
			while (sp > line && *sp != ' ')
				sp--;
			v = strtod(sp + 1, NULL);
			break;
		}
	}
	rwt_response_free(&r);
	return v;
}

struct metric_wait {
	const char *prefix;
	double at_least;
};

static bool
metric_reached(void *arg)
{
	struct metric_wait *w = arg;

	return metric_value(w->prefix) >= w->at_least;
}

static void
wait_metric(const char *prefix, double at_least, double timeout_s)
{
	struct metric_wait w = {prefix, at_least};

	cr_assert(rwt_wait_until(metric_reached, &w, timeout_s), "%s never reached %g (is %g)",
		  prefix, at_least, metric_value(prefix));
}

/* Queues a scripted answer (fault "answer") built from a JSON document. */
static void
script(const char *platform, const char *endpoint, json_t *fault_doc)
{
	char path[64];
	char *text;
	struct rwt_response r;

	json_object_set_new(fault_doc, "endpoint", json_string(endpoint));
	json_object_set_new(fault_doc, "kind", json_string("answer"));
	text = json_dumps(fault_doc, JSON_COMPACT);
	snprintf(path, sizeof(path), "/_fake/%s/fault", platform);
	r = rwt_http(fake.port, "POST", path, NULL, text);
	cr_assert_eq(r.status, 201, "%s", r.body);
	rwt_response_free(&r);
	free(text);
	json_decref(fault_doc);
}

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
	json_decref(
		rwt_fake_call(&fake, "POST", cfg, "{'page_limit_max': 3, 'ignore_paging': true}"));
	for (int i = 0; i < 8; i++)
		free(add_mention(platform, i % 2 ? "ann.example.com" : "bob.example.com",
				 now - 20 * 60 * 1000 + i * 1000, NULL));
	start_daemon(platform, ", \"down_after\": \"2s\"");
	snprintf(polls, sizeof(polls),
		 "replywatch_source_polls_total{source=\"%s\",result=\"no_progress\"}", source);
	wait_metric(polls, 3, 15);
	/* Two requests per stuck poll (the page, and the same page again):
	 * never a storm. */
	json_t *reqs = rwt_fake_requests(&fake, platform, endpoint);
	size_t asked = json_array_size(reqs);
	double stuck = metric_value(polls);

	json_decref(reqs);
	cr_assert_leq((double)asked, 2 * stuck + 2, "%zu requests for %g stuck polls", asked,
		      stuck);
	snprintf(needle, sizeof(needle), "%s: %s: the walk made no progress", source, endpoint);
	cr_assert(rwt_daemon_log_contains(&daemon_, needle), "%s", rwt_daemon_log(&daemon_));

	json_t *s = source_status(source);
	const char *state = json_string_value(json_object_get(s, "state"));
	const char *err = json_string_value(json_object_get(s, "last_error"));

	cr_assert(state && (strcmp(state, "failing") == 0 || strcmp(state, "down") == 0), "%s",
		  state);
	cr_assert(err && strstr(err, endpoint) && strstr(err, "no progress"), "%s",
		  err ? err : "null");
	json_decref(s);
	struct event_wait down = {"source_down", 1}, up = {"source_up", 1};

	cr_assert(rwt_wait_until(events_reached, &down, 15), "no source_down event");
	json_decref(rwt_fake_call(&fake, "POST", cfg, "{'ignore_paging': false}"));
	cr_assert(rwt_wait_until(events_reached, &up, 30), "no source_up event");
	wait_source(source, "mentions_seen", NULL, 8, 10);
	wait_source(source, "state", "ok", 0, 5);
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
	char *first = add_mention("mastodon", "ann", rw_now_ms() - 60000, NULL);

	start_daemon("mastodon", "");
	wait_state("masto", first, "open", 10);
	/* From now on every request with a since_id is refused. */
	script("mastodon", "notifications",
	       json_pack("{s:i, s:s, s:s, s:i}", "status", 422, "body",
			 "{\"error\":\"Validation failed: since_id is invalid\"}", "param",
			 "since_id", "count", 1000));
	int64_t refused_at = rw_now_ms();
	char *second = add_mention("mastodon", "bob", rw_now_ms(), NULL);

	wait_state("masto", second, "open", 10);
	cr_assert(rwt_daemon_log_contains(&daemon_, "refused the stored cursor"));
	wait_metric("replywatch_source_polls_total{source=\"masto\",result=\"ok\"}", 4, 10);
	cr_assert_eq(metric_value("replywatch_source_polls_total{source=\"masto\",result=\""
				  "client_error\"}"),
		     0);
	wait_source("masto", "state", "ok", 0, 1);
	/* The fallback asked without the refused cursor. */
	json_t *reqs = rwt_fake_requests(&fake, "mastodon", "notifications"), *r;
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

/* Regression: an id the platform's format does not allow (X: 1-19 digits)
 * became the since_id of every later request. It is never stored. */
Test(connectors, regression_x_invalid_id_is_never_a_cursor)
{
	static const char *bad = "1234567890123456789012345";
	json_t *page = x_page(bad, "2026-01-01T00:00:00.000Z", "777");
	char *text = json_dumps(page, JSON_COMPACT);
	json_t *reqs, *r;
	size_t i;

	start_daemon("x", "");
	wait_source("xsrc", "state", "ok", 0, 10);
	script("x", "mentions", json_pack("{s:s, s:i}", "body", text, "count", 3));
	/* The parser rejects the post ("bad id"); the poller would refuse the
	 * id as a cursor too ("id not a valid cursor") had it come through. */
	wait_metric("replywatch_source_items_rejected_total{source=\"xsrc\",reason=\"bad id\"}", 1,
		    10);
	char *later = add_mention("x", "lena", rw_now_ms(), NULL);

	wait_state("xsrc", later, "open", 10);
	reqs = rwt_fake_requests(&fake, "x", "mentions");
	json_array_foreach(reqs, i, r)
	{
		const char *q = json_string_value(json_object_get(r, "query"));

		cr_assert(!strstr(q, bad), "the invalid id was used as a cursor: %s", q);
	}
	json_decref(reqs);
	cr_assert_eq(count_in_log("entry rejected: bad id"), 1, "logged %zu times",
		     count_in_log("entry rejected: bad id"));
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

	start_daemon("x", "");
	wait_source("xsrc", "state", "ok", 0, 10);
	script("x", "mentions", json_pack("{s:s, s:i}", "body", text, "count", 4));
	wait_metric("replywatch_source_items_rejected_total{source=\"xsrc\",reason=\"bad "
		    "created_at\"}",
		    1, 10);
	/* The same page three more times (every scripted answer taken, and the
	 * poll that took the last one finished). */
	struct pending_wait all = {"x", 1};

	cr_assert(rwt_wait_until(faults_taken, &all, 15));
	wait_more_ok_polls("xsrc", 1);
	cr_assert_eq(count_in_log("xsrc: mentions: entry 1999999999999999999 rejected: bad "
				  "created_at"),
		     1, "%s", rwt_daemon_log(&daemon_));
	cr_assert_eq(metric_value("replywatch_source_items_rejected_total{source=\"xsrc\",reason="
				  "\"bad created_at\"}"),
		     1);
	json_t *s = source_status("xsrc");

	cr_assert_eq(json_integer_value(json_object_get(json_object_get(s, "items_rejected"),
							"bad created_at")),
		     1, "%s", json_dumps(s, 0));
	json_decref(s);
	json_decref(page);
	free(text);
}

static int64_t
time_field(const char *source, const char *id, const char *field)
{
	json_t *m = mention(source, id);
	int64_t ms = 0;

	cr_assert_not_null(m);
	cr_assert_eq(rw_time_parse(json_string_value(json_object_get(m, field)), &ms), 0, "%s",
		     field);
	json_decref(m);
	return ms;
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
	start_daemon("mastodon", "");
	wait_source("masto", "state", "ok", 0, 10);
	int64_t before = rw_now_ms();
	char *ahead = add_mention("mastodon", "fast", before + 10 * 60 * 1000, NULL);

	wait_state("masto", ahead, "open", 10);
	int64_t found = rw_now_ms();

	cr_assert_leq(time_field("masto", ahead, "created_at"), found);
	cr_assert_geq(time_field("masto", ahead, "created_at"), before - 1000);
	cr_assert_leq(time_field("masto", ahead, "warn_at"), found + 2 * 3600 * 1000);
	cr_assert_leq(time_field("masto", ahead, "breach_at"), found + 3 * 3600 * 1000);
	/* A real answer, after it was found: a real response time, not 0 s. */
	add_reply("mastodon", ahead, rw_now_ms() + 1);
	wait_state("masto", ahead, "replied", 10);
	cr_assert_gt(response_seconds("masto", ahead), 0);
	cr_assert_lt(response_seconds("masto", ahead), 30);

	/* A reply dated an hour ahead counts from when it was found. */
	char *asked = add_mention("mastodon", "slow", rw_now_ms() - 60 * 1000, NULL);

	wait_state("masto", asked, "open", 10);
	add_reply("mastodon", asked, rw_now_ms() + 3600 * 1000);
	wait_state("masto", asked, "replied", 10);
	cr_assert_geq(response_seconds("masto", asked), 59);
	cr_assert_lt(response_seconds("masto", asked), 90);
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
	start_daemon("x", ", \"down_after\": \"2s\"");
	wait_source("xsrc", "state", "ok", 0, 10);
	script("x", "mentions",
	       json_pack("{s:i, s:s, s:s}", "status", 429, "body",
			 "{\"title\":\"Too Many Requests\",\"detail\":\"Too Many Requests\"}",
			 "header", "Retry-After: 999999999"));
	struct event_wait down = {"source_down", 1};

	cr_assert(rwt_wait_until(events_reached, &down, 10), "no source_down event");
	json_t *s = source_status("xsrc");
	const char *next = json_string_value(json_object_get(s, "next_poll_at"));
	int64_t next_ms = 0;

	cr_assert_str_eq(json_string_value(json_object_get(s, "state")), "down");
	cr_assert_not_null(next);
	cr_assert_eq(rw_time_parse(next, &next_ms), 0);
	cr_assert_leq(next_ms, rw_now_ms() + 3601 * 1000, "next poll at %s", next);
	cr_assert_geq(next_ms, rw_now_ms() + 3500 * 1000, "next poll at %s", next);
	json_decref(s);
}

/* Regression: /status showed a rate-limit figure the platform did not give
 * as -1. It is null. */
Test(connectors, regression_unknown_rate_limit_figures_are_null)
{
	start_daemon("x", "");
	wait_source("xsrc", "state", "ok", 0, 10);
	script("x", "mentions",
	       json_pack("{s:s, s:s, s:b, s:i}", "body", "{\"meta\":{\"result_count\":0}}",
			 "header", "x-rate-limit-remaining: 41", "limits", 0, "count", 1000));
	json_t *s = NULL, *rl = NULL;

	for (int i = 0; i < 100; i++) {
		json_decref(s);
		s = source_status("xsrc");
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
	start_daemon("x", ", \"down_after\": \"1s\"");
	wait_source("xsrc", "state", "ok", 0, 10);
	json_t *problem = json_pack("{s:s}", "detail", detail);
	char *body = json_dumps(problem, JSON_COMPACT | JSON_ENSURE_ASCII);

	script("x", "mentions",
	       json_pack("{s:i, s:s, s:i}", "status", 503, "body", body, "count", 1000));
	free(body);
	json_decref(problem);
	struct event_wait down = {"source_down", 1};

	cr_assert(rwt_wait_until(events_reached, &down, 15), "no source_down event");
	doc = get_json("/events?limit=1000");
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
	json_t *s = source_status("xsrc");
	const char *err = json_string_value(json_object_get(s, "last_error"));

	cr_assert_str_eq(json_string_value(json_object_get(s, "state")), "down");
	cr_assert(err && strstr(err, "\xc5\x82"), "%s", err ? err : "null");
	json_decref(s);
	/* Recorded the first time: no write of the event failed. */
	cr_assert_eq(metric_value("replywatch_source_event_write_failures_total{source=\"xsrc\"}"),
		     0);
}

/*
 * Regression: a Bluesky accessJwt holding CR/LF was sent verbatim, adding
 * headers of the platform's choosing to every later request. It is refused
 * with a clear poll error and nothing is sent with it.
 */
Test(connectors, regression_bluesky_jwt_with_crlf_is_refused)
{
	script("bluesky", "createSession",
	       json_pack("{s:s, s:i}", "body",
			 "{\"accessJwt\":\"eyJhbGciOiJIUzI1NiJ9.e30.sig\\r\\nX-Injected: yes\","
			 "\"refreshJwt\":\"eyJhbGciOiJIUzI1NiJ9.e30.sig\","
			 "\"did\":\"did:plc:acmebrand0000000000000000\","
			 "\"handle\":\"acme.bsky.social\"}",
			 "count", 1000));
	start_daemon("bluesky", "");
	wait_source("sky", "state", "failing", 0, 10);
	json_t *s = source_status("sky");
	const char *err = json_string_value(json_object_get(s, "last_error"));

	cr_assert(err && strstr(err, "session") && strstr(err, "accessJwt"), "%s",
		  err ? err : "null");
	cr_assert(!strstr(err, "X-Injected"));
	json_decref(s);
	json_t *reqs = rwt_fake_requests(&fake, "bluesky", "listNotifications");

	cr_assert_eq(json_array_size(reqs), 0, "a request was sent with the refused token");
	json_decref(reqs);
	cr_assert(!rwt_daemon_log_contains(&daemon_, "X-Injected"));
}
