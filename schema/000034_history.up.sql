-- 000034_history.up.sql
--
-- What the panel's history view and GET /api/v1/history show: where
-- each revocation came from, and CRL build failures that repeat kept as
-- one event.
--
-- revocation_source: how the revocation was made: 'cli' (`ocspbox
-- revoke`), 'api' (POST /api/v1/revoke), 'import' (`cert import`),
-- 'follow' (serve --follow-index), 'crl' (`crl import`). NULL for one
-- made before this migration, and for a certificate not revoked.
ALTER TABLE certificates
    ADD COLUMN revocation_source TEXT;

-- revocation_recorded_at: when the database recorded the revocation (not
-- revoked_at, which `revoke --at` or an index may date back), set with
-- it and with a hold made another reason, not by a later change of the
-- row's expiry or subject. NULL for one made before this migration (the
-- row's updated_at stands in) and for a certificate not revoked.
ALTER TABLE certificates
    ADD COLUMN revocation_recorded_at TIMESTAMPTZ;

-- A failed build with the same error as the issuer's event before it
-- (a CA key that stays unreadable, tried every 30 s) raises repeated
-- and last_at of that event instead of adding one, so that failures
-- never push the successful builds out of the newest events kept.
ALTER TABLE crl_generation_events
    ADD COLUMN repeated INTEGER NOT NULL DEFAULT 1;
ALTER TABLE crl_generation_events
    ADD COLUMN last_at TIMESTAMPTZ;

-- The history's newest revocations, without reading every certificate.
CREATE INDEX IF NOT EXISTS idx_certificates_revocation_recorded
    ON certificates(status, revocation_recorded_at);

-- The stats count each issuer's certificates by status, and the expired
-- ones among the good, from the index alone; it serves the CRL builder's
-- revoked ones as idx_certificates_revoked did.
CREATE INDEX IF NOT EXISTS idx_certificates_issuer_status_not_after
    ON certificates(issuer_id, status, not_after);
DROP INDEX IF EXISTS idx_certificates_revoked;
