#!/bin/sh
# What an operator asks of the certificates (issue 18): cert import says
# what changed; a certificateHold is released (by unrevoke, by its index
# line turned V) and made permanent (by a revoke of another reason),
# seen by openssl ocsp and on the CRL; a revocation of any other reason
# is never undone; cert list and its filters; cert remove undoing a
# mistaken registration, all or none.
. tests/integration/lib.sh

make_pki
admin_token
DB=$TMP/ocspbox.db
addissuer "$DB" rsa rsa --crl-key "$PKI/ca-rsa.key" || { fail "issuer add"; finish; exit 1; }
start_server "$DB" || { fail "serve starts"; finish; exit 1; }

# reason SERIAL: the revocation reason openssl ocsp reads, or its status.
reason() {
	openssl ocsp -url "$URL/" -issuer "$PKI/ca-rsa.pem" -serial "0x$1" -no_nonce \
	    -CAfile "$PKI/ca-rsa.pem" 2>&1 |
	    sed -n "s/^[[:space:]]*Reason: *//p; s/^0x[0-9A-Fa-f]*: *\(good\|unknown\)$/\1/p"
}

# on_crl SERIAL yes|no: waits up to 5 s for the served CRL to hold SERIAL
# (or not); prints yes or no, what it found last.
on_crl() {
	for i in $(seq 50); do
		getcrl rsa "$TMP/rsa.crl" >/dev/null
		if chas "$TMP/rsa.crl" "$1"; then f=yes; else f=no; fi
		[ "$f" = "$2" ] && break
		sleep 0.1
	done
	echo "$f"
}

# The import summary: what changed, line by line.
printf 'V\t301231235959Z\t\t1000\tunknown\t/CN=v\nR\t301231235959Z\t240102030405Z,certificateHold\t1001\tunknown\t/CN=h\nR\t301231235959Z\t240102030405Z,keyCompromise\t1002\tunknown\t/CN=k\nE\t200101000000Z\t\t1003\tunknown\t/CN=e\nV\t301231235959Z\t\t1004\tunknown\t/CN=w\n' >"$TMP/i1.txt"
ok "first import: all new" \
    '^changes: 5 new \(2 of them revoked\), 0 newly revoked, 0 released from certificateHold, 0 updated, 0 unchanged$' \
    ob cert import rsa --openssl-index "$TMP/i1.txt"
ok "the same again: all unchanged" \
    '^changes: 0 new \(0 of them revoked\), 0 newly revoked, 0 released from certificateHold, 0 updated, 5 unchanged$' \
    ob cert import rsa --openssl-index "$TMP/i1.txt"
same "1001 on hold: openssl ocsp" "$(reason 1001)" certificateHold
same "1001 on the CRL" "$(on_crl 1001 yes)" yes

# The operator's edit of index.txt: the hold line turned V, w revoked,
# v's subject fixed, k's line turned V (which nothing may apply).
printf 'V\t301231235959Z\t\t1000\tunknown\t/CN=v2\nV\t301231235959Z\t\t1001\tunknown\t/CN=h\nV\t301231235959Z\t\t1002\tunknown\t/CN=k\nE\t200101000000Z\t\t1003\tunknown\t/CN=e\nR\t301231235959Z\t250102030405Z,superseded\t1004\tunknown\t/CN=w\nV\t301231235959Z\t\t1005\tunknown\t/CN=n\n' >"$TMP/i2.txt"
run ob cert import rsa --openssl-index "$TMP/i2.txt"
if [ "$RC" = 0 ] &&
    printf '%s\n' "$OUT" | grep -qx 'changes: 1 new (0 of them revoked), 1 newly revoked, 1 released from certificateHold, 1 updated, 1 unchanged, 1 kept revoked against the index' &&
    printf '%s\n' "$ERR" | grep -q 'i2.txt:3: serial 1002 is revoked here (2024-01-02T03:04:05Z, keyCompromise); the line says valid: kept revoked'; then
	pass "second import: each change counted, the kept revocation said"
else
	fail "second import: each change counted, the kept revocation said" "exit $RC" "$OUT" "$ERR"
fi
same "1001 released: openssl ocsp says good" "$(reason 1001)" good
same "1001 off the CRL" "$(on_crl 1001 no)" no
same "1002 still keyCompromise" "$(reason 1002)" keyCompromise
same "1004 revoked by the import" "$(reason 1004)" superseded

# A hold made by revoke is not the index's to release: the same index
# again keeps it, and says so.
ob revoke rsa 1001 --reason certificateHold >/dev/null
run ob cert import rsa --openssl-index "$TMP/i2.txt"
if [ "$RC" = 0 ] && printf '%s\n' "$OUT" | grep -q ', 2 kept revoked against the index$' &&
    printf '%s\n' "$ERR" | grep -q 'i2.txt:2: serial 1001 is revoked here (.*, certificateHold); the line says valid: kept revoked'; then
	pass "a hold made by revoke: the index's V line keeps it, and says so"
else
	fail "a hold made by revoke: the index's V line keeps it, and says so" "exit $RC" "$OUT" "$ERR"
fi
same "... 1001 still on hold" "$(reason 1001)" certificateHold
ob unrevoke rsa 1001 >/dev/null

# unrevoke: a hold, and only a hold.
ok "revoke --reason certificateHold" 'revoked certificate 1000' \
    ob revoke rsa 1000 --reason certificateHold
same "1000 on hold" "$(reason 1000)" certificateHold
same "1000 on the CRL" "$(on_crl 1000 yes)" yes
ok "unrevoke releases it" '^released certificate 1000 of issuer rsa from certificateHold' \
    ob unrevoke rsa 1000
same "1000 good again at once" "$(reason 1000)" good
same "1000 off the CRL" "$(on_crl 1000 no)" no
refused "unrevoke of a keyCompromise" 1 'revoked \(keyCompromise\), not on hold: only a certificateHold is ever released' \
    ob unrevoke rsa 1002
same "1002 still revoked" "$(reason 1002)" keyCompromise
refused "unrevoke of a good one" 1 'certificate 1000 of issuer rsa is not revoked' ob unrevoke rsa 1000
refused "unrevoke of a serial never registered" 1 'no certificate 9999 of issuer rsa' ob unrevoke rsa 9999
refused "unrevoke of no such issuer" 1 'no issuer' ob unrevoke nosuch 1000
refused "unrevoke without a serial" 2 'need ISSUER_ID and SERIAL' ob unrevoke rsa
ok "unrevoke --help" '^usage: ocspbox unrevoke ISSUER_ID SERIAL' ob unrevoke --help

# A hold made permanent by a revoke of another reason.
ob revoke rsa 1000 --reason certificateHold >/dev/null
ok "revoke of a hold with keyCompromise" \
    '^certificate 1000 of issuer rsa was on certificateHold: now revoked at .*, reason keyCompromise$' \
    ob revoke rsa 1000 --reason keyCompromise
same "1000 keyCompromise now" "$(reason 1000)" keyCompromise
refused "and no longer released" 1 'not on hold' ob unrevoke rsa 1000

# The same through the admin API.
ob revoke rsa 1005 --reason certificateHold >/dev/null
api POST /api/v1/unrevoke '{"issuer_id":"rsa","serial_hex":"1005"}'
same "POST /api/v1/unrevoke: 200, good" "$CODE $(printf '%s' "$BODY_OUT" | jq -r .status)" "200 good"
same "1005 good again" "$(reason 1005)" good
same "the API's release logged, with who asked" "$(grep -c 'admin: released rsa 1005 from certificateHold, from 127.0.0.1$' "$TMP/server.err")" 1
api POST /api/v1/unrevoke '{"issuer_id":"rsa","serial_hex":"1002"}'
same "POST /api/v1/unrevoke of a keyCompromise: 409, why" \
    "$CODE $(printf '%s' "$BODY_OUT" | jq -r .error | grep -c 'only a certificateHold is ever released')" "409 1"
api POST /api/v1/unrevoke '{"issuer_id":"rsa","serial_hex":"9999"}'
same "POST /api/v1/unrevoke of a serial never registered: 404" "$CODE" 404
api POST /api/v1/unrevoke '{"issuer_id":"rsa","serial_hex":"1005","reason":"keyCompromise"}'
same "POST /api/v1/unrevoke with a reason: 400" "$CODE" 400
api POST /api/v1/unrevoke '{"issuer_id":"rsa"}'
same "POST /api/v1/unrevoke without a serial: 400, in unrevoke's words" \
    "$CODE $(printf '%s' "$BODY_OUT" | jq -r .error)" \
    '400 want {"issuer_id": string, "serial_hex": string}: unrevoke takes nothing else'
api GET /api/v1/unrevoke
same "GET /api/v1/unrevoke: 405" "$CODE" 405
ob revoke rsa 1005 --reason certificateHold >/dev/null
api POST /api/v1/revoke '{"issuer_id":"rsa","serial_hex":"1005","reason":"superseded"}'
same "POST /api/v1/revoke of a hold with superseded: made it, said" \
    "$CODE $(printf '%s' "$BODY_OUT" | jq -r '[.already_revoked, .was_on_hold, .reason] | join(" ")')" \
    "200 false true superseded"
same "1005 superseded" "$(reason 1005)" superseded
same "... logged" "$(grep -c 'admin: revoked rsa 1005 reason superseded (was on certificateHold), from 127.0.0.1$' "$TMP/server.err")" 1
api POST /api/v1/certificates '[{"issuer_id":"rsa","serial_hex":"3000","not_after":"2030-01-01T00:00:00Z"},{"issuer_id":"rsa","serial_hex":"3001","not_after":"2030-01-01T00:00:00Z"}]'
same "POST /api/v1/certificates logged with what and who" \
    "$CODE $(grep -c 'admin: certificates: 2 new, 0 known (rsa 3000 first), from 127.0.0.1$' "$TMP/server.err")" "201 1"
ob cert remove rsa 3000 3001 >/dev/null

# cert list
run ob cert list rsa
if [ "$RC" = 0 ] && [ "$(printf '%s\n' "$OUT" | sed -n '2p' | awk '{print $1, $2}')" = "1000 revoked" ] &&
    printf '%s\n' "$OUT" | grep -q '^1003  *expired  *2020-01-01T00:00:00Z  *-  *-  */CN=e$' &&
    [ "$(printf '%s\n' "$OUT" | tail -n 1)" = "6 certificates" ]; then
	pass "cert list: a row each, expired said, the count"
else
	fail "cert list: a row each, expired said, the count" "exit $RC" "$OUT" "$ERR"
fi
same "cert list --revoked" "$(ob cert list rsa --revoked | awk 'NR > 1 && NF > 2 {print $1 ":" $5}' | tr '\n' ' ')" \
    "1000:keyCompromise 1002:keyCompromise 1004:superseded 1005:superseded "
same "cert list --good" "$(ob cert list rsa --good | awk 'NR > 1 && NF > 2 {print $1}' | tr '\n' ' ')" "1001 "
same "cert list --expired" "$(ob cert list rsa --expired | awk 'NR > 1 && NF > 2 {print $1}' | tr '\n' ' ')" "1003 "
same "cert list --json: jq reads the array" \
    "$(ob cert list rsa --json | jq -r '[.[] | .serial_hex + "=" + .status] | join(" ")')" \
    "1000=revoked 1001=good 1002=revoked 1003=good 1004=revoked 1005=revoked"
refused "cert list with two filters" 2 'cert list: --good, --revoked and --expired are each a whole list: give one' \
    ob cert list rsa --expired --json --good
ob issuer add empty --cert "$PKI/ca-ec.pem" --responder-cert "$PKI/resp-ec.pem" \
    --responder-key "$PKI/resp-ec.key" >/dev/null
same "cert list --json of an issuer without certificates" "$(ob cert list empty --json)" "[]"
ob revoke rsa --unregistered --at 2026-02-03T04:05:06Z -- -66 >/dev/null
same "cert list --revoke-commands: a negative serial after --, each command runs" \
    "$(ob cert list rsa --revoke-commands | grep -- ' -66$')" \
    "ocspbox revoke --at 2026-02-03T04:05:06Z --unregistered -- rsa -66"
ob cert list rsa --revoke-commands | sed "s|^ocspbox |\"$OCSPBOX\" --db \"$DB\" |" >"$TMP/redo.sh"
run sh "$TMP/redo.sh"
same "... and says each was revoked already" \
    "$RC $(printf '%s\n' "$OUT" | grep -c 'was already revoked$')" "0 $(grep -c . "$TMP/redo.sh")"
refused "cert list --revoke-commands --json" 2 '--revoke-commands lists the revoked ones, as commands' \
    ob cert list rsa --revoke-commands --json
refused "cert list --since a bad time" 2 'bad --since "yesterday"' ob cert list rsa --since yesterday
ob cert remove rsa --revoked-too -- -66 >/dev/null || fail "cert remove -66"
refused "cert list of no such issuer" 1 'no issuer nosuch' ob cert list nosuch
same "... and prints no header for it" "$OUT" ""
refused "cert list without an issuer" 2 'need ISSUER_ID' ob cert list

# cert remove: all or none, a revoked one only when meant.
ob cert add rsa --serial 2000 >/dev/null
same "2000 registered: good" "$(reason 2000)" good
refused "cert remove of a revoked one" 1 'certificate 1002 of issuer rsa is revoked: removing it takes it off the CRL.*--revoked-too.*nothing removed' \
    ob cert remove rsa 2000 1002
refused "cert remove with one never registered" 1 'no certificate 9999 .*nothing removed' \
    ob cert remove rsa 2000 9999
same "... nothing removed" "$(reason 2000)" good
ok "cert remove" '^removed 1 certificate of issuer rsa$' ob cert remove rsa 2000
same "2000 removed: unknown at once" "$(reason 2000)" unknown
ok "cert remove --revoked-too" '^removed 2 certificates of issuer rsa$' \
    ob cert remove rsa 1002 1005 --revoked-too
same "1002 unknown" "$(reason 1002)" unknown
same "1002 off the CRL" "$(on_crl 1002 no)" no
refused "cert remove without a serial" 2 'at least one SERIAL' ob cert remove rsa
refused "cert remove of a bad serial" 2 'bad serial' ob cert remove rsa 12g4
# The history and the stats, as the panel reads them.
api POST /api/v1/revoke '{"issuer_id":"rsa","serial_hex":"5000","unregistered":true,"reason":"affiliationChanged"}'
api GET '/api/v1/history?limit=500'
same "GET /api/v1/history: each revocation with its source" \
    "$(printf '%s' "$BODY_OUT" | jq -r '[.revocations[] | select(.serial_hex | test("^(1000|1004|5000)$")) | .serial_hex + ":" + .source + ":" + .reason] | sort | join(" ")')" \
    "1000:cli:keyCompromise 1004:import:superseded 5000:api:affiliationChanged"
same "... the newest is the API's" "$(printf '%s' "$BODY_OUT" | jq -r '.revocations[0].serial_hex')" 5000
same "... newest first" \
    "$(printf '%s' "$BODY_OUT" | jq -r '[.revocations[].recorded_at] | . == (sort | reverse)')" true
same "... refresh passes and CRL builds too" \
    "$(printf '%s' "$BODY_OUT" | jq -r '[(.refresh_runs | length > 0), (.crl_builds[0].succeeded)] | map(tostring) | join(" ")')" "true true"
api GET '/api/v1/history?limit=501'
same "GET /api/v1/history?limit=501: 400" "$CODE" 400
api GET '/api/v1/history?limit=x'
same "GET /api/v1/history?limit=x: 400" "$CODE" 400
api POST /api/v1/history '{}'
same "POST /api/v1/history: 405" "$CODE" 405
same "stats: certificates counted from the certificates, not the cache" \
    "$(stats '.issuers[] | select(.id == "rsa") | .certificates | [.total, .good, .revoked, .expired] | map(tostring) | join(" ")')" \
    "$(ob cert list rsa | tail -n 1 | cut -d' ' -f1) $(ob cert list rsa --good | tail -n 1 | cut -d' ' -f1) $(ob cert list rsa --revoked | tail -n 1 | cut -d' ' -f1) $(ob cert list rsa --expired | tail -n 1 | cut -d' ' -f1)"
same "stats: server host, version, database" \
    "$(stats '[.server.host, (.server.version | test("^[0-9]")), .server.database] | map(tostring) | join(" ")')" \
    "$(hostname) true $DB"
stop_checked "serve while certificates change"
# serve's log: every line starts with the time, RFC 3339 in UTC.
same "every serve log line starts with an RFC 3339 UTC time" \
    "$(grep -Evc "^$STAMP ocspbox: " "$TMP/server.err")" 0
same "... the lines are there" "$(grep -c "ocspbox: serving OCSP on" "$TMP/server.err")" 1
same "... and the panel's URL, where its token is" \
    "$(grep -c " ocspbox: panel: $ADMIN_URL/ (its token is \$OCSPBOX_ADMIN_TOKEN)\$" "$TMP/server.err")" 1
stamp=$(sed -n 's/^\([^ ]*\) ocspbox: serving OCSP on.*/\1/p' "$TMP/server.err")
same "... the time is now's, in UTC" "$(($(date -u +%s) - $(date -u -d "$stamp" +%s) < 600))" 1

# The CLI's small things.
ok "cert add --not-after a date alone: that day, 00:00 UTC" '' \
    ob cert add rsa --serial 4000 --not-after 2027-01-01
same "... stored as 2027-01-01T00:00:00Z" "$(ob cert show rsa 4000 --json | jq -r .not_after)" 2027-01-01T00:00:00Z
refused "cert add --not-after a date that is not one" 2 'bad --not-after "2027-13-01".*or a date, 2027-01-31' \
    ob cert add rsa --serial 4001 --not-after 2027-13-01
ok "revoke --at a date alone" 'revoked certificate 4000 of issuer rsa at 2026-01-02T00:00:00Z' \
    ob revoke rsa 4000 --at 2026-01-02
refused "serve --refresh-interval 1: a typo, not a setting" 2 \
    'serve: --refresh-interval 1s is too short: .*want at least 60s, or a fifth of --validity' \
    ob serve --refresh-interval 1
refused "cache refresh --refresh-interval 59s" 2 '--refresh-interval 59s is too short' \
    ob cache refresh --refresh-interval 59s
# A port in use: one line that says so, not civetweb's three.
python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
print(s.getsockname()[1], flush=True)
time.sleep(30)' >"$TMP/port" &
HOLDER=$!
for i in $(seq 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
held=$(cat "$TMP/port")
refused "serve on a port in use: one line" 1 \
    "serve: cannot listen on 127.0.0.1:$held: Address already in use \(another server holds the port" \
    env OCSPBOX_ADMIN_TOKEN="$TOKEN" "$OCSPBOX" --db "$DB" serve --listen "127.0.0.1:$held" \
    --admin-listen "127.0.0.1:$((held + 1))"
kill "$HOLDER" 2>/dev/null
finish
