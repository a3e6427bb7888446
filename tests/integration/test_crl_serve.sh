#!/bin/sh
# CRLs served: `serve` builds each issuer's CRL at start, continuing the
# stored numbers, and serves it at /crl/{id}.crl with cache headers
# (ETag, 304, HEAD, max-age before nextUpdate); puts a revoke (CLI in
# another process, or the admin API) on it within a second; coalesces a
# burst of revokes into few builds; never reuses a crlNumber (beside
# concurrent `cache refresh` runs, and across restarts); records a failed
# build, logs it and keeps serving OCSP and the last good CRL; stats and
# metrics show it all. test_crl_build.sh checks the CRLs themselves.
. tests/integration/lib.sh

make_pki
admin_token
VALIDITY=7200

# dbnum ISSUER: the number of the stored CRL.
dbnum() { q "SELECT crl_number FROM crl_cache WHERE issuer_id = '$1'"; }
# nfails: how many failed builds of rsa's CRL are recorded.
nfails() {
	q "SELECT coalesce(sum(repeated), 0) FROM crl_generation_events WHERE issuer_id = 'rsa' AND succeeded = 0"
}
# lastev: "SUCCEEDED|NUMBER|ERROR" of the newest build event of rsa.
lastev() {
	q "SELECT succeeded || '|' || ifnull(crl_number, 'null') || '|' || ifnull(error, '') FROM crl_generation_events WHERE issuer_id = 'rsa' ORDER BY id DESC LIMIT 1"
}
# okevents ISSUER: how many successful builds are recorded.
okevents() {
	q "SELECT count(*) FROM crl_generation_events WHERE issuer_id = '$1' AND succeeded = 1"
}
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

# 1. Setup: the database test_crl_build.sh makes, with its two builds by
# `cache refresh`, so that serve's own start build must
# continue the numbers stored, not start over.
crl_issuers &&
    ob cache refresh --validity 2h --refresh-interval 1h >/dev/null &&
    ob cache refresh --validity 2h --refresh-interval 1h >/dev/null ||
    { fail "register issuers and revocations, build two CRLs each"; finish; exit 1; }
P_RSA=$(dbnum rsa) P_EC=$(dbnum ec) P_P384=$(dbnum p384)

# 2. Served by a real server.
if ! start_server "$DB" --refresh-interval 1h --validity 2h; then
	fail "server starts"
	finish
	exit 1
fi
pass "server starts (refresh 1h, validity 2h)"
n=0
while [ $n -lt 100 ]; do
	[ "$(dbnum rsa)" -gt "$P_RSA" ] && [ "$(dbnum ec)" -gt "$P_EC" ] &&
	    [ "$(dbnum p384)" -gt "$P_P384" ] && break
	sleep 0.1
	n=$((n + 1))
done
same "serve builds every CRL at start, each numbered above the two before" \
    "$([ "$(dbnum rsa)" -gt "$P_RSA" ] && [ "$(dbnum ec)" -gt "$P_EC" ] &&
	[ "$(dbnum p384)" -gt "$P_P384" ] && echo yes)" yes
if grep -Eq " ocspbox: crl rsa: #$(dbnum rsa), 5 revoked, [0-9]+ bytes, in [0-9]+ ms\$" "$TMP/server.err"; then
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
same "... and it verifies, with that number" "$(cverify "$TMP/http.der" rsa) $(cnum "$TMP/http.der")" \
    "verify OK $(dbnum rsa)"
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

# 3. Stats and metrics.
stats >/dev/null
same "stats rsa crl: present, key, number = DB's, 5 revoked, not stale, no error" \
    "$(stats '.issuers[] | select(.id == "rsa") | .crl | [.present, .key, .crl_number, .revoked_count, .is_stale, .last_error] | map(tostring) | join(" ")')" \
    "true true $(dbnum rsa) 5 false null"
same "stats rsa crl: this/next_update and generated_at are the DB's" \
    "$(stats '.issuers[] | select(.id == "rsa") | .crl | [.this_update, .next_update, (.generated_at != null)] | map(tostring) | join(" ")')" \
    "$(q "SELECT this_update || ' ' || next_update FROM crl_cache WHERE issuer_id = 'rsa'") true"
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
ob revoke rsa C001 --reason keyCompromise --unregistered >/dev/null
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
    "$code $(q "SELECT status FROM certificates WHERE issuer_id = 'rsa' AND serial_hex = 'cafe'")" "400 good"
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
			ob revoke rsa "$(printf 'D0%02X' $((k * 10 + i)))" --reason superseded --unregistered \
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
same "burst: a higher number for each build" \
    "$(q "SELECT count(*) FROM crl_generation_events WHERE issuer_id = 'rsa' AND succeeded = 1 AND crl_number > $n0") $([ "$(dbnum rsa)" -gt "$n0" ] && echo rose)" \
    "$BURST_EV rose"

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
	ob revoke rsa $s --unregistered >/dev/null
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

# 7. Across a restart the number keeps rising.
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

# 8. A failed build is recorded, the old CRL and OCSP keep being served.
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
    grep -q ' ocspbox: crl rsa: .*ca-rsa\.key' "$TMP/server.err"; then
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
# A revocation the CRL cannot take while its key is gone: the CRL is
# "behind" (stats, metrics, cache stats), and the failures that repeat
# are one event in the history, counted.
fails1=$(nfails)
ob revoke rsa BEB1 --unregistered >/dev/null
n=0
while [ $n -lt 50 ] && [ "$(nfails)" -le "$fails1" ]; do sleep 0.1; n=$((n + 1)); done
metrics
same "a revocation the CRL lacks: stats crl.behind, ocspbox_crl_behind 1" \
    "$(stats '.issuers[] | select(.id == "rsa") | .crl.behind') $(m 'ocspbox_crl_behind{issuer="rsa"}')" "true 1"
ok "... cache stats says behind" '^issuer rsa: .*, crl behind$' ob cache stats
api GET '/api/v1/history?limit=5'
same "... the history: the repeated failure is one event, counted" \
    "$(printf '%s' "$BODY_OUT" | jq -r '[.crl_builds[] | select(.issuer_id == "rsa")][0] | [.succeeded, (.repeated >= 2), (.error | test("No such file"))] | map(tostring) | join(" ")')" \
    "false true true"
same "... and the events table holds it once" \
    "$(q "SELECT count(*) FROM (SELECT error FROM crl_generation_events WHERE issuer_id = 'rsa' AND succeeded = 0 ORDER BY id DESC LIMIT 2) GROUP BY error HAVING count(*) > 1")" ""
mv "$PKI/ca-rsa.key.away" "$PKI/ca-rsa.key"
chmod 600 "$PKI/ca-rsa.key"
prev=$(dbnum rsa)
run ob cache refresh --validity 2h --refresh-interval 1h
next=$(printf '%s\n' "$OUT" | sed -n 's/^crl rsa: #\([0-9]*\), 43 revoked.*/\1/p')
if [ "$RC" -eq 0 ] && [ -n "$next" ] && [ "$next" -gt "$prev" ]; then
	pass "key restored: the next build succeeds, numbered above #$prev"
else
	fail "key restored: the next build succeeds, numbered above #$prev" "exit $RC" "$OUT" "$ERR"
fi
same "... the CRL is no longer behind" "$(stats '.issuers[] | select(.id == "rsa") | .crl.behind')" false
same "stats: last_error null again" \
    "$(stats '.issuers[] | select(.id == "rsa") | .crl.last_error')" null
metrics
same "metrics: ocspbox_crl_last_attempt_failed rsa 0 again" \
    "$(m 'ocspbox_crl_last_attempt_failed{issuer="rsa"}')" 0
same "the server serves the new CRL" "$(getcrl rsa "$TMP/new.der") $(cnum "$TMP/new.der")" "200 $next"

# 9. Every successful number is unique and rising, per issuer.
same "crl_generation_events: successful numbers never repeated" \
    "$(q "SELECT count(*) = count(DISTINCT issuer_id || ':' || crl_number) FROM crl_generation_events WHERE succeeded = 1")" 1
same "crl_generation_events: numbers strictly increase with the event id" \
    "$(q "SELECT count(*) FROM crl_generation_events a JOIN crl_generation_events b ON a.issuer_id = b.issuer_id AND a.id < b.id WHERE a.succeeded = 1 AND b.succeeded = 1 AND a.crl_number >= b.crl_number")" 0
same "crl_cache holds each issuer's highest number" \
    "$(q "SELECT count(*) FROM crl_cache c WHERE c.crl_number <> (SELECT max(crl_number) FROM crl_generation_events e WHERE e.issuer_id = c.issuer_id)")" 0
stop_checked "third server"

finish
