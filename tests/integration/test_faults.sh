#!/bin/sh
# Faults, injected for real: a write lock held past the busy timeout, a
# full disk (a small tmpfs), a read-only file system (the same, remounted),
# a database file replaced or removed under a running server, a mistyped
# --db, and the signals a box sends. Every failure path of the admin API
# and the CLI runs here, so that the ASan+UBSan run of this suite catches
# what they do wrong; and each says what failed in one line, commits
# nothing half, and leaves a database that passes integrity_check.
. tests/integration/lib.sh

make_pki
admin_token

# setup DB: a database with issuer rsa (CRL key too) and leaf1, leaf2.
setup() {
	addissuer "$1" rsa rsa --crl-key "$PKI/ca-rsa.key" &&
	    "$OCSPBOX" --db "$1" cert add rsa --cert "$PKI/leaf1.pem" >/dev/null &&
	    "$OCSPBOX" --db "$1" cert add rsa --cert "$PKI/leaf2.pem" >/dev/null
}
# revoke_api SERIAL: POST /api/v1/revoke; the HTTP code in CODE.
revoke_api() {
	CODE=$(curl -s -m 30 -o "$TMP/b" -w '%{http_code}' -X POST \
	    -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
	    --data-binary "{\"issuer_id\": \"rsa\", \"serial_hex\": \"$1\"}" \
	    "$ADMIN_URL/api/v1/revoke")
}
integrity() { # NAME DB
	same "$1: integrity_check ok" "$(sqlite3 "$2" 'PRAGMA integrity_check')" ok
}
# server_exit: waits up to 3 s for the server to exit by itself; its
# exit code in SERVER_EXIT.
server_exit() {
	n=0
	while [ $n -lt 30 ] && kill -0 "$SERVER_PID" 2>/dev/null; do sleep 0.1; n=$((n + 1)); done
	wait "$SERVER_PID"
	SERVER_EXIT=$?
	SERVER_PID=
}
no_sanitizer() { # NAME FILE
	rep=$(grep -E 'Sanitizer|runtime error:' "$2" | head -n 5)
	if [ -z "$rep" ]; then pass "$1: no sanitizer report"; else fail "$1: no sanitizer report" "$rep"; fi
}

# --- A mistyped --db: no command but migrate makes a database. ---------
for cmd in "issuer list" "issuer add rsa --cert $PKI/ca-rsa.pem --responder-cert $PKI/resp-rsa.pem --responder-key $PKI/resp-rsa.key" \
    "cert add rsa --serial a01" "revoke rsa a01" "cache refresh" "cache stats" "serve --listen 127.0.0.1:1"; do
	# shellcheck disable=SC2086
	refused "missing database: ${cmd%% --*}" 1 'no such database \(make one: ocspbox --db .* migrate\)' \
	    "$OCSPBOX" --db "$TMP/typo.db" $cmd
done
printf 'V\t300101000000Z\t\tA01\tunknown\t/CN=x\n' >"$TMP/idx.txt"
refused "missing database: cert import" 1 'no such database' \
    "$OCSPBOX" --db "$TMP/typo.db" cert import rsa --openssl-index "$TMP/idx.txt"
: >"$TMP/empty.db"
refused "an empty file at --db is no database" 1 'not an ocspbox database \(make it one: ocspbox --db .* migrate\)' \
    "$OCSPBOX" --db "$TMP/empty.db" issuer list
same "... and stays empty" "$(wc -c <"$TMP/empty.db")" 0
sqlite3 "$TMP/other.db" "CREATE TABLE t (x)"
refused "another program's database is not ours" 1 'not an ocspbox database' \
    "$OCSPBOX" --db "$TMP/other.db" serve --listen 127.0.0.1:1
same "... and gets none of our tables" "$(sqlite3 "$TMP/other.db" .tables)" t
if [ -e "$TMP/typo.db" ]; then fail "no database was made by any of them" "$(ls -la "$TMP"/typo.db*)"; else pass "no database was made by any of them"; fi

# --- Bounded readers: a line too long or unreadable imports nothing. ---
BDB=$TMP/b.db
setup "$BDB" || fail "set up"
{
	printf 'V\t300101000000Z\t\tC01\tunknown\t/CN=c1\n'
	printf 'V\t300101000000Z\t\tC02\tunknown\t/CN=c2\n'
	head -c 300000000 /dev/zero | tr '\0' 'a'
	printf '\nR\t300101000000Z\t240101000000Z\tA01\tunknown\t/CN=leaf1\n'
} >"$TMP/huge-index.txt"
# 300 MB in one line, under a 200 MB address-space limit (not under ASan,
# whose shadow memory needs more): once read as the end of the file.
if "$OCSPBOX" --version | grep -q test-hooks; then
	run "$OCSPBOX" --db "$BDB" cert import rsa --openssl-index "$TMP/huge-index.txt"
else
	run sh -c 'ulimit -v 200000; exec "$@"' sh "$OCSPBOX" --db "$BDB" cert import rsa \
	    --openssl-index "$TMP/huge-index.txt"
fi
if [ "$RC" -eq 1 ] && printf '%s\n' "$ERR" | grep -q 'huge-index.txt:3: line longer than 16384 bytes; nothing imported'; then
	pass "cert import: a 300 MB line is an error naming line 3"
else
	fail "cert import: a 300 MB line is an error naming line 3" "exit $RC" "$OUT" "$ERR"
fi
rm -f "$TMP/huge-index.txt"
same "... and nothing was imported (c01, c02 not there, a01 not revoked)" \
    "$(sqlite3 "$BDB" "SELECT count(*) FROM certificates WHERE serial_hex IN ('c01', 'c02') OR status = 'revoked'")" 0
refused "cert import of a directory: a read error naming line 1" 1 ':1: Is a directory; nothing imported' \
    "$OCSPBOX" --db "$BDB" cert import rsa --openssl-index "$TMP"
{ printf 'V\t300101000000Z\t\tC01\tunknown\t/CN=c1\n'; head -c 16385 /dev/zero | tr '\0' 'b'; } >"$TMP/long.txt"
refused "a last line of 16385 bytes without a newline" 1 'long.txt:2: line longer than 16384 bytes' \
    "$OCSPBOX" --db "$BDB" cert import rsa --openssl-index "$TMP/long.txt"
{ printf 'V\t300101000000Z\t\tC01\tunknown\t/CN=c1\n'; printf 'V\t300101000000Z\t\tC02\tunknown\t/CN=c2'; } >"$TMP/nonl.txt"
ok "a last line without a newline is a line" 'imported 2 certificates' \
    "$OCSPBOX" --db "$BDB" cert import rsa --openssl-index "$TMP/nonl.txt"

# --- Signals: only SIGTERM and SIGINT stop serve; SIGHUP reloads. -------
DB=$TMP/s.db
setup "$DB" || { fail "set up"; finish; exit 1; }
start_server "$DB" || { fail "server starts"; finish; exit 1; }
for sig in HUP USR1 USR2 ALRM QUIT; do
	kill -"$sig" "$SERVER_PID"
	sleep 0.2
	if kill -0 "$SERVER_PID" 2>/dev/null && curl -fs -m 5 "$URL/healthz" >/dev/null; then
		pass "SIG$sig: serve keeps serving"
	else
		fail "SIG$sig: serve keeps serving" "$(tail -n 5 "$TMP/server.err")"
	fi
done
if [ "$(grep -c ': ignored' "$TMP/server.err")" -eq 4 ] &&
    grep -q 'SIGHUP: reading the issuers and their keys again' "$TMP/server.err" &&
    grep -q 'reload: issuers and keys read again (SIGHUP)' "$TMP/server.err"; then
	pass "each ignored signal is logged; SIGHUP reloads the issuers"
else
	fail "each ignored signal is logged; SIGHUP reloads" \
	    "$(grep -E 'ignored|SIGHUP' "$TMP/server.err")"
fi
stop_checked "after five signals"

# --- A write lock held past the busy timeout (5 s). ---------------------
start_server "$DB" || { fail "server starts"; finish; exit 1; }
python3 -c '
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
' "$DB" 8 >"$TMP/lock.out" &
LOCK=$!
BG_PIDS="$BG_PIDS $LOCK"
n=0
while [ $n -lt 50 ] && ! grep -q locked "$TMP/lock.out"; do sleep 0.1; n=$((n + 1)); done
# All at once, inside the one 5 s busy timeout they share.
"$OCSPBOX" --db "$DB" revoke rsa a01 >"$TMP/l1.out" 2>"$TMP/l1.err" &
L1=$!
"$OCSPBOX" --db "$DB" cert add rsa --serial b01 >"$TMP/l2.out" 2>"$TMP/l2.err" &
L2=$!
printf 'V\t300101000000Z\t\tB02\tunknown\t/CN=x\n' >"$TMP/idx2.txt"
"$OCSPBOX" --db "$DB" cert import rsa --openssl-index "$TMP/idx2.txt" >"$TMP/l3.out" 2>"$TMP/l3.err" &
L3=$!
revoke_api a01
same "API revoke under a held lock: 503" "$CODE" 503
if grep -q 'admin: revoke rsa a01: ' "$TMP/server.err"; then
	pass "... logged with its issuer and serial"
else
	fail "... logged with its issuer and serial" "$(tail -n 3 "$TMP/server.err")"
fi
for j in "1 revoke $L1" "2 cert-add $L2" "3 cert-import $L3"; do
	set -- $j
	wait "$3"
	rc=$?
	if [ "$rc" -eq 1 ] && [ "$(grep -c . "$TMP/l$1.err")" -eq 1 ] &&
	    grep -q '^ocspbox: .*locked' "$TMP/l$1.err"; then
		pass "CLI $2 under a held lock: exit 1, one line"
	else
		fail "CLI $2 under a held lock: exit 1, one line" "exit $rc" "$(cat "$TMP/l$1.err")"
	fi
done
wait "$LOCK"
same "the lock released: a01 still good (nothing half-done)" "$(ocsp_status a01)" good
revoke_api a01
same "then the API revoke: 200" "$CODE" 200
same "... and a01 revoked" "$(ocsp_status a01)" revoked
stop_checked "after the held lock"
no_sanitizer "held lock" "$TMP/server.err"
integrity "held lock" "$DB"

# --- A store that cannot be opened, for every admin call (test hooks). --
if "$OCSPBOX" --version | grep -q test-hooks; then
	export OCSPBOX_TEST_FAIL_OPEN="$TMP/fail-open"
	start_server "$DB" || { fail "server starts"; finish; exit 1; }
	touch "$OCSPBOX_TEST_FAIL_OPEN"
	for ep in /api/v1/cache/stats /api/v1/issuers /metrics; do
		code=$(curl -s -m 30 -o "$TMP/b" -w '%{http_code}' \
		    -H "Authorization: Bearer $TOKEN" "$ADMIN_URL$ep")
		if [ "$code" = 503 ] && jq -e .error "$TMP/b" >/dev/null 2>&1; then
			pass "GET $ep, store unopenable: 503 with a JSON error"
		else
			fail "GET $ep, store unopenable: 503 with a JSON error" "$code $(cat "$TMP/b")"
		fi
	done
	code=$(curl -s -m 30 -o "$TMP/b" -w '%{http_code}' -X POST \
	    -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
	    --data-binary '{"issuer_id": "rsa", "serial_hex": "a02"}' "$ADMIN_URL/api/v1/revoke")
	same "POST /api/v1/revoke, store unopenable: 503" "$code" 503
	code=$(curl -s -m 30 -o /dev/null -w '%{http_code}' "$URL/crl/rsa.crl")
	if [ "$code" = 503 ] || [ "$code" = 200 ]; then pass "a CRL, store unopenable: $code"; else fail "a CRL, store unopenable" "$code"; fi
	rm -f "$OCSPBOX_TEST_FAIL_OPEN"
	for c in "revoke rsa a02" "cert add rsa --serial b03" "issuer list" "cache stats" "cache refresh"; do
		touch "$OCSPBOX_TEST_FAIL_OPEN"
		# shellcheck disable=SC2086
		refused "CLI ${c%% --*}, store unopenable" 1 'injected fault' "$OCSPBOX" --db "$DB" $c
		rm -f "$OCSPBOX_TEST_FAIL_OPEN"
	done
	same "afterwards a02 is still good" "$(ocsp_status a02)" good
	stop_checked "after the unopenable store"
	unset OCSPBOX_TEST_FAIL_OPEN
else
	echo "note: the unopenable-store checks need a test-hooks build (ASan, TSan); skipped here"
fi

# --- A full disk, then a read-only one (a 4 MiB tmpfs). -----------------
MNT=$TMP/mnt
mkdir -p "$MNT"
if ! mount -t tmpfs -o size=4m tmpfs "$MNT" 2>"$TMP/mount.err"; then
	fail "mount a 4 MiB tmpfs (the fault tests need root)" "$(cat "$TMP/mount.err")"
	finish
	exit 1
fi
cleanup_mnt() { umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null; }
trap 'cleanup_mnt; cleanup' EXIT
FDB=$MNT/f.db
setup "$FDB" || fail "set up on the tmpfs"
start_server "$FDB" || { fail "server starts on the tmpfs"; finish; exit 1; }
same "before: a01 good" "$(ocsp_status a01)" good
dd if=/dev/zero of="$MNT/filler" bs=64k >/dev/null 2>&1
revoke_api a01
if [ "$CODE" = 500 ] || [ "$CODE" = 503 ]; then
	pass "API revoke on a full disk: $CODE"
else
	fail "API revoke on a full disk: 500 or 503" "$CODE $(cat "$TMP/b")"
fi
same "... a01 still good (the revoke did not return success)" "$(ocsp_status a01)" good
refused "CLI revoke on a full disk" 1 'full' "$OCSPBOX" --db "$FDB" revoke rsa a01
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "V\t300101000000Z\t\t%X\tunknown\t/CN=leaf%d\n", 65536 + i, i }' \
    >"$TMP/big-index.txt"
refused "CLI cert import on a full disk" 1 'full' \
    "$OCSPBOX" --db "$FDB" cert import rsa --openssl-index "$TMP/big-index.txt"
run "$OCSPBOX" --db "$FDB" cache refresh
if [ "$RC" -eq 1 ] && printf '%s\n' "$ERR" | tail -n 1 | grep -q '^ocspbox: cache refresh: .*full'; then
	pass "CLI cache refresh on a full disk: exit 1, ending with what failed"
else
	fail "CLI cache refresh on a full disk: exit 1, ending with what failed" "exit $RC" "$ERR"
fi
if curl -fs -m 5 "$URL/healthz" >/dev/null; then pass "serve keeps answering on a full disk"; else fail "serve keeps answering on a full disk"; fi
rm -f "$MNT/filler"
same "space again: the import committed nothing" \
    "$(sqlite3 "$FDB" "SELECT count(*) FROM certificates WHERE issuer_id = 'rsa'")" 2
revoke_api a01
same "space again: API revoke 200" "$CODE" 200
same "... a01 revoked" "$(ocsp_status a01)" revoked
stop_checked "after the full disk"
no_sanitizer "full disk" "$TMP/server.err"
integrity "full disk" "$FDB"

# Read-only: nothing can have it open for writing to remount it.
mount -o remount,ro "$MNT" || fail "remount read-only"
refused "serve on a read-only file system" 1 'cannot write: Read-only file system' \
    "$OCSPBOX" --db "$FDB" serve --listen 127.0.0.1:1
refused "CLI revoke on a read-only file system" 1 'cannot write: Read-only file system' \
    "$OCSPBOX" --db "$FDB" revoke rsa a02
refused "CLI issuer add on a read-only file system" 1 'cannot write: Read-only file system' \
    "$OCSPBOX" --db "$FDB" issuer add ec --cert "$PKI/ca-ec.pem" \
    --responder-cert "$PKI/resp-ec.pem" --responder-key "$PKI/resp-ec.key"
mount -o remount,rw "$MNT"
same "read-write again: a02 still good" \
    "$(sqlite3 "$FDB" "SELECT count(*) FROM certificates WHERE serial_hex = 'a02' AND status = 'good'")" 1
integrity "read-only file system" "$FDB"
cleanup_mnt

# --- The database file replaced or removed under a running server. -----
RDB=$TMP/r.db
setup "$RDB" || fail "set up"
start_server "$RDB" || { fail "server starts"; finish; exit 1; }
same "before: a01 good" "$(ocsp_status a01)" good
# A restore by rename: a copy of the database, with a revocation the
# live file lacks, moved over its name after a write to the live file
# (so the old file's WAL holds something).
sqlite3 "$RDB" ".backup '$TMP/restore.db'"
"$OCSPBOX" --db "$TMP/restore.db" revoke rsa a01 >/dev/null
"$OCSPBOX" --db "$RDB" cert add rsa --serial c99 >/dev/null
mv "$TMP/restore.db" "$RDB"
server_exit
same "database replaced: serve exits 1 within 3 s" "$SERVER_EXIT" 1
if grep -q 'was replaced or removed while serving: stopping' "$TMP/server.err"; then
	pass "... saying why"
else
	fail "... saying why" "$(tail -n 3 "$TMP/server.err")"
fi
no_sanitizer "database replaced" "$TMP/server.err"
if [ -e "$RDB-wal" ] || [ -e "$RDB-shm" ]; then
	fail "the old file's -wal and -shm are gone from beside the new one" "$(ls -la "$RDB"*)"
else
	pass "the old file's -wal and -shm are gone from beside the new one"
fi
start_server "$RDB" || { fail "server starts on the restored file"; finish; exit 1; }
same "started again (as Restart=on-failure would): the restored revocation holds" "$(ocsp_status a01)" revoked
same "... and nothing of the old file's WAL came back" \
    "$(sqlite3 "$RDB" "SELECT count(*) FROM certificates WHERE serial_hex = 'c99'")" 0
# The copy put in place carries a revocation the old file lacks: from a
# moment after the rename, no answer is "good" (inotify wakes serve at
# once; without it, a stat every second).
sqlite3 "$RDB" ".backup '$TMP/restore.db'"
"$OCSPBOX" --db "$TMP/restore.db" revoke rsa a02 >/dev/null
same "before the second restore: a02 good" "$(ocsp_status a02)" good
mv "$TMP/restore.db" "$RDB"
sleep 0.1
after=$(ocsp_status a02)
if [ "$after" != good ]; then
	pass "an answer 0.1 s after the rename is not \"good\" from the old file (got \"$after\")"
else
	fail "an answer 0.1 s after the rename is not \"good\" from the old file"
fi
wait "$SERVER_PID"
SERVER_PID=
start_server "$RDB" || { fail "server starts"; finish; exit 1; }
rm -f "$RDB"
server_exit
same "database removed: serve exits 1 within 3 s" "$SERVER_EXIT" 1
finish
