/*
 * Connectors while the daemon's surroundings change (rwtconn.h): a hanging
 * platform beside a working one, reloads that keep or drop sources, Redis
 * going away and coming back.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "replywatch/clock.h"
#include "rwtconn.h"

TestSuite(connectors, .init = rwc_setup, .fini = rwc_teardown, .timeout = 120);

/* A hanging platform does not delay another source. */
Test(connectors, slow_source_does_not_block_others)
{
	rwc_start("mastodon x", "");
	rwc_wait_source("masto", "state", "ok", 0, 10);
	rwc_wait_source("xsrc", "state", "ok", 0, 10);
	rwc_fault("mastodon", "{'endpoint': 'notifications', 'kind': 'slow', 'delay_ms': 8000}");
	struct rwc_pending_wait slow = {"mastodon", 1};

	/* mastodon is now waiting on its slow answer */
	cr_assert(rwc_wait(rwc_faults_taken, &slow, 5));

	char *id = rwc_add_mention("x", "zed", rw_now_ms(), NULL);

	rwc_wait_state("xsrc", id, "open", 4);
	free(id);
}

/* A reload keeps an unchanged source's session (no new sign-in) and stops
 * a removed one even while its request hangs; the daemon still exits
 * cleanly. */
Test(connectors, reload_keeps_sessions_and_drops_removed_sources)
{
	rwc_start("mastodon bluesky", "");
	rwc_wait_source("masto", "state", "ok", 0, 10);
	rwc_wait_source("sky", "state", "ok", 0, 10);
	rwc_fault("mastodon", "{'endpoint': '*', 'kind': 'slow', 'delay_ms': 3000, 'count': 5}");
	struct rwc_pending_wait slow = {"mastodon", 5};

	cr_assert(rwc_wait(rwc_faults_taken, &slow, 5)); /* a request hangs */
	rwc_reload_with("bluesky");
	cr_assert(rwc_wait(rwc_reloaded, NULL, 5));

	json_t *st = rwc_get_json("/status");

	cr_assert_eq(json_array_size(json_object_get(st, "sources")), 1);
	json_decref(st);
	char *id = rwc_add_mention("bluesky", "erin.example.com", rw_now_ms(), NULL);

	rwc_wait_state("sky", id, "open", 10);
	sleep(3); /* the abandoned mastodon answer arrives meanwhile */
	/* Counted in the daemon's log: a request curl has to send again on a
	 * fresh connection is one sign-in, though the fake may see it twice. */
	cr_assert_eq(rwc_count_in_log("sky: signed in as"), 1, "signed in again:\n%s",
		     rwt_daemon_log(&rwc.daemon));
	free(id);
}

/* Redis goes away and comes back: polling pauses without failing the
 * source, then goes on. */
Test(connectors, redis_restart_pauses_polling)
{
	rwc_start("x", "");
	rwc_wait_source("xsrc", "state", "ok", 0, 10);
	rwt_redis_stop(&rwc.redis);
	sleep(2);
	rwc_wait_source("xsrc", "state", "ok", 0, 1); /* not the platform's fault */
	rwt_redis_restart(&rwc.redis);
	rwt_daemon_wait_ready(&rwc.daemon, 10);
	char *id = rwc_add_mention("x", "rita", rw_now_ms(), NULL);

	rwc_wait_state("xsrc", id, "open", 10);
	free(id);
}
