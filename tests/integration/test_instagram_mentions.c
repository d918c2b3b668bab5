/*
 * Instagram @mentions end to end: they come only by webhook, with ids only
 * (comment_id, media_id). The real daemon takes the signed delivery (sent by
 * rwfake's Meta sender), queues the ids in Redis before answering 200, and
 * its poll reads each one from the fake Graph API's IG user node
 * (mentioned_comment / mentioned_media) and tracks it with its author,
 * text, link and the comment's own time (never later than the receipt).
 * Also: the webhook wakes a source that polls hourly; the queue survives a
 * restart while Graph fails; a throttled read keeps it queued; a mention
 * Graph says is gone is dropped and counted; one that cannot be read is
 * tracked with what the webhook gave after five failed reads, or after a
 * day of Graph failing.
 */
#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/clock.h"
#include "rwtmeta.h"

#define MINUTE_MS (60 * 1000LL)
#define APP_SECRET "meta-app-secret-for-tests"
#define PARAMS                                                                                     \
	", \"user_id\": \"" RWM_IG_USER "\", \"username\": \"" RWM_IG_USERNAME "\","               \
	" \"down_after\": \"1h\", \"app_secret\": \"" APP_SECRET "\""
#define QUEUE_KEY "t:{" RWM_SOURCE "}:hq"

TestSuite(instagram_mentions, .init = rwm_setup, .fini = rwm_teardown, .timeout = 120);

static int64_t
now_s(void)
{
	int64_t t = rw_now_ms();

	return t - t % 1000;
}

/* Another account's media (in no list of the brand's) and a comment on it
 * that @mentions the brand; *comment_id gets the comment's id. Returns the
 * media's id. Both caller frees. */
static char *
mention_comment(int64_t at, char **comment_id)
{
	char *media = rwm_add("post",
			      "'edge': 'other', 'from_id': '17841400000000700', 'username': 'sam',"
			      " 'text': 'Lunch'",
			      at - 10 * MINUTE_MS);
	char fields[200];

	snprintf(fields, sizeof(fields),
		 "'post': '%s', 'from_id': '17841400000000900', 'username': 'jane.customer',"
		 " 'text': '@" RWM_IG_USERNAME " is the shop open?'",
		 media);
	*comment_id = rwm_add("comment", fields, at);
	return media;
}

/* A "mentions" delivery: comment_id (NULL: a caption mention) on media. */
static long
send_mention(const char *comment_id, const char *media_id)
{
	char *body, value[200];
	json_t *r;
	long status;

	if (comment_id != NULL)
		snprintf(value, sizeof(value), "{'media_id': '%s', 'comment_id': '%s'}", media_id,
			 comment_id);
	else
		snprintf(value, sizeof(value), "{'media_id': '%s'}", media_id);
	cr_assert(asprintf(&body,
			   "{'url': 'http://127.0.0.1:%d/hooks/" RWM_SOURCE "',"
			   " 'app_secret': '" APP_SECRET "', 'payload': {'object': 'instagram',"
			   " 'entry': [{'id': '" RWM_IG_USER "', 'time': %lld,"
			   " 'changes': [{'field': 'mentions', 'value': %s}]}]}}",
			   rwm.daemon.http_port, (long long)(now_s() / 1000), value) > 0);
	r = rwt_fake_call(&rwm.fake, "POST", "/_fake/meta_hooks/send", body);
	status = (long)json_integer_value(json_array_get(json_object_get(r, "status"), 0));
	json_decref(r);
	free(body);
	return status;
}

static const char *
str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* How many items the queue holds in Redis. */
static long long
queued(void)
{
	redisContext *c = rwt_redis_connect(&rwm.redis);
	redisReply *r = redisCommand(c, "ZCARD %s", QUEUE_KEY);
	long long n;

	cr_assert(r != NULL && r->type == REDIS_REPLY_INTEGER);
	n = r->integer;
	freeReplyObject(r);
	redisFree(c);
	return n;
}

/* The source's /status "queue" counter what. */
static long long
queue_count(const char *what)
{
	json_t *s = rwm_source_status();
	long long n = json_integer_value(json_object_get(json_object_get(s, "queue"), what));

	json_decref(s);
	return n;
}

static bool
mentions_read(void *arg)
{
	return rwm_count_requests("mentions", 0) >= *(size_t *)arg;
}

static void
wait_reads(size_t n)
{
	cr_assert(rwt_wait_until(mentions_read, &n, 20.0), "no read of the mention:\n%s",
		  rwt_daemon_log(&rwm.daemon));
}

static bool
log_has(void *arg)
{
	return rwt_daemon_log_contains(&rwm.daemon, arg);
}

/* True once the mention arg (a comment id) is tracked. */
static bool
mention_tracked(void *arg)
{
	json_t *m = rwm_mention(arg);
	bool found = m != NULL;

	json_decref(m);
	return found;
}

static bool
polled_once(void *arg)
{
	json_t *s = rwm_source_status();
	bool done = json_is_string(json_object_get(s, "last_success_at"));

	(void)arg;
	json_decref(s);
	return done;
}

/* The webhook names the comment; the poll reads it and tracks it whole. A
 * caption mention likewise. The source polls hourly: the webhook wakes it. */
Test(instagram_mentions, webhook_then_poll_reads_the_mention)
{
	int64_t at = now_s() - 30 * MINUTE_MS;
	char *comment, *media = mention_comment(at, &comment), *caption, want[40];
	struct rwt_response r;
	json_t *m;

	caption = rwm_add("post",
			  "'edge': 'other', 'from_id': '17841400000000701', 'username': 'kim',"
			  " 'text': 'Coffee at @" RWM_IG_USERNAME "'",
			  at - 5 * MINUTE_MS);
	rwm_start_every("instagram", "1h", PARAMS);
	cr_assert(rwt_wait_until(polled_once, NULL, 10.0));
	cr_assert_eq(send_mention(comment, media), 200);
	cr_assert_eq(send_mention(NULL, caption), 200);
	rwm_wait_state(comment, "open", 10.0);
	rwm_wait_state(caption, "open", 10.0);
	m = rwm_mention(comment);
	cr_assert_str_eq(str(m, "kind"), "mention");
	cr_assert_str_eq(str(m, "author"), "jane.customer");
	cr_assert_str_eq(str(m, "text"), "@" RWM_IG_USERNAME " is the shop open?");
	cr_assert_str_eq(str(m, "conversation_id"), media);
	cr_assert_not_null(strstr(str(m, "url"), media), "%s", str(m, "url"));
	rw_time_format(at, want, sizeof(want));
	cr_assert_str_eq(str(m, "created_at"), want, "the comment's own time");
	json_decref(m);
	m = rwm_mention(caption);
	cr_assert_str_eq(str(m, "author"), "kim");
	cr_assert_str_eq(str(m, "text"), "Coffee at @" RWM_IG_USERNAME);
	json_decref(m);
	cr_assert_eq(queued(), 0);
	cr_assert_eq(queue_count("read"), 2);
	r = rwt_http(rwm.daemon.http_port, "GET", "/metrics", NULL, NULL);
	cr_assert_not_null(strstr(r.body,
				  "replywatch_source_queued_reads_total{source=\"" RWM_SOURCE
				  "\",result=\"read\"} 2\n"),
			   "%s", r.body);
	rwt_response_free(&r);
	/* A replay of the delivery tracks nothing new. */
	cr_assert_eq(send_mention(comment, media), 200);
	wait_reads(3);
	cr_assert_eq(rwm_tracked(), 2);
	free(media);
	free(comment);
	free(caption);
}

/* Graph fails (5xx): the id stays queued, across a restart, and is read
 * once Graph answers again. */
Test(instagram_mentions, queue_survives_a_restart)
{
	int64_t at = now_s() - 30 * MINUTE_MS;
	char *comment, *media = mention_comment(at, &comment), *again;
	json_t *m;

	json_decref(rwt_fake_call(&rwm.fake, "POST", "/_fake/meta/fault",
				  "{'endpoint': 'mentions', 'kind': '500', 'count': 1000}"));
	rwm_start("instagram", PARAMS);
	cr_assert_eq(send_mention(comment, media), 200);
	wait_reads(1);
	cr_assert_null(rwm_mention(comment));
	cr_assert_eq(queued(), 1);
	rwm_stop();
	/* Graph is back (the same objects again, faults gone). */
	json_decref(rwt_fake_call(&rwm.fake, "POST", "/_fake/reset", "{}"));
	free(media);
	media = mention_comment(at, &again);
	cr_assert_str_eq(again, comment);
	rwm_start("instagram", PARAMS);
	rwm_wait_state(comment, "open", 10.0);
	m = rwm_mention(comment);
	cr_assert_str_eq(str(m, "author"), "jane.customer");
	json_decref(m);
	cr_assert_eq(queued(), 0);
	free(media);
	free(comment);
	free(again);
}

/* A comment Graph no longer has (400, code 100, subcode 33): dropped,
 * logged, counted, never tracked. */
Test(instagram_mentions, gone_mention_is_dropped)
{
	rwm_start("instagram", PARAMS);
	cr_assert_eq(send_mention("17870913679156999", "17900000000000002"), 200);
	wait_reads(1);
	cr_assert(rwt_wait_until(log_has, "no longer on the platform", 10.0));
	cr_assert_eq(queued(), 0);
	cr_assert_eq(queue_count("gone"), 1);
	cr_assert_eq(rwm_tracked(), 0);
}

/* Answers Graph gives that cannot be used: five failed reads, then the
 * mention is tracked with what the webhook gave (author unknown, the
 * receipt time), never lost. */
Test(instagram_mentions, unreadable_mention_is_tracked_after_five_failures)
{
	int64_t at = now_s() - 30 * MINUTE_MS, sent;
	char *comment, *media = mention_comment(at, &comment);
	int64_t created;
	json_t *m;

	json_decref(rwt_fake_call(&rwm.fake, "POST", "/_fake/meta/fault",
				  "{'endpoint': 'mentions', 'kind': 'answer', 'count': 100,"
				  " 'status': 200, 'body': '{}'}"));
	rwm_start("instagram", PARAMS);
	sent = rw_now_ms();
	cr_assert_eq(send_mention(comment, media), 200);
	rwm_wait_state(comment, "open", 30.0);
	m = rwm_mention(comment);
	cr_assert_str_eq(str(m, "author"), "unknown");
	cr_assert_str_eq(str(m, "conversation_id"), media);
	cr_assert_eq(rw_time_parse(str(m, "created_at"), &created), 0);
	cr_assert(created >= sent - 1000 && created <= rw_now_ms(), "the receipt time");
	json_decref(m);
	cr_assert_eq(queue_count("failed"), 5);
	cr_assert_eq(queue_count("given_up"), 1);
	cr_assert_eq(queued(), 0);
	free(media);
	free(comment);
}

/* Graph throttles the read (code 4): the poll ends rate limited, the id
 * stays queued and no failed read is counted. */
Test(instagram_mentions, throttled_read_keeps_the_mention_queued)
{
	int64_t at = now_s() - 30 * MINUTE_MS;
	char *comment, *media = mention_comment(at, &comment);

	json_decref(rwt_fake_call(&rwm.fake, "POST", "/_fake/meta/fault",
				  "{'endpoint': 'mentions', 'kind': '429', 'reset_in': 600}"));
	rwm_start("instagram", PARAMS);
	cr_assert_eq(send_mention(comment, media), 200);
	rwm_wait_source_state("rate_limited", 10.0);
	cr_assert_null(rwm_mention(comment));
	cr_assert_eq(queued(), 1);
	cr_assert_eq(queue_count("failed"), 0);
	free(media);
	free(comment);
}

/* Graph down for a day: the mention is then tracked with what the webhook
 * gave, not lost. */
Test(instagram_mentions, queued_for_a_day_is_tracked_as_given)
{
	int64_t at = now_s() - 30 * MINUTE_MS;
	char *comment, *media = mention_comment(at, &comment);
	json_t *m;

	json_decref(rwt_fake_call(&rwm.fake, "POST", "/_fake/meta/fault",
				  "{'endpoint': 'mentions', 'kind': '503', 'count': 100000}"));
	rwm_start("instagram", PARAMS);
	cr_assert_eq(send_mention(comment, media), 200);
	wait_reads(1);
	cr_assert_null(rwm_mention(comment));
	rwt_clock_advance(&rwm.daemon, 24 * 3600 + 60);
	cr_assert(rwt_wait_advancing(&rwm.daemon, 300, log_has, "queued for too long", 20.0), "%s",
		  rwt_daemon_log(&rwm.daemon));
	/* The log line comes before the ingest it announces: wait for both. */
	cr_assert(rwt_wait_until(mention_tracked, comment, 10.0), "%s",
		  rwt_daemon_log(&rwm.daemon));
	m = rwm_mention(comment);
	cr_assert_not_null(m);
	cr_assert_str_eq(str(m, "author"), "unknown");
	json_decref(m);
	cr_assert_eq(queue_count("given_up"), 1);
	cr_assert_eq(queue_count("failed"), 0);
	cr_assert_eq(queued(), 0);
	free(media);
	free(comment);
}

/* A comment dated after the delivery that named it (a clock ahead): its
 * time is the receipt, never later. */
Test(instagram_mentions, mention_dated_after_its_receipt_is_capped)
{
	char *comment, *media = mention_comment(now_s() + 60 * MINUTE_MS, &comment);
	int64_t sent, created;
	json_t *m;

	/* Polled hourly: the read comes a second after the delivery (the
	 * wake-up), so a time capped at the read would be later still. */
	rwm_start_every("instagram", "1h", PARAMS);
	cr_assert(rwt_wait_until(polled_once, NULL, 10.0));
	sent = rw_now_ms();
	cr_assert_eq(send_mention(comment, media), 200);
	rwm_wait_state(comment, "open", 10.0);
	m = rwm_mention(comment);
	cr_assert_str_eq(str(m, "author"), "jane.customer");
	cr_assert_eq(rw_time_parse(str(m, "created_at"), &created), 0);
	cr_assert(created >= sent - 1000 && created < sent + 900, "%s", str(m, "created_at"));
	json_decref(m);
	free(media);
	free(comment);
}

static bool
tracked_at_least(void *arg)
{
	return rwm_tracked() >= *(size_t *)arg;
}

/* More than a poll reads (20) in one delivery: the next poll comes at
 * once, not at poll_every. */
Test(instagram_mentions, a_burst_drains_at_once)
{
	int64_t at = now_s() - 30 * MINUTE_MS;
	char *media = rwm_add("post",
			      "'edge': 'other', 'from_id': '17841400000000700', 'username': 'sam',"
			      " 'text': 'Lunch'",
			      at - 10 * MINUTE_MS);
	char *ids[25], fields[200], *changes = strdup(""), *body, *grown;
	size_t want = 25;
	json_t *r;

	for (int i = 0; i < 25; i++) {
		snprintf(fields, sizeof(fields),
			 "'post': '%s', 'from_id': '1784140000000%04d', 'username': 'fan%d',"
			 " 'text': '@" RWM_IG_USERNAME " hi'",
			 media, i, i);
		ids[i] = rwm_add("comment", fields, at + i * 1000);
		cr_assert(asprintf(&grown,
				   "%s%s{'field': 'mentions', 'value': {'media_id': '%s',"
				   " 'comment_id': '%s'}}",
				   changes, i ? ", " : "", media, ids[i]) > 0);
		free(changes);
		changes = grown;
	}
	rwm_start_every("instagram", "1h", PARAMS);
	cr_assert(rwt_wait_until(polled_once, NULL, 10.0));
	cr_assert(asprintf(&body,
			   "{'url': 'http://127.0.0.1:%d/hooks/" RWM_SOURCE "',"
			   " 'app_secret': '" APP_SECRET "', 'payload': {'object': 'instagram',"
			   " 'entry': [{'id': '" RWM_IG_USER "', 'time': %lld, 'changes': [%s]}]}}",
			   rwm.daemon.http_port, (long long)(now_s() / 1000), changes) > 0);
	r = rwt_fake_call(&rwm.fake, "POST", "/_fake/meta_hooks/send", body);
	cr_assert_eq(json_integer_value(json_array_get(json_object_get(r, "status"), 0)), 200);
	json_decref(r);
	cr_assert(rwt_wait_until(tracked_at_least, &want, 15.0), "%zu tracked\n%s", rwm_tracked(),
		  rwt_daemon_log(&rwm.daemon));
	cr_assert_eq(queued(), 0);
	for (int i = 0; i < 25; i++)
		free(ids[i]);
	free(changes);
	free(body);
	free(media);
}
