/*
 * poller_walk.c: one poll — read the cursors, walk the connector's streams
 * page by page (each page must move the walk), ingest, save the cursors.
 *
 * Cursors live in the source's hash "PREFIX{SOURCE}:cur", two or more fields
 * per stream, named by the stream's letter:
 *   Xw  the watermark the last finished walk reached (an id, or ms)
 *   Xt  the next page's token, while a walk is unfinished (else "")
 *   Xo  the previous page's oldest id, likewise (id-paged streams)
 *   Xp  the newest entry seen when that walk began: the next watermark
 *   Xf  the backfill cutoff of a first walk (ms), kept so it stays the same
 *   Xm  id-ordered streams: the newest entry's time (ms) at the last finished
 *       walk, the time watermark a walk falls back to when the platform
 *       refuses the stored id cursor (400/422)
 *   vm, vi  the position (created ms, id) of the last open item re-read by
 *       id (poller_revisit.c), where the next poll's re-reading goes on
 * An id cursor is stored only when the stream's cursor_ok allows it, and a
 * stored one it does not allow is dropped when read.
 * They are written only after everything the poll found is ingested, in one
 * HSET (the cursors script, checking the fencing token: cluster.h), so a
 * crash leaves the previous cursors and the same pages are read again
 * (ingest is idempotent), and a daemon that lost the source meanwhile
 * writes nothing.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poller_internal.h"
#include "replywatch/clock.h"
#include "replywatch/config.h"
#include "replywatch/httpc.h"
#include "replywatch/item.h"
#include "replywatch/keys.h"
#include "replywatch/log.h"
#include "replywatch/mention.h"
#include "replywatch/store.h"
#include "replywatch/tracker.h"
#include "replywatch/utf8.h"

#define REFUSED_MARGIN_MS (5 * 60 * 1000) /* a walk by time starts this before Xm */

static void stream_begin(struct rw_poll *poll);

void
poller_poll_free(struct rw_poll *poll)
{
	if (poll == NULL)
		return;
	json_decref(poll->cursors);
	json_decref(poll->save);
	free(poll->fence);
	free(poll->watermark);
	free(poll->token);
	free(poll->oldest_id);
	free(poll->top);
	free(poll->url);
	rw_page_clear(&poll->items);
	poller_follow_free(poll);
	poller_revisit_free(poll);
	poller_queued_free(poll);
	free(poll);
}

/* The source's cursor hash "B cur" into buf; NULL when it does not fit. */
static const char *
cursors_key(const struct rw_poll *poll, char *buf, size_t len)
{
	return rw_key_name(RW_KEY_CURSORS, rw_store_key_prefix(poll->ps->poller->store),
			   poll->ps->name, NULL, buf, len);
}

const char *
poller_cursor(const struct rw_poll *poll, char letter, char kind)
{
	char field[3] = {letter, kind, '\0'};
	const char *v = json_string_value(json_object_get(poll->cursors, field));

	return v && *v ? v : NULL;
}

void
poller_save(struct rw_poll *poll, char letter, char kind, const char *value)
{
	char field[3] = {letter, kind, '\0'};

	json_object_set_new(poll->save, field, json_string(value ? value : ""));
}

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* --- the end of a poll: ingest, then cursors --------------------------- */

/* Everything is stored: ok, unless a walk made no progress. */
static void
finish(struct rw_poll *poll)
{
	if (poll->failure[0] != '\0')
		poller_end(poll, RW_POLL_NO_PROGRESS, poll->failure);
	else
		poller_end(poll, RW_POLL_OK, NULL);
}

static void
cursors_saved(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct rw_poll *poll = arg;

	(void)st;
	if (reply != NULL && reply->type == REDIS_REPLY_ERROR &&
	    poller_fenced_reply(poll, reply->str)) {
		poller_end(poll, RW_POLL_OK, "fenced");
		return;
	}
	if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
		poller_end(poll, RW_POLL_STORE_ERROR,
			   "redis: cursors not saved (the same pages are read again)");
		return;
	}
	finish(poll);
}

/* Fields one HSET may carry: a walk saves up to seven per stream (w t o p
 * f m d), plus the re-reading position (vm vi). 16 was too few for a
 * connector of more than two streams (Reddit has four): its cursors were
 * silently never saved. */
#define CURSOR_FIELDS_MAX 64

/*
 * The write is the cursors script (daemon/lua/cursors.lua): the fields go in
 * only while the fencing token the poll carries is still the source's
 * (cluster.h), so a daemon that lost the source while its poll was under
 * way (stopped past its lease, cut off) cannot move the new owner's
 * cursors back.
 */
void
poller_save_cursors(struct rw_poll *poll)
{
	struct rw_poller *p = poll->ps->poller;
	const char *argv[2 + 2 * CURSOR_FIELDS_MAX];
	size_t lens[2 + 2 * CURSOR_FIELDS_MAX];
	char base[RW_KEY_SIZE];
	const char *field;
	json_t *value;
	int argc = 0;

	if (p->freeing || json_object_size(poll->save) == 0) {
		finish(poll);
		return;
	}
	if (poller_poll_lost(poll))
		return;
	if (json_object_size(poll->save) > CURSOR_FIELDS_MAX) {
		poller_end(poll, RW_POLL_STORE_ERROR, "too many cursor fields: not saved");
		return;
	}
	if ((argv[argc++] = rw_key_base(rw_store_key_prefix(p->store), poll->ps->name, base,
					sizeof(base))) == NULL) {
		poller_end(poll, RW_POLL_STORE_ERROR, "key name too long: cursors not saved");
		return;
	}
	/* The token the poll began under: an acquire by another daemon since
	 * (even one given back meanwhile) may have moved the cursors. */
	argv[argc++] = poll->fence;
	json_object_foreach(poll->save, field, value)
	{
		argv[argc++] = field;
		argv[argc++] = json_string_value(value);
	}
	for (int i = 0; i < argc; i++)
		lens[i] = strlen(argv[i]);
	if (rw_store_script(p->store, "cursors", 1, argc, argv, lens, cursors_saved, poll) == -1)
		poller_end(poll, RW_POLL_STORE_ERROR, "redis unavailable: cursors not saved");
}

static void
ingested(void *arg, int result, const char *detail)
{
	struct rw_poll *poll = arg;

	if (result != 0) {
		rw_poll_fail(poll, RW_POLL_STORE_ERROR, "redis: items not ingested: %s",
			     detail ? detail : "error");
		return;
	}
	poller_close_gone(poll);
}

/* The poll's items, less those removed on the platform, to the tracker. */
static void
ingest_kept(struct rw_poll *poll)
{
	struct rw_poller *p = poll->ps->poller;
	struct rw_item *items = poll->items.items;
	size_t n = poll->items.nitems;

	if (n == 0) {
		poller_close_gone(poll);
		return;
	}
	poll->items.items = NULL;
	poll->items.nitems = 0;
	if (rw_tracker_ingest(p->tracker, poll->ps->src, items, n, ingested, poll) == -1) {
		for (size_t i = 0; i < n; i++)
			rw_item_clear(&items[i]);
		free(items);
		poller_end(poll, RW_POLL_STORE_ERROR, "out of memory: items not ingested");
	}
}

void
poller_ingest(struct rw_poll *poll)
{
	/* What a poll found after its source was lost is the new owner's to
	 * find again (from the cursors this poll will not write). */
	if (poller_poll_lost(poll))
		return;
	if (poll->items.nitems == 0) {
		poller_close_gone(poll);
		return;
	}
	if (poll->ps->poller->freeing) {
		poller_end(poll, RW_POLL_STORE_ERROR, "shutting down");
		return;
	}
	poller_drop_removed(poll, poll->items.items, &poll->items.nitems, ingest_kept);
}

/* --- walking a stream ---------------------------------------------------- */

static const struct rw_stream *
current_stream(const struct rw_poll *poll)
{
	return &poll->ps->conn->streams[poll->stream];
}

const struct rw_stream_extra *
poller_stream_extra(const struct rw_poll *poll)
{
	const struct rw_connector *c = poll->ps->conn;

	if (c->extras == NULL || poll->stream >= c->nstreams)
		return NULL;
	for (const struct rw_stream_extra *x = c->extras; x->endpoint != NULL; x++)
		if (strcmp(x->endpoint, c->streams[poll->stream].endpoint) == 0)
			return x;
	return NULL;
}

static void
walk_reset(struct rw_poll *poll)
{
	free(poll->watermark);
	free(poll->token);
	free(poll->oldest_id);
	free(poll->top);
	poll->watermark = poll->token = poll->oldest_id = poll->top = NULL;
	poll->top_ms = 0;
	poll->ntokens_seen = 0;
}

static void
next_stream(struct rw_poll *poll)
{
	walk_reset(poll);
	poll->cursor_dropped = false;
	poll->stream++;
	stream_begin(poll);
}

static void page_answer(struct rw_poll *poll, const struct rw_httpc_response *resp);

static void
request_page(struct rw_poll *poll)
{
	static const int see[] = {400, 422, 0}; /* maybe a refused cursor */
	const struct rw_stream *s = current_stream(poll);
	struct rw_walk walk = {
		.watermark = poll->watermark,
		.token = poll->token,
		.from_ms = poll->from_ms,
		.oldest_id = poll->oldest_id,
	};
	char *url = s->page_url(poll, &walk);

	if (url == NULL) {
		poller_end(poll, RW_POLL_CLIENT_ERROR, "out of memory");
		return;
	}
	const struct rw_stream_extra *x = poller_stream_extra(poll);

	rw_poll_request(poll, s->endpoint, url, x ? x->headers : NULL,
			poll->ps->conn->page_body ? poll->ps->conn->page_body(poll) : NULL, see,
			page_answer);
	free(url);
}

/* 64-bit FNV-1a over the strings given, NUL-separated; a NULL ends them. */
static uint64_t
hash_strings(const char *first, ...)
{
	uint64_t h = 14695981039346656037ULL;
	va_list ap;

	va_start(ap, first);
	for (const char *s = first; s != NULL; s = va_arg(ap, const char *)) {
		for (; *s; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;
	}
	va_end(ap);
	return h;
}

/* Counts one rejected entry under reason ("other" once the table is full). */
static void
count_reject(struct poll_source *ps, const char *reason)
{
	size_t i;

	for (i = 0; i < ps->nreasons; i++)
		if (strcmp(ps->rejected[i].reason, reason) == 0)
			break;
	if (i == ps->nreasons) {
		if (ps->nreasons == POLL_REJECT_REASONS) {
			i = POLL_REJECT_REASONS - 1;
			snprintf(ps->rejected[i].reason, sizeof(ps->rejected[i].reason), "other");
		} else {
			rw_utf8_clean(ps->rejected[i].reason, sizeof(ps->rejected[i].reason),
				      reason, strlen(reason));
			ps->nreasons++;
		}
	}
	ps->rejected[i].n++;
}

/*
 * An entry of endpoint that cannot be used: logged at warning and counted,
 * once — a page read again (every poll, until the walk moves past it) is
 * remembered by the last POLL_REJECT_MEMORY rejects logged.
 */
void
poller_reject(struct poll_source *ps, const char *endpoint, const char *reason, const char *id)
{
	uint64_t h = hash_strings(endpoint, reason, id ? id : "", NULL);
	char clean[80];

	for (size_t i = 0; i < POLL_REJECT_MEMORY; i++)
		if (ps->reject_seen[i] == h)
			return;
	ps->reject_seen[ps->reject_next] = h;
	ps->reject_next = (ps->reject_next + 1) % POLL_REJECT_MEMORY;
	count_reject(ps, reason);
	if (id != NULL) {
		rw_utf8_clean(clean, sizeof(clean), id, strlen(id));
		log_warnx("%s: %s: entry %s rejected: %s", ps->name, endpoint, clean, reason);
	} else {
		log_warnx("%s: %s: entry rejected: %s", ps->name, endpoint, reason);
	}
}

/* No item is dated later than the answer that brought it: a poster's clock
 * (or a platform's) running fast would otherwise delay the warning and the
 * breach, and record a real answer as given in 0 s. */
void
poller_cap_times(struct rw_page *page, int64_t answered_ms)
{
	for (size_t i = 0; i < page->nitems; i++)
		if (answered_ms > 0 && page->items[i].created_at_ms > answered_ms)
			page->items[i].created_at_ms = answered_ms;
}

/* Drops the items of page older than the backfill cutoff. */
void
poller_drop_before(struct rw_page *page, int64_t from_ms)
{
	size_t kept = 0;

	for (size_t i = 0; i < page->nitems; i++) {
		if (page->items[i].created_at_ms < from_ms)
			rw_item_clear(&page->items[i]);
		else
			page->items[kept++] = page->items[i];
	}
	page->nitems = kept;
}

/* True when page is the last one this walk needs. */
static bool
walk_ends(const struct rw_poll *poll, const struct rw_stream *s, const struct rw_page *page)
{
	const struct rw_stream_extra *x = poller_stream_extra(poll);
	bool full = x != NULL && x->full_walk; /* not ordered by the watermark's time */

	if (page->nentries == 0)
		return true;
	if (s->token_paging ? page->next == NULL || *page->next == '\0' : page->oldest_id == NULL)
		return true;
	if (s->by_time && poll->watermark != NULL && !full &&
	    page->oldest_ms <= strtoll(poll->watermark, NULL, 10) - s->overlap_ms)
		return true; /* reached what the last walk saw (less the overlap) */
	if (!s->by_time && poll->watermark != NULL && page->oldest_id != NULL &&
	    rw_id_compare(page->oldest_id, poll->watermark) <= 0)
		return true; /* likewise (a platform that ignores since_id stops here) */
	if (!full && poll->from_ms > 0 && page->oldest_ms > 0 && page->oldest_ms < poll->from_ms)
		return true; /* reached the backfill cutoff */
	return false;
}

/*
 * Why the walk would not move if it went on from page, or NULL when it
 * would: every next page must be asked for with something new — a token
 * this walk has not sent yet, an oldest id below the previous page's.
 */
static const char *
no_progress(const struct rw_poll *poll, const struct rw_stream *s, const struct rw_page *page)
{
	if (s->token_paging) {
		uint64_t h;

		if (!rw_cursor_token_ok(page->next))
			return "an unusable next-page token";
		h = hash_strings(page->next, NULL);
		for (size_t i = 0; i < poll->ntokens_seen; i++)
			if (poll->tokens_seen[i] == h)
				return "the same next-page token again";
	} else if (!s->cursor_ok(page->oldest_id)) {
		return "an oldest id that is not a valid cursor";
	}
	if (!s->by_time && poll->oldest_id != NULL && page->oldest_id != NULL &&
	    rw_id_compare(page->oldest_id, poll->oldest_id) >= 0)
		return "a page that does not go back (max_id/until ignored)";
	return NULL;
}

/* A walk without progress: what it found is kept, its unfinished cursors are
 * dropped (the next walk starts again from the watermark), the poll ends
 * as no_progress once the other streams are walked. */
static void
walk_stuck(struct rw_poll *poll, const struct rw_stream *s, const char *why)
{
	log_warnx("%s: %s: the walk made no progress (%s); retried with backoff", poll->ps->name,
		  s->endpoint, why);
	if (poll->failure[0] == '\0')
		snprintf(poll->failure, sizeof(poll->failure), "%s: no progress: %s", s->endpoint,
			 why);
	poller_save(poll, s->field, 't', NULL);
	poller_save(poll, s->field, 'o', NULL);
	poller_save(poll, s->field, 'p', NULL);
	poller_save(poll, s->field, 'f', NULL);
	next_stream(poll);
}

/* The cutoff of a walk without a watermark: the time watermark (less a
 * margin for late-indexed entries) when one was kept, else the backfill. */
static int64_t
time_watermark(const struct rw_poll *poll, const struct rw_stream *s)
{
	int64_t now = rw_now_ms();
	int64_t cutoff = poll_backfill_cutoff(now, poll->ps->poller->cfg->retention.backfill);
	const char *m = poller_cursor(poll, s->field, 'm');

	if (m != NULL && rw_cursor_digits(m, 16)) {
		int64_t ms = strtoll(m, NULL, 10) - REFUSED_MARGIN_MS;

		if (ms > cutoff)
			cutoff = ms < now ? ms : now;
	}
	return cutoff;
}

/* A 400/422 to a page request: a stored cursor the platform refuses is
 * dropped once and the walk starts again by time; anything else fails. */
static void
page_refused(struct rw_poll *poll, const struct rw_httpc_response *resp)
{
	const struct rw_stream *s = current_stream(poll);
	char detail[POLL_DETAIL_MAX + 1];
	bool had = poll->watermark != NULL || poll->token != NULL || poll->oldest_id != NULL;

	poller_error_detail(resp, detail, sizeof(detail));
	if (!had || poll->cursor_dropped) {
		rw_poll_fail(poll, RW_POLL_CLIENT_ERROR, "%s: HTTP %ld%s%s", s->endpoint,
			     resp->status, detail[0] ? ": " : "", detail);
		return;
	}
	log_warnx("%s: %s refused the stored cursor (HTTP %ld%s%s); dropped, walking from the "
		  "time watermark",
		  poll->ps->name, s->endpoint, resp->status, detail[0] ? ": " : "", detail);
	walk_reset(poll);
	poll->cursor_dropped = true;
	poll->from_ms = time_watermark(poll, s);
	poller_save(poll, s->field, 'w', NULL);
	request_page(poll);
}

/* The walk's top: the newest entry of its first page, when a valid cursor. */
static void
note_top(struct rw_poll *poll, const struct rw_stream *s, const struct rw_page *page)
{
	char ms[24];

	if (poll->top != NULL || page->nentries == 0)
		return;
	if (s->by_time) {
		snprintf(ms, sizeof(ms), "%" PRId64, page->newest_ms);
		poll->top = page->newest_ms > 0 ? strdup(ms) : NULL;
		return;
	}
	if (page->newest_id == NULL)
		return;
	if (!s->cursor_ok(page->newest_id)) {
		poller_reject(poll->ps, s->endpoint, "id not a valid cursor", page->newest_id);
		return;
	}
	poll->top = strdup(page->newest_id);
	poll->top_ms = page->newest_ms;
}

/* The walk reached its end: the next one stops where this one began. */
static void
walk_done(struct rw_poll *poll, const struct rw_stream *s)
{
	char ms[24];

	poller_save(poll, s->field, 'w', poll->top ? poll->top : poll->watermark);
	poller_save(poll, s->field, 't', NULL);
	poller_save(poll, s->field, 'o', NULL);
	poller_save(poll, s->field, 'p', NULL);
	poller_save(poll, s->field, 'f', NULL);
	if (!s->by_time && poll->top != NULL && poll->top_ms > 0) {
		snprintf(ms, sizeof(ms), "%" PRId64, poll->top_ms);
		poller_save(poll, s->field, 'm', ms);
	}
	if (poll->ps->conn->list_window_ms > 0) {
		snprintf(ms, sizeof(ms), "%" PRId64, rw_now_ms());
		poller_save(poll, s->field, 'd', ms);
		if (poll->ps->warning[0] != '\0') {
			/* Caught up: what the gap may have missed stays in the log. */
			log_info("%s: %s: caught up; the warning is cleared", poll->ps->name,
				 s->endpoint);
			poll->ps->warning[0] = '\0';
		}
	}
	next_stream(poll);
}

/* Enough pages for one poll: the next one goes on from here, at once. */
static void
walk_pause(struct rw_poll *poll, const struct rw_stream *s)
{
	char ms[24];

	snprintf(ms, sizeof(ms), "%" PRId64, poll->from_ms);
	poller_save(poll, s->field, 't', poll->token);
	poller_save(poll, s->field, 'o', poll->oldest_id);
	poller_save(poll, s->field, 'p', poll->top);
	poller_save(poll, s->field, 'f', poll->from_ms ? ms : NULL);
	poll->more = true;
	next_stream(poll);
}

/* Takes page's next position as the walk's. */
static void
walk_advance(struct rw_poll *poll, const struct rw_stream *s, const struct rw_page *page)
{
	free(poll->token);
	free(poll->oldest_id);
	poll->token = dup_or_null(page->next);
	poll->oldest_id = s->cursor_ok(page->oldest_id) ? dup_or_null(page->oldest_id) : NULL;
	if (poll->token != NULL && poll->ntokens_seen < RW_POLLER_MAX_PAGES + 1)
		poll->tokens_seen[poll->ntokens_seen++] = hash_strings(poll->token, NULL);
}

/* Page-number paging: the next page's number when page was a full one,
 * else none (the list ended). Returns 0, or -1 on allocation failure. */
static int
number_pages(const struct rw_poll *poll, const struct rw_stream *s, struct rw_page *page)
{
	long long n = poll->token ? strtoll(poll->token, NULL, 10) : 1;
	char next[24];

	free(page->next);
	page->next = NULL;
	if (page->nentries < s->per_page || n < 1 || n >= RW_POLLER_MAX_PAGES * POLL_MORE_MAX * 10)
		return 0;
	snprintf(next, sizeof(next), "%lld", n + 1);
	return (page->next = strdup(next)) == NULL ? -1 : 0;
}

static void
page_answer(struct rw_poll *poll, const struct rw_httpc_response *resp)
{
	const struct rw_stream *s = current_stream(poll);
	struct rw_page page = {0};
	const char *why = NULL;
	char err[200];
	bool ends;

	if (resp->status == 400 || resp->status == 422) {
		page_refused(poll, resp);
		return;
	}
	if (s->parse(poll, resp->body, resp->body_len, &page, err, sizeof(err)) == -1) {
		log_warnx("%s: malformed answer from %s (%s): %s", poll->ps->name, s->endpoint,
			  poll->url, err);
		rw_page_clear(&page);
		rw_poll_fail(poll, RW_POLL_MALFORMED, "%s: malformed answer: %s", s->endpoint, err);
		return;
	}
	if (s->per_page > 0 && number_pages(poll, s, &page) == -1) {
		rw_page_clear(&page);
		poller_end(poll, RW_POLL_CLIENT_ERROR, "out of memory");
		return;
	}
	for (size_t i = 0; i < page.nrejects; i++)
		poller_reject(poll->ps, s->endpoint, page.rejects[i].reason, page.rejects[i].id);
	poller_cap_times(&page, poll->answered_ms);
	note_top(poll, s, &page);
	if (poll->from_ms > 0)
		poller_drop_before(&page, poll->from_ms);
	if (rw_page_take_items(&poll->items, &page) == -1) {
		rw_page_clear(&page);
		poller_end(poll, RW_POLL_CLIENT_ERROR, "out of memory");
		return;
	}
	ends = walk_ends(poll, s, &page);
	if (!ends && (why = no_progress(poll, s, &page)) == NULL)
		walk_advance(poll, s, &page);
	poll->then_why = why;
	if (ends)
		poll->then = POLL_THEN_DONE;
	else if (why != NULL)
		poll->then = POLL_THEN_STUCK;
	else if (++poll->pages >= RW_POLLER_MAX_PAGES)
		poll->then = POLL_THEN_PAUSE;
	else
		poll->then = POLL_THEN_NEXT_PAGE;
	if (poller_follow_take(poll, &page) == -1) {
		rw_page_clear(&page);
		poller_end(poll, RW_POLL_CLIENT_ERROR, "out of memory");
		return;
	}
	rw_page_clear(&page);
	poller_follow_next(poll);
}

void
poller_walk_continue(struct rw_poll *poll)
{
	const struct rw_stream *s = current_stream(poll);

	switch (poll->then) {
	case POLL_THEN_DONE:
		walk_done(poll, s);
		break;
	case POLL_THEN_STUCK:
		walk_stuck(poll, s, poll->then_why);
		break;
	case POLL_THEN_PAUSE:
		walk_pause(poll, s);
		break;
	case POLL_THEN_NEXT_PAGE:
		request_page(poll);
		break;
	}
}

/* A stored cursor field, when its rule allows it (else dropped, said once). */
static char *
stored(struct rw_poll *poll, const struct rw_stream *s, char kind)
{
	const char *v = poller_cursor(poll, s->field, kind);
	bool ok = kind == 't' ? rw_cursor_token_ok(v) : s->cursor_ok(v);

	if (v == NULL)
		return NULL;
	if (!ok) {
		poller_reject(poll->ps, s->endpoint, "stored cursor not valid: dropped", NULL);
		return NULL;
	}
	return strdup(v);
}

static void
stream_begin(struct rw_poll *poll)
{
	const struct rw_stream *s;
	const char *f;

	if (poll->stream >= poll->ps->conn->nstreams) {
		poller_revisit(poll);
		return;
	}
	s = current_stream(poll);
	if (poll->ps->conn->stream_enabled != NULL &&
	    !poll->ps->conn->stream_enabled(poll, poll->stream)) {
		next_stream(poll);
		return;
	}
	poll->pages = 0;
	poll->watermark = stored(poll, s, 'w');
	poll->token = stored(poll, s, 't');
	poll->oldest_id = stored(poll, s, 'o');
	if (poll->token != NULL || poll->oldest_id != NULL) {
		/* An unfinished walk: go on with it. */
		poll->top = stored(poll, s, 'p');
		f = poller_cursor(poll, s->field, 'f');
		poll->from_ms = f && rw_cursor_digits(f, 16) ? strtoll(f, NULL, 10) : 0;
		if (poll->token != NULL)
			poll->tokens_seen[poll->ntokens_seen++] = hash_strings(poll->token, NULL);
	} else {
		poll->from_ms = poll->watermark ? 0 : time_watermark(poll, s);
	}
	request_page(poll);
}

void
poller_walk_streams(struct rw_poll *poll)
{
	poll->stream = 0;
	stream_begin(poll);
}

void
rw_poll_walk(struct rw_poll *poll)
{
	poller_queued(poll);
}

/* --- the start of a poll ------------------------------------------------- */

/* A stream of a platform that lists only what changed recently, whose last
 * finished walk is older than that window: items may have been missed.
 * Checked before the connector starts, so a source down for a week says it
 * too; the warning stays in /status until a walk of the stream completes
 * again (the log line keeps the record of the gap). */
static void
check_list_windows(struct rw_poll *poll)
{
	struct poll_source *ps = poll->ps;
	int64_t now = rw_now_ms(), window = ps->conn->list_window_ms;

	for (size_t i = 0; i < ps->conn->nstreams; i++) {
		const struct rw_stream *s = &ps->conn->streams[i];
		const char *d = poller_cursor(poll, s->field, 'd');
		char at[40], msg[POLL_ERROR_MAX];
		int64_t last;

		if (!poll_list_window_passed(d, now, window))
			continue;
		last = strtoll(d, NULL, 10);
		snprintf(msg, sizeof(msg),
			 "%s: last complete walk %s, over %" PRId64 " days ago: items older than "
			 "%" PRId64 " days can no longer be read: some may be missed",
			 s->endpoint, rw_time_format(last, at, sizeof(at)), window / 86400000,
			 window / 86400000);
		if (strcmp(ps->warning, msg) != 0) {
			log_warnx("%s: %s", ps->name, msg);
			snprintf(ps->warning, sizeof(ps->warning), "%s", msg);
		}
	}
}

static void
cursors_read(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct rw_poll *poll = arg;

	(void)st;
	if (poll->ps->retired || poll->ps->poller->freeing) {
		poller_end(poll, RW_POLL_STORE_ERROR, "abandoned");
		return;
	}
	if (reply == NULL || reply->type != REDIS_REPLY_ARRAY) {
		poller_end(poll, RW_POLL_STORE_ERROR, "redis: cursors not read");
		return;
	}
	if (poller_poll_lost(poll))
		return;
	for (size_t i = 0; i + 1 < reply->elements; i += 2) {
		const redisReply *k = reply->element[i], *v = reply->element[i + 1];

		if (k->type == REDIS_REPLY_STRING && v->type == REDIS_REPLY_STRING)
			json_object_set_new(poll->cursors, k->str, json_stringn(v->str, v->len));
	}
	const char *down = json_string_value(json_object_get(poll->cursors, "down"));

	/* Down before a restart (or for another daemon): its recovery is news too. */
	poll->was_down = poll->ps->run.down || (down != NULL && strcmp(down, "1") == 0);
	check_list_windows(poll);
	poll->ps->conn->start(poll);
}

void
poller_begin(struct poll_source *ps)
{
	struct rw_poll *poll = calloc(1, sizeof(*poll));
	char key[RW_KEY_SIZE];
	const char *argv[2], *fence;
	size_t lens[2];

	if (poll == NULL || (poll->cursors = json_object()) == NULL ||
	    (poll->save = json_object()) == NULL) {
		if (poll != NULL) {
			json_decref(poll->cursors);
			free(poll);
		}
		log_err("%s: out of memory: poll skipped", ps->name);
		return;
	}
	poll->ps = ps;
	poll->started_ms = rw_now_ms();
	ps->poll = poll;
	if ((fence = poller_fence(ps)) == NULL || (poll->fence = strdup(fence)) == NULL) {
		poller_end(poll, RW_POLL_STORE_ERROR, fence ? "out of memory" : "not owned");
		return;
	}
	argv[0] = "HGETALL";
	if ((argv[1] = cursors_key(poll, key, sizeof(key))) == NULL) {
		poller_end(poll, RW_POLL_STORE_ERROR, "key name too long");
		return;
	}
	lens[0] = strlen(argv[0]);
	lens[1] = strlen(argv[1]);
	poller_budget_load(poll);
	if (rw_store_command(ps->poller->store, 2, argv, lens, cursors_read, poll) == -1)
		poller_end(poll, RW_POLL_STORE_ERROR, "redis unavailable");
}
