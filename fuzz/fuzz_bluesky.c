/*
 * fuzz_bluesky: every Bluesky parser (bluesky.h) over the same bytes: a
 * session (and the access JWT's expiry), an XRPC error, a notifications
 * page and an author feed page, as the brand of the fixtures
 * (tests/fixtures/bluesky); and the bytes themselves as a JWT.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "replywatch/signin.h"
#include "replywatch/sources/bluesky.h"
#include "replywatch/page.h"

#define BRAND "did:plc:brand000"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct rw_bluesky_session session;
	struct rw_page page;
	char err[256], name[64];
	char *jwt;
	int rc;

	memset(&session, 0, sizeof(session));
	if (rw_bluesky_parse_session(body, size, &session, err, sizeof(err)) == 0) {
		RW_FUZZ_CHECK(session.access_jwt != NULL && session.refresh_jwt != NULL);
		RW_FUZZ_CHECK(session.did != NULL);
	}
	rw_bluesky_session_clear(&session);

	if (rw_bluesky_parse_error(body, size, name, sizeof(name)) == 0)
		RW_FUZZ_CHECK(memchr(name, '\0', sizeof(name)) != NULL);

	rc = rw_bluesky_parse_notifications(body, size, BRAND, &page, err, sizeof(err));
	rw_fuzz_check_page(&page, rc);
	for (size_t i = 0; i < page.nitems; i++)
		RW_FUZZ_CHECK(!page.items[i].from_brand);
	rw_page_clear(&page);

	rc = rw_bluesky_parse_feed(body, size, BRAND, &page, err, sizeof(err));
	rw_fuzz_check_page(&page, rc);
	for (size_t i = 0; i < page.nitems; i++)
		RW_FUZZ_CHECK(page.items[i].from_brand);
	rw_page_clear(&page);

	if ((jwt = rw_fuzz_string(data, size)) != NULL) {
		(void)rw_jwt_expiry_ms(jwt);
		free(jwt);
	}
	return 0;
}
