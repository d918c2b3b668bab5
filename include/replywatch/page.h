/*
 * page: one page of a platform's API answer, turned into normalised items by
 * a connector's pure parser (mastodon.h, x.h, bluesky.h) and handed by the
 * poller to the tracker.
 */
#ifndef REPLYWATCH_PAGE_H
#define REPLYWATCH_PAGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rw_item;

/* An entry the parser had to reject although it was one to keep (no id, a
 * time it cannot read, a field of the wrong type): logged, counted in
 * replywatch_source_items_rejected_total{reason} and shown in /status. */
struct rw_page_reject {
	const char *reason; /* static: one of the RW_REJECT_ phrases below */
	char *id;           /* owned: the entry's id when it had a valid one, else NULL */
};

/* The reasons of rejects: the metric's label values, so a small fixed
 * vocabulary (docs/connectors.md#rejected-entries-and-page-bounds). */
#define RW_REJECT_WRONG_TYPE "wrong type"   /* the entry, or an object it needs, is not one */
#define RW_REJECT_NO_ID "no id"             /* the entry has no id */
#define RW_REJECT_BAD_ID "bad id"           /* an id is not of the platform's format */
#define RW_REJECT_BAD_TIME "bad created_at" /* no readable time */
#define RW_REJECT_BAD_AUTHOR "bad author"   /* no usable author */
#define RW_REJECT_BAD_RATING "bad rating"   /* a review without a rating of 1 to 5 */

/* Most entries (and, for X, includes.users) a page may hold: ten times the
 * largest page the connectors ask for. A longer answer is refused whole as
 * malformed (nothing of it is taken, so the poller asks again from the
 * same cursor and loses nothing); this bounds the work of one page. */
#define RW_PAGE_MAX_ENTRIES 1000

/* An entry of a list that needs a request of its own (a message thread whose
 * messages are read next, an issue's chat): the poller's fan-out
 * (connector.h struct rw_follow) fetches it within the same poll. */
struct rw_page_follow {
	char *context; /* owned: what the stream's follow functions are given (the entry's id) */
	int64_t at_ms; /* the entry's time of change: one the previous walk saw already (at or
			  below its watermark less the stream's overlap, or before the backfill
			  cutoff) is not fetched; 0: always fetched */
};

struct rw_page {
	struct rw_item *items; /* owned: inbound items or brand replies, oldest first */
	size_t nitems;
	size_t nentries; /* entries the answer held, those skipped included */
	/* Watermarks over every entry of the answer (skipped ones too), so the
	 * poller can page and keep its cursor even when nothing was kept: */
	char *newest_id;   /* the platform's newest entry id (or NULL when none) */
	char *oldest_id;   /* the oldest entry id (or NULL) */
	int64_t newest_ms; /* newest entry time (0 when none); see each parser */
	int64_t oldest_ms; /* oldest entry time (0 when none) */
	char *next;        /* the platform's token/cursor for the next (older) page, or NULL */
	struct rw_page_reject *rejects; /* owned: entries rejected, oldest first */
	size_t nrejects;
	struct rw_page_follow *follows; /* owned: entries to fetch one by one (fan-out) */
	size_t nfollows;
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

/* For parsers: counts one entry into the watermarks: its numeric id as
 * rw_page_note_id (NULL: none) and its RFC 3339 time as rw_page_note_time
 * (NULL or unreadable by rw_time_parse: none). Returns 0, or -1 on
 * allocation failure (page unchanged). */
int rw_page_note(struct rw_page *page, const char *id, const char *time);

/* For parsers: records that an entry had to be rejected for reason (a
 * static string; the metric's label, so a small fixed vocabulary) with its
 * id when known (copied; NULL: none). Returns 0, or -1 on allocation
 * failure (page unchanged). */
int rw_page_reject(struct rw_page *page, const char *reason, const char *id);

/* For parsers of a stream with a fan-out: asks for entry context (copied)
 * to be fetched with the stream's follow request, at_ms its time of change
 * (0: unknown). Returns 0, or -1 on allocation failure (page unchanged). */
int rw_page_follow(struct rw_page *page, const char *context, int64_t at_ms);

/* For parsers: what became of one entry of an answer. */
enum rw_page_entry {
	RW_PAGE_SKIPPED,  /* not one of ours (another kind, a repost, the brand's own) */
	RW_PAGE_KEPT,     /* the item is filled in */
	RW_PAGE_REJECTED, /* one of ours that cannot be used: a reason is given */
	RW_PAGE_NOMEM,    /* allocation failed: the whole parse fails */
};

/* For parsers: acts on what one entry gave: appends a RW_PAGE_KEPT *item
 * to page (rw_page_append), records a RW_PAGE_REJECTED one with why and
 * item->id (rw_page_reject: so a parser sets item->id only to a valid id)
 * or clears a RW_PAGE_SKIPPED one, leaving *item zeroed for the next
 * entry. Returns 0, or -1 for RW_PAGE_NOMEM or when an allocation fails
 * (page unchanged, *item left for the caller to clear). */
int rw_page_keep(struct rw_page *page, enum rw_page_entry e, const char *why, struct rw_item *item);

/* For parsers: member key of obj as an id that valid accepts, or NULL with
 * *why set to RW_REJECT_NO_ID (absent, null or "") or RW_REJECT_BAD_ID (any
 * other value: another JSON type, or a string valid refuses). Borrowed. */
const char *rw_page_id(const json_t *obj, const char *key, bool (*valid)(const char *),
		       const char **why);

/* For parsers: an optional id. Returns 0 with *id the member key of obj
 * when valid accepts it, or NULL when it is absent, null or ""; -1 for any
 * other value (*id NULL: reject it as RW_REJECT_BAD_ID). Borrowed. */
int rw_page_opt_id(const json_t *obj, const char *key, bool (*valid)(const char *),
		   const char **id);

/* For parsers: true when s may be kept as a paging token or cursor the
 * platform gave (it is stored in Redis and sent back in a URL): the bytes
 * rw_item_id_valid allows. */
bool rw_page_token_valid(const char *s);

/* For parsers: the earlier of a time an entry claims (claimed, 0: none)
 * and the time the platform itself says it saw the entry (seen, 0: none);
 * 0 when neither is known. A client's fast clock cannot push an item past
 * the moment the platform had it. */
int64_t rw_page_earlier(int64_t claimed, int64_t seen);

/* For parsers: parses body[0..len) (NULL reads as an empty body) as JSON
 * whose top level must be want (JSON_OBJECT or JSON_ARRAY). Returns the
 * document (the caller json_decrefs it), or NULL with err set to
 * "malformed JSON at line L column C: <at most 80 characters of the JSON
 * parser's message>" or "expected a JSON object" ("... array"). err may be
 * NULL when errlen is 0. */
json_t *rw_page_load(const char *body, size_t len, json_type want, char *err, size_t errlen);

/* For parsers of answers that hold secrets: rw_page_load, except that a
 * malformed body is named by line and column only ("malformed JSON at line
 * L column C"), as the JSON parser's message may quote the body. The
 * caller still wipes what it read before the json_decref. */
json_t *rw_page_load_secret(const char *body, size_t len, json_type want, char *err, size_t errlen);

/* For parsers: member key of obj when it is a non-empty string, else NULL
 * (obj may be NULL or not an object). Borrowed from obj. */
const char *rw_page_str(const json_t *obj, const char *key);

/* For parsers: true when a and b are both non-NULL and the same string. */
bool rw_page_same(const char *a, const char *b);

/* For parsers: sets *out to a copy of s (caller frees), or to NULL when s
 * is NULL. Returns 0, or -1 on allocation failure (*out NULL). */
int rw_page_copy(const char *s, char **out);

/* Takes over items[0..n) of src onto the end of dst's items (src->nitems
 * becomes 0). Returns 0, or -1 on allocation failure (both unchanged). */
int rw_page_take_items(struct rw_page *dst, struct rw_page *src);

/* Compares two numeric platform ids kept as strings ("9" < "10"): by length,
 * then bytes. Negative, 0 or positive like strcmp. */
int rw_id_compare(const char *a, const char *b);

#endif
