-- 000030_cache_unknown_index.up.sql
--
-- A certificate registered after its serial was answered "unknown" must
-- not keep that answer. `cert add` drops it line by line; `cert import`
-- of a million lines drops, once at its end, every "unknown" answer of a
-- serial now registered. Those answers are few (`serve --unknown-max`),
-- and this partial index finds them without reading every cached answer
-- of the issuer. The refresh pass's prune of expired "unknown" answers
-- uses it too.
CREATE INDEX IF NOT EXISTS idx_ocsp_response_cache_unknown
    ON ocsp_response_cache(issuer_id, serial_hex)
    WHERE cert_status = 'unknown';
