/*
 * mastodon_parse.c: Mastodon REST answers (notifications, the brand's
 * statuses, verify_credentials) into items. Pure: no I/O.
 *
 * Entries are read from the last (oldest) to the first so that the kept
 * items come out oldest first. Every entry counts towards the watermarks;
 * one that is not ours (another type, a reblog, the brand's own mention)
 * is skipped, one that is but cannot be used (no status, an unreadable
 * time, a bad id) is rejected with a reason (page.h), never fatal: only a
 * body of the wrong shape, or too large, is.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/config.h"
#include "replywatch/sources/htmltext.h"
#include "replywatch/item.h"
#include "replywatch/sources/mastodon.h"
#include "replywatch/mention.h"
#include "replywatch/page.h"

/* The plain text of a status: its spoiler_text, a blank line, then its
 * content as text. Returns 0 (*out may be NULL: no text) or -1. */
static int
status_text(const json_t *status, char **out)
{
	const char *spoiler = rw_page_str(status, "spoiler_text");
	const char *html = rw_page_str(status, "content");
	char *text = NULL;

	*out = NULL;
	if (html != NULL && (text = rw_html_to_text(html, strlen(html))) == NULL)
		return -1;
	if (spoiler == NULL) {
		*out = text;
		return 0;
	}
	if (text == NULL || text[0] == '\0') {
		free(text);
		return rw_page_copy(spoiler, out);
	}
	if (asprintf(out, "%s\n\n%s", spoiler, text) == -1)
		*out = NULL;
	free(text);
	return *out == NULL ? -1 : 0;
}

bool
rw_mastodon_id_valid(const char *id)
{
	size_t n;

	if (id == NULL)
		return false;
	for (n = 0; id[n] != '\0'; n++) {
		char c = id[n];

		if (n == RW_MASTODON_ID_MAX || !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
						 (c >= 'A' && c <= 'Z') || c == '-' || c == '_'))
			return false;
	}
	return n > 0;
}

/* Fills the parts of it every status gives: id, created_at, text, url, and
 * in *reply_to the status it answers (NULL: none). The time is the
 * status's created_at, but never later than seen_ms (0: none), the time the
 * brand's own server recorded the notification: a remote server sets a
 * status's created_at, and its clock may run fast. Sets it->id first, so
 * that a reject names the status. */
static enum rw_page_entry
mastodon_status_item(const json_t *status, int64_t seen_ms, struct rw_item *it,
		     const char **reply_to, const char **why)
{
	const char *id, *created = rw_page_str(status, "created_at");
	const char *url = rw_page_str(status, "url");
	int64_t claimed = 0;

	if ((id = rw_page_id(status, "id", rw_mastodon_id_valid, why)) == NULL)
		return RW_PAGE_REJECTED;
	if (rw_page_copy(id, &it->id) == -1)
		return RW_PAGE_NOMEM;
	if (created != NULL && rw_time_parse(created, &claimed) == -1)
		claimed = 0;
	if ((it->created_at_ms = rw_page_earlier(claimed, seen_ms)) == 0) {
		*why = RW_REJECT_BAD_TIME;
		return RW_PAGE_REJECTED;
	}
	/* The status replied to becomes a conversation's key. */
	if (rw_page_opt_id(status, "in_reply_to_id", rw_mastodon_id_valid, reply_to) == -1) {
		*why = RW_REJECT_BAD_ID;
		return RW_PAGE_REJECTED;
	}
	if (url == NULL)
		url = rw_page_str(status, "uri");
	if (rw_page_copy(url, &it->url) == -1 || status_text(status, &it->text) == -1)
		return RW_PAGE_NOMEM;
	return RW_PAGE_KEPT;
}

static enum rw_page_entry
mastodon_notification(const json_t *n, const char *brand_id, struct rw_item *it, const char **why)
{
	const json_t *status = json_object_get(n, "status");
	const json_t *account = json_object_get(n, "account");
	const json_t *by = json_object_get(status, "account");
	const json_t *type = json_object_get(n, "type");
	const char *author, *reply_to, *seen = rw_page_str(n, "created_at");
	const json_t *followers;
	int64_t seen_ms = 0;
	enum rw_page_entry e;

	*why = RW_REJECT_WRONG_TYPE;
	if (!json_is_object(n))
		return RW_PAGE_REJECTED;
	if (json_is_string(type) && strcmp(json_string_value(type), "mention") != 0)
		return RW_PAGE_SKIPPED; /* another kind of notification */
	if (!json_is_string(type) || !json_is_object(status))
		return RW_PAGE_REJECTED;
	if (!json_is_object(by))
		by = account;
	if (rw_page_same(rw_page_str(by, "id"), brand_id))
		return RW_PAGE_SKIPPED; /* the brand mentioning itself */
	if (seen != NULL && rw_time_parse(seen, &seen_ms) == -1)
		seen_ms = 0;
	if ((e = mastodon_status_item(status, seen_ms, it, &reply_to, why)) != RW_PAGE_KEPT)
		return e;
	if (rw_page_str(account, "acct") == NULL)
		account = by;
	if ((author = rw_page_str(account, "acct")) == NULL) {
		*why = RW_REJECT_BAD_AUTHOR;
		return RW_PAGE_REJECTED;
	}
	followers = json_object_get(account, "followers_count");
	if (json_is_integer(followers) && json_integer_value(followers) >= 0) {
		it->has_followers = true;
		it->author_followers = json_integer_value(followers);
	}
	it->kind = rw_page_same(rw_page_str(status, "in_reply_to_account_id"), brand_id)
			   ? RW_KIND_COMMENT
			   : RW_KIND_MENTION;
	if (rw_page_copy(author, &it->author) == -1 ||
	    rw_page_copy(reply_to != NULL ? reply_to : it->id, &it->conversation_id) == -1)
		return RW_PAGE_NOMEM;
	return RW_PAGE_KEPT;
}

static enum rw_page_entry
mastodon_brand_status(const json_t *status, const char *brand_id, struct rw_item *it,
		      const char **why)
{
	const json_t *account = json_object_get(status, "account");
	const json_t *reblog = json_object_get(status, "reblog");
	const json_t *reply = json_object_get(status, "in_reply_to_id");
	const char *acct = rw_page_str(account, "acct"), *by = rw_page_str(account, "id");
	const char *reply_to;
	enum rw_page_entry e;

	*why = RW_REJECT_WRONG_TYPE;
	if (!json_is_object(status))
		return RW_PAGE_REJECTED;
	if ((reblog != NULL && !json_is_null(reblog)) || reply == NULL || json_is_null(reply) ||
	    (by != NULL && !rw_page_same(by, brand_id)))
		return RW_PAGE_SKIPPED; /* a reblog, not a reply, or another's status */
	/* The brand's own server sets its statuses' created_at. */
	if ((e = mastodon_status_item(status, 0, it, &reply_to, why)) != RW_PAGE_KEPT)
		return e;
	if (reply_to == NULL) {
		*why = RW_REJECT_BAD_ID;
		return RW_PAGE_REJECTED;
	}
	if (by == NULL) {
		*why = RW_REJECT_BAD_AUTHOR;
		return RW_PAGE_REJECTED;
	}
	it->kind = RW_KIND_MENTION;
	it->from_brand = true;
	if (rw_page_copy(reply_to, &it->in_reply_to) == -1 ||
	    rw_page_copy(reply_to, &it->conversation_id) == -1 ||
	    rw_page_copy(acct != NULL ? acct : brand_id, &it->author) == -1)
		return RW_PAGE_NOMEM;
	return RW_PAGE_KEPT;
}

/* Parses an array of entries with one (notification or brand_status). */
static int
parse_array(const char *body, size_t len, const char *brand_id,
	    enum rw_page_entry (*one)(const json_t *, const char *, struct rw_item *,
				      const char **),
	    struct rw_page *page, char *err, size_t errlen)
{
	json_t *doc;
	struct rw_item it = {0};

	memset(page, 0, sizeof(*page));
	if ((doc = rw_page_load(body, len, JSON_ARRAY, err, errlen)) == NULL)
		return -1;
	if (json_array_size(doc) > RW_PAGE_MAX_ENTRIES) {
		/* Refused whole: taking a part would move the cursor past the rest. */
		snprintf(err, errlen, "page too large: %zu entries (at most %d)",
			 json_array_size(doc), RW_PAGE_MAX_ENTRIES);
		json_decref(doc);
		return -1;
	}
	page->nentries = json_array_size(doc);
	for (size_t i = page->nentries; i-- > 0;) {
		const json_t *entry = json_array_get(doc, i);
		const char *id = rw_page_str(entry, "id");
		const char *created = rw_page_str(entry, "created_at");
		const char *why = NULL;
		enum rw_page_entry e;

		/* Only an id of Mastodon's format may become a cursor. */
		if (rw_page_note(page, rw_mastodon_id_valid(id) ? id : NULL, created) == -1)
			goto nomem;
		e = one(entry, brand_id, &it, &why);
		if (rw_page_keep(page, e, why, &it) == -1)
			goto nomem;
	}
	json_decref(doc);
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	rw_item_clear(&it);
	rw_page_clear(page);
	json_decref(doc);
	return -1;
}

int
rw_mastodon_parse_notifications(const char *body, size_t len, const char *brand_id,
				struct rw_page *page, char *err, size_t errlen)
{
	return parse_array(body, len, brand_id, mastodon_notification, page, err, errlen);
}

int
rw_mastodon_parse_statuses(const char *body, size_t len, const char *brand_id, struct rw_page *page,
			   char *err, size_t errlen)
{
	return parse_array(body, len, brand_id, mastodon_brand_status, page, err, errlen);
}

int
rw_mastodon_parse_account(const char *body, size_t len, char **id, char **acct, char *err,
			  size_t errlen)
{
	json_t *doc;
	const char *i, *a;

	*id = NULL;
	*acct = NULL;
	if ((doc = rw_page_load(body, len, JSON_OBJECT, err, errlen)) == NULL)
		return -1;
	if ((i = rw_page_str(doc, "id")) == NULL) {
		snprintf(err, errlen, "account: no id");
		goto fail;
	}
	/* The id goes into request paths, the acct into log lines. */
	if (!rw_mastodon_id_valid(i)) {
		snprintf(err, errlen, "account: bad id");
		goto fail;
	}
	if ((a = rw_page_str(doc, "acct")) == NULL && (a = rw_page_str(doc, "username")) == NULL) {
		snprintf(err, errlen, "account: no acct");
		goto fail;
	}
	if (!rw_item_id_valid(a)) {
		snprintf(err, errlen, "account: bad acct");
		goto fail;
	}
	if (rw_page_copy(i, id) == -1 || rw_page_copy(a, acct) == -1) {
		snprintf(err, errlen, "out of memory");
		free(*id);
		free(*acct);
		*id = NULL;
		*acct = NULL;
		goto fail;
	}
	json_decref(doc);
	return 0;
fail:
	json_decref(doc);
	return -1;
}
