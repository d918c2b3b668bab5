/*
 * rwtkeys.c: test keys as PEM text.
 */
#include <criterion/criterion.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

#include "rwtkeys.h"

char *
rwt_key_pem(EVP_PKEY *k, bool private)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data = NULL, *s;
	long n;

	cr_assert_not_null(b);
	cr_assert(private ? PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL)
			  : PEM_write_bio_PUBKEY(b, k));
	n = BIO_get_mem_data(b, &data);
	cr_assert_gt(n, 0);
	/* The BIO's data is not NUL-terminated: copy exactly n bytes (strndup
	 * over it reads one past them, which ASan reports). */
	s = malloc((size_t)n + 1);
	cr_assert_not_null(s);
	memcpy(s, data, (size_t)n);
	s[n] = '\0';
	BIO_free(b);
	return s;
}
