DROP INDEX IF EXISTS idx_ocsp_response_cache_refresh;
