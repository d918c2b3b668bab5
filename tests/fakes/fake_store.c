/*
 * fake_store.c: the in-memory content of the three fake platforms —
 * accounts, posts and notifications — and the ids they get.
 *
 * Ids follow creation time (now for a future-dated item), then insertion
 * order within one millisecond, so they sort like the real ones (numeric
 * strings by length, then bytes):
 * Mastodon statuses (ms << 16) + n, X snowflakes ((ms - epoch) << 22) + n,
 * Bluesky at-URIs with a TID rkey from (ms * 1000 + n) microseconds.
 * Mastodon notification ids are a plain sequence in insertion order (as
 * Mastodon's own are), never reused.
 */
#include <inttypes.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fake.h"

#define X_EPOCH_MS 1288834974657LL

int
fake_grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	p = realloc(*arr, ncap * size);
	if (p == NULL)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

static void
account_clear(struct fake_account *a)
{
	free(a->id);
	free(a->handle);
	free(a->name);
}

static void
post_clear(struct fake_post *p)
{
	free(p->id);
	free(p->cid);
	free(p->text);
	free(p->parent_id);
	free(p->root_id);
}

static void
notif_clear(struct fake_notif *n)
{
	free(n->id);
	free(n->cid);
}

static void
platform_clear(struct fake_platform_state *ps)
{
	for (size_t i = 0; i < ps->naccounts; i++)
		account_clear(&ps->accounts[i]);
	for (size_t i = 0; i < ps->nposts; i++)
		post_clear(&ps->posts[i]);
	for (size_t i = 0; i < ps->nnotifs; i++)
		notif_clear(&ps->notifs[i]);
	free(ps->accounts);
	free(ps->posts);
	free(ps->notifs);
	memset(ps, 0, sizeof(*ps));
}

/* Appends an account with copies of the strings. */
static long
account_push(struct fake_platform_state *ps, const char *id, const char *handle, const char *name,
	     long followers, long following, int64_t created_ms)
{
	struct fake_account *a;

	if (fake_grow((void **)&ps->accounts, &ps->accounts_cap, ps->naccounts, sizeof(*a)) == -1)
		return -1;
	a = &ps->accounts[ps->naccounts];
	memset(a, 0, sizeof(*a));
	a->id = strdup(id);
	a->handle = strdup(handle);
	a->name = strdup(name);
	a->followers = followers;
	a->following = following;
	a->created_ms = created_ms;
	if (a->id == NULL || a->handle == NULL || a->name == NULL) {
		account_clear(a);
		return -1;
	}
	return (long)ps->naccounts++;
}

/* The brand accounts and the default behaviour of every platform. */
static int
platforms_setup(struct fake_state *st)
{
	const char *bsky = fake_option(st, FAKE_BLUESKY, "identifier");
	int64_t created;

	if (fake_parse_time("2021-03-15T09:00:00.000Z", &created) == -1)
		return -1;
	for (size_t p = 0; p < fake_nplatforms; p++) {
		st->p[p].rate_limit = FAKE_DEFAULT_RATE_LIMIT;
		st->p[p].rate_window_s = FAKE_DEFAULT_RATE_WINDOW;
		st->p[p].page_max = 0;
		st->p[p].ignore_paging = false;
		fake_limits_reset(st, (enum fake_platform)p);
	}
	if (account_push(&st->p[FAKE_MASTODON], FAKE_MASTODON_BRAND_ID, FAKE_MASTODON_BRAND_ACCT,
			 "ACME Support", 15230, 212, created) == -1 ||
	    account_push(&st->p[FAKE_X], FAKE_X_BRAND_ID, FAKE_X_BRAND_USERNAME, "ACME Support",
			 48210, 530, created) == -1 ||
	    account_push(&st->p[FAKE_BLUESKY], FAKE_BSKY_BRAND_DID, bsky, "ACME Support", 9120, 188,
			 created) == -1)
		return -1;
	st->x_renamed = false;
	st->access_ttl_s = st->opt->access_ttl_s;
	return 0;
}

int
fake_state_init(struct fake_state *st, const struct fake_options *opt)
{
	memset(st, 0, sizeof(*st));
	st->opt = opt;
	st->started_ms = fake_now_ms();
	st->rng.s = opt->seed ^ 0x5eedf00dULL;
	if (RAND_bytes(st->jwt_key, sizeof(st->jwt_key)) != 1)
		return -1;
	if (pthread_mutex_init(&st->lock, NULL) != 0)
		return -1;
	if (pthread_cond_init(&st->wake, NULL) != 0) {
		pthread_mutex_destroy(&st->lock);
		return -1;
	}
	if (platforms_setup(st) == -1) {
		fake_state_free(st);
		return -1;
	}
	return 0;
}

void
fake_state_free(struct fake_state *st)
{
	for (size_t p = 0; p < fake_nplatforms; p++) {
		platform_clear(&st->p[p]);
		if (fake_platforms[p]->free != NULL)
			fake_platforms[p]->free(st, (enum fake_platform)p);
	}
	fake_faults_clear(st);
	free(st->faults);
	fake_log_clear(st);
	free(st->log);
	fake_bsky_tokens_free(st);
	fake_hooks_clear(st);
	pthread_cond_destroy(&st->wake);
	pthread_mutex_destroy(&st->lock);
	memset(st->jwt_key, 0, sizeof(st->jwt_key));
}

int
fake_state_reset(struct fake_state *st)
{
	for (size_t p = 0; p < fake_nplatforms; p++) {
		platform_clear(&st->p[p]);
		if (fake_platforms[p]->reset != NULL)
			fake_platforms[p]->reset(st, (enum fake_platform)p);
	}
	fake_faults_clear(st);
	fake_log_clear(st);
	fake_hooks_clear(st);
	return platforms_setup(st);
}

/* The handle as stored: no leading '@'; Bluesky handles get ".bsky.social"
 * when they have no domain. Caller frees. */
static char *
normal_handle(enum fake_platform p, const char *handle)
{
	while (*handle == '@')
		handle++;
	if (p == FAKE_BLUESKY && strchr(handle, '.') == NULL)
		return fake_sprintf("%s.bsky.social", handle);
	return strdup(handle);
}

long
fake_account_find(const struct fake_state *st, enum fake_platform p, const char *id)
{
	const struct fake_platform_state *ps = &st->p[p];

	for (size_t i = 0; i < ps->naccounts; i++) {
		if (strcmp(ps->accounts[i].id, id) == 0 ||
		    (p == FAKE_BLUESKY && strcasecmp(ps->accounts[i].handle, id) == 0))
			return (long)i;
	}
	return -1;
}

/* A display name from a handle: "carol_b@x.example" -> "Carol B". Caller frees. */
static char *
display_name(const char *handle)
{
	size_t n = strcspn(handle, "@.");
	char *s = strndup(handle, n);
	bool start = true;

	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '_' || s[i] == '-') {
			s[i] = ' ';
			start = true;
		} else if (start && s[i] >= 'a' && s[i] <= 'z') {
			s[i] = (char)(s[i] - 'a' + 'A');
			start = false;
		} else {
			start = false;
		}
	}
	return s;
}

/* A stable id for a new customer account, unique on the platform. Caller frees. */
static char *
customer_id(const struct fake_state *st, enum fake_platform p, const char *handle)
{
	uint64_t h = fake_hash64(handle);
	char plc[25];

	if (p == FAKE_BLUESKY) {
		fake_plc_id(handle, plc);
		return fake_sprintf("did:plc:%s", plc);
	}
	for (;; h++) {
		char buf[32];

		if (p == FAKE_MASTODON)
			snprintf(buf, sizeof(buf), "%" PRIu64,
				 (uint64_t)(100000000000000000ULL + h % 900000000000000000ULL));
		else
			snprintf(buf, sizeof(buf), "%" PRIu64,
				 (uint64_t)(1000000000ULL + h % 9000000000ULL));
		if (fake_account_find(st, p, buf) == -1)
			return strdup(buf);
	}
}

long
fake_account_get(struct fake_state *st, enum fake_platform p, const char *handle, long followers)
{
	struct fake_platform_state *ps = &st->p[p];
	char *norm = normal_handle(p, handle), *id = NULL, *name = NULL;
	uint64_t h;
	long i = -1;

	if (norm == NULL)
		return -1;
	for (size_t k = 0; k < ps->naccounts; k++) {
		if (strcasecmp(ps->accounts[k].handle, norm) == 0) {
			if (followers >= 0)
				ps->accounts[k].followers = followers;
			i = (long)k;
			goto done;
		}
	}
	h = fake_hash64(norm);
	id = customer_id(st, p, norm);
	name = display_name(norm);
	if (id == NULL || name == NULL)
		goto done;
	i = account_push(ps, id, norm, name, followers >= 0 ? followers : (long)(20 + h % 1500),
			 (long)(10 + (h >> 20) % 600),
			 st->started_ms - (int64_t)(86400000LL * (30 + (h >> 32) % 2000)));
done:
	free(norm);
	free(id);
	free(name);
	return i;
}

/* How many records of the platform already have ids from the same millisecond. */
static uint64_t
same_ms(const struct fake_platform_state *ps, int64_t ms, bool with_notifs)
{
	uint64_t n = 0;

	for (size_t i = 0; i < ps->nposts; i++)
		n += ps->posts[i].id_ms == ms;
	for (size_t i = 0; with_notifs && i < ps->nnotifs; i++)
		n += ps->notifs[i].post < 0 && ps->notifs[i].id_ms == ms;
	return n;
}

/* The time an id is made from: ms, or now when ms is in the future, so a
 * future-dated item cannot jump ahead of everything made after it. */
static int64_t
id_time(int64_t ms)
{
	int64_t now = fake_now_ms();

	return ms < now ? ms : now;
}

int64_t
fake_store_unique_indexed(const struct fake_state *st, int64_t ms)
{
	const struct fake_platform_state *ps = &st->p[FAKE_BLUESKY];
	bool clash = true;

	while (clash) {
		clash = false;
		for (size_t i = 0; i < ps->nposts && !clash; i++)
			clash = ps->posts[i].indexed_ms == ms;
		for (size_t i = 0; i < ps->nnotifs && !clash; i++)
			clash = ps->notifs[i].indexed_ms == ms;
		if (clash)
			ms++;
	}
	return ms;
}

/* A Bluesky record at-uri for the author in collection at ms. Caller frees. */
static char *
bsky_record_uri(const struct fake_state *st, const char *did, const char *collection, int64_t ms)
{
	uint64_t n = same_ms(&st->p[FAKE_BLUESKY], ms, true);
	char tid[14];

	fake_tid((uint64_t)ms * 1000 + n, (unsigned)(fake_hash64(did) & 1023), tid);
	return fake_sprintf("at://%s/%s/%s", did, collection, tid);
}

/* Fills post->id (and Bluesky's cid and indexedAt). */
static int
post_ids(struct fake_state *st, enum fake_platform p, struct fake_post *post)
{
	const struct fake_platform_state *ps = &st->p[p];
	int64_t ms;
	char cid[64];
	char *seed;

	post->id_ms = id_time(post->created_ms);
	ms = post->id_ms < X_EPOCH_MS ? X_EPOCH_MS : post->id_ms;
	switch (p) {
	case FAKE_MASTODON:
		post->id = fake_sprintf("%" PRIu64,
					((uint64_t)ms << 16) + same_ms(ps, post->id_ms, false));
		break;
	case FAKE_X:
		post->id = fake_sprintf("%" PRIu64, ((uint64_t)(ms - X_EPOCH_MS) << 22) +
							    same_ms(ps, post->id_ms, false));
		break;
	default:
		post->id = bsky_record_uri(st, ps->accounts[post->author].id,
					   post->kind == FAKE_POST_REPOST ? "app.bsky.feed.repost"
									  : "app.bsky.feed.post",
					   post->id_ms);
		if (post->id == NULL)
			return -1;
		seed = fake_sprintf("%s\n%s", post->id, post->text ? post->text : "");
		if (seed == NULL)
			return -1;
		fake_cid(seed, cid);
		free(seed);
		post->cid = strdup(cid);
		if (post->cid == NULL)
			return -1;
		post->indexed_ms = fake_store_unique_indexed(
			st, post->id_ms + 3 + (int64_t)fake_rng_below(&st->rng, 300));
		return 0;
	}
	post->indexed_ms = post->created_ms;
	return post->id ? 0 : -1;
}

long
fake_post_add(struct fake_state *st, enum fake_platform p, struct fake_post *post)
{
	struct fake_platform_state *ps = &st->p[p];

	post->id = NULL;
	post->cid = NULL;
	if (fake_grow((void **)&ps->posts, &ps->posts_cap, ps->nposts, sizeof(*post)) == -1 ||
	    post_ids(st, p, post) == -1) {
		post_clear(post);
		return -1;
	}
	if (post->root < 0 && post->parent < 0 && post->parent_id == NULL)
		post->root = (long)ps->nposts;
	if (post->root_id == NULL) {
		bool own = post->root < 0 || post->root == (long)ps->nposts;

		post->root_id = strdup(own ? post->id : ps->posts[post->root].id);
		if (post->root_id == NULL) {
			post_clear(post);
			return -1;
		}
	}
	ps->posts[ps->nposts] = *post;
	return (long)ps->nposts++;
}

long
fake_post_find(const struct fake_state *st, enum fake_platform p, const char *id)
{
	const struct fake_platform_state *ps = &st->p[p];

	for (size_t i = ps->nposts; i-- > 0;) {
		if (strcmp(ps->posts[i].id, id) == 0)
			return (long)i;
	}
	return -1;
}

long
fake_post_replies(const struct fake_state *st, enum fake_platform p, size_t i)
{
	const struct fake_platform_state *ps = &st->p[p];
	long n = 0;

	for (size_t k = 0; k < ps->nposts; k++)
		n += ps->posts[k].parent == (long)i;
	return n;
}

long
fake_post_reposts(const struct fake_state *st, enum fake_platform p, size_t i)
{
	const struct fake_platform_state *ps = &st->p[p];
	long n = 0;

	for (size_t k = 0; k < ps->nposts; k++)
		n += ps->posts[k].kind == FAKE_POST_REPOST && ps->posts[k].subject == (long)i;
	for (size_t k = 0; k < ps->nnotifs; k++) {
		const struct fake_notif *nt = &ps->notifs[k];

		n += (strcmp(nt->type, "reblog") == 0 && nt->post == (long)i) ||
		     (strcmp(nt->type, "repost") == 0 && nt->subject == (long)i);
	}
	return n;
}

long
fake_post_likes(const struct fake_state *st, enum fake_platform p, size_t i)
{
	const struct fake_platform_state *ps = &st->p[p];
	long n = 0;

	for (size_t k = 0; k < ps->nnotifs; k++) {
		const struct fake_notif *nt = &ps->notifs[k];

		n += (strcmp(nt->type, "favourite") == 0 && nt->post == (long)i) ||
		     (strcmp(nt->type, "like") == 0 && nt->subject == (long)i);
	}
	return n;
}

/* Fills a Bluesky notification's record uri, cid and indexedAt. */
static int
bsky_notif_ids(struct fake_state *st, struct fake_notif *n)
{
	const struct fake_platform_state *ps = &st->p[FAKE_BLUESKY];
	const char *collection = "app.bsky.graph.follow";
	char cid[64];

	if (n->post >= 0) {
		const struct fake_post *post = &ps->posts[n->post];

		n->id = strdup(post->id);
		n->cid = strdup(post->cid);
		n->indexed_ms = post->indexed_ms;
		return n->id && n->cid ? 0 : -1;
	}
	if (strcmp(n->type, "like") == 0)
		collection = "app.bsky.feed.like";
	else if (strcmp(n->type, "repost") == 0)
		collection = "app.bsky.feed.repost";
	n->id_ms = id_time(n->created_ms);
	n->id = bsky_record_uri(st, ps->accounts[n->account].id, collection, n->id_ms);
	if (n->id == NULL)
		return -1;
	fake_cid(n->id, cid);
	n->cid = strdup(cid);
	n->indexed_ms = fake_store_unique_indexed(
		st, n->id_ms + 3 + (int64_t)fake_rng_below(&st->rng, 300));
	return n->cid ? 0 : -1;
}

long
fake_notif_add(struct fake_state *st, enum fake_platform p, struct fake_notif *n)
{
	struct fake_platform_state *ps = &st->p[p];

	n->id = NULL;
	n->cid = NULL;
	if (fake_grow((void **)&ps->notifs, &ps->notifs_cap, ps->nnotifs, sizeof(*n)) == -1)
		goto fail;
	if (p == FAKE_BLUESKY) {
		if (bsky_notif_ids(st, n) == -1)
			goto fail;
	} else {
		/* A notification is made when the server sees the status: never
		 * before the previous one. */
		if (n->created_ms < ps->last_notif_ms)
			n->created_ms = ps->last_notif_ms;
		n->id = fake_sprintf("%" PRIu64, 34975000 + st->notif_seq + 1);
		if (n->id == NULL)
			goto fail;
		st->notif_seq++;
		ps->last_notif_ms = n->created_ms;
		n->indexed_ms = n->created_ms;
	}
	ps->notifs[ps->nnotifs] = *n;
	return (long)ps->nnotifs++;
fail:
	notif_clear(n);
	return -1;
}
