#!/usr/bin/env bash
# replywatch soak: crashes, a flaky receiver and a busy simulator, then an
# audit of what the daemon promised. Everything runs on 127.0.0.1 in a
# temporary directory and stops by itself (see docs/soak.md).
#
# For SECONDS: rwfake simulates Mastodon, X and Bluesky customers at RATE
# mentions a minute per platform (after HISTORY seconds of replayed past);
# a pusher POSTs mentions and brand replies to /ingest/soak-push; the
# webhook receiver answers 500, 503, drops connections or hangs past the
# daemon's timeout in periods; replywatchd is killed with SIGKILL at KILLS
# random moments and restarted at once. Then the simulator is paused, the
# receiver healed, the daemon left to catch up, and the script checks:
#   - every mention the fake served is tracked exactly once;
#   - every push answered 202 is stored (and its acknowledged replies applied);
#   - no deadline that was due is unraised (also for mentions answered
#     after it), none was raised twice;
#   - every raised event reached the receiver under exactly one webhook-id,
#     and the receiver got nothing the daemon did not raise.
# It prints the counts and exits 1 on any loss, 2 on a setup failure.
#
# Usage: scripts/soak.sh [--quick] [--seconds N] [--kills N] [--rate N]
#                        [--history N] [--seed N] [--bin DIR] [--keep]
#        scripts/soak.sh --audit DIR    (the checks again on a kept run)
# Environment: SOAK_SECONDS (180), SOAK_KILLS (12), SOAK_RATE (120),
# SOAK_HISTORY (300 s replayed at start), SOAK_SEED (random), SOAK_BIN
# (a build directory holding replywatchd and rwfake; default: build one
# in build/release, as the demo does). --quick: 30 s, 3 kills, rate 60,
# 120 s of history.
set -euo pipefail
caller=$(pwd)
cd "$(dirname "$0")/.."
root=$(pwd)

seconds=${SOAK_SECONDS:-180}
kills=${SOAK_KILLS:-12}
rate=${SOAK_RATE:-120}
history=${SOAK_HISTORY:-300}
seed=${SOAK_SEED:-$((RANDOM * 32768 + RANDOM))}
bin=${SOAK_BIN:-}
keep=0
audit_dir=""
usage() {
	sed -n '/^# Usage:/,/^# 120 s of history/p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--quick) seconds=30 kills=3 rate=60 history=120 ;;
	--seconds) seconds=$2; shift ;;
	--kills) kills=$2; shift ;;
	--rate) rate=$2; shift ;;
	--history) history=$2; shift ;;
	--seed) seed=$2; shift ;;
	--bin) bin=$2; shift ;;
	--keep) keep=1 ;;
	--audit) audit_dir=$2; shift ;;
	*) usage ;;
	esac
	shift
done
for v in "$seconds" "$kills" "$seed" "$history"; do
	case $v in '' | *[!0-9]*) usage ;; esac
done
[ "$seconds" -ge 10 ] || { echo "soak: --seconds must be at least 10" >&2; exit 2; }
# Relative paths are the caller's.
case $bin in '' | /*) ;; *) bin=$caller/$bin ;; esac
case $audit_dir in '' | /*) ;; *) audit_dir=$caller/$audit_dir ;; esac

# ---- the audit: reads only the work directory and run.env ----------------

audit() {
	local p a platforms="mastodon x bluesky"

	failed=0
	# check NAME FILE FIELD: FIELD of FILE is a list of offenders, which must
	# be empty; the first three are shown.
	check() {
		local n
		n=$(jq ".$3 | length" "$2")
		if [ "$n" != 0 ]; then
			printf '  %-58s %s   <-- LOSS\n' "$1" "$n"
			jq -r ".$3[:3][] | \"      e.g. \" + (if type == \"string\" then . else tojson end)" "$2"
			failed=1
		else
			printf '  %-58s %s\n' "$1" "$n"
		fi
	}
	count() { printf '  %-58s %s\n' "$1" "$2"; }

	echo
	echo "== soak: ${seconds}s, $kills SIGKILLs ($starts starts), seed $seed"
	echo "-- platform items (simulator at $rate/min per platform, ${history}s of history)"
	for p in $platforms; do
		a=$work/audit-$p.json
		jq -n --slurpfile f "$work/fake-$p.json" --slurpfile m "$work/mentions.json" --arg s "acme-$p" '
			def set: map({key: ., value: true}) | from_entries;
			($f[0].mentions | map(.id)) as $served
			| ($m[0] | map(select(.source == $s)) | map(.id)) as $tracked
			| ($served | set) as $s_set | ($tracked | set) as $t_set
			| {served: ($served | length), tracked: ($tracked | length),
			   missing: [$served[] | select($t_set[.] | not)],
			   extra: [$tracked[] | select($s_set[.] | not)],
			   twice: ($tracked | group_by(.) | map(select(length > 1) | .[0]))}' >"$a"
		count "$p: served by the fake" "$(jq .served "$a")"
		count "$p: tracked (acme-$p)" "$(jq .tracked "$a")"
		check "$p: served but not tracked" "$a" missing
		check "$p: tracked but never served" "$a" extra
		check "$p: listed more than once" "$a" twice
	done

	echo "-- pushes to /ingest/soak-push"
	count "batches sent / answered 202" \
		"$(wc -l <"$work/push-codes") / $(grep -c '^202$' "$work/push-codes" || true)"
	count "answers other than 202 (000: no answer, daemon down)" \
		"$(grep -v '^202$' "$work/push-codes" | sort | uniq -c | awk '{printf "%s x%s  ", $2, $1}')"
	a=$work/audit-push.json
	jq -n --slurpfile m "$work/mentions.json" --rawfile pm "$work/pushed-mentions" \
		--rawfile pr "$work/pushed-replies" '
		($pm | split("\n") | map(select(length > 0))) as $acked
		| ($acked | map({key: ., value: true}) | from_entries) as $a
		| ($pr | split("\n") | map(select(length > 0) | ltrimstr("r-") | select($a[.]))) as $replied
		| ($m[0] | map(select(.source == "soak-push")) | map({key: .id, value: .state})
		   | from_entries) as $st
		| {acked: ($acked | length), missing: [$acked[] | select($st[.] == null)],
		   replies: ($replied | length),
		   unapplied: [$replied[] | select($st[.] != "replied" and $st[.] != "closed")
		               | "\(.): \($st[.])"]}' >"$a"
	count "mentions acknowledged (202)" "$(jq .acked "$a")"
	check "acknowledged mentions not stored" "$a" missing
	count "brand replies acknowledged (202)" "$(jq .replies "$a")"
	check "acknowledged replies whose mention is not replied" "$a" unapplied

	echo "-- deadlines (from the mentions at the snapshot, 5 s grace)"
	a=$work/audit-deadlines.json
	jq -n --slurpfile m "$work/mentions.json" --slurpfile e "$work/events1.json" \
		--argjson now "$snap_ms" --argjson esc "$ESCALATE" --argjson t0 "$t0" '
		def ms: sub("\\.[0-9]+Z$"; "Z") | fromdate * 1000;
		def has($t): . as $types | $t | any(. as $x | $types | index($x) != null);
		($now - 5000) as $due
		| ($e[0] | map(select(.mention != null))) as $mev
		| ($mev | group_by(.mention.key) | map({key: .[0].mention.key, value: map(.type)})
		   | from_entries) as $raised
		| $m[0] as $all
		| {
		  mention_events: ($mev | length),
		  warn_due: ([$all[] | select(.warn_at != null and (.warn_at | ms) < $due
		              and (.replied_at == null or .replied_at > .warn_at))] | length),
		  breach_due: ([$all[] | select(.breach_at != null and (.breach_at | ms) < $due
		                and (.replied_at == null or .replied_at > .breach_at))] | length),
		  unraised_warning: [$all[] | select(.state == "open" and .warn_at != null
		                     and (.warn_at | ms) < $due) | "\(.key) warn_at \(.warn_at)"],
		  unraised_breach: [$all[] | select((.state == "open" or .state == "warning")
		                    and .breach_at != null and (.breach_at | ms) < $due)
		                    | "\(.key) \(.state), breach_at \(.breach_at)"],
		  breached_without_event: [$all[] | select(.state == "breached")
		                           | select(($raised[.key] // []) | has(["breach", "escalation"]) | not)
		                           | .key],
		  unraised_escalation: [$all[] | select(.state == "breached" and .policy == "social"
		                        and ((.created_at | ms) + $esc * 1000) < $due)
		                        | select(($raised[.key] // []) | has(["escalation"]) | not)
		                        | "\(.key) created_at \(.created_at)"],
		  replied_late: ([$all[] | select(.replied_at != null and .warn_at != null
		                  and (.created_at | ms) > $t0 * 1000 + 5000
		                  and (.replied_at | ms) > (.warn_at | ms) + 10000)] | length),
		  replied_late_unraised: [$all[]
		        | select(.replied_at != null and (.created_at | ms) > $t0 * 1000 + 5000)
		        | (.replied_at | ms) as $r
		        | ($raised[.key] // []) as $ev
		        | select((.breach_at != null and $r > (.breach_at | ms) + 10000
		                  and ($ev | has(["breach", "escalation"]) | not))
		                 or (.warn_at != null and $r > (.warn_at | ms) + 10000
		                  and ($ev | has(["warning", "breach", "escalation"]) | not)))
		        | "\(.key) created \(.created_at) warn \(.warn_at) breach \(.breach_at) replied \(.replied_at)"],
		  unresolved: [$all[] | select(.state == "replied")
		               | select(($raised[.key] // []) | has(["warning", "breach", "escalation"]))
		               | select(($raised[.key] // []) | has(["resolved"]) | not) | .key],
		  raised_twice: ($mev
		        | group_by([.mention.key, .type, (.level // 0),
		                    (if .type == "resolved" then "" else .due end)])
		        | map(select((map(.id) | unique | length) > 1)
		              | "\(.[0].mention.key) \(.[0].type) due \(.[0].due): \(map(.id) | unique)"))
		}' >"$a"
	count "mention events raised (the daemon's /events)" "$(jq .mention_events "$a")"
	count "warnings due (warn_at passed, unanswered then)" "$(jq .warn_due "$a")"
	count "breaches due (breach_at passed, unanswered then)" "$(jq .breach_due "$a")"
	check "open past warn_at (warning never raised)" "$a" unraised_warning
	check "open/warning past breach_at (breach never raised)" "$a" unraised_breach
	check "breached without a breach/escalation event" "$a" breached_without_event
	check "breached past escalate_after without escalation" "$a" unraised_escalation
	count "live mentions answered >10 s after a deadline" "$(jq .replied_late "$a")"
	check "... of which a deadline passed unraised" "$a" replied_late_unraised
	check "warned/breached, then replied, no resolved event" "$a" unresolved
	check "deadlines raised under more than one event id" "$a" raised_twice

	echo "-- webhook receiver (every event type subscribed)"
	a=$work/audit-hooks.json
	jq -n --slurpfile e1 "$work/events1.json" --slurpfile e2 "$work/events2.json" \
		--slurpfile d "$work/deliveries.json" --slurpfile st "$work/status.json" '
		# What a receiver took: answered 2xx (a hang too: it answers 200 once
		# the sender has given up), or dropped after the whole body arrived:
		# the sender cannot tell, and must resend under the same webhook-id.
		def taken: (.status != null and .status >= 200 and .status < 300) or .fault == "drop";
		def set: map({key: ., value: true}) | from_entries;
		($d[0] | map(select(taken))) as $took
		| [$took[] | .headers["webhook-id"] as $w | .at as $at | .fault as $f
		   | (.json.events // [])[] | {id, w: $w, at: $at, fault: $f, ev: .}] as $got
		| ($got | group_by(.id)) as $byid
		| ($got | map(.id) | set) as $gotset
		| ($e1[0] | map(.id)) as $raised
		| ($e2[0] | map({key: .id, value: .}) | from_entries) as $log
		| {
		  requests: ($d[0] | length),
		  failed: ($d[0] | map(select(taken | not)) | length),
		  dropped: ($d[0] | map(select(.fault == "drop")) | length),
		  hung: ($d[0] | map(select(.fault == "hang")) | length),
		  raised: ($raised | length),
		  received_ids: ($byid | length),
		  repeats: ($byid | map(length - 1) | add // 0),
		  missing: [$raised[] | select($gotset[.] | not)],
		  two_webhook_ids: [$byid[] | select((map(.w) | unique | length) > 1)
		                    | "\(.[0].id): \(map("\(.w) at \(.at[11:23])\(if .fault then " (" + .fault + ")" else "" end)") | unique | join(", "))"],
		  two_bodies: [$took | group_by(.headers["webhook-id"])[]
		               | select((map(.body) | unique | length) > 1) | .[0].headers["webhook-id"]],
		  unknown: ($got | map(select($log[.id] == null) | .id) | unique),
		  altered: ($got | map(select($log[.id] != null and
		        ([.ev.type, .ev.mention.key, .ev.due, .ev.level]
		         != [$log[.id].type, $log[.id].mention.key, $log[.id].due, $log[.id].level]))
		        | .id) | unique),
		  bad_signature: ($d[0] | map(select(.signature != "valid") | "\(.headers["webhook-id"]): \(.signature)")),
		  dead_letters: [$st[0].alerts[] | select(.dead_letters > 0) | "\(.name): \(.dead_letters)"]
		}' >"$a"
	count "requests received / failed (500, 503)" "$(jq -r '"\(.requests) / \(.failed)"' "$a")"
	count "dropped / hung past the 2 s timeout" "$(jq -r '"\(.dropped) / \(.hung)"' "$a")"
	count "events raised (/events before the last delivery)" "$(jq .raised "$a")"
	count "distinct event ids received" "$(jq .received_ids "$a")"
	count "repeats of an id already received (allowed)" "$(jq .repeats "$a")"
	check "raised but never received" "$a" missing
	check "one event id under two webhook-ids" "$a" two_webhook_ids
	check "one webhook-id with two different bodies" "$a" two_bodies
	check "received ids the daemon never raised" "$a" unknown
	check "received events differing from the log under the same id" "$a" altered
	check "deliveries without a valid signature" "$a" bad_signature
	check "targets with dead letters" "$a" dead_letters
	count "alerts pending at the end (deadlines still falling due)" \
		"$(jq '[.alerts[].pending] | add' "$work/status.json")"
	if [ "${crashes:-0}" = 0 ]; then
		count "replywatchd exits not caused by the soak" 0
	else
		printf '  %-58s %s   <-- LOSS\n' "replywatchd exits not caused by the soak" "$crashes"
		failed=1
	fi
	if [ "$stop_rc" = 0 ]; then
		count "replywatchd exit status on SIGTERM" 0
	else
		printf '  %-58s %s   <-- LOSS\n' "replywatchd exit status on SIGTERM" "$stop_rc"
		failed=1
	fi

	echo
	if [ "$failed" = 0 ]; then
		echo "soak: PASS ($((t_done - t0)) s from the first start to the audit)"
		status=0
	else
		echo "soak: FAIL: see the counts marked LOSS; seed $seed, logs in $work"
		status=1
	fi
}

# --audit DIR: the checks again, on the work directory of an earlier run.
if [ -n "$audit_dir" ]; then
	[ -f "$audit_dir/run.env" ] || { echo "soak: no $audit_dir/run.env" >&2; exit 2; }
	work=$audit_dir
	. "$work/run.env"
	status=2
	audit
	exit "$status"
fi

if [ -z "$bin" ]; then
	"$root/scripts/install-deps.sh"
	echo "==> building"
	cmake -S "$root" -B "$root/build/release" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build "$root/build/release" -j "$(nproc 2>/dev/null || echo 2)" \
		--target replywatchd rwfake >/dev/null
	bin=$root/build/release
fi
for b in replywatchd rwfake; do
	[ -x "$bin/$b" ] || { echo "soak: no $bin/$b" >&2; exit 2; }
done

# shellcheck source=lib/free-port.sh
. "$root/scripts/lib/free-port.sh"

work=$(mktemp -d /tmp/replywatch-soak.XXXXXX)
http_port=$(free_port)
http=127.0.0.1:$http_port
daemon_pid=""
fake_pid=""
redis_pid=""
helpers=()
status=2
cleanup() {
	trap - INT TERM EXIT
	for p in "${helpers[@]}"; do kill "$p" 2>/dev/null || true; done
	[ -n "$daemon_pid" ] && kill -KILL "$daemon_pid" 2>/dev/null
	[ -n "$fake_pid" ] && kill -TERM "$fake_pid" 2>/dev/null
	[ -n "$redis_pid" ] && kill -TERM "$redis_pid" 2>/dev/null
	wait 2>/dev/null || true
	if [ "$keep" = 1 ] || [ "$status" != 0 ]; then
		echo "soak: logs and snapshots kept in $work"
	else
		rm -rf "$work"
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'status=2; exit' INT TERM

say() { echo "[$(date -u +%T)] $*"; }
fail_setup() { echo "soak: $*" >&2; status=2; exit; }

# ---- start: redis, rwfake, replywatchd ----------------------------------

# Redis on a unix socket in the work directory: no port to collide on.
redis-server --port 0 --unixsocket "$work/redis.sock" --dir "$work" --save '' \
	--appendonly no --logfile "$work/redis.log" &
redis_pid=$!
for _ in $(seq 100); do
	redis-cli -s "$work/redis.sock" ping >/dev/null 2>&1 && break
	kill -0 "$redis_pid" 2>/dev/null || fail_setup "redis-server did not start: $(tail -3 "$work/redis.log")"
	sleep 0.05
done
"$bin/rwfake" --port 0 --simulate --rate "$rate" --seed "$seed" --history "$history" >"$work/rwfake.log" 2>&1 &
fake_pid=$!
for _ in $(seq 100); do
	grep -q "listening on" "$work/rwfake.log" 2>/dev/null && break
	sleep 0.1
done
fake_port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/rwfake.log")
[ -n "$fake_port" ] || fail_setup "rwfake did not start: $(cat "$work/rwfake.log")"
fake=http://127.0.0.1:$fake_port
secret=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
curl -fsS "$fake/_fake/hook/soak/config" -d "{\"secret\":\"$secret\"}" >/dev/null

# Policies without a calendar, so which deadlines are due follows from the
# mentions alone; ESCALATE must match escalate_after below.
ESCALATE=180
write_config() {
cat >"$work/soak.json" <<EOF
{
  "log_level": "info",
  "redis": { "url": "unix://$work/redis.sock?db=0", "key_prefix": "soak:" },
  "http": { "listen": "$http" },
  "retention": { "closed": "1d", "give_up_after": "1d", "backfill": "$((history + 3600))s" },
  "policies": [
    { "name": "vip", "match": { "min_followers": 10000 }, "warn_after": "30s", "breach_after": "1m" },
    { "name": "social", "warn_after": "45s", "breach_after": "90s", "escalate_after": ["3m"] }
  ],
  "sources": [
    { "name": "acme-mastodon", "type": "mastodon", "base_url": "$fake",
      "token": "mastodon-test-token", "poll_every": "2s",
      "automated_reply_patterns": ["Thanks for reaching out"] },
    { "name": "acme-x", "type": "x", "base_url": "$fake", "user_id": "2244994945",
      "token": "x-test-token", "poll_every": "2s",
      "automated_reply_patterns": ["Thanks for reaching out"] },
    { "name": "acme-bluesky", "type": "bluesky", "base_url": "$fake",
      "identifier": "acme.bsky.social", "app_password": "app-pass-1234", "poll_every": "2s",
      "automated_reply_patterns": ["Thanks for reaching out"] },
    { "name": "soak-push", "type": "push", "token": "soak-push-token" }
  ],
  "alerts": [
    { "name": "soak", "format": "json", "url": "$fake/hook/soak", "secret": "$secret",
      "events": ["warning", "breach", "escalation", "resolved", "expired",
                 "source_down", "source_up"],
      "timeout": "2s", "group_window": "1s" }
  ]
}
EOF
}
write_config
"$bin/replywatchd" --check-config -c "$work/soak.json" >/dev/null ||
	fail_setup "the soak configuration is refused"

starts=0
start_daemon() {
	starts=$((starts + 1))
	start_ms=$(date +%s%3N)
	echo "=== start $starts at $(date -u +%T.%N)" >>"$work/replywatchd.log"
	"$bin/replywatchd" -c "$work/soak.json" 2>>"$work/replywatchd.log" &
	daemon_pid=$!
}
ready() { curl -fsS -m 2 "http://$http/readyz" >/dev/null 2>&1; }
wait_ready() {
	for _ in $(seq 300); do
		ready && return 0
		kill -0 "$daemon_pid" 2>/dev/null || fail_setup "replywatchd exited; see $work/replywatchd.log"
		sleep 0.1
	done
	fail_setup "replywatchd not ready after 30 s"
}
for try in 1 2 3 4 5; do
	start_daemon
	for _ in $(seq 300); do
		ready || ! kill -0 "$daemon_pid" 2>/dev/null || { sleep 0.1; continue; }
		break
	done
	ready && break
	kill -KILL "$daemon_pid" 2>/dev/null || true
	wait "$daemon_pid" 2>/dev/null || true
	[ "$try" = 5 ] && fail_setup "replywatchd did not start; see $work/replywatchd.log"
	http_port=$(free_port) # the likeliest cause: the port was taken meanwhile
	http=127.0.0.1:$http_port
	write_config
done
say "soak: ${seconds}s, $kills kills, $rate mentions/min per platform after ${history}s of history, seed $seed (work: $work)"

t0=$(date +%s)
t_end=$((t0 + seconds))

# ---- the pusher: batches to /ingest, 202s recorded -------------------------

pusher() {
	local n=0 code body item ids replies prev=""
	RANDOM=$((seed % 32768))
	while [ "$(date +%s)" -lt "$t_end" ]; do
		local now k
		now=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
		body="" ids="" replies=""
		for k in $(seq $((RANDOM % 5 + 1))); do
			n=$((n + 1))
			item="{\"id\":\"soak-$n\",\"created_at\":\"$now\",\"author\":\"@c$((RANDOM % 40))\",\"text\":\"push $n: where is my order?\"}"
			body="$body${body:+,}$item"
			ids="$ids soak-$n"
		done
		# Answer about half of the mentions acknowledged last round.
		for k in $prev; do
			[ $((RANDOM % 2)) = 0 ] && continue
			body="$body,{\"id\":\"r-$k\",\"created_at\":\"$now\",\"in_reply_to\":\"$k\",\"from_brand\":true}"
			replies="$replies r-$k"
		done
		code=$(curl -s -o /dev/null -w '%{http_code}' -m 5 \
			-H "Authorization: Bearer soak-push-token" -d "[$body]" \
			"http://$http/ingest/soak-push" || true)
		echo "$code" >>"$work/push-codes"
		if [ "$code" = 202 ]; then
			printf '%s\n' $ids >>"$work/pushed-mentions"
			[ -n "$replies" ] && printf '%s\n' $replies >>"$work/pushed-replies"
			prev=$ids
		fi
		sleep 0.$((RANDOM % 5))
	done
}

# ---- the receiver: healthy, then failing, in periods -----------------------

receiver() {
	local kind n
	RANDOM=$(((seed / 7) % 32768))
	# The failure kinds in turn, from a random one, so that even a short
	# run sees three of them.
	n=$((RANDOM % 4))
	while [ "$(date +%s)" -lt "$t_end" ]; do
		sleep $((RANDOM % 5 + 3))
		case $((n++ % 4)) in
		0) kind='{"kind":500,"count":100000}' ;;
		1) kind='{"kind":"drop","count":100000}' ;;
		2) kind='{"kind":503,"count":100000,"retry_after":1}' ;;
		*) kind='{"kind":"hang","count":100000,"delay_ms":2500}' ;;
		esac
		echo "$(date -u +%T) fail $kind" >>"$work/receiver-periods"
		curl -fsS -m 5 "$fake/_fake/hook/soak/fault" -d "$kind" >/dev/null || true
		sleep $((RANDOM % 4 + 2))
		curl -fsS -m 5 -X DELETE "$fake/_fake/hook/soak/fault" >/dev/null || true
		echo "$(date -u +%T) healthy" >>"$work/receiver-periods"
	done
}

: >"$work/pushed-mentions"
: >"$work/pushed-replies"
: >"$work/push-codes"
: >"$work/receiver-periods"
pusher &
helpers+=($!)
receiver &
helpers+=($!)

# ---- the kills: one at a random moment in each of KILLS equal slots --------

# A daemon found dead (not by our hand) is a crash: counted, restarted.
crashes=0
alive() {
	local rc=0
	kill -0 "$daemon_pid" 2>/dev/null && return 0
	wait "$daemon_pid" 2>/dev/null || rc=$?
	crashes=$((crashes + 1))
	say "replywatchd exited by itself (status $rc); restarting"
	start_daemon
	return 1
}
sleep_until_ms() {
	local now_ms
	now_ms=$(date +%s%3N)
	[ "$1" -gt "$now_ms" ] || return 0
	sleep "$(printf '%d.%03d' $((($1 - now_ms) / 1000)) $((($1 - now_ms) % 1000)))"
}
kill_restart() {
	alive || true
	kill -KILL "$daemon_pid" 2>/dev/null || true
	wait "$daemon_pid" 2>/dev/null || true
	say "kill $1/$kills: SIGKILL $(($(date +%s%3N) - start_ms)) ms after its start; restarting"
	start_daemon
}
slot_ms=$((seconds * 1000 / (kills > 0 ? kills : 1)))
RANDOM=$(((seed / 13) % 32768))
i=0
while [ "$i" -lt "$kills" ]; do
	i=$((i + 1))
	sleep_until_ms $((t0 * 1000 + (i - 1) * slot_ms + (RANDOM * 32768 + RANDOM) % slot_ms))
	kill_restart "$i"
	# A third of the time the next kill follows within 1.5 s of this start:
	# during the recovery of pending deliveries, the first polls, backfill.
	if [ "$i" -lt "$kills" ] && [ $((RANDOM % 3)) = 0 ]; then
		i=$((i + 1))
		sleep_until_ms $((start_ms + RANDOM % 1500))
		kill_restart "$i"
	fi
done
now=$(date +%s)
[ "$now" -lt "$t_end" ] && sleep $((t_end - now))
for p in "${helpers[@]}"; do wait "$p" 2>/dev/null || true; done
helpers=()

# ---- catch up: simulator paused, receiver healthy ------------------------

curl -fsS "$fake/_fake/simulator" -d '{"paused":true}' >/dev/null
curl -fsS -X DELETE "$fake/_fake/hook/soak/fault" >/dev/null
alive || true
wait_ready
say "load stopped; letting the daemon catch up"

# Pages through URL (which ends in ? or &), KEY holding the list, PARAM and
# NEXT the cursor's names; writes one JSON array to OUT.
fetch_all() {
	local url=$1 key=$2 param=$3 next=$4 out=$5 cursor="" page
	: >"$out.pages"
	while :; do
		page=$(curl -fsS -m 10 "${url}limit=1000${cursor:+&$param=$(jq -rn --arg c "$cursor" '$c|@uri')}") ||
			return 1
		echo "$page" | jq -c ".$key" >>"$out.pages"
		cursor=$(echo "$page" | jq -r ".$next // empty")
		[ -n "$cursor" ] && [ "$(echo "$page" | jq ".$key | length")" -gt 0 ] || break
	done
	jq -s 'add // []' "$out.pages" >"$out"
	rm -f "$out.pages"
}

platforms="mastodon x bluesky"
caught_up() {
	local p
	for p in $platforms; do
		curl -fsS -m 10 "$fake/_fake/$p/mentions" >"$work/fake-$p.json" || return 1
		fetch_all "http://$http/mentions?source=acme-$p&" mentions cursor next_cursor \
			"$work/tracked-$p.json" || return 1
		[ "$(jq '[.[].id] | unique | length' "$work/tracked-$p.json")" -ge \
			"$(jq .count "$work/fake-$p.json")" ] || return 1
	done
}
deadline=$(($(date +%s) + 240))
until caught_up; do
	[ "$(date +%s)" -lt "$deadline" ] || { say "polls did not catch up within 240 s"; break; }
	sleep 2
done
say "polls caught up"

# ---- snapshots: mentions, events, deliveries, events again ---------------

# Deadlines keep falling due after the load stops (the simulator's open
# mentions breach and escalate), so "nothing pending" may never hold: wait
# instead until the receiver has taken every event raised by the snapshot.
snap_ms=$(date +%s%3N)
fetch_all "http://$http/mentions?" mentions cursor next_cursor "$work/mentions.json" ||
	fail_setup "GET /mentions failed"
fetch_all "http://$http/events?" events after next_after "$work/events1.json" ||
	fail_setup "GET /events failed"
delivered() {
	curl -fsS -m 10 "$fake/_fake/hooks?name=soak" | jq '.deliveries' >"$work/deliveries.json" ||
		return 1
	jq -e -n --slurpfile e "$work/events1.json" --slurpfile d "$work/deliveries.json" '
		($d[0] | map(select((.status != null and .status < 300) or .fault == "drop"))
		 | map((.json.events // [])[] | {key: .id, value: true}) | from_entries) as $got
		| all($e[0][]; $got[.id])' >/dev/null
}
deadline=$(($(date +%s) + 300))
until delivered; do
	[ "$(date +%s)" -lt "$deadline" ] || { say "events still undelivered after 300 s"; break; }
	sleep 2
done
say "receiver has every event raised by the snapshot"
curl -fsS "http://$http/status" >"$work/status.json"
fetch_all "http://$http/events?" events after next_after "$work/events2.json" ||
	fail_setup "GET /events failed"
for p in $platforms; do
	curl -fsS "$fake/_fake/$p/mentions" >"$work/fake-$p.json"
done
kill -TERM "$daemon_pid"
stop_rc=0
wait "$daemon_pid" || stop_rc=$?
daemon_pid=""

t_done=$(date +%s)
cat >"$work/run.env" <<EOF
seconds=$seconds kills=$kills rate=$rate history=$history seed=$seed starts=$starts crashes=$crashes
t0=$t0 t_done=$t_done snap_ms=$snap_ms stop_rc=$stop_rc ESCALATE=$ESCALATE
EOF
audit
