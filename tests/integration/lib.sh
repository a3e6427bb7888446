# Shared helpers for the integration tests: named checks, counted, and a
# last line "N passed, N failed". Source it; call `finish` at the end.
# OCSPBOX names the binary under test (default build/ocspbox).

OCSPBOX=${OCSPBOX:-$PWD/build/ocspbox}
T_PASS=0
T_FAIL=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ocspbox-test.XXXXXX")
# Background jobs a suite starts (BG_PIDS) and its server die with it.
BG_PIDS=
SERVER_PID=
cleanup() {
	for p in $BG_PIDS; do kill "$p" 2>/dev/null; done
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

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

# start_server DB [ARGS...]: runs `ocspbox --db DB serve` on a free
# 127.0.0.1 port (tried until one binds) with the admin listener on the
# next one, waits for /healthz, and sets PORT, URL, ADMIN_URL and
# SERVER_PID. Returns 1 if it never comes up.
start_server() {
	db=$1
	shift
	tries=0
	while [ $tries -lt 20 ]; do
		# od prints the random number in decimal, never with a leading
		# zero that shell arithmetic would read as octal.
		PORT=$((20000 + ($(od -An -N2 -tu2 /dev/urandom) + tries * 131) % 30000))
		"$OCSPBOX" --db "$db" serve --listen "127.0.0.1:$PORT" \
		    --admin-listen "127.0.0.1:$((PORT + 1))" "$@" \
		    >"$TMP/server.out" 2>"$TMP/server.err" &
		SERVER_PID=$!
		n=0
		while [ $n -lt 100 ]; do
			if curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then
				URL="http://127.0.0.1:$PORT"
				ADMIN_URL="http://127.0.0.1:$((PORT + 1))"
				return 0
			fi
			kill -0 "$SERVER_PID" 2>/dev/null || break
			sleep 0.1
			n=$((n + 1))
		done
		kill "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
		tries=$((tries + 1))
	done
	cat "$TMP/server.err"
	return 1
}

# stop_server: SIGTERM, and the exit code in STOP_RC.
stop_server() {
	kill -TERM "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID"
	STOP_RC=$?
	SERVER_PID=
}

# stop_checked NAME: stop_server, as a check: it must exit 0 and leave no
# sanitizer report in its stderr.
stop_checked() {
	stop_server
	rep=$(grep -E 'Sanitizer|runtime error:' "$TMP/server.err" | head -n 5)
	if [ "$STOP_RC" -eq 0 ] && [ -z "$rep" ]; then
		pass "$1: SIGTERM exits 0, no sanitizer report"
	else
		fail "$1: SIGTERM exits 0, no sanitizer report" "exit $STOP_RC" "$rep" \
		    "$(tail -n 20 "$TMP/server.err")"
	fi
}
