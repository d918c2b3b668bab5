/*
 * alertfmt_pagerduty.c: one PagerDuty Events API v2 body per event. A
 * mention's incident is keyed by a hash of the mention key, a source's by
 * "source:NAME": breach and escalation trigger it (again), a reply, expiry
 * or a source coming back resolves it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/alertfmt.h"
#include "replywatch/event.h"

#include "alerts/alertfmt_internal.h"

/*
 * The dedup key of e into buf: the mention's bounded reference
 * (rw_event_mention_ref: "mention_" + 32 hex digits, well under PagerDuty's
 * 255 characters whatever the mention id) or "source:NAME" (a configured
 * name, at most 64 characters). Returns 0 or -1.
 */
static int
dedup_key(const struct rw_af_event *e, char *buf, size_t len)
{
	if (e->is_source)
		return (size_t)snprintf(buf, len, "source:%s", e->source) < len ? 0 : -1;
	return rw_event_mention_ref(e->key, buf, len);
}

/* Frees body after wiping the copy of the routing key it holds. */
static void
body_free(json_t *body)
{
	json_t *v = json_object_get(body, "routing_key");

	if (json_is_string(v))
		explicit_bzero((char *)json_string_value(v), json_string_length(v));
	json_decref(body);
}

/* The payload of a trigger. */
static json_t *
payload(const struct rw_af_event *e, const char *severity)
{
	json_t *p = json_object();
	char *summary = rw_af_summary(e);

	if (p == NULL || summary == NULL ||
	    json_object_set_new(p, "summary", json_string(summary)) == -1 ||
	    json_object_set_new(p, "source", json_string(e->source)) == -1 ||
	    json_object_set_new(p, "severity", json_string(severity)) == -1 ||
	    (e->at != NULL && json_object_set_new(p, "timestamp", json_string(e->at)) == -1) ||
	    (e->platform != NULL &&
	     json_object_set_new(p, "component", json_string(e->platform)) == -1) ||
	    (e->policy != NULL && json_object_set_new(p, "group", json_string(e->policy)) == -1) ||
	    json_object_set_new(p, "class", json_string(e->type_name)) == -1 ||
	    json_object_set_new(p, "custom_details", json_deep_copy(e->event)) == -1) {
		json_decref(p);
		p = NULL;
	}
	free(summary);
	return p;
}

char *
rw_alertfmt_pagerduty(const json_t *event, const char *routing_key, char *err, size_t errlen)
{
	const char *action = NULL, *severity = NULL;
	struct rw_af_event e;
	char key[300], *out = NULL;
	json_t *body = NULL, *links;

	if (routing_key == NULL || routing_key[0] == '\0') {
		rw_af_err(err, errlen, "pagerduty: no routing key");
		return NULL;
	}
	if (rw_af_read(event, "event", &e, err, errlen) == -1)
		return NULL;
	switch (e.type) {
	case RW_AF_BREACH:
	case RW_AF_SOURCE_DOWN:
		action = "trigger";
		severity = "critical";
		break;
	case RW_AF_ESCALATION:
		action = "trigger";
		severity = "error";
		break;
	case RW_AF_RESOLVED:
	case RW_AF_EXPIRED:
	case RW_AF_SOURCE_UP:
		action = "resolve";
		break;
	case RW_AF_WARNING:
		rw_af_err(err, errlen, "event: PagerDuty does not get %s events", e.type_name);
		return NULL;
	}
	if (dedup_key(&e, key, sizeof(key)) == -1 || (body = json_object()) == NULL ||
	    json_object_set_new(body, "routing_key", json_string(routing_key)) == -1 ||
	    json_object_set_new(body, "event_action", json_string(action)) == -1 ||
	    json_object_set_new(body, "dedup_key", json_string(key)) == -1 ||
	    (severity != NULL &&
	     json_object_set_new(body, "payload", payload(&e, severity)) == -1) ||
	    json_object_set_new(body, "client", json_string("replywatch")) == -1)
		goto oom;
	if (e.url != NULL) {
		links = json_pack("[{s:s, s:s}]", "href", e.url, "text", "Open post");
		if (json_object_set_new(body, "links", links) == -1)
			goto oom;
	}
	if ((out = json_dumps(body, JSON_COMPACT)) == NULL)
		goto oom;
	body_free(body);
	return out;
oom:
	rw_af_err(err, errlen, "out of memory");
	body_free(body);
	return NULL;
}
