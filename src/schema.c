/*
 * Translates migrations written in the PostgreSQL dialect of the seed into
 * SQLite DDL: statements, split at top-level ';' of schema_lex.c's tokens,
 * each rewritten by a small rewriter per supported statement. What it
 * cannot translate is an error naming the file and line, never silently
 * dropped.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_int.h"

/* RFC 3339 in UTC, parenthesised because SQLite wants DEFAULT (expr). */
#define SQL_NOW "(strftime('%Y-%m-%dT%H:%M:%SZ','now'))"

/* Tried in order, so a longer spelling precedes its prefix. */
static const struct pgtype {
	const char *pg; /* words, one space apart */
	const char *lite;
	size_t nargs; /* how many numbers may follow in parentheses */
	int flags;
#define F_SERIAL 1 /* PRIMARY KEY becomes PRIMARY KEY AUTOINCREMENT */
#define F_ZONE 2 /* may be followed by WITH[OUT] TIME ZONE */
} pgtypes[] = {
    {"BYTEA", "BLOB", 0, 0},
    {"TIMESTAMPTZ", "TEXT", 1, 0},
    {"TIMESTAMP", "TEXT", 1, F_ZONE},
    {"DATE", "TEXT", 0, 0},
    {"TEXT", "TEXT", 0, 0},
    {"VARCHAR", "TEXT", 1, 0},
    {"CHARACTER VARYING", "TEXT", 1, 0},
    {"CHARACTER", "TEXT", 1, 0},
    {"CHAR", "TEXT", 1, 0},
    {"INTEGER", "INTEGER", 0, 0},
    {"INT", "INTEGER", 0, 0},
    {"INT4", "INTEGER", 0, 0},
    {"SMALLINT", "INTEGER", 0, 0},
    {"BIGINT", "INTEGER", 0, 0},
    {"INT8", "INTEGER", 0, 0},
    {"SERIAL", "INTEGER", 0, F_SERIAL},
    {"BIGSERIAL", "INTEGER", 0, F_SERIAL},
    {"SMALLSERIAL", "INTEGER", 0, F_SERIAL},
    {"BOOLEAN", "INTEGER", 0, 0},
    {"BOOL", "INTEGER", 0, 0},
    {"JSONB", "TEXT", 0, 0},
    {"JSON", "TEXT", 0, 0},
    {"REAL", "REAL", 0, 0},
    {"DOUBLE PRECISION", "REAL", 0, 0},
    {"NUMERIC", "NUMERIC", 2, 0},
    {"DECIMAL", "NUMERIC", 2, 0},
    {"UUID", "TEXT", 0, 0},
};
#define NPGTYPES (sizeof(pgtypes) / sizeof(pgtypes[0]))

static const char *const tablekw[] = {
    "CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN", NULL};

#define IS(t, kw) schema_is((t), (t)->pos, (kw))

/* Fails on an unsupported construct at the cursor. */
#define UNSUP(t, ...) \
	schema_fail((t), OB_ERR_UNSUPPORTED, schema_line_at((t), (t)->pos), \
	    __VA_ARGS__)

/* ---- output ------------------------------------------------------------- */

/* Fails on the cursor: "cannot translate WORD" or "unexpected X". */
static int
bad(struct tr *t)
{
	char d[48];

	return UNSUP(t, "%s %s",
	    schema_is_kind(t, t->pos, TK_WORD) ? "cannot translate"
					       : "unexpected",
	    schema_desc(t, t->pos, d, sizeof(d)));
}

static void
raw(struct tr *t, const char *s)
{
	buf_puts(&t->out, s);
}

/*
 * Copies the whitespace before token i without its comments, and without
 * the blanks a comment leaves at the end of a line.
 */
static void
emit_gap(struct tr *t, size_t i)
{
	size_t p = t->toks[i].gap, end = t->toks[i].off, q, start = t->out.len;
	int comment = 0;

	if (i == t->nogap)
		return;
	for (; p < end; p = q) {
		if ((q = schema_comment_end(t->src, end, p)) != p) {
			/* blanks on both sides of a comment become one */
			while (t->out.len > start &&
			    strchr(" \t", t->out.p[t->out.len - 1]) != NULL &&
			    q < end && (t->src[q] == ' ' || t->src[q] == '\t'))
				q++;
			comment = 1;
			continue;
		}
		while (t->src[p] == '\n' && !t->out.oom && t->out.len > start &&
		    strchr(" \t", t->out.p[t->out.len - 1]) != NULL)
			buf_truncate(&t->out, t->out.len - 1);
		buf_add(&t->out, (const char *)t->src + p, 1);
		q = p + 1;
	}
	if (comment && t->out.len == start)
		raw(t, " ");
}

/* Copies the token at the cursor, or replaces it by s, and moves on. */
static void
emit_as(struct tr *t, const char *s)
{
	const struct tok *k = &t->toks[t->pos];

	emit_gap(t, t->pos++);
	if (s != NULL)
		raw(t, s);
	else
		buf_add(&t->out, (const char *)t->src + k->off, k->len);
}

#define emit(t) emit_as((t), NULL)

/* Copies the cursor if it is kw (see schema_is()); returns whether it was. */
static int
accept(struct tr *t, const char *kw)
{
	if (!IS(t, kw))
		return 0;
	emit(t);
	return 1;
}

static int
expect(struct tr *t, const char *kw)
{
	return accept(t, kw) ? 0 : bad(t);
}

/* A table, index or column name; SQLite has no schemas. */
static int
name(struct tr *t)
{
	if (!schema_is_kind(t, t->pos, TK_WORD) &&
	    !schema_is_kind(t, t->pos, TK_QIDENT))
		return bad(t);
	emit(t);
	if (IS(t, "."))
		return UNSUP(t, "cannot translate a schema-qualified name");
	return 0;
}

/* "(name, ...)" as it is. */
static int
identlist(struct tr *t)
{
	if (expect(t, "(") == -1)
		return -1;
	do {
		if (name(t) == -1)
			return -1;
	} while (accept(t, ","));
	return expect(t, ")");
}

static int
if_exists(struct tr *t, int neg)
{
	if (!accept(t, "IF"))
		return 0;
	if (neg && expect(t, "NOT") == -1)
		return -1;
	return expect(t, "EXISTS");
}

/* ---- expressions -------------------------------------------------------- */

/* The index of the ')' matching the '(' at i (the statement is balanced). */
static size_t
match(const struct tr *t, size_t i)
{
	size_t depth = 0;

	for (; i < t->end; i++)
		if (schema_is(t, i, "("))
			depth++;
		else if (schema_is(t, i, ")") && --depth == 0)
			return i;
	return t->end;
}

/*
 * Where the expression at the cursor ends: a ',' or ')' outside its own
 * parentheses, the statement's end, or one of stops after its first token.
 */
static size_t
expr_end(const struct tr *t, const char *const *stops)
{
	size_t i;

	for (i = t->pos; i < t->end; i++)
		if (schema_is(t, i, "("))
			i = match(t, i);
		else if (schema_is(t, i, ")") || schema_is(t, i, ",") ||
		    (stops != NULL && i > t->pos && schema_is_any(t, i, stops)))
			break;
	return i;
}

/* Translates the non-empty expression from the cursor up to stop. */
static int
expr(struct tr *t, size_t stop)
{
	static const char *const pgonly[] = {"ARRAY", "INTERVAL", "ILIKE",
	    "SIMILAR", "ANY", "SOME", "DEFAULT", NULL};
	const struct tok *k;

	if (t->pos >= stop)
		return bad(t);
	while (t->pos < stop) {
		k = &t->toks[t->pos];
		if (k->kind == TK_DOLLAR)
			return UNSUP(t, "cannot translate dollar quoting");
		if (IS(t, ":") && schema_is(t, t->pos + 1, ":"))
			return UNSUP(t, "cannot translate a :: cast");
		if ((k->kind == TK_PUNCT &&
			strchr("()+-*/%=<>!|&.,", t->src[k->off]) == NULL) ||
		    schema_is_any(t, t->pos, pgonly))
			return bad(t);
		if (k->len == 1 &&
		    strchr("bBeEnNuUxX", t->src[k->off]) != NULL &&
		    schema_is_kind(t, t->pos + 1, TK_STRING) &&
		    k[1].gap == k[1].off)
			return UNSUP(t, "cannot translate a %c'' string",
			    t->src[k->off]);
		if (IS(t, "NOW") && schema_is(t, t->pos + 1, "(")) {
			if (!schema_is(t, t->pos + 2, ")"))
				return UNSUP(
				    t, "cannot translate NOW with arguments");
			emit_as(t, SQL_NOW);
			t->pos += 2;
		} else if (IS(t, "CURRENT_TIMESTAMP")) {
			if (schema_is(t, t->pos + 1, "("))
				return UNSUP(
				    t, "cannot translate CURRENT_TIMESTAMP(p)");
			emit_as(t, SQL_NOW);
		} else if (IS(t, "TRUE"))
			emit_as(t, "1");
		else if (IS(t, "FALSE"))
			emit_as(t, "0");
		else
			emit(t);
	}
	return 0;
}

/* ---- column definitions and constraints --------------------------------- */

/* Maps the column type at the cursor; *serial is set to a SERIAL's index. */
static int
type(struct tr *t, size_t *serial)
{
	const struct pgtype *ty;
	char d[48], kw[32];
	size_t i, n = 0, nums, first = t->pos;
	const char *w;

	for (ty = pgtypes; ty < pgtypes + NPGTYPES; ty++) {
		for (n = 0, w = ty->pg; *w != '\0';
		     n++, w += i + (w[i] == ' ')) {
			i = strcspn(w, " ");
			memcpy(kw, w, i);
			kw[i] = '\0';
			if (!schema_is(t, first + n, kw))
				break;
		}
		if (*w == '\0')
			break;
	}
	if (ty == pgtypes + NPGTYPES)
		return schema_is_kind(t, first, TK_WORD)
		    ? schema_fail(t, OB_ERR_UNSUPPORTED,
			  schema_line_at(t, first), "unknown column type %s",
			  schema_desc(t, first, d, sizeof(d)))
		    : bad(t);
	emit_as(t, ty->lite);
	t->pos = first + n;
	if (ty->nargs > 0 && IS(t, "(")) {
		for (nums = 1, t->pos++;; nums++, t->pos++) {
			if (!schema_is_kind(t, t->pos, TK_NUMBER) ||
			    nums > ty->nargs)
				return bad(t);
			if (schema_is(t, ++t->pos, ")"))
				break;
			if (!IS(t, ","))
				return bad(t);
		}
		t->pos++;
	}
	if ((ty->flags & F_ZONE) && (IS(t, "WITH") || IS(t, "WITHOUT"))) {
		if (!schema_is(t, ++t->pos, "TIME") ||
		    !schema_is(t, ++t->pos, "ZONE"))
			return bad(t);
		t->pos++;
	}
	if (IS(t, "[") || IS(t, "ARRAY"))
		return UNSUP(t, "cannot translate an array type");
	if (ty->flags & F_SERIAL)
		*serial = first;
	return 0;
}

/* DEFAULT expr: a literal as it is, anything else in parentheses. */
static int
default_clause(struct tr *t, int alter)
{
	static const char *const stops[] = {"NOT", "NULL", "CONSTRAINT",
	    "PRIMARY", "UNIQUE", "CHECK", "REFERENCES", "DEFAULT", "COLLATE",
	    "GENERATED", NULL};
	static const char *const words[] = {"NULL", "TRUE", "FALSE", NULL};
	size_t stop, i;
	int lit;

	emit(t);
	if ((stop = expr_end(t, stops)) == t->pos)
		return bad(t);
	i = t->pos + (stop > t->pos + 1 && (IS(t, "-") || IS(t, "+")));
	lit = i + 1 == stop &&
	    (schema_is_kind(t, i, TK_NUMBER) ||
		(i == t->pos &&
		    (schema_is_kind(t, i, TK_STRING) ||
			schema_is_any(t, i, words))));
	if (alter && !lit)
		return UNSUP(
		    t, "cannot translate a non-constant DEFAULT in ADD COLUMN");
	if (lit || (t->pos + 1 == stop && IS(t, "CURRENT_TIMESTAMP")) ||
	    (t->pos + 3 == stop && IS(t, "NOW") &&
		schema_is(t, t->pos + 1, "(")) ||
	    (IS(t, "(") && match(t, t->pos) + 1 == stop))
		return expr(t, stop);
	emit_gap(t, t->pos);
	raw(t, "(");
	t->nogap = t->pos;
	if (expr(t, stop) == -1)
		return -1;
	raw(t, ")");
	return 0;
}

static int
check_clause(struct tr *t)
{
	emit(t);
	if (expect(t, "(") == -1 || expr(t, expr_end(t, NULL)) == -1)
		return -1;
	return expect(t, ")");
}

/* REFERENCES t [(cols)] [ON DELETE|UPDATE action]..., kept as it is. */
static int
references(struct tr *t)
{
	emit(t);
	if (name(t) == -1 || (IS(t, "(") && identlist(t) == -1))
		return -1;
	while (accept(t, "ON")) {
		if (!accept(t, "DELETE") && !accept(t, "UPDATE"))
			return bad(t);
		if (accept(t, "NO")) {
			if (expect(t, "ACTION") == -1)
				return -1;
		} else if (accept(t, "SET")) {
			if (!accept(t, "NULL") && !accept(t, "DEFAULT"))
				return bad(t);
		} else if (!accept(t, "CASCADE") && !accept(t, "RESTRICT"))
			return bad(t);
	}
	return 0;
}

/* name type [constraint]...; alter: inside ALTER TABLE ADD COLUMN. */
static int
coldef(struct tr *t, int alter)
{
	char d[48];
	size_t serial = SIZE_MAX;
	int pk = 0, rc;

	if ((rc = name(t)) == -1 || (rc = type(t, &serial)) == -1)
		return -1;
	while (rc == 0 && t->pos < t->end && !IS(t, ",") && !IS(t, ")")) {
		if (alter && (IS(t, "PRIMARY") || IS(t, "UNIQUE")))
			rc = UNSUP(t, "cannot translate %s in ADD COLUMN",
			    IS(t, "UNIQUE") ? "UNIQUE" : "PRIMARY KEY");
		else if (accept(t, "NOT"))
			rc = expect(t, "NULL");
		else if (accept(t, "CONSTRAINT"))
			rc = name(t);
		else if (accept(t, "PRIMARY")) {
			if ((rc = expect(t, "KEY")) == 0 && serial != SIZE_MAX)
				raw(t, " AUTOINCREMENT");
			pk = 1;
		} else if (IS(t, "DEFAULT"))
			rc = default_clause(t, alter);
		else if (IS(t, "CHECK"))
			rc = check_clause(t);
		else if (IS(t, "REFERENCES"))
			rc = references(t);
		else if (!accept(t, "NULL") && !accept(t, "UNIQUE"))
			rc = bad(t);
	}
	if (rc == 0 && serial != SIZE_MAX && !pk)
		rc = schema_fail(t, OB_ERR_UNSUPPORTED, t->toks[serial].line,
		    "cannot translate %s without PRIMARY KEY",
		    schema_desc(t, serial, d, sizeof(d)));
	return rc;
}

static int
tablecons(struct tr *t)
{
	if (accept(t, "CONSTRAINT") && name(t) == -1)
		return -1;
	if (IS(t, "CHECK"))
		return check_clause(t);
	if (accept(t, "UNIQUE"))
		return identlist(t);
	if (accept(t, "PRIMARY"))
		return expect(t, "KEY") == -1 ? -1 : identlist(t);
	if (!accept(t, "FOREIGN") || expect(t, "KEY") == -1 ||
	    identlist(t) == -1)
		return bad(t);
	return IS(t, "REFERENCES") ? references(t) : bad(t);
}

/* ---- statements --------------------------------------------------------- */

static int
create_table(struct tr *t)
{
	int rc;

	emit(t);
	emit(t);
	if (if_exists(t, 1) == -1 || name(t) == -1 || expect(t, "(") == -1)
		return -1;
	do {
		if (schema_is_any(t, t->pos, tablekw))
			rc = tablecons(t);
		else if (IS(t, "LIKE") ||
		    (IS(t, "EXCLUDE") &&
			(schema_is(t, t->pos + 1, "(") ||
			    schema_is(t, t->pos + 1, "USING"))))
			rc = bad(t);
		else
			rc = coldef(t, 0);
	} while (rc == 0 && accept(t, ","));
	return rc == -1 ? -1 : expect(t, ")");
}

static int
create_index(struct tr *t)
{
	char d[48];
	size_t stop;

	emit(t);
	accept(t, "UNIQUE");
	emit(t);
	if (IS(t, "CONCURRENTLY"))
		return bad(t);
	if (if_exists(t, 1) == -1)
		return -1;
	if (IS(t, "ON"))
		return UNSUP(t, "cannot translate CREATE INDEX without a name");
	if (name(t) == -1 || expect(t, "ON") == -1)
		return -1;
	if (IS(t, "ONLY"))
		return bad(t);
	if (name(t) == -1)
		return -1;
	if (IS(t, "USING"))
		return UNSUP(t, "cannot translate USING %s",
		    schema_desc(t, t->pos + 1, d, sizeof(d)));
	if (expect(t, "(") == -1)
		return -1;
	do {
		/* a column, a (expression) or a function(...); its order */
		if (IS(t, "("))
			stop = match(t, t->pos) + 1;
		else if (schema_is(t, t->pos + 1, "("))
			stop = match(t, t->pos + 1) + 1;
		else
			stop = t->pos + 1;
		if ((!IS(t, "(") && !schema_is_kind(t, t->pos, TK_WORD) &&
			!schema_is_kind(t, t->pos, TK_QIDENT)) ||
		    expr(t, stop) == -1)
			return bad(t);
		if (!accept(t, "ASC"))
			accept(t, "DESC");
	} while (accept(t, ","));
	if (expect(t, ")") == -1)
		return -1;
	return accept(t, "WHERE") ? expr(t, expr_end(t, NULL)) : 0;
}

/* DROP TABLE|INDEX [IF EXISTS] name [CASCADE]: SQLite has no CASCADE. */
static int
drop(struct tr *t)
{
	emit(t);
	emit(t);
	if (IS(t, "CONCURRENTLY"))
		return bad(t);
	if (if_exists(t, 0) == -1 || name(t) == -1)
		return -1;
	if (IS(t, ","))
		return UNSUP(t, "cannot translate DROP of several objects");
	if (IS(t, "CASCADE"))
		t->pos++;
	return 0;
}

static int
alter_table(struct tr *t)
{
	char d[48];

	emit(t);
	emit(t);
	if (IS(t, "IF") || IS(t, "ONLY"))
		return UNSUP(t, "cannot translate ALTER TABLE %s",
		    IS(t, "IF") ? "IF EXISTS" : "ONLY");
	if (name(t) == -1)
		return -1;
	if (!schema_is_kind(t, t->pos, TK_WORD))
		return bad(t);
	if (!accept(t, "ADD"))
		return UNSUP(t, "cannot translate ALTER TABLE %s",
		    schema_desc(t, t->pos, d, sizeof(d)));
	accept(t, "COLUMN");
	if (IS(t, "IF"))
		return UNSUP(t,
		    "cannot translate ADD COLUMN IF NOT EXISTS "
		    "(SQLite lacks it)");
	if (schema_is_any(t, t->pos, tablekw))
		return UNSUP(t, "cannot translate ALTER TABLE ADD %s",
		    schema_desc(t, t->pos, d, sizeof(d)));
	if (coldef(t, 1) == -1)
		return -1;
	if (IS(t, ","))
		return UNSUP(t, "cannot translate several ALTER TABLE actions");
	return 0;
}

/* INSERT INTO t [(cols)] VALUES (...), ... */
static int
insert(struct tr *t)
{
	emit(t);
	if (expect(t, "INTO") == -1 || name(t) == -1 ||
	    (IS(t, "(") && identlist(t) == -1) || expect(t, "VALUES") == -1)
		return -1;
	do {
		if (expect(t, "(") == -1)
			return -1;
		do {
			if (expr(t, expr_end(t, NULL)) == -1)
				return -1;
		} while (accept(t, ","));
		if (expect(t, ")") == -1)
			return -1;
	} while (accept(t, ","));
	return 0;
}

/* Translates the statement at the cursor, or names what it cannot. */
static int
statement(struct tr *t)
{
	static const char *const lead[] = {
	    "CREATE", "DROP", "ALTER", "COMMENT", NULL};
	char msg[128], d[48];
	size_t i = t->pos, n;
	int rc;

	if (schema_is(t, i, "CREATE") && schema_is(t, i + 1, "TABLE"))
		rc = create_table(t);
	else if (schema_is(t, i, "CREATE") &&
	    (schema_is(t, i + 1, "INDEX") ||
		(schema_is(t, i + 1, "UNIQUE") &&
		    schema_is(t, i + 2, "INDEX"))))
		rc = create_index(t);
	else if (schema_is(t, i, "DROP") &&
	    (schema_is(t, i + 1, "TABLE") || schema_is(t, i + 1, "INDEX")))
		rc = drop(t);
	else if (schema_is(t, i, "ALTER") && schema_is(t, i + 1, "TABLE"))
		rc = alter_table(t);
	else if (schema_is(t, i, "INSERT"))
		rc = insert(t);
	else if (!schema_is_kind(t, i, TK_WORD))
		return bad(t);
	else {
		/* "CREATE EXTENSION", "CREATE OR REPLACE FUNCTION", "GRANT" */
		n = 1;
		if (schema_is_any(t, i, lead))
			n = schema_is(t, i + 1, "OR") ? 4 : 2;
		snprintf(
		    msg, sizeof(msg), "%s", schema_desc(t, i, d, sizeof(d)));
		while (--n > 0 && schema_is_kind(t, ++i, TK_WORD))
			snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
			    " %s", schema_desc(t, i, d, sizeof(d)));
		return UNSUP(t, "cannot translate %s", msg);
	}
	return rc == -1 || t->pos >= t->end ? rc : bad(t);
}

/*
 * Translates the PostgreSQL-dialect migration src (len bytes, need not be
 * NUL-terminated) into SQLite DDL, each statement ending ";\n"; name is
 * only used in messages. Lexical errors are reported before any other.
 * Returns OB_OK with *out a NUL-terminated malloc'd string the caller
 * frees; OB_ERR_INVAL for malformed input (unterminated string, comment or
 * dollar quote, stray byte, unbalanced parentheses); OB_ERR_UNSUPPORTED
 * for what it does not translate; OB_ERR_NOMEM. On failure *out is NULL
 * and errbuf (if errsz > 0) holds "NAME:LINE: what". Pure and reentrant.
 */
enum ob_err
schema_translate(const char *name, const char *src, size_t len, char **out,
    char *errbuf, size_t errsz)
{
	struct tr t;
	size_t i, j, depth, open = 0;

	memset(&t, 0, sizeof(t));
	t.name = name != NULL ? name : "(input)";
	t.src = (const unsigned char *)src;
	t.len = src != NULL ? len : 0;
	if (errbuf != NULL && errsz > 0) {
		t.errbuf = errbuf;
		t.errsz = errsz;
		errbuf[0] = '\0';
	}
	if (out == NULL)
		return OB_ERR_INVAL;
	*out = NULL;
	if (schema_lex(&t) == -1)
		goto out;
	raw(&t, "");
	for (i = 0; t.toks[i].kind != TK_END;
	     i = j + (t.toks[j].kind != TK_END)) {
		t.end = t.ntoks;
		for (j = i, depth = 0; t.toks[j].kind != TK_END; j++) {
			if (schema_is(&t, j, "(") && depth++ == 0)
				open = j;
			else if (schema_is(&t, j, ")") && depth-- == 0) {
				schema_fail(&t, OB_ERR_INVAL, t.toks[j].line,
				    "unbalanced ')'");
				goto out;
			} else if (schema_is(&t, j, ";") && depth == 0)
				break;
		}
		if (depth > 0) {
			schema_fail(&t, OB_ERR_INVAL, t.toks[open].line,
			    "unbalanced '('");
			goto out;
		}
		if (j == i)
			continue;
		t.pos = t.nogap = i;
		t.end = j;
		if (statement(&t) == -1)
			goto out;
		raw(&t, ";\n");
	}
	if (t.out.oom)
		schema_fail(&t, OB_ERR_NOMEM, t.toks[i].line, "out of memory");
out:
	if (t.err == OB_OK) {
		*out = t.out.p;
		t.out.p = NULL;
	}
	buf_free(&t.out);
	free(t.toks);
	return t.err;
}
