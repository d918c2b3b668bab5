/*
 * rwtkeys: test keys made at test time with OpenSSL (never committed).
 */
#ifndef RWTKEYS_H
#define RWTKEYS_H

#include <openssl/evp.h>
#include <stdbool.h>

/* The PEM text of k: its private key (PKCS#8) when private, else its public
 * key ("BEGIN PUBLIC KEY"). Caller frees; the test fails on error. */
char *rwt_key_pem(EVP_PKEY *k, bool private);

#endif
