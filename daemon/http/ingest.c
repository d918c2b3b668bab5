/*
 * ingest.c: POST /ingest/SOURCE for push sources.
 *
 * The answer 202 is given only once every item is in Redis, so a client
 * that saw 202 can forget its items: nothing acknowledged is ever lost.
 * Anything else means nothing was promised; re-sending is safe because
 * ingest is idempotent.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/api.h"
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
	size_t n;
};

static void
ingested(void *arg, int result, const char *detail)
{
	struct ingest_call *call = arg;

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

static void
ingest(struct rw_http_request *req, void *arg)
{
	struct rw_daemon *d = arg;
	const char *name = rw_http_path(req) + strlen("/ingest/");
	const struct rw_source_config *src = rw_config_find_source(rw_daemon_config(d), name);
	const struct rw_secret *token;
	const char *bearer = rw_http_bearer(req), *body;
	struct rw_item *items;
	struct ingest_call *call;
	size_t len, n;
	char err[300];

	if (src == NULL || src->type != RW_SOURCE_PUSH || !src->enabled) {
		rw_http_respond_error(req, 404, "no enabled push source of that name");
		return;
	}
	token = rw_source_param_secret(src, "token");
	if (token == NULL || bearer == NULL || !rw_secret_matches(token, bearer, strlen(bearer))) {
		rw_http_add_header(req, "WWW-Authenticate", "Bearer realm=\"replywatch-ingest\"");
		rw_http_respond_error(req, 401, "missing or wrong bearer token for this source");
		return;
	}
	body = rw_http_body(req, &len);
	if (rw_push_parse(body, len, &items, &n, err, sizeof(err)) == -1) {
		rw_http_respond_error(req, 400, err);
		return;
	}
	if (!rw_store_connected(rw_daemon_store(d)) || (call = calloc(1, sizeof(*call))) == NULL) {
		for (size_t i = 0; i < n; i++)
			rw_item_clear(&items[i]);
		free(items);
		rw_http_add_header(req, "Retry-After", "1");
		rw_http_respond_error(req, 503, "not stored, send again: redis unavailable");
		return;
	}
	call->req = req;
	call->n = n;
	if (rw_tracker_ingest(rw_daemon_tracker(d), src, items, n, ingested, call) == -1) {
		for (size_t i = 0; i < n; i++)
			rw_item_clear(&items[i]);
		free(items);
		free(call);
		rw_http_respond_error(req, 503, "not stored, send again: out of memory");
	}
}

int
rw_api_ingest_routes(struct rw_http_server *srv, struct rw_daemon *d)
{
	return rw_http_route(srv, "POST", "/ingest/", RW_HTTP_PREFIX | RW_HTTP_OWN_AUTH, ingest, d);
}
