-- 000028_auto_responder.up.sql
--
-- Automatic delegated responders (`issuer add --auto-responder`): ocspbox
-- issues the issuer's OCSP responder certificate itself, signed with the
-- CA's key (issuers.crl_key_path, given as --ca-key), with a fresh key of
-- its own kept beside the database, and renews it before it expires.
--
-- issuers.auto_responder_life_s: how long each certificate ocspbox issues
-- for the issuer lives, in seconds (--responder-life, default 30 days);
-- NULL when the issuer's responder is the operator's (--responder-cert),
-- which ocspbox never replaces by itself.
--
-- responder_certs.generated: ocspbox made this certificate and its key
-- file (in the directory `<database>.keys/`); the key file is ocspbox's
-- to delete once the row is gone or inactive. An operator's key file
-- (generated FALSE) is never deleted.

ALTER TABLE issuers
    ADD COLUMN auto_responder_life_s BIGINT CHECK (auto_responder_life_s > 0);

ALTER TABLE responder_certs
    ADD COLUMN generated BOOLEAN NOT NULL DEFAULT FALSE;
