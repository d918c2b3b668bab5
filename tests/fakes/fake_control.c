/*
 * fake_control.c: the control API under /_fake/ (no auth, JSON in and out)
 * that tests and the demo use to add content, queue faults, change
 * behaviour, read the request log and reset the fake.
 *
 *   POST /_fake/{platform}/mention|reply|post|other|fault|config
 *   GET  /_fake/{platform}/mentions
 *   GET  /_fake/requests?platform=P&endpoint=E     DELETE /_fake/requests
 *   POST /_fake/reset                              GET /_fake/state
 *   GET|POST /_fake/simulator ({"paused": bool})
 *   /_fake/hook/NAME/... and /_fake/hooks: fake_hook.c (the webhook receiver)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define HUGE_DEFAULT (10L * 1024 * 1024)
#define SLOW_DEFAULT_MS 5000L

static void
bad(struct fake_resp *resp, unsigned status, const char *msg)
{
	fake_resp_json(resp, status, json_pack("{s:s}", "error", msg));
}

/* Reads optional string key into *out (NULL when absent); false after a 400. */
static bool
opt_str(json_t *body, const char *key, const char **out, struct fake_resp *resp)
{
	json_t *v = json_object_get(body, key);
	char msg[96];

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_string(v)) {
		snprintf(msg, sizeof(msg), "%s must be a string", key);
		bad(resp, 400, msg);
		return false;
	}
	*out = json_string_value(v);
	return true;
}

/* Reads optional integer key into *out (def when absent); false after a 400. */
static bool
opt_int(json_t *body, const char *key, long def, long *out, struct fake_resp *resp)
{
	json_t *v = json_object_get(body, key);
	char msg[96];

	*out = def;
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		snprintf(msg, sizeof(msg), "%s must be a non-negative integer", key);
		bad(resp, 400, msg);
		return false;
	}
	*out = (long)json_integer_value(v);
	return true;
}

/* Reads optional created_at (RFC 3339) into *ms (0: now); false after a 400. */
static bool
opt_time(json_t *body, int64_t *ms, struct fake_resp *resp)
{
	const char *s;

	*ms = 0;
	if (!opt_str(body, "created_at", &s, resp))
		return false;
	if (s != NULL && fake_parse_time(s, ms) == -1) {
		bad(resp, 400, "created_at must be an RFC 3339 time");
		return false;
	}
	return true;
}

/* Reads the fields every post-making call shares. */
static bool
post_args(json_t *body, struct fake_post_args *a, struct fake_resp *resp)
{
	memset(a, 0, sizeof(*a));
	return opt_str(body, "author", &a->author, resp) && opt_str(body, "text", &a->text, resp) &&
	       opt_str(body, "in_reply_to", &a->in_reply_to, resp) &&
	       opt_str(body, "reason", &a->reason, resp) &&
	       opt_str(body, "repost_of", &a->repost_of, resp) &&
	       opt_int(body, "followers", -1, &a->followers, resp) &&
	       opt_time(body, &a->created_ms, resp);
}

/* 201 with what was made: post i (and notification notif, >= 0). */
static void
created(struct fake_state *st, enum fake_platform p, long i, long notif, struct fake_resp *resp)
{
	const struct fake_post *post = &st->p[p].posts[i];
	char at[FAKE_TIME_LEN], indexed[FAKE_TIME_LEN];
	char *url = fake_post_url(st, p, (size_t)i);
	json_t *v;

	fake_fmt_ms(post->created_ms, at);
	fake_fmt_ms(post->indexed_ms, indexed);
	v = json_pack("{s:s, s:s?, s:s, s:s, s:s*, s:s*}", "id", post->id, "url", url, "created_at",
		      at, "conversation_id", post->root_id, "cid", post->cid, "indexed_at",
		      p == FAKE_BLUESKY ? indexed : NULL);
	if (v != NULL && notif >= 0 &&
	    json_object_set_new(v, "notification_id", json_string(st->p[p].notifs[notif].id)) ==
		    -1) {
		json_decref(v);
		v = NULL;
	}
	free(url);
	fake_resp_json(resp, 201, v);
}

static void
make(struct fake_state *st, enum fake_platform p, const char *what, json_t *body,
     struct fake_resp *resp)
{
	struct fake_post_args a;
	char err[160];
	long i, notif = -1;

	if (!post_args(body, &a, resp))
		return;
	if (strcmp(what, "mention") == 0)
		i = fake_act_mention(st, p, &a, &notif, err, sizeof(err));
	else if (strcmp(what, "reply") == 0)
		i = fake_act_reply(st, p, &a, err, sizeof(err));
	else
		i = fake_act_post(st, p, &a, err, sizeof(err));
	if (i < 0) {
		bad(resp, strcmp(err, "out of memory") == 0 ? 500 : 400, err);
		return;
	}
	if (p != FAKE_MASTODON)
		notif = -1;
	created(st, p, i, notif, resp);
}

static void
other(struct fake_state *st, enum fake_platform p, json_t *body, struct fake_resp *resp)
{
	const char *kind, *author, *target;
	char err[160], at[FAKE_TIME_LEN];
	int64_t ms;
	long i;

	if (!opt_str(body, "kind", &kind, resp) || !opt_str(body, "author", &author, resp) ||
	    !opt_str(body, "target", &target, resp) || !opt_time(body, &ms, resp))
		return;
	i = fake_act_other(st, p, kind, author, target, ms, err, sizeof(err));
	if (i < 0) {
		bad(resp, strcmp(err, "out of memory") == 0 ? 500 : 400, err);
		return;
	}
	fake_fmt_ms(st->p[p].notifs[i].created_ms, at);
	fake_resp_json(resp, 201,
		       json_pack("{s:s, s:s, s:s}", "id", st->p[p].notifs[i].id, "type",
				 st->p[p].notifs[i].type, "created_at", at));
}

static void
fault(struct fake_state *st, enum fake_platform p, json_t *body, struct fake_resp *resp)
{
	struct fake_fault f = {.platform = p};
	const char *endpoint, *kind, *text, *header, *param;
	json_t *limits = json_object_get(body, "limits");
	long bytes, kindno;

	if (!opt_str(body, "endpoint", &endpoint, resp) || !opt_str(body, "kind", &kind, resp) ||
	    !opt_int(body, "count", 1, &f.count, resp) ||
	    !opt_int(body, "reset_in", -1, &f.reset_in_s, resp) ||
	    !opt_int(body, "retry_after", -1, &f.retry_after_s, resp) ||
	    !opt_int(body, "delay_ms", SLOW_DEFAULT_MS, &f.delay_ms, resp) ||
	    !opt_int(body, "bytes", HUGE_DEFAULT, &bytes, resp) ||
	    !opt_int(body, "status", 200, &f.status, resp) || !opt_str(body, "body", &text, resp) ||
	    !opt_str(body, "header", &header, resp) || !opt_str(body, "param", &param, resp))
		return;
	if (param != NULL && strlen(param) >= sizeof(f.param)) {
		bad(resp, 400, "param too long");
		return;
	}
	snprintf(f.param, sizeof(f.param), "%s", param ? param : "");
	f.no_limits = json_is_false(limits);
	if (text != NULL && strlen(text) >= sizeof(f.body)) {
		bad(resp, 400, "body too long");
		return;
	}
	snprintf(f.body, sizeof(f.body), "%s", text ? text : "");
	if (header != NULL) {
		/* "Name: value" */
		const char *colon = strchr(header, ':');

		if (colon == NULL || (size_t)(colon - header) >= sizeof(f.header_name) ||
		    strlen(colon + 1) >= sizeof(f.header_value)) {
			bad(resp, 400, "header must be \"Name: value\"");
			return;
		}
		snprintf(f.header_name, sizeof(f.header_name), "%.*s", (int)(colon - header),
			 header);
		snprintf(f.header_value, sizeof(f.header_value), "%s",
			 colon + 1 + (colon[1] == ' '));
	}
	if (f.status < 100 || f.status > 599) {
		bad(resp, 400, "status must be an HTTP status");
		return;
	}
	if (kind != NULL && strcmp(kind, "expire_token") == 0) {
		if (p != FAKE_BLUESKY) {
			bad(resp, 400, "expire_token is for bluesky");
			return;
		}
		fake_bsky_expire_all(st);
		fake_resp_json(resp, 200, json_pack("{s:b}", "expired", 1));
		return;
	}
	kindno = fake_fault_kind_from_name(kind);
	if (kindno < 0) {
		bad(resp, 400,
		    "kind must be 429, 500, 502, 503, garbage, truncated, huge, slow, "
		    "401, 403, answer or expire_token");
		return;
	}
	f.kind = (enum fake_fault_kind)kindno;
	f.bytes = (size_t)bytes;
	f.endpoint = -1;
	if (endpoint != NULL && strcmp(endpoint, "*") != 0) {
		f.endpoint = fake_endpoint_index(p, endpoint);
		if (f.endpoint < 0) {
			bad(resp, 400, "unknown endpoint for this platform");
			return;
		}
	}
	if (f.count < 1) {
		bad(resp, 400, "count must be at least 1");
		return;
	}
	if (fake_fault_add(st, &f) == -1) {
		bad(resp, 500, "out of memory");
		return;
	}
	fake_resp_json(resp, 201,
		       json_pack("{s:I, s:I}", "queued", (json_int_t)f.count, "pending",
				 (json_int_t)fake_faults_pending(st, p)));
}

static json_t *
config_json(const struct fake_state *st, enum fake_platform p)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:b, s:b}", "rate_limit",
			 (json_int_t)st->p[p].rate_limit, "rate_window",
			 (json_int_t)st->p[p].rate_window_s, "page_limit_max",
			 (json_int_t)st->p[p].page_max, "access_ttl", (json_int_t)st->access_ttl_s,
			 "renamed_fields", st->x_renamed, "ignore_paging", st->p[p].ignore_paging);
}

static void
config(struct fake_state *st, enum fake_platform p, json_t *body, struct fake_resp *resp)
{
	static const char *const keys[] = {"access_ttl",  "renamed_fields", "rate_limit",
					   "rate_window", "page_limit_max", "ignore_paging",
					   NULL};
	long ttl, limit, window, page;
	json_t *renamed = json_object_get(body, "renamed_fields");
	json_t *ignore = json_object_get(body, "ignore_paging");
	const char *key;
	json_t *v;

	json_object_foreach(body, key, v)
	{
		bool known = false;

		for (size_t i = 0; keys[i] != NULL && !known; i++)
			known = strcmp(keys[i], key) == 0;
		if (!known) {
			bad(resp, 400,
			    "unknown config key (access_ttl, renamed_fields, rate_limit, "
			    "rate_window, page_limit_max, ignore_paging)");
			return;
		}
	}
	if (!opt_int(body, "access_ttl", st->access_ttl_s, &ttl, resp) ||
	    !opt_int(body, "rate_limit", st->p[p].rate_limit, &limit, resp) ||
	    !opt_int(body, "rate_window", st->p[p].rate_window_s, &window, resp) ||
	    !opt_int(body, "page_limit_max", st->p[p].page_max, &page, resp))
		return;
	if (renamed != NULL && !json_is_boolean(renamed)) {
		bad(resp, 400, "renamed_fields must be true or false");
		return;
	}
	if (ignore != NULL && !json_is_boolean(ignore)) {
		bad(resp, 400, "ignore_paging must be true or false");
		return;
	}
	if (window < 1) {
		bad(resp, 400, "rate_window must be at least 1");
		return;
	}
	if (ignore != NULL)
		st->p[p].ignore_paging = json_is_true(ignore);
	if (p == FAKE_BLUESKY)
		st->access_ttl_s = ttl;
	if (p == FAKE_X && renamed != NULL)
		st->x_renamed = json_is_true(renamed);
	st->p[p].page_max = page;
	if (limit != st->p[p].rate_limit || window != st->p[p].rate_window_s) {
		st->p[p].rate_limit = limit;
		st->p[p].rate_window_s = window;
		fake_limits_reset(st, p);
	}
	fake_resp_json(resp, 200, config_json(st, p));
}

static json_t *
platform_state(const struct fake_state *st, enum fake_platform p)
{
	const struct fake_platform_state *ps = &st->p[p];
	long mentions = 0, replies = 0, posts = 0;
	json_t *limits = json_object();

	for (size_t i = 0; i < ps->nposts; i++) {
		mentions += ps->posts[i].kind == FAKE_POST_CUSTOMER;
		replies += ps->posts[i].kind == FAKE_POST_BRAND && ps->posts[i].parent_id != NULL;
		posts += ps->posts[i].kind != FAKE_POST_CUSTOMER && ps->posts[i].parent_id == NULL;
	}
	for (size_t ep = 0; limits != NULL && ep < fake_endpoint_count(p); ep++) {
		const struct fake_limit *l = &ps->limits[ep];
		char reset[FAKE_TIME_LEN];

		fake_fmt_ms(l->reset_ms, reset);
		if (json_object_set_new(limits, fake_endpoint_name(p, (int)ep),
					json_pack("{s:I, s:I, s:s?}", "limit", (json_int_t)l->limit,
						  "remaining", (json_int_t)l->remaining, "reset",
						  l->reset_ms ? reset : NULL)) == -1) {
			json_decref(limits);
			limits = NULL;
		}
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "mentions",
			 (json_int_t)mentions, "replies", (json_int_t)replies, "posts",
			 (json_int_t)posts, "notifications", (json_int_t)ps->nnotifs, "accounts",
			 (json_int_t)ps->naccounts, "faults_pending",
			 (json_int_t)fake_faults_pending(st, p), "rate_limits", limits, "config",
			 config_json(st, p));
}

static void
state(const struct fake_state *st, struct fake_resp *resp)
{
	fake_resp_json(resp, 200,
		       json_pack("{s:o, s:o, s:o, s:I, s:I}", "mastodon",
				 platform_state(st, FAKE_MASTODON), "x", platform_state(st, FAKE_X),
				 "bluesky", platform_state(st, FAKE_BLUESKY), "requests",
				 (json_int_t)st->nlog, "sessions", (json_int_t)st->ntokens));
}

/* GET /_fake/{p}/mentions: every customer post the platform serves as a
 * mention, oldest first, so a soak or test can compare what a client tracked
 * with what the fake served. */
static void
list_mentions(const struct fake_state *st, enum fake_platform p, struct fake_resp *resp)
{
	const struct fake_platform_state *ps = &st->p[p];
	json_t *list = json_array();

	for (size_t i = 0; list != NULL && i < ps->nposts; i++) {
		char at[FAKE_TIME_LEN];

		if (ps->posts[i].kind != FAKE_POST_CUSTOMER)
			continue;
		fake_fmt_ms(ps->posts[i].created_ms, at);
		if (json_array_append_new(list, json_pack("{s:s, s:s}", "id", ps->posts[i].id,
							  "created_at", at)) == -1) {
			json_decref(list);
			list = NULL;
		}
	}
	fake_resp_json(resp, 200,
		       list ? json_pack("{s:I, s:o}", "count", (json_int_t)json_array_size(list),
					"mentions", list)
			    : NULL);
}

/* GET|POST /_fake/simulator: reads or sets {"paused": bool}. While paused the
 * simulator makes nothing (what falls due meanwhile runs on resume), so a
 * soak can compare a client's view with a content that no longer moves. */
static void
simulator(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	if (strcmp(req->method, "POST") == 0) {
		json_t *body = json_loadb(req->body ? req->body : "", req->body_len, 0, NULL);
		json_t *paused = json_object_get(body, "paused");

		if (!json_is_boolean(paused) || json_object_size(body) != 1) {
			json_decref(body);
			bad(resp, 400, "the body must be {\"paused\": true|false}");
			return;
		}
		st->sim_paused = json_is_true(paused);
		pthread_cond_broadcast(&st->wake);
		json_decref(body);
	} else if (strcmp(req->method, "GET") != 0) {
		bad(resp, 405, "use GET or POST");
		return;
	}
	fake_resp_json(
		resp, 200,
		json_pack("{s:b, s:b}", "running", st->opt->simulate, "paused", st->sim_paused));
}

/* Routes /_fake/{platform}/{what}. */
static void
platform_call(struct fake_state *st, struct fake_req *req, const char *rest, struct fake_resp *resp)
{
	char name[16];
	size_t n = strcspn(rest, "/");
	const char *what = rest + n + (rest[n] == '/');
	json_t *body;
	int p;

	snprintf(name, sizeof(name), "%.*s", (int)(n < sizeof(name) ? n : 0), rest);
	p = fake_platform_from_name(name);
	if (p < 0) {
		bad(resp, 404, "unknown platform (mastodon, x, bluesky)");
		return;
	}
	if (strcmp(what, "mentions") == 0 && strcmp(req->method, "GET") == 0) {
		list_mentions(st, (enum fake_platform)p, resp);
		return;
	}
	if (strcmp(req->method, "POST") != 0) {
		bad(resp, 405, "use POST");
		return;
	}
	body = req->body_len ? json_loadb(req->body, req->body_len, 0, NULL) : json_object();
	if (!json_is_object(body)) {
		json_decref(body);
		bad(resp, 400, "the body must be a JSON object");
		return;
	}
	if (strcmp(what, "mention") == 0 || strcmp(what, "reply") == 0 || strcmp(what, "post") == 0)
		make(st, (enum fake_platform)p, what, body, resp);
	else if (strcmp(what, "other") == 0)
		other(st, (enum fake_platform)p, body, resp);
	else if (strcmp(what, "fault") == 0)
		fault(st, (enum fake_platform)p, body, resp);
	else if (strcmp(what, "config") == 0)
		config(st, (enum fake_platform)p, body, resp);
	else
		bad(resp, 404, "unknown control call (mention, reply, post, other, fault, config)");
	json_decref(body);
}

void
fake_control(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	const char *rest = req->path + strlen("/_fake/");

	if (fake_hook_control(st, req, resp))
		return;
	if (strcmp(rest, "requests") == 0 && strcmp(req->method, "GET") == 0) {
		fake_resp_json(resp, 200,
			       fake_log_json(st, fake_param(req, "platform"),
					     fake_param(req, "endpoint")));
	} else if (strcmp(rest, "requests") == 0 && strcmp(req->method, "DELETE") == 0) {
		fake_log_clear(st);
		fake_resp_json(resp, 200, json_pack("{s:b}", "ok", 1));
	} else if (strcmp(rest, "reset") == 0 && strcmp(req->method, "POST") == 0) {
		if (fake_state_reset(st) == -1)
			bad(resp, 500, "out of memory");
		else
			fake_resp_json(resp, 200, json_pack("{s:b}", "ok", 1));
	} else if (strcmp(rest, "state") == 0 && strcmp(req->method, "GET") == 0) {
		state(st, resp);
	} else if (strcmp(rest, "simulator") == 0) {
		simulator(st, req, resp);
	} else if (strcmp(rest, "requests") == 0 || strcmp(rest, "reset") == 0 ||
		   strcmp(rest, "state") == 0) {
		bad(resp, 405, "method not allowed");
	} else {
		platform_call(st, req, rest, resp);
	}
}
