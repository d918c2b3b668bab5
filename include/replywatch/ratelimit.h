/*
 * ratelimit: each platform's rate-limit headers read into one shape (pure;
 * the poller supplies the headers through a lookup function). Which
 * headers a platform sends is in its descriptor (platform.h), e.g.
 *
 *   mastodon  X-RateLimit-Limit/-Remaining/-Reset   reset: ISO 8601 time
 *   x         x-rate-limit-limit/-remaining/-reset  reset: Unix seconds
 *   bluesky   RateLimit-Limit/-Remaining/-Reset     reset: Unix seconds
 *   any       Retry-After                           seconds, or an HTTP date
 */
#ifndef REPLYWATCH_RATELIMIT_H
#define REPLYWATCH_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "replywatch/config.h"

struct rw_ratelimit {
	bool known;          /* the answer carried this platform's headers */
	long limit;          /* -1 when not given */
	long remaining;      /* -1 when not given */
	int64_t reset_at_ms; /* 0 when not given */
	int64_t retry_at_ms; /* from Retry-After; 0 when not given */
};

/* Returns the value of header name (case-insensitive), or NULL. */
typedef const char *rw_header_lookup_fn(void *arg, const char *name);

/* The longest wait a server can ask for: a Retry-After or a reset further
 * ahead is taken as this far ahead (a "Retry-After: 999999999" would
 * otherwise park a source for decades, never counted as down). */
#define RW_RATELIMIT_MAX_WAIT_MS (3600LL * 1000)

/* Reads type's headers (and Retry-After) of one answer received at now_ms.
 * Unparsable values are treated as absent; reset_at_ms and retry_at_ms are
 * at most now_ms + RW_RATELIMIT_MAX_WAIT_MS. Never fails. */
void rw_ratelimit_read(enum rw_source_type type, rw_header_lookup_fn *lookup, void *arg,
		       int64_t now_ms, struct rw_ratelimit *out);

/* rw_ratelimit_read for source src: the headers its configuration names
 * when its type has them per source (platform.h ratelimit_headers_of: the
 * json type's "rate_limit"), else its type's. Never fails. */
void rw_ratelimit_read_source(const struct rw_source_config *src, rw_header_lookup_fn *lookup,
			      void *arg, int64_t now_ms, struct rw_ratelimit *out);

/* For a platform's own reader: s as a decimal count without sign, with
 * optional blanks around it, at most max. Returns 0, or -1 (NULL, empty,
 * not a number, too large). */
int rw_ratelimit_count(const char *s, int64_t max, int64_t *out);

#endif
