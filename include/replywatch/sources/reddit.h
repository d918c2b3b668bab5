/*
 * reddit: pure parsers for Reddit's OAuth API (no I/O). The poller
 * (sources/reddit.c) does the requests.
 *
 * Answers are Listings, {"kind": "Listing", "data": {"children": [Thing,
 * ...], "after": FULLNAME|null}}, newest first; a Thing is {"kind": "t1",
 * "data": {...}} for a comment. Ids are fullnames ("t1_da2g9oh": the
 * kind, "_", the base-36 id). Times are created_utc, epoch seconds as a
 * float ("created" is in another zone: never used).
 */
#ifndef REPLYWATCH_REDDIT_H
#define REPLYWATCH_REDDIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replywatch/ratelimit.h"

struct rw_page;

/* Links are this + a permalink or a context path. */
#define RW_REDDIT_WEB "https://www.reddit.com"

/* A fullname: "t1_" to "t6_" then 1 to 13 base-36 digits (lowercase). */
#define RW_REDDIT_FULLNAME_MAX 16
bool rw_reddit_fullname_valid(const char *s);
/* A comment's fullname ("t1_..."): the ids of the items and cursors. */
bool rw_reddit_comment_valid(const char *s);
/* A username as Reddit allows them: 3 to 20 of A-Z a-z 0-9 _ - (it goes
 * into a path and the User-Agent). */
bool rw_reddit_username_valid(const char *s);

/* created_utc (a JSON number of seconds, or a string of one) in ms,
 * rounded to the ms; -1 when it is not a positive number before 9999. */
int rw_reddit_time(const json_t *value, int64_t *ms);

/*
 * GET /message/mentions, /message/comments, /message/selfreply: keeps the
 * "t1" comments (was_comment not false) of authors other than brand
 * (a username, compared without regard to case) as items of kind (a
 * RW_KIND_ bit: mention for mentions, comment for replies): id = name,
 * created_at = created_utc, author, text = body, conversation_id =
 * link_id, or "t3_" + the post id of context ("/r/S/comments/POST/..."),
 * url = RW_REDDIT_WEB + context (else permalink). Private messages (t4) and
 * the brand's own comments are skipped; a t1 without a valid name ("no
 * id", "bad id"), created_utc ("bad created_at") or author ("bad author"),
 * or not an object ("wrong type"), is rejected. Every t1 with a valid name
 * counts towards newest_id/oldest_id (fullnames of one kind order as
 * numbers: rw_id_compare), every readable created_utc towards the times;
 * next = data.after. Anything but a Listing object (an error answer
 * {"message", "error"}), children that are not an array, more than
 * RW_PAGE_MAX_ENTRIES of them, or an after that is not a fullname, is an
 * error: -1 with err, nothing taken.
 */
int rw_reddit_parse_inbox(const char *body, size_t len, const char *brand, unsigned kind,
			  struct rw_page *page, char *err, size_t errlen);

/*
 * GET /user/BRAND/comments?sort=new: the brand's comments as brand replies:
 * id = name, in_reply_to = parent_id (a fullname, "t1_" or "t3_"; else
 * rejected "bad id"), conversation_id = link_id, created_at = created_utc,
 * author = brand, text = body, url = RW_REDDIT_WEB + permalink. Comments of
 * another author are skipped. Watermarks, next and errors as above.
 */
int rw_reddit_parse_comments(const char *body, size_t len, const char *brand, struct rw_page *page,
			     char *err, size_t errlen);

/*
 * The rate-limit headers (rw_platform.ratelimit_read): X-Ratelimit-Remaining
 * (a float string, "598.0": rounded down), X-Ratelimit-Used (a count) and
 * X-Ratelimit-Reset (seconds FROM NOW, not a time): remaining, limit = used
 * + remaining when both are given, reset_at = now + reset. Fills only what
 * it finds.
 */
void rw_reddit_ratelimit_read(rw_header_lookup_fn *lookup, void *arg, int64_t now_ms,
			      struct rw_ratelimit *out);
/* One X-Ratelimit-Remaining value: a decimal number without sign,
 * fraction optional, blanks around allowed, rounded down. 0 or -1. */
int rw_reddit_count(const char *s, long *out);

#endif
