/*
 * cluster_report.c: the cluster's part of /status and /metrics.
 */
#include <string.h>

#include "cluster_internal.h"

static const char *
role_name(enum rw_cluster_role role)
{
	switch (role) {
	case RW_CLUSTER_OWNER:
		return "owner";
	case RW_CLUSTER_STANDBY:
		return "standby";
	default:
		return "none";
	}
}

static size_t
owned_count(const struct rw_cluster *c, int64_t now)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nlist; i++)
		n += cl_owner_now(c, c->list[i], now);
	return n;
}

static json_t *
members_json(const struct rw_cluster *c, int64_t now)
{
	json_t *arr = json_array();
	/* Ages on Redis's clock, moved on by the time since they were read. */
	int64_t since = c->members_read_mono ? now - c->members_read_mono : 0;

	for (size_t i = 0; arr && i < c->nmembers; i++) {
		const struct cl_member *m = &c->members[i];
		int64_t age = c->members_now_ms ? c->members_now_ms - m->beat_ms + since : 0;

		json_array_append_new(arr, json_pack("{s:s, s:I, s:b}", "id", m->id,
						     "heartbeat_age_ms", (json_int_t)age, "self",
						     strcmp(m->id, c->id) == 0));
	}
	return arr;
}

static json_t *
source_json(const struct rw_cluster *c, const struct cl_source *s, int64_t now)
{
	bool owner = cl_owner_now(c, s, now);
	json_t *o = json_pack("{s:s, s:s, s:s?}", "name", s->name, "role",
			      role_name(rw_cluster_role(c, s->name)), "owner",
			      owner ? c->id : (s->holder[0] ? s->holder : NULL));

	if (o != NULL && owner) {
		json_object_set_new(o, "lease_age_ms", json_integer(now - s->sent_ms));
		json_object_set_new(o, "owned_for_ms", json_integer(now - s->gained_ms));
		json_object_set_new(o, "fence", json_string(s->token));
	}
	return o;
}

json_t *
rw_cluster_status_json(const struct rw_cluster *c)
{
	int64_t now = cl_mono_ms();
	json_t *sources = json_array();

	/* Others' leases are read (peeked) only while someone looks: noting the
	 * look is bookkeeping, not a change of the cluster's state. */
	((struct rw_cluster *)c)->status_read_mono = now;
	for (size_t i = 0; sources && i < c->nlist; i++)
		json_array_append_new(sources, source_json(c, c->list[i], now));
	return json_pack(
		"{s:s, s:s, s:o, s:I, s:o, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I}}", "instance",
		c->id, "epoch", c->epoch, "members", members_json(c, now), "owned",
		(json_int_t)owned_count(c, now), "sources", sources ? sources : json_null(),
		"counters", "acquires", (json_int_t)c->acquires, "losses", (json_int_t)c->losses,
		"fenced", (json_int_t)c->fenced, "renew_failures", (json_int_t)c->renew_failures,
		"releases", (json_int_t)c->releases, "heartbeats_failed",
		(json_int_t)c->beats_failed, "restart_takeovers", (json_int_t)c->takeovers);
}

void
rw_cluster_write_metrics(const struct rw_cluster *c, FILE *out)
{
	int64_t now = cl_mono_ms();

	fprintf(out,
		"# HELP replywatch_cluster_members Live daemons sharing the sources, as this one "
		"last read them.\n"
		"# TYPE replywatch_cluster_members gauge\n"
		"replywatch_cluster_members %zu\n"
		"# HELP replywatch_cluster_owned_sources Sources whose lease this daemon holds.\n"
		"# TYPE replywatch_cluster_owned_sources gauge\n"
		"replywatch_cluster_owned_sources %zu\n"
		"# HELP replywatch_cluster_lease_acquires_total Leases taken.\n"
		"# TYPE replywatch_cluster_lease_acquires_total counter\n"
		"replywatch_cluster_lease_acquires_total %llu\n"
		"# HELP replywatch_cluster_lease_losses_total Leases given up, taken by another "
		"daemon or past the fence time.\n"
		"# TYPE replywatch_cluster_lease_losses_total counter\n"
		"replywatch_cluster_lease_losses_total %llu\n"
		"# HELP replywatch_cluster_lease_renew_failures_total Renewals refused or "
		"unanswered.\n"
		"# TYPE replywatch_cluster_lease_renew_failures_total counter\n"
		"replywatch_cluster_lease_renew_failures_total %llu\n"
		"# HELP replywatch_cluster_fenced_total Leases dropped because no renewal was "
		"confirmed within the fence time.\n"
		"# TYPE replywatch_cluster_fenced_total counter\n"
		"replywatch_cluster_fenced_total %llu\n",
		c->nmembers, owned_count(c, now), c->acquires, c->losses, c->renew_failures,
		c->fenced);
}
