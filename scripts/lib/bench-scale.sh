# shellcheck shell=bash disable=SC2154
# Sourced by scripts/bench.sh (bash): the scale benchmark (issue 14).
#
# One replywatchd against rwfake with SCALE_SOURCES Mastodon sources (every
# one polled every SCALE_EVERY seconds, a few mentions each), then 3
# daemons sharing the same sources through one plain Redis. Over a window of
# SCALE_WINDOW seconds, once every source has polled: schedule slip p50/p99
# (replywatch_poll_delay_seconds, the daemon's own view), CPU (utime+stime
# from /proc), RSS, Redis commands per poll (INFO stats
# total_commands_processed over the polls made), and the 3-daemon figures as
# ratios to the same run's single daemon. Never fails on a figure.
#
# Needs: $root, $bin (replywatchd, rwfake), free_port, ratio. Sets nothing
# outside its own scale_* names; cleans up what it started.

scale_pids=()
scale_dir=""

scale_cleanup() {
	# Runs again from the EXIT trap after a normal end: nothing may fail.
	if [ ${#scale_pids[@]} -gt 0 ]; then scale_stop "${scale_pids[@]}"; fi
	scale_pids=()
	if [ -n "${scale_redis_port:-}" ]; then
		redis-cli -p "$scale_redis_port" shutdown nosave >/dev/null 2>&1 || true
	fi
	if [ -n "$scale_dir" ]; then rm -rf "$scale_dir"; fi
	scale_dir=""
}

# Stops the daemons $@ (SIGTERM; SIGKILL after 30 s: a drain that hangs must
# not hang the benchmark) and waits for them.
scale_stop() {
	local p t
	kill "$@" 2>/dev/null
	for ((t = 0; t < 300; t++)); do
		for p in "$@"; do
			kill -0 "$p" 2>/dev/null && break
		done
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$@" 2>/dev/null
	for p in "$@"; do
		wait "$p" 2>/dev/null || true
	done
}

# $1: config file, $2: HTTP port, $3: number of sources, $4: poll_every (s).
scale_config() {
	local i sep=""
	{
		printf '{ "log_level": "warning",\n'
		printf '  "redis": { "url": "redis://127.0.0.1:%s/0" },\n' "$scale_redis_port"
		printf '  "http": { "listen": "127.0.0.1:%s" },\n' "$2"
		printf '  "policies": [ { "name": "social", "warn_after": "1h", "breach_after": "2h" } ],\n'
		printf '  "sources": [\n'
		for ((i = 0; i < $3; i++)); do
			printf '%s    { "name": "m%05d", "type": "mastodon", "base_url": "http://127.0.0.1:%s", "token": "mastodon-test-token", "poll_every": "%ss" }' \
				"$sep" "$i" "$scale_fake_port" "$4"
			sep=$',\n'
		done
		printf '\n  ] }\n'
	} >"$1"
}

# CPU ticks (utime + stime) of pid $1.
scale_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# Resident set of pid $1, kB.
scale_rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
scale_cmds() {
	redis-cli -p "$scale_redis_port" info stats |
		sed -n 's/^total_commands_processed:\([0-9]*\).*/\1/p'
}

# The figures of the daemons on ports $@ summed: "POLLS OK LE=N ... +Inf=N"
# (the polls made, those that ended ok, then the cumulative poll-delay
# buckets).
scale_metrics() {
	local port
	for port in "$@"; do
		curl -fsS --max-time 60 "http://127.0.0.1:$port/metrics" 2>/dev/null || echo "# scrape failed"
	done | awk '
		/^replywatch_source_polls_total\{/ { polls += $NF; if ($1 ~ /result="ok"/) ok += $NF }
		/^replywatch_poll_delay_seconds_bucket\{/ {
			le = $1; sub(/.*le="/, "", le); sub(/".*/, "", le)
			if (!(le in b)) order[n++] = le
			b[le] += $NF
		}
		END {
			printf "%d %d", polls, ok
			for (i = 0; i < n; i++) printf " %s=%d", order[i], b[order[i]]
			printf "\n"
		}'
}

# Percentile $1 (0-1) of the poll delays between two scale_metrics lines $2, $3,
# in ms, interpolated inside its bucket (">60000" past the last bound).
scale_pct() {
	awk -v q="$1" -v a="$2" -v b="$3" 'BEGIN {
		na = split(a, x, " "); split(b, y, " ")
		for (i = 3; i <= na; i++) {
			split(x[i], p, "="); split(y[i], r, "=")
			le[i] = p[1]; c[i] = r[2] - p[2]
		}
		total = c[na]
		if (total <= 0) { print "n/a"; exit }
		rank = q * total; lo = 0; prev = 0
		for (i = 3; i <= na; i++) {
			if (c[i] >= rank) {
				if (le[i] == "+Inf") { printf ">%d\n", lo * 1000; exit }
				f = c[i] > prev ? (rank - prev) / (c[i] - prev) : 1
				printf "%.1f\n", (lo + f * (le[i] - lo)) * 1000; exit
			}
			prev = c[i]; lo = le[i]
		}
	}'
}

# Runs $1 daemons on the sources; prints one line:
# "POLLS_PER_S P50_MS P99_MS CPU_PCT_TOTAL RSS_MB_PER_DAEMON OPS_PER_POLL CPU_MS_PER_POLL OK_PCT"
scale_run() {
	local n=$1 i try ports=() pids=() t0 t1 m0 m1 c0 c1 k0=0 k1=0 rss=0 polls started
	for ((i = 0; i < n; i++)); do
		# A port free when chosen may be taken before the daemon binds
		# it (other work on the machine): then another one.
		for ((try = 0; try < 5; try++)); do
			ports[i]=$(free_port)
			scale_config "$scale_dir/d$i.json" "${ports[i]}" "$scale_sources" "$scale_every"
			"$bin/replywatchd" -c "$scale_dir/d$i.json" 2>>"$scale_dir/daemon$n-$i.log" &
			pids[i]=$!
			started=$SECONDS
			until curl -fsS "http://127.0.0.1:${ports[i]}/healthz" >/dev/null 2>&1; do
				kill -0 "${pids[i]}" 2>/dev/null || break
				sleep 0.2
				[ $((SECONDS - started)) -gt 300 ] && break
			done
			kill -0 "${pids[i]}" 2>/dev/null && break
			wait "${pids[i]}" 2>/dev/null || true
		done
		scale_pids+=("${pids[i]}")
	done
	# Warm-up: as many polls ended ok as there are sources (each source's
	# brand account read, its mentions ingested; the start-up burst's
	# failures retried), then one more interval so the schedule has spread.
	# A scrape of 10 000 sources takes seconds: not too often.
	started=$SECONDS
	while :; do
		polls=$(scale_metrics "${ports[@]}" | cut -d' ' -f2)
		[ "${polls:-0}" -ge "$scale_sources" ] && break
		[ $((SECONDS - started)) -gt $((scale_every * 5 + 120)) ] && break
		sleep 10
	done
	sleep "$scale_every"
	m0=$(scale_metrics "${ports[@]}")
	c0=$(scale_cmds)
	for ((i = 0; i < n; i++)); do k0=$((k0 + $(scale_ticks "${pids[i]}"))); done
	t0=$(date +%s.%N)
	sleep "$scale_window"
	t1=$(date +%s.%N)
	for ((i = 0; i < n; i++)); do
		k1=$((k1 + $(scale_ticks "${pids[i]}")))
		rss=$((rss + $(scale_rss "${pids[i]}")))
	done
	c1=$(scale_cmds)
	m1=$(scale_metrics "${ports[@]}")
	scale_stop "${pids[@]}"
	scale_pids=()
	awk -v t0="$t0" -v t1="$t1" -v p0="${m0%% *}" -v p1="${m1%% *}" \
		-v o0="$(echo "$m0" | cut -d' ' -f2)" -v o1="$(echo "$m1" | cut -d' ' -f2)" -v c0="$c0" -v c1="$c1" \
		-v k0="$k0" -v k1="$k1" -v hz="$(getconf CLK_TCK)" -v rss="$rss" -v n="$n" \
		-v p50="$(scale_pct 0.5 "$m0" "$m1")" -v p99="$(scale_pct 0.99 "$m0" "$m1")" 'BEGIN {
			dt = t1 - t0; polls = p1 - p0; cpu = (k1 - k0) / hz
			printf "%.1f %s %s %.1f %.1f %.1f %.2f %.1f\n", polls / dt, p50, p99, 100 * cpu / dt,
				rss / 1024 / n, polls ? (c1 - c0) / polls : 0, polls ? 1000 * cpu / polls : 0,
				polls ? 100 * (o1 - o0) / polls : 0
		}'
}

# Prints the figures of one run ($1: label, $2: scale_run's line).
scale_print() {
	local pps p50 p99 cpu rss ops cpp ok
	read -r pps p50 p99 cpu rss ops cpp ok <<<"$2"
	printf '  %-20s %6s polls/s (%5s %% ok)  slip p50 %7s ms  p99 %7s ms  CPU %5s %% (%5s ms/poll)  RSS %6s MB/daemon  Redis %6s cmds/poll\n' \
		"$1" "$pps" "$ok" "$p50" "$p99" "$cpu" "$cpp" "$rss" "$ops"
}

# $1: "quick" for the small size. Environment: BENCH_SOURCES (10000; quick
# 1000), BENCH_SCALE_EVERY (poll_every, s: 60; quick 10), BENCH_SCALE_WINDOW
# (s measured: 120; quick 20).
scale_figures() {
	local one three
	if [ "${1:-}" = quick ]; then
		scale_sources=${BENCH_SOURCES:-1000}
		scale_every=${BENCH_SCALE_EVERY:-10}
		scale_window=${BENCH_SCALE_WINDOW:-20}
	else
		scale_sources=${BENCH_SOURCES:-10000}
		scale_every=${BENCH_SCALE_EVERY:-60}
		scale_window=${BENCH_SCALE_WINDOW:-120}
	fi
	scale_dir=$(mktemp -d /tmp/replywatch-scale.XXXXXX)
	scale_redis_port=$(free_port)
	redis-server --port "$scale_redis_port" --bind 127.0.0.1 --dir "$scale_dir" --save '' \
		--appendonly no --logfile "$scale_dir/redis.log" --daemonize yes >/dev/null
	until redis-cli -p "$scale_redis_port" ping >/dev/null 2>&1; do sleep 0.05; done
	"$bin/rwfake" --port 0 >"$scale_dir/fake.out" 2>"$scale_dir/fake.log" &
	scale_pids+=($!)
	local fake_pid=$!
	until grep -q listening "$scale_dir/fake.out" 2>/dev/null; do sleep 0.05; done
	scale_fake_port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$scale_dir/fake.out")
	local fake="http://127.0.0.1:$scale_fake_port/_fake/mastodon"
	curl -fsS -X POST -d '{"rate_limit": 100000000}' "$fake/config" >/dev/null
	# Every source reads the same brand account: its mentions are a few items
	# for each source (ingested once per source).
	for i in 1 2 3; do
		curl -fsS -X POST -d "{\"author\": \"customer$i@example.social\", \"text\": \"@acme where is my order $i?\"}" \
			"$fake/mention" >/dev/null
	done
	echo "scale: $scale_sources mastodon sources, poll_every ${scale_every}s" \
		"(~$((scale_sources / scale_every)) polls/s), 3 mentions each, ${scale_window}s measured," \
		"one plain Redis, rwfake"
	one=$(scale_run 1)
	scale_print "1 daemon" "$one"
	redis-cli -p "$scale_redis_port" flushall >/dev/null
	curl -fsS -X DELETE "http://127.0.0.1:$scale_fake_port/_fake/requests" >/dev/null
	# Polls follow ownership (a daemon polls only the sources it owns).
	if grep -qa replywatch_source_owned "$bin/replywatchd"; then
		three=$(scale_run 3)
		scale_print "3 daemons (together)" "$three"
		local a b
		read -r -a a <<<"$one"
		read -r -a b <<<"$three"
		printf '  %-20s polls/s %s, slip p50 %s p99 %s, CPU %s (per poll %s), RSS per daemon %s, Redis cmds/poll %s\n' \
			"ratio 3 / 1" "$(ratio "${b[0]}" "${a[0]}")" "$(ratio "${b[1]}" "${a[1]}")" \
			"$(ratio "${b[2]}" "${a[2]}")" "$(ratio "${b[3]}" "${a[3]}")" \
			"$(ratio "${b[6]}" "${a[6]}")" "$(ratio "${b[4]}" "${a[4]}")" \
			"$(ratio "${b[5]}" "${a[5]}")"
	else
		echo "  3 daemons: skipped (in this build polls do not follow ownership: each daemon would poll every source)"
	fi
	kill "$fake_pid" 2>/dev/null
	wait "$fake_pid" 2>/dev/null || true
	scale_cleanup
}
