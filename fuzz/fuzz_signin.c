/*
 * fuzz_signin: what the sign-in module reads from outside (signin.h, b64.h):
 * a token endpoint's answer for each grant and status, a JWT's claims and
 * "exp", and both base64 alphabets. The input is one body, given to all.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "replywatch/b64.h"
#include "replywatch/signin.h"

#define NOW_MS INT64_C(1796385600000) /* 2026-12-04T12:00:00Z */

/* Round trip of a base64 decoder's output through its encoder. */
static void
check_b64(const char *text, size_t len, int url)
{
	unsigned char *raw = NULL;
	size_t rawlen = 1;
	int rc = url ? rw_b64url_decode(text, len, &raw, &rawlen)
		     : rw_b64_decode(text, len, &raw, &rawlen);

	if (rc != 0) {
		RW_FUZZ_CHECK(raw == NULL && rawlen == 0);
		return;
	}
	RW_FUZZ_CHECK(raw != NULL && raw[rawlen] == '\0' && rawlen <= len);
	if (rawlen > 0) {
		char *again = url ? rw_b64url_encode(raw, rawlen) : rw_b64_encode(raw, rawlen);
		unsigned char *back = NULL;
		size_t backlen = 0;

		RW_FUZZ_CHECK(again != NULL);
		RW_FUZZ_CHECK((url ? rw_b64url_decode(again, strlen(again), &back, &backlen)
				   : rw_b64_decode(again, strlen(again), &back, &backlen)) == 0);
		RW_FUZZ_CHECK(backlen == rawlen && memcmp(back, raw, rawlen) == 0);
		free(back);
		free(again);
	}
	free(raw);
}

/* A token answer: OK leaves a usable token in the cache, anything else a
 * reason and an unchanged (empty) cache. */
static void
check_answer(enum rw_grant grant, int status, const char *body, size_t len)
{
	struct rw_token_cache cache = RW_TOKEN_CACHE_INIT;
	char reason[256];
	enum rw_token_result r;

	reason[0] = '\0';
	r = rw_token_answer(grant, status, body, len, NOW_MS, &cache, reason, sizeof(reason));
	if (r == RW_TOKEN_OK) {
		const char *h = rw_token_cache_header(&cache);

		RW_FUZZ_CHECK(cache.token != NULL && h != NULL);
		RW_FUZZ_CHECK(strchr(h, '\r') == NULL && strchr(h, '\n') == NULL);
		RW_FUZZ_CHECK(cache.expires_ms > NOW_MS);
		RW_FUZZ_CHECK(!rw_token_cache_due(&cache, NOW_MS));
	} else {
		RW_FUZZ_CHECK(cache.token == NULL);
		RW_FUZZ_CHECK(reason[0] != '\0' && rw_fuzz_text_ok(reason));
		RW_FUZZ_CHECK(rw_token_poll_result(r) != RW_POLL_OK);
	}
	rw_token_cache_clear(&cache);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum rw_grant grants[] = {RW_GRANT_REFRESH_TOKEN, RW_GRANT_JWT_BEARER,
					       RW_GRANT_PASSWORD};
	static const int statuses[] = {200, 400, 401};
	char *text = rw_fuzz_string(data, size);
	json_t *claims;

	if (text == NULL)
		return 0;
	for (size_t g = 0; g < sizeof(grants) / sizeof(grants[0]); g++)
		for (size_t s = 0; s < sizeof(statuses) / sizeof(statuses[0]); s++)
			check_answer(grants[g], statuses[s], text, size);
	claims = rw_jwt_claims(text);
	RW_FUZZ_CHECK(claims == NULL || json_is_object(claims));
	json_decref(claims);
	RW_FUZZ_CHECK(rw_jwt_expiry_ms(text) >= 0);
	check_b64(text, size, 0);
	check_b64(text, size, 1);
	free(text);
	return 0;
}
