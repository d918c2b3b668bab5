/*
 * rwtparse: helpers for the unit tests of the pure page parsers
 * (mastodon.h, x.h, bluesky.h): recorded answers read from files, inline
 * bodies written with ' for " (rwt_json_quotes), and the checks every
 * failed parse must pass.
 *
 * Every helper fails the current Criterion test (cr_assert) when it cannot
 * do its job or its check does not hold.
 */
#ifndef RWTPARSE_H
#define RWTPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rw_item;
struct rw_page;

/* A page parser such as rw_mastodon_parse_notifications or rw_x_parse_mentions. */
typedef int rwt_page_parser(const char *body, size_t len, const char *brand, struct rw_page *page,
			    char *err, size_t errlen);

/* The whole of the file at path, NUL-terminated (caller frees); its length
 * (without the NUL) in *len. */
char *rwt_slurp(const char *path, size_t *len);

/* Parses the file at path as brand's answer into *page (the caller clears
 * it), expecting success. */
void rwt_parse_file(rwt_page_parser *fn, const char *path, const char *brand, struct rw_page *page);

/* Parses body (' for ") as brand's answer into *page (the caller clears
 * it), expecting success. */
void rwt_parse_ok(rwt_page_parser *fn, const char *body, const char *brand, struct rw_page *page);

/* Parses len bytes of body (may be NULL) as brand's answer into a page
 * filled with garbage, expecting failure: -1, the message want (or, when
 * prefix, a message that starts with want) shorter than maxlen, and the
 * page left zeroed. */
void rwt_parse_fails(rwt_page_parser *fn, const char *body, size_t len, const char *brand,
		     const char *want, bool prefix, size_t maxlen);

/* Parses a large body (NUL-terminated) as brand's answer, expecting it
 * refused with exactly want and the page left zeroed, rejects included; a
 * failure names the body's length only (Criterion cannot carry megabytes
 * of message). */
void rwt_parse_refused(rwt_page_parser *fn, const char *body, const char *brand, const char *want);

/* A new string (caller frees): head, then n copies of entry separated by
 * commas, then tail; for pages of RW_PAGE_MAX_ENTRIES and more. */
char *rwt_repeat(const char *head, const char *entry, size_t n, const char *tail);

/* Checks reject i of page: its reason, and its id (NULL: none). */
void rwt_expect_reject(const struct rw_page *page, size_t i, const char *reason, const char *id);

/* Checks that it is a review item (kind review, not from the brand, its
 * own conversation) with these values; text NULL: no text. The url is the
 * caller's to check (platforms differ). */
void rwt_expect_review(const struct rw_item *it, const char *id, int64_t ms, const char *author,
		       int rating, const char *text);

/* Checks that it is the brand's answer on review id: id "ID/reply", from
 * the brand, in reply to and in the conversation of id, at ms, no rating. */
void rwt_expect_reply(const struct rw_item *it, const char *id, int64_t ms, const char *text);

#endif
