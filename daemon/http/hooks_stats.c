/*
 * hooks_stats.c: what the daemon remembers of webhooks per source
 * (hooks.h), in memory: the counters for /status and /metrics (they restart
 * from zero with the daemon, as Prometheus counters may). The ids removed
 * lately are kept in Redis instead (hookstore.h): a restart must not forget
 * them.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/hooks.h"

struct hook_source {
	char *name;
	uint64_t n[RW_HOOK_COUNT_MAX];
};

struct rw_hooks {
	struct hook_source *src;
	size_t nsrc;
};

/* The names in /status and the "result" label of the metrics. */
static const char *const count_names[RW_HOOK_COUNT_MAX] = {
	[RW_HOOK_DELIVERIES] = "deliveries",
	[RW_HOOK_BAD_SIGNATURE] = "bad_signature",
	[RW_HOOK_REJECTED] = "rejected",
	[RW_HOOK_HANDSHAKES] = "handshakes",
	[RW_HOOK_HANDSHAKES_REFUSED] = "handshakes_refused",
	[RW_HOOK_ITEMS] = "items",
	[RW_HOOK_REMOVED] = "removed",
	[RW_HOOK_QUEUED] = "queued",
	[RW_HOOK_IGNORED] = "ignored",
	[RW_HOOK_UNUSABLE] = "unusable",
};

struct rw_hooks *
rw_hooks_new(void)
{
	return calloc(1, sizeof(struct rw_hooks));
}

static struct hook_source *
hooks_find(const struct rw_hooks *h, const char *source)
{
	for (size_t i = 0; h != NULL && i < h->nsrc; i++) {
		if (strcmp(h->src[i].name, source) == 0)
			return &h->src[i];
	}
	return NULL;
}

/* source's entry, made on first use; NULL on allocation failure. */
static struct hook_source *
hooks_get(struct rw_hooks *h, const char *source)
{
	struct hook_source *s = hooks_find(h, source), *grown;

	if (s != NULL || h == NULL)
		return s;
	grown = realloc(h->src, (h->nsrc + 1) * sizeof(*grown));
	if (grown == NULL)
		return NULL;
	h->src = grown;
	s = &grown[h->nsrc];
	memset(s, 0, sizeof(*s));
	if ((s->name = strdup(source)) == NULL)
		return NULL;
	h->nsrc++;
	return s;
}

void
rw_hooks_count(struct rw_hooks *h, const char *source, enum rw_hook_count c, size_t n)
{
	struct hook_source *s = hooks_get(h, source);

	if (s != NULL && c < RW_HOOK_COUNT_MAX)
		s->n[c] += n;
}

uint64_t
rw_hooks_get(const struct rw_hooks *h, const char *source, enum rw_hook_count c)
{
	const struct hook_source *s = hooks_find(h, source);

	return s != NULL && c < RW_HOOK_COUNT_MAX ? s->n[c] : 0;
}

json_t *
rw_hooks_source_json(const struct rw_hooks *h, const char *source)
{
	const struct hook_source *s = hooks_find(h, source);
	json_t *o;

	if (s == NULL || (o = json_object()) == NULL)
		return NULL;
	for (int c = 0; c < RW_HOOK_COUNT_MAX; c++)
		json_object_set_new(o, count_names[c], json_integer((json_int_t)s->n[c]));
	return o;
}

void
rw_hooks_write_metrics(const struct rw_hooks *h, FILE *out)
{
	if (h == NULL || h->nsrc == 0)
		return;
	fputs("# HELP replywatch_webhook_requests_total Webhook requests by source and outcome.\n"
	      "# TYPE replywatch_webhook_requests_total counter\n",
	      out);
	for (size_t i = 0; i < h->nsrc; i++) {
		for (int c = RW_HOOK_DELIVERIES; c <= RW_HOOK_HANDSHAKES_REFUSED; c++)
			fprintf(out,
				"replywatch_webhook_requests_total{source=\"%s\",result=\"%s\"} "
				"%" PRIu64 "\n",
				h->src[i].name, count_names[c], h->src[i].n[c]);
	}
	fputs("# HELP replywatch_webhook_changes_total Changes of accepted webhook deliveries by "
	      "source and outcome.\n"
	      "# TYPE replywatch_webhook_changes_total counter\n",
	      out);
	for (size_t i = 0; i < h->nsrc; i++) {
		for (int c = RW_HOOK_ITEMS; c < RW_HOOK_COUNT_MAX; c++)
			fprintf(out,
				"replywatch_webhook_changes_total{source=\"%s\",result=\"%s\"} "
				"%" PRIu64 "\n",
				h->src[i].name, count_names[c], h->src[i].n[c]);
	}
}

void
rw_hooks_free(struct rw_hooks *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->nsrc; i++)
		free(h->src[i].name);
	free(h->src);
	free(h);
}
