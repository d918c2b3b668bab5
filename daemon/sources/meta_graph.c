/*
 * meta_graph.c: the Graph API's error envelope, usage headers, paging
 * cursors and times (meta_graph.h).
 */
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/clock.h"
#include "replywatch/config.h"
#include "replywatch/connector.h"
#include "replywatch/secret.h"
#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/sources/meta_graph.h"

#define USAGE_MAX_LEN 4096       /* a usage header longer than this is not read */
#define REGAIN_MAX_MIN (24 * 60) /* Meta's windows are a rolling day at most */

bool
rw_graph_id_valid(const char *id)
{
	size_t n;

	if (id == NULL || id[0] == '_')
		return false;
	for (n = 0; id[n] != '\0'; n++) {
		if (n == RW_GRAPH_ID_MAX)
			return false;
		if (id[n] == '_' && (id[n + 1] == '_' || id[n + 1] == '\0'))
			return false;
		if (id[n] != '_' && (id[n] < '0' || id[n] > '9'))
			return false;
	}
	return n > 0;
}

int
rw_graph_parse_error(const char *body, size_t len, struct rw_graph_error *out)
{
	json_t *doc = rw_page_load(body, len, JSON_OBJECT, NULL, 0);
	const json_t *error = json_object_get(doc, "error");
	const json_t *code = json_object_get(error, "code");
	const json_t *sub = json_object_get(error, "error_subcode");
	const char *msg = json_string_value(json_object_get(error, "message"));

	memset(out, 0, sizeof(*out));
	if (json_is_integer(code) && json_integer_value(code) > 0 &&
	    json_integer_value(code) < 1000000) {
		out->code = (int)json_integer_value(code);
		if (json_is_integer(sub) && json_integer_value(sub) > 0 &&
		    json_integer_value(sub) < 100000000)
			out->subcode = (int)json_integer_value(sub);
		out->proof = out->code == 100 && msg != NULL && strstr(msg, "appsecret_proof");
	}
	json_decref(doc);
	return out->code != 0 ? 0 : -1;
}

enum rw_graph_error_kind
rw_graph_error_kind(const struct rw_graph_error *err)
{
	int c = err->code;

	if (c == 4 || c == 17 || c == 32 || c == 613 || (c >= 80001 && c <= 80014))
		return RW_GRAPH_ERROR_RATE_LIMITED;
	if (c == 190 || c == 102)
		return RW_GRAPH_ERROR_TOKEN;
	if (c == 10 || (c >= 200 && c <= 299))
		return RW_GRAPH_ERROR_PERMISSION;
	if (err->proof)
		return RW_GRAPH_ERROR_PROOF;
	return RW_GRAPH_ERROR_OTHER;
}

enum rw_poll_result
rw_graph_answer_result(long status, const char *body, size_t len, char *reason, size_t reasonlen)
{
	struct rw_graph_error e;

	reason[0] = '\0';
	if (status < 400 || status >= 500 || rw_graph_parse_error(body, len, &e) == -1)
		return RW_POLL_OK;
	switch (rw_graph_error_kind(&e)) {
	case RW_GRAPH_ERROR_RATE_LIMITED:
		snprintf(reason, reasonlen, "throttled by Graph (HTTP %ld, error code %d)", status,
			 e.code);
		return RW_POLL_RATE_LIMITED;
	case RW_GRAPH_ERROR_TOKEN:
		snprintf(reason, reasonlen,
			 "access token expired or revoked (Graph error %d, subcode %d): create a "
			 "new Page access token and update the secret",
			 e.code, e.subcode);
		return RW_POLL_AUTH_ERROR;
	case RW_GRAPH_ERROR_PERMISSION:
		snprintf(reason, reasonlen,
			 "permission missing (Graph error %d): grant the permissions listed in "
			 "docs/configuration.md to the app and token",
			 e.code);
		return RW_POLL_AUTH_ERROR;
	case RW_GRAPH_ERROR_PROOF:
		snprintf(reason, reasonlen,
			 "appsecret_proof refused (Graph error %d): the app requires app secret "
			 "proofs: set app_secret to the secret of the app the token belongs to",
			 e.code);
		return RW_POLL_AUTH_ERROR;
	default:
		return RW_POLL_OK;
	}
}

int
rw_graph_appsecret_proof(const char *token, const char *app_secret,
			 char out[RW_GRAPH_PROOF_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	size_t keylen;

	out[0] = '\0';
	if (token == NULL || app_secret == NULL || *token == '\0' ||
	    (keylen = strlen(app_secret)) == 0 || keylen > INT32_MAX)
		return -1;
	if (HMAC(EVP_sha256(), app_secret, (int)keylen, (const unsigned char *)token, strlen(token),
		 mac, &maclen) == NULL ||
	    maclen * 2 != RW_GRAPH_PROOF_LEN) {
		OPENSSL_cleanse(mac, sizeof(mac));
		return -1;
	}
	for (unsigned int i = 0; i < maclen; i++) {
		out[2 * i] = hex[mac[i] >> 4];
		out[2 * i + 1] = hex[mac[i] & 0x0f];
	}
	out[RW_GRAPH_PROOF_LEN] = '\0';
	OPENSSL_cleanse(mac, sizeof(mac));
	return 0;
}

struct rw_graph_auth {
	char *bearer;
	bool has_proof;
	char proof[RW_GRAPH_PROOF_LEN + 1];
};

void *
rw_graph_auth_new(const struct rw_source_config *src)
{
	const struct rw_secret *token = rw_source_param_secret(src, "token");
	const struct rw_secret *secret = rw_source_param_secret(src, "app_secret");
	struct rw_graph_auth *a;

	if (token == NULL || (a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	if ((a->bearer = rw_bearer_header(rw_secret_value(token))) == NULL) {
		free(a);
		return NULL;
	}
	/* An empty or unusable secret sends no proof: Graph then says the app
	 * requires one (RW_GRAPH_ERROR_PROOF), which names what to fix. */
	if (secret != NULL)
		a->has_proof = rw_graph_appsecret_proof(rw_secret_value(token),
							rw_secret_value(secret), a->proof) == 0;
	return a;
}

void
rw_graph_auth_free(void *state)
{
	struct rw_graph_auth *a = state;

	if (a == NULL)
		return;
	rw_bearer_free(a->bearer);
	OPENSSL_cleanse(a, sizeof(*a));
	free(a);
}

const char *
rw_graph_auth_header(const void *state)
{
	const struct rw_graph_auth *a = state;

	return a != NULL ? a->bearer : NULL;
}

const char *
rw_graph_auth_proof(const void *state)
{
	const struct rw_graph_auth *a = state;

	return a != NULL && a->has_proof ? a->proof : NULL;
}

/* The percentages of one usage object {"call_count":N,...}: the highest
 * into *pct, the regain time into *regain_min. */
static void
usage_object(const json_t *o, int *pct, int64_t *regain_min)
{
	static const char *const keys[] = {"call_count", "total_time", "total_cputime", NULL};
	const json_t *regain = json_object_get(o, "estimated_time_to_regain_access");

	for (size_t i = 0; keys[i] != NULL; i++) {
		const json_t *v = json_object_get(o, keys[i]);
		json_int_t n;

		if (json_is_integer(v))
			n = json_integer_value(v);
		else if (json_is_real(v))
			n = (json_int_t)json_real_value(v);
		else
			continue;
		if (n < 0)
			continue;
		if (n > 100)
			n = 100;
		if ((int)n > *pct)
			*pct = (int)n;
	}
	if (json_is_integer(regain) && json_integer_value(regain) > *regain_min)
		*regain_min = json_integer_value(regain) > REGAIN_MAX_MIN
				      ? REGAIN_MAX_MIN
				      : json_integer_value(regain);
}

int
rw_graph_usage_percent(const char *value, int64_t *regain_min)
{
	json_t *doc;
	const char *key;
	json_t *v;
	int pct = -1;

	*regain_min = 0;
	if (value == NULL || strlen(value) > USAGE_MAX_LEN)
		return -1;
	if ((doc = rw_page_load(value, strlen(value), JSON_OBJECT, NULL, 0)) == NULL)
		return -1;
	usage_object(doc, &pct, regain_min);
	/* The business use case shape: {"ID": [{...}, ...]}. */
	json_object_foreach(doc, key, v)
	{
		size_t i;
		json_t *o;

		if (!json_is_array(v))
			continue;
		json_array_foreach(v, i, o)
		{
			if (json_is_object(o))
				usage_object(o, &pct, regain_min);
		}
	}
	json_decref(doc);
	return pct;
}

void
rw_graph_ratelimit_read(rw_header_lookup_fn *lookup, void *arg, int64_t now_ms,
			struct rw_ratelimit *out)
{
	static const char *const names[] = {"X-App-Usage", "X-Page-Usage",
					    "X-Business-Use-Case-Usage", NULL};
	int64_t regain = 0;
	int pct = -1;

	for (size_t i = 0; names[i] != NULL; i++) {
		int64_t r;
		int p = rw_graph_usage_percent(lookup(arg, names[i]), &r);

		if (p > pct)
			pct = p;
		if (r > regain)
			regain = r;
	}
	if (pct < 0 && regain == 0)
		return;
	out->known = true;
	out->limit = 100;
	out->remaining = pct < 0 ? 0 : 100 - pct;
	if (regain > 0) {
		out->remaining = 0; /* blocked until then, whatever the counts say */
		out->reset_at_ms = now_ms + regain * 60 * 1000;
	} else {
		/* Graph's windows roll over an hour: what is spent now has left
		 * it an hour from now (spent without an estimate: wait that
		 * long). The pacing of poll_every "auto" spreads what is left
		 * over that hour (struct rw_quota.rolling). */
		out->reset_at_ms = now_ms + RW_GRAPH_WINDOW_MS;
	}
}

int
rw_graph_after(const json_t *doc, char **after)
{
	const json_t *paging = json_object_get(doc, "paging");
	const char *a = rw_page_str(json_object_get(paging, "cursors"), "after");

	*after = NULL;
	if (rw_page_str(paging, "next") == NULL)
		return 0; /* the last page */
	if (a == NULL || !rw_cursor_token_ok(a) || !rw_page_token_valid(a))
		return -1;
	return rw_page_copy(a, after);
}

int
rw_graph_time_parse(const char *s, int64_t *ms)
{
	char buf[48];
	size_t n;

	if (s == NULL || (n = strlen(s)) >= sizeof(buf) - 1)
		return -1;
	/* "+0000" (Graph) -> "+00:00" (RFC 3339). */
	if (n > 5 && (s[n - 5] == '+' || s[n - 5] == '-') && strspn(s + n - 4, "0123456789") == 4) {
		memcpy(buf, s, n - 2);
		buf[n - 2] = ':';
		memcpy(buf + n - 1, s + n - 2, 3);
		return rw_time_parse(buf, ms);
	}
	return rw_time_parse(s, ms);
}

enum rw_page_entry
rw_graph_item(const json_t *obj, const struct rw_graph_keys *k, struct rw_item *it,
	      const char **why)
{
	const char *id;

	*why = RW_REJECT_WRONG_TYPE;
	if (!json_is_object(obj))
		return RW_PAGE_REJECTED;
	if ((id = rw_page_id(obj, "id", rw_graph_id_valid, why)) == NULL)
		return RW_PAGE_REJECTED;
	if (rw_page_copy(id, &it->id) == -1)
		return RW_PAGE_NOMEM;
	if (rw_graph_time_parse(rw_page_str(obj, k->time), &it->created_at_ms) == -1) {
		*why = RW_REJECT_BAD_TIME;
		return RW_PAGE_REJECTED;
	}
	if (rw_page_copy(rw_page_str(obj, k->text), &it->text) == -1 ||
	    rw_page_copy(rw_page_str(obj, k->url), &it->url) == -1)
		return RW_PAGE_NOMEM;
	return RW_PAGE_KEPT;
}

const json_t *
rw_graph_nested(const json_t *obj, const char *key)
{
	const json_t *data = json_object_get(json_object_get(obj, key), "data");

	return json_is_array(data) ? data : NULL;
}

/* Entries of data with their nested lists (one level: comments, replies). */
static size_t
count_entries(const json_t *data)
{
	size_t n = json_array_size(data), i;
	const json_t *e;

	json_array_foreach(data, i, e)
	{
		const char *key;
		const json_t *v;

		json_object_foreach((json_t *)e, key, v)
		{
			const json_t *inner = json_object_get(v, "data");

			if (json_is_array(inner))
				n += count_entries(inner);
		}
	}
	return n;
}

int
rw_graph_parse_list(const char *body, size_t len, const char *time_key, rw_graph_entry_fn *one,
		    const void *ctx, struct rw_page *page, char *err, size_t errlen)
{
	json_t *doc;
	const json_t *data;
	size_t n;

	memset(page, 0, sizeof(*page));
	if ((doc = rw_page_load(body, len, JSON_OBJECT, err, errlen)) == NULL)
		return -1;
	data = json_object_get(doc, "data");
	if (!json_is_array(data)) {
		snprintf(err, errlen, "no data array");
		json_decref(doc);
		return -1;
	}
	if ((n = count_entries(data)) > RW_PAGE_MAX_ENTRIES) {
		/* Refused whole: taking a part would move the cursor past the rest. */
		snprintf(err, errlen, "page too large: %zu entries (at most %d)", n,
			 RW_PAGE_MAX_ENTRIES);
		json_decref(doc);
		return -1;
	}
	page->nentries = json_array_size(data);
	for (size_t i = page->nentries; i-- > 0;) {
		const json_t *entry = json_array_get(data, i);
		int64_t ms;

		if (rw_graph_time_parse(rw_page_str(entry, time_key), &ms) == 0)
			rw_page_note_time(page, ms);
		if (one(entry, ctx, page) == -1)
			goto nomem;
	}
	if (rw_graph_after(doc, &page->next) == -1) {
		if (rw_page_str(json_object_get(doc, "paging"), "next") == NULL)
			goto nomem;
		snprintf(err, errlen, "paging.next without a usable after cursor");
		rw_page_clear(page);
		json_decref(doc);
		return -1;
	}
	json_decref(doc);
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	rw_page_clear(page);
	json_decref(doc);
	return -1;
}

char *
rw_graph_edge_url(const char *base_url, const char *owner, const char *edge, const char *fields,
		  const char *after, const void *auth)
{
	char path[RW_GRAPH_ID_MAX + 64];
	int n = snprintf(path, sizeof(path), "/%s/%s/%s", RW_GRAPH_VERSION, owner, edge);

	if (n < 0 || (size_t)n >= sizeof(path))
		return NULL;
	return rw_url_build(base_url, path, "fields", fields, "limit", RW_GRAPH_PER_PAGE, "after",
			    after, "appsecret_proof", rw_graph_auth_proof(auth), NULL);
}
