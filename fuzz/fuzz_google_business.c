/*
 * fuzz_google_business: the Google Business Profile parsers
 * (sources/google_business.h) over the same bytes: a reviews page and a
 * single review; and Google's error envelope (sources/google_error.h).
 */
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "replywatch/page.h"
#include "replywatch/sources/google_business.h"
#include "replywatch/sources/google_error.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct rw_google_error e;
	struct rw_page page;
	char err[256];
	int rc;

	rc = rw_google_business_parse_reviews(body, size, &page, err, sizeof(err));
	rw_fuzz_check_reviews(&page, rc, rw_google_business_id_valid);
	rw_page_clear(&page);

	rc = rw_google_business_parse_review(body, size, &page, err, sizeof(err));
	rw_fuzz_check_reviews(&page, rc, rw_google_business_id_valid);
	RW_FUZZ_CHECK(rc != 0 || page.nentries == 1);
	rw_page_clear(&page);

	memset(&e, 0xa5, sizeof(e));
	rc = rw_google_parse_error(body, size, &e);
	RW_FUZZ_CHECK(memchr(e.status, '\0', sizeof(e.status)) != NULL);
	RW_FUZZ_CHECK(rc == 0 ? e.code != 0 || e.status[0] != '\0'
			      : e.code == 0 && e.status[0] == '\0');
	RW_FUZZ_CHECK(e.code == 0 || (e.code >= 100 && e.code <= 599));
	(void)rw_google_error_kind(&e);
	return 0;
}
