/*
 * fuzz_youtube: the YouTube parsers (sources/youtube.h) over the same
 * bytes: a commentThreads page, a comments page, and Google's error
 * envelope.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "replywatch/page.h"
#include "replywatch/sources/youtube.h"

#define BRAND "UCa-vrCLQHviTOVnEKDOdetQ"

/* Beyond the page's promises: ids of YouTube's format, brand replies to a
 * thread id of that format, inbound comments never from the brand. */
static void
check(const struct rw_page *page, int rc)
{
	/* A thread gives its comment and any number of brand replies. */
	rw_fuzz_check_page_per(page, rc, 1 + RW_PAGE_MAX_ENTRIES);
	if (rc != 0)
		return;
	for (size_t i = 0; i < page->nitems; i++) {
		const struct rw_item *it = &page->items[i];

		RW_FUZZ_CHECK(rw_youtube_id_valid(it->id) && it->created_at_ms > 0);
		RW_FUZZ_CHECK(!it->from_brand || rw_youtube_id_valid(it->in_reply_to));
		RW_FUZZ_CHECK(it->conversation_id == NULL ||
			      rw_youtube_id_valid(it->conversation_id));
	}
	RW_FUZZ_CHECK(page->next == NULL || rw_page_token_valid(page->next));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct rw_page page;
	char err[256];
	int rc;

	rc = rw_youtube_parse_threads(body, size, BRAND, &page, err, sizeof(err));
	check(&page, rc);
	rw_page_clear(&page);

	rc = rw_youtube_parse_replies(body, size, BRAND, "UgyWeTdgc4sc1xgmbld4AaABAg", &page, err,
				      sizeof(err));
	check(&page, rc);
	for (size_t i = 0; rc == 0 && i < page.nitems; i++)
		RW_FUZZ_CHECK(page.items[i].from_brand);
	rw_page_clear(&page);

	(void)rw_youtube_parse_error(body, size);
	return 0;
}
