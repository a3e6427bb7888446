#!/bin/sh
# The responder end to end: the real server on 127.0.0.1, a real database,
# and clients nobody here wrote: `openssl ocsp` (POST) and curl (GET), the
# responses verified by openssl.
. tests/integration/lib.sh

make_pki
addissuer "$DB" rsa rsa
addissuer "$DB" ec ec
addissuer "$DB" ec384 ec384
ob issuer add own --cert "$PKI/ca-own.pem" --responder-cert "$PKI/ca-own.pem" \
    --responder-key "$PKI/ca-own.key" >/dev/null
ob cert add rsa --cert "$PKI/leaf1.pem" >/dev/null
ob cert add rsa --cert "$PKI/leaf2.pem" >/dev/null
ob cert add ec --cert "$PKI/leaf-ec.pem" >/dev/null
ob cert add ec384 --serial 77 >/dev/null
ob cert add own --serial 99 >/dev/null
ob revoke rsa a02 --reason keyCompromise --at 2026-01-02T03:04:05Z >/dev/null

if ! start_server "$DB" --validity 1h --refresh-interval 10m; then
	fail "server starts"
	finish
	exit 1
fi
pass "server starts and /healthz answers"

# oc NAME PATTERN ARGS...: openssl ocsp against the server; the response
# must verify, carry the nonce, and its text match PATTERN.
oc() {
	name=$1 pat=$2
	shift 2
	run openssl ocsp -url "$URL/" "$@"
	all="$OUT
$ERR"
	if [ "$RC" -eq 0 ] && printf '%s\n' "$all" | grep -q 'Response verify OK' &&
	    ! printf '%s\n' "$all" | grep -q 'WARNING: no nonce' &&
	    printf '%s\n' "$all" | grep -Eq -- "$pat"; then
		pass "$name"
	else
		fail "$name" "exit $RC" "$all"
	fi
}

oc "good (RSA delegated responder)" 'leaf1.pem: good' \
    -issuer "$PKI/ca-rsa.pem" -cert "$PKI/leaf1.pem" -CAfile "$PKI/ca-rsa.pem"
oc "revoked with time and reason" 'leaf2.pem: revoked.*
.*Reason: keyCompromise.*
.*Revocation Time: Jan  2 03:04:05 2026 GMT' \
    -issuer "$PKI/ca-rsa.pem" -cert "$PKI/leaf2.pem" -CAfile "$PKI/ca-rsa.pem"
oc "unknown serial" '0xBEEF: unknown' \
    -issuer "$PKI/ca-rsa.pem" -serial 0xBEEF -CAfile "$PKI/ca-rsa.pem"
oc "ECDSA P-256 responder" 'leaf-ec.pem: good' \
    -issuer "$PKI/ca-ec.pem" -cert "$PKI/leaf-ec.pem" -CAfile "$PKI/ca-ec.pem"
oc "ECDSA P-384 responder" '0x77: good' \
    -issuer "$PKI/ca-ec384.pem" -serial 0x77 -CAfile "$PKI/ca-ec384.pem"
oc "a CA that signs its own responses" '0x99: good' \
    -issuer "$PKI/ca-own.pem" -serial 0x99 -CAfile "$PKI/ca-own.pem"
oc "SHA-256 CertID" 'leaf1.pem: good' \
    -issuer "$PKI/ca-rsa.pem" -sha256 -cert "$PKI/leaf1.pem" -CAfile "$PKI/ca-rsa.pem"
for want in 'leaf1.pem: good' 'leaf2.pem: revoked' '0xBEEF: unknown'; do
	oc "three CertIDs in one request: $want" "$want" \
	    -issuer "$PKI/ca-rsa.pem" -cert "$PKI/leaf1.pem" -cert "$PKI/leaf2.pem" \
	    -serial 0xBEEF -CAfile "$PKI/ca-rsa.pem"
done
oc "POST to /ocsp" 'leaf1.pem: good' \
    -url "$URL/ocsp" -issuer "$PKI/ca-rsa.pem" -cert "$PKI/leaf1.pem" -CAfile "$PKI/ca-rsa.pem"

run openssl ocsp -url "$URL/" -issuer "$PKI/ca-other.pem" -cert "$PKI/leaf-other.pem" \
    -CAfile "$PKI/ca-other.pem"
if printf '%s\n' "$OUT$ERR" | grep -q 'unauthorized'; then
	pass "a CA not served is unauthorized"
else
	fail "a CA not served is unauthorized" "$OUT$ERR"
fi

# The response's fields, read back by openssl.
openssl ocsp -issuer "$PKI/ca-rsa.pem" -cert "$PKI/leaf1.pem" -reqout "$TMP/req.der" \
    -no_nonce >/dev/null 2>&1
curl -s --data-binary @"$TMP/req.der" -H 'Content-Type: application/ocsp-request' \
    -o "$TMP/resp.der" "$URL/"
run openssl ocsp -respin "$TMP/resp.der" -resp_text -noverify
if printf '%s\n' "$OUT" | grep -q 'Responder Id: [0-9A-F]\{40\}$'; then
	pass "ResponderID is byKey"
else
	fail "ResponderID is byKey" "$(printf '%s\n' "$OUT" | grep 'Responder Id')"
fi
if printf '%s\n' "$OUT" | grep -q 'Certificate:' &&
    printf '%s\n' "$OUT" | grep -q 'Subject: .*CN *= *Test RSA OCSP responder'; then
	pass "delegated responder certificate is in certs"
else
	fail "delegated responder certificate is in certs"
fi
# Times are whole seconds: 15 characters, ending in Z (Apple, ocspcheck).
# The BasicOCSPResponse sits inside responseBytes' OCTET STRING.
off=$(openssl asn1parse -inform DER -in "$TMP/resp.der" | sed -n 's/^ *\([0-9]*\):.*OCTET STRING.*/\1/p' | head -n 1)
times=$(openssl asn1parse -inform DER -in "$TMP/resp.der" -strparse "$off" |
    sed -n 's/.*GENERALIZEDTIME *://p' | sort -u)
bad=$(printf '%s\n' "$times" | grep -cv '^[0-9]\{14\}Z$')
same "GeneralizedTimes without fractions" "$bad" 0
n=$(printf '%s\n' "$times" | wc -l)
if [ "$n" -ge 2 ]; then pass "thisUpdate and nextUpdate present"; else fail "thisUpdate and nextUpdate present" "$times"; fi

# GET: the same request, base64 in the path, through curl.
b64=$(base64 -w0 "$TMP/req.der")
enc=$(printf '%s' "$b64" | sed -e 's/+/%2B/g' -e 's|/|%2F|g' -e 's/=/%3D/g')
get() { # PATH: fetch, headers to $TMP/h, body to $TMP/g.der
	curl -s -D "$TMP/h" -o "$TMP/g.der" "$@"
}
verify_get() { # NAME
	run openssl ocsp -respin "$TMP/g.der" -issuer "$PKI/ca-rsa.pem" -cert "$PKI/leaf1.pem" \
	    -CAfile "$PKI/ca-rsa.pem" -no_nonce
	if [ "$RC" -eq 0 ] && printf '%s\n' "$OUT$ERR" | grep -q 'leaf1.pem: good' &&
	    printf '%s\n' "$ERR" | grep -q 'Response verify OK'; then
		pass "$1"
	else
		fail "$1" "$OUT" "$ERR" "$(cat "$TMP/h")"
	fi
}
get "$URL/ocsp/$enc"
verify_get "GET /ocsp/{percent-encoded base64} verifies"
get "$URL/$b64"
verify_get "GET /{raw base64} verifies"
get "$URL/$(printf '%s' "$b64" | tr '+' ' ' | sed 's/ /%20/g')"
verify_get "GET with '+' turned into a space"
get "$URL//ocsp//$enc"
verify_get "GET with doubled slashes"
get "$URL/ocsp/$(printf '%s' "$b64" | tr '+/' '-_' | tr -d '=')"
verify_get "GET in base64url without padding"

get "$URL/ocsp/$enc"
hdr=$(tr -d '\r' <"$TMP/h")
ctype=$(printf '%s\n' "$hdr" | sed -n 's/^Content-Type: //Ip')
same "GET Content-Type" "$ctype" "application/ocsp-response"
cc=$(printf '%s\n' "$hdr" | sed -n 's/^Cache-Control: //Ip')
age=$(printf '%s' "$cc" | sed -n 's/^max-age=\([0-9]*\), public, no-transform, must-revalidate$/\1/p')
# validity 1h: max-age ends 60 s and the rounding second before nextUpdate
if [ -n "$age" ] && [ "$age" -le 3539 ] && [ "$age" -ge 3529 ]; then
	pass "Cache-Control max-age ends 61 s before nextUpdate ($age)"
else
	fail "Cache-Control max-age ends 61 s before nextUpdate" "$cc"
fi
for h in Last-Modified Expires; do
	v=$(printf '%s\n' "$hdr" | sed -n "s/^$h: //Ip")
	if [ -n "$v" ] && date -d "$v" >/dev/null 2>&1; then pass "$h is an HTTP date"; else fail "$h is an HTTP date" "$v"; fi
done
exp=$(date -u -d "$(printf '%s\n' "$hdr" | sed -n 's/^Expires: //Ip')" +%s)
lm=$(date -u -d "$(printf '%s\n' "$hdr" | sed -n 's/^Last-Modified: //Ip')" +%s)
same "Expires - Last-Modified is the validity and the backdate" "$((exp - lm))" 7200
tag=$(printf '%s\n' "$hdr" | sed -n 's/^ETag: //Ip')
if printf '%s' "$tag" | grep -q '^"[0-9a-f]\{16\}-[0-9a-f]\{1,8\}"$'; then pass "strong ETag"; else fail "strong ETag" "$tag"; fi
# A live signature changes each second: retry until two fall in one.
got304=no
for i in 1 2 3 4 5; do
	get "$URL/ocsp/$enc"
	tag=$(tr -d '\r' <"$TMP/h" | sed -n 's/^ETag: //Ip')
	code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $tag" "$URL/ocsp/$enc")
	if [ "$code" = 304 ]; then got304=yes; break; fi
done
same "If-None-Match gets 304" "$got304" yes
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'If-None-Match: "0000"' "$URL/ocsp/$enc")
same "a stale ETag gets 200" "$code" 200
post_cc=$(curl -s -D - -o /dev/null --data-binary @"$TMP/req.der" \
    -H 'Content-Type: application/ocsp-request' "$URL/" | tr -d '\r' | sed -n 's/^Cache-Control: //Ip')
same "POST answers are not cacheable" "$post_cc" "no-cache"

# OCSP-level errors are OCSP responses with HTTP 200.
resp_status() { # the responseStatus of $TMP/e.der
	openssl asn1parse -inform DER -in "$TMP/e.der" 2>/dev/null | sed -n 's/.*ENUMERATED *:0*\([0-9]*\)$/\1/p' | head -n 1
}
code=$(curl -s -o "$TMP/e.der" -w '%{http_code}' --data-binary 'hello' \
    -H 'Content-Type: application/ocsp-request' "$URL/")
same "garbage POST: 200 malformedRequest" "$code $(resp_status)" "200 1"
code=$(curl -s -o "$TMP/e.der" -w '%{http_code}' -X POST -H 'Content-Type: application/ocsp-request' \
    -H 'Content-Length: 0' "$URL/")
same "empty POST: 200 malformedRequest" "$code $(resp_status)" "200 1"
head -c $(($(wc -c <"$TMP/req.der") - 5)) "$TMP/req.der" >"$TMP/trunc.der"
code=$(curl -s -o "$TMP/e.der" -w '%{http_code}' --data-binary @"$TMP/trunc.der" \
    -H 'Content-Type: application/ocsp-request' "$URL/")
same "truncated request: malformedRequest" "$code $(resp_status)" "200 1"
code=$(curl -s -o "$TMP/e.der" -w '%{http_code}' "$URL/ocsp/not*base64")
same "bad base64 GET: malformedRequest" "$code $(resp_status)" "200 1"
openssl ocsp -issuer "$PKI/ca-rsa.pem" -cert "$PKI/leaf1.pem" -reqout "$TMP/n33.der" \
    -nonce >/dev/null 2>&1
# A 33-octet nonce: rebuild the request with openssl's config-driven DER.
cat >"$TMP/n33.cnf" <<CNF
asn1 = SEQUENCE:req
[req]
tbs = SEQUENCE:tbs
[tbs]
list = SEQUENCE:list
exts = EXPLICIT:2,SEQUENCE:exts
[list]
r = SEQUENCE:request
[request]
certid = SEQUENCE:certid
[certid]
alg = SEQUENCE:sha1
name = FORMAT:HEX,OCTETSTRING:$(openssl ocsp -reqin "$TMP/req.der" -req_text | sed -n 's/.*Issuer Name Hash: //p')
key = FORMAT:HEX,OCTETSTRING:$(openssl ocsp -reqin "$TMP/req.der" -req_text | sed -n 's/.*Issuer Key Hash: //p')
serial = INTEGER:0xA01
[sha1]
oid = OID:sha1
null = NULL
[exts]
nonce = SEQUENCE:nonce
[nonce]
oid = OID:1.3.6.1.5.5.7.48.1.2
val = OCTWRAP,FORMAT:HEX,OCTETSTRING:$(printf '%066d' 7)
CNF
openssl asn1parse -genconf "$TMP/n33.cnf" -out "$TMP/n33.der" >/dev/null 2>&1
code=$(curl -s -o "$TMP/e.der" -w '%{http_code}' --data-binary @"$TMP/n33.der" \
    -H 'Content-Type: application/ocsp-request' "$URL/")
same "33-octet nonce: malformedRequest" "$code $(resp_status)" "200 1"
sed -i "s/%066d/%064d/; s/^val = .*/val = OCTWRAP,FORMAT:HEX,OCTETSTRING:$(printf '%064d' 7)/" "$TMP/n33.cnf"
openssl asn1parse -genconf "$TMP/n33.cnf" -out "$TMP/n32.der" >/dev/null 2>&1
curl -s -o "$TMP/n32resp.der" --data-binary @"$TMP/n32.der" \
    -H 'Content-Type: application/ocsp-request' "$URL/"
# (no -issuer here: with it openssl would build a new request and nonce)
run openssl ocsp -reqin "$TMP/n32.der" -respin "$TMP/n32resp.der" -CAfile "$PKI/ca-rsa.pem"
if [ "$RC" -eq 0 ] && ! printf '%s' "$OUT$ERR" | grep -qi 'nonce' &&
    printf '%s' "$ERR" | grep -q 'Response verify OK' &&
    openssl ocsp -respin "$TMP/n32resp.der" -resp_text -noverify | grep -q "OCSP Nonce"; then
	pass "32-octet nonce echoed and checked by openssl"
else
	fail "32-octet nonce echoed and checked by openssl" "$OUT" "$ERR"
fi

# HTTP misuse gets HTTP errors.
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$TMP/req.der" "$URL/")
same "PUT: 405" "$code" 405
# Any Content-Type for a body that is an OCSP request; 415 for one that
# is not and says it is something else.
for ct in text/plain application/octet-stream \
    application/x-www-form-urlencoded ''; do
	code=$(curl -s -o "$TMP/ct.der" -w '%{http_code}' --data-binary @"$TMP/req.der" \
	    -H "Content-Type:${ct:+ $ct}" "$URL/")
	same "Content-Type '$ct' with an OCSP request: 200 successful" \
	    "$code $(openssl ocsp -respin "$TMP/ct.der" -resp_text -noverify 2>/dev/null |
		sed -n 's/^ *OCSP Response Status: \([a-z]*\).*/\1/p')" "200 successful"
done
printf 'not an OCSP request' >"$TMP/junk"
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$TMP/junk" \
    -H 'Content-Type: text/plain' "$URL/")
same "wrong Content-Type and not an OCSP request: 415" "$code" 415
code=$(curl -s -o "$TMP/e.der" -w '%{http_code}' --data-binary @"$TMP/junk" \
    -H 'Content-Type: application/ocsp-request' "$URL/")
same "application/ocsp-request that does not parse: malformedRequest" "$code $(resp_status)" "200 1"
head -c 70000 /dev/zero >"$TMP/big"
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$TMP/big" \
    -H 'Content-Type: application/ocsp-request' "$URL/")
same "body over 64 KiB: 413" "$code" 413
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$TMP/big" -H 'Transfer-Encoding: chunked' \
    -H 'Content-Type: application/ocsp-request' "$URL/")
same "chunked body over 64 KiB: 413" "$code" 413
# HEAD: GET's headers, no body, so a reused connection stays in step.
printf 'HEAD /healthz HTTP/1.1\r\nHost: t\r\n\r\nGET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' |
    nc -q 3 127.0.0.1 "$PORT" | tr -d '\r' >"$TMP/head.txt"
after=$(awk 'seen { print; exit } /^$/ { seen = 1 }' "$TMP/head.txt")
same "HEAD /healthz sends no body" "$after" "HTTP/1.1 200 OK"
code=$(curl -s -I -o "$TMP/h" -w '%{http_code}' "$URL/ocsp/$enc")
same "HEAD on an OCSP GET path: 200" "$code" 200
if grep -qi '^Content-Type: application/ocsp-response' "$TMP/h" &&
    grep -qi '^ETag: "' "$TMP/h"; then pass "HEAD carries GET's headers"; else fail "HEAD carries GET's headers" "$(cat "$TMP/h")"; fi
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz")
same "still healthy after all that" "$code" 200

stop_checked "the server"
if grep -q 'finishing requests in flight' "$TMP/server.err"; then pass "SIGTERM is logged"; else fail "SIGTERM is logged" "$(cat "$TMP/server.err")"; fi
finish
