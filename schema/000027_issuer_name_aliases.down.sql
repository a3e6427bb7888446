DROP TABLE IF EXISTS issuer_name_aliases;
