/*
 * bluesky: pure parsers for the AT Protocol XRPC answers the Bluesky
 * connector reads (no I/O). The poller (sources/bluesky.c) does the requests.
 */
#ifndef REPLYWATCH_BLUESKY_H
#define REPLYWATCH_BLUESKY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rw_page;

/* Item ids are at:// URIs: "at://" and the characters of DIDs, NSIDs and
 * record keys ([A-Za-z0-9._:~%/-]), at most RW_ITEM_ID_MAX bytes. */
bool rw_bluesky_uri_valid(const char *uri);

/* A session from createSession or refreshSession. The JWTs are secrets:
 * wipe them (rw_bluesky_session_clear) and never log them. */
struct rw_bluesky_session {
	char *access_jwt;
	char *refresh_jwt;
	char *did;
	char *handle;
	int64_t access_expires_ms; /* the access JWT's "exp" claim in ms (rw_jwt_expiry_ms,
				      signin.h); 0 when unreadable */
};

/* Returns 0 with *session filled (strings owned by it), or -1 with a reason
 * in err (never a token): a token that is not 1 to 16384 characters of an
 * HTTP bearer token (no CR, LF or space: it becomes a header) or a did that
 * is not a DID is refused ("session: bad accessJwt", "... bad did"); a
 * handle that is not printable ASCII is left out (NULL). */
int rw_bluesky_parse_session(const char *body, size_t len, struct rw_bluesky_session *session,
			     char *err, size_t errlen);

/* Wipes and frees the strings of session and zeroes it. */
void rw_bluesky_session_clear(struct rw_bluesky_session *session);

/* An XRPC error answer {"error":"ExpiredToken","message":"..."}: copies the
 * error name into name (truncated to len) and returns 0, or -1 when body is
 * not such an answer. */
int rw_bluesky_parse_error(const char *body, size_t len, char *name, size_t namelen);

/*
 * app.bsky.notification.listNotifications: keeps reasons mention, reply and
 * quote: id = uri, created_at = record.createdAt (set by the poster's
 * device) but never later than the notification's indexedAt (Bluesky's
 * own), or indexedAt alone when createdAt cannot be read, author = author.handle,
 * text = record.text, url https://bsky.app/profile/HANDLE/post/RKEY,
 * conversation_id = record.reply.root.uri (else the uri), kind = comment for
 * reply, else mention. Skips other reasons and notifications authored by
 * brand_did; rejects (page->rejects) the ones that cannot be used: not an
 * object, no reason string, a record that is no object ("wrong type"), a
 * uri or thread root that is not an at:// URI ("no id", "bad id"), no
 * readable time ("bad created_at"), no handle or DID ("bad author").
 * newest_ms/oldest_ms are the entries' indexedAt (the order the list is
 * kept in); newest_id/oldest_id their uris (valid ones only); next =
 * cursor. More than RW_PAGE_MAX_ENTRIES entries, or a cursor that
 * rw_page_token_valid refuses, is an error (nothing of it is taken).
 */
int rw_bluesky_parse_notifications(const char *body, size_t len, const char *brand_did,
				   struct rw_page *page, char *err, size_t errlen);

/*
 * app.bsky.feed.getAuthorFeed: keeps the brand's own posts (post.author.did
 * == brand_did, no repost "reason") that reply to something, as brand
 * replies: id = post.uri, created_at = record.createdAt capped at
 * post.indexedAt as above, in_reply_to = record.reply.parent.uri,
 * conversation_id = record.reply.root.uri. Reposts, another's posts and
 * posts that reply to nothing are skipped; the brand's replies that cannot
 * be used are rejected as above (a parent that is no at:// URI: "bad id").
 * Watermarks from post.uri and the time the entry is listed at:
 * reason.indexedAt for a repost (a repost of an old post sits at the top of
 * the feed), else post.indexedAt; next = cursor.
 */
int rw_bluesky_parse_feed(const char *body, size_t len, const char *brand_did, struct rw_page *page,
			  char *err, size_t errlen);

#endif
