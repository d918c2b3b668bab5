/*
 * The Bluesky connector end to end against the fake (rwtconn.h): backfill
 * and replies, session refresh, walks longer than one poll, a session token
 * carrying CR/LF.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/clock.h"
#include "rwtconn.h"

TestSuite(connectors, .init = rwc_setup, .fini = rwc_teardown, .timeout = 120);

Test(connectors, bluesky_backfill_and_replies)
{
	rwc_backfill_and_replies("bluesky", "sky");
}

static bool
renewed_once(void *arg)
{
	(void)arg;
	return rwt_daemon_log_contains(&rwc.daemon, "sky: session renewed as");
}

/* Bluesky signs in once; an expired access token is refreshed with the
 * refresh token, never by signing in again. */
Test(connectors, bluesky_session_refresh)
{
	json_decref(rwt_fake_call(&rwc.fake, "POST", "/_fake/bluesky/config", "{'access_ttl': 2}"));
	rwc_start("bluesky", "");
	char *first = rwc_add_mention("bluesky", "carol.example.com", rw_now_ms(), NULL);

	rwc_wait_state("sky", first, "open", 10);
	/* The access token's lifetime ends: renewed with the refresh token. */
	cr_assert(rwc_wait(renewed_once, NULL, 10), "no session renewal");
	rwc_fault("bluesky", "{'kind': 'expire_token', 'endpoint': '*'}");
	char *second = rwc_add_mention("bluesky", "dan.example.com", rw_now_ms(), NULL);

	rwc_wait_state("sky", second, "open", 10);
	json_t *created = rwt_fake_requests(&rwc.fake, "bluesky", "createSession");
	json_t *refreshed = rwt_fake_requests(&rwc.fake, "bluesky", "refreshSession");

	cr_assert_geq(json_array_size(created), 1);
	cr_assert_eq(rwc_count_in_log("sky: signed in as"), 1, "signed in %zu times",
		     rwc_count_in_log("sky: signed in as"));
	cr_assert_geq(json_array_size(refreshed), 2);
	cr_assert_geq(rwc_count_in_log("sky: session renewed as"), 2);
	json_decref(created);
	json_decref(refreshed);
	free(first);
	free(second);
}

/* More pages than one poll reads (10): the walk goes on over the next
 * polls from the saved page cursor, and every mention is tracked once. */
Test(connectors, bluesky_walk_longer_than_one_poll)
{
	int64_t now = rw_now_ms();

	json_decref(
		rwt_fake_call(&rwc.fake, "POST", "/_fake/bluesky/config", "{'page_limit_max': 5}"));
	for (int i = 0; i < 73; i++) {
		char author[32];

		snprintf(author, sizeof(author), "c%d.example.com", i % 20);
		free(rwc_add_mention("bluesky", author, now - 40 * 60 * 1000 + i * 1000, NULL));
	}
	rwc_start("bluesky", "");
	rwc_clock_steps(2); /* Polls come as fast as the daemon answers. */
	rwc_wait_source("sky", "mentions_seen", NULL, 73, 20);
	rwc_wait_more_ok_polls("sky", 2);
	cr_assert_eq(rwc_mentions_seen("sky"), 73);

	/* 73 entries at 5 a page: 15 pages, more than one poll's 10. */
	json_t *reqs = rwt_fake_requests(&rwc.fake, "bluesky", "listNotifications");

	cr_assert_geq(json_array_size(reqs), 15);
	json_decref(reqs);
}

/*
 * Regression: a Bluesky accessJwt holding CR/LF was sent verbatim, adding
 * headers of the platform's choosing to every later request. It is refused
 * with a clear poll error and nothing is sent with it.
 */
Test(connectors, regression_bluesky_jwt_with_crlf_is_refused)
{
	rwc_script("bluesky", "createSession",
		   json_pack("{s:s, s:i}", "body",
			     "{\"accessJwt\":\"eyJhbGciOiJIUzI1NiJ9.e30.sig\\r\\nX-Injected: yes\","
			     "\"refreshJwt\":\"eyJhbGciOiJIUzI1NiJ9.e30.sig\","
			     "\"did\":\"did:plc:acmebrand0000000000000000\","
			     "\"handle\":\"acme.bsky.social\"}",
			     "count", 1000));
	rwc_start("bluesky", "");
	rwc_wait_source("sky", "state", "failing", 0, 10);
	json_t *s = rwc_source_status("sky");
	const char *err = json_string_value(json_object_get(s, "last_error"));

	cr_assert(err && strstr(err, "session") && strstr(err, "accessJwt"), "%s",
		  err ? err : "null");
	cr_assert(!strstr(err, "X-Injected"));
	json_decref(s);
	json_t *reqs = rwt_fake_requests(&rwc.fake, "bluesky", "listNotifications");

	cr_assert_eq(json_array_size(reqs), 0, "a request was sent with the refused token");
	json_decref(reqs);
	cr_assert(!rwt_daemon_log_contains(&rwc.daemon, "X-Injected"));
}
