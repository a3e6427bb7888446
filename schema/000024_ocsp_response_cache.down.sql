DROP INDEX IF EXISTS idx_ocsp_response_cache_issuer;
DROP INDEX IF EXISTS idx_ocsp_response_cache_next_update;
DROP TABLE IF EXISTS ocsp_response_cache;
