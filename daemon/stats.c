/*
 * stats.c: the live figures, read from Redis: every source once a second,
 * or SWEEP_MAX sources a second when there are more (a sweep).
 */
#include <ev.h>
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/config.h"
#include "replywatch/keys.h"
#include "replywatch/log.h"
#include "replywatch/mention.h"
#include "replywatch/series.h"
#include "replywatch/stats.h"
#include "replywatch/store.h"
#include "replywatch/tracker.h"

#define REFRESH_EVERY 1.0
/* Sources read per refresh at most: each costs Redis a script and a stream
 * read, so 10 000 sources read every second were 20 000 commands queued at
 * once (over the store's in-flight cap, starving the polls' own commands)
 * and a third of a Redis core. Past it, figures are up to
 * nsources / SWEEP_MAX seconds old. */
#define SWEEP_MAX 1000
#define READ_BATCH 5000
#define MAX_BUCKETS 64

static const int64_t ladder[] = {1,    5,    15,   30,    60,    120,   300,   600,    900,
				 1800, 3600, 7200, 14400, 28800, 43200, 86400, 172800, 604800};

/* One policy's unanswered mentions at one source, by state: open (not yet
 * warned), warning, breached; the three together are what /status "open"
 * and replywatch_mentions_open count. */
struct policy_counts {
	char *policy;
	int64_t open, warning, breached, oldest;
};

struct source_stats {
	char *name;
	json_t *counters; /* the counter hash: field -> integer */
	struct policy_counts *pc;
	size_t npc;
	char last_id[48]; /* reply log read up to here */
	bool read_once;
};

struct policy_replies {
	char *policy;
	struct rw_series_reply *recs;
	size_t n, cap;
};

struct rw_stats {
	struct ev_loop *loop;
	struct rw_store *store;
	const struct rw_config *cfg;
	struct source_stats *sources;
	size_t nsources;
	struct source_stats **by_name; /* sources sorted by name: find_source */
	size_t sweep;                  /* the next source a refresh reads */
	struct policy_replies *replies;
	size_t nreplies;
	ev_timer timer;
	size_t reading;               /* reads under way */
	struct rw_series_queue queue; /* the dashboard's queue over time */
};

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Adds v to the first n bounds unless it is there already. */
static size_t
add_bound(int64_t *bounds, size_t n, size_t max, int64_t v)
{
	for (size_t i = 0; i < n; i++)
		if (bounds[i] == v)
			return n;
	if (n < max)
		bounds[n++] = v;
	return n;
}

size_t
rw_stats_buckets(const struct rw_config *cfg, int64_t *bounds, size_t max)
{
	size_t n = 0;

	/* Policy thresholds first: they must never be crowded out. */
	for (size_t i = 0; cfg != NULL && i < cfg->npolicies; i++) {
		const struct rw_policy_config *p = &cfg->policies[i];

		if (p->warn_after)
			n = add_bound(bounds, n, max, p->warn_after);
		n = add_bound(bounds, n, max, p->breach_after);
		for (size_t j = 0; j < p->nescalate; j++)
			n = add_bound(bounds, n, max, p->escalate_after[j]);
	}
	for (size_t i = 0; i < sizeof(ladder) / sizeof(ladder[0]); i++)
		n = add_bound(bounds, n, max, ladder[i]);
	qsort(bounds, n, sizeof(*bounds), cmp_i64);
	return n;
}

void
rw_stats_bucket_name(const struct rw_config *cfg, int64_t ms, char *buf, size_t len)
{
	int64_t bounds[MAX_BUCKETS];
	size_t n = rw_stats_buckets(cfg, bounds, MAX_BUCKETS);

	for (size_t i = 0; i < n; i++) {
		if (ms <= bounds[i] * 1000) {
			snprintf(buf, len, "%" PRId64, bounds[i]);
			return;
		}
	}
	snprintf(buf, len, "+Inf");
}

static struct policy_replies *
replies_for(struct rw_stats *s, const char *policy)
{
	struct policy_replies *grown;

	for (size_t i = 0; i < s->nreplies; i++)
		if (strcmp(s->replies[i].policy, policy) == 0)
			return &s->replies[i];
	grown = realloc(s->replies, (s->nreplies + 1) * sizeof(*grown));
	if (grown == NULL)
		return NULL;
	s->replies = grown;
	memset(&grown[s->nreplies], 0, sizeof(*grown));
	if ((grown[s->nreplies].policy = strdup(policy)) == NULL)
		return NULL;
	return &grown[s->nreplies++];
}

/* One reply-log entry: r = "POLICY|WALL_MS|BUSINESS_MS|WITHIN|ID", t = reply ms. */
static void
add_reply(struct rw_stats *s, const redisReply *fields)
{
	const char *r = NULL, *t = NULL;
	char policy[128];
	long long wall, business;
	char within;
	struct policy_replies *pr;

	for (size_t i = 0; i + 1 < fields->elements; i += 2) {
		if (strcmp(fields->element[i]->str, "r") == 0)
			r = fields->element[i + 1]->str;
		else if (strcmp(fields->element[i]->str, "t") == 0)
			t = fields->element[i + 1]->str;
	}
	if (r == NULL || t == NULL ||
	    sscanf(r, "%127[^|]|%lld|%lld|%c|", policy, &wall, &business, &within) != 4)
		return;
	pr = replies_for(s, policy);
	if (pr == NULL)
		return;
	if (pr->n == pr->cap) {
		size_t cap = pr->cap ? pr->cap * 2 : 256;
		struct rw_series_reply *grown = realloc(pr->recs, cap * sizeof(*grown));

		if (grown == NULL)
			return;
		pr->recs = grown;
		pr->cap = cap;
	}
	pr->recs[pr->n++] = (struct rw_series_reply){strtoll(t, NULL, 10), business,
						     within == '1'   ? 1
						     : within == '0' ? 0
								     : -1};
}

/* Drops replies older than the longest window. */
static void
prune(struct rw_stats *s, int64_t now)
{
	for (size_t i = 0; i < s->nreplies; i++) {
		struct policy_replies *pr = &s->replies[i];
		size_t kept = 0;

		for (size_t j = 0; j < pr->n; j++)
			if (pr->recs[j].reply_ms > now - RW_STATS_KEEP_MS)
				pr->recs[kept++] = pr->recs[j];
		pr->n = kept;
	}
}

struct read_ctx {
	struct rw_stats *s;
	char *source;
};

/* By binary search over by_name: a reply of each of 10 000 sources looked
 * up by a walk was a second of CPU every second. */
static struct source_stats *
find_source(const struct rw_stats *s, const char *name)
{
	size_t lo = 0, hi = s->by_name != NULL ? s->nsources : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->by_name[mid]->name, name);

		if (c == 0)
			return s->by_name[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int
cmp_by_name(const void *a, const void *b)
{
	return strcmp((*(struct source_stats *const *)a)->name,
		      (*(struct source_stats *const *)b)->name);
}

static void read_replies(struct rw_stats *s, struct source_stats *src);

static void
replies_read(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct read_ctx *ctx = arg;
	struct source_stats *src = find_source(ctx->s, ctx->source);

	(void)st;
	ctx->s->reading--;
	if (src != NULL && reply != NULL && reply->type == REDIS_REPLY_ARRAY) {
		for (size_t i = 0; i < reply->elements; i++) {
			const redisReply *e = reply->element[i];

			if (e->type != REDIS_REPLY_ARRAY || e->elements != 2)
				continue;
			add_reply(ctx->s, e->element[1]);
			snprintf(src->last_id, sizeof(src->last_id), "%s", e->element[0]->str);
		}
		if (reply->elements == READ_BATCH)
			read_replies(ctx->s, src);
		else
			src->read_once = true;
	}
	free(ctx->source);
	free(ctx);
}

static struct read_ctx *
ctx_new(struct rw_stats *s, const char *source)
{
	struct read_ctx *ctx = calloc(1, sizeof(*ctx));

	if (ctx == NULL || (ctx->source = strdup(source)) == NULL) {
		free(ctx);
		return NULL;
	}
	ctx->s = s;
	return ctx;
}

static void
read_replies(struct rw_stats *s, struct source_stats *src)
{
	struct read_ctx *ctx = ctx_new(s, src->name);
	char key[RW_KEY_SIZE], start[64], count[16];

	if (ctx == NULL)
		return;
	if (rw_key_name(RW_KEY_REPLIES, rw_store_key_prefix(s->store), src->name, NULL, key,
			sizeof(key)) == NULL) {
		free(ctx->source);
		free(ctx);
		return;
	}
	snprintf(start, sizeof(start), "(%s", src->last_id);
	snprintf(count, sizeof(count), "%d", READ_BATCH);
	const char *argv[6] = {"XRANGE", key, start, "+", "COUNT", count};
	size_t len[6];
	for (int i = 0; i < 6; i++)
		len[i] = strlen(argv[i]);
	if (rw_store_command(s->store, 6, argv, len, replies_read, ctx) == -1) {
		free(ctx->source);
		free(ctx);
		return;
	}
	s->reading++;
}

static void
clear_counts(struct source_stats *src)
{
	for (size_t i = 0; i < src->npc; i++)
		free(src->pc[i].policy);
	free(src->pc);
	src->pc = NULL;
	src->npc = 0;
}

static void
counts_read(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct read_ctx *ctx = arg;
	struct source_stats *src = find_source(ctx->s, ctx->source);

	(void)st;
	ctx->s->reading--;
	if (src != NULL && reply != NULL && reply->type == REDIS_REPLY_ARRAY &&
	    reply->elements == 2) {
		const redisReply *rows = reply->element[0], *cnt = reply->element[1];
		json_t *counters = json_object();

		clear_counts(src);
		src->pc = calloc(rows->elements + 1, sizeof(*src->pc));
		for (size_t i = 0; src->pc && i < rows->elements; i++) {
			const redisReply *r = rows->element[i];
			struct policy_counts *pc = &src->pc[src->npc];

			if (r->elements != 5 || (pc->policy = strdup(r->element[0]->str)) == NULL)
				continue;
			pc->open = r->element[1]->integer;
			pc->warning = r->element[2]->integer;
			pc->breached = r->element[3]->integer;
			pc->oldest = strtoll(r->element[4]->str, NULL, 10);
			src->npc++;
		}
		for (size_t i = 0; counters && i + 1 < cnt->elements; i += 2)
			json_object_set_new(
				counters, cnt->element[i]->str,
				json_integer(strtoll(cnt->element[i + 1]->str, NULL, 10)));
		json_decref(src->counters);
		src->counters = counters;
	}
	free(ctx->source);
	free(ctx);
}

static void
read_counts(struct rw_stats *s, struct source_stats *src)
{
	struct read_ctx *ctx = ctx_new(s, src->name);
	char base[RW_KEY_SIZE];

	if (ctx == NULL)
		return;
	const char *argv[1] = {
		rw_key_base(rw_store_key_prefix(s->store), src->name, base, sizeof(base))};
	size_t len[1] = {strlen(base)};
	if (argv[0] == NULL ||
	    rw_store_script(s->store, "counts", 1, 1, argv, len, counts_read, ctx) == -1) {
		free(ctx->source);
		free(ctx);
		return;
	}
	s->reading++;
}

/* The waiting mentions of every source and policy as last read: open is
 * all of them, as replywatch_mentions_open counts; warning and breached
 * are parts of it. */
static struct rw_series_sample
queue_now(const struct rw_stats *s, int64_t now)
{
	struct rw_series_sample sample = {.at_ms = now};

	for (size_t i = 0; i < s->nsources; i++) {
		for (size_t k = 0; k < s->sources[i].npc; k++) {
			sample.open += s->sources[i].pc[k].open + s->sources[i].pc[k].warning +
				       s->sources[i].pc[k].breached;
			sample.warning += s->sources[i].pc[k].warning;
			sample.breached += s->sources[i].pc[k].breached;
		}
	}
	return sample;
}

/* Once a minute, into the dashboard's ring (in memory: it starts empty). */
static void
sample_queue(struct rw_stats *s, int64_t now)
{
	struct rw_series_sample sample;

	if (s->nsources == 0 || !rw_stats_ready(s))
		return;
	sample = queue_now(s, now);
	(void)rw_series_queue_add(&s->queue, &sample); /* 0: a sample this minute already */
}

void
rw_stats_refresh(struct rw_stats *s)
{
	if (!rw_store_connected(s->store) || s->reading > 0)
		return;
	sample_queue(s, rw_now_ms());
	prune(s, rw_now_ms());
	/* The next SWEEP_MAX sources from where the last refresh stopped. */
	for (size_t k = 0; k < s->nsources && k < SWEEP_MAX; k++) {
		if (s->sweep >= s->nsources)
			s->sweep = 0;
		read_counts(s, &s->sources[s->sweep]);
		read_replies(s, &s->sources[s->sweep]);
		s->sweep++;
	}
}

static void
on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	rw_stats_refresh(w->data);
}

struct rw_stats *
rw_stats_new(struct ev_loop *loop, struct rw_store *st)
{
	struct rw_stats *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->loop = loop;
	s->store = st;
	ev_timer_init(&s->timer, on_timer, REFRESH_EVERY, REFRESH_EVERY);
	s->timer.data = s;
	ev_timer_start(loop, &s->timer);
	return s;
}

static void
free_source(struct source_stats *src)
{
	clear_counts(src);
	json_decref(src->counters);
	free(src->name);
}

void
rw_stats_use(struct rw_stats *s, const struct rw_config *cfg)
{
	struct source_stats *next = calloc(cfg->nsources + 1, sizeof(*next));
	struct source_stats **by_name = calloc(cfg->nsources + 1, sizeof(*by_name));
	bool *moved = calloc(s->nsources + 1, sizeof(*moved));
	size_t n = 0;

	if (next == NULL || by_name == NULL || moved == NULL) {
		free(next);
		free(by_name);
		free(moved);
		return;
	}
	for (size_t i = 0; i < cfg->nsources; i++) {
		/* The old entries keep their names until the end: by_name
		 * still finds them. */
		struct source_stats *old = find_source(s, cfg->sources[i].name);

		if (old != NULL && !moved[old - s->sources]) {
			next[n++] = *old;
			moved[old - s->sources] = true;
			continue;
		}
		if ((next[n].name = strdup(cfg->sources[i].name)) == NULL)
			continue;
		/* First read: the replies of the longest window. */
		snprintf(next[n].last_id, sizeof(next[n].last_id), "%" PRId64 "-0",
			 rw_now_ms() - RW_STATS_KEEP_MS);
		n++;
	}
	for (size_t i = 0; i < s->nsources; i++)
		if (!moved[i])
			free_source(&s->sources[i]);
	free(moved);
	free(s->sources);
	free(s->by_name);
	s->sources = next;
	s->nsources = n;
	for (size_t i = 0; i < n; i++)
		by_name[i] = &next[i];
	qsort(by_name, n, sizeof(*by_name), cmp_by_name);
	s->by_name = by_name;
	s->sweep = 0;
	s->cfg = cfg;
	rw_stats_refresh(s);
}

bool
rw_stats_ready(const struct rw_stats *s)
{
	for (size_t i = 0; i < s->nsources; i++)
		if (!s->sources[i].read_once)
			return false;
	return true;
}

/* Nearest rank over sorted values (ms), in seconds: the smallest value with
 * at least pct % of the values at or below it. */
static double
rank(const int64_t *values, size_t n, unsigned pct)
{
	size_t idx = (pct * n + 99) / 100; /* ceil(pct/100 * n) */

	return (double)values[idx ? idx - 1 : 0] / 1000.0;
}

/* Figures of one window: replies with reply time in (now - span, now]. */
static json_t *
window_json(const struct policy_replies *pr, int64_t now, int64_t span_ms)
{
	int64_t *values = NULL;
	size_t n = 0, within = 0;
	json_t *w;

	if (pr != NULL && pr->n > 0)
		values = malloc(pr->n * sizeof(*values));
	for (size_t i = 0; values && i < pr->n; i++) {
		const struct rw_series_reply *r = &pr->recs[i];

		if (r->reply_ms <= now - span_ms || r->reply_ms > now)
			continue;
		values[n++] = r->business_ms;
		within += r->within == 1;
	}
	w = json_pack("{s:I, s:I}", "replied", (json_int_t)n, "within_sla", (json_int_t)within);
	json_object_set_new(w, "compliance", n ? json_real((double)within / n) : json_null());
	if (n == 0) {
		json_object_set_new(w, "response_seconds",
				    json_pack("{s:n, s:n, s:n, s:n}", "p50", "p90", "p99", "max"));
	} else {
		qsort(values, n, sizeof(*values), cmp_i64);
		json_object_set_new(w, "response_seconds",
				    json_pack("{s:f, s:f, s:f, s:f}", "p50", rank(values, n, 50),
					      "p90", rank(values, n, 90), "p99",
					      rank(values, n, 99), "max",
					      (double)values[n - 1] / 1000.0));
	}
	free(values);
	return w;
}

json_t *
rw_stats_policies_json(struct rw_stats *s, int64_t now)
{
	json_t *list = json_array();

	for (size_t i = 0; list && s->cfg && i < s->cfg->npolicies; i++) {
		const struct rw_policy_config *p = &s->cfg->policies[i];
		int64_t open = 0, warning = 0, breached = 0, oldest = 0;
		const struct policy_replies *pr = NULL;
		json_t *o;

		for (size_t j = 0; j < s->nsources; j++) {
			for (size_t k = 0; k < s->sources[j].npc; k++) {
				const struct policy_counts *pc = &s->sources[j].pc[k];

				if (strcmp(pc->policy, p->name) != 0)
					continue;
				open += pc->open;
				warning += pc->warning;
				breached += pc->breached;
				if (pc->oldest && (oldest == 0 || pc->oldest < oldest))
					oldest = pc->oldest;
			}
		}
		for (size_t j = 0; j < s->nreplies; j++)
			if (strcmp(s->replies[j].policy, p->name) == 0)
				pr = &s->replies[j];
		/* "open" is every unanswered mention, whatever its state, as in
		 * replywatch_mentions_open; warning and breached are parts of it.
		 * by_state splits it by the mention states of /mentions. */
		o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I}}", "name", p->name,
			      "warn_after_seconds", (json_int_t)p->warn_after,
			      "breach_after_seconds", (json_int_t)p->breach_after, "open",
			      (json_int_t)(open + warning + breached), "warning",
			      (json_int_t)warning, "breached", (json_int_t)breached, "by_state",
			      "open", (json_int_t)open, "warning", (json_int_t)warning, "breached",
			      (json_int_t)breached);
		json_object_set_new(o, "oldest_open_age_seconds",
				    oldest ? json_integer((now - oldest) / 1000) : json_null());
		json_object_set_new(o, "windows",
				    json_pack("{s:o, s:o, s:o}", "1h",
					      window_json(pr, now, 3600 * 1000LL), "24h",
					      window_json(pr, now, 86400 * 1000LL), "7d",
					      window_json(pr, now, 7 * 86400 * 1000LL)));
		json_array_append_new(list, o);
	}
	return list;
}

/* One policy's charts: the 7 d distribution over the histogram's bounds,
 * and compliance and p90 per UTC hour (24) and per UTC day (7). */
static json_t *
policy_series_json(const struct rw_stats *s, const struct rw_policy_config *p, int64_t now)
{
	static const struct rw_series_reply none[1];
	const struct rw_series_reply *recs = none;
	int64_t bounds[MAX_BUCKETS];
	size_t n = 0, nb = rw_stats_buckets(s->cfg, bounds, MAX_BUCKETS);

	for (size_t j = 0; j < s->nreplies; j++) {
		if (strcmp(s->replies[j].policy, p->name) == 0) {
			recs = s->replies[j].recs;
			n = s->replies[j].n;
		}
	}
	return json_pack("{s:s, s:I, s:I, s:{s:s, s:o}, s:o, s:o}", "name", p->name,
			 "warn_after_seconds", (json_int_t)p->warn_after, "breach_after_seconds",
			 (json_int_t)p->breach_after, "distribution", "window", "7d", "buckets",
			 rw_series_distribution_json(recs, n, now, 7 * 86400 * 1000LL, bounds, nb),
			 "hourly", rw_series_buckets_json(recs, n, now, 3600 * 1000LL, 24), "daily",
			 rw_series_buckets_json(recs, n, now, 86400 * 1000LL, 7));
}

json_t *
rw_stats_dashboard_json(struct rw_stats *s, int64_t now)
{
	json_t *list = json_array();

	for (size_t i = 0; list && s->cfg && i < s->cfg->npolicies; i++) {
		json_t *o = policy_series_json(s, &s->cfg->policies[i], now);

		if (o == NULL || json_array_append_new(list, o) == -1) {
			json_decref(list);
			list = NULL;
		}
	}
	struct rw_series_sample cur = queue_now(s, now);

	return json_pack("{s:o, s:o, s:{s:I, s:I, s:o, s:{s:o, s:I, s:I, s:I}}}", "now",
			 rw_time_json(now), "policies", list, "queue", "every_seconds",
			 (json_int_t)(RW_SERIES_QUEUE_EVERY_MS / 1000), "kept",
			 (json_int_t)RW_SERIES_QUEUE_MAX, "samples",
			 rw_series_queue_json(&s->queue), "current", "at", rw_time_json(now),
			 "open", (json_int_t)cur.open, "warning", (json_int_t)cur.warning,
			 "breached", (json_int_t)cur.breached);
}

/* Sums counter fields of one source that start with prefix. */
static int64_t
sum_prefix(const json_t *counters, const char *prefix)
{
	const char *key;
	json_t *v;
	int64_t sum = 0;

	json_object_foreach((json_t *)counters, key, v) if (strncmp(key, prefix, strlen(prefix)) ==
							    0) sum += json_integer_value(v);
	return sum;
}

void
rw_stats_source_seen(const struct rw_stats *s, const char *source, int64_t *mentions,
		     int64_t *replies)
{
	const struct source_stats *src = find_source(s, source);

	*mentions = *replies = 0;
	if (src == NULL || src->counters == NULL)
		return;
	*mentions = sum_prefix(src->counters, "m:");
	*replies = sum_prefix(src->counters, "r:");
}

/* Counter value "what:policy[:suffix]" at src, 0 when absent. */
static int64_t
counter(const struct source_stats *src, const char *what, const char *policy, const char *suffix)
{
	char field[200];

	snprintf(field, sizeof(field), "%s:%s%s%s", what, policy, suffix ? ":" : "",
		 suffix ? suffix : "");
	return src->counters ? json_integer_value(json_object_get(src->counters, field)) : 0;
}

static const struct policy_counts *
counts_of(const struct source_stats *src, const char *policy)
{
	for (size_t i = 0; i < src->npc; i++)
		if (strcmp(src->pc[i].policy, policy) == 0)
			return &src->pc[i];
	return NULL;
}

/* Label value text: Prometheus escapes backslash, quote and newline. Names
 * here are [a-z0-9_-], so none occur; policy "~" is shown as "none". */
static const char *
policy_label(const char *policy)
{
	return strcmp(policy, "~") == 0 ? "none" : policy;
}

static void
write_histogram(struct rw_stats *s, FILE *out)
{
	int64_t bounds[MAX_BUCKETS];
	size_t nb = rw_stats_buckets(s->cfg, bounds, MAX_BUCKETS);

	fputs("# HELP replywatch_response_seconds Business seconds from mention to brand reply.\n"
	      "# TYPE replywatch_response_seconds histogram\n",
	      out);
	for (size_t i = 0; s->cfg && i < s->cfg->npolicies; i++) {
		const char *p = s->cfg->policies[i].name;
		int64_t cumulative = 0, total = 0, sum_ms = 0;
		char le[32];

		for (size_t j = 0; j < s->nsources; j++)
			sum_ms += counter(&s->sources[j], "hs", p, NULL);
		for (size_t b = 0; b <= nb; b++) {
			if (b < nb)
				snprintf(le, sizeof(le), "%" PRId64, bounds[b]);
			else
				snprintf(le, sizeof(le), "+Inf");
			/* Counts are stored per bucket; any stored bound at or below
			 * this one belongs to it (bounds may differ across reloads). */
			cumulative = 0;
			for (size_t j = 0; j < s->nsources; j++) {
				const char *key;
				json_t *v;
				char prefix[160];

				snprintf(prefix, sizeof(prefix), "h:%s:", p);
				if (s->sources[j].counters == NULL)
					continue;
				json_object_foreach(s->sources[j].counters, key, v)
				{
					const char *bound;

					if (strncmp(key, prefix, strlen(prefix)) != 0)
						continue;
					bound = key + strlen(prefix);
					if (b == nb || (strcmp(bound, "+Inf") != 0 &&
							strtoll(bound, NULL, 10) <= bounds[b]))
						cumulative += json_integer_value(v);
				}
			}
			fprintf(out,
				"replywatch_response_seconds_bucket{policy=\"%s\",le=\"%s\"} "
				"%" PRId64 "\n",
				p, le, cumulative);
		}
		total = cumulative;
		fprintf(out, "replywatch_response_seconds_sum{policy=\"%s\"} %.3f\n", p,
			(double)sum_ms / 1000.0);
		fprintf(out, "replywatch_response_seconds_count{policy=\"%s\"} %" PRId64 "\n", p,
			total);
	}
}

void
rw_stats_write_metrics(struct rw_stats *s, FILE *out)
{
	static const struct {
		const char *name, *type, *help;
	} families[] = {
		{"replywatch_mentions_open", "gauge",
		 "Mentions waiting for a reply, in any state (warning and breached included)."},
		{"replywatch_mentions_breached", "gauge", "Mentions waiting past their SLA."},
		{"replywatch_mentions_warning", "gauge",
		 "Mentions waiting past their warning, not yet breached."},
		{"replywatch_mentions_total", "counter", "Mentions tracked."},
		{"replywatch_replies_total", "counter", "Mentions answered by the brand."},
		{"replywatch_sla_breaches_total", "counter", "Mentions that missed their SLA."},
	};

	for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
		fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", families[f].name, families[f].help,
			families[f].name, families[f].type);
		for (size_t j = 0; j < s->nsources; j++) {
			const struct source_stats *src = &s->sources[j];

			for (size_t i = 0; s->cfg && i <= s->cfg->npolicies; i++) {
				const char *p =
					i < s->cfg->npolicies ? s->cfg->policies[i].name : "~";
				const struct policy_counts *pc = counts_of(src, p);
				const char *pl = policy_label(p);

				switch (f) {
				case 0:
					fprintf(out,
						"%s{policy=\"%s\",source=\"%s\"} %" PRId64 "\n",
						families[f].name, pl, src->name,
						pc ? pc->open + pc->warning + pc->breached : 0);
					break;
				case 1:
					fprintf(out,
						"%s{policy=\"%s\",source=\"%s\"} %" PRId64 "\n",
						families[f].name, pl, src->name,
						pc ? pc->breached : 0);
					break;
				case 2:
					fprintf(out,
						"%s{policy=\"%s\",source=\"%s\"} %" PRId64 "\n",
						families[f].name, pl, src->name,
						pc ? pc->warning : 0);
					break;
				case 3:
					fprintf(out,
						"%s{policy=\"%s\",source=\"%s\"} %" PRId64 "\n",
						families[f].name, pl, src->name,
						counter(src, "m", p, NULL));
					break;
				case 4:
					if (strcmp(p, "~") == 0)
						break;
					fprintf(out,
						"%s{policy=\"%s\",source=\"%s\",within_sla="
						"\"true\"} %" PRId64 "\n"
						"%s{policy=\"%s\",source=\"%s\",within_sla="
						"\"false\"} %" PRId64 "\n",
						families[f].name, pl, src->name,
						counter(src, "r", p, "1"), families[f].name, pl,
						src->name, counter(src, "r", p, "0"));
					break;
				case 5:
					if (strcmp(p, "~") == 0)
						break;
					fprintf(out,
						"%s{policy=\"%s\",source=\"%s\"} %" PRId64 "\n",
						families[f].name, pl, src->name,
						counter(src, "b", p, NULL));
					break;
				}
			}
		}
	}
	write_histogram(s, out);
}

void
rw_stats_free(struct rw_stats *s)
{
	if (s == NULL)
		return;
	ev_timer_stop(s->loop, &s->timer);
	for (size_t i = 0; i < s->nsources; i++)
		free_source(&s->sources[i]);
	free(s->sources);
	free(s->by_name);
	for (size_t i = 0; i < s->nreplies; i++) {
		free(s->replies[i].policy);
		free(s->replies[i].recs);
	}
	free(s->replies);
	free(s);
}
