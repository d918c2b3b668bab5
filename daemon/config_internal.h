/*
 * config_internal.h: what the config_*.c files share while one load runs.
 *
 * A load walks the JSON document once, section by section, filling a new
 * struct rw_config and recording every problem as "PATH: message" in the load
 * context. Readers never stop at the first problem: each returns whether its
 * own value was usable, so callers can skip only the checks that depend on it.
 */
#ifndef REPLYWATCH_CONFIG_INTERNAL_H
#define REPLYWATCH_CONFIG_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replywatch/config.h"
#include "replywatch/log.h"

/* Room for a JSON path; longer paths are cut (they only label messages). */
#define RW_CFG_PATH_MAX 512
/* Room for a quoted, shortened value: 60 characters (UTF-8), escapes, quotes. */
#define RW_CFG_QUOTE_MAX 256
/* Names of sources, policies, calendars and alert targets: at most this long. */
#define RW_CFG_NAME_MAX 64

/*
 * The names a section declares, borrowed from the JSON document. incomplete
 * is set when an entry's name could not be read (or the whole section was
 * unusable): then a reference to an unknown name is not reported, since it
 * may be the name that could not be read.
 */
struct rw_cfg_names {
	const char **names;
	const char **paths; /* where each was declared, owned */
	size_t n;
	bool incomplete;
};

struct rw_cfg_ctx {
	struct rw_config *cfg;
	struct rw_config_errors *errs;
	size_t nerrors;
	bool oom;
	struct rw_cfg_names calendars;
	struct rw_cfg_names sources;
	struct rw_cfg_names policies;
	struct rw_cfg_names alerts;
};

/* Records "path: message". Allocation failure sets ctx->oom. */
void rw_cfg_err(struct rw_cfg_ctx *ctx, const char *path, const char *fmt, ...) RW_PRINTF(3, 4);

/* "parent.key" (or "key" at the top) into out. */
const char *rw_cfg_path_key(char *out, size_t len, const char *parent, const char *key);
/* "parent[index]" into out. */
const char *rw_cfg_path_index(char *out, size_t len, const char *parent, size_t index);

/* s as a double-quoted string, cut to 60 characters with "...", for messages.
 * Returns out. Never pass a secret. */
const char *rw_cfg_quote(char *out, size_t len, const char *s);

/* "string", "number", "boolean", "object", "array" or "null". */
const char *rw_cfg_type_name(const json_t *v);

/* Marks a short-lived allocation failure; the load then fails. */
void rw_cfg_oom(struct rw_cfg_ctx *ctx);
/* strdup that records allocation failure in ctx. */
char *rw_cfg_strdup(struct rw_cfg_ctx *ctx, const char *s);

/*
 * Reports "path.key: unknown key (expected one of: a, b, c)" for every key of
 * obj not in the NULL-terminated allowed list. Returns the number reported.
 */
int rw_cfg_check_keys(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path,
		      const char *const *allowed);
/* Joins a NULL-terminated list as "a, b, c" into out. Returns out. */
const char *rw_cfg_join(char *out, size_t len, const char *const *list);

/* Reports "path.key: required" (or with suffix, "required for type "x"""). */
void rw_cfg_missing(struct rw_cfg_ctx *ctx, const char *path, const char *key, const char *suffix);

/*
 * Value readers: v is the value at path (never NULL). They return 0 when the
 * value is usable and -1 after reporting why not.
 */
int rw_cfg_v_type(struct rw_cfg_ctx *ctx, const json_t *v, const char *path, json_type type);
int rw_cfg_v_string(struct rw_cfg_ctx *ctx, const json_t *v, const char *path, const char **out);
int rw_cfg_v_duration(struct rw_cfg_ctx *ctx, const json_t *v, const char *path, int64_t *out);
/* A name of a source, policy, calendar or alert target: [a-z0-9_-]{1,64}. */
int rw_cfg_check_name(struct rw_cfg_ctx *ctx, const char *s, const char *path);
int rw_cfg_v_name(struct rw_cfg_ctx *ctx, const json_t *v, const char *path, const char **out);

/*
 * Key readers: read obj's key below path. They return 1 when the key is
 * present and usable, 0 when it is absent (out untouched), and -1 after
 * reporting a problem.
 */
int rw_cfg_string(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, const char *key,
		  const char **out);
int rw_cfg_string_dup(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, const char *key,
		      char **out);
int rw_cfg_bool(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, const char *key,
		bool *out);
int rw_cfg_int(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, const char *key,
	       int64_t min, int64_t max, int64_t *out);
/* A duration: "1h30m" or integer seconds; zero is refused like a malformed one. */
int rw_cfg_duration(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, const char *key,
		    int64_t *out);
/* Resolves a secret reference; errors name the reference, never the value. */
int rw_cfg_secret(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, const char *key,
		  struct rw_secret **out);
/* An http:// or https:// URL with a host and no whitespace. */
int rw_cfg_url(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, const char *key,
	       char **out);
/* True when s is an http:// or https:// URL with a host and no whitespace. */
bool rw_cfg_is_http_url(const char *s);
/* An object of label name -> string value. */
int rw_cfg_labels(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, const char *key,
		  struct rw_labels *out);

/* Checks one list element (a string) at path; returns 0 or -1 after reporting. */
typedef int (*rw_cfg_item_check)(struct rw_cfg_ctx *ctx, const char *value, const char *path,
				 void *arg);
/*
 * An array of strings, each passed to check (when not NULL). With empty_hint
 * an empty array is an error whose message ends with the hint (for filters,
 * where [] would be ambiguous). out may be NULL when only the checks matter.
 */
int rw_cfg_strlist(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, const char *key,
		   const char *empty_hint, rw_cfg_item_check check, void *arg,
		   struct rw_strlist *out);
/* The empty_hint of filters whose absence means "any". */
#define RW_CFG_ANY_HINT "leave the key out to match anything"
/* A check for rw_cfg_strlist: the string must not be empty. */
int rw_cfg_check_nonempty(struct rw_cfg_ctx *ctx, const char *value, const char *path, void *arg);

/* Declares name at path in a section's name list; reports duplicates (-1). */
int rw_cfg_declare(struct rw_cfg_ctx *ctx, struct rw_cfg_names *names, const char *name,
		   const char *path);
/*
 * Reports "path: unknown WHAT "name"" unless name is declared or the list is
 * incomplete. Returns 0 when name is declared (or may be), -1 otherwise.
 */
int rw_cfg_check_ref(struct rw_cfg_ctx *ctx, const struct rw_cfg_names *names, const char *name,
		     const char *path, const char *what);
/*
 * Reads obj's required "name" into a copy at *out and declares it in names.
 * A malformed name is reported but still declared (references to it are not
 * reported again); a missing one makes names incomplete.
 */
void rw_cfg_read_name(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path,
		      struct rw_cfg_names *names, char **out);
void rw_cfg_names_free(struct rw_cfg_names *names);

void rw_cfg_strlist_free(struct rw_strlist *list);
void rw_cfg_labels_free(struct rw_labels *labels);

/* The NULL-terminated lists of names, for "expected one of" messages. */
const char *const *rw_cfg_source_type_names(void);
const char *const *rw_cfg_kind_names(void);
const char *const *rw_cfg_alert_format_names(void);
const char *const *rw_cfg_event_names(void);

/* The sections, in config_*.c. Each reads obj's section (which may be absent). */
void rw_cfg_read_redis(struct rw_cfg_ctx *ctx, const json_t *root);
/* True when the redis section sec uses the Sentinel form (config_sentinel.c). */
bool rw_cfg_redis_is_sentinel(const json_t *sec);
/* Reads "sentinels", "master_name" and "sentinel_password" of the redis
 * section sec into ctx->cfg->redis (config_sentinel.c). */
void rw_cfg_read_redis_sentinel(struct rw_cfg_ctx *ctx, const json_t *sec);
void rw_cfg_redis_sentinels_free(struct rw_redis_config *r);
void rw_cfg_read_http(struct rw_cfg_ctx *ctx, const json_t *root);
void rw_cfg_read_calendars(struct rw_cfg_ctx *ctx, const json_t *root);
void rw_cfg_read_sources(struct rw_cfg_ctx *ctx, const json_t *root);
void rw_cfg_read_policies(struct rw_cfg_ctx *ctx, const json_t *root);
void rw_cfg_read_alerts(struct rw_cfg_ctx *ctx, const json_t *root);

/* Frees what one entry owns (not the entry itself). */
void rw_cfg_calendar_free(struct rw_calendar_config *cal);
void rw_cfg_source_free(struct rw_source_config *src);
void rw_cfg_policy_free(struct rw_policy_config *pol);
void rw_cfg_alert_free(struct rw_alert_config *alert);

#endif
