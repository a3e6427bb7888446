#!/bin/sh
# Who an OCSP CertID names (RFC 6960 4.1.1) and serials that keep their
# sign (RFC 5280 4.1.2.2), end to end: certificates made by openssl here,
# a real database, the real server on 127.0.0.1, and openssl ocsp, curl
# and a small DER builder (ocspder.py, for the CertIDs openssl cannot
# send) as clients. 1: two CAs under one name, and an empty
# issuerKeyHash. 2: a leaf whose issuer field encodes its CA's name with
# another string type. 3: negative serials through every path.
. tests/integration/lib.sh

D=tests/integration/ocspder.py
W=$TMP/pki
mkdir -p "$W"
umask 077
cat >"$W/ext.cnf" <<'CNF'
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[responder]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
authorityKeyIdentifier = keyid
[leaf]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
CNF
# The same with the string types openssl picks: PrintableString where
# the text allows it (nombstr), UTF8String always (utf8only).
sed 's/^\[req\]$/[req]\nstring_mask = nombstr/' "$W/ext.cnf" >"$W/printable.cnf"
sed 's/^\[req\]$/[req]\nstring_mask = utf8only/' "$W/ext.cnf" >"$W/utf8.cnf"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$W/$1.key"; }
# ca NAME SUBJECT [CNF [KEY]]: a self-signed CA, with its own key or KEY's.
ca() {
	[ -n "${4:-}" ] || key "$1"
	openssl req -x509 -new -key "$W/${4:-$1}.key" -subj "$2" -days 365 \
	    -extensions ca -config "$W/${3:-ext}.cnf" -out "$W/$1.pem" 2>/dev/null
}
# issue NAME CA CAKEY EXT SERIAL SUBJECT: a certificate CA signs.
issue() {
	key "$1"
	openssl req -new -key "$W/$1.key" -subj "$6" -config "$W/ext.cnf" \
	    -out "$W/$1.csr" 2>/dev/null &&
	    openssl x509 -req -in "$W/$1.csr" -CA "$W/$2.pem" -CAkey "$W/$3.key" \
		-set_serial "$5" -days 30 -sha256 -extfile "$W/ext.cnf" \
		-extensions "$4" -out "$W/$1.pem" 2>/dev/null
}
# selfreg DB ID [ARGS...]: registers CA ID as its own responder.
selfreg() {
	sdb=$1 sid=$2
	shift 2
	"$OCSPBOX" --db "$sdb" issuer add "$sid" --cert "$W/$sid.pem" \
	    --responder-cert "$W/$sid.pem" --responder-key "$W/$sid.key" "$@" >/dev/null
}

# post NAME REQ: POSTs REQ.der, the answer into NAME.der; prints what
# ocspder.py reads of it ("status N", then "CERTID STATUS" lines).
post() {
	curl -s -m 30 --data-binary @"$TMP/$2.der" \
	    -H 'Content-Type: application/ocsp-request' -o "$TMP/$1.der" "$URL/"
	python3 "$D" resp "$TMP/$1.der"
}
# get NAME REQ: the same as a GET.
get() {
	curl -s -m 30 -o "$TMP/$1.der" "$URL/$(enc "$TMP/$2.der")"
	python3 "$D" resp "$TMP/$1.der"
}
# answered NAME RESP REQ STATUS: RESP says successful and STATUS for the
# one CertID of REQ, echoed byte for byte.
answered() {
	want="status 0
$(python3 "$D" certid "$TMP/$3.der") $4"
	same "$1" "$(python3 "$D" resp "$TMP/$2.der" 2>&1)" "$want"
}
# osp NAME PATTERN ARGS...: openssl ocsp against the server, without a
# nonce: the response verifies and its text matches PATTERN.
osp() {
	name=$1 pat=$2
	shift 2
	run openssl ocsp -url "$URL/" -no_nonce "$@"
	if [ "$RC" -eq 0 ] && printf '%s\n' "$ERR" | grep -q '^Response verify OK' &&
	    printf '%s\n' "$OUT" | grep -Eq -- "$pat"; then
		pass "$name"
	else
		fail "$name" "exit $RC" "$OUT" "$ERR"
	fi
}
serve() { # DB: (re)starts the server on DB, or ends the suite
	[ -n "$SERVER_PID" ] && stop_checked "server on $(basename "$1")"
	if ! start_server "$1" --validity 1h --refresh-interval 10m; then
		fail "server starts on $1"
		finish
		exit 1
	fi
}
admin_token

# --- 1: two CAs under one name ----------------------------------------
# A CA re-keyed under its old name: one subject, two keys. Both register
# (the unique index is on both hashes), each with a leaf of serial d01;
# only twin2's is revoked.
ca twin1 "/O=ocspbox test/CN=Twin CA"
ca twin2 "/O=ocspbox test/CN=Twin CA"
issue tw1-leaf twin1 twin1 leaf 0x0D01 "/CN=twin1-leaf.example"
issue tw2-leaf twin2 twin2 leaf 0x0D01 "/CN=twin2-leaf.example"
same "the twins' subjects are one Name" \
    "$(python3 "$D" name "$W/twin1.pem" subject)" "$(python3 "$D" name "$W/twin2.pem" subject)"
ob migrate >/dev/null
selfreg "$DB" twin1 && selfreg "$DB" twin2 &&
    ob cert add twin1 --cert "$W/tw1-leaf.pem" >/dev/null &&
    ob cert add twin2 --cert "$W/tw2-leaf.pem" >/dev/null &&
    ob revoke twin2 d01 --reason keyCompromise >/dev/null &&
    pass "two CAs of one name register, each its d01, twin2's revoked" ||
    fail "two CAs of one name register, each its d01, twin2's revoked"
serve "$DB"
osp "twin1's full CertID: good" 'tw1-leaf.pem: good' \
    -issuer "$W/twin1.pem" -cert "$W/tw1-leaf.pem" -CAfile "$W/twin1.pem"
osp "twin2's full CertID: revoked" 'tw2-leaf.pem: revoked' \
    -issuer "$W/twin2.pem" -cert "$W/tw2-leaf.pem" -CAfile "$W/twin2.pem"
osp "twin1's SHA-256 CertID: good" 'tw1-leaf.pem: good' \
    -issuer "$W/twin1.pem" -sha256 -cert "$W/tw1-leaf.pem" -CAfile "$W/twin1.pem"
# Windows certutil's CertID: the name hash, no key hash. The name is
# twin1's and twin2's: either answer could be wrong, so none is given.
python3 "$D" req --name-of "$W/twin1.pem" --key-of "$W/twin1.pem" --serial d01 \
    --empty-key "$TMP/twin-nokey.der"
python3 "$D" req --name-of "$W/twin1.pem" --key-of "$W/twin1.pem" --serial d01 \
    --empty-key --sha256 "$TMP/twin-nokey256.der"
same "empty issuerKeyHash of a shared name, POST: unauthorized (6)" \
    "$(post r twin-nokey)" "status 6"
same "empty issuerKeyHash of a shared name, GET: unauthorized (6)" \
    "$(get r twin-nokey)" "status 6"
same "empty issuerKeyHash of a shared name, SHA-256: unauthorized (6)" \
    "$(post r twin-nokey256)" "status 6"
# With only twin2 of that name, the same CertID is twin2's.
DB2=$TMP/one-twin.db
"$OCSPBOX" --db "$DB2" migrate >/dev/null
selfreg "$DB2" twin2 && "$OCSPBOX" --db "$DB2" revoke twin2 d01 --unregistered >/dev/null ||
    fail "one twin registered"
serve "$DB2"
post r twin-nokey >/dev/null
answered "empty issuerKeyHash, one CA of that name, POST: its answer, echoed" \
    r twin-nokey revoked
get r twin-nokey >/dev/null
answered "the same by GET" r twin-nokey revoked
post r twin-nokey256 >/dev/null
answered "the same, SHA-256" r twin-nokey256 revoked
run openssl ocsp -respin "$TMP/r.der" -issuer "$W/twin2.pem" -CAfile "$W/twin2.pem"
if printf '%s\n' "$ERR" | grep -q '^Response verify OK'; then
	pass "that answer verifies (openssl)"
else
	fail "that answer verifies (openssl)" "$OUT" "$ERR"
fi
run openssl ocsp -url "$URL/" -no_nonce -issuer "$W/twin1.pem" -serial 0xD01 -CAfile "$W/twin1.pem"
if printf '%s\n' "$OUT$ERR" | grep -q 'Responder Error: unauthorized'; then
	pass "twin1's full CertID there: unauthorized"
else
	fail "twin1's full CertID there: unauthorized" "$OUT" "$ERR"
fi

# --- 2: the issuer field of a leaf, encoded otherwise -------------------
# One key, one name; the CA certificate's subject in PrintableString, and
# a second certificate of the same key and name in UTF8String that signs
# the leaf, whose issuer field openssl copies from it. ocspbox knows only
# the first; RFC 6960 4.1.1 clients (Firefox) hash the leaf's issuer
# field.
ca alias "/O=ocspbox test/CN=Test Alias CA" printable
ca alias-u "/O=ocspbox test/CN=Test Alias CA" utf8 alias
issue alias-resp alias alias responder 0x0E00 "/O=ocspbox test/CN=Alias responder"
issue alias-leaf alias-u alias leaf 0x0E01 "/CN=alias-leaf.example"
same "openssl verify: the leaf chains to the PrintableString CA" \
    "$(openssl verify -CAfile "$W/alias.pem" "$W/alias-leaf.pem" 2>&1)" "$W/alias-leaf.pem: OK"
same "the CA's subject is PrintableString" \
    "$(openssl asn1parse -in "$W/alias.pem" | grep -c 'PRINTABLESTRING *:Test Alias CA')" 2
same "the leaf's issuer field is UTF8String" \
    "$(openssl asn1parse -in "$W/alias-leaf.pem" | grep -c 'UTF8STRING *:Test Alias CA')" 1
h_ca=$(python3 "$D" name "$W/alias.pem" subject)
h_leaf=$(python3 "$D" name "$W/alias-leaf.pem" issuer)
if [ -n "$h_ca" ] && [ -n "$h_leaf" ] && [ "$h_ca" != "$h_leaf" ]; then
	pass "so their name hashes differ"
else
	fail "so their name hashes differ" "$h_ca" "$h_leaf"
fi
# The CertID Firefox sends: the leaf's issuer field, the CA's key.
python3 "$D" req --issuer-of "$W/alias-leaf.pem" --key-of "$W/alias.pem" \
    --serial-of "$W/alias-leaf.pem" "$TMP/alias-req.der"
python3 "$D" req --issuer-of "$W/alias-leaf.pem" --key-of "$W/alias.pem" \
    --serial-of "$W/alias-leaf.pem" --sha256 "$TMP/alias-req256.der"
python3 "$D" req --issuer-of "$W/alias-leaf.pem" --key-of "$W/alias.pem" \
    --serial-of "$W/alias-leaf.pem" --empty-key "$TMP/alias-nokey.der"
openssl ocsp -issuer "$W/alias-u.pem" -cert "$W/alias-leaf.pem" -no_nonce \
    -reqout "$TMP/alias-openssl.der" >/dev/null 2>&1
same "that CertID is openssl's from the UTF8String certificate" \
    "$(python3 "$D" certid "$TMP/alias-req.der")" "$(python3 "$D" certid "$TMP/alias-openssl.der")"
DB3=$TMP/alias.db
"$OCSPBOX" --db "$DB3" migrate >/dev/null
"$OCSPBOX" --db "$DB3" issuer add alias --cert "$W/alias.pem" \
    --responder-cert "$W/alias-resp.pem" --responder-key "$W/alias-resp.key" >/dev/null ||
    fail "the alias CA registers"
serve "$DB3"
same "before the leaf is registered: unauthorized (6)" "$(post r alias-req)" "status 6"
same "... SHA-256 too" "$(post r alias-req256)" "status 6"
osp "the CA's own name: unknown" '0x0E01: unknown' \
    -issuer "$W/alias.pem" -serial 0x0E01 -CAfile "$W/alias.pem"
# The server keeps running: the alias reaches it by its reload poll.
run "$OCSPBOX" --db "$DB3" cert add alias --cert "$W/alias-leaf.pem"
if [ "$RC" -eq 0 ] && printf '%s\n' "$OUT" | grep -q '^added certificate e01 to issuer alias$' &&
    printf '%s\n' "$OUT" | grep -q 'recorded as another name of issuer alias'; then
	pass "cert add --cert records the leaf's issuer field as a name"
else
	fail "cert add --cert records the leaf's issuer field as a name" "exit $RC" "$OUT" "$ERR"
fi
same "one alias row, of both hashes" \
    "$(qdb "$DB3" "SELECT issuer_id, hex(name_sha1), length(name_sha256) FROM issuer_name_aliases")" \
    "alias|$(printf '%s' "$h_leaf" | tr a-f A-F)|32"
refused "the same leaf again: already registered" 1 'already registered' \
    "$OCSPBOX" --db "$DB3" cert add alias --cert "$W/alias-leaf.pem"
same "... and no second alias" "$(qdb "$DB3" "SELECT count(*) FROM issuer_name_aliases")" 1
issue alias-leaf2 alias alias leaf 0x0E02 "/CN=alias-leaf2.example"
run "$OCSPBOX" --db "$DB3" cert add alias --cert "$W/alias-leaf2.pem"
if [ "$RC" -eq 0 ] && ! printf '%s\n' "$OUT" | grep -q 'another name'; then
	pass "a leaf naming the CA as its subject does: no alias"
else
	fail "a leaf naming the CA as its subject does: no alias" "$OUT"
fi
same "... still one" "$(qdb "$DB3" "SELECT count(*) FROM issuer_name_aliases")" 1
# A running server takes a new alias up within its reload poll (2 s).
i=0
while [ "$(post r alias-req | head -1)" != "status 0" ] && [ "$i" -lt 50 ]; do
	sleep 0.2
	i=$((i + 1))
done
if [ "$i" -lt 50 ]; then
	pass "the running server answers for the new alias within 10 s"
else
	fail "the running server answers for the new alias within 10 s" "$(post r alias-req)"
fi
post r alias-req >/dev/null
answered "the leaf's issuer field CertID, POST: good, echoed byte for byte" \
    r alias-req good
run openssl ocsp -respin "$TMP/r.der" -issuer "$W/alias-u.pem" -cert "$W/alias-leaf.pem" \
    -CAfile "$W/alias-u.pem" -no_nonce
if [ "$RC" -eq 0 ] && printf '%s\n' "$ERR" | grep -q '^Response verify OK' &&
    printf '%s\n' "$OUT" | grep -q 'alias-leaf.pem: good'; then
	pass "openssl verifies it (responder chain, CertID, status)"
else
	fail "openssl verifies it (responder chain, CertID, status)" "$OUT" "$ERR"
fi
get r alias-req >/dev/null
answered "the same by GET" r alias-req good
post r alias-req256 >/dev/null
answered "the same, SHA-256" r alias-req256 good
post r alias-nokey >/dev/null
answered "... with an empty issuerKeyHash (one issuer of that name)" r alias-nokey good
osp "the CA's own name still answers" '0x0E01: good' \
    -issuer "$W/alias.pem" -serial 0x0E01 -CAfile "$W/alias.pem"
python3 "$D" req --issuer-of "$W/alias-leaf.pem" --key-of "$W/twin1.pem" \
    --serial e01 "$TMP/alias-otherkey.der"
same "the alias with another CA's key: unauthorized (6)" "$(post r alias-otherkey)" "status 6"
# A second CA whose own subject is that UTF8String name, with its own
# key: the full CertIDs still tell them apart, the empty key hash no
# longer can.
ca alias2 "/O=ocspbox test/CN=Test Alias CA" utf8
selfreg "$DB3" alias2 || fail "alias2 registers"
serve "$DB3"
post r alias-req >/dev/null
answered "full CertID over the alias, two issuers of that name: still good" \
    r alias-req good
same "empty issuerKeyHash over it now: unauthorized (6)" "$(post r alias-nokey)" "status 6"
stop_checked "server on alias.db"

# --- 3: negative serials ---------------------------------------------------
# DER INTEGER 9a is -0x66, 00 9a is +0x9a: two certificates.
ca neg "/O=ocspbox test/CN=Negative serial CA"
ca neg2 "/O=ocspbox test/CN=Another negative serial CA"
ca neg3 "/O=ocspbox test/CN=Offline negative serial CA"
issue neg-leaf neg neg leaf -0x66 "/CN=neg.example"
issue pos-leaf neg neg leaf 0x9a "/CN=pos.example"
same "openssl made serials -66 and 9a" \
    "$(openssl x509 -in "$W/neg-leaf.pem" -noout -serial) $(python3 "$D" serial "$W/neg-leaf.pem") $(python3 "$D" serial "$W/pos-leaf.pem")" \
    "serial=-66 9a 009a"
DB4=$TMP/neg.db
N() { "$OCSPBOX" --db "$DB4" "$@"; }
N migrate >/dev/null
selfreg "$DB4" neg --crl-key "$W/neg.key" && selfreg "$DB4" neg2 && selfreg "$DB4" neg3 ||
    fail "the negative serial CAs register"
ok "cert add --cert of serial -0x66" '^added certificate -66 to issuer neg$' \
    N cert add neg --cert "$W/neg-leaf.pem"
ok "cert add --cert of serial 0x9a, beside it" '^added certificate 9a to issuer neg$' \
    N cert add neg --cert "$W/pos-leaf.pem"
ok "cert add --serial -66 (a fresh issuer)" '^added certificate -66 to issuer neg2$' \
    N cert add neg2 --serial -66
refused "cert add --serial=-0x0066 again: already registered" 1 'certificate -66 of issuer neg2 already registered' \
    N cert add neg2 --serial=-0x0066
refused "a bad negative serial" 2 'bad serial "-6g"' N revoke neg -6g
ok "revoke ISSUER -66, a positional after -" '^revoked certificate -66 of issuer neg at .*keyCompromise' \
    N revoke neg -66 --reason keyCompromise
ok "revoke ISSUER -- -66: options end at --" 'certificate -66 of issuer neg was already revoked' \
    N revoke neg -- -66
same "stored: -66 revoked, 9a good" \
    "$(qdb "$DB4" "SELECT group_concat(serial_hex || '=' || status, ' ') FROM (SELECT * FROM certificates WHERE issuer_id = 'neg' ORDER BY serial_hex)")" \
    "-66=revoked 9a=good"
ok "issuer list counts both" '^neg +ec-p256 +CA +2 +1 +yes ' N issuer list
same "issuer list --json counts both" \
    "$(N issuer list --json | jq -c '.issuers[] | select(.id == "neg") | [.certificates, .revoked]')" "[2,1]"
# openssl ca writes a negative serial as "-66" in its index, and reads it
# back into CRLs: import both into neg3, whose key stays offline.
issue neg3-a neg3 neg3 leaf -0x77 "/CN=neg3-a.example"
issue neg3-b neg3 neg3 leaf -0x88 "/CN=neg3-b.example"
mkdir -p "$W/db3"
: >"$W/db3/index.txt"
echo 01 >"$W/db3/crlnumber"
cat >"$W/db3/ca.cnf" <<CNF
[ca]
default_ca = d
[d]
database = $W/db3/index.txt
certificate = $W/neg3.pem
private_key = $W/neg3.key
default_md = sha256
default_crl_days = 30
crlnumber = $W/db3/crlnumber
CNF
openssl ca -config "$W/db3/ca.cnf" -valid "$W/neg3-a.pem" >/dev/null 2>&1
openssl ca -config "$W/db3/ca.cnf" -valid "$W/neg3-b.pem" >/dev/null 2>&1
openssl ca -config "$W/db3/ca.cnf" -revoke "$W/neg3-b.pem" -crl_reason superseded >/dev/null 2>&1
same "openssl ca's index holds -77 and -88" "$(cut -f1,4 "$W/db3/index.txt" | tr '\t\n' ': ')" "V:-77 R:-88 "
ok "cert import --openssl-index of negative serials" '2 certificates into issuer neg3: 1 valid, 1 revoked' \
    N cert import neg3 --openssl-index "$W/db3/index.txt"
openssl ca -config "$W/db3/ca.cnf" -revoke "$W/neg3-a.pem" -crl_reason keyCompromise >/dev/null 2>&1
openssl ca -config "$W/db3/ca.cnf" -gencrl -out "$W/neg3.crl" >/dev/null 2>&1
ok "crl import of a CRL listing -77 and -88" '^imported CRL #1 of issuer neg3: 2 entries, 1 newly revoked' \
    N crl import neg3 "$W/neg3.crl"
same "neg3 stored: -77 revoked by the CRL, -88 by the index" \
    "$(qdb "$DB4" "SELECT group_concat(serial_hex || '=' || status || '/' || coalesce(revocation_reason, '-'), ' ') FROM (SELECT * FROM certificates WHERE issuer_id = 'neg3' ORDER BY serial_hex)")" \
    "-77=revoked/1 -88=revoked/4"
ok "cache refresh pre-signs them" '[1-9][0-9]* signed' N cache refresh --validity 1h --refresh-interval 10m
same "cache entries keep the sign" \
    "$(qdb "$DB4" "SELECT group_concat(serial_hex || '=' || cert_status, ' ') FROM (SELECT * FROM ocsp_response_cache WHERE issuer_id = 'neg' ORDER BY serial_hex)")" \
    "-66=revoked 9a=good"
serve "$DB4"
osp "openssl ocsp -cert of serial -66: revoked" 'neg-leaf.pem: revoked' \
    -issuer "$W/neg.pem" -cert "$W/neg-leaf.pem" -CAfile "$W/neg.pem"
osp "openssl ocsp -cert of serial 9a: good" 'pos-leaf.pem: good' \
    -issuer "$W/neg.pem" -cert "$W/pos-leaf.pem" -CAfile "$W/neg.pem"
osp "openssl ocsp -serial 0x66 (never registered): unknown" '0x66: unknown' \
    -issuer "$W/neg.pem" -serial 0x66 -CAfile "$W/neg.pem"
# The pre-signed entry's CertID is openssl's, serial 9a: a cache hit.
hits=$(stats .cache.hits)
openssl ocsp -issuer "$W/neg.pem" -cert "$W/neg-leaf.pem" -no_nonce \
    -reqout "$TMP/neg-openssl.der" >/dev/null 2>&1
post r neg-openssl >/dev/null
answered "that request by curl: revoked, echoed" r neg-openssl revoked
same "and answered from the pre-signed cache (a hit)" "$(stats .cache.hits)" "$((hits + 1))"
python3 "$D" req --name-of "$W/neg.pem" --key-of "$W/neg.pem" --serial -66 "$TMP/neg-66.der"
python3 "$D" req --name-of "$W/neg.pem" --key-of "$W/neg.pem" --serial -9a "$TMP/neg-9a.der"
python3 "$D" req --name-of "$W/neg.pem" --key-of "$W/neg.pem" --serial 9a "$TMP/pos-9a.der"
same "our -66 request's CertID is openssl's" \
    "$(python3 "$D" certid "$TMP/neg-66.der")" "$(python3 "$D" certid "$TMP/neg-openssl.der")"
get r neg-66 >/dev/null
answered "GET serial -66: revoked" r neg-66 revoked
post r neg-9a >/dev/null
answered "serial -9a, never registered: unknown (not 9a's good)" r neg-9a unknown
post r pos-9a >/dev/null
answered "serial 9a: good (not -66's revoked)" r pos-9a good
python3 "$D" req --name-of "$W/neg3.pem" --key-of "$W/neg3.pem" --serial -77 "$TMP/neg3-77.der"
post r neg3-77 >/dev/null
answered "neg3's -77, revoked by the imported CRL" r neg3-77 revoked
# The admin API
api POST /api/v1/revoke '{"issuer_id": "neg2", "serial_hex": "-0x66"}'
same "API revoke of serial_hex -0x66: 200, serial_hex -66" \
    "$CODE $(printf '%s' "$BODY_OUT" | jq -c '[.serial_hex, .already_revoked]')" '200 ["-66",false]'
api POST /api/v1/revoke '{"issuer_id": "neg", "serial_hex": "-66"}'
same "API revoke of -66 under neg: already revoked" \
    "$CODE $(printf '%s' "$BODY_OUT" | jq -c '[.serial_hex, .already_revoked]')" '200 ["-66",true]'
api POST /api/v1/revoke '{"issuer_id": "neg", "serial_hex": "-9a"}'
same "API revoke of -9a (never registered): 404" "$CODE" 404
python3 "$D" req --name-of "$W/neg2.pem" --key-of "$W/neg2.pem" --serial -66 "$TMP/neg2-66.der"
post r neg2-66 >/dev/null
answered "neg2's -66 after the API revoke: revoked" r neg2-66 revoked
# The CRL the server builds: -66 as a negative INTEGER, 9a not on it.
n=0
while [ $n -lt 50 ] && [ "$(getcrl neg "$TMP/neg.crl")" != 200 ]; do
	sleep 0.2
	n=$((n + 1))
done
same "the CRL verifies" \
    "$(openssl crl -inform DER -in "$TMP/neg.crl" -CAfile "$W/neg.pem" -noout 2>&1 | head -n 1)" "verify OK"
same "the CRL lists serial -66, and only it" \
    "$(ctext "$TMP/neg.crl" | sed -n 's/^ *Serial Number: *//p' | tr '\n' ' ')" "-66 "
same "as the DER INTEGER 9a" \
    "$(openssl asn1parse -inform DER -in "$TMP/neg.crl" | grep -c 'INTEGER *:-66$')" 1
stop_checked "server on neg.db"

finish
