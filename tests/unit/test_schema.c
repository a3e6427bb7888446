/*
 * Unit tests for schema.c: table-driven translations (each also run through
 * a real SQLite), table-driven errors with their lines, golden files under
 * tests/vectors/schema/, the seed migration, and the fuzz seed corpus.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "codec.h"
#include "harness.h"

#define NOW "(strftime('%Y-%m-%dT%H:%M:%SZ','now'))"
#define SEED_DEFAULT "../shared/seed/000024_ocsp_response_cache.up.sql"
#define VECTORS "tests/vectors/schema/"
#define CORPUS "tests/fuzz/corpus/schema/"

/* What the translations in ok_vecs may refer to. */
#define SETUP \
	"CREATE TABLE issuers (id TEXT PRIMARY KEY);" \
	"CREATE TABLE p (id INTEGER PRIMARY KEY, a, b, c);" \
	"CREATE INDEX p_a ON p (a);"

static const struct ok_vec {
	const char *in;
	const char *want; /* the exact translation */
} ok_vecs[] = {
    /* types */
    {"CREATE TABLE t (a BYTEA)", "CREATE TABLE t (a BLOB);\n"},
    {"CREATE TABLE t (a TIMESTAMPTZ, b timestamp, c TIMESTAMP WITH TIME "
     "ZONE, d timestamp without time zone, e DATE, f timestamptz(3), "
     "g TIMESTAMP(6) WITH TIME ZONE)",
	"CREATE TABLE t (a TEXT, b TEXT, c TEXT, d TEXT, e TEXT, f TEXT, "
	"g TEXT);\n"},
    {"CREATE TABLE t (a TEXT, b VARCHAR(255), c CHARACTER VARYING(10), "
     "d CHAR(2), e character(1), f varchar)",
	"CREATE TABLE t (a TEXT, b TEXT, c TEXT, d TEXT, e TEXT, f TEXT);\n"},
    {"CREATE TABLE t (a INTEGER, b INT, c int4, d SMALLINT, e BIGINT, "
     "f INT8)",
	"CREATE TABLE t (a INTEGER, b INTEGER, c INTEGER, d INTEGER, "
	"e INTEGER, f INTEGER);\n"},
    {"CREATE TABLE t (id SERIAL PRIMARY KEY)",
	"CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT);\n"},
    {"CREATE TABLE t (id bigserial NOT NULL primary key)",
	"CREATE TABLE t (id INTEGER NOT NULL primary key AUTOINCREMENT);\n"},
    {"CREATE TABLE t (id SMALLSERIAL CONSTRAINT t_pk PRIMARY KEY)",
	"CREATE TABLE t (id INTEGER CONSTRAINT t_pk PRIMARY KEY "
	"AUTOINCREMENT);\n"},
    {"CREATE TABLE t (a BOOLEAN, b bool)",
	"CREATE TABLE t (a INTEGER, b INTEGER);\n"},
    {"CREATE TABLE t (a JSONB, b json)", "CREATE TABLE t (a TEXT, b TEXT);\n"},
    {"CREATE TABLE t (a REAL, b DOUBLE PRECISION)",
	"CREATE TABLE t (a REAL, b REAL);\n"},
    {"CREATE TABLE t (a NUMERIC, b NUMERIC(10), c DECIMAL(10, 2))",
	"CREATE TABLE t (a NUMERIC, b NUMERIC, c NUMERIC);\n"},
    {"CREATE TABLE t (a UUID)", "CREATE TABLE t (a TEXT);\n"},
    /* expressions */
    {"CREATE TABLE t (a TIMESTAMPTZ NOT NULL DEFAULT NOW())",
	"CREATE TABLE t (a TEXT NOT NULL DEFAULT " NOW ");\n"},
    {"CREATE TABLE t (a TIMESTAMPTZ DEFAULT now ( ) NOT NULL)",
	"CREATE TABLE t (a TEXT DEFAULT " NOW " NOT NULL);\n"},
    {"CREATE TABLE t (a TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP)",
	"CREATE TABLE t (a TEXT DEFAULT " NOW ");\n"},
    {"CREATE TABLE t (a BOOLEAN DEFAULT TRUE, b BOOLEAN DEFAULT false)",
	"CREATE TABLE t (a INTEGER DEFAULT 1, b INTEGER DEFAULT 0);\n"},
    {"CREATE TABLE t (a INT DEFAULT -1, b TEXT DEFAULT 'x', c TEXT "
     "DEFAULT NULL, d REAL DEFAULT 1.5e3)",
	"CREATE TABLE t (a INTEGER DEFAULT -1, b TEXT DEFAULT 'x', c TEXT "
	"DEFAULT NULL, d REAL DEFAULT 1.5e3);\n"},
    {"CREATE TABLE t (a INT DEFAULT 1 + 2 NOT NULL, b INT DEFAULT (7))",
	"CREATE TABLE t (a INTEGER DEFAULT (1 + 2) NOT NULL, "
	"b INTEGER DEFAULT (7));\n"},
    {"CREATE TABLE t (a TEXT DEFAULT lower('X') || 'y')",
	"CREATE TABLE t (a TEXT DEFAULT (lower('X') || 'y'));\n"},
    {"CREATE TABLE t (a INT CHECK (a > 0 AND a < 10), "
     "b BOOLEAN CHECK (b IN (TRUE, FALSE)))",
	"CREATE TABLE t (a INTEGER CHECK (a > 0 AND a < 10), "
	"b INTEGER CHECK (b IN (1, 0)));\n"},
    {"CREATE TABLE t (a TIMESTAMPTZ, CHECK (a <= NOW()))",
	"CREATE TABLE t (a TEXT, CHECK (a <= " NOW "));\n"},
    /* not keywords here: a column called exclude, another called now */
    {"CREATE TABLE t (exclude TEXT, now TEXT CHECK (now <> ''))",
	"CREATE TABLE t (exclude TEXT, now TEXT CHECK (now <> ''));\n"},
    /* constraints, kept as they are */
    {"CREATE TABLE t (a TEXT NOT NULL REFERENCES issuers(id) ON DELETE "
     "CASCADE)",
	"CREATE TABLE t (a TEXT NOT NULL REFERENCES issuers(id) ON DELETE "
	"CASCADE);\n"},
    {"CREATE TABLE t (a TEXT REFERENCES issuers (id) ON DELETE SET NULL "
     "ON UPDATE NO ACTION, b TEXT REFERENCES issuers ON DELETE RESTRICT)",
	"CREATE TABLE t (a TEXT REFERENCES issuers (id) ON DELETE SET NULL "
	"ON UPDATE NO ACTION, b TEXT REFERENCES issuers ON DELETE "
	"RESTRICT);\n"},
    {"CREATE TABLE t (a TEXT, b TEXT, CONSTRAINT t_pk PRIMARY KEY (a, b), "
     "UNIQUE (b), FOREIGN KEY (a) REFERENCES issuers(id) ON DELETE SET "
     "DEFAULT, CONSTRAINT c CHECK (a <> b))",
	"CREATE TABLE t (a TEXT, b TEXT, CONSTRAINT t_pk PRIMARY KEY (a, b), "
	"UNIQUE (b), FOREIGN KEY (a) REFERENCES issuers(id) ON DELETE SET "
	"DEFAULT, CONSTRAINT c CHECK (a <> b));\n"},
    {"CREATE TABLE IF NOT EXISTS \"Odd\" (\"my col\" TEXT UNIQUE NULL)",
	"CREATE TABLE IF NOT EXISTS \"Odd\" (\"my col\" TEXT UNIQUE "
	"NULL);\n"},
    /* layout, comments and strings */
    {"-- head\nCREATE TABLE t ( -- why\n\ta TEXT, /* x */ b TEXT\n) ; -- end",
	"CREATE TABLE t (\n\ta TEXT, b TEXT\n);\n"},
    {"create table t (a text/* x */,b bytea/*y*/)",
	"create table t (a TEXT ,b BLOB );\n"},
    {"CREATE TABLE t (a TEXT DEFAULT '--;/* NOW() TRUE */')",
	"CREATE TABLE t (a TEXT DEFAULT '--;/* NOW() TRUE */');\n"},
    {"CREATE TABLE t (a TEXT);\r\nCREATE TABLE u (b TEXT);",
	"CREATE TABLE t (a TEXT);\nCREATE TABLE u (b TEXT);\n"},
    {";;CREATE TABLE t (a TEXT) ;; ", "CREATE TABLE t (a TEXT);\n"},
    {"", ""},
    {"-- nothing\n/* at /* all */ */\n", ""},
    /* indexes */
    {"CREATE INDEX IF NOT EXISTS i ON p(a)",
	"CREATE INDEX IF NOT EXISTS i ON p(a);\n"},
    {"CREATE UNIQUE INDEX i ON p (a, b DESC) WHERE c = TRUE",
	"CREATE UNIQUE INDEX i ON p (a, b DESC) WHERE c = 1;\n"},
    {"create index i on p (lower(a), (b + 1) ASC) where c is not null",
	"create index i on p (lower(a), (b + 1) ASC) where c is not null;\n"},
    /* drops */
    {"DROP TABLE IF EXISTS p CASCADE", "DROP TABLE IF EXISTS p;\n"},
    {"DROP INDEX p_a", "DROP INDEX p_a;\n"},
    {"drop index if exists nope cascade;", "drop index if exists nope;\n"},
    /* ALTER TABLE ADD COLUMN */
    {"ALTER TABLE p ADD COLUMN d BOOLEAN NOT NULL DEFAULT FALSE",
	"ALTER TABLE p ADD COLUMN d INTEGER NOT NULL DEFAULT 0;\n"},
    {"ALTER TABLE p ADD e TIMESTAMPTZ", "ALTER TABLE p ADD e TEXT;\n"},
    {"ALTER TABLE p ADD COLUMN f TEXT REFERENCES issuers(id) ON DELETE SET "
     "NULL",
	"ALTER TABLE p ADD COLUMN f TEXT REFERENCES issuers(id) ON DELETE "
	"SET NULL;\n"},
    /* INSERT */
    {"INSERT INTO p (a, b) VALUES ('x;y', TRUE), (NOW(), -2.5)",
	"INSERT INTO p (a, b) VALUES ('x;y', 1), (" NOW ", -2.5);\n"},
    {"INSERT INTO issuers VALUES ('it''s')",
	"INSERT INTO issuers VALUES ('it''s');\n"},
};

static const struct err_vec {
	const char *in;
	enum ob_err err;
	const char *msg; /* the exact message for the name "t.sql" */
} err_vecs[] = {
    /* statements */
    {"CREATE EXTENSION IF NOT EXISTS pgcrypto;", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate CREATE EXTENSION"},
    {"\n\ncreate or replace function f() returns int as $$ select 1 $$ "
     "language sql;",
	OB_ERR_UNSUPPORTED,
	"t.sql:3: cannot translate CREATE OR REPLACE FUNCTION"},
    {"CREATE TYPE s AS ENUM ('a')", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate CREATE TYPE"},
    {"CREATE TRIGGER x BEFORE UPDATE ON t", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate CREATE TRIGGER"},
    {"CREATE VIEW v AS SELECT 1", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate CREATE VIEW"},
    {"CREATE SEQUENCE s", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate CREATE SEQUENCE"},
    {"CREATE TEMP TABLE t (a TEXT)", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate CREATE TEMP"},
    {"DO $$ BEGIN NULL; END $$;", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate DO"},
    {"BEGIN;\nCREATE TABLE t (a TEXT);\nCOMMIT;", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate BEGIN"},
    {"CREATE TABLE t (a TEXT);\nCOMMIT;", OB_ERR_UNSUPPORTED,
	"t.sql:2: cannot translate COMMIT"},
    {"GRANT SELECT ON t TO u", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate GRANT"},
    {"COMMENT ON TABLE t IS 'x'", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate COMMENT ON"},
    {"DROP VIEW v", OB_ERR_UNSUPPORTED, "t.sql:1: cannot translate DROP VIEW"},
    {"(1)", OB_ERR_UNSUPPORTED, "t.sql:1: unexpected '('"},
    /* ALTER TABLE */
    {"ALTER TABLE t DROP COLUMN a", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate ALTER TABLE DROP"},
    {"ALTER TABLE t RENAME TO u", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate ALTER TABLE RENAME"},
    {"ALTER TABLE IF EXISTS t ADD COLUMN a TEXT", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate ALTER TABLE IF EXISTS"},
    {"ALTER TABLE t ADD CONSTRAINT c UNIQUE (a)", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate ALTER TABLE ADD CONSTRAINT"},
    {"ALTER TABLE t\n  ADD COLUMN IF NOT EXISTS a TEXT", OB_ERR_UNSUPPORTED,
	"t.sql:2: cannot translate ADD COLUMN IF NOT EXISTS (SQLite lacks it)"},
    {"ALTER TABLE t ADD COLUMN a TIMESTAMPTZ NOT NULL DEFAULT NOW()",
	OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate a non-constant DEFAULT in ADD COLUMN"},
    {"ALTER TABLE t ADD COLUMN a TEXT UNIQUE", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate UNIQUE in ADD COLUMN"},
    {"ALTER TABLE t ADD COLUMN a TEXT, ADD COLUMN b TEXT", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate several ALTER TABLE actions"},
    /* CREATE TABLE */
    {"CREATE TABLE t (a TEXT DEFAULT 'x'::text)", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate a :: cast"},
    {"CREATE TABLE t (\n  a TEXT[]\n)", OB_ERR_UNSUPPORTED,
	"t.sql:2: cannot translate an array type"},
    {"CREATE TABLE t (a INTEGER ARRAY)", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate an array type"},
    {"CREATE TABLE t (a INET)", OB_ERR_UNSUPPORTED,
	"t.sql:1: unknown column type INET"},
    {"CREATE TABLE t (a TIME)", OB_ERR_UNSUPPORTED,
	"t.sql:1: unknown column type TIME"},
    {"CREATE TABLE t (a \"text\")", OB_ERR_UNSUPPORTED,
	"t.sql:1: unexpected \"text\""},
    {"CREATE TABLE t (a VARCHAR(n))", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate N"},
    {"CREATE TABLE t (a TIMESTAMP WITH ZONE)", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate ZONE"},
    {"CREATE TABLE t (\n id SERIAL,\n x TEXT)", OB_ERR_UNSUPPORTED,
	"t.sql:2: cannot translate SERIAL without PRIMARY KEY"},
    {"CREATE TABLE t (id BIGSERIAL, PRIMARY KEY (id))", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate BIGSERIAL without PRIMARY KEY"},
    {"CREATE TABLE t (a TEXT DEFAULT $$x$$)", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate dollar quoting"},
    {"CREATE TABLE public.t (a TEXT)", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate a schema-qualified name"},
    {"CREATE TABLE t (a TEXT COLLATE \"C\")", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate COLLATE"},
    {"CREATE TABLE t (a INTEGER GENERATED ALWAYS AS IDENTITY)",
	OB_ERR_UNSUPPORTED, "t.sql:1: cannot translate GENERATED"},
    {"CREATE TABLE t (a TEXT) WITH (fillfactor = 70)", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate WITH"},
    {"CREATE TABLE t (a INT, EXCLUDE USING gist (a WITH =))",
	OB_ERR_UNSUPPORTED, "t.sql:1: cannot translate EXCLUDE"},
    {"CREATE TABLE t (LIKE u)", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate LIKE"},
    {"CREATE TABLE t AS SELECT 1", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate AS"},
    {"CREATE TABLE t ()", OB_ERR_UNSUPPORTED, "t.sql:1: unexpected ')'"},
    {"CREATE TABLE t (a TEXT REFERENCES u DEFERRABLE)", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate DEFERRABLE"},
    {"CREATE TABLE t (a TEXT CHECK (a ~ '^x'))", OB_ERR_UNSUPPORTED,
	"t.sql:1: unexpected '~'"},
    {"CREATE TABLE t (a TEXT CHECK (a ILIKE 'x'))", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate ILIKE"},
    {"CREATE TABLE t (a TIMESTAMPTZ DEFAULT NOW() - INTERVAL '1 day')",
	OB_ERR_UNSUPPORTED, "t.sql:1: cannot translate INTERVAL"},
    {"CREATE TABLE t (a TIMESTAMPTZ DEFAULT NOW('x'))", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate NOW with arguments"},
    {"CREATE TABLE t (a TEXT DEFAULT E'\\n')", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate a E'' string"},
    {"CREATE TABLE t (a INT DEFAULT $1)", OB_ERR_UNSUPPORTED,
	"t.sql:1: unexpected '$'"},
    /* indexes, drops, inserts */
    {"CREATE INDEX i ON t USING gin (a)", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate USING GIN"},
    {"CREATE INDEX CONCURRENTLY i ON t (a)", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate CONCURRENTLY"},
    {"CREATE INDEX ON t (a)", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate CREATE INDEX without a name"},
    {"CREATE INDEX i ON t (a text_pattern_ops)", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate TEXT_PATTERN_OPS"},
    {"CREATE INDEX i ON t (a) INCLUDE (b)", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate INCLUDE"},
    {"DROP TABLE a, b", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate DROP of several objects"},
    {"DROP TABLE t RESTRICT", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate RESTRICT"},
    {"INSERT INTO t SELECT 1", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate SELECT"},
    {"INSERT INTO t VALUES (DEFAULT)", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate DEFAULT"},
    {"INSERT INTO t VALUES (1) RETURNING id", OB_ERR_UNSUPPORTED,
	"t.sql:1: cannot translate RETURNING"},
    {"INSERT INTO t VALUES (1; 2)", OB_ERR_UNSUPPORTED,
	"t.sql:1: unexpected ';'"},
    /* lines across statements, strings and comments */
    {"CREATE TABLE a (x TEXT);\n\n-- a ;\nCREATE TABLE b (y TEXT);\n"
     "/* ; */\nCREATE EXTENSION z;",
	OB_ERR_UNSUPPORTED, "t.sql:6: cannot translate CREATE EXTENSION"},
    {"INSERT INTO t VALUES ('a\nb\nc');\nCREATE EXTENSION x",
	OB_ERR_UNSUPPORTED, "t.sql:4: cannot translate CREATE EXTENSION"},
    {"CREATE TABLE t (a TEXT)\n", OB_OK, ""},
    /* lexical errors, reported before anything else */
    {"CREATE EXTENSION x;\nSELECT 'oops", OB_ERR_INVAL,
	"t.sql:2: unterminated string"},
    {"\n\nINSERT INTO t VALUES ('a\nb", OB_ERR_INVAL,
	"t.sql:3: unterminated string"},
    {"CREATE TABLE \"t (a TEXT)", OB_ERR_INVAL,
	"t.sql:1: unterminated quoted identifier"},
    {"SELECT 1;\n/* a /* nested */ still open", OB_ERR_INVAL,
	"t.sql:2: unterminated comment"},
    {"\nCREATE TABLE t (a TEXT DEFAULT $x$ abc $y$", OB_ERR_INVAL,
	"t.sql:2: unterminated dollar-quoted string"},
    {"CREATE TABLE t (a INTEGER DEFAULT 1x)", OB_ERR_INVAL,
	"t.sql:1: malformed number"},
    {"CREATE TABLE t (a TEXT)\n\x01", OB_ERR_INVAL,
	"t.sql:2: unexpected byte 0x01"},
    {"CREATE TABLE t (\n a TEXT,\n b TEXT", OB_ERR_INVAL,
	"t.sql:1: unbalanced '('"},
    {"CREATE TABLE t (a TEXT,\n b TEXT));", OB_ERR_INVAL,
	"t.sql:2: unbalanced ')'"},
    {"CREATE TABLE t (a TEXT;\nCREATE TABLE u (b TEXT);", OB_ERR_INVAL,
	"t.sql:1: unbalanced '('"},
};

/*
 * Translates in from an exact-size copy without a NUL, so that a read
 * past len shows under ASan.
 */
static enum ob_err
translate(const char *in, size_t len, char **out, char *err, size_t errsz)
{
	char *copy = NULL;
	enum ob_err rc;

	if (len > 0 && (copy = malloc(len)) == NULL)
		return OB_ERR_NOMEM;
	if (len > 0)
		memcpy(copy, in, len);
	rc = schema_translate("t.sql", copy, len, out, err, errsz);
	free(copy);
	return rc;
}

static char *
read_file(const char *path, size_t *lenp)
{
	FILE *f = NULL;
	char *buf = NULL;
	long n;

	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "  cannot read %s\n", path);
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[n] = '\0';
	*lenp = (size_t)n;
out:
	if (f != NULL)
		fclose(f);
	return buf;
}

/* Opens an in-memory database with foreign keys on and setup applied. */
static sqlite3 *
db_open(const char *setup)
{
	sqlite3 *db = NULL;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA foreign_keys = ON;", NULL, NULL, NULL) !=
		SQLITE_OK ||
	    (setup != NULL &&
		sqlite3_exec(db, setup, NULL, NULL, NULL) != SQLITE_OK)) {
		fprintf(stderr, "  db_open: %s\n", sqlite3_errmsg(db));
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

/* Runs sql; returns 1 on success, printing SQLite's complaint if not. */
static int
db_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (db == NULL)
		return 0;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "  sqlite: %s\n  in: %s\n", msg, sql);
		sqlite3_free(msg);
		return 0;
	}
	return 1;
}

/* The first column of the first row of sql as an integer, or -1. */
static long long
db_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long v = -1;

	if (db != NULL &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The first column of the first row of sql into buf, or "". */
static const char *
db_text(sqlite3 *db, const char *sql, char *buf, size_t sz)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *s;

	buf[0] = '\0';
	if (db != NULL &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW &&
	    (s = sqlite3_column_text(st, 0)) != NULL)
		snprintf(buf, sz, "%s", (const char *)s);
	sqlite3_finalize(st);
	return buf;
}

static void
test_mappings(void)
{
	const struct ok_vec *v;
	char *out = NULL, err[256];
	sqlite3 *db;

	for (v = ok_vecs; v < ok_vecs + sizeof(ok_vecs) / sizeof(*v); v++) {
		CHECK(translate(v->in, strlen(v->in), &out, err, sizeof(err)) ==
		    OB_OK);
		CHECK_STR(err, "");
		CHECK_STR(out, v->want);
		/* every translation must be SQLite's own dialect */
		db = db_open(SETUP);
		CHECK(out != NULL && db_exec(db, out));
		sqlite3_close(db);
		free(out);
		out = NULL;
	}
}

static void
test_errors(void)
{
	const struct err_vec *v;
	char *out = NULL, err[256];
	enum ob_err rc;

	for (v = err_vecs; v < err_vecs + sizeof(err_vecs) / sizeof(*v); v++) {
		out = (char *)"sentinel";
		rc = translate(v->in, strlen(v->in), &out, err, sizeof(err));
		if (rc != v->err)
			fprintf(stderr, "  in: %s\n", v->in);
		CHECK(rc == v->err);
		CHECK_STR(err, v->msg);
		CHECK((rc == OB_OK) == (out != NULL));
		if (rc == OB_OK)
			free(out);
	}
}

/* Checks that in translates to exactly the contents of expected_path. */
static void
golden(const char *in, size_t len, const char *expected_path)
{
	char *want = NULL, *out = NULL, err[256];
	size_t wlen;

	CHECK(translate(in, len, &out, err, sizeof(err)) == OB_OK);
	CHECK_STR(err, "");
	CHECK((want = read_file(expected_path, &wlen)) != NULL);
	CHECK_STR(out, want);
	free(want);
	free(out);
}

static void
test_golden(void)
{
	char *in = NULL, *out = NULL, err[256];
	size_t len;
	sqlite3 *db = NULL;

	CHECK((in = read_file(VECTORS "full.up.sql", &len)) != NULL);
	if (in == NULL)
		return;
	golden(in, len, VECTORS "full.expected.sql");
	CHECK(translate(in, len, &out, err, sizeof(err)) == OB_OK);
	db = db_open(NULL);
	CHECK(out != NULL && db_exec(db, out));
	CHECK(db_int(db, "SELECT enabled FROM issuers") == 0);
	CHECK(db_exec(db,
	    "INSERT INTO certificates (issuer_id, serial_hex, "
	    "not_after) VALUES ('iss-1', '01', 'x')"));
	CHECK(db_int(db,
		  "SELECT count(*) FROM certificates "
		  "WHERE status = 'good' AND metadata = '{}'") == 1);
	/* the CHECK constraints made it through */
	CHECK(sqlite3_exec(db, "UPDATE certificates SET status = 'bad'", NULL,
		  NULL, NULL) == SQLITE_CONSTRAINT);
	sqlite3_close(db);
	free(out);
	free(in);
}

static void
test_seed(void)
{
	const char *path = getenv("OCSPBOX_SEED");
	static const char *const cols[] = {"issuer_id", "serial_hex",
	    "response_der", "cert_status", "revocation_reason", "revoked_at",
	    "this_update", "next_update", "generated_at"};
	char *in = NULL, *out = NULL, err[256], sql[256], buf[64];
	size_t len, i;
	sqlite3 *db = NULL;

	if (path == NULL || *path == '\0')
		path = SEED_DEFAULT;
	CHECK((in = read_file(path, &len)) != NULL);
	if (in == NULL)
		return;
	golden(in, len, VECTORS "000024.expected.sql");
	CHECK(translate(in, len, &out, err, sizeof(err)) == OB_OK);
	db = db_open("CREATE TABLE issuers (id TEXT PRIMARY KEY);");
	CHECK(out != NULL && db_exec(db, out));
	/* IF NOT EXISTS everywhere: a second run changes nothing */
	CHECK(out != NULL && db_exec(db, out));

	CHECK(db_int(db,
		  "SELECT count(*) FROM pragma_table_info("
		  "'ocsp_response_cache')") ==
	    (long long)(sizeof(cols) / sizeof(cols[0])));
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		snprintf(sql, sizeof(sql),
		    "SELECT cid FROM pragma_table_info('ocsp_response_cache') "
		    "WHERE name = '%s'",
		    cols[i]);
		CHECK(db_int(db, sql) == (long long)i);
	}
	CHECK_STR(db_text(db,
		      "SELECT group_concat(name, ',') FROM (SELECT "
		      "name FROM pragma_table_info("
		      "'ocsp_response_cache') WHERE pk > 0 ORDER BY pk)",
		      buf, sizeof(buf)),
	    "issuer_id,serial_hex");
	CHECK_STR(db_text(db,
		      "SELECT type FROM pragma_table_info("
		      "'ocsp_response_cache') WHERE name = "
		      "'response_der'",
		      buf, sizeof(buf)),
	    "BLOB");
	CHECK(db_int(db,
		  "SELECT count(*) FROM pragma_index_list("
		  "'ocsp_response_cache') WHERE name IN ("
		  "'idx_ocsp_response_cache_next_update', "
		  "'idx_ocsp_response_cache_issuer')") == 2);
	CHECK_STR(db_text(db,
		      "SELECT name FROM pragma_index_info("
		      "'idx_ocsp_response_cache_next_update')",
		      buf, sizeof(buf)),
	    "next_update");

	/* NOT NULL, the foreign key and the RFC 3339 default all work */
	CHECK(db_exec(db, "INSERT INTO issuers VALUES ('i1')"));
	CHECK(db_exec(db,
	    "INSERT INTO ocsp_response_cache (issuer_id, "
	    "serial_hex, response_der, cert_status, this_update, "
	    "next_update) VALUES ('i1', '0a', x'30', 'good', "
	    "'2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z')"));
	CHECK(db_int(db,
		  "SELECT generated_at GLOB "
		  "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T"
		  "[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z' FROM "
		  "ocsp_response_cache") == 1);
	CHECK(sqlite3_exec(db,
		  "INSERT INTO ocsp_response_cache (issuer_id, "
		  "serial_hex, response_der, cert_status, "
		  "this_update, next_update) VALUES ('nope', "
		  "'0b', x'30', 'good', 'a', 'b')",
		  NULL, NULL, NULL) == SQLITE_CONSTRAINT);
	CHECK(db_exec(db, "DELETE FROM issuers WHERE id = 'i1'"));
	CHECK(db_int(db, "SELECT count(*) FROM ocsp_response_cache") == 0);
	sqlite3_close(db);
	free(out);
	free(in);
}

static void
test_fk_cascade(void)
{
	static const char mig[] =
	    "CREATE TABLE issuers (id TEXT PRIMARY KEY);\n"
	    "CREATE TABLE certs (\n"
	    "  id BIGSERIAL PRIMARY KEY,\n"
	    "  issuer_id TEXT NOT NULL REFERENCES issuers(id) ON DELETE "
	    "CASCADE,\n"
	    "  replaced_by BIGINT REFERENCES certs(id) ON DELETE SET NULL\n"
	    ");";
	char *out = NULL, err[256];
	sqlite3 *db = NULL;

	CHECK(translate(mig, sizeof(mig) - 1, &out, err, sizeof(err)) == OB_OK);
	db = db_open(NULL);
	CHECK(out != NULL && db_exec(db, out));
	CHECK(db_exec(db,
	    "INSERT INTO issuers VALUES ('a'), ('b');"
	    "INSERT INTO certs (issuer_id) VALUES ('a'), ('a'), "
	    "('b');"
	    "UPDATE certs SET replaced_by = 3 WHERE id = 1;"));
	CHECK(db_exec(db, "DELETE FROM issuers WHERE id = 'b'"));
	CHECK(db_int(db, "SELECT count(*) FROM certs") == 2);
	CHECK(db_int(db,
		  "SELECT count(*) FROM certs WHERE replaced_by IS "
		  "NULL") == 2);
	CHECK(db_exec(db, "DELETE FROM issuers"));
	CHECK(db_int(db, "SELECT count(*) FROM certs") == 0);
	/* AUTOINCREMENT: like a postgres sequence, ids are never reused */
	CHECK(db_exec(db,
	    "INSERT INTO issuers VALUES ('c');"
	    "INSERT INTO certs (issuer_id) VALUES ('c')"));
	CHECK(db_int(db, "SELECT id FROM certs") == 4);
	sqlite3_close(db);
	free(out);
}

static void
test_args(void)
{
	char *out = (char *)"sentinel", err[256], small[12];

	CHECK(schema_translate("x", NULL, 0, &out, err, sizeof(err)) == OB_OK);
	CHECK_STR(out, "");
	free(out);
	CHECK(schema_translate("x", "CREATE TABLE t (a TEXT)", 23, NULL, err,
		  sizeof(err)) == OB_ERR_INVAL);
	/* len, not a NUL, ends the input */
	CHECK(schema_translate("x", "DROP TABLE t; junk", 12, &out, err,
		  sizeof(err)) == OB_OK);
	CHECK_STR(out, "DROP TABLE t;\n");
	free(out);
	CHECK(schema_translate(NULL, "BEGIN", 5, &out, err, sizeof(err)) ==
	    OB_ERR_UNSUPPORTED);
	CHECK_STR(err, "(input):1: cannot translate BEGIN");
	CHECK(schema_translate("x", "BEGIN", 5, &out, NULL, 0) ==
	    OB_ERR_UNSUPPORTED);
	CHECK(out == NULL);
	CHECK(schema_translate("long-name.sql", "BEGIN", 5, &out, small,
		  sizeof(small)) == OB_ERR_UNSUPPORTED);
	CHECK_STR(small, "long-name.s");
	/* a NUL byte would truncate the output: refused */
	CHECK(schema_translate("x", "DROP TABLE t;\n\0", 15, &out, err,
		  sizeof(err)) == OB_ERR_INVAL);
	CHECK_STR(err, "x:2: unexpected byte 0x00");
	CHECK(out == NULL);
}

/*
 * Replays the fuzz seed corpus: ok_* files must translate into SQL that
 * SQLite accepts, err_* files must fail with a "NAME:LINE: " message, and
 * anything else (inputs the fuzzer found) must merely not crash.
 */
static void
test_corpus(void)
{
	DIR *d = NULL;
	struct dirent *e;
	char path[512], *in = NULL, *out = NULL, err[256];
	size_t len;
	int n = 0;
	enum ob_err rc;
	sqlite3 *db;

	CHECK((d = opendir(CORPUS)) != NULL);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s%s", CORPUS, e->d_name);
		if ((in = read_file(path, &len)) == NULL) {
			CHECK(0);
			continue;
		}
		rc = schema_translate("c.sql", in, len, &out, err, sizeof(err));
		if (strncmp(e->d_name, "ok_", 3) == 0) {
			if (rc != OB_OK)
				fprintf(stderr, "  %s: %s\n", path, err);
			CHECK(rc == OB_OK);
			db = db_open(SETUP);
			CHECK(out != NULL && db_exec(db, out));
			sqlite3_close(db);
		} else if (strncmp(e->d_name, "err_", 4) == 0) {
			CHECK(rc != OB_OK && out == NULL);
			CHECK(strncmp(err, "c.sql:", 6) == 0);
		}
		CHECK((rc == OB_OK) == (out != NULL));
		free(out);
		out = NULL;
		free(in);
		n++;
	}
	closedir(d);
	CHECK(n >= 10);
}

static const struct test tests[] = {
    {"mappings", test_mappings},
    {"errors", test_errors},
    {"golden", test_golden},
    {"seed", test_seed},
    {"fk_cascade", test_fk_cascade},
    {"args", test_args},
    {"corpus", test_corpus},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
	return harness_main(argc, argv, tests);
}
