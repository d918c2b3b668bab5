/*
 * rwtconn: the connector suites' fixture (tests/integration/
 * test_connectors_*.c) — one redis-server, one fake platform server
 * (rwfake) and the real daemon polling the fake Mastodon, X and Bluesky
 * APIs over loopback, started with the test clock (rwt_clock_advance) so
 * a test can move past backoff and poll waits instead of waiting for them.
 *
 * One fixture per test process (Criterion runs each test in its own):
 * rwc_setup and rwc_teardown are the suite's .init and .fini. Every helper
 * fails the current test (cr_assert) when it cannot do its job.
 */
#ifndef RWTCONN_H
#define RWTCONN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rwtest.h"

extern struct rwt_stack rwc;

/* Redis and the fake up; the daemon waits for rwc_start. */
void rwc_setup(void);
/* The daemon stopped cleanly (or the test fails), then everything else. */
void rwc_teardown(void);

/* Policies of every connector suite: "vip" (min_followers 10000, breach
 * 1 h) before "social" (warn 2 h, breach 3 h); backfill 1 h. */
#define RWC_POLICIES                                                                               \
	",\n \"retention\": { \"backfill\": \"1h\" },\n"                                           \
	" \"policies\": [ { \"name\": \"vip\", \"match\": { \"min_followers\": 10000 },"           \
	" \"breach_after\": \"1h\" },"                                                             \
	" { \"name\": \"social\", \"warn_after\": \"2h\", \"breach_after\": \"3h\" } ]"

/* The sources named in which ("mastodon", "x", "bluesky", space-separated:
 * masto, xsrc and sky) against the fake, polling every second, as the
 * "sources" member (caller frees). extra is spliced into each source
 * object (starts with a comma, or ""). */
char *rwc_sources_json(const char *which, const char *extra);
/* Writes the configuration for which/extra, starts the daemon with the
 * test clock (on the port it had, if it ran before) and waits until ready. */
void rwc_start(const char *which, const char *extra);
/* Rewrites the configuration with which and sends SIGHUP. */
void rwc_reload_with(const char *which);
/* True once the daemon logged "configuration reloaded" (arg unused). */
bool rwc_reloaded(void *arg);
/* Moves the daemon's clock forward (rwt_clock_advance). */
int64_t rwc_advance(int64_t seconds);
/* From now on in this test, every rwc_wait* helper moves the daemon's
 * clock forward by seconds between its checks (rwc.daemon.clock_step_s,
 * rwt_wait), so backoff and poll waits pass at once; 0 (the default) waits
 * in real time. Not for tests whose assertions compare the daemon's times
 * with the fake's real clock. */
void rwc_clock_steps(int64_t seconds);
/* rwt_wait on the fixture's daemon: polls cond(arg) until true or
 * timeout_s passes (in real time), stepping the clock as rwc_clock_steps
 * says. */
bool rwc_wait(bool (*cond)(void *arg), void *arg, double timeout_s);

/* GET path from the daemon as JSON, or NULL unless 200 (caller decrefs). */
json_t *rwc_get_json(const char *path);
/* The mention SOURCE:ID as /mentions/KEY shows it, or NULL (caller decrefs). */
json_t *rwc_mention(const char *source, const char *id);
/* Waits until the mention's state is want. */
void rwc_wait_state(const char *source, const char *id, const char *want, double timeout_s);
/* The /status entry of source name (caller decrefs). */
json_t *rwc_source_status(const char *name);
/* Waits until field of the source's /status entry is the string want, or
 * (want NULL) a number of at least at_least. */
void rwc_wait_source(const char *name, const char *field, const char *want, long long at_least,
		     double timeout_s);
/* The source's mentions_seen. */
long long rwc_mentions_seen(const char *name);
/* A string field of the mention copied into buf ("(null)" when absent). */
const char *rwc_field_of(const char *source, const char *id, const char *field, char *buf,
			 size_t len);
/* A time field of the mention, in ms (fails unless it parses). */
int64_t rwc_time_field(const char *source, const char *id, const char *field);
/* The mention's response_seconds. */
double rwc_response_seconds(const char *source, const char *id);

/* How many times needle appears in the daemon's log. */
size_t rwc_count_in_log(const char *needle);
/* The value of the /metrics line starting with prefix (-1: none). */
double rwc_metric_value(const char *prefix);
/* Waits until that value is at least at_least. */
void rwc_wait_metric(const char *prefix, double at_least, double timeout_s);
/* Waits for n more polls of source that ended ok. */
void rwc_wait_more_ok_polls(const char *source, double n);
/* True when /metrics contains the text arg. */
bool rwc_metrics_contain(void *arg);

/* Events of type in /events. */
size_t rwc_count_events(const char *type);
struct rwc_event_wait {
	const char *type;
	size_t n;
};
/* True when at least w->n events of w->type are in /events. */
bool rwc_events_reached(void *w);

/* Now on the test's clock, rounded down to a whole second, so platform
 * times are exact. */
int64_t rwc_now_s_ms(void);
/* Adds a customer mention on platform at ms; returns its platform id
 * (caller frees). extra (' for ") is spliced into the fake's request. */
char *rwc_add_mention(const char *platform, const char *author, int64_t at_ms, const char *extra);
/* Adds a brand reply to id on platform at ms. */
void rwc_add_reply(const char *platform, const char *id, int64_t at_ms);
/* Queues a fault (' for ") on the platform: /_fake/PLATFORM/fault. */
void rwc_fault(const char *platform, const char *body);
/* Queues a scripted answer ("answer" fault) for endpoint built from
 * fault_doc, which it takes over. */
void rwc_script(const char *platform, const char *endpoint, json_t *fault_doc);
struct rwc_pending_wait {
	const char *platform;
	long below;
};
/* True when fewer than w->below faults of the platform are still queued. */
bool rwc_faults_taken(void *w);

/* Per platform: backfill window, replies before and after the start with
 * exact response times, and a mention made after the start. */
void rwc_backfill_and_replies(const char *platform, const char *source);

#endif
