#!/bin/sh
# Issuers over their life, against the real server: a responder that
# expires soon (nextUpdate never past its notAfter; /healthz, issuer list,
# the stats and /metrics say so), its rotation with `issuer update` under
# load with openssl verifying every answer, the cache re-signed by the new
# responder, a CA key set while serving, issuers added and removed while
# serving, SIGHUP, a responder that expires while serving (tryLater), an
# id removed and added again for another CA, and a responder that
# outlives its CA.
. tests/integration/lib.sh

make_pki
admin_token
command -v faketime >/dev/null 2>&1 || {
	fail "faketime is installed (scripts/deps.sh)"
	finish
	exit 1
}

# responder NAME AGE: a delegated responder of ca-rsa issued for one day
# as if AGE ago (a faketime offset such as -22h): it expires 1d - AGE
# from now.
responder() {
	openssl req -new -key "$PKI/resp-rsa.key" -subj "/O=ocspbox test/CN=$1" \
	    -out "$TMP/$1.csr" 2>/dev/null &&
	    faketime -f "$2" openssl x509 -req -in "$TMP/$1.csr" \
		-CA "$PKI/ca-rsa.pem" -CAkey "$PKI/ca-rsa.key" \
		-set_serial "0x$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')" \
		-days 1 -sha256 -extfile "$PKI/ext.cnf" -extensions responder \
		-out "$PKI/$1.pem" 2>/dev/null
}
responder short -22h || fail "make a responder expiring in 2 h"
not_after() { epoch "$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)"; }
SHORT_END=$(not_after "$PKI/short.pem")

# WARNED: the warning issuer list gives of issuer rsa, expiring in 2 h.
WARNED='^ocspbox: issuer rsa: its responder certificate expires at .*, in [12] h \(ocspbox issuer update rsa \.\.\.\)$'
ob migrate >/dev/null
run ob issuer add rsa --cert "$PKI/ca-rsa.pem" --responder-cert "$PKI/short.pem" \
    --responder-key "$PKI/resp-rsa.key"
if [ "$RC" -eq 0 ] && [ "$(printf '%s\n' "$ERR" | grep -c .)" -eq 1 ] &&
    printf '%s\n' "$ERR" | grep -Eq "$WARNED"; then
	pass "issuer add: a responder expiring in 2 h is registered, with issuer list's warning"
else
	fail "issuer add with a responder expiring in 2 h warns" "exit $RC" "$OUT" "$ERR"
fi
i=1
while [ $i -le 40 ]; do
	ob cert add rsa --serial "$(serial $i)" >/dev/null
	i=$((i + 1))
done
ob revoke rsa "$(serial 7)" --reason keyCompromise >/dev/null

# --- 1. An expiring responder, seen from every side ----------------------
run ob issuer list
if printf '%s\n' "$OUT" | grep -Eq '^rsa .* expiring ' &&
    printf '%s\n' "$ERR" | grep -q 'issuer rsa: its responder certificate expires at .*, in [12] h'; then
	pass "issuer list: STATUS expiring, and a warning on stderr"
else
	fail "issuer list says expiring" "$OUT" "$ERR"
fi
same "issuer list --json: status expiring" \
    "$(ob issuer list --json 2>/dev/null | jq -r '.issuers[0].responder.status')" expiring
same "issuer list --expiry-warning 1h: ok" \
    "$(ob issuer list --json --expiry-warning 1h 2>/dev/null | jq -r '.issuers[0].responder.status')" ok
refused "issuer list: a bad --expiry-warning" 2 'bad --expiry-warning' \
    "$OCSPBOX" --db "$DB" issuer list --expiry-warning soon
refused "issuer list: an --expiry-warning over a year, as --help says" 2 \
    'bad --expiry-warning "366d".*at most 31536000s' \
    "$OCSPBOX" --db "$DB" issuer list --expiry-warning 366d
ok "issuer list --help: --expiry-warning's bound" 'default 14d, at most 365d' \
    ob issuer list --help

# The default validity (24 h) passes the responder's notAfter.
start_server "$DB" --refresh-interval 1h || { fail "server starts"; finish; exit 1; }
run curl -s -m 10 "$URL/healthz"
if printf '%s\n' "$OUT" | head -n 1 | grep -qx degraded &&
    printf '%s\n' "$OUT" | grep -q '^issuer rsa: responder certificate expires at .* (in [12] h)$'; then
	pass "/healthz: degraded, naming the issuer and when"
else
	fail "/healthz degraded" "$OUT"
fi
same "/healthz: still 200 (it answers)" \
    "$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz")" 200
metrics
same "/metrics: ocspbox_responder_not_after_timestamp_seconds is the notAfter" \
    "$(m 'ocspbox_responder_not_after_timestamp_seconds{issuer="rsa"}')" "$SHORT_END"
same "/metrics: ocspbox_responder_expiring 1" "$(m 'ocspbox_responder_expiring{issuer="rsa"}')" 1
same "/metrics: the warning period, 14 days" "$(m ocspbox_responder_expiry_warning_seconds)" 1209600
same "stats JSON: the responder expiring" "$(stats '.issuers[0].responder.status')" expiring
grep -q 'issuer rsa: the responder certificate expires at' "$TMP/server.err" &&
    pass "the log warns of it" || fail "the log warns" "$(cat "$TMP/server.err")"

# next_update FILE: a DER response's nextUpdate, in seconds.
next_update() {
	epoch "$(openssl ocsp -respin "$1" -resp_text -noverify 2>/dev/null |
	    sed -n 's/^ *Next Update: //p' | head -n 1)"
}
openssl ocsp -issuer "$PKI/ca-rsa.pem" -serial "0x$(serial 3)" -no_nonce \
    -reqout "$TMP/q3.der" >/dev/null 2>&1
curl -s -m 10 -o "$TMP/r-get.der" "$URL/$(enc "$TMP/q3.der")"
openssl ocsp -url "$URL/" -issuer "$PKI/ca-rsa.pem" -serial "0x$(serial 4)" \
    -respout "$TMP/r-post.der" >/dev/null 2>&1
NU_GET=$(next_update "$TMP/r-get.der")
NU_POST=$(next_update "$TMP/r-post.der")
if [ -n "$NU_GET" ] && [ "$NU_GET" -le "$SHORT_END" ] && [ "$NU_GET" -gt $(($(date +%s) + 3000)) ]; then
	pass "a cached answer's nextUpdate is the responder's notAfter, not 24 h on"
else
	fail "cached nextUpdate <= notAfter" "nextUpdate $NU_GET, notAfter $SHORT_END"
fi
if [ -n "$NU_POST" ] && [ "$NU_POST" -le "$SHORT_END" ]; then
	pass "a live answer (nonce) ends at the responder's notAfter too"
else
	fail "live nextUpdate <= notAfter" "nextUpdate $NU_POST, notAfter $SHORT_END"
fi
MAXAGE=$(curl -s -m 10 -D - -o /dev/null "$URL/$(enc "$TMP/q3.der")" |
    sed -n 's/^Cache-Control: max-age=\([0-9]*\).*/\1/p')
if [ -n "$MAXAGE" ] && [ "$MAXAGE" -le $((SHORT_END - $(date +%s) + 1)) ]; then
	pass "GET: max-age ends by the responder's notAfter ($MAXAGE s)"
else
	fail "GET max-age within the responder's life" "max-age $MAXAGE"
fi

# --- 2. issuer update: the checks of issuer add ---------------------------
refused "update: nothing to update is a usage error" 2 'need ID' \
    "$OCSPBOX" --db "$DB" issuer update rsa
refused "update: a certificate without its key" 2 'need ID' \
    "$OCSPBOX" --db "$DB" issuer update rsa --responder-cert "$PKI/resp-rsa.pem"
refused "update: no such issuer" 1 '^ocspbox: issuer update: no issuer nosuch' \
    "$OCSPBOX" --db "$DB" issuer update nosuch --ca-key "$PKI/ca-rsa.key"
if [ -f "$PKI/resp-expired.pem" ]; then
	refused "update: an expired responder is refused" 1 'expired at .*clients would refuse' \
	    "$OCSPBOX" --db "$DB" issuer update rsa --responder-cert "$PKI/resp-expired.pem" \
	    --responder-key "$PKI/resp-expired.key"
else
	fail "mkpki made resp-expired.pem (faketime)"
fi
refused "update: a responder of another CA" 1 'not issued by issuer rsa' \
    "$OCSPBOX" --db "$DB" issuer update rsa --responder-cert "$PKI/resp-ec.pem" \
    --responder-key "$PKI/resp-ec.key"
refused "update: a key that is not the certificate's" 1 'does not match|not the key' \
    "$OCSPBOX" --db "$DB" issuer update rsa --responder-cert "$PKI/resp-rsa.pem" \
    --responder-key "$PKI/resp-ec.key"
refused "update: a key others can read" 1 'accessible by group or others' \
    "$OCSPBOX" --db "$DB" issuer update rsa --responder-cert "$PKI/resp-rsa.pem" \
    --responder-key "$PKI/open.key"
refused "update: a CA key that is not the CA's" 1 'does not match|not the key' \
    "$OCSPBOX" --db "$DB" issuer update rsa --ca-key "$PKI/ca-ec.key"
same "a refused update changes nothing" \
    "$(q "SELECT count(*) FROM responder_certs WHERE issuer_id = 'rsa'")" 1

# warns NAME WANT CMD...: CMD succeeds, and says issuer list's warning on
# stderr (WANT 1) or nothing there (WANT 0).
warns() {
	name=$1 want=$2
	shift 2
	run "$@"
	got=0
	printf '%s\n' "$ERR" | grep -Eq "$WARNED" && got=1
	if [ "$RC" -eq 0 ] && [ "$got" = "$want" ] &&
	    [ "$(printf '%s\n' "$ERR" | grep -c .)" -eq "$want" ]; then
		pass "$name"
	else
		fail "$name" "exit $RC, want the warning: $want" "$OUT" "$ERR"
	fi
}
DB3=$TMP/warn.db
"$OCSPBOX" --db "$DB3" migrate >/dev/null
warns "issuer add: a responder valid for long, no warning" 0 \
    "$OCSPBOX" --db "$DB3" issuer add rsa --cert "$PKI/ca-rsa.pem" \
    --responder-cert "$PKI/resp-rsa.pem" --responder-key "$PKI/resp-rsa.key"
warns "issuer update to a responder expiring in 2 h: issuer list's warning" 1 \
    "$OCSPBOX" --db "$DB3" issuer update rsa --responder-cert "$PKI/short.pem" \
    --responder-key "$PKI/resp-rsa.key"
warns "issuer update --ca-key: the responder it keeps still expires, and it says so" 1 \
    "$OCSPBOX" --db "$DB3" issuer update rsa --ca-key "$PKI/ca-rsa.key"
warns "issuer update back to a responder valid for long: no warning" 0 \
    "$OCSPBOX" --db "$DB3" issuer update rsa --responder-cert "$PKI/resp-rsa.pem" \
    --responder-key "$PKI/resp-rsa.key"

# --- 3. Rotation under load: every answer verifies ------------------------
# load N: N requests in a row, alternately GET (cached) and POST (with a
# nonce: signed live), each verified by openssl against the CA; one line
# per answer that does not verify or is not good into $TMP/bad.N.
load() {
	k=0
	while [ ! -f "$TMP/stop-load" ]; do
		s=$(serial $((k % 40 + 1)))
		[ "$s" = "$(serial 7)" ] && s=$(serial 8)
		if [ $((k % 2)) -eq 0 ]; then
			out=$(openssl ocsp -url "$URL/" -issuer "$PKI/ca-rsa.pem" -serial "0x$s" \
			    -CAfile "$PKI/ca-rsa.pem" -no_nonce -reqout "$TMP/lq.$1" 2>&1)
		else
			out=$(openssl ocsp -url "$URL/" -issuer "$PKI/ca-rsa.pem" -serial "0x$s" \
			    -CAfile "$PKI/ca-rsa.pem" 2>&1)
		fi
		if ! printf '%s\n' "$out" | grep -q 'Response verify OK' ||
		    ! printf '%s\n' "$out" | grep -q ": good"; then
			printf '%s\n' "$s: $out" | tr '\n' ' ' >>"$TMP/bad.$1"
			echo >>"$TMP/bad.$1"
		fi
		echo x >>"$TMP/count.$1"
		k=$((k + 1))
	done
}
# GET through the cache too: a client verifying cached answers across
# the switch (openssl ocsp sends POST; curl fetches GET, openssl checks).
load_get() {
	k=0
	while [ ! -f "$TMP/stop-load" ]; do
		s=$(serial $((k % 40 + 1)))
		[ "$s" = "$(serial 7)" ] && s=$(serial 8)
		openssl ocsp -issuer "$PKI/ca-rsa.pem" -serial "0x$s" -no_nonce \
		    -reqout "$TMP/gq" >/dev/null 2>&1
		curl -s -m 10 -o "$TMP/gr" "$URL/$(enc "$TMP/gq")"
		out=$(openssl ocsp -respin "$TMP/gr" -reqin "$TMP/gq" -CAfile "$PKI/ca-rsa.pem" \
		    -issuer "$PKI/ca-rsa.pem" -serial "0x$s" 2>&1)
		if ! printf '%s\n' "$out" | grep -q 'Response verify OK' ||
		    ! printf '%s\n' "$out" | grep -q ": good"; then
			printf '%s\n' "GET $s: $out" | tr '\n' ' ' >>"$TMP/bad.g"
			echo >>"$TMP/bad.g"
		fi
		echo x >>"$TMP/count.g"
		k=$((k + 1))
	done
}
rm -f "$TMP/stop-load" "$TMP"/bad.* "$TMP"/count.*
load 1 &
L1=$!
load_get &
L2=$!
BG_PIDS="$L1 $L2"
sleep 2
ok "issuer update: a new responder certificate and key" \
    'issuer rsa: responder is now .*Test RSA OCSP responder' \
    ob issuer update rsa --responder-cert "$PKI/resp-rsa.pem" --responder-key "$PKI/resp-rsa.key"
# The server sees it within a few seconds, and re-signs its cache.
NEW_DER_HEX=$(openssl x509 -in "$PKI/resp-rsa.pem" -outform DER | od -An -tx1 | tr -d ' \n')
left=-1
n=0
while [ $n -lt 100 ]; do
	left=$(q "SELECT count(*) FROM ocsp_response_cache WHERE issuer_id = 'rsa'
	    AND instr(response_der, X'$NEW_DER_HEX') = 0")
	[ "$left" = 0 ] && break
	sleep 0.2
	n=$((n + 1))
done
sleep 2
touch "$TMP/stop-load"
wait "$L1" "$L2"
BG_PIDS=
same "within 20 s, every cached answer carries the new responder" "$left" 0
same "... and there are answers cached" \
    "$(q "SELECT count(*) >= 39 FROM ocsp_response_cache WHERE issuer_id = 'rsa'")" 1
NREQ=$(cat "$TMP"/count.* 2>/dev/null | wc -l)
NBAD=$(cat "$TMP"/bad.* 2>/dev/null | wc -l)
if [ "$NREQ" -ge 40 ] && [ "$NBAD" -eq 0 ]; then
	pass "rotation under load: $NREQ answers, each verified by openssl, none failed"
else
	fail "rotation under load" "$NREQ answers, $NBAD failed" "$(cat "$TMP"/bad.* 2>/dev/null | head -n 5)"
fi
grep -q 'issuer rsa: responder replaced (.*CN=Test RSA OCSP responder' "$TMP/server.err" &&
    grep -q 'issuer rsa: every cached answer is signed by its current responder' "$TMP/server.err" &&
    pass "the log says the responder was replaced and the cache re-signed" ||
    fail "the rotation is logged" "$(tail -n 20 "$TMP/server.err")"
same "the old responder is kept, inactive" \
    "$(q "SELECT group_concat(active, ',') FROM (SELECT active FROM responder_certs WHERE issuer_id = 'rsa' ORDER BY id)")" "0,1"
run curl -s -m 10 "$URL/healthz"
same "/healthz: ok again" "$OUT" ok
metrics
same "/metrics: no longer expiring" "$(m 'ocspbox_responder_expiring{issuer="rsa"}')" 0
same "a revoked serial is still revoked after the rotation" "$(ocsp_status "$(serial 7)")" revoked

# --- 4. A CA key set while serving: a CRL appears ---------------------------
same "no CRL before the CA key" "$(getcrl rsa "$TMP/none.crl")" 404
ok "issuer update --ca-key" 'issuer rsa: CA key is now .*ca-rsa.key' \
    ob issuer update rsa --ca-key "$PKI/ca-rsa.key"
code=404
n=0
while [ $n -lt 50 ] && [ "$code" != 200 ]; do
	sleep 0.2
	code=$(getcrl rsa "$TMP/rsa.crl")
	n=$((n + 1))
done
same "within 10 s the issuer's CRL is served" "$code" 200
if [ "$code" = 200 ] && [ "$(cverify "$TMP/rsa.crl" rsa)" = "verify OK" ] &&
    chas "$TMP/rsa.crl" "$(serial 7)"; then
	pass "the CRL verifies and lists the revoked serial"
else
	fail "the CRL verifies and lists the revoked serial" "$(ctext "$TMP/rsa.crl" | head -n 20)"
fi

# --- 5. Issuers added and removed while serving -----------------------------
ecstatus() {
	openssl ocsp -url "$URL/" -issuer "$PKI/ca-ec.pem" -cert "$PKI/leaf-ec.pem" -no_nonce \
	    -CAfile "$PKI/ca-ec.pem" 2>&1 |
	    sed -n 's/^.*leaf-ec.pem: *\([a-z]*\)$/\1/p; s/^Responder Error: *\([a-zA-Z]*\).*/\1/p'
}
same "an issuer not registered: unauthorized" "$(ecstatus)" unauthorized
ob issuer add ec --cert "$PKI/ca-ec.pem" --responder-cert "$PKI/resp-ec.pem" \
    --responder-key "$PKI/resp-ec.key" >/dev/null
ob cert add ec --cert "$PKI/leaf-ec.pem" >/dev/null
st=
n=0
while [ $n -lt 50 ]; do
	st=$(ecstatus)
	[ "$st" = good ] && break
	sleep 0.2
	n=$((n + 1))
done
same "an issuer added while serving answers within 10 s" "$st" good
ok "issuer remove" 'removed issuer ec' ob issuer remove ec
refused "issuer remove: no such issuer" 1 'no issuer ec' "$OCSPBOX" --db "$DB" issuer remove ec
refused "issuer remove: no id" 2 'need ID' "$OCSPBOX" --db "$DB" issuer remove
n=0
while [ $n -lt 50 ]; do
	st=$(ecstatus)
	[ "$st" = unauthorized ] && break
	sleep 0.2
	n=$((n + 1))
done
same "a removed issuer is unauthorized within 10 s" "$st" unauthorized
same "its certificates and cache are gone" \
    "$(q "SELECT (SELECT count(*) FROM certificates WHERE issuer_id = 'ec') + (SELECT count(*) FROM ocsp_response_cache WHERE issuer_id = 'ec')")" 0
grep -q 'issuer ec: added' "$TMP/server.err" && grep -q 'issuer ec: removed' "$TMP/server.err" &&
    pass "the log says what was added and removed" || fail "add and remove are logged" "$(tail -n 10 "$TMP/server.err")"

# --- 6. SIGHUP reads the key files again -----------------------------------
# A key file that becomes readable by others is refused on the reload; the
# issuer keeps the key it had and answers on.
chmod 644 "$PKI/resp-rsa.key"
kill -HUP "$SERVER_PID"
n=0
while [ $n -lt 50 ] && ! grep -q 'reload: issuer rsa: .*keeping what it had' "$TMP/server.err"; do
	sleep 0.1
	n=$((n + 1))
done
chmod 600 "$PKI/resp-rsa.key"
grep -q 'reload: issuer rsa: .*keeping what it had' "$TMP/server.err" &&
    pass "SIGHUP: the key files are read again (a bad one is refused, and logged)" ||
    fail "SIGHUP rereads key files" "$(tail -n 10 "$TMP/server.err")"
same "... and the issuer answers on with the key it had" "$(ocsp_status "$(serial 5)")" good
kill -0 "$SERVER_PID" 2>/dev/null && pass "SIGHUP: serve keeps running" || fail "SIGHUP: serve keeps running"
stop_checked "after rotations, reloads and SIGHUP"

# --- 7. A responder that expires while serving -----------------------------
# Made now, so that a slow (sanitized) run still finds it valid.
responder brief -86380s || fail "make a responder expiring in 20 s"
DB2=$TMP/brief.db
"$OCSPBOX" --db "$DB2" migrate >/dev/null
"$OCSPBOX" --db "$DB2" issuer add rsa --cert "$PKI/ca-rsa.pem" --responder-cert "$PKI/brief.pem" \
    --responder-key "$PKI/resp-rsa.key" >/dev/null || fail "issuer add: a responder valid for seconds more"
"$OCSPBOX" --db "$DB2" cert add rsa --serial 5 >/dev/null
BRIEF_END=$(not_after "$PKI/brief.pem")
start_server "$DB2" || { fail "server starts"; finish; exit 1; }
same "before it expires: good" "$(ocsp_status 5)" good
n=0
while [ "$(date +%s)" -le "$BRIEF_END" ] && [ $n -lt 300 ]; do
	sleep 0.2
	n=$((n + 1))
done
sleep 1
same "after it expired: tryLater, never an answer clients refuse" "$(ocsp_status 5)" trylater
run curl -s -m 10 "$URL/healthz"
if printf '%s\n' "$OUT" | head -n 1 | grep -qx degraded &&
    printf '%s\n' "$OUT" | grep -q '^issuer rsa: responder certificate expired at .*; answers are tryLater$'; then
	pass "/healthz: degraded, the responder expired"
else
	fail "/healthz says expired" "$OUT"
fi
grep -q 'issuer rsa: the responder certificate has expired (at [0-9TZ:-]*); answering tryLater' "$TMP/server.err" &&
    pass "the log says it once" || fail "expiry logged" "$(tail -n 5 "$TMP/server.err")"
same "stats JSON: expired" "$(stats '.issuers[0].responder.status')" expired
# Rotating out of it brings answers back without a restart.
"$OCSPBOX" --db "$DB2" issuer update rsa --responder-cert "$PKI/resp-rsa.pem" \
    --responder-key "$PKI/resp-rsa.key" >/dev/null
n=0
while [ $n -lt 50 ] && [ "$(ocsp_status 5)" != good ]; do
	sleep 0.2
	n=$((n + 1))
done
same "after issuer update: good again" "$(ocsp_status 5)" good
stop_checked "after a responder expired and was replaced"

# --- 8. An id removed and added again for another CA ------------------------
# x is first the EC CA, whose serial B0B is revoked. Removed and added
# again for the RSA CA, with B0B good there, its id names another CA: a
# server that has not yet reloaded must never answer the EC CA's CertID
# from the RSA CA's rows (tryLater until the reload, then unauthorized),
# nor keep the EC CA loaded when the RSA CA's key fails to load; and the
# EC CA, registered again, numbers its CRLs on from where it was.
DB3=$TMP/reuse.db
ob3() { "$OCSPBOX" --db "$DB3" "$@"; }
cp "$PKI/resp-rsa.key" "$TMP/resp-rsa-copy.key"
chmod 600 "$TMP/resp-rsa-copy.key"
ob3 migrate >/dev/null
ob3 issuer add x --cert "$PKI/ca-ec.pem" --responder-cert "$PKI/resp-ec.pem" \
    --responder-key "$PKI/resp-ec.key" --ca-key "$PKI/ca-ec.key" >/dev/null || fail "issuer add x (EC)"
ob3 cert add x --serial B0B >/dev/null && ob3 revoke x B0B >/dev/null || fail "revoke x B0B"
start_server "$DB3" || { fail "server starts"; finish; exit 1; }
# xstat: the EC CA's answer for B0B by POST, verified against the EC CA:
# good, revoked, or the OCSP error (tryLater, unauthorized).
openssl ocsp -issuer "$PKI/ca-ec.pem" -serial 0xB0B -no_nonce -reqout "$TMP/x.req" >/dev/null 2>&1
xstat() {
	curl -s -m 10 --data-binary @"$TMP/x.req" -H 'Content-Type: application/ocsp-request' \
	    -o "$TMP/x.resp" "$URL/"
	openssl ocsp -respin "$TMP/x.resp" -issuer "$PKI/ca-ec.pem" -serial 0xB0B \
	    -CAfile "$PKI/ca-ec.pem" -no_nonce 2>&1 |
	    sed -n 's/^0x[0-9A-Fa-f]*: *\([a-z]*\)$/\1/p; s/^Responder Error: *\([a-zA-Z]*\).*/\1/p'
}
same "x (EC): B0B revoked" "$(xstat)" revoked
n=0
while [ $n -lt 50 ] && [ "$(getcrl x "$TMP/x1.crl")" != 200 ]; do
	sleep 0.2
	n=$((n + 1))
done
N1=$(cnum "$TMP/x1.crl")
[ -n "$N1" ] && pass "x (EC) has a CRL, #$N1" || fail "x (EC) has a CRL"
# At once, before the reload: the RSA CA under x, B0B good there.
ob3 issuer remove x >/dev/null && ob3 issuer add x --cert "$PKI/ca-rsa.pem" \
    --responder-cert "$PKI/resp-rsa.pem" --responder-key "$TMP/resp-rsa-copy.key" >/dev/null &&
    ob3 cert add x --serial B0B >/dev/null || fail "x again, for the RSA CA"
chmod 644 "$TMP/resp-rsa-copy.key" # the reload cannot load it
seen=
i=0
while [ $i -lt 30 ]; do
	seen="$seen $(xstat)"
	i=$((i + 1))
done
case " $seen " in
*" good "* | *" revoked "*) fail "the EC CA's CertID, while x is the RSA CA: never an answer" "$seen" ;;
*) pass "the EC CA's CertID, while x is the RSA CA: never an answer ($(printf '%s\n' $seen | sort | uniq -c | tr -s ' \n' ' '))" ;;
esac
n=0
while [ $n -lt 50 ] && ! grep -q 'issuer x: its CA certificate changed' "$TMP/server.err"; do
	sleep 0.1
	n=$((n + 1))
done
sleep 0.5
same "after the reload: the EC CA is not kept (unauthorized)" "$(xstat)" unauthorized
grep -q 'reload: issuer x: .*not answering for it' "$TMP/server.err" &&
    pass "the RSA CA's key fails to load: x is left out, and that logged" ||
    fail "x left out" "$(tail -n 5 "$TMP/server.err")"
same "no CRL of x: the EC CA's is gone with it" "$(getcrl x "$TMP/x2.crl")" 404
! grep -q 'issuer x: removed' "$TMP/server.err" &&
    pass "... and the log does not call x removed: it is registered, not loaded" ||
    fail "x is not logged as removed" "$(grep 'issuer x' "$TMP/server.err")"
run curl -s -m 10 "$URL/healthz"
if printf '%s\n' "$OUT" | head -n 1 | grep -qx degraded &&
    printf '%s\n' "$OUT" | grep -q '^issuer x: not answered for: its responder key failed to load at the last reload'; then
	pass "/healthz: degraded, x registered but not answered for"
else
	fail "/healthz names x, not loaded" "$OUT"
fi
metrics
same "/metrics: ocspbox_issuers_not_loaded 1" "$(m ocspbox_issuers_not_loaded)" 1
chmod 600 "$TMP/resp-rsa-copy.key"
kill -HUP "$SERVER_PID"
n=0
while [ $n -lt 50 ] && [ "$(ocsp_status B0B)" != good ]; do
	sleep 0.2
	n=$((n + 1))
done
same "SIGHUP with the key fixed: the RSA CA answers for x, B0B good" "$(ocsp_status B0B)" good
metrics
same "... /metrics: ocspbox_issuers_not_loaded 0" "$(m ocspbox_issuers_not_loaded)" 0
same "... /healthz: ok" "$(curl -s -m 10 "$URL/healthz")" ok
# The EC CA back, under x: its CRLs go on above #N1.
ob3 issuer remove x >/dev/null && ob3 issuer add x --cert "$PKI/ca-ec.pem" \
    --responder-cert "$PKI/resp-ec.pem" --responder-key "$PKI/resp-ec.key" \
    --ca-key "$PKI/ca-ec.key" >/dev/null || fail "x again, for the EC CA"
n=0
while [ $n -lt 75 ] && { [ "$(getcrl x "$TMP/x3.crl")" != 200 ] ||
    [ "$(cverify "$TMP/x3.crl" ec)" != "verify OK" ]; }; do
	sleep 0.2
	n=$((n + 1))
done
N3=$(cnum "$TMP/x3.crl")
if [ -n "$N1" ] && [ -n "$N3" ] && [ "$N3" -gt "$N1" ] && [ "$(cverify "$TMP/x3.crl" ec)" = "verify OK" ]; then
	pass "the EC CA registered again: its CRL #$N3 follows #$N1 (RFC 5280 5.2.3)"
else
	fail "the EC CA's CRL numbers go on" "before #$N1, now #$N3"
fi
stop_checked "across an id reused for another CA"

# --- 9. An operator's responder that outlives its CA ------------------------
# The CA expires in 25 s; the delegated responder it certified would live
# 30 days. No chain verifies past the CA: nextUpdate stops there,
# /healthz and the stats say the CA expires, and once it has, answers
# are tryLater, said in the log.
(cd "$PKI" &&
    faketime -f -86375s openssl req -x509 -new -key ca-ec.key -subj "/O=ocspbox test/CN=Short CA" \
	-days 1 -sha256 -extensions ca -config ext.cnf -out short-ca.pem 2>/dev/null &&
    openssl req -new -key resp-ec.key -subj "/O=ocspbox test/CN=Outliving responder" \
	-out outl.csr 2>/dev/null &&
    openssl x509 -req -in outl.csr -CA short-ca.pem -CAkey ca-ec.key -set_serial 0x4242 \
	-days 30 -sha256 -extfile ext.cnf -extensions responder -out outl.pem 2>/dev/null) ||
    fail "make a CA expiring in 25 s and a 30-day responder"
CA_END=$(not_after "$PKI/short-ca.pem")
DB4=$TMP/outlive.db
"$OCSPBOX" --db "$DB4" migrate >/dev/null
"$OCSPBOX" --db "$DB4" issuer add s --cert "$PKI/short-ca.pem" --responder-cert "$PKI/outl.pem" \
    --responder-key "$PKI/resp-ec.key" --ca-key "$PKI/ca-ec.key" >/dev/null ||
    fail "issuer add: a responder outliving its CA"
"$OCSPBOX" --db "$DB4" cert add s --serial 5 >/dev/null
start_server "$DB4" --validity 1h --refresh-interval 10m || { fail "server starts"; finish; exit 1; }
sstat() {
	openssl ocsp -url "$URL/" -issuer "$PKI/short-ca.pem" -serial 0x5 -no_nonce \
	    -CAfile "$PKI/short-ca.pem" -resp_text >"$TMP/s.txt" 2>&1
	sed -n 's/^0x[0-9A-Fa-f]*: *\([a-z]*\)$/\1/p; s/^Responder Error: *\([a-zA-Z]*\).*/\1/p' "$TMP/s.txt"
}
same "before the CA expires: good" "$(sstat)" good
NU=$(epoch "$(sed -n 's/^ *Next Update: *//p' "$TMP/s.txt" | head -n 1)")
if [ -n "$NU" ] && [ "$NU" -le "$CA_END" ]; then
	pass "nextUpdate is not past the CA's notAfter"
else
	fail "nextUpdate is not past the CA's notAfter" "nextUpdate $NU, CA ends $CA_END"
fi
run curl -s -m 10 "$URL/healthz"
if printf '%s\n' "$OUT" | head -n 1 | grep -qx degraded &&
    printf '%s\n' "$OUT" | grep -q '^issuer s: CA certificate expires at '; then
	pass "/healthz: degraded, the CA expires"
else
	fail "/healthz says the CA expires" "$OUT"
fi
same "stats JSON: expiring" "$(stats '.issuers[0].responder.status')" expiring
n=0
while [ $n -lt 50 ] && [ "$(getcrl s "$TMP/s.crl")" != 200 ]; do
	sleep 0.2
	n=$((n + 1))
done
CNU=$(epoch "$(openssl crl -inform DER -in "$TMP/s.crl" -noout -nextupdate 2>/dev/null | cut -d= -f2)")
if [ -n "$CNU" ] && [ "$CNU" -le "$CA_END" ]; then
	pass "the CRL's nextUpdate is not past the CA's notAfter either"
else
	fail "the CRL's nextUpdate stops at the CA's notAfter" "nextUpdate $CNU, CA ends $CA_END"
fi
metrics
same "/metrics: the end is the CA's notAfter, not the responder's" \
    "$(m 'ocspbox_responder_not_after_timestamp_seconds{issuer="s"}')" "$CA_END"
same "stats JSON: the same end" "$(epoch "$(stats '.issuers[0].responder.not_after')")" "$CA_END"
n=0
while [ "$(date +%s)" -le "$CA_END" ] && [ $n -lt 300 ]; do
	sleep 0.2
	n=$((n + 1))
done
sleep 1
same "after the CA expired: tryLater" "$(sstat)" trylater
grep -q 'issuer s: the CA certificate expired at .*answering tryLater (renew the CA)' "$TMP/server.err" &&
    pass "the log says the CA expired" || fail "CA expiry logged" "$(tail -n 5 "$TMP/server.err")"
run curl -s -m 10 "$URL/healthz"
printf '%s\n' "$OUT" | grep -q '^issuer s: CA certificate expired at .*; answers are tryLater$' &&
    pass "/healthz: the CA expired" || fail "/healthz says the CA expired" "$OUT"
same "no CRL event recorded after the CA expired" \
    "$(qdb "$DB4" "SELECT count(*) FROM crl_generation_events WHERE started_at > '$(date -u -d @"$CA_END" +%Y-%m-%dT%H:%M:%SZ)'")" 0
stop_checked "with a responder that outlived its CA"
# Started again, it says so at start, before any request.
start_server "$DB4" || { fail "server starts"; finish; exit 1; }
n=0
while [ $n -lt 50 ] && ! grep -q 'issuer s: the CA certificate expired at' "$TMP/server.err"; do
	sleep 0.1
	n=$((n + 1))
done
grep -q 'issuer s: the CA certificate expired at' "$TMP/server.err" &&
    pass "an expired CA is logged at start, before any request" ||
    fail "expiry logged at start" "$(cat "$TMP/server.err")"
stop_checked "started with an expired CA"

finish
