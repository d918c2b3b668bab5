/*
 * alertfmt: the bodies of alert deliveries, one function per format (pure:
 * no I/O, no clock; docs/alerts.md). The delivery engine (alerts/alerts.c) decides what to send
 * and when; these only say how it looks.
 *
 * Events are EVENT objects exactly as GET /events returns them (with "id",
 * "type", "at", "due", "mention" or "source", "policy", "age_seconds",
 * "business_age_seconds", "response_seconds", "level"); they are borrowed.
 * Every function returns a new JSON text (caller frees), or NULL when out
 * of memory or when an event lacks what the format needs (err says which,
 * naming it: "events[2]: mention has no key"). Every format needs an object
 * with a known "type"; mention events a "mention" with "key" and "source",
 * source events a "source" with "name".
 */
#ifndef REPLYWATCH_ALERTFMT_H
#define REPLYWATCH_ALERTFMT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* json: {"version":1,"events":[EVENT,...]} with events in the given order. */
char *rw_alertfmt_json(const json_t *events, char *err, size_t errlen);

/* slack: an incoming-webhook body: "text" (a readable one-line fallback per
 * event: what happened, who, where, how long waiting, the link) and
 * "blocks" (a header section per event with the same facts as fields and a
 * button/link to the post). At most 50 blocks: extra events are summarised
 * in a last context block ("and 12 more"), and the text ends the same way
 * for the lines it leaves out (it stays under Slack's 40 000 characters).
 * NULL with err for an empty list (Slack rejects an empty message). */
char *rw_alertfmt_slack(const json_t *events, char *err, size_t errlen);

/*
 * alertmanager: the body of POST /api/v2/alerts — an array of postable
 * alerts, one per event:
 *   warning               -> ReplySLAWarning   severity "warning"
 *   breach, escalation    -> ReplySLABreach    severity "critical"
 *   source_down           -> ReplySourceDown   severity "critical"
 *   resolved, expired     -> ReplySLAWarning and ReplySLABreach, both resolved
 *   source_up             -> ReplySourceDown resolved
 * Labels: alertname, source, platform, policy (mention alerts), mention
 * (rw_event_mention_ref of the mention key: bounded, whatever the id),
 * severity, plus the mention's or source's labels (prefixed "label_" when
 * they clash). Annotations: summary (one readable line), url (the post),
 * description, mention_key (the mention key, at most 200 characters, cut
 * with "…"), and level on escalations. startsAt = the
 * mention's created_at (source alerts: the event's at), omitted when
 * unknown and never after endsAt; an active alert has endsAt = now_ms +
 * active_for_ms, a resolved one endsAt = now_ms. generatorURL is omitted.
 * The same mention always yields the same label set, so re-posting it
 * updates the alert instead of creating another.
 */
char *rw_alertfmt_alertmanager(const json_t *events, int64_t now_ms, int64_t active_for_ms,
			       char *err, size_t errlen);

/* The alertname an event raises or resolves ("ReplySLABreach"), or NULL for
 * an event type Alertmanager does not get (an unknown one). resolved and
 * expired resolve ReplySLAWarning too; for them this gives ReplySLABreach. */
const char *rw_alertfmt_alertname(const char *event_type);

/*
 * pagerduty: one Events API v2 body for one event: {"routing_key",
 * "event_action": "trigger" (breach, escalation, source_down) or "resolve"
 * (resolved, expired, source_up), "dedup_key": rw_event_mention_ref of the
 * mention key ("mention_" + 32 hex digits, whatever the id's length; source
 * events: "source:NAME"), "payload": {"summary" (at most 1024
 * characters), "source" (the source name), "severity" ("critical" for
 * breach and source_down, "error" for escalation), "timestamp" (the
 * event's at), "component" (the platform), "group" (the policy), "class"
 * (the event type), "custom_details" (the EVENT itself)} (payload only on
 * trigger), "client": "replywatch", "links": [{"href": the post URL,
 * "text"}] when there is a URL}. Returns NULL with err for an event type
 * PagerDuty does not get (warning): the engine does not send those, and
 * for an empty routing_key. The text holds the routing key: wipe it before
 * freeing.
 */
char *rw_alertfmt_pagerduty(const json_t *event, const char *routing_key, char *err, size_t errlen);

/* A readable one-line summary of an event, as the formats use it:
 * "SLA breached: @ann on acme-x waiting 1h 02m (policy social)", at most
 * 1024 characters (control characters become spaces; a longer line is cut
 * and ends in "…"). Caller frees; NULL when out of memory or when the event
 * is not one the formats take (see above). */
char *rw_alertfmt_summary(const json_t *event);

#endif
