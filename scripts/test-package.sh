#!/bin/sh
# Builds the Debian package from the tree, checks it with lintian, installs it
# with apt into a clean Debian 12 root and runs it there (docs/packaging.md):
# --version, --check-config of the shipped configuration and of the example
# (as docs/configuration.md's "Running the example" says), the unit enabled,
# no system user, the man pages, a changed conffile kept on reinstall, purge.
# Needs root (chroot, mounts), dpkg-dev, debhelper, pandoc, lintian, mmdebstrap
# and the Debian mirror of /etc/apt/sources.list.d: scripts/install-deps.sh
# installs the tools; a missing one fails the test.
# Usage: scripts/test-package.sh [OUTDIR]   (default build/package: the package,
# logs). The clean root's tarball and the downloaded packages are kept between
# runs in $RW_PACKAGE_CACHE (default ~/.cache/replywatch-package, outside the
# tree, so that a fresh clone, as CI's, reuses them); a root older than a week
# is made again. The package itself is rebuilt each time.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
out=${1:-$top/build/package}
mkdir -p "$out"
out=$(cd "$out" && pwd)
jobs=$(nproc 2>/dev/null || echo 2)
start=$(date +%s)

fail() {
	echo "test-package: FAIL: $*" >&2
	exit 1
}
step() {
	echo "==> package: $* ($(($(date +%s) - start)) s)"
}

for tool in dpkg-buildpackage dpkg-parsechangelog dh lintian mmdebstrap pandoc unshare chroot; do
	command -v "$tool" >/dev/null 2>&1 || fail "$tool not found (scripts/install-deps.sh installs it)"
done
[ "$(id -u)" -eq 0 ] || fail "needs root (chroot and mounts for the Debian 12 root)"

version=$(dpkg-parsechangelog -l debian/changelog -S Version)
cmake_version=$(sed -n 's/^project(replywatch VERSION \([0-9.]*\) .*/\1/p' CMakeLists.txt)
[ "$version" = "$cmake_version" ] ||
	fail "debian/changelog is at $version but CMakeLists.txt at $cmake_version: add a changelog entry"
arch=$(dpkg --print-architecture)
deb=replywatch_${version}_$arch.deb

# 1. A copy of the tree (the files git knows, edited or new, not build/):
# dpkg-buildpackage writes its build directory into the tree and the .deb
# next to it, so both stay under $out.
step "copying the tree"
src=$out/src/replywatch-$version
rm -rf "$out/src"
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# (a tracked file deleted in the work tree is left out)
	git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do [ ! -e "$f" ] || printf "%s\0" "$f"; done' sh |
		tar --null --files-from=- -cf - | tar -xf - -C "$src"
else
	tar --exclude=./build -cf - . | tar -xf - -C "$src"
fi

# 2. The package. ccache, when there, makes the second build quick.
step "dpkg-buildpackage"
if command -v ccache >/dev/null 2>&1; then
	export CMAKE_C_COMPILER_LAUNCHER=ccache
fi
if ! (cd "$src" && DEB_BUILD_OPTIONS="parallel=$jobs" \
	dpkg-buildpackage --build=full --no-sign) >"$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log"
	fail "dpkg-buildpackage failed (full log: $out/build.log)"
fi
rm -f "$out"/*.deb
cp "$out/src/$deb" "$out/"
dpkg-deb --info "$out/$deb" | sed -n 's/^ \(Depends\|Recommends\): /  \1: /p'

# 3. lintian: no error, warning or info tag (docs/packaging.md lists the
# overrides and why); pedantic tags are shown too (there are none today).
step "lintian"
changes=$(ls "$out/src/replywatch_${version}"_*.changes)
rc=0
lintian --info --display-info --pedantic --fail-on error,warning,info "$changes" >"$out/lintian.raw" 2>&1 || rc=$?
# (lintian's own warning that it runs as root is not a tag)
grep -v 'running with root privileges' "$out/lintian.raw" >"$out/lintian.log" || true
cat "$out/lintian.log"
[ "$rc" -eq 0 ] || fail "lintian found tags (exit $rc)"

# 4. A clean Debian 12 root (mmdebstrap, variant apt), kept as a tarball
# between runs; named by what makes it, so a change of mirror makes a new one.
cache=${RW_PACKAGE_CACHE:-${XDG_CACHE_HOME:-${HOME:-$out}/.cache}/replywatch-package}
mkdir -p "$cache/apt-archives/partial"
# One run at a time uses the cache (another checkout's test may be running).
command -v flock >/dev/null 2>&1 || fail "flock not found (util-linux)"
exec 9>"$cache/lock"
flock 9
sources=/etc/apt/sources.list.d/debian.sources
[ -f "$sources" ] || sources=/etc/apt/sources.list
[ -f "$sources" ] || fail "no apt sources to build the Debian 12 root from"
key=$( (echo "bookworm apt 1"; cat "$sources") | sha256sum | cut -c1-12)
tarball=$cache/bookworm-$key.tar
if [ -n "$(find "$tarball" -mtime +7 2>/dev/null)" ]; then
	rm -f "$tarball"
fi
if [ ! -s "$tarball" ]; then
	step "mmdebstrap bookworm (kept as $tarball for a week)"
	rm -rf "$cache"/bookworm-*.tar "$cache/part.tar"
	# (mmdebstrap picks the format by the name's ending: keep ".tar")
	mmdebstrap --quiet --variant=apt bookworm "$cache/part.tar" "$sources" >"$out/mmdebstrap.log" 2>&1 ||
		{ cat "$out/mmdebstrap.log"; fail "mmdebstrap failed"; }
	mv "$cache/part.tar" "$tarball"
fi

step "installing $deb into a clean root"
root=$out/root
rm -rf "$root"
mkdir -p "$root"
tar -xf "$tarball" -C "$root"
mkdir -p "$root/tmp/pkg"
cp "$out/$deb" "$root/tmp/pkg/"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
sed -n '/^## Running the example/,/^```$/p' docs/configuration.md | sed '1,/^```sh$/d; /^```$/d' |
	sed 's|config/replywatch.example.json|/etc/replywatch/replywatch.example.json|' >"$root/tmp/pkg/example.sh"
grep -q -- '--check-config' "$root/tmp/pkg/example.sh" ||
	fail "docs/configuration.md has no \"Running the example\" commands"
cp scripts/lib/package-inside.sh "$root/tmp/pkg/inside.sh"

# The downloaded packages are kept between runs (bind mount); the mounts go
# away with the mount namespace.
if ! unshare --mount --fork sh -c '
	set -e
	mount --make-rprivate /
	mount --bind "$1/apt-archives" "$2/var/cache/apt/archives"
	mount -t proc proc "$2/proc"
	chroot "$2" /bin/sh /tmp/pkg/inside.sh "/tmp/pkg/$3" "$4"
' sh "$cache" "$root" "$deb" "$version" >"$out/install.log" 2>&1; then
	cat "$out/install.log"
	fail "the package does not install or run in a clean Debian 12 root"
fi
cat "$out/install.log"
rm -rf "$root"
step "passed"
