#!/bin/sh
# The admin API through the real server: issuers, revoke, refresh, the
# Bearer token on every call, bounded and validated JSON bodies, and a
# revoke through the API seen at once on the public listener.
. tests/integration/lib.sh

make_pki
admin_token
addissuer "$DB" rsa rsa
ob cert add rsa --cert "$PKI/leaf1.pem" >/dev/null
ob cert add rsa --cert "$PKI/leaf2.pem" >/dev/null
if ! start_server "$DB" --refresh-interval 1h --validity 2h \
    --admin-host ocsp.example.test,panel.example.test.; then
	fail "server starts"
	finish
	exit 1
fi
pass "server starts"

# want NAME CODE JQ: the last call answered CODE and its body passes JQ.
want() {
	if [ "$CODE" = "$2" ] && printf '%s' "$BODY_OUT" | jq -e "$3" >/dev/null 2>&1; then
		pass "$1"
	else
		fail "$1" "want $2 and $3" "got $CODE: $BODY_OUT"
	fi
}

# Every call needs the token.
for ep in "GET /api/v1/issuers" "POST /api/v1/revoke" "POST /api/v1/cache/refresh" \
    "GET /api/v1/cache/stats" "GET /metrics"; do
	set -- $ep
	code=$(curl -s -m 30 -o "$TMP/b" -w '%{http_code}' -X "$1" "$ADMIN_URL$2")
	if [ "$code" = 401 ] && jq -e .error "$TMP/b" >/dev/null 2>&1; then
		pass "$ep without a token: 401 with a JSON error"
	else
		fail "$ep without a token: 401 with a JSON error" "$code $(cat "$TMP/b")"
	fi
done

api GET /api/v1/issuers
want "issuers: rsa with 2 certificates and its responder" 200 \
    '.issuers | length == 1 and .[0].id == "rsa" and .[0].certificates == 2 and .[0].responder.key_algorithm == "rsa"'
# One document, one writer: the CLI prints the API's bytes.
same "issuer list --json and GET /api/v1/issuers: the same document" \
    "$(ob issuer list --json)" "$BODY_OUT"
api POST /api/v1/issuers
want "POST on issuers: 405" 405 '.error'

# Bad bodies, each its 4xx, and nothing revoked by any of them.
api POST /api/v1/revoke '{"issuer_id": "rsa", "serial_hex": "a01"' 
want "truncated JSON: 400" 400 '.error == "malformed JSON"'
api POST /api/v1/revoke '{"issuer_id": "rsa", "serial_hex": "a01"} x'
want "trailing garbage: 400" 400 '.error'
api POST /api/v1/revoke '["rsa", "a01"]'
want "an array: 400" 400 '.error'
api POST /api/v1/revoke '{"issuer_id": "rsa", "serial_hex": 2561}'
want "serial as a number: 400" 400 '.error'
api POST /api/v1/revoke '{"issuer_id": "rsa"}'
want "no serial: 400" 400 '.error'
api POST /api/v1/revoke '{"issuer_id": "rsa", "serial_hex": "zz"}'
want "bad serial: 400" 400 '.error == "bad serial_hex"'
api POST /api/v1/revoke '{"issuer_id": "rsa", "serial_hex": "a01", "reason": "sunspots"}'
want "unknown reason: 400" 400 '.error'
api POST /api/v1/revoke '{"issuer_id": "nope", "serial_hex": "a01"}'
want "unknown issuer: 404" 404 '.error == "no such issuer"'
api POST /api/v1/revoke '{"issuer_id": "rsa", "serial_hex": "beef"}'
want "unknown serial: 404" 404 '.error | startswith("no such certificate (\"unregistered\": true")'
api POST /api/v1/revoke '{"issuer_id": "rsa", "serial_hex": "beef", "unregistered": "yes"}'
want "unregistered not a boolean: 400" 400 '.error == "unregistered: want true or false"'
api POST /api/v1/revoke '{"issuer_id": "rsa", "serial_hex": "a01"}' text/plain
want "wrong Content-Type: 415" 415 '.error'
big=$(head -c 5000 /dev/zero | tr '\0' ' ')
api POST /api/v1/revoke "{\"issuer_id\": \"rsa\",$big \"serial_hex\": \"a01\"}"
want "body over 4 KiB: 413" 413 '.error'
api POST /api/v1/revoke "$(printf '%*s' 3000 '' | tr ' ' '[')"
want "3000 nested arrays: 400, the server keeps serving" 400 '.error'
same "nothing was revoked by the bad bodies" "$(ocsp_status a01)" good

# A revoke through the API is seen at once on the public listener.
same "a01 is good and cached before" "$(ocsp_status a01)" good
api POST /api/v1/revoke '{"issuer_id": "rsa", "serial_hex": "0x0A01", "reason": "keyCompromise"}'
want "revoke through the API: 200 with what was done" 200 \
    '.serial_hex == "a01" and .already_revoked == false and .reason == "keyCompromise" and (.revoked_at | test("Z$"))'
same "the very next OCSP answer for a01: revoked" "$(ocsp_status a01)" revoked
run openssl ocsp -url "$URL/" -issuer "$PKI/ca-rsa.pem" -serial 0xA01 -no_nonce \
    -CAfile "$PKI/ca-rsa.pem"
if printf '%s\n' "$OUT" | grep -q 'Reason: keyCompromise'; then
	pass "... with its reason"
else
	fail "... with its reason" "$OUT"
fi
api POST /api/v1/revoke '{"issuer_id": "rsa", "serial_hex": "a01"}'
want "revoking again: 200, already_revoked" 200 '.already_revoked == true'

# A refresh on demand: 202, and a new pass is recorded.
api GET /api/v1/cache/stats
before=$(printf '%s' "$BODY_OUT" | jq -r '.refresh.last_started_at')
sleep 1.1
api POST /api/v1/cache/refresh
want "POST cache/refresh: 202" 202 '.status'
n=0
after=$before
while [ $n -lt 50 ] && [ "$after" = "$before" ]; do
	sleep 0.1
	api GET /api/v1/cache/stats
	after=$(printf '%s' "$BODY_OUT" | jq -r '.refresh.last_started_at')
	n=$((n + 1))
done
if [ "$after" != "$before" ]; then
	pass "the refresh ran ($before -> $after)"
else
	fail "the refresh ran" "$before -> $after"
fi
api GET /api/v1/cache/refresh
want "GET on cache/refresh: 405" 405 '.error'

# /metrics: Prometheus's own checker, and numbers that match what was sent.
curl -s -m 30 -o /dev/null "$URL/nope" -X PUT
curl -s -m 30 -o "$TMP/metrics" -H "Authorization: Bearer $TOKEN" "$ADMIN_URL/metrics"
post_ok=$(m 'ocspbox_requests_total{method="POST",status="successful"}')
ocsp_status a02 >/dev/null
openssl ocsp -issuer "$PKI/ca-rsa.pem" -serial 0xA02 -no_nonce -reqout "$TMP/a02.req" >/dev/null 2>&1
curl -s -m 30 -o /dev/null "$URL/$(enc "$TMP/a02.req")"
curl -s -m 30 -o /dev/null --data-binary 'garbage' -H 'Content-Type: application/ocsp-request' "$URL/"
curl -s -m 30 -D "$TMP/mh" -o "$TMP/metrics" -H "Authorization: Bearer $TOKEN" "$ADMIN_URL/metrics"
run promtool check metrics <"$TMP/metrics"
if [ "$RC" -eq 0 ] && [ -z "$OUT$ERR" ]; then
	pass "promtool check metrics: no problems"
else
	fail "promtool check metrics: no problems" "exit $RC" "$OUT" "$ERR"
fi
# ocspbox_build_info names what --version names.
ver=$("$OCSPBOX" --version | sed -n 's/^ocspbox \([^ ]*\) (SQLite \([^,]*\), mbedTLS \([^,]*\), civetweb \([^)]*\)).*/version="\1",sqlite="\2",mbedtls="\3",civetweb="\4"/p')
if [ -n "$ver" ] && grep -qxF "ocspbox_build_info{$ver} 1" "$TMP/metrics"; then
	pass "ocspbox_build_info names the versions --version prints"
else
	fail "ocspbox_build_info names the versions --version prints" "want {$ver}" "$(grep build_info "$TMP/metrics")"
fi
if grep -qi '^Content-Type: text/plain; version=0.0.4' "$TMP/mh"; then
	pass "/metrics is the text format 0.0.4"
else
	fail "/metrics is the text format 0.0.4" "$(cat "$TMP/mh")"
fi
same "POST successful rose by 1" "$(m 'ocspbox_requests_total{method="POST",status="successful"}')" "$((post_ok + 1))"
same "GET successful counted" "$(m 'ocspbox_requests_total{method="GET",status="successful"}')" 1
same "a garbage POST counted as malformed_request" \
    "$(m 'ocspbox_requests_total{method="POST",status="malformed_request"}')" 1
same "a PUT counted as an HTTP error" "$(m 'ocspbox_http_errors_total')" 1
same "entries per issuer: rsa good 1, revoked 1" \
    "$(m 'ocspbox_cache_entries{issuer="rsa",status="good"}') $(m 'ocspbox_cache_entries{issuer="rsa",status="revoked"}')" "1 1"
same "one invalidation (the API revoke)" "$(m ocspbox_cache_invalidations_total)" 1
hc=$(m 'ocspbox_sign_duration_seconds_count{issuer="rsa"}')
hi=$(m 'ocspbox_sign_duration_seconds_bucket{issuer="rsa",le="+Inf"}')
if [ -n "$hc" ] && [ "$hc" -ge 3 ] && [ "$hc" = "$hi" ]; then
	pass "signing histogram: $hc signatures, +Inf bucket equal to the count"
else
	fail "signing histogram: count and +Inf bucket" "count $hc, +Inf $hi"
fi

# C would cut "rsa\u0000x" short at the NUL: refused, and nothing revoked.
api POST /api/v1/revoke '{"issuer_id": "rsa\u0000x", "serial_hex": "a02"}'
want "issuer_id with \\u0000: 400" 400 '.error | test("u0000")'
api POST /api/v1/revoke '{"issuer_id": "rsa", "serial_hex": "a02\u0000"}'
want "serial_hex with \\u0000: 400" 400 '.error'
api POST /api/v1/revoke '{"issuer_id": "rsa", "serial_hex": "a02", "reason": "keyCompromise\u0000"}'
want "reason with \\u0000: 400" 400 '.error'
api POST /api/v1/revoke "{\"issuer_id\": \"$(printf '%*s' 65 '' | tr ' ' r)\", \"serial_hex\": \"a02\"}"
want "issuer_id of 65 characters: 400" 400 '.error | test("issuer_id")'
api POST /api/v1/revoke '{"issuer_id": "rsa\nocspbox: admin: revoked x", "serial_hex": "a02"}'
want "issuer_id with a newline (a forged log line): 400" 400 '.error | test("issuer_id")'
same "a02 is still good" "$(ocsp_status a02)" good

# No CORS: a preflight from another origin is not approved.
hdrs=$(curl -s -m 30 -D - -o /dev/null -X OPTIONS -H 'Origin: http://evil.example' \
    -H 'Access-Control-Request-Method: POST' \
    -H 'Access-Control-Request-Headers: authorization, content-type' "$ADMIN_URL/api/v1/revoke")
if printf '%s' "$hdrs" | grep -q '^HTTP/1.1 401' &&
    ! printf '%s' "$hdrs" | grep -qi '^Access-Control-'; then
	pass "CORS preflight: 401, no Access-Control-* header"
else
	fail "CORS preflight: 401, no Access-Control-* header" "$hdrs"
fi
hdrs=$(curl -s -m 30 -D - -o /dev/null -H 'Origin: http://evil.example' \
    -H "Authorization: Bearer $TOKEN" "$ADMIN_URL/api/v1/issuers")
if printf '%s' "$hdrs" | grep -q '^HTTP/1.1 200' && ! printf '%s' "$hdrs" | grep -qi '^Access-Control-'; then
	pass "a request with an Origin: answered without Access-Control-*"
else
	fail "a request with an Origin: answered without Access-Control-*" "$hdrs"
fi

# DNS rebinding: the Host must name this listener.
host_code() { # HOST PATH
	curl -s -m 30 -o "$TMP/b" -w '%{http_code}' -H "Host: $1" \
	    -H "Authorization: Bearer $TOKEN" "$ADMIN_URL$2"
}
same "Host: evil.example: 421 on the API" "$(host_code "evil.example:$((PORT + 1))" /api/v1/issuers)" 421
same "Host: evil.example: 421 on the panel" "$(host_code evil.example /)" 421
same "Host: a name ending like a configured one: 421" "$(host_code xocsp.example.test /api/v1/issuers)" 421
same "Host: 127.0.0.1:P: 200" "$(host_code "127.0.0.1:$((PORT + 1))" /api/v1/issuers)" 200
same "Host: localhost: 200" "$(host_code LocalHost /api/v1/issuers)" 200
same "Host: [::1]:P: 200" "$(host_code "[::1]:$((PORT + 1))" /api/v1/issuers)" 200
same "Host: a --admin-host name, any case, with a port: 200" \
    "$(host_code "OCSP.Example.Test:443" /api/v1/issuers)" 200
same "Host: the second --admin-host name, with the root's dot: 200" \
    "$(host_code "panel.example.test." /api/v1/issuers)" 200
same "Host: that name (given with its dot) without it: 200" \
    "$(host_code "panel.example.test" /api/v1/issuers)" 200

# A path that would forge a log line, behind a wrong token: the first
# failure, so logged at once (from another address, its own limit).
curl -s -m 30 -o /dev/null --interface 127.0.0.2 -H 'Authorization: Bearer wrong' \
    "$ADMIN_URL/api/%0aocspbox:%20admin:%20revoked%20forged%201%1b%5b31m" >/dev/null
if grep -q 'failed authentication.*from 127.0.0.2 for /api/?ocspbox:?admin:?revoked?forged?1?' "$TMP/server.err" &&
    ! grep -q " ocspbox: admin: revoked forged" "$TMP/server.err" &&
    ! grep -q "$(printf '\033')" "$TMP/server.err"; then
	pass "a path with a newline and ESC is logged with ? for them, forging no line"
else
	fail "a path with a newline and ESC is logged with ? for them, forging no line" \
	    "$(grep -a 'failed auth' "$TMP/server.err")"
fi
# Repeated wrong tokens: 401 five times, then 429 until a second passes,
# even for the right token (a guess costs a second); counted and logged.
# (A slow build may see a second pass and a credit come back: the count
# of 401s before the first 429 is 5, or a few more.)
codes= n401=0 i=0
while [ $i -lt 20 ]; do
	c=$(curl -s -m 30 -o /dev/null -w '%{http_code}' \
	    -H 'Authorization: Bearer wrong-guess' "$ADMIN_URL/api/v1/issuers")
	codes="$codes $c"
	[ "$c" = 401 ] && n401=$((n401 + 1))
	[ "$c" = 429 ] && break
	i=$((i + 1))
done
if [ "${codes% 429}" != "$codes" ] && [ "$n401" -ge 5 ] && [ "$n401" -le 8 ] &&
    [ "${codes# 401 401 401 401 401}" != "$codes" ]; then
	pass "wrong tokens: 401 five times, then 429 ($codes)"
else
	fail "wrong tokens: 401 five times, then 429" "$codes"
fi
# The right token is served even now: a client sharing the operator's
# address cannot lock the operator out.
api GET /api/v1/issuers
same "the right token at once after: 200 (no lockout)" "$CODE" 200
t0=$(date +%s%N)
code=$(curl -s -m 30 -D "$TMP/h429" -o /dev/null -w '%{http_code}' \
    -H 'Authorization: Bearer wrong-guess' "$ADMIN_URL/api/v1/issuers")
t1=$(date +%s%N)
if [ "$code" = 429 ] && grep -qi '^Retry-After: 1' "$TMP/h429" &&
    [ $(((t1 - t0) / 1000000)) -ge 240 ]; then
	pass "another wrong token: 429 with Retry-After, after a quarter second"
else
	fail "another wrong token: 429 with Retry-After, after a quarter second" "$code" \
	    "$(((t1 - t0) / 1000000)) ms" "$(cat "$TMP/h429")"
fi
sleep 1.2
api GET /metrics
if [ "$CODE" = 200 ]; then
	pass "metrics with the right token"
else
	fail "metrics with the right token" "$CODE"
fi
printf '%s\n' "$BODY_OUT" >"$TMP/metrics"
same "ocspbox_admin_auth_failures_total counts the wrong tokens" \
    "$(m ocspbox_admin_auth_failures_total)" "$((n401 + 1))"
same "ocspbox_admin_auth_limited_total counts the 429s" "$(m ocspbox_admin_auth_limited_total)" 2
same "ocspbox_admin_misdirected_total counts the 421s" "$(m ocspbox_admin_misdirected_total)" 3
# Whitespace around a field value is not part of it (RFC 9110 5.5).
code=$(curl -s -m 30 -o /dev/null -w '%{http_code}' -H "Host: 127.0.0.1 " \
    -H "Authorization: Bearer $TOKEN	" "$ADMIN_URL/api/v1/issuers")
same "Host and token with trailing whitespace: 200" "$code" 200
if [ "$(grep -c 'failed authentication' "$TMP/server.err")" -eq 1 ]; then
	pass "failed authentications logged, at most a line a minute"
else
	fail "failed authentications logged, at most a line a minute" \
	    "$(grep 'failed auth' "$TMP/server.err")"
fi
sleep 4

# Last, since it adds a revoked certificate: a serial never registered,
# meant ("unregistered": true), as revoke --unregistered.
api POST /api/v1/revoke '{"issuer_id": "rsa", "serial_hex": "beef", "unregistered": true}'
want "unknown serial with \"unregistered\": true: revoked" 200 '.already_revoked == false and .serial_hex == "beef"'
stop_server
same "SIGTERM exits 0" "$STOP_RC" 0

# The listen flags and the token: refused before anything listens.
refused "--admin-listen with two addresses" 2 'bad --admin-listen' \
    "$OCSPBOX" --db "$DB" serve --listen 127.0.0.1:1 --admin-listen '127.0.0.1:2,0.0.0.0:3'
refused "--admin-listen with a civetweb suffix" 2 'bad --admin-listen' \
    "$OCSPBOX" --db "$DB" serve --listen 127.0.0.1:1 --admin-listen '127.0.0.1:2s'
refused "--listen with two addresses" 2 'bad --listen' \
    "$OCSPBOX" --db "$DB" serve --listen '127.0.0.1:1,127.0.0.1:2'
refused "a name that starts like loopback is not loopback (made token)" 2 'is not loopback' \
    env -u OCSPBOX_ADMIN_TOKEN "$OCSPBOX" --db "$DB" serve --listen 127.0.0.1:1 \
    --admin-listen '127.0.0.1.example.test:2'
refused "a 1-character token" 1 'at least 128 bits' \
    env OCSPBOX_ADMIN_TOKEN=x "$OCSPBOX" --db "$DB" serve --listen 127.0.0.1:1
refused "31 hex digits (124 bits)" 1 'at least 128 bits' \
    env OCSPBOX_ADMIN_TOKEN=0123456789abcdef0123456789abcde "$OCSPBOX" --db "$DB" serve
printf 'short-token\n' >"$TMP/tok"
chmod 600 "$TMP/tok"
refused "a short --admin-token-file" 1 'at least 128 bits' \
    "$OCSPBOX" --db "$DB" serve --admin-token-file "$TMP/tok"
refused "--admin-host with an empty name" 2 'bad --admin-host' \
    "$OCSPBOX" --db "$DB" serve --admin-host 'a.example,,b.example'
refused "--admin-host with a port" 2 'bad --admin-host' \
    "$OCSPBOX" --db "$DB" serve --admin-host 'a.example:8443'
refused "--admin-host with a wildcard" 2 'bad --admin-host' \
    "$OCSPBOX" --db "$DB" serve --admin-host '*'
refused "a token with a space" 1 'at least 128 bits' \
    env OCSPBOX_ADMIN_TOKEN='0123456789abcdef 0123456789abcdef' "$OCSPBOX" --db "$DB" serve
finish
