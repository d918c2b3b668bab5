/*
 * The proof of issue 14, black box: three replywatchd sharing four sources
 * through a replicated Redis with three sentinels, under the simulator's
 * load and a pusher, survive in turn kill -9 of the Redis master, a split
 * brain (the master SIGSTOPped past down-after, then SIGCONT), kill -9 of
 * a source's owner and SIGSTOP of an owner past its lease: no platform item
 * missing or doubled, no acknowledged push lost, every due deadline
 * delivered under one event id and within the failover bound
 * (tests/support/rwtcl.h says what runs and what is checked).
 *
 * ha_cluster/soak runs random faults for RW_HA_SOAK_SECONDS (skipped
 * without it): scripts/ha-soak.sh, docs/soak.md.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "rwtcl.h"

static struct rwt_cl cl;

static void
teardown(void)
{
	rwt_cl_destroy(&cl);
}

TestSuite(ha_cluster, .fini = teardown, .timeout = 300);

Test(ha_cluster, faults_in_sequence_lose_and_double_nothing)
{
	struct rwt_cl_audit a;

	rwt_cl_start(&cl, 40, 1);
	rwt_cl_push_start(&cl);
	rwt_cl_run_for(8.0);
	rwt_cl_fault(&cl, RWT_CL_KILL_MASTER, NULL);
	rwt_cl_run_for(4.0);
	rwt_cl_fault(&cl, RWT_CL_STOP_MASTER, NULL);
	rwt_cl_run_for(4.0);
	rwt_cl_fault(&cl, RWT_CL_KILL_OWNER, "masto");
	rwt_cl_run_for(3.0);
	rwt_cl_fault(&cl, RWT_CL_STOP_OWNER, "push");
	rwt_cl_run_for(3.0);
	cr_assert(rwt_cl_quiesce_and_audit(&cl, &a), "the audit failed (report above)");
}

/* A number from the environment, or def. */
static long
env_long(const char *name, long def)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? strtol(v, NULL, 10) : def;
}

Test(ha_cluster, soak, .timeout = 0)
{
	static const char *const sources[] = {"masto", "x", "bsky", "push"};
	long seconds = env_long("RW_HA_SOAK_SECONDS", 0);
	unsigned seed = (unsigned)env_long("RW_HA_SOAK_SEED", (long)time(NULL) % 100000);
	long rate = env_long("RW_HA_SOAK_RATE", 40);
	struct rwt_cl_audit a;
	time_t until;

	if (seconds <= 0)
		cr_skip_test("RW_HA_SOAK_SECONDS not set (scripts/ha-soak.sh)");
	fprintf(stderr, "ha soak: %ld s of random faults, seed %u, rate %ld/min\n", seconds, seed,
		rate);
	srandom(seed);
	rwt_cl_start(&cl, (int)rate, seed);
	rwt_cl_push_start(&cl);
	until = time(NULL) + seconds;
	while (time(NULL) < until) {
		enum rwt_cl_fault f = (enum rwt_cl_fault)(random() % RWT_CL_FAULTS);

		rwt_cl_run_for(3.0 + (double)(random() % 8000) / 1000.0);
		rwt_cl_fault(&cl, f, sources[random() % 4]);
	}
	rwt_cl_run_for(3.0);
	cr_assert(rwt_cl_quiesce_and_audit(&cl, &a), "the audit failed (report above)");
}
