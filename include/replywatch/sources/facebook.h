/*
 * facebook: the Facebook Page parser (Graph API). Pure: no I/O.
 *
 * Every stream of the connector (the Page's posts, visitor posts, posts
 * that tag the Page) asks for posts with their comments nested, newest
 * first, flattened (filter=stream: replies to comments come with a
 * "parent"), so one parser reads them all:
 *
 *   {"data": [{"id": "PAGEID_POSTID", "created_time": "2026-12-04T10:00:00+0000",
 *              "message": "...", "permalink_url": "https://www.facebook.com/...",
 *              "from": {"id": "...", "name": "..."},
 *              "comments": {"data": [{"id": "POSTID_COMMENTID", "created_time": "...",
 *                   "message": "...", "permalink_url": "...", "from": {...},
 *                   "parent": {"id": "POSTID_COMMENTID"}}], "paging": {...}}}],
 *    "paging": {"cursors": {"before": "...", "after": "..."}, "next": "..."}}
 *
 * A post not from the Page (a visitor's, one that tags the Page) is an
 * inbound mention; a comment not from the Page is an inbound comment; a
 * comment from the Page is a brand reply to its parent comment, or to the
 * post when it has none. conversation_id is the post. Graph gives no
 * follower counts for people; "from" is missing when the token may not
 * read it (then the author is "unknown").
 */
#ifndef REPLYWATCH_FACEBOOK_H
#define REPLYWATCH_FACEBOOK_H

#include <stddef.h>

struct rw_page;

/* The fields every posts request asks for (newest 100 comments a post). */
#define RW_FACEBOOK_POST_FIELDS                                                                    \
	"id,created_time,message,permalink_url,from{id,name},"                                     \
	"comments.filter(stream).order(reverse_chronological).limit(100)"                          \
	"{id,created_time,message,permalink_url,from{id,name},parent{id}}"

/* Parses a posts page of Page page_id into page (items oldest first; the
 * time watermarks are the posts'). Returns 0, or -1 with err (page zeroed)
 * when body is not such a page. */
int rw_facebook_parse_posts(const char *body, size_t len, const char *page_id, struct rw_page *page,
			    char *err, size_t errlen);

#endif
