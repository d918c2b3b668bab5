/*
 * instagram: the Instagram (Graph API, professional account) parser. Pure:
 * no I/O.
 *
 * Both streams of the connector ask for media with their comments nested,
 * each comment with its one level of replies:
 *
 *   {"data": [{"id": "17895695668004550", "timestamp": "2026-12-04T10:00:00+0000",
 *              "caption": "...", "permalink": "https://www.instagram.com/p/...",
 *              "username": "owner",
 *              "comments": {"data": [{"id": "17870913679156914", "text": "...",
 *                   "timestamp": "...", "username": "someone",
 *                   "from": {"id": "...", "username": "someone"},
 *                   "replies": {"data": [{...same...}]}}]}}],
 *    "paging": {"cursors": {"after": "..."}, "next": "..."}}
 *
 * A comment is the brand's when from.id is the brand account's id (or, as
 * Instagram sometimes leaves "from" out, its username is the brand's): a
 * brand reply to the comment it is under, or to the media for a top-level
 * one. Anyone else's comment or reply is an inbound comment. Media that
 * tag the brand (the tags stream) are inbound mentions themselves.
 * conversation_id is the media; comments have no link of their own: the
 * media's is given. Comment @mentions have no list endpoint: a webhook
 * names them by id, and they are read one by one (below).
 */
#ifndef REPLYWATCH_INSTAGRAM_H
#define REPLYWATCH_INSTAGRAM_H

#include <stdbool.h>
#include <stddef.h>

struct rw_page;

#define RW_INSTAGRAM_COMMENT_FIELDS "id,text,timestamp,username,from{id,username}"
/* The fields every media request asks for. */
#define RW_INSTAGRAM_MEDIA_FIELDS                                                                  \
	"id,caption,timestamp,permalink,username,comments.limit(50){" RW_INSTAGRAM_COMMENT_FIELDS  \
	",replies{" RW_INSTAGRAM_COMMENT_FIELDS "}}"

/* The brand account. */
struct rw_instagram_brand {
	const char *user_id;  /* the Instagram professional account's id */
	const char *username; /* its username, or NULL when not configured */
};

/* Parses a media page into page (items oldest first; the time watermarks
 * are the media's). tagged: the media tag the brand (each one is a
 * mention), else they are the brand's own. Returns 0, or -1 with err (page
 * zeroed) when body is not such a page. */
int rw_instagram_parse_media(const char *body, size_t len, const struct rw_instagram_brand *brand,
			     bool tagged, struct rw_page *page, char *err, size_t errlen);

/* The fields a mentioned comment or media is read with (docs/webhooks.md):
 *   GET /{ig-user-id}?fields=mentioned_comment.comment_id(ID){...}
 *   GET /{ig-user-id}?fields=mentioned_media.media_id(ID){...} */
#define RW_INSTAGRAM_MENTIONED_COMMENT_FIELDS                                                      \
	"id,text,timestamp,username,like_count,media{id,permalink}"
#define RW_INSTAGRAM_MENTIONED_MEDIA_FIELDS "id,caption,timestamp,permalink,username,media_type"

/*
 * The answer about one @mention a webhook named by id:
 *   {"mentioned_comment": {"id", "text", "timestamp", "username",
 *                          "media": {"id", "permalink"}}, "id": IG-USER}
 * or, caption true, {"mentioned_media": {"id", "caption", "timestamp",
 * "permalink", "username"}, "id": IG-USER}. One item of kind mention: id
 * (it must be id), author the username ("unknown" when Graph leaves it
 * out), text, created_at = timestamp, conversation_id = the media's id
 * (else media_id, as the webhook gave it), url the media's permalink.
 * An object that cannot be used (another id, no time) is a reject. Returns
 * 0 (page->nentries 1), or -1 with err (page zeroed) when body is no such
 * answer.
 */
int rw_instagram_parse_mentioned(const char *body, size_t len, bool caption, const char *id,
				 const char *media_id, struct rw_page *page, char *err,
				 size_t errlen);

#endif
