#!/usr/bin/env python3
"""OCSP requests that openssl ocsp cannot make, and what answers hold.

  ocspder.py req --key-of CA.pem (--name-of CERT.pem | --issuer-of LEAF.pem)
                 (--serial HEX | --serial-of LEAF.pem) [--sha256]
                 [--empty-key] OUT.der
      One OCSPRequest (RFC 6960 4.1.1), no nonce: issuerNameHash over
      the subject Name of CERT, or over the issuer field of LEAF, as it
      is encoded there; issuerKeyHash over CA's subjectPublicKey BIT
      STRING, or empty (as Windows certutil sends); the serial a signed
      hex ("-66" is the INTEGER 9a), or LEAF's own INTEGER.
  ocspder.py certid REQ.der          the hex of the request's CertIDs
  ocspder.py resp RESP.der           "status N", then "HEX STATUS" per
                                     SingleResponse (certID, good /
                                     revoked / unknown)
  ocspder.py name CERT.pem subject|issuer
                                     the SHA-1 of that Name's DER
  ocspder.py serial CERT.pem         the hex of its serial INTEGER's
                                     contents

A small DER reader and writer, nothing else: the tests stay independent
of ocspbox's own codecs.
"""
import base64
import hashlib
import sys

SHA1 = bytes.fromhex("300906052b0e03021a0500")
SHA256 = bytes.fromhex("300d06096086480165030402010500")


def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        hdr = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        hdr = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + hdr + body


def items(der):
    """[(tag, contents, whole TLV)] of the TLVs one after another in der."""
    out = []
    while der:
        tag, n, i = der[0], der[1], 2
        if n & 0x80:
            k = n & 0x7F
            n, i = int.from_bytes(der[2:2 + k], "big"), 2 + k
        out.append((tag, der[i:i + n], der[:i + n]))
        der = der[i + n:]
    return out


def one(der):
    (t,) = items(der)
    return t


def load_cert(path):
    data = open(path, "rb").read()
    if b"-----BEGIN" in data:
        b64 = data.split(b"-----BEGIN CERTIFICATE-----")[1]
        data = base64.b64decode(b64.split(b"-----END")[0])
    return data


def tbs_fields(path):
    """serial, issuer, subject, spki of a certificate (whole TLVs)."""
    _, cert, _ = one(load_cert(path))
    _, tbs, _ = items(cert)[0]
    f = items(tbs)
    if f[0][0] == 0xA0:  # [0] version
        f = f[1:]
    return {"serial": f[0], "issuer": f[2][2], "subject": f[4][2],
            "spki": f[5][1]}


def key_bits(path):
    alg, bits = items(tbs_fields(path)["spki"])[:2]
    return bits[1][1:]  # past the unused-bits octet


def signed_int(hexstr):
    """The minimal two's complement contents of a signed hex INTEGER."""
    v = int(hexstr, 16)
    n = 1
    while True:
        try:
            return v.to_bytes(n, "big", signed=True)
        except OverflowError:
            n += 1


def request(a):
    flags = ("--sha256", "--empty-key")
    opt, i = {}, 0
    while i < len(a) - 1:
        if a[i] in flags:
            opt[a[i]] = True
            i += 1
        else:
            opt[a[i]] = a[i + 1]
            i += 2
    sha256 = "--sha256" in opt
    empty = "--empty-key" in opt
    h = hashlib.sha256 if sha256 else hashlib.sha1
    if "--name-of" in opt:
        name = tbs_fields(opt["--name-of"])["subject"]
    else:
        name = tbs_fields(opt["--issuer-of"])["issuer"]
    key = b"" if empty else h(key_bits(opt["--key-of"])).digest()
    if "--serial" in opt:
        serial = signed_int(opt["--serial"])
    else:
        serial = tbs_fields(opt["--serial-of"])["serial"][1]
    certid = tlv(0x30, (SHA256 if sha256 else SHA1) + tlv(0x04, h(name).digest())
                 + tlv(0x04, key) + tlv(0x02, serial))
    # OCSPRequest { TBSRequest { requestList { Request { reqCert } } } }
    der = tlv(0x30, tlv(0x30, tlv(0x30, tlv(0x30, certid))))
    with open(a[-1], "wb") as f:
        f.write(der)


def req_certids(path):
    _, req, _ = one(open(path, "rb").read())
    _, tbs, _ = items(req)[0]
    for tag, body, _ in items(tbs):
        if tag == 0x30:  # requestList
            for _, r, _ in items(body):
                print(items(r)[0][2].hex())


def resp(path):
    _, body, _ = one(open(path, "rb").read())
    f = items(body)
    print("status", f[0][1][0])
    if len(f) < 2:
        return
    _, rb, _ = one(f[1][1])  # [0] EXPLICIT ResponseBytes
    _, basic, _ = one(items(rb)[1][1])
    _, tbs, _ = items(basic)[0]
    f = items(tbs)
    if f[0][0] == 0xA0:
        f = f[1:]
    names = {0x80: "good", 0xA1: "revoked", 0x82: "unknown"}
    for _, single, _ in items(f[2][1]):
        s = items(single)
        print(s[0][2].hex(), names.get(s[1][0], "?"))


def main(a):
    cmd = a[0]
    if cmd == "req":
        request(a[1:])
    elif cmd == "certid":
        req_certids(a[1])
    elif cmd == "resp":
        resp(a[1])
    elif cmd == "name":
        print(hashlib.sha1(tbs_fields(a[1])[a[2]]).hexdigest())
    elif cmd == "serial":
        print(tbs_fields(a[1])["serial"][1].hex())
    else:
        sys.exit("usage: see the top of " + sys.argv[0])


if __name__ == "__main__":
    main(sys.argv[1:])
