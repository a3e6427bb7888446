#!/bin/sh
# Runs every test suite, each ending in "N passed, N failed", and prints
# the sum as the last line. Exits 1 if anything failed. Run from the top
# of the tree after the builds (make test does both).
set -u
total_pass=0
total_fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# suite NAME CMD...: runs one suite and adds its counts.
suite() {
	name=$1
	shift
	printf '== %s\n' "$name"
	"$@" >"$log" 2>&1
	rc=$?
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$last" ]; then
		cat "$log"
		echo "   (no result line; exit $rc)"
		total_fail=$((total_fail + 1))
		return
	fi
	p=${last%% passed*}
	f=${last#*passed, }
	f=${f%% failed*}
	if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
		cat "$log"
		[ "$f" -eq 0 ] && f=1
	else
		grep -E '^(FAIL|  )' "$log"
	fi
	echo "   $last"
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
}

# fuzz_replay TARGET: every committed corpus input, once, under ASan+UBSan:
# all in one run (libFuzzer takes files as arguments), and one at a time
# only when that run fails, to name the input.
fuzz_replay() {
	bin=build/fuzz/$1
	dir=tests/fuzz/corpus/${1#fuzz_}
	n=$(find "$dir" -type f | wc -l)
	if find "$dir" -type f -print0 | xargs -0 "$bin" >/dev/null 2>&1; then
		echo "$n passed, 0 failed"
		return
	fi
	bad=0
	for f in "$dir"/*; do
		[ -f "$f" ] || continue
		if ! "$bin" "$f" >/dev/null 2>&1; then
			echo "FAIL $f"
			"$bin" "$f" 2>&1 | tail -n 20
			bad=$((bad + 1))
		fi
	done
	[ "$bad" -eq 0 ] && bad=1 && echo "FAIL the run of all inputs at once"
	echo "$((n - bad)) passed, $bad failed"
}

for t in build/tests/test_*; do
	[ -x "$t" ] && suite "unit $(basename "$t")" "$t"
done
for t in build/asan/tests/test_*; do
	[ -x "$t" ] && suite "unit $(basename "$t") (ASan+UBSan)" "$t"
done
# The threaded unit tests (single-flight) under TSan.
for t in build/tsan/tests/test_*; do
	[ -x "$t" ] && suite "unit $(basename "$t") (TSan)" \
	    env TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp" "$t"
done
for t in build/fuzz/fuzz_*; do
	[ -x "$t" ] && suite "fuzz corpus $(basename "$t")" fuzz_replay \
	    "$(basename "$t")"
done
for t in tests/integration/test_*.sh; do
	suite "integration $(basename "$t")" sh "$t"
	suite "integration $(basename "$t") (ASan+UBSan)" \
	    env OCSPBOX="$PWD/build/asan/ocspbox" sh "$t"
done
# The suites that run the threaded server, once more under TSan.
for t in tests/integration/test_ocsp.sh tests/integration/test_slow.sh \
    tests/integration/test_cache.sh tests/integration/test_api.sh \
    tests/integration/test_crl_build.sh tests/integration/test_crl_serve.sh \
    tests/integration/test_crl_scale.sh tests/integration/test_crl_import.sh \
    tests/integration/test_http.sh tests/integration/test_caches.sh \
    tests/integration/test_faults.sh tests/integration/test_clock.sh \
    tests/integration/test_lifecycle.sh \
    tests/integration/test_identity.sh \
    tests/integration/test_auto_responder.sh \
    tests/integration/test_follow.sh; do
	suite "integration $(basename "$t") (TSan)" \
	    env OCSPBOX="$PWD/build/tsan/ocspbox" \
	    TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp" sh "$t"
done
# What make dist made: the ARM binaries under qemu, the package
# installed and purged in containers (without systemd, and under a
# booted one), and a second build elsewhere byte for byte.
for a in arm64 armhf; do
	suite "dist: the $a binary under qemu" sh tests/dist/test_qemu.sh $a
done
suite "dist: the Debian package" sh tests/dist/test_deb.sh
suite "dist: the Debian package under systemd" sh tests/dist/test_systemd.sh
suite "dist: reproducible" sh tests/dist/test_repro.sh
suite "build checks" sh tests/checks.sh

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
