/*
 * request.c: the request a target is delivering — built from the first
 * events of its queue, stored in Redis before its first attempt (outbox.c),
 * and from then on fixed: the same events, the same webhook-id (a hash of
 * their ids) and, for json and slack, the same body on every attempt and
 * after a restart, until it is acknowledged or dead-lettered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts_internal.h"
#include "replywatch/alertfmt.h"
#include "replywatch/clock.h"
#include "replywatch/log.h"
#include "replywatch/secret.h"

/* What a format does not take is acknowledged without a request. */
bool
request_takes(const struct target *t, const json_t *event)
{
	const char *type = json_string_value(json_object_get(event, "type"));

	switch (t->cfg->format) {
	case RW_ALERT_PAGERDUTY:
		return type && strcmp(type, "warning") != 0;
	case RW_ALERT_ALERTMANAGER:
		return rw_alertfmt_alertname(type) != NULL;
	default:
		return true;
	}
}

/* A json or slack body is fixed once built and stored with the request.
 * Alertmanager's is built at each attempt (its endsAt counts from the
 * attempt; an old one would resolve the alert), PagerDuty's too after a
 * restart (it holds the routing key, which never goes to Redis). */
static bool
body_stored(const struct target *t)
{
	return t->cfg->format == RW_ALERT_JSON || t->cfg->format == RW_ALERT_SLACK;
}

/* The body of the n events ev in t's format. */
char *
request_body(const struct target *t, const struct queued *ev, size_t n, int64_t now, char *err,
	     size_t errlen)
{
	json_t *events = json_array();
	char *body = NULL;

	for (size_t i = 0; events != NULL && i < n; i++)
		json_array_append(events, ev[i].event);
	if (events == NULL)
		return NULL;
	switch (t->cfg->format) {
	case RW_ALERT_JSON:
		body = rw_alertfmt_json(events, err, errlen);
		break;
	case RW_ALERT_SLACK:
		body = rw_alertfmt_slack(events, err, errlen);
		break;
	case RW_ALERT_ALERTMANAGER:
		body = rw_alertfmt_alertmanager(events, now, 5 * 60000, err, errlen);
		break;
	case RW_ALERT_PAGERDUTY:
		body = rw_alertfmt_pagerduty(ev[0].event, rw_secret_value(t->cfg->routing_key), err,
					     errlen);
		break;
	}
	json_decref(events);
	return body;
}

/* Frees a body (a pagerduty body holds the routing key: wiped first). */
void
request_body_free(char *body)
{
	if (body == NULL)
		return;
	explicit_bzero(body, strlen(body));
	free(body);
}

void
request_clear(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		alerts_queued_clear(&b->ev[i]);
	free(b->ev);
	request_body_free(b->body);
	memset(b, 0, sizeof(*b));
}

/* Puts the events of t's request back at the front of its queue, in order,
 * and forgets the request (it was never attempted, or cannot be sent as
 * stored). */
static void
batch_unbuild(struct target *t)
{
	struct batch *b = &t->batch;

	if (t->nq + b->n > t->cap) {
		size_t cap = t->nq + b->n + 64;
		struct queued *q = realloc(t->q, cap * sizeof(*q));

		if (q == NULL) {
			/* Not acknowledged: read again after the next restart. */
			request_clear(b);
			return;
		}
		t->q = q;
		t->cap = cap;
	}
	memmove(t->q + b->n, t->q, t->nq * sizeof(*t->q));
	memcpy(t->q, b->ev, b->n * sizeof(*t->q));
	t->nq += b->n;
	b->n = 0; /* the events moved */
	request_clear(b);
}

/* The request is done (acknowledged or dead-lettered): its record goes,
 * after the acknowledgements already sent. */
void
request_done(struct target *t)
{
	if (outbox_forget(t) == -1)
		log_warnx("alert target %s: request %s not forgotten (redis unavailable): it may "
			  "be sent again after a restart",
			  t->name, t->batch.id);
	request_clear(&t->batch);
}

static int64_t
oldest_of(const struct queued *ev, size_t n)
{
	int64_t oldest = n ? ev[0].raised_ms : 0;

	for (size_t i = 1; i < n; i++)
		if (ev[i].raised_ms < oldest)
			oldest = ev[i].raised_ms;
	return oldest;
}

/* The id of a request carrying ev[0..n). */
static int
request_id(const struct queued *ev, size_t n, char *out, size_t len)
{
	const char *ids[ALERTS_BATCH_MAX];

	if (n == 0 || n > ALERTS_BATCH_MAX)
		return -1;
	for (size_t i = 0; i < n; i++)
		ids[i] = json_string_value(json_object_get(ev[i].event, "id")) ?: "";
	return rw_event_request_id(ids, n, out, len);
}

/* The record of t's request, as outbox_store keeps it (caller frees). */
static char *
batch_record(const struct target *t)
{
	const struct batch *b = &t->batch;
	json_t *events = json_array(), *doc;
	char *text;

	for (size_t i = 0; events != NULL && i < b->n; i++) {
		const struct queued *q = &b->ev[i];

		if (json_array_append_new(
			    events, json_pack("{s:s, s:s?, s:s?, s:I, s:O}", "source", q->source,
					      "sid", q->sid, "mention", q->mention, "raised",
					      (json_int_t)q->raised_ms, "event", q->event)) == -1) {
			json_decref(events);
			return NULL;
		}
	}
	doc = json_pack("{s:i, s:s, s:s, s:s?, s:o}", "v", 1, "id", b->id, "format",
			rw_alert_format_name(t->cfg->format), "body",
			body_stored(t) ? b->body : NULL, "events", events);
	text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	return text;
}

/* Writes the record of t's request; its answer makes it ready to send. */
void
request_write(struct target *t)
{
	char *record = batch_record(t);

	if (record != NULL && outbox_store(t, t->batch.id, record) == 0)
		t->batch.writing = true;
	free(record);
}

/* The next request of t: the first events of its queue, at most
 * ALERTS_BATCH_MAX (one for PagerDuty). Returns 0, or -1 when none was made
 * (an event no body can be built for is dead-lettered; out of memory). */
int
request_build(struct target *t, int64_t now)
{
	struct batch *b = &t->batch;
	char err[200];
	size_t n = 0;
	char *body = NULL;

	if (t->cfg->format == RW_ALERT_PAGERDUTY)
		n = 1;
	else
		while (n < t->nq && n < ALERTS_BATCH_MAX && request_takes(t, t->q[n].event))
			n++;
	if (t->cfg->format != RW_ALERT_ALERTMANAGER) {
		body = request_body(t, t->q, n, now, err, sizeof(err));
		if (body == NULL) {
			log_err("alert target %s: cannot build the request (%s): dead-lettered",
				t->name, err);
			outbox_dead_letter(t, t->q, 1, err);
			alerts_queue_pop(t, 1);
			return -1;
		}
	}
	if (request_id(t->q, n, b->id, sizeof(b->id)) == -1 ||
	    (b->ev = malloc(n * sizeof(*b->ev))) == NULL) {
		request_body_free(body);
		memset(b, 0, sizeof(*b));
		return -1;
	}
	/* The events move from the queue to the request. */
	memcpy(b->ev, t->q, n * sizeof(*b->ev));
	memmove(t->q, t->q + n, (t->nq - n) * sizeof(*t->q));
	t->nq -= n;
	b->n = n;
	b->body = body;
	b->oldest = oldest_of(b->ev, n);
	b->state = BATCH_STORING;
	request_write(t);
	return 0;
}

void
request_stored(struct target *t, const char *id, bool ok, bool exists)
{
	struct batch *b = &t->batch;

	if (b->state != BATCH_STORING || strcmp(b->id, id) != 0)
		return; /* not the request this target is storing */
	b->writing = false;
	if (ok) {
		b->state = BATCH_READY;
		return;
	}
	if (exists) {
		/* A stored request is there already (ours, whose answer was lost,
		 * or another daemon's): it goes first, these events wait. */
		batch_unbuild(t);
		t->loaded = false;
	}
	/* Otherwise not written (Redis unavailable): written again at the next tick. */
}

/* A copy of one stored event ({"source","sid","mention","raised","event"}) into q. */
static int
stored_event(const json_t *e, struct queued *q)
{
	const char *source = json_string_value(json_object_get(e, "source"));
	const char *sid = json_string_value(json_object_get(e, "sid"));
	const char *mention = json_string_value(json_object_get(e, "mention"));
	json_t *event = json_object_get(e, "event");

	memset(q, 0, sizeof(*q));
	if (source == NULL || !json_is_object(event) ||
	    !json_is_string(json_object_get(event, "id")))
		return -1;
	q->source = strdup(source);
	q->sid = sid ? strdup(sid) : NULL;
	q->mention = mention ? strdup(mention) : NULL;
	q->event = json_deep_copy(event);
	q->raised_ms = json_integer_value(json_object_get(e, "raised"));
	if (q->source == NULL || (sid && !q->sid) || (mention && !q->mention) || !q->event) {
		alerts_queued_clear(q);
		return -1;
	}
	return 0;
}

/* Reads record into t's request (BATCH_READY, its body still to be made
 * unless stored). Returns 0, or -1 (t's request left empty). */
static int
batch_read(struct target *t, const json_t *doc)
{
	struct batch *b = &t->batch;
	const json_t *events = json_object_get(doc, "events");
	const char *id = json_string_value(json_object_get(doc, "id"));
	size_t n = json_array_size(events);

	if (id == NULL || strlen(id) >= sizeof(b->id) || n == 0 || n > ALERTS_BATCH_MAX ||
	    (b->ev = calloc(n, sizeof(*b->ev))) == NULL)
		return -1;
	for (b->n = 0; b->n < n; b->n++) {
		if (stored_event(json_array_get(events, b->n), &b->ev[b->n]) == -1) {
			request_clear(b);
			return -1;
		}
	}
	snprintf(b->id, sizeof(b->id), "%s", id);
	b->oldest = oldest_of(b->ev, b->n);
	b->state = BATCH_READY;
	return 0;
}

/* True when t can send the request b as it was stored: the same format
 * (another one is another request), whose body is stored or can be built. */
static bool
batch_usable(const struct target *t, const json_t *doc)
{
	const struct batch *b = &t->batch;
	const char *format = json_string_value(json_object_get(doc, "format"));

	if (format == NULL || strcmp(format, rw_alert_format_name(t->cfg->format)) != 0)
		return false;
	if (t->cfg->format == RW_ALERT_PAGERDUTY && b->n != 1)
		return false;
	for (size_t i = 0; i < b->n; i++)
		if (!request_takes(t, b->ev[i].event))
			return false;
	return !body_stored(t) || json_is_string(json_object_get(doc, "body"));
}

void
request_adopt(struct target *t, const char *record, size_t len)
{
	struct batch *b = &t->batch;
	json_t *doc;
	char err[200];

	t->loading = false;
	t->loaded = true;
	if (record == NULL)
		return;
	if (b->state != BATCH_NONE)
		batch_unbuild(t);
	doc = json_loadb(record, len, 0, NULL);
	if (doc == NULL || batch_read(t, doc) == -1) {
		/* Its events are still pending in their streams: read again. */
		log_warnx("alert target %s: stored request unreadable; its events are read again",
			  t->name);
		json_decref(doc);
		outbox_forget(t);
		return;
	}
	/* Events read before the request was found are in it. */
	for (size_t i = 0; i < t->nq;) {
		bool dup = false;

		for (size_t j = 0; j < b->n && !dup; j++)
			dup = alerts_same_entry(&t->q[i], &b->ev[j]);
		if (!dup) {
			i++;
			continue;
		}
		alerts_queued_clear(&t->q[i]);
		memmove(t->q + i, t->q + i + 1, (t->nq - i - 1) * sizeof(*t->q));
		t->nq--;
	}
	if (!batch_usable(t, doc)) {
		log_info("alert target %s: a stored request for another format: its %zu events "
			 "go out in new requests",
			 t->name, b->n);
		batch_unbuild(t);
		outbox_forget(t);
	} else if (body_stored(t)) {
		b->body = strdup(json_string_value(json_object_get(doc, "body")));
	} else if (t->cfg->format == RW_ALERT_PAGERDUTY) {
		b->body = request_body(t, b->ev, b->n, rw_now_ms(), err, sizeof(err));
	}
	if (b->state == BATCH_READY && b->body == NULL && t->cfg->format != RW_ALERT_ALERTMANAGER) {
		log_warnx("alert target %s: stored request %s not rebuilt: its events go out "
			  "again",
			  t->name, b->id);
		batch_unbuild(t);
		outbox_forget(t);
	}
	if (b->state == BATCH_READY)
		log_info("alert target %s: sending the stored request %s (%zu events) again",
			 t->name, b->id, b->n);
	json_decref(doc);
}
