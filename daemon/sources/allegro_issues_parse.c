/*
 * allegro_issues_parse.c: Allegro post-purchase issues (GET /sale/issues and
 * an issue's chat, beta v1) to follow-ups and items. Pure: see
 * sources/allegro_msg.h.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allegro_msg_internal.h"
#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/sources/allegro_msg.h"
#include "replywatch/sources/review.h"

static enum rw_page_entry
allegro_issue(const json_t *issue, enum rw_allegro_issue_time time, struct rw_page *page,
	      const char **why)
{
	const json_t *last = json_object_get(json_object_get(issue, "chat"), "lastMessage");
	const char *id;
	int64_t opened, changed;

	*why = RW_REJECT_WRONG_TYPE;
	if (!json_is_object(issue))
		return RW_PAGE_REJECTED;
	if ((id = rw_page_id(issue, "id", rw_allegro_msg_id_valid, why)) == NULL)
		return RW_PAGE_REJECTED;
	*why = RW_REJECT_BAD_TIME;
	if ((opened = rw_review_time(issue, "openedDate")) == 0)
		return RW_PAGE_REJECTED;
	/* The chat's last change; an issue without one has only its opening. */
	changed = rw_review_time(last, "createdAt");
	if (changed < opened)
		changed = opened;
	rw_page_note_time(page, time == RW_ALLEGRO_OPENED ? opened : changed);
	return rw_page_follow(page, id, changed) == -1 ? RW_PAGE_NOMEM : RW_PAGE_SKIPPED;
}

int
rw_allegro_parse_issues(const char *body, size_t len, enum rw_allegro_issue_time time,
			struct rw_page *page, char *err, size_t errlen)
{
	json_t *doc = rw_page_load(body, len, JSON_OBJECT, err, errlen);
	const json_t *list, *issue;
	size_t i;

	memset(page, 0, sizeof(*page));
	if (doc == NULL)
		return -1;
	if (allegro_msg_list(doc, "issues", &list, err, errlen) == -1)
		goto fail;
	page->nentries = json_array_size(list);
	json_array_foreach(list, i, issue)
	{
		const char *why = NULL;
		enum rw_page_entry e = allegro_issue(issue, time, page, &why);

		if (allegro_msg_entry_end(page, e, why, issue) == -1)
			goto nomem;
	}
	json_decref(doc);
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	rw_page_clear(page);
	json_decref(doc);
	return -1;
}

static enum allegro_side
allegro_chat_side(const json_t *m)
{
	const char *role = rw_page_str(json_object_get(m, "author"), "role");

	if (rw_page_same(role, "BUYER"))
		return ALLEGRO_BUYER;
	if (rw_page_same(role, "SELLER"))
		return ALLEGRO_SELLER;
	return ALLEGRO_OTHER; /* ADMIN, SYSTEM, FULFILLMENT */
}

static enum rw_page_entry
allegro_chat_message(const json_t *m, const char *issue, const char *url_base, struct rw_page *page,
		     struct rw_item *it, const char **why)
{
	const char *id;
	int64_t ms;

	*why = RW_REJECT_WRONG_TYPE;
	if (!json_is_object(m))
		return RW_PAGE_REJECTED;
	if ((id = rw_page_id(m, "id", rw_allegro_msg_id_valid, why)) == NULL)
		return RW_PAGE_REJECTED;
	*why = RW_REJECT_BAD_TIME;
	if ((ms = rw_review_time(m, "createdAt")) == 0)
		return RW_PAGE_REJECTED;
	rw_page_note_time(page, ms);
	*why = RW_REJECT_WRONG_TYPE;
	if (!json_is_object(json_object_get(m, "author")))
		return RW_PAGE_REJECTED;
	return allegro_msg_item(m, id, ms, allegro_chat_side(m), issue, url_base, it, why);
}

int
rw_allegro_parse_chat(const char *body, size_t len, const char *issue, const char *token,
		      const char *web, struct rw_page *page, char *err, size_t errlen)
{
	json_t *doc = rw_page_load(body, len, JSON_OBJECT, err, errlen);
	const json_t *list, *m;
	char *url_base = NULL;
	long long offset = token ? strtoll(token, NULL, 10) : 0;
	size_t i;

	memset(page, 0, sizeof(*page));
	if (doc == NULL)
		return -1;
	if (allegro_msg_list(doc, "chat", &list, err, errlen) == -1)
		goto fail;
	if (web != NULL && asprintf(&url_base, "%s/reklamacje/", web) < 0) {
		url_base = NULL;
		goto nomem;
	}
	page->nentries = json_array_size(list);
	json_array_foreach(list, i, m)
	{
		struct rw_item it = {0};
		const char *why = NULL;
		enum rw_page_entry e = allegro_chat_message(m, issue, url_base, page, &it, &why);

		if (rw_page_keep(page, e, why, &it) == -1) {
			rw_item_clear(&it);
			goto nomem;
		}
	}
	if (page->nentries >= RW_ALLEGRO_CHAT_LIMIT && offset >= 0 &&
	    allegro_msg_next_offset(offset, (long long)page->nentries, &page->next) == -1)
		goto nomem;
	free(url_base);
	json_decref(doc);
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	free(url_base);
	rw_page_clear(page);
	json_decref(doc);
	return -1;
}
