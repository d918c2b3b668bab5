/*
 * fuzz_whsign: Standard Webhooks secrets (whsign.h): "whsec_" + base64 or
 * raw key bytes, then one signature with the key. A key is never empty,
 * and a key in hand always signs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "replywatch/whsign.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *secret = rw_fuzz_string(data, size);
	unsigned char *key = (unsigned char *)"x";
	size_t keylen = 7;
	char sig[RW_WHSIGN_MAX];

	if (secret == NULL)
		return 0;
	if (rw_whsign_key(secret, &key, &keylen) == 0) {
		RW_FUZZ_CHECK(key != NULL && keylen > 0);
		if (strncmp(secret, "whsec_", 6) != 0)
			RW_FUZZ_CHECK(keylen == strlen(secret) && memcmp(key, secret, keylen) == 0);
		RW_FUZZ_CHECK(rw_whsign(key, keylen, "msg_fuzz", 1796385600, secret, size, sig,
					sizeof(sig)) == 0);
		RW_FUZZ_CHECK(strncmp(sig, "v1,", 3) == 0);
		explicit_bzero(key, keylen);
		free(key);
	} else {
		RW_FUZZ_CHECK(key == NULL && keylen == 0);
	}
	free(secret);
	return 0;
}
