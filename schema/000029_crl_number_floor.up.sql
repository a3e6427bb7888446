-- 000029_crl_number_floor.up.sql
--
-- RFC 5280 5.2.3: a CRL issuer's cRLNumbers increase monotonically. The
-- numbers an issuer's CRLs carried live in crl_cache and
-- crl_generation_events, which go with the issuer (ON DELETE CASCADE); a
-- CA removed (`issuer remove`) and registered again, under its old id or
-- another, would start again at 1, and a relying party or cache holding
-- a higher number would take every new CRL for an older one.
--
-- `issuer remove` records here, in its transaction, the highest number
-- the issuer's CRLs carried, by the CA's key (issuers.key_sha1: the
-- issuerKeyHash, which names the CA whatever its id); the first CRL
-- ocspbox builds for an issuer of that key takes the next number. Rows
-- are never deleted: a few dozen bytes per CA ever removed.
CREATE TABLE IF NOT EXISTS crl_number_floor (
    key_sha1          BYTEA PRIMARY KEY CHECK (length(key_sha1) = 20),
    crl_number_hex    TEXT NOT NULL CHECK (length(crl_number_hex) = 40),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
