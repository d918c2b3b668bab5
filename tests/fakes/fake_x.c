/*
 * fake_x.c: the X API v2 user timelines a poller reads — GET
 * /2/users/:id/mentions and /2/users/:id/tweets — with the OpenAPI's
 * parameters (since_id, until_id, start_time, end_time, max_results,
 * pagination_token, tweet.fields/post.fields, expansions, user.fields), its
 * validation errors, {"data","includes","meta"} answers and opaque
 * next_token/previous_token paging. With the "renamed_fields" switch the
 * answers use the newer spec's edit_history_post_ids and referenced_posts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define P FAKE_X

static const char *const tweet_fields[] = {"article",
					   "attachments",
					   "author_id",
					   "card_uri",
					   "community_id",
					   "context_annotations",
					   "conversation_id",
					   "created_at",
					   "display_text_range",
					   "edit_controls",
					   "edit_history_tweet_ids",
					   "edit_history_post_ids",
					   "entities",
					   "geo",
					   "id",
					   "in_reply_to_user_id",
					   "lang",
					   "media_metadata",
					   "non_public_metrics",
					   "note_tweet",
					   "organic_metrics",
					   "possibly_sensitive",
					   "promoted_metrics",
					   "public_metrics",
					   "referenced_tweets",
					   "referenced_posts",
					   "reply_settings",
					   "scopes",
					   "source",
					   "text",
					   "withheld",
					   NULL};

static const char *const user_fields[] = {"affiliation",
					  "confirmed_email",
					  "connection_status",
					  "created_at",
					  "description",
					  "entities",
					  "id",
					  "is_identity_verified",
					  "location",
					  "most_recent_tweet_id",
					  "name",
					  "parody",
					  "pinned_tweet_id",
					  "profile_banner_url",
					  "profile_image_url",
					  "protected",
					  "public_metrics",
					  "receives_your_dm",
					  "subscription",
					  "subscription_type",
					  "url",
					  "username",
					  "verified",
					  "verified_followers_count",
					  "verified_type",
					  "withheld",
					  NULL};

static const char *const expansion_names[] = {"article.cover_media",
					      "article.media_entities",
					      "attachments.media_keys",
					      "attachments.media_source_tweet",
					      "attachments.poll_ids",
					      "author_id",
					      "edit_history_tweet_ids",
					      "edit_history_post_ids",
					      "entities.mentions.username",
					      "entities.note.mentions.username",
					      "geo.place_id",
					      "in_reply_to_user_id",
					      "referenced_tweets.id",
					      "referenced_tweets.id.attachments.media_keys",
					      "referenced_tweets.id.author_id",
					      "referenced_posts.id",
					      "referenced_posts.id.author_id",
					      NULL};

/* What one request asked for. */
struct query {
	const char *fields;  /* tweet.fields or post.fields, "" */
	const char *fields2; /* post.fields when both are given, "" */
	const char *expand;  /* expansions, "" */
	const char *ufields; /* user.fields, "" */
	const char *since_id;
	const char *until_id;
	bool have_start, have_end;
	int64_t start_ms, end_ms;
	char *token_id;    /* the id a pagination_token points at */
	char *token_since; /* the since_id it carries, "" */
	bool token_newer;  /* a previous_token: the page just newer than token_id */
	long max;
};

struct cand {
	const char *id;
	size_t i;
};

static int
cand_cmp_desc(const void *a, const void *b)
{
	return fake_id_cmp(((const struct cand *)b)->id, ((const struct cand *)a)->id);
}

/* True when the comma-separated list holds name. */
static bool
in_list(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *s = list; s != NULL && *s != '\0';) {
		size_t k = strcspn(s, ",");

		if (k == n && strncmp(s, name, n) == 0)
			return true;
		s += k;
		if (*s == ',')
			s++;
	}
	return false;
}

static bool
wants(const struct query *q, const char *field)
{
	return in_list(q->fields, field) || in_list(q->fields2, field);
}

/* A 400 "Invalid Request" problem about one parameter. */
static void
invalid(struct fake_resp *resp, const char *param, const char *value, const char *why)
{
	char *msg = fake_sprintf("The `%s` query parameter value [%s] %s", param, value, why);
	json_t *v = NULL;

	if (msg != NULL)
		v = json_pack("{s:[{s:{s:[s]}, s:s}], s:s, s:s, s:s}", "errors", "parameters",
			      param, value, "message", msg, "title", "Invalid Request", "detail",
			      "One or more parameters to your request was invalid.", "type",
			      "https://api.twitter.com/2/problems/invalid-request");
	free(msg);
	fake_resp_json(resp, 400, v);
	resp->content_type = "application/problem+json";
}

/* Checks every entry of the list param against allowed; answers 400 when one is unknown. */
static bool
list_ok(struct fake_resp *resp, const char *param, const char *list, const char *const *allowed)
{
	for (const char *s = list; *s != '\0';) {
		size_t k = strcspn(s, ",");
		bool ok = false;

		for (size_t j = 0; allowed[j] != NULL && !ok; j++)
			ok = strlen(allowed[j]) == k && strncmp(allowed[j], s, k) == 0;
		if (!ok) {
			char *bad = strndup(s, k);

			invalid(resp, param, bad ? bad : "", "is not one of the allowed values");
			free(bad);
			return false;
		}
		s += k;
		if (*s == ',')
			s++;
	}
	return true;
}

static const char *
param_or_empty(const struct fake_req *req, const char *key)
{
	const char *v = fake_param(req, key);

	return v ? v : "";
}

/*
 * Reads a pagination token: hex of "DIR:ID:SINCE_ID:START_MS" (DIR "o" for
 * the page older than ID, "n" for the page newer; SINCE_ID and START_MS
 * empty when the first page had none). The filters of the first page carry
 * on when the request does not repeat them. Returns 0 or -1 (malformed).
 */
static int
read_token(const char *text, struct query *q)
{
	char *dec = fake_hex_decode(text), *f[4] = {NULL}, *end;
	int n = 1, rc = -1;

	if (dec == NULL)
		return -1;
	f[0] = dec;
	for (char *s = strchr(dec, ':'); s != NULL && n < 4; s = strchr(s, ':')) {
		*s++ = '\0';
		f[n++] = s;
	}
	if (n != 4 || (strcmp(f[0], "o") != 0 && strcmp(f[0], "n") != 0) ||
	    !fake_is_digits(f[1], 19) || (*f[2] != '\0' && !fake_is_digits(f[2], 19)) ||
	    (*f[3] != '\0' && !fake_is_digits(f[3], 15)))
		goto done;
	q->token_newer = f[0][0] == 'n';
	q->token_id = strdup(f[1]);
	q->token_since = strdup(f[2]);
	if (q->token_id == NULL || q->token_since == NULL)
		goto done;
	if (q->since_id == NULL && *f[2] != '\0')
		q->since_id = q->token_since;
	if (!q->have_start && *f[3] != '\0') {
		q->have_start = true;
		q->start_ms = strtoll(f[3], &end, 10);
	}
	rc = 0;
done:
	free(dec);
	return rc;
}

/* Reads and validates the query; answers 400 and returns -1 on a bad parameter. */
static int
read_query(const struct fake_state *st, const struct fake_req *req, struct fake_resp *resp,
	   struct query *q)
{
	const char *v;
	char *end;

	q->fields = param_or_empty(req, "tweet.fields");
	q->fields2 = param_or_empty(req, "post.fields");
	q->expand = param_or_empty(req, "expansions");
	q->ufields = param_or_empty(req, "user.fields");
	if (!list_ok(resp, "tweet.fields", q->fields, tweet_fields) ||
	    !list_ok(resp, "post.fields", q->fields2, tweet_fields) ||
	    !list_ok(resp, "expansions", q->expand, expansion_names) ||
	    !list_ok(resp, "user.fields", q->ufields, user_fields))
		return -1;
	q->max = 10;
	v = fake_param(req, "max_results");
	if (v != NULL) {
		q->max = strtol(v, &end, 10);
		if (!fake_is_digits(v, 9) || *end != '\0' || q->max < 5 || q->max > 100) {
			invalid(resp, "max_results", v, "is not between 5 and 100");
			return -1;
		}
	}
	if (st->p[P].page_max > 0 && q->max > st->p[P].page_max)
		q->max = st->p[P].page_max;
	q->since_id = fake_param(req, "since_id");
	q->until_id = fake_param(req, "until_id");
	if (q->since_id != NULL && !fake_is_digits(q->since_id, 19)) {
		invalid(resp, "since_id", q->since_id, "does not match ^[0-9]{1,19}$");
		return -1;
	}
	if (q->until_id != NULL && !fake_is_digits(q->until_id, 19)) {
		invalid(resp, "until_id", q->until_id, "does not match ^[0-9]{1,19}$");
		return -1;
	}
	v = fake_param(req, "start_time");
	if (v != NULL && fake_parse_time(v, &q->start_ms) == -1) {
		invalid(resp, "start_time", v, "is not a valid RFC 3339 date-time");
		return -1;
	}
	q->have_start = v != NULL;
	v = fake_param(req, "end_time");
	if (v != NULL && fake_parse_time(v, &q->end_ms) == -1) {
		invalid(resp, "end_time", v, "is not a valid RFC 3339 date-time");
		return -1;
	}
	q->have_end = v != NULL;
	v = fake_param(req, "pagination_token");
	if (v != NULL && read_token(v, q) == -1) {
		invalid(resp, "pagination_token", v, "is not valid");
		return -1;
	}
	return 0;
}

/* Whether post passes the time and id filters (the paging token aside). */
static bool
passes(const struct query *q, const struct fake_post *post)
{
	if (q->since_id != NULL && fake_id_cmp(post->id, q->since_id) <= 0)
		return false;
	if (q->until_id != NULL && fake_id_cmp(post->id, q->until_id) >= 0)
		return false;
	/* since_id takes precedence over start_time. */
	if (q->since_id == NULL && q->have_start && post->created_ms < q->start_ms)
		return false;
	if (q->have_end && post->created_ms >= q->end_ms)
		return false;
	return true;
}

/* The referenced_tweets array of post (the post it replies to or retweets), NULL when none. */
static json_t *
referenced(const struct fake_state *st, const struct fake_post *post)
{
	if (post->parent_id != NULL)
		return json_pack("[{s:s, s:s}]", "type", "replied_to", "id", post->parent_id);
	if (post->kind == FAKE_POST_REPOST)
		return json_pack("[{s:s, s:s}]", "type", "retweeted", "id",
				 st->p[P].posts[post->subject].id);
	return NULL;
}

/* Code points in the first n bytes of UTF-8 s. */
static long
code_points(const char *s, size_t n)
{
	long cp = 0;

	for (size_t i = 0; i < n; i++)
		cp += ((unsigned char)s[i] & 0xc0) != 0x80;
	return cp;
}

/* Sets key to v (stolen); false when v is NULL or cannot be set. */
static bool
put(json_t *obj, const char *key, json_t *v)
{
	return v != NULL && json_object_set_new(obj, key, v) == 0;
}

static json_t *
post_json(const struct fake_state *st, const struct query *q, size_t i)
{
	const struct fake_platform_state *ps = &st->p[P];
	const struct fake_post *post = &ps->posts[i];
	const char *hist = st->x_renamed ? "edit_history_post_ids" : "edit_history_tweet_ids";
	const char *refs = st->x_renamed ? "referenced_posts" : "referenced_tweets";
	char created[FAKE_TIME_LEN];
	json_t *v =
		json_pack("{s:s, s:s, s:[s]}", "id", post->id, "text", post->text, hist, post->id);
	bool ok = v != NULL;

	fake_fmt_ms(post->created_ms, created);
	if (ok && wants(q, "author_id"))
		ok = put(v, "author_id", json_string(ps->accounts[post->author].id));
	if (ok && wants(q, "conversation_id"))
		ok = put(v, "conversation_id", json_string(post->root_id));
	if (ok && wants(q, "created_at"))
		ok = put(v, "created_at", json_string(created));
	if (ok && wants(q, "in_reply_to_user_id") && post->parent >= 0)
		ok = put(v, "in_reply_to_user_id",
			 json_string(ps->accounts[ps->posts[post->parent].author].id));
	if (ok && (wants(q, "referenced_tweets") || wants(q, "referenced_posts")) &&
	    (post->parent_id != NULL || post->kind == FAKE_POST_REPOST))
		ok = put(v, refs, referenced(st, post));
	if (ok && wants(q, "lang"))
		ok = put(v, "lang", json_string("en"));
	if (ok && wants(q, "possibly_sensitive"))
		ok = put(v, "possibly_sensitive", json_false());
	if (ok && wants(q, "reply_settings"))
		ok = put(v, "reply_settings", json_string("everyone"));
	if (ok && wants(q, "public_metrics"))
		ok = put(v, "public_metrics",
			 json_pack("{s:I, s:I, s:I, s:i, s:i, s:i}", "retweet_count",
				   (json_int_t)fake_post_reposts(st, P, i), "reply_count",
				   (json_int_t)fake_post_replies(st, P, i), "like_count",
				   (json_int_t)fake_post_likes(st, P, i), "quote_count", 0,
				   "bookmark_count", 0, "impression_count", 0));
	if (ok && wants(q, "entities") && post->mentioned >= 0)
		ok = put(v, "entities",
			 json_pack("{s:[{s:I, s:I, s:s, s:s}]}", "mentions", "start",
				   (json_int_t)code_points(post->text, post->mention_start), "end",
				   (json_int_t)code_points(post->text, post->mention_end),
				   "username", ps->accounts[post->mentioned].handle, "id",
				   ps->accounts[post->mentioned].id));
	if (!ok) {
		json_decref(v);
		return NULL;
	}
	return v;
}

static json_t *
user_json(const struct fake_state *st, const struct query *q, size_t i)
{
	const struct fake_account *a = &st->p[P].accounts[i];
	char created[FAKE_TIME_LEN];
	json_t *v =
		json_pack("{s:s, s:s, s:s}", "id", a->id, "name", a->name, "username", a->handle);
	bool ok = v != NULL;
	long tweets = 0;

	for (size_t k = 0; k < st->p[P].nposts; k++)
		tweets += st->p[P].posts[k].author == i;
	fake_fmt_ms(a->created_ms, created);
	if (ok && in_list(q->ufields, "created_at"))
		ok = put(v, "created_at", json_string(created));
	if (ok && in_list(q->ufields, "description"))
		ok = put(v, "description", json_string(i == 0 ? "Official ACME support." : ""));
	if (ok && in_list(q->ufields, "protected"))
		ok = put(v, "protected", json_false());
	if (ok && in_list(q->ufields, "verified"))
		ok = put(v, "verified", json_boolean(i == 0));
	if (ok && in_list(q->ufields, "profile_image_url"))
		ok = put(v, "profile_image_url",
			 json_string("https://pbs.twimg.com/profile_images/0/default_normal.png"));
	if (ok && in_list(q->ufields, "public_metrics"))
		ok = put(v, "public_metrics",
			 json_pack("{s:I, s:I, s:I, s:i}", "followers_count",
				   (json_int_t)a->followers, "following_count",
				   (json_int_t)a->following, "tweet_count", (json_int_t)tweets,
				   "listed_count", (int)(a->followers / 200)));
	if (!ok) {
		json_decref(v);
		return NULL;
	}
	return v;
}

/* Adds user i to includes.users once. */
static bool
include_user(const struct fake_state *st, const struct query *q, json_t *users, bool *seen,
	     size_t i)
{
	if (seen[i])
		return true;
	seen[i] = true;
	return json_array_append_new(users, user_json(st, q, i)) == 0;
}

/* The includes object for the page, or NULL with *ok false when out of memory. */
static json_t *
includes(const struct fake_state *st, const struct query *q, const struct cand *page, size_t n,
	 bool *ok)
{
	const struct fake_platform_state *ps = &st->p[P];
	bool *seen = calloc(ps->naccounts, sizeof(*seen));
	json_t *users = json_array(), *tweets = json_array(), *out = NULL;
	bool refs = in_list(q->expand, "referenced_tweets.id") ||
		    in_list(q->expand, "referenced_posts.id");
	bool ref_authors = in_list(q->expand, "referenced_tweets.id.author_id") ||
			   in_list(q->expand, "referenced_posts.id.author_id");

	*ok = seen != NULL && users != NULL && tweets != NULL;
	for (size_t k = 0; k < n && *ok; k++) {
		const struct fake_post *post = &ps->posts[page[k].i];
		long ref = post->parent >= 0 ? post->parent : post->subject;

		if (in_list(q->expand, "author_id"))
			*ok = include_user(st, q, users, seen, post->author);
		if (*ok && in_list(q->expand, "in_reply_to_user_id") && post->parent >= 0)
			*ok = include_user(st, q, users, seen, ps->posts[post->parent].author);
		if (*ok && ref >= 0 && refs)
			*ok = json_array_append_new(tweets, post_json(st, q, (size_t)ref)) == 0;
		if (*ok && ref >= 0 && ref_authors)
			*ok = include_user(st, q, users, seen, ps->posts[ref].author);
	}
	if (*ok && (json_array_size(users) > 0 || json_array_size(tweets) > 0)) {
		out = json_object();
		*ok = out != NULL &&
		      (json_array_size(users) == 0 || json_object_set(out, "users", users) == 0) &&
		      (json_array_size(tweets) == 0 || json_object_set(out, "tweets", tweets) == 0);
	}
	json_decref(users);
	json_decref(tweets);
	free(seen);
	return out;
}

/* An opaque paging token (see read_token) for the page older ('o') or
 * newer ('n') than id under q's filters. */
static json_t *
token(const struct query *q, char dir, const char *id)
{
	char start[24] = "";
	char *raw, *hex;
	json_t *v;

	if (q->have_start)
		snprintf(start, sizeof(start), "%lld", (long long)q->start_ms);
	raw = fake_sprintf("%c:%s:%s:%s", dir, id, q->since_id ? q->since_id : "", start);
	hex = raw ? fake_hex_encode(raw) : NULL;
	v = hex ? json_string(hex) : NULL;
	free(raw);
	free(hex);
	return v;
}

/* X's answer for an unknown user id: 200 with a resource-not-found error. */
static void
not_found(struct fake_resp *resp, const char *id)
{
	char *detail = fake_sprintf("Could not find user with id: [%s].", id);
	json_t *v = NULL;

	if (detail != NULL)
		v = json_pack("{s:[{s:s, s:s, s:s, s:s, s:s, s:s, s:s}]}", "errors", "value", id,
			      "detail", detail, "title", "Not Found Error", "resource_type", "user",
			      "parameter", "id", "resource_id", id, "type",
			      "https://api.twitter.com/2/problems/resource-not-found");
	free(detail);
	fake_resp_json(resp, 200, v);
}

static void
timeline(struct fake_state *st, struct fake_req *req, struct fake_resp *resp, bool mentions)
{
	const struct fake_platform_state *ps = &st->p[P];
	struct query q = {0};
	struct cand *cands = NULL;
	size_t n = 0, lo = 0, hi, k;
	json_t *data = NULL, *meta = NULL, *out = NULL, *inc;
	bool ok;
	long who;

	if (!fake_is_digits(req->capture, 19)) {
		invalid(resp, "id", req->capture, "does not match ^[0-9]{1,19}$");
		return;
	}
	if (read_query(st, req, resp, &q) == -1)
		goto done;
	who = fake_account_find(st, P, req->capture);
	if (who < 0) {
		not_found(resp, req->capture);
		goto done;
	}
	cands = calloc(ps->nposts ? ps->nposts : 1, sizeof(*cands));
	if (cands == NULL) {
		fake_resp_json(resp, 500, NULL);
		goto done;
	}
	for (size_t i = 0; i < ps->nposts; i++) {
		const struct fake_post *post = &ps->posts[i];
		bool mine = mentions ? post->mentioned == who && post->author != (size_t)who
				     : post->author == (size_t)who;
		const char *excl = fake_param(req, "exclude");

		if (!mentions && excl != NULL &&
		    ((in_list(excl, "replies") && post->parent_id != NULL) ||
		     (in_list(excl, "retweets") && post->kind == FAKE_POST_REPOST)))
			mine = false;
		if (!mine || !passes(&q, post))
			continue;
		cands[n].id = post->id;
		cands[n++].i = i;
	}
	qsort(cands, n, sizeof(*cands), cand_cmp_desc);
	hi = n;
	if (q.token_id != NULL && q.token_newer) {
		while (hi > 0 && fake_id_cmp(cands[hi - 1].id, q.token_id) <= 0)
			hi--;
		if (hi > (size_t)q.max)
			lo = hi - (size_t)q.max;
	} else {
		if (q.token_id != NULL) {
			while (lo < n && fake_id_cmp(cands[lo].id, q.token_id) >= 0)
				lo++;
		}
		if (hi - lo > (size_t)q.max)
			hi = lo + (size_t)q.max;
	}
	k = hi - lo;
	if (k == 0) {
		fake_resp_json(resp, 200, json_pack("{s:{s:i}}", "meta", "result_count", 0));
		goto done;
	}
	data = json_array();
	ok = data != NULL;
	for (size_t i = lo; i < hi && ok; i++)
		ok = json_array_append_new(data, post_json(st, &q, cands[i].i)) == 0;
	meta = json_pack("{s:s, s:s, s:I}", "newest_id", cands[lo].id, "oldest_id",
			 cands[hi - 1].id, "result_count", (json_int_t)k);
	ok = ok && meta != NULL;
	if (ok && hi < n)
		ok = put(meta, "next_token", token(&q, 'o', cands[hi - 1].id));
	if (ok && q.token_id != NULL && lo > 0)
		ok = put(meta, "previous_token", token(&q, 'n', cands[lo].id));
	inc = ok ? includes(st, &q, cands + lo, k, &ok) : NULL;
	out = ok ? json_pack("{s:O, s:o*, s:O}", "data", data, "includes", inc, "meta", meta)
		 : NULL;
	if (!ok)
		json_decref(inc);
	fake_resp_json(resp, 200, out);
done:
	json_decref(data);
	json_decref(meta);
	free(cands);
	free(q.token_id);
	free(q.token_since);
}

void
fake_x_mentions(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	timeline(st, req, resp, true);
}

void
fake_x_tweets(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	timeline(st, req, resp, false);
}

/* ---- the descriptor: errors, limits, credentials ---- */

static enum fake_auth
x_auth(struct fake_state *st, const struct fake_req *req, int ep, const char **why)
{
	(void)ep;
	(void)why;
	return fake_token_auth(req, fake_option(st, P, "token"));
}

/* A problem (RFC 7807) body. */
static void
x_error(struct fake_resp *r, unsigned status, const char *name, const char *msg)
{
	fake_resp_json(r, status,
		       json_pack("{s:s, s:s, s:s, s:i}", "title", name, "detail", msg, "type",
				 "about:blank", "status", (int)status));
	if (status >= 400)
		r->content_type = "application/problem+json";
}

static void
x_auth_fail(struct fake_resp *r, int ep, const char *why)
{
	(void)ep;
	(void)why;
	x_error(r, 401, "Unauthorized", "Unauthorized");
}

static void
x_fault(struct fake_resp *r, enum fake_fault_kind kind)
{
	if (kind == FAKE_F_403)
		x_error(r, 403, "Forbidden", "Forbidden");
	else if (kind == FAKE_F_500)
		x_error(r, 500, "Internal Server Error", "Internal Server Error");
	else if (kind == FAKE_F_502)
		x_error(r, 502, "Bad Gateway", "Bad Gateway");
	else
		x_error(r, 503, "Service Unavailable", "Service Unavailable");
}

/* An unknown path: the v1.1-style errors array, not a problem. */
static void
x_no_path(struct fake_resp *r)
{
	fake_resp_json(r, 404,
		       json_pack("{s:[{s:s, s:i}]}", "errors", "message",
				 "Sorry, that page does not exist", "code", 34));
}

static void
x_too_many(struct fake_resp *r, const struct fake_limit *l, long retry_after, int64_t now)
{
	(void)l;
	(void)now;
	x_error(r, 429, "Too Many Requests", "Too Many Requests");
	if (retry_after >= 0)
		fake_resp_header(r, "Retry-After", "%ld", retry_after);
}

/* x-rate-limit-reset is epoch seconds. */
static void
x_limit_headers(struct fake_resp *r, const struct fake_limit *l)
{
	fake_resp_header(r, "x-rate-limit-limit", "%ld", l->limit);
	fake_resp_header(r, "x-rate-limit-remaining", "%ld", l->remaining);
	fake_resp_header(r, "x-rate-limit-reset", "%lld", (long long)((l->reset_ms + 999) / 1000));
}

/* "renamed_fields": answers use the newer spec's field names. */
static void
x_config(struct fake_state *st, json_t *body)
{
	json_t *renamed = json_object_get(body, "renamed_fields");

	if (renamed != NULL)
		st->x_renamed = json_is_true(renamed);
}

static const struct fake_route_def x_routes[] = {
	{"GET", "/2/users/*/mentions", "mentions", fake_x_mentions},
	{"GET", "/2/users/*/tweets", "tweets", fake_x_tweets},
};

static const char *const x_paging[] = {"until_id", "pagination_token", NULL};

const struct fake_platform_def fake_x_def = {
	.name = "x",
	.prefix = "/2/",
	.routes = x_routes,
	.nroutes = sizeof(x_routes) / sizeof(x_routes[0]),
	.options = {{"token", "x-test-token", "T"}},
	.paging = x_paging,
	.social = true,
	.auth = x_auth,
	.error = x_error,
	.auth_fail = x_auth_fail,
	.fault = x_fault,
	.not_found = x_no_path,
	.too_many = x_too_many,
	.limit_headers = x_limit_headers,
	.state = fake_social_state,
	.get = fake_social_get,
	.control = fake_social_control,
	.control_calls = "mention, reply, post, other",
	.config = x_config,
};
