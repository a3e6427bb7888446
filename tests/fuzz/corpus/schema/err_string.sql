INSERT INTO t VALUES ('unterminated
