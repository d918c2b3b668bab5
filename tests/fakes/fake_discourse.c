/*
 * fake_discourse.c: a Discourse forum's latest posts, platform "discourse":
 *
 *   GET /posts.json[?before=ID]
 *
 * answers {"latest_posts": [...]}: the forum's posts newest first (by id,
 * which grows with every post, as Discourse's do), at most 50 (or the
 * configured page maximum), only those with an id below "before" when it
 * is given. Each post carries the fields Discourse's post serializer
 * gives: id, name, username, avatar_template, created_at, updated_at,
 * cooked, raw, post_number, post_type, reply_count, reply_to_post_number
 * (null when none), topic_id, topic_slug, topic_title, post_url
 * ("/t/SLUG/TOPIC/NUMBER"), user_id, staff, admin, moderator.
 *
 * Auth as Discourse documents for its API: the "Api-Key" and
 * "Api-Username" headers (a key in the query is not taken); a missing or
 * wrong pair is a 403 {"errors": [...], "error_type": "invalid_access"}.
 * A revoked key ("revoke") is wrong from then on. Errors are Discourse's
 * {"errors": [msg], "error_type": name}; a 429 carries Retry-After.
 *
 * Control: POST /_fake/discourse/post {username, raw?, topic_id? (a new
 * topic when absent), reply_to_post_number?, staff?, at? (ms or RFC 3339,
 * default now), created_at_text? (the created_at string served instead,
 * to make a malformed post)} answers the post as served; /revoke; GET
 * /_fake/discourse/posts lists every post.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define DC_PAGE 50
#define DC_FIRST_ID 4200
#define DC_FIRST_TOPIC 310

struct dc_post {
	long id, topic, number, reply_to;
	char *username, *raw, *created_text;
	bool staff;
	int64_t at_ms;
};

struct dc_state {
	struct dc_post *v;
	size_t n, cap;
	long next_id, next_topic;
	bool revoked;
};

static struct dc_state *
dc_of(struct fake_state *st, enum fake_platform p)
{
	struct dc_state *d = st->own[p];

	if (d == NULL && (d = calloc(1, sizeof(*d))) != NULL) {
		d->next_id = DC_FIRST_ID;
		d->next_topic = DC_FIRST_TOPIC;
		st->own[p] = d;
	}
	return d;
}

static void
dc_error(struct fake_resp *r, unsigned status, const char *name, const char *msg)
{
	fake_resp_json(
		r, status,
		json_pack("{s:[s], s:s}", "errors", msg, "error_type", name ? name : "error"));
}

/* The time a post shows: its own text when one was given (a malformed
 * post), else RFC 3339 with ms as Discourse writes it. */
static json_t *
dc_time(const struct dc_post *d)
{
	char at[FAKE_TIME_LEN];

	if (d->created_text != NULL)
		return json_string(d->created_text);
	fake_fmt_ms(d->at_ms, at);
	return json_string(at);
}

static json_t *
dc_post_json(const struct dc_post *d)
{
	char slug[32], title[48], url[96], at[FAKE_TIME_LEN];

	snprintf(slug, sizeof(slug), "topic-%ld", d->topic);
	snprintf(title, sizeof(title), "Topic %ld", d->topic);
	snprintf(url, sizeof(url), "/t/%s/%ld/%ld", slug, d->topic, d->number);
	fake_fmt_ms(d->at_ms, at);
	return json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:I, s:i, s:i, s:o, s:I, s:s, "
			 "s:s, s:s, s:I, s:b, s:b, s:b}",
			 "id", (json_int_t)d->id, "name", d->username, "username", d->username,
			 "avatar_template", "/letter_avatar_proxy/v4/letter/a/{size}.png",
			 "created_at", dc_time(d), "updated_at", at, "cooked", d->raw, "raw",
			 d->raw, "post_number", (json_int_t)d->number, "post_type", 1,
			 "reply_count", 0, "reply_to_post_number",
			 d->reply_to > 0 ? json_integer(d->reply_to) : json_null(), "topic_id",
			 (json_int_t)d->topic, "topic_slug", slug, "topic_title", title, "post_url",
			 url, "user_id", (json_int_t)(fake_hash64(d->username) % 100000), "staff",
			 d->staff, "admin", d->staff, "moderator", false);
}

/* GET /posts.json */
static void
dc_latest(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	struct dc_state *d = dc_of(st, req->platform);
	const char *before_text = fake_param(req, "before");
	long before = 0, limit = fake_page_limit(st, req->platform, NULL, DC_PAGE, DC_PAGE);
	json_t *list = json_array();

	if (before_text != NULL && *before_text != '\0') {
		if (!fake_is_digits(before_text, 18)) {
			dc_error(resp, 400, "invalid_parameters", "before must be a post id");
			json_decref(list);
			return;
		}
		before = strtol(before_text, NULL, 10);
	}
	/* Ids grow with insertion: newest first is from the end. */
	for (size_t i = d ? d->n : 0; list != NULL && i > 0 && (long)json_array_size(list) < limit;
	     i--)
		if (before == 0 || d->v[i - 1].id < before)
			json_array_append_new(list, dc_post_json(&d->v[i - 1]));
	fake_resp_json(resp, 200, list ? json_pack("{s:o}", "latest_posts", list) : NULL);
}

static enum fake_auth
dc_auth(struct fake_state *st, const struct fake_req *req, int ep, const char **why)
{
	const struct dc_state *d = st->own[req->platform];

	(void)ep;
	(void)why;
	if (req->api_key == NULL || req->api_username == NULL)
		return FAKE_AUTH_MISSING;
	return strcmp(req->api_key, fake_option(st, req->platform, "api-key")) == 0 &&
			       strcmp(req->api_username,
				      fake_option(st, req->platform, "api-username")) == 0 &&
			       (d == NULL || !d->revoked)
		       ? FAKE_AUTH_OK
		       : FAKE_AUTH_WRONG;
}

static void
dc_auth_fail(struct fake_resp *r, int ep, const char *why)
{
	(void)ep;
	(void)why;
	dc_error(r, 403, "invalid_access",
		 "You are not permitted to view the requested resource. The API username or key "
		 "is invalid.");
}

static void
dc_fault(struct fake_resp *r, enum fake_fault_kind kind)
{
	if (kind == FAKE_F_403)
		dc_error(r, 403, "invalid_access",
			 "You are not permitted to view the requested resource.");
	else if (kind == FAKE_F_500)
		dc_error(r, 500, "server_error", "Internal Server Error");
	else if (kind == FAKE_F_502)
		dc_error(r, 502, "bad_gateway", "Bad Gateway");
	else
		dc_error(r, 503, "service_unavailable", "Service Unavailable");
}

static void
dc_not_found(struct fake_resp *r)
{
	dc_error(r, 404, "not_found", "The requested URL or resource could not be found.");
}

static void
dc_too_many(struct fake_resp *r, const struct fake_limit *l, long retry_after, int64_t now)
{
	long wait = retry_after;

	if (wait < 0)
		wait = l->reset_ms > now ? (long)((l->reset_ms - now + 999) / 1000) : 1;
	dc_error(r, 429, "rate_limit",
		 "You've performed this action too many times. Please wait a few seconds before "
		 "trying again.");
	fake_resp_header(r, "Retry-After", "%ld", wait);
}

/* Discourse sends no rate-limit headers on success. */
static void
dc_limit_headers(struct fake_resp *r, const struct fake_limit *l)
{
	(void)r;
	(void)l;
}

static json_t *
dc_state_json(const struct fake_state *st, enum fake_platform p)
{
	const struct dc_state *d = st->own[p];

	return json_pack("{s:i, s:b}", "posts", d ? (int)d->n : 0, "revoked",
			 d ? d->revoked : false);
}

static void
dc_post_free(struct dc_post *d)
{
	free(d->username);
	free(d->raw);
	free(d->created_text);
	memset(d, 0, sizeof(*d));
}

/* "at" of a control body: ms, an RFC 3339 time, or now; -1 when unreadable. */
static int64_t
dc_at(const json_t *body)
{
	const json_t *at = json_object_get(body, "at");
	int64_t ms;

	if (at == NULL)
		return fake_now_ms();
	if (json_is_integer(at) && json_integer_value(at) > 0)
		return (int64_t)json_integer_value(at);
	if (json_is_string(at) && fake_parse_time(json_string_value(at), &ms) == 0)
		return ms;
	return -1;
}

/* The next post number in topic. */
static long
dc_next_number(const struct dc_state *d, long topic)
{
	long n = 0;

	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].topic == topic && d->v[i].number > n)
			n = d->v[i].number;
	return n + 1;
}

static void
dc_new_post(struct dc_state *d, json_t *body, struct fake_resp *resp)
{
	const char *user = json_string_value(json_object_get(body, "username"));
	const char *raw = json_string_value(json_object_get(body, "raw"));
	const char *ctext = json_string_value(json_object_get(body, "created_at_text"));
	const json_t *topic = json_object_get(body, "topic_id");
	const json_t *reply = json_object_get(body, "reply_to_post_number");
	struct dc_post p = {0};

	if (user == NULL || *user == '\0' || (topic != NULL && !json_is_integer(topic)) ||
	    (reply != NULL && !json_is_integer(reply) && !json_is_null(reply))) {
		fake_control_error(resp, 400,
				   "post: username (a string), topic_id and reply_to_post_number "
				   "(integers) expected");
		return;
	}
	p.at_ms = dc_at(body);
	p.topic = topic ? (long)json_integer_value(topic) : d->next_topic++;
	p.number = dc_next_number(d, p.topic);
	p.reply_to = json_is_integer(reply) ? (long)json_integer_value(reply) : 0;
	p.staff = json_is_true(json_object_get(body, "staff"));
	p.username = strdup(user);
	p.raw = strdup(raw ? raw : "");
	p.created_text = ctext ? strdup(ctext) : NULL;
	if (p.at_ms < 0 || p.username == NULL || p.raw == NULL || (ctext && !p.created_text) ||
	    fake_grow((void **)&d->v, &d->cap, d->n, sizeof(*d->v)) == -1) {
		dc_post_free(&p);
		fake_control_error(resp, 400, "post: a readable \"at\" (or out of memory)");
		return;
	}
	p.id = d->next_id++;
	d->v[d->n++] = p;
	fake_resp_json(resp, 200, dc_post_json(&d->v[d->n - 1]));
}

static bool
dc_control(struct fake_state *st, enum fake_platform p, const char *what, json_t *body,
	   struct fake_resp *resp)
{
	struct dc_state *d = dc_of(st, p);

	if (d == NULL) {
		fake_control_error(resp, 500, "out of memory");
		return true;
	}
	if (strcmp(what, "post") == 0) {
		dc_new_post(d, body, resp);
	} else if (strcmp(what, "revoke") == 0) {
		d->revoked = true;
		fake_resp_json(resp, 200, dc_state_json(st, p));
	} else {
		return false;
	}
	return true;
}

/* GET /_fake/discourse/posts: every post, oldest first. */
static bool
dc_get(struct fake_state *st, enum fake_platform p, const char *what, struct fake_req *req,
       struct fake_resp *resp)
{
	const struct dc_state *d = st->own[p];
	json_t *list;

	(void)req;
	if (strcmp(what, "posts") != 0)
		return false;
	list = json_array();
	for (size_t i = 0; list != NULL && d != NULL && i < d->n; i++)
		json_array_append_new(list, dc_post_json(&d->v[i]));
	fake_resp_json(resp, 200, list ? json_pack("{s:o}", "posts", list) : NULL);
	return true;
}

bool
fake_discourse_opens_topic(struct fake_state *st, enum fake_platform p, long topic, long id)
{
	const struct dc_state *d = st->own[p];

	for (size_t i = 0; d != NULL && i < d->n; i++)
		if (d->v[i].id == id)
			return d->v[i].topic == topic && d->v[i].number == 1;
	return false;
}

static void
dc_free(struct fake_state *st, enum fake_platform p)
{
	struct dc_state *d = st->own[p];

	for (size_t i = 0; d != NULL && i < d->n; i++)
		dc_post_free(&d->v[i]);
	if (d != NULL)
		free(d->v);
	free(d);
	st->own[p] = NULL;
}

static const struct fake_route_def dc_routes[] = {
	{"GET", "/posts.json", "posts", dc_latest},
};

static const char *const dc_paging[] = {"before", NULL};

const struct fake_platform_def fake_discourse_def = {
	.name = "discourse",
	.prefix = "/posts",
	.routes = dc_routes,
	.nroutes = sizeof(dc_routes) / sizeof(dc_routes[0]),
	.options = {{"api-key", "discourse-test-key", "KEY"}, {"api-username", "system", "NAME"}},
	.paging = dc_paging,
	.social = false,
	.auth = dc_auth,
	.error = dc_error,
	.auth_fail = dc_auth_fail,
	.fault = dc_fault,
	.not_found = dc_not_found,
	.too_many = dc_too_many,
	.limit_headers = dc_limit_headers,
	.state = dc_state_json,
	.get = dc_get,
	.control = dc_control,
	.control_calls = "post, revoke",
	.reset = dc_free,
	.free = dc_free,
};
