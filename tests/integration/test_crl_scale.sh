#!/bin/sh
# A CRL at scale: 10,000 revoked certificates (half with a reason) make
# one CRL, built by serve at start, which openssl verifies and reads with
# every entry; the build's time is logged and the stats count the entries.
. tests/integration/lib.sh

make_pki
admin_token

# 1. 10,000 revoked certificates: one CRL, built by serve at start (the
# server's OCSP pass over them is stopped by SIGTERM once the CRL is out).
addissuer "$DB" big ec --crl-key "$PKI/ca-ec.key" || { fail "register issuer big"; finish; exit 1; }
awk 'BEGIN { for (i = 1; i <= 10000; i++)
	printf "R\t301231235959Z\t240102030405Z%s\t%X\tunknown\t/CN=r%d\n",
	    (i % 2 ? ",keyCompromise" : ""), 1048576 + i, i }' >"$TMP/index.txt"
ok "import 10000 revoked certificates" 'imported 10000 certificates into issuer big: 0 valid, 10000 revoked' \
    ob cert import big --openssl-index "$TMP/index.txt"
T0=$(now_ms)
if ! start_server "$DB" --refresh-interval 1h --validity 2h; then
	fail "server starts on 10000 revoked"
	finish
	exit 1
fi
n=0
while [ $n -lt 300 ]; do
	[ "$(getcrl big "$TMP/big.der")" = 200 ] && break
	sleep 0.1
	n=$((n + 1))
done
SERVED_MS=$(($(now_ms) - T0))
BIG_MS=$(sed -n 's/^.* ocspbox: crl big: #[0-9]*, 10000 revoked, [0-9]* bytes, in \([0-9]*\) ms$/\1/p' "$TMP/server.err")
BIG_BYTES=$(wc -c <"$TMP/big.der" | tr -d ' ')
same "10000 entries on the CRL" "$(centries "$TMP/big.der")" 10000
same "... it verifies" "$(cverify "$TMP/big.der" ec)" "verify OK"
same "... 5000 with keyCompromise" "$(ctext "$TMP/big.der" | grep -c 'Key Compromise')" 5000
if [ -n "$BIG_MS" ]; then
	pass "10000-entry CRL ($BIG_BYTES bytes) built in $BIG_MS ms, served $SERVED_MS ms after serve started"
else
	fail "10000-entry CRL built and logged" "$(cat "$TMP/server.err")"
fi
same "stats: big crl 10000 revoked" \
    "$(stats '.issuers[] | select(.id == "big") | .crl | [.present, .revoked_count] | map(tostring) | join(" ")')" "true 10000"
stop_checked "10000-revoked server"

finish
