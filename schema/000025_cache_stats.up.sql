-- 000025_cache_stats.up.sql
--
-- What the cache stats (CLI, admin API, panel) read besides the cache
-- itself, kept in the database so that every process sees the same
-- numbers: a `cache refresh` run from the command line shows up in the
-- server's stats, and a revoke by the CLI counts as an invalidation.
--
-- cache_counters: running totals since the database was created. The
-- server adds its hits, misses and live signs every few seconds; a revoke
-- adds to invalidations in its own transaction when it drops an entry.
CREATE TABLE IF NOT EXISTS cache_counters (
    name              TEXT PRIMARY KEY,        -- 'hits' | 'misses' | 'live_signs' | 'invalidations'
    value             BIGINT NOT NULL DEFAULT 0,
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

-- One row per refresh pass, by the server's thread or `cache refresh`;
-- the newest 1000 are kept.
CREATE TABLE IF NOT EXISTS cache_refresh_runs (
    id                BIGSERIAL PRIMARY KEY,
    started_at        TIMESTAMPTZ NOT NULL,
    duration_ms       BIGINT NOT NULL,
    signed            INTEGER NOT NULL,
    errors            INTEGER NOT NULL,
    dropped           INTEGER NOT NULL,
    source            TEXT NOT NULL,           -- 'serve' | 'cli'
    CHECK (source IN ('serve', 'cli'))
);

-- The admin listener's token when serve made one: only its SHA-256.
CREATE TABLE IF NOT EXISTS admin_tokens (
    id                SERIAL PRIMARY KEY,
    token_sha256      BYTEA NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
