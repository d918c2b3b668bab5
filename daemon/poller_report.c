/*
 * poller_report.c: the polled sources as /status and /metrics show them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "poller_internal.h"
#include "replywatch/clock.h"
#include "replywatch/cluster.h"
#include "replywatch/config.h"
#include "replywatch/hooks.h"
#include "replywatch/mention.h"

static const struct poll_source *
find(const struct rw_poller *p, const char *name)
{
	const struct poll_source *next = p->hint->last ? p->hint->last->next : NULL;

	if (next != NULL && strcmp(next->name, name) == 0)
		return p->hint->last = next;
	for (const struct poll_source *ps = p->sources; ps != NULL; ps = ps->next)
		if (strcmp(ps->name, name) == 0)
			return p->hint->last = ps;
	return NULL;
}

/* A figure the platform may not have given: JSON null when unknown (< 0). */
static json_t *
figure(long v)
{
	return v < 0 ? json_null() : json_integer((json_int_t)v);
}

static json_t *
budget_json(const struct endpoint_limit *l)
{
	return json_pack("{s:o, s:o, s:o}", "limit", figure(l->rl.limit), "remaining",
			 figure(l->rl.remaining), "reset_at", rw_time_json(l->rl.reset_at_ms));
}

/* The tightest budget (the endpoint with the fewest calls left) and every
 * endpoint's; an unknown figure is null. Null when no endpoint said anything. */
static json_t *
rate_limit_json(const struct poll_source *ps)
{
	const struct endpoint_limit *tight = NULL;
	json_t *endpoints = json_object(), *o;

	for (size_t i = 0; i < ps->nlimits; i++) {
		const struct endpoint_limit *l = &ps->limits[i];

		if (l->rl.remaining < 0 && l->rl.limit < 0 && l->rl.reset_at_ms <= 0)
			continue;
		if (tight == NULL ||
		    (l->rl.remaining >= 0 &&
		     (tight->rl.remaining < 0 || l->rl.remaining < tight->rl.remaining)))
			tight = l;
		json_object_set_new(endpoints, l->name, budget_json(l));
	}
	if (tight == NULL) {
		json_decref(endpoints);
		return json_null();
	}
	o = budget_json(tight);
	json_object_set_new(o, "endpoint", json_string(tight->name));
	json_object_set_new(o, "endpoints", endpoints);
	return o;
}

/* Rejected entries by reason: {"no id": 2, ...}. */
static json_t *
rejected_json(const struct poll_source *ps)
{
	json_t *o = json_object();

	for (size_t i = 0; i < ps->nreasons; i++)
		json_object_set_new(o, ps->rejected[i].reason,
				    json_integer((json_int_t)ps->rejected[i].n));
	return o;
}

/* The interval between polls: fixed, or chosen by poll_every "auto" (and
 * why; null before the first poll has ended). */
static json_t *
interval_json(const struct poll_source *ps)
{
	if (!ps->src->poll_auto)
		return json_pack("{s:s, s:f, s:n}", "mode", "fixed", "seconds",
				 (double)ps->src->poll_every, "why");
	if (ps->auto_why[0] == '\0')
		return json_pack("{s:s, s:n, s:n}", "mode", "auto", "seconds", "why");
	return json_pack("{s:s, s:f, s:s}", "mode", "auto", "seconds", ps->auto_interval, "why",
			 ps->auto_why);
}

/* The results of queued reads, as /status and the metrics name them. */
static const char *const queued_names[] = {
	[QUEUED_READ] = "read",
	[QUEUED_GONE] = "gone",
	[QUEUED_FAILED] = "failed",
	[QUEUED_GIVEN_UP] = "given_up",
};

/* /status's "queue" of a source whose connector reads queued items. */
static json_t *
queued_json(const struct poll_source *ps)
{
	json_t *o = json_object();

	for (int r = 0; o != NULL && r < QUEUED_COUNT; r++)
		json_object_set_new(o, queued_names[r], json_integer((json_int_t)ps->queued[r]));
	return o;
}

/* The state /status shows: the poll's, or for a source another daemon
 * polls, "standby" (this daemon backs it up: cluster.h) or "elsewhere" —
 * neither is a failure. */
static const char *
state_name(const struct poll_source *ps, bool owner)
{
	if (owner || ps->run.state == SOURCE_DISABLED)
		return poller_state_name(ps->run.state);
	return rw_cluster_role(ps->poller->cluster, ps->name) == RW_CLUSTER_STANDBY ? "standby"
										    : "elsewhere";
}

json_t *
rw_poller_source_json(const struct rw_poller *p, const char *name)
{
	const struct poll_source *ps = find(p, name);
	bool owner;
	json_t *o;

	if (ps == NULL)
		return NULL;
	owner = poller_owns(ps);
	o = json_pack("{s:s, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:I, s:o}", "state",
		      state_name(ps, owner), "last_poll_at", rw_time_json(ps->last_poll_at),
		      "last_success_at", rw_time_json(ps->last_success_at), "last_error",
		      ps->last_error[0] ? json_string(ps->last_error) : json_null(),
		      "consecutive_failures", (json_int_t)ps->run.consecutive_failures,
		      "next_poll_at",
		      ps->poll == NULL && ps->run.state != SOURCE_DISABLED && owner
			      ? rw_time_json(ps->next_poll_at)
			      : json_null(),
		      "rate_limit", rate_limit_json(ps), "items_rejected", rejected_json(ps),
		      "items_closed_deleted", (json_int_t)ps->closed_deleted, "warning",
		      ps->warning[0] ? json_string(ps->warning) : json_null());
	if (o != NULL)
		json_object_set_new(o, "poll_interval", interval_json(ps));
	/* Several daemons (cluster.h): whether this one polls the source, and
	 * its polls dropped on losing it and writes the fence refused. */
	if (o != NULL)
		json_object_set_new(o, "owner", json_boolean(owner));
	if (o != NULL && p->cluster != NULL)
		json_object_set_new(o, "ownership",
				    json_pack("{s:I, s:I, s:I}", "gains", (json_int_t)ps->gains,
					      "polls_lost", (json_int_t)ps->polls_lost, "fenced",
					      (json_int_t)ps->fenced));
	if (o != NULL && ps->conn != NULL && rw_hook_platform_for(ps->src->type) != NULL)
		json_object_set_new(o, "items_removed_dropped",
				    json_integer((json_int_t)ps->removed_dropped));
	if (o != NULL && ps->conn != NULL && ps->conn->queued != NULL)
		json_object_set_new(o, "queue", queued_json(ps));
	/* A credential kept in Redis (rw_poll_credential): its dates only. */
	if (o != NULL && (ps->cred_rotated_ms != 0 || ps->cred_expires_ms != 0))
		json_object_set_new(o, "credential",
				    json_pack("{s:o, s:o}", "rotated_at",
					      rw_time_json(ps->cred_rotated_ms), "expires_at",
					      rw_time_json(ps->cred_expires_ms)));
	return o;
}

/* A label value as the exposition format wants it. */
static void
put_label(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

/* replywatch_source_up for every source of the configuration, in one walk
 * (the polled sources are listed in the configuration's order: no lookup
 * per source, which cost seconds at 10 000 sources). Only the owner of a
 * polled source says whether it works: another daemon has no figure for it
 * (no series, rather than a false 0); push sources are up while enabled. */
static void
write_up(const struct rw_poller *p, FILE *out)
{
	const struct rw_config *cfg = p->cfg;
	const struct poll_source *ps = p->sources;

	for (size_t i = 0; i < cfg->nsources; i++) {
		const struct rw_source_config *src = &cfg->sources[i];
		const struct poll_source *mine = NULL;
		bool up = src->enabled;

		if (ps != NULL && strcmp(ps->name, src->name) == 0) {
			mine = ps;
			ps = ps->next;
		}
		if (mine != NULL && !poller_owns(mine))
			continue;
		if (mine != NULL)
			up = mine->run.state != SOURCE_DOWN && mine->run.state != SOURCE_DISABLED;
		fprintf(out, "replywatch_source_up{source=\"%s\",type=\"%s\"} %d\n", src->name,
			rw_source_type_name(src->type), up ? 1 : 0);
	}
}

void
rw_poller_write_metrics(const struct rw_poller *p, FILE *out)
{
	const struct rw_config *cfg = p->cfg;

	if (cfg == NULL)
		return;
	fputs("# HELP replywatch_source_up Whether a source is working (1) or not (0).\n"
	      "# TYPE replywatch_source_up gauge\n",
	      out);
	write_up(p, out);
	fputs("# HELP replywatch_source_owned Whether this daemon polls a polled source (1) or "
	      "another daemon does (0).\n"
	      "# TYPE replywatch_source_owned gauge\n",
	      out);
	for (const struct poll_source *ps = p->sources; ps != NULL; ps = ps->next)
		fprintf(out, "replywatch_source_owned{source=\"%s\"} %d\n", ps->name,
			poller_owns(ps) ? 1 : 0);
	fputs("# HELP replywatch_source_polls_lost_total Polls dropped because the source "
	      "passed to another daemon while they ran.\n"
	      "# TYPE replywatch_source_polls_lost_total counter\n",
	      out);
	for (const struct poll_source *ps = p->sources; ps != NULL; ps = ps->next)
		fprintf(out, "replywatch_source_polls_lost_total{source=\"%s\"} %llu\n", ps->name,
			ps->polls_lost);
	fputs("# HELP replywatch_source_fenced_writes_total Cursor and source-event writes "
	      "refused because the fencing token was no longer current.\n"
	      "# TYPE replywatch_source_fenced_writes_total counter\n",
	      out);
	for (const struct poll_source *ps = p->sources; ps != NULL; ps = ps->next)
		fprintf(out, "replywatch_source_fenced_writes_total{source=\"%s\"} %llu\n",
			ps->name, ps->fenced);
	fputs("# HELP replywatch_source_polls_total Polls of platform APIs by result.\n"
	      "# TYPE replywatch_source_polls_total counter\n",
	      out);
	for (const struct poll_source *ps = p->sources; ps != NULL; ps = ps->next)
		for (int r = 0; r < RW_POLL_RESULT_COUNT; r++)
			fprintf(out,
				"replywatch_source_polls_total{source=\"%s\",result=\"%s\"} %llu\n",
				ps->name, rw_poll_result_name((enum rw_poll_result)r),
				ps->polls[r]);
	fputs("# HELP replywatch_source_items_rejected_total Entries of platform answers that "
	      "could not be used, by reason (each counted once).\n"
	      "# TYPE replywatch_source_items_rejected_total counter\n",
	      out);
	for (const struct poll_source *ps = p->sources; ps != NULL; ps = ps->next)
		for (size_t i = 0; i < ps->nreasons; i++) {
			fprintf(out,
				"replywatch_source_items_rejected_total{source=\"%s\",reason=\"",
				ps->name);
			put_label(out, ps->rejected[i].reason);
			fprintf(out, "\"} %llu\n", ps->rejected[i].n);
		}
	fputs("# HELP replywatch_source_event_write_failures_total source_down/source_up events "
	      "that could not be recorded (retried).\n"
	      "# TYPE replywatch_source_event_write_failures_total counter\n",
	      out);
	for (const struct poll_source *ps = p->sources; ps != NULL; ps = ps->next)
		fprintf(out, "replywatch_source_event_write_failures_total{source=\"%s\"} %llu\n",
			ps->name, ps->event_failures);
	fputs("# HELP replywatch_source_queued_reads_total Items webhooks queued by id, read "
	      "from the platform, by result (read, gone, failed, given_up).\n"
	      "# TYPE replywatch_source_queued_reads_total counter\n",
	      out);
	for (const struct poll_source *ps = p->sources; ps != NULL; ps = ps->next)
		for (int r = 0; ps->conn != NULL && ps->conn->queued != NULL && r < QUEUED_COUNT;
		     r++)
			fprintf(out,
				"replywatch_source_queued_reads_total{source=\"%s\",result=\"%s\"} "
				"%llu\n",
				ps->name, queued_names[r], ps->queued[r]);
	fputs("# HELP replywatch_source_rate_limit_remaining Calls left in the platform's "
	      "rate-limit window, per endpoint.\n"
	      "# TYPE replywatch_source_rate_limit_remaining gauge\n",
	      out);
	for (const struct poll_source *ps = p->sources; ps != NULL; ps = ps->next)
		for (size_t i = 0; i < ps->nlimits; i++)
			if (ps->limits[i].rl.remaining >= 0)
				fprintf(out,
					"replywatch_source_rate_limit_remaining{source=\"%s\","
					"endpoint=\"%s\"} %ld\n",
					ps->name, ps->limits[i].name, ps->limits[i].rl.remaining);
	fputs("# HELP replywatch_source_rate_limit_reset_timestamp_seconds When the platform's "
	      "rate-limit window resets, per endpoint.\n"
	      "# TYPE replywatch_source_rate_limit_reset_timestamp_seconds gauge\n",
	      out);
	for (const struct poll_source *ps = p->sources; ps != NULL; ps = ps->next)
		for (size_t i = 0; i < ps->nlimits; i++)
			if (ps->limits[i].rl.reset_at_ms > 0)
				fprintf(out,
					"replywatch_source_rate_limit_reset_timestamp_seconds{"
					"source=\"%s\",endpoint=\"%s\"} %.3f\n",
					ps->name, ps->limits[i].name,
					(double)ps->limits[i].rl.reset_at_ms / 1000.0);
	poller_delay_write_metrics(&p->delays, out);
}
