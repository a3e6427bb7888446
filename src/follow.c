/*
 * Following an `openssl ca` database (index.txt) while serving: each new
 * version of the file is applied as `cert import` would apply it, but
 * only its lines that changed since the version before, so that a
 * revoke in a big index costs one line's write.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

/* FNV-1a, 64 bits: the index is the CA's own file, not an adversary's. */
static uint64_t
line_hash(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int
seen_has(const struct follow_seen *s, uint64_t h)
{
	return s->n > 0 &&
	    bsearch(&h, s->h, s->n, sizeof(*s->h), cmp_u64) != NULL;
}

void
follow_seen_free(struct follow_seen *s)
{
	free(s->h);
	s->h = NULL;
	s->n = 0;
}

/* The length of the line at p (at most end), without "\n" or "\r\n". */
static size_t
line_len(const char *p, const char *nl)
{
	size_t n = (size_t)(nl - p);

	return n > 0 && p[n - 1] == '\r' ? n - 1 : n;
}

enum ob_err
follow_apply(struct store *st, const char *issuer_id, char *text, size_t len,
    int64_t now, struct follow_seen *seen, struct follow_outcome *out)
{
	struct follow_seen next = {NULL, 0};
	struct index_entry ent;
	char *p, *end = text + len, *nl, t[32], tn[32];
	size_t n, cap = 0, changed = 0, i;
	uint64_t h;
	enum ob_err e;
	int in_tx = 0;

	memset(out, 0, sizeof(*out));
	/* First pass: every complete line's hash, and how many are new. */
	for (p = text; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			out->torn = 1;
			break;
		}
		out->lines++;
		if ((n = line_len(p, nl)) == 0)
			continue;
		if (next.n == cap) {
			uint64_t *g;

			cap = cap ? 2 * cap : 1024;
			if ((g = realloc(next.h, cap * sizeof(*g))) == NULL) {
				follow_seen_free(&next);
				snprintf(out->err, sizeof(out->err),
				    "out of memory");
				return OB_ERR_NOMEM;
			}
			next.h = g;
		}
		next.h[next.n++] = h = line_hash(p, n);
		changed += !seen_has(seen, h);
	}
	qsort(next.h, next.n, sizeof(*next.h), cmp_u64);
	/* Second pass: parse and write the changed lines, all or none. */
	for (p = text, i = 0; changed > 0 && p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		i++;
		if ((n = line_len(p, nl)) == 0 ||
		    seen_has(seen, line_hash(p, n)))
			continue;
		p[n] = '\0';
		if (index_parse_line(p, n, &ent, out->err, sizeof(out->err)) !=
		    OB_OK) {
			e = OB_ERR_INVAL;
			goto bad;
		}
		if (ent.status == 'R' && ent.revoked_at > now) {
			util_time_format(ent.revoked_at, t, sizeof(t));
			util_time_format(now, tn, sizeof(tn));
			snprintf(out->err, sizeof(out->err),
			    "revocation time %s of serial %s is after now (%s)",
			    t, ent.serial, tn);
			e = OB_ERR_INVAL;
			goto bad;
		}
		if (!in_tx) {
			if ((e = store_begin(st, out->err, sizeof(out->err))) !=
			    OB_OK)
				goto fail;
			in_tx = 1;
		}
		if ((e = store_cert_put(st, issuer_id, ent.serial,
			 ent.not_after,
			 ent.subject[0] != '\0' ? ent.subject : NULL,
			 ent.status == 'R' ? ent.revoked_at : INT64_MIN,
			 ent.reason, out->err, sizeof(out->err))) != OB_OK)
			goto fail;
		if (ent.status == 'V')
			out->valid++;
		else if (ent.status == 'R')
			out->revoked++;
		else
			out->expired++;
	}
	if (in_tx &&
	    ((e = store_cert_put_end(
		  st, issuer_id, out->err, sizeof(out->err))) != OB_OK ||
		(e = store_commit(st, out->err, sizeof(out->err))) != OB_OK))
		goto fail;
	follow_seen_free(seen);
	*seen = next;
	return OB_OK;
bad:
	out->bad_line = (long long)i;
fail:
	if (in_tx)
		store_rollback(st);
	out->valid = out->revoked = out->expired = 0;
	follow_seen_free(&next);
	return e;
}
