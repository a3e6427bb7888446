/*
 * Following an `openssl ca` database (index.txt) while serving: each new
 * version of the file is applied as `cert import` would apply it, but
 * only its lines that changed since the version before, so that a
 * revoke in a big index costs one line's write.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/sha256.h>

#include "server.h"

/* How often the file is looked at without an event, in ms. */
#define FOLLOW_POLL_MS 1000
/* How long a burst of events (a write in pieces) is let settle, in ms. */
#define FOLLOW_SETTLE_MS 50
/* The longest wait between tries after store errors, in ms. */
#define FOLLOW_BACKOFF_MS 60000

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Whether sorted v (n) holds h. */
static int
set_has(const uint64_t *v, size_t n, uint64_t h)
{
	return n > 0 && bsearch(&h, v, n, sizeof(*v), cmp_u64) != NULL;
}

/* Appends h to *v (*n of *cap); 0, or -1 out of memory. */
static int
set_add(uint64_t **v, size_t *n, size_t *cap, uint64_t h)
{
	uint64_t *g;
	size_t c;

	if (*n == *cap) {
		c = *cap ? 2 * *cap : 1024;
		if ((g = realloc(*v, c * sizeof(*g))) == NULL)
			return -1;
		*v = g;
		*cap = c;
	}
	(*v)[(*n)++] = h;
	return 0;
}

void
follow_seen_free(struct follow_seen *s)
{
	free(s->h);
	free(s->bad);
	memset(s, 0, sizeof(*s));
}

/*
 * Reads one line of f into buf (FOLLOW_LINE_MAX + 2 bytes), without its
 * "\n" or "\r\n", NUL after it: its length in *len, *over set when it is
 * longer than FOLLOW_LINE_MAX (then buf holds its start, and the rest is
 * read past and hashed), its hash in *h. Returns 1 for a line ending in
 * a newline, 2 for a last line without one, 0 at the end of f.
 *
 * A line is known by the first 64 bits of SHA-256 over key (16 bytes,
 * random, the follower's own) and the line: a subject comes from a
 * certificate request, so a hash an applicant could aim at (FNV, or any
 * unkeyed one, whose values can be searched offline) would let a
 * crafted V line stand for a later R line, which would then be skipped
 * as already applied.
 */
static int
read_line(FILE *f, const unsigned char key[16], char *buf, size_t *len,
    int *over, uint64_t *h)
{
	const size_t cap = FOLLOW_LINE_MAX + 2;
	mbedtls_sha256_context sc;
	unsigned char d[32];
	size_t n = 0, total = 0;
	int ch = EOF, i, r;

	*over = 0;
	mbedtls_sha256_init(&sc);
	mbedtls_sha256_starts_ret(&sc, 0);
	mbedtls_sha256_update_ret(&sc, key, 16);
	while ((ch = getc_unlocked(f)) != EOF && ch != '\n') {
		if (n == cap - 1) {
			/* Too long already: hashed as it goes. */
			mbedtls_sha256_update_ret(&sc, (unsigned char *)buf, n);
			total += n;
			n = 0;
			*over = 1;
		}
		buf[n++] = (char)ch;
	}
	if (ch == EOF && n == 0 && total == 0) {
		mbedtls_sha256_free(&sc);
		return 0;
	}
	/* "\r\n" is a newline: the CR is not the line's. */
	if (ch == '\n' && n > 0 && buf[n - 1] == '\r')
		n--;
	mbedtls_sha256_update_ret(&sc, (unsigned char *)buf, n);
	mbedtls_sha256_finish_ret(&sc, d);
	mbedtls_sha256_free(&sc);
	if (total + n > FOLLOW_LINE_MAX)
		*over = 1;
	r = ch == '\n' ? 1 : 2;
	buf[n] = '\0';
	*len = n;
	for (*h = 0, i = 0; i < 8; i++)
		*h = *h << 8 | d[i];
	return r;
}

/* Writes ent, in the transaction it begins when *in_tx is 0. */
static enum ob_err
write_line(struct store *st, const char *issuer_id,
    const struct index_entry *ent, int *in_tx, struct follow_outcome *out)
{
	enum store_put what;
	enum ob_err e;
	int write;

	/* Outside a transaction, a row that already says it is left
	 * without the write lock: after a restart, a whole index of
	 * certificates the database holds is read, not written. */
	if ((e = store_cert_plan(st, issuer_id, ent, &what, &write, out->err,
		 sizeof(out->err))) != OB_OK)
		return e;
	if (what == STORE_PUT_KEPT && out->kept++ == 0)
		snprintf(out->kept_note, sizeof(out->kept_note),
		    "serial %s is revoked here otherwise than its %c line "
		    "says: kept revoked (an index releases only a "
		    "certificateHold it made; ocspbox unrevoke, any other)",
		    ent->serial, ent->status);
	if (!write) {
		out->unchanged += what != STORE_PUT_KEPT;
		return OB_OK;
	}
	if (!*in_tx) {
		if ((e = store_begin(st, out->err, sizeof(out->err))) != OB_OK)
			return e;
		*in_tx = 1;
	}
	if ((e = store_cert_put(st, issuer_id, ent, &what, out->err,
		 sizeof(out->err))) != OB_OK)
		return e;
	if (what == STORE_PUT_SAME)
		out->unchanged++;
	else if (what == STORE_PUT_RELEASED)
		out->released++;
	else if (what == STORE_PUT_KEPT)
		; /* counted above */
	else if (ent->status == 'V')
		out->valid++;
	else if (ent->status == 'R')
		out->revoked++;
	else
		out->expired++;
	return OB_OK;
}

enum ob_err
follow_apply(struct store *st, const char *issuer_id, FILE *f, int whole,
    int64_t now, struct follow_seen *seen, struct follow_outcome *out)
{
	struct follow_seen next;
	struct index_entry ent;
	char *buf = NULL, why[OB_ERRBUF], t[32];
	size_t len, cap = 0, bcap = 0;
	long long line = 0;
	int r, over, in_tx = 0;
	uint64_t h;
	enum ob_err e = OB_ERR_NOMEM;

	memset(out, 0, sizeof(*out));
	memset(&next, 0, sizeof(next));
	snprintf(next.anchor, sizeof(next.anchor), "%s", seen->anchor);
	/* The hash's key: made once a follower has nothing applied, kept
	 * as long as what it applied is. */
	if (!seen->keyed) {
		if (getrandom(seen->key, sizeof(seen->key), 0) !=
		    (ssize_t)sizeof(seen->key)) {
			snprintf(out->err, sizeof(out->err),
			    "no random key: %s", strerror(errno));
			return OB_ERR_IO;
		}
		seen->keyed = 1;
	}
	memcpy(next.key, seen->key, sizeof(next.key));
	next.keyed = 1;
	if ((buf = malloc(FOLLOW_LINE_MAX + 2)) == NULL)
		goto nomem;
	flockfile(f);
	while ((r = read_line(f, seen->key, buf, &len, &over, &h)) != 0) {
		if (r == 2 && !whole) {
			out->torn = 1; /* caught mid-write: left for later */
			break;
		}
		line++;
		out->lines++;
		if (len == 0)
			continue;
		if (set_has(seen->h, seen->n, h)) {
			if (set_add(&next.h, &next.n, &cap, h) != 0)
				goto nomem;
			continue;
		}
		if (over ||
		    index_parse_line(buf, len, &ent, why, sizeof(why)) !=
			OB_OK) {
			if (over)
				snprintf(why, sizeof(why),
				    "a line over %d bytes", FOLLOW_LINE_MAX);
			/* A line broken before is not new (logged once). */
			if (!set_has(seen->bad, seen->nbad, h))
				out->new_broken++;
			if (out->broken++ == 0) {
				out->bad_line = line;
				snprintf(out->err, sizeof(out->err), "%s", why);
			}
			if (set_add(&next.bad, &next.nbad, &bcap, h) != 0)
				goto nomem;
			continue;
		}
		if (ent.status == 'R' && ent.revoked_at > now) {
			/* The CA's clock ahead of ours: revoked as of now, not
			 * left good until its clock's time comes here. */
			if (out->clamped++ == 0) {
				util_time_format(ent.revoked_at, t, sizeof(t));
				snprintf(out->clamp_note,
				    sizeof(out->clamp_note),
				    "serial %s revoked at %s, after now (the "
				    "CA's clock ahead?): revoked as of now",
				    ent.serial, t);
			}
			ent.revoked_at = now;
		}
		if (ent.note[0] != '\0' && out->noted++ == 0)
			snprintf(out->note, sizeof(out->note),
			    "line %lld, serial %s: %s", line, ent.serial,
			    ent.note);
		if ((e = write_line(st, issuer_id, &ent, &in_tx, out)) != OB_OK)
			goto fail;
		snprintf(next.anchor, sizeof(next.anchor), "%s", ent.serial);
		if (set_add(&next.h, &next.n, &cap, h) != 0)
			goto nomem;
	}
	funlockfile(f);
	if (ferror(f)) {
		snprintf(out->err, sizeof(out->err), "read error");
		e = OB_ERR_IO;
		goto fail_unlocked;
	}
	if (in_tx &&
	    ((e = store_cert_put_end(
		  st, issuer_id, out->err, sizeof(out->err))) != OB_OK ||
		(e = store_commit(st, out->err, sizeof(out->err))) != OB_OK))
		goto fail_unlocked;
	if (next.n > 1)
		qsort(next.h, next.n, sizeof(*next.h), cmp_u64);
	if (next.nbad > 1)
		qsort(next.bad, next.nbad, sizeof(*next.bad), cmp_u64);
	free(buf);
	follow_seen_free(seen);
	*seen = next;
	return OB_OK;
nomem:
	snprintf(out->err, sizeof(out->err), "out of memory");
	e = OB_ERR_NOMEM;
fail:
	if (buf != NULL)
		funlockfile(f);
fail_unlocked:
	if (in_tx)
		store_rollback(st);
	out->valid = out->revoked = out->expired = out->unchanged = 0;
	out->released = out->kept = 0;
	free(buf);
	follow_seen_free(&next);
	return e;
}

struct follower {
	char *db_path, *issuer_id, *path;
	char *dir; /* path's directory, watched */
	int stop_pipe[2];
	pthread_t th;
	pthread_mutex_t mu; /* status */
	struct follow_status status;
};

/* What identifies a version of the file without reading it. */
struct file_sig {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
};

static int
sig_same(const struct file_sig *a, const struct file_sig *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	    a->mtime.tv_sec == b->mtime.tv_sec &&
	    a->mtime.tv_nsec == b->mtime.tv_nsec &&
	    a->ctime.tv_sec == b->ctime.tv_sec &&
	    a->ctime.tv_nsec == b->ctime.tv_nsec;
}

/* The follower thread's own state (follower_main's, never shared). */
struct follow_state {
	struct store *st; /* NULL until it opens */
	struct follow_seen seen; /* what is applied */
	struct file_sig applied; /* the version applied whole */
	struct file_sig counted; /* the last version counted in versions */
	struct file_sig logged; /* the last version a read error was logged */
	struct file_sig torn; /* a version seen with its last line torn */
	int64_t torn_at; /* when it was first seen, monotonic ms */
	int64_t wait_until; /* after a store error, monotonic ms */
	int64_t backoff; /* the last wait, ms; 0 after a success */
	char store_err[OB_ERRBUF]; /* the last store error logged */
	int missing; /* the file was not there at the last look */
	int no_issuer; /* the issuer is not registered: waited for */
	int transient; /* the status's error is a look's, not a version's:
			* cleared by the next look that goes well */
	char version_err[OB_ERRBUF]; /* what the last version applied left */
};

/* Sets the status's error (fmt as printf); under fw->mu. */
static void __attribute__((format(printf, 2, 3)))
status_err(struct follower *fw, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&fw->mu);
	va_start(ap, fmt);
	vsnprintf(fw->status.err, sizeof(fw->status.err), fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&fw->mu);
}

/*
 * A store error: shown, logged when it differs from the last one, and
 * the next try put off, twice as long each time up to FOLLOW_BACKOFF_MS.
 */
static void
store_failed(struct follower *fw, struct follow_state *s, const char *err)
{
	if (strcmp(err, s->store_err) != 0) {
		log_warnx("follow %s: %s; trying again", fw->issuer_id, err);
		snprintf(s->store_err, sizeof(s->store_err), "%s", err);
	}
	status_err(fw, "%s", err);
	s->transient = 1;
	s->backoff = s->backoff == 0             ? FOLLOW_POLL_MS
	    : 2 * s->backoff > FOLLOW_BACKOFF_MS ? FOLLOW_BACKOFF_MS
						 : 2 * s->backoff;
	s->wait_until = util_mono_ms() + s->backoff;
}

/*
 * Whether what this follower wrote is still in the store: a serial it
 * wrote gone means its issuer was removed (and maybe added again), or
 * the certificate removed; the whole file is then applied again. 1 when
 * all is well, 0 after a store error (store_failed).
 */
static int
anchor_check(struct follower *fw, struct follow_state *s)
{
	char err[OB_ERRBUF];
	int revoked, reason;
	int64_t at;
	enum ob_err e;

	if (s->seen.anchor[0] == '\0')
		return 1;
	err[0] = '\0';
	e = store_cert_status(s->st, fw->issuer_id, NULL, s->seen.anchor,
	    &revoked, &at, &reason, err, sizeof(err));
	if (e == OB_OK)
		return 1;
	if (e != OB_ERR_NOTFOUND) {
		store_failed(fw, s, err);
		return 0;
	}
	log_warnx("follow %s: serial %s it wrote is gone (the issuer or the "
		  "certificate removed): applying the whole of %s again",
	    fw->issuer_id, s->seen.anchor, fw->path);
	follow_seen_free(&s->seen);
	memset(&s->applied, 0, sizeof(s->applied));
	memset(&s->torn, 0, sizeof(s->torn));
	return 1;
}

/* Records what follow_apply made of version now, and logs it. */
static void
applied(struct follower *fw, struct follow_state *s, const struct file_sig *now,
    const struct follow_outcome *o, int whole)
{
	static const struct file_sig none;
	int fresh = !sig_same(now, &s->counted);
	int first = sig_same(&s->counted, &none);

	s->backoff = 0;
	s->store_err[0] = '\0';
	if (o->torn) {
		if (!sig_same(now, &s->torn)) {
			s->torn = *now;
			s->torn_at = util_mono_ms();
		}
	} else {
		if (whole && sig_same(now, &s->torn))
			log_warnx("follow %s: %s: its last line has had no "
				  "newline for %d s: read as it is",
			    fw->issuer_id, fw->path, FOLLOW_TORN_WAIT);
		s->applied = *now;
		memset(&s->torn, 0, sizeof(s->torn));
	}
	s->counted = *now;
	pthread_mutex_lock(&fw->mu);
	if (fresh) {
		fw->status.versions++;
		fw->status.broken += o->broken > 0;
	}
	fw->status.applied_at = (int64_t)time(NULL);
	fw->status.bad_line = o->bad_line;
	if (o->broken > 1)
		snprintf(fw->status.err, sizeof(fw->status.err),
		    "%.200s:%lld: %.200s (and %lld more lines); skipped, the "
		    "other lines are applied",
		    fw->path, o->bad_line, o->err, o->broken - 1);
	else if (o->broken > 0)
		snprintf(fw->status.err, sizeof(fw->status.err),
		    "%.200s:%lld: %.200s; skipped, the other lines are applied",
		    fw->path, o->bad_line, o->err);
	else if (o->clamped > 0)
		snprintf(fw->status.err, sizeof(fw->status.err), "%s",
		    o->clamp_note);
	else if (o->noted > 0)
		snprintf(fw->status.err, sizeof(fw->status.err),
		    "%.200s: %.280s", fw->path, o->note);
	else
		fw->status.err[0] = '\0';
	snprintf(s->version_err, sizeof(s->version_err), "%s", fw->status.err);
	pthread_mutex_unlock(&fw->mu);
	s->transient = 0;
	if (first)
		log_warnx("follow %s: %s: %lld lines, %lld of them already "
			  "in the database",
		    fw->issuer_id, fw->path, o->lines, o->unchanged);
	if (o->valid + o->revoked + o->expired > 0)
		log_warnx("follow %s: %s: %lld valid, %lld revoked, %lld "
			  "expired applied",
		    fw->issuer_id, fw->path, o->valid, o->revoked, o->expired);
	if (o->released > 0)
		log_warnx("follow %s: %s: %lld released from certificateHold",
		    fw->issuer_id, fw->path, o->released);
	if (o->kept > 0)
		log_warnx("follow %s: %s: %s%s", fw->issuer_id, fw->path,
		    o->kept_note,
		    o->kept > 1 ? " (and more lines like it)" : "");
	if (o->new_broken > 0)
		log_warnx("follow %s: %s:%lld: %s; %lld line%s skipped, the "
			  "rest applied",
		    fw->issuer_id, fw->path, o->bad_line, o->err, o->broken,
		    o->broken > 1 ? "s" : "");
	if (o->clamped > 0)
		log_warnx("follow %s: %s: %s%s", fw->issuer_id, fw->path,
		    o->clamp_note,
		    o->clamped > 1 ? " (and more lines like it)" : "");
	if (o->noted > 0)
		log_warnx("follow %s: %s: %s%s", fw->issuer_id, fw->path,
		    o->note, o->noted > 1 ? " (and more lines like it)" : "");
}

/*
 * The issuer is not registered (removed, or not yet added again): said
 * once, then looked for at each look, which costs one small query; when
 * it is back the whole file is applied again at once.
 */
static int
issuer_back(struct follower *fw, struct follow_state *s)
{
	char err[OB_ERRBUF];
	enum ob_err e;

	if (!s->no_issuer)
		return 1;
	e = store_issuer_exists(s->st, fw->issuer_id, err, sizeof(err));
	if (e == OB_ERR_NOTFOUND)
		return 0;
	if (e != OB_OK) {
		store_failed(fw, s, err);
		return 0;
	}
	log_warnx("follow %s: the issuer is registered again: applying the "
		  "whole of %s",
	    fw->issuer_id, fw->path);
	s->no_issuer = 0;
	follow_seen_free(&s->seen);
	memset(&s->applied, 0, sizeof(s->applied));
	memset(&s->torn, 0, sizeof(s->torn));
	return 1;
}

/*
 * Opens the file at path for reading, a regular file of at most
 * FOLLOW_MAX_BYTES (a FIFO or a device is refused without a wait), its
 * signature into *sig. NULL with err (errsz bytes) on failure.
 */
static FILE *
open_index(const char *path, struct file_sig *sig, char *err, size_t errsz)
{
	struct stat sb;
	FILE *f;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
		snprintf(err, errsz, "%.300s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) != 0) {
		snprintf(err, errsz, "%.300s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size > (off_t)FOLLOW_MAX_BYTES) {
		snprintf(err, errsz, "%.300s: %s", path,
		    !S_ISREG(sb.st_mode) ? "not a regular file"
					 : "larger than 512 MiB");
		close(fd);
		return NULL;
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		snprintf(err, errsz, "%.300s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	memset(sig, 0, sizeof(*sig));
	sig->dev = sb.st_dev;
	sig->ino = sb.st_ino;
	sig->size = sb.st_size;
	sig->mtime = sb.st_mtim;
	sig->ctime = sb.st_ctim;
	return f;
}

/* Looks at the file once: applies a version not applied yet. */
static void
follow_look(struct follower *fw, struct follow_state *s)
{
	struct follow_outcome o;
	struct file_sig now;
	struct stat sb;
	char err[OB_ERRBUF];
	int whole = 0;
	enum ob_err e;
	FILE *f;

	if (util_mono_ms() < s->wait_until)
		return;
	if (s->st == NULL &&
	    store_open(fw->db_path, 0, &s->st, err, sizeof(err)) != OB_OK) {
		s->st = NULL;
		store_failed(fw, s, err);
		return;
	}
	store_source(s->st, "follow");
	if (stat(fw->path, &sb) != 0) {
		/* Not there (yet), or not reachable: waited for, said once. */
		if (!s->missing) {
			snprintf(err, sizeof(err), "%.300s: %s; waiting for it",
			    fw->path, strerror(errno));
			log_warnx("follow %s: %s", fw->issuer_id, err);
			status_err(fw, "%s", err);
			s->missing = 1;
			s->transient = 1;
		}
		return;
	}
	s->missing = 0;
	if (!issuer_back(fw, s) || !anchor_check(fw, s))
		return;
	memset(&now, 0, sizeof(now));
	now.dev = sb.st_dev;
	now.ino = sb.st_ino;
	now.size = sb.st_size;
	now.mtime = sb.st_mtim;
	now.ctime = sb.st_ctim;
	if (sig_same(&now, &s->applied)) {
		/* Nothing to do, and nothing wrong: a look's own error (a
		 * busy database, say) is over. */
		if (s->transient) {
			status_err(fw, "%s", s->version_err);
			s->transient = 0;
			s->backoff = 0;
			s->store_err[0] = '\0';
		}
		return;
	}
	if (sig_same(&now, &s->torn) &&
	    util_mono_ms() - s->torn_at < FOLLOW_TORN_WAIT * 1000)
		return; /* still torn: a writer at work */
	if ((f = open_index(fw->path, &now, err, sizeof(err))) == NULL) {
		if (!sig_same(&now, &s->logged)) {
			log_warnx("follow %s: %s", fw->issuer_id, err);
			s->logged = now;
		}
		status_err(fw, "%s", err);
		s->transient = 1;
		return;
	}
	/* Decided on the file opened (a rename may have come between):
	 * torn for FOLLOW_TORN_WAIT, a file edited by hand without its
	 * last newline, is read as it is. */
	whole = sig_same(&now, &s->torn) &&
	    util_mono_ms() - s->torn_at >= FOLLOW_TORN_WAIT * 1000;
	e = follow_apply(
	    s->st, fw->issuer_id, f, whole, (int64_t)time(NULL), &s->seen, &o);
	fclose(f);
	if (e == OB_ERR_NOTFOUND) {
		/* The issuer removed: no use reading the file again until
		 * it is back (issuer_back). */
		snprintf(err, sizeof(err),
		    "no issuer %s (removed?): waiting for it", fw->issuer_id);
		if (strcmp(err, s->store_err) != 0)
			log_warnx("follow %s: %s", fw->issuer_id, err);
		snprintf(s->store_err, sizeof(s->store_err), "%s", err);
		status_err(fw, "%s", err);
		s->no_issuer = 1;
		s->transient = 1;
	} else if (e != OB_OK)
		store_failed(fw, s, o.err);
	else
		applied(fw, s, &now, &o, whole);
}

static void *
follower_main(void *arg)
{
	struct follower *fw = arg;
	struct follow_state s;
	struct pollfd pf[2];
	char buf[4096];
	int in = -1, n;

	memset(&s, 0, sizeof(s));
	/* The directory, not the file: openssl ca renames a new file over
	 * it, which a watch on the old one would miss. */
	in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
#ifdef OB_TEST_HOOKS
	/* Sanitizer builds only: as a kernel without inotify, or with
	 * every instance taken (the look every second alone). */
	if (in >= 0 && getenv("OCSPBOX_TEST_NO_INOTIFY") != NULL) {
		close(in);
		in = -1;
		errno = ENOSYS;
	}
#endif
	if (in < 0)
		log_warnx("follow %s: no inotify (%s): looking every %d ms",
		    fw->issuer_id, strerror(errno), FOLLOW_POLL_MS);
	else if (inotify_add_watch(in, fw->dir,
		     IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MODIFY |
			 IN_ATTRIB | IN_DELETE | IN_MOVED_FROM) < 0) {
		log_warnx("follow %s: cannot watch %s (%s): looking every %d "
			  "ms",
		    fw->issuer_id, fw->dir, strerror(errno), FOLLOW_POLL_MS);
		close(in);
		in = -1;
	}
	pf[0].fd = fw->stop_pipe[0];
	pf[0].events = POLLIN;
	pf[1].fd = in;
	pf[1].events = POLLIN;
	for (;;) {
		follow_look(fw, &s);
		n = poll(pf, in >= 0 ? 2 : 1, FOLLOW_POLL_MS);
		if (n > 0 && (pf[0].revents & POLLIN))
			break;
		if (n > 0 && in >= 0 && (pf[1].revents & POLLIN)) {
			/* Let a write in pieces settle, then drain. */
			poll(pf, 1, FOLLOW_SETTLE_MS);
			if (pf[0].revents & POLLIN)
				break;
			while (read(in, buf, sizeof(buf)) > 0)
				;
		}
	}
	if (in >= 0)
		close(in);
	follow_seen_free(&s.seen);
	store_close(s.st);
	return NULL;
}

enum ob_err
follower_start(const char *db_path, const char *issuer_id, const char *path,
    struct follower **out, char *errbuf, size_t errsz)
{
	struct follower *fw;
	char *slash;

	*out = NULL;
	if ((fw = calloc(1, sizeof(*fw))) == NULL)
		goto nomem;
	fw->stop_pipe[0] = fw->stop_pipe[1] = -1;
	if ((fw->db_path = strdup(db_path)) == NULL ||
	    (fw->issuer_id = strdup(issuer_id)) == NULL ||
	    (fw->path = strdup(path)) == NULL ||
	    (fw->dir = strdup(path)) == NULL)
		goto fail;
	if ((slash = strrchr(fw->dir, '/')) == NULL) {
		free(fw->dir);
		if ((fw->dir = strdup(".")) == NULL)
			goto fail;
	} else
		slash[slash == fw->dir ? 1 : 0] = '\0';
	if (pipe(fw->stop_pipe) != 0) {
		fw->stop_pipe[0] = fw->stop_pipe[1] = -1;
		goto fail;
	}
	(void)fcntl(fw->stop_pipe[0], F_SETFD, FD_CLOEXEC);
	(void)fcntl(fw->stop_pipe[1], F_SETFD, FD_CLOEXEC);
	if (pthread_mutex_init(&fw->mu, NULL) != 0)
		goto fail;
	if (pthread_create(&fw->th, NULL, follower_main, fw) != 0) {
		pthread_mutex_destroy(&fw->mu);
		goto fail;
	}
	*out = fw;
	return OB_OK;
fail:
	if (fw->stop_pipe[0] >= 0) {
		close(fw->stop_pipe[0]);
		close(fw->stop_pipe[1]);
	}
	free(fw->db_path);
	free(fw->issuer_id);
	free(fw->path);
	free(fw->dir);
	free(fw);
nomem:
	snprintf(errbuf, errsz, "cannot start following %s", path);
	return OB_ERR_NOMEM;
}

void
follower_stop(struct follower *fw)
{
	if (fw == NULL)
		return;
	while (write(fw->stop_pipe[1], "x", 1) < 0 && errno == EINTR)
		;
	pthread_join(fw->th, NULL);
	close(fw->stop_pipe[0]);
	close(fw->stop_pipe[1]);
	pthread_mutex_destroy(&fw->mu);
	free(fw->db_path);
	free(fw->issuer_id);
	free(fw->path);
	free(fw->dir);
	free(fw);
}

void
follower_status(struct follower *fw, struct follow_status *out)
{
	pthread_mutex_lock(&fw->mu);
	*out = fw->status;
	pthread_mutex_unlock(&fw->mu);
}
