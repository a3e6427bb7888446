DROP TABLE IF EXISTS admin_tokens;
DROP TABLE IF EXISTS cache_refresh_runs;
DROP TABLE IF EXISTS cache_counters;
