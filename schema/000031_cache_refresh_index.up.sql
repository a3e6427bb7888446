-- 000031_cache_refresh_index.up.sql
--
-- The refresh pass lists the certificates whose cached answer is due:
-- missing, or falling due by its nextUpdate, or signed with another
-- status, time or responder. It reads those columns of every cached
-- answer beside its certificate. Read from the table, they bring each
-- answer's page with them: at a million certificates about 1 GB read per
-- pass, nearly all of it for answers that are not due. This index holds
-- the columns the listing compares (the key first, in the order the pass
-- walks), so a pass reads some 80 bytes per answer instead of a page per
-- four. The listing names it (INDEXED BY): SQLite would otherwise take
-- the primary key's index, which finds the same rows but then reads the
-- table.
CREATE INDEX IF NOT EXISTS idx_ocsp_response_cache_refresh
    ON ocsp_response_cache(issuer_id, serial_hex, next_update, this_update,
        cert_status, generated_at);
