/*
 * platform: one descriptor per source type, in one table that the
 * configuration, the poller and /status read. A descriptor says what the
 * type's configuration takes (its own keys, the default base URL and poll
 * interval), how its answers carry rate limits, and which connector polls
 * it (connector.h).
 *
 * Adding a platform: its connector file defines its descriptor next to its
 * connector (sources/NAME.c), its pure parser has a header in
 * replywatch/sources/, and the type gets a name in enum rw_source_type
 * (config.h) and one line in the table of daemon/sources/platforms.c.
 */
#ifndef REPLYWATCH_PLATFORM_H
#define REPLYWATCH_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replywatch/config.h"
#include "replywatch/ratelimit.h"

struct rw_connector;

/* How the configuration reads one of a type's own keys into struct
 * rw_source_param. */
enum rw_param_kind {
	RW_PARAM_STRING,  /* a non-empty string, in .value */
	RW_PARAM_DIGITS,  /* a numeric id kept as a string, in .value */
	RW_PARAM_URL,     /* an http(s) URL, in .value */
	RW_PARAM_POINTER, /* a JSON pointer ("" or "/a/b"), in .value */
	RW_PARAM_SECRET,  /* a secret reference, resolved into .secret */
	RW_PARAM_FIELDS,  /* the json type's field map, a copy in .json */
};

struct rw_param_spec {
	const char *key;
	enum rw_param_kind kind;
	bool required;
};

/* A platform whose rate limits come as three headers (limit, remaining,
 * reset); names are matched without regard to case. */
struct rw_ratelimit_headers {
	const char *limit, *remaining, *reset;
	bool reset_is_time; /* reset is an RFC 3339 time (Unix seconds are taken too) */
};

/* A platform whose calls all spend one daily quota of units (YouTube: 10 000
 * a day, reset at midnight Pacific time, at least one unit a call). The
 * poller keeps the day's count under one rate-limit entry named endpoint,
 * whatever endpoint a request is for (so /status shows limit, remaining
 * and reset_at for the quota and the scheduler can spread what is left),
 * and when an answer says the quota is spent it waits until the reset
 * instead of calling the source down. quota.h reads these. */
struct rw_daily_quota {
	const char *endpoint; /* the name of the shared rate-limit entry ("quota") */
	long units;           /* a day's allocation */
	long cost;            /* units each request costs */
	const char *zone;     /* the reset is midnight on this zone's clock (a tz name) */
	/* True when a refused answer says the day's units are spent (YouTube:
	 * a 403 whose errors[].reason is quotaExceeded). */
	bool (*spent)(long status, const char *body, size_t len);
};

struct rw_platform {
	const char *name;       /* the configuration's "type" */
	const char *base_url;   /* the default; NULL when there is none */
	bool base_url_required; /* no sensible default (an instance, an endpoint) */
	bool pushed;            /* items arrive over HTTP: no base_url, poll_every, down_after */
	int64_t poll_every;     /* the default poll interval in seconds (0: 60) */
	const struct rw_param_spec *params; /* the type's own keys; ends with a NULL key */
	const char *one_of[2];              /* exactly one of these two keys is required */
	/* Rate limits: three headers, or a reader of the platform's own format
	 * (either or neither; Retry-After is read for every platform). The
	 * reader fills only what it finds in the zeroed out (limit and
	 * remaining start at -1), through rw_ratelimit_parse_* (ratelimit.h). */
	const struct rw_ratelimit_headers *ratelimit_headers;
	void (*ratelimit_read)(rw_header_lookup_fn *lookup, void *arg, int64_t now_ms,
			       struct rw_ratelimit *out);
	const struct rw_daily_quota *daily_quota; /* NULL: none */
	const struct rw_connector *connector;     /* NULL: not polled by this build */
};

/* The descriptor of type; NULL only for a value outside the enum. */
const struct rw_platform *rw_platform_of(enum rw_source_type type);

/* The type named name ("mastodon"); 0, or -1 when no platform has it. */
int rw_platform_find(const char *name, enum rw_source_type *type);

/* The names of all types in table order, NULL-terminated (static). */
const char *const *rw_platform_names(void);

#endif
