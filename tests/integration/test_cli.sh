#!/bin/sh
# The command line against a real database file: migrations, issuers,
# certificates, imports and revocations, and every bad input refused with
# one line and the right exit code.
. tests/integration/lib.sh

make_pki
DB=$TMP/db/ocspbox.db
mkdir -p "$TMP/db"

# --help everywhere
for c in "" migrate "schema" "issuer" "issuer add" "issuer update" \
    "issuer remove" "issuer list" "cert" "cert add" "cert import" "cert show" \
    "cert list" "cert remove" revoke unrevoke; do
	# shellcheck disable=SC2086
	ok "--help: ocspbox $c" '^usage: ocspbox' ob $c --help
done
ok "--help names every issuer command" \
    '^  issuer +issuer add \| update \| remove \| list: ' ob --help
ok "issuer --help: add takes --responder-life with --auto-responder" \
    '\| --auto-responder \[--responder-life DUR\]\)$' ob issuer --help
refused "no command is a usage error" 2 'usage|see' "$OCSPBOX" --db "$DB" bogus
refused "unknown global option" 2 'unknown option --frob' "$OCSPBOX" --frob
refused "--db without its path" 2 "--db needs a path" "$OCSPBOX" --db

# migrate
refused "missing database directory" 1 'database directory .*/nodir' \
    "$OCSPBOX" --db "$TMP/nodir/x.db" migrate
refused "read command on a missing database" 1 'no such database' \
    "$OCSPBOX" --db "$TMP/none.db" issuer list
ok "migrate applies every migration" "14 migrations applied" ob migrate
ok "migrate twice changes nothing" '0 migrations applied' ob migrate
ok "ocspbox version, as --version" '^ocspbox [0-9]' ob version
ok "ocspbox help, as --help" '^usage: ocspbox' ob help
ok "ocspbox help COMMAND, as COMMAND --help" '^usage: ocspbox revoke' ob help revoke
refused "ocspbox help of no such command" 2 'unknown command nosuch' ob help nosuch
same "schema_migrations records fourteen" "$(q 'SELECT group_concat(version) FROM schema_migrations')" \
    "000001,000002,000019,000024,000025,000026,000027,000028,000029,000030,000031,000032,000033,000034"
same "WAL journal" "$(q 'PRAGMA journal_mode')" "wal"
same "integrity_check" "$(q 'PRAGMA integrity_check')" "ok"
same "seed columns, in order" \
    "$(q "SELECT group_concat(name) FROM pragma_table_info('ocsp_response_cache')")" \
    "issuer_id,serial_hex,response_der,cert_status,revocation_reason,revoked_at,this_update,next_update,generated_at"
same "seed primary key" \
    "$(q "SELECT group_concat(name) FROM (SELECT name FROM pragma_table_info('ocsp_response_cache') WHERE pk > 0 ORDER BY pk)")" \
    "issuer_id,serial_hex"
# The seed's two indexes, migration 000030's partial one and 000031's
# for the refresh listing.
same "seed indexes" \
    "$(q "SELECT group_concat(name) FROM (SELECT name FROM pragma_index_list('ocsp_response_cache') WHERE origin = 'c' ORDER BY name)")" \
    "idx_ocsp_response_cache_issuer,idx_ocsp_response_cache_next_update,idx_ocsp_response_cache_refresh,idx_ocsp_response_cache_unknown"
printf 'SQLite format 3 but not really' >"$TMP/notdb.db"
refused "a file that is not a database" 1 'not a database' \
    "$OCSPBOX" --db "$TMP/notdb.db" migrate

# schema translate
SEED=${OCSPBOX_SEED:-../shared/seed/000024_ocsp_response_cache.up.sql}
ok "translate the seed" 'CREATE TABLE IF NOT EXISTS ocsp_response_cache' \
    "$OCSPBOX" schema translate "$SEED"
{ echo 'CREATE TABLE issuers (id TEXT PRIMARY KEY);'; echo "$OUT"; } >"$TMP/seed.sql"
run sqlite3 "$TMP/seed.db" ".read $TMP/seed.sql"
if [ "$RC" -eq 0 ] && [ -z "$ERR" ]; then pass "sqlite3 loads the translated seed"; else fail "sqlite3 loads the translated seed" "$ERR"; fi
for m in schema/*.up.sql; do
	run "$OCSPBOX" schema translate "$m"
	same "translate $m" "$RC" 0
done
printf -- '-- fine\nCREATE TABLE t (a INT);\nCREATE EXTENSION pgcrypto;\n' >"$TMP/bad.sql"
refused "untranslatable construct names FILE:LINE" 1 "bad\.sql:3:" \
    "$OCSPBOX" schema translate "$TMP/bad.sql"
refused "translate a missing file" 1 'nofile.sql: No such file' \
    "$OCSPBOX" schema translate "$TMP/nofile.sql"
refused "schema without translate" 2 'usage' "$OCSPBOX" schema frob x

# issuer add
ok "add RSA issuer, delegated responder" 'added issuer rsa .*rsa\)' \
    ob issuer add rsa --cert "$PKI/ca-rsa.pem" --responder-cert "$PKI/resp-rsa.pem" \
    --responder-key "$PKI/resp-rsa.key" --crl-key "$PKI/ca-rsa.key"
ok "add EC issuer, delegated responder" 'added issuer ec .*ec-p256' \
    ob issuer add ec --cert "$PKI/ca-ec.pem" --responder-cert "$PKI/resp-ec.pem" \
    --responder-key "$PKI/resp-ec.key"
ok "add issuer whose CA is its own responder" 'responder is the CA' \
    ob issuer add self --cert "$PKI/ca-own.pem" --responder-cert "$PKI/ca-own.pem" \
    --responder-key "$PKI/ca-own.key"
ok "add issuer with a P-384 responder" 'ec-p384' \
    ob issuer add ec384 --cert "$PKI/ca-ec384.pem" --responder-cert "$PKI/resp-ec384.pem" \
    --responder-key "$PKI/resp-ec384.key"
refused "the same CA under a second id" 1 'already registered under another id' \
    ob issuer add again --cert "$PKI/ca-ec.pem" --responder-cert "$PKI/ca-ec.pem" \
    --responder-key "$PKI/ca-ec.key"
openssl pkey -in "$PKI/ca-other.key" -outform DER -out "$PKI/ca-other.der" 2>/dev/null
chmod 600 "$PKI/ca-other.der"
ok "a key in DER form is accepted" 'added issuer der' \
    ob issuer add der --cert "$PKI/ca-other.pem" --responder-cert "$PKI/ca-other.pem" \
    --responder-key "$PKI/ca-other.der"
sqlite3 "$DB" "PRAGMA foreign_keys=ON; DELETE FROM issuers WHERE id = 'der'"
refused "duplicate issuer id" 1 'issuer rsa already exists' \
    ob issuer add rsa --cert "$PKI/ca-rsa.pem" --responder-cert "$PKI/resp-rsa.pem" \
    --responder-key "$PKI/resp-rsa.key"
refused "an expired responder certificate" 1 \
    'resp-expired.pem: the responder certificate expired at 20[0-9-]+T[0-9:]+Z; clients would refuse every answer it signs' \
    ob issuer add x0 --cert "$PKI/ca-rsa.pem" --responder-cert "$PKI/resp-expired.pem" \
    --responder-key "$PKI/resp-expired.key"
refused "a responder certificate not valid yet" 1 \
    'resp-future.pem: the responder certificate is not valid before 20[0-9-]+T[0-9:]+Z' \
    ob issuer add x0 --cert "$PKI/ca-rsa.pem" --responder-cert "$PKI/resp-future.pem" \
    --responder-key "$PKI/resp-future.key"
same "neither was registered" "$(q "SELECT count(*) FROM issuers WHERE id = 'x0'")" 0
refused "responder not issued by the CA" 1 'not issued by' \
    ob issuer add x1 --cert "$PKI/ca-rsa.pem" --responder-cert "$PKI/resp-ec.pem" \
    --responder-key "$PKI/resp-ec.key"
refused "responder without id-kp-OCSPSigning" 1 'lacks id-kp-OCSPSigning' \
    ob issuer add x2 --cert "$PKI/ca-rsa.pem" --responder-cert "$PKI/resp-noeku.pem" \
    --responder-key "$PKI/resp-noeku.key"
refused "key that does not match" 1 'key does not match' \
    ob issuer add x3 --cert "$PKI/ca-rsa.pem" --responder-cert "$PKI/resp-rsa.pem" \
    --responder-key "$PKI/resp-noeku.key"
refused "key readable by others" 1 'accessible by group or others .*644' \
    ob issuer add x4 --cert "$PKI/ca-rsa.pem" --responder-cert "$PKI/resp-rsa.pem" \
    --responder-key "$PKI/open.key"
# A key encrypted with a password, in either of OpenSSL's forms, is
# refused as such, though our mbedTLS has no cipher to read it with.
openssl pkey -in "$PKI/resp-rsa.key" -aes256 -passout pass:x \
    -out "$TMP/enc-pkcs8.key" 2>/dev/null
openssl rsa -in "$PKI/resp-rsa.key" -aes128 -passout pass:x -traditional \
    -out "$TMP/enc-proctype.key" 2>/dev/null
chmod 600 "$TMP"/enc-*.key
for f in enc-pkcs8 enc-proctype; do
	refused "an encrypted key ($f)" 1 "$f.key: encrypted keys are not supported\$" \
	    ob issuer add x4 --cert "$PKI/ca-rsa.pem" \
	    --responder-cert "$PKI/resp-rsa.pem" --responder-key "$TMP/$f.key"
done
refused "CRL key that is not the CA's" 1 'ca-ec.key: key does not match' \
    ob issuer add x5 --cert "$PKI/ca-rsa.pem" --responder-cert "$PKI/resp-rsa.pem" \
    --responder-key "$PKI/resp-rsa.key" --crl-key "$PKI/ca-ec.key"
refused "malformed PEM" 1 'garbage.pem: not a certificate' \
    ob issuer add x6 --cert "$PKI/garbage.pem" --responder-cert "$PKI/resp-rsa.pem" \
    --responder-key "$PKI/resp-rsa.key"
refused "missing certificate file" 1 'nothere.pem: No such file' \
    ob issuer add x7 --cert "$PKI/nothere.pem" --responder-cert "$PKI/resp-rsa.pem" \
    --responder-key "$PKI/resp-rsa.key"
refused "a leaf is not a CA" 1 'not a CA certificate' \
    ob issuer add x8 --cert "$PKI/leaf1.pem" --responder-cert "$PKI/leaf1.pem" \
    --responder-key "$PKI/leaf1.key"
refused "bad issuer id" 2 'bad issuer id' \
    ob issuer add 'a/b' --cert "$PKI/ca-rsa.pem" --responder-cert "$PKI/resp-rsa.pem" \
    --responder-key "$PKI/resp-rsa.key"
refused "issuer add without the certificates" 2 'need ID' ob issuer add x9
refused "unknown option" 2 'unknown option --frob' ob issuer add x9 --frob 1
same "no refused issuer was stored" "$(q 'SELECT group_concat(id) FROM (SELECT id FROM issuers ORDER BY id)')" \
    "ec,ec384,rsa,self"
same "no private key in the database" \
    "$(q "SELECT count(*) FROM responder_certs WHERE key_path NOT LIKE '/%'")" 0
ok "issuer list" '^rsa +rsa +delegated .* yes ' ob issuer list
run ob issuer list --json
same "issuer list --json is valid JSON" \
    "$(sqlite3 :memory: "SELECT json_valid('$(printf '%s' "$OUT" | sed "s/'/''/g")')")" 1
# The CertID key hash must be SHA-1 of the CA key's BIT STRING value.
want=$(openssl x509 -in "$PKI/ca-rsa.pem" -noout -pubkey | openssl pkey -pubin -outform DER |
    tail -c +25 | openssl dgst -sha1 -r | cut -d' ' -f1)
same "issuerKeyHash matches openssl" "$(q "SELECT lower(hex(key_sha1)) FROM issuers WHERE id='rsa'")" "$want"
same "issuer list --json: the issuer document, its key_sha1 openssl's too" \
    "$(printf '%s' "$OUT" | jq -r '[(.issuers | length), (.issuers[] | select(.id == "rsa") |
        .key_sha1, .crl_key, .responder.key_algorithm, .responder.is_ca)] | map(tostring) | join(" ")')" \
    "4 $want true rsa false"
# issuerNameHash: openssl ocsp -reqout shows both hashes for a request.
openssl ocsp -issuer "$PKI/ca-rsa.pem" -serial 0x1 -no_nonce -reqout "$TMP/req.der" >/dev/null 2>&1
nh=$(openssl ocsp -reqin "$TMP/req.der" -req_text 2>/dev/null | sed -n 's/.*Issuer Name Hash: //p' | tr 'A-F' 'a-f')
same "issuerNameHash matches openssl" "$(q "SELECT lower(hex(name_sha1)) FROM issuers WHERE id='rsa'")" "$nh"

# cert add
ok "add by serial, canonicalised" 'added certificate a01 ' ob cert add rsa --serial 0x0A01
refused "same serial in another spelling" 1 'a01 of issuer rsa already registered' \
    ob cert add rsa --serial 00000a01
ok "add by certificate" 'added certificate a02 ' ob cert add rsa --cert "$PKI/leaf2.pem"
refused "add the issuer's own certificate" 1 "this is the issuer's own certificate" \
    ob cert add rsa --cert "$PKI/ca-rsa.pem"
same "notAfter taken from the certificate" \
    "$(q "SELECT not_after FROM certificates WHERE serial_hex='a02'")" \
    "$(date -u -d "$(openssl x509 -in "$PKI/leaf2.pem" -noout -enddate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)"
ok "add with --not-after" 'added certificate ff ' \
    ob cert add rsa --serial FF --not-after 2030-01-02T03:04:05+01:00
same "--not-after stored in UTC" "$(q "SELECT not_after FROM certificates WHERE serial_hex='ff'")" \
    "2030-01-02T02:04:05Z"
refused "certificate of another issuer" 1 'not issued by this issuer' \
    ob cert add rsa --cert "$PKI/leaf-ec.pem"
refused "bad serial" 2 'bad serial "xyz"' ob cert add rsa --serial xyz
refused "serial too long" 2 'longer than 64 octets' \
    ob cert add rsa --serial "$(printf 'f%.0s' $(seq 130))"
refused "unknown issuer" 1 '^ocspbox: cert add: no issuer nosuch' ob cert add nosuch --serial 1
refused "bad --not-after" 2 'bad --not-after' ob cert add rsa --serial 5 --not-after tomorrow
refused "serial and cert together" 2 'one of --serial or --cert' \
    ob cert add rsa --serial 5 --cert "$PKI/leaf1.pem"
# A usage error of a subcommand names the whole command, not "add".
refused "an argument too many names the command: cert add" 2 \
    '^ocspbox: cert add: unexpected argument -66$' ob cert add dupA --serial -- -66
refused "an unknown option names the command: issuer update" 2 \
    '^ocspbox: issuer update: unknown option --frob$' ob issuer update rsa --frob
refused "a flag given a value names the command: cache stats" 2 \
    '^ocspbox: cache stats: --json takes no value$' ob cache stats --json=1
refused "an option without its value names the command: cert import" 2 \
    '^ocspbox: cert import: --openssl-index needs a value$' ob cert import rsa --openssl-index

# revoke
echo "INSERT INTO ocsp_response_cache (issuer_id, serial_hex, response_der, cert_status, this_update, next_update) VALUES ('rsa', 'a01', x'00', 'good', '2026-01-01T00:00:00Z', '2099-01-01T00:00:00Z');" | sqlite3 "$DB"
ok "revoke with a reason" 'revoked certificate a01 of issuer rsa at .*keyCompromise' \
    ob revoke rsa 0A01 --reason keyCompromise
same "revocation stored" "$(q "SELECT status, revocation_reason FROM certificates WHERE serial_hex='a01'")" "revoked|1"
same "revoke dropped the cached response" \
    "$(q "SELECT count(*) FROM ocsp_response_cache WHERE serial_hex='a01'")" 0
ok "revoke again is reported, not changed" 'already revoked' ob revoke rsa a01 --reason superseded
same "first reason kept" "$(q "SELECT revocation_reason FROM certificates WHERE serial_hex='a01'")" 1
refused "revoke of a serial never registered: a typo, refused" 1 \
    'no certificate beef registered for issuer rsa \(a typo\? --unregistered' \
    ob revoke rsa BEEF --at 2026-01-01T00:00:00Z
same "... and nothing registered" "$(q "SELECT count(*) FROM certificates WHERE serial_hex='beef'")" 0
ok "revoke --unregistered registers it revoked" 'revoked certificate beef ' \
    ob revoke rsa BEEF --at 2026-01-01T00:00:00Z --unregistered
same "--at stored" "$(q "SELECT revoked_at FROM certificates WHERE serial_hex='beef'")" "2026-01-01T00:00:00Z"
refused "unknown reason" 2 'unknown reason "sadness"' ob revoke rsa a02 --reason sadness
refused "reason code 7 does not exist" 2 'unknown reason' ob revoke rsa a02 --reason 7
refused "revocation time in the future" 2 'in the future' ob revoke rsa a02 --at 2999-01-01T00:00:00Z
# "After now" means after now: no clock-skew allowance.
refused "revocation time 30 s ahead" 2 'in the future' \
    ob revoke rsa a02 --at "$(date -u -d '+30 seconds' +%Y-%m-%dT%H:%M:%SZ)"
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
ok "revocation time now is taken" "revoked certificate 5eed of issuer rsa at $NOW" \
    ob revoke rsa 5eed --at "$NOW" --unregistered
ok "cert show of a revoked certificate" \
    '^certificate beef of issuer rsa: revoked at 2026-01-01T00:00:00Z$' ob cert show rsa BEEF
ok "cert show of a good one, its subject" '^  subject     .*leaf2' ob cert show rsa a02
ok "cert show --json, as the API" '"status":"revoked","expired":false.*"revoked_at":"2026-01-01T00:00:00Z","reason":null' \
    ob cert show rsa beef --json
same "cert show --json is one JSON object jq reads" "$(ob cert show rsa a02 --json | jq -r .status)" good
refused "cert show of a serial never registered" 1 'no certificate 5eee' ob cert show rsa 5eee
refused "revoke for an unknown issuer" 1 'no issuer nosuch' ob revoke nosuch a02
refused "revoke a bad serial" 2 'bad serial' ob revoke rsa 12g4
same "a02 still good" "$(q "SELECT status FROM certificates WHERE serial_hex='a02'")" good

# cert import from an OpenSSL CA database
printf 'V\t301231235959Z\t\t1000\tunknown\t/CN=v1\nR\t301231235959Z\t240102030405Z,keyCompromise\t1001\tunknown\t/CN=r1\nE\t200101000000Z\t\t1002\tunknown\t/CN=e1\nR\t301231235959Z\t240102030405Z,certificateHold,holdInstructionReject\t01003\tunknown\t/CN=r2\nR\t301231235959Z\t240102030405Z\t1004\tunknown\t/CN=r3\n' >"$TMP/index.txt"
ok "import an OpenSSL index" 'imported 5 certificates into issuer ec: 1 valid, 3 revoked, 1 expired' \
    ob cert import ec --openssl-index "$TMP/index.txt"
same "imported rows" \
    "$(q "SELECT group_concat(serial_hex || ':' || status || ':' || ifnull(revocation_reason, '-') || ':' || ifnull(revoked_at, '-'), ' ') FROM (SELECT * FROM certificates WHERE issuer_id='ec' ORDER BY serial_hex)")" \
    "1000:good:-:- 1001:revoked:1:2024-01-02T03:04:05Z 1002:good:-:- 1003:revoked:6:2024-01-02T03:04:05Z 1004:revoked:-:2024-01-02T03:04:05Z"
refused "cert import with the file but not --openssl-index: the hint" 2 \
    'give the file as --openssl-index .*rm.txt \(cert import ec --openssl-index ' \
    ob cert import ec "$TMP/rm.txt"
# A reason openssl ca wrote that is not read in full: revoked all the same,
# and said on stderr.
printf 'R\t301231235959Z\t240102030405Z,removeFromCRL\t2001\tunknown\t/CN=rm\n' >"$TMP/rm.txt"
run ob cert import ec --openssl-index "$TMP/rm.txt"
if [ "$RC" = 0 ] && printf '%s' "$OUT" | grep -q 'imported 1 certificate into' &&
    printf '%s' "$ERR" | grep -q "rm.txt:1: serial 2001: removeFromCRL is no reason to revoke: revoked without a reason"; then
	pass "an unreadable reason: imported revoked, said"
else
	fail "an unreadable reason: imported revoked, said" "exit $RC" "$OUT" "$ERR"
fi
same "... revoked, no reason" "$(q "SELECT status || ' ' || coalesce(revocation_reason, '-') FROM certificates WHERE serial_hex='2001'")" "revoked -"
same "expiry of an E line" "$(q "SELECT not_after FROM certificates WHERE issuer_id='ec' AND serial_hex='1002'")" \
    "2020-01-01T00:00:00Z"
printf 'V\t301231235959Z\t\t1000\tunknown\t/CN=v1\n' >"$TMP/index2.txt"
ok "re-import never un-revokes" 'imported 1' ob cert import ec --openssl-index "$TMP/index2.txt"
printf 'V\t301231235959Z\t\t1001\tunknown\t/CN=r1\n' >"$TMP/index3.txt"
ob cert import ec --openssl-index "$TMP/index3.txt" >/dev/null 2>&1
same "1001 stays revoked" "$(q "SELECT status FROM certificates WHERE issuer_id='ec' AND serial_hex='1001'")" revoked
printf 'V\t301231235959Z\t\t2000\tunknown\t/CN=ok\nX\t301231235959Z\t\t2001\tunknown\t/CN=bad\n' >"$TMP/bad-index.txt"
refused "bad index line names file and line" 1 'bad-index.txt:2: status "X".*nothing imported' \
    ob cert import ec --openssl-index "$TMP/bad-index.txt"
same "nothing of the bad index imported" "$(q "SELECT count(*) FROM certificates WHERE serial_hex='2000'")" 0
printf 'R\t301231235959Z\tnotatime,keyCompromise\t2002\tunknown\t/CN=x\n' >"$TMP/bad2.txt"
refused "bad revocation time in an index" 1 'bad2.txt:1: bad revocation time' \
    ob cert import ec --openssl-index "$TMP/bad2.txt"
printf 'V\t301231235959Z\t\t3000\0\tunknown\t/CN=nul\n' >"$TMP/nul.txt"
refused "a NUL byte in an index line" 1 'nul.txt:1: NUL byte' \
    ob cert import ec --openssl-index "$TMP/nul.txt"
# A revocation time after now names its line, and nothing is imported:
# an hour ahead, and 30 s ahead (no clock-skew allowance).
for ahead in '+1 hour' '+30 seconds'; do
	printf 'V\t301231235959Z\t\t4000\tunknown\t/CN=ok\nR\t301231235959Z\t%s,keyCompromise\t4001\tunknown\t/CN=later\n' \
	    "$(date -u -d "$ahead" +%y%m%d%H%M%SZ)" >"$TMP/future.txt"
	refused "index revocation time $ahead: refused, naming file, line and serial" 1 \
	    'future\.txt:2: revocation time [0-9T:-]+Z of serial 4001 is after now \([0-9T:-]+Z\); nothing imported' \
	    ob cert import ec --openssl-index "$TMP/future.txt"
	same "... nothing of that index imported ($ahead)" \
	    "$(q "SELECT count(*) FROM certificates WHERE serial_hex IN ('4000', '4001')")" 0
done
refused "import into an unknown issuer" 1 'no issuer nosuch' \
    ob cert import nosuch --openssl-index "$TMP/index.txt"
refused "import a missing file" 1 'No such file' ob cert import ec --openssl-index "$TMP/nothere"

same "integrity_check at the end" "$(q 'PRAGMA integrity_check')" "ok"
same "foreign keys hold" "$(q 'PRAGMA foreign_key_check')" ""
finish
