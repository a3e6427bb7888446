ALTER TABLE responder_certs DROP COLUMN generated;
ALTER TABLE issuers DROP COLUMN auto_responder_life_s;
