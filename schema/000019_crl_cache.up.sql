-- 000019_crl_cache.up.sql
--
-- Pre-signed CRL per issuer: the pattern the OCSP response cache (000024)
-- mirrors. The refresh loop regenerates each issuer's CRL on every tick and
-- right after a revoke; the public listener serves crl_der as it is.
--
-- crl_number must rise monotonically and never be reused, also across
-- restarts: it is taken from crl_cache inside the transaction that stores
-- the new CRL.

CREATE TABLE IF NOT EXISTS crl_cache (
    issuer_id              TEXT PRIMARY KEY REFERENCES issuers(id) ON DELETE CASCADE,
    crl_der                BYTEA NOT NULL,
    crl_number             BIGINT NOT NULL,
    this_update            TIMESTAMPTZ NOT NULL,
    next_update            TIMESTAMPTZ NOT NULL,
    generated_at           TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    generation_duration_ms INTEGER NOT NULL DEFAULT 0,
    revoked_count          INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX IF NOT EXISTS idx_crl_cache_next_update
    ON crl_cache(next_update);

-- Every generation attempt, successful or not, for the panel and audits.
CREATE TABLE IF NOT EXISTS crl_generation_events (
    id                     BIGSERIAL PRIMARY KEY,
    issuer_id              TEXT NOT NULL REFERENCES issuers(id) ON DELETE CASCADE,
    crl_number             BIGINT,             -- nullable; no number on failure
    started_at             TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    duration_ms            INTEGER NOT NULL DEFAULT 0,
    revoked_count          INTEGER,
    succeeded              BOOLEAN NOT NULL,
    error                  TEXT
);

CREATE INDEX IF NOT EXISTS idx_crl_generation_events_issuer
    ON crl_generation_events(issuer_id, started_at);
