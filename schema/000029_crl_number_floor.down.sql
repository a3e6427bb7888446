DROP TABLE IF EXISTS crl_number_floor;
