/*
 * rwtmeta: the fixture of the Graph connector suites (test_facebook.c,
 * test_instagram.c) — a redis-server, rwfake (its "meta" platform,
 * tests/fakes/fake_meta.c) and the daemon with the test clock, one source
 * named "meta" of the suite's type. Helpers fail the current test when
 * they cannot do their job.
 */
#ifndef RWTMETA_H
#define RWTMETA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rwtest.h"

#define RWM_SOURCE "meta"
#define RWM_TOKEN "meta-test-token"
#define RWM_PAGE_ID "101"
#define RWM_IG_USER "17841405822304914"
#define RWM_IG_USERNAME "brandcafe"

extern struct rwt_stack rwm;

void rwm_setup(void);
void rwm_teardown(void);

/* Starts the daemon with one source of type ("facebook", "instagram"):
 * params is spliced into it (starts with a comma), polling every second,
 * backfill 30 days. */
void rwm_start(const char *type, const char *params);
/* The same with poll_every every ("auto", "60s", "1h"). */
void rwm_start_every(const char *type, const char *every, const char *params);
/* Stops the daemon cleanly, ready for rwm_start again. */
void rwm_stop(void);

/* A control call on /_fake/meta/what (body with ' for "); returns the new
 * object's id (caller frees). created_ms 0: the fake's now. */
char *rwm_add(const char *what, const char *fields, int64_t created_ms);

/* The item as /mentions/meta:ID shows it, or NULL (caller decrefs). */
json_t *rwm_mention(const char *id);
/* Waits until item id is in state want ("open", "replied"), or fails. */
void rwm_wait_state(const char *id, const char *want, double timeout_s);
/* How many items the source tracks. */
size_t rwm_tracked(void);
/* The /status entry of the source (caller decrefs). */
json_t *rwm_source_status(void);
/* Waits until the source's state is want, or fails. */
void rwm_wait_source_state(const char *want, double timeout_s);
/* Requests the fake logged for endpoint (NULL: all) at or after after_ms. */
size_t rwm_count_requests(const char *endpoint, int64_t after_ms);

#endif
