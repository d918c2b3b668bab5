/*
 * The instagram connector end to end: the real daemon polls the fake Graph
 * API (tests/fakes/fake_meta.c, Instagram media and tags) over loopback and
 * tracks comments on the brand's media and media that tag the brand in a
 * real redis-server. Backfill over pages, the brand's reply (one level of
 * replies) credited at Graph's own time, throttling (code 4 with the
 * regain time: rate limited, shown in /status), a revoked token (190:
 * down) and a restart that resumes without doubles.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/clock.h"
#include "rwtmeta.h"

#define MINUTE_MS (60 * 1000LL)
#define PARAMS                                                                                     \
	", \"user_id\": \"" RWM_IG_USER "\", \"username\": \"" RWM_IG_USERNAME "\","               \
	" \"down_after\": \"1h\""

TestSuite(instagram, .init = rwm_setup, .fini = rwm_teardown, .timeout = 120);

static int64_t
now_s(void)
{
	int64_t t = rw_now_ms();

	return t - t % 1000;
}

static char *
media(int64_t at)
{
	return rwm_add("post",
		       "'edge': 'media', 'from_id': '" RWM_IG_USER
		       "', 'username': '" RWM_IG_USERNAME "', 'text': 'New season'",
		       at);
}

static char *
comment(const char *post, const char *parent, const char *from_id, const char *username, int64_t at)
{
	char fields[256];

	snprintf(fields, sizeof(fields),
		 "'post': '%s'%s%s%s, 'from_id': '%s', 'username': '%s', 'text': 'Where?'", post,
		 parent ? ", 'parent': '" : "", parent ? parent : "", parent ? "'" : "", from_id,
		 username);
	return rwm_add("comment", fields, at);
}

/* Five media over three pages (limit 2), a comment on each; the brand
 * replies to the oldest one's comment 5 minutes later; a customer's reply
 * in a thread is tracked too; a media that tags the brand is a mention. */
Test(instagram, backfill_reply_and_tags)
{
	int64_t t0 = now_s() - 2 * 60 * MINUTE_MS;
	char *m[5], *c[5], *reply, *thread, *tag, at[40];
	json_t *it;

	json_decref(
		rwt_fake_call(&rwm.fake, "POST", "/_fake/meta/config", "{'page_limit_max': 2}"));
	for (int i = 0; i < 5; i++) {
		m[i] = media(t0 + i * 10 * MINUTE_MS);
		c[i] = comment(m[i], NULL, "17841400000000900", "ann",
			       t0 + i * 10 * MINUTE_MS + MINUTE_MS);
	}
	reply = comment(m[0], c[0], RWM_IG_USER, RWM_IG_USERNAME, t0 + 6 * MINUTE_MS);
	thread = comment(m[0], c[0], "17841400000000901", "bob", t0 + 7 * MINUTE_MS);
	tag = rwm_add("post",
		      "'edge': 'tags', 'from_id': '17841400000000902', 'username': 'cy',"
		      " 'text': 'Love @brandcafe'",
		      t0);
	rwm_start("instagram", PARAMS);
	for (int i = 0; i < 5; i++)
		rwm_wait_state(c[i], i == 0 ? "replied" : "open", 20.0);
	rwm_wait_state(thread, "open", 10.0);
	rwm_wait_state(tag, "open", 10.0);
	cr_assert_eq(rwm_tracked(), 7);

	it = rwm_mention(c[0]);
	rw_time_format(t0 + 6 * MINUTE_MS, at, sizeof(at));
	cr_assert_str_eq(json_string_value(json_object_get(it, "replied_at")), at, "%s",
			 json_dumps(it, 0));
	cr_assert_str_eq(json_string_value(json_object_get(it, "author")), "ann");
	cr_assert_str_eq(json_string_value(json_object_get(it, "kind")), "comment");
	cr_assert_not_null(strstr(json_string_value(json_object_get(it, "url")), m[0]));
	json_decref(it);
	it = rwm_mention(tag);
	cr_assert_str_eq(json_string_value(json_object_get(it, "kind")), "mention");
	cr_assert_str_eq(json_string_value(json_object_get(it, "author")), "cy");
	json_decref(it);
	cr_assert_geq(rwm_count_requests("media", 0), 3);
	for (int i = 0; i < 5; i++) {
		free(m[i]);
		free(c[i]);
	}
	free(reply);
	free(thread);
	free(tag);
}

/* Code 4 with the regain time: rate limited (not down), /status shows it. */
Test(instagram, throttled_waits)
{
	char *m = media(now_s() - 60 * MINUTE_MS), *c;
	const char *err;
	json_t *s;

	c = comment(m, NULL, "17841400000000900", "ann", now_s() - 30 * MINUTE_MS);
	rwm_start("instagram", PARAMS);
	rwm_wait_state(c, "open", 10.0);
	json_decref(rwt_fake_call(&rwm.fake, "POST", "/_fake/meta/fault",
				  "{'endpoint': 'media', 'kind': '429', 'reset_in': 120}"));
	rwm_wait_source_state("rate_limited", 10.0);
	s = rwm_source_status();
	err = json_string_value(json_object_get(s, "last_error"));
	cr_assert(err != NULL && strstr(err, "error code 4"), "%s", json_dumps(s, 0));
	cr_assert_eq(
		json_integer_value(json_object_get(json_object_get(s, "rate_limit"), "remaining")),
		0);
	json_decref(s);
	free(m);
	free(c);
}

Test(instagram, revoked_token_down)
{
	char *m = media(now_s() - 60 * MINUTE_MS), *log;
	const char *err;
	json_t *s;

	json_decref(rwt_fake_call(&rwm.fake, "POST", "/_fake/meta/revoke", "{}"));
	rwm_start("instagram", PARAMS);
	rwm_wait_source_state("down", 10.0);
	s = rwm_source_status();
	err = json_string_value(json_object_get(s, "last_error"));
	cr_assert(err != NULL && strstr(err, "190"), "%s", err);
	json_decref(s);
	log = rwt_daemon_log(&rwm.daemon);
	cr_assert_null(strstr(log, RWM_TOKEN));
	free(log);
	free(m);
}

Test(instagram, restart_resumes_without_doubles)
{
	char *m = media(now_s() - 60 * MINUTE_MS), *a, *late;

	a = comment(m, NULL, "17841400000000900", "ann", now_s() - 30 * MINUTE_MS);
	rwm_start("instagram", PARAMS);
	rwm_wait_state(a, "open", 10.0);
	rwm_stop();
	late = comment(m, a, "17841400000000901", "bob", now_s());
	rwm_start("instagram", PARAMS);
	rwm_wait_state(late, "open", 10.0);
	cr_assert_eq(rwm_tracked(), 2);
	free(m);
	free(a);
	free(late);
}
