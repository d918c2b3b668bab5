/*
 * poller_follow.c: a stream's fan-out (connector.h, struct rw_follow). After
 * each list page, the entries its parser asked for (rw_page_follow) are
 * fetched one by one, each maybe over a few pages of its own, and parsed
 * into the poll's items; then the walk goes on (poller_walk_continue).
 *
 * Nothing here moves a cursor: a follow-up that fails ends the poll through
 * rw_poll_request / rw_poll_fail before anything is ingested, so the next
 * poll reads the same list pages and entries again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poller_internal.h"
#include "replywatch/httpc.h"
#include "replywatch/item.h"
#include "replywatch/log.h"

void
poller_follow_free(struct rw_poll *poll)
{
	for (size_t i = 0; i < poll->nfollows; i++)
		free(poll->follows[i].context);
	free(poll->follows);
	free(poll->follow_token);
	poll->follows = NULL;
	poll->follow_token = NULL;
	poll->nfollows = poll->follow_next = 0;
	poll->follow_pages = 0;
}

static const struct rw_stream *
follow_stream(const struct rw_poll *poll)
{
	return &poll->ps->conn->streams[poll->stream];
}

/* The time at or below which the previous walk saw everything (its
 * watermark less the overlap: by_time streams only), or 0. */
static int64_t
seen_until(const struct rw_poll *poll, const struct rw_stream *s)
{
	if (!s->by_time || poll->watermark == NULL)
		return 0;
	return strtoll(poll->watermark, NULL, 10) - s->overlap_ms;
}

/* True when an entry (or a follow-up page) changed at at_ms was read by an
 * earlier walk, or is older than the backfill cutoff. */
static bool
already_seen(const struct rw_poll *poll, const struct rw_stream *s, int64_t at_ms)
{
	int64_t seen = seen_until(poll, s);

	if (at_ms <= 0)
		return false;
	if (seen > 0 && at_ms <= seen)
		return true;
	return poll->from_ms > 0 && at_ms < poll->from_ms;
}

/* The current stream's fan-out (poll->follows is only filled when it has one). */
static const struct rw_follow *
follow_of(const struct rw_poll *poll)
{
	const struct rw_stream_extra *x = poller_stream_extra(poll);

	return x ? x->follow : NULL;
}

static const char *const *
headers_of(const struct rw_poll *poll)
{
	const struct rw_stream_extra *x = poller_stream_extra(poll);

	return x ? x->headers : NULL;
}

int
poller_follow_take(struct rw_poll *poll, struct rw_page *page)
{
	const struct rw_stream *s = follow_stream(poll);
	struct rw_page_follow *kept;
	size_t n = 0;

	poller_follow_free(poll);
	if (follow_of(poll) == NULL || page->nfollows == 0)
		return 0;
	kept = calloc(page->nfollows, sizeof(*kept));
	if (kept == NULL)
		return -1;
	for (size_t i = 0; i < page->nfollows; i++) {
		if (already_seen(poll, s, page->follows[i].at_ms))
			continue;
		kept[n] = page->follows[i];
		page->follows[i].context = NULL; /* taken */
		n++;
	}
	poll->follows = kept;
	poll->nfollows = n;
	return 0;
}

static void follow_answer(struct rw_poll *poll, const struct rw_httpc_response *resp);

static void
follow_request(struct rw_poll *poll)
{
	const struct rw_follow *f = follow_of(poll);
	const int see[] = {(int)f->gone_status, 0};
	char *url = f->url(poll, poll->follows[poll->follow_next].context, poll->follow_token);

	if (url == NULL) {
		poller_end(poll, RW_POLL_CLIENT_ERROR, "out of memory");
		return;
	}
	rw_poll_request(poll, f->endpoint, url, headers_of(poll), NULL, f->gone_status ? see : NULL,
			follow_answer);
	free(url);
}

/* The current entry is read: on to the next one. */
static void
follow_entry_done(struct rw_poll *poll)
{
	free(poll->follow_token);
	poll->follow_token = NULL;
	poll->follow_pages = 0;
	poll->follow_next++;
	poller_follow_next(poll);
}

void
poller_follow_next(struct rw_poll *poll)
{
	if (poll->follow_next < poll->nfollows) {
		follow_request(poll);
		return;
	}
	poller_follow_free(poll);
	poller_walk_continue(poll);
}

/* True when the entry has an older page to read after page. */
static bool
follow_more(const struct rw_poll *poll, const struct rw_stream *s, const struct rw_page *page)
{
	const struct rw_follow *f = follow_of(poll);
	unsigned max = f->max_pages ? f->max_pages : 1;

	if (page->next == NULL || *page->next == '\0' || poll->follow_pages + 1 >= max)
		return false;
	if (page->nentries == 0 || already_seen(poll, s, page->oldest_ms))
		return false;
	if (!rw_cursor_token_ok(page->next)) {
		poller_reject(poll->ps, f->endpoint, "unusable next-page token", NULL);
		return false;
	}
	/* The same token again would read the same page for ever. */
	return poll->follow_token == NULL || strcmp(poll->follow_token, page->next) != 0;
}

static void
follow_answer(struct rw_poll *poll, const struct rw_httpc_response *resp)
{
	const struct rw_stream *s = follow_stream(poll);
	const struct rw_follow *f = follow_of(poll);
	const char *context = poll->follows[poll->follow_next].context;
	struct rw_page page = {0};
	char err[200];

	if (f->gone_status != 0 && resp->status == f->gone_status) {
		log_debug("%s: %s: an entry is gone (HTTP %ld): skipped", poll->ps->name,
			  f->endpoint, resp->status);
		follow_entry_done(poll);
		return;
	}
	if (f->parse(poll, context, poll->follow_token, resp->body, resp->body_len, &page, err,
		     sizeof(err)) == -1) {
		log_warnx("%s: malformed answer from %s (%s): %s", poll->ps->name, f->endpoint,
			  poll->url, err);
		rw_page_clear(&page);
		rw_poll_fail(poll, RW_POLL_MALFORMED, "%s: malformed answer: %s", f->endpoint, err);
		return;
	}
	for (size_t i = 0; i < page.nrejects; i++)
		poller_reject(poll->ps, f->endpoint, page.rejects[i].reason, page.rejects[i].id);
	poller_cap_times(&page, poll->answered_ms);
	if (poll->from_ms > 0)
		poller_drop_before(&page, poll->from_ms);
	if (rw_page_take_items(&poll->items, &page) == -1) {
		rw_page_clear(&page);
		poller_end(poll, RW_POLL_CLIENT_ERROR, "out of memory");
		return;
	}
	if (follow_more(poll, s, &page)) {
		free(poll->follow_token);
		poll->follow_token = page.next;
		page.next = NULL;
		poll->follow_pages++;
		rw_page_clear(&page);
		follow_request(poll);
		return;
	}
	rw_page_clear(&page);
	follow_entry_done(poll);
}
