#!/bin/sh
# Run by scripts/test-package.sh inside the clean Debian 12 root (chroot):
# installs the package as an operator would and checks what it put there.
# Usage: package-inside.sh PATH_TO_DEB VERSION
set -eu
deb=$1
version=$2
export DEBIAN_FRONTEND=noninteractive
fail() {
	echo "inside: FAIL: $*" >&2
	exit 1
}

apt-get update -qq
# As the README says: apt install ./replywatch_*.deb (dependencies from the mirror).
apt-get install -y -qq --no-install-recommends "$deb" >/tmp/apt.log 2>&1 ||
	{ cat /tmp/apt.log; fail "apt-get install $deb"; }
echo "installed: $(dpkg-query -W -f='${Package} ${Version} ${Status}' replywatch)"

out=$(replywatchd --version) || fail "replywatchd --version failed"
[ "$out" = "replywatchd $version" ] || fail "--version printed \"$out\""
echo "replywatchd --version: $out"
out=$(replywatchd --check-config -c /etc/replywatch/replywatch.json) ||
	fail "--check-config of the shipped /etc/replywatch/replywatch.json failed"
[ "$out" = "configuration OK" ] || fail "--check-config of the shipped file: $out"
replywatchd --check-config >/dev/null || fail "--check-config of the default path"
echo "replywatchd --check-config -c /etc/replywatch/replywatch.json: $out"
# The example, checked as docs/configuration.md tells a reader to.
out=$(sh /tmp/pkg/example.sh 2>&1) || { echo "$out"; fail "the example does not check"; }
echo "example (docs/configuration.md commands): $out"

# Files, conffiles, the unit, no user.
for f in /usr/sbin/replywatchd /lib/systemd/system/replywatch.service \
	/usr/share/man/man8/replywatchd.8.gz /usr/share/man/man5/replywatch.json.5.gz \
	/usr/share/doc/replywatch/copyright /usr/share/doc/replywatch/changelog.gz; do
	[ -e "$f" ] || fail "$f is missing"
done
conffiles=$(dpkg-query -W -f='${Conffiles}' replywatch)
for f in /etc/replywatch/replywatch.json /etc/replywatch/replywatch.example.json; do
	echo "$conffiles" | grep -q " $f " || fail "$f is not a conffile"
done
[ -L /etc/systemd/system/multi-user.target.wants/replywatch.service ] ||
	fail "the unit is not enabled"
! getent passwd replywatch >/dev/null || fail "a replywatch user exists (the unit has DynamicUser)"
# The dynamic user (not root) must be able to read the configuration.
[ "$(stat -c %a /etc/replywatch/replywatch.json)" = 644 ] ||
	fail "/etc/replywatch/replywatch.json is $(stat -c %a /etc/replywatch/replywatch.json), not 644"
echo "files, conffiles, enabled unit, no system user: ok"

# The service runs as a dynamic user: an unprivileged user (nobody here) must
# be able to read the configuration, start the daemon from it and stop it
# with SIGTERM (exit 0). Port 0 and no Redis, so that nothing on the host
# (whose network this root shares) is touched.
nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
$nobody replywatchd --check-config >/dev/null || fail "nobody cannot check /etc/replywatch/replywatch.json"
sed 's|"listen": *"[^"]*"|"listen": "127.0.0.1:0"|; s|"url": *"redis://[^"]*"|"url": "unix:///nonexistent/redis.sock"|' \
	/etc/replywatch/replywatch.json >/tmp/run.json
chmod 644 /tmp/run.json
rc=0
timeout --preserve-status -s TERM 3 $nobody replywatchd -c /tmp/run.json >/tmp/run.log 2>&1 || rc=$?
grep -q 'started' /tmp/run.log && grep -q 'stopped' /tmp/run.log && [ "$rc" -eq 0 ] ||
	{ cat /tmp/run.log; fail "replywatchd did not start and stop cleanly as nobody (exit $rc)"; }
echo "started as nobody from the shipped configuration, stopped by SIGTERM: ok"

# A changed conffile survives a reinstall (an upgrade to the same version)
# and a remove; purge takes it away.
edited='"listen": "127.0.0.1:9478"'
sed -i 's/"listen": *"[^"]*"/"listen": "127.0.0.1:9478"/' /etc/replywatch/replywatch.json
grep -q "$edited" /etc/replywatch/replywatch.json ||
	fail "could not edit the shipped configuration (no http.listen?)"
dpkg -i "$deb" >/tmp/dpkg.log 2>&1 || { cat /tmp/dpkg.log; fail "reinstall"; }
grep -q "$edited" /etc/replywatch/replywatch.json || fail "reinstall replaced the edited conffile"
replywatchd --check-config >/dev/null || fail "--check-config after the reinstall"
dpkg --remove replywatch >/tmp/dpkg.log 2>&1 || { cat /tmp/dpkg.log; fail "remove"; }
grep -q "$edited" /etc/replywatch/replywatch.json || fail "remove took the edited conffile"
dpkg --purge replywatch >/tmp/dpkg.log 2>&1 || { cat /tmp/dpkg.log; fail "purge"; }
[ ! -e /etc/replywatch/replywatch.json ] || fail "purge left /etc/replywatch/replywatch.json"
echo "edited conffile kept on reinstall and remove, removed on purge: ok"
