-- A migration in the seed's dialect touching every supported statement.
-- Comments, like this one, do not reach the output.

CREATE TABLE IF NOT EXISTS issuers (
    id              TEXT PRIMARY KEY,
    name            VARCHAR(255) NOT NULL UNIQUE,
    cert_der        BYTEA NOT NULL,
    name_hash_sha1  BYTEA NOT NULL,          -- CertID issuerNameHash
    key_hash_sha1   BYTEA NOT NULL,          /* CertID issuerKeyHash */
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE TABLE IF NOT EXISTS certificates (
    id                SERIAL PRIMARY KEY,
    issuer_id         TEXT NOT NULL REFERENCES issuers(id) ON DELETE CASCADE,
    serial_hex        TEXT NOT NULL,
    not_after         TIMESTAMP WITH TIME ZONE NOT NULL,
    status            VARCHAR(16) NOT NULL DEFAULT 'good'
                      CHECK (status IN ('good', 'revoked', 'unknown')),
    revoked_at        TIMESTAMPTZ,
    revocation_reason SMALLINT CHECK (revocation_reason BETWEEN 0 AND 10),
    metadata          JSONB NOT NULL DEFAULT '{}',
    UNIQUE (issuer_id, serial_hex)
);

CREATE INDEX IF NOT EXISTS idx_certificates_revoked
    ON certificates (issuer_id, revoked_at DESC)
    WHERE status = 'revoked';

ALTER TABLE certificates ADD COLUMN notes TEXT DEFAULT 'it''s -- not a comment; really';

INSERT INTO issuers (id, name, cert_der, name_hash_sha1, key_hash_sha1, enabled)
VALUES ('iss-1', 'Test CA', 'der', 'nh', 'kh', FALSE);

DROP INDEX IF EXISTS idx_old;
DROP TABLE IF EXISTS old_cache CASCADE;
