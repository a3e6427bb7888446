#!/bin/sh
# CRLs of a CA whose key stays offline: `crl import` takes one made by
# `openssl ca -gencrl` (PEM or DER), checks its issuer, signature and
# number, applies its revocations, stores it as it is, and serve serves it
# byte for byte (also one imported while serving); every bad CRL is
# refused in one line and changes nothing. cRLNumbers of up to 20 octets
# are imported and built in order, and past the last one nothing is built.
. tests/integration/lib.sh

make_pki
admin_token

# 1. crl import: the CRL of a CA whose key stays offline, made by
# `openssl ca -gencrl`, checked, its revocations applied, served as it is.
OFF=$TMP/offline
mkdir -p "$OFF"
# The offline CA answers OCSP itself (responder = CA); no --crl-key.
ob migrate >/dev/null
ob issuer add off --cert "$PKI/ca-other.pem" \
    --responder-cert "$PKI/ca-other.pem" --responder-key "$PKI/ca-other.key" >/dev/null
ob issuer add rsa --cert "$PKI/ca-rsa.pem" --responder-cert "$PKI/resp-rsa.pem" \
    --responder-key "$PKI/resp-rsa.key" --crl-key "$PKI/ca-rsa.key" >/dev/null
ob cert add off --serial 0C01 >/dev/null
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
    ob crl import off "$OFF/1.pem"
same "... its serials revoked with the CRL's time and reason" \
    "$(q "SELECT group_concat(serial_hex || ':' || status || ':' || ifnull(revoked_at, '-') || ':' || ifnull(revocation_reason, '-'), ' ') FROM (SELECT * FROM certificates WHERE issuer_id = 'off' ORDER BY serial_hex)")" \
    "c01:good:-:- c02:revoked:2026-01-01T00:00:00Z:1 c03:revoked:2026-01-02T00:00:00Z:-"
same "... stored as it is, with its number and one event" \
    "$(q "SELECT crl_number || ' ' || revoked_count || ' ' || (SELECT count(*) FROM crl_generation_events WHERE issuer_id = 'off' AND succeeded = 1) FROM crl_cache WHERE issuer_id = 'off'")" "256 2 1"
openssl crl -in "$OFF/1.pem" -outform DER -out "$OFF/1.der"
dbcrl "$DB" off "$TMP/off-stored.der"
if cmp -s "$OFF/1.der" "$TMP/off-stored.der"; then
	pass "... byte for byte the CRL that was imported"
else
	fail "... byte for byte the CRL that was imported"
fi
refused "crl import: the same CRL again is refused" 1 'cRLNumber 256 is not above 256' \
    ob crl import off "$OFF/1.pem"
refused "crl import: another CA's CRL is refused" 1 "issuer is not this issuer" \
    ob crl import off "$OFF/wrongca.pem"
refused "crl import: a CRL whose signature does not verify is refused" 1 'signature does not verify' \
    ob crl import off "$OFF/badsig.der"
refused "crl import: a CRL with a removeFromCRL entry is refused" 1 'removeFromCRL belongs to delta CRLs' \
    ob crl import off "$OFF/remove.pem"
refused "crl import: a truncated CRL is refused" 1 'not a CRL' \
    ob crl import off "$OFF/truncated.der"
refused "crl import: a certificate is not a CRL" 1 'not a CRL' \
    ob crl import off "$PKI/ca-other.pem"
refused "crl import: an issuer with a CRL key builds its own" 1 'has a CRL key' \
    ob crl import rsa "$OFF/2.der"
refused "crl import: an unknown issuer" 1 'no issuer nope' \
    ob crl import nope "$OFF/2.der"
refused "crl import: a missing file" 1 'No such file' \
    ob crl import off "$OFF/none.der"
refused "crl import: one argument is a usage error" 2 'need ISSUER_ID and FILE' \
    ob crl import off
same "... none of those changed the stored CRL" \
    "$(q "SELECT crl_number FROM crl_cache WHERE issuer_id = 'off'")" 256
ok "crl import: the next one, in DER (#257), revokes nothing new" \
    '^imported CRL #257 of issuer off: 2 entries, 0 newly revoked' \
    ob crl import off "$OFF/2.der"
# cache refresh builds the CRL of rsa, not of the offline CA.
run ob cache refresh
if [ "$RC" -eq 0 ] && printf '%s\n' "$OUT" | grep -q '^crl rsa: #[0-9]*,' &&
    ! printf '%s\n' "$OUT" | grep -q '^crl off'; then
	pass "cache refresh builds rsa's CRL and leaves the imported one alone"
else
	fail "cache refresh builds rsa's CRL and leaves the imported one alone" "$OUT" "$ERR"
fi
if start_server "$DB" --refresh-interval 1h --validity 2h; then
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
	    ob crl import off "$OFF/3.pem"
	getcrl off "$TMP/off-served.der" >/dev/null
	same "... and served at once" "$(cnum "$TMP/off-served.der")" 259
	stop_checked "server on the imported CRL"
else
	fail "server starts on the import database"
fi

# 2. cRLNumbers past 63 bits, up to 20 octets (RFC 5280 5.2.3), compared
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
		qdb "$DBW" "UPDATE issuers SET crl_key_path = '$PKI/ca-other.key' WHERE id = 'wide'"
	else
		qdb "$DBW" "UPDATE issuers SET crl_key_path = NULL WHERE id = 'wide'"
	fi
}
widehex() { qdb "$DBW" "SELECT crl_number || ' ' || ifnull(crl_number_hex, 'null') FROM crl_cache WHERE issuer_id = 'wide'"; }
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
qdb "$DBW" "ALTER TABLE crl_generation_events DROP COLUMN crl_number_hex; ALTER TABLE crl_cache DROP COLUMN crl_number_hex; DELETE FROM schema_migrations WHERE version = '000026'"
ok "a database migrated before 000026 takes it" '^applied 000026_crl_number_wide$' wob migrate
same "... and only it" "$(printf '%s\n' "$OUT" | grep -c '^applied ')" 1
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
    "$(widehex) $(qdb "$DBW" "SELECT succeeded || ' ' || (error LIKE '%is the last%') FROM crl_generation_events WHERE issuer_id = 'wide' ORDER BY id DESC LIMIT 1")" \
    "9223372036854775807 7fffffffffffffffffffffffffffffffffffffff 0 1"
crlkey off
ok "crl import: 2^160 - 1, 20 octets of value, is read" \
    '^imported CRL #1461501637330902918203684832716283019655932542975 ' \
    wob crl import wide "$OFF/wmax.pem"
same "integrity_check of the wide database" "$(qdb "$DBW" 'PRAGMA integrity_check')" ok

finish
