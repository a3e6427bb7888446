#!/bin/sh
# Remakes the OCSPRequest vectors in this directory with openssl ocsp
# (and python3 for the shapes openssl cannot emit) over a fresh test PKI
# from scripts/mkpki.sh. The keys (hence issuerKeyHash, nonces and
# signatures) change on every run, so after running it update the table
# in tests/unit/test_ocsp_req.c (`openssl asn1parse -inform DER -i -in F`
# shows the CertID offsets). Usage: tests/vectors/ocsp_req/make.sh
set -eu
out=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$out/../../.." && pwd)
pki=$(mktemp -d)
trap 'rm -rf "$pki"' EXIT
sh "$top/scripts/mkpki.sh" "$pki" >/dev/null
cd "$pki"

req() { # NAME ARGS...: one request from openssl ocsp
	name=$1
	shift
	openssl ocsp "$@" -reqout "$out/$name.der" >/dev/null
}

# SHA-1 CertID with openssl's default nonce (16 octets in OpenSSL 3).
req sha1-nonce -issuer ca-rsa.pem -cert leaf1.pem
req sha1-nononce -no_nonce -issuer ca-rsa.pem -cert leaf1.pem
# -sha256 applies to the -cert/-serial that follow it.
req sha256 -sha256 -issuer ca-ec.pem -cert leaf-ec.pem
req three -issuer ca-rsa.pem -cert leaf1.pem -cert leaf2.pem \
    -serial 0x0A03
# Serial 0x8A01 is DER 00 8A 01: the sign byte.
req serial00 -no_nonce -issuer ca-rsa.pem -serial 0x8A01
# Signed: signature, requestorName (the signer's name) and its cert.
req signed -issuer ca-rsa.pem -cert leaf1.pem -signer resp-rsa.pem \
    -signkey resp-rsa.key
req signed-nocerts -no_nonce -issuer ca-rsa.pem -cert leaf2.pem \
    -signer resp-rsa.pem -signkey resp-rsa.key -no_certs

# Nonces of chosen lengths, a bare nonce (no inner OCTET STRING, as old
# clients send) and an empty issuerKeyHash (as Windows certutil sends),
# all derived from the plain SHA-1 request.
python3 - "$out" <<'PY'
import os, sys

out = sys.argv[1]

def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        hdr = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        hdr = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + hdr + body

def split(der):
    """[(tag, contents)] of the TLVs in der."""
    items = []
    while der:
        tag, n, i = der[0], der[1], 2
        if n & 0x80:
            k = n & 0x7F
            n, i = int.from_bytes(der[2:2 + k], "big"), 2 + k
        items.append((tag, der[i:i + n]))
        der = der[i + n:]
    return items

NONCE_OID = bytes.fromhex("06092b0601050507300102")

def with_ext(base, extn_value):
    (_, outer), = split(base)
    (_, tbs), = split(outer)
    ext = tlv(0x30, NONCE_OID + tlv(0x04, extn_value))
    tbs = tbs + tlv(0xA2, tlv(0x30, ext))
    return tlv(0x30, tlv(0x30, tbs))

def write(name, der):
    with open(os.path.join(out, name + ".der"), "wb") as f:
        f.write(der)

base = open(os.path.join(out, "sha1-nononce.der"), "rb").read()
write("nonce32", with_ext(base, tlv(0x04, os.urandom(32))))
write("nonce33", with_ext(base, tlv(0x04, os.urandom(33))))
write("nonce-bare", with_ext(base, os.urandom(16)))

# Empty issuerKeyHash: rebuild the one CertID.
(_, outer), = split(base)
(_, tbs), = split(outer)
(_, reqlist), = split(tbs)
(_, request), = split(reqlist)
(_, certid), = split(request)
alg, name, key, serial = split(certid)
certid = tlv(0x30, tlv(alg[0], alg[1]) + tlv(0x04, name[1]) +
             tlv(0x04, b"") + tlv(0x02, serial[1]))
write("keyhash-empty", tlv(0x30, tlv(0x30, tlv(0x30, tlv(0x30, certid)))))
PY
