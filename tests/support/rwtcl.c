/*
 * rwtcl.c: the topology of the high-availability proof and its faults (see
 * rwtcl.h). The pusher is in rwtcl_push.c, the checks in rwtcl_audit.c.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "replywatch/clock.h"
#include "replywatch/cluster.h"
#include "rwtcl.h"

static const char *const fault_names[RWT_CL_FAULTS] = {
	"kill -9 Redis master",
	"SIGSTOP Redis master (split brain)",
	"kill -9 source owner",
	"SIGSTOP source owner past its lease",
};

const char *
rwt_cl_fault_name(enum rwt_cl_fault f)
{
	return f < RWT_CL_FAULTS ? fault_names[f] : "?";
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
rwt_cl_run_for(double seconds)
{
	double until = now_s() + seconds;

	while (now_s() < until)
		usleep(50000);
}

/* Appends a line to cl->notes (and counts a failed outcome when failed). */
static void __attribute__((format(printf, 3, 4)))
note(struct rwt_cl *cl, bool failed, const char *fmt, ...)
{
	size_t used = strlen(cl->notes);
	va_list ap;

	if (failed)
		cl->fault_failures++;
	if (used + 2 >= sizeof(cl->notes))
		return;
	va_start(ap, fmt);
	vsnprintf(cl->notes + used, sizeof(cl->notes) - used - 1, fmt, ap);
	va_end(ap);
	used = strlen(cl->notes);
	cl->notes[used] = '\n';
	cl->notes[used + 1] = '\0';
}

/* Prints a progress line of the run with its time since start-up. */
static void __attribute__((format(printf, 2, 3))) say(const struct rwt_cl *cl, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ha: %7.1f s  ", (double)(rw_now_ms() - cl->ready_ms) / 1000.0);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The configuration of daemon i. Sentinel, the instance id, four sources,
 * one policy with short times and the receiver for every mention event. */
static char *
daemon_config(struct rwt_cl *cl, size_t i, int port)
{
	char *members = rwt_ha_redis_members(&cl->ha, NULL), *text, *path, name[32];
	const char *f = cl->fake.base;

	cr_assert(
		asprintf(
			&text,
			"{\n"
			"  \"log_level\": \"info\",\n"
			"  \"redis\": { %s, \"key_prefix\": \"" RWT_CL_PREFIX "\" },\n"
			"  \"http\": { \"listen\": \"127.0.0.1:%d\" },\n"
			"  \"cluster\": { \"instance_id\": \"%s\" },\n"
			"  \"retention\": { \"backfill\": \"1h\" },\n"
			"  \"policies\": [ { \"name\": \"fast\", \"warn_after\": \"%ds\", "
			"\"breach_after\": \"%ds\" } ],\n"
			"  \"sources\": [\n"
			"    { \"name\": \"masto\", \"type\": \"mastodon\", \"base_url\": \"%s\",\n"
			"      \"token\": \"mastodon-test-token\", \"poll_every\": \"1s\",\n"
			"      \"automated_reply_patterns\": [\"Thanks for reaching out\"] },\n"
			"    { \"name\": \"x\", \"type\": \"x\", \"base_url\": \"%s\", "
			"\"user_id\": \"2244994945\",\n"
			"      \"token\": \"x-test-token\", \"poll_every\": \"1s\",\n"
			"      \"automated_reply_patterns\": [\"Thanks for reaching out\"] },\n"
			"    { \"name\": \"bsky\", \"type\": \"bluesky\", \"base_url\": \"%s\",\n"
			"      \"identifier\": \"acme.bsky.social\", "
			"\"app_password\": \"app-pass-1234\",\n"
			"      \"poll_every\": \"1s\",\n"
			"      \"automated_reply_patterns\": [\"Thanks for reaching out\"] },\n"
			"    { \"name\": \"push\", \"type\": \"push\", \"token\": \"push-token\" "
			"}\n"
			"  ],\n"
			"  \"alerts\": [ { \"name\": \"ha\", \"format\": \"json\", "
			"\"url\": \"%s/hook/ha\",\n"
			"    \"events\": [\"warning\", \"breach\", \"resolved\"], "
			"\"timeout\": \"2s\", \"group_window\": \"1s\" } ]\n"
			"}\n",
			members, port, cl->id[i], RWT_CL_WARN_S, RWT_CL_BREACH_S, f, f, f, f) > 0);
	snprintf(name, sizeof(name), "replywatch-%zu.json", i);
	path = rwt_write_file(cl->dir, name, text);
	free(text);
	free(members);
	return path;
}

/* With RW_HA_MIN_REPLICAS=1, node i gets the settings docs/high-availability.md
 * asks for against a split brain (min-replicas-to-write 1, min-replicas-max-lag
 * 10): a master cut off from its replicas refuses writes instead of taking
 * writes that its demotion discards. Without it (the default, and the harder
 * case) the old master takes writes until Sentinel demotes it. */
static void
node_settings(struct rwt_cl *cl, size_t i)
{
	const char *v = getenv("RW_HA_MIN_REPLICAS");
	redisContext *c;
	redisReply *r;

	if (v == NULL || strcmp(v, "1") != 0)
		return;
	c = rwt_ha_connect(cl->ha.nodes[i].port);
	cr_assert_not_null(c);
	r = redisCommand(c, "CONFIG SET min-replicas-to-write 1");
	cr_assert(r != NULL && r->type == REDIS_REPLY_STATUS);
	freeReplyObject(r);
	r = redisCommand(c, "CONFIG SET min-replicas-max-lag 10");
	cr_assert(r != NULL && r->type == REDIS_REPLY_STATUS);
	freeReplyObject(r);
	redisFree(c);
	cl->min_replicas = true;
}

static void
daemon_start(struct rwt_cl *cl, size_t i)
{
	struct rwt_daemon *d = &cl->d[i];

	rwt_daemon_start(d, cl->config[i], d->http_port, NULL);
	rwt_daemon_wait_ready(d, 20.0);
	atomic_store(&cl->up[i], true);
}

void
rwt_cl_start(struct rwt_cl *cl, int rate, uint64_t seed)
{
	char rate_s[16], seed_s[24];
	char *fake_args[] = {"--simulate", "--rate",    rate_s, "--seed",
			     seed_s,       "--history", "0",    NULL};
	static const char *const platforms[] = {"mastodon", "x", "bluesky"};

	memset(cl, 0, sizeof(*cl));
	snprintf(rate_s, sizeof(rate_s), "%d", rate);
	snprintf(seed_s, sizeof(seed_s), "%llu", (unsigned long long)seed);
	cl->dir = rwt_tmpdir_new();
	rwt_ha_start(&cl->ha, 2);
	for (size_t i = 0; i < cl->ha.nnodes; i++)
		node_settings(cl, i);
	rwt_fake_start(&cl->fake, fake_args);
	for (size_t p = 0; p < sizeof(platforms) / sizeof(platforms[0]); p++)
		rwt_fake_unlimit(&cl->fake, platforms[p]);
	for (size_t i = 0; i < RWT_CL_DAEMONS; i++) {
		int port = rwt_free_port();
		char *path;

		snprintf(cl->id[i], sizeof(cl->id[i]), "ha-%zu", i);
		path = daemon_config(cl, i, port);
		cl->config[i] = path;
		rwt_daemon_start(&cl->d[i], path, port, NULL);
	}
	for (size_t i = 0; i < RWT_CL_DAEMONS; i++) {
		rwt_daemon_wait_ready(&cl->d[i], 20.0);
		atomic_store(&cl->up[i], true);
	}
	cl->ready_ms = rw_now_ms();
	say(cl,
	    "3 redis-server (master :%d), 3 sentinels, 3 replywatchd (:%d :%d :%d), rwfake "
	    "%s at %d/min, %s, work dir %s",
	    cl->ha.nodes[0].port, cl->d[0].http_port, cl->d[1].http_port, cl->d[2].http_port,
	    cl->fake.base, rate,
	    cl->min_replicas ? "min-replicas-to-write 1" : "no min-replicas-to-write", cl->dir);
}

void
rwt_cl_destroy(struct rwt_cl *cl)
{
	const char *keep = getenv("RW_HA_KEEP");

	if (cl->dir == NULL)
		return;
	rwt_cl_push_free(cl);
	for (size_t i = 0; i < RWT_CL_DAEMONS; i++) {
		if (cl->d[i].pid > 0) {
			kill(cl->d[i].pid, SIGCONT);
			rwt_daemon_stop_clean(&cl->d[i]);
		}
		rwt_daemon_cleanup(&cl->d[i]);
		free(cl->config[i]);
		cl->config[i] = NULL;
	}
	rwt_ha_destroy(&cl->ha);
	if (cl->fake.pid > 0)
		rwt_fake_stop(&cl->fake);
	/* Kept on failure, for the daemons' logs. */
	if (cl->fault_failures == 0 && cl->audit_ok && (keep == NULL || *keep == '\0'))
		rwt_tmpdir_remove(cl->dir);
	else {
		fprintf(stderr, "ha: logs kept in %s\n", cl->dir);
		free(cl->dir);
	}
	cl->dir = NULL;
}

/* ---- who owns a source ------------------------------------------------ */

/* The daemon whose instance id is text ("ID" or "ID:EPOCH"), or -1. */
static int
daemon_of_instance(const struct rwt_cl *cl, const char *text)
{
	size_t n;

	if (text == NULL)
		return -1;
	n = strcspn(text, ":");
	for (size_t i = 0; i < RWT_CL_DAEMONS; i++)
		if (strlen(cl->id[i]) == n && strncmp(cl->id[i], text, n) == 0)
			return (int)i;
	return -1;
}

/* What one source entry of /status "cluster" says: "self" when this daemon
 * owns it, else the owner's instance id (borrowed), or NULL. */
static const char *
entry_owner(json_t *e)
{
	const char *role;

	if (json_is_string(e))
		return json_string_value(e);
	if (json_is_true(json_object_get(e, "owned")))
		return "self";
	role = json_string_value(json_object_get(e, "role"));
	if (role != NULL && strcmp(role, "owner") == 0)
		return "self";
	return json_string_value(json_object_get(e, "owner"));
}

/* The owner of source according to /status "cluster" of one daemon: the
 * sources as an object keyed by name or an array of objects with "source"
 * or "name". */
static const char *
status_owner(json_t *cluster, const char *source)
{
	json_t *sources = json_object_get(cluster, "sources"), *e;
	size_t k;

	if (json_is_object(sources))
		return entry_owner(json_object_get(sources, source));
	json_array_foreach(sources, k, e)
	{
		const char *name = json_string_value(json_object_get(e, "source"));

		if (name == NULL)
			name = json_string_value(json_object_get(e, "name"));
		if (name != NULL && strcmp(name, source) == 0)
			return entry_owner(e);
	}
	return NULL;
}

int
rwt_cl_owner(struct rwt_cl *cl, const char *source, int except)
{
	int named = -1;

	for (size_t i = 0; i < RWT_CL_DAEMONS; i++) {
		json_t *st;
		const char *owner;

		if ((int)i == except || !atomic_load(&cl->up[i]))
			continue;
		st = rwt_get_json(cl->d[i].http_port, "/status", NULL);
		owner = status_owner(json_object_get(st, "cluster"), source);
		if (owner != NULL && strcmp(owner, "self") == 0) {
			json_decref(st);
			return (int)i;
		}
		if (named < 0 && owner != NULL)
			named = daemon_of_instance(cl, owner);
		json_decref(st);
	}
	return named == except ? -1 : named;
}

/* ---- faults ------------------------------------------------------------ */

/* Keeps the longest recovery of fault f, which began at t0. */
static void
record(struct rwt_cl *cl, enum rwt_cl_fault f, double t0)
{
	double s = now_s() - t0;

	if (s > cl->worst_s[f])
		cl->worst_s[f] = s;
}

struct takeover {
	struct rwt_cl *cl;
	const char *source;
	int from;
	int to;
};

static bool
taken_over(void *arg)
{
	struct takeover *t = arg;

	t->to = rwt_cl_owner(t->cl, t->source, t->from);
	return t->to >= 0;
}

/* Waits until a daemon other than from owns source; notes a failure. */
static void
wait_takeover(struct rwt_cl *cl, enum rwt_cl_fault f, const char *source, int from, double t0)
{
	struct takeover t = {cl, source, from, -1};
	double limit = (RW_CLUSTER_LEASE_MS + 2 * RW_CLUSTER_RENEW_MS) / 1000.0 + 5.0;

	if (!rwt_wait_until(taken_over, &t, limit)) {
		note(cl, true, "%s: no daemon took %s over from %s within %.0f s",
		     rwt_cl_fault_name(f), source, cl->id[from], limit);
		return;
	}
	record(cl, f, t0);
	say(cl, "%s took %s over after %.1f s", cl->id[t.to], source, now_s() - t0);
}

/* The node index of the master the sentinels name (failing the test when
 * there is none). */
static size_t
master_node(struct rwt_cl *cl)
{
	int port = rwt_ha_master_port(&cl->ha);
	int i = rwt_ha_node_of_port(&cl->ha, port);

	cr_assert(i >= 0 && cl->ha.nodes[i].pid > 0, "the sentinels name no live master (%d)",
		  port);
	return (size_t)i;
}

struct demoted {
	const struct rwt_ha *ha;
	size_t i;
};

static bool
is_demoted(void *arg)
{
	struct demoted *d = arg;

	return rwt_ha_is_replica(d->ha, d->i);
}

static void
kill_master(struct rwt_cl *cl)
{
	size_t i = master_node(cl);
	int old = cl->ha.nodes[i].port, port;
	double t0 = now_s();

	say(cl, "kill -9 the Redis master :%d", old);
	rwt_ha_signal_node(&cl->ha, i, SIGKILL);
	port = rwt_ha_wait_new_master(&cl->ha, old, 20.0);
	record(cl, RWT_CL_KILL_MASTER, t0);
	say(cl, "sentinels promoted :%d after %.1f s; restarting :%d as its replica", port,
	    now_s() - t0, old);
	rwt_ha_restart_node(&cl->ha, i, port);
	rwt_ha_wait_replica(&cl->ha, i, 30.0);
	node_settings(cl, i);
	/* The next fault needs a replica the sentinels can promote. */
	rwt_ha_wait_sentinels_see_replicas(&cl->ha, cl->ha.nnodes - 1, 30.0);
}

static void
stop_master(struct rwt_cl *cl)
{
	size_t i = master_node(cl);
	int old = cl->ha.nodes[i].port, port;
	double t0 = now_s();
	struct demoted dm = {&cl->ha, i};

	say(cl, "SIGSTOP the Redis master :%d", old);
	rwt_ha_signal_node(&cl->ha, i, SIGSTOP);
	port = rwt_ha_wait_new_master(&cl->ha, old, 20.0);
	record(cl, RWT_CL_STOP_MASTER, t0);
	say(cl, "sentinels promoted :%d after %.1f s", port, now_s() - t0);
	/* Stopped well past down-after, so clients time out on it too. */
	while (now_s() - t0 < 4.0)
		usleep(50000);
	rwt_ha_signal_node(&cl->ha, i, SIGCONT);
	say(cl, "SIGCONT :%d after %.1f s", old, now_s() - t0);
	if (!rwt_wait_until(is_demoted, &dm, 20.0))
		note(cl, true, "split brain: the old master :%d was not demoted within 20 s", old);
	else
		rwt_ha_wait_replica(&cl->ha, i, 30.0);
	rwt_ha_wait_sentinels_see_replicas(&cl->ha, 1, 30.0);
}

static void
kill_owner(struct rwt_cl *cl, const char *source)
{
	int i = rwt_cl_owner(cl, source, -1);
	double t0;

	if (i < 0) {
		note(cl, true, "%s: no daemon owns %s", rwt_cl_fault_name(RWT_CL_KILL_OWNER),
		     source);
		i = 0;
	}
	say(cl, "kill -9 %s (owner of %s)", cl->id[i], source);
	atomic_store(&cl->up[i], false);
	t0 = now_s();
	rwt_daemon_signal(&cl->d[i], SIGKILL);
	cr_assert_neq(rwt_daemon_wait(&cl->d[i], 5.0), -1);
	wait_takeover(cl, RWT_CL_KILL_OWNER, source, i, t0);
	say(cl, "restarting %s", cl->id[i]);
	daemon_start(cl, (size_t)i);
}

static void
stop_owner(struct rwt_cl *cl, const char *source)
{
	int i = rwt_cl_owner(cl, source, -1);
	double t0, past = RW_CLUSTER_LEASE_MS / 1000.0 + 2.0;

	if (i < 0) {
		note(cl, true, "%s: no daemon owns %s", rwt_cl_fault_name(RWT_CL_STOP_OWNER),
		     source);
		i = 0;
	}
	say(cl, "SIGSTOP %s (owner of %s) for %.0f s", cl->id[i], source, past);
	atomic_store(&cl->up[i], false);
	t0 = now_s();
	rwt_daemon_signal(&cl->d[i], SIGSTOP);
	wait_takeover(cl, RWT_CL_STOP_OWNER, source, i, t0);
	while (now_s() - t0 < past)
		usleep(50000);
	rwt_daemon_signal(&cl->d[i], SIGCONT);
	rwt_daemon_wait_ready(&cl->d[i], 20.0);
	atomic_store(&cl->up[i], true);
	say(cl, "SIGCONT %s", cl->id[i]);
}

void
rwt_cl_fault(struct rwt_cl *cl, enum rwt_cl_fault f, const char *source)
{
	int64_t start = rw_now_ms();

	switch (f) {
	case RWT_CL_KILL_MASTER:
		kill_master(cl);
		break;
	case RWT_CL_STOP_MASTER:
		stop_master(cl);
		break;
	case RWT_CL_KILL_OWNER:
		kill_owner(cl, source);
		break;
	case RWT_CL_STOP_OWNER:
		stop_owner(cl, source);
		break;
	default:
		cr_assert_fail("unknown fault %d", (int)f);
	}
	cl->faults[f]++;
	if (cl->nwindows < RWT_CL_WINDOWS) {
		cl->window[cl->nwindows][0] = start;
		cl->window[cl->nwindows][1] = rw_now_ms();
		cl->nwindows++;
	}
}

/*
 * The longest a deadline event may reach the receiver after its instant:
 * - a Redis failover: Sentinel's down-after (1 s in rwtha) and election
 *   (~1.3 s measured, 2 s allowed), a daemon stuck on a stopped master
 *   drops it after the store's 10 s without an answer, then reconnects
 *   within its backoff (2 s);
 * - a lease: a dead or stopped owner's sources pass on once its lease
 *   lapses (RW_CLUSTER_LEASE_MS) and the next renewal round sees it
 *   (RW_CLUSTER_RENEW_MS); Redis out of reach longer than the fence time
 *   costs every lease, so the two add up;
 * - grace: the standby fires RW_CLUSTER_STANDBY_GRACE_MS late; the new
 *   owner looks at the stream every 2 s, batches for group_window (1 s)
 *   and the receiver answers within the target's timeout (2 s).
 * Built with a sanitizer everything runs slower: half as much again.
 */
double
rwt_cl_bound_s(char *why, size_t len)
{
	double failover = 1.0 + 2.0 + 10.0 + 2.0;
	double lease = (RW_CLUSTER_LEASE_MS + RW_CLUSTER_RENEW_MS) / 1000.0;
	double grace = RW_CLUSTER_STANDBY_GRACE_MS / 1000.0 + 2.0 + 1.0 + 2.0;
	double factor = 1.0;

#if defined(__SANITIZE_ADDRESS__)
	factor = 1.5;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	factor = 1.5;
#endif
#endif
	if (why != NULL)
		snprintf(why, len,
			 "failover %.0f s (down-after 1 + election 2 + stalled master 10 + "
			 "backoff 2) + lease %.0f s (%d + renew %d) + grace %.0f s (standby %d + "
			 "stream 2 + group 1 + timeout 2)%s",
			 failover, lease, RW_CLUSTER_LEASE_MS / 1000, RW_CLUSTER_RENEW_MS / 1000,
			 grace, RW_CLUSTER_STANDBY_GRACE_MS / 1000,
			 factor > 1.0 ? ", x1.5 under a sanitizer" : "");
	return (failover + lease + grace) * factor;
}
