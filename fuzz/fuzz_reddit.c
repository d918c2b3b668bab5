/*
 * fuzz_reddit: both Reddit Listing parsers (reddit.h) over the same bytes:
 * an inbox page and the brand's comments, as the brand of the fixtures
 * (tests/fixtures/reddit); and the rate-limit count.
 */
#include <stdint.h>

#include "fuzz.h"
#include "replywatch/config.h"
#include "replywatch/page.h"
#include "replywatch/sources/reddit.h"

#define BRAND "Acme_Support"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct rw_page page;
	char err[256], *s;
	long n;
	int rc;

	rc = rw_reddit_parse_inbox(body, size, BRAND, RW_KIND_MENTION, &page, err, sizeof(err));
	rw_fuzz_check_page(&page, rc);
	for (size_t i = 0; i < page.nitems; i++) {
		RW_FUZZ_CHECK(!page.items[i].from_brand);
		RW_FUZZ_CHECK(rw_reddit_comment_valid(page.items[i].id));
	}
	RW_FUZZ_CHECK(page.next == NULL || rw_reddit_fullname_valid(page.next));
	rw_page_clear(&page);

	rc = rw_reddit_parse_comments(body, size, BRAND, &page, err, sizeof(err));
	rw_fuzz_check_page(&page, rc);
	for (size_t i = 0; i < page.nitems; i++) {
		RW_FUZZ_CHECK(page.items[i].from_brand);
		RW_FUZZ_CHECK(rw_reddit_fullname_valid(page.items[i].in_reply_to));
	}
	rw_page_clear(&page);

	if ((s = rw_fuzz_string(data, size)) != NULL) {
		if (rw_reddit_count(s, &n) == 0)
			RW_FUZZ_CHECK(n >= 0);
		free(s);
	}
	return 0;
}
