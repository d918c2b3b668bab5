/*
 * test_vault: AES-256-GCM sealing under an HKDF-SHA256 key (vault.h): the
 * RFC 5869 vectors, round trips, and every way a sealed value must not
 * open (another secrets_key, another source, any byte changed, another
 * version, truncated, not base64).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/b64.h"
#include "replywatch/vault.h"

static void
hex(const unsigned char *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

/* RFC 5869 A.1 and A.3 (SHA-256). */
Test(vault, hkdf_rfc5869)
{
	unsigned char ikm[22], salt[13], info[10], okm[42];
	char h[85];

	memset(ikm, 0x0b, sizeof(ikm));
	for (size_t i = 0; i < sizeof(salt); i++)
		salt[i] = (unsigned char)i;
	for (size_t i = 0; i < sizeof(info); i++)
		info[i] = (unsigned char)(0xf0 + i);
	cr_assert_eq(rw_vault_hkdf(ikm, sizeof(ikm), salt, sizeof(salt), info, sizeof(info), okm,
				   sizeof(okm)),
		     0);
	hex(okm, sizeof(okm), h);
	cr_assert_str_eq(h, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
			    "34007208d5b887185865");
	cr_assert_eq(rw_vault_hkdf(ikm, sizeof(ikm), NULL, 0, NULL, 0, okm, sizeof(okm)), 0);
	hex(okm, sizeof(okm), h);
	cr_assert_str_eq(h, "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
			    "9d201395faa4b61a96c8");
}

static struct rw_vault *
vault(const char *key)
{
	char err[120];
	struct rw_vault *v = rw_vault_new(key, strlen(key), err, sizeof(err));

	cr_assert_not_null(v, "%s", err);
	return v;
}

static char *
seal(const struct rw_vault *v, const char *ctx, const char *plain)
{
	char err[120], *s = rw_vault_seal(v, ctx, plain, strlen(plain), err, sizeof(err));

	cr_assert_not_null(s, "%s", err);
	return s;
}

/* Opening text must fail with a message starting with want. */
static void
refused(const struct rw_vault *v, const char *ctx, const char *text, const char *want)
{
	char err[160] = "", *plain = (char *)1;
	size_t len = 9;

	cr_assert_eq(rw_vault_open(v, ctx, text, &plain, &len, err, sizeof(err)), -1);
	cr_assert_null(plain);
	cr_assert_eq(len, 0);
	cr_assert_eq(strncmp(err, want, strlen(want)), 0, "got %s", err);
}

Test(vault, round_trip_and_fresh_nonces)
{
	struct rw_vault *v = vault("the secrets key");
	char *a = seal(v, "shop", "refresh-token-1"), *b = seal(v, "shop", "refresh-token-1");
	char err[120], *plain;
	size_t len;

	cr_assert_str_neq(a, b, "the same nonce twice");
	cr_assert_null(strstr(a, "refresh"));
	cr_assert_eq(rw_vault_open(v, "shop", a, &plain, &len, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(len, strlen("refresh-token-1"));
	cr_assert_str_eq(plain, "refresh-token-1");
	rw_vault_wipe_free(plain, len);
	/* Empty secrets seal too. */
	free(b);
	b = seal(v, "shop", "");
	cr_assert_eq(rw_vault_open(v, "shop", b, &plain, &len, err, sizeof(err)), 0);
	cr_assert_eq(len, 0);
	rw_vault_wipe_free(plain, len);
	free(a);
	free(b);
	rw_vault_free(v);
}

Test(vault, wrong_key_or_source_does_not_open)
{
	struct rw_vault *v = vault("the secrets key"), *w = vault("another key");
	char *a = seal(v, "shop", "rt");

	refused(w, "shop", a, "vault: does not open");
	refused(v, "shop2", a, "vault: does not open");
	refused(v, "", a, "vault: does not open");
	free(a);
	rw_vault_free(v);
	rw_vault_free(w);
}

Test(vault, tampering_does_not_open)
{
	struct rw_vault *v = vault("k");
	char *a = seal(v, "shop", "a refresh token of some length");
	unsigned char *raw;
	size_t n;

	cr_assert_eq(rw_b64_decode(a, strlen(a), &raw, &n), 0);
	/* Every byte after the version: nonce, ciphertext and tag. */
	for (size_t i = 1; i < n; i++) {
		char *t;

		raw[i] ^= 0x01;
		cr_assert_not_null(t = rw_b64_encode(raw, n));
		refused(v, "shop", t, "vault: does not open");
		free(t);
		raw[i] ^= 0x01;
	}
	raw[0] = 2;
	{
		char *t = rw_b64_encode(raw, n);

		refused(v, "shop", t, "vault: unknown version");
		free(t);
		raw[0] = RW_VAULT_VERSION;
		t = rw_b64_encode(raw, 20);
		refused(v, "shop", t, "vault: too short");
		free(t);
	}
	refused(v, "shop", "%%% not base64", "vault: not base64");
	free(raw);
	free(a);
	rw_vault_free(v);
}

Test(vault, empty_key_refused)
{
	char err[120];

	cr_assert_null(rw_vault_new("", 0, err, sizeof(err)));
	cr_assert_str_eq(err, "secrets_key is empty");
}
