#!/bin/sh
# ocspbox backup (issue 18): a consistent, checked copy taken while serve
# answers and another process keeps revoking; what it prints; refusals
# (an existing file, a missing directory, no database); no half copy
# left under any name; the copy restored and served, openssl ocsp
# reading the revocations it holds; a restore that loses nothing: the
# CRL number above every one served before it, the revocations made
# after the backup put back from the last CRL published, or from the
# `revoke --at` list cert list printed.
. tests/integration/lib.sh

make_pki
addissuer "$DB" rsa rsa || { fail "issuer add"; finish; exit 1; }
awk 'BEGIN { for (i = 1; i <= 20000; i++)
	printf "V\t301231235959Z\t\t%x\tunknown\t/CN=c%d\n", i + 65536, i }' >"$TMP/idx.txt"
ob cert import rsa --openssl-index "$TMP/idx.txt" >/dev/null || fail "cert import"
ob revoke rsa 10001 --reason keyCompromise --at 2026-01-02T03:04:05Z >/dev/null ||
    fail "revoke 10001"

refused "backup without FILE" 2 'need FILE' ob backup
refused "backup of no database" 1 'no such database' \
    "$OCSPBOX" --db "$TMP/none.db" backup "$TMP/x.db"
refused "backup into a missing directory" 1 "$TMP/nodir: No such file" \
    ob backup "$TMP/nodir/b.db"
refused "backup over the database itself, even with --force" 1 'is the database itself' \
    ob backup "$DB" --force
refused "backup onto the database's -wal, even with --force" 1 "is the database's own wal file" \
    ob backup "$DB-wal" --force
mkfifo "$TMP/fifo"
refused "backup --force over a FIFO: not a regular file" 1 'exists and is not a regular file' \
    ob backup "$TMP/fifo" --force
same "... the FIFO is still one" "$([ -p "$TMP/fifo" ] && echo fifo)" fifo

if ! start_server "$DB"; then
	fail "serve starts"
	finish
	exit 1
fi
# A writer beside the backup: revokes one after another until stopped.
(
	i=0
	while [ $i -lt 400 ] && [ ! -e "$TMP/stop" ]; do
		ob revoke rsa "$(printf '%x' $((65537 + i)))" >/dev/null 2>&1 ||
		    echo "revoke $i failed" >>"$TMP/writer.err"
		i=$((i + 1))
	done
) &
writer=$!
BG_PIDS="$BG_PIDS $writer"
sleep 0.3
ok "backup while serving and revoking" 'integrity_check ok' ob backup "$TMP/b1.db"
printed=$OUT
touch "$TMP/stop"
wait "$writer"
same "the writer's revokes all succeeded beside the backups" \
    "$(cat "$TMP/writer.err" 2>/dev/null)" ""
same "the copy is one file of mode 0600, nothing left beside it" \
    "$(stat -c %a "$TMP/b1.db") $(ls -A "$TMP" | grep -c 'b1\.db.\|ocspbox-backup')" "600 0"
same "the copy is in rollback-journal mode (one file)" \
    "$(qdb "$TMP/b1.db" 'PRAGMA journal_mode')" delete
same "integrity_check of the copy" "$(qdb "$TMP/b1.db" 'PRAGMA integrity_check')" ok
# A snapshot: the counts it printed are the copy's, and a revocation is
# there with its time whenever it was in the source.
n=$(qdb "$TMP/b1.db" "SELECT count(*) FROM certificates WHERE status = 'revoked'")
last=$(qdb "$TMP/b1.db" "SELECT max(revoked_at) FROM certificates WHERE status = 'revoked'")
if printf '%s\n' "$printed" | grep -q "schema 000034; 1 issuer, 20000 certificates, $n revoked, the last revoked at $last\$"; then
	pass "what the copy holds, printed ($n revoked, the last at $last)"
else
	fail "what the copy holds, printed" "$printed" "want $n revoked, the last at $last"
fi
same "10001's revocation in the copy, time and reason" \
    "$(qdb "$TMP/b1.db" "SELECT revoked_at || ' ' || revocation_reason FROM certificates WHERE serial_hex = '10001'")" \
    "2026-01-02T03:04:05Z 1"
refused "an existing file is refused" 1 'exists .*--force' ob backup "$TMP/b1.db"
ok "--force replaces it" 'integrity_check ok' ob backup "$TMP/b1.db" --force
same "after --force, no work directory left" "$(ls -A "$TMP" | grep -c ocspbox-backup)" 0
stop_checked "serve during backups"

# Restored: served from the copy; openssl ocsp reads its revocation.
DB2=$TMP/restored.db
cp "$TMP/b1.db" "$DB2"
if start_server "$DB2"; then
	out=$(openssl ocsp -url "$URL/" -issuer "$PKI/ca-rsa.pem" -serial 0x10001 \
	    -CAfile "$PKI/ca-rsa.pem" 2>&1)
	if printf '%s\n' "$out" | grep -q 'Reason: keyCompromise'; then
		pass "the restored copy answers 10001 revoked, keyCompromise"
	else
		fail "the restored copy answers 10001 revoked, keyCompromise" "$out"
	fi
	stop_checked "serve on the restored copy"
else
	fail "serve starts on the restored copy"
fi
# A restore that loses nothing (docs/operations.md "Back up and
# restore"): revocations made after the backup come back from the last
# CRL served, or from the commands cert list --revoke-commands printed;
# the CRL numbers go on above the last one served.
admin_token
DB3=$TMP/crl.db
addissuer "$DB3" crl rsa --crl-key "$PKI/ca-rsa.key" || fail "issuer add crl"
for s in 5001 5002 5003; do "$OCSPBOX" --db "$DB3" cert add crl --serial $s >/dev/null; done
if start_server "$DB3"; then
	since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	"$OCSPBOX" --db "$DB3" backup "$TMP/crl-backup.db" >/dev/null || fail "backup of crl.db"
	"$OCSPBOX" --db "$DB3" revoke crl 5001 --reason keyCompromise >/dev/null
	api POST /api/v1/revoke '{"issuer_id":"crl","serial_hex":"5002","reason":"certificateHold"}'
	for i in $(seq 50); do
		getcrl crl "$TMP/last.crl" >/dev/null
		[ "$(centries "$TMP/last.crl")" = 2 ] && break
		sleep 0.1
	done
	N_LAST=$(cnum "$TMP/last.crl")
	same "the last CRL served lists both revocations made after the backup" "$(centries "$TMP/last.crl")" 2
	"$OCSPBOX" --db "$DB3" cert list crl --since "$since" --revoke-commands >"$TMP/redo.txt"
	same "cert list --revoke-commands: the two, as revoke --at commands" \
	    "$(sed 's/--at [^ ]*/--at T/' "$TMP/redo.txt" | tr '\n' '|')" \
	    "ocspbox revoke --at T --reason keyCompromise --unregistered -- crl 5001|ocspbox revoke --at T --reason certificateHold --unregistered -- crl 5002|"
	stop_checked "serve before the restore"
	cp "$TMP/crl-backup.db" "$TMP/crl-backup2.db"
	rm -f "$DB3-wal" "$DB3-shm"
	mv "$TMP/crl-backup.db" "$DB3"
	if start_server "$DB3"; then
		for i in $(seq 50); do
			getcrl crl "$TMP/after.crl" >/dev/null
			n=$(cnum "$TMP/after.crl")
			[ -n "$n" ] && [ "$n" != "$(qdb "$TMP/crl-backup2.db" "SELECT crl_number FROM crl_cache")" ] && break
			sleep 0.1
		done
		if [ -n "$n" ] && [ -n "$N_LAST" ] && [ "$n" -gt "$N_LAST" ]; then
			pass "restored: the first CRL's number is above the last one served (#$N_LAST -> #$n)"
		else
			fail "restored: the first CRL's number is above the last one served" "#$N_LAST -> #$n"
		fi
		same "restored: 5001, revoked after the backup, is good again (as documented)" "$(ocsp_status 5001)" good
		ok "crl import --revocations-only of the last CRL served" \
		    '^applied the revocations of CRL #[0-9]+ of issuer crl: 2 entries, 2 newly revoked$' \
		    "$OCSPBOX" --db "$DB3" crl import crl "$TMP/last.crl" --revocations-only
		same "... 5001 revoked again, at once" "$(ocsp_status 5001)" revoked
		same "... 5002 on hold again" "$("$OCSPBOX" --db "$DB3" cert show crl 5002 --json | jq -r .reason)" certificateHold
		refused "crl import of an issuer with a CRL key, without --revocations-only" 1 \
		    'has a CRL key and builds its own CRLs \(--revocations-only' \
		    "$OCSPBOX" --db "$DB3" crl import crl "$TMP/last.crl"
		stop_checked "serve on the restored database"
	else
		fail "serve starts on the restored database"
	fi
	# The other way back: the printed commands, run on another copy.
	sed "s|^ocspbox |\"\$OCSPBOX\" --db \"$TMP/crl-backup2.db\" |" "$TMP/redo.txt" >"$TMP/redo.sh"
	run env OCSPBOX="$OCSPBOX" sh "$TMP/redo.sh"
	same "the printed revoke --at commands, run on a restored copy" \
	    "$RC $(qdb "$TMP/crl-backup2.db" "SELECT group_concat(serial_hex || ':' || revocation_reason || ':' || revoked_at, ' ') FROM certificates WHERE status = 'revoked'")" \
	    "0 $(qdb "$DB3" "SELECT group_concat(serial_hex || ':' || revocation_reason || ':' || revoked_at, ' ') FROM certificates WHERE status = 'revoked'")"
else
	fail "serve starts on crl.db"
fi
finish
