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

#include <stdbool.h>
#include <stddef.h>

struct rw_page;

/* Mastodon ids are opaque strings: digits on Mastodon itself, letters and
 * digits on compatible servers (Pleroma's flake ids, GoToSocial's ULIDs).
 * Accepted: 1 to RW_MASTODON_ID_MAX of [0-9A-Za-z_-]. */
#define RW_MASTODON_ID_MAX 64
bool rw_mastodon_id_valid(const char *id);

/* verify_credentials: the brand account. Returns 0 with new strings *id and
 * *acct (caller frees), or -1 with a reason in err (malformed JSON, no id,
 * an id that is not a Mastodon id or an acct that is not printable ASCII:
 * the id goes into request paths, the acct into log lines). */
int rw_mastodon_parse_account(const char *body, size_t len, char **id, char **acct, char *err,
			      size_t errlen);

/*
 * A notifications page (a JSON array, newest first). Keeps notifications of
 * type "mention" whose status is not by brand_id: item id = status.id,
 * created_at = status.created_at but never later than the notification's
 * created_at (which the brand's own server sets; a remote server sets the
 * status's), or the latter alone when the status's cannot be read,
 * author = account.acct, followers =
 * account.followers_count, text = status.content as text (spoiler_text
 * first when set), url = status.url (else uri), kind = comment when the
 * status replies to a brand status (in_reply_to_account_id == brand_id),
 * else mention; conversation_id = in_reply_to_id, else the status's own id
 * (the REST API exposes no thread id). Watermarks are the notifications'
 * ids and created_at. next is NULL (paging uses the ids).
 * Returns 0, or -1 with a reason in err when the body is not a JSON array
 * or holds more than RW_PAGE_MAX_ENTRIES entries (nothing of it is taken).
 * Notifications of other types and the brand's own mentions are skipped;
 * mentions that cannot be used are rejected (page->rejects): not an
 * object, no type or status object ("wrong type"), a status id or
 * in_reply_to_id missing or not a Mastodon id ("no id", "bad id"), no
 * readable time ("bad created_at"), no acct ("bad author"). Every entry
 * counts in nentries; its id (when a Mastodon id) and time (when readable)
 * towards the watermarks.
 */
int rw_mastodon_parse_notifications(const char *body, size_t len, const char *brand_id,
				    struct rw_page *page, char *err, size_t errlen);

/*
 * A page of the brand's statuses (a JSON array, newest first). Keeps
 * statuses by brand_id that reply to something (in_reply_to_id set) and are
 * not reblogs, as brand replies: id, created_at, in_reply_to =
 * in_reply_to_id, text, from_brand (created_at: the brand's own server's).
 * Reblogs, statuses that reply to nothing and another account's are
 * skipped; replies that cannot be used are rejected as above, one without
 * an account id as "bad author". Watermarks are the statuses' ids and
 * created_at. Returns 0 or -1 like rw_mastodon_parse_notifications.
 */
int rw_mastodon_parse_statuses(const char *body, size_t len, const char *brand_id,
			       struct rw_page *page, char *err, size_t errlen);

#endif
