/*
 * fake_hook.c: a webhook receiver for the alert-delivery tests. Any
 * POST /hook/NAME[/more/path] is recorded (time, method, path, every header,
 * the raw body, the Standard Webhooks signature result) and answered 200
 * {"ok":true}, or 202 as PagerDuty's Events API does for paths ending in
 * /v2/enqueue, unless a queued fault says otherwise. The control API under
 * /_fake/hook/NAME/ and /_fake/hooks sets secrets, queues faults and reads
 * or clears the deliveries.
 *
 * The receivers live in st->hooks, made on first use, guarded by st->lock
 * like the rest of the state. A "hang" only sets resp->delay_ms: the HTTP
 * glue waits that out after it has let go of the lock.
 */
#include <inttypes.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define NAME_MAX_LEN 64
#define HANG_DEFAULT_MS 30000L
#define DROP_STATUS 1 /* hook_fault.status of a "drop" */
#define PD_SUFFIX "/v2/enqueue"

#define FAULT_BODY_MAX 256

/* One queued fault: count deliveries answered status, (status 0) held for
 * delay_ms and then answered as usual, or (DROP_STATUS) recorded and the
 * connection closed without an answer. */
struct hook_fault {
	unsigned status;
	long count;
	char retry_after[64]; /* the Retry-After value, "" for none */
	long delay_ms;
	unsigned char body[FAULT_BODY_MAX]; /* body_len > 0: these bytes answer instead */
	size_t body_len;
};

struct hook_recv {
	char *name;
	unsigned char *key; /* the HMAC key, NULL: no secret (wiped on free) */
	size_t keylen;
	struct hook_fault *faults;
	size_t nfaults;
	size_t faults_cap;
};

struct hook_delivery {
	char *name;
	int64_t at_ms;
	char method[8];
	char *path;
	char *query;
	json_t *headers; /* names lower-cased; repeated headers joined with ", " */
	char *body;      /* NULL when empty */
	size_t body_len;
	enum fake_hook_sig sig;
	bool fresh;
	unsigned status;
	char fault[12]; /* "hang", "drop", "503", ... or "" */
};

struct fake_hooks {
	struct hook_recv *recvs;
	size_t nrecvs;
	size_t recvs_cap;
	struct hook_delivery *dels; /* in arrival order */
	size_t ndels;
	size_t dels_cap;
	uint64_t seq; /* made-up PagerDuty dedup keys */
};

static void
recv_free(struct hook_recv *r)
{
	if (r->key != NULL)
		explicit_bzero(r->key, r->keylen);
	free(r->key);
	free(r->faults);
	free(r->name);
}

static void
delivery_free(struct hook_delivery *d)
{
	free(d->name);
	free(d->path);
	free(d->query);
	json_decref(d->headers);
	free(d->body);
}

void
fake_hooks_clear(struct fake_state *st)
{
	struct fake_hooks *h = st->hooks;

	if (h == NULL)
		return;
	for (size_t i = 0; i < h->nrecvs; i++)
		recv_free(&h->recvs[i]);
	for (size_t i = 0; i < h->ndels; i++)
		delivery_free(&h->dels[i]);
	free(h->recvs);
	free(h->dels);
	free(h);
	st->hooks = NULL;
}

static struct fake_hooks *
hooks_get(struct fake_state *st)
{
	if (st->hooks == NULL)
		st->hooks = calloc(1, sizeof(*st->hooks));
	return st->hooks;
}

/* The length of the receiver name s starts with ([a-z0-9_-], 1 to
 * NAME_MAX_LEN bytes, followed by '/' or the end); 0 when it is not one. */
static size_t
name_len(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-");

	if (n == 0 || n > NAME_MAX_LEN || (s[n] != '\0' && s[n] != '/'))
		return 0;
	return n;
}

static struct hook_recv *
recv_find(struct fake_hooks *h, const char *name)
{
	for (size_t i = 0; h != NULL && i < h->nrecvs; i++) {
		if (strcmp(h->recvs[i].name, name) == 0)
			return &h->recvs[i];
	}
	return NULL;
}

/* The receiver called name, made when new; NULL when out of memory. */
static struct hook_recv *
recv_get(struct fake_state *st, const char *name)
{
	struct fake_hooks *h = hooks_get(st);
	struct hook_recv *r = recv_find(h, name);

	if (r != NULL || h == NULL)
		return r;
	if (fake_grow((void **)&h->recvs, &h->recvs_cap, h->nrecvs, sizeof(*h->recvs)) == -1)
		return NULL;
	r = &h->recvs[h->nrecvs];
	memset(r, 0, sizeof(*r));
	r->name = strdup(name);
	if (r->name == NULL)
		return NULL;
	h->nrecvs++;
	return r;
}

static long
faults_pending(const struct hook_recv *r)
{
	long n = 0;

	for (size_t i = 0; r != NULL && i < r->nfaults; i++)
		n += r->faults[i].count;
	return n;
}

/* Takes one use of r's first queued fault into *out; false when none. */
static bool
fault_take(struct hook_recv *r, struct hook_fault *out)
{
	if (r->nfaults == 0)
		return false;
	*out = r->faults[0];
	if (--r->faults[0].count <= 0) {
		memmove(r->faults, r->faults + 1, (r->nfaults - 1) * sizeof(*r->faults));
		r->nfaults--;
	}
	return true;
}

static const char *
reason(unsigned status)
{
	switch (status) {
	case 400:
		return "Bad Request";
	case 408:
		return "Request Timeout";
	case 410:
		return "Gone";
	case 413:
		return "Payload Too Large";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	default:
		return status < 500 ? "Client Error" : "Server Error";
	}
}

static void
bad(struct fake_resp *resp, unsigned status, const char *msg)
{
	fake_resp_json(resp, status, json_pack("{s:s}", "error", msg));
}

/* ---- deliveries ---- */

struct header_copy {
	json_t *headers;
	bool oom;
};

/* Adds one header to cls->headers, the name lower-cased. */
static enum MHD_Result
add_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct header_copy *hc = cls;
	char *name, *joined = NULL;
	json_t *old, *v;

	(void)kind;
	if (key == NULL)
		return MHD_YES;
	if (value == NULL)
		value = "";
	name = strdup(key);
	if (name == NULL)
		goto oom;
	for (char *c = name; *c != '\0'; c++) {
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	}
	old = json_object_get(hc->headers, name);
	if (old != NULL) {
		joined = fake_sprintf("%s, %s", json_string_value(old), value);
		if (joined == NULL)
			goto oom;
		value = joined;
	}
	v = json_string(value);
	if (v == NULL) /* not UTF-8 (or out of memory) */
		v = json_string("(not UTF-8)");
	if (json_object_set_new(hc->headers, name, v) == -1)
		goto oom;
	free(joined);
	free(name);
	return MHD_YES;
oom:
	free(joined);
	free(name);
	hc->oom = true;
	return MHD_NO;
}

/* The value of header name (lower case) in headers, NULL. */
static const char *
header(json_t *headers, const char *name)
{
	return json_string_value(json_object_get(headers, name));
}

/* A PagerDuty-style 202: the event's dedup_key, or a made-up one. */
static void
pd_accept(struct fake_hooks *h, const struct hook_delivery *d, struct fake_resp *resp)
{
	json_t *event = d->body ? json_loadb(d->body, d->body_len, 0, NULL) : NULL;
	const char *key = json_string_value(json_object_get(event, "dedup_key"));
	char made[40];

	h->seq++;
	snprintf(made, sizeof(made), "%016" PRIx64 "%016" PRIx64,
		 fake_hash64(d->name) ^ (uint64_t)d->at_ms, h->seq * UINT64_C(0x9e3779b97f4a7c15));
	fake_resp_json(resp, 202,
		       json_pack("{s:s, s:s, s:s}", "status", "success", "message",
				 "Event processed", "dedup_key", key ? key : made));
	json_decref(event);
}

/* Sets the answer of d from fault f (NULL: none). */
static void
delivery_answer(struct fake_hooks *h, struct hook_delivery *d, const struct hook_fault *f,
		struct fake_resp *resp)
{
	size_t plen = strlen(d->path), slen = strlen(PD_SUFFIX);
	bool pd = plen >= slen && strcmp(d->path + plen - slen, PD_SUFFIX) == 0;

	if (f != NULL && f->status == DROP_STATUS) {
		/* Taken, but the sender never learns it: the case a retry under
		 * the same webhook-id exists for. */
		resp->drop = true;
		snprintf(d->fault, sizeof(d->fault), "drop");
		return;
	} else if (f != NULL && f->status != 0) {
		fake_resp_json(resp, f->status,
			       json_pack("{s:b, s:s}", "ok", 0, "error", reason(f->status)));
		char *raw = f->body_len > 0 ? malloc(f->body_len) : NULL;

		if (raw != NULL) {
			/* The bytes as given (not UTF-8, NULs) instead of the JSON. */
			memcpy(raw, f->body, f->body_len);
			free(resp->body);
			resp->body = raw;
			resp->len = f->body_len;
			resp->content_type = "application/octet-stream";
		}
		snprintf(d->fault, sizeof(d->fault), "%u", f->status);
	} else {
		if (pd)
			pd_accept(h, d, resp);
		else
			fake_resp_json(resp, 200, json_pack("{s:b}", "ok", 1));
		if (f != NULL)
			snprintf(d->fault, sizeof(d->fault), "hang");
	}
	if (f != NULL && f->retry_after[0] != '\0')
		fake_resp_header(resp, "Retry-After", "%s", f->retry_after);
	if (f != NULL)
		resp->delay_ms = f->delay_ms;
	d->status = resp->status;
}

bool
fake_hook_path(const char *path)
{
	return strncmp(path, "/hook/", 6) == 0;
}

void
fake_hook_deliver(struct fake_state *st, struct MHD_Connection *con, struct fake_req *req,
		  struct fake_resp *resp)
{
	const char *rest = req->path + strlen("/hook/");
	size_t n = name_len(rest);
	char name[NAME_MAX_LEN + 1];
	struct header_copy hc = {0};
	struct hook_delivery *d;
	struct hook_fault fault;
	struct fake_hooks *h;
	struct hook_recv *r;
	bool faulted;

	if (n == 0) {
		bad(resp, 404, "use /hook/NAME with NAME of [a-z0-9_-] (up to 64)");
		return;
	}
	if (strcmp(req->method, "POST") != 0 && strcmp(req->method, "PUT") != 0 &&
	    strcmp(req->method, "PATCH") != 0) {
		bad(resp, 405, "deliver with POST");
		fake_resp_header(resp, "Allow", "POST, PUT, PATCH");
		return;
	}
	memcpy(name, rest, n);
	name[n] = '\0';
	r = recv_get(st, name);
	h = st->hooks;
	if (r == NULL ||
	    fake_grow((void **)&h->dels, &h->dels_cap, h->ndels, sizeof(*h->dels)) == -1)
		goto oom;
	d = &h->dels[h->ndels];
	memset(d, 0, sizeof(*d));
	d->at_ms = fake_now_ms();
	snprintf(d->method, sizeof(d->method), "%s", req->method);
	d->name = strdup(name);
	d->path = strdup(req->path);
	d->query = strdup(req->query);
	d->headers = hc.headers = json_object();
	if (d->name == NULL || d->path == NULL || d->query == NULL || d->headers == NULL ||
	    MHD_get_connection_values(con, MHD_HEADER_KIND, add_header, &hc) < 0 || hc.oom) {
		delivery_free(d);
		goto oom;
	}
	/* The body is taken over from the request. */
	d->body = req->body;
	d->body_len = req->body_len;
	req->body = NULL;
	req->body_len = req->body_cap = 0;
	d->sig = fake_hook_sig_check(r->key, r->keylen, header(d->headers, "webhook-id"),
				     header(d->headers, "webhook-timestamp"),
				     header(d->headers, "webhook-signature"), d->body, d->body_len);
	d->fresh = fake_hook_ts_fresh(header(d->headers, "webhook-timestamp"), d->at_ms);
	faulted = fault_take(r, &fault);
	delivery_answer(h, d, faulted ? &fault : NULL, resp);
	h->ndels++;
	return;
oom:
	bad(resp, 500, "out of memory");
}

/* One delivery as the control API shows it; NULL when out of memory. */
static json_t *
delivery_json(const struct hook_delivery *d)
{
	char at[FAKE_TIME_LEN];
	const char *body = d->body ? d->body : "";
	json_t *v = json_object(), *text = json_stringn(body, d->body_len), *parsed = NULL;
	int err = 0;

	fake_fmt_ms(d->at_ms, at);
	if (d->body_len > 0)
		parsed = json_loadb(body, d->body_len, JSON_DECODE_ANY, NULL);
	err |= json_object_set_new(v, "name", json_string(d->name));
	err |= json_object_set_new(v, "at", json_string(at));
	err |= json_object_set_new(v, "method", json_string(d->method));
	err |= json_object_set_new(v, "path", json_string(d->path));
	err |= json_object_set_new(v, "query", json_string(d->query));
	err |= json_object_set(v, "headers", d->headers);
	if (text != NULL) {
		err |= json_object_set_new(v, "body", text);
	} else {
		/* Not UTF-8: the bytes as base64 instead. */
		size_t cap = 4 * ((d->body_len + 2) / 3) + 1;
		char *b64 = d->body_len < 0x3fffffff ? malloc(cap) : NULL;

		err |= json_object_set_new(v, "body", json_null());
		if (b64 != NULL)
			EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)d->body,
					(int)d->body_len);
		err |= json_object_set_new(v, "body_base64", b64 ? json_string(b64) : NULL);
		free(b64);
	}
	err |= json_object_set_new(v, "json", parsed ? parsed : json_null());
	err |= json_object_set_new(v, "signature", json_string(fake_hook_sig_name(d->sig)));
	err |= json_object_set_new(v, "timestamp_fresh", json_boolean(d->fresh));
	err |= json_object_set_new(v, "status", d->status ? json_integer(d->status) : json_null());
	err |= json_object_set_new(v, "fault", d->fault[0] ? json_string(d->fault) : json_null());
	if (err != 0) {
		json_decref(v);
		return NULL;
	}
	return v;
}

/* ---- control ---- */

/* {"deliveries":[...]} of receiver name (NULL: all); NULL when out of memory. */
static json_t *
deliveries_json(const struct fake_hooks *h, const char *name)
{
	json_t *list = json_array();

	for (size_t i = 0; list != NULL && h != NULL && i < h->ndels; i++) {
		if (name != NULL && strcmp(h->dels[i].name, name) != 0)
			continue;
		if (json_array_append_new(list, delivery_json(&h->dels[i])) == -1) {
			json_decref(list);
			list = NULL;
		}
	}
	return list ? json_pack("{s:o}", "deliveries", list) : NULL;
}

/* Forgets the deliveries of receiver name (NULL: all). */
static void
deliveries_clear(struct fake_hooks *h, const char *name)
{
	size_t kept = 0;

	for (size_t i = 0; h != NULL && i < h->ndels; i++) {
		if (name == NULL || strcmp(h->dels[i].name, name) == 0)
			delivery_free(&h->dels[i]);
		else
			h->dels[kept++] = h->dels[i];
	}
	if (h != NULL)
		h->ndels = kept;
}

static json_t *
recv_json(const struct fake_hooks *h, const struct hook_recv *r, const char *name)
{
	long n = 0;

	for (size_t i = 0; h != NULL && i < h->ndels; i++)
		n += strcmp(h->dels[i].name, name) == 0;
	return json_pack("{s:s, s:b, s:I, s:I}", "name", name, "secret", r && r->key != NULL,
			 "faults_pending", (json_int_t)faults_pending(r), "deliveries",
			 (json_int_t)n);
}

/* The request body as a JSON object ({} when empty); NULL after a 400. */
static json_t *
body_object(const struct fake_req *req, struct fake_resp *resp, const char *const *keys)
{
	json_t *body =
		req->body_len ? json_loadb(req->body, req->body_len, 0, NULL) : json_object();
	const char *key;
	json_t *v;

	if (!json_is_object(body)) {
		json_decref(body);
		bad(resp, 400, "the body must be a JSON object");
		return NULL;
	}
	json_object_foreach(body, key, v)
	{
		bool known = false;

		for (size_t i = 0; keys[i] != NULL && !known; i++)
			known = strcmp(keys[i], key) == 0;
		if (!known) {
			char msg[128];

			snprintf(msg, sizeof(msg), "unknown key %.64s", key);
			bad(resp, 400, msg);
			json_decref(body);
			return NULL;
		}
	}
	return body;
}

static void
config(struct fake_state *st, const char *name, struct fake_req *req, struct fake_resp *resp)
{
	static const char *const keys[] = {"secret", NULL};
	json_t *body, *secret;
	struct hook_recv *r;
	unsigned char *key = NULL;
	size_t keylen = 0;

	if (strcmp(req->method, "GET") == 0) {
		fake_resp_json(resp, 200, recv_json(st->hooks, recv_find(st->hooks, name), name));
		return;
	}
	body = body_object(req, resp, keys);
	if (body == NULL)
		return;
	secret = json_object_get(body, "secret");
	if (secret != NULL && !json_is_null(secret) &&
	    (!json_is_string(secret) || json_string_length(secret) == 0)) {
		bad(resp, 400, "secret must be a non-empty string, or null to remove it");
		goto done;
	}
	if (json_is_string(secret)) {
		key = fake_hook_sig_key(json_string_value(secret), &keylen);
		if (key == NULL || keylen == 0) {
			bad(resp, 400, "a whsec_ secret must be base64 of at least one byte");
			goto done;
		}
	}
	r = recv_get(st, name);
	if (r == NULL) {
		bad(resp, 500, "out of memory");
		goto done;
	}
	if (secret != NULL) {
		if (r->key != NULL)
			explicit_bzero(r->key, r->keylen);
		free(r->key);
		r->key = key;
		r->keylen = keylen;
		key = NULL;
	}
	fake_resp_json(resp, 200, recv_json(st->hooks, r, name));
done:
	if (key != NULL)
		explicit_bzero(key, keylen);
	free(key);
	json_decref(body);
}

/* "hang" is 0, "drop" DROP_STATUS; "400".."599" (or that number) is the
 * status; -1 otherwise. */
static long
fault_kind(json_t *kind)
{
	long code = -1;
	char *end;

	if (json_is_string(kind) && strcmp(json_string_value(kind), "hang") == 0)
		return 0;
	if (json_is_string(kind) && strcmp(json_string_value(kind), "drop") == 0)
		return DROP_STATUS;
	if (json_is_integer(kind)) {
		code = (long)json_integer_value(kind);
	} else if (json_is_string(kind)) {
		code = strtol(json_string_value(kind), &end, 10);
		if (*end != '\0' || end == json_string_value(kind))
			code = -1;
	}
	return code >= 400 && code <= 599 ? code : -1;
}

/* Reads optional non-negative integer key into *out (def when absent); false after a 400. */
static bool
opt_int(json_t *body, const char *key, long def, long *out, struct fake_resp *resp)
{
	json_t *v = json_object_get(body, key);
	char msg[96];

	*out = def;
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 100000000) {
		snprintf(msg, sizeof(msg), "%s must be a non-negative integer", key);
		bad(resp, 400, msg);
		return false;
	}
	*out = (long)json_integer_value(v);
	return true;
}

static void
fault(struct fake_state *st, const char *name, struct fake_req *req, struct fake_resp *resp)
{
	static const char *const keys[] = {"kind",     "count",       "retry_after",
					   "delay_ms", "body_base64", NULL};
	struct hook_fault f = {0};
	json_t *ra, *b64;
	struct hook_recv *r;
	json_t *body;
	long kind;

	if (strcmp(req->method, "DELETE") == 0) {
		r = recv_find(st->hooks, name);
		if (r != NULL)
			r->nfaults = 0;
		fake_resp_json(resp, 200, recv_json(st->hooks, r, name));
		return;
	}
	body = body_object(req, resp, keys);
	if (body == NULL)
		return;
	kind = fault_kind(json_object_get(body, "kind"));
	if (kind < 0) {
		bad(resp, 400,
		    "kind must be hang, drop or a 4xx/5xx status (500, 503, 429, 410, "
		    "400, 408, ...)");
		goto done;
	}
	f.status = (unsigned)kind;
	if (!opt_int(body, "count", 1, &f.count, resp) ||
	    !opt_int(body, "delay_ms", kind == 0 ? HANG_DEFAULT_MS : 0, &f.delay_ms, resp))
		goto done;
	/* retry_after: seconds (any non-negative integer, absurd ones included)
	 * or a string sent as it is (an HTTP date). */
	ra = json_object_get(body, "retry_after");
	if (json_is_integer(ra) && json_integer_value(ra) >= 0) {
		snprintf(f.retry_after, sizeof(f.retry_after), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(ra));
	} else if (json_is_string(ra) && json_string_length(ra) > 0 &&
		   json_string_length(ra) < sizeof(f.retry_after)) {
		snprintf(f.retry_after, sizeof(f.retry_after), "%s", json_string_value(ra));
	} else if (ra != NULL && !json_is_null(ra)) {
		bad(resp, 400, "retry_after must be a non-negative integer or a short string");
		goto done;
	}
	/* body_base64: the bytes the failure answers with (at most 255). */
	b64 = json_object_get(body, "body_base64");
	if (b64 != NULL) {
		size_t n = json_string_length(b64);
		int got = -1;

		if (json_is_string(b64) && n > 0 && n % 4 == 0 && n / 4 * 3 <= FAULT_BODY_MAX)
			got = EVP_DecodeBlock(f.body, (const unsigned char *)json_string_value(b64),
					      (int)n);
		if (got <= 0 || kind == 0) {
			bad(resp, 400,
			    "body_base64: padded base64 of 1 to 255 bytes, not for hang");
			goto done;
		}
		f.body_len = (size_t)got;
		while (f.body_len > 0 && n >= 2 && json_string_value(b64)[n - 1] == '=') {
			f.body_len--;
			n--;
		}
	}
	if (f.count < 1) {
		bad(resp, 400, "count must be at least 1");
		goto done;
	}
	r = recv_get(st, name);
	if (r == NULL ||
	    fake_grow((void **)&r->faults, &r->faults_cap, r->nfaults, sizeof(*r->faults)) == -1) {
		bad(resp, 500, "out of memory");
		goto done;
	}
	r->faults[r->nfaults++] = f;
	fake_resp_json(resp, 201,
		       json_pack("{s:I, s:I}", "queued", (json_int_t)f.count, "pending",
				 (json_int_t)faults_pending(r)));
done:
	json_decref(body);
}

/* /_fake/hooks?name=NAME: GET lists, DELETE clears. */
static void
hooks_call(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	const char *name = fake_param(req, "name");

	if (name != NULL && *name == '\0')
		name = NULL;
	if (strcmp(req->method, "GET") == 0) {
		fake_resp_json(resp, 200, deliveries_json(st->hooks, name));
	} else if (strcmp(req->method, "DELETE") == 0) {
		deliveries_clear(st->hooks, name);
		fake_resp_json(resp, 200, json_pack("{s:b}", "ok", 1));
	} else {
		bad(resp, 405, "use GET or DELETE");
	}
}

bool
fake_hook_control(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	const char *rest = req->path + strlen("/_fake/");
	char name[NAME_MAX_LEN + 1];
	const char *what;
	size_t n;

	if (strcmp(rest, "hooks") == 0) {
		hooks_call(st, req, resp);
		return true;
	}
	if (strncmp(rest, "hook/", 5) != 0)
		return false;
	rest += 5;
	n = name_len(rest);
	what = rest + n + (rest[n] == '/');
	if (n == 0 || (strcmp(what, "config") != 0 && strcmp(what, "fault") != 0)) {
		bad(resp, 404, "use /_fake/hook/NAME/config or /_fake/hook/NAME/fault");
		return true;
	}
	memcpy(name, rest, n);
	name[n] = '\0';
	if (strcmp(what, "config") == 0 && strcmp(req->method, "POST") != 0 &&
	    strcmp(req->method, "GET") != 0)
		bad(resp, 405, "use POST or GET");
	else if (strcmp(what, "fault") == 0 && strcmp(req->method, "POST") != 0 &&
		 strcmp(req->method, "DELETE") != 0)
		bad(resp, 405, "use POST or DELETE");
	else if (strcmp(what, "config") == 0)
		config(st, name, req, resp);
	else
		fault(st, name, req, resp);
	return true;
}
