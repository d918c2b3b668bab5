/*
 * poller_revisit.c: re-reading open items by id, for platforms where the
 * brand's answer sits on the item itself (reviews: connector.h, struct
 * rw_revisit). After a poll's streams, the source's open items are listed
 * from Redis oldest first after the stored position, up to the poll's
 * budget (wrapping round to the oldest when the list ends), and each is
 * read by id: an answer found becomes a brand reply in the poll's batch,
 * an item the platform no longer has (its gone status, 404) is closed as
 * "deleted on platform" once the batch is ingested. The position (the
 * last item read) is saved with the other cursors, so successive polls
 * rotate through every open item, and read all of them every poll while
 * they fit the budget.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poller_internal.h"
#include "replywatch/clock.h"
#include "replywatch/connector.h"
#include "replywatch/httpc.h"
#include "replywatch/log.h"
#include "replywatch/tracker.h"

#define REVISIT_FIELD 'v' /* cursor fields "vm" (created ms) and "vi" (id) */
#define CLOSE_REASON "deleted on platform"

static void
items_free(struct rw_open_item *items, size_t n)
{
	for (size_t i = 0; items != NULL && i < n; i++)
		free(items[i].id);
	free(items);
}

void
poller_revisit_free(struct rw_poll *poll)
{
	items_free(poll->rv_first, poll->rv_nfirst);
	items_free(poll->rv, poll->rv_n);
	for (size_t i = 0; i < poll->ngone; i++)
		free(poll->gone[i]);
	free(poll->gone);
	poll->rv_first = poll->rv = NULL;
	poll->gone = NULL;
	poll->rv_nfirst = poll->rv_n = poll->ngone = 0;
}

/* Owned copies of n items (pointers or an array); NULL when n is 0 or on
 * allocation failure (*ok false). */
static struct rw_open_item *
copy_items(const struct rw_open_item *const *ptrs, const struct rw_open_item *arr, size_t n,
	   bool *ok)
{
	struct rw_open_item *out;

	*ok = true;
	if (n == 0)
		return NULL;
	if ((out = calloc(n, sizeof(*out))) == NULL) {
		*ok = false;
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		const struct rw_open_item *it = ptrs ? ptrs[i] : &arr[i];

		out[i].created_ms = it->created_ms;
		if ((out[i].id = strdup(it->id)) == NULL) {
			items_free(out, i);
			*ok = false;
			return NULL;
		}
	}
	return out;
}

static void request_next(struct rw_poll *poll);

/* Every item is read: the position moves to the last one. */
static void
revisit_done(struct rw_poll *poll)
{
	char ms[24];

	if (poll->rv_n > 0) {
		const struct rw_open_item *last = &poll->rv[poll->rv_n - 1];

		snprintf(ms, sizeof(ms), "%" PRId64, last->created_ms);
		poller_save(poll, REVISIT_FIELD, 'm', ms);
		poller_save(poll, REVISIT_FIELD, 'i', last->id);
	}
	poller_ingest(poll);
}

static int
note_gone(struct rw_poll *poll, const char *id)
{
	char **g = realloc(poll->gone, (poll->ngone + 1) * sizeof(*g));

	if (g == NULL)
		return -1;
	poll->gone = g;
	if ((g[poll->ngone] = strdup(id)) == NULL)
		return -1;
	poll->ngone++;
	return 0;
}

static void
revisit_answer(struct rw_poll *poll, const struct rw_httpc_response *resp)
{
	const struct rw_revisit *rv = poll->ps->conn->revisit;
	const char *id = poll->rv[poll->rv_next].id;
	struct rw_page page = {0};
	char err[200];

	if (rv->gone_status != 0 && resp->status == rv->gone_status) {
		if (note_gone(poll, id) == -1) {
			poller_end(poll, RW_POLL_CLIENT_ERROR, "out of memory");
			return;
		}
	} else if (rv->skip_status != 0 && resp->status == rv->skip_status) {
		log_debug("%s: %s %s: HTTP %ld, skipped (read again in its turn)", poll->ps->name,
			  rv->endpoint, id, resp->status);
	} else if (rv->parse(poll, id, resp->body, resp->body_len, &page, err, sizeof(err)) == -1) {
		log_warnx("%s: malformed answer from %s (%s): %s", poll->ps->name, rv->endpoint,
			  poll->url, err);
		rw_page_clear(&page);
		rw_poll_fail(poll, RW_POLL_MALFORMED, "%s: malformed answer: %s", rv->endpoint,
			     err);
		return;
	} else {
		poll->rv_found++;
		for (size_t i = 0; i < page.nrejects; i++)
			poller_reject(poll->ps, rv->endpoint, page.rejects[i].reason,
				      page.rejects[i].id);
		poller_cap_times(&page, poll->answered_ms);
		if (rw_page_take_items(&poll->items, &page) == -1) {
			rw_page_clear(&page);
			poller_end(poll, RW_POLL_CLIENT_ERROR, "out of memory");
			return;
		}
		rw_page_clear(&page);
	}
	poll->rv_next++;
	request_next(poll);
}

static void
request_next(struct rw_poll *poll)
{
	const struct rw_revisit *rv = poll->ps->conn->revisit;
	int see[3] = {0}, nsee = 0;
	char *url;

	if (rv->gone_status != 0)
		see[nsee++] = (int)rv->gone_status;
	if (rv->skip_status != 0)
		see[nsee++] = (int)rv->skip_status;

	/* An id that cannot go into a URL (Redis written by something else)
	 * is reported, not sent. */
	while (poll->rv_next < poll->rv_n && ((rv->skip && rv->skip(poll->rv[poll->rv_next].id)) ||
					      !rv->id_ok(poll->rv[poll->rv_next].id))) {
		if (!(rv->skip && rv->skip(poll->rv[poll->rv_next].id)))
			poller_reject(poll->ps, rv->endpoint, RW_REJECT_BAD_ID, NULL);
		poll->rv_next++;
	}
	if (poll->rv_next == poll->rv_n) {
		revisit_done(poll);
		return;
	}
	if ((url = rv->url(poll, poll->rv[poll->rv_next].id)) == NULL) {
		poller_end(poll, RW_POLL_CLIENT_ERROR, "out of memory");
		return;
	}
	rw_poll_request(poll, rv->endpoint, url, NULL, NULL, see, revisit_answer);
	free(url);
}

/* The items to read are known: first, and again (from the oldest). */
static void
plan(struct rw_poll *poll, const struct rw_open_item *again, size_t nagain)
{
	const struct rw_open_item **pick = calloc(poll->rv_budget, sizeof(*pick));
	size_t n;
	bool ok;

	if (pick == NULL) {
		poller_end(poll, RW_POLL_CLIENT_ERROR, "out of memory");
		return;
	}
	n = poll_revisit_pick(poll->rv_first, poll->rv_nfirst, again, nagain, poll->rv_budget,
			      pick);
	poll->rv = copy_items(pick, NULL, n, &ok);
	free(pick);
	if (!ok) {
		poller_end(poll, RW_POLL_CLIENT_ERROR, "out of memory");
		return;
	}
	poll->rv_n = n;
	poll->rv_next = 0;
	request_next(poll);
}

static bool
abandoned(struct rw_poll *poll, int result)
{
	if (poll->ps->retired || poll->ps->poller->freeing) {
		poller_end(poll, RW_POLL_STORE_ERROR, "abandoned");
		return true;
	}
	if (result != 0) {
		poller_end(poll, RW_POLL_STORE_ERROR, "redis: open items not listed");
		return true;
	}
	return false;
}

static void
again_listed(void *arg, int result, const struct rw_open_item *items, size_t n)
{
	struct rw_poll *poll = arg;

	if (!abandoned(poll, result))
		plan(poll, items, n);
}

static void
first_listed(void *arg, int result, const struct rw_open_item *items, size_t n)
{
	struct rw_poll *poll = arg;
	struct poll_source *ps = poll->ps;
	size_t wrap;
	bool ok;

	if (abandoned(poll, result))
		return;
	poll->rv_first = copy_items(NULL, items, n, &ok);
	if (!ok) {
		poller_end(poll, RW_POLL_CLIENT_ERROR, "out of memory");
		return;
	}
	poll->rv_nfirst = n;
	wrap = poll_revisit_wrap(n, poll->rv_budget, poll->rv_from_position);
	if (wrap == 0) {
		plan(poll, NULL, 0);
		return;
	}
	if (rw_tracker_open_ids(ps->poller->tracker, ps->src, 0, NULL, wrap, again_listed, poll) ==
	    -1)
		poller_end(poll, RW_POLL_STORE_ERROR, "redis unavailable: open items not listed");
}

void
poller_revisit(struct rw_poll *poll)
{
	struct poll_source *ps = poll->ps;
	const struct rw_revisit *rv = ps->conn->revisit;
	const struct endpoint_limit *l;
	const char *ms, *id;
	int64_t after_ms = 0;

	/* A walk stopped at its page bound catches up first: the next poll
	 * comes at once, and re-reading on each of them would spend the
	 * platform's budget many times over. */
	if (rv == NULL || poll->more || ps->poller->freeing) {
		poller_ingest(poll);
		return;
	}
	l = poller_limit(ps, rv->endpoint);
	poll->rv_budget = poll_revisit_budget(rv->per_poll, l ? l->rl.remaining : -1,
					      l ? l->rl.reset_at_ms : 0, rw_now_ms());
	if (poll->rv_budget == 0) {
		poller_ingest(poll);
		return;
	}
	ms = poller_cursor(poll, REVISIT_FIELD, 'm');
	id = poller_cursor(poll, REVISIT_FIELD, 'i');
	if (ms != NULL && id != NULL && rw_cursor_digits(ms, 16) && rv->id_ok(id)) {
		after_ms = strtoll(ms, NULL, 10);
		poll->rv_from_position = true;
	} else {
		id = NULL;
	}
	if (rw_tracker_open_ids(ps->poller->tracker, ps->src, after_ms, id, poll->rv_budget,
				first_listed, poll) == -1)
		poller_end(poll, RW_POLL_STORE_ERROR, "redis unavailable: open items not listed");
}

static void close_next(struct rw_poll *poll);

static void
gone_closed(void *arg, int result, const char *detail)
{
	struct rw_poll *poll = arg;
	struct poll_source *ps = poll->ps;
	const char *id = poll->gone[poll->gone_next];

	if (result == -1) {
		rw_poll_fail(poll, RW_POLL_STORE_ERROR, "redis: %s not closed: %s", id,
			     detail ? detail : "error");
		return;
	}
	if (result == 0) {
		ps->closed_deleted++;
		log_info("%s: %s %s is no longer on the platform: closed (%s)", ps->name,
			 ps->conn->revisit->endpoint, id, CLOSE_REASON);
	}
	/* 1 (unknown) or 2 (already resolved): nothing to do. */
	poll->gone_next++;
	close_next(poll);
}

static void
close_next(struct rw_poll *poll)
{
	struct poll_source *ps = poll->ps;

	if (poll->gone_next >= poll->ngone) {
		poller_save_cursors(poll);
		return;
	}
	if (ps->poller->freeing) {
		poller_end(poll, RW_POLL_STORE_ERROR, "shutting down");
		return;
	}
	if (rw_tracker_close(ps->poller->tracker, ps->src, poll->gone[poll->gone_next],
			     CLOSE_REASON, gone_closed, poll) == -1)
		poller_end(poll, RW_POLL_STORE_ERROR,
			   "redis unavailable: deleted items not closed");
}

void
poller_close_gone(struct rw_poll *poll)
{
	struct poll_source *ps = poll->ps;

	poll->gone_next = 0;
	if (!poll_revisit_trust_gone(poll->ngone, poll->rv_found)) {
		/* Nothing is closed; the same reads are tried again next time. */
		log_warnx("%s: %s: all %zu items read answered %ld (not found): nothing closed; "
			  "check base_url",
			  ps->name, ps->conn->revisit->endpoint, poll->ngone,
			  ps->conn->revisit->gone_status);
		poll->gone_next = poll->ngone;
	}
	close_next(poll);
}
