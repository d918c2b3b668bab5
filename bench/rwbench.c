/*
 * rwbench: the measuring half of scripts/bench.sh.
 *
 *   rwbench store CONFIG N [FIRST]    ingest N mentions (ids from FIRST) through the
 *                                     tracker and store in-process (no HTTP); prints items/s
 *   rwbench store-x CONFIG N          the same with mentions shaped like X's: 19-digit
 *                                     ids, 120-character texts, URLs, and 15 % of
 *                                     them replying in an earlier one's conversation
 *   rwbench push PORT TOKEN N [C] [DUE_FROM_S DUE_SPREAD_S]
 *                                     push N mentions to /ingest/bench over C
 *                                     connections in batches of 1000; prints
 *                                     items/s. With DUE_*, the mentions are
 *                                     created so that their 2 s breach falls
 *                                     DUE_FROM..DUE_FROM+SPREAD s from now.
 *   rwbench lateness PORT TOKEN       p50/p99/max of (at - due) of breach events (ms)
 *   rwbench latency PORT TOKEN PATH N p50/p99 of N sequential GETs (ms)
 *   rwbench budget                    a simulated day of YouTube and X traffic polled
 *                                     with poll_every "auto" and with the fixed
 *                                     interval spending the same quota; per scenario
 *                                     one line "NAME ITEMS AUTO_POLLS AUTO_SPENT FIXED_S
 *                                     FIXED_SPENT" then p50, p90, max of the detection
 *                                     latency (s), auto then fixed (rwbench_budget.c)
 *   rwbench parsers [REPS]            the worst page each page parser accepts (the
 *                                     most entries, the largest answer, every
 *                                     look-up missing), parsed REPS times (default
 *                                     5); per parser one line "NAME BYTES ENTRIES
 *                                     KEPT PARSE_MS JSON_MS": the median time of a parse
 *                                     (page freed included) and of json_loadb of
 *                                     the same body, the baseline
 *
 * Everything talks to 127.0.0.1 only.
 */
#include <curl/curl.h>
#include <ev.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "replywatch/sources/bluesky.h"
#include "replywatch/config.h"
#include "replywatch/httpc.h"
#include "replywatch/item.h"
#include "replywatch/log.h"
#include "replywatch/sources/mastodon.h"
#include "replywatch/mention.h"
#include "replywatch/page.h"
#include "replywatch/policy.h"
#include "replywatch/store.h"
#include "replywatch/tracker.h"
#include "replywatch/sources/x.h"
#include "rwbench.h"

#define BATCH 1000

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(double *v, size_t n, double q)
{
	size_t i = (size_t)(q * n);

	return n ? v[i >= n ? n - 1 : i] : 0;
}

/* ---------------------------------------------------------------- store */

struct store_run {
	struct ev_loop *loop;
	int waiting;
	int failed;
};

static void
batch_done(void *arg, int result, const char *detail)
{
	struct store_run *run = arg;

	if (result != 0) {
		fprintf(stderr, "ingest failed: %s\n", detail ? detail : "?");
		run->failed = 1;
	}
	run->waiting--;
}

/* Mentions first.. of a run; mention k was created at origin + k ms (one a
 * millisecond, as a busy brand's stream would space them). */
static struct rw_item *
make_batch(long first, size_t n, int64_t origin)
{
	struct rw_item *items = calloc(n, sizeof(*items));
	char id[32];

	for (size_t i = 0; items && i < n; i++) {
		snprintf(id, sizeof(id), "s%ld", first + (long)i);
		items[i].id = strdup(id);
		items[i].author = strdup("someone");
		items[i].text = strdup("Where is my order? It has been a week.");
		items[i].created_at_ms = origin + first + (int64_t)i;
		items[i].kind = RW_KIND_MENTION;
	}
	return items;
}

/* An X-shaped id for mention k. */
static void
x_id(long k, char *buf, size_t len)
{
	snprintf(buf, len, "%lld", 1860000000000000000LL + k * 4096LL + (k * 2654435761LL) % 4096);
}

/* Mentions first.. shaped like X's (deterministic). */
static struct rw_item *
make_batch_x(long first, size_t n, int64_t origin)
{
	static const char *words[] = {"where", "is",   "my",     "order", "it",       "has",
				      "been",  "a",    "week",   "and",   "nobody",   "answers",
				      "the",   "chat", "please", "check", "tracking", "refund"};
	struct rw_item *items = calloc(n, sizeof(*items));
	char id[32], author[32], url[128], text[200];

	for (size_t i = 0; items && i < n; i++) {
		long k = first + (long)i;
		size_t len = (size_t)snprintf(text, sizeof(text), "@acme");

		for (long w = 0; len < 120; w++)
			len += (size_t)snprintf(text + len, sizeof(text) - len, " %s",
						words[(k * 7 + w * 13) % 18]);
		text[120] = '\0';
		x_id(k, id, sizeof(id));
		snprintf(author, sizeof(author), "user_%06ld", (k * 7919) % 1000000);
		snprintf(url, sizeof(url), "https://x.com/%s/status/%s", author, id);
		items[i].id = strdup(id);
		items[i].author = strdup(author);
		items[i].text = strdup(text);
		items[i].url = strdup(url);
		items[i].has_followers = true;
		items[i].author_followers = (k * 31) % 5000;
		if (k > 10 && (k * 2654435761LL) % 100 < 15)
			x_id(k - 1 - k % 7, id, sizeof(id));
		items[i].conversation_id = strdup(id);
		items[i].created_at_ms = origin + k;
		items[i].kind = RW_KIND_MENTION;
	}
	return items;
}

static int
cmd_store(const char *path, long n, long first, bool x_shaped)
{
	struct rw_config_errors errs = {0};
	struct rw_config *cfg = rw_config_load_file(path, &errs);
	struct store_run run = {0};
	char err[256];

	if (cfg == NULL || cfg->nsources == 0) {
		fprintf(stderr, "bad config %s\n", path);
		return 1;
	}
	log_set_level(RW_LOG_WARNING);
	run.loop = ev_default_loop(0);
	struct rw_store *st = rw_store_new(run.loop, &cfg->redis);
	struct rw_policy_set *ps = rw_policy_set_new(cfg, err, sizeof(err));
	struct rw_tracker *tr = rw_tracker_new(st);
	if (st == NULL || ps == NULL || tr == NULL)
		return 1;
	rw_tracker_use(tr, cfg, ps);
	rw_store_start(st);
	while (!rw_store_connected(st))
		ev_run(run.loop, EVRUN_ONCE);
	/* The newest mention is created now. */
	int64_t origin = rw_now_ms() - first - n;
	double t0 = now_s();
	/* Four batches in flight keep the pipeline full. */
	for (long done = 0; done < n || run.waiting > 0;) {
		while (run.waiting < 4 && done < n) {
			size_t k = (size_t)(n - done < BATCH ? n - done : BATCH);

			struct rw_item *items = x_shaped ? make_batch_x(first + done, k, origin)
							 : make_batch(first + done, k, origin);

			if (rw_tracker_ingest(tr, &cfg->sources[0], items, k, batch_done, &run) ==
			    0)
				run.waiting++;
			done += (long)k;
		}
		ev_run(run.loop, EVRUN_ONCE);
	}
	double secs = now_s() - t0;
	printf("%.0f\n", n / secs);
	rw_tracker_free(tr);
	rw_store_free(st);
	rw_policy_set_free(ps);
	rw_config_free(cfg);
	return run.failed;
}

/* ----------------------------------------------------------------- http */

struct buf {
	char *data;
	size_t len;
};

static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	char *grown = realloc(b->data, b->len + size * n + 1);

	if (grown == NULL)
		return 0;
	memcpy(grown + b->len, p, size * n);
	b->len += size * n;
	grown[b->len] = '\0';
	b->data = grown;
	return size * n;
}

static long
http(CURL *c, int port, const char *method, const char *path, const char *token, const char *body,
     struct buf *out)
{
	char url[512], auth[256];
	struct curl_slist *h = NULL;
	long status = 0;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	h = curl_slist_append(h, auth);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	if (body == NULL)
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	return status;
}

/* Pushes items [first, first+n) of worker w. */
static int
push_range(int port, const char *token, long first, long n, double due_from, double spread)
{
	CURL *c = curl_easy_init();
	char ts[40];
	int64_t now = rw_now_ms();

	for (long done = 0; done < n; done += BATCH) {
		size_t cap = 128 * BATCH, len = 0;
		char *body = malloc(cap);
		struct buf out = {0};

		len += (size_t)snprintf(body + len, cap - len, "[");
		for (long i = done; i < n && i < done + BATCH; i++) {
			int64_t created = now;

			/* Breach 2 s after creation, due_from + a spread from now. */
			if (spread > 0)
				created = now - 2000 +
					  (int64_t)((due_from + spread * (double)i / n) * 1000);
			rw_time_format(created, ts, sizeof(ts));
			len += (size_t)snprintf(
				body + len, cap - len,
				"%s{\"id\":\"h%ld\",\"created_at\":\"%s\",\"author\":\"a%ld\","
				"\"text\":\"Where is my order?\"}",
				i > done ? "," : "", first + i, ts, i % 5000);
		}
		snprintf(body + len, cap - len, "]");
		long status = http(c, port, "POST", "/ingest/bench", token, body, &out);
		free(body);
		free(out.data);
		if (status != 202) {
			fprintf(stderr, "push answered %ld\n", status);
			return 1;
		}
	}
	curl_easy_cleanup(c);
	return 0;
}

static int
cmd_push(int port, const char *token, long n, int conc, double due_from, double spread)
{
	double t0 = now_s();
	int failed = 0;

	for (int w = 0; w < conc; w++) {
		if (fork() == 0)
			_exit(push_range(port, token, (long)w * (n / conc), n / conc, due_from,
					 spread));
	}
	for (int w = 0; w < conc; w++) {
		int status;

		wait(&status);
		failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	}
	printf("%.0f\n", (double)(n / conc * conc) / (now_s() - t0));
	return failed;
}

static int
cmd_lateness(int port, const char *token)
{
	CURL *c = curl_easy_init();
	double *late = NULL;
	size_t n = 0, cap = 0;
	char path[512] = "/events?limit=1000";

	for (;;) {
		struct buf out = {0};
		json_t *doc, *e;
		size_t i;

		if (http(c, port, "GET", path, token, NULL, &out) != 200)
			return 1;
		doc = json_loads(out.data, 0, NULL);
		free(out.data);
		json_array_foreach(json_object_get(doc, "events"), i, e)
		{
			int64_t at, due;

			if (strcmp(json_string_value(json_object_get(e, "type")), "breach") != 0 ||
			    rw_time_parse(json_string_value(json_object_get(e, "at")), &at) ||
			    rw_time_parse(json_string_value(json_object_get(e, "due")), &due))
				continue;
			if (n == cap)
				late = realloc(late, (cap = cap ? cap * 2 : 1024) * sizeof(*late));
			late[n++] = (double)(at - due);
		}
		size_t got = json_array_size(json_object_get(doc, "events"));
		const char *next = json_string_value(json_object_get(doc, "next_after"));
		if (got < 1000 || next == NULL) {
			json_decref(doc);
			break;
		}
		char *esc = curl_easy_escape(c, next, 0);
		snprintf(path, sizeof(path), "/events?limit=1000&after=%s", esc);
		curl_free(esc);
		json_decref(doc);
	}
	qsort(late, n, sizeof(*late), cmp_double);
	printf("%zu %.0f %.0f %.0f\n", n, pct(late, n, 0.50), pct(late, n, 0.99),
	       n ? late[n - 1] : 0);
	free(late);
	curl_easy_cleanup(c);
	return 0;
}

static int
cmd_latency(int port, const char *token, const char *path, int n)
{
	CURL *c = curl_easy_init();
	double *ms = calloc((size_t)n, sizeof(*ms));

	for (int i = 0; i < n; i++) {
		struct buf out = {0};
		double t0 = now_s();

		if (http(c, port, "GET", path, token, NULL, &out) != 200)
			return 1;
		ms[i] = (now_s() - t0) * 1000;
		free(out.data);
	}
	qsort(ms, (size_t)n, sizeof(*ms), cmp_double);
	printf("%.2f %.2f\n", pct(ms, (size_t)n, 0.50), pct(ms, (size_t)n, 0.99));
	free(ms);
	curl_easy_cleanup(c);
	return 0;
}

/* -------------------------------------------------------------- parsers */

/* A growing body. */
struct body {
	char *data;
	size_t len, cap;
};

static void __attribute__((format(printf, 2, 3))) add(struct body *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < b->cap - b->len)
			break;
		b->cap = b->cap ? b->cap * 2 : 1 << 20;
		if ((b->data = realloc(b->data, b->cap)) == NULL) {
			perror("realloc");
			exit(1);
		}
		b->data[b->len] = '\0';
	}
	b->len += (size_t)n;
}

/* Text of about len bytes for entry k, with escapes and UTF-8 for Jansson
 * to decode; html: the costliest HTML per byte found for the HTML-to-text
 * step (libxml2 closing one unclosed <a> at each new one: about 170 ns a
 * byte, where paragraphs cost 60 and nested tags stop at its depth limit). */
static void
add_text(struct body *b, size_t k, size_t len, bool html)
{
	size_t start = b->len;

	while (b->len - start < len) {
		if (html)
			add(b, "<a>x<a>y<a>z<a>\\u00e9");
		else
			add(b, "@acme order %zu: caf\\u00e9 \\\"late\\\" again\\n\xf0\x9f\x9a\x80 ",
			    k);
	}
}

/* The largest answer a page may be, less room for the page's frame. */
#define WORST_BODY (RW_HTTPC_MAX_RESPONSE - 64 * 1024)
#define WORST_TEXT(frame) (WORST_BODY / RW_PAGE_MAX_ENTRIES - (frame))

static void
worst_mastodon_notifications(struct body *b)
{
	add(b, "[");
	for (size_t k = RW_PAGE_MAX_ENTRIES; k > 0; k--) {
		add(b,
		    "%s{\"id\":\"%zu\",\"type\":\"mention\",\"created_at\":\"2026-11-23T12:00:00."
		    "000Z\","
		    "\"account\":{\"id\":\"%zu\",\"acct\":\"user%zu@remote.example\","
		    "\"followers_count\":%zu},\"status\":{\"id\":\"1%017zu\","
		    "\"created_at\":\"2026-11-23T11:59:59.000Z\",\"in_reply_to_id\":\"1%017zu\","
		    "\"in_reply_to_account_id\":\"7\",\"url\":\"https://remote.example/@u/%zu\","
		    "\"spoiler_text\":\"cw\",\"account\":{\"id\":\"%zu\"},\"content\":\"",
		    k < RW_PAGE_MAX_ENTRIES ? "," : "", 34975000 + k, 5000 + k, k, k, k, k - 1, k,
		    5000 + k);
		add_text(b, k, WORST_TEXT(420), true);
		add(b, "\"}}");
	}
	add(b, "]");
}

static void
worst_mastodon_statuses(struct body *b)
{
	add(b, "[");
	for (size_t k = RW_PAGE_MAX_ENTRIES; k > 0; k--) {
		add(b,
		    "%s{\"id\":\"2%017zu\",\"created_at\":\"2026-11-23T12:00:00.000Z\","
		    "\"in_reply_to_id\":\"1%017zu\",\"reblog\":null,\"spoiler_text\":\"\","
		    "\"url\":\"https://brand.example/@brand/%zu\","
		    "\"account\":{\"id\":\"7\",\"acct\":\"brand\"},\"content\":\"",
		    k < RW_PAGE_MAX_ENTRIES ? "," : "", k, k, k);
		add_text(b, k, WORST_TEXT(300), true);
		add(b, "\"}");
	}
	add(b, "]");
}

/* X: every author_id misses includes.users, which is as long as allowed;
 * brand replies carry a few references with replied_to last. */
static void
worst_x(struct body *b, bool tweets)
{
	add(b, "{\"data\":[");
	for (size_t k = RW_PAGE_MAX_ENTRIES; k > 0; k--) {
		add(b,
		    "%s{\"id\":\"18600000%011zu\",\"author_id\":\"%s\","
		    "\"created_at\":\"2026-11-23T12:00:00.000Z\",\"conversation_id\":\"17%017zu\","
		    "\"in_reply_to_user_id\":\"7\",\"referenced_tweets\":["
		    "{\"type\":\"quoted\",\"id\":\"15%017zu\"},"
		    "{\"type\":\"retweeted\",\"id\":\"16%017zu\"},"
		    "{\"type\":\"replied_to\",\"id\":\"17%017zu\"}],\"text\":\"",
		    k < RW_PAGE_MAX_ENTRIES ? "," : "", k, tweets ? "7" : "999999999", k, k, k, k);
		add_text(b, k, WORST_TEXT(500), false);
		add(b, "\"}");
	}
	add(b, "],\"includes\":{\"users\":[");
	for (size_t k = 0; k < RW_PAGE_MAX_ENTRIES; k++)
		add(b,
		    "%s{\"id\":\"%zu\",\"username\":\"user_%zu\","
		    "\"public_metrics\":{\"followers_count\":%zu}}",
		    k ? "," : "", 100000 + k, k, k);
	add(b,
	    "]},\"meta\":{\"newest_id\":\"18600000%011d\",\"oldest_id\":\"18600000%011d\","
	    "\"result_count\":%d,\"next_token\":\"7140dibdnow9c7btw423x8ixgpyhebvqd2uyqn8pt4zdn\"}"
	    "}",
	    RW_PAGE_MAX_ENTRIES, 1, RW_PAGE_MAX_ENTRIES);
}

/* The page that stalled the loop before includes.users was indexed: 40 000
 * posts whose authors match none of 40 000 users. Refused now. */
static void
stall_x(struct body *b)
{
	add(b, "{\"data\":[");
	for (size_t k = 0; k < 40000; k++)
		add(b,
		    "%s{\"id\":\"%zu\",\"author_id\":\"%zu\",\"created_at\":\"2026-11-23T12:00:"
		    "00Z\"}",
		    k ? "," : "", 1 + k, 1000000 + k);
	add(b, "],\"includes\":{\"users\":[");
	for (size_t k = 0; k < 40000; k++)
		add(b, "%s{\"id\":\"%zu\",\"username\":\"u%zu\"}", k ? "," : "", 2000000 + k, k);
	add(b, "]},\"meta\":{\"result_count\":40000}}");
}

static void
worst_bluesky(struct body *b, bool feed)
{
	add(b, "{\"%s\":[", feed ? "feed" : "notifications");
	for (size_t k = RW_PAGE_MAX_ENTRIES; k > 0; k--) {
		const char *did = feed ? "did:plc:brand000" : "did:plc:customer";

		add(b, "%s{", k < RW_PAGE_MAX_ENTRIES ? "," : "");
		if (feed)
			add(b, "\"post\":{");
		else
			add(b,
			    "\"reason\":\"reply\",\"reasonSubject\":\"at://did:plc:brand000/"
			    "app.bsky.feed.post/3lbrand%06zu\",\"isRead\":false,",
			    k);
		add(b,
		    "\"uri\":\"at://%s%06zu/app.bsky.feed.post/"
		    "3lpost%06zu\",\"cid\":\"bafyrei%zu\","
		    "\"author\":{\"did\":\"%s%06zu\",\"handle\":\"user%zu.bsky.social\"},"
		    "\"indexedAt\":\"2026-05-01T10:00:01.123Z\",\"record\":{"
		    "\"$type\":\"app.bsky.feed.post\",\"createdAt\":\"2026-05-01T10:00:00.000Z\","
		    "\"reply\":{\"parent\":{\"uri\":\"at://did:plc:x/app.bsky.feed.post/p%zu\"},"
		    "\"root\":{\"uri\":\"at://did:plc:x/app.bsky.feed.post/r%zu\"}},\"text\":\"",
		    did, feed ? 0 : k, k, k, did, feed ? 0 : k, k, k, k);
		add_text(b, k, WORST_TEXT(600), false);
		add(b, "\"}}%s", feed ? "}" : "");
	}
	add(b, "],\"cursor\":\"2026-05-01T09:00:00.000Z\"}");
}

typedef int page_parser(const char *, size_t, const char *, struct rw_page *, char *, size_t);

static int
cmp_ms(const void *a, const void *b)
{
	return cmp_double(a, b);
}

/* Median ms of reps runs of parse (fn != NULL, expecting ok; the items it
 * kept in *kept) or json_loadb. */
static double
time_parse(page_parser *fn, const struct body *b, const char *brand, bool ok, int reps,
	   size_t *kept)
{
	double ms[64];

	if (reps > 64)
		reps = 64;
	for (int r = 0; r < reps; r++) {
		double t0 = now_s();

		if (fn != NULL) {
			struct rw_page page;
			char err[200];
			int rc = fn(b->data, b->len, brand, &page, err, sizeof(err));

			if ((rc == 0) != ok) {
				fprintf(stderr, "parse: unexpected %s: %s\n",
					rc ? "error" : "success", rc ? err : "");
				exit(1);
			}
			*kept = page.nitems;
			rw_page_clear(&page);
		} else {
			json_t *doc = json_loadb(b->data, b->len, 0, NULL);

			if (doc == NULL) {
				fprintf(stderr, "bench page is not JSON\n");
				exit(1);
			}
			json_decref(doc);
		}
		ms[r] = (now_s() - t0) * 1000;
	}
	qsort(ms, (size_t)reps, sizeof(*ms), cmp_ms);
	return ms[reps / 2];
}

static int
cmd_parsers(int reps)
{
	static const struct {
		const char *name;
		page_parser *fn;
		const char *brand;
		int shape;
		bool ok;
	} cases[] = {
		{"mastodon-notifications", rw_mastodon_parse_notifications, "7", 0, true},
		{"mastodon-statuses", rw_mastodon_parse_statuses, "7", 1, true},
		{"x-mentions", rw_x_parse_mentions, "7", 2, true},
		{"x-tweets", rw_x_parse_tweets, "7", 3, true},
		{"bluesky-notifications", rw_bluesky_parse_notifications, "did:plc:brand000", 4,
		 true},
		{"bluesky-feed", rw_bluesky_parse_feed, "did:plc:brand000000000", 5, true},
		{"x-40000x40000-refused", rw_x_parse_mentions, "7", 6, false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct body b = {0};

		switch (cases[i].shape) {
		case 0:
			worst_mastodon_notifications(&b);
			break;
		case 1:
			worst_mastodon_statuses(&b);
			break;
		case 2:
			worst_x(&b, false);
			break;
		case 3:
			worst_x(&b, true);
			break;
		case 4:
			worst_bluesky(&b, false);
			break;
		case 5:
			worst_bluesky(&b, true);
			break;
		default:
			stall_x(&b);
			break;
		}
		if (cases[i].ok && b.len > RW_HTTPC_MAX_RESPONSE) {
			fprintf(stderr, "%s: page of %zu bytes is over the response cap\n",
				cases[i].name, b.len);
			return 1;
		}
		size_t kept = 0;
		double parse =
			time_parse(cases[i].fn, &b, cases[i].brand, cases[i].ok, reps, &kept);
		double base = time_parse(NULL, &b, NULL, true, reps, &kept);

		printf("%s %zu %d %zu %.2f %.2f\n", cases[i].name, b.len,
		       cases[i].shape == 6 ? 40000 : RW_PAGE_MAX_ENTRIES, kept, parse, base);
		fflush(stdout);
		free(b.data);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "store") == 0)
		return cmd_store(argv[2], atol(argv[3]), argc == 5 ? atol(argv[4]) : 0, false);
	if (argc == 4 && strcmp(argv[1], "store-x") == 0)
		return cmd_store(argv[2], atol(argv[3]), 0, true);
	if (argc >= 5 && strcmp(argv[1], "push") == 0)
		return cmd_push(atoi(argv[2]), argv[3], atol(argv[4]), argc > 5 ? atoi(argv[5]) : 4,
				argc > 7 ? atof(argv[6]) : 0, argc > 7 ? atof(argv[7]) : 0);
	if (argc == 4 && strcmp(argv[1], "lateness") == 0)
		return cmd_lateness(atoi(argv[2]), argv[3]);
	if (argc == 2 && strcmp(argv[1], "budget") == 0)
		return rwbench_budget();
	if ((argc == 2 || argc == 3) && strcmp(argv[1], "parsers") == 0)
		return cmd_parsers(argc == 3 ? atoi(argv[2]) : 5);
	if (argc == 6 && strcmp(argv[1], "latency") == 0)
		return cmd_latency(atoi(argv[2]), argv[3], argv[4], atoi(argv[5]));
	fprintf(stderr, "usage: see the comment at the top of bench/rwbench.c\n");
	return 2;
}
