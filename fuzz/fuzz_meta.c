/*
 * fuzz_meta: the Graph parsers (meta_graph.h, facebook.h, instagram.h) over
 * the same bytes: a Facebook posts page, an Instagram media page (own and
 * tagged), an error envelope and a usage header value.
 */
#include <stdint.h>

#include "fuzz.h"
#include "replywatch/page.h"
#include "replywatch/sources/facebook.h"
#include "replywatch/sources/instagram.h"
#include "replywatch/sources/meta_graph.h"

#define PAGE_ID "101"
#define USER_ID "17841405822304914"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct rw_instagram_brand brand = {USER_ID, "brandcafe"};
	const char *body = (const char *)data;
	struct rw_graph_error e;
	struct rw_page page;
	char err[256], *value;
	int64_t regain;
	int rc, pct;

	rc = rw_facebook_parse_posts(body, size, PAGE_ID, &page, err, sizeof(err));
	rw_fuzz_check_page_per(&page, rc, RW_PAGE_MAX_ENTRIES + 1); /* a post brings its comments */
	rw_page_clear(&page);
	for (int tagged = 0; tagged < 2; tagged++) {
		rc = rw_instagram_parse_media(body, size, &brand, tagged, &page, err, sizeof(err));
		rw_fuzz_check_page_per(&page, rc,
				       RW_PAGE_MAX_ENTRIES + 1); /* a post brings its comments */
		rw_page_clear(&page);
	}
	if (rw_graph_parse_error(body, size, &e) == 0)
		RW_FUZZ_CHECK(e.code > 0);
	if ((value = rw_fuzz_string(data, size)) != NULL) {
		pct = rw_graph_usage_percent(value, &regain);
		RW_FUZZ_CHECK(pct >= -1 && pct <= 100);
		RW_FUZZ_CHECK(regain >= 0 && regain <= 24 * 60);
		free(value);
	}
	return 0;
}
