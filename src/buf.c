/*
 * A growing string for writers whose output length is not known ahead: the
 * stats and metrics documents, the translated schema. Pure: no I/O, no
 * globals; it is linked into the fuzz targets with the codecs.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ob.h"

/*
 * Makes room for n more bytes and the NUL; returns 0 (and sets oom) when
 * it cannot. Doubling from 256 keeps appends amortised O(1); the bound
 * keeps the doubling itself from overflowing.
 */
static int
buf_grow(struct ob_buf *b, size_t n)
{
	size_t ncap;
	char *np;

	if (b->oom || n > SIZE_MAX / 4 - b->len) {
		b->oom = 1;
		return 0;
	}
	if (b->p != NULL && b->len + n + 1 <= b->cap)
		return 1;
	for (ncap = b->cap ? b->cap : 256; ncap < b->len + n + 1;)
		ncap *= 2;
	if ((np = realloc(b->p, ncap)) == NULL) {
		b->oom = 1;
		return 0;
	}
	b->p = np;
	b->cap = ncap;
	return 1;
}

void
buf_add(struct ob_buf *b, const void *s, size_t n)
{
	if (!buf_grow(b, n))
		return;
	if (n > 0)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
buf_puts(struct ob_buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_printf(struct ob_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	/* Most appends fit: format in place, and again only after growing. */
	va_start(ap, fmt);
	n = vsnprintf(b->p != NULL ? b->p + b->len : NULL,
	    b->p != NULL ? b->cap - b->len : 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		if (b->p != NULL)
			b->p[b->len] = '\0';
		b->oom = 1;
		return;
	}
	if (b->p != NULL && (size_t)n < b->cap - b->len) {
		b->len += (size_t)n;
		return;
	}
	if (b->p != NULL)
		b->p[b->len] = '\0'; /* drop the truncated attempt */
	if (!buf_grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_truncate(struct ob_buf *b, size_t len)
{
	if (b->p == NULL || len > b->len)
		return;
	b->len = len;
	b->p[len] = '\0';
}

void
buf_json_str(struct ob_buf *b, const char *s)
{
	char esc[8];
	size_t run;

	buf_add(b, "\"", 1);
	for (;;) {
		/* Bytes that need no escape go in runs. */
		for (run = 0; s[run] != '\0' && s[run] != '"' &&
		     s[run] != '\\' && (unsigned char)s[run] >= 0x20;
		     run++)
			;
		buf_add(b, s, run);
		s += run;
		if (*s == '\0')
			break;
		if (*s == '"' || *s == '\\')
			snprintf(esc, sizeof(esc), "\\%c", *s);
		else
			snprintf(
			    esc, sizeof(esc), "\\u%04x", (unsigned char)*s);
		buf_puts(b, esc);
		s++;
	}
	buf_add(b, "\"", 1);
}

void
buf_json_time(struct ob_buf *b, int64_t t)
{
	char ts[32];

	if (t == INT64_MIN) {
		buf_puts(b, "null");
		return;
	}
	util_time_format(t, ts, sizeof(ts));
	buf_printf(b, "\"%s\"", ts);
}

enum ob_err
buf_finish(struct ob_buf *b, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	if (b->p == NULL)
		buf_add(b, "", 0); /* an empty string is still a string */
	if (b->oom) {
		buf_free(b);
		return OB_ERR_NOMEM;
	}
	*out = b->p;
	*len = b->len;
	memset(b, 0, sizeof(*b));
	return OB_OK;
}

void
buf_free(struct ob_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}
