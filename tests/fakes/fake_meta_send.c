/*
 * fake_meta_send.c: a webhook SENDER that signs like Meta, for the tests of
 * GET|POST /hooks/SOURCE (docs/fakes.md "Meta webhook sender").
 *
 *   POST /_fake/meta_hooks/send
 *     {"url": "http://127.0.0.1:PORT/hooks/SOURCE",   loopback only
 *      "app_secret": "...",
 *      "payload": {...} | [...] | "raw text",           sent as compact JSON, or as is
 *      "signature": "good" | "bad" | "none",            default "good"
 *      "times": N}                                      the same bytes N times (a replay)
 *   -> {"status": [HTTP status of each send], "body": "the last answer",
 *       "signature": "sha256=..."}
 *
 * "good" is X-Hub-Signature-256: sha256= + hex HMAC-SHA256 of the exact bytes
 * sent, keyed with app_secret; "bad" signs with the secret reversed; "none"
 * sends no signature header. Out-of-order changes are sends in the order a
 * test wants. The state lock is let go while a send is under way, so the
 * daemon may call the fake meanwhile. The simulator's webhooks
 * (fake_sim_hooks.c) are sent by fake_meta_send_signed, the same signing.
 */
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define SEND_TIMES_MAX 10

static void
send_error(struct fake_resp *resp, unsigned status, const char *msg)
{
	fake_resp_json(resp, status, json_pack("{s:s}", "error", msg));
}

bool
fake_meta_send_loopback(const char *url)
{
	return strncmp(url, "http://127.0.0.1:", 17) == 0 || strncmp(url, "http://[::1]:", 13) == 0;
}

/* "sha256=" + hex HMAC into out (72 bytes). */
static void
send_sign(const char *key, size_t keylen, const char *body, size_t len, char out[72])
{
	unsigned char mac[32];
	unsigned int maclen = 0;

	out[0] = '\0';
	if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)body, len, mac, &maclen) ==
	    NULL)
		return;
	strcpy(out, "sha256=");
	for (unsigned i = 0; i < maclen; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", mac[i]);
}

static size_t
send_collect(char *data, size_t size, size_t n, void *arg)
{
	fake_buf_add(arg, data, size * n);
	return size * n;
}

/* One POST; its status (0 when it failed) and answer into *answer. */
static long
send_once(const char *url, const char *body, size_t len, const char *sig, struct fake_buf *answer)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char line[128];
	long status = 0;

	if (c == NULL)
		return 0;
	h = curl_slist_append(h, "Content-Type: application/json");
	if (sig != NULL) {
		snprintf(line, sizeof(line), "X-Hub-Signature-256: %s", sig);
		h = curl_slist_append(h, line);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, send_collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, answer);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return status;
}

static void
send_call(struct fake_state *st, json_t *body, struct fake_resp *resp)
{
	const char *url = json_string_value(json_object_get(body, "url"));
	const char *secret = json_string_value(json_object_get(body, "app_secret"));
	const char *how = json_string_value(json_object_get(body, "signature"));
	json_t *payload = json_object_get(body, "payload"), *statuses;
	json_int_t times = json_integer_value(json_object_get(body, "times"));
	char *text, *bad = NULL, sig[72] = "";
	struct fake_buf answer = {0};
	size_t len;

	how = how ? how : "good";
	times = times > 0 ? times : 1;
	if (url == NULL || !fake_meta_send_loopback(url) || secret == NULL || payload == NULL ||
	    times > SEND_TIMES_MAX ||
	    (strcmp(how, "good") != 0 && strcmp(how, "bad") != 0 && strcmp(how, "none") != 0)) {
		send_error(
			resp, 400,
			"need url (http://127.0.0.1:... or http://[::1]:...), app_secret, payload; "
			"signature good|bad|none; times 1-10");
		return;
	}
	text = json_is_string(payload) ? strdup(json_string_value(payload))
				       : json_dumps(payload, JSON_COMPACT);
	if (text == NULL) {
		send_error(resp, 500, "out of memory");
		return;
	}
	len = strlen(text);
	if (strcmp(how, "bad") == 0 && (bad = strdup(secret)) != NULL) {
		for (size_t i = 0, n = strlen(bad); i < n / 2; i++) {
			char t = bad[i];

			bad[i] = bad[n - 1 - i];
			bad[n - 1 - i] = t;
		}
		bad[0] ^= 1; /* differs even when the secret reads the same both ways */
	}
	send_sign(bad ? bad : secret, strlen(bad ? bad : secret), text, len, sig);
	statuses = json_array();
	/* The daemon may poll the fake while it answers: let go of the lock. */
	pthread_mutex_unlock(&st->lock);
	for (json_int_t i = 0; i < times; i++) {
		fake_buf_free(&answer);
		json_array_append_new(
			statuses,
			json_integer(send_once(url, text, len, strcmp(how, "none") ? sig : NULL,
					       &answer)));
	}
	pthread_mutex_lock(&st->lock);
	fake_buf_add(&answer, "", 1);
	fake_resp_json(resp, 200,
		       json_pack("{s:o, s:s, s:s}", "status", statuses, "body",
				 answer.s && !answer.oom ? answer.s : "", "signature", sig));
	fake_buf_free(&answer);
	free(bad);
	free(text);
}

long
fake_meta_send_signed(const char *url, const char *app_secret, const char *body, size_t len)
{
	struct fake_buf answer = {0};
	char sig[72];
	long status;

	send_sign(app_secret, strlen(app_secret), body, len, sig);
	status = send_once(url, body, len, sig, &answer);
	fake_buf_free(&answer);
	return status;
}

bool
fake_meta_send_control(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	json_t *body;

	if (strcmp(req->path, "/_fake/meta_hooks/send") != 0)
		return false;
	if (strcmp(req->method, "POST") != 0) {
		send_error(resp, 405, "use POST");
		return true;
	}
	body = json_loadb(req->body ? req->body : "", req->body_len, 0, NULL);
	if (!json_is_object(body))
		send_error(resp, 400, "the body must be a JSON object");
	else
		send_call(st, body, resp);
	json_decref(body);
	return true;
}
