/*
 * mastodon_parse.c: Mastodon REST answers (notifications, the brand's
 * statuses, verify_credentials) into items. Pure: no I/O.
 *
 * Entries are read from the last (oldest) to the first so that the kept
 * items come out oldest first. Every entry counts towards the watermarks;
 * one that cannot be used (another type, no status, an unreadable time) is
 * skipped, never fatal: only a body of the wrong shape is.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/config.h"
#include "replywatch/htmltext.h"
#include "replywatch/item.h"
#include "replywatch/mastodon.h"
#include "replywatch/mention.h"
#include "replywatch/page.h"

/* What happened to one entry. */
enum entry { ENTRY_SKIPPED, ENTRY_KEPT, ENTRY_NOMEM };

/* The non-empty string member key of obj, or NULL. */
static const char *
str(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_string(v) && json_string_length(v) > 0 ? json_string_value(v) : NULL;
}

static bool
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Copies s (NULL stays NULL) into *out. Returns 0 or -1. */
static int
copy(const char *s, char **out)
{
	*out = NULL;
	if (s == NULL)
		return 0;
	*out = strdup(s);
	return *out == NULL ? -1 : 0;
}

static json_t *
load(const char *body, size_t len, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *doc = json_loadb(body != NULL ? body : "", body != NULL ? len : 0, 0, &jerr);

	if (doc == NULL)
		snprintf(err, errlen, "malformed JSON at line %d column %d: %.80s", jerr.line,
			 jerr.column, jerr.text);
	return doc;
}

/* The plain text of a status: its spoiler_text, a blank line, then its
 * content as text. Returns 0 (*out may be NULL: no text) or -1. */
static int
status_text(const json_t *status, char **out)
{
	const char *spoiler = str(status, "spoiler_text"), *html = str(status, "content");
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
		return copy(spoiler, out);
	}
	if (asprintf(out, "%s\n\n%s", spoiler, text) == -1)
		*out = NULL;
	free(text);
	return *out == NULL ? -1 : 0;
}

/* Fills the parts of it every status gives: id, created_at, text, url.
 * Returns ENTRY_KEPT, ENTRY_SKIPPED (no id or time) or ENTRY_NOMEM. */
static enum entry
status_item(const json_t *status, struct rw_item *it)
{
	const char *id = str(status, "id"), *created = str(status, "created_at");
	const char *url = str(status, "url");

	if (id == NULL || created == NULL || rw_time_parse(created, &it->created_at_ms) == -1)
		return ENTRY_SKIPPED;
	if (url == NULL)
		url = str(status, "uri");
	if (copy(id, &it->id) == -1 || copy(url, &it->url) == -1 ||
	    status_text(status, &it->text) == -1)
		return ENTRY_NOMEM;
	return ENTRY_KEPT;
}

/* Counts an entry's id and created_at into the watermarks. Returns 0 or -1. */
static int
note(struct rw_page *page, const json_t *entry)
{
	const char *id = str(entry, "id"), *created = str(entry, "created_at");
	int64_t ms;

	if (id != NULL && rw_page_note_id(page, id) == -1)
		return -1;
	if (created != NULL && rw_time_parse(created, &ms) == 0)
		rw_page_note_time(page, ms);
	return 0;
}

static enum entry
notification(const json_t *n, const char *brand_id, struct rw_item *it)
{
	const json_t *status = json_object_get(n, "status");
	const json_t *account = json_object_get(n, "account");
	const json_t *by = json_object_get(status, "account");
	const char *author, *reply_to;
	const json_t *followers;
	enum entry e;

	if (str(n, "id") == NULL || !same(str(n, "type"), "mention") || !json_is_object(status))
		return ENTRY_SKIPPED;
	if (!json_is_object(by))
		by = account;
	if (same(str(by, "id"), brand_id))
		return ENTRY_SKIPPED;
	if (str(account, "acct") == NULL)
		account = by;
	if ((author = str(account, "acct")) == NULL)
		return ENTRY_SKIPPED;
	if ((e = status_item(status, it)) != ENTRY_KEPT)
		return e;
	followers = json_object_get(account, "followers_count");
	if (json_is_integer(followers) && json_integer_value(followers) >= 0) {
		it->has_followers = true;
		it->author_followers = json_integer_value(followers);
	}
	it->kind = same(str(status, "in_reply_to_account_id"), brand_id) ? RW_KIND_COMMENT
									  : RW_KIND_MENTION;
	reply_to = str(status, "in_reply_to_id");
	if (copy(author, &it->author) == -1 ||
	    copy(reply_to != NULL ? reply_to : it->id, &it->conversation_id) == -1)
		return ENTRY_NOMEM;
	return ENTRY_KEPT;
}

static enum entry
brand_status(const json_t *status, const char *brand_id, struct rw_item *it)
{
	const json_t *account = json_object_get(status, "account");
	const json_t *reblog = json_object_get(status, "reblog");
	const char *reply_to = str(status, "in_reply_to_id"), *acct = str(account, "acct");
	enum entry e;

	if (reply_to == NULL || (reblog != NULL && !json_is_null(reblog)) ||
	    !same(str(account, "id"), brand_id))
		return ENTRY_SKIPPED;
	if ((e = status_item(status, it)) != ENTRY_KEPT)
		return e;
	it->kind = RW_KIND_MENTION;
	it->from_brand = true;
	if (copy(reply_to, &it->in_reply_to) == -1 || copy(reply_to, &it->conversation_id) == -1 ||
	    copy(acct != NULL ? acct : brand_id, &it->author) == -1)
		return ENTRY_NOMEM;
	return ENTRY_KEPT;
}

/* Parses an array of entries with one (notification or brand_status). */
static int
parse_array(const char *body, size_t len, const char *brand_id,
	    enum entry (*one)(const json_t *, const char *, struct rw_item *),
	    struct rw_page *page, char *err, size_t errlen)
{
	json_t *doc;
	struct rw_item it = {0};

	memset(page, 0, sizeof(*page));
	if ((doc = load(body, len, err, errlen)) == NULL)
		return -1;
	if (!json_is_array(doc)) {
		snprintf(err, errlen, "expected a JSON array");
		goto fail;
	}
	page->nentries = json_array_size(doc);
	for (size_t i = page->nentries; i-- > 0;) {
		const json_t *entry = json_array_get(doc, i);

		if (note(page, entry) == -1)
			goto nomem;
		switch (one(entry, brand_id, &it)) {
		case ENTRY_KEPT:
			if (rw_page_append(page, &it) == -1)
				goto nomem;
			break;
		case ENTRY_SKIPPED:
			rw_item_clear(&it);
			break;
		case ENTRY_NOMEM:
			goto nomem;
		}
	}
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
rw_mastodon_parse_notifications(const char *body, size_t len, const char *brand_id,
				struct rw_page *page, char *err, size_t errlen)
{
	return parse_array(body, len, brand_id, notification, page, err, errlen);
}

int
rw_mastodon_parse_statuses(const char *body, size_t len, const char *brand_id,
			   struct rw_page *page, char *err, size_t errlen)
{
	return parse_array(body, len, brand_id, brand_status, page, err, errlen);
}

int
rw_mastodon_parse_account(const char *body, size_t len, char **id, char **acct, char *err,
			  size_t errlen)
{
	json_t *doc;
	const char *i, *a;

	*id = NULL;
	*acct = NULL;
	if ((doc = load(body, len, err, errlen)) == NULL)
		return -1;
	if (!json_is_object(doc)) {
		snprintf(err, errlen, "expected a JSON object");
		goto fail;
	}
	if ((i = str(doc, "id")) == NULL) {
		snprintf(err, errlen, "account: no id");
		goto fail;
	}
	if ((a = str(doc, "acct")) == NULL && (a = str(doc, "username")) == NULL) {
		snprintf(err, errlen, "account: no acct");
		goto fail;
	}
	if (copy(i, id) == -1 || copy(a, acct) == -1) {
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
