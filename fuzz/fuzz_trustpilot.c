/*
 * fuzz_trustpilot: both Trustpilot parsers (trustpilot.h) over the same
 * bytes: a review list page, and a single review read again by the id of
 * the fixtures' first review.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "replywatch/sources/trustpilot.h"
#include "replywatch/page.h"

#define ID "6630f0c2a1b2c3d4e5f60718"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct rw_page page;
	char err[256];
	int rc;

	/* A review and its reply: two items from one entry. */
	rc = rw_trustpilot_parse_reviews(body, size, &page, err, sizeof(err));
	rw_fuzz_check_page_per(&page, rc, 2);
	for (size_t i = 0; i < page.nitems; i++) {
		const struct rw_item *it = &page.items[i];

		/* Every kept review has a valid id; a reply answers one. */
		RW_FUZZ_CHECK(it->from_brand ? rw_trustpilot_id_valid(it->in_reply_to)
					     : rw_trustpilot_id_valid(it->id));
		RW_FUZZ_CHECK(!it->has_rating || (it->rating >= 1 && it->rating <= 5));
	}
	RW_FUZZ_CHECK(page.next == NULL);
	rw_page_clear(&page);

	rc = rw_trustpilot_parse_review(body, size, ID, &page, err, sizeof(err));
	rw_fuzz_check_page_per(&page, rc, 1);
	RW_FUZZ_CHECK(page.nitems <= 1);
	for (size_t i = 0; i < page.nitems; i++)
		RW_FUZZ_CHECK(page.items[i].from_brand &&
			      strcmp(page.items[i].in_reply_to, ID) == 0);
	rw_page_clear(&page);
	return 0;
}
