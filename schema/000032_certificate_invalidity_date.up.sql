-- 000032_certificate_invalidity_date.up.sql
--
-- RFC 5280 5.3.2: the invalidity date of a revoked certificate, when the
-- private key is known or suspected to have been compromised, which may
-- be earlier than the revocation. `openssl ca -revoke -crl_compromise T`
-- and `-crl_CA_compromise T` write it into the CA's index (keyTime,
-- CAkeyTime); ocspbox keeps it from `cert import` and a followed index
-- and puts it in the CRL entry's invalidityDate extension. NULL: none
-- (a revocation without one, or any revocation made before this).
ALTER TABLE certificates
    ADD COLUMN invalidity_date TIMESTAMPTZ;
