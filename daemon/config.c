/*
 * config.c: loading the configuration file into a new struct rw_config.
 *
 * The load reads the whole document, section by section in a fixed order
 * (top-level keys, log_level, redis, http, retention, calendars, sources,
 * policies, alerts), so sections referred to by others are known before the
 * references are checked. Every problem becomes one "PATH: message" line; the
 * half-built config is freed (wiping its secrets) when there was any.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "replywatch/cluster.h"
#include "replywatch/duration.h"
#include "replywatch/platform.h"
#include "replywatch/secret.h"

/* A configuration file larger than this is not one. */
#define CONFIG_FILE_MAX (16 * 1024 * 1024)

static const char *const top_keys[] = {
	"log_level", "redis",  "http",        "retention", "calendars", "policies",
	"sources",   "alerts", "secrets_key", "cluster",   NULL,
};

static const char *const cluster_keys[] = {"instance_id", NULL};

static const char *const retention_keys[] = {"closed", "give_up_after", "backfill", NULL};

/* Indexed by the bit of enum rw_kind. */
static const char *const kind_names[] = {"mention", "comment", "review", "message", NULL};
#define KIND_COUNT (sizeof(kind_names) / sizeof(kind_names[0]) - 1)

static const char *const alert_format_names[] = {
	[RW_ALERT_JSON] = "json",
	[RW_ALERT_SLACK] = "slack",
	[RW_ALERT_ALERTMANAGER] = "alertmanager",
	[RW_ALERT_PAGERDUTY] = "pagerduty",
	NULL,
};

static const char *const event_names[] = {
	"warning", "breach", "escalation", "resolved", "expired", "source_down", "source_up", NULL,
};

/* The index of name in a NULL-terminated list, or -1. */
static int
list_index(const char *const *list, const char *name)
{
	for (int i = 0; list[i] != NULL; i++) {
		if (strcmp(list[i], name) == 0)
			return i;
	}
	return -1;
}

/* The index of the only bit set in bits when it is below limit, else -1. */
static int
single_bit(unsigned bits, int limit)
{
	for (int i = 0; i < limit; i++) {
		if (bits == 1u << i)
			return i;
	}
	return -1;
}

unsigned
rw_kind_parse(const char *name)
{
	int i = list_index(kind_names, name);

	return i < 0 ? 0 : 1u << i;
}

const char *
rw_kind_name(unsigned kind)
{
	int i = single_bit(kind, (int)KIND_COUNT);

	return i < 0 ? NULL : kind_names[i];
}

int
rw_source_type_parse(const char *name, enum rw_source_type *type)
{
	return rw_platform_find(name, type);
}

const char *
rw_source_type_name(enum rw_source_type type)
{
	const struct rw_platform *p = rw_platform_of(type);

	return p == NULL ? NULL : p->name;
}

int
rw_alert_format_parse(const char *name, enum rw_alert_format *format)
{
	int i = list_index(alert_format_names, name);

	if (i < 0)
		return -1;
	*format = (enum rw_alert_format)i;
	return 0;
}

const char *
rw_alert_format_name(enum rw_alert_format format)
{
	if ((int)format < 0 || format > RW_ALERT_PAGERDUTY)
		return NULL;
	return alert_format_names[format];
}

unsigned
rw_event_type_parse(const char *name)
{
	int i = list_index(event_names, name);

	return i < 0 ? 0 : 1u << i;
}

const char *
rw_event_type_name(unsigned type)
{
	int i = single_bit(type, 7);

	return i < 0 ? NULL : event_names[i];
}

const char *const *
rw_cfg_source_type_names(void)
{
	return rw_platform_names();
}

const char *const *
rw_cfg_kind_names(void)
{
	return kind_names;
}

const char *const *
rw_cfg_alert_format_names(void)
{
	return alert_format_names;
}

const char *const *
rw_cfg_event_names(void)
{
	return event_names;
}

const char *
rw_source_param_string(const struct rw_source_config *src, const char *key)
{
	for (size_t i = 0; i < src->nparams; i++) {
		if (strcmp(src->params[i].key, key) == 0)
			return src->params[i].value;
	}
	return NULL;
}

const struct rw_secret *
rw_source_param_secret(const struct rw_source_config *src, const char *key)
{
	for (size_t i = 0; i < src->nparams; i++) {
		if (strcmp(src->params[i].key, key) == 0)
			return src->params[i].secret;
	}
	return NULL;
}

const json_t *
rw_source_param_json(const struct rw_source_config *src, const char *key)
{
	for (size_t i = 0; i < src->nparams; i++) {
		if (strcmp(src->params[i].key, key) == 0)
			return src->params[i].json;
	}
	return NULL;
}

const struct rw_source_config *
rw_config_find_source(const struct rw_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nsources; i++) {
		if (strcmp(cfg->sources[i].name, name) == 0)
			return &cfg->sources[i];
	}
	return NULL;
}

const struct rw_policy_config *
rw_config_find_policy(const struct rw_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->npolicies; i++) {
		if (strcmp(cfg->policies[i].name, name) == 0)
			return &cfg->policies[i];
	}
	return NULL;
}

const struct rw_calendar_config *
rw_config_find_calendar(const struct rw_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->ncalendars; i++) {
		if (strcmp(cfg->calendars[i].name, name) == 0)
			return &cfg->calendars[i];
	}
	return NULL;
}

void
rw_config_errors_clear(struct rw_config_errors *errs)
{
	if (errs == NULL)
		return;
	for (size_t i = 0; i < errs->n; i++)
		free(errs->lines[i]);
	free(errs->lines);
	errs->lines = NULL;
	errs->n = 0;
}

void
rw_config_free(struct rw_config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->redis.host);
	free(cfg->redis.path);
	free(cfg->redis.username);
	rw_secret_free(cfg->redis.password);
	free(cfg->redis.key_prefix);
	free(cfg->redis.display);
	rw_cfg_redis_sentinels_free(&cfg->redis);
	free(cfg->http.listen);
	free(cfg->cluster.instance_id);
	rw_secret_free(cfg->http.token);
	rw_secret_free(cfg->secrets_key);
	for (size_t i = 0; i < cfg->ncalendars; i++)
		rw_cfg_calendar_free(&cfg->calendars[i]);
	free(cfg->calendars);
	for (size_t i = 0; i < cfg->npolicies; i++)
		rw_cfg_policy_free(&cfg->policies[i]);
	free(cfg->policies);
	for (size_t i = 0; i < cfg->nsources; i++)
		rw_cfg_source_free(&cfg->sources[i]);
	free(cfg->sources);
	for (size_t i = 0; i < cfg->nalerts; i++)
		rw_cfg_alert_free(&cfg->alerts[i]);
	free(cfg->alerts);
	free(cfg);
}

/* log_level: one of log.h's level names. */
static void
read_log_level(struct rw_cfg_ctx *ctx, const json_t *root)
{
	static const char *const levels[] = {"debug", "info", "notice", "warning", "error", NULL};
	char q[RW_CFG_QUOTE_MAX], names[128];
	const char *s;

	if (rw_cfg_string(ctx, root, "", "log_level", &s) != 1)
		return;
	if (log_level_parse(s, &ctx->cfg->log_level) == -1)
		rw_cfg_err(ctx, "log_level", "unknown level %s (expected one of: %s)",
			   rw_cfg_quote(q, sizeof(q), s),
			   rw_cfg_join(names, sizeof(names), levels));
}

/* secrets_key: the secret the vault's key is derived from (vault.h), a
 * secret reference; required once a source keeps a rotating credential in
 * Redis (allegro). */
static void
read_secrets_key(struct rw_cfg_ctx *ctx, const json_t *root)
{
	bool needed = false;

	if (json_object_get(root, "secrets_key") != NULL) {
		rw_cfg_secret(ctx, root, "", "secrets_key", &ctx->cfg->secrets_key);
		return;
	}
	for (size_t i = 0; i < ctx->cfg->nsources; i++)
		if (ctx->cfg->sources[i].type == RW_SOURCE_ALLEGRO)
			needed = true;
	if (needed)
		rw_cfg_err(
			ctx, "secrets_key",
			"required by the allegro sources: a secret reference (e.g. "
			"\"env:REPLYWATCH_SECRETS_KEY\") to encrypt their refresh tokens in Redis");
}

/* cluster: instance_id, a valid instance id (cluster.h). */
static void
read_cluster(struct rw_cfg_ctx *ctx, const json_t *root)
{
	const json_t *sec = json_object_get(root, "cluster");
	char q[RW_CFG_QUOTE_MAX];

	if (sec == NULL || rw_cfg_v_type(ctx, sec, "cluster", JSON_OBJECT) == -1)
		return;
	rw_cfg_check_keys(ctx, sec, "cluster", cluster_keys);
	if (rw_cfg_string_dup(ctx, sec, "cluster", "instance_id", &ctx->cfg->cluster.instance_id) !=
		    1 ||
	    rw_cluster_id_valid(ctx->cfg->cluster.instance_id))
		return;
	rw_cfg_err(ctx, "cluster.instance_id",
		   "%s is not an instance id: 1 to %d characters of A-Z, a-z, 0-9, '.', '_', '-'",
		   rw_cfg_quote(q, sizeof(q), ctx->cfg->cluster.instance_id), RW_CLUSTER_ID_MAX);
}

/* retention: three durations, each with its own default. */
static void
read_retention(struct rw_cfg_ctx *ctx, const json_t *root)
{
	const json_t *sec = json_object_get(root, "retention");
	struct rw_retention_config *r = &ctx->cfg->retention;

	if (sec == NULL || rw_cfg_v_type(ctx, sec, "retention", JSON_OBJECT) == -1)
		return;
	rw_cfg_check_keys(ctx, sec, "retention", retention_keys);
	rw_cfg_duration(ctx, sec, "retention", "closed", &r->closed);
	rw_cfg_duration(ctx, sec, "retention", "give_up_after", &r->give_up_after);
	rw_cfg_duration(ctx, sec, "retention", "backfill", &r->backfill);
}

/* A new config holding every documented default; NULL when out of memory. */
static struct rw_config *
config_new(const char *origin)
{
	struct rw_config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL)
		return NULL;
	cfg->log_level = RW_LOG_INFO;
	cfg->retention.closed = 30 * 86400;
	cfg->retention.give_up_after = 7 * 86400;
	cfg->retention.backfill = 86400;
	if ((cfg->path = strdup(origin)) == NULL) {
		free(cfg);
		return NULL;
	}
	return cfg;
}

/*
 * Points every policy at its calendar. Done last, once the calendars array
 * will not move again, and only for a load without errors.
 */
static void
link_calendars(struct rw_config *cfg)
{
	for (size_t i = 0; i < cfg->npolicies; i++) {
		struct rw_policy_config *pol = &cfg->policies[i];

		if (pol->calendar_name != NULL)
			pol->calendar = rw_config_find_calendar(cfg, pol->calendar_name);
	}
}

/*
 * Validates a parsed document into a new config. Returns it, or NULL with
 * every problem appended to errs.
 */
static struct rw_config *
config_from_json(const json_t *root, const char *origin, struct rw_config_errors *errs)
{
	struct rw_cfg_ctx ctx = {.errs = errs};

	if ((ctx.cfg = config_new(origin)) == NULL)
		goto oom;
	if (!json_is_object(root)) {
		rw_cfg_err(&ctx, origin, "the top level must be an object, got %s",
			   rw_cfg_type_name(root));
		goto fail;
	}
	rw_cfg_check_keys(&ctx, root, "", top_keys);
	read_log_level(&ctx, root);
	rw_cfg_read_redis(&ctx, root);
	rw_cfg_read_http(&ctx, root);
	read_cluster(&ctx, root);
	read_retention(&ctx, root);
	rw_cfg_read_calendars(&ctx, root);
	rw_cfg_read_sources(&ctx, root);
	read_secrets_key(&ctx, root);
	rw_cfg_read_policies(&ctx, root);
	rw_cfg_read_alerts(&ctx, root);
	if (ctx.nerrors > 0 || ctx.oom)
		goto fail;
	link_calendars(ctx.cfg);
	rw_cfg_names_free(&ctx.calendars);
	rw_cfg_names_free(&ctx.sources);
	rw_cfg_names_free(&ctx.policies);
	rw_cfg_names_free(&ctx.alerts);
	return ctx.cfg;
fail:
	if (ctx.oom)
		rw_cfg_err(&ctx, origin, "out of memory");
	rw_cfg_names_free(&ctx.calendars);
	rw_cfg_names_free(&ctx.sources);
	rw_cfg_names_free(&ctx.policies);
	rw_cfg_names_free(&ctx.alerts);
	rw_config_free(ctx.cfg);
	return NULL;
oom:
	rw_cfg_err(&ctx, origin, "out of memory");
	return NULL;
}

/* Parses len bytes of text; syntax errors become "ORIGIN:LINE:COLUMN: ...". */
static struct rw_config *
load_buffer(const char *text, size_t len, const char *origin, struct rw_config_errors *errs)
{
	struct rw_cfg_ctx ctx = {.errs = errs};
	struct rw_config *cfg;
	json_error_t jerr;
	json_t *root;
	char where[RW_CFG_PATH_MAX];

	/* Any value decodes, so a top level that is not an object gets our message. */
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (root == NULL) {
		snprintf(where, sizeof(where), "%s:%d:%d", origin, jerr.line, jerr.column);
		rw_cfg_err(&ctx, where, "invalid JSON: %s", jerr.text);
		return NULL;
	}
	cfg = config_from_json(root, origin, errs);
	json_decref(root);
	return cfg;
}

struct rw_config *
rw_config_load_string(const char *text, const char *origin, struct rw_config_errors *errs)
{
	if (origin == NULL)
		origin = "<string>";
	return load_buffer(text, strlen(text), origin, errs);
}

/*
 * Grows *buf from *cap to twice that. The old buffer is wiped before it is
 * freed, as the file may hold literal secrets. Returns 0 or -1 (errno set).
 */
static int
grow(char **buf, size_t len, size_t *cap)
{
	char *bigger;

	if (*cap >= CONFIG_FILE_MAX) {
		errno = EFBIG;
		return -1;
	}
	if ((bigger = malloc(*cap * 2)) == NULL)
		return -1;
	memcpy(bigger, *buf, len);
	explicit_bzero(*buf, *cap);
	free(*buf);
	*buf = bigger;
	*cap *= 2;
	return 0;
}

/*
 * Reads the whole file at path into a new buffer of *capp bytes. Returns it,
 * or NULL with errno set (EFBIG for a file over CONFIG_FILE_MAX).
 */
static char *
read_file(const char *path, size_t *lenp, size_t *capp)
{
	FILE *f = fopen(path, "re");
	size_t len = 0, cap = 65536;
	char *buf;
	int saved;

	if (f == NULL)
		return NULL;
	if ((buf = malloc(cap)) == NULL)
		goto fail;
	for (;;) {
		if (len == cap && grow(&buf, len, &cap) == -1)
			goto fail;
		len += fread(buf + len, 1, cap - len, f);
		if (ferror(f))
			goto fail;
		if (feof(f))
			break;
	}
	fclose(f);
	*lenp = len;
	*capp = cap;
	return buf;
fail:
	saved = errno;
	if (buf != NULL)
		explicit_bzero(buf, cap);
	free(buf);
	fclose(f);
	errno = saved;
	return NULL;
}

struct rw_config *
rw_config_load_file(const char *path, struct rw_config_errors *errs)
{
	struct rw_cfg_ctx ctx = {.errs = errs};
	struct rw_config *cfg;
	size_t len, cap;
	char *text;

	if ((text = read_file(path, &len, &cap)) == NULL) {
		rw_cfg_err(&ctx, path, "cannot read: %s", strerror(errno));
		return NULL;
	}
	cfg = load_buffer(text, len, path, errs);
	/* The file may hold literal secrets. */
	explicit_bzero(text, cap);
	free(text);
	return cfg;
}
