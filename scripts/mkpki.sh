#!/bin/sh
# Makes a small test PKI with openssl in DIR: an RSA CA and an ECDSA P-256
# CA, each with a delegated OCSP responder, a few leaves, and the broken
# variants the tests need. Keys are mode 0600. Usage: mkpki.sh DIR
set -eu
dir=${1:?usage: mkpki.sh DIR}
mkdir -p "$dir"
cd "$dir"
umask 077

cat >ext.cnf <<'CNF'
[ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[responder]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
noCheck = ignored
[noeku]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
[leaf]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
CNF

key() { # NAME rsa|ec|ec384
	case $2 in
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out "$1.key" 2>/dev/null ;;
	ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$1.key" ;;
	ec384) openssl genpkey -algorithm EC \
	    -pkeyopt ec_paramgen_curve:P-384 -out "$1.key" ;;
	esac
}
ca() { # NAME ALG CN
	key "$1" "$2"
	openssl req -x509 -new -key "$1.key" -subj "/O=ocspbox test/CN=$3" \
	    -days 3650 -sha256 -extensions ca -config ext.cnf \
	    -out "$1.pem" 2>/dev/null
}
issue() { # NAME ALG CA EXT CN SERIAL [DAYS]; $FAKE may prefix openssl x509
	key "$1" "$2"
	openssl req -new -key "$1.key" -subj "/O=ocspbox test/CN=$5" \
	    -out "$1.csr" 2>/dev/null
	${FAKE:-} openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" \
	    -set_serial "$6" -days "${7:-825}" -sha256 -extfile ext.cnf \
	    -extensions "$4" -out "$1.pem" 2>/dev/null
	rm -f "$1.csr"
}

ca ca-rsa rsa "Test RSA CA"
issue resp-rsa rsa ca-rsa responder "Test RSA OCSP responder" 0x1001
ca ca-ec ec "Test EC CA"
issue resp-ec ec ca-ec responder "Test EC OCSP responder" 0x2001
ca ca-ec384 ec384 "Test EC P-384 CA"
issue resp-ec384 ec384 ca-ec384 responder "Test EC P-384 responder" 0x3001
# A CA that signs its own OCSP responses, and one nobody registers.
ca ca-own ec "Test self-answering CA"
ca ca-other rsa "Test CA not served"
issue leaf-other ec ca-other leaf "leaf-other.example" 0x0C01
issue resp-noeku rsa ca-rsa noeku "Responder without EKU" 0x1002
issue leaf1 ec ca-rsa leaf "leaf1.example" 0x0A01
issue leaf2 ec ca-rsa leaf "leaf2.example" 0x0A02
issue leaf-ec ec ca-ec leaf "leaf-ec.example" 0x0B01
# Responders outside their validity (issued with the clock moved by
# libfaketime's faketime): one expired two days ago, one valid from three
# days ahead.
if command -v faketime >/dev/null 2>&1; then
	FAKE="faketime -f -3d" issue resp-expired ec ca-rsa responder \
	    "Expired responder" 0x1003 1
	FAKE="faketime -f +3d" issue resp-future ec ca-rsa responder \
	    "Future responder" 0x1004 30
	FAKE=
fi
# A key readable by others, for the permission check.
cp resp-rsa.key open.key
chmod 644 open.key
# Not PEM at all.
echo "this is not a certificate" >garbage.pem
chmod 644 *.pem garbage.pem
