#!/bin/sh
# Clock steps under a running server (libfaketime preloaded into the server
# only, its offset read from a file the test rewrites; CLOCK_MONOTONIC left
# alone, as a real step leaves it): the box's clock runs three hours ahead
# while the cache fills, then steps back to the right time. No answer with a
# thisUpdate in the future or a nextUpdate further than --validity is served
# after that (openssl ocsp, with a real clock, takes them; max-age and
# Expires stay within the validity), revoked stays revoked, a refresh pass
# re-signs the future-dated entries at once, and the CRL is re-signed within
# seconds. Then the clock steps four hours forward: the expired CRL and the
# stale entries are re-signed within seconds, not at the next tick.
#
# libfaketime cannot reach into a static binary: without OCSPBOX this runs
# build/dyn/ocspbox (make build/dyn/ocspbox).
OCSPBOX=${OCSPBOX:-$PWD/build/dyn/ocspbox}
. tests/integration/lib.sh

# The MT variant: the plain one reads its file into globals unlocked from
# every thread that asks the time, a data race TSan reports.
FAKELIB=
for d in /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu \
    /usr/lib/arm-linux-gnueabihf /usr/lib; do
	[ -f "$d/faketime/libfaketimeMT.so.1" ] &&
	    FAKELIB=$d/faketime/libfaketimeMT.so.1 && break
done
if [ -z "$FAKELIB" ]; then
	fail "libfaketime is installed (scripts/deps.sh test)"
	finish
	exit 1
fi
if [ ! -x "$OCSPBOX" ]; then
	fail "$OCSPBOX exists (make build/dyn/ocspbox)"
	finish
	exit 1
fi
if file -L "$OCSPBOX" | grep -q 'statically linked'; then
	fail "$OCSPBOX is linked dynamically (libfaketime needs LD_PRELOAD)" \
	    "run with OCSPBOX=$PWD/build/dyn/ocspbox"
	finish
	exit 1
fi
# ASan wants its runtime first in the library list and refuses to start
# behind a preloaded one; its interceptors still reach libfaketime's time
# functions (they call the next definition, which is libfaketime's), so
# the check is turned off. TSan has no such check. And ASan's allocator
# reads CLOCK_MONOTONIC when it maps a new region (to time its returns of
# memory to the OS): when that first happens inside libfaketime's own
# constructor, libfaketime's clock_gettime, not yet set up, calls dlsym,
# which allocates, and the allocator waits on itself for ever (seen with
# clang 14 and libfaketime 0.9.10, whatever the binary). Never returning
# memory to the OS keeps that read out; it changes no check ASan makes.
SANOPTS=
if nm -D "$OCSPBOX" 2>/dev/null | grep -q '__asan_init'; then
	SANOPTS="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0:allocator_release_to_os_interval_ms=-1"
fi

make_pki
admin_token
VALIDITY=7200
N=20

# The server's clock: the offset libfaketime reads on every call.
CLOCK=$TMP/clock
echo "+3h" >"$CLOCK"
cat >"$TMP/faked" <<EOF
#!/bin/sh
exec env LD_PRELOAD="$FAKELIB" FAKETIME_TIMESTAMP_FILE="$CLOCK" \\
    FAKETIME_NO_CACHE=1 DONT_FAKE_MONOTONIC=1 $SANOPTS "$OCSPBOX" "\$@"
EOF
chmod +x "$TMP/faked"

# rfc T: seconds since the epoch as the database stores times.
rfc() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
# answer SERIAL: asks as a client with the real clock does (one SHA-1
# CertID, no nonce: the cached path) and sets A_STATUS (good, revoked,
# unknown or what went wrong), A_THIS and A_NEXT (epochs).
answer() {
	openssl ocsp -url "$URL/" -issuer "$PKI/ca-rsa.pem" -serial "0x$1" \
	    -no_nonce -CAfile "$PKI/ca-rsa.pem" -resp_text >"$TMP/ans" 2>&1
	A_THIS=$(epoch "$(sed -n 's/^ *This Update: //p' "$TMP/ans" | head -n 1)")
	A_NEXT=$(epoch "$(sed -n 's/^ *Next Update: //p' "$TMP/ans" | head -n 1)")
	if ! grep -q 'Response verify OK' "$TMP/ans"; then
		A_STATUS=unverified
	elif grep -q 'Status times invalid' "$TMP/ans"; then
		A_STATUS=times-invalid
	else
		A_STATUS=$(sed -n 's/^0x[0-9A-Fa-f]*: *\([a-z]*\)$/\1/p' "$TMP/ans" | head -n 1)
	fi
}
# crl_fields FILE: "NUMBER THIS NEXT" (decimal, epochs) of a DER CRL.
crl_fields() {
	openssl crl -inform DER -in "$1" -noout -crlnumber -lastupdate \
	    -nextupdate >"$TMP/crlf" 2>/dev/null || { echo "bad"; return; }
	n=$(sed -n 's/^crlNumber=//p' "$TMP/crlf")
	n=${n#0x}
	echo "$(printf '%d' "0x${n:-0}") $(epoch "$(sed -n 's/^lastUpdate=//p' "$TMP/crlf")") $(epoch "$(sed -n 's/^nextUpdate=//p' "$TMP/crlf")")"
}

# 1. Setup: rsa with its CRL key, N serials, one revoked before start.
addissuer "$DB" rsa rsa --crl-key "$PKI/ca-rsa.key" || { fail "register rsa"; finish; exit 1; }
: >"$TMP/index.txt"
i=1
while [ $i -le $N ]; do
	printf 'V\t301231235959Z\t\t%s\tunknown\t/CN=c%d\n' "$(serial $i)" $i >>"$TMP/index.txt"
	i=$((i + 1))
done
ob cert import rsa --openssl-index "$TMP/index.txt" >/dev/null &&
    ob revoke rsa "$(serial 1)" --reason keyCompromise >/dev/null ||
    { fail "register serials"; finish; exit 1; }

# 2. The server starts with its clock three hours ahead: the start pass
# signs every entry and the CRL from the (real) future.
real_ob=$OCSPBOX
OCSPBOX=$TMP/faked
start_server "$DB" --refresh-interval 1h --validity 2h ||
    { OCSPBOX=$real_ob; fail "server starts under libfaketime"; finish; exit 1; }
OCSPBOX=$real_ob
n=0
while [ $n -lt 150 ]; do
	[ "$(q "SELECT count(*) FROM ocsp_response_cache")" = "$N" ] &&
	    getcrl rsa "$TMP/crl0.der" | grep -q 200 && break
	sleep 0.1
	n=$((n + 1))
done
# Revoked on the server while its clock is ahead: revoked_at is in the
# real future.
api POST /api/v1/revoke "{\"issuer_id\": \"rsa\", \"serial_hex\": \"$(serial 2)\", \"reason\": \"superseded\"}"
code=$CODE
sleep 0.5
getcrl rsa "$TMP/crl0.der" >/dev/null
t=$(date +%s)
ahead=$(q "SELECT count(*) FROM ocsp_response_cache WHERE this_update > '$(rfc $((t + 3600)))'")
set -- $(crl_fields "$TMP/crl0.der")
crl0_num=$1 crl0_this=${2:-0}
if [ "$ahead" -ge $((N - 2)) ] && [ "$crl0_this" -gt $((t + 3 * 3600 - 60)) ] &&
    [ "$code" = 200 ] && [ "$(q "SELECT revoked_at > '$(rfc $((t + 3600)))' FROM certificates WHERE serial_hex = '$(serial 2)'")" = 1 ]; then
	pass "clock 3 h ahead: $ahead entries and CRL #$crl0_num dated in the real future, a revoke too"
else
	fail "clock 3 h ahead: entries and CRL dated in the real future, a revoke too" \
	    "entries ahead: $ahead of $N; CRL: $(crl_fields "$TMP/crl0.der"); now $t; revoke: $code" \
	    "$(tail -n 5 "$TMP/server.err")"
fi

# 3. The clock steps back to the right time.
echo "+0" >"$CLOCK"
T0=$(now_ms)
# The CRL: re-signed within seconds, dated now.
crl_ms=
while [ $(($(now_ms) - T0)) -lt 10000 ]; do
	if [ "$(getcrl rsa "$TMP/crl1.der")" = 200 ]; then
		set -- $(crl_fields "$TMP/crl1.der")
		if [ "$1" -gt "$crl0_num" ] && [ "${2:-0}" -le $(($(date +%s) + 1)) ]; then
			crl_ms=$(($(now_ms) - T0))
			break
		fi
	fi
	sleep 0.1
done
if [ -n "$crl_ms" ] && [ "$crl_ms" -le 5000 ]; then
	pass "after the step back: a new CRL (#$1) dated now is served within $crl_ms ms"
else
	fail "after the step back: a new CRL dated now is served within 5 s" \
	    "served: $(crl_fields "$TMP/crl1.der") (was #$crl0_num), now $(date +%s), after ${crl_ms:-more than 10000} ms" \
	    "$(tail -n 5 "$TMP/server.err")"
fi
crl1_num=$1
t=$(date +%s)
answer "$(serial 5)"
if [ "$A_STATUS" = good ] && [ -n "$A_THIS" ] && [ "$A_THIS" -le $((t + 1)) ] &&
    [ "$A_NEXT" -le $((t + VALIDITY + 2)) ]; then
	pass "after the step back: good, thisUpdate not in the future, nextUpdate within the validity"
else
	fail "after the step back: good, thisUpdate not in the future, nextUpdate within the validity" \
	    "status $A_STATUS, thisUpdate $A_THIS, nextUpdate $A_NEXT, now $t" \
	    "$(head -n 30 "$TMP/ans")"
fi
# The same through GET, as a cache reads it: max-age and Expires.
openssl ocsp -issuer "$PKI/ca-rsa.pem" -serial "0x$(serial 6)" -no_nonce \
    -reqout "$TMP/req6.der" >/dev/null 2>&1
curl -s -m 30 -D "$TMP/h6" -o "$TMP/r6.der" \
    "$URL/ocsp/$(enc "$TMP/req6.der")"
age=$(sed -n 's/^Cache-Control: max-age=\([0-9]*\).*/\1/p' "$TMP/h6" | tr -d '\r')
ex=$(epoch "$(sed -n 's/^Expires: //p' "$TMP/h6" | tr -d '\r')")
dt=$(epoch "$(sed -n 's/^Date: //p' "$TMP/h6" | tr -d '\r')")
lm=$(epoch "$(sed -n 's/^Last-Modified: //p' "$TMP/h6" | tr -d '\r')")
if [ -n "$age" ] && [ -n "$ex" ] && [ -n "$dt" ] && [ -n "$lm" ] &&
    [ "$age" -le "$VALIDITY" ] && [ $((ex - dt)) -le "$VALIDITY" ] && [ "$lm" -le "$dt" ]; then
	pass "after the step back, GET: max-age $age and Expires - Date $((ex - dt)) within the validity, Last-Modified not after Date"
else
	fail "after the step back, GET: max-age and Expires - Date within the validity, Last-Modified not after Date" \
	    "max-age $age, Expires $ex, Date $dt, Last-Modified $lm" "$(cat "$TMP/h6")"
fi
answer "$(serial 1)"
s1=$A_STATUS
answer "$(serial 2)"
s2=$A_STATUS t2=$A_THIS
if [ "$s1" = revoked ] && [ "$s2" = revoked ] && [ -n "$t2" ] && [ "$t2" -le $(($(date +%s) + 1)) ]; then
	pass "after the step back: both revoked serials revoked, also the one revoked in the real future (thisUpdate $((t2 - $(date +%s))) s from now)"
else
	fail "after the step back: both revoked serials revoked, also the one revoked in the real future" \
	    "$(serial 1): $s1; $(serial 2): $s2, thisUpdate $t2, now $(date +%s)" "$(head -n 30 "$TMP/ans")"
fi


# A refresh pass re-signs the future-dated entries, without being asked.
pass_ms=
while [ $(($(now_ms) - T0)) -lt 15000 ]; do
	t=$(date +%s)
	bad=$(q "SELECT count(*) FROM ocsp_response_cache WHERE this_update > '$(rfc $((t + 1)))' OR next_update > '$(rfc $((t + VALIDITY + 1)))'")
	all=$(q "SELECT count(*) FROM ocsp_response_cache")
	if [ "$bad" = 0 ] && [ "$all" = "$N" ]; then
		pass_ms=$(($(now_ms) - T0))
		break
	fi
	sleep 0.2
done
if [ -n "$pass_ms" ]; then
	pass "after the step back: every entry re-signed, none from the future, within $pass_ms ms"
else
	fail "after the step back: every entry re-signed, none from the future, within 15 s" \
	    "$bad future-dated of $all" "$(tail -n 5 "$TMP/server.err")"
fi
if grep -q ' ocspbox: the clock stepped back' "$TMP/server.err"; then
	pass "the step back is logged"
else
	fail "the step back is logged" "$(tail -n 5 "$TMP/server.err")"
fi
answer "$(serial 7)"
if [ "$A_STATUS" = good ] && [ "$A_THIS" -le $(($(date +%s) + 1)) ]; then
	pass "after the pass: answers are good and verify with a real clock"
else
	fail "after the pass: answers are good and verify with a real clock" \
	    "$A_STATUS, thisUpdate $A_THIS, now $(date +%s)"
fi
same "after the pass: the revoked serials' entries say revoked" \
    "$(q "SELECT group_concat(cert_status) FROM ocsp_response_cache WHERE serial_hex IN ('$(serial 1)', '$(serial 2)')")" \
    "revoked,revoked"

# 4. Four hours forward: the CRL (valid two) and every entry expired.
echo "+4h" >"$CLOCK"
T0=$(now_ms)
crl_ms=
while [ $(($(now_ms) - T0)) -lt 10000 ]; do
	if [ "$(getcrl rsa "$TMP/crl2.der")" = 200 ]; then
		set -- $(crl_fields "$TMP/crl2.der")
		if [ "$1" -gt "$crl1_num" ] &&
		    [ "${3:-0}" -gt $(($(date +%s) + 4 * 3600)) ]; then
			crl_ms=$(($(now_ms) - T0))
			break
		fi
	fi
	sleep 0.1
done
if [ -n "$crl_ms" ] && [ "$crl_ms" -le 5000 ]; then
	pass "after the step forward: a CRL valid past the new time is served within $crl_ms ms"
else
	fail "after the step forward: a CRL valid past the new time is served within 5 s" \
	    "served: $(crl_fields "$TMP/crl2.der") (was #$crl1_num), server time $(($(date +%s) + 4 * 3600))" \
	    "$(tail -n 5 "$TMP/server.err")"
fi
pass_ms=
while [ $(($(now_ms) - T0)) -lt 15000 ]; do
	stale=$(q "SELECT count(*) FROM ocsp_response_cache WHERE next_update <= '$(rfc $(($(date +%s) + 4 * 3600)))'")
	all=$(q "SELECT count(*) FROM ocsp_response_cache")
	if [ "$stale" = 0 ] && [ "$all" = "$N" ]; then
		pass_ms=$(($(now_ms) - T0))
		break
	fi
	sleep 0.2
done
if [ -n "$pass_ms" ]; then
	pass "after the step forward: every expired entry re-signed within $pass_ms ms"
else
	fail "after the step forward: every expired entry re-signed within 15 s" \
	    "$stale stale of $all" "$(tail -n 5 "$TMP/server.err")"
fi
stop_checked "clock steps"
finish
