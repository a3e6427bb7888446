CREATE INDEX IF NOT EXISTS p_expr ON p ((a + 1), "b" ASC, lower(c));
