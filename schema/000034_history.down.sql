CREATE INDEX IF NOT EXISTS idx_certificates_revoked
    ON certificates(issuer_id, status);
DROP INDEX IF EXISTS idx_certificates_issuer_status_not_after;
DROP INDEX IF EXISTS idx_certificates_revocation_recorded;
ALTER TABLE crl_generation_events DROP COLUMN last_at;
ALTER TABLE crl_generation_events DROP COLUMN repeated;
ALTER TABLE certificates DROP COLUMN revocation_recorded_at;
ALTER TABLE certificates DROP COLUMN revocation_source;
