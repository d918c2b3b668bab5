/*
 * fuzz_allegro_msg: every Allegro message parser (sources/allegro_msg.h)
 * over the same bytes: thread lists (v1, beta), a thread's messages (v1,
 * beta with and without the seller's login), issue lists (both times) and
 * an issue's chat.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/sources/allegro_msg.h"

#define THREAD "YHWQewc3BcZmoYfSPwtWi4DlCjCz1PTXl9a4rEp7nNx"
#define ISSUE "73cc3981-bc7e-45b2-911a-a0156871f18f"

/* Follow-ups: valid ids only; no item from a list. */
static void
check_list(const struct rw_page *page, int rc)
{
	rw_fuzz_check_page(page, rc);
	RW_FUZZ_CHECK(page->nitems == 0);
	RW_FUZZ_CHECK(page->nfollows <= page->nentries);
	for (size_t i = 0; i < page->nfollows; i++)
		RW_FUZZ_CHECK(rw_allegro_msg_id_valid(page->follows[i].context));
}

/* Messages: every item of kind message in the conversation asked for; a
 * buyer's has an author and a link, the seller's no in_reply_to. */
static void
check_messages(const struct rw_page *page, int rc, const char *conv)
{
	rw_fuzz_check_page(page, rc);
	RW_FUZZ_CHECK(page->nfollows == 0);
	for (size_t i = 0; i < page->nitems; i++) {
		const struct rw_item *it = &page->items[i];

		RW_FUZZ_CHECK(it->kind == RW_KIND_MESSAGE && rw_allegro_msg_id_valid(it->id));
		RW_FUZZ_CHECK(strcmp(it->conversation_id, conv) == 0 && it->created_at_ms > 0);
		RW_FUZZ_CHECK(it->in_reply_to == NULL);
		RW_FUZZ_CHECK(it->from_brand || (it->author != NULL && it->url != NULL));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct rw_page page;
	char err[256];
	int rc;

	rc = rw_allegro_parse_threads(body, size, RW_ALLEGRO_V1, &page, err, sizeof(err));
	check_list(&page, rc);
	RW_FUZZ_CHECK(page.next == NULL);
	rw_page_clear(&page);
	rc = rw_allegro_parse_threads(body, size, RW_ALLEGRO_BETA, &page, err, sizeof(err));
	check_list(&page, rc);
	rw_page_clear(&page);
	rc = rw_allegro_parse_messages(body, size, RW_ALLEGRO_V1, THREAD, NULL,
				       "https://allegro.pl", &page, err, sizeof(err));
	check_messages(&page, rc, THREAD);
	rw_page_clear(&page);
	rc = rw_allegro_parse_messages(body, size, RW_ALLEGRO_BETA, THREAD, "acme-shop",
				       "https://allegro.pl", &page, err, sizeof(err));
	check_messages(&page, rc, THREAD);
	rw_page_clear(&page);
	rc = rw_allegro_parse_messages(body, size, RW_ALLEGRO_BETA, THREAD, NULL, NULL, &page, err,
				       sizeof(err));
	rw_fuzz_check_page(&page, rc);
	rw_page_clear(&page);
	rc = rw_allegro_parse_issues(body, size, RW_ALLEGRO_OPENED, &page, err, sizeof(err));
	check_list(&page, rc);
	rw_page_clear(&page);
	rc = rw_allegro_parse_issues(body, size, RW_ALLEGRO_LAST_MESSAGE, &page, err, sizeof(err));
	check_list(&page, rc);
	rw_page_clear(&page);
	rc = rw_allegro_parse_chat(body, size, ISSUE, "100", "https://allegro.pl", &page, err,
				   sizeof(err));
	check_messages(&page, rc, ISSUE);
	rw_page_clear(&page);
	return 0;
}
