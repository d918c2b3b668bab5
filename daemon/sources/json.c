/*
 * json.c: the connector of the generic `json` source — one by-time stream
 * for its items and, when the source has a "replies" request, one for the
 * brand's replies. The descriptor and the configuration are json_config.c's,
 * the mapping of an answer json_map.c's, the URLs and headers json_url.c's.
 *
 * Each stream is walked newest first like the other connectors' (the API
 * must list newest first): page after page, by the configured paging, down
 * to the previous walk's newest time less RW_JSON_OVERLAP_MS (or the
 * backfill cutoff on the first run); {since} in a URL is that same time.
 * A walk reads at most max_pages pages and stops there. A next URL of
 * another origin than base_url is never followed: the walk ends, the log
 * says so and the source's rejects count it. An item a pointer fails on is
 * skipped, logged once (which field, which pointer, why) and counted among
 * the source's rejects; the rest of its page is kept.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/connector.h"
#include "replywatch/log.h"
#include "replywatch/page.h"
#include "replywatch/platform.h"
#include "replywatch/sources/json.h"
#include "replywatch/utf8.h"

/* The reject reason of a refused next URL (a metric label). */
#define JSON_REJECT_FOREIGN_NEXT "next_url of another origin"
#define JSON_LOGGED_MAX 64 /* failures remembered, so a re-read page logs nothing new */

struct json_state {
	/* Made anew at every poll's start from the source's configuration of
	 * the moment: a reload may change the spec under the same source. */
	struct rw_json_client *client;
	enum rw_json_which cur; /* the list of the request under way */
	long page_no;           /* its page number (page paging) */
	char *body;             /* its body (POST), or NULL */
	long pages[2];          /* pages read by each list's walk so far */
	uint64_t logged[JSON_LOGGED_MAX];
	size_t nlogged;
};

static void *
json_state_new(const struct rw_source_config *src)
{
	(void)src;
	return calloc(1, sizeof(struct json_state));
}

static void
json_state_free(void *state)
{
	struct json_state *st = state;

	if (st != NULL) {
		rw_json_client_free(st->client);
		free(st->body);
	}
	free(st);
}

static void
json_start(struct rw_poll *poll)
{
	struct json_state *st = rw_poll_state(poll);
	char err[200];

	rw_json_client_free(st->client);
	st->client = rw_json_client_new(rw_poll_source(poll), err, sizeof(err));
	if (st->client == NULL) {
		rw_poll_fail(poll, RW_POLL_CLIENT_ERROR, "%s", err);
		return;
	}
	rw_poll_walk(poll);
}

static const char *
json_auth_header(struct rw_poll *poll)
{
	struct json_state *st = rw_poll_state(poll);

	return st->client ? rw_json_client_auth_line(st->client) : NULL;
}

static const char *const *
json_headers(struct rw_poll *poll)
{
	struct json_state *st = rw_poll_state(poll);

	return st->client ? rw_json_client_headers(st->client, st->cur) : NULL;
}

static char *
json_url(struct rw_poll *poll, const struct rw_walk *walk, enum rw_json_which which)
{
	struct json_state *st = rw_poll_state(poll);
	const struct rw_json_list_spec *list = rw_json_client_list(st->client, which);
	struct rw_json_at at = {.token = walk->token, .since_ms = walk->from_ms};
	char err[120], *url, *copy;
	bool oom;

	if (walk->watermark != NULL) {
		int64_t w = strtoll(walk->watermark, NULL, 10) - RW_JSON_OVERLAP_MS;

		at.since_ms = w > 0 ? w : 0;
	}
	st->cur = which;
	st->page_no = rw_json_page_number(&list->paging, walk->token);
	st->pages[which] = walk->token == NULL ? 1 : st->pages[which] + 1;
	free(st->body);
	st->body = rw_json_client_body(st->client, which, &at, &oom);
	url = oom ? NULL : rw_json_client_url(st->client, which, &at, err, sizeof(err));
	if (oom)
		snprintf(err, sizeof(err), "out of memory");
	if (url == NULL) {
		log_warnx("%s: %s", rw_poll_source(poll)->name, err);
		return NULL;
	}
	/* The poller frees it with free(): a query secret is wiped here. */
	copy = strdup(url);
	rw_json_url_free(url);
	return copy;
}

static const char *
json_page_body(struct rw_poll *poll)
{
	struct json_state *st = rw_poll_state(poll);

	return st->body;
}

static char *
json_items_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	return json_url(poll, walk, RW_JSON_ITEMS);
}

static char *
json_replies_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	return json_url(poll, walk, RW_JSON_REPLIES);
}

static uint64_t
fnv(uint64_t h, const char *s)
{
	for (; s != NULL && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (h ^ 0xff) * 1099511628211ULL;
}

/* Logs one failure at warning, once while it is remembered. */
static void
log_failure(struct json_state *st, const char *source, const char *list,
	    const struct rw_json_failure *f)
{
	uint64_t h = fnv(fnv(fnv(fnv(14695981039346656037ULL, list), f->field), f->reason), f->id);
	char reason[200], id[80];

	for (size_t i = 0; i < JSON_LOGGED_MAX; i++)
		if (st->logged[i] == h)
			return;
	st->logged[st->nlogged++ % JSON_LOGGED_MAX] = h;
	rw_utf8_clean(reason, sizeof(reason), f->reason, strlen(f->reason));
	rw_utf8_clean(id, sizeof(id), f->id ? f->id : "-", strlen(f->id ? f->id : "-"));
	log_warnx("%s: %s: item %zu (id %s) skipped: %s at %s: %s", source, list, f->index, id,
		  f->field, f->pointer ? f->pointer : "-", reason);
}

static int
json_parse(struct rw_poll *poll, const char *body, size_t len, struct rw_page *page, char *err,
	   size_t errlen)
{
	struct json_state *st = rw_poll_state(poll);
	const struct rw_source_config *src = rw_poll_source(poll);
	const struct rw_json_list_spec *list = rw_json_client_list(st->client, st->cur);
	const char *name = st->cur == RW_JSON_ITEMS ? "items" : "replies";
	struct rw_json_failures failures = {0};
	bool refused = false;

	if (rw_json_map_page(list, body, len, page, &failures, err, errlen) == -1)
		return -1;
	for (size_t i = 0; i < failures.n; i++)
		log_failure(st, src->name, name, &failures.items[i]);
	rw_json_failures_clear(&failures);
	if (rw_json_next_token(list, src->base_url, st->page_no, page, &refused) == -1)
		goto oom;
	if (refused) {
		log_warnx("%s: %s: the answer's next URL is not on %s: not followed, the walk "
			  "ends here",
			  src->name, name, src->base_url);
		if (rw_page_reject(page, JSON_REJECT_FOREIGN_NEXT, NULL) == -1)
			goto oom;
	}
	if (page->next != NULL && st->pages[st->cur] >= rw_json_client_max_pages(st->client)) {
		free(page->next);
		page->next = NULL; /* max_pages: the walk stops here */
	}
	return 0;
oom:
	rw_page_clear(page);
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* The streams are walked by time: their watermarks are ms (digits). */
static bool
json_ms_ok(const char *ms)
{
	return rw_cursor_digits(ms, 16);
}

/* The replies stream (1) is walked only when the source has a replies request. */
static bool
json_stream_enabled(struct rw_poll *poll, size_t i)
{
	struct json_state *st = rw_poll_state(poll);

	return i == 0 ||
	       (st->client != NULL && rw_json_client_list(st->client, RW_JSON_REPLIES) != NULL);
}

static const struct rw_stream json_streams[] = {
	{"items", 'n', true, true, json_items_url, json_parse, json_ms_ok, RW_JSON_OVERLAP_MS, 0},
	{"replies", 'r', true, true, json_replies_url, json_parse, json_ms_ok, RW_JSON_OVERLAP_MS,
	 0},
};

const struct rw_connector rw_json_connector = {
	.streams = json_streams,
	.nstreams = 2,
	.state_new = json_state_new,
	.state_free = json_state_free,
	.start = json_start,
	.auth_header = json_auth_header,
	.headers = json_headers,
	.stream_enabled = json_stream_enabled,
	.page_body = json_page_body,
};
