-- 000001_issuers.up.sql
--
-- The CAs ocspbox answers for, and the certificate and key each one signs
-- OCSP responses with. An OCSP CertID names its issuer by two hashes (of
-- the issuer's subject name DER and of its public key BIT STRING); both are
-- stored for SHA-1 and SHA-256 so a request is matched by index lookup.
--
-- Private keys never enter the database: only the path of a key file
-- (mode 0600 or stricter, checked on load) is kept.

CREATE TABLE IF NOT EXISTS issuers (
    id                TEXT PRIMARY KEY,
    subject           TEXT NOT NULL,
    cert_der          BYTEA NOT NULL,
    name_sha1         BYTEA NOT NULL,
    key_sha1          BYTEA NOT NULL,
    name_sha256       BYTEA NOT NULL,
    key_sha256        BYTEA NOT NULL,
    not_after         TIMESTAMPTZ NOT NULL,
    crl_key_path      TEXT,                    -- nullable; no CRL without it
    created_at        TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CHECK (id <> '')
);

-- CertID matching (RFC 6960 4.1.1) compares both hashes; one CA may be
-- registered once, or a CertID would name two issuers.
CREATE UNIQUE INDEX IF NOT EXISTS idx_issuers_certid_sha1
    ON issuers(key_sha1, name_sha1);
CREATE UNIQUE INDEX IF NOT EXISTS idx_issuers_certid_sha256
    ON issuers(key_sha256, name_sha256);

-- One active responder per issuer; the responder may be the CA itself
-- (is_ca), otherwise a delegated certificate issued by the CA with
-- id-kp-OCSPSigning (RFC 6960 4.2.2.2).
CREATE TABLE IF NOT EXISTS responder_certs (
    id                SERIAL PRIMARY KEY,
    issuer_id         TEXT NOT NULL REFERENCES issuers(id) ON DELETE CASCADE,
    cert_der          BYTEA NOT NULL,
    key_path          TEXT NOT NULL,
    key_algorithm     VARCHAR(16) NOT NULL,    -- 'rsa' | 'ec-p256' | 'ec-p384'
    subject           TEXT NOT NULL,
    not_before        TIMESTAMPTZ NOT NULL,
    not_after         TIMESTAMPTZ NOT NULL,
    is_ca             BOOLEAN NOT NULL DEFAULT FALSE,
    active            BOOLEAN NOT NULL DEFAULT TRUE,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CHECK (key_algorithm IN ('rsa', 'ec-p256', 'ec-p384'))
);

CREATE INDEX IF NOT EXISTS idx_responder_certs_issuer
    ON responder_certs(issuer_id);
