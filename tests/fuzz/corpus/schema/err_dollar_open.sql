CREATE TABLE t (a TEXT DEFAULT $tag$ never closed $ta$);
