CREATE TABLE t (a TEXT CHECK (a ~* 'x'), b TEXT);
