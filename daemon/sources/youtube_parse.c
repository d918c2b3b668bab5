/*
 * youtube_parse.c: YouTube Data API v3 comment threads and comments into
 * inbound comments and brand replies (sources/youtube.h). Pure: no I/O.
 *
 * Pages come newest first; entries are read from the last to the first so
 * that the kept items come out oldest first, each thread's comment before
 * the brand's replies to it. Every thread counts towards the watermarks;
 * one that cannot be used is rejected with a reason (page.h), never fatal:
 * only a body of the wrong shape, or too large, is.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "replywatch/clock.h"
#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/sources/youtube.h"

bool
rw_youtube_id_valid(const char *id)
{
	size_t n;

	if (id == NULL)
		return false;
	n = strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-");
	return n > 0 && n <= RW_YOUTUBE_ID_MAX && id[n] == '\0';
}

/* snippet.authorChannelId.value, or NULL. */
static const char *
author_channel(const json_t *snippet)
{
	return rw_page_str(json_object_get(snippet, "authorChannelId"), "value");
}

/* The publishedAt of a comment's snippet in ms, or 0 (none, unreadable, or
 * not after 1970: YouTube did not exist before, and 0 means "no time"). */
static int64_t
published_ms(const json_t *snippet)
{
	const char *s = rw_page_str(snippet, "publishedAt");
	int64_t ms = 0;

	return s != NULL && rw_time_parse(s, &ms) == 0 && ms > 0 ? ms : 0;
}

/* The fields one comment (top-level or reply) gives every item: id, time,
 * author, text, the video as conversation and the link to the comment. */
static enum rw_page_entry
comment_fill(const char *id, const json_t *snippet, const char *video, struct rw_item *it,
	     const char **why)
{
	const char *name = rw_page_str(snippet, "authorDisplayName");
	const char *channel = author_channel(snippet);
	const char *text = rw_page_str(snippet, "textOriginal");

	if (rw_page_copy(id, &it->id) == -1)
		return RW_PAGE_NOMEM;
	*why = RW_REJECT_BAD_TIME;
	if ((it->created_at_ms = published_ms(snippet)) == 0)
		return RW_PAGE_REJECTED;
	*why = RW_REJECT_BAD_AUTHOR;
	if (name == NULL && (channel == NULL || !rw_youtube_id_valid(channel)))
		return RW_PAGE_REJECTED;
	if (text == NULL)
		text = rw_page_str(snippet, "textDisplay");
	it->kind = RW_KIND_COMMENT;
	if (rw_page_copy(name != NULL ? name : channel, &it->author) == -1 ||
	    rw_page_copy(text, &it->text) == -1 || rw_page_copy(video, &it->conversation_id) == -1)
		return RW_PAGE_NOMEM;
	if (video != NULL &&
	    asprintf(&it->url, "https://www.youtube.com/watch?v=%s&lc=%s", video, id) == -1) {
		it->url = NULL;
		return RW_PAGE_NOMEM;
	}
	return RW_PAGE_KEPT;
}

/* A video id, optional: NULL when absent; *bad when present but unusable. */
static const char *
video_of(const json_t *snippet, bool *bad)
{
	const char *video = NULL;

	*bad = rw_page_opt_id(snippet, "videoId", rw_youtube_id_valid, &video) == -1;
	return video;
}

/* One reply comment: a brand reply to thread_id when the brand wrote it,
 * else skipped (others' replies are not items to answer). */
static enum rw_page_entry
reply_entry(const json_t *c, const char *channel_id, const char *thread_id, const char *video,
	    struct rw_item *it, const char **why)
{
	const json_t *snippet = json_object_get(c, "snippet");
	const char *id, *rv;
	bool bad;
	enum rw_page_entry e;

	*why = RW_REJECT_WRONG_TYPE;
	if (!json_is_object(c) || !json_is_object(snippet))
		return RW_PAGE_REJECTED;
	if (!rw_page_same(author_channel(snippet), channel_id))
		return RW_PAGE_SKIPPED;
	if ((id = rw_page_id(c, "id", rw_youtube_id_valid, why)) == NULL)
		return RW_PAGE_REJECTED;
	rv = video_of(snippet, &bad);
	*why = RW_REJECT_BAD_ID;
	if (bad)
		return RW_PAGE_REJECTED;
	if ((e = comment_fill(id, snippet, rv != NULL ? rv : video, it, why)) != RW_PAGE_KEPT)
		return e;
	it->from_brand = true;
	return rw_page_copy(thread_id, &it->in_reply_to) == -1 ? RW_PAGE_NOMEM : RW_PAGE_KEPT;
}

/* The replies of one array, oldest first (YouTube lists them either way:
 * they are put in order of publishedAt). */
static int
take_replies(struct rw_page *page, const json_t *comments, const char *channel_id,
	     const char *thread_id, const char *video)
{
	struct rw_page tmp = {0};
	struct rw_item it = {0};
	const char *why = NULL;
	size_t n = json_array_size(comments);

	for (size_t i = 0; i < n; i++) {
		enum rw_page_entry e = reply_entry(json_array_get(comments, i), channel_id,
						   thread_id, video, &it, &why);

		if (rw_page_keep(&tmp, e, why, &it) == -1) {
			rw_item_clear(&it);
			rw_page_clear(&tmp);
			return -1;
		}
	}
	/* Insertion sort by time: a thread holds a handful of brand replies. */
	for (size_t i = 1; i < tmp.nitems; i++) {
		struct rw_item x = tmp.items[i];
		size_t j = i;

		for (; j > 0 && tmp.items[j - 1].created_at_ms > x.created_at_ms; j--)
			tmp.items[j] = tmp.items[j - 1];
		tmp.items[j] = x;
	}
	for (size_t i = 0; i < tmp.nrejects; i++) {
		if (rw_page_reject(page, tmp.rejects[i].reason, tmp.rejects[i].id) == -1) {
			rw_page_clear(&tmp);
			return -1;
		}
	}
	if (rw_page_take_items(page, &tmp) == -1) {
		rw_page_clear(&tmp);
		return -1;
	}
	rw_page_clear(&tmp);
	return 0;
}

/* The top-level comment of thread t, an inbound comment unless the brand wrote it. */
static enum rw_page_entry
thread_entry(const json_t *t, const char *channel_id, const char **id_out, const char **video_out,
	     struct rw_item *it, const char **why)
{
	const json_t *snippet = json_object_get(t, "snippet");
	const json_t *top = json_object_get(snippet, "topLevelComment");
	const json_t *tops = json_object_get(top, "snippet");
	const char *id, *video;
	bool bad;

	*id_out = *video_out = NULL;
	*why = RW_REJECT_WRONG_TYPE;
	if (!json_is_object(t) || !json_is_object(snippet) || !json_is_object(tops))
		return RW_PAGE_REJECTED;
	if ((id = rw_page_id(t, "id", rw_youtube_id_valid, why)) == NULL)
		return RW_PAGE_REJECTED;
	video = video_of(snippet, &bad);
	if (video == NULL && !bad)
		video = video_of(tops, &bad);
	*why = RW_REJECT_BAD_ID;
	if (bad)
		return RW_PAGE_REJECTED;
	*id_out = id;
	*video_out = video;
	if (rw_page_same(author_channel(tops), channel_id))
		return RW_PAGE_SKIPPED; /* the brand's own comment: nothing to answer */
	return comment_fill(id, tops, video, it, why);
}

/* The items[] array of a list answer and its nextPageToken into page. */
static json_t *
load_list(const char *body, size_t len, struct rw_page *page, const json_t **items, char *err,
	  size_t errlen)
{
	json_t *doc = rw_page_load(body, len, JSON_OBJECT, err, errlen);
	const json_t *next;

	memset(page, 0, sizeof(*page));
	if (doc == NULL)
		return NULL;
	*items = json_object_get(doc, "items");
	next = json_object_get(doc, "nextPageToken");
	/* An empty list may leave items out (proto3 JSON). */
	if ((*items != NULL && !json_is_array(*items)) ||
	    (next != NULL && !json_is_null(next) &&
	     (!json_is_string(next) || !rw_page_token_valid(json_string_value(next))))) {
		snprintf(err, errlen, "items is not an array, or nextPageToken is unusable");
		json_decref(doc);
		return NULL;
	}
	if (json_array_size(*items) > RW_PAGE_MAX_ENTRIES) {
		snprintf(err, errlen, "more than %d entries", RW_PAGE_MAX_ENTRIES);
		json_decref(doc);
		return NULL;
	}
	if (json_is_string(next) && rw_page_copy(json_string_value(next), &page->next) == -1) {
		json_decref(doc);
		return NULL;
	}
	page->nentries = json_array_size(*items);
	return doc;
}

static int
parse_threads(const json_t *items, const char *channel_id, struct rw_page *page)
{
	struct rw_item it = {0};
	const char *why = NULL;

	for (size_t i = json_array_size(items); i-- > 0;) {
		const json_t *t = json_array_get(items, i);
		const json_t *tops = json_object_get(
			json_object_get(json_object_get(t, "snippet"), "topLevelComment"),
			"snippet");
		const json_t *replies = json_object_get(json_object_get(t, "replies"), "comments");
		const char *id, *video;
		enum rw_page_entry e = thread_entry(t, channel_id, &id, &video, &it, &why);
		int64_t ms = published_ms(tops);

		if (ms != 0)
			rw_page_note_time(page, ms);
		if (rw_page_keep(page, e, why, &it) == -1) {
			rw_item_clear(&it);
			return -1;
		}
		if (id != NULL && json_is_array(replies) &&
		    take_replies(page, replies, channel_id, id, video) == -1)
			return -1;
	}
	return 0;
}

int
rw_youtube_parse_threads(const char *body, size_t len, const char *channel_id, struct rw_page *page,
			 char *err, size_t errlen)
{
	const json_t *items = NULL;
	json_t *doc = load_list(body, len, page, &items, err, errlen);
	int rc;

	if (doc == NULL)
		return -1;
	rc = parse_threads(items, channel_id, page);
	json_decref(doc);
	if (rc == -1) {
		rw_page_clear(page);
		snprintf(err, errlen, "out of memory");
	}
	return rc;
}

int
rw_youtube_parse_replies(const char *body, size_t len, const char *channel_id,
			 const char *thread_id, struct rw_page *page, char *err, size_t errlen)
{
	const json_t *items = NULL;
	json_t *doc = load_list(body, len, page, &items, err, errlen);
	int rc;

	if (doc == NULL)
		return -1;
	rc = take_replies(page, items, channel_id, thread_id, NULL);
	json_decref(doc);
	if (rc == -1) {
		rw_page_clear(page);
		snprintf(err, errlen, "out of memory");
	}
	return rc;
}

/* The meaning of one reason. */
static enum rw_youtube_error
reason_kind(const char *reason)
{
	static const struct {
		const char *reason;
		enum rw_youtube_error kind;
	} known[] = {
		{"quotaExceeded", RW_YOUTUBE_ERROR_QUOTA},
		{"dailyLimitExceeded", RW_YOUTUBE_ERROR_QUOTA},
		{"keyInvalid", RW_YOUTUBE_ERROR_KEY},
		{"keyExpired", RW_YOUTUBE_ERROR_KEY},
		{"ipRefererBlocked", RW_YOUTUBE_ERROR_KEY},
		{"accessNotConfigured", RW_YOUTUBE_ERROR_KEY},
		{"API_KEY_INVALID", RW_YOUTUBE_ERROR_KEY},
	};

	for (size_t i = 0; reason != NULL && i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(reason, known[i].reason) == 0)
			return known[i].kind;
	return RW_YOUTUBE_ERROR_OTHER;
}

/* The first known reason among the members reason of the array's objects. */
static enum rw_youtube_error
reasons_kind(const json_t *array)
{
	size_t n = json_array_size(array);

	for (size_t i = 0; i < n; i++) {
		enum rw_youtube_error k =
			reason_kind(rw_page_str(json_array_get(array, i), "reason"));

		if (k != RW_YOUTUBE_ERROR_OTHER)
			return k;
	}
	return RW_YOUTUBE_ERROR_OTHER;
}

enum rw_youtube_error
rw_youtube_parse_error(const char *body, size_t len)
{
	json_t *doc = rw_page_load(body, len, JSON_OBJECT, NULL, 0);
	const json_t *error = json_object_get(doc, "error");
	enum rw_youtube_error kind = reasons_kind(json_object_get(error, "errors"));

	if (kind == RW_YOUTUBE_ERROR_OTHER)
		kind = reasons_kind(json_object_get(error, "details"));
	json_decref(doc);
	return kind;
}
