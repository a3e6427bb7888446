# Shared helpers for the integration tests: named checks, counted, and a
# last line "N passed, N failed"; the preamble every suite shares (a test
# PKI, a database, an admin token); the server; and the clients of the
# database, the admin API, OCSP and CRLs that more than one suite uses.
# Source it; call `finish` at the end. OCSPBOX names the binary under test
# (default build/ocspbox). A helper used by one suite only lives there.

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
# What ocspbox reads from its environment, cleared: a suite sees only what
# it sets itself, not a test hook or a token left in the caller's shell.
unset OCSPBOX_DB OCSPBOX_ADMIN_TOKEN OCSPBOX_TEST_SIGN_DELAY_MS \
    OCSPBOX_TEST_FAIL_OPEN OCSPBOX_TEST_NO_INOTIFY OCSPBOX_FOLLOW_INDEX \
    OCSPBOX_REFRESH_INTERVAL \
    CERTCTL_OCSP_CACHE_REFRESH_INTERVAL
# The suite's database, made by `ob migrate` or addissuer; a suite that
# needs several names the others itself.
DB=$TMP/test.db

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
# line, which starts "ocspbox: " (after serve's RFC 3339 time, once it
# is past its options) and matches PATTERN.
refused() {
	name=$1 code=$2 pat=$3
	shift 3
	run "$@"
	lines=$(printf '%s\n' "$ERR" | grep -c .)
	if [ "$RC" -eq "$code" ] && [ "$lines" -eq 1 ] &&
	    printf '%s\n' "$ERR" | grep -Eq "^($STAMP )?ocspbox: " &&
	    printf '%s\n' "$ERR" | grep -Eq -- "$pat"; then
		pass "$name"
	else
		fail "$name" "want exit $code and one line /$pat/" \
		    "got exit $RC, stderr: $ERR"
	fi
}

# STAMP: the time that starts each line of serve's log, as an ERE.
STAMP='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'

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
		# Below Linux's ephemeral ports (32768 up), which outgoing
		# connections take: one of them on PORT + 1 failed a start.
		PORT=$((20000 + ($(od -An -N2 -tu2 /dev/urandom) + tries * 131) % 12000))
		"$OCSPBOX" --db "$db" serve --listen "127.0.0.1:$PORT" \
		    --admin-listen "127.0.0.1:$((PORT + 1))" "$@" \
		    >"$TMP/server.out" 2>"$TMP/server.err" &
		SERVER_PID=$!
		# A server that is still starting is waited for (a minute:
		# sanitizer builds on a busy machine are slow); only one that
		# exited (its port was taken) is tried again on another port,
		# since a second start of the same database is not a first
		# (a generated admin token, say, exists by then).
		n=0
		while [ $n -lt 600 ]; do
			# Both listeners up: the admin one starts after the
			# public one, and a taken port stops serve then.
			if curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 &&
			    [ "$(curl -s -o /dev/null -w '%{http_code}' \
				"http://127.0.0.1:$((PORT + 1))/healthz")" != 000 ]; then
				URL="http://127.0.0.1:$PORT"
				ADMIN_URL="http://127.0.0.1:$((PORT + 1))"
				return 0
			fi
			kill -0 "$SERVER_PID" 2>/dev/null || break
			sleep 0.1
			n=$((n + 1))
		done
		alive=0
		kill "$SERVER_PID" 2>/dev/null && alive=1
		wait "$SERVER_PID" 2>/dev/null
		[ $alive = 1 ] && break # up a minute, never healthy: no retry
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
		# The whole first report: a rare race is seen once.
		fail "$1: SIGTERM exits 0, no sanitizer report" "exit $STOP_RC" "$rep" \
		    "$(sed -n '/WARNING: \|ERROR: \|runtime error:/,$p' "$TMP/server.err" |
			head -n 80)" "$(tail -n 20 "$TMP/server.err")"
	fi
}

# --- The preamble ---------------------------------------------------------

# make_pki [WRAPPER...]: the test PKI (scripts/mkpki.sh) in PKI, made
# through WRAPPER if one is given; the suite ends if it cannot be made.
make_pki() {
	PKI=$TMP/pki
	"$@" sh scripts/mkpki.sh "$PKI" >/dev/null || { fail "make test PKI"; finish; exit 1; }
}

# admin_token: TOKEN, exported as OCSPBOX_ADMIN_TOKEN for the servers the
# suite starts (without it, serve makes one and prints it).
admin_token() {
	TOKEN=test-admin-token-0123456789abcdef
	export OCSPBOX_ADMIN_TOKEN=$TOKEN
}

# --- The database and the CLI ---------------------------------------------

# ob ARGS...: ocspbox on the suite's database.
ob() { "$OCSPBOX" --db "$DB" "$@"; }

# q SQL: sqlite3 on the suite's database, waiting up to 5 s for a writer.
q() { qdb "$DB" "$1"; }

# qdb DB SQL: the same on another database.
qdb() { sqlite3 -cmd '.timeout 5000' "$1" "$2"; }

# addissuer DB ID ALG [ARGS...]: migrates DB and registers ca-ALG as ID
# with its delegated responder resp-ALG; ARGS go to `issuer add`.
addissuer() {
	adb=$1 aid=$2 alg=$3
	shift 3
	"$OCSPBOX" --db "$adb" migrate >/dev/null &&
	    "$OCSPBOX" --db "$adb" issuer add "$aid" --cert "$PKI/ca-$alg.pem" \
		--responder-cert "$PKI/resp-$alg.pem" --responder-key "$PKI/resp-$alg.key" \
		"$@" >/dev/null
}

# serial N: the hex serial of the Nth certificate a suite generates.
serial() { printf '%X' $((0x10000 + $1)); }

# now_ms: the wall clock in milliseconds.
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# epoch DATE: seconds since the epoch of an openssl or HTTP date.
epoch() { date -u -d "$1" +%s 2>/dev/null; }

# --- The admin API ----------------------------------------------------------

# api METHOD PATH [BODY [CONTENT-TYPE]]: one call with the token; the HTTP
# code in CODE, the body in BODY_OUT.
api() {
	if [ $# -ge 3 ]; then
		CODE=$(curl -s -m 30 -o "$TMP/b" -w '%{http_code}' -X "$1" \
		    -H "Authorization: Bearer $TOKEN" \
		    -H "Content-Type: ${4:-application/json}" \
		    --data-binary "$3" "$ADMIN_URL$2")
	else
		CODE=$(curl -s -m 30 -o "$TMP/b" -w '%{http_code}' -X "$1" \
		    -H "Authorization: Bearer $TOKEN" "$ADMIN_URL$2")
	fi
	BODY_OUT=$(cat "$TMP/b")
}

# stats [JQ]: the admin API's cache stats, or one value of them.
stats() {
	curl -s -m 30 -H "Authorization: Bearer $TOKEN" "$ADMIN_URL/api/v1/cache/stats" >"$TMP/stats.json"
	jq -r "${1:-.}" "$TMP/stats.json" 2>/dev/null
}

# metrics: the admin listener's /metrics into $TMP/metrics.
metrics() {
	curl -s -m 30 -H "Authorization: Bearer $TOKEN" "$ADMIN_URL/metrics" >"$TMP/metrics"
}

# m NAME{LABELS}: one sample's value in $TMP/metrics.
m() { awk -v k="$1" '$1 == k { print $2 }' "$TMP/metrics"; }

# --- OCSP -------------------------------------------------------------------

# enc FILE: the URL-encoded base64 of a DER request, for a GET path.
enc() { base64 -w0 "$1" | sed 's/+/%2B/g; s#/#%2F#g; s/=/%3D/g'; }

# ocsp_status SERIAL_HEX: what the public listener says of that serial of
# issuer rsa, asked without a nonce: good, revoked, unknown, or the
# responseStatus of an error (tryLater...).
ocsp_status() {
	openssl ocsp -url "$URL/" -issuer "$PKI/ca-rsa.pem" -serial "0x$1" -no_nonce \
	    -CAfile "$PKI/ca-rsa.pem" 2>&1 |
	    sed -n 's/^0x[0-9A-Fa-f]*: *\([a-z]*\)$/\1/p; s/^Responder Error: *\([a-zA-Z]*\).*/\1/p'
}

# --- CRLs -------------------------------------------------------------------

# dbcrl DB ISSUER FILE: the stored DER CRL into FILE.
dbcrl() {
	rm -f "$3"
	qdb "$1" "SELECT writefile('$3', crl_der) FROM crl_cache WHERE issuer_id = '$2'" >/dev/null
}

# getcrl ISSUER FILE: the served CRL into FILE; prints the HTTP code.
getcrl() {
	curl -s -m 30 -o "$2" -w '%{http_code}' "$URL/crl/$1.crl"
}

# ctext FILE: openssl's text of a DER CRL.
ctext() { openssl crl -inform DER -in "$1" -noout -text 2>/dev/null; }

# cverify FILE ALG: "verify OK" when openssl accepts FILE's signature by ca-ALG.
cverify() {
	openssl crl -inform DER -in "$1" -CAfile "$PKI/ca-$2.pem" -noout 2>&1 | head -n 1
}

# cnum FILE: the crlNumber in decimal, or nothing.
cnum() {
	h=$(openssl crl -inform DER -in "$1" -noout -crlnumber 2>/dev/null | sed -n 's/^crlNumber=//p')
	[ -n "$h" ] && printf '%d\n' "$h"
}

# centries FILE: how many revokedCertificates entries.
centries() { ctext "$1" | grep -c 'Serial Number:'; }

# chas FILE SERIAL: whether SERIAL (canonical hex) is on the CRL.
chas() { ctext "$1" | grep -Eqi "^ *Serial Number: 0*$2\$"; }

# creasons FILE: "SERIAL=Reason" per entry ("-" when none), sorted, a line each.
creasons() {
	ctext "$1" | awk '
	    /^ *Serial Number:/ { if (s != "") print s "=" r; s = $3; r = "-" }
	    /CRL Reason Code:/ { getline; sub(/^ +/, ""); r = $0 }
	    END { if (s != "") print s "=" r }' | sort
}

# crl_issuers: the database test_crl_build.sh and test_crl_serve.sh start
# from: rsa, ec and p384 with their CAs' keys as CRL keys, own (a
# self-answering CA) without one; leaf1, leaf2, leaf-ec and cafe
# registered; a02, beef, ff, 1234 and 5555 (at 2026-01-01) revoked on rsa
# with and without reasons, b01 on ec. Returns 1 if any step fails.
crl_issuers() {
	addissuer "$DB" rsa rsa --crl-key "$PKI/ca-rsa.key" &&
	    addissuer "$DB" ec ec --crl-key "$PKI/ca-ec.key" &&
	    addissuer "$DB" p384 ec384 --crl-key "$PKI/ca-ec384.key" &&
	    ob issuer add own --cert "$PKI/ca-own.pem" --responder-cert "$PKI/ca-own.pem" \
		--responder-key "$PKI/ca-own.key" >/dev/null &&
	    ob cert add rsa --cert "$PKI/leaf1.pem" >/dev/null &&
	    ob cert add rsa --cert "$PKI/leaf2.pem" >/dev/null &&
	    ob cert add ec --cert "$PKI/leaf-ec.pem" >/dev/null &&
	    ob cert add rsa --serial CAFE >/dev/null &&
	    ob revoke rsa a02 --reason keyCompromise >/dev/null &&
	    ob revoke rsa beef --unregistered >/dev/null &&
	    ob revoke rsa ff --reason certificateHold --unregistered >/dev/null &&
	    ob revoke rsa 1234 --reason unspecified --unregistered >/dev/null &&
	    ob revoke rsa 5555 --reason superseded --at 2026-01-01T00:00:00Z \
		--unregistered >/dev/null &&
	    ob revoke ec b01 --reason cACompromise --unregistered >/dev/null
}
