/*
 * fuzz_mastodon: every Mastodon parser (mastodon.h) over the same bytes:
 * verify_credentials, a notifications page and a statuses page, as the
 * brand of the fixtures (tests/fixtures/mastodon).
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "replywatch/sources/mastodon.h"
#include "replywatch/page.h"

#define BRAND "14715"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct rw_page page;
	char err[256], *id = NULL, *acct = NULL;
	int rc;

	if (rw_mastodon_parse_account(body, size, &id, &acct, err, sizeof(err)) == 0) {
		RW_FUZZ_CHECK(id != NULL && acct != NULL);
		RW_FUZZ_CHECK(rw_fuzz_text_ok(id) && rw_fuzz_text_ok(acct));
	}
	free(id);
	free(acct);

	rc = rw_mastodon_parse_notifications(body, size, BRAND, &page, err, sizeof(err));
	rw_fuzz_check_page(&page, rc);
	for (size_t i = 0; i < page.nitems; i++)
		RW_FUZZ_CHECK(!page.items[i].from_brand);
	rw_page_clear(&page);

	rc = rw_mastodon_parse_statuses(body, size, BRAND, &page, err, sizeof(err));
	rw_fuzz_check_page(&page, rc);
	for (size_t i = 0; i < page.nitems; i++)
		RW_FUZZ_CHECK(page.items[i].from_brand);
	rw_page_clear(&page);
	return 0;
}
