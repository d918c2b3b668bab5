/*
 * fuzz_linkedin: both LinkedIn parsers (linkedin.h) over the same bytes: a
 * page of organisation notifications, and the comments under one comment
 * read again for the Page's answer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/sources/linkedin.h"

#define ORG "urn:li:organization:96072893"
#define ABOUT "urn:li:comment:(urn:li:activity:7094637247890620418,7094977717598625792)"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct rw_page page;
	char err[256];
	int rc;

	rc = rw_linkedin_parse_notifications(body, size, ORG, &page, err, sizeof(err));
	rw_fuzz_check_page_per(&page, rc, 1);
	for (size_t i = 0; i < page.nitems; i++) {
		const struct rw_item *it = &page.items[i];

		/* Kept items are members' URNs with a link, never text. */
		RW_FUZZ_CHECK(!it->from_brand && rw_linkedin_urn_valid(it->id));
		RW_FUZZ_CHECK(it->text == NULL && it->url != NULL);
		RW_FUZZ_CHECK(strcmp(it->author, ORG) != 0);
	}
	RW_FUZZ_CHECK(page.next == NULL);
	rw_page_clear(&page);

	rc = rw_linkedin_parse_replies(body, size, ORG, ABOUT, &page, err, sizeof(err));
	rw_fuzz_check_page_per(&page, rc, 1);
	for (size_t i = 0; i < page.nitems; i++) {
		const struct rw_item *it = &page.items[i];

		RW_FUZZ_CHECK(it->from_brand && strcmp(it->in_reply_to, ABOUT) == 0);
		RW_FUZZ_CHECK(rw_linkedin_urn_valid(it->id) && it->text == NULL);
	}
	rw_page_clear(&page);
	return 0;
}
