#!/bin/sh
# serve --follow-index (issue 17): a real `openssl ca` issues and
# revokes while ocspbox serves, and openssl ocsp sees each change within
# a second (the time taken is printed); the revocation reaches the CRL;
# a broken index changes nothing and is said once, the fixed one is
# applied; a line caught mid-write waits for its end; the option's
# refusals; $OCSPBOX_FOLLOW_INDEX.
. tests/integration/lib.sh

make_pki
admin_token
addissuer "$DB" rsa rsa --crl-key "$PKI/ca-rsa.key" || { fail "issuer add"; finish; exit 1; }

# An openssl ca of the test PKI's RSA CA.
CA=$TMP/ca
mkdir -p "$CA/new"
: >"$CA/index.txt"
echo 1001 >"$CA/serial"
cat >"$CA/ca.cnf" <<CNF
[ ca ]
default_ca = c
[ c ]
dir = $CA
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
certificate = $PKI/ca-rsa.pem
private_key = $PKI/ca-rsa.key
default_md = sha256
default_days = 365
policy = p
unique_subject = no
copy_extensions = none
[ p ]
commonName = supplied
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = placeholder
CNF
# issue NAME: a certificate for CN=NAME from the CA, in $CA/NAME.pem.
issue() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$CA/$1.key" -subj "/CN=$1" -out "$CA/$1.csr" 2>/dev/null &&
	    openssl ca -batch -config "$CA/ca.cnf" -in "$CA/$1.csr" \
		-out "$CA/$1.pem" >/dev/null 2>&1
}
# st NAME: the status openssl ocsp reads for $CA/NAME.pem, verified.
st() {
	openssl ocsp -url "$URL/" -issuer "$PKI/ca-rsa.pem" -cert "$CA/$1.pem" \
	    -CAfile "$PKI/ca-rsa.pem" 2>&1 | grep -A1 '^Response verify OK' |
	    sed -n "s|^$CA/$1.pem: *||p"
}
# until_st NAME WANT: waits up to 3 s for it; prints the ms it took, or
# "never".
until_st() {
	t0=$(now_ms)
	while [ $(($(now_ms) - t0)) -lt 3000 ]; do
		if [ "$(st "$1")" = "$2" ]; then
			echo $(($(now_ms) - t0))
			return
		fi
		sleep 0.05
	done
	echo never
}
# within_1s NAME MS: a check that MS is a time under 1000 ms.
within_1s() {
	case $2 in
	never) fail "$1 within a second" "never, in 3 s" ;;
	*) if [ "$2" -lt 1000 ]; then pass "$1 within a second ($2 ms)"; else
		fail "$1 within a second" "$2 ms"; fi ;;
	esac
}

issue a || fail "openssl ca issues a"
# The option's refusals, before anything listens.
refused "--follow-index without '='" 2 'want ISSUER_ID=PATH' \
    ob serve --follow-index "$CA/index.txt"
refused "--follow-index of an unregistered issuer" 1 'no issuer nope' \
    ob serve --follow-index "nope=$CA/index.txt"
refused "--follow-index naming an issuer twice" 2 'issuer rsa given twice' \
    ob serve --follow-index "rsa=$CA/index.txt" --follow-index "rsa=$CA/other.txt"
refused "--follow-index with a bad issuer id" 2 'bad issuer id' \
    ob serve --follow-index "../x=$CA/index.txt"

if ! start_server "$DB" --follow-index "rsa=$CA/index.txt"; then
	fail "serve --follow-index starts"
	finish
	exit 1
fi
same "serve says what it follows" \
    "$(grep -c "following $CA/index.txt for issuer rsa" "$TMP/server.err")" 1
within_1s "a, issued before serve started: good" "$(until_st a good)"

issue b || fail "openssl ca issues b"
within_1s "b, issued by openssl ca while serving: good" "$(until_st b good)"

openssl ca -config "$CA/ca.cnf" -revoke "$CA/a.pem" -crl_reason keyCompromise >/dev/null 2>&1 ||
    fail "openssl ca -revoke a"
within_1s "a, revoked by openssl ca -revoke: revoked" "$(until_st a revoked)"
out=$(openssl ocsp -url "$URL/" -issuer "$PKI/ca-rsa.pem" -cert "$CA/a.pem" \
    -CAfile "$PKI/ca-rsa.pem" 2>&1)
if printf '%s\n' "$out" | grep -q 'Reason: keyCompromise'; then
	pass "a's reason as openssl ca wrote it"
else
	fail "a's reason as openssl ca wrote it" "$out"
fi
serial_a=$(openssl x509 -in "$CA/a.pem" -noout -serial | sed 's/^serial=//')
found=no
for i in $(seq 50); do
	getcrl rsa "$TMP/rsa.crl" >/dev/null
	if chas "$TMP/rsa.crl" "$serial_a"; then found=yes; break; fi
	sleep 0.1
done
same "a on the CRL served within 5 s" "$found" yes

# A broken index: nothing of it applied, said once; fixed: applied.
cp "$CA/index.txt" "$CA/index.good"
issue c || fail "openssl ca issues c"
printf 'X\tthis is not an index line\n' >>"$CA/index.txt"
sleep 1.5
same "c, in a broken version of the index: not registered (unknown)" "$(st c)" unknown
same "the broken version said once, with its line" \
    "$(grep -c "follow rsa: $CA/index.txt:4: .*nothing of this version applied" "$TMP/server.err")" 1
metrics
same "/metrics while broken: follow_error 1, one broken version" \
    "$(m 'ocspbox_follow_error{issuer="rsa"}') $(m 'ocspbox_follow_broken_versions_total{issuer="rsa"}')" "1 1"
same "the stats say which line" "$(stats '.follow[0].issuer_id + " " + .follow[0].error')" \
    "rsa $CA/index.txt:4: $(sed -n 's/^.*index.txt:4: \(.*\); nothing of this version applied$/\1/p' "$TMP/server.err")"
sed -i '$d' "$CA/index.txt"
within_1s "c, once the index is whole again: good" "$(until_st c good)"
metrics
v=$(m 'ocspbox_follow_versions_total{issuer="rsa"}')
t=$(m 'ocspbox_follow_last_applied_timestamp_seconds{issuer="rsa"}')
if [ "$(m 'ocspbox_follow_error{issuer="rsa"}')" = 0 ] && [ "${v:-0}" -ge 4 ] &&
    [ $(($(date +%s) - ${t:-0})) -lt 10 ]; then
	pass "/metrics once fixed: follow_error 0, $v versions, applied just now"
else
	fail "/metrics once fixed: follow_error 0, versions, applied just now" "$(grep follow "$TMP/metrics")"
fi
same "the stats once fixed: no error, the path" "$(stats '.follow[0].error, .follow[0].path' | tr '\n' ' ')" \
    "null $CA/index.txt "

# A line caught mid-write waits for its end.
issue d || fail "openssl ca issues d"
line=$(tail -n 1 "$CA/index.txt")
sed -i '$d' "$CA/index.txt"
printf '%s' "$(printf '%s' "$line" | cut -c1-12)" >>"$CA/index.txt"
sleep 1.2
same "d, its line half written: not yet registered" "$(st d)" unknown
printf '%s\n' "$(printf '%s' "$line" | cut -c13-)" >>"$CA/index.txt"
within_1s "d, its line finished: good" "$(until_st d good)"
same "nothing said of the half line" "$(grep -c 'follow rsa: .*nothing of this' "$TMP/server.err")" 1
stop_checked "serve --follow-index"

# $OCSPBOX_FOLLOW_INDEX, as a configuration file sets it.
issue e || fail "openssl ca issues e"
if OCSPBOX_FOLLOW_INDEX="rsa=$CA/index.txt" start_server "$DB"; then
	within_1s "\$OCSPBOX_FOLLOW_INDEX: e, issued while stopped, good" "$(until_st e good)"
	stop_checked "serve with \$OCSPBOX_FOLLOW_INDEX"
else
	fail "serve with \$OCSPBOX_FOLLOW_INDEX starts"
fi
finish
