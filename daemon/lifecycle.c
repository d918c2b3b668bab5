/*
 * lifecycle.c: deadlines and transitions, as pure functions.
 */
#include <stdlib.h>
#include <string.h>

#include "replywatch/calendar.h"
#include "replywatch/config.h"
#include "replywatch/lifecycle.h"

/* The instant business_s seconds of business time have passed since start. */
static int64_t
after(struct rw_calendar *cal, int64_t start_ms, int64_t business_s)
{
	if (cal == NULL)
		return start_ms + business_s * 1000;
	return rw_calendar_deadline_ms(cal, start_ms, business_s * 1000);
}

int
rw_lifecycle_schedule(struct rw_mention *m, const struct rw_policy_config *policy,
		      struct rw_calendar *cal, int64_t give_up_after_ms)
{
	free(m->policy);
	m->policy = NULL;
	m->warn_at = m->breach_at = 0;
	m->nescalate = 0;
	m->expire_at = m->created_ms + give_up_after_ms;
	if (policy == NULL)
		return 0;
	if ((m->policy = strdup(policy->name)) == NULL)
		return -1;
	if (policy->warn_after > 0)
		m->warn_at = after(cal, m->created_ms, policy->warn_after);
	m->breach_at = after(cal, m->created_ms, policy->breach_after);
	for (size_t i = 0; i < policy->nescalate && i < RW_MAX_ESCALATIONS; i++)
		m->escalate_at[m->nescalate++] =
			after(cal, m->created_ms, policy->escalate_after[i]);
	return 0;
}

static void
raise_event(struct rw_advance *out, unsigned type, unsigned level, int64_t due)
{
	if (out->nevents < RW_MAX_DUE_EVENTS)
		out->events[out->nevents++] = (struct rw_due_event){type, level, due};
}

void
rw_lifecycle_advance(struct rw_mention *m, int64_t now_ms, struct rw_advance *out)
{
	bool breach_now = false;
	unsigned top_step = m->escalated;

	memset(out, 0, sizeof(*out));
	if (!rw_state_is_open(m->state))
		return;
	if (m->breach_at && m->breach_at <= now_ms && !m->breached) {
		breach_now = true;
		m->breached = true;
		m->warned = true; /* superseded: a breach says more */
		m->state = RW_STATE_BREACHED;
		raise_event(out, RW_EVENT_BREACH, 0, m->breach_at);
	}
	if (!breach_now && m->warn_at && m->warn_at <= now_ms && !m->warned) {
		m->warned = true;
		if (m->state == RW_STATE_OPEN)
			m->state = RW_STATE_WARNING;
		raise_event(out, RW_EVENT_WARNING, 0, m->warn_at);
	}
	while (top_step < m->nescalate && m->escalate_at[top_step] <= now_ms)
		top_step++;
	if (top_step > m->escalated) {
		m->escalated = top_step;
		raise_event(out, RW_EVENT_ESCALATION, top_step, m->escalate_at[top_step - 1]);
	}
	if (m->expire_at && m->expire_at <= now_ms) {
		m->state = RW_STATE_EXPIRED;
		m->resolved_at = now_ms;
		raise_event(out, RW_EVENT_EXPIRED, 0, m->expire_at);
	}
	out->changed = out->nevents > 0;
}

int64_t
rw_lifecycle_next_due(const struct rw_mention *m)
{
	int64_t next = 0;

	if (!rw_state_is_open(m->state))
		return 0;
#define CONSIDER(t)                                                                                \
	do {                                                                                       \
		if ((t) && (next == 0 || (t) < next))                                              \
			next = (t);                                                                \
	} while (0)
	if (!m->warned)
		CONSIDER(m->warn_at);
	if (!m->breached)
		CONSIDER(m->breach_at);
	if (m->escalated < m->nescalate)
		CONSIDER(m->escalate_at[m->escalated]);
	CONSIDER(m->expire_at);
#undef CONSIDER
	return next;
}
