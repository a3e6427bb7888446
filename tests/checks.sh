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
finish
