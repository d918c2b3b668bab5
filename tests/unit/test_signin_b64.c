/*
 * test_signin_b64: the one base64 codec (b64.h) — RFC 4648 section 10's
 * vectors in both alphabets, padding optional but checked, the other
 * alphabet's characters and impossible lengths refused, binary data
 * round-tripped.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/b64.h"

struct vec {
	const char *raw, *b64, *url;
};

/* RFC 4648 section 10; the base64url column is the same without padding. */
static const struct vec rfc4648[] = {
	{"", "", ""},
	{"f", "Zg==", "Zg"},
	{"fo", "Zm8=", "Zm8"},
	{"foo", "Zm9v", "Zm9v"},
	{"foob", "Zm9vYg==", "Zm9vYg"},
	{"fooba", "Zm9vYmE=", "Zm9vYmE"},
	{"foobar", "Zm9vYmFy", "Zm9vYmFy"},
};

static void
expect_decode(int (*fn)(const char *, size_t, unsigned char **, size_t *), const char *text,
	      const char *want)
{
	unsigned char *out = NULL;
	size_t len = 99;

	cr_assert_eq(fn(text, strlen(text), &out, &len), 0, "\"%s\" refused", text);
	cr_assert_eq(len, strlen(want), "\"%s\": %zu bytes", text, len);
	cr_assert_eq(memcmp(out, want, len), 0, "\"%s\"", text);
	cr_assert_eq(out[len], '\0', "not NUL-terminated");
	free(out);
}

static void
expect_refused(int (*fn)(const char *, size_t, unsigned char **, size_t *), const char *text)
{
	unsigned char sentinel, *out = &sentinel;
	size_t len = 99;

	cr_assert_eq(fn(text, strlen(text), &out, &len), -1, "\"%s\" accepted", text);
	cr_assert_null(out);
	cr_assert_eq(len, 0);
}

Test(signin_b64, rfc4648_encode)
{
	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		char *b = rw_b64_encode(rfc4648[i].raw, strlen(rfc4648[i].raw));
		char *u = rw_b64url_encode(rfc4648[i].raw, strlen(rfc4648[i].raw));

		cr_assert_str_eq(b, rfc4648[i].b64);
		cr_assert_str_eq(u, rfc4648[i].url);
		free(b);
		free(u);
	}
}

Test(signin_b64, rfc4648_decode_padded_or_not)
{
	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		expect_decode(rw_b64_decode, rfc4648[i].b64, rfc4648[i].raw);
		expect_decode(rw_b64_decode, rfc4648[i].url, rfc4648[i].raw);
		expect_decode(rw_b64url_decode, rfc4648[i].url, rfc4648[i].raw);
		expect_decode(rw_b64url_decode, rfc4648[i].b64, rfc4648[i].raw);
	}
}

/* 0xfb 0xff 0xfe uses the two characters the alphabets disagree on. */
Test(signin_b64, alphabets_differ)
{
	static const unsigned char raw[] = {0xfb, 0xff, 0xfe};
	char *b = rw_b64_encode(raw, 3), *u = rw_b64url_encode(raw, 3);

	cr_assert_str_eq(b, "+//+");
	cr_assert_str_eq(u, "-__-");
	expect_decode(rw_b64_decode, "+//+", "\xfb\xff\xfe");
	expect_decode(rw_b64url_decode, "-__-", "\xfb\xff\xfe");
	expect_refused(rw_b64_decode, "-__-");
	expect_refused(rw_b64url_decode, "+//+");
	free(b);
	free(u);
}

Test(signin_b64, malformed_refused)
{
	static const char *bad[] = {"Z",     "Zg=",   "Zg===", "Zm9vY",    "Zm 9v",  "Zm9v\n",
				    "=Zm9v", "Zm=9v", "Zm9v=", "Zg==Zg==", "Zm9\x80"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_refused(rw_b64_decode, bad[i]);
		expect_refused(rw_b64url_decode, bad[i]);
	}
}

Test(signin_b64, binary_round_trip)
{
	unsigned char raw[256], *back = NULL;
	size_t len = 0;

	for (size_t i = 0; i < sizeof(raw); i++)
		raw[i] = (unsigned char)(255 - i);
	for (size_t n = 0; n <= sizeof(raw); n += 17) {
		char *u = rw_b64url_encode(raw, n);

		cr_assert_not_null(u);
		cr_assert_null(strchr(u, '='));
		cr_assert_eq(rw_b64url_decode(u, strlen(u), &back, &len), 0);
		cr_assert_eq(len, n);
		cr_assert_eq(memcmp(raw, back, n), 0);
		free(back);
		free(u);
	}
}
