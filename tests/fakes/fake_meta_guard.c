/*
 * fake_meta_guard.c: appsecret_proof and the usage figures a test sets,
 * for the fake Graph API (fake_meta_guard.h).
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#include "fake_meta_guard.h"

#define PROOF_LEN 64

static char guard_secret[256]; /* "": proofs not required */
static long guard_app = -1, guard_business = -1, guard_regain;
static bool guard_told_full; /* an answer at 100 % went out: the next calls are throttled */

void
fake_meta_guard_reset(void)
{
	OPENSSL_cleanse(guard_secret, sizeof(guard_secret));
	guard_app = guard_business = -1;
	guard_regain = 0;
	guard_told_full = false;
}

static bool
guard_pct(json_t *body, const char *key, long *out, struct fake_resp *resp)
{
	if (!fake_control_int(body, key, -1, out, resp))
		return false;
	if (*out > 1000) {
		fake_control_error(resp, 400, "usage percentages go up to 1000");
		return false;
	}
	return true;
}

bool
fake_meta_guard_control(const char *what, json_t *body, struct fake_resp *resp)
{
	const char *secret;
	long app, business, regain;

	if (strcmp(what, "require_proof") == 0) {
		if (!fake_control_str(body, "app_secret", &secret, resp))
			return true;
		if (secret != NULL && strlen(secret) >= sizeof(guard_secret)) {
			fake_control_error(resp, 400, "app_secret too long");
			return true;
		}
		snprintf(guard_secret, sizeof(guard_secret), "%s", secret ? secret : "");
		fake_resp_json(resp, 200, json_pack("{s:b}", "required", guard_secret[0] != '\0'));
		return true;
	}
	if (strcmp(what, "usage") == 0) {
		if (!guard_pct(body, "app", &app, resp) ||
		    !guard_pct(body, "business", &business, resp) ||
		    !fake_control_int(body, "regain", 0, &regain, resp))
			return true;
		guard_app = app;
		guard_business = business;
		guard_regain = regain > 0 ? regain : 0;
		guard_told_full = false;
		fake_resp_json(resp, 200,
			       json_pack("{s:i, s:i, s:i}", "app", (int)app, "business",
					 (int)business, "regain", (int)guard_regain));
		return true;
	}
	return false;
}

static void
guard_error(struct fake_resp *resp, const char *msg, const char *type, long code)
{
	fake_resp_json(resp, 400,
		       json_pack("{s:{s:s, s:s, s:I, s:s}}", "error", "message", msg, "type", type,
				 "code", (json_int_t)code, "fbtrace_id", "AbCdEfGhIjK"));
}

/* The proof token must carry: hex HMAC-SHA256(token, key guard_secret). */
static bool
guard_proof_ok(const char *token, const char *proof)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	char want[PROOF_LEN + 1];
	bool ok;

	if (token == NULL || proof == NULL || strlen(proof) != PROOF_LEN ||
	    HMAC(EVP_sha256(), guard_secret, (int)strlen(guard_secret),
		 (const unsigned char *)token, strlen(token), mac, &maclen) == NULL ||
	    maclen * 2 != PROOF_LEN)
		return false;
	for (unsigned int i = 0; i < maclen; i++)
		snprintf(want + 2 * i, 3, "%02x", mac[i]);
	ok = CRYPTO_memcmp(want, proof, PROOF_LEN) == 0;
	OPENSSL_cleanse(mac, sizeof(mac));
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

bool
fake_meta_guard_refuse(const char *token, const struct fake_req *req, struct fake_resp *resp)
{
	const char *proof = fake_param(req, "appsecret_proof");

	if (guard_secret[0] != '\0' && proof == NULL) {
		guard_error(resp, "API calls from the server require an appsecret_proof argument",
			    "GraphMethodException", 100);
		return true;
	}
	if (guard_secret[0] != '\0' && !guard_proof_ok(token, proof)) {
		guard_error(resp, "Invalid appsecret_proof provided in the API argument",
			    "GraphMethodException", 100);
		return true;
	}
	/* The call that reaches 100 % is answered (its headers say so); the
	 * calls after it are throttled. */
	if ((guard_app >= 100 || guard_business >= 100) && !guard_told_full) {
		guard_told_full = true;
		return false;
	}
	if (guard_app >= 100 || guard_business >= 100) {
		guard_error(resp,
			    "(#80001) There have been too many calls to this Page account. Wait a "
			    "bit and try again.",
			    "OAuthException", 80001);
		return true;
	}
	return false;
}

bool
fake_meta_guard_headers(struct fake_resp *r)
{
	if (guard_app < 0 && guard_business < 0)
		return false;
	if (guard_app >= 0)
		fake_resp_header(r, "X-App-Usage",
				 "{\"call_count\":%ld,\"total_time\":%ld,\"total_cputime\":%ld}",
				 guard_app, guard_app / 2, guard_app / 4);
	if (guard_business >= 0)
		fake_resp_header(r, "X-Business-Use-Case-Usage",
				 "{\"101\":[{\"type\":\"pages\",\"call_count\":%ld,"
				 "\"total_cputime\":%ld,\"total_time\":%ld,"
				 "\"estimated_time_to_regain_access\":%ld}]}",
				 guard_business, guard_business / 4, guard_business / 4,
				 guard_regain);
	return true;
}
