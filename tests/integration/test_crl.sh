#!/bin/sh
# CRLs end to end: `cache refresh` builds a CRL per issuer with a CRL key
# that openssl verifies (RSA, P-256, P-384), with its crlNumber, AKI and
# reasons; `serve` serves it at /crl/{id}.crl with cache headers, puts a
# revoke (CLI in another process, or the admin API) on it within a second,
# coalesces a burst of revokes into few builds, never reuses a crlNumber
# (also across restarts and concurrent builders), records a failed build
# and keeps answering OCSP; stats and metrics show it all; 10,000 revoked
# certificates make one CRL; removeFromCRL is no reason to revoke;
# cRLNumbers of up to 20 octets, imported and built.
. tests/integration/lib.sh


PKI=$TMP/pki
sh scripts/mkpki.sh "$PKI" >/dev/null || { fail "make test PKI"; finish; exit 1; }
DB=$TMP/crl.db
TOKEN=crl-test-token-0123456789
export OCSPBOX_ADMIN_TOKEN=$TOKEN
unset OCSPBOX_TEST_SIGN_DELAY_MS
VALIDITY=7200

ob() { "$OCSPBOX" --db "$DB" "$@"; }
# q DB SQL
q() { sqlite3 -cmd '.timeout 5000' "$1" "$2"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# addissuer ID ALG [CRLKEY]: ca-ALG with its delegated responder.
addissuer() {
	id=$1 alg=$2
	shift 2
	ob migrate >/dev/null
	ob issuer add "$id" --cert "$PKI/ca-$alg.pem" --responder-cert "$PKI/resp-$alg.pem" \
	    --responder-key "$PKI/resp-$alg.key" "$@" >/dev/null
}
# dbcrl DB ISSUER FILE: the stored DER CRL into FILE.
dbcrl() {
	rm -f "$3"
	q "$1" "SELECT writefile('$3', crl_der) FROM crl_cache WHERE issuer_id = '$2'" >/dev/null
}
# getcrl ISSUER FILE: the served CRL into FILE; prints the HTTP code.
getcrl() {
	curl -s -m 30 -o "$2" -w '%{http_code}' "$URL/crl/$1.crl"
}
ctext() { openssl crl -inform DER -in "$1" -noout -text 2>/dev/null; }
# cverify FILE CA: "verify OK" when openssl accepts FILE's signature.
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
# epoch "DATE": seconds since the epoch of an openssl or HTTP date.
epoch() { date -u -d "$1" +%s 2>/dev/null; }
dbnum() { q "$DB" "SELECT crl_number FROM crl_cache WHERE issuer_id = '$1'"; }
nfails() {
	q "$DB" "SELECT count(*) FROM crl_generation_events WHERE issuer_id = 'rsa' AND succeeded = 0"
}
lastev() {
	q "$DB" "SELECT succeeded || '|' || ifnull(crl_number, 'null') || '|' || ifnull(error, '') FROM crl_generation_events WHERE issuer_id = 'rsa' ORDER BY id DESC LIMIT 1"
}
okevents() {
	q "$DB" "SELECT count(*) FROM crl_generation_events WHERE issuer_id = '$1' AND succeeded = 1"
}
stats() {
	curl -s -m 30 -H "Authorization: Bearer $TOKEN" "$ADMIN_URL/api/v1/cache/stats" >"$TMP/stats.json"
	jq -r "${1:-.}" "$TMP/stats.json" 2>/dev/null
}
metrics() {
	curl -s -m 30 -H "Authorization: Bearer $TOKEN" "$ADMIN_URL/metrics" >"$TMP/metrics"
}
m() { awk -v k="$1" '$1 == k { print $2 }' "$TMP/metrics"; }
# wait_served ISSUER SERIAL MAX_MS: polls the served CRL every 50 ms until
# SERIAL is on it; ELAPSED is then the ms since T0, else empty.
wait_served() {
	ELAPSED=
	while :; do
		if [ "$(getcrl "$1" "$TMP/poll.der")" = 200 ] && chas "$TMP/poll.der" "$2"; then
			ELAPSED=$(($(now_ms) - T0))
			return 0
		fi
		[ $(($(now_ms) - T0)) -gt "$3" ] && return 1
		sleep 0.05
	done
}
# ocsp_status SERIAL_HEX: what the server says of it on the rsa issuer.
ocsp_status() {
	openssl ocsp -url "$URL/" -issuer "$PKI/ca-rsa.pem" -serial "0x$1" -no_nonce \
	    -CAfile "$PKI/ca-rsa.pem" 2>&1 | sed -n 's/^0x[0-9A-Fa-f]*: *\([a-z]*\)$/\1/p'
}

# ---------------------------------------------------------------------
# 1. Setup: rsa, ec and p384 with CRL keys, own (a self-answering CA)
# without one; a few revocations with and without reasons.
addissuer rsa rsa --crl-key "$PKI/ca-rsa.key" &&
    addissuer ec ec --crl-key "$PKI/ca-ec.key" &&
    addissuer p384 ec384 --crl-key "$PKI/ca-ec384.key" &&
    ob issuer add own --cert "$PKI/ca-own.pem" --responder-cert "$PKI/ca-own.pem" \
	--responder-key "$PKI/ca-own.key" >/dev/null ||
    { fail "register issuers"; finish; exit 1; }
pass "register rsa, ec, p384 with --crl-key and own without"
same "issuer_crl_key stored for the three, not for own" \
    "$(q "$DB" "SELECT group_concat(id || '=' || (crl_key_path IS NOT NULL), ' ') FROM (SELECT * FROM issuers ORDER BY id)")" \
    "ec=1 own=0 p384=1 rsa=1"
ob cert add rsa --cert "$PKI/leaf1.pem" >/dev/null
ob cert add rsa --cert "$PKI/leaf2.pem" >/dev/null
ob cert add ec --cert "$PKI/leaf-ec.pem" >/dev/null
ob cert add rsa --serial CAFE >/dev/null
ob revoke rsa a02 --reason keyCompromise >/dev/null &&
    ob revoke rsa beef >/dev/null &&
    ob revoke rsa ff --reason certificateHold >/dev/null &&
    ob revoke rsa 1234 --reason unspecified >/dev/null &&
    ob revoke rsa 5555 --reason superseded --at 2026-01-01T00:00:00Z >/dev/null &&
    ob revoke ec b01 --reason cACompromise >/dev/null ||
    { fail "revocations"; finish; exit 1; }

# 10. removeFromCRL is no reason to revoke (any case), and nothing is stored.
refused "revoke --reason removeFromCRL: usage error" 2 'removeFromCRL' \
    ob revoke rsa 123 --reason removeFromCRL
refused "revoke --reason REMOVEFROMCRL: usage error" 2 'removeFromCRL' \
    ob revoke rsa cafe --reason REMOVEFROMCRL
same "... nothing revoked or registered by them" \
    "$(q "$DB" "SELECT count(*) FROM certificates WHERE serial_hex = '123' OR (serial_hex = 'cafe' AND status = 'revoked')")" 0

# A CA whose keyUsage lacks cRLSign may not sign CRLs: no --crl-key for it.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$TMP/nocrl.key" -out "$TMP/nocrl.pem" -subj /CN=nocrlsign -days 30 \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
    >/dev/null 2>&1
chmod 600 "$TMP/nocrl.key"
refused "issuer add --crl-key: a CA without cRLSign is refused" 1 'lacks cRLSign' \
    ob issuer add nocrl --cert "$TMP/nocrl.pem" --responder-cert "$TMP/nocrl.pem" \
    --responder-key "$TMP/nocrl.key" --crl-key "$TMP/nocrl.key"

# 1. cache refresh builds the CRLs.
run ob cache refresh --validity 2h --refresh-interval 1h
if [ "$RC" -eq 0 ] &&
    printf '%s\n' "$OUT" | grep -Eq '^crl rsa: #1, 5 revoked, [0-9]+ bytes, in [0-9]+ ms$' &&
    printf '%s\n' "$OUT" | grep -Eq '^crl ec: #1, 1 revoked, [0-9]+ bytes, in [0-9]+ ms$' &&
    printf '%s\n' "$OUT" | grep -Eq '^crl p384: #1, 0 revoked, [0-9]+ bytes, in [0-9]+ ms$' &&
    ! printf '%s\n' "$OUT" | grep -q '^crl own'; then
	pass "cache refresh: one 'crl ID: #1, K revoked' line per issuer with a CRL key"
else
	fail "cache refresh: one 'crl ID: #1, K revoked' line per issuer with a CRL key" \
	    "exit $RC" "stdout: $OUT" "stderr: $ERR"
fi
t_refresh=$(date +%s)
same "crl_cache rows: ec, p384, rsa (own has none)" \
    "$(q "$DB" "SELECT group_concat(issuer_id || ':' || crl_number || ':' || revoked_count, ' ') FROM (SELECT * FROM crl_cache ORDER BY issuer_id)")" \
    "ec:1:1 p384:1:0 rsa:1:5"
same "one successful event per build, with number and count" \
    "$(q "$DB" "SELECT group_concat(issuer_id || ':' || crl_number || ':' || revoked_count || ':' || succeeded || ':' || ifnull(error, '-'), ' ') FROM (SELECT * FROM crl_generation_events ORDER BY issuer_id)")" \
    "ec:1:1:1:- p384:1:0:1:- rsa:1:5:1:-"

dbcrl "$DB" rsa "$TMP/rsa1.der"
same "rsa CRL verifies with openssl against ca-rsa.pem" "$(cverify "$TMP/rsa1.der" rsa)" "verify OK"
# The check can fail: a flipped bit in the signature.
sz=$(wc -c <"$TMP/rsa1.der")
cp "$TMP/rsa1.der" "$TMP/bad.der"
printf '\125' | dd of="$TMP/bad.der" bs=1 seek=$((sz - 10)) conv=notrunc 2>/dev/null
if cmp -s "$TMP/bad.der" "$TMP/rsa1.der"; then
	printf '\252' | dd of="$TMP/bad.der" bs=1 seek=$((sz - 10)) conv=notrunc 2>/dev/null
fi
if [ "$(cverify "$TMP/bad.der" rsa)" != "verify OK" ]; then
	pass "... and a CRL with one signature byte changed does not"
else
	fail "... and a CRL with one signature byte changed does not"
fi
same "rsa CRL does not verify against another CA" \
    "$([ "$(cverify "$TMP/rsa1.der" ec)" = "verify OK" ] && echo verified || echo refused)" refused
TXT=$(ctext "$TMP/rsa1.der")
if printf '%s\n' "$TXT" | grep -q '^ *Version 2 (0x1)$' &&
    printf '%s\n' "$TXT" | grep -q '^ *Signature Algorithm: sha256WithRSAEncryption$' &&
    printf '%s\n' "$TXT" | grep -q '^ *Issuer: O = ocspbox test, CN = Test RSA CA$'; then
	pass "rsa CRL: Version 2, sha256WithRSAEncryption, the CA's Name as issuer"
else
	fail "rsa CRL: Version 2, sha256WithRSAEncryption, the CA's Name as issuer" "$TXT"
fi
same "rsa CRL: CRL Number 1" "$(cnum "$TMP/rsa1.der")" 1
aki=$(printf '%s\n' "$TXT" | sed -n '/Authority Key Identifier/{n;s/^ *//;s/^keyid://;p;}')
ski=$(openssl x509 -in "$PKI/ca-rsa.pem" -noout -ext subjectKeyIdentifier | sed -n '2s/^ *//p')
if [ -n "$ski" ] && [ "$aki" = "$ski" ]; then
	pass "rsa CRL: Authority Key Identifier = the CA's subjectKeyIdentifier ($ski)"
else
	fail "rsa CRL: Authority Key Identifier = the CA's subjectKeyIdentifier" "aki $aki" "ski $ski"
fi
lu=$(epoch "$(openssl crl -inform DER -in "$TMP/rsa1.der" -noout -lastupdate | sed 's/^lastUpdate=//')")
nu=$(epoch "$(openssl crl -inform DER -in "$TMP/rsa1.der" -noout -nextupdate | sed 's/^nextUpdate=//')")
same "rsa CRL: Next Update - Last Update = --validity (2h)" "$((nu - lu))" $VALIDITY
if [ -n "$lu" ] && [ $((t_refresh - lu)) -ge 0 ] && [ $((t_refresh - lu)) -le 5 ]; then
	pass "rsa CRL: Last Update is when it was built"
else
	fail "rsa CRL: Last Update is when it was built" "lastUpdate $lu, now $t_refresh"
fi
same "rsa CRL: each serial with its reason (none for no reason or unspecified)" \
    "$(creasons "$TMP/rsa1.der" | paste -sd ';')" \
    "0A02=Key Compromise;1234=-;5555=Superseded;BEEF=-;FF=Certificate Hold"
if printf '%s\n' "$TXT" | sed -n '/Serial Number: 5555/{n;p;}' |
    grep -q 'Revocation Date: Jan  1 00:00:00 2026 GMT'; then
	pass "rsa CRL: --at is the revocationDate"
else
	fail "rsa CRL: --at is the revocationDate" "$TXT"
fi
same "rsa CRL: entries by revocation time (5555, revoked in January, first)" \
    "$(printf '%s\n' "$TXT" | sed -n 's/^ *Serial Number: //p' | head -n 1)" 5555
openssl crl -inform DER -in "$TMP/rsa1.der" -out "$TMP/rsa1.pem" 2>/dev/null
run openssl verify -crl_check -CAfile "$PKI/ca-rsa.pem" -CRLfile "$TMP/rsa1.pem" "$PKI/leaf2.pem"
if [ "$RC" -ne 0 ] && printf '%s\n%s\n' "$OUT" "$ERR" | grep -q 'certificate revoked'; then
	pass "openssl verify -crl_check: leaf2 revoked"
else
	fail "openssl verify -crl_check: leaf2 revoked" "exit $RC" "$OUT" "$ERR"
fi
ok "openssl verify -crl_check: leaf1 OK" 'leaf1.pem: OK' \
    openssl verify -crl_check -CAfile "$PKI/ca-rsa.pem" -CRLfile "$TMP/rsa1.pem" "$PKI/leaf1.pem"

# 2. ECDSA issuers: P-256 and P-384 (the latter with no revoked entry).
dbcrl "$DB" ec "$TMP/ec1.der"
same "ec CRL verifies with openssl against ca-ec.pem" "$(cverify "$TMP/ec1.der" ec)" "verify OK"
TXT=$(ctext "$TMP/ec1.der")
if printf '%s\n' "$TXT" | grep -q '^ *Signature Algorithm: ecdsa-with-SHA256$' &&
    printf '%s\n' "$TXT" | grep -q '^ *Version 2 (0x1)$'; then
	pass "ec CRL: Version 2, ecdsa-with-SHA256"
else
	fail "ec CRL: Version 2, ecdsa-with-SHA256" "$TXT"
fi
same "ec CRL: b01 with CA Compromise" "$(creasons "$TMP/ec1.der")" "0B01=CA Compromise"
aki=$(printf '%s\n' "$TXT" | sed -n '/Authority Key Identifier/{n;s/^ *//;s/^keyid://;p;}')
ski=$(openssl x509 -in "$PKI/ca-ec.pem" -noout -ext subjectKeyIdentifier | sed -n '2s/^ *//p')
same "ec CRL: AKI = the EC CA's subjectKeyIdentifier" "$aki" "$ski"
openssl crl -inform DER -in "$TMP/ec1.der" -out "$TMP/ec1.pem" 2>/dev/null
run openssl verify -crl_check -CAfile "$PKI/ca-ec.pem" -CRLfile "$TMP/ec1.pem" "$PKI/leaf-ec.pem"
if [ "$RC" -ne 0 ] && printf '%s\n%s\n' "$OUT" "$ERR" | grep -q 'certificate revoked'; then
	pass "openssl verify -crl_check: leaf-ec revoked on the ec CRL"
else
	fail "openssl verify -crl_check: leaf-ec revoked on the ec CRL" "exit $RC" "$OUT" "$ERR"
fi
dbcrl "$DB" p384 "$TMP/p384.der"
same "p384 CRL (no entries) verifies with openssl" "$(cverify "$TMP/p384.der" ec384)" "verify OK"
TXT=$(ctext "$TMP/p384.der")
if printf '%s\n' "$TXT" | grep -q '^ *Signature Algorithm: ecdsa-with-SHA384$' &&
    printf '%s\n' "$TXT" | grep -q 'No Revoked Certificates'; then
	pass "p384 CRL: ecdsa-with-SHA384, no revokedCertificates"
else
	fail "p384 CRL: ecdsa-with-SHA384, no revokedCertificates" "$TXT"
fi

# 6. A second build takes the next number; the first stays recorded.
run ob cache refresh --validity 2h --refresh-interval 1h
if [ "$RC" -eq 0 ] && printf '%s\n' "$OUT" | grep -q '^crl rsa: #2, 5 revoked' &&
    printf '%s\n' "$OUT" | grep -q '^crl ec: #2,' && printf '%s\n' "$OUT" | grep -q '^crl p384: #2,'; then
	pass "second cache refresh: every CRL is #2"
else
	fail "second cache refresh: every CRL is #2" "exit $RC" "$OUT" "$ERR"
fi
dbcrl "$DB" rsa "$TMP/rsa2.der"
same "the stored rsa CRL says CRL Number 2 and verifies" \
    "$(cnum "$TMP/rsa2.der") $(cverify "$TMP/rsa2.der" rsa)" "2 verify OK"
ok "cache stats (text) shows the CRL" '^ +crl #2, 5 revoked, nextUpdate ' ob cache stats

# ---------------------------------------------------------------------
# 3. Served by a real server.
if ! start_server "$DB" --refresh-interval 1h --validity 2h; then
	fail "server starts"
	finish
	exit 1
fi
pass "server starts (refresh 1h, validity 2h)"
n=0
while [ $n -lt 100 ]; do
	[ "$(dbnum rsa)" -ge 3 ] && [ "$(dbnum ec)" -ge 3 ] && [ "$(dbnum p384)" -ge 3 ] && break
	sleep 0.1
	n=$((n + 1))
done
same "serve builds every CRL at start: #3 each" "$(dbnum rsa) $(dbnum ec) $(dbnum p384)" "3 3 3"
if grep -Eq '^ocspbox: crl rsa: #3, 5 revoked, [0-9]+ bytes, in [0-9]+ ms$' "$TMP/server.err"; then
	pass "serve logs the build"
else
	fail "serve logs the build" "$(cat "$TMP/server.err")"
fi

curl -s -m 30 -D "$TMP/h" -o "$TMP/http.der" "$URL/crl/rsa.crl"
hdr=$(tr -d '\r' <"$TMP/h")
dbcrl "$DB" rsa "$TMP/db.der"
if cmp -s "$TMP/http.der" "$TMP/db.der" && [ -s "$TMP/db.der" ]; then
	pass "GET /crl/rsa.crl: 200, the bytes of crl_cache.crl_der"
else
	fail "GET /crl/rsa.crl: 200, the bytes of crl_cache.crl_der" "$hdr"
fi
same "... status line" "$(printf '%s\n' "$hdr" | head -n 1)" "HTTP/1.1 200 OK"
same "... and it verifies, #3" "$(cverify "$TMP/http.der" rsa) $(cnum "$TMP/http.der")" "verify OK 3"
same "... Content-Type: application/pkix-crl" \
    "$(printf '%s\n' "$hdr" | sed -n 's/^Content-Type: //Ip')" application/pkix-crl
same "... Content-Length" "$(printf '%s\n' "$hdr" | sed -n 's/^Content-Length: //Ip')" \
    "$(wc -c <"$TMP/db.der" | tr -d ' ')"
cc=$(printf '%s\n' "$hdr" | sed -n 's/^Cache-Control: //Ip')
age=$(printf '%s' "$cc" | sed -n 's/^max-age=\([0-9][0-9]*\), public, no-transform, must-revalidate$/\1/p')
# max-age ends 60 s and the rounding second before nextUpdate.
if [ -n "$age" ] && [ "$age" -le $((VALIDITY - 61)) ] && [ "$age" -ge $((VALIDITY - 121)) ]; then
	pass "... Cache-Control: max-age=$age (61 s before nextUpdate), public, no-transform, must-revalidate"
else
	fail "... Cache-Control: max-age within validity" "$cc"
fi
lu=$(epoch "$(openssl crl -inform DER -in "$TMP/http.der" -noout -lastupdate | sed 's/^lastUpdate=//')")
nu=$(epoch "$(openssl crl -inform DER -in "$TMP/http.der" -noout -nextupdate | sed 's/^nextUpdate=//')")
same "... Last-Modified = thisUpdate" \
    "$(epoch "$(printf '%s\n' "$hdr" | sed -n 's/^Last-Modified: //Ip')")" "$lu"
same "... Expires = nextUpdate" "$(epoch "$(printf '%s\n' "$hdr" | sed -n 's/^Expires: //Ip')")" "$nu"
tag=$(printf '%s\n' "$hdr" | sed -n 's/^ETag: //Ip')
if printf '%s' "$tag" | grep -q '^"[^"]\{8,\}"$'; then
	pass "... a strong ETag ($tag)"
else
	fail "... a strong ETag" "$hdr"
fi
res=$(curl -s -m 30 -o "$TMP/304.out" -w '%{http_code} %{size_download}' -H "If-None-Match: $tag" "$URL/crl/rsa.crl")
same "If-None-Match with that ETag: 304, no body" "$res" "304 0"
res=$(curl -s -m 30 -o /dev/null -w '%{http_code}' -H 'If-None-Match: "nope"' "$URL/crl/rsa.crl")
same "If-None-Match with another ETag: 200" "$res" 200
curl -s -m 30 -I -o "$TMP/head.out" -w '%{http_code} %{size_download}' "$URL/crl/rsa.crl" >"$TMP/head.res"
hh=$(tr -d '\r' <"$TMP/head.out")
if [ "$(cat "$TMP/head.res")" = "200 0" ] &&
    [ "$(printf '%s\n' "$hh" | sed -n 's/^ETag: //Ip')" = "$tag" ] &&
    [ "$(printf '%s\n' "$hh" | sed -n 's/^Content-Length: //Ip')" = "$(wc -c <"$TMP/db.der" | tr -d ' ')" ]; then
	pass "HEAD /crl/rsa.crl: 200, GET's headers, no body"
else
	fail "HEAD /crl/rsa.crl: 200, GET's headers, no body" "$(cat "$TMP/head.res")" "$hh"
fi
same "GET /crl/ec.crl: 200, verifies" "$(getcrl ec "$TMP/ec.der") $(cverify "$TMP/ec.der" ec)" "200 verify OK"
same "GET /crl/p384.crl: 200, verifies" "$(getcrl p384 "$TMP/p.der") $(cverify "$TMP/p.der" ec384)" "200 verify OK"
bad=
for p in /crl/nosuch.crl /crl/own.crl /crl/rsa /crl/rsa.pem /crl/.crl /crl/ /crl/r%20sa.crl \
    "/crl/rsa.crl.crl" "/crl/$(printf '%070d' 0).crl"; do
	c=$(curl -s -m 30 -o /dev/null -w '%{http_code}' "$URL$p")
	[ "$c" = 404 ] || bad="$bad $p:$c"
done
same "404 for an unknown issuer, one without CRL key, and bad names" "${bad:-none}" none
c=$(curl -s -m 30 -o /dev/null -w '%{http_code}' -X POST --data-binary x "$URL/crl/rsa.crl")
same "POST /crl/rsa.crl is not a CRL fetch" "$([ "$c" != 200 ] && echo refused || echo "$c")" refused

# 8. Stats and metrics.
stats >/dev/null
same "stats rsa crl: present, key, number = DB's, 5 revoked, not stale, no error" \
    "$(stats '.issuers[] | select(.id == "rsa") | .crl | [.present, .key, .crl_number, .revoked_count, .is_stale, .last_error] | map(tostring) | join(" ")')" \
    "true true $(dbnum rsa) 5 false null"
same "stats rsa crl: this/next_update and generated_at are the DB's" \
    "$(stats '.issuers[] | select(.id == "rsa") | .crl | [.this_update, .next_update, (.generated_at != null)] | map(tostring) | join(" ")')" \
    "$(q "$DB" "SELECT this_update || ' ' || next_update FROM crl_cache WHERE issuer_id = 'rsa'") true"
same "stats own crl: not present, no key" \
    "$(stats '.issuers[] | select(.id == "own") | .crl | [.present, .key, .crl_number, .revoked_count] | map(tostring) | join(" ")')" \
    "false false null null"
same "stats p384 crl: present, 0 revoked" \
    "$(stats '.issuers[] | select(.id == "p384") | .crl | [.present, .revoked_count] | map(tostring) | join(" ")')" \
    "true 0"
metrics
same "metrics: ocspbox_crl_number per issuer with a CRL" \
    "$(m 'ocspbox_crl_number{issuer="rsa"}') $(m 'ocspbox_crl_number{issuer="ec"}') $(m 'ocspbox_crl_number{issuer="own"}')" \
    "$(dbnum rsa) $(dbnum ec) "
same "metrics: ocspbox_crl_revoked_entries rsa 5, ec 1" \
    "$(m 'ocspbox_crl_revoked_entries{issuer="rsa"}') $(m 'ocspbox_crl_revoked_entries{issuer="ec"}')" "5 1"
same "metrics: ocspbox_crl_last_attempt_failed 0 for rsa, none for own" \
    "$(m 'ocspbox_crl_last_attempt_failed{issuer="rsa"}')/$(m 'ocspbox_crl_last_attempt_failed{issuer="own"}')" "0/"
crl_req=$(m ocspbox_crl_requests_total)
if [ -n "$crl_req" ] && [ "$crl_req" -ge 5 ]; then
	pass "metrics: ocspbox_crl_requests_total counts the CRLs served ($crl_req)"
else
	fail "metrics: ocspbox_crl_requests_total counts the CRLs served" "$crl_req"
fi
if command -v promtool >/dev/null 2>&1; then
	run promtool check metrics <"$TMP/metrics"
	if [ "$RC" -eq 0 ] && [ -z "$OUT$ERR" ]; then
		pass "promtool check metrics: no problems with the CRL metrics"
	else
		fail "promtool check metrics: no problems with the CRL metrics" "$OUT" "$ERR"
	fi
fi

# 4. A revoke by the CLI, in another process, is on the served CRL within
# a second; likewise one through the admin API.
ob cert add rsa --serial C101 >/dev/null
sleep 0.3
T0=$(now_ms)
ob revoke rsa C001 --reason keyCompromise >/dev/null
if wait_served rsa c001 3000; then
	if [ "$ELAPSED" -lt 1000 ]; then
		pass "CLI revoke on the served CRL in $ELAPSED ms"
	else
		fail "CLI revoke on the served CRL within 1000 ms" "took $ELAPSED ms"
	fi
else
	fail "CLI revoke on the served CRL within 1000 ms" "not there after 3 s"
fi
same "... with its reason, and it verifies" \
    "$(creasons "$TMP/poll.der" | grep '^C001=') $(cverify "$TMP/poll.der" rsa)" \
    "C001=Key Compromise verify OK"
sleep 0.3
T0=$(now_ms)
code=$(curl -s -m 30 -o "$TMP/b" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' \
    --data-binary '{"issuer_id": "rsa", "serial_hex": "c101", "reason": "affiliationChanged"}' \
    "$ADMIN_URL/api/v1/revoke")
same "API revoke: 200" "$code" 200
if wait_served rsa c101 3000; then
	if [ "$ELAPSED" -lt 1000 ]; then
		pass "API revoke on the served CRL in $ELAPSED ms"
	else
		fail "API revoke on the served CRL within 1000 ms" "took $ELAPSED ms"
	fi
else
	fail "API revoke on the served CRL within 1000 ms" "not there after 3 s"
fi
same "... with its reason" "$(creasons "$TMP/poll.der" | grep '^C101=')" \
    "C101=Affiliation Changed"
code=$(curl -s -m 30 -o "$TMP/b" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' \
    --data-binary '{"issuer_id": "rsa", "serial_hex": "cafe", "reason": "removeFromCRL"}' \
    "$ADMIN_URL/api/v1/revoke")
same "API revoke with removeFromCRL: 400, cafe not revoked" \
    "$code $(q "$DB" "SELECT status FROM certificates WHERE issuer_id = 'rsa' AND serial_hex = 'cafe'")" "400 good"
same "a02 revoked and a01 good over OCSP too" "$(ocsp_status A02) $(ocsp_status A01)" "revoked good"

# 5. A burst of 30 CLI revokes (three tight loops of 10, so that a slow
# sanitizer build still makes it a burst): all on the CRL, in few builds.
# The CRL thread looks every 250 ms, so at most one build per 250 ms.
sleep 0.4
ev0=$(okevents rsa)
n0=$(dbnum rsa)
T0=$(now_ms)
for k in 0 1 2; do
	(
		i=1
		while [ $i -le 10 ]; do
			ob revoke rsa "$(printf 'D0%02X' $((k * 10 + i)))" --reason superseded \
			    >/dev/null || echo "revoke $((k * 10 + i)) failed"
			i=$((i + 1))
		done
	) &
	BG_PIDS="$BG_PIDS $!"
done
for p in $BG_PIDS; do wait "$p"; done
BG_PIDS=
BURST_MS=$(($(now_ms) - T0))
wait_served rsa d01e 5000
sleep 0.6
getcrl rsa "$TMP/burst.der" >/dev/null
miss=
i=1
while [ $i -le 30 ]; do
	s=$(printf 'd0%02x' $i)
	ctext "$TMP/burst.der" | grep -Eqi "Serial Number: 0*$s\$" || miss="$miss $s"
	i=$((i + 1))
done
same "burst: all 30 serials on the served CRL" "${miss:-none}" none
same "burst: the served CRL lists all 37 revoked and verifies" \
    "$(centries "$TMP/burst.der") $(cverify "$TMP/burst.der" rsa)" "37 verify OK"
BURST_EV=$(($(okevents rsa) - ev0))
# At most one build per 250 ms poll (+2 for the edges), and never more
# than 10 while the burst is short (the normal build revokes 30 in about
# 0.2 s, so this is 2 there); a sanitizer build that needs seconds for
# the 30 processes gets its polls' worth, capped well below 30.
lim=$((BURST_MS / 250 + 2))
[ $BURST_MS -le 2000 ] && [ $lim -gt 10 ] && lim=10
[ $lim -gt 15 ] && lim=15
if [ "$BURST_EV" -ge 1 ] && [ "$BURST_EV" -le $lim ]; then
	pass "burst: 30 revokes in $BURST_MS ms made $BURST_EV CRL builds (1..$lim)"
else
	fail "burst: 30 revokes made 1..$lim CRL builds" "$BURST_EV builds in $BURST_MS ms"
fi
same "burst: the numbers went up by the builds" "$(($(dbnum rsa) - n0))" "$BURST_EV"

# 6. Concurrent builders: `cache refresh` runs, one after another, beside
# the server's CRL thread building after each of 5 revokes; no number is
# taken twice.
(
	i=1
	while [ $i -le 4 ]; do
		ob cache refresh --validity 2h --refresh-interval 1h >"$TMP/cr$i.out" 2>"$TMP/cr$i.err"
		echo $? >"$TMP/cr$i.rc"
		i=$((i + 1))
	done
) &
BG_PIDS=$!
for s in E001 E002 E003 E004 E005; do
	ob revoke rsa $s >/dev/null
	sleep 0.1
done
wait "$BG_PIDS"
BG_PIDS=
wait_served rsa e005 3000
sleep 0.3
nums=$(cat "$TMP"/cr[1-4].out | sed -n 's/^crl rsa: #\([0-9]*\),.*/\1/p')
rcs=$(cat "$TMP"/cr[1-4].rc | tr -d '\n')
if [ "$rcs" = 0000 ] && [ "$(printf '%s\n' "$nums" | sort -u | wc -l)" = 4 ]; then
	pass "4 cache refresh runs beside the server's builds: distinct numbers ($(printf "%s " $nums | sed "s/ $//"))"
else
	fail "4 cache refresh runs beside the server's builds: distinct numbers" "exits $rcs" "$nums" \
	    "$(cat "$TMP"/cr[1-4].err)"
fi

# 6. Across a restart the number keeps rising.
getcrl rsa "$TMP/before.der" >/dev/null
before=$(cnum "$TMP/before.der")
stop_checked "first server"
if ! start_server "$DB" --refresh-interval 1h --validity 2h; then
	fail "server restarts"
	finish
	exit 1
fi
n=0
while [ $n -lt 100 ]; do
	after=$(dbnum rsa)
	[ "$after" -gt "$before" ] && break
	sleep 0.1
	n=$((n + 1))
done
getcrl rsa "$TMP/after.der" >/dev/null
after=$(cnum "$TMP/after.der")
if [ -n "$before" ] && [ -n "$after" ] && [ "$after" -gt "$before" ]; then
	pass "after a restart the served CRL's number is higher (#$before -> #$after)"
else
	fail "after a restart the served CRL's number is higher" "before $before, after $after"
fi
same "... and it still lists all 42 revoked" "$(centries "$TMP/after.der")" 42

# 7. A failed build is recorded, the old CRL and OCSP keep being served.
chmod 644 "$PKI/ca-rsa.key"
fails0=$(nfails)
run ob cache refresh --validity 2h --refresh-interval 1h
if [ "$RC" -eq 1 ] && printf '%s\n' "$ERR" | grep -q 'crl rsa: .*ca-rsa\.key' &&
    printf '%s\n' "$OUT" | grep -q '^crl ec: #'; then
	pass "CRL key chmod 644: cache refresh exits 1 naming the key; ec still built"
else
	fail "CRL key chmod 644: cache refresh exits 1 naming the key; ec still built" \
	    "exit $RC" "stdout: $OUT" "stderr: $ERR"
fi
row=$(lastev)
if printf '%s' "$row" | grep -q '^0|null|.*ca-rsa\.key.*644'; then
	pass "the failure is an event: succeeded 0, no number, the error names the key ($row)"
else
	fail "the failure is an event: succeeded 0, no number, the error names the key" "$row"
fi
same "exactly one failure event" "$(nfails)" "$((fails0 + 1))"
le=$(stats '.issuers[] | select(.id == "rsa") | .crl.last_error')
if [ -n "$le" ] && [ "$le" != null ] && printf '%s' "$le" | grep -q 'ca-rsa\.key'; then
	pass "stats: rsa crl.last_error set ($le)"
else
	fail "stats: rsa crl.last_error set" "$(cat "$TMP/stats.json")"
fi
same "stats: rsa crl still present, ec without error" \
    "$(stats '[(.issuers[] | select(.id == "rsa") | .crl.present), (.issuers[] | select(.id == "ec") | .crl.last_error)] | map(tostring) | join(" ")')" \
    "true null"
metrics
same "metrics: ocspbox_crl_last_attempt_failed rsa 1, ec 0" \
    "$(m 'ocspbox_crl_last_attempt_failed{issuer="rsa"}') $(m 'ocspbox_crl_last_attempt_failed{issuer="ec"}')" "1 0"
same "OCSP keeps answering: a01 good, a02 revoked" "$(ocsp_status A01) $(ocsp_status A02)" "good revoked"
same "the last good CRL is still served and verifies" \
    "$(getcrl rsa "$TMP/still.der") $(cverify "$TMP/still.der" rsa) $(cnum "$TMP/still.der")" \
    "200 verify OK $(dbnum rsa)"
# A missing key file is a failure like any other: recorded, named.
fails1=$(nfails)
mv "$PKI/ca-rsa.key" "$PKI/ca-rsa.key.away"
run ob cache refresh --validity 2h --refresh-interval 1h
row=$(lastev)
if [ "$RC" -eq 1 ] && [ "$(nfails)" -eq $((fails1 + 1)) ] &&
    printf '%s' "$row" | grep -q '^0|.*ca-rsa\.key: No such file'; then
	pass "CRL key gone: exit 1 and a new failure event naming it"
else
	fail "CRL key gone: exit 1 and a new failure event naming it" "exit $RC, stderr: $ERR" \
	    "failure events for rsa: $fails1 before, $(nfails) after; newest event: $row"
fi
# serve with the CRL key gone: it starts, records and logs the failure of
# its start build, and keeps serving OCSP and the last good CRL.
stop_checked "second server"
fails1=$(nfails)
if ! start_server "$DB" --refresh-interval 1h --validity 2h; then
	fail "server starts without its CRL key"
	finish
	exit 1
fi
pass "server starts without the rsa CRL key"
n=0
while [ $n -lt 30 ]; do
	[ "$(nfails)" -gt "$fails1" ] && break
	sleep 0.1
	n=$((n + 1))
done
row=$(lastev)
if [ "$(nfails)" -eq $((fails1 + 1)) ] && printf '%s' "$row" | grep -q '^0|.*ca-rsa\.key: No such file' &&
    grep -q '^ocspbox: crl rsa: .*ca-rsa\.key' "$TMP/server.err"; then
	pass "... its start build failed, recorded and logged"
else
	fail "... its start build failed, recorded and logged" \
	    "failure events for rsa: $fails1 before, $(nfails) after 3 s; newest event: $row" \
	    "server log: $(cat "$TMP/server.err")"
fi
same "... OCSP answers: a01 good, a02 revoked" "$(ocsp_status A01) $(ocsp_status A02)" "good revoked"
same "... the last good rsa CRL is still served" \
    "$(getcrl rsa "$TMP/still2.der") $(cnum "$TMP/still2.der") $(cverify "$TMP/still2.der" rsa)" \
    "200 $(dbnum rsa) verify OK"
metrics
same "... stats and metrics show that failure" \
    "$(stats '.issuers[] | select(.id == "rsa") | .crl.last_error | tostring | test("No such file")') $(m 'ocspbox_crl_last_attempt_failed{issuer="rsa"}')" \
    "true 1"
mv "$PKI/ca-rsa.key.away" "$PKI/ca-rsa.key"
chmod 600 "$PKI/ca-rsa.key"
prev=$(dbnum rsa)
run ob cache refresh --validity 2h --refresh-interval 1h
if [ "$RC" -eq 0 ] && printf '%s\n' "$OUT" | grep -q "^crl rsa: #$((prev + 1)), 42 revoked"; then
	pass "key restored: the next build succeeds as #$((prev + 1))"
else
	fail "key restored: the next build succeeds as #$((prev + 1))" "exit $RC" "$OUT" "$ERR"
fi
same "stats: last_error null again" \
    "$(stats '.issuers[] | select(.id == "rsa") | .crl.last_error')" null
metrics
same "metrics: ocspbox_crl_last_attempt_failed rsa 0 again" \
    "$(m 'ocspbox_crl_last_attempt_failed{issuer="rsa"}')" 0
same "the server serves the new CRL" "$(getcrl rsa "$TMP/new.der") $(cnum "$TMP/new.der")" "200 $((prev + 1))"

# 6. Every successful number is unique and rising, per issuer.
same "crl_generation_events: successful numbers never repeated" \
    "$(q "$DB" "SELECT count(*) = count(DISTINCT issuer_id || ':' || crl_number) FROM crl_generation_events WHERE succeeded = 1")" 1
same "crl_generation_events: numbers strictly increase with the event id" \
    "$(q "$DB" "SELECT count(*) FROM crl_generation_events a JOIN crl_generation_events b ON a.issuer_id = b.issuer_id AND a.id < b.id WHERE a.succeeded = 1 AND b.succeeded = 1 AND a.crl_number >= b.crl_number")" 0
same "crl_cache holds each issuer's highest number" \
    "$(q "$DB" "SELECT count(*) FROM crl_cache c WHERE c.crl_number <> (SELECT max(crl_number) FROM crl_generation_events e WHERE e.issuer_id = c.issuer_id)")" 0
stop_checked "third server"

# ---------------------------------------------------------------------
# 9. 10,000 revoked certificates: one CRL, built by serve at start (the
# server's OCSP pass over them is stopped by SIGTERM once the CRL is out).
DB10=$TMP/big.db
"$OCSPBOX" --db "$DB10" migrate >/dev/null
"$OCSPBOX" --db "$DB10" issuer add big --cert "$PKI/ca-ec.pem" --responder-cert "$PKI/resp-ec.pem" \
    --responder-key "$PKI/resp-ec.key" --crl-key "$PKI/ca-ec.key" >/dev/null
awk 'BEGIN { for (i = 1; i <= 10000; i++)
	printf "R\t301231235959Z\t240102030405Z%s\t%X\tunknown\t/CN=r%d\n",
	    (i % 2 ? ",keyCompromise" : ""), 1048576 + i, i }' >"$TMP/index.txt"
ok "import 10000 revoked certificates" 'imported 10000 certificates into issuer big: 0 valid, 10000 revoked' \
    "$OCSPBOX" --db "$DB10" cert import big --openssl-index "$TMP/index.txt"
T0=$(now_ms)
if ! start_server "$DB10" --refresh-interval 1h --validity 2h; then
	fail "server starts on 10000 revoked"
	finish
	exit 1
fi
n=0
while [ $n -lt 300 ]; do
	[ "$(getcrl big "$TMP/big.der")" = 200 ] && break
	sleep 0.1
	n=$((n + 1))
done
SERVED_MS=$(($(now_ms) - T0))
BIG_MS=$(sed -n 's/^ocspbox: crl big: #1, 10000 revoked, [0-9]* bytes, in \([0-9]*\) ms$/\1/p' "$TMP/server.err")
BIG_BYTES=$(wc -c <"$TMP/big.der" | tr -d ' ')
same "10000 entries on the CRL" "$(centries "$TMP/big.der")" 10000
same "... it verifies" "$(cverify "$TMP/big.der" ec)" "verify OK"
same "... 5000 with keyCompromise" "$(ctext "$TMP/big.der" | grep -c 'Key Compromise')" 5000
if [ -n "$BIG_MS" ]; then
	pass "10000-entry CRL ($BIG_BYTES bytes) built in $BIG_MS ms, served $SERVED_MS ms after serve started"
else
	fail "10000-entry CRL built and logged" "$(cat "$TMP/server.err")"
fi
same "stats: big crl 10000 revoked" \
    "$(stats '.issuers[] | select(.id == "big") | .crl | [.present, .revoked_count] | map(tostring) | join(" ")')" "true 10000"
stop_checked "10000-revoked server"

# ---------------------------------------------------------------------
# 11. crl import: the CRL of a CA whose key stays offline, made by
# `openssl ca -gencrl`, checked, its revocations applied, served as it is.
DBI=$TMP/import.db
OFF=$TMP/offline
mkdir -p "$OFF"
# The offline CA answers OCSP itself (responder = CA); no --crl-key.
"$OCSPBOX" --db "$DBI" migrate >/dev/null
"$OCSPBOX" --db "$DBI" issuer add off --cert "$PKI/ca-other.pem" \
    --responder-cert "$PKI/ca-other.pem" --responder-key "$PKI/ca-other.key" >/dev/null
"$OCSPBOX" --db "$DBI" issuer add rsa --cert "$PKI/ca-rsa.pem" --responder-cert "$PKI/resp-rsa.pem" \
    --responder-key "$PKI/resp-rsa.key" --crl-key "$PKI/ca-rsa.key" >/dev/null
"$OCSPBOX" --db "$DBI" cert add off --serial 0C01 >/dev/null
printf 'V\t301231235959Z\t\t0C01\tunknown\t/CN=a\nR\t301231235959Z\t260101000000Z,keyCompromise\t0C02\tunknown\t/CN=b\nR\t301231235959Z\t260102000000Z\t0C03\tunknown\t/CN=c\n' \
    >"$OFF/index.txt"
echo 0100 >"$OFF/crlnumber"
cat >"$OFF/ca.cnf" <<CNF
[ ca ]
default_ca = c
[ c ]
database = $OFF/index.txt
crlnumber = $OFF/crlnumber
default_md = sha256
default_crl_days = 7
crl_extensions = ext
[ ext ]
authorityKeyIdentifier = keyid
CNF
# gencrl OUT KEY CERT [FORM]: one CRL from the offline CA's index.
gencrl() {
	openssl ca -config "$OFF/ca.cnf" -gencrl -keyfile "$2" -cert "$3" \
	    -out "$1" >/dev/null 2>&1
}
gencrl "$OFF/1.pem" "$PKI/ca-other.key" "$PKI/ca-other.pem"
gencrl "$OFF/2.pem" "$PKI/ca-other.key" "$PKI/ca-other.pem"
openssl crl -in "$OFF/2.pem" -outform DER -out "$OFF/2.der"
gencrl "$OFF/wrongca.pem" "$PKI/ca-rsa.key" "$PKI/ca-rsa.pem"
# A CRL of the right issuer whose signature does not verify.
cp "$OFF/2.der" "$OFF/badsig.der"
len=$(wc -c <"$OFF/badsig.der" | tr -d ' ')
printf '\001' | dd of="$OFF/badsig.der" bs=1 seek=$((len - 5)) conv=notrunc 2>/dev/null
gencrl "$OFF/3.pem" "$PKI/ca-other.key" "$PKI/ca-other.pem"
head -c 200 "$OFF/2.der" >"$OFF/truncated.der"
# A full CRL with a removeFromCRL entry (a delta-CRL marker).
cp "$OFF/index.txt" "$OFF/index.keep"
printf 'R\t301231235959Z\t260103000000Z,removeFromCRL\t0C04\tunknown\t/CN=d\n' >>"$OFF/index.txt"
gencrl "$OFF/remove.pem" "$PKI/ca-other.key" "$PKI/ca-other.pem"
cp "$OFF/index.keep" "$OFF/index.txt"

ok "crl import: a PEM CRL (#256): 2 entries, 2 newly revoked" \
    '^imported CRL #256 of issuer off: 2 entries, 2 newly revoked, nextUpdate ' \
    "$OCSPBOX" --db "$DBI" crl import off "$OFF/1.pem"
same "... its serials revoked with the CRL's time and reason" \
    "$(q "$DBI" "SELECT group_concat(serial_hex || ':' || status || ':' || ifnull(revoked_at, '-') || ':' || ifnull(revocation_reason, '-'), ' ') FROM (SELECT * FROM certificates WHERE issuer_id = 'off' ORDER BY serial_hex)")" \
    "c01:good:-:- c02:revoked:2026-01-01T00:00:00Z:1 c03:revoked:2026-01-02T00:00:00Z:-"
same "... stored as it is, with its number and one event" \
    "$(q "$DBI" "SELECT crl_number || ' ' || revoked_count || ' ' || (SELECT count(*) FROM crl_generation_events WHERE issuer_id = 'off' AND succeeded = 1) FROM crl_cache WHERE issuer_id = 'off'")" "256 2 1"
openssl crl -in "$OFF/1.pem" -outform DER -out "$OFF/1.der"
dbcrl "$DBI" off "$TMP/off-stored.der"
if cmp -s "$OFF/1.der" "$TMP/off-stored.der"; then
	pass "... byte for byte the CRL that was imported"
else
	fail "... byte for byte the CRL that was imported"
fi
refused "crl import: the same CRL again is refused" 1 'cRLNumber 256 is not above 256' \
    "$OCSPBOX" --db "$DBI" crl import off "$OFF/1.pem"
refused "crl import: another CA's CRL is refused" 1 "issuer is not this issuer" \
    "$OCSPBOX" --db "$DBI" crl import off "$OFF/wrongca.pem"
refused "crl import: a CRL whose signature does not verify is refused" 1 'signature does not verify' \
    "$OCSPBOX" --db "$DBI" crl import off "$OFF/badsig.der"
refused "crl import: a CRL with a removeFromCRL entry is refused" 1 'removeFromCRL belongs to delta CRLs' \
    "$OCSPBOX" --db "$DBI" crl import off "$OFF/remove.pem"
refused "crl import: a truncated CRL is refused" 1 'not a CRL' \
    "$OCSPBOX" --db "$DBI" crl import off "$OFF/truncated.der"
refused "crl import: a certificate is not a CRL" 1 'not a CRL' \
    "$OCSPBOX" --db "$DBI" crl import off "$PKI/ca-other.pem"
refused "crl import: an issuer with a CRL key builds its own" 1 'has a CRL key' \
    "$OCSPBOX" --db "$DBI" crl import rsa "$OFF/2.der"
refused "crl import: an unknown issuer" 1 'no issuer nope' \
    "$OCSPBOX" --db "$DBI" crl import nope "$OFF/2.der"
refused "crl import: a missing file" 1 'No such file' \
    "$OCSPBOX" --db "$DBI" crl import off "$OFF/none.der"
refused "crl import: one argument is a usage error" 2 'need ISSUER_ID and FILE' \
    "$OCSPBOX" --db "$DBI" crl import off
same "... none of those changed the stored CRL" \
    "$(q "$DBI" "SELECT crl_number FROM crl_cache WHERE issuer_id = 'off'")" 256
ok "crl import: the next one, in DER (#257), revokes nothing new" \
    '^imported CRL #257 of issuer off: 2 entries, 0 newly revoked' \
    "$OCSPBOX" --db "$DBI" crl import off "$OFF/2.der"
# cache refresh builds the CRL of rsa, not of the offline CA.
run "$OCSPBOX" --db "$DBI" cache refresh
if [ "$RC" -eq 0 ] && printf '%s\n' "$OUT" | grep -q '^crl rsa: #1,' &&
    ! printf '%s\n' "$OUT" | grep -q '^crl off'; then
	pass "cache refresh builds rsa's CRL and leaves the imported one alone"
else
	fail "cache refresh builds rsa's CRL and leaves the imported one alone" "$OUT" "$ERR"
fi
DB_SAVE=$DB
DB=$DBI
if start_server "$DBI" --refresh-interval 1h --validity 2h; then
	code=$(getcrl off "$TMP/off-served.der")
	if [ "$code" = 200 ] && cmp -s "$OFF/2.der" "$TMP/off-served.der"; then
		pass "the imported CRL is served as it is at /crl/off.crl"
	else
		fail "the imported CRL is served as it is at /crl/off.crl" "HTTP $code"
	fi
	st=$(openssl ocsp -url "$URL/" -issuer "$PKI/ca-other.pem" -serial 0x0C02 -no_nonce \
	    -CAfile "$PKI/ca-other.pem" 2>&1 | sed -n 's/^0x[0-9A-Fa-f]*: *\([a-z]*\)$/\1/p')
	same "OCSP answers revoked for a serial the imported CRL revoked" "$st" revoked
	same "stats: the imported CRL, no key" \
	    "$(stats '.issuers[] | select(.id == "off") | .crl | [.present, .key, .crl_number, .revoked_count, .is_stale] | map(tostring) | join(" ")')" \
	    "true false 257 2 false"
	# A newer CRL imported while serving is served at once.
	ok "crl import while serving (#259)" '^imported CRL #259 ' \
	    "$OCSPBOX" --db "$DBI" crl import off "$OFF/3.pem"
	getcrl off "$TMP/off-served.der" >/dev/null
	same "... and served at once" "$(cnum "$TMP/off-served.der")" 259
	stop_checked "server on the imported CRL"
else
	fail "server starts on the import database"
fi
DB=$DB_SAVE

# ---------------------------------------------------------------------
# 12. cRLNumbers past 63 bits, up to 20 octets (RFC 5280 5.2.3), compared
# as integers: `crl import` takes them in order and refuses a number not
# above the last or longer than 20 octets; the CRL ocspbox then builds is
# number + 1, as openssl reads it; a database migrated before 000026 keeps
# its numbers; and after 2^159 - 1 (the last number 20 octets of DER hold)
# ocspbox builds nothing rather than wrap.
DBW=$TMP/wide.db
wob() { "$OCSPBOX" --db "$DBW" "$@"; }
# gencrlnum HEX OUT: a CRL of the offline CA numbered HEX.
gencrlnum() {
	echo "$1" >"$OFF/crlnumber"
	gencrl "$2" "$PKI/ca-other.key" "$PKI/ca-other.pem"
}
# crlkey on|off: the CA key comes online for issuer wide, or goes away
# again (what `issuer update --ca-key` would do; there is no such command
# yet, and `crl import` is only for issuers without a CRL key).
crlkey() {
	if [ "$1" = on ]; then
		q "$DBW" "UPDATE issuers SET crl_key_path = '$PKI/ca-other.key' WHERE id = 'wide'"
	else
		q "$DBW" "UPDATE issuers SET crl_key_path = NULL WHERE id = 'wide'"
	fi
}
widehex() { q "$DBW" "SELECT crl_number || ' ' || ifnull(crl_number_hex, 'null') FROM crl_cache WHERE issuer_id = 'wide'"; }
gencrlnum 7FFFFFFFFFFFFFFF "$OFF/w63.pem"                          # 2^63 - 1
gencrlnum 8000000000000000 "$OFF/w64.pem"                          # 2^63
gencrlnum 7EFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF "$OFF/w20.pem"  # 20 octets
gencrlnum 010000000000000000000000000000000000000000 "$OFF/w21.pem" # 2^160
gencrlnum 7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF "$OFF/wlast.pem" # 2^159 - 1
gencrlnum FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF "$OFF/wmax.pem"  # 2^160 - 1
same "openssl made a CRL numbered 2^160 (21 octets)" \
    "$(openssl crl -in "$OFF/w21.pem" -noout -crlnumber)" \
    "crlNumber=0x010000000000000000000000000000000000000000"
wob migrate >/dev/null
wob issuer add wide --cert "$PKI/ca-other.pem" --responder-cert "$PKI/ca-other.pem" \
    --responder-key "$PKI/ca-other.key" >/dev/null
ok "crl import: #2^63 - 1" '^imported CRL #9223372036854775807 of issuer wide' \
    wob crl import wide "$OFF/w63.pem"
# Back to a database as an ocspbox before migration 000026 left it.
q "$DBW" "ALTER TABLE crl_generation_events DROP COLUMN crl_number_hex; ALTER TABLE crl_cache DROP COLUMN crl_number_hex; DELETE FROM schema_migrations WHERE version = '000026'"
ok "a database migrated before 000026 takes it" '1 migration applied, schema at 000026_crl_number_wide' wob migrate
same "... its CRL keeps the number in crl_number alone" "$(widehex)" "9223372036854775807 null"
crlkey on
ok "cache refresh after 2^63 - 1 builds #2^63" '^crl wide: #9223372036854775808, ' \
    wob cache refresh
dbcrl "$DBW" wide "$TMP/w-built.der"
same "... openssl reads its cRLNumber as 2^63" \
    "$(openssl crl -inform DER -in "$TMP/w-built.der" -noout -crlnumber)" "crlNumber=0x8000000000000000"
same "... DER INTEGER 00 80 00 .. 00: positive, minimal" \
    "$(od -An -tx1 -v "$TMP/w-built.der" | tr -d ' \n' | grep -o '0603551d14040b0209008000000000000000')" \
    0603551d14040b0209008000000000000000
same "... signed by the CA" "$(cverify "$TMP/w-built.der" other)" "verify OK"
same "... stored exactly; crl_number stops at 2^63 - 1" "$(widehex)" \
    "9223372036854775807 0000000000000000000000008000000000000000"
crlkey off
refused "crl import: the same number as the last is refused, naming the file" 1 \
    'w64\.pem: cRLNumber 9223372036854775808 is not above 9223372036854775808, the last one here' \
    wob crl import wide "$OFF/w64.pem"
refused "crl import: a lower one is refused" 1 \
    'w63\.pem: cRLNumber 9223372036854775807 is not above 9223372036854775808' \
    wob crl import wide "$OFF/w63.pem"
ok "crl import: a 20-octet number" \
    '^imported CRL #725041827894627619577609272480343529282435284991 of issuer wide' \
    wob crl import wide "$OFF/w20.pem"
refused "crl import: a 21-octet number is refused, naming the file" 1 \
    'w21\.pem: a cRLNumber longer than 20 octets' wob crl import wide "$OFF/w21.pem"
same "stats JSON: a number past 2^53 is its decimal digits, as a string" \
    "$(wob cache stats --json | jq -r '.issuers[] | select(.id == "wide") | .crl.crl_number | type + " " + .')" \
    "string 725041827894627619577609272480343529282435284991"
ok "stats text: the exact number" '^  crl #725041827894627619577609272480343529282435284991, ' \
    wob cache stats
crlkey on
ok "cache refresh after the 20-octet number builds number + 1" \
    '^crl wide: #725041827894627619577609272480343529282435284992, ' wob cache refresh
dbcrl "$DBW" wide "$TMP/w-built.der"
same "... openssl reads its cRLNumber" \
    "$(openssl crl -inform DER -in "$TMP/w-built.der" -noout -crlnumber)" \
    "crlNumber=0x7F00000000000000000000000000000000000000"
same "... signed by the CA" "$(cverify "$TMP/w-built.der" other)" "verify OK"
crlkey off
ok "crl import: 2^159 - 1" '^imported CRL #730750818665451459101842416358141509827966271487 ' \
    wob crl import wide "$OFF/wlast.pem"
crlkey on
run wob cache refresh
if [ "$RC" -eq 1 ] &&
    printf '%s\n' "$ERR" | grep -q '^ocspbox: cache refresh: crl wide: cRLNumber 730750818665451459101842416358141509827966271487 is the last: the next would be longer than 20 octets'; then
	pass "cache refresh after 2^159 - 1 builds nothing and says why"
else
	fail "cache refresh after 2^159 - 1 builds nothing and says why" "exit $RC" "$OUT" "$ERR"
fi
same "... the stored CRL is still 2^159 - 1, the failure recorded" \
    "$(widehex) $(q "$DBW" "SELECT succeeded || ' ' || (error LIKE '%is the last%') FROM crl_generation_events WHERE issuer_id = 'wide' ORDER BY id DESC LIMIT 1")" \
    "9223372036854775807 7fffffffffffffffffffffffffffffffffffffff 0 1"
crlkey off
ok "crl import: 2^160 - 1, 20 octets of value, is read" \
    '^imported CRL #1461501637330902918203684832716283019655932542975 ' \
    wob crl import wide "$OFF/wmax.pem"
same "integrity_check of the wide database" "$(q "$DBW" 'PRAGMA integrity_check')" ok

finish
