/*
 * poller_queued.c: reading the items webhooks named by id only (connector.h,
 * struct rw_queued_read; the queue itself is hookstore.h), first in every
 * poll of a connector that has such items, then the streams.
 *
 * The queue's oldest items are listed; those past their attempts or age
 * are tracked at once with what the webhook gave, so a platform that is
 * down for a day loses nothing (they are ingested and taken off the queue
 * before any request, which could end the poll). Then each of the others
 * is read; what was read is ingested, and only then are those items taken
 * off the queue and the failed reads counted. A poll that ends on the way
 * (rate limited, 5xx, network) leaves them all queued for the next one.
 * Items removed on the platform meanwhile are dropped before any ingest,
 * as for the streams.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poller_internal.h"
#include "replywatch/clock.h"
#include "replywatch/hooks.h"
#include "replywatch/hookstore.h"
#include "replywatch/httpc.h"
#include "replywatch/item.h"
#include "replywatch/log.h"
#include "replywatch/store.h"
#include "replywatch/tracker.h"

#define UNKNOWN_AUTHOR "unknown"

struct poll_queued {
	struct rw_queued *q; /* owned: the items listed, oldest first */
	size_t n, next;
	struct rw_page found;          /* items to ingest */
	const struct rw_queued **done; /* to take off the queue once ingested */
	size_t ndone;
	const struct rw_queued **failed; /* to count a failed read of */
	size_t nfailed;
	void (*then)(struct rw_poll *poll); /* after the flush */
};

void
poller_queued_free(struct rw_poll *poll)
{
	struct poll_queued *qd = poll->qd;

	if (qd == NULL)
		return;
	rw_queued_free(qd->q, qd->n);
	rw_page_clear(&qd->found);
	free(qd->done);
	free(qd->failed);
	free(qd);
	poll->qd = NULL;
}

/* ---- dropping items removed on the platform ---- */

struct drop_call {
	struct rw_poll *poll;
	void (*then)(struct rw_poll *poll);
};

static void
dropped(void *arg, int result, size_t n)
{
	struct drop_call *dc = arg;
	struct rw_poll *poll = dc->poll;
	void (*then)(struct rw_poll *) = dc->then;

	free(dc);
	if (poll->ps->retired || poll->ps->poller->freeing) {
		poller_end(poll, RW_POLL_STORE_ERROR, "abandoned");
		return;
	}
	if (result != 0) {
		poller_end(poll, RW_POLL_STORE_ERROR, "redis: removals not read: nothing ingested");
		return;
	}
	if (n > 0) {
		poll->ps->removed_dropped += n;
		log_info("%s: %zu item(s) found that were removed on the platform (webhook): not "
			 "tracked",
			 poll->ps->name, n);
	}
	then(poll);
}

void
poller_drop_removed(struct rw_poll *poll, struct rw_item *items, size_t *n,
		    void (*then)(struct rw_poll *poll))
{
	struct poll_source *ps = poll->ps;
	struct drop_call *dc;

	/* Only webhooks remember removals: other types have none to read. */
	if (*n == 0 || rw_hook_platform_for(ps->src->type) == NULL) {
		then(poll);
		return;
	}
	if ((dc = calloc(1, sizeof(*dc))) == NULL) {
		poller_end(poll, RW_POLL_CLIENT_ERROR, "out of memory");
		return;
	}
	dc->poll = poll;
	dc->then = then;
	if (rw_hookstore_drop_removed(ps->poller->store, ps->name, items, n, rw_now_ms(), dropped,
				      dc) == -1) {
		free(dc);
		poller_end(poll, RW_POLL_STORE_ERROR, "redis unavailable: removals not read");
	}
}

/* ---- the flush: ingest, then settle the queue ---- */

static void
settled(void *arg, int result)
{
	struct rw_poll *poll = arg;
	struct poll_queued *qd = poll->qd;

	if (result != 0) {
		/* Tracked already: the next poll reads them again, and ingest
		 * being idempotent, nothing doubles. */
		poller_end(poll, RW_POLL_STORE_ERROR, "redis: queue not updated");
		return;
	}
	qd->ndone = qd->nfailed = 0;
	qd->then(poll);
}

static void
settle(struct rw_poll *poll)
{
	struct poll_source *ps = poll->ps;
	struct poll_queued *qd = poll->qd;

	if (qd->ndone + qd->nfailed == 0) {
		qd->then(poll);
		return;
	}
	if (ps->poller->freeing) {
		poller_end(poll, RW_POLL_STORE_ERROR, "shutting down");
		return;
	}
	if (rw_hookstore_queue_settle(ps->poller->store, ps->name, qd->done, qd->ndone, qd->failed,
				      qd->nfailed, settled, poll) == -1)
		poller_end(poll, RW_POLL_STORE_ERROR, "redis unavailable: queue not updated");
}

static void
found_ingested(void *arg, int result, const char *detail)
{
	struct rw_poll *poll = arg;

	if (result != 0) {
		rw_poll_fail(poll, RW_POLL_STORE_ERROR, "redis: queued items not ingested: %s",
			     detail ? detail : "error");
		return;
	}
	settle(poll);
}

static void
ingest_found(struct rw_poll *poll)
{
	struct poll_source *ps = poll->ps;
	struct poll_queued *qd = poll->qd;
	struct rw_item *items = qd->found.items;
	size_t n = qd->found.nitems;

	if (n == 0) {
		settle(poll);
		return;
	}
	qd->found.items = NULL;
	qd->found.nitems = 0;
	if (rw_tracker_ingest(ps->poller->tracker, ps->src, items, n, found_ingested, poll) == -1) {
		for (size_t i = 0; i < n; i++)
			rw_item_clear(&items[i]);
		free(items);
		poller_end(poll, RW_POLL_STORE_ERROR,
			   "redis unavailable: queued items not ingested");
	}
}

/* Ingests what was found (less what was removed), settles the queue, then
 * then(poll). */
static void
flush(struct rw_poll *poll, void (*then)(struct rw_poll *poll))
{
	struct poll_queued *qd = poll->qd;

	qd->then = then;
	if (poll->ps->poller->freeing) {
		poller_end(poll, RW_POLL_STORE_ERROR, "shutting down");
		return;
	}
	poller_drop_removed(poll, qd->found.items, &qd->found.nitems, ingest_found);
}

/* ---- reading ---- */

static void
note(const struct rw_queued ***list, size_t *n, const struct rw_queued *q, size_t cap, bool *ok)
{
	if (*list == NULL && (*list = calloc(cap, sizeof(**list))) == NULL) {
		*ok = false;
		return;
	}
	(*list)[(*n)++] = q;
}

static void read_next(struct rw_poll *poll);

static void
walk_streams(struct rw_poll *poll)
{
	poller_walk_streams(poll);
}

static void
read_answer(struct rw_poll *poll, const struct rw_httpc_response *resp)
{
	struct poll_source *ps = poll->ps;
	const struct rw_queued_read *qr = ps->conn->queued;
	struct poll_queued *qd = poll->qd;
	const struct rw_queued *q = &qd->q[qd->next];
	struct rw_page page = {0};
	char err[200] = "no item in the answer";
	bool ok = true;

	if (resp->status < 200 || resp->status > 299) {
		if (qr->gone(poll, resp)) {
			ps->queued[QUEUED_GONE]++;
			log_info("%s: %s %s: no longer on the platform (HTTP %ld): dropped",
				 ps->name, qr->endpoint, q->id, resp->status);
			note(&qd->done, &qd->ndone, q, qd->n, &ok);
		} else {
			ps->queued[QUEUED_FAILED]++;
			log_warnx("%s: %s %s: HTTP %ld: read again later (%u failed so far)",
				  ps->name, qr->endpoint, q->id, resp->status, q->attempts + 1);
			note(&qd->failed, &qd->nfailed, q, qd->n, &ok);
		}
	} else if (qr->parse(poll, q, resp->body, resp->body_len, &page, err, sizeof(err)) == -1 ||
		   page.nitems == 0) {
		ps->queued[QUEUED_FAILED]++;
		log_warnx("%s: malformed answer from %s about %s: %s (%u failed so far)", ps->name,
			  qr->endpoint, q->id, page.nrejects > 0 ? page.rejects[0].reason : err,
			  q->attempts + 1);
		note(&qd->failed, &qd->nfailed, q, qd->n, &ok);
	} else {
		/* Never later than the webhook said it was there. */
		poller_cap_times(&page, q->received_ms);
		poller_cap_times(&page, poll->answered_ms);
		if (rw_page_take_items(&qd->found, &page) == -1)
			ok = false;
		else
			note(&qd->done, &qd->ndone, q, qd->n, &ok);
		ps->queued[QUEUED_READ]++;
	}
	rw_page_clear(&page);
	if (!ok) {
		poller_end(poll, RW_POLL_CLIENT_ERROR, "out of memory");
		return;
	}
	qd->next++;
	read_next(poll);
}

static void
read_next(struct rw_poll *poll)
{
	const struct rw_queued_read *qr = poll->ps->conn->queued;
	struct poll_queued *qd = poll->qd;
	static const int see[] = {400, 404, 0};
	char *url;

	/* Those given up are done already. */
	while (qd->next < qd->n && qd->q[qd->next].attempts == UINT_MAX)
		qd->next++;
	if (qd->next >= qd->n) {
		flush(poll, walk_streams);
		return;
	}
	if ((url = qr->url(poll, &qd->q[qd->next])) == NULL) {
		poller_end(poll, RW_POLL_CLIENT_ERROR, "out of memory");
		return;
	}
	rw_poll_request(poll, qr->endpoint, url, NULL, NULL, see, read_answer);
	free(url);
}

/* What the webhook gave of q, as an item. 0, or -1 on allocation failure. */
static int
given_up_item(const struct rw_queued *q, struct rw_page *page)
{
	struct rw_item it = {0};

	it.kind = RW_KIND_MENTION;
	it.created_at_ms = q->received_ms;
	if ((it.id = strdup(q->id)) == NULL || (it.author = strdup(UNKNOWN_AUTHOR)) == NULL ||
	    (q->conversation_id != NULL &&
	     (it.conversation_id = strdup(q->conversation_id)) == NULL) ||
	    rw_page_append(page, &it) == -1) {
		rw_item_clear(&it);
		return -1;
	}
	return 0;
}

static void
listed(void *arg, int result, struct rw_queued *q, size_t n)
{
	struct rw_poll *poll = arg;
	struct poll_source *ps = poll->ps;
	const struct rw_queued_read *qr = ps->conn->queued;
	struct poll_queued *qd;
	int64_t now = rw_now_ms();
	bool ok = true;

	if (ps->retired || ps->poller->freeing) {
		rw_queued_free(q, n);
		poller_end(poll, RW_POLL_STORE_ERROR, "abandoned");
		return;
	}
	if (result != 0) {
		poller_end(poll, RW_POLL_STORE_ERROR, "redis: queued items not listed");
		return;
	}
	if (n == 0) {
		poller_walk_streams(poll);
		return;
	}
	if ((qd = calloc(1, sizeof(*qd))) == NULL) {
		rw_queued_free(q, n);
		poller_end(poll, RW_POLL_CLIENT_ERROR, "out of memory");
		return;
	}
	poll->qd = qd;
	qd->q = q;
	qd->n = n;
	/* A full list: more may wait behind it, so the next poll comes at
	 * once (bounded like a walk at its page bound: POLL_MORE_MAX). */
	if (n >= qr->per_poll)
		poll->more = true;
	for (size_t i = 0; ok && i < n; i++) {
		bool bad = !qr->ok(&q[i]);

		if (!bad && q[i].attempts < qr->max_attempts &&
		    now - q[i].received_ms < qr->max_age_ms)
			continue;
		ps->queued[QUEUED_GIVEN_UP]++;
		log_warnx("%s: %s %s could not be read (%s): tracked with what the webhook gave "
			  "(no author, no text)",
			  ps->name, qr->endpoint, q[i].id,
			  bad                                 ? "not a valid id"
			  : q[i].attempts >= qr->max_attempts ? "too many failed reads"
							      : "queued for too long");
		ok = given_up_item(&q[i], &qd->found) == 0;
		note(&qd->done, &qd->ndone, &q[i], n, &ok);
		q[i].attempts = UINT_MAX; /* done: not read */
	}
	if (!ok) {
		poller_end(poll, RW_POLL_CLIENT_ERROR, "out of memory");
		return;
	}
	/* Those given up first: a read that ends the poll must not keep them. */
	if (qd->ndone > 0)
		flush(poll, read_next);
	else
		read_next(poll);
}

void
poller_queued(struct rw_poll *poll)
{
	struct poll_source *ps = poll->ps;
	const struct rw_queued_read *qr = ps->conn->queued;

	if (qr == NULL || ps->poller->freeing) {
		poller_walk_streams(poll);
		return;
	}
	if (rw_hookstore_queue_list(ps->poller->store, ps->name, qr->per_poll, listed, poll) == -1)
		poller_end(poll, RW_POLL_STORE_ERROR, "redis unavailable: queued items not listed");
}
