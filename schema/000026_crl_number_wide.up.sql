-- 000026_crl_number_wide.up.sql
--
-- cRLNumbers of up to 20 octets (RFC 5280 5.2.3), beyond BIGINT. 000019's
-- crl_number stays, exact up to 2^63 - 1 and 9223372036854775807 (2^63 - 1)
-- for any larger number; crl_number_hex holds every number exactly, as 40
-- lower-case hex digits, zero-padded, so that comparing two as text
-- compares them as integers. Rows written before this migration have
-- crl_number_hex NULL and an exact crl_number: ocspbox reads a row's
-- number as crl_number_hex, else crl_number, so a database migrated
-- earlier keeps its numbers without being rewritten. NULL in a failed
-- generation event, as crl_number is.

ALTER TABLE crl_cache
    ADD COLUMN crl_number_hex TEXT CHECK (length(crl_number_hex) = 40);

ALTER TABLE crl_generation_events
    ADD COLUMN crl_number_hex TEXT CHECK (length(crl_number_hex) = 40);
