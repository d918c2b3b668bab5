/*
 * b64: the one base64 codec (RFC 4648), over OpenSSL's EVP_EncodeBlock and
 * EVP_DecodeBlock: standard base64 (section 4) and base64url without
 * padding (section 5, as JOSE writes it). Used by the sign-in module
 * (JWTs, HTTP Basic), the Bluesky session code and webhook signatures.
 *
 * Decoded data may be secret (keys, tokens): every scratch copy made here
 * is wiped before it is freed; the caller wipes what it is given back.
 */
#ifndef REPLYWATCH_B64_H
#define REPLYWATCH_B64_H

#include <stddef.h>

/* Standard base64 of len bytes, padded with '=' ("Zm8=" for "fo"), as a new
 * string (caller frees; wipe it first when data is secret), or NULL when
 * memory fails or len is over 1 GiB. */
char *rw_b64_encode(const void *data, size_t len);

/* base64url of len bytes without padding ("Zm8" for "fo"), as a new string
 * (caller frees), or NULL when memory fails or len is over 1 GiB. */
char *rw_b64url_encode(const void *data, size_t len);

/*
 * Decode len characters of standard base64 (rw_b64_decode) or base64url
 * (rw_b64url_decode) into a new buffer *out of *outlen bytes, followed by a
 * NUL byte not counted in *outlen (so decoded text can be read as a
 * string). Padding is optional for both, but when present must complete
 * the last quantum. The empty text decodes to 0 bytes. Returns 0, or -1
 * when text holds a character outside its alphabet (the other alphabet's
 * '+' '/' or '-' '_' included), has an impossible length, or memory fails;
 * *out is NULL and *outlen 0 then. Caller frees *out (wipes it first when
 * it is secret).
 */
int rw_b64_decode(const char *text, size_t len, unsigned char **out, size_t *outlen);
int rw_b64url_decode(const char *text, size_t len, unsigned char **out, size_t *outlen);

#endif
