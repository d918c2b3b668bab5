/*
 * ingest.c: POST /ingest/SOURCE for push sources.
 *
 * The answer 202 is given only once every item is in Redis, so a client
 * that saw 202 can forget its items: nothing acknowledged is ever lost.
 * Anything else means nothing was promised; re-sending is safe because
 * ingest is idempotent. Where Redis has replicas (rw_store_replicated),
 * "in Redis" means on a replica too: WAIT must confirm one, or the answer is
 * 503, so a master that dies right after the 202 loses nothing promised.
 *
 * The source's token is checked from the headers, before a byte of the body
 * is read, and before anything is said about the source: an unknown source
 * and a wrong token both answer 401, so names cannot be listed without a
 * token. Times are capped at the instant the request came in: a client's
 * clock is not trusted to date an item in the future.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/api.h"
#include "replywatch/clock.h"
#include "replywatch/config.h"
#include "replywatch/daemon.h"
#include "replywatch/http.h"
#include "replywatch/item.h"
#include "replywatch/push.h"
#include "replywatch/secret.h"
#include "replywatch/store.h"
#include "replywatch/tracker.h"

struct ingest_call {
	struct rw_http_request *req;
	struct rw_store *store;
	size_t n;
};

static void answer(struct ingest_call *call, int result, const char *detail);

static void
replicated(struct rw_store *st, bool ok, void *arg)
{
	(void)st;
	answer(arg, ok ? 0 : -1, "no replica confirmed the write in time");
}

static void
ingested(void *arg, int result, const char *detail)
{
	struct ingest_call *call = arg;

	if (result == 0 && rw_store_replicated(call->store)) {
		if (rw_store_wait(call->store, replicated, call) == 0)
			return;
		result = -1;
		detail = "no replica confirmed the write";
	}
	answer(call, result, detail);
}

static void
answer(struct ingest_call *call, int result, const char *detail)
{
	if (result == 0) {
		json_t *body = json_pack("{s:I}", "accepted", (json_int_t)call->n);

		rw_http_respond_json(call->req, 202, body);
		json_decref(body);
	} else {
		char msg[300];

		snprintf(msg, sizeof(msg), "not stored, send again: %s",
			 detail ? detail : "redis unavailable");
		rw_http_add_header(call->req, "Retry-After", "1");
		rw_http_respond_error(call->req, 503, msg);
	}
	free(call);
}

/* The push source the request names, when its bearer token is that
 * source's; otherwise answers 401 (or 404 for a disabled source, once the
 * token has shown the caller knows it) and returns NULL. */
static const struct rw_source_config *
ingest_source(struct rw_http_request *req, struct rw_daemon *d)
{
	const char *name = rw_http_path(req) + strlen("/ingest/");
	const struct rw_source_config *src = rw_config_find_source(rw_daemon_config(d), name);
	const struct rw_secret *token = NULL;
	const char *bearer = rw_http_bearer(req);

	if (src != NULL && src->type == RW_SOURCE_PUSH)
		token = rw_source_param_secret(src, "token");
	if (token == NULL || bearer == NULL || !rw_secret_matches(token, bearer, strlen(bearer))) {
		rw_http_add_header(req, "WWW-Authenticate", "Bearer realm=\"replywatch-ingest\"");
		rw_http_respond_error(req, 401, "missing or wrong bearer token for this source");
		return NULL;
	}
	if (!src->enabled) {
		rw_http_respond_error(req, 404, "the push source is disabled");
		return NULL;
	}
	return src;
}

/* rw_http_guard: refuses before the body is read. */
static bool
ingest_admit(struct rw_http_request *req, void *arg)
{
	return ingest_source(req, arg) != NULL;
}

static void
ingest(struct rw_http_request *req, void *arg)
{
	struct rw_daemon *d = arg;
	/* Checked again: a reload may have come between the headers and now. */
	const struct rw_source_config *src = ingest_source(req, d);
	int64_t received_ms = rw_now_ms();
	const char *body;
	struct rw_item *items;
	struct ingest_call *call;
	size_t len, n;
	char err[300];

	if (src == NULL)
		return;
	body = rw_http_body(req, &len);
	if (rw_push_parse(body, len, &items, &n, err, sizeof(err)) == -1) {
		rw_http_respond_error(req, 400, err);
		return;
	}
	rw_push_cap_times(items, n, received_ms);
	if (!rw_store_connected(rw_daemon_store(d)) || (call = calloc(1, sizeof(*call))) == NULL) {
		for (size_t i = 0; i < n; i++)
			rw_item_clear(&items[i]);
		free(items);
		rw_http_add_header(req, "Retry-After", "1");
		rw_http_respond_error(req, 503, "not stored, send again: redis unavailable");
		return;
	}
	call->req = req;
	call->store = rw_daemon_store(d);
	call->n = n;
	if (rw_tracker_ingest(rw_daemon_tracker(d), src, items, n, ingested, call) == -1) {
		for (size_t i = 0; i < n; i++)
			rw_item_clear(&items[i]);
		free(items);
		free(call);
		rw_http_add_header(req, "Retry-After", "1");
		rw_http_respond_error(req, 503, "not stored, send again: out of memory");
	}
}

int
rw_api_ingest_routes(struct rw_http_server *srv, struct rw_daemon *d)
{
	return rw_http_route_guarded(srv, "POST", "/ingest/", RW_HTTP_PREFIX | RW_HTTP_OWN_AUTH,
				     ingest_admit, ingest, d);
}
