#!/bin/sh
# Checks on the build itself: a static binary, formatted sources, no
# third-party source committed.
. tests/integration/lib.sh

if file build/ocspbox | grep -q 'statically linked'; then
	pass "binary is statically linked"
else
	fail "binary is statically linked" "$(file build/ocspbox)"
fi
run ldd build/ocspbox
if [ "$RC" -ne 0 ] || printf '%s\n' "$OUT$ERR" | grep -q 'not a dynamic'; then
	pass "ldd finds no shared libraries"
else
	fail "ldd finds no shared libraries" "$OUT"
fi
ok "version names SQLite, mbedTLS and civetweb" \
    'SQLite 3\.[0-9.]+, mbedTLS 2\.[0-9.]+, civetweb 1\.15' \
    build/ocspbox --version
# The version is VERSION's, with the commit while HEAD is not its tag.
v=$(sh scripts/version.sh)
case $v in
"$(sed -n 1p VERSION)"*) ok "--version says $v (scripts/version.sh)" \
    "^ocspbox $(printf '%s' "$v" | sed 's/[.+]/\\&/g') " build/ocspbox --version ;;
*) fail "scripts/version.sh starts with VERSION's line" "$v" ;;
esac
if make -s format-check >"$TMP/fmt" 2>&1; then
	pass "sources are clang-formatted"
else
	fail "sources are clang-formatted" "$(head -n 5 "$TMP/fmt")"
fi
if git ls-files 2>/dev/null | grep -Eq '(^|/)(civetweb|sqlite3|mbedtls|cJSON)[^/]*\.c$'; then
	fail "no third-party source committed" "$(git ls-files | grep -E 'civetweb|sqlite3|mbedtls|cJSON')"
else
	pass "no third-party source committed"
fi
# Every shell script parses: the bench's scripts run only in make bench,
# where a quote too many would first show after half an hour.
bad=
for f in $(git ls-files '*.sh' .ci/run 'packaging/debian/post*' 'packaging/debian/pre*' 2>/dev/null); do
	sh -n "$f" 2>>"$TMP/shn" || bad="$bad $f"
done
if [ -z "$bad" ] && [ -n "$(git ls-files '*.sh' 2>/dev/null)" ]; then
	pass "every shell script parses (sh -n)"
else
	fail "every shell script parses (sh -n)" "${bad:-no scripts found}" \
	    "$(head -n 5 "$TMP/shn" 2>/dev/null)"
fi
# The systemd unit is hardened to an exposure of 2.0 or less (threshold
# 20 in tenths), and the check can fail: the unit without its
# hardening rates worse.
if command -v systemd-analyze >/dev/null 2>&1; then
	run systemd-analyze security --offline=yes --threshold=20 \
	    packaging/ocspbox.service
	score=$(printf '%s\n' "$OUT" | sed -n 's/.*exposure level for ocspbox.service: \([0-9.]*\).*/\1/p')
	if [ "$RC" -eq 0 ] && [ -n "$score" ]; then
		pass "systemd-analyze security rates the unit $score (at most 2.0)"
	else
		fail "systemd-analyze security rates the unit at most 2.0" "exit $RC, score $score" "$(printf '%s\n' "$OUT" | grep '✗' | head -n 8)"
	fi
	sed '/^CapabilityBoundingSet=$/,$d' packaging/ocspbox.service \
	    >"$TMP/ocspbox.service"
	printf '[Install]\nWantedBy=multi-user.target\n' >>"$TMP/ocspbox.service"
	if systemd-analyze security --offline=yes --threshold=20 \
	    "$TMP/ocspbox.service" >/dev/null 2>&1; then
		fail "the check refuses the unit without its hardening"
	else
		pass "the check refuses the unit without its hardening"
	fi
else
	echo "note: no systemd-analyze here: the unit's rating is not checked"
fi
# The manual: mandoc finds nothing wrong (warnings and worse; style
# notes about pages not installed here are left out), and it names
# every command and every option that a --help of the binary names.
if command -v mandoc >/dev/null 2>&1; then
	run mandoc -Tlint -W warning packaging/ocspbox.8
	if [ "$RC" -eq 0 ] && [ -z "$OUT$ERR" ]; then
		pass "mandoc -Tlint: ocspbox.8 is clean"
	else
		fail "mandoc -Tlint: ocspbox.8 is clean" "$OUT" "$ERR"
	fi
else
	echo "note: no mandoc here: ocspbox.8 is not linted"
fi
: >"$TMP/helps"
for c in "" migrate "schema translate" "issuer add" "issuer update" \
    "issuer remove" "issuer list" "cert add" "cert import" revoke \
    "cache refresh" "cache stats" "crl import" serve; do
	# shellcheck disable=SC2086
	build/ocspbox $c --help >>"$TMP/helps" 2>&1
done
missing=
for f in $(grep -o -- '--[a-z][a-z-]*' "$TMP/helps" | sort -u); do
	# mdoc's Fl writes one dash: .Fl -listen is --listen.
	grep -q "Fl -${f#--}\b" packaging/ocspbox.8 || missing="$missing $f"
done
for c in migrate schema issuer cert revoke cache crl serve; do
	grep -q "Cm $c\b" packaging/ocspbox.8 || missing="$missing $c"
done
if [ -z "$missing" ] && [ -s "$TMP/helps" ]; then
	pass "ocspbox.8 names every command and option the --help texts name"
else
	fail "ocspbox.8 names every command and option the --help texts name" "missing:$missing"
fi
# The layers of src/ (STYLE.md "Layout"), and the check itself able to
# fail: a copy of src/ with one breach of each rule must be refused.
if sh scripts/check-layers.sh src >"$TMP/layers" 2>&1; then
	pass "src/ keeps its layers"
else
	fail "src/ keeps its layers" "$(head -n 5 "$TMP/layers")"
fi
mkdir -p "$TMP/badsrc"
cp src/*.c src/*.h "$TMP/badsrc/"
sed -i 's/#include "codec.h"/#include "server.h"/' "$TMP/badsrc/der.c"
sed -i 's/#include "server.h"/#include "server.h"\n#include <sqlite3.h>/' \
    "$TMP/badsrc/cache.c"
sed -i 's/#include "cli.h"/#include "cli.h"\n#include "civetweb.h"/' \
    "$TMP/badsrc/serve.c"
sed -i 's/#include "server.h"/#include "server.h"\n#include <mbedtls\/pk.h>/' \
    "$TMP/badsrc/issuers.c"
sed -i 's/#include "server.h"/#include "store_int.h"/' "$TMP/badsrc/responder.c"
sed -i 's/#include "server.h"/#include "server.h"\n#include "signer_int.h"/' \
    "$TMP/badsrc/flight.c"
sed -i 's/#include "codec.h"/#include "codec.h"\n#include "schema_int.h"/' \
    "$TMP/badsrc/index.c"
: >"$TMP/badsrc/stray.c"
sh scripts/check-layers.sh "$TMP/badsrc" >"$TMP/layers" 2>&1
for want in 'der.c (layer 1) includes server.h (layer 4)' \
    'cache.c includes sqlite3.h' 'serve.c includes civetweb.h' \
    'issuers.c includes mbedtls/pk.h' 'responder.c includes store_int.h' \
    'flight.c includes signer_int.h' 'index.c includes schema_int.h' \
    'stray.c belongs to no layer'; do
	if grep -qF "$want" "$TMP/layers"; then
		pass "the layer check refuses: $want"
	else
		fail "the layer check refuses: $want" "$(cat "$TMP/layers")"
	fi
done
finish
