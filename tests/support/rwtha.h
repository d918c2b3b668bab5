/*
 * rwtha: a replicated Redis on loopback for the high-availability tests: a
 * master, N replicas and RWT_HA_SENTINELS sentinels (quorum 2,
 * down-after-milliseconds 1000, so a failover takes about 2.3 s), each a
 * real redis-server on a free 127.0.0.1 port in one scratch directory.
 *
 * rwt_ha_start returns once every replica reports master_link_status:up and
 * every sentinel answers SENTINEL CKQUORUM with OK. Helpers fail the current
 * Criterion test when they cannot do their job.
 */
#ifndef RWTHA_H
#define RWTHA_H

#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define RWT_HA_MAX_NODES 4
#define RWT_HA_SENTINELS 3
#define RWT_HA_MASTER_NAME "rwmaster"

struct rwt_ha_proc {
	int port;
	pid_t pid; /* 0 once killed and reaped */
};

struct rwt_ha {
	char *dir;
	struct rwt_ha_proc nodes[RWT_HA_MAX_NODES]; /* [0] is the first master */
	size_t nnodes;
	struct rwt_ha_proc sentinels[RWT_HA_SENTINELS];
};

/* Starts a master with nreplicas replicas and the sentinels; waits until
 * replication is up and the sentinels have their quorum. */
void rwt_ha_start(struct rwt_ha *h, size_t nreplicas);
/* Kills everything (SIGCONT first, so stopped ones die too) and removes the dir. */
void rwt_ha_destroy(struct rwt_ha *h);
/* The master's port as the first sentinel that answers says; -1 if none. */
int rwt_ha_master_port(const struct rwt_ha *h);
/* The node index of port, or -1. */
int rwt_ha_node_of_port(const struct rwt_ha *h, int port);
/* Sends sig to node i (SIGKILL reaps it: its pid becomes 0). */
void rwt_ha_signal_node(struct rwt_ha *h, size_t i, int sig);
/* Waits up to timeout_s until the sentinels name a master other than
 * old_port and that node answers ROLE master; returns its port. */
int rwt_ha_wait_new_master(const struct rwt_ha *h, int old_port, double timeout_s);
/* Starts node i again (after SIGKILL) as a replica of 127.0.0.1:master_port
 * (0: as a master, until Sentinel turns it). It comes back empty: nothing
 * is persisted. */
void rwt_ha_restart_node(struct rwt_ha *h, size_t i, int master_port);
/* Waits up to timeout_s until node i reports master_link_status:up. */
void rwt_ha_wait_replica(const struct rwt_ha *h, size_t i, double timeout_s);
/* Waits up to timeout_s until every sentinel lists at least want replicas
 * that it could promote (flags "slave", link "ok"). A fault right after a
 * failover, before the sentinels have seen the replicas again, finds no
 * good replica and no failover (Sentinel then waits 2 x failover-timeout). */
void rwt_ha_wait_sentinels_see_replicas(const struct rwt_ha *h, size_t want, double timeout_s);
/* True when node i answers ROLE slave (a demoted master has been turned). */
bool rwt_ha_is_replica(const struct rwt_ha *h, size_t i);
/* The "\"sentinels\": [...], \"master_name\": ..." members of a redis
 * section, listing first_extra (an "IP:PORT" string, or NULL) before the real
 * sentinels. Caller frees. */
char *rwt_ha_redis_members(const struct rwt_ha *h, const char *first_extra);
/* A blocking connection to 127.0.0.1:port with a short timeout, or NULL. */
redisContext *rwt_ha_connect(int port);

#endif
