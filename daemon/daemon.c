/*
 * daemon.c: the running daemon — start-up order, reload, drain.
 *
 * A reload builds every new piece before it touches a running one: the new
 * configuration is loaded and validated, a new HTTP listener is bound when
 * the address changed, and only then is anything swapped. A failure at any
 * step leaves the daemon exactly as it was.
 */
#include <arpa/inet.h>
#include <ev.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/alerts.h"
#include "replywatch/api.h"
#include "replywatch/cluster.h"
#include "replywatch/config.h"
#include "replywatch/daemon.h"
#include "replywatch/deadline.h"
#include "replywatch/health.h"
#include "replywatch/hooks.h"
#include "replywatch/httpc.h"
#include "replywatch/http.h"
#include "replywatch/log.h"
#include "replywatch/mention.h"
#include "replywatch/notify.h"
#include "replywatch/policy.h"
#include "replywatch/poller.h"
#include "replywatch/stats.h"
#include "replywatch/store.h"
#include "replywatch/tracker.h"

#define RETIRE_CHECK_EVERY 0.1 /* seconds between checks on retired listeners */
#define DRAIN_CHECK_EVERY 0.02

/* A listener replaced by a reload, freed once its last request is answered. */
struct retired_http {
	struct rw_http_server *srv;
	struct retired_http *next;
};

/* A configuration replaced by a reload, freed once no operation that
 * started under it is still running (they borrow its sources and policies). */
struct retired_config {
	struct rw_config *cfg;
	struct rw_policy_set *ps;
	struct retired_config *next;
};

struct rw_daemon {
	struct ev_loop *loop;
	char *config_path;
	struct rw_config *cfg;
	struct rw_policy_set *ps;
	struct retired_config *retired_configs;
	struct rw_store *store;
	struct rw_tracker *tracker;
	struct rw_deadlines *deadlines;
	struct rw_stats *stats;
	struct rw_hooks *hooks; /* webhook counters (hooks.h) */
	struct rw_httpc *httpc; /* the one libcurl multi handle: pollers and alerts */
	struct rw_poller *poller;
	struct rw_alerts *alerts;
	struct rw_cluster *cluster; /* the sources shared with other daemons (cluster.h) */
	int64_t started_at;
	struct rw_http_server *http;
	struct retired_http *retired;
	struct rw_watchdog *watchdog;
	ev_timer retire_timer;
	ev_timer drain_timer;
	ev_tstamp drain_deadline;
	/* Layout upgrades after a connect (upgrade_all): the next source, how
	 * many are under way, whether the round ended. */
	size_t upgrade_next, upgrading;
	bool upgrade_done;
	bool stopping;
	bool test_clock; /* --test-clock: every listener serves POST /_test/clock */
};

static void on_drain_timer(struct ev_loop *loop, ev_timer *w, int revents);

static void
update_status(struct rw_daemon *d)
{
	char line[300];

	if (d->stopping)
		return;
	snprintf(line, sizeof(line), "redis %s (%s); %zu sources, %zu policies, %zu alert targets",
		 rw_store_connected(d->store) ? "connected" : "disconnected",
		 rw_store_address(d->store), d->cfg->nsources, d->cfg->npolicies, d->cfg->nalerts);
	rw_notify_status(line);
}

/* Layout upgrades in flight at once. All of them at once (one per source)
 * overflowed the store's in-flight cap with 10 000 sources and kept Redis
 * busy past the liveness ping, so the connection dropped again and again
 * (scripts/bench.sh scale). */
#define UPGRADES_IN_FLIGHT 32

static void upgrade_more(struct rw_daemon *d);

static void
upgraded(void *arg, int result, const char *detail)
{
	struct rw_daemon *d = arg;

	d->upgrading--;
	if (result != 0)
		log_warnx("mentions not moved to the current Redis layout (tried again on the "
			  "next connect): %s",
			  detail ? detail : "error");
	upgrade_more(d);
}

/* Sends the next upgrades while fewer than UPGRADES_IN_FLIGHT are under way;
 * once every source is done, reads the deadlines again (moved mentions
 * bring theirs). A reload meanwhile goes on with the new sources from the
 * same index: one missed is moved at the next connect. */
static void
upgrade_more(struct rw_daemon *d)
{
	while (d->upgrading < UPGRADES_IN_FLIGHT && d->upgrade_next < d->cfg->nsources) {
		const struct rw_source_config *src = &d->cfg->sources[d->upgrade_next++];

		if (rw_tracker_upgrade(d->tracker, src, upgraded, d) == -1) {
			log_warnx("%s: mentions not moved to the current Redis layout: redis "
				  "unavailable",
				  src->name);
			continue;
		}
		d->upgrading++;
	}
	if (d->upgrading == 0 && d->upgrade_next >= d->cfg->nsources && !d->upgrade_done) {
		d->upgrade_done = true;
		rw_deadlines_refresh(d->deadlines);
	}
}

/* Mentions an older replywatchd wrote move to the current layout. */
static void
upgrade_all(struct rw_daemon *d)
{
	d->upgrade_next = 0;
	d->upgrade_done = false;
	upgrade_more(d);
}

static void
on_store_state(struct rw_store *st, bool connected, void *arg)
{
	struct rw_daemon *d = arg;

	(void)st;
	rw_cluster_note_store(d->cluster, connected);
	/* Deadlines may have been written meanwhile (another daemon, or before
	 * a restart of ours): read them again. */
	if (connected) {
		upgrade_all(d);
		rw_deadlines_refresh(d->deadlines);
		rw_stats_refresh(d->stats);
	}
	update_status(d);
}

/* Binds a listener for cfg with every route. NULL with err on failure. */
static struct rw_http_server *
http_start(struct rw_daemon *d, const struct rw_config *cfg, char *err, size_t errlen)
{
	struct rw_http_options opt = {
		.addr = (const struct sockaddr *)&cfg->http.addr,
		.addrlen = cfg->http.addrlen,
		.max_body = cfg->http.max_body,
	};
	struct rw_http_server *srv = rw_http_server_new(d->loop, &opt, err, errlen);

	if (srv == NULL)
		return NULL;
	if (rw_health_routes(srv, d) == -1 || rw_api_ingest_routes(srv, d) == -1 ||
	    rw_api_mention_routes(srv, d) == -1 || rw_api_event_routes(srv, d) == -1 ||
	    rw_api_status_routes(srv, d) == -1 || rw_api_dashboard_routes(srv, d) == -1 ||
	    rw_api_hook_routes(srv, d) == -1 ||
	    (d->test_clock && rw_api_test_clock_routes(srv, d) == -1)) {
		snprintf(err, errlen, "out of memory adding routes");
		rw_http_server_free(srv);
		return NULL;
	}
	rw_http_set_token(srv, cfg->http.token);
	return srv;
}

static void
free_retired_configs(struct rw_daemon *d)
{
	while (d->retired_configs != NULL) {
		struct retired_config *rc = d->retired_configs;

		d->retired_configs = rc->next;
		rw_policy_set_free(rc->ps);
		rw_config_free(rc->cfg);
		free(rc);
	}
}

static void
on_retire_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct rw_daemon *d = w->data;
	struct retired_http **p = &d->retired;

	(void)revents;
	if (rw_tracker_pending(d->tracker) == 0 && rw_http_server_pending(d->http) == 0) {
		free_retired_configs(d);
	}
	while (*p != NULL) {
		struct retired_http *r = *p;

		if (rw_http_server_pending(r->srv) == 0) {
			*p = r->next;
			rw_http_server_free(r->srv);
			free(r);
		} else {
			p = &r->next;
		}
	}
	if (d->retired == NULL && d->retired_configs == NULL)
		ev_timer_stop(loop, w);
}

static int
retire_http(struct rw_daemon *d, struct rw_http_server *srv)
{
	struct retired_http *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return -1;
	rw_http_server_quiesce(srv);
	r->srv = srv;
	r->next = d->retired;
	d->retired = r;
	ev_timer_again(d->loop, &d->retire_timer);
	return 0;
}

/* The HTTP listener's port, for the default instance id. */
static int
listen_port(const struct rw_config *cfg)
{
	const struct sockaddr *sa = (const struct sockaddr *)&cfg->http.addr;

	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return 0;
}

/* The cluster member of this daemon: cluster.instance_id, else
 * "HOSTNAME-PORT". NULL on allocation failure. */
static struct rw_cluster *
cluster_start(struct rw_daemon *d, const struct rw_config *cfg)
{
	char id[RW_CLUSTER_ID_MAX + 1];
	const char *instance = cfg->cluster.instance_id;

	if (instance == NULL)
		instance = rw_cluster_default_id(listen_port(cfg), id, sizeof(id));
	log_info("cluster: instance id %s", instance);
	return rw_cluster_new(d->loop, d->store, instance);
}

struct rw_daemon *
rw_daemon_start(struct ev_loop *loop, const char *config_path, struct rw_config *cfg,
		unsigned flags, char *err, size_t errlen)
{
	struct rw_daemon *d = calloc(1, sizeof(*d));

	if (d == NULL || (d->config_path = strdup(config_path)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	d->loop = loop;
	d->cfg = cfg;
	d->test_clock = (flags & RW_DAEMON_TEST_CLOCK) != 0;
	if (d->test_clock)
		log_warnx(
			"test clock on: POST /_test/clock moves this daemon's clock (tests only)");
	ev_timer_init(&d->retire_timer, on_retire_timer, 0., RETIRE_CHECK_EVERY);
	ev_timer_init(&d->drain_timer, on_drain_timer, 0., DRAIN_CHECK_EVERY);
	d->retire_timer.data = d->drain_timer.data = d;
	d->store = rw_store_new(loop, &cfg->redis);
	if (d->store == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	d->ps = rw_policy_set_new(cfg, err, errlen);
	if (d->ps == NULL)
		goto fail;
	d->tracker = rw_tracker_new(d->store);
	d->deadlines = d->tracker ? rw_deadlines_new(loop, d->store, d->tracker) : NULL;
	d->stats = rw_stats_new(loop, d->store);
	d->hooks = rw_hooks_new();
	d->httpc = rw_httpc_new(loop, "replywatch/" RW_VERSION);
	d->poller =
		d->tracker && d->httpc ? rw_poller_new(loop, d->store, d->tracker, d->httpc) : NULL;
	d->alerts = d->httpc ? rw_alerts_new(loop, d->store, d->httpc) : NULL;
	d->cluster = cluster_start(d, cfg);
	if (d->deadlines == NULL || d->stats == NULL || d->hooks == NULL || d->poller == NULL ||
	    d->alerts == NULL || d->cluster == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	/* Polls and deadlines follow ownership (before the store connects:
	 * the first gains come right after). */
	rw_poller_set_cluster(d->poller, d->cluster);
	rw_deadlines_set_cluster(d->deadlines, d->cluster);
	rw_tracker_use(d->tracker, cfg, d->ps);
	rw_tracker_set_due_fn(d->tracker, rw_deadlines_note, d->deadlines);
	rw_tracker_set_events_fn(d->tracker, rw_alerts_note_events, d->alerts);
	rw_alerts_set_cluster(d->alerts, d->cluster);
	rw_deadlines_use(d->deadlines, cfg);
	rw_stats_use(d->stats, cfg);
	d->started_at = rw_now_ms();
	rw_store_set_state_fn(d->store, on_store_state, d);
	d->http = http_start(d, cfg, err, errlen);
	if (d->http == NULL)
		goto fail;
	rw_cluster_use(d->cluster, cfg);
	rw_store_start(d->store);
	rw_poller_use(d->poller, cfg);
	rw_alerts_use(d->alerts, cfg, d->ps);
	d->watchdog = rw_watchdog_start(loop);
	log_info("replywatchd %s started: %zu sources, %zu policies, %zu alert targets, redis %s",
		 RW_VERSION, cfg->nsources, cfg->npolicies, cfg->nalerts,
		 rw_store_address(d->store));
	rw_notify_ready("started; connecting to redis");
	update_status(d);
	return d;
fail:
	if (d != NULL) {
		d->cfg = NULL; /* still the caller's */
		rw_daemon_free(d);
	}
	return NULL;
}

static void
rematched(void *arg, int result, const char *detail)
{
	(void)arg;
	if (result != 0)
		log_warnx("open mentions not re-matched to the new policies: %s",
			  detail ? detail : "error");
}

/* Open mentions follow the new policies and calendars. Mentions whose
 * schedule does not change are not written. */
static void
rematch_all(struct rw_daemon *d)
{
	/* Each source's owner re-matches it (every daemon is reloaded with the
	 * same file): one pass over its mentions, not one per daemon. */
	for (size_t i = 0; i < d->cfg->nsources; i++)
		if (rw_cluster_owns(d->cluster, d->cfg->sources[i].name) &&
		    rw_tracker_rematch(d->tracker, &d->cfg->sources[i], rematched, d) == -1)
			log_warnx("%s: open mentions not re-matched: redis unavailable",
				  d->cfg->sources[i].name);
}

static bool
same_listen(const struct rw_config *a, const struct rw_config *b)
{
	return a->http.addrlen == b->http.addrlen &&
	       memcmp(&a->http.addr, &b->http.addr, a->http.addrlen) == 0;
}

static bool
same_string(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
reload_failed(const char *why)
{
	char line[300];

	log_err("reload rejected, still running the previous configuration: %s", why);
	snprintf(line, sizeof(line), "reload rejected (%s); running the previous configuration",
		 why);
	rw_notify_ready(line);
}

int
rw_daemon_reload(struct rw_daemon *d)
{
	struct rw_config_errors errs = {0};
	struct rw_config *next;
	struct rw_http_server *new_http = NULL;
	struct rw_policy_set *next_ps;
	struct retired_config *retired;
	char err[300], why[64];

	if (d->stopping)
		return -1;
	rw_notify_reloading();
	log_info("reloading %s", d->config_path);
	next = rw_config_load_file(d->config_path, &errs);
	if (next == NULL) {
		for (size_t i = 0; i < errs.n; i++)
			log_err("%s", errs.lines[i]);
		snprintf(why, sizeof(why), "%zu configuration error%s", errs.n,
			 errs.n == 1 ? "" : "s");
		rw_config_errors_clear(&errs);
		reload_failed(why);
		return -1;
	}
	next_ps = rw_policy_set_new(next, err, sizeof(err));
	if (next_ps == NULL) {
		log_err("%s", err);
		rw_config_free(next);
		reload_failed("policies could not be built");
		return -1;
	}
	if (!same_listen(d->cfg, next)) {
		new_http = http_start(d, next, err, sizeof(err));
		if (new_http == NULL) {
			log_err("http: %s", err);
			rw_policy_set_free(next_ps);
			rw_config_free(next);
			reload_failed("cannot bind the new http.listen");
			return -1;
		}
	}
	retired = calloc(1, sizeof(*retired));
	if (retired == NULL || rw_store_reconfigure(d->store, &next->redis) == -1) {
		free(retired);
		rw_http_server_free(new_http);
		rw_policy_set_free(next_ps);
		rw_config_free(next);
		reload_failed("out of memory");
		return -1;
	}
	/* Nothing below can fail: the swap. */
	if (new_http != NULL) {
		if (retire_http(d, d->http) == -1)
			rw_http_server_free(d->http);
		d->http = new_http;
	}
	rw_http_set_token(d->http, next->http.token);
	rw_http_set_max_body(d->http, next->http.max_body);
	log_set_level(next->log_level);
	retired->cfg = d->cfg;
	retired->ps = d->ps;
	retired->next = d->retired_configs;
	d->retired_configs = retired;
	ev_timer_again(d->loop, &d->retire_timer);
	d->cfg = next;
	d->ps = next_ps;
	rw_tracker_use(d->tracker, next, next_ps);
	rw_deadlines_use(d->deadlines, next);
	rw_stats_use(d->stats, next);
	rw_cluster_use(d->cluster, next);
	if (!same_string(next->cluster.instance_id, retired->cfg->cluster.instance_id))
		log_warnx("cluster.instance_id changed: still %s until the next restart",
			  rw_cluster_instance(d->cluster));
	rw_poller_use(d->poller, next);
	rw_alerts_use(d->alerts, next, next_ps);
	rematch_all(d);
	log_info("configuration reloaded: %zu sources, %zu policies, %zu alert targets",
		 next->nsources, next->npolicies, next->nalerts);
	rw_notify_ready("configuration reloaded");
	update_status(d);
	return 0;
}

static bool
drained(const struct rw_daemon *d)
{
	return rw_http_server_pending(d->http) == 0 && rw_store_in_flight(d->store) == 0 &&
	       rw_tracker_pending(d->tracker) == 0 && rw_alerts_pending(d->alerts) == 0 &&
	       rw_cluster_pending(d->cluster) == 0;
}

static void
on_drain_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct rw_daemon *d = w->data;

	(void)revents;
	if (drained(d)) {
		log_info("drained; exiting");
	} else if (ev_now(loop) >= d->drain_deadline) {
		log_warnx("drain timed out after %.1f s: %zu http requests, %zu redis commands "
			  "unfinished",
			  RW_DRAIN_SECONDS, rw_http_server_pending(d->http),
			  rw_store_in_flight(d->store));
	} else {
		return;
	}
	ev_timer_stop(loop, w);
	ev_break(loop, EVBREAK_ALL);
}

void
rw_daemon_shutdown(struct rw_daemon *d)
{
	if (d->stopping)
		return;
	d->stopping = true;
	rw_notify_stopping();
	log_info("stopping: no new connections, draining in-flight work");
	rw_http_server_quiesce(d->http);
	rw_poller_stop(d->poller);
	rw_alerts_stop(d->alerts);
	/* Leases released and membership left now: the others take over at
	 * their next heartbeat instead of waiting for the leases to lapse. */
	rw_cluster_stop(d->cluster);
	d->drain_deadline = ev_now(d->loop) + RW_DRAIN_SECONDS;
	ev_timer_again(d->loop, &d->drain_timer);
}

bool
rw_daemon_stopping(const struct rw_daemon *d)
{
	return d->stopping;
}

bool
rw_daemon_ready(const struct rw_daemon *d, char *reason, size_t len)
{
	if (d->stopping) {
		snprintf(reason, len, "shutting down");
		return false;
	}
	if (d->cfg == NULL) {
		snprintf(reason, len, "no configuration loaded");
		return false;
	}
	if (!rw_store_connected(d->store)) {
		snprintf(reason, len, "redis %s: %s", rw_store_address(d->store),
			 rw_store_last_error(d->store));
		return false;
	}
	return true;
}

const struct rw_config *
rw_daemon_config(const struct rw_daemon *d)
{
	return d->cfg;
}

struct rw_store *
rw_daemon_store(const struct rw_daemon *d)
{
	return d->store;
}

struct rw_alerts *
rw_daemon_alerts(const struct rw_daemon *d)
{
	return d->alerts;
}

struct rw_poller *
rw_daemon_poller(const struct rw_daemon *d)
{
	return d->poller;
}

struct rw_stats *
rw_daemon_stats(const struct rw_daemon *d)
{
	return d->stats;
}

struct rw_hooks *
rw_daemon_hooks(const struct rw_daemon *d)
{
	return d->hooks;
}

int64_t
rw_daemon_started_at(const struct rw_daemon *d)
{
	return d->started_at;
}

struct rw_tracker *
rw_daemon_tracker(const struct rw_daemon *d)
{
	return d->tracker;
}

struct rw_cluster *
rw_daemon_cluster(const struct rw_daemon *d)
{
	return d->cluster;
}

void
rw_daemon_free(struct rw_daemon *d)
{
	if (d == NULL)
		return;
	ev_timer_stop(d->loop, &d->drain_timer);
	ev_timer_stop(d->loop, &d->retire_timer);
	rw_watchdog_free(d->watchdog);
	/* The store first: its pending callbacks (run now with NULL replies)
	 * reach the tracker, the poller, the deadline engine and HTTP requests.
	 * The poller then only ends what is under way: no new Redis commands. */
	rw_poller_detach(d->poller);
	rw_alerts_detach(d->alerts);
	rw_store_free(d->store);
	rw_cluster_free(d->cluster); /* after the store: its last callbacks reach it */
	/* Then the HTTP client: its requests under way end now, in the poller
	 * and the alert engine, which are freed after. */
	rw_httpc_free(d->httpc);
	rw_poller_free(d->poller);
	rw_alerts_free(d->alerts);
	rw_deadlines_free(d->deadlines);
	rw_stats_free(d->stats);
	rw_http_server_free(d->http);
	while (d->retired != NULL) {
		struct retired_http *r = d->retired;

		d->retired = r->next;
		rw_http_server_free(r->srv);
		free(r);
	}
	rw_hooks_free(d->hooks); /* after the servers: their last answers may count */
	rw_tracker_free(d->tracker);
	free_retired_configs(d);
	rw_policy_set_free(d->ps);
	rw_config_free(d->cfg);
	free(d->config_path);
	free(d);
}
