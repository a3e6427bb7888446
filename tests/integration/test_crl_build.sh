#!/bin/sh
# CRLs built by `cache refresh`: one per issuer with a CRL key, which
# openssl verifies (RSA, P-256, P-384) and reads with its crlNumber, AKI,
# lastUpdate and nextUpdate, and each revoked serial with its reason and
# time; a second build takes the next number. removeFromCRL is no reason
# to revoke, and a CA without cRLSign gets no CRL key.
# test_crl_serve.sh serves them, test_crl_scale.sh makes one of 10,000
# entries, test_crl_import.sh imports the CRLs of an offline CA.
. tests/integration/lib.sh

make_pki
VALIDITY=7200

# 1. Setup: rsa, ec and p384 with CRL keys, own (a self-answering CA)
# without one; a few revocations with and without reasons.
crl_issuers || { fail "register issuers, certificates and revocations"; finish; exit 1; }
pass "register rsa, ec, p384 with --crl-key and own without"
same "issuer_crl_key stored for the three, not for own" \
    "$(q "SELECT group_concat(id || '=' || (crl_key_path IS NOT NULL), ' ') FROM (SELECT * FROM issuers ORDER BY id)")" \
    "ec=1 own=0 p384=1 rsa=1"

# 2. removeFromCRL is no reason to revoke (any case), and nothing is stored.
refused "revoke --reason removeFromCRL: usage error" 2 'removeFromCRL' \
    ob revoke rsa 123 --reason removeFromCRL
refused "revoke --reason REMOVEFROMCRL: usage error" 2 'removeFromCRL' \
    ob revoke rsa cafe --reason REMOVEFROMCRL
same "... nothing revoked or registered by them" \
    "$(q "SELECT count(*) FROM certificates WHERE serial_hex = '123' OR (serial_hex = 'cafe' AND status = 'revoked')")" 0

# 3. A CA whose keyUsage lacks cRLSign may not sign CRLs: no --crl-key for it.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$TMP/nocrl.key" -out "$TMP/nocrl.pem" -subj /CN=nocrlsign -days 30 \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
    >/dev/null 2>&1
chmod 600 "$TMP/nocrl.key"
refused "issuer add --crl-key: a CA without cRLSign is refused" 1 'lacks cRLSign' \
    ob issuer add nocrl --cert "$TMP/nocrl.pem" --responder-cert "$TMP/nocrl.pem" \
    --responder-key "$TMP/nocrl.key" --crl-key "$TMP/nocrl.key"

# 4. cache refresh builds the CRLs, numbered by the clock (ms).
t0=$(now_ms)
run ob cache refresh --validity 2h --refresh-interval 1h
t1=$(now_ms)
# num ISSUER: the number of the CRL that line of $OUT says was built.
num() { printf '%s\n' "$OUT" | sed -n "s/^crl $1: #\([0-9]*\), .*/\1/p"; }
# clocked N: whether N is a number the clock gave between t0 and t1.
clocked() { [ -n "$1" ] && [ "$1" -ge "$t0" ] && [ "$1" -le "$t1" ]; }
if [ "$RC" -eq 0 ] &&
    printf '%s\n' "$OUT" | grep -Eq '^crl rsa: #[0-9]+, 5 revoked, [0-9]+ bytes, in [0-9]+ ms$' &&
    printf '%s\n' "$OUT" | grep -Eq '^crl ec: #[0-9]+, 1 revoked, [0-9]+ bytes, in [0-9]+ ms$' &&
    printf '%s\n' "$OUT" | grep -Eq '^crl p384: #[0-9]+, 0 revoked, [0-9]+ bytes, in [0-9]+ ms$' &&
    clocked "$(num rsa)" && clocked "$(num ec)" && clocked "$(num p384)" &&
    ! printf '%s\n' "$OUT" | grep -q '^crl own'; then
	pass "cache refresh: one 'crl ID: #N, K revoked' line per issuer with a CRL key, N the clock's ms"
else
	fail "cache refresh: one 'crl ID: #N, K revoked' line per issuer with a CRL key, N the clock's ms" \
	    "exit $RC" "stdout: $OUT" "stderr: $ERR" "clock: $t0 to $t1"
fi
N1_RSA=$(num rsa) N1_EC=$(num ec) N1_P384=$(num p384)
t_refresh=$(date +%s)
same "crl_cache rows: ec, p384, rsa (own has none)" \
    "$(q "SELECT group_concat(issuer_id || ':' || crl_number || ':' || revoked_count, ' ') FROM (SELECT * FROM crl_cache ORDER BY issuer_id)")" \
    "ec:$N1_EC:1 p384:$N1_P384:0 rsa:$N1_RSA:5"
same "one successful event per build, with number and count" \
    "$(q "SELECT group_concat(issuer_id || ':' || crl_number || ':' || revoked_count || ':' || succeeded || ':' || ifnull(error, '-'), ' ') FROM (SELECT * FROM crl_generation_events ORDER BY issuer_id)")" \
    "ec:$N1_EC:1:1:- p384:$N1_P384:0:1:- rsa:$N1_RSA:5:1:-"

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
same "rsa CRL: its CRL Number" "$(cnum "$TMP/rsa1.der")" "$N1_RSA"
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

# 5. ECDSA issuers: P-256 and P-384 (the latter with no revoked entry).
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

# 6. A second build takes a higher number; the first stays recorded.
t0=$(now_ms)
run ob cache refresh --validity 2h --refresh-interval 1h
t1=$(now_ms)
if [ "$RC" -eq 0 ] && printf '%s\n' "$OUT" | grep -q '^crl rsa: #[0-9]*, 5 revoked' &&
    clocked "$(num rsa)" && clocked "$(num ec)" && clocked "$(num p384)" &&
    [ "$(num rsa)" -gt "$N1_RSA" ] && [ "$(num ec)" -gt "$N1_EC" ] &&
    [ "$(num p384)" -gt "$N1_P384" ]; then
	pass "second cache refresh: every CRL takes a higher number"
else
	fail "second cache refresh: every CRL takes a higher number" "exit $RC" "$OUT" "$ERR"
fi
N2_RSA=$(num rsa)
dbcrl "$DB" rsa "$TMP/rsa2.der"
same "the stored rsa CRL says that number and verifies" \
    "$(cnum "$TMP/rsa2.der") $(cverify "$TMP/rsa2.der" rsa)" "$N2_RSA verify OK"
ok "cache stats (text) shows the CRL" "^ +crl #$N2_RSA, 5 revoked, nextUpdate " ob cache stats
same "both builds recorded, in order" \
    "$(q "SELECT group_concat(crl_number, ' ') FROM (SELECT crl_number FROM crl_generation_events WHERE issuer_id = 'rsa' ORDER BY id)")" \
    "$N1_RSA $N2_RSA"
finish
