CREATE INDEX t_doc ON t USING gin (doc jsonb_path_ops);
