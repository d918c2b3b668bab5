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

#include <jansson.h>

#include "replywatch/config.h"
#include "replywatch/ratelimit.h"

struct rw_connector;
struct rw_cfg_ctx;

/* How the configuration reads one of a type's own keys into struct
 * rw_source_param. */
enum rw_param_kind {
	RW_PARAM_STRING, /* a non-empty string, in .value */
	RW_PARAM_DIGITS, /* a numeric id kept as a string, in .value */
	RW_PARAM_URL,    /* an http(s) URL, in .value */
	RW_PARAM_SECRET, /* a secret reference, resolved into .secret */
	/* A key of the type's nested configuration: not copied into params but
	 * read, with the type's other RW_PARAM_SPEC keys, by the platform's
	 * spec_read into the source's spec (the json type). */
	RW_PARAM_SPEC,
};

struct rw_param_spec {
	const char *key;
	enum rw_param_kind kind;
	bool required;
};

/* A platform whose rate limits come as three headers (limit, remaining,
 * reset); names are matched without regard to case. */
struct rw_ratelimit_headers {
	const char *limit, *remaining, *reset; /* limit may be NULL: not sent */
	bool reset_is_time;  /* reset is an RFC 3339 time (Unix seconds are taken too) */
	bool reset_is_delta; /* reset is seconds from the answer (not a time) */
};

/* What a platform's quota is, for poll_every "auto" (docs/connectors.md
 * "Budgets"): the scheduler spreads what is left of it over the time until
 * it refills, so that a source never runs dry before the reset. */
/* A budget in other units than calls (Meta's usage percentages) is read
 * into struct rw_ratelimit all the same: limit 100, remaining 100 - the
 * highest percentage, reset_at when usage is expected to fall; the poller
 * learns a poll's cost from the drop of remaining. */
enum rw_quota_kind {
	RW_QUOTA_NONE,   /* no quota to spread: "auto" polls at the default poll_every */
	RW_QUOTA_WINDOW, /* per endpoint and window, read from the rate-limit headers
			  * (X's 15 minutes, Reddit's 10 minutes, Meta's usage figures) */
	RW_QUOTA_DAILY,  /* a fixed number of units a day that no header reports: the
			  * poller counts the units it spends itself (YouTube) */
};

struct rw_quota {
	enum rw_quota_kind kind;
	bool poll_auto_default; /* poll_every defaults to "auto" for this type */
	/* RW_QUOTA_DAILY only: */
	long daily_units;     /* units a day (YouTube: 10 000) */
	long unit_cost;       /* units each call costs (at least 1) */
	const char *reset_tz; /* the zone whose midnight refills it (tz name) */
	/* Optional: true when a refused answer says the day's units are spent
	 * before the count does (YouTube: a 403 whose errors[].reason is
	 * quotaExceeded, say after a restart, or another client of the same
	 * project). The poller then takes the quota as spent until the reset
	 * (rate limited, not down) instead of reading the status. */
	bool (*spent)(long status, const char *body, size_t len);
	/* RW_QUOTA_WINDOW: when not NULL, every endpoint of the source spends
	 * one budget and reports it (Meta's app and Page usage): the figures of
	 * any answer go to one rate-limit entry of this name, and a call to any
	 * endpoint is refused while it is spent. */
	const char *shared;
	/* With shared: a key of the type whose equal values (and base URL)
	 * mean one budget across sources too (Reddit's client_id: the budget
	 * is per OAuth client). An answer to one such source updates the
	 * others' entry, and a source that starts takes theirs. NULL: per source. */
	const char *shared_by;
	/* RW_QUOTA_WINDOW: the window rolls (Meta's usage: a share of the last
	 * hour, no reset reported until throttled). The reader gives as reset
	 * when what is spent now has left the window, which moves with every
	 * answer; a poll's cost is then learnt from the rise of usage between
	 * polls only (poll_cost_sample_rolling), not from the calls made. */
	bool rolling;
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
	/* Optional, for a type with no fixed headers (json): the headers the
	 * source's own configuration names, or NULL (then ratelimit_headers,
	 * if any). Borrowed from src's configuration. */
	const struct rw_ratelimit_headers *(*ratelimit_headers_of)(
		const struct rw_source_config *src);
	void (*ratelimit_read)(rw_header_lookup_fn *lookup, void *arg, int64_t now_ms,
			       struct rw_ratelimit *out);
	const struct rw_quota *quota; /* NULL: none (RW_QUOTA_NONE) */
	/* Optional, for a type whose own keys form one structure (json): reads
	 * its RW_PARAM_SPEC keys from the source object obj at path (a JSON
	 * path, "sources[2]") into a new spec, reporting every problem through
	 * ctx (daemon/config_internal.h: rw_cfg_err and the readers) with the
	 * JSON path of the value at fault. Returns the spec (kept in the
	 * source's rw_source_config.spec and freed with spec_free), or NULL
	 * when something was reported or on allocation failure. */
	void *(*spec_read)(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path);
	void (*spec_free)(void *spec);
	/* With spec_read: true when two specs ask the same thing of the same
	 * account (same requests, pointers and credentials). A reload that
	 * changes a source's spec makes it a new source to the poller (its
	 * session, budgets and backoff start afresh). NULL: never equal. */
	bool (*spec_equal)(const void *a, const void *b);
	/* A 429 that says neither Retry-After nor a reset: the endpoint waits
	 * at least this long (Allegro blocks a client id for a minute: 60);
	 * 0: the poller's backoff only. */
	int64_t wait_429_s;
	const struct rw_connector *connector; /* NULL: not polled by this build */
};

/* The descriptor of type; NULL only for a value outside the enum. */
const struct rw_platform *rw_platform_of(enum rw_source_type type);

/* The type named name ("mastodon"); 0, or -1 when no platform has it. */
int rw_platform_find(const char *name, enum rw_source_type *type);

/* The names of all types in table order, NULL-terminated (static). */
const char *const *rw_platform_names(void);

#endif
