/*
 * config_policies.c: the "policies" section: response-time targets, which
 * mentions they apply to, and the calendar they count in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "replywatch/duration.h"

static const char *const policy_keys[] = {
	"name", "match", "warn_after", "breach_after", "escalate_after", "calendar", NULL,
};

static const char *const match_keys[] = {
	"sources", "platforms", "kind", "keywords", "min_followers", "max_rating", "labels", NULL,
};

/* match.sources: each must name a source. */
static int
check_source_ref(struct rw_cfg_ctx *ctx, const char *value, const char *path, void *arg)
{
	return rw_cfg_check_ref(ctx, &ctx->sources, value, path, "source");
}

/* match.platforms: each must be a source type. */
static int
check_platform(struct rw_cfg_ctx *ctx, const char *value, const char *path, void *arg)
{
	char q[RW_CFG_QUOTE_MAX], names[512];
	enum rw_source_type t;

	if (rw_source_type_parse(value, &t) == 0)
		return 0;
	rw_cfg_err(ctx, path, "unknown platform %s (expected one of: %s)",
		   rw_cfg_quote(q, sizeof(q), value),
		   rw_cfg_join(names, sizeof(names), rw_cfg_source_type_names()));
	return -1;
}

/* match.kind: each a kind name; the bits are gathered in *(unsigned *)arg. */
static int
check_kind(struct rw_cfg_ctx *ctx, const char *value, const char *path, void *arg)
{
	char q[RW_CFG_QUOTE_MAX], names[128];
	unsigned kind = rw_kind_parse(value);

	if (kind != 0) {
		*(unsigned *)arg |= kind;
		return 0;
	}
	rw_cfg_err(ctx, path, "unknown kind %s (expected one of: %s)",
		   rw_cfg_quote(q, sizeof(q), value),
		   rw_cfg_join(names, sizeof(names), rw_cfg_kind_names()));
	return -1;
}

/*
 * match: every key narrows the policy. An empty list is refused rather than
 * guessed at ("matches nothing" or "matches anything"): leaving the key out
 * is how to match anything.
 */
static void
read_match(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, struct rw_policy_match *m)
{
	char p[RW_CFG_PATH_MAX];
	const json_t *v = json_object_get(obj, "match");
	int64_t n;

	if (v == NULL)
		return;
	rw_cfg_path_key(p, sizeof(p), path, "match");
	if (rw_cfg_v_type(ctx, v, p, JSON_OBJECT) == -1)
		return;
	rw_cfg_check_keys(ctx, v, p, match_keys);
	rw_cfg_strlist(ctx, v, p, "sources", RW_CFG_ANY_HINT, check_source_ref, NULL, &m->sources);
	rw_cfg_strlist(ctx, v, p, "platforms", RW_CFG_ANY_HINT, check_platform, NULL,
		       &m->platforms);
	rw_cfg_strlist(ctx, v, p, "kind", RW_CFG_ANY_HINT, check_kind, &m->kinds, NULL);
	rw_cfg_strlist(ctx, v, p, "keywords", RW_CFG_ANY_HINT, rw_cfg_check_nonempty, NULL,
		       &m->keywords);
	if (rw_cfg_int(ctx, v, p, "min_followers", 0, INT64_MAX, &m->min_followers) == 1)
		m->has_min_followers = true;
	if (rw_cfg_int(ctx, v, p, "max_rating", 1, 5, &n) == 1) {
		m->has_max_rating = true;
		m->max_rating = (int)n;
	}
	rw_cfg_labels(ctx, v, p, "labels", &m->labels);
}

/* escalate_after: durations, each later than the one before. */
static void
read_escalation(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path,
		struct rw_policy_config *pol)
{
	char p[RW_CFG_PATH_MAX], ip[RW_CFG_PATH_MAX], a[32], b[32];
	const json_t *v = json_object_get(obj, "escalate_after"), *item;
	int64_t prev = 0;
	size_t i;

	if (v == NULL)
		return;
	rw_cfg_path_key(p, sizeof(p), path, "escalate_after");
	if (rw_cfg_v_type(ctx, v, p, JSON_ARRAY) == -1 || json_array_size(v) == 0)
		return;
	if ((pol->escalate_after = calloc(json_array_size(v), sizeof(int64_t))) == NULL) {
		rw_cfg_oom(ctx);
		return;
	}
	json_array_foreach(v, i, item)
	{
		int64_t d;

		rw_cfg_path_index(ip, sizeof(ip), p, i);
		if (rw_cfg_v_duration(ctx, item, ip, &d) == -1)
			continue;
		if (d <= prev) {
			rw_duration_format(d, a, sizeof(a));
			rw_duration_format(prev, b, sizeof(b));
			rw_cfg_err(ctx, ip,
				   "%s is not after the step before it (%s); steps "
				   "must be in ascending order",
				   a, b);
			continue;
		}
		pol->escalate_after[pol->nescalate++] = d;
		prev = d;
	}
}

/* warn_after, breach_after (required) and their order. */
static void
read_times(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path,
	   struct rw_policy_config *pol)
{
	char p[RW_CFG_PATH_MAX], a[32], b[32];
	int warn = rw_cfg_duration(ctx, obj, path, "warn_after", &pol->warn_after);
	int breach = rw_cfg_duration(ctx, obj, path, "breach_after", &pol->breach_after);

	if (breach == 0)
		rw_cfg_missing(ctx, path, "breach_after", NULL);
	if (warn == 1 && breach == 1 && pol->warn_after >= pol->breach_after) {
		rw_duration_format(pol->warn_after, a, sizeof(a));
		rw_duration_format(pol->breach_after, b, sizeof(b));
		rw_cfg_err(ctx, rw_cfg_path_key(p, sizeof(p), path, "warn_after"),
			   "%s must be shorter than breach_after (%s)", a, b);
	}
}

/* One policy object at path. */
static void
read_policy(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path,
	    struct rw_policy_config *pol)
{
	char p[RW_CFG_PATH_MAX];
	const char *s;

	if (rw_cfg_v_type(ctx, obj, path, JSON_OBJECT) == -1) {
		ctx->policies.incomplete = true;
		return;
	}
	rw_cfg_check_keys(ctx, obj, path, policy_keys);
	rw_cfg_read_name(ctx, obj, path, &ctx->policies, &pol->name);
	read_match(ctx, obj, path, &pol->match);
	read_times(ctx, obj, path, pol);
	read_escalation(ctx, obj, path, pol);
	if (rw_cfg_string(ctx, obj, path, "calendar", &s) == 1) {
		rw_cfg_path_key(p, sizeof(p), path, "calendar");
		if (rw_cfg_check_ref(ctx, &ctx->calendars, s, p, "calendar") == 0)
			pol->calendar_name = rw_cfg_strdup(ctx, s);
	}
}

void
rw_cfg_read_policies(struct rw_cfg_ctx *ctx, const json_t *root)
{
	const json_t *sec = json_object_get(root, "policies"), *obj;
	char p[RW_CFG_PATH_MAX];
	size_t i;

	if (sec == NULL)
		return;
	if (rw_cfg_v_type(ctx, sec, "policies", JSON_ARRAY) == -1) {
		ctx->policies.incomplete = true;
		return;
	}
	if (json_array_size(sec) == 0)
		return;
	ctx->cfg->policies = calloc(json_array_size(sec), sizeof(*ctx->cfg->policies));
	if (ctx->cfg->policies == NULL) {
		rw_cfg_oom(ctx);
		return;
	}
	json_array_foreach(sec, i, obj)
	{
		struct rw_policy_config *pol = &ctx->cfg->policies[ctx->cfg->npolicies++];

		read_policy(ctx, obj, rw_cfg_path_index(p, sizeof(p), "policies", i), pol);
	}
}

void
rw_cfg_policy_free(struct rw_policy_config *pol)
{
	free(pol->name);
	rw_cfg_strlist_free(&pol->match.sources);
	rw_cfg_strlist_free(&pol->match.platforms);
	rw_cfg_strlist_free(&pol->match.keywords);
	rw_cfg_labels_free(&pol->match.labels);
	free(pol->escalate_after);
	free(pol->calendar_name);
}
