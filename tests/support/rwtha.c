/*
 * rwtha.c: master, replicas and sentinels on loopback (see rwtha.h).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rwtest.h"
#include "rwtha.h"

extern char **environ;

redisContext *
rwt_ha_connect(int port)
{
	struct timeval tv = {0, 300000};
	redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);

	if (c != NULL && c->err) {
		redisFree(c);
		return NULL;
	}
	if (c != NULL)
		redisSetTimeout(c, tv);
	return c;
}

/* Starts node i, as a replica of 127.0.0.1:master_port unless it is 0. */
static void
node_spawn(struct rwt_ha *h, size_t i, int master_port)
{
	char port[16], log[512], dir[512], master[16];
	char *argv[32];
	int n = 0;

	snprintf(port, sizeof(port), "%d", h->nodes[i].port);
	snprintf(dir, sizeof(dir), "%s/node%zu", h->dir, i);
	snprintf(log, sizeof(log), "%s/node%zu.log", h->dir, i);
	snprintf(master, sizeof(master), "%d", master_port);
	/* A restarted node keeps its directory (its data is not persisted). */
	cr_assert(mkdir(dir, 0700) == 0 || errno == EEXIST);
	argv[n++] = "/usr/bin/redis-server";
	argv[n++] = "--port";
	argv[n++] = port;
	argv[n++] = "--bind";
	argv[n++] = "127.0.0.1";
	argv[n++] = "--dir";
	argv[n++] = dir;
	argv[n++] = "--save";
	argv[n++] = "";
	argv[n++] = "--appendonly";
	argv[n++] = "no";
	argv[n++] = "--logfile";
	argv[n++] = log;
	/* The default 5 s would delay each replica's first sync. */
	argv[n++] = "--repl-diskless-sync";
	argv[n++] = "yes";
	argv[n++] = "--repl-diskless-sync-delay";
	argv[n++] = "0";
	if (master_port > 0) {
		argv[n++] = "--replicaof";
		argv[n++] = "127.0.0.1";
		argv[n++] = master;
	}
	argv[n] = NULL;
	h->nodes[i].pid = rwt_spawn(argv, environ, NULL);
}

static void
sentinel_spawn(struct rwt_ha *h, size_t i)
{
	char name[32], text[1024], *path;
	char *argv[4];

	snprintf(name, sizeof(name), "sentinel%zu.conf", i);
	snprintf(text, sizeof(text),
		 "port %d\n"
		 "bind 127.0.0.1\n"
		 "dir %s\n"
		 "logfile %s/sentinel%zu.log\n"
		 "sentinel resolve-hostnames no\n"
		 "sentinel monitor " RWT_HA_MASTER_NAME " 127.0.0.1 %d 2\n"
		 "sentinel down-after-milliseconds " RWT_HA_MASTER_NAME " 1000\n"
		 "sentinel failover-timeout " RWT_HA_MASTER_NAME " 10000\n"
		 "sentinel parallel-syncs " RWT_HA_MASTER_NAME " 1\n",
		 h->sentinels[i].port, h->dir, h->dir, i, h->nodes[0].port);
	path = rwt_write_file(h->dir, name, text);
	argv[0] = "/usr/bin/redis-server";
	argv[1] = path;
	argv[2] = "--sentinel";
	argv[3] = NULL;
	h->sentinels[i].pid = rwt_spawn(argv, environ, NULL);
	free(path);
}

/* The reply of one command to 127.0.0.1:port, or NULL (caller frees). */
static redisReply *
ask(int port, const char *cmd)
{
	redisContext *c = rwt_ha_connect(port);
	redisReply *r;

	if (c == NULL)
		return NULL;
	r = redisCommand(c, cmd);
	redisFree(c);
	return r;
}

static bool
replication_up(void *arg)
{
	struct rwt_ha *h = arg;

	for (size_t i = 1; i < h->nnodes; i++) {
		redisReply *r = ask(h->nodes[i].port, "INFO replication");
		bool up = r != NULL && r->type == REDIS_REPLY_STRING &&
			  strstr(r->str, "master_link_status:up") != NULL;

		if (r)
			freeReplyObject(r);
		if (!up)
			return false;
	}
	return true;
}

static bool
quorum_ok(void *arg)
{
	struct rwt_ha *h = arg;

	for (size_t i = 0; i < RWT_HA_SENTINELS; i++) {
		redisReply *r = ask(h->sentinels[i].port, "SENTINEL CKQUORUM " RWT_HA_MASTER_NAME);
		bool ok =
			r != NULL && r->type == REDIS_REPLY_STATUS && strncmp(r->str, "OK", 2) == 0;
		/* The sentinels must also know every replica to promote one. */
		redisReply *rep =
			ok ? ask(h->sentinels[i].port, "SENTINEL replicas " RWT_HA_MASTER_NAME)
			   : NULL;

		ok = ok && rep != NULL && rep->type == REDIS_REPLY_ARRAY &&
		     rep->elements == h->nnodes - 1;
		if (r)
			freeReplyObject(r);
		if (rep)
			freeReplyObject(rep);
		if (!ok)
			return false;
	}
	return true;
}

void
rwt_ha_start(struct rwt_ha *h, size_t nreplicas)
{
	memset(h, 0, sizeof(*h));
	cr_assert(nreplicas + 1 <= RWT_HA_MAX_NODES);
	h->dir = rwt_tmpdir_new();
	h->nnodes = nreplicas + 1;
	for (size_t i = 0; i < h->nnodes; i++)
		h->nodes[i].port = rwt_free_port();
	for (size_t i = 0; i < RWT_HA_SENTINELS; i++)
		h->sentinels[i].port = rwt_free_port();
	for (size_t i = 0; i < h->nnodes; i++)
		node_spawn(h, i, i > 0 ? h->nodes[0].port : 0);
	cr_assert(rwt_wait_until(replication_up, h, 15.0), "replicas did not sync (see %s)",
		  h->dir);
	for (size_t i = 0; i < RWT_HA_SENTINELS; i++)
		sentinel_spawn(h, i);
	cr_assert(rwt_wait_until(quorum_ok, h, 20.0), "sentinels did not reach quorum (see %s)",
		  h->dir);
}

static void
kill_reap(struct rwt_ha_proc *p)
{
	if (p->pid <= 0)
		return;
	kill(p->pid, SIGCONT);
	kill(p->pid, SIGKILL);
	waitpid(p->pid, NULL, 0);
	p->pid = 0;
}

void
rwt_ha_destroy(struct rwt_ha *h)
{
	if (h->dir == NULL)
		return;
	for (size_t i = 0; i < RWT_HA_SENTINELS; i++)
		kill_reap(&h->sentinels[i]);
	for (size_t i = 0; i < h->nnodes; i++)
		kill_reap(&h->nodes[i]);
	rwt_tmpdir_remove(h->dir);
	memset(h, 0, sizeof(*h));
}

int
rwt_ha_master_port(const struct rwt_ha *h)
{
	for (size_t i = 0; i < RWT_HA_SENTINELS; i++) {
		redisReply *r =
			h->sentinels[i].pid > 0
				? ask(h->sentinels[i].port,
				      "SENTINEL get-master-addr-by-name " RWT_HA_MASTER_NAME)
				: NULL;
		int port = -1;

		if (r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2)
			port = atoi(r->element[1]->str);
		if (r)
			freeReplyObject(r);
		if (port > 0)
			return port;
	}
	return -1;
}

int
rwt_ha_node_of_port(const struct rwt_ha *h, int port)
{
	for (size_t i = 0; i < h->nnodes; i++)
		if (h->nodes[i].port == port)
			return (int)i;
	return -1;
}

void
rwt_ha_signal_node(struct rwt_ha *h, size_t i, int sig)
{
	cr_assert(i < h->nnodes && h->nodes[i].pid > 0);
	cr_assert(kill(h->nodes[i].pid, sig) == 0);
	if (sig == SIGKILL) {
		waitpid(h->nodes[i].pid, NULL, 0);
		h->nodes[i].pid = 0;
	}
}

struct new_master {
	const struct rwt_ha *h;
	int old_port;
	int port;
};

static bool
master_moved(void *arg)
{
	struct new_master *nm = arg;
	int port = rwt_ha_master_port(nm->h);
	redisReply *r;
	bool ok;

	if (port <= 0 || port == nm->old_port)
		return false;
	r = ask(port, "ROLE");
	ok = r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements > 0 &&
	     strcmp(r->element[0]->str, "master") == 0;
	if (r)
		freeReplyObject(r);
	nm->port = ok ? port : -1;
	return ok;
}

int
rwt_ha_wait_new_master(const struct rwt_ha *h, int old_port, double timeout_s)
{
	struct new_master nm = {h, old_port, -1};

	cr_assert(rwt_wait_until(master_moved, &nm, timeout_s),
		  "no new master within %.0f s (see %s)", timeout_s, h->dir);
	return nm.port;
}

char *
rwt_ha_redis_members(const struct rwt_ha *h, const char *first_extra)
{
	char *s = NULL;

	cr_assert(asprintf(&s,
			   "\"sentinels\": [ %s%s%s\"127.0.0.1:%d\", \"127.0.0.1:%d\", "
			   "\"127.0.0.1:%d\" ], \"master_name\": \"" RWT_HA_MASTER_NAME "\"",
			   first_extra ? "\"" : "", first_extra ? first_extra : "",
			   first_extra ? "\", " : "", h->sentinels[0].port, h->sentinels[1].port,
			   h->sentinels[2].port) > 0);
	return s;
}

void
rwt_ha_restart_node(struct rwt_ha *h, size_t i, int master_port)
{
	cr_assert(i < h->nnodes && h->nodes[i].pid == 0, "node %zu is still running", i);
	node_spawn(h, i, master_port);
}

struct node_link {
	const struct rwt_ha *h;
	size_t i;
};

static bool
node_link_up(void *arg)
{
	struct node_link *nl = arg;
	redisReply *r = ask(nl->h->nodes[nl->i].port, "INFO replication");
	bool up = r != NULL && r->type == REDIS_REPLY_STRING &&
		  strstr(r->str, "master_link_status:up") != NULL;

	if (r)
		freeReplyObject(r);
	return up;
}

void
rwt_ha_wait_replica(const struct rwt_ha *h, size_t i, double timeout_s)
{
	struct node_link nl = {h, i};

	cr_assert(rwt_wait_until(node_link_up, &nl, timeout_s),
		  "node %zu did not sync as a replica within %.0f s (see %s)", i, timeout_s,
		  h->dir);
}

bool
rwt_ha_is_replica(const struct rwt_ha *h, size_t i)
{
	redisReply *r = h->nodes[i].pid > 0 ? ask(h->nodes[i].port, "ROLE") : NULL;
	bool replica = r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements > 0 &&
		       r->element[0]->type == REDIS_REPLY_STRING &&
		       strcmp(r->element[0]->str, "slave") == 0;

	if (r)
		freeReplyObject(r);
	return replica;
}

/* The value of field in one SENTINEL replicas entry (a flat key/value
 * array), or NULL. */
static const char *
entry_field(const redisReply *e, const char *field)
{
	for (size_t k = 0; e->type == REDIS_REPLY_ARRAY && k + 1 < e->elements; k += 2)
		if (e->element[k]->type == REDIS_REPLY_STRING &&
		    strcmp(e->element[k]->str, field) == 0 &&
		    e->element[k + 1]->type == REDIS_REPLY_STRING)
			return e->element[k + 1]->str;
	return NULL;
}

struct sentinels_see {
	const struct rwt_ha *h;
	size_t want;
};

/* True when every sentinel lists at least want replicas flagged plain
 * "slave" with their link to the master "ok": only such a replica can be
 * promoted, so the next failover can happen. */
static bool
sentinels_see_replicas(void *arg)
{
	const struct sentinels_see *ss = arg;

	for (size_t s = 0; s < RWT_HA_SENTINELS; s++) {
		redisReply *r =
			ask(ss->h->sentinels[s].port, "SENTINEL replicas " RWT_HA_MASTER_NAME);
		size_t good = 0;

		for (size_t i = 0; r != NULL && r->type == REDIS_REPLY_ARRAY && i < r->elements;
		     i++) {
			const char *flags = entry_field(r->element[i], "flags");
			const char *link = entry_field(r->element[i], "master-link-status");

			if (flags && strcmp(flags, "slave") == 0 && link && strcmp(link, "ok") == 0)
				good++;
		}
		if (r)
			freeReplyObject(r);
		if (good < ss->want)
			return false;
	}
	return true;
}

void
rwt_ha_wait_sentinels_see_replicas(const struct rwt_ha *h, size_t want, double timeout_s)
{
	struct sentinels_see ss = {h, want};

	cr_assert(rwt_wait_until(sentinels_see_replicas, &ss, timeout_s),
		  "the sentinels do not list %zu good replicas within %.0f s (see %s)", want,
		  timeout_s, h->dir);
}
