/*
 * mentions.c: GET /mentions, GET /mentions/KEY, POST /mentions/KEY/close.
 *
 * A page is gathered from every source concerned (one list-script call per
 * source, each returning at most a page in (created, id) order) and merged
 * in (created, source, id) order. The cursor names the last mention given:
 * "CREATED_MS:SOURCE:ID".
 */
#include <errno.h>
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/api.h"
#include "replywatch/config.h"
#include "replywatch/daemon.h"
#include "replywatch/http.h"
#include "replywatch/keys.h"
#include "replywatch/mention.h"
#include "replywatch/store.h"
#include "replywatch/tracker.h"

#define PAGE_DEFAULT 100
#define PAGE_MAX 1000

struct row {
	int64_t created;
	const char *source; /* borrowed from the configuration */
	json_t *mention;
	char *id;
};

struct list_call {
	struct rw_http_request *req;
	struct rw_daemon *d;
	size_t limit;
	size_t waiting; /* sources still to answer */
	bool failed;
	struct row *rows;
	size_t nrows;
};

static int
row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c;

	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	if ((c = strcmp(x->source, y->source)) != 0)
		return c;
	return strcmp(x->id, y->id);
}

static void
list_finish(struct list_call *call)
{
	json_t *body = json_object(), *list = json_array();
	char cursor[600];

	if (call->failed) {
		rw_http_respond_error(call->req, 503, "redis unavailable");
		goto done;
	}
	qsort(call->rows, call->nrows, sizeof(*call->rows), row_cmp);
	for (size_t i = 0; i < call->nrows && i < call->limit; i++)
		json_array_append(list, call->rows[i].mention);
	json_object_set_new(body, "mentions", list);
	list = NULL;
	if (call->nrows > call->limit || (call->nrows == call->limit && call->limit > 0)) {
		const struct row *last = &call->rows[call->limit - 1];

		snprintf(cursor, sizeof(cursor), "%" PRId64 ":%s:%s", last->created, last->source,
			 last->id);
		json_object_set_new(body, "next_cursor", json_string(cursor));
	} else {
		json_object_set_new(body, "next_cursor", json_null());
	}
	rw_http_respond_json(call->req, 200, body);
done:
	json_decref(body);
	json_decref(list);
	for (size_t i = 0; i < call->nrows; i++) {
		json_decref(call->rows[i].mention);
		free(call->rows[i].id);
	}
	free(call->rows);
	free(call);
}

struct source_page {
	struct list_call *call;
	const struct rw_source_config *src;
};

static void
page_read(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct source_page *page = arg;
	struct list_call *call = page->call;

	(void)st;
	if (reply == NULL || reply->type != REDIS_REPLY_ARRAY) {
		call->failed = true;
	} else {
		struct row *grown = realloc(call->rows, (call->nrows + reply->elements / 3 + 1) *
								sizeof(*grown));

		if (grown == NULL)
			call->failed = true;
		else
			call->rows = grown;
		for (size_t i = 0; grown && i + 2 < reply->elements; i += 3) {
			struct rw_mention m;
			const char *id = reply->element[i]->str;

			if (rw_mention_decode(&m, id, reply->element[i + 2]) != 0)
				continue;
			struct row *r = &call->rows[call->nrows];
			r->created = strtoll(reply->element[i + 1]->str, NULL, 10);
			r->source = page->src->name;
			r->id = strdup(id);
			r->mention = rw_mention_to_json(&m, page->src);
			rw_mention_clear(&m);
			if (r->id == NULL || r->mention == NULL) {
				free(r->id);
				json_decref(r->mention);
				call->failed = true;
				continue;
			}
			call->nrows++;
		}
	}
	free(page);
	if (--call->waiting == 0)
		list_finish(call);
}

/* Parses "CREATED:SOURCE:ID" into its parts (pointers into buf). */
static int
parse_cursor(char *buf, int64_t *created, char **source, char **id)
{
	char *end, *colon;

	*created = strtoll(buf, &end, 10);
	if (end == buf || *end != ':')
		return -1;
	*source = end + 1;
	colon = strchr(*source, ':');
	if (colon == NULL)
		return -1;
	*colon = '\0';
	*id = colon + 1;
	return 0;
}

/* The state codes a ?state= filter asks for. */
static int
state_codes(const char *filter, char *codes)
{
	enum rw_state s;

	if (filter == NULL || *filter == '\0') {
		for (int i = 0; i < RW_STATE_COUNT; i++)
			codes[i] = rw_state_code((enum rw_state)i);
		codes[RW_STATE_COUNT] = '\0';
		return 0;
	}
	if (rw_state_parse(filter, &s) == -1)
		return -1;
	codes[0] = rw_state_code(s);
	codes[1] = '\0';
	return 0;
}

static int
parse_limit(const char *text, size_t *limit)
{
	char *end;
	long v;

	if (text == NULL) {
		*limit = PAGE_DEFAULT;
		return 0;
	}
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || *end != '\0' || end == text || v < 1 || v > PAGE_MAX)
		return -1;
	*limit = (size_t)v;
	return 0;
}

/* Starts the list script on one source; adjusts the cursor per source so a
 * mention tied on created time with the cursor's is neither lost nor repeated. */
static int
page_start(struct list_call *call, const struct rw_source_config *src, const char *codes,
	   const char *policy, int64_t after_ms, const char *after_source, const char *after_id)
{
	struct source_page *page = calloc(1, sizeof(*page));
	char base[RW_KEY_SIZE], ms[32] = "", limit[16];
	const char *id = "";

	if (page == NULL)
		return -1;
	page->call = call;
	page->src = src;
	if (after_source != NULL) {
		int c = strcmp(src->name, after_source);

		/* Order is (created, source, id): at the cursor's instant, a later
		 * source gives every id, the cursor's own source the ids after the
		 * cursor's, an earlier source none. */
		snprintf(ms, sizeof(ms), "%" PRId64, after_ms);
		id = c > 0 ? "" : (c == 0 ? after_id : "\xff");
	}
	snprintf(limit, sizeof(limit), "%zu", call->limit);
	if (rw_key_base(rw_store_key_prefix(rw_daemon_store(call->d)), src->name, base,
			sizeof(base)) == NULL) {
		free(page);
		return -1;
	}
	const char *argv[6] = {base, codes, policy ? policy : "", ms, id, limit};
	size_t len[6];
	for (int i = 0; i < 6; i++)
		len[i] = strlen(argv[i]);
	if (rw_store_script(rw_daemon_store(call->d), "list", 1, 6, argv, len, page_read, page) ==
	    -1) {
		free(page);
		return -1;
	}
	call->waiting++;
	return 0;
}

static void
list_mentions(struct rw_http_request *req, void *arg)
{
	struct rw_daemon *d = arg;
	const struct rw_config *cfg = rw_daemon_config(d);
	const char *source = rw_http_query(req, "source"), *policy = rw_http_query(req, "policy");
	const char *cursor = rw_http_query(req, "cursor");
	char codes[RW_STATE_COUNT + 1], *buf = NULL, *after_source = NULL, *after_id = NULL;
	int64_t after_ms = 0;
	struct list_call *call;

	if (state_codes(rw_http_query(req, "state"), codes) == -1) {
		rw_http_respond_error(req, 400,
				      "state: expected open, warning, breached, replied, "
				      "closed or expired");
		return;
	}
	if (source != NULL && rw_config_find_source(cfg, source) == NULL) {
		rw_http_respond_error(req, 400, "source: no such source");
		return;
	}
	call = calloc(1, sizeof(*call));
	if (call == NULL || parse_limit(rw_http_query(req, "limit"), &call->limit) == -1) {
		free(call);
		rw_http_respond_error(req, 400, "limit: expected an integer from 1 to 1000");
		return;
	}
	if (cursor != NULL && ((buf = strdup(cursor)) == NULL ||
			       parse_cursor(buf, &after_ms, &after_source, &after_id) == -1)) {
		free(buf);
		free(call);
		rw_http_respond_error(req, 400, "cursor: not a cursor this server gave");
		return;
	}
	call->req = req;
	call->d = d;
	call->waiting = 1; /* held while starting */
	for (size_t i = 0; i < cfg->nsources; i++) {
		const struct rw_source_config *src = &cfg->sources[i];

		if (source != NULL && strcmp(source, src->name) != 0)
			continue;
		if (page_start(call, src, codes, policy, after_ms, after_source, after_id) == -1)
			call->failed = true;
	}
	free(buf);
	if (--call->waiting == 0)
		list_finish(call);
}

/* Splits "/mentions/SOURCE:ID[/close]" into source (a new string the
 * caller frees) and id (a pointer into it). On failure *source is NULL and
 * nothing is left to free: the caller's free(*source) is then harmless. */
static int
split_key(const char *path, bool close, char **source, char **id)
{
	const char *key = path + strlen("/mentions/");
	size_t len = strlen(key);
	char *colon;

	*source = NULL;
	*id = NULL;
	if (close) {
		if (len < 6 || strcmp(key + len - 6, "/close") != 0)
			return -1;
		len -= 6;
	}
	*source = strndup(key, len);
	if (*source == NULL || (colon = strchr(*source, ':')) == NULL || colon[1] == '\0') {
		free(*source);
		*source = NULL; /* close_mention frees it too: never twice */
		return -1;
	}
	*colon = '\0';
	*id = colon + 1;
	return 0;
}

struct one_call {
	struct rw_http_request *req;
	const struct rw_source_config *src;
	char *id;
};

static void
one_read(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct one_call *call = arg;
	struct rw_mention m;
	json_t *body;
	int rc;

	(void)st;
	if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements != 1) {
		rw_http_respond_error(call->req, 503, "redis unavailable");
	} else if ((rc = rw_mention_decode(&m, call->id, reply->element[0])) != 0) {
		rw_http_respond_error(call->req, rc == 1 ? 404 : 500,
				      rc == 1 ? "no such mention" : "unreadable record");
	} else {
		body = rw_mention_to_json(&m, call->src);
		rw_mention_clear(&m);
		if (body != NULL)
			rw_http_respond_json(call->req, 200, body);
		else
			rw_http_respond_error(call->req, 500, "out of memory");
		json_decref(body);
	}
	free(call->id);
	free(call);
}

static void
get_mention(struct rw_http_request *req, void *arg)
{
	struct rw_daemon *d = arg;
	char *source, *id, base[RW_KEY_SIZE];
	const struct rw_source_config *src;
	struct one_call *call;

	if (split_key(rw_http_path(req), false, &source, &id) == -1) {
		rw_http_respond_error(req, 404, "not a mention key (SOURCE:ID)");
		return;
	}
	src = rw_config_find_source(rw_daemon_config(d), source);
	call = src ? calloc(1, sizeof(*call)) : NULL;
	if (call == NULL || (call->id = strdup(id)) == NULL) {
		free(call);
		free(source);
		rw_http_respond_error(req, 404, "no such mention");
		return;
	}
	call->req = req;
	call->src = src;
	free(source);
	const char *argv[3] = {
		rw_key_base(rw_store_key_prefix(rw_daemon_store(d)), src->name, base, sizeof(base)),
		"ids", call->id};
	size_t len[3] = {strlen(base), 3, strlen(call->id)};
	if (argv[0] == NULL ||
	    rw_store_script(rw_daemon_store(d), "fetch", 1, 3, argv, len, one_read, call) == -1) {
		free(call->id);
		free(call);
		rw_http_respond_error(req, 503, "redis unavailable");
	}
}

struct close_call {
	struct rw_http_request *req;
	char *key;
	char *reason;
};

static void
closed(void *arg, int result, const char *detail)
{
	struct close_call *call = arg;
	json_t *body;

	switch (result) {
	case 0:
		body = json_pack("{s:s, s:s, s:s}", "key", call->key, "state", "closed", "reason",
				 call->reason);
		rw_http_respond_json(call->req, 200, body);
		json_decref(body);
		break;
	case 1:
		rw_http_respond_error(call->req, 404, "no such mention");
		break;
	case 2:
		rw_http_respond_error(call->req, 409, "already resolved");
		break;
	default:
		rw_http_respond_error(call->req, 503, detail ? detail : "redis unavailable");
	}
	free(call->key);
	free(call->reason);
	free(call);
}

static void
close_mention(struct rw_http_request *req, void *arg)
{
	struct rw_daemon *d = arg;
	const struct rw_source_config *src;
	struct close_call *call = NULL;
	char *source = NULL, *id;
	const char *body;
	json_t *doc = NULL, *reason;
	size_t len;

	if (split_key(rw_http_path(req), true, &source, &id) == -1 ||
	    (src = rw_config_find_source(rw_daemon_config(d), source)) == NULL) {
		free(source);
		rw_http_respond_error(req, 404, "no such mention");
		return;
	}
	body = rw_http_body(req, &len);
	doc = json_loadb(body, len, 0, NULL);
	reason = json_object_get(doc, "reason");
	if (!json_is_string(reason) || json_string_length(reason) == 0 ||
	    json_string_length(reason) > 500 || json_object_size(doc) != 1) {
		rw_http_respond_error(req, 400,
				      "body: expected {\"reason\": \"...\"} (1 to 500 characters)");
		goto done;
	}
	call = calloc(1, sizeof(*call));
	if (call == NULL || (call->reason = strdup(json_string_value(reason))) == NULL ||
	    asprintf(&call->key, "%s:%s", source, id) < 0) {
		if (call != NULL)
			call->key = NULL; /* asprintf leaves it undefined on failure */
		rw_http_respond_error(req, 500, "out of memory");
		goto done;
	}
	call->req = req;
	if (rw_tracker_close(rw_daemon_tracker(d), src, id, call->reason, closed, call) == 0) {
		call = NULL;
		goto done;
	}
	rw_http_respond_error(req, 503, "redis unavailable");
done:
	if (call != NULL) {
		free(call->key);
		free(call->reason);
		free(call);
	}
	json_decref(doc);
	free(source);
}

int
rw_api_mention_routes(struct rw_http_server *srv, struct rw_daemon *d)
{
	if (rw_http_route(srv, "GET", "/mentions", 0, list_mentions, d) == -1 ||
	    rw_http_route(srv, "GET", "/mentions/", RW_HTTP_PREFIX, get_mention, d) == -1 ||
	    rw_http_route(srv, "POST", "/mentions/", RW_HTTP_PREFIX, close_mention, d) == -1)
		return -1;
	return 0;
}
