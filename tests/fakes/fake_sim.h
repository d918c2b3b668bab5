/*
 * fake_sim.h: what the simulator's files share (private to fake_sim.c,
 * fake_sim_feeds.c, fake_sim_meta.c and fake_sim_hooks.c). The simulator is
 * one thread (fake_sim.c) running a queue of timed events under st->lock;
 * the "feeds" are the platforms whose fakes keep their own store and
 * content (Facebook, Instagram, YouTube, Reddit, LinkedIn): the simulator
 * makes their customers' items and the brand's answers through each fake's
 * control calls (fake_sim_feeds.c, fake_sim_meta.c), and sends some of the
 * Meta ones as signed webhooks too (fake_sim_hooks.c). The "shop" is
 * Allegro's ratings, Message Center threads and post-purchase issues, and a
 * Discourse forum's topics (fake_sim_shop.c), made the same way.
 */
#ifndef RWFAKE_SIM_H
#define RWFAKE_SIM_H

#include "fake.h"

enum ev_kind {
	EV_MENTION,
	EV_REPLY,
	EV_OTHER,
	EV_POST,
	EV_REVIEW,
	EV_ANSWER,
	EV_PUBLISH,
	EV_EDIT,
	EV_DELETE,
	EV_FEED_ITEM,   /* a customer's item on a feed (target: what it answers back, or NULL) */
	EV_FEED_ANSWER, /* the brand answers target on a feed */
	EV_FEED_POST,   /* the brand posts on a feed */
	EV_SHOP_ITEM,   /* a new rating, thread, issue or forum topic (feed: which kind) */
	EV_SHOP_MORE,   /* the buyer writes again in target (a thread, issue or topic) */
	EV_SHOP_ANSWER, /* the seller or support answers target */
};

/* What the per-minute summary counts. */
enum {
	MADE_MENTIONS,
	MADE_REPLIES,
	MADE_OTHER,
	MADE_POSTS,
	MADE_REVIEWS,
	MADE_ANSWERS,
	MADE_FEED_ITEMS,
	MADE_FEED_ANSWERS,
	MADE_HOOKS,
	MADE_SHOP_ITEMS,
	MADE_SHOP_ANSWERS,
	MADE_N
};

struct ev {
	int64_t at;
	enum ev_kind kind;
	enum fake_platform p;
	char *target; /* EV_REPLY: the mention to answer; feeds: what the event concerns */
	bool auto_reply;
	unsigned feed; /* EV_FEED_*: the index in the feed table; EV_SHOP_*: the kind */
};

#define FAKE_FEEDS 5           /* facebook, instagram, youtube, reddit, linkedin */
#define FAKE_FEED_RECENT 3     /* brand posts a feed's customers comment on */
#define FAKE_HOOK_TARGETS 2    /* webhook targets: facebook, instagram */
#define FAKE_HOOK_QUEUE_MAX 64 /* deliveries waiting to be sent; more are dropped */

enum fake_hook_target { FAKE_HOOK_FACEBOOK, FAKE_HOOK_INSTAGRAM };

/* A feed's own state in the simulator. */
struct fake_feed_state {
	int p;                          /* the fake's platform index, -1: not in the table */
	char *recent[FAKE_FEED_RECENT]; /* the brand's newest posts, newest first */
};

/* Where the simulator sends Meta webhooks (POST /_fake/simulator). */
struct fake_sim_hooks {
	char *url[FAKE_HOOK_TARGETS]; /* NULL: not sent */
	char *app_secret;             /* wiped when freed */
	long sent, failed;            /* deliveries and those not answered 200 */
	long last_status;
};

struct fake_sim {
	struct fake_state *st;
	pthread_t thread;
	struct fake_rng rng;
	struct fake_rng rrng; /* reviews: their own, so mentions stay as they were per seed */
	struct fake_rng frng; /* feeds: their own too */
	struct fake_rng srng; /* the shop (Allegro, the forum): and its own */
	double mean_gap_ms;   /* between mentions on one platform; 0: none */
	double review_gap_ms; /* between reviews on one review platform; 0: none */
	double feed_gap_ms;   /* between items on one feed; 0: none */
	double shop_gap_ms;   /* the mention gap the shop's kinds scale by their share; 0: none */
	int64_t live_ms;      /* the history ends here: events from then on are live */
	struct ev *evs;
	size_t nev;
	size_t cap;
	long made[MADE_N]; /* since the last summary */
	struct fake_feed_state feeds[FAKE_FEEDS];
	struct fake_sim_hooks hooks;
	char *queue[FAKE_HOOK_QUEUE_MAX]; /* deliveries to send: their JSON */
	enum fake_hook_target queue_to[FAKE_HOOK_QUEUE_MAX];
	size_t nqueue;
};

/* ---- fake_sim.c ---- */

/* Schedules an event made while running (target copied, may be NULL); out
 * of memory ends that chain of events, reported once. */
void fake_sim_again(struct fake_sim *sim, int64_t at, enum ev_kind kind, enum fake_platform p,
		    const char *target, unsigned feed);

/* ---- fake_sim_feeds.c: the five feeds ---- */

/* Finds the feeds' platforms, makes the brands' first posts (before start)
 * and schedules the first items from start. 0, or -1 out of memory. */
int fake_feeds_seed(struct fake_sim *sim, int64_t start);
/* Runs an EV_FEED_* event. */
void fake_feeds_run(struct fake_sim *sim, const struct ev *e);
/* Frees what the feeds keep. */
void fake_feeds_free(struct fake_sim *sim);

/* One control call of the fake's platform p as POST /_fake/{name}/{what}
 * would make it (body stolen; NULL is out of memory): the answer (caller
 * decrefs), or NULL when it failed. */
json_t *fake_feed_call(struct fake_sim *sim, int p, const char *what, json_t *body);
/* e->at as RFC 3339 in buf. */
void fake_feed_time(int64_t ms, char buf[FAKE_TIME_LEN]);
/* Remembers id as feed's newest brand post (copied). */
void fake_feed_remember(struct fake_sim *sim, unsigned feed, const char *id);
/* One of the feed's newest brand posts, or NULL. */
const char *fake_feed_recent(struct fake_sim *sim, unsigned feed);
/* The customer who writes, drawn by weight (the social platforms' own). */
const struct fake_sim_customer *fake_feed_customer(struct fake_sim *sim);

/* ---- fake_sim_shop.c: Allegro and the Discourse forum ---- */

/* Schedules each kind's first item from start (none when the fake serves
 * no such platform or the rate is 0). */
void fake_shop_seed(struct fake_sim *sim, int64_t start);
/* Runs an EV_SHOP_* event. */
void fake_shop_run(struct fake_sim *sim, const struct ev *e);

/* ---- fake_sim_meta.c: Facebook and Instagram through the Graph fake ---- */

/* Each as fake_feed_def (fake_sim_feeds.c) wants them. */
int fake_meta_fb_post(struct fake_sim *sim, unsigned feed, int64_t at);
int fake_meta_ig_post(struct fake_sim *sim, unsigned feed, int64_t at);
char *fake_meta_fb_arrive(struct fake_sim *sim, const struct ev *e);
char *fake_meta_ig_arrive(struct fake_sim *sim, const struct ev *e);
char *fake_meta_fb_answer(struct fake_sim *sim, const struct ev *e);
char *fake_meta_ig_answer(struct fake_sim *sim, const struct ev *e);

/* ---- fake_sim_hooks.c: Meta webhooks ---- */

/* Queues a delivery of payload (stolen) to target when e is live and a URL
 * is set for it; the loop sends it (fake_sim_hooks_flush). */
void fake_sim_hooks_queue(struct fake_sim *sim, const struct ev *e, enum fake_hook_target to,
			  json_t *payload);
/* Sends the queued deliveries, letting go of st->lock meanwhile (held on
 * entry and on return). */
void fake_sim_hooks_flush(struct fake_sim *sim);
/* Forgets the targets (the secret wiped) and the queue. */
void fake_sim_hooks_free(struct fake_sim *sim);

#endif
