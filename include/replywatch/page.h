/*
 * page: one page of a platform's API answer, turned into normalised items by
 * a connector's pure parser (mastodon.h, x.h, bluesky.h) and handed by the
 * poller to the tracker.
 */
#ifndef REPLYWATCH_PAGE_H
#define REPLYWATCH_PAGE_H

#include <stddef.h>
#include <stdint.h>

struct rw_item;

struct rw_page {
	struct rw_item *items; /* owned: inbound items or brand replies, oldest first */
	size_t nitems;
	size_t nentries;       /* entries the answer held, those skipped included */
	/* Watermarks over every entry of the answer (skipped ones too), so the
	 * poller can page and keep its cursor even when nothing was kept: */
	char *newest_id;       /* the platform's newest entry id (or NULL when none) */
	char *oldest_id;       /* the oldest entry id (or NULL) */
	int64_t newest_ms;     /* newest entry time (0 when none); see each parser */
	int64_t oldest_ms;     /* oldest entry time (0 when none) */
	char *next;            /* the platform's token/cursor for the next (older) page, or NULL */
};

/*
 * The parsers (mastodon.h, x.h, bluesky.h) overwrite the page they are given
 * (zeroing it first, so it must not own anything yet) and leave it zeroed
 * when they fail.
 */

/* Frees everything page owns (items included) and zeroes it. Accepts a
 * zeroed page. */
void rw_page_clear(struct rw_page *page);

/* For parsers: appends *item to page's items, taking over its strings
 * (*item is zeroed). Returns 0, or -1 on allocation failure (both
 * unchanged). */
int rw_page_append(struct rw_page *page, struct rw_item *item);

/* For parsers: counts the numeric id (rw_id_compare) of one entry into
 * newest_id/oldest_id. Returns 0, or -1 on allocation failure (page
 * unchanged). */
int rw_page_note_id(struct rw_page *page, const char *id);

/* For parsers: counts the time of one entry into newest_ms/oldest_ms. */
void rw_page_note_time(struct rw_page *page, int64_t ms);

/* Takes over items[0..n) of src onto the end of dst's items (src->nitems
 * becomes 0). Returns 0, or -1 on allocation failure (both unchanged). */
int rw_page_take_items(struct rw_page *dst, struct rw_page *src);

/* Compares two numeric platform ids kept as strings ("9" < "10"): by length,
 * then bytes. Negative, 0 or positive like strcmp. */
int rw_id_compare(const char *a, const char *b);

#endif
