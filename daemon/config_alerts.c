/*
 * config_alerts.c: the "alerts" section: webhook targets, their format,
 * which events they receive and how delivery is paced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "replywatch/secret.h"

#define DEFAULT_TIMEOUT 10
#define DEFAULT_RETRY_FOR 86400
#define PAGERDUTY_URL "https://events.pagerduty.com/v2/enqueue"

static const char *const alert_keys[] = {
	"name",         "format",       "url",     "secret",    "routing_key", "events",
	"repeat_every", "group_window", "timeout", "retry_for", "match",       NULL,
};

static const char *const alert_match_keys[] = {"policies", "sources", "labels", NULL};

/* What each format takes besides the common keys. */
static const struct {
	const char *default_url; /* NULL: "url" is required */
	bool secret;             /* Standard Webhooks signing */
	bool routing_key;        /* PagerDuty integration key, required */
} formats[] = {
	[RW_ALERT_JSON] = {NULL, true, false},
	[RW_ALERT_SLACK] = {NULL, false, false},
	[RW_ALERT_ALERTMANAGER] = {NULL, false, false},
	[RW_ALERT_PAGERDUTY] = {PAGERDUTY_URL, false, true},
};

/* events: each an event type name; the bits are gathered in *(unsigned *)arg. */
static int
check_event(struct rw_cfg_ctx *ctx, const char *value, const char *path, void *arg)
{
	char q[RW_CFG_QUOTE_MAX], names[256];
	unsigned ev = rw_event_type_parse(value);

	if (ev != 0) {
		*(unsigned *)arg |= ev;
		return 0;
	}
	rw_cfg_err(ctx, path, "unknown event %s (expected one of: %s)",
		   rw_cfg_quote(q, sizeof(q), value),
		   rw_cfg_join(names, sizeof(names), rw_cfg_event_names()));
	return -1;
}

static int
check_policy_ref(struct rw_cfg_ctx *ctx, const char *value, const char *path, void *arg)
{
	return rw_cfg_check_ref(ctx, &ctx->policies, value, path, "policy");
}

static int
check_source_ref(struct rw_cfg_ctx *ctx, const char *value, const char *path, void *arg)
{
	return rw_cfg_check_ref(ctx, &ctx->sources, value, path, "source");
}

/* match: which policies, sources and labels the target hears about. */
static void
read_match(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path,
	   struct rw_alert_config *alert)
{
	char p[RW_CFG_PATH_MAX];
	const json_t *v = json_object_get(obj, "match");

	if (v == NULL)
		return;
	rw_cfg_path_key(p, sizeof(p), path, "match");
	if (rw_cfg_v_type(ctx, v, p, JSON_OBJECT) == -1)
		return;
	rw_cfg_check_keys(ctx, v, p, alert_match_keys);
	rw_cfg_strlist(ctx, v, p, "policies", RW_CFG_ANY_HINT, check_policy_ref, NULL,
		       &alert->match.policies);
	rw_cfg_strlist(ctx, v, p, "sources", RW_CFG_ANY_HINT, check_source_ref, NULL,
		       &alert->match.sources);
	rw_cfg_labels(ctx, v, p, "labels", &alert->match.labels);
}

/* format: defaults to json. Returns 0 when known. */
static int
read_format(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path,
	    struct rw_alert_config *alert)
{
	char p[RW_CFG_PATH_MAX], q[RW_CFG_QUOTE_MAX], names[128];
	const char *s;

	alert->format = RW_ALERT_JSON;
	switch (rw_cfg_string(ctx, obj, path, "format", &s)) {
	case 0:
		return 0;
	case 1:
		if (rw_alert_format_parse(s, &alert->format) == 0)
			return 0;
		rw_cfg_err(ctx, rw_cfg_path_key(p, sizeof(p), path, "format"),
			   "unknown format %s (expected one of: %s)", rw_cfg_quote(q, sizeof(q), s),
			   rw_cfg_join(names, sizeof(names), rw_cfg_alert_format_names()));
		return -1;
	default:
		return -1;
	}
}

/*
 * url: a secret, since webhook URLs carry their token. The resolved value
 * must be an http(s) URL; the message names where it came from, never what
 * it is.
 */
static void
read_url(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, struct rw_alert_config *alert,
	 bool known)
{
	char p[RW_CFG_PATH_MAX], suffix[64];
	const char *dflt = known ? formats[alert->format].default_url : NULL;
	int rc = rw_cfg_secret(ctx, obj, path, "url", &alert->url);

	rw_cfg_path_key(p, sizeof(p), path, "url");
	if (rc == 1 && !rw_cfg_is_http_url(rw_secret_value(alert->url))) {
		if (strcmp(rw_secret_origin(alert->url), "literal") == 0)
			rw_cfg_err(ctx, p, "is not an http:// or https:// URL");
		else
			rw_cfg_err(ctx, p, "the value of %s is not an http:// or https:// URL",
				   rw_secret_origin(alert->url));
	} else if (rc == 0 && dflt != NULL) {
		if ((alert->url = rw_secret_from_literal(dflt)) == NULL)
			rw_cfg_oom(ctx);
	} else if (rc == 0 && known) {
		snprintf(suffix, sizeof(suffix), "for format \"%s\"",
			 rw_alert_format_name(alert->format));
		rw_cfg_missing(ctx, path, "url", suffix);
	}
}

/* secret and routing_key: each belongs to one format. */
static void
read_format_secrets(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path,
		    struct rw_alert_config *alert, bool known)
{
	char p[RW_CFG_PATH_MAX], suffix[64];
	const char *fname = rw_alert_format_name(alert->format);

	if (known && !formats[alert->format].secret && json_object_get(obj, "secret") != NULL)
		rw_cfg_err(ctx, rw_cfg_path_key(p, sizeof(p), path, "secret"),
			   "not used by format \"%s\"", fname);
	else
		rw_cfg_secret(ctx, obj, path, "secret", &alert->secret);
	if (known && !formats[alert->format].routing_key &&
	    json_object_get(obj, "routing_key") != NULL) {
		rw_cfg_err(ctx, rw_cfg_path_key(p, sizeof(p), path, "routing_key"),
			   "not used by format \"%s\"", fname);
	} else if (rw_cfg_secret(ctx, obj, path, "routing_key", &alert->routing_key) == 0 &&
		   known && formats[alert->format].routing_key) {
		snprintf(suffix, sizeof(suffix), "for format \"%s\"", fname);
		rw_cfg_missing(ctx, path, "routing_key", suffix);
	}
}

/* One alert target at path. */
static void
read_alert(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path,
	   struct rw_alert_config *alert)
{
	bool known;

	alert->events = RW_EVENT_ALL;
	alert->timeout = DEFAULT_TIMEOUT;
	alert->retry_for = DEFAULT_RETRY_FOR;
	if (rw_cfg_v_type(ctx, obj, path, JSON_OBJECT) == -1) {
		ctx->alerts.incomplete = true;
		return;
	}
	rw_cfg_check_keys(ctx, obj, path, alert_keys);
	rw_cfg_read_name(ctx, obj, path, &ctx->alerts, &alert->name);
	known = read_format(ctx, obj, path, alert) == 0;
	read_url(ctx, obj, path, alert, known);
	read_format_secrets(ctx, obj, path, alert, known);
	if (json_object_get(obj, "events") != NULL) {
		alert->events = 0;
		rw_cfg_strlist(ctx, obj, path, "events", "leave the key out for all events",
			       check_event, &alert->events, NULL);
	}
	rw_cfg_duration(ctx, obj, path, "repeat_every", &alert->repeat_every);
	rw_cfg_duration(ctx, obj, path, "group_window", &alert->group_window);
	rw_cfg_duration(ctx, obj, path, "timeout", &alert->timeout);
	rw_cfg_duration(ctx, obj, path, "retry_for", &alert->retry_for);
	read_match(ctx, obj, path, alert);
}

void
rw_cfg_read_alerts(struct rw_cfg_ctx *ctx, const json_t *root)
{
	const json_t *sec = json_object_get(root, "alerts"), *obj;
	char p[RW_CFG_PATH_MAX];
	size_t i;

	if (sec == NULL || rw_cfg_v_type(ctx, sec, "alerts", JSON_ARRAY) == -1 ||
	    json_array_size(sec) == 0)
		return;
	ctx->cfg->alerts = calloc(json_array_size(sec), sizeof(*ctx->cfg->alerts));
	if (ctx->cfg->alerts == NULL) {
		rw_cfg_oom(ctx);
		return;
	}
	json_array_foreach(sec, i, obj)
	{
		struct rw_alert_config *alert = &ctx->cfg->alerts[ctx->cfg->nalerts++];

		read_alert(ctx, obj, rw_cfg_path_index(p, sizeof(p), "alerts", i), alert);
	}
}

void
rw_cfg_alert_free(struct rw_alert_config *alert)
{
	free(alert->name);
	rw_secret_free(alert->url);
	rw_secret_free(alert->secret);
	rw_secret_free(alert->routing_key);
	rw_cfg_strlist_free(&alert->match.policies);
	rw_cfg_strlist_free(&alert->match.sources);
	rw_cfg_labels_free(&alert->match.labels);
}
