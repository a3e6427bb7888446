-- 000027_issuer_name_aliases.up.sql
--
-- Other encodings of an issuer's name, as CertIDs carry them. RFC 6960
-- 4.1.1 hashes the issuer's distinguished name as the issuer field of the
-- certificate being checked holds it (mozilla::pkix hashes exactly that);
-- a CA whose own subject encodes the same name with other string types
-- (PrintableString in its certificate, UTF8String in its leaves' issuer
-- field: both valid, and chains verify) is then named by hashes other
-- than issuers.name_sha1 and name_sha256. `cert add --cert` records the
-- hashes of the leaf's issuer Name DER here when they differ from the
-- issuer's own, once it has checked that the issuer signed the leaf. A
-- CertID matches an issuer on its key hash and its subject's name hash or
-- one of these.
CREATE TABLE IF NOT EXISTS issuer_name_aliases (
    issuer_id         TEXT NOT NULL REFERENCES issuers(id) ON DELETE CASCADE,
    name_sha1         BYTEA NOT NULL,
    name_sha256       BYTEA NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (issuer_id, name_sha1),
    CHECK (length(name_sha1) = 20 AND length(name_sha256) = 32)
);
