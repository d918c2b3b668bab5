/*
 * meta_hook: Meta's webhooks (Facebook Pages and Instagram), pure (no I/O):
 * the subscription handshake, the X-Hub-Signature-256 check and the parser
 * of a delivery. hooks.c does the HTTP; the facebook and instagram entries
 * of the webhook table (hooks.h) are defined in sources/meta_hook.c.
 *
 * A delivery is {"object": "page"|"instagram", "entry": [ENTRY...]} (or an
 * array of them, as Instagram's Business Login examples show), each ENTRY
 * {"id": the Page or IG user id, "time": Unix seconds, "changes":
 * [{"field", "value"}]} (or "field"/"value" on the entry itself).
 */
#ifndef REPLYWATCH_META_HOOK_H
#define REPLYWATCH_META_HOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rw_hook_batch;
struct rw_secret;

/* Longest Graph id taken ("PAGEID_POSTID_COMMENTID" is far shorter). */
#define RW_META_ID_MAX 128

/* True when id is a Graph object id: 1 to RW_META_ID_MAX digits with single
 * '_' between parts ("123", "123_456"). */
bool rw_meta_id_valid(const char *id);

/* The longest hub.challenge echoed back. */
#define RW_META_CHALLENGE_MAX 256

/* GET ?hub.mode=subscribe&hub.verify_token=T&hub.challenge=C: returns C
 * (borrowed) when mode is "subscribe", token matches verify_token (compared
 * in constant time) and C is 1 to RW_META_CHALLENGE_MAX letters, digits,
 * '-', '_' or '.'; NULL otherwise (any argument may be NULL). */
const char *rw_meta_hook_challenge(const char *mode, const char *token, const char *challenge,
				   const struct rw_secret *verify_token);

/* True when header is "sha256=" + the 64 hex digits (either case) of
 * HMAC-SHA256(key = app_secret, the raw body of len bytes), compared in
 * constant time (CRYPTO_memcmp). False for anything else, NULL included. */
bool rw_meta_hook_signature_ok(const char *app_secret, size_t secretlen, const char *header,
			       const char *body, size_t len);

/* Writes "sha256=" + hex HMAC into out (at least RW_META_SIGNATURE_MAX
 * bytes): the signature Meta would send (tests, the fake). 0 or -1. */
#define RW_META_SIGNATURE_MAX 72
int rw_meta_hook_sign(const char *app_secret, size_t secretlen, const char *body, size_t len,
		      char *out, size_t outlen);

/* The kinds of queued Instagram mentions (struct rw_queued.kind). */
#define RW_META_QUEUED_COMMENT 'c' /* read as mentioned_comment */
#define RW_META_QUEUED_MEDIA 'm'   /* read as mentioned_media */

enum rw_meta_object {
	RW_META_PAGE,      /* object "page", field "feed" */
	RW_META_INSTAGRAM, /* object "instagram", fields "comments" and "mentions" */
};

/*
 * Parses a delivery for the account brand_id (the Page id or IG user id)
 * into out (zeroed by the caller).
 *
 * Page "feed" changes: value {item, verb, post_id, comment_id, parent_id,
 * from{id,name}, message, created_time (Unix seconds)}. item "comment":
 * id = comment_id, conversation_id = post_id, kind comment; item "post",
 * "status", "photo", "video", "share": id = post_id, kind mention (the
 * Page's own posts are ignored). verb "add" and "edited" give an item (the
 * ingest takes each id once), "remove" an id to close; other verbs and
 * items (reaction, like, hide) are ignored. A comment from the Page is a
 * brand reply: in_reply_to = parent_id (post_id without one).
 * url https://www.facebook.com/POST_ID (a comment: ?comment_id=COMMENT).
 *
 * Instagram "comments": value {id, text, from{id,username}, media{id},
 * parent_id}: id, conversation_id = the media id, kind comment, author the
 * username; from the brand with a parent_id: a brand reply (a brand comment
 * on nothing is ignored). Instagram comments give no link (url NULL) and no
 * time of their own: the entry's time is taken. "mentions": value
 * {media_id, comment_id}: an @mention in a comment or a caption, named by
 * ids only, so it is not an item but an entry of out->queued (hookstore.h)
 * for the instagram connector to read: kind RW_META_QUEUED_COMMENT with id
 * comment_id, or RW_META_QUEUED_MEDIA with id media_id (no comment_id);
 * conversation_id media_id; received_ms as given.
 *
 * Times: created_time, else the entry's time (seconds, or ms when over
 * 10^11), else received_ms; all capped at received_ms. author is from.name
 * (Page) or from.username (Instagram), else from.id, else "unknown", cut to
 * 256 bytes with control characters as '?'. Text is kept as given.
 *
 * A change that cannot be used (an entry for another account, a missing
 * or malformed id, a field of the wrong type, another object) adds to
 * out->unusable with the reason in out->why; other fields add to
 * out->ignored. Returns 0, or -1 with err when the body is not JSON of
 * the shape above or memory fails (out then holds nothing).
 */
int rw_meta_hook_parse(const char *body, size_t len, enum rw_meta_object object,
		       const char *brand_id, int64_t received_ms, struct rw_hook_batch *out,
		       char *err, size_t errlen);

#endif
