#!/usr/bin/env bash
# Runs the replywatch demo: installs missing packages, builds, starts a
# private redis-server in a temporary directory, the fake Mastodon, X,
# Bluesky, Reddit, Trustpilot, Google Business Profile, Google Play and App
# Store APIs with their traffic simulator (tests/fakes; it makes no Reddit
# traffic yet), and replywatchd with config/demo.json polling all eight; shows the live status until Ctrl-C,
# which stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
redis_port=6390
http=127.0.0.1:9477
fake_port=9478

"$root/scripts/install-deps.sh"
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
for p in trustpilot google_oauth google_business google_play app_store linkedin meta youtube allegro; do
	curl -fsS "http://127.0.0.1:$fake_port/_fake/$p/config" -d '{"rate_limit":100000}' >/dev/null
done

# The Graph fake has no simulator: a Page post with a customer's comment
# answered by the Page, an open one, and an Instagram media with a comment.
meta() {
	curl -fsS "http://127.0.0.1:$fake_port/_fake/meta/$1" -d "$2" | sed 's/.*"id": *"\([^"]*\)".*/\1/'
}
fb_post=$(meta post '{"edge":"posts","from_id":"101","from_name":"Acme","text":"Winter menu"}')
fb_c=$(meta comment "{\"post\":\"$fb_post\",\"from_id\":\"900\",\"from_name\":\"Ann\",\"text\":\"My order never came\"}")
meta comment "{\"post\":\"$fb_post\",\"parent\":\"$fb_c\",\"from_id\":\"101\",\"from_name\":\"Acme\",\"text\":\"Sorry! DM sent\"}" >/dev/null
meta comment "{\"post\":\"$fb_post\",\"from_id\":\"901\",\"from_name\":\"Bo\",\"text\":\"Open on Sunday?\"}" >/dev/null
ig_media=$(meta post '{"edge":"media","from_id":"17841405822304914","username":"brandcafe","text":"New season"}')
meta comment "{\"post\":\"$ig_media\",\"from_id\":\"17841400000000900\",\"username\":\"cy\",\"text\":\"Where can I buy this?\"}" >/dev/null

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

# Two YouTube comments (the simulator makes none): one the brand answered
# after 30 s, one still open.
yt() { curl -fsS "http://127.0.0.1:$fake_port/_fake/youtube/$1" -d "$2"; }
yt_id=$(yt comment "{\"text\":\"Does it work offline?\",\"name\":\"@kim\",\"at\":\"$(ago 60)\"}" | jq -r .id)
yt reply "{\"thread\":\"$yt_id\",\"text\":\"Yes, fully.\",\"at\":\"$(ago 30)\"}" >/dev/null
yt comment "{\"text\":\"The update broke my playlist\",\"name\":\"@lou\",\"at\":\"$(now)\"}" >/dev/null

# Two Allegro buyer ratings (no simulator): one the seller answered after
# 45 s, one negative still open. acme-allegro signs in with the fake's seed
# refresh token, then keeps the rotated one in Redis, encrypted.
al() { curl -fsS "http://127.0.0.1:$fake_port/_fake/allegro/$1" -d "$2"; }
al_id=$(al rating "{\"buyer\":\"kasia\",\"comment\":\"Szybka wysyłka\",\"recommended\":true,\"created_at\":\"$(ago 90)\"}" | jq -r .id)
al answer "{\"id\":\"$al_id\",\"message\":\"Dziękujemy!\",\"created_at\":\"$(ago 45)\"}" >/dev/null
al rating "{\"buyer\":\"marek\",\"comment\":\"Paczka uszkodzona\",\"recommended\":false,\"rates\":{\"delivery\":1,\"service\":2},\"created_at\":\"$(now)\"}" >/dev/null

cat <<MSG

replywatch is running. It polls the simulated Mastodon, X and Bluesky accounts of "acme"
every 5 s (customers post about 6 mentions a minute on each; the brand answers most of them
after 5 s to 3 min), and three sample mentions were pushed to the "demo-push" source.
It also polls four review sources every 5 s: acme-trustpilot, acme-google-business,
acme-google-play and acme-app-store (about 2 reviews a minute on each, of every rating; the
brand answers about 80 % after 5 s to 6 min, so a few breach), and acme-youtube (two sample
comments; add more with the call below). Reviews of 1-2 stars go to
the "angry-reviews" policy (warning after 1 min, breach after 2 min), the rest to "reviews"
(breach after 5 min).
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
  Allegro:    curl http://127.0.0.1:$fake_port/_fake/allegro/rating -d '{"recommended":false,"comment":"broken"}'
              (the seller answers: .../_fake/allegro/answer -d '{"id":"ID","message":"Sorry"}')
  break X:    curl http://127.0.0.1:$fake_port/_fake/x/fault -d '{"endpoint":"*","kind":"503","count":20}'
  reload:     kill -HUP $daemon_pid
Press Ctrl-C to stop.

MSG
summary='(.sources[] | "  \(.name) [\(.type)]: \(.state), \(.mentions_seen) mentions, \(.replies_seen) replies\(if .last_error then " - " + .last_error else "" end)"),
	(.alerts[] | "  alerts \(.name): \(.state), \(.pending) pending, \(.dead_letters) dead letters"),
	(.policies[] | "  policy \(.name): open \(.open), warning \(.warning), breached \(.breached); last hour: \(.windows["1h"].replied) replied, compliance \(.windows["1h"].compliance // "-"), p90 \(.windows["1h"].response_seconds.p90 // "-") s")'
while kill -0 "$daemon_pid" 2>/dev/null; do
	echo "--- $(date +%T)"
	curl -sS "http://$http/status" | jq -r "$summary" 2>&1 || true
	sleep 5
done
