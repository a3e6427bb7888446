DROP TABLE IF EXISTS responder_certs;
DROP TABLE IF EXISTS issuers;
