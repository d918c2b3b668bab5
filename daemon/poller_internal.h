/*
 * poller_internal.h: the poller's structures, shared by poller.c (sources,
 * schedule, states, events), poller_decide.c (what a poll's end means),
 * poller_request.c (requests, budgets, statuses), poller_walk.c (stream
 * walks, ingest, cursors, rejects) and poller_report.c (/status, metrics).
 */
#ifndef REPLYWATCH_POLLER_INTERNAL_H
#define REPLYWATCH_POLLER_INTERNAL_H

#include <ev.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "replywatch/connector.h"
#include "replywatch/page.h"
#include "replywatch/poller.h"
#include "replywatch/timer.h"
#include "replywatch/ratelimit.h"
#include "replywatch/tracker.h"

#define POLL_MAX_ENDPOINTS 12
#define POLL_ERROR_MAX 240
#define POLL_DETAIL_MAX 120 /* bytes of a platform's error message kept */

enum source_state {
	SOURCE_OK,
	SOURCE_FAILING,
	SOURCE_RATE_LIMITED,
	SOURCE_DOWN,
	SOURCE_DISABLED,
};

/* The last rate-limit figures of one endpoint. */
struct endpoint_limit {
	char name[32];
	struct rw_ratelimit rl;
	unsigned calls;        /* made since the last poll ended (poller_budget.c) */
	double cost;           /* what a poll spends, learnt (poll_cost_learn) */
	long seen_remaining;   /* rl.remaining when the last poll ended */
	int64_t seen_reset_ms; /* rl.reset_at_ms then (0: none yet) */
};

/* A source's run of poll results: what poll_decide reads and updates. */
struct poll_run {
	enum source_state state;
	bool down;                     /* known down: source_down raised (or to be) */
	int64_t failing_since;         /* first failure of the current run; 0: none */
	unsigned backoff;              /* exponent of the next backoff delay */
	unsigned expired_in_row;       /* token-expired polls in a row */
	unsigned consecutive_failures; /* polls that did not end ok, in a row */
	unsigned more_in_row;          /* ok polls stopped at their page bound, in a row */
};

/* Polls in a row that go on at once from a page bound; after that a walk
 * goes on at poll_every's pace (a platform that hands out fresh tokens
 * forever cannot keep a source polling back to back). 100 polls are 1000
 * pages per stream: far more than any catch-up. */
#define POLL_MORE_MAX 100

/* What a poll's end tells poll_decide. */
struct poll_facts {
	enum rw_poll_result result;
	int64_t now;
	int64_t down_after_ms; /* the source's down_after */
	bool more;             /* a walk stopped at its page bound */
	bool was_down;         /* the shared "down" flag in Redis at the start */
	int64_t spent_until;   /* the latest reset of a spent budget, 0: none */
};

/* How long until the next poll. */
enum poll_wait {
	WAIT_EVERY,   /* the source's poll_every, ±10 % */
	WAIT_AUTO,    /* poll_every "auto": the interval given, +0 to 10 % */
	WAIT_MORE,    /* at once: a walk stopped at its page bound */
	WAIT_NOW,     /* at once: the next poll renews the session */
	WAIT_BACKOFF, /* rw_backoff_seconds(attempt, 1 s, 5 min) */
	WAIT_AUTH,    /* rw_backoff_seconds(attempt, 1 min, 15 min): sign-ins are precious */
	WAIT_STORE,   /* about 2 s: Redis, not the platform, failed */
};

/* What poll_decide decided. */
struct poll_outcome {
	enum poll_wait wait;
	unsigned attempt;       /* of WAIT_BACKOFF / WAIT_AUTH */
	int64_t budget_wait_ms; /* at least this long: a spent budget's reset (0: none) */
	const char *event;      /* "down", "up" or NULL: a transition to record */
};

/* Rejected entries of one reason, for metrics and /status. */
struct reject_count {
	char reason[40];
	unsigned long long n;
};

#define POLL_REJECT_REASONS 16 /* distinct reasons kept; more count as "other" */
#define POLL_REJECT_MEMORY 256 /* rejected entries remembered, not to log them again */

/* What became of the items webhooks queued by id (poller_queued.c). */
enum { QUEUED_READ, QUEUED_GONE, QUEUED_FAILED, QUEUED_GIVEN_UP, QUEUED_COUNT };

/* One polled source. */
struct poll_source {
	struct rw_poller *poller;
	char *name;
	const struct rw_source_config *src; /* the configuration in force: rebound at reload */
	const struct rw_connector *conn;    /* NULL: no connector for the type in this build */
	void *conn_state;
	struct rw_timer timer; /* the next poll: an instant on the daemon clock */
	struct poll_run run;
	int64_t last_poll_at, last_success_at, next_poll_at;
	char last_error[POLL_ERROR_MAX];   /* valid UTF-8 (rw_utf8_clean): JSON can hold it */
	char warning[POLL_ERROR_MAX];      /* a walk past the platform's list window, or the
					      connector's rw_poll_warning ("": none) */
	const char *pending_event;         /* "down"/"up" not yet written to Redis, or NULL */
	unsigned long long event_failures; /* source events that could not be written */
	struct endpoint_limit limits[POLL_MAX_ENDPOINTS];
	size_t nlimits;
	bool daily_loaded;    /* the daily quota's count was read from Redis (poller_budget.c) */
	long daily_saved;     /* ... and the units left last written there */
	double auto_interval; /* poll_every "auto": the last choice (s) */
	char auto_why[160];   /* ... and why ("" before the first) */
	unsigned long long polls[RW_POLL_RESULT_COUNT];
	struct reject_count rejected[POLL_REJECT_REASONS];
	size_t nreasons;
	uint64_t reject_seen[POLL_REJECT_MEMORY]; /* hashes of logged rejects, a ring */
	size_t reject_next;
	unsigned long long closed_deleted;  /* open items closed: deleted on the platform */
	unsigned long long removed_dropped; /* items a poll found that a webhook said were
					       removed (hookstore.h): not tracked */
	unsigned long long
		queued[QUEUED_COUNT]; /* queued reads: QUEUED_READ ... (poller_queued.c) */
	bool wake;                    /* rw_poller_poll_soon during a poll */
	int64_t cred_rotated_ms, cred_expires_ms; /* rw_poll_credential (0: unknown) */
	struct rw_poll *poll;                     /* the poll under way, or NULL */
	bool retired; /* removed by a reload: freed when its poll ends */
	/* Ownership (cluster.h): */
	bool owned;                    /* as the cluster last said (gain/loss) */
	bool stale;                    /* gained: what another owner may have changed (session,
					  daily count, run) is dropped before the next poll */
	bool fence_logged;             /* a fenced write was logged in this ownership */
	unsigned long long polls_lost; /* polls ended because ownership was lost */
	unsigned long long fenced;     /* writes refused by the fence token */
	unsigned long long gains;      /* times this daemon gained the source */
	struct poll_source *next;
};

/* One poll under way. */
/* What a walk does after a list page, once its follow-ups are read. */
enum poll_then {
	POLL_THEN_NEXT_PAGE, /* read the next page */
	POLL_THEN_DONE,      /* the walk reached its end */
	POLL_THEN_STUCK,     /* the walk would not move (then_why) */
	POLL_THEN_PAUSE,     /* enough pages for this poll */
};

struct rw_poll {
	struct poll_source *ps;
	bool lost;   /* ownership lost: ends quietly at its next step, writes nothing */
	bool fenced; /* ... because Redis refused a write's fence token */
	char *fence; /* the fencing token when the poll began ("" without a cluster):
			its cursor write is refused unless it is still the source's */
	int64_t started_ms;
	int64_t due_ms;      /* the instant it was scheduled for, until its first request */
	int64_t answered_ms; /* when the last answer arrived: no item is dated later */
	json_t *cursors;     /* the "cur" hash as read at the start: field -> string */
	json_t *save;        /* cursor fields to write once the items are ingested */
	bool was_down;       /* the "down" flag in Redis at the start */
	size_t stream;       /* index of the stream being walked */
	int pages;           /* pages of that stream read in this poll */
	char *watermark;     /* its walk: see struct rw_walk */
	char *token;
	char *oldest_id;
	char *top;      /* the newest entry seen when the walk began */
	int64_t top_ms; /* its time, when this poll saw it (0: unknown) */
	int64_t from_ms;
	uint64_t tokens_seen[RW_POLLER_MAX_PAGES + 1]; /* hashes of this walk's tokens */
	size_t ntokens_seen;
	bool cursor_dropped;          /* this stream's stored cursor was refused: walking by time */
	bool more;                    /* a stream stopped at its page bound */
	char failure[POLL_ERROR_MAX]; /* a walk that made no progress: why ("" when none) */
	struct rw_page items;         /* everything found, for one ingest */
	/* Re-reading open items (poller_revisit.c): */
	size_t rv_budget;              /* items this poll may re-read */
	bool rv_from_position;         /* the first list started after a stored position */
	struct rw_open_item *rv_first; /* owned: open items after the position */
	size_t rv_nfirst;
	struct rw_open_item *rv; /* owned: the items re-read, in order */
	size_t rv_n, rv_next;
	char **gone; /* owned: ids the platform no longer has, to close */
	size_t ngone, gone_next;
	size_t rv_found;        /* re-reads answered with the item (not gone) */
	struct poll_queued *qd; /* owned: reading queued items (poller_queued.c) */
	/* The fan-out of the current list page (poller_follow.c): */
	struct rw_page_follow *follows; /* owned: entries to fetch, in order */
	size_t nfollows, follow_next;
	unsigned follow_pages; /* pages read for the current entry */
	char *follow_token;    /* owned: its next page's token, or NULL */
	enum poll_then then;   /* what the walk does once the follow-ups are read */
	const char *then_why;  /* POLL_THEN_STUCK: why (static) */
	rw_poll_answer_fn *answer;
	int see[4];
	char endpoint[32];
	char *url; /* the request under way (for logs: never the query) */
};

/* How late polls start (poller_delay.c): a histogram. */
#define POLL_DELAY_BUCKETS 15
struct poll_delays {
	unsigned long long counts[POLL_DELAY_BUCKETS + 1]; /* per bucket, the last +Inf */
	unsigned long long n;
	double sum_s;
};

/* The last source /status looked up (poller_report.c): it asks in the
 * configuration's order, so the next is usually its successor (no scan of
 * 10 000 sources per source). Reset whenever the list is rebuilt. */
struct poll_hint {
	const struct poll_source *last;
};

struct rw_poller {
	struct ev_loop *loop;
	struct rw_store *store;
	struct rw_tracker *tracker;
	struct rw_httpc *http;
	struct rw_cluster *cluster; /* NULL: this poller owns every source */
	int64_t gain_slot_ms;       /* the next free start of a gained source's poll */
	struct poll_hint *hint;     /* owned: see struct poll_hint */
	const struct rw_config *cfg;
	struct poll_source *sources; /* those of cfg */
	struct poll_source *retired; /* removed, waiting for their poll to end */
	bool stopping;               /* no new polls */
	bool freeing;                /* no Redis commands either */
	struct poll_delays delays;   /* replywatch_poll_delay_seconds (poller_delay.c) */
};

/* poller.c: ends poll with result (and a reason unless ok; it may point
 * into poll: it is copied before poll is freed), updates the source's
 * state and schedules its next poll. Frees poll. */
void poller_end(struct rw_poll *poll, enum rw_poll_result result, const char *reason);
/* The budget of endpoint at source ps, made on first use (NULL when full);
 * the one shared entry when the platform's endpoints share one budget
 * (struct rw_quota.shared). */
struct endpoint_limit *poller_limit(struct poll_source *ps, const char *endpoint);
const char *poller_state_name(enum source_state s);
/* Ownership (cluster.h): true when ps is this daemon's to poll now (always
 * without a cluster). */
bool poller_owns(const struct poll_source *ps);
/* The fencing token of ps for the owner-only scripts: the cluster's, or ""
 * without a cluster (the scripts then write unfenced); NULL when the
 * cluster no longer gives one (not owned). */
const char *poller_fence(const struct poll_source *ps);
/* True when poll has to end quietly: its source is no longer owned (a poll
 * under way when the daemon stops goes on). */
bool poller_poll_gone(const struct rw_poll *poll);
/* True when poll has to end quietly: its source is no longer owned. Ends
 * it (poller_end's quiet path) and returns true; false: go on. */
bool poller_poll_lost(struct rw_poll *poll);
/* A write of poll refused by the fence (reply text starts with "FENCED"):
 * counted, logged once per ownership, and the poll marked lost. */
bool poller_fenced_reply(struct rw_poll *poll, const char *reply_text);

/* poller_delay.c: replywatch_poll_delay_seconds. due: when the timer has
 * fired and ps->poll begun, remembers the instant it was scheduled for;
 * sent: at the poll's first request (now), counts how late it is; observe:
 * counts one delay; write_metrics: the family, HELP and TYPE included. */
void poller_delay_due(struct poll_source *ps);
void poller_delay_sent(struct rw_poll *poll, int64_t now);
void poller_delay_observe(struct poll_delays *d, double seconds);
void poller_delay_write_metrics(const struct poll_delays *d, FILE *out);

/* poller_budget.c: poll_every "auto" at a source. */
/* Counts one call of endpoint (and its units of a daily quota, refilled
 * at the quota's midnight) before it is made. */
void poller_budget_spend(struct poll_source *ps, const char *endpoint, int64_t now);
/* When ps's daily quota cannot pay for a call at now: its reset; else 0. */
int64_t poller_budget_daily_spent(struct poll_source *ps, int64_t now);
/* When an answer (status, body of len bytes) says ps's daily quota is spent
 * (struct rw_quota.spent): the quota is left at 0 and its reset returned;
 * else 0 and nothing changes. */
int64_t poller_budget_daily_refused(struct poll_source *ps, long status, const char *body,
				    size_t len, int64_t now);
/* Sources that share one budget (struct rw_quota.shared_by: Reddit's
 * client_id): share gives the figures of from (ps's shared entry, just
 * updated by an answer) to the others; adopt fills l, ps's shared entry
 * just made, with another's. Nothing for other platforms. */
void poller_budget_share(struct poll_source *ps, const struct endpoint_limit *from);
void poller_budget_adopt(struct poll_source *ps, struct endpoint_limit *l);
/* A daily quota's count kept in Redis (key "PREFIX{SOURCE}:dq", value
 * "RESET_MS REMAINING", expiring an hour after the reset), so a restart
 * does not begin the day at the full quota. load: at the start of poll,
 * before its cursors are read (once per source; again after a failure);
 * save: at a poll's end, when the count changed. Nothing for other
 * sources. A failure is logged, never a poll's failure. */
void poller_budget_load(struct rw_poll *poll);
void poller_budget_save(struct poll_source *ps, int64_t now);
/* At a poll's end: learns each endpoint's cost from the calls the poll
 * made, chooses the interval (seconds) and keeps it and why in ps. */
double poller_budget_interval(struct poll_source *ps, int64_t now);
/* The first instant of the next civil day in zone tz after now (ms); a
 * day after now when the zone cannot be read. */
int64_t poller_next_midnight(const char *tz, int64_t now);

/* poller_decide.c: the pure decisions of a poll's end (tested by
 * tests/unit/test_poll_decide.c). */

/* Updates run with how a poll ended (facts) and says when to poll next and
 * which transition (source_down / source_up) to record. */
void poll_decide(struct poll_run *run, const struct poll_facts *facts, struct poll_outcome *out);
/* The delay in seconds an outcome asks for, poll_every_s being the
 * source's interval (fixed, or chosen by poll_auto_interval); jitter and
 * backoff are random; the budget wait is a floor, at most POLL_MAX_WAIT_S. */
double poll_delay(const struct poll_outcome *o, double poll_every_s);

/* poll_every "auto" (docs/connectors.md "Budgets"): one budget to spread,
 * an endpoint's window or a daily quota. */
struct poll_budget {
	long remaining;      /* calls (units) left; -1: unknown */
	int64_t reset_at_ms; /* when it refills; 0: unknown */
	double cost;         /* what one poll spends of it, learnt (poll_cost_learn) */
};
#define POLL_AUTO_FLOOR_S 5.0 /* never poll faster than this */
/* Nor slower: the longest wait of the poller. Only a daily quota with less
 * than a poll an hour left asks for more; its calls are then refused
 * before they are made (poller_budget_daily_spent) until the reset. */
#define POLL_AUTO_CEILING_S 3600.0
#define POLL_AUTO_RESET_MARGIN_S 1.0 /* a budget spent: poll this long after its reset */
#define POLL_COST_MIN 0.05           /* a budget polls hardly spend does not bind */
/* The interval in seconds that makes the n budgets last until their
 * resets at now: for each, the time left over the polls its remaining
 * calls pay for (one poll's cost kept in reserve); the longest wins; a
 * budget that cannot pay for a poll waits for its reset. fallback_s when
 * no budget is known. Clamped to [POLL_AUTO_FLOOR_S, POLL_AUTO_CEILING_S].
 * Says why in why (len bytes): "auto: 712 calls left until T, ~3 per poll
 * => every 4.1 s". Pure. */
double poll_auto_interval(const struct poll_budget *b, size_t n, int64_t now, double fallback_s,
			  char *why, size_t len);
/* The cost of a poll learnt from the last estimate (0: none yet) and what
 * the latest poll spent (poll_cost_sample): halfway between them. Pure. */
double poll_cost_learn(double cost, double spent);
/* What the latest poll spent of a budget: the drop of its remaining
 * figure when the budget was in the same window before and after the poll
 * (resets within POLL_SAME_WINDOW_MS), else the calls it made. Pure. */
#define POLL_SAME_WINDOW_MS 2000
double poll_cost_sample(unsigned calls, long prev_remaining, int64_t prev_reset_ms, long remaining,
			int64_t reset_ms);
/* What the latest poll spent of a rolling window's budget (struct
 * rw_quota.rolling): the drop of its remaining figure since the last poll,
 * or -1 when it says nothing (a figure unknown, or usage fell: what left
 * the window hides what the poll spent; the estimate is then kept). Pure. */
double poll_cost_sample_rolling(long prev_remaining, long remaining);
/* The first walk's backfill cutoff at now: now - backfill, saturated at 1
 * (the epoch) so that no configured value turns it off or overflows. */
int64_t poll_backfill_cutoff(int64_t now, int64_t backfill_s);

/* The open items a poll may re-read at now: per_poll, or half the
 * endpoint's remaining budget when that is less and its window (reset at
 * reset_at_ms) is in force (remaining -1: unknown). */
size_t poll_revisit_budget(size_t per_poll, int64_t remaining, int64_t reset_at_ms, int64_t now);
/* After got items listed after the stored position (from_position) of a
 * budget: how many to list again from the oldest (0: none), so the
 * rotation wraps round. */
size_t poll_revisit_wrap(size_t got, size_t budget, bool from_position);
/* The items a poll re-reads, in order: first, then those of again (listed
 * from the oldest) not in first, budget at most; pointers into them in
 * out (room for budget). Returns how many. */
/* Whether ngone items answered "gone" in one poll, while found were read
 * fine, may be closed as deleted: not when many are gone and none was
 * found (POLL_GONE_DOUBT or more), which looks like a wrong base_url or a
 * proxy, not deletions. */
#define POLL_GONE_DOUBT 5
bool poll_revisit_trust_gone(size_t ngone, size_t found);
/* Whether a stream whose last walk finished at last_ms (its "d" cursor, as
 * stored: digits) is, at now, further behind than a platform's list window
 * (window_ms > 0): items may have been missed. False without a window, a
 * stored time or when last_ms is not digits. */
bool poll_list_window_passed(const char *last_ms, int64_t now, int64_t window_ms);
size_t poll_revisit_pick(const struct rw_open_item *first, size_t nfirst,
			 const struct rw_open_item *again, size_t nagain, size_t budget,
			 const struct rw_open_item **out);

#define POLL_MAX_WAIT_S 3600 /* the longest wait for a budget (= RW_RATELIMIT_MAX_WAIT_MS) */

/* poller_request.c: the platform's error message of a JSON error body
 * into out (len bytes), cut on a character boundary at POLL_DETAIL_MAX
 * bytes and cleaned; "" when there is none. */
struct rw_httpc_response;
void poller_error_detail(const struct rw_httpc_response *resp, char *out, size_t len);

/* poller_walk.c: starts a poll of ps (reads its cursors first). */
void poller_begin(struct poll_source *ps);
/* A cursor field as read at the start of the poll; NULL when absent or "". */
const char *poller_cursor(const struct rw_poll *poll, char letter, char kind);
/* Sets a cursor field to write once everything is ingested (NULL: ""). */
void poller_save(struct rw_poll *poll, char letter, char kind, const char *value);
/* Ingests everything the poll found, closes what is gone, saves the cursors
 * and ends the poll. */
void poller_ingest(struct rw_poll *poll);
/* Saves the cursors and ends the poll. */
void poller_save_cursors(struct rw_poll *poll);
/* Logs and counts one rejected entry of endpoint (once: see poller_walk.c). */
void poller_reject(struct poll_source *ps, const char *endpoint, const char *reason,
		   const char *id);
/* Caps every item of page at answered_ms (0: no cap). */
void poller_cap_times(struct rw_page *page, int64_t answered_ms);
/* What the current stream adds (connector.h), or NULL. */
const struct rw_stream_extra *poller_stream_extra(const struct rw_poll *poll);
/* Drops the items of page older than from_ms. */
void poller_drop_before(struct rw_page *page, int64_t from_ms);
/* The walk of the current stream goes on as poll->then says. */
void poller_walk_continue(struct rw_poll *poll);

/* poller_follow.c: the fan-out (connector.h, struct rw_follow). Takes the
 * follow-ups of list page that the walk has not seen yet over into poll
 * (the others are dropped); 0, or -1 on allocation failure. */
int poller_follow_take(struct rw_poll *poll, struct rw_page *page);
/* Fetches the next follow-up taken; after the last, poller_walk_continue. */
void poller_follow_next(struct rw_poll *poll);
/* Frees the fan-out part of a poll. */
void poller_follow_free(struct rw_poll *poll);

/* poller_queued.c: reads the items webhooks queued (connector.h, struct
 * rw_queued_read), then walks the streams; without a queued hook, at once. */
void poller_queued(struct rw_poll *poll);
void poller_queued_free(struct rw_poll *poll);
/* Drops from items[0..*n) those the source's webhooks said were removed
 * (for types with webhooks; hookstore.h), counted in removed_dropped, then
 * calls then(poll), or ends the poll (store error). items and n must stay
 * put until then. */
void poller_drop_removed(struct rw_poll *poll, struct rw_item *items, size_t *n,
			 void (*then)(struct rw_poll *poll));
/* poller_walk.c: walks the connector's streams from the first. */
void poller_walk_streams(struct rw_poll *poll);

/* poller_revisit.c: re-reads open items by id (connector.h, struct
 * rw_revisit), then calls poller_ingest; without a revisit hook, at once. */
void poller_revisit(struct rw_poll *poll);
/* After the ingest: closes the ids the platform no longer has, then saves
 * the cursors. */
void poller_close_gone(struct rw_poll *poll);
/* Frees the revisit part of a poll. */
void poller_revisit_free(struct rw_poll *poll);
/* Frees a poll's memory only (no state change). */
void poller_poll_free(struct rw_poll *poll);

#endif
