/*
 * event: the EVENT objects of the event log, /events and the alert payloads
 * (DESIGN.md "Alerts"). An event is stored without its "id": the id is
 * "SOURCE:STREAM-ID", given by the event log entry that holds it.
 */
#ifndef REPLYWATCH_EVENT_H
#define REPLYWATCH_EVENT_H

#include <jansson.h>
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

#endif
