/*
 * jose.c: ECDSA signatures between OpenSSL's DER (ECDSA-Sig-Value) and
 * JOSE's fixed 64 bytes r||s for P-256 (RFC 7518 3.4). A JWT carrying DER
 * is refused by Apple, so every ES256 signature made here passes through.
 */
#include <stdlib.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>

#include "replywatch/signin.h"

#define P256_BYTES 32

int
rw_jose_from_der(const unsigned char *der, size_t derlen, unsigned char rs[64])
{
	const unsigned char *p = der;
	ECDSA_SIG *sig;
	const BIGNUM *r, *s;
	int rc = -1;

	if (der == NULL || derlen == 0 || derlen > 256)
		return -1;
	if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL)
		return -1;
	ECDSA_SIG_get0(sig, &r, &s);
	/* Trailing bytes after the SEQUENCE are not a signature either. */
	if (p == der + derlen && BN_num_bytes(r) <= P256_BYTES && BN_num_bytes(s) <= P256_BYTES &&
	    BN_bn2binpad(r, rs, P256_BYTES) == P256_BYTES &&
	    BN_bn2binpad(s, rs + P256_BYTES, P256_BYTES) == P256_BYTES)
		rc = 0;
	ECDSA_SIG_free(sig);
	return rc;
}

int
rw_jose_to_der(const unsigned char rs[64], unsigned char **der, size_t *derlen)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(rs, P256_BYTES, NULL);
	BIGNUM *s = BN_bin2bn(rs + P256_BYTES, P256_BYTES, NULL);
	unsigned char *p;
	int n;

	*der = NULL;
	*derlen = 0;
	if (sig == NULL || r == NULL || s == NULL || !ECDSA_SIG_set0(sig, r, s)) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(sig);
		return -1;
	}
	/* sig owns r and s now. */
	if ((n = i2d_ECDSA_SIG(sig, NULL)) <= 0 || (*der = malloc((size_t)n)) == NULL) {
		ECDSA_SIG_free(sig);
		return -1;
	}
	p = *der;
	if (i2d_ECDSA_SIG(sig, &p) != n) {
		free(*der);
		*der = NULL;
		ECDSA_SIG_free(sig);
		return -1;
	}
	*derlen = (size_t)n;
	ECDSA_SIG_free(sig);
	return 0;
}
