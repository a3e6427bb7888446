DROP TABLE IF EXISTS crl_generation_events;
DROP TABLE IF EXISTS crl_cache;
