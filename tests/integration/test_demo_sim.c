/*
 * The demo's traffic on the platforms whose fakes keep their own store:
 * rwfake's simulator (tests/fakes/fake_sim_feeds.c) against the daemon
 * running config/demo.json's facebook, instagram, youtube, reddit and
 * linkedin sources as they are (only the addresses moved to this test's
 * ports), in real time. Each source gets new items and brand replies by
 * polling, the Meta ones by signed webhooks too, and once the simulator is
 * paused every customer item of the fakes is tracked exactly once: the
 * webhook and the poll of the same item agree on its id. Likewise for the
 * simulator's marketplace and forum (tests/fakes/fake_sim_shop.c) against
 * the demo's allegro and json (Discourse forum) sources: ratings, buyer
 * messages and issues, forum topics, each with seller or support answers.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/clock.h"
#include "rwtest.h"
#include "rwtsrc.h"

#define DEMO_FAKE "http://127.0.0.1:9478"
#define NFEEDS 5
#define FB 0
#define IG 1
#define YT 2
#define RD 3
#define LI 4

static const char *const types[NFEEDS] = {"facebook", "instagram", "youtube", "reddit", "linkedin"};

static struct rwt_redis redis;
static struct rwt_daemon daemon_;
static struct rwt_fake fake;
static char *dir;
static char names[NFEEDS][64]; /* the demo's source of each type */
#define NSHOP 2
#define AL 0
#define FORUM 1
static const char *const shop_types[NSHOP] = {"allegro", "json"};
static char shop_names[NSHOP][64]; /* the demo's allegro and forum sources */
static char app_secret[128];       /* the demo's Meta app secret */

static void
teardown(void)
{
	rwt_daemon_stop_clean(&daemon_);
	rwt_daemon_cleanup(&daemon_);
	rwt_fake_stop(&fake);
	rwt_redis_destroy(&redis);
	rwt_tmpdir_remove(dir);
}

TestSuite(demo_sim, .fini = teardown, .timeout = 180);

/* Points every address of the demo's fake in v at this test's fake. */
static void
move_addresses(json_t *v)
{
	const char *key;
	size_t i;
	json_t *m;

	if (json_is_object(v)) {
		json_object_foreach(v, key, m)
		{
			const char *s = json_string_value(m);

			if (s != NULL && strncmp(s, DEMO_FAKE, strlen(DEMO_FAKE)) == 0) {
				char *moved;

				cr_assert(asprintf(&moved, "%s%s", fake.base,
						   s + strlen(DEMO_FAKE)) > 0);
				json_object_set_new(v, key, json_string(moved));
				free(moved);
			} else {
				move_addresses(m);
			}
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m) move_addresses(m);
	}
}

/* The index of type in types, -1. */
static int
feed_of(const char *type)
{
	for (int i = 0; type != NULL && i < NFEEDS; i++)
		if (strcmp(types[i], type) == 0)
			return i;
	return -1;
}

/* The index of type in shop_types, -1. */
static int
shop_of(const char *type)
{
	for (int i = 0; type != NULL && i < NSHOP; i++)
		if (strcmp(shop_types[i], type) == 0)
			return i;
	return -1;
}

/* config/demo.json with only the five sources (shop: only the allegro and
 * forum ones), on this test's Redis, HTTP port and fake; notes the sources'
 * names and the app secret. */
static char *
demo_config(int http_port, bool shop)
{
	json_error_t err;
	json_t *doc = json_load_file(RW_SOURCE_DIR "/config/demo.json", 0, &err), *keep, *s;
	char url[64], listen[32], *path;
	size_t i;

	cr_assert_not_null(doc, "config/demo.json: %s", err.text);
	keep = json_array();
	json_array_foreach(json_object_get(doc, "sources"), i, s)
	{
		int f = feed_of(json_string_value(json_object_get(s, "type")));
		const char *secret = json_string_value(json_object_get(s, "app_secret"));

		if (shop) {
			f = shop_of(json_string_value(json_object_get(s, "type")));
			if (f >= 0) {
				snprintf(shop_names[f], sizeof(shop_names[f]), "%s",
					 json_string_value(json_object_get(s, "name")));
				json_array_append(keep, s);
			}
			continue;
		}
		if (f < 0)
			continue;
		snprintf(names[f], sizeof(names[f]), "%s",
			 json_string_value(json_object_get(s, "name")));
		if (secret != NULL)
			snprintf(app_secret, sizeof(app_secret), "%s", secret);
		json_array_append(keep, s);
	}
	json_object_set_new(doc, "sources", keep);
	snprintf(url, sizeof(url), "redis://127.0.0.1:%d/0", redis.port);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", http_port);
	json_object_set_new(json_object_get(doc, "redis"), "url", json_string(url));
	json_object_set_new(json_object_get(doc, "http"), "listen", json_string(listen));
	move_addresses(doc);
	cr_assert(asprintf(&path, "%s/demo.json", dir) > 0);
	cr_assert_eq(json_dump_file(doc, path, JSON_INDENT(2)), 0);
	json_decref(doc);
	for (int f = 0; shop && f < NSHOP; f++)
		cr_assert(shop_names[f][0] != '\0', "config/demo.json has no %s source",
			  shop_types[f]);
	if (shop)
		return path;
	for (int f = 0; f < NFEEDS; f++)
		cr_assert(names[f][0] != '\0', "config/demo.json has no %s source", types[f]);
	cr_assert(app_secret[0] != '\0', "config/demo.json's Meta sources have no app_secret");
	return path;
}

/* rwfake simulating, and the daemon on the demo's sources, the fake set up
 * as scripts/demo.sh sets it up. */
static void
start(char *const fake_args[], bool shop)
{
	int port = rwt_free_port();
	static const char *const lifted[] = {"linkedin", "meta", "youtube", "allegro", "discourse"};
	char *path, *body;

	dir = rwt_tmpdir_new();
	rwt_redis_start(&redis, NULL);
	rwt_fake_start(&fake, fake_args);
	for (size_t i = 0; i < sizeof(lifted) / sizeof(lifted[0]); i++) {
		char call[64];

		snprintf(call, sizeof(call), "/_fake/%s/config", lifted[i]);
		json_decref(rwt_fake_call(&fake, "POST", call, "{'rate_limit': 100000}"));
	}
	path = demo_config(port, shop);
	rwt_daemon_start(&daemon_, path, port, NULL);
	rwt_daemon_wait_ready(&daemon_, 5.0);
	if (shop) {
		free(path);
		return;
	}
	cr_assert(asprintf(&body,
			   "{'webhooks': {'app_secret': '%s',"
			   " 'facebook': 'http://127.0.0.1:%d/hooks/%s',"
			   " 'instagram': 'http://127.0.0.1:%d/hooks/%s'}}",
			   app_secret, port, names[FB], port, names[IG]) > 0);
	json_decref(rwt_fake_call(&fake, "POST", "/_fake/simulator", body));
	free(body);
	free(path);
}

/* The mentions the source name tracks (at most 1000; caller decrefs). */
static json_t *
tracked_by(const char *name)
{
	char path[160];
	json_t *doc, *list;

	snprintf(path, sizeof(path), "/mentions?source=%s&limit=1000", name);
	doc = rwt_get_json(daemon_.http_port, path, NULL);
	cr_assert_not_null(doc);
	list = json_incref(json_object_get(doc, "mentions"));
	json_decref(doc);
	return list;
}

static json_t *
tracked(int f)
{
	return tracked_by(names[f]);
}

static size_t
count_state(json_t *list, const char *state)
{
	size_t i, n = 0;
	json_t *m;

	json_array_foreach(list, i, m) n +=
		state == NULL || strcmp(json_string_value(json_object_get(m, "state")), state) == 0;
	return n;
}

/* The source's webhook items (/status), 0 before any. */
static long
hook_items(int f)
{
	const struct rwt_src s = {&daemon_, names[f]};
	json_t *st = rwt_src_status(&s);
	long n =
		(long)json_integer_value(json_object_get(json_object_get(st, "webhooks"), "items"));

	json_decref(st);
	return n;
}

/* Every source has items and a reply, the Meta ones items by webhook. */
static bool
all_fed(void *arg)
{
	bool ok = true;

	(void)arg;
	for (int f = 0; f < NFEEDS && ok; f++) {
		json_t *list = tracked(f);

		ok = count_state(list, NULL) >= 2 && count_state(list, "replied") >= 1;
		json_decref(list);
	}
	return ok && hook_items(FB) > 0 && hook_items(IG) > 0;
}

static char *
fed_report(void)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	for (int i = 0; f != NULL && i < NFEEDS; i++) {
		json_t *list = tracked(i);

		fprintf(f, "%s: %zu tracked, %zu replied\n", names[i], count_state(list, NULL),
			count_state(list, "replied"));
		json_decref(list);
	}
	if (f != NULL)
		fprintf(f, "webhook items: facebook %ld, instagram %ld\n", hook_items(FB),
			hook_items(IG));
	if (f != NULL)
		fclose(f);
	return out;
}

/* ---- what the fakes hold ---- */

static json_t *
fake_state(const char *platform)
{
	json_t *doc = rwt_fake_call(&fake, "GET", "/_fake/state", NULL);
	json_t *p = json_incref(json_object_get(doc, platform));

	json_decref(doc);
	cr_assert_not_null(p, "no %s in /_fake/state", platform);
	return p;
}

/* The edge of the Graph object id in objs, or NULL. */
static const char *
meta_edge(json_t *objs, const char *id)
{
	size_t i;
	json_t *o;

	json_array_foreach(objs, i, o)
	{
		if (strcmp(json_string_value(json_object_get(o, "id")), id) == 0)
			return json_string_value(json_object_get(o, "edge"));
	}
	return NULL;
}

/* The customers' items of the Graph fake for f (sorted ids, caller
 * decrefs): visitor posts, and top-level comments on the brand's posts or
 * media (the brand only answers under a comment, or on a visitor post). */
static json_t *
meta_customer_items(int f)
{
	json_t *meta = fake_state("meta"), *objs = json_object_get(meta, "objects"), *o;
	json_t *ids = json_array();
	size_t i;

	json_array_foreach(objs, i, o)
	{
		const char *edge = json_string_value(json_object_get(o, "edge"));
		const char *post = json_string_value(json_object_get(o, "post"));
		const char *on = post ? meta_edge(objs, post) : NULL;
		bool mine;

		if (f == FB)
			mine = (edge && strcmp(edge, "visitor_posts") == 0) ||
			       (on && strcmp(on, "posts") == 0 &&
				!json_is_string(json_object_get(o, "parent")));
		else
			mine = on && strcmp(on, "media") == 0 &&
			       !json_is_string(json_object_get(o, "parent"));
		if (mine)
			json_array_append(ids, json_object_get(o, "id"));
	}
	json_decref(meta);
	return ids;
}

static bool
has_id(json_t *list, const char *member, const char *id)
{
	size_t i;
	json_t *m;

	json_array_foreach(list, i, m)
	{
		if (strcmp(json_string_value(json_object_get(m, member)), id) == 0)
			return true;
	}
	return false;
}

/* The customer items the fake holds for f, as a JSON array of ids; YouTube's
 * fake shows only counts: empty (the caller compares the count). */
static json_t *
customer_items(int f)
{
	json_t *ids, *doc, *v;
	size_t i;

	if (f == FB || f == IG)
		return meta_customer_items(f);
	ids = json_array();
	if (f == RD) {
		doc = fake_state("reddit");
		json_array_foreach(json_object_get(doc, "things"), i, v)
		{
			if (strcmp(json_string_value(json_object_get(v, "author")),
				   "Acme_Support") != 0)
				json_array_append(ids, json_object_get(v, "name"));
		}
		json_decref(doc);
	} else if (f == LI) {
		doc = rwt_fake_call(&fake, "GET", "/_fake/linkedin/items", NULL);
		json_array_foreach(json_object_get(doc, "items"), i, v)
			json_array_append(ids, json_object_get(v, "id"));
		json_decref(doc);
	}
	return ids;
}

struct polled {
	int64_t after_ms;
	char (*names)[64]; /* the sources watched */
	int n;
	char last[NFEEDS][40]; /* the last_success_at seen after after_ms */
	int seen[NFEEDS];      /* successes seen since */
};

/* True once every source finished two polls after p->after_ms: the second
 * began after it. */
static bool
polled_twice(void *arg)
{
	struct polled *p = arg;
	bool all = true;

	for (int f = 0; f < p->n; f++) {
		const struct rwt_src s = {&daemon_, p->names[f]};
		json_t *st = rwt_src_status(&s);
		const char *at = json_string_value(json_object_get(st, "last_success_at"));
		int64_t ms = 0;

		if (at != NULL && rw_time_parse(at, &ms) == 0 && ms > p->after_ms &&
		    strcmp(at, p->last[f]) != 0) {
			snprintf(p->last[f], sizeof(p->last[f]), "%s", at);
			p->seen[f]++;
		}
		all = all && p->seen[f] >= 2;
		json_decref(st);
	}
	return all;
}

/* No request to the five platforms' fakes was throttled. */
static void
assert_never_throttled(void)
{
	static const char *const platforms[] = {"meta", "youtube", "reddit", "linkedin"};

	for (size_t k = 0; k < sizeof(platforms) / sizeof(platforms[0]); k++) {
		json_t *log = rwt_fake_requests(&fake, platforms[k], NULL), *r;
		size_t i, n = 0;

		json_array_foreach(log, i, r)
		{
			long status = (long)json_integer_value(json_object_get(r, "status"));

			cr_assert(status == 200, "%s: a request answered %ld: %s", platforms[k],
				  status, json_dumps(r, 0));
			n++;
		}
		cr_assert_gt(n, 0, "%s was never polled", platforms[k]);
		json_decref(log);
	}
}

Test(demo_sim, every_feed_gets_items_and_replies_each_tracked_once)
{
	char *const args[] = {"--simulate", "--rate", "120", "--history", "0", "--seed", "7", NULL};
	struct polled p = {.names = names, .n = NFEEDS};
	json_t *doc;

	start(args, false);
	if (!rwt_wait_until(all_fed, NULL, 120.0)) {
		char *report = fed_report();

		cr_assert_fail("the demo's sources were not all fed:\n%s\n%s", report,
			       rwt_daemon_log(&daemon_));
	}
	doc = rwt_fake_call(&fake, "POST", "/_fake/simulator", "{'paused': true}");
	cr_assert_gt(json_integer_value(json_object_get(json_object_get(doc, "webhooks"), "sent")),
		     0);
	cr_assert_eq(
		json_integer_value(json_object_get(json_object_get(doc, "webhooks"), "failed")), 0,
		"%s", json_dumps(doc, 0));
	json_decref(doc);
	p.after_ms = rw_now_ms();
	cr_assert(rwt_wait_until(polled_twice, &p, 60.0), "the sources stopped polling:\n%s",
		  rwt_daemon_log(&daemon_));

	for (int f = 0; f < NFEEDS; f++) {
		json_t *list = tracked(f), *ids = customer_items(f), *id;
		size_t i;

		if (f == YT) {
			json_t *yt = fake_state("youtube");

			cr_assert_eq(json_array_size(list),
				     (size_t)json_integer_value(json_object_get(yt, "threads")),
				     "youtube: every thread tracked once");
			json_decref(yt);
		} else {
			cr_assert_eq(json_array_size(list), json_array_size(ids),
				     "%s: %zu tracked, %zu customer items on the platform",
				     names[f], json_array_size(list), json_array_size(ids));
			json_array_foreach(ids, i, id)
				cr_assert(has_id(list, "id", json_string_value(id)),
					  "%s: %s not tracked", names[f], json_string_value(id));
		}
		json_decref(ids);
		json_decref(list);
	}
	assert_never_throttled();
}

/* ---- the marketplace and the forum ---- */

/* The kinds of the source's mentions: true when one is of kind. */
static bool
has_kind(json_t *list, const char *kind)
{
	size_t i;
	json_t *m;

	json_array_foreach(list, i, m)
	{
		if (strcmp(json_string_value(json_object_get(m, "kind")), kind) == 0)
			return true;
	}
	return false;
}

/* True when two of the buyer's messages in one conversation were answered
 * by the same seller message (several messages before one answer). */
static bool
answered_together(json_t *list)
{
	size_t i, k;
	json_t *a, *b;

	json_array_foreach(list, i, a)
	{
		const char *conv = json_string_value(json_object_get(a, "conversation_id"));
		const char *at = json_string_value(json_object_get(a, "replied_at"));

		if (strcmp(json_string_value(json_object_get(a, "kind")), "message") != 0 ||
		    conv == NULL || at == NULL)
			continue;
		for (k = i + 1; k < json_array_size(list); k++) {
			const char *c2, *at2;

			b = json_array_get(list, k);
			c2 = json_string_value(json_object_get(b, "conversation_id"));
			at2 = json_string_value(json_object_get(b, "replied_at"));
			if (c2 != NULL && at2 != NULL && strcmp(conv, c2) == 0 &&
			    strcmp(at, at2) == 0)
				return true;
		}
	}
	return false;
}

/* A negative rating (1-2) among the source's reviews. */
static bool
has_negative_rating(json_t *list)
{
	size_t i;
	json_t *m;

	json_array_foreach(list, i, m)
	{
		json_t *r = json_object_get(m, "rating");

		if (json_is_integer(r) && json_integer_value(r) <= 2)
			return true;
	}
	return false;
}

/* Both sources have items and a reply; Allegro's ratings (a negative one)
 * and messages (several answered at once). */
static bool
shop_fed(void *arg)
{
	json_t *al = tracked_by(shop_names[AL]), *forum = tracked_by(shop_names[FORUM]);
	bool ok = count_state(al, "replied") >= 2 && has_kind(al, "review") &&
		  has_kind(al, "message") && has_negative_rating(al) && answered_together(al) &&
		  count_state(forum, NULL) >= 2 && count_state(forum, "replied") >= 1;

	(void)arg;
	json_decref(al);
	json_decref(forum);
	return ok;
}

/* No two of the source's mentions share an id. */
static void
assert_no_doubles(json_t *list, const char *name)
{
	size_t i, k;
	json_t *a, *b;

	json_array_foreach(list, i, a)
	{
		for (k = i + 1; k < json_array_size(list); k++) {
			b = json_array_get(list, k);
			cr_assert(strcmp(json_string_value(json_object_get(a, "id")),
					 json_string_value(json_object_get(b, "id"))) != 0,
				  "%s: %s tracked twice", name,
				  json_string_value(json_object_get(a, "id")));
		}
	}
}

/* The forum's customer posts (not the support account's), as id strings. */
static json_t *
forum_customer_posts(void)
{
	json_t *doc = rwt_fake_call(&fake, "GET", "/_fake/discourse/posts", NULL), *ids, *v;
	size_t i;

	cr_assert_not_null(doc);
	ids = json_array();
	json_array_foreach(json_object_get(doc, "posts"), i, v)
	{
		char id[32];

		if (strcmp(json_string_value(json_object_get(v, "username")), "acme_support") == 0)
			continue;
		snprintf(id, sizeof(id), "%lld",
			 (long long)json_integer_value(json_object_get(v, "id")));
		json_array_append_new(ids, json_string(id));
	}
	json_decref(doc);
	return ids;
}

/* No request to Allegro or the forum was throttled. */
static void
assert_shop_never_throttled(void)
{
	static const char *const platforms[] = {"allegro", "discourse"};

	for (size_t k = 0; k < sizeof(platforms) / sizeof(platforms[0]); k++) {
		json_t *log = rwt_fake_requests(&fake, platforms[k], NULL), *r;
		size_t i, n = 0;

		json_array_foreach(log, i, r)
		{
			long status = (long)json_integer_value(json_object_get(r, "status"));

			cr_assert(status != 429, "%s: a request was throttled: %s", platforms[k],
				  json_dumps(r, 0));
			n++;
		}
		cr_assert_gt(n, 0, "%s was never polled", platforms[k]);
		json_decref(log);
	}
}

Test(demo_sim, allegro_and_forum_get_items_and_replies_each_tracked_once)
{
	char *const args[] = {"--simulate", "--rate", "120", "--history", "0", "--seed", "7", NULL};
	struct polled p = {.names = shop_names, .n = NSHOP};
	json_t *al, *forum, *posts, *st, *id;
	size_t i, want;

	start(args, true);
	if (!rwt_wait_until(shop_fed, NULL, 120.0)) {
		al = tracked_by(shop_names[AL]);
		forum = tracked_by(shop_names[FORUM]);
		cr_assert_fail("%s: %zu tracked, %zu replied; %s: %zu tracked, %zu replied\n%s",
			       shop_names[AL], count_state(al, NULL), count_state(al, "replied"),
			       shop_names[FORUM], count_state(forum, NULL),
			       count_state(forum, "replied"), rwt_daemon_log(&daemon_));
	}
	json_decref(rwt_fake_call(&fake, "POST", "/_fake/simulator", "{'paused': true}"));
	p.after_ms = rw_now_ms();
	cr_assert(rwt_wait_until(polled_twice, &p, 60.0), "the sources stopped polling:\n%s",
		  rwt_daemon_log(&daemon_));

	/* Allegro: every rating and every buyer message, once. */
	al = tracked_by(shop_names[AL]);
	st = fake_state("allegro");
	want = (size_t)json_integer_value(json_object_get(st, "ratings")) +
	       (size_t)json_integer_value(
		       json_object_get(json_object_get(st, "messaging"), "buyer_messages"));
	cr_assert_eq(json_array_size(al), want, "%s: %zu tracked, %zu ratings and buyer messages",
		     shop_names[AL], json_array_size(al), want);
	assert_no_doubles(al, shop_names[AL]);
	cr_assert(has_negative_rating(al), "%s: no negative rating", shop_names[AL]);
	cr_assert(answered_together(al), "%s: no seller answer to several buyer messages",
		  shop_names[AL]);
	json_decref(st);
	json_decref(al);

	/* The forum: every customer post, once, by its id. */
	forum = tracked_by(shop_names[FORUM]);
	posts = forum_customer_posts();
	cr_assert_eq(json_array_size(forum), json_array_size(posts),
		     "%s: %zu tracked, %zu customer posts", shop_names[FORUM],
		     json_array_size(forum), json_array_size(posts));
	json_array_foreach(posts, i, id)
		cr_assert(has_id(forum, "id", json_string_value(id)), "%s: post %s not tracked",
			  shop_names[FORUM], json_string_value(id));
	assert_no_doubles(forum, shop_names[FORUM]);
	json_decref(posts);
	json_decref(forum);
	assert_shop_never_throttled();
}
