#!/bin/sh
# issuer add --auto-responder: ocspbox issues its own delegated OCSP
# responder certificate with the CA's key (EC P-256, P-384 and RSA CAs,
# and a CA whose subject is PrintableString, without a
# subjectKeyIdentifier, that expires in ten days), checked by openssl
# (verify -purpose ocsphelper, x509 -text, asn1parse); its key file and
# directory modes; the refusals, which leave nothing behind; `serve`
# answering with it, read back by `openssl ocsp` (POST and GET); its
# renewal by serve; issuer update --auto-responder and back; and the key
# files of superseded and removed automatic responders removed.
. tests/integration/lib.sh

make_pki
admin_token
KEYS=$DB.keys
ob migrate >/dev/null || { fail "migrate"; finish; exit 1; }

# Three CAs of our own, made a day ago (faketime), EC P-256:
#   ps: subject in PrintableString, no subjectKeyIdentifier, 10 days left
#   nosign: keyUsage cRLSign without keyCertSign (may sign no certificate)
#   old: expired ten days ago
#   future: valid from tomorrow
cat >"$TMP/ca.cnf" <<'CNF'
[req]
distinguished_name = dn
string_mask = default
prompt = no
[dn]
C = DE
O = Printable Test
CN = Printable CA
[ps]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = none
[nosign]
basicConstraints = critical, CA:true
keyUsage = critical, cRLSign, digitalSignature
subjectKeyIdentifier = hash
CNF
mkca() { # NAME EXT DAYS FAKE
	(umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$TMP/$1.key" 2>/dev/null) &&
	    faketime -f "$4" openssl req -x509 -new -key "$TMP/$1.key" -config "$TMP/ca.cnf" \
		-extensions "$2" -days "$3" -sha256 -out "$TMP/$1.pem" 2>/dev/null
}
mkca ps ps 11 -1d && mkca nosign nosign 30 -1d && mkca old ps 30 -40d &&
    mkca future ps 30 +1d ||
    { fail "make the extra CAs"; finish; exit 1; }

# rcert ID FILE: issuer ID's active responder certificate, PEM, into FILE.
rcert() {
	rm -f "$2" "$2.der"
	q "SELECT writefile('$2.der', cert_der) FROM responder_certs
	    WHERE issuer_id = '$1' AND active" >/dev/null
	openssl x509 -inform DER -in "$2.der" -out "$2" 2>/dev/null
}
# rkey ID: the key path of issuer ID's active responder.
rkey() { q "SELECT key_path FROM responder_certs WHERE issuer_id = '$1' AND active"; }
# nkeys: how many files the key directory holds (0 when there is none).
nkeys() { ls -A "$KEYS" 2>/dev/null | wc -l; }
# tbs_item CERT N: the hex DER of the Nth element of CERT's
# TBSCertificate (1 version, 2 serial, 3 signature, 4 issuer, 5 validity,
# 6 subject), cut from the DER by the offsets openssl asn1parse gives.
tbs_item() {
	openssl x509 -in "$1" -outform DER -out "$TMP/item.der"
	set -- $(openssl asn1parse -inform DER -in "$TMP/item.der" |
	    awk -v n="$2" '/d=2/ && ++i == n { split($1, a, ":"); h = $2; sub("hl=", "", h);
	        l = $3; sub("l=", "", l); if (l == "") l = $4; print a[1], h, l }')
	tail -c +$(($1 + 1)) "$TMP/item.der" | head -c $(($2 + $3)) | od -An -tx1 -v | tr -d ' \n'
}
# keyid CERT: the SHA-1 of CERT's subjectPublicKey BIT STRING (RFC 5280
# 4.2.1.2 method 1), upper-case hex with colons, as openssl prints ids.
keyid() {
	openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER -out "$TMP/spki.der"
	set -- $(openssl asn1parse -inform DER -in "$TMP/spki.der" |
	    awk '/BIT STRING/ { split($1, a, ":"); h = $2; sub("hl=", "", h);
	        l = $3; sub("l=", "", l); if (l == "") l = $4; print a[1], h, l }')
	tail -c +$(($1 + $2 + 2)) "$TMP/spki.der" | head -c $(($3 - 1)) |
	    openssl dgst -sha1 -r | cut -d' ' -f1 | tr a-f A-F | sed 's/../&:/g; s/:$//'
}
# ext CERT NAME: the value lines of one extension, joined, "keyid:" dropped.
ext() {
	openssl x509 -in "$1" -noout -ext "$2" 2>/dev/null | sed 1d | tr -d ' \n' | sed 's/keyid://'
}
# when CERT start|end: notBefore or notAfter, in seconds since the epoch.
when() {
	case $2 in start) o=-startdate ;; *) o=-enddate ;; esac
	epoch "$(openssl x509 -in "$1" -noout $o | cut -d= -f2)"
}
# samex NAME A B: same, and A is not empty (two failed extractions are
# not a match).
samex() {
	if [ -z "$2" ]; then fail "$1" "nothing extracted"; else same "$@"; fi
}
# in_range NAME V LO HI: LO <= V <= HI.
in_range() {
	if [ -n "$2" ] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then pass "$1"; else fail "$1" "$2 not in [$3, $4]"; fi
}

# 1. Usage errors (exit 2): nothing made, no key directory.
refused "--auto-responder without --ca-key" 2 'auto-responder needs --ca-key' \
    ob issuer add ec --cert "$PKI/ca-ec.pem" --auto-responder
refused "--auto-responder with --responder-cert" 2 'do not give --responder-cert' \
    ob issuer add ec --cert "$PKI/ca-ec.pem" --auto-responder --ca-key "$PKI/ca-ec.key" \
    --responder-cert "$PKI/resp-ec.pem" --responder-key "$PKI/resp-ec.key"
refused "--auto-responder with --responder-key" 2 'do not give --responder-cert or --responder-key' \
    ob issuer add ec --cert "$PKI/ca-ec.pem" --auto-responder --ca-key "$PKI/ca-ec.key" \
    --responder-key "$PKI/resp-ec.key"
refused "--responder-life without --auto-responder" 2 'responder-life goes with --auto-responder' \
    ob issuer add ec --cert "$PKI/ca-ec.pem" --responder-cert "$PKI/resp-ec.pem" \
    --responder-key "$PKI/resp-ec.key" --responder-life 7d
refused "--responder-life under a day" 2 'bad --responder-life "23h"' \
    ob issuer add ec --cert "$PKI/ca-ec.pem" --auto-responder --ca-key "$PKI/ca-ec.key" \
    --responder-life 23h
refused "--responder-life over ten years: both bounds said" 2 \
    'bad --responder-life "3661d" \(want a duration from 1d to 3660d' \
    ob issuer add ec --cert "$PKI/ca-ec.pem" --auto-responder --ca-key "$PKI/ca-ec.key" \
    --responder-life 3661d
refused "--responder-life not a duration" 2 'bad --responder-life "soon"' \
    ob issuer add ec --cert "$PKI/ca-ec.pem" --auto-responder --ca-key "$PKI/ca-ec.key" \
    --responder-life soon
refused "--ca-key and --crl-key together" 2 'give the CA.s key once' \
    ob issuer add ec --cert "$PKI/ca-ec.pem" --auto-responder --ca-key "$PKI/ca-ec.key" \
    --crl-key "$PKI/ca-ec.key"

# 2. Runtime refusals (exit 1), one line each.
refused "a CA key that does not match the CA certificate" 1 \
    'ca-rsa.key: key does not match the certificate' \
    ob issuer add ec --cert "$PKI/ca-ec.pem" --auto-responder --ca-key "$PKI/ca-rsa.key"
refused "a CA key others can read" 1 'open.key: key file is accessible by group or others' \
    ob issuer add rsa --cert "$PKI/ca-rsa.pem" --auto-responder --ca-key "$PKI/open.key"
refused "a CA whose keyUsage lacks keyCertSign" 1 'may not sign certificates' \
    ob issuer add nosign --cert "$TMP/nosign.pem" --auto-responder --ca-key "$TMP/nosign.key"
refused "an expired CA" 1 'issuer old: the CA certificate expired at 20[0-9-]+T[0-9:]+Z; it can certify no responder' \
    ob issuer add old --cert "$TMP/old.pem" --auto-responder --ca-key "$TMP/old.key"
refused "a CA not valid yet" 1 'issuer future: the CA certificate is not valid before 20[0-9-]+T[0-9:]+Z' \
    ob issuer add future --cert "$TMP/future.pem" --auto-responder --ca-key "$TMP/future.key"
same "nothing registered by a refusal" "$(q 'SELECT count(*) FROM issuers')" 0
same "no key directory made by a refusal" "$(ls -d "$KEYS" 2>/dev/null)" ""
ok "issuer add --help: --auto-responder" '^--auto-responder ' ob issuer add --help
ok "issuer add --help: --ca-key (also --crl-key)" '^--ca-key CA.key .*also --crl-key' ob issuer add --help
ok "issuer add --help: --responder-life" '^--responder-life DUR ' ob issuer add --help
ok "issuer add --help: --responder-life's bounds" '^ +1d to 3660d\)' ob issuer add --help
ok "issuer update --help: --responder-life's bounds" 'from 1d to 3660d\)' ob issuer update --help

# 3. EC P-256, default life.
t0=$(date +%s)
ok "EC P-256 CA: issuer add --auto-responder" \
    '^added issuer ec \(.*\), automatic responder CN=Test EC CA OCSP Responder \(ec-p256\), valid until 20[0-9-]+T[0-9:]+Z, key /.*/test.db.keys/ec-responder-[0-9a-f]{32}\.key$' \
    ob issuer add ec --cert "$PKI/ca-ec.pem" --auto-responder --ca-key "$PKI/ca-ec.key"
t1=$(date +%s)
rcert ec "$TMP/ec.pem"
ok "ec: openssl verify -purpose ocsphelper" ': OK$' \
    openssl verify -CAfile "$PKI/ca-ec.pem" -purpose ocsphelper "$TMP/ec.pem"
openssl x509 -in "$TMP/ec.pem" -noout -text >"$TMP/ec.txt"
for want in 'Version: 3 \(0x2\)' 'Signature Algorithm: ecdsa-with-SHA256' \
    'Public-Key: \(256 bit\)' 'Subject: CN ?= ?Test EC CA OCSP Responder$' \
    'X509v3 Basic Constraints: critical' 'CA:FALSE' 'X509v3 Key Usage: critical' \
    '^ *Digital Signature$' 'X509v3 Extended Key Usage:' '^ *OCSP Signing$' 'OCSP No Check' \
    'X509v3 Subject Key Identifier' 'X509v3 Authority Key Identifier'; do
	if grep -Eq -- "$want" "$TMP/ec.txt"; then pass "ec: x509 -text shows /$want/"; else fail "ec: x509 -text shows /$want/" "$(cat "$TMP/ec.txt")"; fi
done
same "ec: those six extensions, no other" \
    "$(sed -n '/X509v3 extensions:/,/Signature Algorithm/p' "$TMP/ec.txt" | grep -c '^            [A-Za-z]')" 6
samex "ec: authorityKeyIdentifier is the CA's subjectKeyIdentifier" \
    "$(ext "$TMP/ec.pem" authorityKeyIdentifier)" "$(ext "$PKI/ca-ec.pem" subjectKeyIdentifier)"
samex "ec: subjectKeyIdentifier is the SHA-1 of its key" \
    "$(ext "$TMP/ec.pem" subjectKeyIdentifier)" "$(keyid "$TMP/ec.pem")"
samex "ec: issuer is the CA's subject, byte for byte" \
    "$(tbs_item "$TMP/ec.pem" 4)" "$(tbs_item "$PKI/ca-ec.pem" 6)"
ser=$(openssl x509 -in "$TMP/ec.pem" -noout -serial | cut -d= -f2)
if printf '%s' "$ser" | grep -Eq '^[0-7][0-9A-F]{31}$'; then
	pass "ec: a positive serial of 16 octets ($ser)"
else
	fail "ec: a positive serial of 16 octets" "$ser"
fi
nb=$(when "$TMP/ec.pem" start)
na=$(when "$TMP/ec.pem" end)
samex "ec: notBefore is the CA's, made less than an hour ago" "$nb" "$(when "$PKI/ca-ec.pem" start)"
in_range "ec: notAfter is now + 30 days" "$na" $((t0 + 2592000)) $((t1 + 2592000))
key=$(rkey ec)
samex "ec: its key is in the directory beside the database, named by its serial" \
    "$key" "$(realpath "$KEYS")/ec-responder-$(printf '%s' "$ser" | tr A-F a-f).key"
same "ec: key file mode 0600" "$(stat -c %a "$key")" 600
same "ec: key directory mode 0700" "$(stat -c %a "$KEYS")" 700
samex "ec: the key is the certificate's" \
    "$(openssl pkey -in "$key" -pubout 2>/dev/null)" "$(openssl x509 -in "$TMP/ec.pem" -noout -pubkey)"
ok "ec: issuer list says automatic" '^ec +ec-p256 +automatic +0 +0 yes ' ob issuer list
same "ec: issuer list --json: auto_life_seconds, generated, the life" \
    "$(ob issuer list --json | jq -r '.issuers[] | select(.id == "ec") | .responder.auto_life_seconds')" 2592000
same "ec: stored as automatic, with a generated responder" \
    "$(q "SELECT i.auto_responder_life_s || ' ' || r.generated || ' ' || r.is_ca || ' ' || r.key_algorithm
        FROM issuers i JOIN responder_certs r ON r.issuer_id = i.id WHERE i.id = 'ec'")" "2592000 1 0 ec-p256"

# 4. EC P-384 through --crl-key, the other name of --ca-key; 2 days.
t0=$(date +%s)
ok "EC P-384 CA: --crl-key --auto-responder --responder-life 2d" \
    '^added issuer p384 .*automatic responder CN=Test EC P-384 CA OCSP Responder \(ec-p384\)' \
    ob issuer add p384 --cert "$PKI/ca-ec384.pem" --crl-key "$PKI/ca-ec384.key" \
    --auto-responder --responder-life 2d
t1=$(date +%s)
rcert p384 "$TMP/p384.pem"
ok "p384: openssl verify -purpose ocsphelper" ': OK$' \
    openssl verify -CAfile "$PKI/ca-ec384.pem" -purpose ocsphelper "$TMP/p384.pem"
openssl x509 -in "$TMP/p384.pem" -noout -text >"$TMP/p384.txt"
for want in 'Signature Algorithm: ecdsa-with-SHA384' 'Public-Key: \(384 bit\)' \
    '^ *OCSP Signing$' 'OCSP No Check' 'CA:FALSE'; do
	if grep -Eq -- "$want" "$TMP/p384.txt"; then pass "p384: x509 -text shows /$want/"; else fail "p384: x509 -text shows /$want/"; fi
done
in_range "p384: notAfter is now + 2 days" "$(when "$TMP/p384.pem" end)" $((t0 + 172800)) $((t1 + 172800))
same "p384: issuer list --json: auto_life_seconds" \
    "$(ob issuer list --json | jq -r '.issuers[] | select(.id == "p384") | .responder.auto_life_seconds')" 172800
same "p384: key file mode 0600" "$(stat -c %a "$(rkey p384)")" 600
# Two days left, under the 14-day warning: an operator's responder would
# be expiring, but this one is renewed with 16 h left, so it is ok.
same "p384: two days left of an automatic responder is ok, not expiring" \
    "$(ob issuer list --json | jq -r '.issuers[] | select(.id == "p384") | .responder.status')" ok
run ob issuer list
if [ "$RC" -eq 0 ] && printf '%s\n' "$OUT" | grep -Eq '^p384 .* ok ' && ! printf '%s\n' "$ERR" | grep -q 'p384'; then
	pass "p384: issuer list says ok, and warns nothing"
else
	fail "p384: issuer list says ok" "$OUT" "$ERR"
fi

# 5. RSA, under a umask that would open the key to everyone.
ok "RSA CA: --auto-responder under umask 000" \
    '^added issuer rsa .*automatic responder CN=Test RSA CA OCSP Responder \(rsa\)' \
    sh -c "umask 000 && exec \"\$0\" --db \"\$1\" issuer add rsa --cert \"\$2\" --ca-key \"\$3\" --auto-responder" \
    "$OCSPBOX" "$DB" "$PKI/ca-rsa.pem" "$PKI/ca-rsa.key"
rcert rsa "$TMP/rsa.pem"
ok "rsa: openssl verify -purpose ocsphelper" ': OK$' \
    openssl verify -CAfile "$PKI/ca-rsa.pem" -purpose ocsphelper "$TMP/rsa.pem"
openssl x509 -in "$TMP/rsa.pem" -noout -text >"$TMP/rsa.txt"
for want in 'Signature Algorithm: sha256WithRSAEncryption' 'Public-Key: \(2048 bit\)' \
    '^ *OCSP Signing$' 'OCSP No Check' 'CA:FALSE'; do
	if grep -Eq -- "$want" "$TMP/rsa.txt"; then pass "rsa: x509 -text shows /$want/"; else fail "rsa: x509 -text shows /$want/"; fi
done
samex "rsa: authorityKeyIdentifier is the CA's subjectKeyIdentifier" \
    "$(ext "$TMP/rsa.pem" authorityKeyIdentifier)" "$(ext "$PKI/ca-rsa.pem" subjectKeyIdentifier)"
same "rsa: key file mode 0600 whatever the umask" "$(stat -c %a "$(rkey rsa)")" 600
samex "rsa: the key is the certificate's" \
    "$(openssl pkey -in "$(rkey rsa)" -pubout 2>/dev/null)" "$(openssl x509 -in "$TMP/rsa.pem" -noout -pubkey)"

# 6. A PrintableString CA without subjectKeyIdentifier, made a day ago,
# with ten days left: a year's life ends with the CA.
t0=$(date +%s)
ok "PrintableString CA: --responder-life 365d ends at the CA's notAfter" \
    "^added issuer ps .*automatic responder CN=Printable CA OCSP Responder \\(ec-p256\\), valid until .* \\(the CA certificate's notAfter\\)" \
    ob issuer add ps --cert "$TMP/ps.pem" --ca-key "$TMP/ps.key" --auto-responder --responder-life 365d
t1=$(date +%s)
rcert ps "$TMP/psr.pem"
ok "ps: openssl verify -purpose ocsphelper" ': OK$' \
    openssl verify -CAfile "$TMP/ps.pem" -purpose ocsphelper "$TMP/psr.pem"
samex "ps: issuer is the CA's subject, byte for byte" \
    "$(tbs_item "$TMP/psr.pem" 4)" "$(tbs_item "$TMP/ps.pem" 6)"
same "ps: ... in PrintableStrings, as asn1parse reads both" \
    "$(openssl asn1parse -in "$TMP/psr.pem" | grep -c 'PRINTABLESTRING')" 3
samex "ps: ... the same three strings in the CA" \
    "$(openssl asn1parse -in "$TMP/ps.pem" | sed -n 's/.*PRINTABLESTRING *://p' | sort -u | head -n 3)" \
    "$(openssl asn1parse -in "$TMP/psr.pem" | sed -n 's/.*PRINTABLESTRING *://p' | sort -u)"
samex "ps: authorityKeyIdentifier is the SHA-1 of the CA's key (it has no SKI)" \
    "$(ext "$TMP/psr.pem" authorityKeyIdentifier)" "$(keyid "$TMP/ps.pem")"
samex "ps: notAfter is the CA's" "$(when "$TMP/psr.pem" end)" "$(when "$TMP/ps.pem" end)"
in_range "ps: notBefore is an hour before now" "$(when "$TMP/psr.pem" start)" $((t0 - 3600)) $((t1 - 3600))
# Cut at the CA's notAfter, 10 days away: no renewal can help, so the
# warning names the CA, not a renewal that never happens.
run ob issuer list
if printf '%s\n' "$OUT" | grep -Eq '^ps .* expiring ' &&
    printf '%s\n' "$ERR" | grep -q 'issuer ps: its CA certificate expires at .*renew the CA' &&
    ! printf '%s\n' "$ERR" | grep -q 'issuer ps: its automatic responder was not renewed'; then
	pass "ps: issuer list says the CA expires, not that a renewal failed"
else
	fail "ps: issuer list names the CA" "$OUT" "$ERR"
fi

# 7. Failures after the key is made leave no key behind.
n=$(nkeys)
refused "the same CA under another id" 1 'already registered under another id' \
    ob issuer add ec2 --cert "$PKI/ca-ec.pem" --auto-responder --ca-key "$PKI/ca-ec.key"
same "... its key file removed" "$(nkeys)" "$n"
refused "an id taken" 1 'issuer ec already exists' \
    ob issuer add ec --cert "$PKI/ca-own.pem" --auto-responder --ca-key "$PKI/ca-own.key"
same "... no key made for it" "$(nkeys)" "$n"
same "no temporary file left in the key directory" "$(ls -A "$KEYS" | grep -c '^\.')" 0
DB2=$TMP/open.db
"$OCSPBOX" --db "$DB2" migrate >/dev/null
mkdir -m 755 "$DB2.keys"
refused "a key directory others can enter" 1 'open.db.keys: key directory is accessible by group or others \(mode 755\); chmod 700 it' \
    "$OCSPBOX" --db "$DB2" issuer add ec --cert "$PKI/ca-ec.pem" --auto-responder --ca-key "$PKI/ca-ec.key"
same "... nothing registered, no key written" \
    "$(qdb "$DB2" 'SELECT count(*) FROM issuers') $(ls -A "$DB2.keys" | wc -l)" "0 0"
chmod 700 "$DB2.keys"
if [ "$(id -u)" = 0 ]; then
	chown nobody "$DB2.keys"
	refused "a key directory of another user: run as its owner" 1 \
	    "open.db.keys: key directory is owned by uid $(id -u nobody), not by uid 0 running ocspbox; run ocspbox as its owner" \
	    "$OCSPBOX" --db "$DB2" issuer add ec --cert "$PKI/ca-ec.pem" --auto-responder --ca-key "$PKI/ca-ec.key"
fi
rmdir "$DB2.keys"
ln -s "$KEYS" "$DB2.keys"
refused "a key directory that is a symbolic link, said so" 1 \
    'open.db.keys: is a symbolic link; the key directory must be a real directory \(mode 0700\)' \
    "$OCSPBOX" --db "$DB2" issuer add ec --cert "$PKI/ca-ec.pem" --auto-responder --ca-key "$PKI/ca-ec.key"
same "... nothing written through it" "$(nkeys)" "$n"

# 8. serve answers with the responders ocspbox made: openssl ocsp, POST
# and GET, verifies every answer against the CA alone.
ob cert add ec --cert "$PKI/leaf-ec.pem" >/dev/null
ob cert add rsa --cert "$PKI/leaf1.pem" >/dev/null
ob cert add rsa --cert "$PKI/leaf2.pem" >/dev/null
ob revoke rsa a02 --reason keyCompromise >/dev/null
ob cert add p384 --serial 77 >/dev/null
ob cert add ps --serial 99 >/dev/null
if ! start_server "$DB" --validity 1h --refresh-interval 10m; then
	fail "server starts"
	finish
	exit 1
fi
pass "server starts with the automatic responders"

# oc NAME PATTERN ARGS...: openssl ocsp POST; verified, PATTERN in it.
oc() {
	name=$1 pat=$2
	shift 2
	run openssl ocsp -url "$URL/" "$@"
	all="$OUT
$ERR"
	if [ "$RC" -eq 0 ] && printf '%s\n' "$all" | grep -q '^Response verify OK' &&
	    printf '%s\n' "$all" | grep -Eq -- "$pat"; then
		pass "$name"
	else
		fail "$name" "exit $RC" "$all"
	fi
}
oc "POST: EC P-256 answer verifies, good" 'leaf-ec.pem: good' \
    -issuer "$PKI/ca-ec.pem" -cert "$PKI/leaf-ec.pem" -CAfile "$PKI/ca-ec.pem"
oc "POST: RSA answer verifies, good" 'leaf1.pem: good' \
    -issuer "$PKI/ca-rsa.pem" -cert "$PKI/leaf1.pem" -CAfile "$PKI/ca-rsa.pem"
oc "POST: RSA answer verifies, revoked" 'leaf2.pem: revoked' \
    -issuer "$PKI/ca-rsa.pem" -cert "$PKI/leaf2.pem" -CAfile "$PKI/ca-rsa.pem"
oc "POST: EC P-384 answer verifies, good" '0x77: good' \
    -issuer "$PKI/ca-ec384.pem" -serial 0x77 -CAfile "$PKI/ca-ec384.pem"
oc "POST: PrintableString CA's answer verifies, good" '0x99: good' \
    -issuer "$TMP/ps.pem" -serial 0x99 -CAfile "$TMP/ps.pem"
oc "POST: an unregistered serial is unknown" '0xBEEF: unknown' \
    -issuer "$PKI/ca-ec.pem" -serial 0xBEEF -CAfile "$PKI/ca-ec.pem"

# The answer carries ocspbox's responder certificate, byKey.
openssl ocsp -issuer "$PKI/ca-ec.pem" -cert "$PKI/leaf-ec.pem" -no_nonce \
    -reqout "$TMP/req.der" >/dev/null 2>&1
curl -s --data-binary @"$TMP/req.der" -o "$TMP/resp.der" "$URL/"
run openssl ocsp -respin "$TMP/resp.der" -resp_text -noverify
if printf '%s\n' "$OUT" | grep -Eq 'Subject: CN ?= ?Test EC CA OCSP Responder' &&
    printf '%s\n' "$OUT" | grep -q "Responder Id: $(ext "$TMP/ec.pem" subjectKeyIdentifier | tr -d :)"; then
	pass "the answer carries the automatic responder's certificate, ResponderID its key id"
else
	fail "the answer carries the automatic responder's certificate, ResponderID its key id" "$OUT"
fi

# GET, as RFC 6960 A.1 has it.
getv() { # NAME ISSUER CERT|SERIAL PATTERN
	if [ -f "$3" ]; then what="-cert $3"; else what="-serial $3"; fi
	openssl ocsp -issuer "$2" $what -no_nonce -reqout "$TMP/greq.der" >/dev/null 2>&1
	code=$(curl -s -o "$TMP/g.der" -w '%{http_code}' "$URL/ocsp/$(enc "$TMP/greq.der")")
	run openssl ocsp -respin "$TMP/g.der" -issuer "$2" $what -CAfile "$2" -no_nonce
	if [ "$code" = 200 ] && printf '%s\n' "$ERR" | grep -q '^Response verify OK' &&
	    printf '%s\n' "$OUT" | grep -Eq -- "$4"; then
		pass "$1"
	else
		fail "$1" "HTTP $code" "$OUT" "$ERR"
	fi
}
getv "GET: EC P-256 answer verifies, good" "$PKI/ca-ec.pem" "$PKI/leaf-ec.pem" 'leaf-ec.pem: good'
getv "GET: RSA answer verifies, revoked" "$PKI/ca-rsa.pem" "$PKI/leaf2.pem" 'leaf2.pem: revoked'
getv "GET: EC P-384 answer verifies, good" "$PKI/ca-ec384.pem" 0x77 '0x77: good'
getv "GET: PrintableString CA's answer verifies, good" "$TMP/ps.pem" 0x99 '0x99: good'
stop_checked "serve with automatic responders"

# 9. Renewal by the running server: an automatic responder registered as
# if 25 days ago (build/dyn/ocspbox under faketime: libfaketime cannot
# reach into a static binary) has 5 of its 30 days left, under the third
# that makes it due. serve renews it at once: a new key and certificate,
# stored as the active responder, served, verified by openssl.
DYN=$PWD/build/dyn/ocspbox
if [ -x "$DYN" ] && command -v faketime >/dev/null 2>&1; then
	DB3=$TMP/renew.db
	mkca aged ps 3650 -40d || fail "make a CA valid since 40 days ago"
	"$OCSPBOX" --db "$DB3" migrate >/dev/null
	faketime -f -25d "$DYN" --db "$DB3" issuer add ec --cert "$TMP/aged.pem" \
	    --ca-key "$TMP/aged.key" --auto-responder >/dev/null 2>&1 ||
	    fail "issuer add --auto-responder, 25 days ago"
	"$OCSPBOX" --db "$DB3" cert add ec --serial 42 >/dev/null
	OLD_END=$(qdb "$DB3" "SELECT not_after FROM responder_certs WHERE issuer_id = 'ec' AND active")
	OLDKEY=$(qdb "$DB3" "SELECT key_path FROM responder_certs WHERE issuer_id = 'ec' AND active")
	# Five days left of 30, its renewal overdue, and no serve to make it.
	run "$OCSPBOX" --db "$DB3" issuer list
	if printf '%s\n' "$OUT" | grep -Eq '^ec .* expiring ' &&
	    printf '%s\n' "$ERR" | grep -q 'issuer ec: its automatic responder was not renewed and expires at .*is serve running'; then
		pass "renewal overdue: issuer list says expiring, and why"
	else
		fail "renewal overdue: issuer list says expiring" "$OUT" "$ERR"
	fi
	start_server "$DB3" --validity 1h --refresh-interval 10m || { fail "server starts"; finish; exit 1; }
	n=0
	while [ $n -lt 50 ] && [ "$(qdb "$DB3" "SELECT count(*) FROM responder_certs WHERE issuer_id = 'ec'")" != 2 ]; do
		sleep 0.2
		n=$((n + 1))
	done
	same "renewal: a second responder stored, the first inactive" \
	    "$(qdb "$DB3" "SELECT group_concat(active || generated, ',') FROM (SELECT active, generated FROM responder_certs WHERE issuer_id = 'ec' ORDER BY id)")" \
	    "01,11"
	NEW_END=$(qdb "$DB3" "SELECT not_after FROM responder_certs WHERE issuer_id = 'ec' AND active")
	if [ "$(epoch "$NEW_END")" -gt $(($(date +%s) + 29 * 86400)) ] &&
	    [ "$(epoch "$OLD_END")" -lt $(($(date +%s) + 6 * 86400)) ]; then
		pass "renewal: the new one lives 30 days from now (was $OLD_END, now $NEW_END)"
	else
		fail "renewal: 30 days from now" "old $OLD_END" "new $NEW_END"
	fi
	NEWKEY=$(qdb "$DB3" "SELECT key_path FROM responder_certs WHERE issuer_id = 'ec' AND active")
	same "renewal: its key is a new 0600 file beside the database" \
	    "$(stat -c %a "$NEWKEY" 2>/dev/null)/$(dirname "$NEWKEY")" "600/$DB3.keys"
	grep -q 'issuer ec: automatic responder renewed' "$TMP/server.err" &&
	    pass "renewal: logged" || fail "renewal logged" "$(tail -n 5 "$TMP/server.err")"
	qdb "$DB3" "SELECT writefile('$TMP/renewed.der', cert_der) FROM responder_certs WHERE issuer_id = 'ec' AND active" >/dev/null
	openssl x509 -inform DER -in "$TMP/renewed.der" -out "$TMP/renewed.pem" 2>/dev/null
	NEW_SUBJ_SERIAL=$(openssl x509 -in "$TMP/renewed.pem" -noout -serial | cut -d= -f2)
	st=
	n=0
	while [ $n -lt 50 ]; do
		openssl ocsp -url "$URL/" -issuer "$TMP/aged.pem" -serial 0x42 \
		    -CAfile "$TMP/aged.pem" -no_nonce -respout "$TMP/rn.der" >"$TMP/rn.out" 2>&1
		openssl ocsp -respin "$TMP/rn.der" -resp_text -noverify 2>/dev/null |
		    grep -qi "Serial Number: *$NEW_SUBJ_SERIAL\|$(echo "$NEW_SUBJ_SERIAL" | sed 's/../&:/g; s/:$//')" &&
		    grep -q 'Response verify OK' "$TMP/rn.out" && grep -q '0x42: good' "$TMP/rn.out" &&
		    { st=ok; break; }
		sleep 0.2
		n=$((n + 1))
	done
	same "renewal: answers carry the renewed certificate and verify" "$st" ok
	if [ ! -e "$OLDKEY" ] && [ -e "$NEWKEY" ] &&
	    grep -q "removed 1 superseded responder key file from $DB3.keys" "$TMP/server.err"; then
		pass "renewal: the superseded key file is removed, and that logged"
	else
		fail "renewal: the superseded key file is removed" "$(ls -l "$DB3.keys")" "$(tail -n 5 "$TMP/server.err")"
	fi
	stop_checked "serve renewing an automatic responder"
else
	fail "build/dyn/ocspbox and faketime for the renewal test (make build/dyn/ocspbox)"
fi

# 10. issuer update --auto-responder turns an issuer whose responder is
# the operator's into one ocspbox renews, while serve answers: the cache
# is re-signed with the new responder. A second update supersedes the
# first automatic responder, whose key file goes; the operator's
# responder back ends the renewals and removes the last one; issuer
# remove takes the key files ocspbox made, never the operator's.
DB4=$TMP/update.db
K4=$DB4.keys
ob4() { "$OCSPBOX" --db "$DB4" "$@"; }
n4() { ls -A "$K4" 2>/dev/null | wc -l; }
ob4 migrate >/dev/null
ob4 issuer add op --cert "$PKI/ca-ec.pem" --responder-cert "$PKI/resp-ec.pem" \
    --responder-key "$PKI/resp-ec.key" >/dev/null || fail "issuer add op"
ob4 cert add op --cert "$PKI/leaf-ec.pem" >/dev/null
refused "update: --responder-life without --auto-responder" 2 'responder-life goes with --auto-responder' \
    ob4 issuer update op --responder-life 7d
refused "update: --auto-responder with --responder-cert" 2 'do not give --responder-cert' \
    ob4 issuer update op --auto-responder --responder-cert "$PKI/resp-ec.pem" \
    --responder-key "$PKI/resp-ec.key"
refused "update: --auto-responder with no CA key stored or given" 2 \
    'issuer op has no CA key to sign its responder certificates with: give --ca-key' \
    ob4 issuer update op --auto-responder
refused "update: --auto-responder with another CA's key" 1 'key does not match' \
    ob4 issuer update op --auto-responder --ca-key "$PKI/ca-rsa.key"
refused "update: --responder-life under a day" 2 'bad --responder-life "2h"' \
    ob4 issuer update op --auto-responder --ca-key "$PKI/ca-ec.key" --responder-life 2h
refused "update: --responder-life over ten years: both bounds said" 2 \
    'bad --responder-life "5000d" \(want a duration from 1d to 3660d' \
    ob4 issuer update op --auto-responder --ca-key "$PKI/ca-ec.key" --responder-life 5000d
same "update: the refusals made no key" "$(n4)/$(qdb "$DB4" "SELECT count(*) FROM responder_certs")" "0/1"
start_server "$DB4" --validity 1h --refresh-interval 10m || { fail "server starts"; finish; exit 1; }
# rid: the subject CN of the responder that signed the answer for
# leaf-ec (the answer in u.der); empty unless it verifies and says good.
rid() {
	openssl ocsp -url "$URL/" -issuer "$PKI/ca-ec.pem" -cert "$PKI/leaf-ec.pem" \
	    -CAfile "$PKI/ca-ec.pem" -no_nonce -respout "$TMP/u.der" >"$TMP/u.out" 2>&1
	grep -q 'Response verify OK' "$TMP/u.out" && grep -q 'leaf-ec.pem: good' "$TMP/u.out" &&
	    openssl ocsp -respin "$TMP/u.der" -resp_text -noverify 2>/dev/null |
	    sed -n 's/.*Subject: .*CN *= *//p' | head -n 1
}
# waitrid NAME SUBJECT: the answers come signed by SUBJECT within 10 s.
waitrid() {
	n=0
	while [ $n -lt 50 ] && [ "$(rid)" != "$2" ]; do
		sleep 0.2
		n=$((n + 1))
	done
	same "$1" "$(rid)" "$2"
}
waitrid "update: before, the operator's responder signs" "Test EC OCSP responder"
run ob4 issuer update op --auto-responder --ca-key "$PKI/ca-ec.key" --responder-life 7d
if [ "$RC" -eq 0 ] && printf '%s\n' "$OUT" | grep -q '^issuer op: responder is now automatic, .*Test EC CA OCSP Responder.*valid until' &&
    printf '%s\n' "$OUT" | grep -q "^issuer op: CA key is now .*ca-ec.key$"; then
	pass "update --auto-responder --ca-key: says what it made"
else
	fail "update --auto-responder --ca-key" "exit $RC" "$OUT" "$ERR"
fi
same "update: the issuer is automatic, 7 days, with its CA key" \
    "$(qdb "$DB4" "SELECT auto_responder_life_s, crl_key_path = '$PKI/ca-ec.key' FROM issuers WHERE id = 'op'")" "604800|1"
same "update: the operator's row kept inactive, the new one generated and active" \
    "$(qdb "$DB4" "SELECT group_concat(active || generated, ',') FROM (SELECT active, generated FROM responder_certs WHERE issuer_id = 'op' ORDER BY id)")" \
    "00,11"
K1=$(qdb "$DB4" "SELECT key_path FROM responder_certs WHERE issuer_id = 'op' AND active")
same "update: its key, 0600 in DB.keys" "$(stat -c %a "$K1" 2>/dev/null)/$(dirname "$K1")/$(n4)" "600/$K4/1"
waitrid "update: the running server re-signs with the automatic responder" "Test EC CA OCSP Responder"
NA=$(qdb "$DB4" "SELECT not_after FROM responder_certs WHERE issuer_id = 'op' AND active")
in_range "update: it lives 7 days" "$(($(epoch "$NA") - $(date +%s)))" $((7 * 86400 - 600)) $((7 * 86400 + 60))
run ob4 issuer update op --auto-responder
K2=$(qdb "$DB4" "SELECT key_path FROM responder_certs WHERE issuer_id = 'op' AND active")
if [ "$RC" -eq 0 ] && printf '%s\n' "$OUT" | grep -q "^removed 1 superseded responder key file from $K4$" &&
    [ ! -e "$K1" ] && [ -e "$K2" ] && [ "$K1" != "$K2" ] && [ "$(n4)" = 1 ]; then
	pass "update --auto-responder again: the stored CA key; the first automatic key removed"
else
	fail "update --auto-responder again" "exit $RC" "$OUT" "$ERR" "$(ls -A "$K4")"
fi
same "... its life the issuer's (7 days)" \
    "$(qdb "$DB4" "SELECT auto_responder_life_s FROM issuers WHERE id = 'op'")" 604800
# The two automatic responders share a name: wait for the newer one's
# certificate, byte for byte, in a verified answer.
want=$(qdb "$DB4" "SELECT lower(hex(cert_der)) FROM responder_certs WHERE issuer_id = 'op' AND active")
n=0
while [ $n -lt 50 ]; do
	if [ -n "$(rid)" ]; then
		got=$(openssl ocsp -respin "$TMP/u.der" -resp_text -noverify 2>/dev/null |
		    sed -n '/BEGIN CERTIFICATE/,/END CERTIFICATE/p' |
		    openssl x509 -outform DER 2>/dev/null | od -An -tx1 -v | tr -d ' \n')
		[ "$got" = "$want" ] && break
	fi
	sleep 0.2
	n=$((n + 1))
done
same "... and the server signs with the newer one (its certificate byte for byte), verified" \
    "$got" "$want"
run ob4 issuer update op --responder-cert "$PKI/resp-ec.pem" --responder-key "$PKI/resp-ec.key"
if [ "$RC" -eq 0 ] && printf '%s\n' "$OUT" | grep -q '; automatic renewal ended$' &&
    printf '%s\n' "$OUT" | grep -q "^removed 1 superseded responder key file" &&
    [ ! -e "$K2" ] && [ "$(n4)" = 0 ] && [ -e "$PKI/resp-ec.key" ]; then
	pass "update to the operator's responder: renewal ends, the last made key goes, the operator's stays"
else
	fail "update to the operator's responder" "exit $RC" "$OUT" "$ERR" "$(ls -A "$K4")"
fi
same "... the issuer no longer automatic" \
    "$(qdb "$DB4" "SELECT ifnull(auto_responder_life_s, 'null') FROM issuers WHERE id = 'op'")" null
waitrid "... and the server signs with the operator's responder again" "Test EC OCSP responder"
stop_checked "serve across issuer update --auto-responder"
ob4 issuer update op --auto-responder >/dev/null || fail "update --auto-responder once more"
K3=$(qdb "$DB4" "SELECT key_path FROM responder_certs WHERE issuer_id = 'op' AND active")
# A copy of the database elsewhere holds the same key paths, in $K4: an
# update there leaves them alone, since they are not in its own key
# directory.
mkdir -p "$TMP/moved"
cp "$DB4" "$TMP/moved/update.db"
run "$OCSPBOX" --db "$TMP/moved/update.db" issuer update op --auto-responder
if [ "$RC" -eq 0 ] && printf '%s\n' "$ERR" | grep -q "$K3: not in the key directory $TMP/moved/update.db.keys; left alone" &&
    [ -e "$K3" ]; then
	pass "a key path outside the database's key directory is left alone, and that said"
else
	fail "a key path outside the key directory is left alone" "exit $RC" "$OUT" "$ERR"
fi
# The database by a symbolic link: the same key directory, its real one.
ln -s "$DB4" "$TMP/link.db"
run "$OCSPBOX" --db "$TMP/link.db" issuer update op --auto-responder
K5=$(qdb "$DB4" "SELECT key_path FROM responder_certs WHERE issuer_id = 'op' AND active")
if [ "$RC" -eq 0 ] && [ "$(dirname "$K5")" = "$K4" ] && [ ! -e "$K3" ] &&
    printf '%s\n' "$OUT" | grep -q "^removed 1 superseded responder key file from $K4$"; then
	pass "--db through a symbolic link: keys in the database's real key directory"
else
	fail "--db through a symbolic link" "exit $RC" "$OUT" "$ERR" "$K5"
fi
K3=$K5
run ob4 issuer remove op
if [ "$RC" -eq 0 ] && printf '%s\n' "$OUT" | grep -q "^removed 1 responder key file ocspbox made for it from $K4$" &&
    [ ! -e "$K3" ] && [ "$(n4)" = 0 ] && [ -e "$PKI/resp-ec.key" ] && [ -e "$PKI/ca-ec.key" ]; then
	pass "issuer remove: the key files ocspbox made go, the operator's stay"
else
	fail "issuer remove: key files" "exit $RC" "$OUT" "$ERR" "$(ls -A "$K4")"
fi

finish
