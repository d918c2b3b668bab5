/*
 * rwtsrc: what a test sees of one source through a running daemon's HTTP
 * API (/mentions, /status), with waits that fail the test with the daemon's
 * log when the condition never comes.
 */
#ifndef RWTSRC_H
#define RWTSRC_H

#include <jansson.h>
#include <stddef.h>

#include "rwtest.h"

struct rwt_src {
	const struct rwt_daemon *d;
	const char *name; /* the source's name */
};

/* GET /mentions/NAME:ID (the id URL-escaped), or NULL when not tracked.
 * Caller decrefs. */
json_t *rwt_src_mention(const struct rwt_src *s, const char *id);

/* Waits until mention id is in state want ("open", "replied", ...). */
void rwt_src_wait_state(const struct rwt_src *s, const char *id, const char *want,
			double timeout_s);

/* How many mentions the source tracks, in every state (at most 1000). */
size_t rwt_src_tracked(const struct rwt_src *s);

/* Waits until the source tracks at least n mentions. */
void rwt_src_wait_tracked(const struct rwt_src *s, size_t n, double timeout_s);

/* The source's entry of GET /status (caller decrefs); fails the test when
 * it has none. */
json_t *rwt_src_status(const struct rwt_src *s);

/* Waits until the source's /status state is want ("ok", "down", ...). */
void rwt_src_wait_source_state(const struct rwt_src *s, const char *want, double timeout_s);

#endif
