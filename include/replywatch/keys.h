/*
 * keys: the one owner of Redis key names on the C side.
 *
 * Every key of source S lives under its base "PREFIX{S}:" (PREFIX is
 * redis.key_prefix): the braces are a Redis Cluster hash tag, so all of a
 * source's keys sit in one slot and every script call, which touches one
 * source, stays valid on a cluster. A few keys belong to no source and live
 * under PREFIX alone. The scripts (daemon/lua) derive the names they use from
 * the base with the KEY table of daemon/lua/lib/layout.lua, which holds the
 * same suffixes as the table here (tests/integration/test_keys.c compares
 * them; tests/check-keys.sh fails if a key name is written anywhere else in
 * daemon/). docs/data-model.md says what each key holds.
 *
 * Everything here is pure: no allocation, no I/O.
 */
#ifndef REPLYWATCH_KEYS_H
#define REPLYWATCH_KEYS_H

#include <stdbool.h>
#include <stddef.h>

/* A buffer this large holds any key of a source or target named as the
 * configuration allows (names of at most 64 characters) under a prefix of
 * up to 300 bytes. */
#define RW_KEY_SIZE 512
/* The longest redis.key_prefix the configuration takes, so that every key
 * fits RW_KEY_SIZE (config_net.c refuses longer ones by name). */
#define RW_KEY_PREFIX_MAX 300

/*
 * The keys. "B" is the source's base, "P" the bare prefix; ARG is the part
 * named after the suffix (a target, a mention id, a bucket). For each: type,
 * who writes it, lifetime.
 */
enum rw_key {
	/* B ob:N — hash: open mentions' packed records, field = mention id,
	 * N a bucket chosen by linear hashing. Written by apply and migrate;
	 * a record leaves when its mention is resolved. Lua only. */
	RW_KEY_OPEN_BUCKET,
	/* B lh — hash: the linear hashing state of the ob:N buckets (L, sp,
	 * n). Written by apply and migrate; permanent. Lua only. */
	RW_KEY_OPEN_HASHING,
	/* B m:ID — hash: a resolved mention's record. Written by apply;
	 * expires after retention.closed. Lua only. */
	RW_KEY_RESOLVED,
	/* B due — sorted set: mention id -> next due instant (ms) for the
	 * mentions whose deadline does not follow from their indexes. Written
	 * by apply, trimmed by fetch; while its mention needs it. Lua only. */
	RW_KEY_DUE,
	/* B ixb:STATE:POLICY:BID — sorted set: one bucket of an index, member
	 * mention id, score created_at. Written by apply, migrate, list; empty
	 * buckets vanish. Lua only. */
	RW_KEY_INDEX_BUCKET,
	/* B ixd:STATE:POLICY — sorted set: an index's buckets in order. Written
	 * by apply and migrate; while the index has members. Lua only. */
	RW_KEY_INDEX_DIRECTORY,
	/* B ixn — hash: STATE:POLICY -> members of that index. Written by apply
	 * and migrate; permanent. Lua only. */
	RW_KEY_INDEX_COUNTS,
	/* B ixq — string: the last index bucket number given out. Written by
	 * apply and migrate; permanent. Lua only. */
	RW_KEY_INDEX_SEQUENCE,
	/* B ixp — set: the policy names used in the indexes. Written by apply;
	 * permanent. Lua only. */
	RW_KEY_INDEX_POLICIES,
	/* B ix:STATE:POLICY — sorted set of the first layout, read and deleted
	 * by migrate only; gone once a source has moved over. Lua only. */
	RW_KEY_FIRST_LAYOUT_INDEX,
	/* B cv:CONV — sorted set: open mentions of a conversation, score
	 * created_at. Written by apply; empty sets vanish. Lua only. */
	RW_KEY_CONVERSATION,
	/* B or:ID — string: a brand reply seen before the mention it answers.
	 * Written by orphan (SET NX PX); retention.give_up_after. Lua only. */
	RW_KEY_ORPHAN_REPLY,
	/* B ev — stream: the event log, also the alert outbox (one consumer
	 * group per target). Written by apply and source; read by /events and
	 * the alert engine; trimmed to retention.closed. */
	RW_KEY_EVENTS,
	/* B rs — stream: the reply log. Written by apply; tailed by stats;
	 * trimmed to 8 days. */
	RW_KEY_REPLIES,
	/* B cnt — hash: the counters. Written by apply (HINCRBY), read by
	 * counts; permanent. Lua only. */
	RW_KEY_COUNTERS,
	/* B cur — hash: a polled source's cursors and its down flag. Written by
	 * the poller (one HSET after a poll's items are ingested) and source;
	 * permanent. */
	RW_KEY_CURSORS,
	/* B dq — string: a daily quota's count "RESET_MS REMAINING" (YouTube).
	 * Written by the poller (SET PX); an hour after the reset. */
	RW_KEY_DAILY_QUOTA,
	/* B dl:TARGET — list: a target's dead letters, newest first. Written by
	 * the alert engine (LPUSH, LTRIM); the last 10 000. */
	RW_KEY_DEAD_LETTERS,
	/* B rp:TARGET — sorted set: repeat_every, mention id -> when to send it
	 * again. Written by the alert engine; until the mention is resolved. */
	RW_KEY_REPEATS,
	/* B rm — sorted set: webhook removals ("tombstones"), item id ->
	 * removal time (ms). Written by the webhooks (ZADD NX, trimmed by
	 * time and count), read by webhooks and poller; a day, the newest
	 * 10 000. */
	RW_KEY_WEBHOOK_REMOVALS,
	/* B hq — sorted set: items a webhook named by id only, to read from
	 * the platform, member KIND|ID|CONVERSATION -> receipt time (ms).
	 * Written by the webhooks (ZADD NX), emptied by the poller; until read,
	 * gone or given up. */
	RW_KEY_WEBHOOK_QUEUE,
	/* B hqa — hash: failed reads of queued items, member -> count. Written
	 * by the poller; with its queue member. */
	RW_KEY_WEBHOOK_QUEUE_ATTEMPTS,
	/* B auth — string: a connector's rotating credential (Allegro's
	 * refresh token), sealed with secrets_key (vault.h). Written by the
	 * poller (one SET per refresh, poller_secret.c) and by replywatchd
	 * --authorize; permanent, replaced at every refresh. */
	RW_KEY_CREDENTIAL,
	/* B lease — string "INSTANCE:EPOCH": the source's owner (cluster.h).
	 * Taken by daemon/lua/lease.lua (SET PX 15000 when free or held by the
	 * same instance under another epoch), renewed every 3 s by it (PEXPIRE
	 * if still the caller's), deleted on stop if still the caller's; 15 s
	 * after the last renewal. */
	RW_KEY_LEASE,
	/* B lease-n — string (counter): the fencing token, INCR by lease.lua on
	 * every acquire of B lease; the owner-only scripts (cursor write,
	 * source, repeats) refuse a call whose token is not the current one
	 * (layout.lua's fence_ok). Permanent. */
	RW_KEY_LEASE_COUNTER,
	/* P am:TARGET — hash: an Alertmanager target's alerts, re-posted every
	 * minute. Written by the alert engine; resolved ones dropped after
	 * 5 min. */
	RW_KEY_ALERTMANAGER,
	/* P rq:TARGET:INSTANCE — string: the request a target is delivering
	 * from one daemon (SET NX PX before its first attempt; rw_key_request).
	 * Written by the alert engine; deleted once its events are
	 * acknowledged or dead-lettered, else gone retry_for + 2 h after. A
	 * record without ":INSTANCE" is a daemon's before issue 14: renamed to
	 * the first daemon that looks. */
	RW_KEY_REQUEST,
	/* P readyz — string: written by each GET /readyz through ping to prove
	 * Redis takes writes; 1 minute (PX). */
	RW_KEY_READYZ,
	/* P members — sorted set: live daemons (cluster.h), instance id -> last
	 * heartbeat (ms, Redis TIME). Written by daemon/lua/members.lua every 2 s,
	 * which also drops members older than 10 s; a daemon stopping removes
	 * itself. Not under a source: the one key outside the sources' slots. */
	RW_KEY_MEMBERS,
	RW_KEY_COUNT
};

/* What kind of name a key is. */
enum {
	RW_KEY_SOURCE = 1 << 0,   /* under a source's base (else under the prefix) */
	RW_KEY_ARG = 1 << 1,      /* the suffix is followed by an argument */
	RW_KEY_RESERVED = 1 << 2, /* named for a design not built yet: none today */
};

struct rw_key_spec {
	const char *suffix;   /* after the base or prefix, e.g. "ev", "dl:" */
	const char *lua_name; /* its name in layout.lua's KEY table, or NULL */
	unsigned flags;       /* RW_KEY_SOURCE, RW_KEY_ARG, RW_KEY_RESERVED */
};

/* The spec of key k, or NULL when k is not a key. Static storage. */
const struct rw_key_spec *rw_key_spec(enum rw_key k);

/*
 * "PREFIX{SOURCE}:" into buf (len bytes): the base of every key of one
 * source, which the scripts receive as KEYS[1]. Returns buf, or NULL when it
 * does not fit (buf then holds no usable name).
 */
const char *rw_key_base(const char *prefix, const char *source, char *buf, size_t len);

/*
 * The name of key k into buf (len bytes): under source's base for a source
 * key, else under prefix (source ignored, may be NULL); followed by arg for
 * the keys that take one. Returns buf, or NULL when the name does not fit,
 * k is unknown, a source key has no source, or arg is missing or not taken.
 */
const char *rw_key_name(enum rw_key k, const char *prefix, const char *source, const char *arg,
			char *buf, size_t len);

/*
 * The consumer group in which target reads every source's events stream:
 * "a:TARGET" into buf. Returns buf, or NULL when it does not fit.
 */
const char *rw_key_alert_group(const char *target, char *buf, size_t len);

/*
 * A target's stored request under way from daemon instance (cluster.h):
 * "PREFIX" "rq:TARGET:INSTANCE" into buf; instance NULL gives the record of
 * a daemon before issue 14, "rq:TARGET". Returns buf, or NULL when it does
 * not fit.
 */
const char *rw_key_request(const char *prefix, const char *target, const char *instance, char *buf,
			   size_t len);

/* The consumer name a daemon reads its groups as without a cluster, and
 * every daemon did before issue 14: with a cluster each daemon reads as its
 * instance id, and a new owner claims the entries still pending under this
 * name with XAUTOCLAIM like any other consumer's. */
#define RW_KEY_ALERT_CONSUMER "replywatchd"

#endif
