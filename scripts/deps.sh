#!/bin/sh
# Installs what building and testing ocspbox needs on Debian 12, and only
# what is missing: a second run does nothing. Needs root (or sudo) when
# something is missing. Usage: scripts/deps.sh [build|test|bench|dist]
set -eu
what=${1:-test}

# tcl: tclsh generates SQLite's amalgamation (third_party/fetch.sh).
# nodejs, npm: tests/integration/test_panel.sh runs axe-core in chromium
# through puppeteer-core, both installed from npm (tests/panel/).
build_pkgs="make gcc libc6-dev dpkg-dev patch xz-utils tcl openssl sqlite3"
test_pkgs="file systemd mandoc easy-rsa clang libclang-rt-14-dev clang-format curl netcat-openbsd wrk jq prometheus chromium nodejs npm python3 faketime nginx-light varnish"

# Debian's SQLite and mbedTLS, which bench/own.sh measures ours against;
# time: bench/scale.sh's peak RSS.
bench_pkgs="wrk nginx-light curl time libsqlite3-dev libmbedtls-dev"

# make dist: Debian's cross compilers (with their binutils and C
# libraries) for the architectures this machine is not; for the tests of
# what it makes (make test): lintian, qemu-user-static, systemd-nspawn
# (the package is installed in containers), man.
host=$(dpkg --print-architecture)
dist_pkgs=
for a in amd64:x86-64-linux-gnu arm64:aarch64-linux-gnu \
    armhf:arm-linux-gnueabihf; do
	[ "${a%%:*}" = "$host" ] ||
	    dist_pkgs="$dist_pkgs gcc-${a#*:} libc6-dev-${a%%:*}-cross"
done
dist_test_pkgs="lintian qemu-user-static systemd-container man-db"

pkgs=$build_pkgs
[ "$what" = test ] && pkgs="$pkgs $test_pkgs $dist_pkgs $dist_test_pkgs"
[ "$what" = dist ] && pkgs="$pkgs $dist_pkgs"
[ "$what" = bench ] && pkgs="$pkgs $bench_pkgs"

missing=
for p in $pkgs; do
	# A Node.js package from elsewhere (NodeSource's) brings its own npm
	# and conflicts with Debian's: a working npm is enough.
	[ "$p" = npm ] && command -v npm >/dev/null 2>&1 && continue
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done

here=$(cd "$(dirname "$0")" && pwd)
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo

# apt-get source (third_party/fetch.sh) needs deb-src entries.
if ! ls /etc/apt/sources.list.d/ocspbox-deb-src.* >/dev/null 2>&1; then
	$sudo sh "$here/debsrc.sh"
	updated=no
else
	updated=yes
fi

if [ -n "$missing" ] || [ "$updated" = no ]; then
	echo "deps: installing:${missing:- (none; refreshing apt lists)}" >&2
	$sudo apt-get update -qq
	if [ -n "$missing" ]; then
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
		    --no-install-recommends $missing >/dev/null
	fi
fi
