/*
 * allegro_threads_parse.c: Allegro Message Center answers (thread lists and
 * a thread's messages, public v1 and beta v1) to follow-ups and items.
 * Pure: see sources/allegro_msg.h.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allegro_msg_internal.h"
#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/sources/allegro_msg.h"
#include "replywatch/sources/review.h"

bool
rw_allegro_msg_id_valid(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	if (n == 0 || n > RW_ALLEGRO_MSG_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '~' || c == '=' || c == '-'))
			return false;
	}
	return true;
}

bool
rw_allegro_msg_item_id(const char *id)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

	if (id == NULL || strlen(id) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; shape[i]; i++) {
		bool hex = (id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f') ||
			   (id[i] >= 'A' && id[i] <= 'F');

		if (shape[i] == '-' ? id[i] != '-' : !hex)
			return false;
	}
	return true;
}

int
allegro_msg_list(const json_t *doc, const char *key, const json_t **list, char *err, size_t errlen)
{
	const json_t *v = json_object_get(doc, key);

	*list = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v)) {
		snprintf(err, errlen, "%s: expected an array", key);
		return -1;
	}
	if (json_array_size(v) > RW_PAGE_MAX_ENTRIES) {
		snprintf(err, errlen, "%s: more than %d entries", key, RW_PAGE_MAX_ENTRIES);
		return -1;
	}
	*list = v;
	return 0;
}

int
allegro_msg_next_page(const json_t *doc, char **next, char *err, size_t errlen)
{
	const json_t *np = json_object_get(doc, "nextPage");
	const char *token;

	*next = NULL;
	if (np == NULL || json_is_null(np))
		return 0;
	if (!json_is_object(np) || rw_review_token(json_object_get(np, "id"), &token) == -1) {
		snprintf(err, errlen, "nextPage.id: not a usable page id");
		return -1;
	}
	if (rw_page_copy(token, next) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int
allegro_msg_next_offset(long long offset, long long n, char **next)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", offset + n);
	return rw_page_copy(buf, next);
}

enum rw_page_entry
allegro_msg_item(const json_t *m, const char *id, int64_t created_ms, enum allegro_side side,
		 const char *conv, const char *url_base, struct rw_item *it, const char **why)
{
	const json_t *author = json_object_get(m, "author");
	const char *text, *login = NULL;

	if (side == ALLEGRO_OTHER)
		return RW_PAGE_SKIPPED;
	*why = RW_REJECT_WRONG_TYPE;
	if (rw_review_opt_str(m, "text", &text) == -1)
		return RW_PAGE_REJECTED;
	*why = RW_REJECT_BAD_AUTHOR;
	if (rw_review_opt_str(author, "login", &login) == -1)
		return RW_PAGE_REJECTED;
	if (rw_page_copy(id, &it->id) == -1 || rw_page_copy(conv, &it->conversation_id) == -1 ||
	    rw_page_copy(text, &it->text) == -1)
		return RW_PAGE_NOMEM;
	it->created_at_ms = created_ms;
	it->kind = RW_KIND_MESSAGE;
	if (side == ALLEGRO_SELLER) {
		it->from_brand = true;
		return RW_PAGE_KEPT;
	}
	if (rw_page_copy(login ? login : "buyer", &it->author) == -1)
		return RW_PAGE_NOMEM;
	if (url_base != NULL && asprintf(&it->url, "%s%s", url_base, conv) < 0) {
		it->url = NULL;
		return RW_PAGE_NOMEM;
	}
	return RW_PAGE_KEPT;
}

/* ------------------------------------------------------------- threads */

static enum rw_page_entry
allegro_thread(const json_t *t, enum rw_allegro_repr repr, struct rw_page *page, const char **why)
{
	const json_t *last;
	const char *id, *type;
	int64_t ms;

	*why = RW_REJECT_WRONG_TYPE;
	if (!json_is_object(t))
		return RW_PAGE_REJECTED;
	if ((id = rw_page_id(t, "id", rw_allegro_msg_id_valid, why)) == NULL)
		return RW_PAGE_REJECTED;
	last = json_object_get(t, "lastMessageDateTime");
	if (last == NULL || json_is_null(last))
		return RW_PAGE_SKIPPED; /* no message yet */
	*why = RW_REJECT_BAD_TIME;
	if ((ms = rw_review_time(t, "lastMessageDateTime")) == 0)
		return RW_PAGE_REJECTED;
	rw_page_note_time(page, ms);
	type = rw_page_str(t, "type");
	if (repr == RW_ALLEGRO_BETA && !rw_page_same(type, "POST_PURCHASE_ISSUE"))
		return RW_PAGE_SKIPPED;
	return rw_page_follow(page, id, ms) == -1 ? RW_PAGE_NOMEM : RW_PAGE_SKIPPED;
}

int
allegro_msg_entry_end(struct rw_page *page, enum rw_page_entry e, const char *why, const json_t *t)
{
	const char *id = NULL, *ignored;

	if (e == RW_PAGE_NOMEM)
		return -1;
	if (e != RW_PAGE_REJECTED)
		return 0;
	if (json_is_object(t))
		id = rw_page_id(t, "id", rw_allegro_msg_id_valid, &ignored);
	return rw_page_reject(page, why, id);
}

int
rw_allegro_parse_threads(const char *body, size_t len, enum rw_allegro_repr repr,
			 struct rw_page *page, char *err, size_t errlen)
{
	json_t *doc = rw_page_load(body, len, JSON_OBJECT, err, errlen);
	const json_t *list, *t;
	size_t i;

	memset(page, 0, sizeof(*page));
	if (doc == NULL)
		return -1;
	if (allegro_msg_list(doc, "threads", &list, err, errlen) == -1)
		goto fail;
	page->nentries = json_array_size(list);
	json_array_foreach(list, i, t)
	{
		const char *why = NULL;
		enum rw_page_entry e = allegro_thread(t, repr, page, &why);

		if (allegro_msg_entry_end(page, e, why, t) == -1) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	if (repr == RW_ALLEGRO_BETA && allegro_msg_next_page(doc, &page->next, err, errlen) == -1)
		goto fail;
	json_decref(doc);
	return 0;
fail:
	rw_page_clear(page);
	json_decref(doc);
	return -1;
}

/* ------------------------------------------------------------ messages */

/* Who wrote m, or -1 (rejected: bad author). */
static int
allegro_message_side(const json_t *m, enum rw_allegro_repr repr, const char *seller_login)
{
	const json_t *author = json_object_get(m, "author");
	const json_t *interlocutor = json_object_get(author, "isInterlocutor");
	const char *role = rw_page_str(author, "role");

	if (repr == RW_ALLEGRO_V1) {
		if (!json_is_boolean(interlocutor))
			return -1;
		return json_is_true(interlocutor) ? ALLEGRO_BUYER : ALLEGRO_SELLER;
	}
	if (rw_page_same(role, "BUYER"))
		return ALLEGRO_BUYER;
	if (rw_page_same(role, "SELLER"))
		return ALLEGRO_SELLER;
	if (rw_page_same(role, "USER")) {
		/* COMMON threads: both sides are users; the seller is the one
		 * signed in. */
		if (seller_login == NULL)
			return -1;
		return rw_page_same(rw_page_str(author, "login"), seller_login) ? ALLEGRO_SELLER
										: ALLEGRO_BUYER;
	}
	return ALLEGRO_OTHER;
}

static enum rw_page_entry
allegro_message(const json_t *m, enum rw_allegro_repr repr, const char *thread,
		const char *seller_login, const char *url_base, struct rw_page *page,
		struct rw_item *it, const char **why)
{
	const char *id, *status;
	int64_t ms;
	int side;

	*why = RW_REJECT_WRONG_TYPE;
	if (!json_is_object(m))
		return RW_PAGE_REJECTED;
	if ((id = rw_page_id(m, "id", rw_allegro_msg_id_valid, why)) == NULL)
		return RW_PAGE_REJECTED;
	*why = RW_REJECT_BAD_TIME;
	if ((ms = rw_review_time(m, "createdAt")) == 0)
		return RW_PAGE_REJECTED;
	rw_page_note_time(page, ms);
	status = rw_page_str(m, "status");
	if (rw_page_same(status, "VERIFYING") || rw_page_same(status, "BLOCKED"))
		return RW_PAGE_SKIPPED; /* not visible to the seller */
	*why = RW_REJECT_WRONG_TYPE;
	if (!json_is_object(json_object_get(m, "author")))
		return RW_PAGE_REJECTED;
	*why = RW_REJECT_BAD_AUTHOR;
	if ((side = allegro_message_side(m, repr, seller_login)) < 0)
		return RW_PAGE_REJECTED;
	return allegro_msg_item(m, id, ms, (enum allegro_side)side, thread, url_base, it, why);
}

int
rw_allegro_parse_messages(const char *body, size_t len, enum rw_allegro_repr repr,
			  const char *thread, const char *seller_login, const char *web,
			  struct rw_page *page, char *err, size_t errlen)
{
	json_t *doc = rw_page_load(body, len, JSON_OBJECT, err, errlen);
	const json_t *list, *m;
	char *url_base = NULL;
	size_t i;

	memset(page, 0, sizeof(*page));
	if (doc == NULL)
		return -1;
	if (allegro_msg_list(doc, "messages", &list, err, errlen) == -1)
		goto fail;
	if (web != NULL && asprintf(&url_base, "%s/wiadomosci/", web) < 0) {
		url_base = NULL;
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	page->nentries = json_array_size(list);
	json_array_foreach(list, i, m)
	{
		struct rw_item it = {0};
		const char *why = NULL;
		enum rw_page_entry e =
			allegro_message(m, repr, thread, seller_login, url_base, page, &it, &why);

		if (rw_page_keep(page, e, why, &it) == -1) {
			rw_item_clear(&it);
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	if (repr == RW_ALLEGRO_BETA) {
		if (allegro_msg_next_page(doc, &page->next, err, errlen) == -1)
			goto fail;
	} else {
		json_int_t offset = json_integer_value(json_object_get(doc, "offset"));
		json_int_t limit = json_integer_value(json_object_get(doc, "limit"));

		if (limit > 0 && offset >= 0 && (json_int_t)page->nentries >= limit &&
		    allegro_msg_next_offset(offset, (long long)page->nentries, &page->next) == -1) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	free(url_base);
	json_decref(doc);
	return 0;
fail:
	free(url_base);
	rw_page_clear(page);
	json_decref(doc);
	return -1;
}
