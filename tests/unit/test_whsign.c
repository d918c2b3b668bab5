/*
 * test_whsign: Standard Webhooks signatures (rw_whsign_key, rw_whsign) — the
 * published test vector, raw secrets used as they are, whsec_ secrets that
 * are not base64, and output buffers too small to hold a signature. The
 * expected values besides the published one were computed independently
 * (Python's hmac and base64) for the inputs written next to them.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/whsign.h"

/* The vector every Standard Webhooks reference library tests. */
#define VEC_SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define VEC_ID "msg_p5jXN8AQM9LWM0D4loKWxJek"
#define VEC_TS 1614265330
#define VEC_BODY "{\"test\": 2432232314}"
#define VEC_SIG "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

static void
free_key(unsigned char *key, size_t keylen)
{
	if (key != NULL)
		explicit_bzero(key, keylen);
	free(key);
}

/* Signs with secret, expecting success, and compares with want. */
static void
expect_sig(const char *secret, const char *id, int64_t ts, const char *body, size_t len,
	   const char *want)
{
	unsigned char *key = NULL;
	size_t keylen = 0;
	char out[RW_WHSIGN_MAX];

	cr_assert_eq(rw_whsign_key(secret, &key, &keylen), 0, "key of \"%s\" refused", secret);
	cr_assert_not_null(key);
	cr_assert_eq(rw_whsign(key, keylen, id, ts, body, len, out, sizeof(out)), 0);
	cr_assert_str_eq(out, want, "secret \"%s\"", secret);
	free_key(key, keylen);
}

/* Expects secret refused, with nothing left allocated. */
static void
expect_bad_secret(const char *secret)
{
	unsigned char sentinel, *key = &sentinel;
	size_t keylen = 99;

	cr_assert_eq(rw_whsign_key(secret, &key, &keylen), -1, "\"%s\" accepted", secret);
	cr_assert_null(key, "key not NULL for \"%s\"", secret);
	cr_assert_eq(keylen, 0, "keylen %zu for \"%s\"", keylen, secret);
}

/* ---- the published vector ---- */

Test(whsign_vector, key_decodes_to_the_published_bytes)
{
	static const unsigned char want[24] = {0x31, 0xf2, 0x90, 0xf6, 0xbf, 0x06, 0x29, 0x8a,
					       0xab, 0x4f, 0x08, 0xd4, 0x3c, 0x3f, 0x08, 0x2c,
					       0xf6, 0x48, 0xa3, 0x62, 0xda, 0x2d, 0xa4, 0xb0};
	unsigned char *key = NULL;
	size_t keylen = 0;

	cr_assert_eq(rw_whsign_key(VEC_SECRET, &key, &keylen), 0);
	cr_assert_eq(keylen, sizeof(want), "keylen %zu", keylen);
	cr_assert_eq(memcmp(key, want, sizeof(want)), 0);
	free_key(key, keylen);
}

Test(whsign_vector, signature_matches)
{
	expect_sig(VEC_SECRET, VEC_ID, VEC_TS, VEC_BODY, strlen(VEC_BODY), VEC_SIG);
}

/* The length given is what is signed: a byte more or less changes it. */
Test(whsign_vector, signs_exactly_len_bytes)
{
	unsigned char *key = NULL;
	size_t keylen = 0;
	char out[RW_WHSIGN_MAX];

	cr_assert_eq(rw_whsign_key(VEC_SECRET, &key, &keylen), 0);
	cr_assert_eq(rw_whsign(key, keylen, VEC_ID, VEC_TS, VEC_BODY "xyz", strlen(VEC_BODY), out,
			       sizeof(out)),
		     0);
	cr_assert_str_eq(out, VEC_SIG);
	cr_assert_eq(rw_whsign(key, keylen, VEC_ID, VEC_TS, VEC_BODY, strlen(VEC_BODY) - 1, out,
			       sizeof(out)),
		     0);
	cr_assert_str_neq(out, VEC_SIG);
	free_key(key, keylen);
}

/* id, timestamp and body each take part. */
Test(whsign_vector, every_input_counts)
{
	unsigned char *key = NULL;
	size_t keylen = 0;
	char out[RW_WHSIGN_MAX];

	cr_assert_eq(rw_whsign_key(VEC_SECRET, &key, &keylen), 0);
	cr_assert_eq(rw_whsign(key, keylen, "msg_other", VEC_TS, VEC_BODY, strlen(VEC_BODY), out,
			       sizeof(out)),
		     0);
	cr_assert_str_neq(out, VEC_SIG);
	cr_assert_eq(rw_whsign(key, keylen, VEC_ID, VEC_TS + 1, VEC_BODY, strlen(VEC_BODY), out,
			       sizeof(out)),
		     0);
	cr_assert_str_neq(out, VEC_SIG);
	cr_assert_eq(rw_whsign(key, keylen, VEC_ID, VEC_TS, "{\"test\":2432232314}",
			       strlen("{\"test\":2432232314}"), out, sizeof(out)),
		     0);
	cr_assert_str_neq(out, VEC_SIG);
	free_key(key, keylen);
}

/* Other bodies and timestamps under the same key. */
Test(whsign_vector, empty_binary_and_negative)
{
	expect_sig(VEC_SECRET, VEC_ID, VEC_TS, "", 0,
		   "v1,v48jdbgvh29KJz2Qc+ghw8G6vG3nAKnujWBg8oM/62A=");
	expect_sig(VEC_SECRET, VEC_ID, VEC_TS, NULL, 0,
		   "v1,v48jdbgvh29KJz2Qc+ghw8G6vG3nAKnujWBg8oM/62A=");
	expect_sig(VEC_SECRET, "msg_x", 0, "a\0b", 3,
		   "v1,zTDJLh9UHxvKhXYerP7KCYe55U7sS1vkimFNLLWbtO0=");
	expect_sig(VEC_SECRET, "msg_x", -5, "{}", 2,
		   "v1,QhCPHlTM4SIKb8lBEhECb23bnPpyg8t3xnXWqrK28T8=");
}

/* A 32-byte key, base64 with one "=" of padding. */
Test(whsign_vector, padded_32_byte_key)
{
	unsigned char *key = NULL;
	size_t keylen = 0;

	cr_assert_eq(
		rw_whsign_key("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", &key, &keylen),
		0);
	cr_assert_eq(keylen, 32);
	for (size_t i = 0; i < 32; i++)
		cr_assert_eq(key[i], i);
	free_key(key, keylen);
	expect_sig("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "msg_2", 1614265331,
		   "{\"a\":1}", 7, "v1,xvxuJiIXITF2UDY7dbESdiZ+lF0bL8dFDua6ldo2cHo=");
}

/* ---- raw secrets ---- */

/* A secret without whsec_ is the key bytes as written. */
Test(whsign_raw, key_is_the_secret_bytes)
{
	unsigned char *key = NULL;
	size_t keylen = 0;

	cr_assert_eq(rw_whsign_key("It's a Secret to Everybody", &key, &keylen), 0);
	cr_assert_eq(keylen, strlen("It's a Secret to Everybody"));
	cr_assert_eq(memcmp(key, "It's a Secret to Everybody", keylen), 0);
	free_key(key, keylen);
	expect_sig("It's a Secret to Everybody", "msg_1", 1700000000, "Hello, World!", 13,
		   "v1,quAPC8IoekzpzamzEhmkevIu2nLQeQaFAIIEaYw3C/A=");
}

/* The vector's base64 without the prefix is not decoded: another key. */
Test(whsign_raw, base64_without_prefix_is_not_decoded)
{
	expect_sig("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", VEC_ID, VEC_TS, VEC_BODY, strlen(VEC_BODY),
		   "v1,ELhqG0Ku1gwOc1f4jyKdp3SFGFLAOdJ9bvpWLciCakI=");
}

/* Only the exact lower-case prefix means base64. */
Test(whsign_raw, prefix_is_case_sensitive)
{
	unsigned char *key = NULL;
	size_t keylen = 0;

	cr_assert_eq(rw_whsign_key("WHSEC_QQ==", &key, &keylen), 0);
	cr_assert_eq(keylen, strlen("WHSEC_QQ=="));
	free_key(key, keylen);
}

/* ---- whsec_ base64 ---- */

/* Padding may be left out; "QQ" and "QQ==" are both "A". */
Test(whsign_base64, unpadded_and_padded_agree)
{
	static const char sig_a[] = "v1,HzKY/5oGzgUZr8D/TSthYan5xnPx/z+S0t21JrwHOak=";
	static const char sig_ab[] = "v1,3CJglVLyKdkOx9QTMAoDSxVTlnZ7uN/FkvPOH6hLJ7M=";

	expect_sig("whsec_QQ", "id", 1, "x", 1, sig_a);
	expect_sig("whsec_QQ==", "id", 1, "x", 1, sig_a);
	expect_sig("whsec_QUI", "id", 1, "x", 1, sig_ab);
	expect_sig("whsec_QUI=", "id", 1, "x", 1, sig_ab);
}

Test(whsign_base64, invalid_is_refused)
{
	static const char *const bad[] = {
		"whsec_",                                   /* nothing to decode */
		"whsec_====",                               /* only padding */
		"whsec_Q",                                  /* a lone sextet */
		"whsec_QQ=",                                /* half the padding */
		"whsec_QQ===",                              /* too much padding */
		"whsec_QUJD=",                              /* padding after a full quantum */
		"whsec_QQ==QQ==",                           /* padding in the middle */
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS!",   /* not the alphabet */
		"whsec_MfKQ9r8GKYqr TwjUPD8ILPZIo2LaLaSw",  /* a blank */
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n", /* a newline */
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa_w",   /* base64url */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_bad_secret(bad[i]);
}

Test(whsign_base64, empty_and_null_secret)
{
	expect_bad_secret("");
	expect_bad_secret(NULL);
}

/* ---- rw_whsign arguments and output buffers ---- */

Test(whsign_out, tiny_buffers_are_refused_untouched_past_outlen)
{
	static const size_t sizes[] = {1, 2, 3, 4, 47, 48, RW_WHSIGN_MAX - 1};
	unsigned char *key = NULL;
	size_t keylen = 0;
	char out[RW_WHSIGN_MAX + 16];

	cr_assert_eq(rw_whsign_key(VEC_SECRET, &key, &keylen), 0);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(out, 'Z', sizeof(out));
		cr_assert_eq(rw_whsign(key, keylen, VEC_ID, VEC_TS, VEC_BODY, strlen(VEC_BODY), out,
				       sizes[i]),
			     -1, "outlen %zu accepted", sizes[i]);
		cr_assert_eq(out[0], '\0', "outlen %zu: out not emptied", sizes[i]);
		for (size_t j = sizes[i]; j < sizeof(out); j++)
			cr_assert_eq(out[j], 'Z', "outlen %zu: byte %zu written", sizes[i], j);
	}
	memset(out, 'Z', sizeof(out));
	cr_assert_eq(rw_whsign(key, keylen, VEC_ID, VEC_TS, VEC_BODY, strlen(VEC_BODY), out, 0),
		     -1);
	cr_assert_eq(out[0], 'Z', "outlen 0: out written");
	cr_assert_eq(rw_whsign(key, keylen, VEC_ID, VEC_TS, VEC_BODY, strlen(VEC_BODY), NULL,
			       RW_WHSIGN_MAX),
		     -1);
	/* Exactly RW_WHSIGN_MAX is enough, and nothing past it is written. */
	memset(out, 'Z', sizeof(out));
	cr_assert_eq(rw_whsign(key, keylen, VEC_ID, VEC_TS, VEC_BODY, strlen(VEC_BODY), out,
			       RW_WHSIGN_MAX),
		     0);
	cr_assert_str_eq(out, VEC_SIG);
	for (size_t j = RW_WHSIGN_MAX; j < sizeof(out); j++)
		cr_assert_eq(out[j], 'Z', "byte %zu written", j);
	free_key(key, keylen);
}

Test(whsign_out, bad_arguments)
{
	static const unsigned char k[] = "key";
	char out[RW_WHSIGN_MAX];

	cr_assert_eq(rw_whsign(NULL, 0, VEC_ID, VEC_TS, "{}", 2, out, sizeof(out)), -1);
	cr_assert_eq(rw_whsign(k, 0, VEC_ID, VEC_TS, "{}", 2, out, sizeof(out)), -1);
	cr_assert_eq(rw_whsign(k, 3, NULL, VEC_TS, "{}", 2, out, sizeof(out)), -1);
	cr_assert_eq(rw_whsign(k, 3, VEC_ID, VEC_TS, NULL, 2, out, sizeof(out)), -1);
	cr_assert_eq(out[0], '\0');
	cr_assert_eq(rw_whsign(k, 3, VEC_ID, VEC_TS, "{}", 2, out, sizeof(out)), 0);
	cr_assert_eq(strncmp(out, "v1,", 3), 0);
	cr_assert_eq(strlen(out), 3 + 44, "%s", out);
	cr_log_info("signature with key \"key\": %s", out);
}
