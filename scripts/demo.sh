#!/usr/bin/env bash
# Runs the replywatch demo: installs missing packages, builds, starts a
# private redis-server in a temporary directory, the fake Mastodon, X,
# Bluesky, Facebook, Instagram, YouTube, Reddit, LinkedIn, Trustpilot, Google
# Business Profile, Google Play, App Store, Allegro and Discourse APIs with
# their traffic simulator (tests/fakes), and replywatchd with config/demo.json polling
# them all (and taking the simulator's Meta webhooks); shows the live status
# until Ctrl-C, which stops everything this script started. The dashboard's
# URL is printed first, then a summary for people every 5 s.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
redis_port=6390
http=127.0.0.1:9477
fake_port=9478

"$root/scripts/install-deps.sh" --demo
echo "==> building"
cmake -S "$root" -B "$root/build/release" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$root/build/release" -j "$(nproc 2>/dev/null || echo 2)" --target replywatchd rwfake >/dev/null

for p in "$redis_port" 9477 "$fake_port"; do
	if (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		echo "demo: port $p on 127.0.0.1 is in use; stop whatever listens there and retry" >&2
		exit 1
	fi
done

work=$(mktemp -d /tmp/replywatch-demo.XXXXXX)
redis_pid=""
daemon_pid=""
fake_pid=""
cleanup() {
	trap - INT TERM EXIT
	[ -n "$daemon_pid" ] && kill -TERM "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
	[ -n "$fake_pid" ] && kill -TERM "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null
	[ -n "$redis_pid" ] && kill -TERM "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
	rm -rf "$work"
	echo "demo: stopped"
}
trap cleanup INT TERM EXIT

echo "==> redis-server on 127.0.0.1:$redis_port (data in $work)"
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work" --save '' \
	--appendonly no --logfile "$work/redis.log" &
redis_pid=$!

# Keys of the review sources, made fresh for each run: an RSA key for the
# Google Play service account and an EC P-256 key for the App Store
# Connect API (Apple's .p8 is this PKCS#8 PEM). The fake gets the public
# halves to check signatures with; replywatchd reads the private ones as
# "cred:" secrets from $CREDENTIALS_DIRECTORY, as under systemd's
# LoadCredential=, so config/demo.json stays as it is (the simplest way to
# name files whose directory is known only now).
creds="$work/credentials"
mkdir -m 700 "$creds"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$creds/google-play-key" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$creds/app-store-key"
openssl pkey -in "$creds/google-play-key" -pubout -out "$work/google-play.pub.pem"
openssl pkey -in "$creds/app-store-key" -pubout -out "$work/app-store.pub.pem"

echo "==> fake social and review APIs with a traffic simulator on 127.0.0.1:$fake_port"
"$root/build/release/rwfake" --port "$fake_port" --simulate --rate 6 \
	--google_play-public-key "$work/google-play.pub.pem" \
	--app_store-public-key "$work/app-store.pub.pem" \
	>"$work/rwfake.log" 2>&1 &
fake_pid=$!
i=0
until grep -q "listening on" "$work/rwfake.log" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$fake_pid" 2>/dev/null; then
		echo "demo: rwfake did not start; its log:" >&2
		cat "$work/rwfake.log" >&2
		exit 1
	fi
	sleep 0.1
done

# The review sources poll every 5 s and read open reviews again by id on
# each poll (a real deployment polls every few minutes): lift the fake's
# per-endpoint windows (300 calls per 5 min) so the demo is not rate-limited.
for p in trustpilot google_oauth google_business google_play app_store linkedin meta youtube discourse allegro; do
	curl -fsS "http://127.0.0.1:$fake_port/_fake/$p/config" -d '{"rate_limit":100000}' >/dev/null
done
# Likewise YouTube's daily quota (10 000 units): polls every 5 s with open
# threads read again would spend it in about an hour.
curl -fsS "http://127.0.0.1:$fake_port/_fake/youtube/quota" -d '{"units":100000000}' >/dev/null

# The fake server's webhook receiver checks the demo target's signatures.
curl -fsS "http://127.0.0.1:$fake_port/_fake/hook/demo/config" \
	-d '{"secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}' >/dev/null

echo "==> replywatchd with config/demo.json (log: $work/replywatchd.log)"
CREDENTIALS_DIRECTORY="$creds" "$root/build/release/replywatchd" -c "$root/config/demo.json" \
	2>"$work/replywatchd.log" &
daemon_pid=$!

i=0
until curl -fsS "http://$http/readyz" >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$daemon_pid" 2>/dev/null; then
		echo "demo: replywatchd did not become ready; its log:" >&2
		cat "$work/replywatchd.log" >&2
		exit 1
	fi
	sleep 0.1
done

# The simulator sends some of its Facebook and Instagram comments and answers
# as Meta's signed webhooks too, to the sources' /hooks/ URLs (the app secret
# of config/demo.json); the polls find them again, tracked once.
curl -fsS "http://127.0.0.1:$fake_port/_fake/simulator" -d '{"webhooks": {"app_secret": "demo-meta-app-secret",
	"facebook": "http://'"$http"'/hooks/acme-facebook", "instagram": "http://'"$http"'/hooks/acme-instagram"}}' >/dev/null

# A few sample mentions, as a push integration would send them: a VIP, a
# social mention, and one the brand answers 20 s after it was posted.
now() { date -u +%Y-%m-%dT%H:%M:%S.000Z; }
ago() { date -u -d "@$(($(date +%s) - $1))" +%Y-%m-%dT%H:%M:%S.000Z; }
push() {
	curl -fsS -H "Authorization: Bearer demo-push-token" -d "$1" "http://$http/ingest/demo-push" >/dev/null
}
push "[{\"id\":\"1001\",\"created_at\":\"$(now)\",\"author\":\"@famous\",\"author_followers\":250000,\"text\":\"Still no answer about my order...\"},
       {\"id\":\"1002\",\"created_at\":\"$(now)\",\"author\":\"@ann\",\"text\":\"Where is my refund?\",\"conversation_id\":\"c9\"},
       {\"id\":\"1003\",\"created_at\":\"$(ago 40)\",\"author\":\"@bob\",\"text\":\"Love the new app!\"},
       {\"id\":\"r1\",\"created_at\":\"$(ago 20)\",\"in_reply_to\":\"1003\",\"from_brand\":true}]"

cat <<MSG

Dashboard: http://$http/  (open it in a browser: charts, the mentions waiting too long, close by hand)

replywatch is running. It polls the simulated Mastodon, X and Bluesky accounts of "acme"
every 5 s (customers post about 6 mentions a minute on each; the brand answers most of them
after 5 s to 3 min), and three sample mentions were pushed to the "demo-push" source.
It polls acme-facebook, acme-instagram, acme-youtube, acme-reddit and acme-linkedin every
5 s too: about 2 comments or mentions a minute on each (Page comments and visitor posts,
Instagram comments, YouTube threads, Reddit mentions and replies, LinkedIn comments and
mentions); the brand answers 85 % after 5 s to 6 min, about half of them before the "social"
policy warns (45 s) and some after it breaches (90 s). Some Facebook and Instagram items
arrive first as signed Meta webhooks (/status shows the sources' "webhooks" counters).
It also polls four review sources every 5 s: acme-trustpilot, acme-google-business,
acme-google-play and acme-app-store (about 2 reviews a minute on each, of every rating; the
brand answers about 80 % after 5 s to 6 min, so a few breach). Reviews of 1-2 stars go to
the "angry-reviews" policy (warning after 1 min, breach after 2 min), the rest to "reviews"
(breach after 5 min).
acme-allegro reads the seller acme-shop on a fake Allegro: about 2 buyer ratings a minute (a
third negative), 2 Message Center threads (messages and offer questions, sometimes several
buyer messages before the one answer) and 1 post-purchase issue with its chat; buyer messages
go to the "messages" policy (warning after 1 min, breach after 2 min). acme-forum, a generic
json source, reads a Discourse forum's latest posts: about 2 new topics a minute, answered in
the topic by acme_support. The seller and the support account answer 85 % after 5 s to 6 min.
Breaches and resolutions are delivered, signed, to a webhook receiver in the fake server.
  status:     curl http://$http/status
  mentions:   curl http://$http/mentions
  events:     curl http://$http/events
  metrics:    curl http://$http/metrics
  push more:  curl -H 'Authorization: Bearer demo-push-token' http://$http/ingest/demo-push \\
                -d '{"id":"1","created_at":"$(now)","author":"@you","text":"hello"}'
  alerts:     curl -s 'http://127.0.0.1:$fake_port/_fake/hooks?name=demo' | jq '.deliveries[-1]'
  a mention:  curl http://127.0.0.1:$fake_port/_fake/x/mention -d '{"author":"you","text":"help!"}'
  a review:   curl http://127.0.0.1:$fake_port/_fake/trustpilot/review \
                -d '{"stars":1,"title":"Awful","text":"Nobody answers","author":"You"}'
              (then answer it: curl http://127.0.0.1:$fake_port/_fake/trustpilot/answer \
                -d '{"id":"ID","text":"So sorry!"}')
  reviews:    curl http://$http/mentions?source=acme-trustpilot
  LinkedIn:   curl http://127.0.0.1:$fake_port/_fake/linkedin/comment -d '{}'   (a comment on the
              Page's post; acme-linkedin tracks it, without its text; answer it with
              curl http://127.0.0.1:$fake_port/_fake/linkedin/reply -d '{"id":"URN"}')
  YouTube:    curl http://127.0.0.1:$fake_port/_fake/youtube/comment -d '{"text":"help!"}'
              (the brand answers: .../_fake/youtube/reply -d '{"thread":"ID","text":"Sure"}';
              comments: curl http://$http/mentions?source=acme-youtube)
  webhooks:   curl -s http://$http/status | jq '.sources[] | select(.webhooks) | {name, webhooks}'
  a forum:    curl http://127.0.0.1:$fake_port/_fake/discourse/post -d '{"username":"you","raw":"help!"}'
              (the generic json source acme-forum tracks it; answer in its topic with
              .../_fake/discourse/post -d '{"username":"acme_support","topic_id":N,"raw":"Sure"}';
              try the source: CREDENTIALS_DIRECTORY=$creds \\
                build/release/replywatchd --try-source acme-forum -c config/demo.json)
  Allegro:    curl http://127.0.0.1:$fake_port/_fake/allegro/rating -d '{"recommended":false,"comment":"broken"}'
              (the seller answers: .../_fake/allegro/answer -d '{"id":"ID","message":"Sorry"}')
  break X:    curl http://127.0.0.1:$fake_port/_fake/x/fault -d '{"endpoint":"*","kind":"503","count":20}'
  reload:     kill -HUP $daemon_pid
Press Ctrl-C to stop.

MSG
# Numbers for people, as the dashboard shows them: 0.9663 -> "96.6 %", 252 -> "4 m 12 s".
# shellcheck disable=SC2016 # $t and $s are jq variables
summary='def pct: if . == null then "-" else (. * 1000 | round) as $t | "\($t / 10 | floor).\($t % 10) %" end;
	def two($a; $ua; $b; $ub): "\($a) \($ua)" + (if $b > 0 then " \($b) \($ub)" else "" end);
	def dur: if . == null then "-"
		elif . < 10 and . != (. | round) then "\(. * 10 | round / 10) s"
		else (. | round) as $s
		| if $s >= 86400 then two($s / 86400 | floor; "d"; $s % 86400 / 3600 | floor; "h")
		elif $s >= 3600 then two($s / 3600 | floor; "h"; $s % 3600 / 60 | floor; "m")
		elif $s >= 60 then two($s / 60 | floor; "m"; $s % 60; "s")
		else "\($s) s" end end;
	(.policies[] | "  policy \(.name): \(.open) open, \(.warning) warning, \(.breached) breached; last hour: \(.windows["1h"].replied) replied, \(.windows["1h"].compliance | pct) within SLA, p90 \(.windows["1h"].response_seconds.p90 | dur)"),
	(.sources[] | "  \(.name) [\(.type)]: \(.state), \(.mentions_seen) mentions, \(.replies_seen) replies\(if .last_error then " - " + .last_error else "" end)"),
	(.alerts[] | "  alerts \(.name): \(.state), \(.pending) pending, \(.dead_letters) dead letters")'
while kill -0 "$daemon_pid" 2>/dev/null; do
	echo "--- $(date +%T)  dashboard: http://$http/"
	curl -sS "http://$http/status" | jq -r "$summary" 2>&1 || true
	sleep 5
done
