#!/bin/sh
# The ARM binaries make dist ships, run under qemu-user-static on this
# machine (issue 16): the static ocspbox for ARCH (arm64 or armhf) from
# build/dist/ migrates a database, registers an RSA and a P-256 issuer,
# imports an `openssl ca` index (certificates valid past 2038 and past
# 2049: 32-bit armhf keeps a 64-bit time_t), revokes, serves, and
# openssl ocsp reads good and revoked from it, by POST and by GET, and
# the CRL it serves verifies. Usage: sh tests/dist/test_qemu.sh ARCH
# (after make dist).
. tests/integration/lib.sh

arch=${1:?usage: test_qemu.sh arm64|armhf}
case $arch in
arm64) qemu=qemu-aarch64-static what='ARM aarch64' ;;
armhf) qemu=qemu-arm-static what='ARM, EABI5' ;;
*) echo "test_qemu.sh: ARCH is arm64 or armhf" >&2; exit 2 ;;
esac
version=$(sh scripts/version.sh)
bin=$PWD/build/dist/ocspbox-$version-linux-$arch
if [ ! -x "$bin" ] || ! command -v "$qemu" >/dev/null; then
	fail "$bin and $qemu are there" "run make dist; scripts/deps.sh test installs qemu-user-static"
	finish
	exit 1
fi
desc=$(file -b "$bin")
case $desc in
*"not stripped"*) fail "$arch binary: static and stripped" "$desc" ;;
*"$what"*"statically linked"*", stripped"*) pass "$arch binary: static and stripped ($desc)" ;;
*) fail "$arch binary: static and stripped" "$desc" ;;
esac
size=$(stat -c %s "$bin")
# The guard test_deb.sh keeps on amd64 (the ARM binaries are smaller).
if [ "$size" -le 2100000 ]; then pass "$arch binary: $size bytes, at most 2.1 MB"; else fail "$arch binary at most 2.1 MB" "$size bytes"; fi

# Every ocspbox the suite runs is the ARM one, through qemu.
OCSPBOX=$TMP/ocspbox-$arch
printf '#!/bin/sh\nexec %s %s "$@"\n' "$qemu" "$bin" >"$OCSPBOX"
chmod +x "$OCSPBOX"

same "--version under $qemu: $version" "$("$OCSPBOX" --version | cut -d' ' -f1-2)" \
    "ocspbox $version"

make_pki
admin_token
ok "migrate" "" ob migrate
ok "issuer add: RSA, delegated responder, CRL key" "" ob issuer add rsa \
    --cert "$PKI/ca-rsa.pem" --responder-cert "$PKI/resp-rsa.pem" \
    --responder-key "$PKI/resp-rsa.key" --crl-key "$PKI/ca-rsa.key"
ok "issuer add: P-256" "" ob issuer add ec --cert "$PKI/ca-ec.pem" \
    --responder-cert "$PKI/resp-ec.pem" --responder-key "$PKI/resp-ec.key"

# An openssl ca index: valid to 2045 (UTCTime, past 2038), to 2055
# (GeneralizedTime), and one revoked with its time and reason.
printf 'V\t450101000000Z\t\t1001\tunknown\t/CN=to 2045\n' >"$TMP/index.txt"
printf 'R\t450101000000Z\t260102030405Z,keyCompromise\t1002\tunknown\t/CN=revoked\n' >>"$TMP/index.txt"
printf 'V\t20550101000000Z\t\t1003\tunknown\t/CN=to 2055\n' >>"$TMP/index.txt"
ok "cert import of an openssl ca index" "" ob cert import rsa --openssl-index "$TMP/index.txt"
ok "cert add, then revoke (superseded)" "" sh -c \
    "'$OCSPBOX' --db '$DB' cert add rsa --serial 1004 && '$OCSPBOX' --db '$DB' revoke rsa 1004 --reason superseded"
ok "cert add on the P-256 issuer" "" ob cert add ec --cert "$PKI/leaf-ec.pem"
same "not_after past 2038 kept as written" \
    "$(q "SELECT not_after FROM certificates WHERE serial_hex IN ('1001','1003') ORDER BY serial_hex")" \
    "2045-01-01T00:00:00Z
2055-01-01T00:00:00Z"

if ! start_server "$DB" --validity 1h --refresh-interval 10m; then
	fail "serve under $qemu starts"
	finish
	exit 1
fi
pass "serve under $qemu starts and /healthz answers"

# st SERIAL [ISSUER]: openssl ocsp by POST; the status line, verified.
st() {
	iss=${2:-rsa}
	out=$(openssl ocsp -url "$URL/" -issuer "$PKI/ca-$iss.pem" -serial "0x$1" \
	    -CAfile "$PKI/ca-$iss.pem" 2>&1)
	if printf '%s\n' "$out" | grep -q 'Response verify OK'; then
		printf '%s\n' "$out" | sed -n 's/^0x[0-9A-Fa-f]*: *//p'
	else
		printf 'unverified: %s\n' "$out"
	fi
}
same "POST: 1001 (to 2045) good" "$(st 1001)" good
same "POST: 1003 (to 2055) good" "$(st 1003)" good
same "POST: 1002 revoked" "$(st 1002)" revoked
same "POST: 1004 revoked" "$(st 1004)" revoked
same "POST: an unregistered serial unknown" "$(st BEEF)" unknown
out=$(openssl ocsp -url "$URL/" -issuer "$PKI/ca-rsa.pem" -serial 0x1002 \
    -CAfile "$PKI/ca-rsa.pem" 2>&1)
if printf '%s\n' "$out" | grep -q 'Reason: keyCompromise' &&
    printf '%s\n' "$out" | grep -q 'Revocation Time: Jan  2 03:04:05 2026 GMT'; then
	pass "POST: 1002's reason and time as the index says"
else
	fail "POST: 1002's reason and time as the index says" "$out"
fi
same "POST: the P-256 issuer's certificate good" "$(openssl ocsp -url "$URL/" \
    -issuer "$PKI/ca-ec.pem" -cert "$PKI/leaf-ec.pem" -CAfile "$PKI/ca-ec.pem" 2>&1 |
    sed -n 's/^.*leaf-ec.pem: *//p')" good

# GET: openssl makes the request, curl fetches it, openssl checks it.
for s in 1001:good 1002:revoked; do
	openssl ocsp -issuer "$PKI/ca-rsa.pem" -serial "0x${s%:*}" -no_nonce \
	    -reqout "$TMP/req.der" >/dev/null 2>&1
	code=$(curl -s -m 60 -o "$TMP/g.der" -w '%{http_code}' "$URL/$(enc "$TMP/req.der")")
	got=$(openssl ocsp -respin "$TMP/g.der" -issuer "$PKI/ca-rsa.pem" \
	    -serial "0x${s%:*}" -CAfile "$PKI/ca-rsa.pem" -no_nonce 2>&1)
	if [ "$code" = 200 ] && printf '%s\n' "$got" | grep -q 'Response verify OK' &&
	    printf '%s\n' "$got" | grep -q "^0x${s%:*}: ${s#*:}"; then
		pass "GET: ${s%:*} ${s#*:}, verified"
	else
		fail "GET: ${s%:*} ${s#*:}, verified" "HTTP $code" "$got"
	fi
done
# nextUpdate an hour (--validity) from now, thisUpdate not after now
# (serve backdates it): time arithmetic on the ARM build.
upd=$(openssl ocsp -respin "$TMP/g.der" -resp_text -noverify 2>/dev/null |
    sed -n 's/^ *\(This\|Next\) Update: //p')
t1=$(epoch "$(printf '%s\n' "$upd" | sed -n 1p)")
t2=$(epoch "$(printf '%s\n' "$upd" | sed -n 2p)")
now=$(date +%s)
if [ -n "$t1" ] && [ -n "$t2" ] && [ "$t1" -le "$now" ] &&
    [ $((t2 - now)) -le 3600 ] && [ $((t2 - now)) -gt 3000 ]; then
	pass "nextUpdate an hour from now, thisUpdate before now"
else
	fail "nextUpdate an hour from now, thisUpdate before now" "$upd" "now $(date -u)"
fi

# The CRL it builds and serves, signed on the ARM build.
for i in $(seq 100); do
	[ "$(getcrl rsa "$TMP/rsa.crl")" = 200 ] && break
	sleep 0.2
done
if [ "$(cverify "$TMP/rsa.crl" rsa)" = "verify OK" ] && chas "$TMP/rsa.crl" 1002 &&
    chas "$TMP/rsa.crl" 1004 && [ "$(centries "$TMP/rsa.crl")" = 2 ]; then
	pass "GET /crl/rsa.crl: verifies, lists 1002 and 1004"
else
	fail "GET /crl/rsa.crl: verifies, lists 1002 and 1004" "$(ctext "$TMP/rsa.crl" | head -n 30)"
fi
metrics
same "/metrics: build_info names this version" \
    "$(grep -c "^ocspbox_build_info{version=\"$version\"" "$TMP/metrics")" 1

stop_checked "serve under $qemu"
finish
