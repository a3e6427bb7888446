-- 000033_crl_revocations_changed.up.sql
--
-- Whether an issuer's revoked certificates changed since its CRL was
-- stored in a way that their count does not show: a certificateHold
-- released (`ocspbox unrevoke`, or its index line made V again) or made
-- a revocation for another reason (RFC 5280 5.3.1), a revoked
-- certificate removed (`cert remove --revoked-too`). The transaction
-- that makes such a change sets it; the one that stores the issuer's
-- next CRL clears it. The CRL thread builds a CRL again when it is set,
-- as it does when the count differs (a revocation added).
ALTER TABLE crl_cache
    ADD COLUMN revocations_changed BOOLEAN NOT NULL DEFAULT FALSE;
