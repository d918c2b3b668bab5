/*
 * fuzz_x: both X API v2 parsers (x.h) over the same bytes: a mentions page
 * and a tweets page, as the brand of the fixtures (tests/fixtures/x).
 */
#include <stdint.h>

#include "fuzz.h"
#include "replywatch/page.h"
#include "replywatch/sources/x.h"

#define BRAND "2244994945"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct rw_page page;
	char err[256];
	int rc;

	rc = rw_x_parse_mentions(body, size, BRAND, &page, err, sizeof(err));
	rw_fuzz_check_page(&page, rc);
	for (size_t i = 0; i < page.nitems; i++)
		RW_FUZZ_CHECK(!page.items[i].from_brand);
	rw_page_clear(&page);

	rc = rw_x_parse_tweets(body, size, BRAND, &page, err, sizeof(err));
	rw_fuzz_check_page(&page, rc);
	for (size_t i = 0; i < page.nitems; i++)
		RW_FUZZ_CHECK(page.items[i].from_brand);
	rw_page_clear(&page);
	return 0;
}
