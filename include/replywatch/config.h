/*
 * config: the configuration file, parsed and validated into one immutable
 * object.
 *
 * Loading builds a complete new struct rw_config or nothing: every problem is
 * reported (not just the first) as one line "PATH: what is wrong", where PATH
 * is the JSON path of the offending value (e.g. "sources[2].poll_every",
 * "calendars.care-hours.weekly.mon[0]"). Invalid JSON is reported as
 * "FILE:LINE:COLUMN: ...". Secrets are resolved during the load, so a load
 * that succeeds has every secret in hand; no secret value ever appears in an
 * error line. Reloading means loading a new object and swapping pointers; the
 * old one is freed by its owner once nothing uses it.
 *
 * Every duration in this structure is in seconds. Names of sources, policies,
 * calendars and alert targets match [a-z0-9_-]+ and are unique within their
 * section.
 */
#ifndef REPLYWATCH_CONFIG_H
#define REPLYWATCH_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "replywatch/log.h"

struct rw_secret;

#define RW_CONFIG_DEFAULT_PATH "/etc/replywatch/replywatch.json"

/* A list of strings, owned by the config. */
struct rw_strlist {
	char **items;
	size_t n;
};

/* A string-to-string map in file order, owned by the config. */
struct rw_label {
	char *key;
	char *value;
};
struct rw_labels {
	struct rw_label *items;
	size_t n;
};

/* One Sentinel to ask for the master: an IP literal and a port. */
struct rw_redis_sentinel {
	char *host; /* without brackets, as hiredis wants it */
	int port;
};

struct rw_redis_config {
	bool unix_socket;           /* unix:///path instead of TCP */
	char *host;                 /* IP literal ("localhost" becomes 127.0.0.1); NULL for unix */
	int port;                   /* default 6379 */
	char *path;                 /* unix socket path, NULL for TCP */
	int db;                     /* SELECT index, default 0 */
	char *username;             /* ACL user from the URL, or NULL */
	struct rw_secret *password; /* "password" key or the URL's userinfo; NULL: no AUTH */
	char *key_prefix;           /* default "rw:" */
	char *display;              /* the address without any password, for logs and /status */
	/* Sentinel mode ("sentinels" + "master_name" instead of "url"): host and
	 * port are then unset and found by asking the sentinels. */
	struct rw_redis_sentinel *sentinels;
	size_t nsentinels;
	char *master_name;                   /* NULL: plain "url" mode */
	struct rw_secret *sentinel_password; /* AUTH to the sentinels; NULL: none */
};

struct rw_http_config {
	struct sockaddr_storage addr; /* parsed from "listen", default 127.0.0.1:9477 */
	socklen_t addrlen;
	char *listen;            /* as written (or the default): "127.0.0.1:9477", "[::1]:9477" */
	struct rw_secret *token; /* NULL: no bearer-token auth */
	size_t max_body;         /* request body cap in bytes ("max_body"), default 1 MiB */
};

struct rw_retention_config {
	int64_t closed;        /* default 30d */
	int64_t give_up_after; /* default 7d */
	int64_t backfill;      /* default 24h */
};

/* One opening interval of a day, in minutes from local midnight; end <= 1440. */
struct rw_interval {
	int start;
	int end;
};

struct rw_calendar_config {
	char *name;
	char *timezone; /* IANA name, checked against the system zone database */
	/* Opening intervals per weekday, indexed like struct tm's tm_wday
	 * (0 = Sunday). Sorted, non-overlapping. A day without intervals is closed. */
	struct rw_interval *weekly[7];
	size_t nweekly[7];
	/* Closed days as days since 1970-01-01 of the civil (local) date;
	 * sorted ascending, no duplicates. */
	int32_t *holidays;
	size_t nholidays;
};

enum rw_kind {
	RW_KIND_MENTION = 1u << 0,
	RW_KIND_COMMENT = 1u << 1,
	RW_KIND_REVIEW = 1u << 2,
	/* A buyer's message in a marketplace thread or dispute: each unanswered
	 * one counts, as in a conversation (answered by the seller's next
	 * message: a conversation-level brand reply). */
	RW_KIND_MESSAGE = 1u << 3,
};

/* "mention" -> RW_KIND_MENTION ... ; 0 when unknown. */
unsigned rw_kind_parse(const char *name);
/* RW_KIND_MENTION -> "mention"; NULL unless exactly one known bit. */
const char *rw_kind_name(unsigned kind);

struct rw_policy_match {
	struct rw_strlist sources;   /* source names (each checked to exist) */
	struct rw_strlist platforms; /* source types (each checked to be a known type) */
	unsigned kinds;              /* enum rw_kind bits; 0 = any kind */
	struct rw_strlist keywords;  /* as written; folding is the policy module's job */
	bool has_min_followers;
	int64_t min_followers;
	bool has_max_rating;
	int max_rating;          /* 1..5 */
	struct rw_labels labels; /* every one must equal the source's label */
};

struct rw_policy_config {
	char *name;
	struct rw_policy_match match;
	int64_t warn_after;      /* 0 = no warning step; else < breach_after */
	int64_t breach_after;    /* required, > 0 */
	int64_t *escalate_after; /* strictly ascending, each > 0 */
	size_t nescalate;
	char *calendar_name;                       /* NULL: every second counts */
	const struct rw_calendar_config *calendar; /* borrowed from the same config, or NULL */
};

enum rw_source_type {
	RW_SOURCE_MASTODON,
	RW_SOURCE_X,
	RW_SOURCE_BLUESKY,
	RW_SOURCE_REDDIT,
	RW_SOURCE_YOUTUBE,
	RW_SOURCE_FACEBOOK,
	RW_SOURCE_INSTAGRAM,
	RW_SOURCE_GOOGLE_BUSINESS,
	RW_SOURCE_GOOGLE_PLAY,
	RW_SOURCE_APP_STORE,
	RW_SOURCE_TRUSTPILOT,
	RW_SOURCE_LINKEDIN,
	RW_SOURCE_ALLEGRO,
	RW_SOURCE_JSON,
	RW_SOURCE_PUSH,
	RW_SOURCE_TYPE_COUNT
};

/* "mastodon" -> RW_SOURCE_MASTODON. Returns 0, or -1 when unknown. */
int rw_source_type_parse(const char *name, enum rw_source_type *type);
const char *rw_source_type_name(enum rw_source_type type);

/* A type-specific setting of a source ("user_id", "token", "fields", ...).
 * Exactly one of value, secret and json is set. */
struct rw_source_param {
	char *key;
	char *value;              /* a plain string setting */
	struct rw_secret *secret; /* a resolved secret setting */
	json_t *json;             /* a structured setting (object, array, number), owned */
};

struct rw_source_config {
	char *name;
	enum rw_source_type type;
	char *base_url;     /* as configured, else the platform default; NULL for push */
	int64_t poll_every; /* default 60s; unused by push; with poll_auto, the
			     * interval until the platform has reported a budget */
	bool poll_auto;     /* poll_every "auto": spread the quota (platform.h) */
	int64_t down_after; /* failing this long raises source_down; default 5m */
	bool enabled;       /* default true */
	struct rw_labels labels;
	struct rw_strlist automated_reply_patterns;
	struct rw_source_param *params; /* the type's own keys that were given */
	size_t nparams;
	void *spec; /* owned: the type's nested configuration (platform.h spec_read;
		     * the json type's struct rw_json_spec, sources/json_map.h), or NULL */
};

/* The plain string setting key of src, or NULL when absent or not a string. */
const char *rw_source_param_string(const struct rw_source_config *src, const char *key);
/* The secret setting key of src, or NULL when absent. */
const struct rw_secret *rw_source_param_secret(const struct rw_source_config *src, const char *key);
/* The structured setting key of src (borrowed), or NULL when absent. */
const json_t *rw_source_param_json(const struct rw_source_config *src, const char *key);

enum rw_alert_format {
	RW_ALERT_JSON,
	RW_ALERT_SLACK,
	RW_ALERT_ALERTMANAGER,
	RW_ALERT_PAGERDUTY,
};

int rw_alert_format_parse(const char *name, enum rw_alert_format *format);
const char *rw_alert_format_name(enum rw_alert_format format);

/* Event types, as bits of an alert target's "events" filter. */
enum rw_event_type {
	RW_EVENT_WARNING = 1u << 0,
	RW_EVENT_BREACH = 1u << 1,
	RW_EVENT_ESCALATION = 1u << 2,
	RW_EVENT_RESOLVED = 1u << 3,
	RW_EVENT_EXPIRED = 1u << 4,
	RW_EVENT_SOURCE_DOWN = 1u << 5,
	RW_EVENT_SOURCE_UP = 1u << 6,
};
#define RW_EVENT_ALL 0x7fu

/* "breach" -> RW_EVENT_BREACH; 0 when unknown. */
unsigned rw_event_type_parse(const char *name);
/* RW_EVENT_BREACH -> "breach"; NULL unless exactly one known bit. */
const char *rw_event_type_name(unsigned type);

struct rw_alert_config {
	char *name;
	enum rw_alert_format format;
	struct rw_secret *url;         /* always set; pagerduty defaults to the public endpoint */
	struct rw_secret *secret;      /* json only: Standard Webhooks signing key, or NULL */
	struct rw_secret *routing_key; /* pagerduty only, required there */
	unsigned events;               /* enum rw_event_type bits; default RW_EVENT_ALL */
	int64_t repeat_every;          /* 0 = never repeat */
	int64_t group_window;          /* 0 = no batching */
	int64_t timeout;               /* default 10s */
	int64_t retry_for;             /* default 24h */
	struct {
		struct rw_strlist policies; /* checked to exist */
		struct rw_strlist sources;  /* checked to exist */
		struct rw_labels labels;
	} match;
};

/* "cluster": this daemon among several sharing the sources (cluster.h). */
struct rw_cluster_config {
	/* "instance_id": NULL when not set (the daemon then uses
	 * rw_cluster_default_id of its HTTP port). Read at start only. */
	char *instance_id;
};

struct rw_config {
	char *path;                  /* the file it came from, or the origin given */
	enum rw_log_level log_level; /* "log_level", default info */
	struct rw_redis_config redis;
	struct rw_http_config http;
	struct rw_cluster_config cluster;
	struct rw_retention_config retention;
	struct rw_calendar_config *calendars;
	size_t ncalendars;
	struct rw_policy_config *policies; /* in file order: first match wins */
	size_t npolicies;
	struct rw_source_config *sources;
	size_t nsources;
	struct rw_alert_config *alerts;
	size_t nalerts;
	/* "secrets_key": what the keys of secrets kept in Redis are derived
	 * from (vault.h); NULL when not configured (required with an allegro
	 * source). */
	struct rw_secret *secrets_key;
};

/* The error lines of a failed load, owned by the caller. */
struct rw_config_errors {
	char **lines;
	size_t n;
};

/* Loads and validates the file at path. Returns a new config (free with
 * rw_config_free), or NULL with every problem appended to errs. */
struct rw_config *rw_config_load_file(const char *path, struct rw_config_errors *errs);

/* The same, from a JSON text; origin names it in JSON syntax errors. */
struct rw_config *rw_config_load_string(const char *text, const char *origin,
					struct rw_config_errors *errs);

/* Frees cfg and wipes its secrets. Accepts NULL. */
void rw_config_free(struct rw_config *cfg);

/* Frees the lines and empties errs. */
void rw_config_errors_clear(struct rw_config_errors *errs);

/* Lookups by name; NULL when absent. Results are borrowed from cfg. */
const struct rw_source_config *rw_config_find_source(const struct rw_config *cfg, const char *name);
const struct rw_policy_config *rw_config_find_policy(const struct rw_config *cfg, const char *name);
const struct rw_calendar_config *rw_config_find_calendar(const struct rw_config *cfg,
							 const char *name);

#endif
