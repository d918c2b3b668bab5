/*
 * hooks.c: GET|POST /hooks/SOURCE, the platforms' webhooks (hooks.h).
 *
 * Never behind http.token: the platform's own scheme is the credential.
 * What the headers alone can refuse is refused before a byte of the body is
 * read: a source that is unknown, disabled, of a type without webhooks or
 * without its secret (404, the same answer for all, so names cannot be
 * told apart), a POST without its signature header (401), a declared body
 * over RW_HOOK_MAX_BODY (413). Then the signature is checked over the raw
 * body (403 when wrong), and only then is it parsed.
 *
 * A verified delivery answers 200 once its removals are remembered in
 * Redis (hookstore.h), its items (less those removed before) ingested, its
 * removals closed and the items it names without content queued; changes that cannot be used are
 * logged and counted and still answer 200 (Meta retries a non-2xx, then disables the subscription).
 * Redis unavailable answers 503: the retry then keeps the item, and ingest is idempotent.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/api.h"
#include "replywatch/clock.h"
#include "replywatch/config.h"
#include "replywatch/daemon.h"
#include "replywatch/hookstore.h"
#include "replywatch/hooks.h"
#include "replywatch/http.h"
#include "replywatch/item.h"
#include "replywatch/log.h"
#include "replywatch/poller.h"
#include "replywatch/secret.h"
#include "replywatch/store.h"
#include "replywatch/tracker.h"

#define HOOKS_PREFIX "/hooks/"
#define CLOSE_REASON "deleted on platform"

/* One delivery on its way through ingest and the closes. */
struct hook_call {
	struct rw_http_request *req;
	struct rw_daemon *d;
	char *source; /* a copy: a reload may free the config's */
	struct rw_hook_batch batch;
	int64_t received_ms;
	size_t next_removed;
	size_t closed;
};

static void hook_close_next(struct hook_call *call);

static void
hook_call_free(struct hook_call *call)
{
	rw_hook_batch_clear(&call->batch);
	free(call->source);
	free(call);
}

/* Counts one refusal of source; true when it should be logged: the 1st,
 * 2nd, 4th, 8th... so that anyone on the internet sending garbage cannot
 * flood the log, while a wrong secret still shows at once (every refusal
 * is in /status and /metrics). */
static bool
hook_refused(struct rw_daemon *d, const char *source, enum rw_hook_count c)
{
	uint64_t n;

	rw_hooks_count(rw_daemon_hooks(d), source, c, 1);
	n = rw_hooks_get(rw_daemon_hooks(d), source, c);
	return n > 0 && (n & (n - 1)) == 0;
}

static void
hook_respond_ok(struct rw_http_request *req)
{
	rw_http_respond(req, 200, "text/plain", "ok\n", 3);
}

static void
hook_unavailable(struct rw_http_request *req)
{
	rw_http_add_header(req, "Retry-After", "1");
	rw_http_respond_error(req, 503, "not stored, send again: redis unavailable");
}

/* The webhook source the path names with its table entry, or NULL with
 * 404 answered. */
static const struct rw_source_config *
hook_source(struct rw_http_request *req, struct rw_daemon *d, const struct rw_hook_platform **hp)
{
	const char *name = rw_http_path(req) + strlen(HOOKS_PREFIX);
	const struct rw_source_config *src = rw_config_find_source(rw_daemon_config(d), name);

	*hp = src != NULL ? rw_hook_platform_for(src->type) : NULL;
	if (*hp == NULL || !src->enabled ||
	    rw_source_param_secret(src, (*hp)->secret_param) == NULL) {
		rw_http_respond_error(req, 404, "no webhook here");
		return NULL;
	}
	return src;
}

/* rw_http_guard of POST: everything the headers can refuse. */
static bool
hook_admit(struct rw_http_request *req, void *arg)
{
	struct rw_daemon *d = arg;
	const struct rw_hook_platform *hp;
	const struct rw_source_config *src = hook_source(req, d, &hp);
	const char *cl = rw_http_header(req, "Content-Length");
	char msg[160];

	if (src == NULL)
		return false;
	if (rw_http_header(req, hp->signature_header) == NULL) {
		if (hook_refused(d, src->name, RW_HOOK_BAD_SIGNATURE))
			log_warnx(
				"%s: webhook delivery refused: no %s (%" PRIu64 " refused so far)",
				src->name, hp->signature_header,
				rw_hooks_get(rw_daemon_hooks(d), src->name, RW_HOOK_BAD_SIGNATURE));
		snprintf(msg, sizeof(msg), "missing %s", hp->signature_header);
		rw_http_respond_error(req, 401, msg);
		return false;
	}
	if (cl != NULL && strtoull(cl, NULL, 10) > RW_HOOK_MAX_BODY) {
		rw_hooks_count(rw_daemon_hooks(d), src->name, RW_HOOK_REJECTED, 1);
		rw_http_respond_error(req, 413, "webhook body too large");
		return false;
	}
	return true;
}

static const char *
hook_query(void *arg, const char *name)
{
	return rw_http_query(arg, name);
}

/* GET: the subscription handshake. */
static void
hook_get(struct rw_http_request *req, void *arg)
{
	struct rw_daemon *d = arg;
	const struct rw_hook_platform *hp;
	const struct rw_source_config *src = hook_source(req, d, &hp);
	const char *answer;

	if (src == NULL)
		return;
	answer = hp->handshake != NULL ? hp->handshake(src, hook_query, req) : NULL;
	if (answer == NULL) {
		if (hook_refused(d, src->name, RW_HOOK_HANDSHAKES_REFUSED))
			log_warnx("%s: webhook subscription handshake refused: wrong verify token, "
				  "mode or challenge (%" PRIu64 " refused so far)",
				  src->name,
				  rw_hooks_get(rw_daemon_hooks(d), src->name,
					       RW_HOOK_HANDSHAKES_REFUSED));
		rw_http_respond_error(req, 403, "handshake refused");
		return;
	}
	rw_hooks_count(rw_daemon_hooks(d), src->name, RW_HOOK_HANDSHAKES, 1);
	log_info("%s: webhook subscription handshake answered", src->name);
	rw_http_respond(req, 200, "text/plain", answer, strlen(answer));
}

static void hook_queue(struct hook_call *call);

/* The source the call is for, found again: a reload may have come since
 * the delivery arrived. NULL (200 answered, the call freed) when it is
 * gone: nothing is left to do for it. */
static const struct rw_source_config *
hook_source_again(struct hook_call *call)
{
	const struct rw_source_config *src =
		rw_config_find_source(rw_daemon_config(call->d), call->source);

	if (src == NULL) {
		hook_respond_ok(call->req);
		hook_call_free(call);
	}
	return src;
}

/* Redis failed on the way: 503, so the platform sends it again. */
static void
hook_failed(struct hook_call *call, const char *what)
{
	log_warnx("%s: webhook delivery not stored (%s): redis unavailable", call->source, what);
	hook_unavailable(call->req);
	hook_call_free(call);
}

static void
hook_closed(void *arg, int result, const char *detail)
{
	struct hook_call *call = arg;

	if (result == -1) {
		log_warnx("%s: webhook removal not closed: %s", call->source,
			  detail ? detail : "redis unavailable");
		hook_unavailable(call->req);
		hook_call_free(call);
		return;
	}
	/* 1 (not tracked) or 2 (already resolved): nothing to do. */
	if (result == 0) {
		call->closed++;
		log_info("%s: %s deleted on the platform (webhook): closed (%s)", call->source,
			 call->batch.removed[call->next_removed], CLOSE_REASON);
	}
	call->next_removed++;
	hook_close_next(call);
}

/* Closes the batch's removals one after the other, then queues. */
static void
hook_close_next(struct hook_call *call)
{
	const struct rw_source_config *src;

	if (call->next_removed >= call->batch.nremoved) {
		hook_queue(call);
		return;
	}
	if ((src = hook_source_again(call)) == NULL)
		return;
	if (rw_tracker_close(rw_daemon_tracker(call->d), src,
			     call->batch.removed[call->next_removed], CLOSE_REASON, hook_closed,
			     call) == -1)
		hook_failed(call, "removal");
}

static void
hook_queued(void *arg, int result)
{
	struct hook_call *call = arg;

	if (result != 0) {
		hook_failed(call, "queued items");
		return;
	}
	/* Read soon rather than at the next poll_every. */
	rw_poller_poll_soon(rw_daemon_poller(call->d), call->source);
	hook_respond_ok(call->req);
	hook_call_free(call);
}

/* Items named without their content go to the source's queue; the answer
 * waits for it, so a 200 means they are kept. */
static void
hook_queue(struct hook_call *call)
{
	if (call->batch.nqueued == 0) {
		hook_respond_ok(call->req);
		hook_call_free(call);
		return;
	}
	if (rw_hookstore_queue_add(rw_daemon_store(call->d), call->source, call->batch.queued,
				   call->batch.nqueued, hook_queued, call) == -1)
		hook_failed(call, "queued items");
}

static void
hook_ingested(void *arg, int result, const char *detail)
{
	struct hook_call *call = arg;

	if (result != 0) {
		log_warnx("%s: webhook items not stored: %s", call->source,
			  detail ? detail : "redis unavailable");
		hook_unavailable(call->req);
		hook_call_free(call);
		return;
	}
	hook_close_next(call);
}

static void
hook_ingest(struct hook_call *call)
{
	const struct rw_source_config *src;
	struct rw_item *items;
	size_t n;

	rw_hooks_count(rw_daemon_hooks(call->d), call->source, RW_HOOK_ITEMS, call->batch.nitems);
	if (call->batch.nitems == 0) {
		hook_close_next(call);
		return;
	}
	if ((src = hook_source_again(call)) == NULL)
		return;
	/* The tracker takes over the items (the array and its strings); its
	 * callback may run before it returns, so the call lets go of them first. */
	items = call->batch.items;
	n = call->batch.nitems;
	call->batch.items = NULL;
	call->batch.nitems = 0;
	if (rw_tracker_ingest(rw_daemon_tracker(call->d), src, items, n, hook_ingested, call) ==
	    -1) {
		for (size_t i = 0; i < n; i++)
			rw_item_clear(&items[i]);
		free(items);
		hook_failed(call, "items");
	}
}

/* Items removed before (or in the same delivery) are dropped: a delivery
 * out of order must not open them. They are counted as ignored. */
static void
hook_dropped(void *arg, int result, size_t dropped)
{
	struct hook_call *call = arg;

	if (result != 0) {
		hook_failed(call, "removals not read");
		return;
	}
	if (dropped > 0) {
		rw_hooks_count(rw_daemon_hooks(call->d), call->source, RW_HOOK_IGNORED, dropped);
		log_info("%s: webhook: %zu item(s) removed on the platform before: not tracked",
			 call->source, dropped);
	}
	hook_ingest(call);
}

static void
hook_drop_removed(struct hook_call *call)
{
	if (call->batch.nitems == 0) {
		hook_ingest(call);
		return;
	}
	if (rw_hookstore_drop_removed(rw_daemon_store(call->d), call->source, call->batch.items,
				      &call->batch.nitems, call->received_ms, hook_dropped,
				      call) == -1)
		hook_failed(call, "removals not read");
}

static void
hook_noted(void *arg, int result)
{
	struct hook_call *call = arg;

	if (result != 0) {
		hook_failed(call, "removals");
		return;
	}
	hook_drop_removed(call);
}

/* The delivery's way through Redis: its removals remembered (so a late add
 * of them is dropped, also after a restart), its items without those
 * removed, ingested, its removals closed, its queued items queued; then
 * 200. */
static void
hook_store(struct hook_call *call)
{
	if (call->batch.nremoved == 0) {
		hook_drop_removed(call);
		return;
	}
	if (rw_hookstore_note_removed(rw_daemon_store(call->d), call->source, call->batch.removed,
				      call->batch.nremoved, call->received_ms, hook_noted,
				      call) == -1)
		hook_failed(call, "removals");
}

/* Logs and counts what the parser made of a delivery (the items once those
 * removed before are dropped). */
static void
hook_account(struct rw_daemon *d, const char *source, const struct rw_hook_batch *b)
{
	struct rw_hooks *h = rw_daemon_hooks(d);

	rw_hooks_count(h, source, RW_HOOK_DELIVERIES, 1);
	rw_hooks_count(h, source, RW_HOOK_REMOVED, b->nremoved);
	rw_hooks_count(h, source, RW_HOOK_QUEUED, b->nqueued);
	rw_hooks_count(h, source, RW_HOOK_IGNORED, b->ignored);
	rw_hooks_count(h, source, RW_HOOK_UNUSABLE, b->unusable);
	if (b->unusable > 0)
		log_warnx("%s: webhook: %zu change(s) could not be used (last: %s)", source,
			  b->unusable, b->why);
	log_debug("%s: webhook delivery: %zu item(s), %zu removal(s), %zu queued, %zu ignored",
		  source, b->nitems, b->nremoved, b->nqueued, b->ignored);
}

/* POST: a delivery. */
static void
hook_post(struct rw_http_request *req, void *arg)
{
	struct rw_daemon *d = arg;
	const struct rw_hook_platform *hp;
	const struct rw_source_config *src = hook_source(req, d, &hp);
	int64_t received_ms = rw_now_ms();
	struct hook_call *call;
	const char *body;
	size_t len;
	char err[200];

	if (src == NULL)
		return;
	body = rw_http_body(req, &len);
	if (len > RW_HOOK_MAX_BODY) {
		rw_hooks_count(rw_daemon_hooks(d), src->name, RW_HOOK_REJECTED, 1);
		rw_http_respond_error(req, 413, "webhook body too large");
		return;
	}
	/* Verified on the raw bytes before anything is parsed. */
	if (!hp->verify(src, rw_http_header(req, hp->signature_header), body, len)) {
		if (hook_refused(d, src->name, RW_HOOK_BAD_SIGNATURE))
			log_warnx(
				"%s: webhook delivery refused: wrong %s; check app_secret (%" PRIu64
				" refused so far)",
				src->name, hp->signature_header,
				rw_hooks_get(rw_daemon_hooks(d), src->name, RW_HOOK_BAD_SIGNATURE));
		rw_http_respond_error(req, 403, "wrong signature");
		return;
	}
	if ((call = calloc(1, sizeof(*call))) == NULL ||
	    (call->source = strdup(src->name)) == NULL) {
		free(call);
		hook_unavailable(req);
		return;
	}
	call->req = req;
	call->d = d;
	call->received_ms = received_ms;
	if (hp->parse(src, body, len, received_ms, &call->batch, err, sizeof(err)) == -1) {
		/* Signed by the platform, yet not a delivery: a retry would
		 * bring the same, so it is answered 200 and counted. */
		rw_hooks_count(rw_daemon_hooks(d), src->name, RW_HOOK_REJECTED, 1);
		log_warnx("%s: webhook delivery not understood: %s", src->name, err);
		hook_respond_ok(req);
		hook_call_free(call);
		return;
	}
	hook_account(d, src->name, &call->batch);
	if (call->batch.nitems == 0 && call->batch.nremoved == 0 && call->batch.nqueued == 0) {
		hook_respond_ok(req);
		hook_call_free(call);
		return;
	}
	if (!rw_store_connected(rw_daemon_store(d))) {
		hook_unavailable(req);
		hook_call_free(call);
		return;
	}
	hook_store(call);
}

int
rw_api_hook_routes(struct rw_http_server *srv, struct rw_daemon *d)
{
	if (rw_http_route(srv, "GET", HOOKS_PREFIX, RW_HTTP_PREFIX | RW_HTTP_OWN_AUTH, hook_get,
			  d) == -1 ||
	    rw_http_route_guarded(srv, "POST", HOOKS_PREFIX, RW_HTTP_PREFIX | RW_HTTP_OWN_AUTH,
				  hook_admit, hook_post, d) == -1)
		return -1;
	return 0;
}
