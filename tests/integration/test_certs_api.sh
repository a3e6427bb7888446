#!/bin/sh
# The registration API (issue 17): POST /api/v1/certificates registers
# one certificate or a batch, by PEM (checked to be the issuer's, as cert
# add --cert) or by serial and notAfter; 201 when new, 200 when known;
# all of a batch or none; the cached "unknown" dropped at once. GET
# /api/v1/certificates/{issuer_id}/{serial_hex} says what ocspbox knows.
# Every refusal: 400 (naming the item), 401, 404, 405, 413, 415.
. tests/integration/lib.sh

make_pki
admin_token
addissuer "$DB" rsa rsa || { fail "issuer add rsa"; finish; exit 1; }
addissuer "$DB" ec ec || { fail "issuer add ec"; finish; exit 1; }
start_server "$DB" || { fail "server starts"; finish; exit 1; }

# post BODY [CONTENT-TYPE]: POST /api/v1/certificates; CODE, BODY_OUT.
post() { api POST /api/v1/certificates "$1" "${2:-application/json}"; }
# jpem FILE: the file as a JSON string.
jpem() { jq -Rs . <"$1"; }
# code_why NAME CODE PATTERN: the last answer had CODE and an error
# matching PATTERN.
code_why() {
	if [ "$CODE" = "$2" ] && printf '%s' "$BODY_OUT" | jq -r .error 2>/dev/null | grep -Eq -- "$3"; then
		pass "$1"
	else
		fail "$1" "HTTP $CODE: $BODY_OUT"
	fi
}

# An unknown serial asked first: "unknown" is cached.
same "1001 before: unknown" "$(ocsp_status 1001)" unknown

post '{"issuer_id":"rsa","serial_hex":"1001","not_after":"2030-01-01T00:00:00Z"}'
same "one by serial: 201, new" "$CODE $(printf '%s' "$BODY_OUT" | jq -c '[.registered,.known,.certificates[0].status]')" \
    '201 [1,0,"new"]'
same "1001 at once after: good (the cached unknown dropped)" "$(ocsp_status 1001)" good
post '{"issuer_id":"rsa","serial_hex":"1001","not_after":"2030-01-01T00:00:00Z"}'
same "the same again: 200, known" "$CODE $(printf '%s' "$BODY_OUT" | jq -c '[.registered,.known,.certificates[0].status]')" \
    '200 [0,1,"known"]'

post "[{\"issuer_id\":\"rsa\",\"pem\":$(jpem "$PKI/leaf1.pem")},{\"issuer_id\":\"ec\",\"pem\":$(jpem "$PKI/leaf-ec.pem")},{\"issuer_id\":\"rsa\",\"serial_hex\":\"0x1002\",\"not_after\":\"2031-06-30T12:00:00Z\"}]"
s1=$(openssl x509 -in "$PKI/leaf1.pem" -noout -serial | sed 's/^serial=//' | tr A-F a-f | sed 's/^0*//')
same "a batch of three (two PEMs, one serial): 201, 3 new" \
    "$CODE $(printf '%s' "$BODY_OUT" | jq -c '[.registered,.known,[.certificates[].serial_hex]]')" \
    "201 [3,0,[\"$s1\",\"$(openssl x509 -in "$PKI/leaf-ec.pem" -noout -serial | sed 's/^serial=//' | tr A-F a-f | sed 's/^0*//')\",\"1002\"]]"
out=$(openssl ocsp -url "$URL/" -issuer "$PKI/ca-rsa.pem" -cert "$PKI/leaf1.pem" -CAfile "$PKI/ca-rsa.pem" 2>&1)
if printf '%s\n' "$out" | grep -q 'leaf1.pem: good'; then pass "leaf1 by PEM: good"; else fail "leaf1 by PEM: good" "$out"; fi

# GET: what ocspbox knows.
api GET "/api/v1/certificates/rsa/$s1"
same "GET leaf1: 200, good, its notAfter and subject from the PEM" \
    "$CODE $(printf '%s' "$BODY_OUT" | jq -c '[.status,.expired,.not_after,(.subject | test("CN=leaf1.example")),.revoked_at]')" \
    "200 [\"good\",false,\"$(date -u -d "$(openssl x509 -in "$PKI/leaf1.pem" -noout -enddate | sed 's/^notAfter=//')" +%Y-%m-%dT%H:%M:%SZ)\",true,null]"
api POST /api/v1/revoke '{"issuer_id":"rsa","serial_hex":"1002","reason":"superseded"}'
api GET /api/v1/certificates/rsa/0x1002
same "GET 1002 after a revoke: revoked, its reason, the notAfter given" \
    "$CODE $(printf '%s' "$BODY_OUT" | jq -c '[.serial_hex,.status,.reason,.not_after]')" \
    '200 ["1002","revoked","superseded","2031-06-30T12:00:00Z"]'
api GET /api/v1/certificates/rsa/BEEF
code_why "GET a serial never registered: 404" 404 'no certificate beef of issuer rsa'
api GET /api/v1/certificates/nope/1001
code_why "GET on an issuer not there: 404" 404 'no issuer nope'
api GET /api/v1/certificates/rsa/zz
code_why "GET a serial that cannot be one: 400" 400 'bad serial_hex'
api GET /api/v1/certificates/rsa
code_why "GET without a serial: 404" 404 'want /api/v1/certificates/'
api POST /api/v1/certificates/rsa/1001 '{}'
same "POST on a certificate's path: 405" "$CODE" 405
api GET /api/v1/certificates
same "GET on the collection: 405" "$CODE" 405

api GET "/api/v1/certificates/rsa/$(printf '%0200d' 1)"
code_why "GET a serial of 200 digits: 400, as POST says" 400 'bad serial_hex'
# The CA's own certificate is not one it issued (self-signed, it would
# pass the signature check).
post "{\"issuer_id\":\"rsa\",\"pem\":$(jpem "$PKI/ca-rsa.pem")}"
code_why "the issuer's own certificate: 400" 400 "this is the issuer's own certificate"

# All of a batch or none: the second item is another CA's certificate.
post "[{\"issuer_id\":\"rsa\",\"serial_hex\":\"2001\",\"not_after\":\"2030-01-01T00:00:00Z\"},{\"issuer_id\":\"rsa\",\"pem\":$(jpem "$PKI/leaf-ec.pem")}]"
code_why "a PEM of another CA in a batch: 400 naming item 2" 400 '^item 2: certificate was not issued by this issuer'
api GET /api/v1/certificates/rsa/2001
same "... and item 1 was not registered either" "$CODE" 404
post "[{\"issuer_id\":\"rsa\",\"serial_hex\":\"2002\",\"not_after\":\"2030-01-01T00:00:00Z\"},{\"issuer_id\":\"nope\",\"serial_hex\":\"1\",\"not_after\":\"2030-01-01T00:00:00Z\"}]"
code_why "an issuer not there in a batch: 404 naming item 2" 404 '^item 2: no such issuer nope'
api GET /api/v1/certificates/rsa/2002
same "... and item 1 was not registered either" "$CODE" 404

# Every malformed body: 400, saying what.
for c in \
    'not json|malformed JSON' \
    '[]|want 1 to 1000 certificates' \
    '{"issuer_id":"rsa"}|want pem, or serial_hex and not_after' \
    '{"serial_hex":"1","not_after":"2030-01-01T00:00:00Z"}|issuer_id missing' \
    '{"issuer_id":"r/s","serial_hex":"1","not_after":"2030-01-01T00:00:00Z"}|bad issuer_id' \
    '{"issuer_id":"rsa","serial_hex":"xyz","not_after":"2030-01-01T00:00:00Z"}|bad serial_hex' \
    '{"issuer_id":"rsa","serial_hex":"1","not_after":"2030-13-01"}|bad not_after' \
    '{"issuer_id":"rsa","serial_hex":"1","not_after":"2030-01-01T00:00:00Z","x":1}|an unknown member' \
    '{"issuer_id":"rsa","pem":"x","serial_hex":"1"}|not both' \
    '{"issuer_id":"rsa","pem":""}|pem: want the certificate' \
    '{"issuer_id":"rsa","pem":"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}|pem: ' \
    '{"issuer_id":"rsa","pem":"hello"}|not a PEM certificate' \
    '[{"issuer_id":"rsa","serial_hex":"1","not_after":"2030-01-01T00:00:00Z"},5]|^item 2: want an object' \
    '{"issuer_id":"rsa","issuer_id":"ec","serial_hex":"1","not_after":"2030-01-01T00:00:00Z"}|two members of one name'; do
	post "${c%%|*}"
	code_why "400: $(printf '%s' "${c%%|*}" | tr -d '\\' | cut -c1-70)" 400 "${c#*|}"
done
big=$(python3 -c 'import json; print(json.dumps([{"issuer_id":"rsa","serial_hex":"%x" % (0x5000+i),"not_after":"2030-01-01T00:00:00Z"} for i in range(1001)]))')
post "$big"
code_why "1,001 certificates: 400" 400 'want 1 to 1000 certificates, not 1001'
post '{"issuer_id":"rsa","serial_hex":"1","not_after":"2030-01-01T00:00:00Z"}' text/plain
same "415 for another Content-Type" "$CODE" 415
head -c 2200000 /dev/zero | tr '\0' ' ' >"$TMP/huge.json"
CODE=$(curl -s -m 30 -o "$TMP/b" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' --data-binary @"$TMP/huge.json" "$ADMIN_URL/api/v1/certificates")
same "413 for a body over 2 MiB" "$CODE" 413
CODE=$(curl -s -m 30 -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data-binary '{}' "$ADMIN_URL/api/v1/certificates")
same "401 without the token" "$CODE" 401
# A batch of 1,000 by serial: registered at once.
big=$(python3 -c 'import json; print(json.dumps([{"issuer_id":"rsa","serial_hex":"%x" % (0x6000+i),"not_after":"2030-01-01T00:00:00Z"} for i in range(1000)]))')
post "$big"
same "a batch of 1,000: 201, 1000 new" "$CODE $(printf '%s' "$BODY_OUT" | jq .registered)" "201 1000"
same "one of them: good" "$(ocsp_status 63E7)" good
# Nearly 2 MiB (blanks between the items), sent chunked: the largest
# request fits the admin listener's buffers with its chunk framing.
python3 -c 'import json; print(json.dumps([{"issuer_id":"rsa","serial_hex":"%x" % (0x6000+i),"not_after":"2030-01-01T00:00:00Z"} for i in range(1000)], separators=("," + " " * 600, ":")))' >"$TMP/wide.json"
CODE=$(curl -s -m 30 -o "$TMP/b" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
    --data-binary @"$TMP/wide.json" "$ADMIN_URL/api/v1/certificates")
same "$(wc -c <"$TMP/wide.json") bytes, chunked: 200, all known" "$CODE $(jq .known <"$TMP/b")" "200 1000"
# An object of 150,000 members: its names checked for twins in n log n.
python3 -c 'print("{" + ",".join("\"m%d\":1" % i for i in range(150000)) + "}")' >"$TMP/wide.json"
t0=$(now_ms)
CODE=$(curl -s -m 30 -o "$TMP/b" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' --data-binary @"$TMP/wide.json" "$ADMIN_URL/api/v1/certificates")
ms=$(($(now_ms) - t0))
if [ "$CODE" = 400 ] && [ "$ms" -lt 5000 ]; then
	pass "an object of 150,000 members: 400 in $ms ms"
else
	fail "an object of 150,000 members: 400 in under 5 s" "HTTP $CODE in $ms ms"
fi
stop_checked "serve with the registration API"
finish
