ALTER TABLE certificates DROP COLUMN invalidity_date;
