DROP INDEX IF EXISTS idx_certificates_status_updated;
ALTER TABLE crl_generation_events DROP COLUMN last_at;
ALTER TABLE crl_generation_events DROP COLUMN repeated;
ALTER TABLE certificates DROP COLUMN revocation_source;
