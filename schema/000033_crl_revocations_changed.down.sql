ALTER TABLE crl_cache DROP COLUMN revocations_changed;
