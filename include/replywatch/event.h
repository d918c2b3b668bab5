/*
 * event: the EVENT objects of the event log, /events and the alert payloads
 * (docs/alerts.md). An event is stored without its "id": the id is derived
 * from what identifies the event (rw_event_id), so the same event raised
 * again (after a Redis failover, by another daemon) keeps its id, and an id
 * is short and holds no text from a platform or a pusher.
 */
#ifndef REPLYWATCH_EVENT_H
#define REPLYWATCH_EVENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct rw_mention;
struct rw_source_config;
struct rw_policy_config;
struct rw_calendar;

/*
 * A mention event: type is an enum rw_event_type bit; at is when the daemon
 * raises it; due the deadline it is raised for (0: none, e.g. resolved);
 * level the escalation step (0: none). policy and cal may be NULL. Ages are
 * measured from the mention's creation to at; response_seconds is set once
 * the mention has a response. Returns a new object or NULL.
 */
json_t *rw_event_for_mention(unsigned type, unsigned level, int64_t due, int64_t at,
			     const struct rw_mention *m, const struct rw_source_config *src,
			     const struct rw_policy_config *policy, struct rw_calendar *cal);

/* The same serialised compactly (caller frees), or NULL. */
char *rw_event_dump(json_t *event);

/*
 * Ids: prefix + the first 32 lowercase hex digits (128 bits) of the SHA-256
 * of fields (each hashed with its length, so no two lists of fields give
 * the same input). RW_EVENT_ID_SIZE holds any id made here (a prefix of at
 * most 8 characters). Returns 0, or -1 with out "" when outlen is too
 * small, a field is NULL or OpenSSL fails.
 */
#define RW_EVENT_ID_SIZE 48
int rw_event_hash_id(const char *prefix, const char *const *fields, size_t nfields, char *out,
		     size_t outlen);

/*
 * The id of event: "evt_" + 32 hex digits. A mention event is identified by
 * its source, mention id, type, deadline ("due", when set) and escalation
 * level; a repeat ("repeat": true) also by when it was raised ("at"); a
 * source event by its source, type and "at" (a transition). Any "id" the
 * object holds is ignored. Returns 0, or -1 (out "") when event lacks a
 * type, or a mention event its source and id, or a source event its name.
 */
int rw_event_id(const json_t *event, char *out, size_t outlen);

/* The id of event as stored at stream_id in source's event log: rw_event_id,
 * or, for an entry that lacks what identifies an event (never written by
 * this version), a hash of source and stream_id, so every entry has one.
 * Returns 0, or -1 (out "") when outlen is too small or OpenSSL fails. */
int rw_event_log_id(const json_t *event, const char *source, const char *stream_id, char *out,
		    size_t outlen);

/* The bounded name of the incident of mention key "SOURCE:ID" as the alert
 * formats use it (PagerDuty dedup_key, the Alertmanager "mention" label):
 * "mention_" + 32 hex digits. Returns 0 or -1 (out ""). */
int rw_event_mention_ref(const char *key, char *out, size_t outlen);

/* The webhook-id of a request carrying the events of ids[0..n) in that
 * order: "msg_" + 32 hex digits. Returns 0 or -1 (out ""). */
int rw_event_request_id(const char *const *ids, size_t n, char *out, size_t outlen);

#endif
