CREATE TABLE IF NOT EXISTS issuers (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    cert_der        BLOB NOT NULL,
    name_hash_sha1  BLOB NOT NULL,
    key_hash_sha1   BLOB NOT NULL,
    enabled         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE TABLE IF NOT EXISTS certificates (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    issuer_id         TEXT NOT NULL REFERENCES issuers(id) ON DELETE CASCADE,
    serial_hex        TEXT NOT NULL,
    not_after         TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'good'
                      CHECK (status IN ('good', 'revoked', 'unknown')),
    revoked_at        TEXT,
    revocation_reason INTEGER CHECK (revocation_reason BETWEEN 0 AND 10),
    metadata          TEXT NOT NULL DEFAULT '{}',
    UNIQUE (issuer_id, serial_hex)
);
CREATE INDEX IF NOT EXISTS idx_certificates_revoked
    ON certificates (issuer_id, revoked_at DESC)
    WHERE status = 'revoked';
ALTER TABLE certificates ADD COLUMN notes TEXT DEFAULT 'it''s -- not a comment; really';
INSERT INTO issuers (id, name, cert_der, name_hash_sha1, key_hash_sha1, enabled)
VALUES ('iss-1', 'Test CA', 'der', 'nh', 'kh', 0);
DROP INDEX IF EXISTS idx_old;
DROP TABLE IF EXISTS old_cache;
