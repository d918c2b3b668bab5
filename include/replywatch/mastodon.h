/*
 * mastodon: pure parsers for the Mastodon REST API (no I/O). The poller
 * (sources/mastodon.c) does the requests.
 *
 * Inbound items come from GET /api/v1/notifications?types[]=mention; brand
 * replies from GET /api/v1/accounts/ID/statuses (in_reply_to_id). Ids stay
 * strings. A status's HTML content becomes plain text (htmltext.h).
 */
#ifndef REPLYWATCH_MASTODON_H
#define REPLYWATCH_MASTODON_H

#include <stddef.h>

struct rw_page;

/* verify_credentials: the brand account. Returns 0 with new strings *id and
 * *acct (caller frees), or -1 with a reason in err (malformed JSON, no id). */
int rw_mastodon_parse_account(const char *body, size_t len, char **id, char **acct, char *err,
			      size_t errlen);

/*
 * A notifications page (a JSON array, newest first). Keeps notifications of
 * type "mention" whose status is not by brand_id: item id = status.id,
 * created_at = status.created_at, author = account.acct, followers =
 * account.followers_count, text = status.content as text (spoiler_text
 * first when set), url = status.url (else uri), kind = comment when the
 * status replies to a brand status (in_reply_to_account_id == brand_id),
 * else mention; conversation_id = in_reply_to_id, else the status's own id
 * (the REST API exposes no thread id). Watermarks are the notifications'
 * ids and created_at. next is NULL (paging uses the ids).
 * Returns 0, or -1 with a reason in err when the body is not a JSON array;
 * entries that are not objects, lack an id, are of other types, or have a
 * missing/invalid status (no id, an unreadable created_at, no acct) are
 * skipped (counted in nentries; their id and time still count towards the
 * watermarks when readable).
 */
int rw_mastodon_parse_notifications(const char *body, size_t len, const char *brand_id,
				    struct rw_page *page, char *err, size_t errlen);

/*
 * A page of the brand's statuses (a JSON array, newest first). Keeps
 * statuses by brand_id that reply to something (in_reply_to_id set) and are
 * not reblogs, as brand replies: id, created_at, in_reply_to =
 * in_reply_to_id, text, from_brand. Watermarks are the statuses' ids and
 * created_at. Returns 0 or -1 like rw_mastodon_parse_notifications.
 */
int rw_mastodon_parse_statuses(const char *body, size_t len, const char *brand_id,
			       struct rw_page *page, char *err, size_t errlen);

#endif
