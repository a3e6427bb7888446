INSERT INTO p (a, b, c) VALUES ('--;', NOW(), TRUE), (-1, 2.5e-3, NULL);
