#!/bin/sh
# Sets up a demo: a test PKI under demo/, a database with one issuer (a
# CA with a delegated RSA responder), two certificates, one of them
# revoked; shows what the database holds and serves it on 127.0.0.1:8080
# (DEMO_LISTEN to change), the admin API on 127.0.0.1:8081
# (DEMO_ADMIN_LISTEN), until Ctrl-C. Safe to run again.
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
echo "Certificates of issuer demo in $db:"
"$bin" cert list demo
listen=${DEMO_LISTEN:-127.0.0.1:8080}
admin=${DEMO_ADMIN_LISTEN:-127.0.0.1:8081}
url="http://$listen/"
# The demo's admin token, made once and kept beside the database.
token_file=$dir/admin-token
if [ ! -s "$token_file" ]; then
	(umask 077 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$token_file")
fi
token=$(cat "$token_file")
cat <<EOT

OCSP URL:  $url
CRL URL:   ${url}crl/demo.crl
Panel:     http://$admin/#token=$token
Admin API: http://$admin/api/v1/cache/stats (Bearer token in $token_file)
Try, in another terminal (leaf1 is good, leaf2 revoked):
  openssl ocsp -url $url -issuer $dir/pki/ca-rsa.pem -cert $dir/pki/leaf1.pem -CAfile $dir/pki/ca-rsa.pem -no_nonce
  openssl ocsp -url $url -issuer $dir/pki/ca-rsa.pem -cert $dir/pki/leaf2.pem -CAfile $dir/pki/ca-rsa.pem -no_nonce
  curl -s ${url}crl/demo.crl | openssl crl -inform DER -CAfile $dir/pki/ca-rsa.pem -noout -text
  curl -H "Authorization: Bearer $token" http://$admin/api/v1/cache/stats
(-no_nonce asks for the pre-signed answer; with a nonce it is signed live.)
Ctrl-C stops the responder.

EOT
exec "$bin" serve --listen "$listen" --admin-listen "$admin" \
    --admin-token-file "$token_file"
