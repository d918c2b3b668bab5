#!/usr/bin/env bash
# replywatch HA soak: the high-availability proof of issue 14 for longer
# runs. Three redis-server (a master and two replicas), three sentinels and
# three replywatchd sharing four sources on 127.0.0.1, under the
# simulator's load and a pusher, with a random fault every 3-11 s for
# DURATION seconds: kill -9 of the Redis master (restarted as a replica),
# SIGSTOP of the master past down-after then SIGCONT (split brain), kill -9
# of a source's owner (restarted), SIGSTOP of an owner past its lease then
# SIGCONT. Then it stops the load and checks, as test_ha_cluster does:
#   - every item a platform served is exactly one mention;
#   - every push answered 202 is stored;
#   - every due deadline reached the receiver, and no (mention, type) pair
#     arrived under two event ids (repeats of one id are counted);
#   - every deadline event arrived within the failover bound (max, p99).
# The run is the ha_cluster/soak test of the test binary (the same code as
# the CI test, tests/support/rwtcl*.c); it prints a report and a summary
# line and exits 0 when every check holds, 1 otherwise, 2 when it could not
# run. See docs/soak.md.
#
# Usage: scripts/ha-soak.sh [--duration SECONDS] [--rate N] [--seed N]
#                           [--bin DIR] [--keep]
# Environment: HA_SOAK_DURATION (600), HA_SOAK_RATE (40 mentions a minute
# per platform), HA_SOAK_SEED (random), HA_SOAK_BIN (a build directory with
# the test binary integration_test_ha_cluster; default: build one in
# build/release). --keep keeps the work directory (kept anyway on failure).
set -euo pipefail
caller=$(pwd)
cd "$(dirname "$0")/.."
root=$(pwd)

duration=${HA_SOAK_DURATION:-600}
rate=${HA_SOAK_RATE:-40}
seed=${HA_SOAK_SEED:-$((RANDOM % 100000))}
bin=${HA_SOAK_BIN:-}
keep=0
usage() {
	sed -n '/^# Usage:/,/^# build\/release)/p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--duration) duration=$2; shift ;;
	--rate) rate=$2; shift ;;
	--seed) seed=$2; shift ;;
	--bin) bin=$2; shift ;;
	--keep) keep=1 ;;
	*) usage ;;
	esac
	shift
done
for v in "$duration" "$rate" "$seed"; do
	case $v in '' | *[!0-9]*) usage ;; esac
done
[ "$duration" -ge 30 ] || { echo "ha-soak: --duration must be at least 30" >&2; exit 2; }
case $bin in '' | /*) ;; *) bin=$caller/$bin ;; esac

if [ -z "$bin" ]; then
	"$root/scripts/install-deps.sh"
	echo "==> building"
	cmake -S "$root" -B "$root/build/release" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build "$root/build/release" -j "$(nproc 2>/dev/null || echo 2)" \
		--target integration_test_ha_cluster replywatchd rwfake >/dev/null
	bin=$root/build/release
fi
test_bin=$bin/integration_test_ha_cluster
[ -x "$test_bin" ] || { echo "ha-soak: no $test_bin" >&2; exit 2; }

log=$(mktemp /tmp/replywatch-ha-soak.XXXXXX.log)
echo "ha-soak: ${duration} s of random faults, rate $rate/min per platform, seed $seed (log: $log)"
status=0
RW_HA_SOAK_SECONDS=$duration RW_HA_SOAK_SEED=$seed RW_HA_SOAK_RATE=$rate \
	RW_HA_KEEP=$([ "$keep" = 1 ] && echo 1 || true) \
	"$test_bin" --filter 'ha_cluster/soak' --jobs 1 --short-filename 2>&1 | tee "$log" ||
	status=$?
summary=$(grep '^ha_cluster summary:' "$log" || true)
if [ -z "$summary" ]; then
	echo "ha-soak: the run ended without an audit (see $log)" >&2
	exit 2
fi
case $summary in
*"summary: PASS"*) [ "$status" = 0 ] || exit 1 ;;
*) echo "ha-soak: FAIL; seed $seed, log $log"; exit 1 ;;
esac
