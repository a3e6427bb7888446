DROP TABLE IF EXISTS certificates;
