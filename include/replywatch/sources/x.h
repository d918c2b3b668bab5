/*
 * x: pure parsers for the X API v2 (no I/O). The poller (sources/x.c) does
 * the requests.
 *
 * Both the classic names (tweet.fields, referenced_tweets,
 * edit_history_tweet_ids) and the renamed ones of newer specs (post.fields,
 * referenced_posts, edit_history_post_ids) are accepted.
 */
#ifndef REPLYWATCH_X_H
#define REPLYWATCH_X_H

#include <stdbool.h>
#include <stddef.h>

struct rw_page;

/* Query parameters the mentions and tweets requests need. */
#define RW_X_TWEET_FIELDS                                                                          \
	"created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets"
#define RW_X_USER_FIELDS "username,public_metrics"
#define RW_X_EXPANSIONS "author_id"

/* X ids (posts, users, conversations) are 1 to 19 decimal digits. */
#define RW_X_ID_MAX 19
bool rw_x_id_valid(const char *id);

/*
 * GET /2/users/ID/mentions: keeps posts not authored by brand_user_id:
 * id, created_at, author = the includes.users username (else author_id),
 * followers = public_metrics.followers_count of that user, text,
 * conversation_id, url https://x.com/USERNAME/status/ID (i/web/status/ID
 * without a username), kind = comment when in_reply_to_user_id is the brand,
 * else mention. newest_id/oldest_id come from meta (else the data ids),
 * next = meta.next_token, newest_ms/oldest_ms from created_at.
 * An answer with "errors" and neither "data" nor "meta" is an error (-1,
 * err names the first error's title/detail), and so is any other object
 * without them; errors beside data are ignored (deleted referenced posts).
 * {"meta":{"result_count":0}} is an empty page. The brand's own posts are
 * skipped; posts that cannot be used are rejected (page->rejects): not an
 * object ("wrong type"), no id or one that is not an X id, a
 * conversation_id that is not one ("no id", "bad id"), no readable
 * created_at ("bad created_at"), no valid author_id ("bad author"). Only X
 * ids become newest_id/oldest_id. A page of more than RW_PAGE_MAX_ENTRIES
 * posts or includes.users, or a next_token that rw_page_token_valid
 * refuses, is an error (nothing of it is taken). Authors are looked up in
 * an index of includes.users built once per page.
 * Returns 0, or -1 with a reason in err.
 */
int rw_x_parse_mentions(const char *body, size_t len, const char *brand_user_id,
			struct rw_page *page, char *err, size_t errlen);

/*
 * GET /2/users/ID/tweets: keeps the brand's posts that have a referenced
 * post of type "replied_to", as brand replies (in_reply_to = that id,
 * conversation_id, created_at, text). Posts of another author_id and posts
 * that reply to nothing are skipped; a replied_to without a valid X id is
 * rejected as "bad id", the rest as above. Watermarks, next and the page
 * bound as above.
 */
int rw_x_parse_tweets(const char *body, size_t len, const char *brand_user_id, struct rw_page *page,
		      char *err, size_t errlen);

#endif
