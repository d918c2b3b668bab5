/*
 * health.c: liveness and readiness endpoints.
 *
 * /readyz does not trust a flag alone: it runs the "ping" Lua script through
 * the store (EVALSHA, EVAL on NOSCRIPT) with a key to write, so a 200 means
 * Redis took a write just now. A Redis that answers reads but refuses every
 * write (OOM, min-replicas-to-write unmet, AOF disk full) is not ready: the
 * daemon could acknowledge nothing.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "replywatch/daemon.h"
#include "replywatch/health.h"
#include "replywatch/http.h"
#include "replywatch/keys.h"
#include "replywatch/store.h"

static void
healthz(struct rw_http_request *req, void *arg)
{
	(void)arg;
	rw_http_respond(req, 200, "text/plain; charset=utf-8", "ok\n", 3);
}

static void
respond_not_ready(struct rw_http_request *req, const char *reason)
{
	json_t *body = json_pack("{s:s, s:s}", "status", "not ready", "reason", reason);

	if (body == NULL) {
		rw_http_respond_error(req, 503, "not ready");
		return;
	}
	rw_http_respond_json(req, 503, body);
	json_decref(body);
}

static void
readyz_answered(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct rw_http_request *req = arg;
	char reason[300];
	json_t *body;

	if (reply == NULL) {
		snprintf(reason, sizeof(reason), "redis %s: connection lost", rw_store_address(st));
		respond_not_ready(req, reason);
		return;
	}
	if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3) {
		snprintf(reason, sizeof(reason), "redis %s: %s", rw_store_address(st),
			 reply->type == REDIS_REPLY_ERROR ? reply->str : "unexpected script reply");
		respond_not_ready(req, reason);
		return;
	}
	body = json_pack("{s:s, s:{s:s, s:b}}", "status", "ready", "redis", "address",
			 rw_store_address(st), "connected", 1);
	rw_http_respond_json(req, 200, body);
	json_decref(body);
}

static void
readyz(struct rw_http_request *req, void *arg)
{
	struct rw_daemon *d = arg;
	struct rw_store *st = rw_daemon_store(d);
	char reason[300], key[RW_KEY_SIZE];

	if (!rw_daemon_ready(d, reason, sizeof(reason))) {
		respond_not_ready(req, reason);
		return;
	}
	const char *argv[2] = {
		rw_key_name(RW_KEY_READYZ, rw_store_key_prefix(st), NULL, NULL, key, sizeof(key)),
		"readyz"};
	size_t len[2] = {strlen(key), 6};
	if (argv[0] == NULL) {
		respond_not_ready(req, "redis.key_prefix too long");
		return;
	}
	if (rw_store_script(st, "ping", 1, 2, argv, len, readyz_answered, req) == -1) {
		snprintf(reason, sizeof(reason), "redis %s: %s", rw_store_address(st),
			 rw_store_connected(st) ? "too many commands in flight"
						: rw_store_last_error(st));
		respond_not_ready(req, reason);
	}
}

int
rw_health_routes(struct rw_http_server *srv, struct rw_daemon *d)
{
	if (rw_http_route(srv, "GET", "/healthz", RW_HTTP_PUBLIC, healthz, d) == -1 ||
	    rw_http_route(srv, "GET", "/readyz", 0, readyz, d) == -1)
		return -1;
	return 0;
}
