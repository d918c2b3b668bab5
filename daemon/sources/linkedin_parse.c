/*
 * linkedin_parse.c: LinkedIn Community Management API answers into items.
 * Pure: no I/O.
 *
 * Only ids, times and links are kept: LinkedIn's Data Storage Requirements
 * allow members' comments and mentions (and who wrote them) to be stored
 * for 48 hours, and the tracker keeps an item for the whole SLA, so their
 * text and the commenter never reach it (linkedin.h).
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/sources/linkedin.h"

#define URN_PREFIX "urn:li:"
#define ORG_PREFIX "urn:li:organization:"
#define COMMENT_PREFIX "urn:li:comment:("
#define FEED_URL "https://www.linkedin.com/feed/update/"

bool
rw_linkedin_urn_valid(const char *urn)
{
	const char *p;

	if (urn == NULL || strncmp(urn, URN_PREFIX, strlen(URN_PREFIX)) != 0 ||
	    !rw_item_id_valid(urn))
		return false;
	p = urn + strlen(URN_PREFIX);
	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return false;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
		p++;
	return *p == ':' && p[1] != '\0';
}

bool
rw_linkedin_org_valid(const char *urn)
{
	const char *p;
	size_t n = 0;

	if (urn == NULL || strncmp(urn, ORG_PREFIX, strlen(ORG_PREFIX)) != 0)
		return false;
	for (p = urn + strlen(ORG_PREFIX); *p != '\0'; p++, n++)
		if (*p < '0' || *p > '9' || n == 20)
			return false;
	return n > 0;
}

char *
rw_linkedin_urn_normalise(const char *urn)
{
	const char *key;
	char *out;

	if (!rw_linkedin_urn_valid(urn))
		return NULL;
	if (strncmp(urn, COMMENT_PREFIX, strlen(COMMENT_PREFIX)) != 0)
		return strdup(urn);
	key = urn + strlen(COMMENT_PREFIX);
	if (strncmp(key, URN_PREFIX, strlen(URN_PREFIX)) == 0)
		return strdup(urn);
	if (asprintf(&out, COMMENT_PREFIX URN_PREFIX "%s", key) == -1)
		return NULL;
	if (!rw_item_id_valid(out)) { /* grew past the longest id */
		free(out);
		return NULL;
	}
	return out;
}

/* The elements[] of a Rest.li collection, or NULL with err. */
static const json_t *
li_elements(const json_t *doc, char *err, size_t errlen)
{
	const json_t *el = json_object_get(doc, "elements");

	if (!json_is_array(el)) {
		snprintf(err, errlen, "no elements array");
		return NULL;
	}
	if (json_array_size(el) > RW_PAGE_MAX_ENTRIES) {
		snprintf(err, errlen, "more than %d elements", RW_PAGE_MAX_ENTRIES);
		return NULL;
	}
	return el;
}

/* A time in ms since the epoch (a positive JSON integer), or 0. */
static int64_t
li_ms(const json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) > 0 ? (int64_t)json_integer_value(v) : 0;
}

/* Member key of obj as a URN, normalised, into *out; NULL with *why. */
static enum rw_page_entry
li_urn(const json_t *obj, const char *key, char **out, const char **why)
{
	const json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)) {
		*why = RW_REJECT_NO_ID;
		return RW_PAGE_REJECTED;
	}
	if (!json_is_string(v) || !rw_linkedin_urn_valid(json_string_value(v))) {
		*why = RW_REJECT_BAD_ID;
		return RW_PAGE_REJECTED;
	}
	return (*out = rw_linkedin_urn_normalise(json_string_value(v))) ? RW_PAGE_KEPT
									: RW_PAGE_NOMEM;
}

/* The link to post, or to comment on it (comment NULL: the post). */
static char *
li_link(const char *post, const char *comment)
{
	char *enc, *url;
	int rc;

	if (comment == NULL)
		return asprintf(&url, FEED_URL "%s", post) == -1 ? NULL : url;
	if ((enc = curl_easy_escape(NULL, comment, 0)) == NULL)
		return NULL;
	rc = asprintf(&url, FEED_URL "%s?commentUrn=%s", post, enc);
	curl_free(enc);
	return rc == -1 ? NULL : url;
}

/* The author of an item: an organisation by its URN, a member as no one. */
static const char *
li_author(const char *owner)
{
	return rw_linkedin_org_valid(owner) ? owner : RW_LINKEDIN_MEMBER;
}

/* A COMMENT notification: the comment, unless the brand wrote it. */
static enum rw_page_entry
li_comment(const json_t *n, const char *org, int64_t ms, struct rw_item *it, const char **why)
{
	const json_t *c =
		json_object_get(json_object_get(n, "decoratedGeneratedActivity"), "comment");
	const char *owner = rw_page_str(c, "owner");
	enum rw_page_entry e;
	char *post = NULL;

	if (rw_page_same(owner, org))
		return RW_PAGE_SKIPPED; /* the brand's own: its replies are read per item */
	/* The decorated entity has the full URN; generatedActivity may not. */
	if (rw_page_str(c, "entity") != NULL)
		e = li_urn(c, "entity", &it->id, why);
	else
		e = li_urn(n, "generatedActivity", &it->id, why);
	if (e != RW_PAGE_KEPT)
		return e;
	if ((e = li_urn(n, "sourcePost", &post, why)) != RW_PAGE_KEPT)
		return e;
	it->created_at_ms = ms;
	it->kind = RW_KIND_COMMENT;
	it->url = li_link(post, it->id);
	free(post);
	/* Its own conversation: every member is "LinkedIn member", and the
	 * tracker resolves older open items of the same author and
	 * conversation with a reply, so a post's comments must not share one. */
	it->conversation_id = strdup(it->id);
	it->author = strdup(li_author(owner));
	return it->url && it->conversation_id && it->author ? RW_PAGE_KEPT : RW_PAGE_NOMEM;
}

/* A SHARE_MENTION notification: the post that mentions the organisation. */
static enum rw_page_entry
li_mention(const json_t *n, int64_t ms, struct rw_item *it, const char **why)
{
	enum rw_page_entry e = li_urn(n, "generatedActivity", &it->id, why);

	if (e != RW_PAGE_KEPT)
		return e;
	it->created_at_ms = ms;
	it->kind = RW_KIND_MENTION;
	it->conversation_id = strdup(it->id);
	it->url = li_link(it->id, NULL);
	it->author = strdup(RW_LINKEDIN_MEMBER);
	return it->conversation_id && it->url && it->author ? RW_PAGE_KEPT : RW_PAGE_NOMEM;
}

static enum rw_page_entry
li_notification(const json_t *n, const char *org, struct rw_page *page, struct rw_item *it,
		const char **why)
{
	const char *action = rw_page_str(n, "action");
	int64_t ms;

	if (!json_is_object(n)) {
		*why = RW_REJECT_WRONG_TYPE;
		return RW_PAGE_REJECTED;
	}
	ms = li_ms(json_object_get(n, "lastModifiedAt"));
	rw_page_note_time(page, ms);
	if (!rw_page_same(action, "COMMENT") && !rw_page_same(action, "SHARE_MENTION"))
		return RW_PAGE_SKIPPED;
	if (ms == 0) {
		*why = RW_REJECT_BAD_TIME;
		return RW_PAGE_REJECTED;
	}
	return rw_page_same(action, "COMMENT") ? li_comment(n, org, ms, it, why)
					       : li_mention(n, ms, it, why);
}

/* Elements are read from the last to the first, so that a list given
 * newest first (LinkedIn documents no order) comes out oldest first. */
int
rw_linkedin_parse_notifications(const char *body, size_t len, const char *org, struct rw_page *page,
				char *err, size_t errlen)
{
	json_t *doc;
	const json_t *el;

	memset(page, 0, sizeof(*page));
	if ((doc = rw_page_load(body, len, JSON_OBJECT, err, errlen)) == NULL)
		return -1;
	if ((el = li_elements(doc, err, errlen)) == NULL) {
		json_decref(doc);
		return -1;
	}
	page->nentries = json_array_size(el);
	for (size_t i = json_array_size(el); i-- > 0;) {
		struct rw_item it = {0};
		const char *why = NULL;
		enum rw_page_entry e = li_notification(json_array_get(el, i), org, page, &it, &why);

		if (rw_page_keep(page, e, why, &it) == -1) {
			rw_item_clear(&it);
			rw_page_clear(page);
			json_decref(doc);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	json_decref(doc);
	return 0;
}

/* One comment under about: a brand reply when org wrote it. */
static enum rw_page_entry
li_reply(const json_t *c, const char *org, const char *about, struct rw_item *it, const char **why)
{
	const char *object, *cid;
	enum rw_page_entry e;
	int64_t ms;

	if (!json_is_object(c)) {
		*why = RW_REJECT_WRONG_TYPE;
		return RW_PAGE_REJECTED;
	}
	if (!rw_page_same(rw_page_str(c, "actor"), org))
		return RW_PAGE_SKIPPED;
	object = rw_page_str(c, "object");
	cid = rw_page_str(c, "id");
	if (json_object_get(c, "commentUrn") != NULL) {
		if ((e = li_urn(c, "commentUrn", &it->id, why)) != RW_PAGE_KEPT)
			return e;
	} else if (object != NULL && cid != NULL && rw_linkedin_urn_valid(object)) {
		if (asprintf(&it->id, COMMENT_PREFIX "%s,%s)", object, cid) == -1) {
			it->id = NULL;
			return RW_PAGE_NOMEM;
		}
		if (!rw_linkedin_urn_valid(it->id)) {
			*why = RW_REJECT_BAD_ID;
			return RW_PAGE_REJECTED;
		}
	} else {
		*why = RW_REJECT_NO_ID;
		return RW_PAGE_REJECTED;
	}
	if ((ms = li_ms(json_object_get(json_object_get(c, "created"), "time"))) == 0) {
		*why = RW_REJECT_BAD_TIME;
		return RW_PAGE_REJECTED;
	}
	it->created_at_ms = ms;
	it->kind = RW_KIND_COMMENT;
	it->from_brand = true;
	it->in_reply_to = strdup(about);
	it->author = strdup(org);
	it->conversation_id = strdup(about); /* the item's own conversation (li_comment) */
	return it->in_reply_to && it->author && it->conversation_id ? RW_PAGE_KEPT : RW_PAGE_NOMEM;
}

int
rw_linkedin_parse_replies(const char *body, size_t len, const char *org, const char *about,
			  struct rw_page *page, char *err, size_t errlen)
{
	json_t *doc;
	const json_t *el;

	memset(page, 0, sizeof(*page));
	if ((doc = rw_page_load(body, len, JSON_OBJECT, err, errlen)) == NULL)
		return -1;
	if ((el = li_elements(doc, err, errlen)) == NULL) {
		json_decref(doc);
		return -1;
	}
	page->nentries = json_array_size(el);
	for (size_t i = 0; i < json_array_size(el); i++) {
		struct rw_item it = {0};
		const char *why = NULL;
		enum rw_page_entry e = li_reply(json_array_get(el, i), org, about, &it, &why);

		if (e == RW_PAGE_KEPT)
			rw_page_note_time(page, it.created_at_ms);
		if (rw_page_keep(page, e, why, &it) == -1) {
			rw_item_clear(&it);
			rw_page_clear(page);
			json_decref(doc);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	json_decref(doc);
	return 0;
}
