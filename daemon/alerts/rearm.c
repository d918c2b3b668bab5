/*
 * rearm.c: what goes out again after a delivery.
 *
 * repeat_every: a breach (or escalation) delivered to a target schedules
 * its mention in "PREFIX{S}:rp:TARGET" (sorted set, score: when to send it
 * again); when that time comes and the mention is still breached, a fresh
 * breach event goes out ("repeat": true, its own id) and the next one is
 * scheduled; a resolution or expiry delivered to the target cancels it.
 * With several daemons only the source's owner looks for due repeats, and
 * every write of the set goes through the repeat script with the owner's
 * fencing token (a daemon that lost the source writes nothing).
 *
 * Alertmanager: every alert sent to an alertmanager target is kept in
 * "PREFIX:am:TARGET" (hash: "ALERTNAME|REF" -> {"alert", "resolved_at"}, REF
 * its "mention" label or, for a source, its source name).
 * Every minute the active ones are posted again with a fresh endsAt (so they
 * stay active, also after an Alertmanager restart), and the resolved ones
 * with their endsAt for 5 minutes, then forgotten. With several daemons
 * only the leader of "am:TARGET" (rw_cluster_leads) re-posts.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts_internal.h"
#include "replywatch/alertfmt.h"
#include "replywatch/event.h"
#include "replywatch/httpc.h"
#include "replywatch/keys.h"
#include "replywatch/log.h"
#include "replywatch/mention.h"
#include "replywatch/policy.h"
#include "replywatch/store.h"

#define REPEAT_CHECK_MS 1000
#define REPOST_EVERY_MS 60000
#define ACTIVE_FOR_MS (5 * 60000)   /* endsAt of an active alert: this far ahead */
#define RESOLVED_FOR_MS (5 * 60000) /* resolved alerts are re-posted this long */
#define REPEATS_PER_CHECK "20"

struct name_call {
	struct rw_alerts *a;
	char *target;
	char *source;
	char *mention;
};

static struct name_call *
name_call_new(struct rw_alerts *a, const char *target, const char *source, const char *mention)
{
	struct name_call *nc = calloc(1, sizeof(*nc));

	if (nc == NULL)
		return NULL;
	nc->a = a;
	nc->target = strdup(target);
	nc->source = source ? strdup(source) : NULL;
	nc->mention = mention ? strdup(mention) : NULL;
	if (nc->target == NULL || (source && !nc->source) || (mention && !nc->mention)) {
		free(nc->target);
		free(nc->source);
		free(nc->mention);
		free(nc);
		return NULL;
	}
	return nc;
}

static void
name_call_free(struct name_call *nc)
{
	free(nc->target);
	free(nc->source);
	free(nc->mention);
	free(nc);
}

static int
command(struct rw_alerts *a, int argc, const char **argv, rw_store_reply_fn *fn, void *arg)
{
	size_t lens[8];

	if (a->freeing || argc > 8)
		return -1;
	for (int i = 0; i < argc; i++)
		lens[i] = strlen(argv[i]);
	return rw_store_command(a->store, argc, argv, lens, fn, arg);
}

/* The target's repeat set for source ("B rp:TARGET") into key; NULL when
 * the name does not fit. */
static const char *
repeat_key(const struct target *t, const char *source, char *key, size_t len)
{
	return rw_key_name(RW_KEY_REPEATS, rw_store_key_prefix(t->a->store), source, t->name, key,
			   len);
}

/* The target's Alertmanager alerts ("P am:TARGET") into key; NULL when the
 * name does not fit. */
static const char *
am_key(const struct target *t, char *key, size_t len)
{
	return rw_key_name(RW_KEY_ALERTMANAGER, rw_store_key_prefix(t->a->store), NULL, t->name,
			   key, len);
}

/* The answer of the repeat script: a refusal is logged (nothing else to
 * do: the source's new owner schedules its own repeats). */
static void
repeat_written(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct name_call *nc = arg;

	(void)st;
	if (reply != NULL && reply->type == REDIS_REPLY_ERROR)
		log_info("alert target %s: repeat of %s on %s not written: %s", nc->target,
			 nc->mention, nc->source, reply->str);
	name_call_free(nc);
}

/* Schedules (when: ms as text) or cancels (when NULL) t's repeat of
 * mention, fenced with this daemon's token for source: nothing when this
 * daemon does not own the source. */
static void
repeat_write(struct target *t, const char *source, const char *mention, const char *when)
{
	const char *fence = alerts_fence(t->a, source);
	char base[RW_KEY_SIZE], key[RW_KEY_SIZE];
	struct name_call *nc;

	if (fence == NULL || t->a->freeing ||
	    rw_key_base(rw_store_key_prefix(t->a->store), source, base, sizeof(base)) == NULL ||
	    repeat_key(t, source, key, sizeof(key)) == NULL ||
	    (nc = name_call_new(t->a, t->name, source, mention)) == NULL)
		return;
	const char *argv[] = {base, key, fence, when ? "add" : "rem", mention, when ? when : ""};
	size_t lens[6];

	for (int i = 0; i < 6; i++)
		lens[i] = strlen(argv[i]);
	if (rw_store_script(t->a->store, "repeat", 2, 6, argv, lens, repeat_written, nc) == -1)
		name_call_free(nc);
}

/* Records the Alertmanager alerts event raised or resolved. */
static void
am_record(struct target *t, const json_t *event, int64_t now)
{
	json_t *events = json_pack("[O]", event), *alerts, *alert;
	char err[120], key[RW_KEY_SIZE], field[160], *text;
	size_t i;

	if (am_key(t, key, sizeof(key)) == NULL) {
		json_decref(events);
		log_warnx("alert target %s: alert state not stored (key name too long)", t->name);
		return;
	}
	text = events ? rw_alertfmt_alertmanager(events, now, ACTIVE_FOR_MS, err, sizeof(err))
		      : NULL;
	json_decref(events);
	alerts = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	json_array_foreach(alerts, i, alert)
	{
		json_t *labels = json_object_get(alert, "labels");
		const char *ends = json_string_value(json_object_get(alert, "endsAt"));
		int64_t ends_ms = 0;
		char *value;

		snprintf(field, sizeof(field), "%s|%s",
			 json_string_value(json_object_get(labels, "alertname")) ?: "",
			 json_string_value(json_object_get(labels, "mention"))
				 ?: json_string_value(json_object_get(labels, "source")) ?: "");
		if (ends != NULL)
			rw_time_parse(ends, &ends_ms);
		json_t *doc = json_pack("{s:O, s:I}", "alert", alert, "resolved_at",
					(json_int_t)(ends_ms > 0 && ends_ms <= now ? now : 0));

		value = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
		json_decref(doc);
		const char *argv[] = {"HSET", key, field, value};

		if (value == NULL || command(t->a, 4, argv, NULL, NULL) == -1)
			log_warnx("alert target %s: alert state not stored", t->name);
		free(value);
	}
	json_decref(alerts);
	/* A breach supersedes the warning: stop re-posting it (Alertmanager lets
	 * it end at its endsAt). */
	const char *type = json_string_value(json_object_get(event, "type"));
	const char *mkey =
		json_string_value(json_object_get(json_object_get(event, "mention"), "key"));

	char ref[RW_EVENT_ID_SIZE];

	if (type != NULL && mkey != NULL &&
	    (strcmp(type, "breach") == 0 || strcmp(type, "escalation") == 0) &&
	    rw_event_mention_ref(mkey, ref, sizeof(ref)) == 0) {
		snprintf(field, sizeof(field), "ReplySLAWarning|%s", ref);
		const char *argv[] = {"HDEL", key, field};

		command(t->a, 3, argv, NULL, NULL);
	}
}

void
rearm_delivered(struct target *t, const struct queued *q, size_t n)
{
	int64_t now = rw_now_ms();
	char when[32];

	for (size_t i = 0; i < n; i++) {
		const char *type = json_string_value(json_object_get(q[i].event, "type"));

		if (type == NULL)
			continue;
		if (t->cfg->format == RW_ALERT_ALERTMANAGER && rw_alertfmt_alertname(type))
			am_record(t, q[i].event, now);
		if (t->cfg->repeat_every <= 0 || q[i].mention == NULL)
			continue;
		if (strcmp(type, "breach") == 0 || strcmp(type, "escalation") == 0) {
			snprintf(when, sizeof(when), "%" PRId64, now + t->cfg->repeat_every * 1000);
			repeat_write(t, q[i].source, q[i].mention, when);
		} else if (strcmp(type, "resolved") == 0 || strcmp(type, "expired") == 0) {
			repeat_write(t, q[i].source, q[i].mention, NULL);
		}
	}
}

/* --- repeats --------------------------------------------------------------- */

static void
mention_read(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct name_call *nc = arg;
	struct target *t = alerts_find_target(nc->a, nc->target);
	const struct rw_source_config *src =
		t ? rw_config_find_source(nc->a->cfg, nc->source) : NULL;
	struct rw_mention m = {0};
	char when[32], id[RW_EVENT_ID_SIZE];
	int64_t now = rw_now_ms();

	(void)st;
	/* A source lost meanwhile: its new owner repeats. */
	if (t == NULL || src == NULL || reply == NULL || reply->type != REDIS_REPLY_ARRAY ||
	    reply->elements != 1 || t->cfg->repeat_every <= 0 ||
	    alerts_fence(nc->a, nc->source) == NULL) {
		name_call_free(nc);
		return;
	}
	reply = reply->element[0]; /* the fetch script's answer: one record */
	if (rw_mention_decode(&m, nc->mention, reply) != 0 || m.state != RW_STATE_BREACHED) {
		/* Answered, closed, expired or gone: no more repeats. */
		repeat_write(t, nc->source, nc->mention, NULL);
		rw_mention_clear(&m);
		name_call_free(nc);
		return;
	}
	const struct rw_policy_config *policy =
		m.policy ? rw_config_find_policy(nc->a->cfg, m.policy) : NULL;
	json_t *event = rw_event_for_mention(RW_EVENT_BREACH, 0, m.breach_at, now, &m, src, policy,
					     policy ? rw_policy_calendar(nc->a->ps, policy) : NULL);
	struct queued q = {0};

	if (event != NULL) {
		json_object_set_new(event, "repeat", json_true());
		if (rw_event_id(event, id, sizeof(id)) == 0)
			json_object_set_new(event, "id", json_string(id));
		q.source = strdup(nc->source);
		q.mention = strdup(nc->mention);
		q.event = event;
		q.raised_ms = now;
		if (q.source && q.mention) {
			alerts_queue_push(t, &q);
		} else {
			free(q.source);
			free(q.mention);
			json_decref(event);
		}
	}
	/* Not again before the next interval (delivery schedules it too). */
	snprintf(when, sizeof(when), "%" PRId64, now + t->cfg->repeat_every * 1000);
	repeat_write(t, nc->source, nc->mention, when);
	rw_mention_clear(&m);
	name_call_free(nc);
}

static void
repeats_due(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct name_call *nc = arg;
	char base[RW_KEY_SIZE];
	const char *b =
		rw_key_base(rw_store_key_prefix(nc->a->store), nc->source, base, sizeof(base));

	(void)st;
	for (size_t i = 0;
	     b != NULL && reply != NULL && reply->type == REDIS_REPLY_ARRAY && i < reply->elements;
	     i++) {
		struct name_call *mc;

		if (reply->element[i]->type != REDIS_REPLY_STRING)
			continue;
		mc = name_call_new(nc->a, nc->target, nc->source, reply->element[i]->str);
		if (mc == NULL)
			break;
		const char *argv[] = {b, "ids", mc->mention};
		size_t lens[] = {strlen(argv[0]), 3, strlen(argv[2])};

		if (nc->a->freeing || rw_store_script(nc->a->store, "fetch", 1, 3, argv, lens,
						      mention_read, mc) == -1)
			name_call_free(mc);
	}
	name_call_free(nc);
}

static void
repeat_check(struct target *t, int64_t now)
{
	char key[RW_KEY_SIZE], max[32];

	snprintf(max, sizeof(max), "%" PRId64, now);
	for (size_t i = 0; i < t->nreads; i++) {
		struct name_call *nc;

		/* The owner's duty (the queue follows ownership, alerts_cluster.c). */
		if (!t->reads[i].owned || alerts_fence(t->a, t->reads[i].source) == NULL)
			continue;
		if ((nc = name_call_new(t->a, t->name, t->reads[i].source, NULL)) == NULL)
			return;
		if (repeat_key(t, nc->source, key, sizeof(key)) == NULL) {
			name_call_free(nc);
			continue;
		}
		const char *argv[] = {"ZRANGEBYSCORE", key, "-inf",           max,
				      "LIMIT",         "0", REPEATS_PER_CHECK};

		if (command(t->a, 7, argv, repeats_due, nc) == -1)
			name_call_free(nc);
	}
}

/* --- Alertmanager re-posts -------------------------------------------------- */

static void
reposted(struct rw_httpc *c, const struct rw_httpc_response *resp, void *arg)
{
	struct name_call *nc = arg;
	struct target *t = nc->a->freeing ? NULL : alerts_find_target(nc->a, nc->target);

	(void)c;
	if (t != NULL) {
		t->reposting = false;
		if (resp->status < 200 || resp->status >= 300)
			log_warnx("alert target %s: re-posting active alerts: %s", t->name,
				  resp->status ? "HTTP error" : resp->error);
	}
	name_call_free(nc);
}

static void
am_state_read(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct name_call *nc = arg;
	struct target *t = alerts_find_target(nc->a, nc->target);
	int64_t now = rw_now_ms();
	json_t *alerts = json_array();
	char key[RW_KEY_SIZE], ends[40], id[64];
	char *body;

	(void)st;
	if (t == NULL || reply == NULL || reply->type != REDIS_REPLY_ARRAY || alerts == NULL ||
	    am_key(t, key, sizeof(key)) == NULL) {
		if (t != NULL)
			t->reposting = false;
		json_decref(alerts);
		name_call_free(nc);
		return;
	}
	for (size_t i = 0; i + 1 < reply->elements; i += 2) {
		json_t *doc = json_loads(reply->element[i + 1]->str, 0, NULL);
		json_t *alert = json_object_get(doc, "alert");
		int64_t resolved = json_integer_value(json_object_get(doc, "resolved_at"));

		if (alert == NULL || (resolved > 0 && now - resolved > RESOLVED_FOR_MS)) {
			const char *argv[] = {"HDEL", key, reply->element[i]->str};

			command(nc->a, 3, argv, NULL, NULL);
		} else {
			rw_time_format(resolved > 0 ? resolved : now + ACTIVE_FOR_MS, ends,
				       sizeof(ends));
			json_object_set_new(alert, "endsAt", json_string(ends));
			json_array_append(alerts, alert);
		}
		json_decref(doc);
	}
	body = json_array_size(alerts) > 0 ? json_dumps(alerts, JSON_COMPACT) : NULL;
	json_decref(alerts);
	snprintf(id, sizeof(id), "repost-%" PRId64, now);
	if (body != NULL && alerts_post(t, body, id, reposted, nc) == 0) {
		free(body);
		return; /* reposted() frees nc */
	}
	free(body);
	t->reposting = false;
	name_call_free(nc);
}

static void
repost(struct target *t)
{
	struct name_call *nc = name_call_new(t->a, t->name, NULL, NULL);
	char key[RW_KEY_SIZE];

	if (nc == NULL)
		return;
	if (am_key(t, key, sizeof(key)) == NULL) {
		name_call_free(nc);
		return;
	}
	const char *argv[] = {"HGETALL", key};

	if (command(t->a, 2, argv, am_state_read, nc) == -1) {
		name_call_free(nc);
		return;
	}
	t->reposting = true;
}

void
rearm_tick(struct target *t, int64_t now)
{
	if (t->cfg->repeat_every > 0 && now >= t->next_repeat) {
		t->next_repeat = now + REPEAT_CHECK_MS;
		repeat_check(t, now);
	}
	if (t->cfg->format == RW_ALERT_ALERTMANAGER && !t->reposting) {
		char lead[RW_KEY_SIZE];

		if (t->next_repost == 0) {
			t->next_repost = now + REPOST_EVERY_MS;
		} else if (now >= t->next_repost) {
			t->next_repost = now + REPOST_EVERY_MS;
			/* One daemon re-posts ("am:TARGET", without the prefix: the
			 * duty's name); a rare double while members change is
			 * harmless (Alertmanager merges them). */
			if (alerts_leads(t->a, rw_key_name(RW_KEY_ALERTMANAGER, "", NULL, t->name,
							   lead, sizeof(lead))
						       ?: ""))
				repost(t);
		}
	}
}
