ALTER TABLE crl_generation_events DROP COLUMN crl_number_hex;
ALTER TABLE crl_cache DROP COLUMN crl_number_hex;
