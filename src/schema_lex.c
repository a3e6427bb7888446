/*
 * The schema translator's lexer (schema.c is its grammar): a migration's
 * text split into tokens, each keeping the whitespace and comments before
 * it, and the tests the grammar asks of a token. Pure, like schema.c.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_int.h"

/* ASCII only: identifiers may hold any byte >= 0x80, as in PostgreSQL. */
#define LC(c) ((c) >= 'A' && (c) <= 'Z' ? (c) - 'A' + 'a' : (c))
#define DIGIT(c) ((c) >= '0' && (c) <= '9')
#define IDSTART(c) ((LC(c) >= 'a' && LC(c) <= 'z') || (c) == '_' || (c) >= 0x80)
#define IDCHAR(c) (IDSTART(c) || DIGIT(c))

int __attribute__((format(printf, 4, 5)))
schema_fail(struct tr *t, enum ob_err err, size_t line, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	if (t->err != OB_OK)
		return -1;
	t->err = err;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (t->errsz > 0)
		snprintf(t->errbuf, t->errsz, "%s:%zu: %s", t->name, line, msg);
	return -1;
}

/* ---- tokenizer ---------------------------------------------------------- */

size_t
schema_comment_end(const unsigned char *s, size_t len, size_t p)
{
	const unsigned char *nl;
	size_t depth = 1, q;

	if (p + 1 >= len ||
	    !((s[p] == '-' && s[p + 1] == '-') ||
		(s[p] == '/' && s[p + 1] == '*')))
		return p;
	if (s[p] == '-') {
		nl = memchr(s + p, '\n', len - p);
		return nl != NULL ? (size_t)(nl - s) : len;
	}
	for (q = p + 2; q + 1 < len; q++) {
		if (s[q] == '/' && s[q + 1] == '*') {
			depth++;
			q++;
		} else if (s[q] == '*' && s[q + 1] == '/') {
			if (--depth == 0)
				return q + 2;
			q++;
		}
	}
	return SIZE_MAX;
}

/*
 * Returns the end of the token starting at p and sets *kind, or returns 0
 * with *kind the kind of the unterminated string or bad number at p.
 */
static size_t
token_end(const unsigned char *s, size_t len, size_t p, enum tok_kind *kind)
{
	size_t q = p + 1, r;

	if (IDSTART(s[p])) {
		*kind = TK_WORD;
		while (q < len && IDCHAR(s[q]))
			q++;
	} else if (DIGIT(s[p]) || (s[p] == '.' && q < len && DIGIT(s[q]))) {
		*kind = TK_NUMBER;
		for (q = p; q < len && DIGIT(s[q]); q++)
			;
		if (q < len && s[q] == '.')
			for (q++; q < len && DIGIT(s[q]); q++)
				;
		if (q + 1 < len && LC(s[q]) == 'e' &&
		    (s[q + 1] == '-' || s[q + 1] == '+') && q + 2 < len &&
		    DIGIT(s[q + 2]))
			q += 2;
		else if (q + 1 < len && LC(s[q]) == 'e' && DIGIT(s[q + 1]))
			q++;
		while (q < len && DIGIT(s[q]))
			q++;
		if (q < len && (IDCHAR(s[q]) || s[q] == '.'))
			return 0;
	} else if (s[p] == '\'' || s[p] == '"') {
		*kind = s[p] == '\'' ? TK_STRING : TK_QIDENT;
		for (; q < len; q++) {
			if (s[q] != s[p])
				continue;
			if (q + 1 >= len || s[q + 1] != s[p])
				return q + 1;
			q++;
		}
		return 0;
	} else if (s[p] == '$' && (q >= len || !DIGIT(s[q]))) {
		/* $tag$ ... $tag$, else a lone '$' */
		*kind = TK_DOLLAR;
		while (q < len && IDCHAR(s[q]))
			q++;
		if (q >= len || s[q] != '$') {
			*kind = TK_PUNCT;
			return p + 1;
		}
		for (r = q + 1; r + (q + 1 - p) <= len; r++)
			if (memcmp(s + r, s + p, q + 1 - p) == 0)
				return r + (q + 1 - p);
		return 0;
	} else
		*kind = TK_PUNCT;
	return q;
}

int
schema_lex(struct tr *t)
{
	static const char *const what[] = {[TK_NUMBER] = "malformed number",
	    [TK_QIDENT] = "unterminated quoted identifier",
	    [TK_STRING] = "unterminated string",
	    [TK_DOLLAR] = "unterminated dollar-quoted string"};
	const unsigned char *s = t->src, *z;
	size_t p = 0, q = 0, gap, line = 1, ncap;
	enum tok_kind kind = TK_END;
	struct tok *k;

	/* A NUL would end the output string early. */
	if (t->len > 0 && (z = memchr(s, '\0', t->len)) != NULL) {
		for (p = 0; s + p < z; p++)
			line += s[p] == '\n';
		return schema_fail(
		    t, OB_ERR_INVAL, line, "unexpected byte 0x00");
	}
	for (;;) {
		for (gap = p; p < t->len; p = q) {
			if ((q = schema_comment_end(s, t->len, p)) == SIZE_MAX)
				return schema_fail(t, OB_ERR_INVAL, line,
				    "unterminated comment");
			if (q == p && strchr(" \t\n\r\f\v", s[p]) == NULL)
				break;
			for (q += q == p; p < q; p++)
				line += s[p] == '\n';
		}
		if (p < t->len && (s[p] <= ' ' || s[p] == 0x7f))
			return schema_fail(t, OB_ERR_INVAL, line,
			    "unexpected byte 0x%02x", s[p]);
		if (p < t->len && (q = token_end(s, t->len, p, &kind)) == 0)
			return schema_fail(
			    t, OB_ERR_INVAL, line, "%s", what[kind]);
		if (t->ntoks == t->captoks) {
			ncap = t->captoks ? t->captoks * 2 : 64;
			if (ncap > SIZE_MAX / sizeof(*k) ||
			    (k = realloc(t->toks, ncap * sizeof(*k))) == NULL)
				return schema_fail(
				    t, OB_ERR_NOMEM, line, "out of memory");
			t->toks = k;
			t->captoks = ncap;
		}
		k = &t->toks[t->ntoks++];
		k->kind = p < t->len ? kind : TK_END;
		k->gap = gap;
		k->off = p;
		k->len = p < t->len ? q - p : 0;
		k->line = line;
		if (p == t->len)
			return 0;
		for (; p < q; p++)
			line += s[p] == '\n';
	}
}

/* ---- token tests -------------------------------------------------------- */

int
schema_is(const struct tr *t, size_t i, const char *kw)
{
	const struct tok *k;
	size_t j, n = strlen(kw);

	if (i >= t->end)
		return 0;
	k = &t->toks[i];
	if (k->kind != (IDSTART((unsigned char)kw[0]) ? TK_WORD : TK_PUNCT) ||
	    k->len != n)
		return 0;
	for (j = 0; j < n; j++)
		if (LC(t->src[k->off + j]) != LC((unsigned char)kw[j]))
			return 0;
	return 1;
}

int
schema_is_any(const struct tr *t, size_t i, const char *const *kws)
{
	for (; *kws != NULL; kws++)
		if (schema_is(t, i, *kws))
			return 1;
	return 0;
}

int
schema_is_kind(const struct tr *t, size_t i, enum tok_kind kind)
{
	return i < t->end && t->toks[i].kind == kind;
}

const char *
schema_desc(const struct tr *t, size_t i, char *buf, size_t sz)
{
	const struct tok *k = &t->toks[i < t->end ? i : t->end];
	size_t j, n = 0, quote;
	unsigned char c;

	if (i >= t->end)
		return "end of statement";
	if (k->kind == TK_DOLLAR)
		return "dollar quoting";
	quote = k->kind == TK_PUNCT || k->kind == TK_NUMBER;
	if (quote)
		buf[n++] = '\'';
	for (j = 0; j < k->len && n + 5 < sz; j++) {
		c = t->src[k->off + j];
		c = k->kind == TK_WORD && c >= 'a' && c <= 'z' ? c - 32 : c;
		buf[n++] = c >= ' ' && c < 0x7f ? (char)c : '?';
	}
	if (j < k->len)
		n += (size_t)snprintf(buf + n, sz - n, "...");
	if (quote)
		buf[n++] = '\'';
	buf[n] = '\0';
	return buf;
}

size_t
schema_line_at(const struct tr *t, size_t i)
{
	return t->toks[i < t->end ? i : t->end].line;
}
