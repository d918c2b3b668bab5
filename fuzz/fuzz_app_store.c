/*
 * fuzz_app_store: the App Store Connect parsers (sources/app_store.h) over
 * the same bytes: a customerReviews page, a single review, a response to
 * the review of the fixtures, a JSON:API error; and the bytes as the value
 * of an X-Rate-Limit header.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "replywatch/page.h"
#include "replywatch/ratelimit.h"
#include "replywatch/sources/app_store.h"

#define REVIEW "00000028-b08c-0014-729e-fbd500000042"

static const char *
header(void *arg, const char *name)
{
	return strcasecmp(name, "X-Rate-Limit") == 0 ? arg : NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct rw_app_store_error e;
	struct rw_ratelimit rl;
	struct rw_page page;
	char err[256], *value;
	int rc;

	rc = rw_app_store_parse_reviews(body, size, &page, err, sizeof(err));
	rw_fuzz_check_reviews(&page, rc, rw_app_store_id_valid);
	rw_page_clear(&page);

	rc = rw_app_store_parse_review(body, size, &page, err, sizeof(err));
	rw_fuzz_check_reviews(&page, rc, rw_app_store_id_valid);
	RW_FUZZ_CHECK(rc != 0 || page.nentries == 1);
	rw_page_clear(&page);

	/* At most the answer on REVIEW, never a review. */
	rc = rw_app_store_parse_response(body, size, REVIEW, &page, err, sizeof(err));
	rw_fuzz_check_page(&page, rc);
	for (size_t i = 0; i < page.nitems; i++) {
		RW_FUZZ_CHECK(page.items[i].from_brand);
		RW_FUZZ_CHECK(strcmp(page.items[i].id, REVIEW "/reply") == 0);
	}
	rw_page_clear(&page);

	rc = rw_app_store_parse_error(body, size, &e);
	RW_FUZZ_CHECK(rc == -1 || e.status != 0 || e.code[0] != '\0');
	RW_FUZZ_CHECK(e.status == 0 || (e.status >= 100 && e.status <= 599));
	RW_FUZZ_CHECK(memchr(e.code, '\0', sizeof(e.code)) != NULL);

	if ((value = rw_fuzz_string(data, size)) != NULL) {
		memset(&rl, 0, sizeof(rl));
		rl.limit = rl.remaining = -1;
		rw_app_store_ratelimit_read(header, value, 0, &rl);
		RW_FUZZ_CHECK(rl.limit >= -1 && rl.remaining >= -1 && rl.reset_at_ms == 0);
		RW_FUZZ_CHECK(rl.known || (rl.limit == -1 && rl.remaining == -1));
		free(value);
	}
	return 0;
}
