/*
 * reddit_parse.c: Reddit Listings (the inbox's mentions and replies, the
 * brand's own comments) into items, and Reddit's rate-limit headers.
 * Pure: no I/O.
 *
 * Children are read from the last (oldest) to the first so that the kept
 * items come out oldest first. Every comment counts towards the
 * watermarks; one that is not ours (a private message, the brand's own) is
 * skipped, one that is but cannot be used is rejected with a reason
 * (page.h), never fatal: only a body of the wrong shape, or too large, is.
 */
#include <ctype.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/sources/reddit.h"

#define BASE36_MAX 13
#define MAX_SECONDS 253402300799.0 /* 9999-12-31T23:59:59Z */

bool
rw_reddit_fullname_valid(const char *s)
{
	size_t n;

	if (s == NULL || s[0] != 't' || s[1] < '1' || s[1] > '6' || s[2] != '_')
		return false;
	for (n = 0; s[3 + n] != '\0'; n++) {
		char c = s[3 + n];

		if (n == BASE36_MAX || !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')))
			return false;
	}
	return n > 0;
}

bool
rw_reddit_comment_valid(const char *s)
{
	return rw_reddit_fullname_valid(s) && s[1] == '1';
}

bool
rw_reddit_username_valid(const char *s)
{
	size_t n;

	if (s == NULL)
		return false;
	for (n = 0; s[n] != '\0'; n++) {
		unsigned char c = (unsigned char)s[n];

		if (n == 20 || !(isalnum(c) || c == '_' || c == '-') || c > 127)
			return false;
	}
	return n >= 3;
}

int
rw_reddit_time(const json_t *value, int64_t *ms)
{
	double secs;
	char *end;

	if (json_is_number(value)) {
		secs = json_number_value(value);
	} else if (json_is_string(value)) {
		const char *s = json_string_value(value);

		if (!isdigit((unsigned char)s[0]))
			return -1;
		secs = strtod(s, &end);
		if (*end != '\0')
			return -1;
	} else {
		return -1;
	}
	if (!(secs > 0 && secs <= MAX_SECONDS)) /* NaN fails too */
		return -1;
	*ms = (int64_t)llround(secs * 1000.0);
	return 0;
}

/* "t3_" + the post id of a context or permalink path
 * ("/r/SUB/comments/POST/slug/COMMENT/?context=3") into out, or "". */
static void
post_of_path(const char *path, char *out, size_t outlen)
{
	const char *p = path ? strstr(path, "/comments/") : NULL;
	char id[RW_REDDIT_FULLNAME_MAX + 1];
	size_t n;

	out[0] = '\0';
	if (p == NULL)
		return;
	p += strlen("/comments/");
	n = strcspn(p, "/?#");
	if (n == 0 || n > BASE36_MAX)
		return;
	snprintf(id, sizeof(id), "t3_%.*s", (int)n, p);
	if (rw_reddit_fullname_valid(id))
		snprintf(out, outlen, "%s", id);
}

/* The conversation: link_id when a post fullname, else from the path. */
static int
conversation(const json_t *data, const char *path, char **out)
{
	const char *link = rw_page_str(data, "link_id");
	char derived[RW_REDDIT_FULLNAME_MAX + 1];

	if (rw_reddit_fullname_valid(link) && link[1] == '3')
		return rw_page_copy(link, out);
	post_of_path(path, derived, sizeof(derived));
	return rw_page_copy(derived[0] ? derived : NULL, out);
}

/* RW_REDDIT_WEB + path when path is one ("/r/..."), else NULL. */
static int
web_url(const char *path, char **out)
{
	*out = NULL;
	if (path == NULL || path[0] != '/' || !rw_item_id_valid(path))
		return 0;
	if (asprintf(out, "%s%s", RW_REDDIT_WEB, path) == -1) {
		*out = NULL;
		return -1;
	}
	return 0;
}

/* Fills what every kept comment gives: id (first, so that a reject names
 * it), created_at, text, conversation_id and url (path: the context or
 * permalink). */
static enum rw_page_entry
comment_item(const json_t *data, const char *path, struct rw_item *it, const char **why)
{
	const char *id = rw_page_id(data, "name", rw_reddit_comment_valid, why);

	if (id == NULL)
		return RW_PAGE_REJECTED;
	if (rw_page_copy(id, &it->id) == -1)
		return RW_PAGE_NOMEM;
	if (rw_reddit_time(json_object_get(data, "created_utc"), &it->created_at_ms) == -1) {
		*why = RW_REJECT_BAD_TIME;
		return RW_PAGE_REJECTED;
	}
	if (rw_page_copy(rw_page_str(data, "body"), &it->text) == -1 ||
	    conversation(data, path, &it->conversation_id) == -1 || web_url(path, &it->url) == -1)
		return RW_PAGE_NOMEM;
	return RW_PAGE_KEPT;
}

/* The thing's data when it is a comment; NULL with *e set otherwise. */
static const json_t *
comment_data(const json_t *thing, enum rw_page_entry *e, const char **why)
{
	const json_t *data = json_object_get(thing, "data");

	if (!json_is_object(thing) || !json_is_object(data)) {
		*why = RW_REJECT_WRONG_TYPE;
		*e = RW_PAGE_REJECTED;
		return NULL;
	}
	if (!rw_page_same(rw_page_str(thing, "kind"), "t1")) {
		*e = RW_PAGE_SKIPPED; /* a private message (t4), a post, ... */
		return NULL;
	}
	return data;
}

static bool
is_brand(const char *author, const char *brand)
{
	return author != NULL && brand != NULL && strcasecmp(author, brand) == 0;
}

static enum rw_page_entry
inbox_entry(const json_t *thing, const char *brand, unsigned kind, struct rw_item *it,
	    const char **why)
{
	enum rw_page_entry e;
	const json_t *data = comment_data(thing, &e, why);
	const char *author, *path;

	if (data == NULL)
		return e;
	if (json_is_false(json_object_get(data, "was_comment")))
		return RW_PAGE_SKIPPED;
	author = rw_page_str(data, "author");
	if (is_brand(author, brand))
		return RW_PAGE_SKIPPED; /* the brand's own comment */
	path = rw_page_str(data, "context");
	if (path == NULL)
		path = rw_page_str(data, "permalink");
	if ((e = comment_item(data, path, it, why)) != RW_PAGE_KEPT)
		return e;
	if (author == NULL || !rw_item_id_valid(author)) {
		*why = RW_REJECT_BAD_AUTHOR;
		return RW_PAGE_REJECTED;
	}
	it->kind = kind;
	return rw_page_copy(author, &it->author) == -1 ? RW_PAGE_NOMEM : RW_PAGE_KEPT;
}

static enum rw_page_entry
brand_entry(const json_t *thing, const char *brand, unsigned kind, struct rw_item *it,
	    const char **why)
{
	enum rw_page_entry e;
	const json_t *data = comment_data(thing, &e, why);
	const char *author, *parent;

	(void)kind;
	if (data == NULL)
		return e;
	author = rw_page_str(data, "author");
	if (author != NULL && !is_brand(author, brand))
		return RW_PAGE_SKIPPED; /* not the brand's comment */
	if ((e = comment_item(data, rw_page_str(data, "permalink"), it, why)) != RW_PAGE_KEPT)
		return e;
	parent = rw_page_str(data, "parent_id");
	if (!rw_reddit_fullname_valid(parent) || (parent[1] != '1' && parent[1] != '3')) {
		*why = RW_REJECT_BAD_ID;
		return RW_PAGE_REJECTED;
	}
	it->kind = RW_KIND_COMMENT;
	it->from_brand = true;
	if (rw_page_copy(parent, &it->in_reply_to) == -1 ||
	    rw_page_copy(author != NULL ? author : brand, &it->author) == -1)
		return RW_PAGE_NOMEM;
	return RW_PAGE_KEPT;
}

/* The listing's children and after; -1 with err when it is not one. */
static int
listing(const json_t *doc, const json_t **children, const json_t **after, char *err, size_t errlen)
{
	const json_t *data = json_object_get(doc, "data");

	if (!rw_page_same(rw_page_str(doc, "kind"), "Listing") || !json_is_object(data)) {
		const char *msg = rw_page_str(doc, "message");

		if (msg != NULL)
			snprintf(err, errlen, "API error: %.80s", msg);
		else
			snprintf(err, errlen, "expected a Listing");
		return -1;
	}
	*children = json_object_get(data, "children");
	*after = json_object_get(data, "after");
	if (!json_is_array(*children)) {
		snprintf(err, errlen, "data.children: expected an array");
		return -1;
	}
	if (json_array_size(*children) > RW_PAGE_MAX_ENTRIES) {
		snprintf(err, errlen, "page too large: %zu children (at most %d)",
			 json_array_size(*children), RW_PAGE_MAX_ENTRIES);
		return -1;
	}
	if (*after != NULL && !json_is_null(*after) &&
	    !(json_is_string(*after) && rw_reddit_fullname_valid(json_string_value(*after)))) {
		snprintf(err, errlen, "data.after: not a fullname");
		return -1;
	}
	return 0;
}

/* Counts one child into the watermarks: its comment fullname, its time. */
static int
note_child(struct rw_page *page, const json_t *thing)
{
	const json_t *data = json_object_get(thing, "data");
	const char *name = rw_page_str(data, "name");
	int64_t ms;

	if (rw_page_same(rw_page_str(thing, "kind"), "t1") && rw_reddit_comment_valid(name) &&
	    rw_page_note_id(page, name) == -1)
		return -1;
	if (rw_reddit_time(json_object_get(data, "created_utc"), &ms) == 0)
		rw_page_note_time(page, ms);
	return 0;
}

typedef enum rw_page_entry entry_fn(const json_t *, const char *, unsigned, struct rw_item *,
				    const char **);

static int
parse_listing(const char *body, size_t len, const char *brand, unsigned kind, entry_fn *one,
	      struct rw_page *page, char *err, size_t errlen)
{
	const json_t *children, *after;
	struct rw_item it = {0};
	json_t *doc;

	memset(page, 0, sizeof(*page));
	if ((doc = rw_page_load(body, len, JSON_OBJECT, err, errlen)) == NULL)
		return -1;
	if (listing(doc, &children, &after, err, errlen) == -1)
		goto fail;
	page->nentries = json_array_size(children);
	for (size_t i = page->nentries; i-- > 0;) {
		const json_t *thing = json_array_get(children, i);
		const char *why = NULL;
		enum rw_page_entry e;

		if (note_child(page, thing) == -1)
			goto nomem;
		e = one(thing, brand, kind, &it, &why);
		if (rw_page_keep(page, e, why, &it) == -1)
			goto nomem;
	}
	if (json_is_string(after) && rw_page_copy(json_string_value(after), &page->next) == -1)
		goto nomem;
	json_decref(doc);
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	rw_item_clear(&it);
	rw_page_clear(page);
	json_decref(doc);
	return -1;
}

int
rw_reddit_parse_inbox(const char *body, size_t len, const char *brand, unsigned kind,
		      struct rw_page *page, char *err, size_t errlen)
{
	return parse_listing(body, len, brand, kind, inbox_entry, page, err, errlen);
}

int
rw_reddit_parse_comments(const char *body, size_t len, const char *brand, struct rw_page *page,
			 char *err, size_t errlen)
{
	return parse_listing(body, len, brand, RW_KIND_COMMENT, brand_entry, page, err, errlen);
}

int
rw_reddit_count(const char *s, long *out)
{
	char whole[24];
	int64_t v;
	size_t n;

	if (s == NULL)
		return -1;
	while (*s == ' ' || *s == '\t')
		s++;
	n = strspn(s, "0123456789");
	if (n == 0 || n >= sizeof(whole))
		return -1;
	memcpy(whole, s, n);
	whole[n] = '\0';
	s += n;
	if (*s == '.')
		s += 1 + strspn(s + 1, "0123456789");
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != '\0' || rw_ratelimit_count(whole, LONG_MAX, &v) == -1)
		return -1;
	*out = (long)v;
	return 0;
}

void
rw_reddit_ratelimit_read(rw_header_lookup_fn *lookup, void *arg, int64_t now_ms,
			 struct rw_ratelimit *out)
{
	long remaining, used;
	int64_t reset;

	if (rw_reddit_count(lookup(arg, "X-Ratelimit-Remaining"), &remaining) == 0) {
		out->remaining = remaining;
		out->known = true;
		if (rw_reddit_count(lookup(arg, "X-Ratelimit-Used"), &used) == 0 &&
		    used <= LONG_MAX - remaining)
			out->limit = used + remaining;
	}
	/* Seconds from now (Reddit: "seconds to end of period"); a far one is
	 * clamped by rw_ratelimit_read. */
	if (rw_ratelimit_count(lookup(arg, "X-Ratelimit-Reset"), INT32_MAX, &reset) == 0) {
		out->reset_at_ms = now_ms + reset * 1000;
		out->known = true;
	}
}
