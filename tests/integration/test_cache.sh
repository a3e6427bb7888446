#!/bin/sh
# The pre-signed cache through the real server: the start refresh fills it,
# the hot path serves it without signing, a revoke (from another process)
# is visible to the very next request, also under load and also when a
# live signature for that serial is in flight, the refresh thread keeps
# nextUpdate ahead of the clock, concurrent misses sign once, "unknown"
# answers are capped, and the admin API is behind its token.
. tests/integration/lib.sh

make_pki
admin_token
HOOKS=no
"$OCSPBOX" --version | grep -q 'test-hooks$' && HOOKS=yes

# mkreq CA SERIAL FILE: a one-CertID SHA-1 request without a nonce.
mkreq() {
	openssl ocsp -issuer "$PKI/ca-$1.pem" -serial "0x$2" -no_nonce -reqout "$3" >/dev/null 2>&1
}
post() { # REQ RESP
	curl -s -m 60 --data-binary @"$1" -H 'Content-Type: application/ocsp-request' \
	    -o "$2" "$URL/"
}
get() { # REQ RESP [CURL ARGS...]
	req=$1 resp=$2
	shift 2
	curl -s -m 60 -o "$resp" "$@" "$URL/ocsp/$(enc "$req")"
}
# status_of RESP CA SERIAL: good, revoked or unknown when the response
# verifies against CA and is within its times, else what went wrong.
status_of() {
	so=$(openssl ocsp -respin "$1" -issuer "$PKI/ca-$2.pem" -CAfile "$PKI/ca-$2.pem" \
	    -serial "0x$3" -no_nonce 2>&1)
	if ! printf '%s\n' "$so" | grep -q 'Response verify OK'; then
		echo "unverified"
	elif printf '%s\n' "$so" | grep -q 'Status times invalid'; then
		echo "expired"
	else
		printf '%s\n' "$so" | sed -n 's/^0x[0-9A-Fa-f]*: *\([a-z]*\)$/\1/p' | head -n 1
	fi
}

# 1. Setup: two issuers, 200 serials imported on rsa.
addissuer "$DB" rsa rsa && addissuer "$DB" ec ec ||
    { fail "register issuers"; finish; exit 1; }
i=1
: >"$TMP/index.txt"
while [ $i -le 200 ]; do
	printf 'V\t301231235959Z\t\t%s\tunknown\t/CN=x%d\n' "$(serial $i)" $i >>"$TMP/index.txt"
	i=$((i + 1))
done
ok "import 200 serials on rsa" 'imported 200 certificates into issuer rsa: 200 valid' \
    "$OCSPBOX" --db "$DB" cert import rsa --openssl-index "$TMP/index.txt"
if ! start_server "$DB" --refresh-interval 1h --validity 2h --max-unknown 5; then
	fail "server starts"
	finish
	exit 1
fi
pass "server starts (refresh 1h, validity 2h, max-unknown 5)"
t_start=$(date +%s)

# 2. The start refresh fills the cache.
n=0
while [ $n -lt 100 ]; do
	[ "$(stats '.cache.entries')" = 200 ] &&
	    [ "$(stats '.refresh.running')" = false ] && break
	sleep 0.1
	n=$((n + 1))
done
same "start refresh: 200 entries within 10 s ($(($(date +%s) - t_start)) s)" \
    "$(stats '.cache.entries')" 200
same "start refresh: source serve, 200 signed, 0 errors" \
    "$(stats '[.refresh.last_source, .refresh.last_signed, .refresh.last_errors] | join(" ")')" \
    "serve 200 0"
if grep -q ' ocspbox: refresh: 200 due, signed 200, written 200, errors 0, dropped 0, in [0-9]* ms$' "$TMP/server.err"; then
	pass "start refresh logged"
else
	fail "start refresh logged" "$(cat "$TMP/server.err")"
fi
same "per-issuer stats: rsa 200 good, ec 0" \
    "$(stats '[.issuers[] | "\(.id)=\(.entries)/\(.good)"] | sort | join(" ")')" "ec=0/0 rsa=200/200"

# 3. 200 requests for pre-signed responses: all hits, no signature.
i=1
while [ $i -le 200 ]; do
	mkreq rsa "$(serial $i)" "$TMP/req$i.der"
	i=$((i + 1))
done
h0=$(stats '.cache.hits')
l0=$(stats '.cache.live_signs')
m0=$(stats '.cache.misses')
i=1
while [ $i -le 200 ]; do
	if [ $i -le 100 ]; then
		post "$TMP/req$i.der" "$TMP/resp$i.der"
	else
		get "$TMP/req$i.der" "$TMP/resp$i.der"
	fi
	i=$((i + 1))
done
h1=$(stats '.cache.hits')
l1=$(stats '.cache.live_signs')
m1=$(stats '.cache.misses')
same "100 POST + 100 GET without nonce: 200 hits" "$((h1 - h0))" 200
same "... and no live signature" "$((l1 - l0))" 0
same "... and no miss" "$((m1 - m0))" 0
bad=
for i in 1 37 100 101 163 200; do
	s=$(status_of "$TMP/resp$i.der" rsa "$(serial $i)")
	[ "$s" = good ] || bad="$bad #$i:$s"
done
same "sampled cached answers verify and say good" "${bad:-none}" none
get "$TMP/req150.der" "$TMP/g.der" -D "$TMP/h"
hdr=$(tr -d '\r' <"$TMP/h")
cc=$(printf '%s\n' "$hdr" | sed -n 's/^Cache-Control: //Ip')
if printf '%s' "$cc" | grep -q '^max-age=[0-9][0-9]*, public'; then
	pass "cached GET carries Cache-Control max-age ($cc)"
else
	fail "cached GET carries Cache-Control max-age" "$hdr"
fi
tag=$(printf '%s\n' "$hdr" | sed -n 's/^ETag: //Ip')
if [ -n "$tag" ]; then pass "cached GET carries an ETag"; else fail "cached GET carries an ETag" "$hdr"; fi
code=$(curl -s -m 30 -o /dev/null -w '%{http_code}' -H "If-None-Match: $tag" \
    "$URL/ocsp/$(enc "$TMP/req150.der")")
same "If-None-Match with that ETag: 304 at once (pre-signed, stable)" "$code" 304
if cmp -s "$TMP/g.der" "$TMP/resp150.der"; then
	pass "the same pre-signed bytes on a second GET"
else
	fail "the same pre-signed bytes on a second GET"
fi

# 4. A revoke from another process is visible to the next request, while
# wrk hammers that serial's cached GET.
bad=
wrk_reqs=0
wrk_bad=
for i in 21 22 23 24 25 26 27 28 29 30; do
	s=$(serial $i)
	wrk -t1 -c4 -d2s "$URL/ocsp/$(enc "$TMP/req$i.der")" >"$TMP/wrk$i.out" 2>&1 &
	wpid=$!
	BG_PIDS="$BG_PIDS $wpid"
	sleep 0.5
	if ! "$OCSPBOX" --db "$DB" revoke rsa "$s" --reason keyCompromise >/dev/null 2>"$TMP/rev.err"; then
		bad="$bad $s:revoke-failed($(cat "$TMP/rev.err"))"
	fi
	post "$TMP/req$i.der" "$TMP/rp.der"
	sp=$(status_of "$TMP/rp.der" rsa "$s")
	get "$TMP/req$i.der" "$TMP/rg.der"
	sg=$(status_of "$TMP/rg.der" rsa "$s")
	[ "$sp" = revoked ] || bad="$bad $s:POST=$sp"
	[ "$sg" = revoked ] || bad="$bad $s:GET=$sg"
	wait "$wpid"
	r=$(sed -n 's/^ *\([0-9][0-9]*\) requests in.*/\1/p' "$TMP/wrk$i.out")
	wrk_reqs=$((wrk_reqs + ${r:-0}))
	if grep -q 'Non-2xx' "$TMP/wrk$i.out" || [ -z "$r" ]; then
		wrk_bad="$wrk_bad $s: $(tr '\n' ' ' <"$TMP/wrk$i.out")"
	fi
done
same "every request after the revoke answered revoked (10 serials, POST and GET)" "${bad:-none}" none
if [ "$wrk_reqs" -gt 0 ] && [ -z "$wrk_bad" ]; then
	pass "wrk load during the revokes: $wrk_reqs requests, all 2xx"
else
	fail "wrk load during the revokes: requests, all 2xx" "total $wrk_reqs" "$wrk_bad"
fi
same "the 10 revoked serials are not good in the cache" \
    "$(q "SELECT count(*) FROM ocsp_response_cache WHERE issuer_id='rsa' AND cert_status='good' AND serial_hex IN ('10015','10016','10017','10018','10019','1001a','1001b','1001c','1001d','1001e')")" 0
# Several CertIDs are signed live: one revoked above beside one good.
run openssl ocsp -url "$URL/" -issuer "$PKI/ca-rsa.pem" -serial "0x$(serial 21)" \
    -serial "0x$(serial 40)" -CAfile "$PKI/ca-rsa.pem"
if printf '%s\n' "$OUT" | grep -qi "^0x$(serial 21): revoked" &&
    printf '%s\n' "$OUT" | grep -qi "^0x$(serial 40): good" &&
    printf '%s\n' "$ERR" | grep -q 'Response verify OK'; then
	pass "two CertIDs in one request after a revoke: revoked and good"
else
	fail "two CertIDs in one request after a revoke: revoked and good" "$OUT" "$ERR"
fi
inv=$(stats '.cache.invalidations')
if [ "${inv:-0}" -ge 10 ] 2>/dev/null; then
	pass "stats count the invalidations ($inv)"
else
	fail "stats count the invalidations" "invalidations: $inv"
fi

# 5. "unknown" answers are capped (--max-unknown 5).
bad=
i=1
while [ $i -le 12 ]; do
	s=$(printf 'F%04X' $i)
	run openssl ocsp -url "$URL/" -issuer "$PKI/ca-rsa.pem" -serial "0x$s" -no_nonce \
	    -CAfile "$PKI/ca-rsa.pem"
	printf '%s\n' "$OUT" | grep -q "^0x$s: unknown" &&
	    printf '%s\n' "$ERR" | grep -q 'Response verify OK' || bad="$bad $s"
	i=$((i + 1))
done
same "12 unregistered serials answered unknown" "${bad:-none}" none
# The requests came one by one: the first 5 were cached, no more.
same "unknown entries in the cache: exactly 5 of 12" \
    "$(q "SELECT count(*) FROM ocsp_response_cache WHERE cert_status='unknown'")" 5
# One that is cached as unknown, then registered.
su=$(q "SELECT serial_hex FROM ocsp_response_cache WHERE cert_status='unknown' AND serial_hex LIKE 'f%' ORDER BY serial_hex DESC LIMIT 1")
SU=$(printf '%s' "$su" | tr a-f A-F)
"$OCSPBOX" --db "$DB" cert add rsa --serial "$su" >/dev/null
mkreq rsa "$SU" "$TMP/ru.der"
post "$TMP/ru.der" "$TMP/ru.resp"
same "a serial cached as unknown, then registered: good at once ($su)" \
    "$(status_of "$TMP/ru.resp" rsa "$SU")" good

# 6. The admin API needs the token; the public listener is not the API.
code=$(curl -s -m 30 -D "$TMP/h" -o "$TMP/b" -w '%{http_code}' "$ADMIN_URL/api/v1/cache/stats")
if [ "$code" = 401 ] && jq -e .error "$TMP/b" >/dev/null 2>&1 &&
    grep -qi '^WWW-Authenticate: Bearer' "$TMP/h"; then
	pass "no token: 401, JSON error, WWW-Authenticate"
else
	fail "no token: 401, JSON error, WWW-Authenticate" "$code" "$(cat "$TMP/h" "$TMP/b")"
fi
code=$(curl -s -m 30 -o "$TMP/b" -w '%{http_code}' -H "Authorization: Bearer ${TOKEN}x" \
    "$ADMIN_URL/api/v1/cache/stats")
same "wrong token: 401" "$code" 401
code=$(curl -s -m 30 -o "$TMP/b" -w '%{http_code}' -H "Authorization: Bearer " \
    "$ADMIN_URL/api/v1/cache/stats")
same "empty token: 401" "$code" 401
code=$(curl -s -m 30 -o "$TMP/b" -w '%{http_code}' -H "Authorization: Basic $TOKEN" \
    "$ADMIN_URL/api/v1/cache/stats")
same "the right token but not Bearer: 401" "$code" 401
code=$(curl -s -m 30 -o "$TMP/b" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    "$ADMIN_URL/api/v1/cache/stats")
if [ "$code" = 200 ] && jq -e .cache.entries "$TMP/b" >/dev/null 2>&1; then
	pass "Bearer with the right token: 200 and .cache.entries"
else
	fail "Bearer with the right token: 200 and .cache.entries" "$code" "$(cat "$TMP/b")"
fi
# HEAD then GET on one keep-alive connection: HEAD must send no body.
curl -s -m 30 -H "Authorization: Bearer $TOKEN" -I "$ADMIN_URL/api/v1/cache/stats" \
    --next -s -m 30 -H "Authorization: Bearer $TOKEN" -o "$TMP/b2" \
    "$ADMIN_URL/api/v1/cache/stats" >"$TMP/h2" 2>&1
if grep -q '^HTTP/1.1 200' "$TMP/h2" && ! grep -q '"cache"' "$TMP/h2" &&
    jq -e .cache.entries "$TMP/b2" >/dev/null 2>&1; then
	pass "HEAD on the stats: headers only; the next request on the connection works"
else
	fail "HEAD on the stats: headers only; the next request on the connection works" \
	    "$(cat "$TMP/h2")" "$(cat "$TMP/b2")"
fi
code=$(curl -s -m 30 -o /dev/null -w '%{http_code}' "$ADMIN_URL/metrics")
same "/metrics without a token: 401" "$code" 401
code=$(curl -s -m 30 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    "$ADMIN_URL/api/v1/nosuchthing")
same "unknown /api/ path with a good token: 404" "$code" 404
code=$(curl -s -m 30 -o "$TMP/b" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    "$URL/api/v1/cache/stats")
if ! grep -q entries "$TMP/b"; then
	pass "the public listener does not serve the stats ($code)"
else
	fail "the public listener does not serve the stats" "$code" "$(cat "$TMP/b")"
fi

stop_checked "main server"

# 7. The CLI's view of the same database.
ok "cache stats (text)" 'entries' "$OCSPBOX" --db "$DB" cache stats
run "$OCSPBOX" --db "$DB" cache stats --json
if [ "$RC" -eq 0 ] && printf '%s' "$OUT" | jq -e '.issuers | length == 2' >/dev/null; then
	pass "cache stats --json | jq .issuers"
else
	fail "cache stats --json | jq .issuers" "exit $RC" "$OUT" "$ERR"
fi
ok "cache refresh exits 0 and prints its counts" '^refreshed: [0-9]+ due, [0-9]+ signed' \
    "$OCSPBOX" --db "$DB" cache refresh --refresh-interval 1h --validity 2h

# The pass lists what is due a page of 1,024 at a time: 3,000 certificates
# take three pages, each signed once, none left out.
DBPAGE=$TMP/pages.db
addissuer "$DBPAGE" ec ec
awk 'BEGIN { for (i = 1; i <= 3000; i++)
	printf "V\t301231235959Z\t\t%X\tunknown\t/CN=p%d\n", 4096 + i, i }' \
    >"$TMP/pages.txt"
"$OCSPBOX" --db "$DBPAGE" cert import ec --openssl-index "$TMP/pages.txt" >/dev/null
ok "a pass over three pages signs every certificate once" \
    '^refreshed: 3000 due, 3000 signed, 3000 written, 0 errors' \
    "$OCSPBOX" --db "$DBPAGE" cache refresh
same "after it, no certificate lacks its answer" \
    "$(qdb "$DBPAGE" "SELECT count(*) FROM certificates c WHERE NOT EXISTS
	(SELECT 1 FROM ocsp_response_cache o WHERE o.issuer_id = c.issuer_id
	 AND o.serial_hex = c.serial_hex)")" 0
qdb "$DBPAGE" "SELECT writefile('$TMP/page2.der', response_der)
    FROM ocsp_response_cache WHERE serial_hex = '1600'" >/dev/null
ok "an answer from the second page names its serial (openssl)" \
    'Serial Number: 1600' \
    openssl ocsp -respin "$TMP/page2.der" -resp_text -noverify
ok "the next pass finds nothing due" '^refreshed: 0 due, 0 signed' \
    "$OCSPBOX" --db "$DBPAGE" cache refresh

# 8. A revoke while a live signature for that serial is in flight; then
# (9) concurrent misses signing once, and nonce requests once the signers
# are saturated (all three need the sign-delay test hook).
if [ "$HOOKS" = yes ]; then
	DBRACE=$TMP/race.db
	addissuer "$DBRACE" rsa rsa
	"$OCSPBOX" --db "$DBRACE" cert add rsa --serial A1 >/dev/null
	mkreq rsa 5E "$TMP/r5.der"
	mkreq rsa 7E "$TMP/r7.der"
	export OCSPBOX_TEST_SIGN_DELAY_MS=1500
	start_server "$DBRACE" --refresh-interval 1h --validity 2h
	rc=$?
	unset OCSPBOX_TEST_SIGN_DELAY_MS
	if [ $rc -ne 0 ]; then
		fail "race server starts"
	else
		n=0
		while [ $n -lt 200 ]; do
			[ "$(stats '[.refresh.last_source, .refresh.running, .cache.entries] | join(" ")')" = "serve false 1" ] && break
			sleep 0.1
			n=$((n + 1))
		done
		same "race server: start refresh done (1 entry)" \
		    "$(stats '[.refresh.last_source, .refresh.running, .cache.entries] | join(" ")')" "serve false 1"
		"$OCSPBOX" --db "$DBRACE" cert add rsa --serial 5E >/dev/null
		same "5e is registered and not cached" \
		    "$(qdb "$DBRACE" "SELECT count(*) FROM ocsp_response_cache WHERE serial_hex='5e'")" 0
		post "$TMP/r5.der" "$TMP/r5bg.resp" &
		bgpid=$!
		BG_PIDS="$BG_PIDS $bgpid"
		sleep 0.3
		run "$OCSPBOX" --db "$DBRACE" revoke rsa 5e
		same "revoke while the signature is in flight exits 0" "$RC" 0
		rm -f "$TMP/stop_poll"
		(
			while [ ! -e "$TMP/stop_poll" ]; do
				qdb "$DBRACE" "SELECT ifnull((SELECT cert_status FROM ocsp_response_cache WHERE issuer_id='rsa' AND serial_hex='5e'), 'none')"
				sleep 0.05
			done
		) >"$TMP/poll" 2>&1 &
		pollpid=$!
		BG_PIDS="$BG_PIDS $pollpid"
		t0=$(date +%s)
		post "$TMP/r5.der" "$TMP/r5b.resp"
		t1=$(date +%s)
		same "request right after the revoke: revoked ($((t1 - t0)) s)" \
		    "$(status_of "$TMP/r5b.resp" rsa 5E)" revoked
		wait "$bgpid"
		echo "  (the request in flight during the revoke said: $(status_of "$TMP/r5bg.resp" rsa 5E))"
		get "$TMP/r5.der" "$TMP/r5c.resp"
		same "third request (GET): revoked" "$(status_of "$TMP/r5c.resp" rsa 5E)" revoked
		post "$TMP/r5.der" "$TMP/r5d.resp"
		same "fourth request (POST): revoked" "$(status_of "$TMP/r5d.resp" rsa 5E)" revoked
		touch "$TMP/stop_poll"
		wait "$pollpid"
		seen=$(sort "$TMP/poll" | uniq -c | awk '{ printf "%s%s=%s", sep, $2, $1; sep = " " }')
		if ! grep -qv -e '^revoked$' -e '^none$' "$TMP/poll" && grep -q . "$TMP/poll"; then
			pass "cache row for 5e never good after the revoke returned ($seen)"
		else
			fail "cache row for 5e never good after the revoke returned" "$seen"
		fi

		# 9. Eight concurrent misses for a fresh serial: one signature.
		"$OCSPBOX" --db "$DBRACE" cert add rsa --serial 7E >/dev/null
		l0=$(stats '.cache.live_signs')
		m0=$(stats '.cache.misses')
		pids=
		i=1
		while [ $i -le 8 ]; do
			post "$TMP/r7.der" "$TMP/r7-$i.resp" &
			pids="$pids $!"
			i=$((i + 1))
		done
		BG_PIDS="$BG_PIDS $pids"
		for p in $pids; do wait "$p"; done
		l1=$(stats '.cache.live_signs')
		m1=$(stats '.cache.misses')
		bad=
		i=1
		while [ $i -le 8 ]; do
			s=$(status_of "$TMP/r7-$i.resp" rsa 7E)
			[ "$s" = good ] || bad="$bad #$i:$s"
			i=$((i + 1))
		done
		same "8 concurrent misses all answered good" "${bad:-none}" none
		same "8 concurrent misses: exactly 1 live signature" "$((l1 - l0))" 1
		same "8 concurrent misses: misses +8" "$((m1 - m0))" 8

		# Nonce requests sign live; once every signing context is
		# busy (cores + 1, each held 1.5 s), the next one gets the
		# cached answer without the nonce (RFC 8954), at once.
		busy=$(($(nproc) + 1))
		pids=
		i=1
		while [ $i -le $busy ]; do
			openssl ocsp -url "$URL/" -issuer "$PKI/ca-rsa.pem" -serial 0xA1 \
			    -CAfile "$PKI/ca-rsa.pem" >"$TMP/n$i.out" 2>&1 &
			pids="$pids $!"
			i=$((i + 1))
		done
		BG_PIDS="$BG_PIDS $pids"
		sleep 0.6
		t0=$(date +%s%N)
		run openssl ocsp -url "$URL/" -issuer "$PKI/ca-rsa.pem" -serial 0xA1 \
		    -CAfile "$PKI/ca-rsa.pem"
		ms=$((($(date +%s%N) - t0) / 1000000))
		all="$OUT
$ERR"
		if printf '%s\n' "$all" | grep -q 'WARNING: no nonce in response' &&
		    printf '%s\n' "$all" | grep -q 'Response verify OK' &&
		    printf '%s\n' "$all" | grep -qi '^0xA1: good' && [ "$ms" -lt 1400 ]; then
			pass "signers saturated: a nonce request gets the cached answer without it (${ms} ms)"
		else
			fail "signers saturated: a nonce request gets the cached answer without it" "${ms} ms" "$all"
		fi
		for p in $pids; do wait "$p"; done
		bad=
		i=1
		while [ $i -le $busy ]; do
			if grep -q 'WARNING: no nonce' "$TMP/n$i.out" ||
			    ! grep -q 'Response verify OK' "$TMP/n$i.out" ||
			    ! grep -qi '^0xA1: good' "$TMP/n$i.out"; then
				bad="$bad #$i"
			fi
			i=$((i + 1))
		done
		same "the $busy nonce requests that held the signers: signed live, nonce echoed" "${bad:-none}" none
		stop_checked "race server"
	fi
else
	echo "skip revoke-during-live-signature and single-flight tests: $OCSPBOX has no test hooks"
fi

# 10. The refresh thread keeps nextUpdate ahead of the clock.
DBFRESH=$TMP/fresh.db
addissuer "$DBFRESH" ec ec
for s in E1 E2 E3; do
	"$OCSPBOX" --db "$DBFRESH" cert add ec --serial "$s" >/dev/null
	mkreq ec "$s" "$TMP/r$s.der"
done
if ! start_server "$DBFRESH" --refresh-interval 2s --validity 10s; then
	fail "refresh server starts"
else
	sa=$(stats '.refresh.last_started_at')
	t_end=$(($(date +%s) + 15))
	bad=
	n=0
	: >"$TMP/this_updates"
	while [ "$(date +%s)" -lt $t_end ]; do
		for s in E1 E2 E3; do
			post "$TMP/r$s.der" "$TMP/rf.der"
			now=$(date +%s)
			st=$(status_of "$TMP/rf.der" ec "$s")
			txt=$(openssl ocsp -respin "$TMP/rf.der" -resp_text -noverify 2>/dev/null)
			nu=$(printf '%s\n' "$txt" | sed -n 's/^ *Next Update: //p' | head -n 1)
			tu=$(printf '%s\n' "$txt" | sed -n 's/^ *This Update: //p' | head -n 1)
			nus=$(date -d "$nu" +%s 2>/dev/null)
			n=$((n + 1))
			if [ "$st" != good ] || [ -z "$nus" ] || [ "$nus" -le "$now" ]; then
				bad="$bad [$s at $now: $st, next $nu]"
			fi
			[ "$s" = E1 ] && echo "$tu" >>"$TMP/this_updates"
		done
		sleep 0.7
	done
	same "15 s of fetches ($n): each verifies, good, nextUpdate in the future" "${bad:-none}" none
	nt=$(sort -u "$TMP/this_updates" | grep -c .)
	if [ "$nt" -ge 2 ]; then
		pass "re-signing is visible: $nt distinct thisUpdate values for one serial"
	else
		fail "re-signing is visible: at least 2 distinct thisUpdate values" "$(sort -u "$TMP/this_updates")"
	fi
	sb=$(stats '.refresh.last_started_at')
	if [ -n "$sa" ] && [ -n "$sb" ] && [ "$sa" != "$sb" ] && [ "$sb" != null ]; then
		pass "stats last_started_at moves ($sa -> $sb)"
	else
		fail "stats last_started_at moves" "$sa -> $sb"
	fi
	same "refresh thread: no errors" "$(stats '.refresh.last_errors')" 0
	stop_checked "refresh server"
fi

# 11. A generated admin token: printed once, its hash kept across restarts.
unset OCSPBOX_ADMIN_TOKEN
DBTOKEN=$TMP/token.db
addissuer "$DBTOKEN" ec ec
if ! start_server "$DBTOKEN"; then
	fail "server without a token starts"
else
	gen=$(sed -n 's/^.* ocspbox: admin token (shown once, only its hash is kept): \([0-9a-f]*\)$/\1/p' "$TMP/server.err")
	if [ -n "$gen" ]; then pass "serve prints a generated token"; else fail "serve prints a generated token" "$(cat "$TMP/server.err")"; fi
	code=$(curl -s -m 30 -o "$TMP/b" -w '%{http_code}' -H "Authorization: Bearer $gen" \
	    "$ADMIN_URL/api/v1/cache/stats")
	same "the generated token works" "$code" 200
	same "serve prints the panel's URL with the token it made" \
	    "$(grep -c " ocspbox: panel: $ADMIN_URL/#token=$gen\$" "$TMP/server.err")" 1
	stop_checked "token server"
	cp "$TMP/server.err" "$TMP/server1.err"
	if ! start_server "$DBTOKEN"; then
		fail "server restarts"
	else
		if [ -n "$gen" ] && ! grep -q "$gen" "$TMP/server.err" &&
		    ! grep -q '[0-9a-f]\{32\}' "$TMP/server.err" &&
		    grep -q 'the one printed when it was made' "$TMP/server.err"; then
			pass "on restart the token is not printed again"
		else
			fail "on restart the token is not printed again" "$(cat "$TMP/server.err")"
		fi
		same "... and the panel's URL says where the token is" \
		    "$(grep -c " ocspbox: panel: $ADMIN_URL/ (its token is the one printed when it was made; lost: see --admin-token-file in ocspbox(8))\$" "$TMP/server.err")" 1
		code=$(curl -s -m 30 -o "$TMP/b" -w '%{http_code}' -H "Authorization: Bearer $gen" \
		    "$ADMIN_URL/api/v1/cache/stats")
		same "the old token still works after the restart" "$code" 200
		stop_checked "restarted token server"
	fi
fi
DBOPEN=$TMP/open.db
addissuer "$DBOPEN" ec ec
p=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 12000))
refused "admin on 0.0.0.0 without a configured token: exit 2" 2 'not loopback' \
    timeout 20 "$OCSPBOX" --db "$DBOPEN" serve --listen "127.0.0.1:$p" --admin-listen "0.0.0.0:$((p + 1))"
same "... and no token made or stored for it" "$(qdb "$DBOPEN" "SELECT count(*) FROM admin_tokens")" 0
export OCSPBOX_ADMIN_TOKEN=$TOKEN
refused "validity not longer than the interval: exit 2" 2 'validity' \
    timeout 20 "$OCSPBOX" --db "$DBOPEN" serve --listen "127.0.0.1:$p" --admin-listen "127.0.0.1:$((p + 1))" \
    --validity 1h --refresh-interval 1h

# The interval: the flag, else $OCSPBOX_REFRESH_INTERVAL, else the seed's
# $CERTCTL_OCSP_CACHE_REFRESH_INTERVAL. A 30h interval is refused beside
# the 24h default validity, which shows which value was taken.
refused "OCSPBOX_REFRESH_INTERVAL is read (30h > validity 24h)" 2 'longer than the refresh interval \(108000s\)' \
    env OCSPBOX_REFRESH_INTERVAL=30h "$OCSPBOX" --db "$DBOPEN" cache refresh
refused "CERTCTL_OCSP_CACHE_REFRESH_INTERVAL is read (30h)" 2 'longer than the refresh interval \(108000s\)' \
    env -u OCSPBOX_REFRESH_INTERVAL CERTCTL_OCSP_CACHE_REFRESH_INTERVAL=30h "$OCSPBOX" --db "$DBOPEN" cache refresh
refused "a bad value names its variable" 2 'bad CERTCTL_OCSP_CACHE_REFRESH_INTERVAL' \
    env -u OCSPBOX_REFRESH_INTERVAL CERTCTL_OCSP_CACHE_REFRESH_INTERVAL=soon "$OCSPBOX" --db "$DBOPEN" cache refresh
ok "OCSPBOX_REFRESH_INTERVAL beats the seed's variable" '^refreshed:' \
    env OCSPBOX_REFRESH_INTERVAL=2h CERTCTL_OCSP_CACHE_REFRESH_INTERVAL=30h "$OCSPBOX" --db "$DBOPEN" cache refresh
ok "the flag beats both" '^refreshed:' \
    env OCSPBOX_REFRESH_INTERVAL=30h CERTCTL_OCSP_CACHE_REFRESH_INTERVAL=30h "$OCSPBOX" --db "$DBOPEN" cache refresh \
    --refresh-interval 2h

# 12. A revoke landing while a refresh pass is signing that serial: the
# pass's write-back must be refused (sign-delay test hook, in `cache
# refresh`).
if [ "$HOOKS" = yes ]; then
	DBPASS=$TMP/pass.db
	addissuer "$DBPASS" rsa rsa
	"$OCSPBOX" --db "$DBPASS" cert add rsa --serial C1 >/dev/null
	OCSPBOX_TEST_SIGN_DELAY_MS=2000 "$OCSPBOX" --db "$DBPASS" cache refresh \
	    >"$TMP/pass.out" 2>&1 &
	ppid=$!
	BG_PIDS="$BG_PIDS $ppid"
	sleep 0.7
	"$OCSPBOX" --db "$DBPASS" revoke rsa C1 >/dev/null
	wait "$ppid"
	same "a pass racing a revoke signs but writes nothing" \
	    "$(sed -n 's/^refreshed: \([0-9]*\) due, \([0-9]*\) signed, \([0-9]*\) written.*/\1 \2 \3/p' "$TMP/pass.out")" "1 1 0"
	same "... and caches no good for the revoked serial" \
	    "$(qdb "$DBPASS" "SELECT count(*) FROM ocsp_response_cache WHERE cert_status = 'good'")" 0
	ok "the next pass signs it revoked" '^refreshed: 1 due, 1 signed, 1 written' \
	    "$OCSPBOX" --db "$DBPASS" cache refresh
	same "... and caches it revoked" \
	    "$(qdb "$DBPASS" "SELECT cert_status FROM ocsp_response_cache WHERE serial_hex = 'c1'")" revoked
else
	echo "skip the refresh-pass race: $OCSPBOX has no test hooks"
fi

finish
