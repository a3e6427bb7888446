/* nested /* comments */ */ -- and line comments
DROP TABLE IF EXISTS p CASCADE; ;
-- no trailing newline