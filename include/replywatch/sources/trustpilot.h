/*
 * trustpilot: pure parsers for the answers of Trustpilot's public Business
 * Units API the Trustpilot connector reads (no I/O). The poller
 * (sources/trustpilot.c) does the requests.
 */
#ifndef REPLYWATCH_TRUSTPILOT_H
#define REPLYWATCH_TRUSTPILOT_H

#include <stdbool.h>
#include <stddef.h>

struct rw_page;

/* Trustpilot ids (reviews, business units, consumers) are 24 hexadecimal
 * digits (a MongoDB ObjectId). Every id is checked before it becomes part
 * of a Redis key or a URL. */
#define RW_TRUSTPILOT_ID_LEN 24
bool rw_trustpilot_id_valid(const char *id);

/*
 * GET /v1/business-units/{id}/reviews ({"reviews":[...]}, newest first):
 * each review becomes an item of kind review: id, rating = stars (1-5;
 * another value leaves the rating out), author = consumer.displayName (or
 * RW_REVIEW_ANONYMOUS, sources/review.h; cleaned and cut as
 * rw_review_author), text = title + "\n\n" + text (either alone
 * when the other is missing), url https://www.trustpilot.com/reviews/ID,
 * created_at = createdAt (offsets taken). A review whose companyReply is an
 * object also yields the brand reply: id ID/reply (a company reply has
 * no id of its own; RW_REVIEW_REPLY_SUFFIX), in_reply_to ID, from
 * the brand, created_at = companyReply.createdAt, text companyReply.text.
 * Rejects (page->rejects): an entry that is no object or whose consumer or
 * companyReply is neither an object nor null ("wrong type"), no id ("no
 * id"), an id that is not 24 hex digits ("bad id"), an unreadable
 * createdAt or companyReply.createdAt ("bad created_at"). newest_ms and
 * oldest_ms are the entries' createdAt; page->next is left NULL (the
 * connector pages by number). A list of more than RW_PAGE_MAX_ENTRIES is
 * refused whole. Returns 0, or -1 with err when body is not such an answer.
 */
int rw_trustpilot_parse_reviews(const char *body, size_t len, struct rw_page *page, char *err,
				size_t errlen);

/*
 * GET /v1/reviews/{id}: one review object, read again by id to learn
 * whether it has been answered. Appends only the brand reply when
 * companyReply is an object (as above); an unanswered review adds nothing.
 * A review whose id is not id is refused (-1: "review: another id"), as
 * is a body that is no review object.
 */
int rw_trustpilot_parse_review(const char *body, size_t len, const char *id, struct rw_page *page,
			       char *err, size_t errlen);

#endif
