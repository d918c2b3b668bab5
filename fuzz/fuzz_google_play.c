/*
 * fuzz_google_play: the Google Play parsers (sources/google_play.h) over
 * the same bytes: a reviews page, a single review, and the bytes as a
 * Timestamp object; and Google's error envelope (sources/google_error.h).
 */
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "replywatch/clock.h"
#include "replywatch/page.h"
#include "replywatch/sources/google_error.h"
#include "replywatch/sources/google_play.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct rw_google_error e;
	struct rw_page page;
	char err[256];
	json_t *ts;
	int rc;

	rc = rw_google_play_parse_reviews(body, size, &page, err, sizeof(err));
	rw_fuzz_check_reviews(&page, rc, rw_google_play_id_valid);
	rw_page_clear(&page);

	rc = rw_google_play_parse_review(body, size, &page, err, sizeof(err));
	rw_fuzz_check_reviews(&page, rc, rw_google_play_id_valid);
	RW_FUZZ_CHECK(rc != 0 || page.nentries == 1);
	rw_page_clear(&page);

	/* A time is 0 (unreadable) or an instant RFC 3339 can write. */
	if ((ts = json_loadb(body, size, JSON_DECODE_ANY, NULL)) != NULL) {
		int64_t ms = rw_google_play_time(ts);

		RW_FUZZ_CHECK(ms == 0 || (ms >= 1000 && ms <= RW_TIME_MAX_MS));
		json_decref(ts);
	}

	rc = rw_google_parse_error(body, size, &e);
	RW_FUZZ_CHECK(rc == -1 || e.code != 0 || e.status[0] != '\0');
	return 0;
}
