/*
 * alerts_report.c: the alert targets as /status and /metrics show them.
 */
#include <stdio.h>

#include "alerts_internal.h"
#include "replywatch/clock.h"
#include "replywatch/mention.h"

static long long
pending(const struct target *t)
{
	long long n = 0;

	for (size_t i = 0; i < t->nreads; i++)
		n += t->reads[i].pending;
	return n;
}

static long long
dead(const struct target *t)
{
	long long n = 0;

	for (size_t i = 0; i < t->nreads; i++)
		n += t->reads[i].dead;
	return n;
}

static const char *
state(const struct target *t, int64_t now)
{
	if (t->disabled)
		return "disabled";
	if (t->last_error[0] != '\0' && (t->nq > 0 || t->batch.n > 0))
		return now < t->not_before ? "retrying" : "failing";
	return "ok";
}

/* The sources whose events this daemon delivers to t (all of them for a
 * lone daemon). */
static json_t *
sources(const struct target *t)
{
	json_t *list = json_array();

	for (size_t i = 0; list != NULL && i < t->nreads; i++)
		if (t->reads[i].owned)
			json_array_append_new(list, json_string(t->reads[i].source));
	return list;
}

json_t *
rw_alerts_status_json(const struct rw_alerts *a)
{
	json_t *list = json_array();
	int64_t now = rw_now_ms();

	for (const struct target *t = a->targets; list != NULL && t != NULL; t = t->next)
		json_array_append_new(
			list, json_pack("{s:s, s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:o}", "name",
					t->name, "format", rw_alert_format_name(t->cfg->format),
					"state", state(t, now), "pending", (json_int_t)pending(t),
					"dead_letters", (json_int_t)dead(t), "last_error",
					t->last_error[0] ? json_string(t->last_error) : json_null(),
					"last_success_at", rw_time_json(t->last_success_at),
					"next_attempt_at",
					(t->nq > 0 || t->batch.n > 0) && t->not_before > now
						? rw_time_json(t->not_before)
						: json_null(),
					"sources", sources(t)));
	return list;
}

void
rw_alerts_write_metrics(const struct rw_alerts *a, FILE *out)
{
	fputs("# HELP replywatch_alert_deliveries_total Alert events delivered (or not) by "
	      "target and result.\n"
	      "# TYPE replywatch_alert_deliveries_total counter\n",
	      out);
	for (const struct target *t = a->targets; t != NULL; t = t->next)
		for (int r = 0; r < RW_ALERT_NRESULTS; r++)
			fprintf(out,
				"replywatch_alert_deliveries_total{target=\"%s\",result=\"%s\"} "
				"%llu\n",
				t->name, rw_alert_result_name((enum rw_alert_result)r),
				t->results[r]);
	fputs("# HELP replywatch_alert_outbox_pending Events not yet delivered to a target.\n"
	      "# TYPE replywatch_alert_outbox_pending gauge\n",
	      out);
	for (const struct target *t = a->targets; t != NULL; t = t->next)
		fprintf(out, "replywatch_alert_outbox_pending{target=\"%s\"} %lld\n", t->name,
			pending(t));
	fputs("# HELP replywatch_alert_dead_letters Events a target did not take, kept in its "
	      "dead-letter list.\n"
	      "# TYPE replywatch_alert_dead_letters gauge\n",
	      out);
	for (const struct target *t = a->targets; t != NULL; t = t->next)
		fprintf(out, "replywatch_alert_dead_letters{target=\"%s\"} %lld\n", t->name,
			dead(t));
}
