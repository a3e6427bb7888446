INSERT INTO p (a) VALUES (E'\n');
