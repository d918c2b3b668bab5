/*
 * bluesky: pure parsers for the AT Protocol XRPC answers the Bluesky
 * connector reads (no I/O). The poller (sources/bluesky.c) does the requests.
 */
#ifndef REPLYWATCH_BLUESKY_H
#define REPLYWATCH_BLUESKY_H

#include <stddef.h>
#include <stdint.h>

struct rw_page;

/* A session from createSession or refreshSession. The JWTs are secrets:
 * wipe them (rw_bluesky_session_clear) and never log them. */
struct rw_bluesky_session {
	char *access_jwt;
	char *refresh_jwt;
	char *did;
	char *handle;
	int64_t access_expires_ms; /* the access JWT's "exp" claim in ms; 0 when unreadable */
};

/* Returns 0 with *session filled (strings owned by it), or -1 with a reason
 * in err (never a token). */
int rw_bluesky_parse_session(const char *body, size_t len, struct rw_bluesky_session *session,
			     char *err, size_t errlen);

/* Wipes and frees the strings of session and zeroes it. */
void rw_bluesky_session_clear(struct rw_bluesky_session *session);

/* The "exp" claim of a JWT (base64url JSON payload), in ms, or 0 when it
 * cannot be read. The signature is not checked (the server does that). */
int64_t rw_bluesky_jwt_expiry_ms(const char *jwt);

/* An XRPC error answer {"error":"ExpiredToken","message":"..."}: copies the
 * error name into name (truncated to len) and returns 0, or -1 when body is
 * not such an answer. */
int rw_bluesky_parse_error(const char *body, size_t len, char *name, size_t namelen);

/*
 * app.bsky.notification.listNotifications: keeps reasons mention, reply and
 * quote: id = uri, created_at = record.createdAt, author = author.handle,
 * text = record.text, url https://bsky.app/profile/HANDLE/post/RKEY,
 * conversation_id = record.reply.root.uri (else the uri), kind = comment for
 * reply, else mention. Skips notifications authored by brand_did.
 * newest_ms/oldest_ms are the entries' indexedAt (the order the list is
 * kept in); newest_id/oldest_id their uris; next = cursor.
 */
int rw_bluesky_parse_notifications(const char *body, size_t len, const char *brand_did,
				   struct rw_page *page, char *err, size_t errlen);

/*
 * app.bsky.feed.getAuthorFeed: keeps the brand's own posts (post.author.did
 * == brand_did, no repost "reason") that reply to something, as brand
 * replies: id = post.uri, created_at = record.createdAt, in_reply_to =
 * record.reply.parent.uri, conversation_id = record.reply.root.uri.
 * Watermarks from post.uri and the time the entry is listed at:
 * reason.indexedAt for a repost (a repost of an old post sits at the top of
 * the feed), else post.indexedAt; next = cursor.
 */
int rw_bluesky_parse_feed(const char *body, size_t len, const char *brand_did,
			  struct rw_page *page, char *err, size_t errlen);

#endif
