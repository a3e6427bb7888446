# Shared helpers for the integration tests: named checks, counted, and a
# last line "N passed, N failed". Source it; call `finish` at the end.
# OCSPBOX names the binary under test (default build/ocspbox).

OCSPBOX=${OCSPBOX:-$PWD/build/ocspbox}
T_PASS=0
T_FAIL=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ocspbox-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

pass() { T_PASS=$((T_PASS + 1)); echo "ok   $1"; }
fail() { T_FAIL=$((T_FAIL + 1)); echo "FAIL $1"; shift; for l in "$@"; do echo "  $l"; done; }

# run CMD...: runs it, keeping stdout in $OUT, stderr in $ERR, code in $RC.
run() {
	"$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
}

# ok NAME PATTERN CMD...: exit 0 and stdout matches PATTERN (grep -E).
ok() {
	name=$1 pat=$2
	shift 2
	run "$@"
	if [ "$RC" -eq 0 ] && printf '%s\n' "$OUT" | grep -Eq -- "$pat"; then
		pass "$name"
	else
		fail "$name" "exit $RC" "stdout: $OUT" "stderr: $ERR"
	fi
}

# refused NAME CODE PATTERN CMD...: exits CODE with exactly one stderr
# line, which starts "ocspbox: " and matches PATTERN.
refused() {
	name=$1 code=$2 pat=$3
	shift 3
	run "$@"
	lines=$(printf '%s\n' "$ERR" | grep -c .)
	if [ "$RC" -eq "$code" ] && [ "$lines" -eq 1 ] &&
	    printf '%s\n' "$ERR" | grep -q '^ocspbox: ' &&
	    printf '%s\n' "$ERR" | grep -Eq -- "$pat"; then
		pass "$name"
	else
		fail "$name" "want exit $code and one line /$pat/" \
		    "got exit $RC, stderr: $ERR"
	fi
}

# same NAME A B: two strings are equal.
same() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got:  $2" "want: $3"; fi
}

finish() {
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}
