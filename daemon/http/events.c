/*
 * events.c: GET /events?after=POSITION&limit=N — the event log, oldest first.
 *
 * Each source keeps its own event stream (its keys share one hash slot). A
 * position in the log is "SOURCE:STREAM-ID"; the merged order is (stream
 * time, sequence, source), and after=POSITION (the next_after of the page
 * before) continues right behind it. An event's "id" is rw_event_log_id's.
 */
#include <errno.h>
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/api.h"
#include "replywatch/config.h"
#include "replywatch/daemon.h"
#include "replywatch/event.h"
#include "replywatch/http.h"
#include "replywatch/keys.h"
#include "replywatch/store.h"
#include "replywatch/tracker.h"

#define PAGE_DEFAULT 100
#define PAGE_MAX 1000

struct entry {
	unsigned long long ms, seq;
	const char *source; /* borrowed from the configuration */
	json_t *event;
};

struct events_call {
	struct rw_http_request *req;
	char *after; /* as given, or NULL */
	size_t limit;
	size_t waiting;
	bool failed;
	struct entry *entries;
	size_t n;
};

struct stream_read {
	struct events_call *call;
	const char *source;
};

static int
parse_stream_id(const char *text, unsigned long long *ms, unsigned long long *seq)
{
	char *end;

	errno = 0;
	*ms = strtoull(text, &end, 10);
	if (errno || end == text || *end != '-')
		return -1;
	text = end + 1;
	*seq = strtoull(text, &end, 10);
	return errno || end == text || *end != '\0' ? -1 : 0;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->ms != y->ms)
		return x->ms < y->ms ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return strcmp(x->source, y->source);
}

static void
events_finish(struct events_call *call)
{
	json_t *body = NULL, *list = json_array();
	char last[400];
	const char *next = call->after;

	if (next != NULL)
		snprintf(last, sizeof(last), "%s", next);
	if (call->failed || list == NULL) {
		rw_http_respond_error(call->req, 503, "redis unavailable");
		goto done;
	}
	qsort(call->entries, call->n, sizeof(*call->entries), entry_cmp);
	for (size_t i = 0; i < call->n && i < call->limit; i++) {
		const struct entry *e = &call->entries[i];

		json_array_append(list, e->event);
		snprintf(last, sizeof(last), "%s:%llu-%llu", e->source, e->ms, e->seq);
		next = last;
	}
	body = json_pack("{s:O, s:s?}", "events", list, "next_after", next ? last : NULL);
	if (body != NULL && next == NULL)
		json_object_set_new(body, "next_after", json_null());
	if (body != NULL)
		rw_http_respond_json(call->req, 200, body);
	else
		rw_http_respond_error(call->req, 500, "out of memory");
done:
	json_decref(body);
	json_decref(list);
	for (size_t i = 0; i < call->n; i++)
		json_decref(call->entries[i].event);
	free(call->entries);
	free(call->after);
	free(call);
}

/* One XRANGE entry: [STREAM-ID, [field, value, ...]] with field "e". */
static int
add_entry(struct events_call *call, const char *source, const redisReply *item)
{
	const redisReply *fields;
	struct entry *e = &call->entries[call->n];
	char id[RW_EVENT_ID_SIZE];

	if (item->type != REDIS_REPLY_ARRAY || item->elements != 2 ||
	    item->element[0]->type != REDIS_REPLY_STRING)
		return -1;
	fields = item->element[1];
	if (parse_stream_id(item->element[0]->str, &e->ms, &e->seq) == -1)
		return -1;
	for (size_t i = 0; i + 1 < fields->elements; i += 2) {
		if (strcmp(fields->element[i]->str, "e") != 0)
			continue;
		e->event = json_loadb(fields->element[i + 1]->str, fields->element[i + 1]->len, 0,
				      NULL);
		if (e->event == NULL)
			return -1;
		if (rw_event_log_id(e->event, source, item->element[0]->str, id, sizeof(id)) ==
		    -1) {
			json_decref(e->event);
			return -1;
		}
		json_object_set_new(e->event, "id", json_string(id));
		e->source = source;
		call->n++;
		return 0;
	}
	return -1;
}

static void
stream_read(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct stream_read *r = arg;
	struct events_call *call = r->call;

	(void)st;
	if (reply == NULL || reply->type != REDIS_REPLY_ARRAY) {
		call->failed = true;
	} else {
		struct entry *grown =
			realloc(call->entries, (call->n + reply->elements + 1) * sizeof(*grown));

		if (grown == NULL) {
			call->failed = true;
		} else {
			call->entries = grown;
			for (size_t i = 0; i < reply->elements; i++)
				add_entry(call, r->source, reply->element[i]);
		}
	}
	free(r);
	if (--call->waiting == 0)
		events_finish(call);
}

static int
read_stream(struct events_call *call, struct rw_daemon *d, const char *source, const char *start)
{
	struct stream_read *r = calloc(1, sizeof(*r));
	char key[RW_KEY_SIZE], count[16];

	if (r == NULL)
		return -1;
	r->call = call;
	r->source = source;
	if (rw_key_name(RW_KEY_EVENTS, rw_store_key_prefix(rw_daemon_store(d)), source, NULL, key,
			sizeof(key)) == NULL) {
		free(r);
		return -1;
	}
	snprintf(count, sizeof(count), "%zu", call->limit);
	const char *argv[6] = {"XRANGE", key, start, "+", "COUNT", count};
	size_t len[6];
	for (int i = 0; i < 6; i++)
		len[i] = strlen(argv[i]);
	if (rw_store_command(rw_daemon_store(d), 6, argv, len, stream_read, r) == -1) {
		free(r);
		return -1;
	}
	call->waiting++;
	return 0;
}

static void
list_events(struct rw_http_request *req, void *arg)
{
	struct rw_daemon *d = arg;
	const struct rw_config *cfg = rw_daemon_config(d);
	const char *after = rw_http_query(req, "after"), *limit = rw_http_query(req, "limit");
	struct events_call *call = calloc(1, sizeof(*call));
	char *after_source = NULL, *sid = NULL;
	unsigned long long ms = 0, seq = 0;
	long n = PAGE_DEFAULT;
	char *end;

	if (call == NULL) {
		rw_http_respond_error(req, 500, "out of memory");
		return;
	}
	if (limit != NULL && ((n = strtol(limit, &end, 10)) < 1 || n > PAGE_MAX || *end != '\0')) {
		free(call);
		rw_http_respond_error(req, 400, "limit: expected an integer from 1 to 1000");
		return;
	}
	call->limit = (size_t)n;
	if (after != NULL && after[0] != '\0') {
		call->after = strdup(after);
		after_source = call->after ? strdup(after) : NULL;
		sid = after_source ? strrchr(after_source, ':') : NULL;
		if (sid == NULL || parse_stream_id(sid + 1, &ms, &seq) == -1) {
			free(after_source);
			free(call->after);
			free(call);
			rw_http_respond_error(req, 400,
					      "after: not a position in the event log "
					      "(SOURCE:STREAM-ID, from next_after)");
			return;
		}
		*sid++ = '\0';
	}
	call->req = req;
	call->waiting = 1;
	for (size_t i = 0; i < cfg->nsources; i++) {
		const char *name = cfg->sources[i].name;
		char start[64] = "-";

		if (after_source != NULL)
			snprintf(start, sizeof(start), "%s%llu-%llu",
				 strcmp(name, after_source) > 0 ? "" : "(", ms, seq);
		if (read_stream(call, d, name, start) == -1)
			call->failed = true;
	}
	free(after_source);
	if (--call->waiting == 0)
		events_finish(call);
}

int
rw_api_event_routes(struct rw_http_server *srv, struct rw_daemon *d)
{
	return rw_http_route(srv, "GET", "/events", 0, list_events, d);
}
