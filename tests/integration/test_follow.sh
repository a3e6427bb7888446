#!/bin/sh
# serve --follow-index (issue 17): a real `openssl ca` issues and
# revokes while ocspbox serves, and openssl ocsp sees each change within
# a second (the time taken is printed); the revocation reaches the CRL;
# a broken line is skipped and said once while the lines around it are
# applied, the fixed one is too; a line caught mid-write waits for its end; the option's
# refusals; easy-rsa building and revoking a client certificate;
# $OCSPBOX_FOLLOW_INDEX.
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
api GET '/api/v1/history?limit=10'
same "the history names where a's revocation came from: follow" \
    "$(printf '%s' "$BODY_OUT" | jq -r --arg s "$(echo "$serial_a" | tr 'A-F' 'a-f' | sed 's/^0*//')" '.revocations[] | select(.serial_hex == $s) | .source + " " + .reason')" \
    "follow keyCompromise"

# A broken line: skipped and said once, the rest applied; fixed: nothing
# left to say. c is issued by openssl ca into a copy of its database, so
# that the followed file gains c and a broken line in one rename.
mkdir -p "$CA/copy/new"
cp "$CA/index.txt" "$CA/index.txt.attr" "$CA/serial" "$CA/copy/" 2>/dev/null
sed "s|^dir = .*|dir = $CA/copy|" "$CA/ca.cnf" >"$CA/copy/ca.cnf"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$CA/c.key" -subj "/CN=c" -out "$CA/c.csr" 2>/dev/null &&
    openssl ca -batch -config "$CA/copy/ca.cnf" -in "$CA/c.csr" -out "$CA/c.pem" \
	>/dev/null 2>&1 || fail "openssl ca issues c (into the copy)"
{ sed '$d' "$CA/copy/index.txt"; printf 'X\tthis is not an index line\n'; tail -n 1 "$CA/copy/index.txt"; } >"$CA/index.txt.new"
mv "$CA/index.txt.new" "$CA/index.txt"
within_1s "c, after a broken line in the same version: good" "$(until_st c good)"
skipped='1 line skipped, the rest applied'
same "the broken line said once, with its number" \
    "$(grep -c "follow rsa: $CA/index.txt:3: .*; $skipped" "$TMP/server.err")" 1
# The same broken line in the next version: counted, not said again.
cp "$CA/index.txt" "$CA/index.txt.new"
mv "$CA/index.txt.new" "$CA/index.txt"
sleep 1.5
same "the same broken line in a new version: not said again" \
    "$(grep -c "follow rsa: .*; $skipped" "$TMP/server.err")" 1
metrics
same "/metrics while broken: follow_error 1, two versions with it" \
    "$(m 'ocspbox_follow_error{issuer="rsa"}') $(m 'ocspbox_follow_broken_versions_total{issuer="rsa"}')" "1 2"
same "the stats say which line" "$(stats '.follow[0].issuer_id + " " + .follow[0].error')" \
    "rsa $CA/index.txt:3: $(sed -n "s/^.*index.txt:3: \(.*\); $skipped\$/\1/p" "$TMP/server.err"); skipped, the other lines are applied"
cp "$CA/copy/index.txt" "$CA/index.txt.new"
mv "$CA/index.txt.new" "$CA/index.txt"
cp "$CA/copy/serial" "$CA/serial"
same "c, once the index is whole again: good" "$(st c)" good
sleep 1.5
metrics
v=$(m 'ocspbox_follow_versions_total{issuer="rsa"}')
t=$(m 'ocspbox_follow_last_applied_timestamp_seconds{issuer="rsa"}')
if [ "$(m 'ocspbox_follow_error{issuer="rsa"}')" = 0 ] && [ "${v:-0}" -ge 4 ] &&
    [ $(($(date +%s) - ${t:-0})) -lt 10 ]; then
	pass "/metrics once fixed: follow_error 0, $v versions, applied just now"
else
	fail "/metrics once fixed: follow_error 0, versions, applied just now" "$(grep follow "$TMP/metrics")"
fi
# The shipped alert rules: promtool takes them, and each metric they
# name is one this server serves (a follower, CRLs, issuers: all here).
run promtool check rules packaging/prometheus/ocspbox.rules.yml
same "promtool check rules: the shipped alerts" "$RC $(printf '%s\n' "$OUT" | grep -c 'SUCCESS: 12 rules found')" "0 1"
missing=
for n in $(grep -o 'ocspbox_[a-z_]*' packaging/prometheus/ocspbox.rules.yml | sort -u); do
	grep -q "^$n[{ ]" "$TMP/metrics" || missing="$missing $n"
done
same "every metric the alert rules name is served" "${missing:-none}" none
same "the stats once fixed: no error, the path" "$(stats '.follow[0].error, .follow[0].path' | tr '\n' ' ')" \
    "null $CA/index.txt "

# A line caught mid-write waits for its end (written here by hand: a
# line openssl ca writes whole could be applied before it is cut).
# stser SERIAL: the status of that serial of rsa, verified.
stser() {
	openssl ocsp -url "$URL/" -issuer "$PKI/ca-rsa.pem" -serial "0x$1" \
	    -CAfile "$PKI/ca-rsa.pem" 2>&1 | grep -A1 '^Response verify OK' |
	    sed -n "s|^0x$1: *||p"
}
# Cut after the serial: read as a whole line, the half would register it.
printf 'V\t301231235959Z\t\t0D0D\tunkn' >>"$CA/index.txt"
sleep 1.2
same "0D0D, its line half written: not yet registered" "$(stser 0D0D)" unknown
printf 'own\t/CN=d\n' >>"$CA/index.txt"
t0=$(now_ms)
while [ $(($(now_ms) - t0)) -lt 3000 ] && [ "$(stser 0D0D)" != good ]; do sleep 0.05; done
same "0D0D, its line finished: good" "$(stser 0D0D)" good
same "nothing said of the half line" "$(grep -c "follow rsa: .*; $skipped" "$TMP/server.err")" 1
# What openssl ca writes for -crl_hold and -crl_compromise (an argument
# after the reason): applied with their reasons, nothing skipped.
issue h && issue k || fail "openssl ca issues h and k"
openssl ca -config "$CA/ca.cnf" -revoke "$CA/h.pem" -crl_hold 1.2.840.10040.2.2 >/dev/null 2>&1 &&
    openssl ca -config "$CA/ca.cnf" -revoke "$CA/k.pem" -crl_compromise 20260101000000Z >/dev/null 2>&1 ||
    fail "openssl ca -revoke -crl_hold, -crl_compromise"
same "the index holds openssl's hold and keyTime forms" \
    "$(grep -c ',holdInstruction,1.2.840.10040.2.2	\|,keyTime,20260101000000Z	' "$CA/index.txt")" 2
until_st k revoked >/dev/null
for n in h:certificateHold k:keyCompromise; do
	out=$(openssl ocsp -url "$URL/" -issuer "$PKI/ca-rsa.pem" -cert "$CA/${n%%:*}.pem" \
	    -CAfile "$PKI/ca-rsa.pem" 2>&1)
	if printf '%s\n' "$out" | grep -q "Reason: ${n#*:}"; then
		pass "${n%%:*}: revoked, ${n#*:}"
	else
		fail "${n%%:*}: revoked, ${n#*:}" "$out"
	fi
done
same "no line skipped for them" "$(grep -c "follow rsa: .*; $skipped" "$TMP/server.err")" 1
# k's compromise time (keyTime) as its CRL entry's invalidityDate.
serial_k=$(openssl x509 -in "$CA/k.pem" -noout -serial | sed 's/^serial=//')
inv=none
for i in $(seq 50); do
	getcrl rsa "$TMP/rsa.crl" >/dev/null
	if chas "$TMP/rsa.crl" "$serial_k"; then
		inv=$(ctext "$TMP/rsa.crl" | grep -A8 "Serial Number: 0*$serial_k\$" |
		    grep -A1 'Invalidity Date' | sed -n '2s/^ *//p')
		break
	fi
	sleep 0.1
done
same "k on the CRL with its invalidity date" "$inv" "Jan  1 00:00:00 2026 GMT"
# openssl ca has no command to release a hold: its operator edits the
# line back to V (RFC 5280 5.3.1), which releases it; k's line edited
# the same way is kept revoked (keyCompromise is final), and said.
serial_h=$(openssl x509 -in "$CA/h.pem" -noout -serial | sed 's/^serial=//')
awk -F'\t' -v OFS='\t' -v h="$serial_h" -v k="$serial_k" \
    '($4 == h || $4 == k) && $1 == "R" { $1 = "V"; $3 = "" } { print }' \
    "$CA/index.txt" >"$CA/index.txt.new" && mv "$CA/index.txt.new" "$CA/index.txt"
within_1s "h, its line made V again: released, good" "$(until_st h good)"
same "k, its line made V: kept revoked" "$(st k)" revoked
same "the release and the kept revocation logged" \
    "$(grep -c "follow rsa: .*: 1 released from certificateHold\|follow rsa: .*: serial $(echo "$serial_k" | tr 'A-F' 'a-f' | sed 's/^0*//') is revoked here otherwise than its V line says: kept revoked" "$TMP/server.err")" 2
found=yes
for i in $(seq 50); do
	getcrl rsa "$TMP/rsa.crl" >/dev/null
	chas "$TMP/rsa.crl" "$serial_h" || { found=no; break; }
	sleep 0.1
done
same "h off the CRL within 5 s" "$found" no
stop_checked "serve --follow-index"

# easy-rsa (Debian's easy-rsa, behind many OpenVPN PKIs): its pki/index.txt
# followed, a client certificate built and revoked while serving.
ER=/usr/share/easy-rsa/easyrsa
if [ -x "$ER" ]; then
	export EASYRSA_BATCH=1 EASYRSA_PKI="$TMP/er/pki" EASYRSA_ALGO=ec EASYRSA_CURVE=prime256v1
	mkdir -p "$TMP/er"
	if (cd "$TMP/er" && "$ER" init-pki && "$ER" --req-cn="Test easy-rsa CA" build-ca nopass) \
	    >"$TMP/er.log" 2>&1; then
		pass "easy-rsa: init-pki, build-ca"
	else
		fail "easy-rsa: init-pki, build-ca" "$(tail -n 5 "$TMP/er.log")"
	fi
	ok "issuer add er: easy-rsa's CA, an automatic responder" "automatic responder" \
	    ob issuer add er --cert "$EASYRSA_PKI/ca.crt" --ca-key "$EASYRSA_PKI/private/ca.key" \
	    --auto-responder
	# erst NAME: what openssl ocsp reads for easy-rsa's NAME (a copy
	# in $TMP: revoke moves it), verified.
	erst() {
		openssl ocsp -url "$URL/" -issuer "$EASYRSA_PKI/ca.crt" \
		    -cert "$TMP/$1.crt" -CAfile "$EASYRSA_PKI/ca.crt" 2>&1 |
		    grep -A1 '^Response verify OK' | sed -n "s|^.*$1.crt: *||p"
	}
	# until_er NAME WANT: as until_st.
	until_er() {
		t0=$(now_ms)
		while [ $(($(now_ms) - t0)) -lt 3000 ]; do
			[ "$(erst "$1")" = "$2" ] && { echo $(($(now_ms) - t0)); return; }
			sleep 0.05
		done
		echo never
	}
	if start_server "$DB" --follow-index "er=$EASYRSA_PKI/index.txt"; then
		(cd "$TMP/er" && "$ER" build-client-full vpn1 nopass) >"$TMP/er.log" 2>&1 ||
		    fail "easyrsa build-client-full vpn1" "$(tail -n 5 "$TMP/er.log")"
		cp "$EASYRSA_PKI/issued/vpn1.crt" "$TMP/vpn1.crt"
		within_1s "easy-rsa: vpn1, built while serving: good" "$(until_er vpn1 good)"
		(cd "$TMP/er" && "$ER" revoke vpn1 keyCompromise) >"$TMP/er.log" 2>&1 ||
		    fail "easyrsa revoke vpn1" "$(tail -n 5 "$TMP/er.log")"
		within_1s "easy-rsa: vpn1, revoked: revoked" "$(until_er vpn1 revoked)"
		out=$(openssl ocsp -url "$URL/" -issuer "$EASYRSA_PKI/ca.crt" \
		    -cert "$TMP/vpn1.crt" -CAfile "$EASYRSA_PKI/ca.crt" 2>&1)
		if printf '%s\n' "$out" | grep -q 'Reason: keyCompromise'; then
			pass "easy-rsa: the reason it wrote"
		else
			fail "easy-rsa: the reason it wrote" "$out"
		fi
		stop_checked "serve following easy-rsa"
	else
		fail "serve --follow-index er=... starts"
	fi
	unset EASYRSA_BATCH EASYRSA_PKI EASYRSA_ALGO EASYRSA_CURVE
else
	fail "easy-rsa is installed" "scripts/deps.sh test installs easy-rsa"
fi

# Without inotify (the sanitizer builds' test hook): the look every
# second alone.
if "$OCSPBOX" --version | grep -q 'test-hooks$'; then
	if OCSPBOX_TEST_NO_INOTIFY=1 start_server "$DB" --follow-index "rsa=$CA/index.txt"; then
		same "without inotify: said so" "$(grep -c 'follow rsa: no inotify.*looking every 1000 ms' "$TMP/server.err")" 1
		issue g || fail "openssl ca issues g"
		ms=$(until_st g good)
		if [ "$ms" != never ] && [ "$ms" -lt 1500 ]; then
			pass "without inotify: g, issued while serving, good within 1.5 s ($ms ms)"
		else
			fail "without inotify: g good within 1.5 s" "$ms"
		fi
		stop_checked "serve without inotify"
	else
		fail "serve without inotify starts"
	fi
fi

# $OCSPBOX_FOLLOW_INDEX, as a configuration file sets it; a relative
# path, made absolute from where serve started.
issue e || fail "openssl ca issues e"
case $OCSPBOX in /*) ;; *) OCSPBOX=$PWD/$OCSPBOX ;; esac
cd "$CA" || exit 1
OCSPBOX_FOLLOW_INDEX="rsa=index.txt" start_server "$DB"
started=$?
cd - >/dev/null || exit 1
if [ $started = 0 ]; then
	same "a relative path, made absolute" \
	    "$(grep -c "following $CA/index.txt for issuer rsa" "$TMP/server.err")" 1
	within_1s "\$OCSPBOX_FOLLOW_INDEX: e, issued while stopped, good" "$(until_st e good)"
	stop_checked "serve with \$OCSPBOX_FOLLOW_INDEX"
else
	fail "serve with \$OCSPBOX_FOLLOW_INDEX starts"
fi
finish
