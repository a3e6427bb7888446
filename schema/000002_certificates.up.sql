-- 000002_certificates.up.sql
--
-- The certificates each issuer has issued, as far as revocation needs to
-- know them. A serial not in this table is "unknown" to OCSP. serial_hex is
-- canonical: lower-case hex, no leading zeros (the CLI canonicalises).
-- Expiry is not a status: a certificate past not_after keeps its row (a
-- revoked one stays on the CRL), the refresh loop just stops pre-signing it.

CREATE TABLE IF NOT EXISTS certificates (
    issuer_id         TEXT NOT NULL REFERENCES issuers(id) ON DELETE CASCADE,
    serial_hex        TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'good', -- 'good' | 'revoked'
    not_after         TIMESTAMPTZ,             -- nullable; unknown expiry never expires
    revoked_at        TIMESTAMPTZ,             -- set only when status='revoked'
    revocation_reason INTEGER,                 -- RFC 5280 CRLReason; set only when revoked
    subject           TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (issuer_id, serial_hex),
    CHECK (status IN ('good', 'revoked')),
    CHECK ((status = 'revoked') = (revoked_at IS NOT NULL)),
    CHECK (revocation_reason IS NULL OR
           (revocation_reason BETWEEN 0 AND 10 AND revocation_reason <> 7))
);

-- The refresh loop walks unexpired certificates; the CRL builder walks the
-- revoked ones of an issuer.
CREATE INDEX IF NOT EXISTS idx_certificates_not_after
    ON certificates(not_after);
CREATE INDEX IF NOT EXISTS idx_certificates_revoked
    ON certificates(issuer_id, status);
