#!/bin/sh
# Sets up a demo: a test PKI under demo/, a database with one issuer (a
# CA with a delegated RSA responder), two certificates, one of them
# revoked, and shows what the database holds. Safe to run again.
set -eu
bin=${OCSPBOX:-build/ocspbox}
dir=demo
db=$dir/ocspbox.db
if [ ! -f "$dir/pki/ca-rsa.pem" ]; then
	echo "demo: making a test PKI in $dir/pki"
	sh scripts/mkpki.sh "$dir/pki"
fi
export OCSPBOX_DB=$db
"$bin" migrate
if ! "$bin" issuer list | grep -q '^demo '; then
	"$bin" issuer add demo --cert "$dir/pki/ca-rsa.pem" \
	    --responder-cert "$dir/pki/resp-rsa.pem" \
	    --responder-key "$dir/pki/resp-rsa.key" \
	    --crl-key "$dir/pki/ca-rsa.key"
	"$bin" cert add demo --cert "$dir/pki/leaf1.pem"
	"$bin" cert add demo --cert "$dir/pki/leaf2.pem"
	"$bin" revoke demo a02 --reason keyCompromise
fi
echo
"$bin" issuer list
echo
echo "Certificates in $db:"
sqlite3 -header -column "$db" \
    "SELECT issuer_id, serial_hex, status, not_after, revoked_at,
            revocation_reason FROM certificates ORDER BY serial_hex"
echo
echo "Try: OCSPBOX_DB=$db $bin --help"
