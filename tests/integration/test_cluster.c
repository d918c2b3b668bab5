/*
 * Several daemons sharing the sources of one configuration through one
 * redis-server (cluster.h): every source has exactly one owner, the owner
 * rendezvous hashing names; a daemon stopped with SIGTERM hands its sources
 * over at once, one killed with -9 loses them once its lease lapses, one
 * stopped with SIGSTOP past its lease fences itself; a third daemon joining
 * takes only its own share.
 */
#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replywatch/cluster.h"
#include "rwtest.h"

#define NSRC 30
#define NODES 3

struct node {
	struct rwt_daemon d;
	char id[16];
	int port;
	bool up;
};

static struct rwt_redis redis;
static struct node nodes[NODES];
static char *dir;

static void
setup(void)
{
	dir = rwt_tmpdir_new();
	rwt_redis_start(&redis, NULL);
}

static void
teardown(void)
{
	for (int i = 0; i < NODES; i++) {
		if (nodes[i].up) {
			kill(nodes[i].d.pid, SIGCONT);
			rwt_daemon_stop_clean(&nodes[i].d);
		}
		rwt_daemon_cleanup(&nodes[i].d);
	}
	memset(nodes, 0, sizeof(nodes));
	rwt_redis_destroy(&redis);
	rwt_tmpdir_remove(dir);
}

TestSuite(cluster, .init = setup, .fini = teardown, .timeout = 180);

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
source_name(int i, char *buf, size_t len)
{
	snprintf(buf, len, "s%02d", i);
}

/* Writes node i's configuration: instance id, nsrc push sources s00...
 * Returns its path (caller frees). */
static char *
write_config(int i, const char *id, int nsrc)
{
	struct node *n = &nodes[i];
	char *sources = NULL, *text, *path, name[32];
	size_t len = 0;
	FILE *f = open_memstream(&sources, &len);

	cr_assert_not_null(f);
	for (int s = 0; s < nsrc; s++) {
		source_name(s, name, sizeof(name));
		fprintf(f, "%s{\"name\": \"%s\", \"type\": \"push\", \"token\": \"t\"}",
			s ? "," : "", name);
	}
	cr_assert_eq(fclose(f), 0);
	cr_assert(
		asprintf(
			&text,
			"{\"redis\": {\"url\": \"redis://127.0.0.1:%d/0\", \"key_prefix\": \"t:\"},"
			" \"http\": {\"listen\": \"127.0.0.1:%d\"},"
			" \"cluster\": {\"instance_id\": \"%s\"}, \"sources\": [%s]}\n",
			redis.port, n->port, id, sources) > 0);
	snprintf(name, sizeof(name), "node%d.json", i);
	path = rwt_write_file(dir, name, text);
	free(text);
	free(sources);
	return path;
}

/* Starts node i as instance "node-I" with NSRC push sources. */
static void
start_node(int i)
{
	struct node *n = &nodes[i];
	char *path;

	snprintf(n->id, sizeof(n->id), "node-%d", i);
	n->port = rwt_free_port();
	path = write_config(i, n->id, NSRC);
	rwt_daemon_start(&n->d, path, n->port, NULL);
	rwt_daemon_wait_ready(&n->d, 10.0);
	n->up = true;
	free(path);
}

/* Which sources node i says it owns (its /status); false when it does not
 * answer. */
static bool
owned_by(int i, bool owned[NSRC])
{
	json_t *doc = rwt_get_json(nodes[i].port, "/status", NULL);
	json_t *srcs = json_object_get(json_object_get(doc, "cluster"), "sources"), *s;
	size_t k;

	memset(owned, 0, NSRC * sizeof(bool));
	if (doc == NULL)
		return false;
	json_array_foreach(srcs, k, s)
	{
		const char *name = json_string_value(json_object_get(s, "name"));
		const char *role = json_string_value(json_object_get(s, "role"));

		if (name && role && strcmp(role, "owner") == 0 && atoi(name + 1) < NSRC)
			owned[atoi(name + 1)] = true;
	}
	json_decref(doc);
	return true;
}

/* The node of nodes[] among `live` that rendezvous hashing ranks first for
 * source s. */
static int
expected_owner(int s, const bool live[NODES])
{
	const char *ids[NODES];
	int map[NODES], n = 0;
	char name[16];

	for (int i = 0; i < NODES; i++)
		if (live[i]) {
			map[n] = i;
			ids[n++] = nodes[i].id;
		}
	source_name(s, name, sizeof(name));
	return map[rw_cluster_first(name, ids, (size_t)n)];
}

struct owners {
	bool live[NODES];
	int owner[NSRC]; /* the node owning each source, -1 none, -2 several */
};

/* Fills o->owner from the live nodes' /status. */
static void
read_owners(struct owners *o)
{
	bool owned[NSRC];

	for (int s = 0; s < NSRC; s++)
		o->owner[s] = -1;
	for (int i = 0; i < NODES; i++) {
		if (!o->live[i] || !owned_by(i, owned))
			continue;
		for (int s = 0; s < NSRC; s++)
			if (owned[s])
				o->owner[s] = o->owner[s] == -1 ? i : -2;
	}
}

/* Every source owned by exactly the live node rendezvous hashing names. */
static bool
settled(void *arg)
{
	struct owners *o = arg;

	read_owners(o);
	for (int s = 0; s < NSRC; s++)
		if (o->owner[s] != expected_owner(s, o->live))
			return false;
	return true;
}

static void
assert_settled(struct owners *o, double timeout_s, const char *what)
{
	if (!rwt_wait_until(settled, o, timeout_s)) {
		for (int s = 0; s < NSRC; s++)
			cr_log_error("s%02d: owner %d, expected %d", s, o->owner[s],
				     expected_owner(s, o->live));
		cr_assert_fail("%s: sources not shared as expected within %.0f s", what, timeout_s);
	}
}

static long long
lease_n(redisContext *rc, int s)
{
	redisReply *r = redisCommand(rc, "GET t:{s%02d}:lease-n", s);
	long long v;

	cr_assert_not_null(r);
	v = r->type == REDIS_REPLY_STRING ? atoll(r->str) : 0;
	freeReplyObject(r);
	return v;
}

/* The leases of s20..s29 are gone (released on reload). */
static bool
removed_released(void *arg)
{
	redisContext *rc = arg;
	bool gone = true;

	for (int s = NSRC - 10; s < NSRC; s++) {
		redisReply *r = redisCommand(rc, "EXISTS t:{s%02d}:lease", s);

		gone = gone && r != NULL && r->integer == 0;
		freeReplyObject(r);
	}
	return gone;
}

/* Every source has exactly one node calling itself its standby, never its
 * owner. */
static bool
one_standby_each(void *arg)
{
	const struct owners *o = arg;
	int standby[NSRC] = {0};

	for (int i = 0; i < NODES; i++) {
		json_t *doc = rwt_get_json(nodes[i].port, "/status", NULL), *src;
		size_t k;

		json_array_foreach(json_object_get(json_object_get(doc, "cluster"), "sources"), k,
				   src)
		{
			const char *role = json_string_value(json_object_get(src, "role"));
			int sn = atoi(json_string_value(json_object_get(src, "name")) + 1);

			if (role && strcmp(role, "standby") == 0 && sn < NSRC)
				standby[sn] += o->owner[sn] == i ? 100 : 1;
		}
		json_decref(doc);
	}
	for (int sn = 0; sn < NSRC; sn++)
		if (standby[sn] != 1)
			return false;
	return true;
}

Test(cluster, every_source_has_exactly_its_ranked_owner)
{
	struct owners o = {.live = {true, true, true}};
	redisContext *rc;
	redisReply *r;
	json_t *doc;
	struct rwt_response m;

	for (int i = 0; i < NODES; i++)
		start_node(i);
	assert_settled(&o, 15.0, "three daemons");
	/* Each node has some share (30 sources over 3 members). */
	for (int i = 0; i < NODES; i++) {
		int n = 0;

		for (int s = 0; s < NSRC; s++)
			n += o.owner[s] == i;
		cr_expect_gt(n, 0, "node %d owns nothing", i);
	}
	/* In Redis: the leases name their owners, and the members are there. */
	rc = rwt_redis_connect(&redis);
	for (int s = 0; s < NSRC; s++) {
		r = redisCommand(rc, "GET t:{s%02d}:lease", s);
		cr_assert_eq(r->type, REDIS_REPLY_STRING);
		cr_expect(strncmp(r->str, nodes[o.owner[s]].id, strlen(nodes[o.owner[s]].id)) == 0,
			  "s%02d lease %s", s, r->str);
		freeReplyObject(r);
		cr_expect_gt(lease_n(rc, s), 0);
	}
	r = redisCommand(rc, "ZCARD t:members");
	cr_expect_eq(r->integer, 3);
	freeReplyObject(r);
	redisFree(rc);
	/* /status lists the members; /metrics the cluster families. */
	doc = rwt_get_json(nodes[0].port, "/status", NULL);
	cr_assert_not_null(doc);
	cr_expect_str_eq(
		json_string_value(json_object_get(json_object_get(doc, "cluster"), "instance")),
		"node-0");
	cr_expect_eq(json_array_size(json_object_get(json_object_get(doc, "cluster"), "members")),
		     3);
	json_decref(doc);
	m = rwt_http(nodes[0].port, "GET", "/metrics", NULL, NULL);
	cr_expect(strstr(m.body, "replywatch_cluster_members 3\n") != NULL, "%s", m.body);
	cr_expect(strstr(m.body, "replywatch_cluster_owned_sources ") != NULL);
	cr_expect(strstr(m.body, "replywatch_cluster_lease_acquires_total ") != NULL);
	cr_expect(strstr(m.body, "replywatch_cluster_fenced_total 0\n") != NULL);
	rwt_response_free(&m);
	/* Each source has one standby, another node than its owner (roles
	 * settle within a few heartbeats of the last change). */
	cr_assert(rwt_wait_until(one_standby_each, &o, 8.0), "standbys not one per source");
}

/* A reload keeps the sources still configured (same token, no new acquire),
 * releases the removed ones, and keeps the running instance id. */
Test(cluster, reload_keeps_kept_sources_and_releases_removed_ones)
{
	struct owners o = {.live = {true, false, false}};
	long long before[NSRC];
	redisContext *rc;
	json_t *doc;
	char *path;

	start_node(0);
	assert_settled(&o, 10.0, "one daemon");
	rc = rwt_redis_connect(&redis);
	for (int s = 0; s < NSRC; s++)
		before[s] = lease_n(rc, s);
	path = write_config(0, "renamed", NSRC - 10);
	free(path);
	rwt_daemon_signal(&nodes[0].d, SIGHUP);
	cr_assert(rwt_wait_until(removed_released, rc, 10.0), "removed sources' leases still held");
	for (int s = 0; s < NSRC - 10; s++) {
		redisReply *r = redisCommand(rc, "GET t:{s%02d}:lease", s);

		cr_expect_eq(r->type, REDIS_REPLY_STRING, "s%02d lease gone", s);
		freeReplyObject(r);
		cr_expect_eq(lease_n(rc, s), before[s], "s%02d taken again", s);
	}
	doc = rwt_get_json(nodes[0].port, "/status", NULL);
	cr_expect_str_eq(
		json_string_value(json_object_get(json_object_get(doc, "cluster"), "instance")),
		"node-0");
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(doc, "cluster"), "owned")),
		     NSRC - 10);
	json_decref(doc);
	cr_expect(rwt_daemon_log_contains(&nodes[0].d, "cluster.instance_id changed"));
	redisFree(rc);
}

Test(cluster, sigterm_hands_sources_over_at_once)
{
	struct owners o = {.live = {true, true, false}};
	double t0;

	start_node(0);
	start_node(1);
	assert_settled(&o, 15.0, "two daemons");
	t0 = now_s();
	rwt_daemon_stop_clean(&nodes[1].d);
	nodes[1].up = false;
	o.live[1] = false;
	assert_settled(&o, 8.0, "after SIGTERM");
	/* Far sooner than a lease lapses: the leases were released. */
	cr_expect_lt(now_s() - t0, RW_CLUSTER_LEASE_MS / 1000.0 - 5,
		     "takeover took %.1f s: released leases are taken at the next heartbeat",
		     now_s() - t0);
}

Test(cluster, killed_owner_sources_taken_within_lease_and_renew_time)
{
	struct owners o = {.live = {true, true, false}};
	double t0, took;

	start_node(0);
	start_node(1);
	assert_settled(&o, 15.0, "two daemons");
	rwt_daemon_signal(&nodes[1].d, SIGKILL);
	rwt_daemon_wait(&nodes[1].d, 5.0);
	nodes[1].up = false;
	t0 = now_s();
	o.live[1] = false;
	assert_settled(&o, (RW_CLUSTER_LEASE_MS + RW_CLUSTER_RENEW_MS) / 1000.0 + 3,
		       "after kill -9");
	took = now_s() - t0;
	cr_log_info("kill -9: sources taken over after %.1f s", took);
}

/* A daemon killed and started again under the same instance id takes its
 * leases back at once instead of waiting for them to lapse. */
Test(cluster, restarted_instance_takes_its_leases_back_at_once)
{
	struct owners o = {.live = {true, false, false}};
	double t0;
	char *path;

	start_node(0);
	assert_settled(&o, 10.0, "one daemon");
	path = strdup(nodes[0].d.config_path);
	rwt_daemon_signal(&nodes[0].d, SIGKILL);
	rwt_daemon_wait(&nodes[0].d, 5.0);
	t0 = now_s();
	rwt_daemon_start(&nodes[0].d, path, nodes[0].port, NULL);
	free(path);
	assert_settled(&o, 8.0, "after the restart");
	cr_expect_lt(now_s() - t0, RW_CLUSTER_LEASE_MS / 1000.0 - 5, "took %.1f s", now_s() - t0);
	cr_expect(rwt_daemon_log_contains(&nodes[0].d, "took the lease of an earlier run"));
}

Test(cluster, stopped_owner_fences_itself)
{
	struct owners o = {.live = {true, true, false}};
	long long before[NSRC];
	bool owned[NSRC];
	redisContext *rc;
	json_t *doc;

	start_node(0);
	start_node(1);
	assert_settled(&o, 15.0, "two daemons");
	rc = rwt_redis_connect(&redis);
	for (int s = 0; s < NSRC; s++)
		before[s] = lease_n(rc, s);
	rwt_daemon_signal(&nodes[1].d, SIGSTOP);
	o.live[1] = false;
	/* Node 0 takes node 1's sources once their leases lapse. */
	assert_settled(&o, (RW_CLUSTER_LEASE_MS + RW_CLUSTER_RENEW_MS) / 1000.0 + 3,
		       "while node 1 is stopped");
	rwt_daemon_signal(&nodes[1].d, SIGCONT);
	/* At once after waking, node 1 owns nothing: its last renewal was sent
	 * longer than the fence time ago. */
	cr_assert(owned_by(1, owned));
	for (int s = 0; s < NSRC; s++)
		cr_expect(!owned[s], "s%02d still owned by the stopped node", s);
	doc = rwt_get_json(nodes[1].port, "/status", NULL);
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(doc, "cluster"), "owned")),
		     0);
	json_decref(doc);
	/* The tokens of the sources that moved went up: node 1's old ones are
	 * refused by the fenced scripts. */
	for (int s = 0; s < NSRC; s++)
		if (expected_owner(s, (bool[NODES]){true, true, false}) == 1)
			cr_expect_gt(lease_n(rc, s), before[s], "s%02d token did not move", s);
	redisFree(rc);
	/* Back as a member, node 1 takes its share again. */
	o.live[1] = true;
	assert_settled(&o, 15.0, "node 1 back");
	cr_expect(rwt_daemon_log_contains(&nodes[1].d, "no lease renewal confirmed"));
}

Test(cluster, joining_daemon_takes_only_its_share)
{
	struct owners before = {.live = {true, true, false}};
	struct owners after = {.live = {true, true, true}};
	int moved = 0;

	start_node(0);
	start_node(1);
	assert_settled(&before, 15.0, "two daemons");
	start_node(2);
	assert_settled(&after, 15.0, "three daemons");
	for (int s = 0; s < NSRC; s++) {
		if (after.owner[s] != before.owner[s]) {
			cr_expect_eq(after.owner[s], 2, "s%02d moved between the old daemons", s);
			moved++;
		}
	}
	cr_log_info("a third daemon joining moved %d of %d sources", moved, NSRC);
	cr_expect(moved >= NSRC / 6 && moved <= NSRC / 2, "moved %d of %d", moved, NSRC);
}
