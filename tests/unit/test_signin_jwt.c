/*
 * test_signin_jwt: keys and JWTs of the sign-in module against published
 * vectors — RFC 7515 A.2 (RS256, deterministic: the RFC's signature byte
 * for byte), A.3 (ES256: the RFC's signature verifies through the r||s to
 * DER converter; fresh signatures are 64 raw bytes that OpenSSL verifies
 * with the public key), the Google and Apple JWTs' headers and claims, keys
 * of the wrong type, malformed PEM, and errors that never quote a key.
 */
#include <criterion/criterion.h>
#include <openssl/bio.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/signin.h"
#include "test_signin_keys.h"

/* RFC 7515 A.2/A.3: the payload both examples sign, and their signatures. */
#define RFC_PAYLOAD                                                                                \
	"eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0" \
	"cnVlfQ"
#define RFC_A2_INPUT "eyJhbGciOiJSUzI1NiJ9." RFC_PAYLOAD
#define RFC_A2_SIG                                                                                 \
	"cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W" \
	"2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_"                                   \
	"nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSj"                                                      \
	"tQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvW" \
	"h6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw"
#define RFC_A3_INPUT "eyJhbGciOiJFUzI1NiJ9." RFC_PAYLOAD
#define RFC_A3_SIG                                                                                 \
	"DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"

/* A line of a key's PEM body, to look for in error strings. */
#define RSA_KEY_LINE "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCh+BYK4uPJtGXO"

static struct rw_signin_key *
load(const char *pem, enum rw_jwt_alg alg)
{
	char err[200] = "";
	struct rw_signin_key *key = rw_signin_key_load(pem, strlen(pem), alg, err, sizeof(err));

	cr_assert_not_null(key, "key refused: %s", err);
	return key;
}

/* Verifies sig (raw, siglen bytes) over input with a public key PEM; 1 if good. */
static int
openssl_verify(const char *pub_pem, const char *input, const unsigned char *sig, size_t siglen)
{
	BIO *bio = BIO_new_mem_buf(pub_pem, -1);
	EVP_PKEY *pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	cr_assert_not_null(pkey);
	ok = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pkey) == 1 &&
	     EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)input, strlen(input)) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	return ok;
}

/* ---- RS256 ---- */

Test(signin_jwt, rfc7515_a2_rs256_byte_for_byte)
{
	struct rw_signin_key *key = load(KEY_RFC7515_RSA, RW_JWT_RS256);
	char err[200] = "";
	char *sig = rw_jwt_signature(key, RFC_A2_INPUT, err, sizeof(err));

	cr_assert_not_null(sig, "%s", err);
	cr_assert_str_eq(sig, RFC_A2_SIG);
	free(sig);
	rw_signin_key_free(key);
}

Test(signin_jwt, rfc7515_a2_verifies)
{
	char err[200] = "";
	json_t *claims = rw_jwt_verify(RFC_A2_INPUT "." RFC_A2_SIG, KEY_RFC7515_RSA_PUBLIC, err,
				       sizeof(err));

	cr_assert_not_null(claims, "%s", err);
	cr_assert_str_eq(json_string_value(json_object_get(claims, "iss")), "joe");
	json_decref(claims);
	/* One bit changed in the payload: refused. */
	cr_assert_null(rw_jwt_verify("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2YiLA0KICJleHAiOjEzMDA4"
				     "MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
				     "." RFC_A2_SIG,
				     KEY_RFC7515_RSA_PUBLIC, err, sizeof(err)));
	cr_assert_str_eq(err, "jwt: bad signature");
}

Test(signin_jwt, google_assertion_claims)
{
	struct rw_signin_key *key = load(KEY_RFC7515_RSA, RW_JWT_RS256);
	char err[200] = "";
	char *jwt = rw_jwt_google_assertion(key, "rw@example.iam.gserviceaccount.com",
					    "https://www.googleapis.com/auth/androidpublisher",
					    "http://127.0.0.1:9/token", 1700000000123, err,
					    sizeof(err));
	json_t *claims, *header;

	cr_assert_not_null(jwt, "%s", err);
	claims = rw_jwt_verify(jwt, KEY_RFC7515_RSA_PUBLIC, err, sizeof(err));
	cr_assert_not_null(claims, "%s", err);
	cr_assert_str_eq(json_string_value(json_object_get(claims, "iss")),
			 "rw@example.iam.gserviceaccount.com");
	cr_assert_str_eq(json_string_value(json_object_get(claims, "scope")),
			 "https://www.googleapis.com/auth/androidpublisher");
	cr_assert_str_eq(json_string_value(json_object_get(claims, "aud")),
			 "http://127.0.0.1:9/token");
	cr_assert_eq(json_integer_value(json_object_get(claims, "iat")), 1700000000);
	cr_assert_eq(json_integer_value(json_object_get(claims, "exp")), 1700003600);
	cr_assert_eq(rw_jwt_expiry_ms(jwt), 1700003600000LL);
	/* The header, read as a JWT's claims would be, once moved into place. */
	{
		char *dot = strchr(jwt, '.');
		char buf[256];

		snprintf(buf, sizeof(buf), "x.%.*s.y", (int)(dot - jwt), jwt);
		header = rw_jwt_claims(buf);
	}
	cr_assert_not_null(header);
	cr_assert_str_eq(json_string_value(json_object_get(header, "alg")), "RS256");
	cr_assert_str_eq(json_string_value(json_object_get(header, "typ")), "JWT");
	cr_assert_null(json_object_get(header, "kid"));
	json_decref(header);
	json_decref(claims);
	free(jwt);
	rw_signin_key_free(key);
}

/* ---- ES256 ---- */

Test(signin_jwt, rfc7515_a3_verifies_through_der_converter)
{
	unsigned char *rs = NULL, *der = NULL;
	size_t rslen = 0, derlen = 0;
	char err[200] = "";
	json_t *claims;

	cr_assert_eq(rw_b64url_decode(RFC_A3_SIG, strlen(RFC_A3_SIG), &rs, &rslen), 0);
	cr_assert_eq(rslen, 64);
	cr_assert_eq(rw_jose_to_der(rs, &der, &derlen), 0);
	cr_assert(openssl_verify(KEY_RFC7515_EC_PUBLIC, RFC_A3_INPUT, der, derlen),
		  "RFC 7515 A.3 does not verify");
	/* And back: DER to r||s gives the RFC's bytes again. */
	{
		unsigned char back[64];

		cr_assert_eq(rw_jose_from_der(der, derlen, back), 0);
		cr_assert_eq(memcmp(back, rs, 64), 0);
	}
	claims =
		rw_jwt_verify(RFC_A3_INPUT "." RFC_A3_SIG, KEY_RFC7515_EC_PUBLIC, err, sizeof(err));
	cr_assert_not_null(claims, "%s", err);
	json_decref(claims);
	free(der);
	free(rs);
}

Test(signin_jwt, es256_signature_is_raw_64_bytes_and_verifies)
{
	struct rw_signin_key *key = load(KEY_RFC7515_EC, RW_JWT_ES256);
	char err[200] = "";

	for (int i = 0; i < 20; i++) {
		char *sig = rw_jwt_signature(key, RFC_A3_INPUT, err, sizeof(err));
		unsigned char *rs = NULL, *der = NULL;
		size_t rslen = 0, derlen = 0;

		cr_assert_not_null(sig, "%s", err);
		cr_assert_eq(strlen(sig), 86, "not 64 bytes: %s", sig);
		cr_assert_eq(rw_b64url_decode(sig, strlen(sig), &rs, &rslen), 0);
		cr_assert_eq(rslen, 64);
		cr_assert_eq(rw_jose_to_der(rs, &der, &derlen), 0);
		cr_assert(openssl_verify(KEY_RFC7515_EC_PUBLIC, RFC_A3_INPUT, der, derlen));
		/* Raw r||s is not DER: OpenSSL refuses it as it stands. */
		cr_assert_not(openssl_verify(KEY_RFC7515_EC_PUBLIC, RFC_A3_INPUT, rs, rslen));
		free(der);
		free(rs);
		free(sig);
	}
	rw_signin_key_free(key);
}

Test(signin_jwt, apple_token_header_and_claims)
{
	struct rw_signin_key *key = load(KEY_RFC7515_EC, RW_JWT_ES256);
	char err[200] = "", buf[512];
	char *jwt = rw_jwt_apple_token(key, "2X9R4HXF34", "57246542-96fe-1a63-e053-0824d011072a",
				       NULL, 1200, 1700000000999, err, sizeof(err));
	json_t *claims, *header;
	char *dot;

	cr_assert_not_null(jwt, "%s", err);
	claims = rw_jwt_verify(jwt, KEY_RFC7515_EC_PUBLIC, err, sizeof(err));
	cr_assert_not_null(claims, "%s", err);
	cr_assert_str_eq(json_string_value(json_object_get(claims, "iss")),
			 "57246542-96fe-1a63-e053-0824d011072a");
	cr_assert_str_eq(json_string_value(json_object_get(claims, "aud")), "appstoreconnect-v1");
	cr_assert_eq(json_integer_value(json_object_get(claims, "iat")), 1700000000);
	cr_assert_eq(json_integer_value(json_object_get(claims, "exp")), 1700001200);
	dot = strchr(jwt, '.');
	snprintf(buf, sizeof(buf), "x.%.*s.y", (int)(dot - jwt), jwt);
	header = rw_jwt_claims(buf);
	cr_assert_str_eq(json_string_value(json_object_get(header, "alg")), "ES256");
	cr_assert_str_eq(json_string_value(json_object_get(header, "kid")), "2X9R4HXF34");
	cr_assert_str_eq(json_string_value(json_object_get(header, "typ")), "JWT");
	json_decref(header);
	json_decref(claims);
	free(jwt);
	/* Over 20 minutes asked: clamped to 20. */
	jwt = rw_jwt_apple_token(key, "K", "I", "http://127.0.0.1:9", 3600, 1700000000000, err,
				 sizeof(err));
	claims = rw_jwt_claims(jwt);
	cr_assert_eq(json_integer_value(json_object_get(claims, "exp")), 1700001200);
	cr_assert_str_eq(json_string_value(json_object_get(claims, "aud")), "http://127.0.0.1:9");
	json_decref(claims);
	free(jwt);
	rw_signin_key_free(key);
}

/* ---- keys refused ---- */

/* Loads pem for alg, expecting a refusal whose reason contains want and no
 * line of the key. */
static void
expect_key_refused(const char *pem, enum rw_jwt_alg alg, const char *want)
{
	char err[300] = "";

	cr_assert_null(rw_signin_key_load(pem, strlen(pem), alg, err, sizeof(err)));
	cr_assert(strstr(err, want) != NULL, "reason \"%s\" lacks \"%s\"", err, want);
	cr_assert_null(strstr(err, "MII"), "the key leaked: %s", err);
	cr_assert_null(strstr(err, "-----"), "the key leaked: %s", err);
	cr_assert_null(strstr(err, RSA_KEY_LINE));
}

Test(signin_jwt, wrong_key_types_refused)
{
	expect_key_refused(KEY_RFC7515_EC, RW_JWT_RS256, "RS256 needs an RSA key, this is EC");
	expect_key_refused(KEY_RFC7515_RSA, RW_JWT_ES256,
			   "ES256 needs an EC P-256 key, this is RSA");
	expect_key_refused(KEY_EC_P384, RW_JWT_ES256, "needs a P-256 key");
	expect_key_refused(KEY_RSA_1024, RW_JWT_RS256, "RSA key of 1024 bits");
}

Test(signin_jwt, malformed_pem_refused)
{
	static const char cut[] =
		"-----BEGIN PRIVATE KEY-----\n"
		"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCh+BYK4uPJtGXO\n"
		"-----END PRIVATE KEY-----\n";

	expect_key_refused("", RW_JWT_RS256, "not a PEM private key");
	expect_key_refused("not a key at all", RW_JWT_RS256, "not a PEM private key");
	expect_key_refused(cut, RW_JWT_RS256, "not a PEM private key");
	expect_key_refused(KEY_RFC7515_RSA_PUBLIC, RW_JWT_RS256, "not a PEM private key");
}

Test(signin_jwt, google_key_file)
{
	json_t *doc =
		json_pack("{s:s, s:s, s:s, s:s}", "type", "service_account", "client_email",
			  "rw@example.iam.gserviceaccount.com", "private_key", KEY_RFC7515_RSA,
			  "token_uri", "https://oauth2.googleapis.com/token");
	char *text = json_dumps(doc, 0), *email = NULL, err[200] = "";
	struct rw_signin_key *key = NULL;

	cr_assert_eq(rw_signin_google_key(text, strlen(text), &email, &key, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_str_eq(email, "rw@example.iam.gserviceaccount.com");
	cr_assert_not_null(key);
	free(email);
	rw_signin_key_free(key);
	free(text);
	/* An EC key in a Google key file: refused without showing it. */
	json_object_set_new(doc, "private_key", json_string(KEY_RFC7515_EC));
	text = json_dumps(doc, 0);
	cr_assert_eq(rw_signin_google_key(text, strlen(text), &email, &key, err, sizeof(err)), -1);
	cr_assert_null(email);
	cr_assert_null(key);
	cr_assert_str_eq(err, "key: RS256 needs an RSA key, this is EC");
	free(text);
	json_object_del(doc, "client_email");
	text = json_dumps(doc, 0);
	cr_assert_eq(rw_signin_google_key(text, strlen(text), &email, &key, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "google key: no client_email");
	free(text);
	cr_assert_eq(rw_signin_google_key("{", 1, &email, &key, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "google key: not JSON");
	json_decref(doc);
}

/* ---- claims ---- */

Test(signin_jwt, expiry_of_foreign_jwts)
{
	/* {"exp":1300819380} and {"exp":1.5e9} and {"exp":"soon"}, {"sub":"x"}. */
	cr_assert_eq(rw_jwt_expiry_ms(RFC_A2_INPUT "." RFC_A2_SIG), 1300819380000LL);
	cr_assert_eq(rw_jwt_expiry_ms("e30.eyJleHAiOjEuNWU5fQ.x"), 1500000000000LL);
	cr_assert_eq(rw_jwt_expiry_ms("e30.eyJleHAiOiJzb29uIn0.x"), 0);
	cr_assert_eq(rw_jwt_expiry_ms("e30.eyJzdWIiOiJ4In0.x"), 0);
	cr_assert_eq(rw_jwt_expiry_ms("e30.eyJleHAiOi01fQ.x"), 0);
	cr_assert_eq(rw_jwt_expiry_ms("e30"), 0);
	cr_assert_eq(rw_jwt_expiry_ms("e30.e30"), 0);
	cr_assert_eq(rw_jwt_expiry_ms("e30.!!!.x"), 0);
	cr_assert_eq(rw_jwt_expiry_ms(NULL), 0);
}

Test(signin_jwt, verify_refuses_none_and_swapped_alg)
{
	char err[200] = "";

	/* {"alg":"none"} */
	cr_assert_null(rw_jwt_verify("eyJhbGciOiJub25lIn0." RFC_PAYLOAD ".", KEY_RFC7515_RSA_PUBLIC,
				     err, sizeof(err)));
	cr_assert_str_eq(err, "jwt: alg is not RS256 or ES256");
	/* An ES256 JWT checked against the RSA key. */
	cr_assert_null(rw_jwt_verify(RFC_A3_INPUT "." RFC_A3_SIG, KEY_RFC7515_RSA_PUBLIC, err,
				     sizeof(err)));
	cr_assert_str_eq(err, "jwt: alg ES256 does not match the key");
}
