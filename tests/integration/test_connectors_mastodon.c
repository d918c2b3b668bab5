/*
 * The Mastodon connector end to end against the fake (rwtconn.h): backfill
 * and replies with exact response times, a 401 that takes the source down
 * at once, an answer over the size cap.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/clock.h"
#include "rwtconn.h"

TestSuite(connectors, .init = rwc_setup, .fini = rwc_teardown, .timeout = 120);

Test(connectors, mastodon_backfill_and_replies)
{
	rwc_backfill_and_replies("mastodon", "masto");

	/* The requests asked for mentions only, filtered ones included, and
	 * went on incrementally from the newest id seen. */
	json_t *reqs = rwt_fake_requests(&rwc.fake, "mastodon", "notifications"), *r;
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

/* 401: down at once, with a clear reason and a source_down event. */
Test(connectors, unauthorized_is_down_at_once)
{
	rwc_start("mastodon", "");
	rwc_wait_source("masto", "state", "ok", 0, 10);
	rwc_fault("mastodon", "{'endpoint': '*', 'kind': '401', 'count': 100}");
	rwc_wait_source("masto", "state", "down", 0, 5);

	json_t *s = rwc_source_status("masto");
	const char *err = json_string_value(json_object_get(s, "last_error"));

	cr_assert(err && strstr(err, "401"), "last_error: %s", err ? err : "null");
	json_decref(s);
	struct rwc_event_wait down = {"source_down", 1};

	cr_assert(rwc_wait(rwc_events_reached, &down, 5));
	cr_assert(
		rwc_metrics_contain("replywatch_source_up{source=\"masto\",type=\"mastodon\"} 0"));
	/* No token in the log. */
	cr_assert(!rwt_daemon_log_contains(&rwc.daemon, "mastodon-test-token"));
}

/* An answer over the size cap fails the poll cleanly (counted, retried);
 * the next poll works. */
Test(connectors, huge_answer_is_refused)
{
	rwc_start("mastodon", "");
	rwc_clock_steps(2); /* Backoff passes on the daemon's clock. */
	rwc_wait_source("masto", "state", "ok", 0, 10);
	rwc_fault("mastodon", "{'endpoint': 'notifications', 'kind': 'huge', 'bytes': 12000000}");
	cr_assert(rwc_wait(
		rwc_metrics_contain,
		"replywatch_source_polls_total{source=\"masto\",result=\"network_error\"} 1", 15));
	cr_assert(rwt_daemon_log_contains(&rwc.daemon, "larger than"));
	char *id = rwc_add_mention("mastodon", "hugo", rw_now_ms(), NULL);

	rwc_wait_state("masto", id, "open", 10);
	free(id);
}
