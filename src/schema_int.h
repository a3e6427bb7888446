/*
 * The schema translator's private header, included by src/schema*.c
 * only: the translation's state (struct tr), its tokens, and the lexer
 * and token tests schema_lex.c gives the grammar in schema.c.
 */
#ifndef OCSPBOX_SCHEMA_INT_H
#define OCSPBOX_SCHEMA_INT_H

#include <stddef.h>

#include "codec.h"

enum tok_kind {
	TK_WORD,
	TK_QIDENT,
	TK_STRING,
	TK_NUMBER,
	TK_DOLLAR,
	TK_PUNCT,
	TK_END
};

struct tok {
	enum tok_kind kind;
	size_t gap; /* the whitespace and comments before it start here */
	size_t off;
	size_t len;
	size_t line; /* where it starts, from 1 */
};

struct tr {
	const char *name;
	const unsigned char *src;
	size_t len;
	struct tok *toks;
	size_t ntoks, captoks;
	size_t pos; /* cursor in the current statement */
	size_t end; /* the statement's ';' or TK_END */
	size_t nogap; /* the token whose gap is not copied */
	struct ob_buf out;
	char *errbuf;
	size_t errsz;
	enum ob_err err;
};

/* ---- schema_lex.c --------------------------------------------------------
 * Pure, like schema_translate: each call works on the caller's struct tr.
 */

/*
 * Records the first error only: err in t->err, and "NAME:LINE: message"
 * in t->errbuf (when it has room). Returns -1 for callers to pass on.
 */
int schema_fail(struct tr *t, enum ob_err err, size_t line, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

/*
 * If a comment starts at p, returns where it ends ("--" before its newline;
 * block comments nest, as in PostgreSQL), or SIZE_MAX if unterminated.
 * Returns p if no comment starts there.
 */
size_t schema_comment_end(const unsigned char *s, size_t len, size_t p);

/*
 * Splits all of t->src into t->toks (malloc'd, grown as needed; the
 * caller frees it), ending with TK_END. Returns 0, or -1 after failing
 * (schema_fail) at the first lexical error or on OOM.
 */
int schema_lex(struct tr *t);

/*
 * Whether token i of the statement is the keyword kw (in any case) or, if
 * kw is one non-letter, that punctuation. 0 past the statement's end.
 */
int schema_is(const struct tr *t, size_t i, const char *kw);

/* Whether token i is any of kws (NULL-terminated), as schema_is. */
int schema_is_any(const struct tr *t, size_t i, const char *const *kws);

/* Whether token i is within the statement and of kind kind. */
int schema_is_kind(const struct tr *t, size_t i, enum tok_kind kind);

/*
 * Describes token i for a message: keywords upper-cased, bytes made safe.
 * Returns buf (sz bytes) or a static string.
 */
const char *schema_desc(const struct tr *t, size_t i, char *buf, size_t sz);

/* The line token i starts on; the statement's end past it. */
size_t schema_line_at(const struct tr *t, size_t i);

#endif /* OCSPBOX_SCHEMA_INT_H */
