/*
 * The generic json source end to end: the real daemon polls rwfake's
 * Discourse (latest posts) and GitHub (issue comments) through nothing but
 * configuration (docs/connectors.md's two worked examples), and tracks what
 * it finds in a real redis-server. A staff post answers a topic and a
 * maintainer's comment an issue (conversation-level brand replies, each
 * open item with its own response time), backfill over pages, exact times,
 * restarts that resume without doubles, a malformed item skipped and
 * counted with nothing else lost, a next URL of another origin refused,
 * 429 and 5xx with backoff, rejected credentials (down, never logged);
 * and `replywatchd --try-source` against the same fakes.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "replywatch/clock.h"
#include "rwtest.h"
#include "rwtsrc.h"

#define MINUTE_MS (60 * 1000LL)
#define DC_KEY "discourse-test-key"
#define GH_TOKEN "github-test-token"

static struct rwt_stack stack;
static const struct rwt_src forum = {&stack.daemon, "forum"};
static const struct rwt_src gh = {&stack.daemon, "gh"};

static void
setup(void)
{
	rwt_stack_up(&stack, true);
	rwt_fake_unlimit(&stack.fake, "github");
	rwt_fake_unlimit(&stack.fake, "discourse");
}

static void
teardown(void)
{
	rwt_stack_down(&stack);
}

TestSuite(json, .init = setup, .fini = teardown, .timeout = 120);

/* The Discourse example of docs/connectors.md, against the fake; extra is
 * spliced into the source object (starts with a comma, or ""). */
static char *
forum_source(const char *key, const char *extra)
{
	char *s;

	cr_assert(asprintf(&s,
			   "{ \"name\": \"forum\", \"type\": \"json\", \"base_url\": \"%s\","
			   " \"poll_every\": \"1s\","
			   " \"request\": { \"url\": \"/posts.json\","
			   "   \"headers\": { \"Api-Username\": \"system\" } },"
			   " \"auth\": { \"type\": \"header\", \"name\": \"Api-Key\","
			   "   \"token\": \"%s\" },"
			   " \"items\": \"/latest_posts\","
			   " \"fields\": { \"id\": \"/id\", \"created_at\": \"/created_at\","
			   "   \"author\": \"/username\", \"text\": \"/raw\","
			   "   \"conversation_id\": \"/topic_id\" },"
			   " \"url_template\": \"%s/t/{/topic_slug}/{/topic_id}/{/post_number}\","
			   " \"brand\": { \"pointer\": \"/username\","
			   "   \"equals\": [\"acme_support\"] }%s }",
			   stack.fake.base, key, stack.fake.base, extra) > 0);
	return s;
}

/* The GitHub example: repository issue comments, a maintainer's comment is
 * the brand's answer to the whole issue. */
static char *
gh_source(const char *token, const char *extra)
{
	char *s;

	cr_assert(
		asprintf(&s,
			 "{ \"name\": \"gh\", \"type\": \"json\", \"base_url\": \"%s\","
			 " \"poll_every\": \"1s\","
			 " \"request\": { \"url\": \"/repos/acme/widgets/issues/comments"
			 "?sort=created&direction=desc&since={since}\","
			 "   \"headers\": { \"Accept\": \"application/vnd.github+json\","
			 "     \"X-GitHub-Api-Version\": \"2022-11-28\" } },"
			 " \"auth\": { \"type\": \"bearer\", \"token\": \"%s\" },"
			 " \"items\": \"\","
			 " \"kind\": \"comment\","
			 " \"fields\": { \"id\": \"/id\", \"created_at\": \"/created_at\","
			 "   \"author\": \"/user/login\", \"text\": \"/body\","
			 "   \"url\": \"/html_url\", \"conversation_id\": \"/issue_url\" },"
			 " \"paging\": { \"type\": \"page\", \"param\": \"page\","
			 "   \"per_page\": 30, \"per_page_param\": \"per_page\" },"
			 " \"brand\": { \"pointer\": \"/author_association\","
			 "   \"equals\": [\"OWNER\", \"MEMBER\"] },"
			 " \"rate_limit\": { \"limit\": \"X-RateLimit-Limit\","
			 "   \"remaining\": \"X-RateLimit-Remaining\","
			 "   \"reset\": \"X-RateLimit-Reset\", \"reset_format\": \"epoch_s\" }%s }",
			 stack.fake.base, token, extra) > 0);
	return s;
}

static const char *log_level = "info";

/* The configuration's top level with sources (a JSON array's inside);
 * caller frees. */
static char *
top_with(const char *sources)
{
	char *top;

	cr_assert(asprintf(&top,
			   ",\n \"log_level\": \"%s\""
			   ",\n \"retention\": { \"backfill\": \"30d\" },\n"
			   " \"policies\": [ { \"name\": \"care\", \"breach_after\": \"4h\" } ],\n"
			   " \"sources\": [ %s ]",
			   log_level, sources) > 0);
	return top;
}

/* Writes the configuration with sources without starting the daemon (for
 * --try-source and a reload) and returns its path; the daemon's port is
 * chosen here when it has none yet, as rwt_stack_start would. */
static char *
write_config(const char *sources)
{
	char *top = top_with(sources), *path;
	int port = stack.daemon.http_port ? stack.daemon.http_port : rwt_free_port();

	path = rwt_write_config(stack.dir, &stack.redis, port, "", top);
	stack.daemon.http_port = port;
	free(top);
	return path;
}

static void
start_daemon(const char *sources)
{
	char *top = top_with(sources);

	rwt_stack_start(&stack, top);
	free(top);
}

/* A post on the fake forum; its id into id (16 bytes). topic 0: a new one. */
static long
dc_post(const char *user, long topic, int64_t at_ms, const char *extra, char *id)
{
	char at[40], *body;
	json_t *r;
	long t;

	rw_time_format(at_ms, at, sizeof(at));
	if (topic > 0)
		cr_assert(asprintf(&body,
				   "{'username': '%s', 'raw': 'post by %s', 'at': '%s',"
				   " 'topic_id': %ld%s}",
				   user, user, at, topic, extra) > 0);
	else
		cr_assert(asprintf(&body, "{'username': '%s', 'raw': 'post by %s', 'at': '%s'%s}",
				   user, user, at, extra) > 0);
	r = rwt_fake_call(&stack.fake, "POST", "/_fake/discourse/post", body);
	snprintf(id, 16, "%lld", (long long)json_integer_value(json_object_get(r, "id")));
	t = (long)json_integer_value(json_object_get(r, "topic_id"));
	json_decref(r);
	free(body);
	return t;
}

/* A comment on issue of the fake repository; its id into id (16 bytes). */
static void
gh_comment(long issue, const char *login, const char *assoc, int64_t at_ms, const char *extra,
	   char *id)
{
	char at[40], *body;
	json_t *r;

	rw_time_format(at_ms, at, sizeof(at));
	cr_assert(asprintf(&body,
			   "{'issue': %ld, 'login': '%s', 'association': '%s', 'at': '%s',"
			   " 'body': 'comment by %s'%s}",
			   issue, login, assoc, at, login, extra) > 0);
	r = rwt_fake_call(&stack.fake, "POST", "/_fake/github/comment", body);
	snprintf(id, 16, "%lld", (long long)json_integer_value(json_object_get(r, "id")));
	json_decref(r);
	free(body);
}

static const char *
str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Whole seconds a while ago (GitHub's times have no fraction). */
static int64_t
seconds_ago(int64_t ms)
{
	int64_t t = rw_now_ms() - ms;

	return t - t % 1000;
}

/* A staff post answers the topic it is in: the customer's post there is
 * replied at the staff post's own time, to the millisecond; a post in
 * another topic stays open; fields and the URL template as configured. */
Test(json, discourse_staff_post_answers_the_topic)
{
	int64_t t0 = rw_now_ms() - 30 * MINUTE_MS + 123;
	char a[16], b[16], staff[16], url[160], *cfg;
	long topic;
	json_t *m;

	topic = dc_post("ann", 0, t0, "", a);
	dc_post("bob", 0, t0 + MINUTE_MS, "", b);
	cfg = forum_source(DC_KEY, "");
	start_daemon(cfg);
	rwt_src_wait_state(&forum, a, "open", 10.0);
	rwt_src_wait_state(&forum, b, "open", 10.0);
	m = rwt_src_mention(&forum, a);
	cr_assert_str_eq(str(m, "author"), "ann");
	cr_assert_str_eq(str(m, "text"), "post by ann");
	cr_assert_str_eq(str(m, "kind"), "mention");
	snprintf(url, sizeof(url), "%s/t/topic-%ld/%ld/1", stack.fake.base, topic, topic);
	cr_assert_str_eq(str(m, "url"), url);
	char conv[24];
	snprintf(conv, sizeof(conv), "%ld", topic);
	cr_assert_str_eq(str(m, "conversation_id"), conv);
	char at[40];
	cr_assert_str_eq(str(m, "created_at"), rw_time_format(t0, at, sizeof(at)));
	json_decref(m);

	dc_post("acme_support", topic, t0 + 7 * MINUTE_MS, ", 'staff': true", staff);
	rwt_src_wait_state(&forum, a, "replied", 10.0);
	m = rwt_src_mention(&forum, a);
	cr_assert_eq(json_number_value(json_object_get(m, "response_seconds")), 7 * 60.0, "%s",
		     json_dumps(m, 0));
	json_decref(m);
	m = rwt_src_mention(&forum, b);
	cr_assert_str_eq(str(m, "state"), "open");
	json_decref(m);
	/* The staff post is the brand's: not tracked as a mention. */
	m = rwt_src_mention(&forum, staff);
	cr_assert_null(m);
	free(cfg);
}

/* GitHub: a maintainer's comment answers every open comment of its issue
 * made before it, each with its own response time; comments of another
 * issue and after it stay open. Backfill over two pages (35 comments, 30 a
 * page); the configured headers went with every request. */
Test(json, github_maintainer_answers_the_issue_over_pages)
{
	int64_t t0 = seconds_ago(3 * 60 * MINUTE_MS);
	char ids[35][16], c1[16], c2[16], other[16], owner[16], later[16], *cfg;
	json_t *m, *st;

	for (int i = 0; i < 35; i++)
		gh_comment(100 + i, "user", "NONE", t0 + i * MINUTE_MS, "", ids[i]);
	gh_comment(7, "carol", "NONE", t0 + 60 * MINUTE_MS, "", c1);
	gh_comment(7, "dave", "CONTRIBUTOR", t0 + 62 * MINUTE_MS, "", c2);
	gh_comment(8, "erin", "NONE", t0 + 63 * MINUTE_MS, "", other);
	cfg = gh_source(GH_TOKEN, "");
	start_daemon(cfg);
	rwt_src_wait_tracked(&gh, 38, 20.0);
	m = rwt_src_mention(&gh, ids[0]);
	cr_assert_str_eq(str(m, "kind"), "comment");
	cr_assert_str_eq(str(m, "conversation_id"),
			 "https://api.github.com/repos/acme/widgets/issues/100");
	json_decref(m);

	gh_comment(7, "maint", "OWNER", t0 + 70 * MINUTE_MS, "", owner);
	gh_comment(7, "carol", "NONE", t0 + 71 * MINUTE_MS, "", later);
	rwt_src_wait_state(&gh, c1, "replied", 10.0);
	rwt_src_wait_state(&gh, c2, "replied", 10.0);
	m = rwt_src_mention(&gh, c1);
	cr_assert_eq(json_number_value(json_object_get(m, "response_seconds")), 600.0);
	json_decref(m);
	m = rwt_src_mention(&gh, c2);
	cr_assert_eq(json_number_value(json_object_get(m, "response_seconds")), 480.0);
	json_decref(m);
	rwt_src_wait_state(&gh, later, "open", 10.0);
	m = rwt_src_mention(&gh, other);
	cr_assert_str_eq(str(m, "state"), "open");
	json_decref(m);
	cr_assert_null(rwt_src_mention(&gh, owner));

	json_t *reqs = rwt_fake_requests(&stack.fake, "github", NULL), *r;
	size_t i, page2 = 0;
	json_array_foreach(reqs, i, r)
	{
		cr_assert_str_eq(str(r, "auth"), "ok");
		page2 += strstr(str(r, "query"), "page=2") != NULL;
	}
	json_decref(reqs);
	cr_assert_geq(page2, 1);
	st = rwt_fake_call(&stack.fake, "GET", "/_fake/state", NULL);
	cr_assert_eq(json_integer_value(
			     json_object_get(json_object_get(st, "github"), "accept_missing")),
		     0);
	cr_assert_eq(json_integer_value(
			     json_object_get(json_object_get(st, "github"), "version_missing")),
		     0);
	json_decref(st);
	free(cfg);
}

/* A comment whose created_at is unreadable is skipped, logged with its
 * pointer and counted among the source's rejects; the comments around it
 * are tracked all the same. */
Test(json, malformed_item_skipped_and_counted)
{
	int64_t t0 = seconds_ago(20 * MINUTE_MS);
	char a[16], bad[16], c[16], *cfg;
	json_t *s, *rej;

	gh_comment(1, "ann", "NONE", t0, "", a);
	gh_comment(1, "bob", "NONE", t0 + MINUTE_MS, ", 'created_at_text': 'yesterday'", bad);
	gh_comment(2, "cy", "NONE", t0 + 2 * MINUTE_MS, "", c);
	cfg = gh_source(GH_TOKEN, "");
	start_daemon(cfg);
	rwt_src_wait_state(&gh, a, "open", 10.0);
	rwt_src_wait_state(&gh, c, "open", 10.0);
	cr_assert_null(rwt_src_mention(&gh, bad));
	cr_assert_eq(rwt_src_tracked(&gh), 2);
	s = rwt_src_status(&gh);
	rej = json_object_get(s, "items_rejected");
	json_int_t n = 0;
	const char *k;
	json_t *v;
	json_object_foreach(rej, k, v) n += json_integer_value(v);
	cr_assert_eq(n, 1, "%s", json_dumps(s, 0));
	cr_assert_str_eq(str(s, "state"), "ok");
	json_decref(s);
	cr_assert(rwt_daemon_log_contains(&stack.daemon, "/created_at"));
	free(cfg);
}

/* A restart goes on from the stored watermark: new comments are found, old
 * ones are not doubled, and the walk does not go back to page 2. */
Test(json, restart_resumes_without_doubles)
{
	int64_t t0 = seconds_ago(3 * 60 * MINUTE_MS), restarted;
	char ids[40][16], fresh[16], *cfg;

	for (int i = 0; i < 40; i++)
		gh_comment(i + 1, "user", "NONE", t0 + i * MINUTE_MS, "", ids[i]);
	cfg = gh_source(GH_TOKEN, "");
	start_daemon(cfg);
	rwt_src_wait_tracked(&gh, 40, 20.0);
	rwt_daemon_stop_clean(&stack.daemon);
	rwt_daemon_cleanup(&stack.daemon);

	gh_comment(99, "late", "NONE", seconds_ago(MINUTE_MS), "", fresh);
	restarted = rw_now_ms();
	start_daemon(cfg);
	rwt_src_wait_state(&gh, fresh, "open", 10.0);
	cr_assert_eq(rwt_src_tracked(&gh), 41);

	json_t *reqs = rwt_fake_requests(&stack.fake, "github", NULL), *r;
	size_t i;
	json_array_foreach(reqs, i, r)
	{
		int64_t at;

		cr_assert_eq(rw_time_parse(str(r, "at"), &at), 0);
		if (at > restarted)
			cr_assert_null(strstr(str(r, "query"), "page=2"), "%s", str(r, "query"));
	}
	json_decref(reqs);
	free(cfg);
}

/* 429 with Retry-After: rate limited, nothing asked before it is over; a
 * 503 is retried with backoff; the source is ok again and nothing lost. */
Test(json, rate_limit_and_server_error_backoff)
{
	char a[16], b[16], *cfg;
	int64_t limited_at = 0, t;
	json_t *reqs, *r;
	size_t i;

	gh_comment(1, "ann", "NONE", seconds_ago(5 * MINUTE_MS), "", a);
	cfg = gh_source(GH_TOKEN, "");
	start_daemon(cfg);
	rwt_src_wait_state(&gh, a, "open", 10.0);
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/github/fault",
				  "{'endpoint': 'issue_comments', 'kind': '429', 'retry_after': 3,"
				  " 'reset_in': 3}"));
	rwt_src_wait_source_state(&gh, "rate_limited", 10.0);
	reqs = rwt_fake_requests(&stack.fake, "github", NULL);
	json_array_foreach(reqs, i, r)
	{
		if (json_integer_value(json_object_get(r, "status")) == 429 && limited_at == 0)
			cr_assert_eq(rw_time_parse(str(r, "at"), &limited_at), 0);
	}
	json_decref(reqs);
	cr_assert_gt(limited_at, 0);
	rwt_src_wait_source_state(&gh, "ok", 15.0);
	reqs = rwt_fake_requests(&stack.fake, "github", NULL);
	json_array_foreach(reqs, i, r)
	{
		cr_assert_eq(rw_time_parse(str(r, "at"), &t), 0);
		cr_assert(t <= limited_at || t >= limited_at + 2900,
			  "a request %lld ms after the 429", (long long)(t - limited_at));
	}
	json_decref(reqs);

	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/github/fault",
				  "{'endpoint': 'issue_comments', 'kind': '503', 'count': 2}"));
	gh_comment(2, "bob", "NONE", seconds_ago(0), "", b);
	rwt_src_wait_state(&gh, b, "open", 20.0);
	rwt_src_wait_source_state(&gh, "ok", 20.0);
	cr_assert(rwt_daemon_log_contains(&stack.daemon, "503"));
	free(cfg);
}

/* A wrong key: the source is down with the platform's reason; the key is
 * in no log line and not in /status. */
Test(json, rejected_credentials_down_never_logged)
{
	static const char wrong[] = "dc-WRONG-key-5Zq1";
	char a[16], *cfg, *log, *text;
	json_t *s;

	dc_post("ann", 0, rw_now_ms() - MINUTE_MS, "", a);
	cfg = forum_source(wrong, "");
	start_daemon(cfg);
	rwt_src_wait_source_state(&forum, "down", 10.0);
	s = rwt_src_status(&forum);
	cr_assert(strstr(str(s, "last_error"), "403"), "%s", str(s, "last_error"));
	text = json_dumps(s, 0);
	cr_assert_null(strstr(text, wrong));
	free(text);
	json_decref(s);
	log = rwt_daemon_log(&stack.daemon);
	cr_assert_null(strstr(log, wrong));
	free(log);
	json_t *reqs = rwt_fake_requests(&stack.fake, "discourse", NULL), *r;
	size_t i;
	json_array_foreach(reqs, i, r) cr_assert_str_eq(str(r, "auth"), "wrong");
	json_decref(reqs);
	free(cfg);
}

static bool
log_says_refused(void *arg)
{
	(void)arg;
	return rwt_daemon_log_contains(&stack.daemon, "next URL is not on");
}

/* A next URL on another host is never followed: the walk ends there, the
 * log says so and the source's rejects count it; the page's items count. */
Test(json, next_url_of_another_origin_refused)
{
	char *cfg, body[700], at[40];
	json_t *s;

	snprintf(body, sizeof(body),
		 "{'endpoint': 'posts', 'kind': 'answer', 'count': 1000, 'body': "
		 "'{\\\"latest_posts\\\": [{\\\"id\\\": 77, \\\"username\\\": \\\"zed\\\","
		 " \\\"raw\\\": \\\"hi\\\", \\\"created_at\\\": \\\"%s\\\", \\\"topic_id\\\": 5,"
		 " \\\"topic_slug\\\": \\\"t\\\", \\\"post_number\\\": 1}],"
		 " \\\"next\\\": \\\"http://127.0.0.2:9/posts.json\\\"}'}",
		 rw_time_format(rw_now_ms() - MINUTE_MS, at, sizeof(at)));
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/discourse/fault", body));
	cfg = forum_source(DC_KEY,
			   ", \"paging\": { \"type\": \"next_url\", \"pointer\": \"/next\" }");
	start_daemon(cfg);
	rwt_src_wait_state(&forum, "77", "open", 10.0);
	cr_assert(rwt_wait_until(log_says_refused, NULL, 10.0));
	s = rwt_src_status(&forum);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(s, "items_rejected"),
							"next_url of another origin")),
		     1, "%s", json_dumps(s, 0));
	cr_assert_str_eq(str(s, "state"), "ok");
	json_decref(s);
	free(cfg);
}

/* ---- replywatchd --try-source ---- */

static int
try_source(const char *name, const char *sources, char **out)
{
	char *path = write_config(sources);
	char *argv[] = {RW_DAEMON_PATH, "--try-source", (char *)name, "-c", path, NULL};
	int rc = rwt_run(argv, out);

	free(path);
	return rc;
}

/* One page of items as they would be tracked, Redis untouched. */
Test(json, try_source_prints_items_as_tracked)
{
	int64_t t0 = seconds_ago(10 * MINUTE_MS);
	char a[16], b[16], owner[16], *cfg, *out, line[600];

	gh_comment(7, "carol", "NONE", t0, "", a);
	gh_comment(7, "maint", "OWNER", t0 + MINUTE_MS, "", owner);
	gh_comment(8, "dave", "NONE", t0 + 2 * MINUTE_MS, "", b);
	cfg = gh_source(GH_TOKEN, "");
	cr_assert_eq(try_source("gh", cfg, &out), 0, "%s", out);
	char at[40];
	snprintf(line, sizeof(line),
		 "{\"list\":\"items\",\"id\":\"%s\",\"kind\":\"comment\",\"created_at\":\"%s\","
		 "\"author\":\"carol\",\"url\":\"https://github.com/acme/widgets/issues/"
		 "7#issuecomment-%s\",\"conversation_id\":\"https://api.github.com/repos/acme/"
		 "widgets/issues/7\",\"in_reply_to\":null,\"from_brand\":false,\"rating\":null,"
		 "\"followers\":null,\"text\":\"comment by carol\"}\n",
		 a, rw_time_format(t0, at, sizeof(at)), a);
	cr_assert_not_null(strstr(out, line), "%s\nnot in\n%s", line, out);
	cr_assert_not_null(strstr(out, "\"from_brand\":true"), "%s", out);
	cr_assert_not_null(strstr(out, "# items: GET "), "%s", out);
	cr_assert_null(strstr(out, GH_TOKEN), "%s", out);
	free(out);
	/* Nothing was stored. */
	redisContext *rc = rwt_redis_connect(&stack.redis);
	redisReply *keys = redisCommand(rc, "DBSIZE");
	cr_assert_eq(keys->integer, 0);
	freeReplyObject(keys);
	redisFree(rc);
	free(cfg);
}

/* Exit codes: 4 with the failed pointer named, 3 when the request is
 * refused, 2 for an unknown source. */
Test(json, try_source_exit_codes)
{
	char a[16], bad[16], *cfg, *out;

	gh_comment(1, "ann", "NONE", seconds_ago(MINUTE_MS), "", a);
	gh_comment(1, "bob", "NONE", seconds_ago(0), ", 'created_at_text': 'soon'", bad);
	cfg = gh_source(GH_TOKEN, "");
	cr_assert_eq(try_source("gh", cfg, &out), 4, "%s", out);
	cr_assert_not_null(strstr(out, "created_at at /created_at"), "%s", out);
	free(out);
	cr_assert_eq(try_source("nope", cfg, &out), 2, "%s", out);
	free(out);
	/* A pointer that is not one: the configuration's error, exit 1. */
	char *broken = gh_source(GH_TOKEN, ", \"reply_at\": \"updated_at\"");
	cr_assert_eq(try_source("gh", broken, &out), 1, "%s", out);
	cr_assert_not_null(strstr(out, "reply_at"), "%s", out);
	free(out);
	free(broken);
	free(cfg);
	cfg = gh_source("gh-WRONG-token", "");
	cr_assert_eq(try_source("gh", cfg, &out), 3, "%s", out);
	cr_assert_null(strstr(out, "gh-WRONG-token"), "%s", out);
	free(out);
	free(cfg);
}

/* Regression: the poller put its own "Accept: application/json" before a
 * connector's headers, so a json source's configured Accept (GitHub's
 * application/vnd.github+json) reached the server second and was ignored. */
Test(json, regression_configured_accept_replaces_the_default)
{
	char a[16], *cfg;
	json_t *st;

	gh_comment(1, "ann", "NONE", seconds_ago(MINUTE_MS), "", a);
	cfg = gh_source(GH_TOKEN, "");
	start_daemon(cfg);
	rwt_src_wait_state(&gh, a, "open", 10.0);
	st = rwt_fake_call(&stack.fake, "GET", "/_fake/state", NULL);
	cr_assert_eq(json_integer_value(
			     json_object_get(json_object_get(st, "github"), "accept_missing")),
		     0);
	json_decref(st);
	free(cfg);
}

/* A source with a "replies" request: the second stream is walked with its
 * own URL, list and pointers, and the brand's reply it finds answers the
 * customer's post at its own time. (The replies come from a scripted
 * answer to requests carrying "replies=", so the main list holds none; an
 * answer without the replies' list would fail the whole poll, as any
 * stream's malformed answer does.) */
Test(json, replies_request_answers_items)
{
	int64_t t0 = rw_now_ms() - 20 * MINUTE_MS + 7;
	char a[16], at[40], body[700], *cfg, *extra;
	long topic;
	json_t *m;

	topic = dc_post("ann", 0, t0, "", a);
	cr_assert(asprintf(&extra,
			   ", \"replies\": { \"request\": { \"url\": \"/posts.json?replies=1\","
			   "   \"headers\": { \"Api-Username\": \"system\" } },"
			   " \"items\": \"/answers\","
			   " \"fields\": { \"id\": \"/post/id\", \"created_at\": \"/post/at\","
			   "   \"conversation_id\": \"/post/topic\" } }") > 0);
	cfg = forum_source(DC_KEY, extra);
	snprintf(body, sizeof(body),
		 "{'endpoint': 'posts', 'kind': 'answer', 'count': 1000, 'param': 'replies',"
		 " 'body': '{\\\"answers\\\": [{\\\"post\\\": {\\\"id\\\": 9001, \\\"at\\\": "
		 "\\\"%s\\\", \\\"topic\\\": %ld}}]}'}",
		 rw_time_format(t0 + 7 * MINUTE_MS, at, sizeof(at)), topic);
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/discourse/fault", body));
	start_daemon(cfg);
	rwt_src_wait_state(&forum, a, "replied", 10.0);
	m = rwt_src_mention(&forum, a);
	cr_assert_eq(json_number_value(json_object_get(m, "response_seconds")), 420.0);
	json_decref(m);
	free(extra);
	free(cfg);
}

/* max_pages bounds a walk: with 1, the backfill reads page 1 only and stops
 * there (the 30 newest of 35 comments are tracked, page 2 is never asked). */
Test(json, max_pages_stops_the_walk)
{
	int64_t t0 = seconds_ago(2 * 60 * MINUTE_MS);
	char ids[35][16], *cfg;

	for (int i = 0; i < 35; i++)
		gh_comment(i + 1, "user", "NONE", t0 + i * MINUTE_MS, "", ids[i]);
	cfg = gh_source(GH_TOKEN, ", \"max_pages\": 1");
	start_daemon(cfg);
	rwt_src_wait_state(&gh, ids[34], "open", 10.0);
	rwt_src_wait_state(&gh, ids[5], "open", 10.0);
	/* A few more polls: still nothing below page 1. */
	json_t *reqs;
	for (int i = 0; i < 50; i++) {
		reqs = rwt_fake_requests(&stack.fake, "github", NULL);
		size_t n = json_array_size(reqs);
		json_decref(reqs);
		if (n >= 3)
			break;
		usleep(100000);
	}
	cr_assert_null(rwt_src_mention(&gh, ids[4]));
	cr_assert_eq(rwt_src_tracked(&gh), 30);
	reqs = rwt_fake_requests(&stack.fake, "github", NULL);
	json_t *r;
	size_t i;
	json_array_foreach(reqs, i, r) cr_assert_null(strstr(str(r, "query"), "page=2"));
	json_decref(reqs);
	free(cfg);
}

static bool
log_says_no_progress(void *arg)
{
	(void)arg;
	return rwt_daemon_log_contains(&stack.daemon, "made no progress");
}

/* An API that hands back the same next URL again: the walk stops there
 * ("no progress", retried with backoff) instead of looping; what it found
 * is kept. */
Test(json, same_next_url_again_stops)
{
	char *cfg, body[700], at[40];
	int64_t t = rw_now_ms() - MINUTE_MS;

	snprintf(body, sizeof(body),
		 "{'endpoint': 'posts', 'kind': 'answer', 'count': 1000, 'body': "
		 "'{\\\"latest_posts\\\": [{\\\"id\\\": 88, \\\"username\\\": \\\"zed\\\","
		 " \\\"raw\\\": \\\"hi\\\", \\\"created_at\\\": \\\"%s\\\", \\\"topic_id\\\": 5,"
		 " \\\"topic_slug\\\": \\\"t\\\", \\\"post_number\\\": 1}],"
		 " \\\"next\\\": \\\"/posts.json?before=88\\\"}'}",
		 rw_time_format(t, at, sizeof(at)));
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/discourse/fault", body));
	cfg = forum_source(DC_KEY,
			   ", \"paging\": { \"type\": \"next_url\", \"pointer\": \"/next\" }");
	start_daemon(cfg);
	rwt_src_wait_state(&forum, "88", "open", 10.0);
	cr_assert(rwt_wait_until(log_says_no_progress, NULL, 10.0));
	json_t *reqs = rwt_fake_requests(&stack.fake, "discourse", NULL);
	/* Two requests a walk (the page, the next URL once), a few walks. */
	cr_assert_lt(json_array_size(reqs), 20);
	json_decref(reqs);
	free(cfg);
}

/* Query auth: the key goes in every URL (the fake logs the query it got)
 * and never in the daemon's log, not even at debug level, nor in /status. */
Test(json, query_key_sent_but_never_logged)
{
	static const char key[] = "qk-SECRET-4242";
	char a[16], *cfg, *log, *text;
	json_t *reqs, *r, *s;
	size_t i, with_key = 0;

	log_level = "debug";
	gh_comment(1, "ann", "NONE", seconds_ago(MINUTE_MS), "", a);
	cr_assert(asprintf(&cfg,
			   "{ \"name\": \"gh\", \"type\": \"json\", \"base_url\": \"%s\","
			   " \"poll_every\": \"1s\","
			   " \"request\": { \"url\": \"/repos/acme/widgets/issues/comments\" },"
			   " \"auth\": { \"type\": \"query\", \"name\": \"api_key\","
			   "   \"token\": \"%s\" },"
			   " \"items\": \"\","
			   " \"fields\": { \"id\": \"/id\", \"created_at\": \"/created_at\","
			   "   \"author\": \"/user/login\" } }",
			   stack.fake.base, key) > 0);
	start_daemon(cfg);
	/* GitHub takes no key in the query: 401, the source is down. */
	rwt_src_wait_source_state(&gh, "down", 10.0);
	reqs = rwt_fake_requests(&stack.fake, "github", NULL);
	json_array_foreach(reqs, i, r) with_key += strstr(str(r, "query"), key) != NULL;
	json_decref(reqs);
	cr_assert_gt(with_key, 0);
	log = rwt_daemon_log(&stack.daemon);
	cr_assert_not_null(strstr(log, "debug"), "not at debug level");
	cr_assert_null(strstr(log, key));
	free(log);
	s = rwt_src_status(&gh);
	text = json_dumps(s, 0);
	cr_assert_null(strstr(text, key));
	free(text);
	json_decref(s);
	log_level = "info";
	free(cfg);
}

/* Discourse pages /posts.json with before=ID of the page's last post
 * (paging "last_item"): a burst of 120 posts while the daemon is away (50
 * a page) is all tracked at the next poll, none twice, and the walk stops
 * at what the previous one saw (no page asked twice). */
Test(json, discourse_burst_paged_by_last_item)
{
	static const char paging[] =
		", \"paging\": { \"type\": \"last_item\", \"pointer\": \"/id\","
		" \"param\": \"before\" }";
	char first[16], ids[120][16], *cfg;
	int64_t t0 = rw_now_ms() - 10 * MINUTE_MS, restarted;
	json_t *m, *reqs, *r, *seen;
	size_t i, nbefore = 0;

	dc_post("ann", 0, t0, "", first);
	cfg = forum_source(DC_KEY, paging);
	start_daemon(cfg);
	rwt_src_wait_state(&forum, first, "open", 10.0);
	rwt_daemon_stop_clean(&stack.daemon);
	rwt_daemon_cleanup(&stack.daemon);

	for (int k = 0; k < 120; k++)
		dc_post(k % 3 ? "bob" : "cid", 0, t0 + (k + 1) * 1000, "", ids[k]);
	restarted = rw_now_ms();
	start_daemon(cfg);
	rwt_src_wait_tracked(&forum, 121, 20.0);
	cr_assert_eq(rwt_src_tracked(&forum), 121);
	/* Each post once: 121 distinct ids, every one of the burst among them. */
	seen = json_object();
	for (int k = 0; k < 120; k++) {
		m = rwt_src_mention(&forum, ids[k]);
		cr_assert_not_null(m, "post %d (%s) not tracked", k, ids[k]);
		cr_assert_str_eq(str(m, "state"), "open");
		json_decref(m);
	}
	/* The walk after the restart: pages before=the last id of the one
	 * before, each asked once, three in all (50, 50, 21 posts). */
	reqs = rwt_fake_requests(&stack.fake, "discourse", NULL);
	json_array_foreach(reqs, i, r)
	{
		int64_t at;
		const char *q = str(r, "query"), *b;

		cr_assert_eq(rw_time_parse(str(r, "at"), &at), 0);
		if (at < restarted || q == NULL || (b = strstr(q, "before=")) == NULL)
			continue;
		cr_assert_null(json_object_get(seen, b), "asked twice: %s", q);
		json_object_set_new(seen, b, json_true());
		nbefore++;
	}
	json_decref(reqs);
	cr_assert_geq(nbefore, 2, "the walk never paged");
	cr_assert(json_object_get(seen, "before=") == NULL);
	json_decref(seen);
	free(cfg);
}

/* rate_limit: GitHub's X-RateLimit-Remaining reaching 0 stops the source's
 * requests until X-RateLimit-Reset (epoch seconds), with no 429 ever; it
 * polls again after the reset and finds what came meanwhile. */
Test(json, rate_limit_headers_wait_for_the_reset)
{
	char a[16], b[16], *cfg;
	int64_t started, t, zero_at = 0, reset_at = 0;
	json_t *reqs, *r, *s;
	size_t i, after = 0;

	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/github/config",
				  "{'rate_limit': 3, 'rate_window': 6}"));
	gh_comment(1, "ann", "NONE", seconds_ago(5 * MINUTE_MS), "", a);
	cfg = gh_source(GH_TOKEN, "");
	started = rw_now_ms();
	start_daemon(cfg);
	rwt_src_wait_state(&gh, a, "open", 10.0);
	/* Three polls spend the window; the daemon learns remaining 0. */
	for (int k = 0; k < 100 && zero_at == 0; k++) {
		json_t *rl;

		s = rwt_src_status(&gh);
		rl = json_object_get(s, "rate_limit");
		if (json_is_integer(json_object_get(rl, "remaining")) &&
		    json_integer_value(json_object_get(rl, "remaining")) == 0 &&
		    str(rl, "reset_at") != NULL &&
		    rw_time_parse(str(rl, "reset_at"), &reset_at) == 0)
			zero_at = rw_now_ms();
		json_decref(s);
		if (zero_at == 0)
			usleep(100 * 1000);
	}
	cr_assert_gt(zero_at, 0, "remaining 0 never seen in /status");
	cr_assert_gt(reset_at, zero_at - 1000);
	gh_comment(2, "bob", "NONE", seconds_ago(0), "", b);
	rwt_src_wait_state(&gh, b, "open", 20.0);
	reqs = rwt_fake_requests(&stack.fake, "github", NULL);
	json_array_foreach(reqs, i, r)
	{
		cr_assert_neq(json_integer_value(json_object_get(r, "status")), 429,
			      "a request made with the budget spent");
		cr_assert_eq(rw_time_parse(str(r, "at"), &t), 0);
		if (t > started && t >= reset_at)
			after++;
	}
	json_decref(reqs);
	cr_assert_gt(after, 0, "no request after the reset");
	free(cfg);
}

static bool
log_says_reloaded(void *arg)
{
	(void)arg;
	return rwt_daemon_log_contains(&stack.daemon, "configuration reloaded");
}

/* A reload that changes a json source's auth (the spec; the source has no
 * other keys to tell) makes it a new source: it is not left to the slow
 * retry of the rejected token (30 s or more), it polls at once with the new
 * one. Before, same_identity ignored the spec and kept the old state. */
Test(json, regression_reload_with_new_auth_polls_afresh)
{
	char a[16], *bad, *good, *path;
	int64_t reloaded;
	json_t *reqs, *r;
	size_t i, ok_after = 0;

	gh_comment(1, "ann", "NONE", seconds_ago(MINUTE_MS), "", a);
	bad = gh_source("gh-WRONG-token", "");
	start_daemon(bad);
	rwt_src_wait_source_state(&gh, "down", 10.0);
	good = gh_source(GH_TOKEN, "");
	path = write_config(good);
	free(path);
	reloaded = rw_now_ms();
	rwt_daemon_signal(&stack.daemon, SIGHUP);
	cr_assert(rwt_wait_until(log_says_reloaded, NULL, 10.0));
	rwt_src_wait_state(&gh, a, "open", 10.0);
	rwt_src_wait_source_state(&gh, "ok", 10.0);
	cr_assert_lt(rw_now_ms() - reloaded, 15000);
	reqs = rwt_fake_requests(&stack.fake, "github", NULL);
	json_array_foreach(reqs, i, r)
	{
		int64_t at;

		cr_assert_eq(rw_time_parse(str(r, "at"), &at), 0);
		if (at >= reloaded - 1000)
			ok_after += strcmp(str(r, "auth"), "ok") == 0;
	}
	json_decref(reqs);
	cr_assert_gt(ok_after, 0);
	free(bad);
	free(good);
}

/* last_item paging with an API that ignores before: the page's last id is
 * the same cursor again, and the walk stops there (no progress) instead of
 * asking for the same page over and over; what it found is kept. */
Test(json, last_item_same_cursor_again_stops)
{
	char *cfg, body[700], at[40];

	snprintf(body, sizeof(body),
		 "{'endpoint': 'posts', 'kind': 'answer', 'count': 1000, 'body': "
		 "'{\\\"latest_posts\\\": [{\\\"id\\\": 89, \\\"username\\\": \\\"zed\\\","
		 " \\\"raw\\\": \\\"hi\\\", \\\"created_at\\\": \\\"%s\\\", \\\"topic_id\\\": 5,"
		 " \\\"topic_slug\\\": \\\"t\\\", \\\"post_number\\\": 1}]}'}",
		 rw_time_format(rw_now_ms() - MINUTE_MS, at, sizeof(at)));
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/discourse/fault", body));
	cfg = forum_source(DC_KEY, ", \"paging\": { \"type\": \"last_item\", \"pointer\": \"/id\","
				   " \"param\": \"before\" }");
	start_daemon(cfg);
	rwt_src_wait_state(&forum, "89", "open", 10.0);
	cr_assert(rwt_wait_until(log_says_no_progress, NULL, 10.0));
	json_t *reqs = rwt_fake_requests(&stack.fake, "discourse", NULL), *r;
	size_t i, with_before = 0;

	json_array_foreach(reqs, i, r) with_before +=
		strstr(str(r, "query") ? str(r, "query") : "", "before=89") != NULL;
	cr_assert_gt(with_before, 0, "the cursor was never sent");
	/* Two requests a walk (the page, before=89 once), a few walks. */
	cr_assert_lt(json_array_size(reqs), 20);
	json_decref(reqs);
	free(cfg);
}
