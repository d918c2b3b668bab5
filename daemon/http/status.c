/*
 * status.c: GET /status (JSON) and GET /metrics (Prometheus text 0.0.4),
 * both answered from the statistics snapshot: no Redis round trip, no scan.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/clock.h"
#include "replywatch/alerts.h"
#include "replywatch/api.h"
#include "replywatch/cluster.h"
#include "replywatch/config.h"
#include "replywatch/daemon.h"
#include "replywatch/hooks.h"
#include "replywatch/http.h"
#include "replywatch/mention.h"
#include "replywatch/poller.h"
#include "replywatch/stats.h"
#include "replywatch/store.h"

/* A polled source reports its poller's view; a push source has no poller
 * and is "ok" while enabled. */
static json_t *
source_json(struct rw_daemon *d, const struct rw_source_config *src)
{
	json_t *polled = rw_poller_source_json(rw_daemon_poller(d), src->name), *o;
	int64_t mentions, replies;

	rw_stats_source_seen(rw_daemon_stats(d), src->name, &mentions, &replies);
	o = json_pack("{s:s, s:s, s:s, s:n, s:n, s:n, s:I, s:n, s:n, s:I, s:I}", "name", src->name,
		      "type", rw_source_type_name(src->type), "state",
		      src->enabled ? "ok" : "disabled", "last_poll_at", "last_success_at",
		      "last_error", "consecutive_failures", (json_int_t)0, "next_poll_at",
		      "rate_limit", "mentions_seen", (json_int_t)mentions, "replies_seen",
		      (json_int_t)replies);
	/* Whether this daemon owns the source (polls it, raises its deadlines:
	 * cluster.h); the poller's view below says the same for polled ones. */
	if (o != NULL)
		json_object_set_new(o, "owner",
				    json_boolean(rw_cluster_owns(rw_daemon_cluster(d), src->name)));
	if (o != NULL && polled != NULL)
		json_object_update(o, polled);
	json_decref(polled);
	if (o != NULL && rw_hook_platform_for(src->type) != NULL) {
		json_t *hooks = rw_hooks_source_json(rw_daemon_hooks(d), src->name);

		json_object_set_new(o, "webhooks", hooks ? hooks : json_null());
	}
	return o;
}

/* The "redis" object: connectedness, the master in use and how it was
 * found, the replicas Sentinel reports, failovers and replication waits. */
static json_t *
redis_json(struct rw_store *st)
{
	struct rw_store_ha ha;
	json_t *o, *replicas = json_array();

	rw_store_get_ha(st, &ha);
	for (size_t i = 0; replicas != NULL && i < ha.nreplicas; i++)
		json_array_append_new(replicas, json_string(ha.replicas[i]));
	o = json_pack(
		"{s:b, s:s, s:s?, s:s?, s:o, s:o, s:o, s:I, s:b, s:I, s:I}", "connected",
		rw_store_connected(st), "mode", ha.sentinel ? "sentinel" : "url", "master",
		ha.master, "found_by", ha.found_by, "replicas",
		ha.sentinel && replicas ? replicas : json_null(), "connected_replicas",
		ha.connected_replicas >= 0 ? json_integer(ha.connected_replicas) : json_null(),
		"last_failover_at",
		ha.last_failover_ms ? rw_time_json(ha.last_failover_ms) : json_null(),
		"master_changes", (json_int_t)ha.master_changes, "replicated_acks", ha.replicated,
		"waits", (json_int_t)ha.waits, "waits_failed", (json_int_t)ha.waits_failed);
	if (!ha.sentinel)
		json_decref(replicas);
	return o;
}

static void
write_redis_metrics(struct rw_store *st, FILE *out)
{
	struct rw_store_ha ha;

	rw_store_get_ha(st, &ha);
	fprintf(out,
		"# HELP replywatch_redis_master_changes_total Times Sentinel named a new master.\n"
		"# TYPE replywatch_redis_master_changes_total counter\n"
		"replywatch_redis_master_changes_total %llu\n"
		"# HELP replywatch_redis_last_failover_timestamp_seconds When the master last "
		"changed (0: never).\n"
		"# TYPE replywatch_redis_last_failover_timestamp_seconds gauge\n"
		"replywatch_redis_last_failover_timestamp_seconds %.3f\n"
		"# HELP replywatch_redis_sentinel_lookups_failed_total Lookups no sentinel "
		"answered.\n"
		"# TYPE replywatch_redis_sentinel_lookups_failed_total counter\n"
		"replywatch_redis_sentinel_lookups_failed_total %llu\n"
		"# HELP replywatch_redis_replicas Replicas: as Sentinel reports them, and as "
		"connected to the master.\n"
		"# TYPE replywatch_redis_replicas gauge\n"
		"replywatch_redis_replicas{source=\"sentinel\"} %zu\n"
		"replywatch_redis_replicas{source=\"master\"} %d\n"
		"# HELP replywatch_redis_waits_total WAITs for a replica, by outcome.\n"
		"# TYPE replywatch_redis_waits_total counter\n"
		"replywatch_redis_waits_total{result=\"replicated\"} %llu\n"
		"replywatch_redis_waits_total{result=\"failed\"} %llu\n",
		ha.master_changes, (double)ha.last_failover_ms / 1000.0, ha.lookups_failed,
		ha.nreplicas, ha.connected_replicas < 0 ? 0 : ha.connected_replicas, ha.waits,
		ha.waits_failed);
}

static void
status(struct rw_http_request *req, void *arg)
{
	struct rw_daemon *d = arg;
	const struct rw_config *cfg = rw_daemon_config(d);
	int64_t now = rw_now_ms();
	json_t *sources = json_array(), *body;

	for (size_t i = 0; sources && i < cfg->nsources; i++)
		json_array_append_new(sources, source_json(d, &cfg->sources[i]));
	body = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "version", RW_VERSION,
			 "cluster", rw_cluster_status_json(rw_daemon_cluster(d)), "started_at",
			 rw_time_json(rw_daemon_started_at(d)), "now", rw_time_json(now), "redis",
			 redis_json(rw_daemon_store(d)), "sources", sources, "policies",
			 rw_stats_policies_json(rw_daemon_stats(d), now), "alerts",
			 rw_alerts_status_json(rw_daemon_alerts(d)));
	rw_http_respond_json(req, 200, body);
	json_decref(body);
}

static void
metrics(struct rw_http_request *req, void *arg)
{
	struct rw_daemon *d = arg;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (out == NULL) {
		rw_http_respond_error(req, 500, "out of memory");
		return;
	}
	rw_stats_write_metrics(rw_daemon_stats(d), out);
	rw_poller_write_metrics(rw_daemon_poller(d), out);
	rw_alerts_write_metrics(rw_daemon_alerts(d), out);
	rw_hooks_write_metrics(rw_daemon_hooks(d), out);
	rw_cluster_write_metrics(rw_daemon_cluster(d), out);
	write_redis_metrics(rw_daemon_store(d), out);
	fprintf(out,
		"# HELP replywatch_redis_connected Whether Redis is connected.\n"
		"# TYPE replywatch_redis_connected gauge\n"
		"replywatch_redis_connected %d\n"
		"# HELP replywatch_build_info The running version.\n"
		"# TYPE replywatch_build_info gauge\n"
		"replywatch_build_info{version=\"%s\"} 1\n",
		rw_store_connected(rw_daemon_store(d)) ? 1 : 0, RW_VERSION);
	if (fclose(out) != 0) {
		free(text);
		rw_http_respond_error(req, 500, "out of memory");
		return;
	}
	rw_http_respond(req, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
	free(text);
}

int
rw_api_status_routes(struct rw_http_server *srv, struct rw_daemon *d)
{
	if (rw_http_route(srv, "GET", "/status", 0, status, d) == -1 ||
	    rw_http_route(srv, "GET", "/metrics", 0, metrics, d) == -1)
		return -1;
	return 0;
}
