/*
 * bluesky_parse.c: AT Protocol XRPC answers (sessions, errors, the
 * notification list, the brand's author feed) into items. Pure: no I/O.
 *
 * Lists are read from the last (oldest) entry to the first so that the kept
 * items come out oldest first. Every entry counts towards the watermarks;
 * one that is not ours (a like, a repost, the brand's own) is skipped, one
 * that is but cannot be used is rejected with a reason (page.h), never
 * fatal: only a body of the wrong shape, or too large, is. Ids are at-uris, which do not sort: the
 * newest and oldest ids are the first and last in the list's own order.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/sources/bluesky.h"
#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/mention.h"
#include "replywatch/page.h"
#include "replywatch/signin.h"

/* Longest token taken, in characters. */
#define JWT_PAYLOAD_MAX 16384

/* Overwrites the characters of a string inside a document about to be
 * freed (Jansson does not wipe what it frees). */
static void
wipe_member(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_string(v))
		explicit_bzero((char *)json_string_value(v), json_string_length(v));
}

/* A token sent back in an Authorization header: 1 to JWT_PAYLOAD_MAX
 * characters of RFC 6750's b64token, so no CR or LF can add a header. */
static bool
bluesky_token_valid(const char *s)
{
	size_t n =
		strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/");

	n += strspn(s + n, "=");
	return n > 0 && n <= JWT_PAYLOAD_MAX && s[n] == '\0';
}

/* A DID: "did:", a lower-case method, ':' and the identifier's characters. */
static bool
bluesky_did_valid(const char *s)
{
	size_t m;

	if (!rw_item_id_valid(s) || strncmp(s, "did:", 4) != 0)
		return false;
	s += 4;
	if ((m = strspn(s, "abcdefghijklmnopqrstuvwxyz")) == 0 || s[m] != ':' || s[m + 1] == '\0')
		return false;
	for (s += m + 1; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("._:%-", *s) == NULL)
			return false;
	return true;
}

/* Copies member key of a session into *out. A value that fails valid is an
 * error ("session: bad KEY", never quoting it) when required, else left out
 * (*out NULL). */
static int
session_string(const json_t *doc, const char *key, bool required, bool (*valid)(const char *),
	       char **out, char *err, size_t errlen)
{
	*out = NULL;
	if (rw_page_str(doc, key) == NULL) {
		if (!required)
			return 0;
		snprintf(err, errlen, "session: no %s", key);
		return -1;
	}
	if (!valid(rw_page_str(doc, key))) {
		if (!required)
			return 0;
		snprintf(err, errlen, "session: bad %s", key);
		return -1;
	}
	if (rw_page_copy(rw_page_str(doc, key), out) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int
rw_bluesky_parse_session(const char *body, size_t len, struct rw_bluesky_session *session,
			 char *err, size_t errlen)
{
	json_t *doc;

	memset(session, 0, sizeof(*session));
	/* The body holds tokens: the error message must not quote it. */
	if ((doc = rw_page_load_secret(body, len, JSON_OBJECT, err, errlen)) == NULL)
		return -1;
	/* The tokens become a header, the DID a query parameter and the handle
	 * a log line: none may carry a byte that would change their meaning. */
	if (session_string(doc, "accessJwt", true, bluesky_token_valid, &session->access_jwt, err,
			   errlen) == -1 ||
	    session_string(doc, "refreshJwt", true, bluesky_token_valid, &session->refresh_jwt, err,
			   errlen) == -1 ||
	    session_string(doc, "did", true, bluesky_did_valid, &session->did, err, errlen) == -1 ||
	    session_string(doc, "handle", false, rw_item_id_valid, &session->handle, err, errlen) ==
		    -1)
		goto fail;
	session->access_expires_ms = rw_jwt_expiry_ms(session->access_jwt);
	wipe_member(doc, "accessJwt");
	wipe_member(doc, "refreshJwt");
	json_decref(doc);
	return 0;
fail:
	rw_bluesky_session_clear(session);
	wipe_member(doc, "accessJwt");
	wipe_member(doc, "refreshJwt");
	json_decref(doc);
	return -1;
}

static void
wipe_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

void
rw_bluesky_session_clear(struct rw_bluesky_session *session)
{
	if (session == NULL)
		return;
	wipe_free(session->access_jwt);
	wipe_free(session->refresh_jwt);
	free(session->did);
	free(session->handle);
	memset(session, 0, sizeof(*session));
}

int
rw_bluesky_parse_error(const char *body, size_t len, char *name, size_t namelen)
{
	json_t *doc = rw_page_load(body, len, JSON_OBJECT, NULL, 0);
	const char *error = rw_page_str(doc, "error");

	if (error == NULL) {
		json_decref(doc);
		return -1;
	}
	if (namelen > 0)
		snprintf(name, namelen, "%s", error);
	json_decref(doc);
	return 0;
}

/* An actor's display name: the handle, else the DID (Bluesky reports a
 * handle that no longer resolves as "handle.invalid"). */
static const char *
actor_name(const json_t *author)
{
	const char *handle = rw_page_str(author, "handle");

	if (handle != NULL && strcmp(handle, "handle.invalid") != 0)
		return handle;
	return rw_page_str(author, "did");
}

/* https://bsky.app/profile/NAME/post/RKEY for at://DID/app.bsky.feed.post/RKEY;
 * *url stays NULL for another kind of uri. Returns 0 or -1. */
static int
post_url(const char *uri, const char *name, char **url)
{
	static const char scheme[] = "at://", collection[] = "/app.bsky.feed.post/";
	const char *did, *slash, *rkey;

	*url = NULL;
	if (strncmp(uri, scheme, strlen(scheme)) != 0)
		return 0;
	did = uri + strlen(scheme);
	if ((slash = strchr(did, '/')) == NULL || slash == did ||
	    strncmp(slash, collection, strlen(collection)) != 0)
		return 0;
	rkey = slash + strlen(collection);
	if (*rkey == '\0' || strchr(rkey, '/') != NULL)
		return 0;
	if (asprintf(url, "https://bsky.app/profile/%s/post/%s", name, rkey) == -1) {
		*url = NULL;
		return -1;
	}
	return 0;
}

bool
rw_bluesky_uri_valid(const char *uri)
{
	static const char scheme[] = "at://";

	if (!rw_item_id_valid(uri) || strncmp(uri, scheme, strlen(scheme)) != 0 ||
	    uri[strlen(scheme)] == '\0')
		return false;
	/* The characters of DIDs, NSIDs and record keys. */
	for (const char *p = uri + strlen(scheme); *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("._:~%/-", *p) == NULL)
			return false;
	return true;
}

/* Fills what every kept post gives: id = uri, author, text, url,
 * conversation_id = record.reply.root.uri (else the uri), and created_at:
 * record.createdAt, which the poster's device sets, but never later than
 * indexed (the time the platform says it saw the post; NULL: none), and
 * indexed alone when createdAt cannot be read. Sets it->id first, so that
 * a reject names the post. */
static enum rw_page_entry
bluesky_post_item(const json_t *parent, const char *uri_key, const json_t *author,
		  const json_t *record, const char *indexed, struct rw_item *it, const char **why)
{
	const char *uri, *created = rw_page_str(record, "createdAt"), *name = actor_name(author);
	const json_t *reply = json_object_get(record, "reply");
	const char *root;
	int64_t claimed = 0, seen = 0;

	if ((uri = rw_page_id(parent, uri_key, rw_bluesky_uri_valid, why)) == NULL)
		return RW_PAGE_REJECTED;
	if (rw_page_copy(uri, &it->id) == -1)
		return RW_PAGE_NOMEM;
	*why = RW_REJECT_WRONG_TYPE;
	if (!json_is_object(record))
		return RW_PAGE_REJECTED;
	*why = RW_REJECT_BAD_AUTHOR;
	if (name == NULL || !rw_item_id_valid(name))
		return RW_PAGE_REJECTED;
	if (created != NULL && rw_time_parse(created, &claimed) == -1)
		claimed = 0;
	if (indexed != NULL && rw_time_parse(indexed, &seen) == -1)
		seen = 0;
	*why = RW_REJECT_BAD_TIME;
	if ((it->created_at_ms = rw_page_earlier(claimed, seen)) == 0)
		return RW_PAGE_REJECTED;
	/* The thread root becomes a conversation's key. */
	*why = RW_REJECT_BAD_ID;
	if (rw_page_opt_id(json_object_get(reply, "root"), "uri", rw_bluesky_uri_valid, &root) ==
	    -1)
		return RW_PAGE_REJECTED;
	if (rw_page_copy(name, &it->author) == -1 ||
	    rw_page_copy(rw_page_str(record, "text"), &it->text) == -1 ||
	    rw_page_copy(root != NULL ? root : uri, &it->conversation_id) == -1 ||
	    post_url(uri, name, &it->url) == -1)
		return RW_PAGE_NOMEM;
	return RW_PAGE_KEPT;
}

static enum rw_page_entry
bluesky_notification(const json_t *n, const char *brand_did, struct rw_item *it, const char **why)
{
	const json_t *reason = json_object_get(n, "reason");
	const json_t *author = json_object_get(n, "author");
	const char *r = json_string_value(reason);
	enum rw_page_entry e;

	*why = RW_REJECT_WRONG_TYPE;
	if (!json_is_object(n) || !json_is_string(reason))
		return RW_PAGE_REJECTED;
	if (strcmp(r, "mention") != 0 && strcmp(r, "reply") != 0 && strcmp(r, "quote") != 0)
		return RW_PAGE_SKIPPED; /* a like, a follow, ... */
	if (rw_page_same(rw_page_str(author, "did"), brand_did))
		return RW_PAGE_SKIPPED; /* the brand's own post */
	e = bluesky_post_item(n, "uri", author, json_object_get(n, "record"),
			      rw_page_str(n, "indexedAt"), it, why);
	if (e != RW_PAGE_KEPT)
		return e;
	it->kind = strcmp(r, "reply") == 0 ? RW_KIND_COMMENT : RW_KIND_MENTION;
	return RW_PAGE_KEPT;
}

static enum rw_page_entry
bluesky_feed_post(const json_t *entry, const char *brand_did, struct rw_item *it, const char **why)
{
	const json_t *post = json_object_get(entry, "post"), *reason;
	const json_t *author = json_object_get(post, "author");
	const json_t *record = json_object_get(post, "record");
	const json_t *reply = json_object_get(record, "reply");
	const char *did = rw_page_str(author, "did"), *parent;
	enum rw_page_entry e;

	*why = RW_REJECT_WRONG_TYPE;
	if (!json_is_object(entry) || !json_is_object(post))
		return RW_PAGE_REJECTED;
	reason = json_object_get(entry, "reason");
	if ((reason != NULL && !json_is_null(reason)) ||
	    (did != NULL && !rw_page_same(did, brand_did)) ||
	    (json_is_object(record) && (reply == NULL || json_is_null(reply))))
		return RW_PAGE_SKIPPED; /* a repost, another's post, or not a reply */
	e = bluesky_post_item(post, "uri", author, record, rw_page_str(post, "indexedAt"), it, why);
	if (e != RW_PAGE_KEPT)
		return e;
	if (did == NULL) {
		*why = RW_REJECT_BAD_AUTHOR;
		return RW_PAGE_REJECTED;
	}
	if ((parent = rw_page_id(json_object_get(reply, "parent"), "uri", rw_bluesky_uri_valid,
				 why)) == NULL) {
		*why = RW_REJECT_BAD_ID;
		return RW_PAGE_REJECTED;
	}
	it->kind = RW_KIND_MENTION;
	it->from_brand = true;
	return rw_page_copy(parent, &it->in_reply_to) == -1 ? RW_PAGE_NOMEM : RW_PAGE_KEPT;
}

/* The uri and time by which a notification is listed. */
static void
notification_place(const json_t *n, const char **uri, const char **at)
{
	*uri = rw_page_str(n, "uri");
	*at = rw_page_str(n, "indexedAt");
}

/* The uri and time by which a feed entry is listed: a repost is listed at
 * the time of the repost, not of the post. */
static void
feed_place(const json_t *entry, const char **uri, const char **at)
{
	const json_t *post = json_object_get(entry, "post");

	*uri = rw_page_str(post, "uri");
	*at = rw_page_str(json_object_get(entry, "reason"), "indexedAt");
	if (*at == NULL)
		*at = rw_page_str(post, "indexedAt");
}

struct list {
	const char *key; /* the member holding the entries */
	void (*place)(const json_t *entry, const char **uri, const char **at);
	enum rw_page_entry (*one)(const json_t *entry, const char *brand_did, struct rw_item *it,
				  const char **why);
};

static const struct list notifications = {"notifications", notification_place,
					  bluesky_notification};
static const struct list feed = {"feed", feed_place, bluesky_feed_post};

static int
parse_list(const char *body, size_t len, const char *brand_did, const struct list *list,
	   struct rw_page *page, char *err, size_t errlen)
{
	json_t *doc;
	const json_t *entries, *cursor;
	const char *newest = NULL, *oldest = NULL;
	struct rw_item it = {0};

	memset(page, 0, sizeof(*page));
	if ((doc = rw_page_load(body, len, JSON_OBJECT, err, errlen)) == NULL)
		return -1;
	entries = json_object_get(doc, list->key);
	if (!json_is_array(entries)) {
		snprintf(err, errlen, "expected a %s array", list->key);
		goto fail;
	}
	if (json_array_size(entries) > RW_PAGE_MAX_ENTRIES) {
		/* Refused whole: taking a part would move the cursor past the rest. */
		snprintf(err, errlen, "page too large: %zu %s (at most %d)",
			 json_array_size(entries), list->key, RW_PAGE_MAX_ENTRIES);
		goto fail;
	}
	cursor = json_object_get(doc, "cursor");
	if (cursor != NULL && !json_is_null(cursor) &&
	    !(json_is_string(cursor) &&
	      strlen(json_string_value(cursor)) == json_string_length(cursor) &&
	      rw_page_token_valid(json_string_value(cursor)))) {
		snprintf(err, errlen, "cursor: not a paging cursor");
		goto fail;
	}
	page->nentries = json_array_size(entries);
	for (size_t i = page->nentries; i-- > 0;) {
		const json_t *entry = json_array_get(entries, i);
		const char *uri, *at, *why = NULL;
		enum rw_page_entry e;

		list->place(entry, &uri, &at);
		if (rw_bluesky_uri_valid(uri)) {
			if (oldest == NULL)
				oldest = uri;
			newest = uri;
		}
		/* The uris do not sort: they count by place (above), not by id. */
		if (rw_page_note(page, NULL, at) == -1)
			goto nomem;
		e = list->one(entry, brand_did, &it, &why);
		if (rw_page_keep(page, e, why, &it) == -1)
			goto nomem;
	}
	if (rw_page_copy(newest, &page->newest_id) == -1 ||
	    rw_page_copy(oldest, &page->oldest_id) == -1 ||
	    rw_page_copy(rw_page_str(doc, "cursor"), &page->next) == -1)
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
rw_bluesky_parse_notifications(const char *body, size_t len, const char *brand_did,
			       struct rw_page *page, char *err, size_t errlen)
{
	return parse_list(body, len, brand_did, &notifications, page, err, errlen);
}

int
rw_bluesky_parse_feed(const char *body, size_t len, const char *brand_did, struct rw_page *page,
		      char *err, size_t errlen)
{
	return parse_list(body, len, brand_did, &feed, page, err, errlen);
}
