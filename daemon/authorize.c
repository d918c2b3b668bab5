/*
 * authorize.c: replywatchd --authorize SOURCE (authorize.h): the device
 * authorization grant, then the refresh token sealed into Redis.
 *
 *   POST device_url   (Basic client_id:client_secret) client_id=ID
 *     -> device_code, user_code, verification_uri(_complete), interval,
 *        expires_in
 *   print the URL and the code; then every interval seconds
 *   POST token_url    (Basic) grant_type=urn:ietf:params:oauth:grant-type:
 *                     device_code&device_code=CODE
 *     400 authorization_pending: wait; slow_down: wait 5 s longer;
 *     access_denied / expired_token / anything else: give up
 *     200: the refresh token goes to Redis (SET, sealed with secrets_key).
 */
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "replywatch/authorize.h"
#include "replywatch/b64.h"
#include "replywatch/clock.h"
#include "replywatch/keys.h"
#include "replywatch/platform.h"
#include "replywatch/secret.h"
#include "replywatch/sources/allegro.h"
#include "replywatch/vault.h"

#define DEVICE_GRANT "urn:ietf:params:oauth:grant-type:device_code"
#define ANSWER_MAX 65536
#define TIMEOUT_S 30
#define SLOW_DOWN_S 5

struct answer {
	char *body;
	size_t len;
	bool too_big;
};

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	size_t add = size * n;
	char *b;

	if (a->len + add > ANSWER_MAX) {
		a->too_big = true;
		return 0;
	}
	if ((b = realloc(a->body, a->len + add + 1)) == NULL)
		return 0;
	memcpy(b + a->len, p, add);
	a->len += add;
	b[a->len] = '\0';
	a->body = b;
	return add;
}

static void
answer_clear(struct answer *a)
{
	if (a->body != NULL)
		OPENSSL_cleanse(a->body, a->len);
	free(a->body);
	memset(a, 0, sizeof(*a));
}

/* POSTs form to url with the client's Basic header; *status and the body
 * into a. Returns 0, or -1 (no answer: reason on err). */
static int
post_form(const char *url, const char *basic, const char *form, long *status, struct answer *a,
	  FILE *err)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL, *h2;
	CURLcode rc;

	if (c == NULL)
		return -1;
	h2 = curl_slist_append(h, basic);
	h = h2 ? curl_slist_append(h2, "Content-Type: application/x-www-form-urlencoded") : NULL;
	h2 = h ? curl_slist_append(h, "Accept: application/json") : NULL;
	if (h2 == NULL) {
		curl_slist_free_all(h ? h : h2);
		curl_easy_cleanup(c);
		return -1;
	}
	h = h2;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	else
		fprintf(err, "authorize: %s: %s\n", url, curl_easy_strerror(rc));
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return rc == CURLE_OK ? 0 : -1;
}

/* "Authorization: Basic base64(id:secret)" (a secret: wipe and free). */
static char *
basic_header(const char *id, const char *secret)
{
	char *pair, *b64 = NULL, *line = NULL;

	if (asprintf(&pair, "%s:%s", id, secret) == -1)
		return NULL;
	b64 = rw_b64_encode(pair, strlen(pair));
	OPENSSL_cleanse(pair, strlen(pair));
	free(pair);
	if (b64 != NULL && asprintf(&line, "Authorization: Basic %s", b64) == -1)
		line = NULL;
	if (b64 != NULL)
		OPENSSL_cleanse(b64, strlen(b64));
	free(b64);
	return line;
}

static void
wipe_free(char *s)
{
	if (s != NULL)
		OPENSSL_cleanse(s, strlen(s));
	free(s);
}

/* Seals refresh into Redis at the source's key. Returns 0 or -1. */
static int
store_token(const struct rw_config *cfg, const char *source, const char *refresh, FILE *err)
{
	const struct rw_redis_config *r = &cfg->redis;
	struct timeval tv = {5, 0};
	char verr[160], key[RW_KEY_SIZE], *rec = NULL, *sealed = NULL;
	struct rw_vault *v = NULL;
	redisContext *c = NULL;
	redisReply *rep = NULL;
	int ok = -1;

	if ((v = rw_vault_new(rw_secret_value(cfg->secrets_key), rw_secret_len(cfg->secrets_key),
			      verr, sizeof(verr))) == NULL ||
	    (rec = rw_allegro_record(refresh, rw_now_ms())) == NULL ||
	    (sealed = rw_vault_seal(v, source, rec, strlen(rec), verr, sizeof(verr))) == NULL) {
		fprintf(err, "authorize: cannot seal the token: %s\n", verr);
		goto done;
	}
	c = r->unix_socket ? redisConnectUnixWithTimeout(r->path, tv)
			   : redisConnectWithTimeout(r->host, r->port, tv);
	if (c == NULL || c->err) {
		fprintf(err, "authorize: redis %s: %s\n", r->display,
			c ? c->errstr : "out of memory");
		goto done;
	}
	if (r->password != NULL) {
		rep = r->username ? redisCommand(c, "AUTH %s %s", r->username,
						 rw_secret_value(r->password))
				  : redisCommand(c, "AUTH %s", rw_secret_value(r->password));
		if (rep == NULL || rep->type == REDIS_REPLY_ERROR) {
			fprintf(err, "authorize: redis %s: AUTH failed\n", r->display);
			goto done;
		}
		freeReplyObject(rep);
	}
	rep = redisCommand(c, "SELECT %d", r->db);
	if (rep == NULL || rep->type == REDIS_REPLY_ERROR) {
		fprintf(err, "authorize: redis %s: SELECT failed\n", r->display);
		goto done;
	}
	freeReplyObject(rep);
	if (rw_key_name(RW_ALLEGRO_SECRET_NAME, r->key_prefix ? r->key_prefix : "rw:", source, NULL,
			key, sizeof(key)) == NULL) {
		fprintf(err, "authorize: redis.key_prefix too long\n");
		goto done;
	}
	rep = redisCommand(c, "SET %s %s", key, sealed);
	if (rep == NULL || rep->type != REDIS_REPLY_STATUS) {
		fprintf(err, "authorize: redis %s: SET %s failed: %s\n", r->display, key,
			rep && rep->type == REDIS_REPLY_ERROR ? rep->str : "no answer");
		goto done;
	}
	ok = 0;
done:
	if (rep != NULL)
		freeReplyObject(rep);
	if (c != NULL)
		redisFree(c);
	rw_vault_free(v);
	if (rec != NULL)
		rw_vault_wipe_free(rec, strlen(rec));
	free(sealed);
	return ok;
}

struct device {
	char *device_code; /* a secret */
	const char *user_code, *uri;
	long interval, expires_in;
	json_t *doc;
};

/* Reads the device endpoint's answer; 0 or -1. */
static int
device_read(const struct answer *a, struct device *d)
{
	json_t *v;

	d->doc = json_loadb(a->body ? a->body : "", a->len, 0, NULL);
	v = json_object_get(d->doc, "device_code");
	if (!json_is_string(v) || (d->device_code = strdup(json_string_value(v))) == NULL)
		return -1;
	explicit_bzero((char *)json_string_value(v), json_string_length(v));
	d->user_code = json_string_value(json_object_get(d->doc, "user_code"));
	d->uri = json_string_value(json_object_get(d->doc, "verification_uri_complete"));
	if (d->uri == NULL)
		d->uri = json_string_value(json_object_get(d->doc, "verification_uri"));
	v = json_object_get(d->doc, "interval");
	d->interval = json_is_integer(v) && json_integer_value(v) > 0 ? json_integer_value(v) : 5;
	v = json_object_get(d->doc, "expires_in");
	d->expires_in =
		json_is_integer(v) && json_integer_value(v) > 0 ? json_integer_value(v) : 600;
	return d->user_code != NULL && d->uri != NULL ? 0 : -1;
}

/* One token poll: 1 pending (wait), 2 slow down, 0 done (*refresh set), or
 * an exit status. */
static int
token_poll(const char *token_url, const char *basic, const struct device *d, char **refresh,
	   FILE *err)
{
	struct answer a = {0};
	char *form = NULL, *code = curl_easy_escape(NULL, d->device_code, 0);
	const char *e;
	json_t *doc = NULL;
	long status = 0;
	int r = RW_AUTHORIZE_PLATFORM;

	if (code == NULL ||
	    asprintf(&form, "grant_type=%s&device_code=%s",
		     "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code", code) == -1) {
		form = NULL;
		goto done;
	}
	if (post_form(token_url, basic, form, &status, &a, err) == -1)
		goto done;
	doc = json_loadb(a.body ? a.body : "", a.len, 0, NULL);
	if (status >= 200 && status < 300) {
		*refresh = a.body ? rw_allegro_new_refresh_token(a.body, a.len) : NULL;
		if (*refresh == NULL)
			fprintf(err, "authorize: the token answer has no refresh token\n");
		r = *refresh ? 0 : RW_AUTHORIZE_PLATFORM;
		goto done;
	}
	e = json_string_value(json_object_get(doc, "error"));
	if (e != NULL && strcmp(e, "authorization_pending") == 0)
		r = 1;
	else if (e != NULL && strcmp(e, "slow_down") == 0)
		r = 2;
	else if (e != NULL && strcmp(e, "access_denied") == 0) {
		fprintf(err, "authorize: the seller denied the access\n");
		r = RW_AUTHORIZE_REFUSED;
	} else if (e != NULL && strcmp(e, "expired_token") == 0) {
		fprintf(err, "authorize: the code expired before it was confirmed: run again\n");
		r = RW_AUTHORIZE_REFUSED;
	} else {
		fprintf(err, "authorize: token endpoint: HTTP %ld %s\n", status,
			e ? e : "(no error code)");
		r = status == 400 || status == 401 ? RW_AUTHORIZE_REFUSED : RW_AUTHORIZE_PLATFORM;
	}
done:
	json_decref(doc);
	answer_clear(&a);
	wipe_free(form);
	if (code != NULL) {
		OPENSSL_cleanse(code, strlen(code));
		curl_free(code);
	}
	return r;
}

static int
check_source(const struct rw_config *cfg, const struct rw_source_config *src, const char *name,
	     FILE *err)
{
	if (src == NULL) {
		fprintf(err, "authorize: no source named %s in %s\n", name, cfg->path);
		return -1;
	}
	if (src->type != RW_SOURCE_ALLEGRO) {
		fprintf(err,
			"authorize: source %s is of type %s: only allegro sources are "
			"authorised this way\n",
			name, rw_source_type_name(src->type));
		return -1;
	}
	if (cfg->secrets_key == NULL) {
		fprintf(err, "authorize: secrets_key is not configured\n");
		return -1;
	}
	return 0;
}

static int
run_flow(const struct rw_config *cfg, const struct rw_source_config *src, const char *basic,
	 FILE *out, FILE *err)
{
	const char *device_url = rw_source_param_string(src, "device_url");
	const char *token_url = rw_source_param_string(src, "token_url");
	char *id = curl_easy_escape(NULL, rw_source_param_string(src, "client_id"), 0);
	struct device d = {0};
	struct answer a = {0};
	char *form = NULL, *refresh = NULL;
	long status = 0, interval;
	int64_t deadline;
	int r = RW_AUTHORIZE_PLATFORM;

	if (device_url == NULL)
		device_url = RW_ALLEGRO_DEVICE_URL;
	if (token_url == NULL)
		token_url = RW_ALLEGRO_TOKEN_URL;
	if (id == NULL || asprintf(&form, "client_id=%s", id) == -1) {
		form = NULL;
		goto done;
	}
	if (post_form(device_url, basic, form, &status, &a, err) == -1)
		goto done;
	if (status < 200 || status >= 300 || device_read(&a, &d) == -1) {
		fprintf(err, "authorize: device endpoint: HTTP %ld, no device code\n", status);
		r = status == 400 || status == 401 ? RW_AUTHORIZE_REFUSED : RW_AUTHORIZE_PLATFORM;
		goto done;
	}
	fprintf(out,
		"To authorise source %s, open this address as the seller and confirm the code "
		"%s:\n  %s\nWaiting (the code is valid %ld minutes)...\n",
		src->name, d.user_code, d.uri, (d.expires_in + 59) / 60);
	fflush(out);
	interval = d.interval;
	deadline = rw_now_ms() + d.expires_in * 1000;
	for (;;) {
		if (rw_now_ms() >= deadline) {
			fprintf(err, "authorize: the code expired before it was confirmed: run "
				     "again\n");
			r = RW_AUTHORIZE_REFUSED;
			goto done;
		}
		sleep((unsigned)interval);
		r = token_poll(token_url, basic, &d, &refresh, err);
		if (r == 1)
			continue;
		if (r == 2) {
			interval += SLOW_DOWN_S;
			continue;
		}
		break;
	}
	if (r != 0)
		goto done;
	if (store_token(cfg, src->name, refresh, err) == -1) {
		fprintf(err, "authorize: the authorisation is NOT kept: run the command again\n");
		r = RW_AUTHORIZE_STORE;
		goto done;
	}
	fprintf(out, "Authorised: source %s signs in with the stored token from now on.\n",
		src->name);
	r = RW_AUTHORIZE_OK;
done:
	wipe_free(refresh);
	wipe_free(d.device_code);
	json_decref(d.doc);
	answer_clear(&a);
	free(form);
	curl_free(id);
	return r;
}

int
rw_authorize_run(const struct rw_config *cfg, const char *source, FILE *out, FILE *err)
{
	const struct rw_source_config *src = rw_config_find_source(cfg, source);
	const struct rw_secret *secret;
	char *basic;
	int r;

	if (check_source(cfg, src, source, err) == -1)
		return RW_AUTHORIZE_CONFIG;
	secret = rw_source_param_secret(src, "client_secret");
	if ((basic = basic_header(rw_source_param_string(src, "client_id"),
				  secret ? rw_secret_value(secret) : "")) == NULL)
		return RW_AUTHORIZE_PLATFORM;
	r = run_flow(cfg, src, basic, out, err);
	wipe_free(basic);
	return r;
}
