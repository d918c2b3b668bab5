#!/usr/bin/env bash
# replywatch benchmarks. Prints figures, with ratios to a baseline measured in
# the same run; never fails on a figure. Everything runs on 127.0.0.1.
#
#   ingest rate   through the store (in-process) and through POST /ingest, as a
#                 ratio to redis-benchmark running the same apply script
#   memory        bytes per open mention (INFO memory delta over N mentions), of
#                 a short one and an X-shaped one, at Redis's defaults and with
#                 hash-max-listpack-value 512
#   lateness      p50/p99 of (raised - due) for breaches, with N mentions open
#   /status       latency with 1 000 vs BENCH_BIG (default 1 000 000) tracked
#   page parsers  the worst page each platform parser accepts (the most
#                 entries, the largest answer, every look-up missing), as a
#                 ratio to parsing the same body with Jansson alone
#   budgets       a simulated day of YouTube and X traffic polled with
#                 poll_every "auto" against the fixed interval that spends the
#                 same quota: detection latency p50/p90/max, fixed/auto ratios
#   scale         one daemon polling 10 000 sources of the fake (Mastodon,
#                 every 60 s, a few mentions each), then 3 daemons sharing
#                 them: schedule slip p50/p99, CPU, RSS, Redis commands per
#                 poll, the 3-daemon figures as ratios to the single daemon's
#                 (scripts/lib/bench-scale.sh; about 10 minutes)
#
# "scripts/bench.sh parsers" runs only the page parsers (about 15 s),
# "scripts/bench.sh budget" only the budgets (under a second),
# "scripts/bench.sh scale" only the scale benchmark, "scripts/bench.sh scale
# --quick" a small one (1 000 sources every 10 s, about 2 minutes).
# Environment: BENCH_N (default 100000), BENCH_BIG (default 1000000),
# BENCH_PARSE_REPS (runs per page parser, median taken; default 3),
# BENCH_SOURCES, BENCH_SCALE_EVERY, BENCH_SCALE_WINDOW (scale: sources,
# their poll_every and the seconds measured; 10000, 60, 120).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
N=${BENCH_N:-100000}
BIG=${BENCH_BIG:-1000000}

"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$root/build/release" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$root/build/release" -j "$(nproc)" --target replywatchd rwbench rwfake >/dev/null
bin=$root/build/release

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }

# The page parsers: one line per parser, its time and the time of
# json_loadb over the same body (measured in the same run) with their ratio.
parser_figures() {
	echo "page parsers, worst page accepted (median of ${BENCH_PARSE_REPS:-3}; ratio to json_loadb of the same body)"
	"$bin/rwbench" parsers "${BENCH_PARSE_REPS:-3}" |
		while read -r name bytes entries kept parse base; do
			printf '  %-24s %5.2f MB %6d entries %5d kept  %8.1f ms  json_loadb %7.1f ms  ratio %s\n' \
				"$name" "$(awk -v b="$bytes" 'BEGIN { print b / 1048576 }')" "$entries" \
				"$kept" "$parse" "$base" "$(ratio "$parse" "$base")"
		done
}

# The budgets: per scenario, the auto schedule and the fixed interval that
# spends the same quota, their detection latency and the ratio fixed / auto
# (above 1: auto detects sooner).
budget_figures() {
	echo "poll budgets, a simulated day (detection latency: created -> polled; ratio fixed / auto)"
	"$bin/rwbench" budget |
		while read -r name items apolls aspent fixed fspent a50 a90 amax f50 f90 fmax; do
			printf '  %-8s %6d items  auto: %5d polls %6d calls  p50 %7.1f s  p90 %7.1f s  max %7.1f s\n' \
				"$name" "$items" "$apolls" "$aspent" "$a50" "$a90" "$amax"
			printf '  %-8s %6s        fixed %6.1f s: %6d calls  p50 %7.1f s  p90 %7.1f s  max %7.1f s  ratios %s %s %s\n' \
				"" "" "$fixed" "$fspent" "$f50" "$f90" "$fmax" \
				"$(ratio "$f50" "$a50")" "$(ratio "$f90" "$a90")" "$(ratio "$fmax" "$amax")"
		done
}

if [ "${1:-}" = parsers ]; then
	parser_figures
	exit 0
fi
if [ "${1:-}" = budget ]; then
	budget_figures
	exit 0
fi

# shellcheck source=lib/free-port.sh
. "$root/scripts/lib/free-port.sh"
# shellcheck source=lib/bench-scale.sh
. "$root/scripts/lib/bench-scale.sh"

if [ "${1:-}" = scale ]; then
	trap scale_cleanup EXIT
	scale_figures "$([ "${2:-}" = --quick ] && echo quick)"
	exit 0
fi

work=$(mktemp -d /tmp/replywatch-bench.XXXXXX)
redis_port=$(free_port)
http_port=$(free_port)
daemon_pid=""
cleanup() {
	scale_cleanup
	[ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
	redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work" --save '' --appendonly no \
	--logfile "$work/redis.log" --daemonize yes >/dev/null
until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.05; done
rcli() { redis-cli -p "$redis_port" "$@"; }

# $1: breach_after of the "bench" source's policy. The "bulk" source (first,
# used by "rwbench store") always has far deadlines.
write_config() {
	cat >"$work/bench.json" <<EOF
{ "log_level": "warning",
  "redis": { "url": "redis://127.0.0.1:$redis_port/0" },
  "http": { "listen": "127.0.0.1:$http_port", "max_body": 67108864 },
  "policies": [
    { "name": "fast", "match": { "sources": ["bench"] }, "breach_after": "$1" },
    { "name": "slow", "warn_after": "1h", "breach_after": "2h" } ],
  "sources": [ { "name": "bulk", "type": "push", "token": "btok" },
               { "name": "bench", "type": "push", "token": "btok" } ] }
EOF
}

start_daemon() {
	"$bin/replywatchd" -c "$work/bench.json" 2>>"$work/daemon.log" &
	daemon_pid=$!
	until curl -fsS -H 'Authorization: Bearer btok' "http://127.0.0.1:$http_port/readyz" \
		>/dev/null 2>&1; do sleep 0.05; done
}

stop_daemon() {
	kill "$daemon_pid"
	wait "$daemon_pid" || true
	daemon_pid=""
}

used_memory() { rcli info memory | sed -n 's/^used_memory:\([0-9]*\).*/\1/p'; }

echo "replywatch benchmark: N=$N, BIG=$BIG, $(nproc) cores, redis $(redis-server --version | awk '{print $3}')"

# --- Baseline: redis-benchmark running the apply script (as the daemon sends
# it, shared layout code included) on one new mention, the same call the
# tracker makes per ingested mention, pipelined 16 deep. Each mention gets a
# random id and creation instant ("17" and 12 random digits: a day's spread).
sha=$(rcli script load "$(cat "$bin/generated/lua/apply.lua")")
now_ms=$(($(date +%s%N) / 1000000))
change='{"all":true,"retention_ms":2592000000,"events_minid":"0","replies_minid":"0","changes":[{"id":"x__rand_int__","expect":0,"orphan":"check","created":17__rand_int__,"set":{"a":"someone","t":"Where is my order? It has been a week.","c":"17__rand_int__","s":"o","p":"slow","W":"'$((now_ms + 3600000))'","B":"'$((now_ms + 7200000))'","X":"'$((now_ms + 604800000))'"},"to":["o","slow"],"due":false,"resolved":false,"events":[],"cnt":{"m:slow":1}}]}'
baseline=$(redis-benchmark -p "$redis_port" -q -n "$N" -r 100000000 -c 4 -P 16 \
	evalsha "$sha" 1 'rwbase{base}:' "$change" | sed -n 's/.*: \([0-9.]*\) requests per second.*/\1/p' | tail -n 1)
rcli flushall >/dev/null

# --- Ingest through the store, in-process.
write_config 1h
mem0=$(used_memory)
store_rate=$("$bin/rwbench" store "$work/bench.json" "$N")
mem1=$(used_memory)
bytes=$(((mem1 - mem0) / N))
rcli flushall >/dev/null

# --- X-shaped mentions (19-digit ids, 120-character texts, URLs,
# conversations), and both kinds with hash-max-listpack-value raised so a
# bucket of records stays a compact listpack (docs/data-model.md#memory).
memory_of() { # $1: rwbench command
	local m0 m1
	m0=$(used_memory)
	"$bin/rwbench" "$1" "$work/bench.json" "$N" >/dev/null
	m1=$(used_memory)
	rcli flushall >/dev/null
	echo $(((m1 - m0) / N))
}
bytes_x=$(memory_of store-x)
listpack_value=$(rcli config get hash-max-listpack-value | tail -n 1)
rcli config set hash-max-listpack-value 512 >/dev/null
bytes_tuned=$(memory_of store)
bytes_x_tuned=$(memory_of store-x)
rcli config set hash-max-listpack-value "$listpack_value" >/dev/null

# --- Ingest through POST /ingest (4 clients, batches of 1000).
start_daemon
http_rate=$("$bin/rwbench" push "$http_port" btok "$N" 4)
stop_daemon
rcli flushall >/dev/null

# --- Deadline lateness: N open mentions, then 2000 breaches due over 10 s.
write_config 2s
"$bin/rwbench" store "$work/bench.json" "$N" >/dev/null
start_daemon
"$bin/rwbench" push "$http_port" btok 2000 2 3 10 >/dev/null
sleep 16
read -r late_n late_p50 late_p99 late_max < <("$bin/rwbench" lateness "$http_port" btok)
stop_daemon
rcli flushall >/dev/null

# --- /status latency with 1 000 and BIG tracked mentions.
write_config 1h
"$bin/rwbench" store "$work/bench.json" 1000 >/dev/null
start_daemon
sleep 2
read -r small_p50 small_p99 < <("$bin/rwbench" latency "$http_port" btok /status 300)
stop_daemon
"$bin/rwbench" store "$work/bench.json" $((BIG - 1000)) 1000 >/dev/null
start_daemon
sleep 3
read -r big_p50 big_p99 < <("$bin/rwbench" latency "$http_port" btok /status 300)
tracked=$(rcli hget 'rw:{bulk}:ixn' o:slow)
stop_daemon

# --- The page parsers and the poll budgets (no Redis, no daemon).
parsers=$(parser_figures)
budgets=$(budget_figures)

cat <<EOF

ingest, redis-benchmark of the apply script (baseline)  ${baseline} ops/s
ingest through the store (in-process)                   ${store_rate} mentions/s   ratio $(ratio "$store_rate" "$baseline")
ingest through POST /ingest (4 clients)                 ${http_rate} mentions/s   ratio $(ratio "$http_rate" "$baseline")
memory per open mention (INFO memory, $N)         ${bytes} bytes          (target <= 200)
  X-shaped (19-digit ids, 120-char texts, URLs)         ${bytes_x} bytes
  with hash-max-listpack-value 512                      ${bytes_tuned} bytes, X-shaped ${bytes_x_tuned} bytes
deadline lateness, $late_n breaches with $N open  p50 ${late_p50} ms  p99 ${late_p99} ms  max ${late_max} ms   (target p99 <= 50)
GET /status, 1000 tracked                               p50 ${small_p50} ms  p99 ${small_p99} ms
GET /status, ${tracked} tracked                         p50 ${big_p50} ms  p99 ${big_p99} ms   ratio $(ratio "$big_p50" "$small_p50")
EOF
echo
echo "$parsers"
echo
echo "$budgets"
echo
scale_figures
