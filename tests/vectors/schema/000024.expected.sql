CREATE TABLE IF NOT EXISTS ocsp_response_cache (
    issuer_id         TEXT NOT NULL REFERENCES issuers(id) ON DELETE CASCADE,
    serial_hex        TEXT NOT NULL,
    response_der      BLOB NOT NULL,
    cert_status       TEXT NOT NULL,
    revocation_reason INTEGER,
    revoked_at        TEXT,
    this_update       TEXT NOT NULL,
    next_update       TEXT NOT NULL,
    generated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
    PRIMARY KEY (issuer_id, serial_hex)
);
CREATE INDEX IF NOT EXISTS idx_ocsp_response_cache_next_update
    ON ocsp_response_cache(next_update);
CREATE INDEX IF NOT EXISTS idx_ocsp_response_cache_issuer
    ON ocsp_response_cache(issuer_id);
