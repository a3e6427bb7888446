CREATE TABLE t (tags TEXT[] DEFAULT '{}'::text[]);
