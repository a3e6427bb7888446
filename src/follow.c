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

/*
 * A line's first 64 bits of SHA-256: its subject comes from a
 * certificate request, so a hash an applicant could collide (FNV, say)
 * would let a crafted V line stand for a later R line, which would then
 * be skipped as already applied.
 */
static uint64_t
line_hash(const char *p, size_t n)
{
	unsigned char d[32];
	uint64_t h = 0;
	int i;

	if (mbedtls_sha256_ret((const unsigned char *)p, n, d, 0) != 0)
		return 0; /* cannot happen with mbedTLS's own SHA-256 */
	for (i = 0; i < 8; i++)
		h = h << 8 | d[i];
	return h;
}

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

/* The length of the line at p (at most end), without "\n" or "\r\n". */
static size_t
line_len(const char *p, const char *nl)
{
	size_t n = (size_t)(nl - p);

	return n > 0 && p[n - 1] == '\r' ? n - 1 : n;
}

/* One line to write: where it is in the file, and what it says. */
struct follow_line {
	struct index_entry ent;
	uint64_t h;
};

/* Writes lines v[0..n) in one transaction; counts into out. */
static enum ob_err
write_lines(struct store *st, const char *issuer_id,
    const struct follow_line *v, size_t n, struct follow_outcome *out,
    struct follow_seen *next)
{
	const struct index_entry *ent;
	long long valid = 0, revoked = 0, expired = 0, same = 0;
	enum ob_err e;
	size_t i;
	int changed;

	if ((e = store_begin(st, out->err, sizeof(out->err))) != OB_OK)
		return e;
	for (i = 0; i < n; i++) {
		ent = &v[i].ent;
		if ((e = store_cert_put(st, issuer_id, ent, &changed, out->err,
			 sizeof(out->err))) != OB_OK)
			goto fail;
		if (!changed)
			same++;
		else if (ent->status == 'V')
			valid++;
		else if (ent->status == 'R')
			revoked++;
		else
			expired++;
	}
	if ((e = store_cert_put_end(
		 st, issuer_id, out->err, sizeof(out->err))) != OB_OK ||
	    (e = store_commit(st, out->err, sizeof(out->err))) != OB_OK)
		goto fail;
	out->valid += valid;
	out->revoked += revoked;
	out->expired += expired;
	out->unchanged += same;
	if (n > 0)
		snprintf(next->anchor, sizeof(next->anchor), "%s",
		    v[n - 1].ent.serial);
	return OB_OK;
fail:
	store_rollback(st);
	return e;
}

enum ob_err
follow_apply(struct store *st, const char *issuer_id, char *text, size_t len,
    int whole, int64_t now, struct follow_seen *seen,
    struct follow_outcome *out)
{
	struct follow_seen next;
	struct follow_line *todo = NULL;
	struct index_entry ent;
	char *p, *end = text + len, *nl, t[32], why[OB_ERRBUF];
	size_t n, cap = 0, bcap = 0, ntodo = 0, tcap = 0, i;
	long long line = 0;
	uint64_t h;
	enum ob_err e = OB_ERR_NOMEM;

	memset(out, 0, sizeof(*out));
	memset(&next, 0, sizeof(next));
	snprintf(next.anchor, sizeof(next.anchor), "%s", seen->anchor);
	/* Every line read before any write: the database's write lock is
	 * then held for the writes alone. */
	for (p = text; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			if (!whole) {
				out->torn = 1;
				break;
			}
			nl = end; /* the last line, read as it is */
		}
		line++;
		out->lines++;
		if ((n = line_len(p, nl)) == 0)
			continue;
		h = line_hash(p, n);
		if (set_has(seen->h, seen->n, h)) {
			if (set_add(&next.h, &next.n, &cap, h) != 0)
				goto nomem;
			continue;
		}
		/* A line broken before is read again for its reason, but
		 * not counted as new (not logged again). */
		if (n > FOLLOW_LINE_MAX ||
		    (p[n] = '\0',
			index_parse_line(p, n, &ent, why, sizeof(why)) !=
			    OB_OK)) {
			if (n > FOLLOW_LINE_MAX)
				snprintf(why, sizeof(why),
				    "a line over %d bytes", FOLLOW_LINE_MAX);
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
			/* Not a line of this version yet: read again then. */
			if (out->deferred++ == 0 ||
			    ent.revoked_at < out->retry_at)
				out->retry_at = ent.revoked_at;
			continue;
		}
		if (ntodo == tcap) {
			struct follow_line *g;

			tcap = tcap ? 2 * tcap : 256;
			if ((g = realloc(todo, tcap * sizeof(*g))) == NULL)
				goto nomem;
			todo = g;
		}
		todo[ntodo].ent = ent;
		todo[ntodo++].h = h;
	}
	/* With no broken line, err says what is held back. */
	if (out->broken == 0 && out->deferred > 0) {
		util_time_format(out->retry_at, t, sizeof(t));
		snprintf(out->err, sizeof(out->err),
		    "%lld revocation%s dated after now, applied at %s",
		    out->deferred, out->deferred > 1 ? "s" : "", t);
	}
	/* Then the writes, a transaction every FOLLOW_TX_LINES lines. */
	for (i = 0; i < ntodo; i += FOLLOW_TX_LINES) {
		n = ntodo - i < FOLLOW_TX_LINES ? ntodo - i : FOLLOW_TX_LINES;
		if ((e = write_lines(st, issuer_id, &todo[i], n, out, &next)) !=
		    OB_OK)
			goto fail;
	}
	for (i = 0; i < ntodo; i++)
		if (set_add(&next.h, &next.n, &cap, todo[i].h) != 0)
			goto nomem;
	if (next.n > 1)
		qsort(next.h, next.n, sizeof(*next.h), cmp_u64);
	if (next.nbad > 1)
		qsort(next.bad, next.nbad, sizeof(*next.bad), cmp_u64);
	free(todo);
	follow_seen_free(seen);
	*seen = next;
	return OB_OK;
nomem:
	snprintf(out->err, sizeof(out->err), "out of memory");
	e = OB_ERR_NOMEM;
fail:
	out->valid = out->revoked = out->expired = out->unchanged = 0;
	free(todo);
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
	int64_t retry_at; /* revocations held back until then; 0: none */
	int64_t wait_until; /* after a store error, monotonic ms */
	int64_t backoff; /* the last wait, ms; 0 after a success */
	char store_err[OB_ERRBUF]; /* the last store error logged */
	int missing; /* the file was not there at the last look */
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
	s->retry_at = o->retry_at;
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
		    "%.200s:%lld: %.250s (and %lld more lines)", fw->path,
		    o->bad_line, o->err, o->broken - 1);
	else if (o->broken > 0)
		snprintf(fw->status.err, sizeof(fw->status.err),
		    "%.200s:%lld: %.280s", fw->path, o->bad_line, o->err);
	else
		snprintf(fw->status.err, sizeof(fw->status.err), "%s", o->err);
	pthread_mutex_unlock(&fw->mu);
	if (first)
		log_warnx("follow %s: %s: %lld lines, %lld of them already "
			  "in the database",
		    fw->issuer_id, fw->path, o->lines, o->unchanged);
	if (o->valid + o->revoked + o->expired > 0)
		log_warnx("follow %s: %s: %lld valid, %lld revoked, %lld "
			  "expired applied",
		    fw->issuer_id, fw->path, o->valid, o->revoked, o->expired);
	if (o->new_broken > 0)
		log_warnx("follow %s: %s:%lld: %s; %lld line%s skipped, the "
			  "rest applied",
		    fw->issuer_id, fw->path, o->bad_line, o->err, o->broken,
		    o->broken > 1 ? "s" : "");
	if (fresh && o->broken == 0 && o->deferred > 0)
		log_warnx("follow %s: %s: %s", fw->issuer_id, fw->path, o->err);
}

/* Looks at the file once: applies a version not applied yet. */
static void
follow_look(struct follower *fw, struct follow_state *s)
{
	struct follow_outcome o;
	struct file_sig now;
	struct stat sb;
	unsigned char *text = NULL;
	size_t len = 0;
	char err[OB_ERRBUF];
	int whole = 0;
	enum ob_err e;

	if (util_mono_ms() < s->wait_until)
		return;
	if (s->st == NULL &&
	    store_open(fw->db_path, 0, &s->st, err, sizeof(err)) != OB_OK) {
		s->st = NULL;
		store_failed(fw, s, err);
		return;
	}
	if (stat(fw->path, &sb) != 0) {
		/* Not there (yet), or not reachable: waited for, said once. */
		if (!s->missing) {
			snprintf(err, sizeof(err), "%.300s: %s; waiting for it",
			    fw->path, strerror(errno));
			log_warnx("follow %s: %s", fw->issuer_id, err);
			status_err(fw, "%s", err);
			s->missing = 1;
		}
		return;
	}
	s->missing = 0;
	if (!anchor_check(fw, s))
		return;
	memset(&now, 0, sizeof(now));
	now.dev = sb.st_dev;
	now.ino = sb.st_ino;
	now.size = sb.st_size;
	now.mtime = sb.st_mtim;
	now.ctime = sb.st_ctim;
	if (sig_same(&now, &s->applied) &&
	    (s->retry_at == 0 || (int64_t)time(NULL) < s->retry_at))
		return;
	if (sig_same(&now, &s->torn)) {
		/* Still torn: a writer at work, or a file edited by hand
		 * without its last newline, read as it is after a while. */
		if (util_mono_ms() - s->torn_at < FOLLOW_TORN_WAIT * 1000)
			return;
		whole = 1;
	}
	if ((e = file_read(fw->path, FOLLOW_MAX_BYTES, FILE_REGULAR, &text,
		 &len, err, sizeof(err))) != OB_OK) {
		if (!sig_same(&now, &s->logged)) {
			log_warnx("follow %s: %s", fw->issuer_id, err);
			s->logged = now;
		}
		status_err(fw, "%s", err);
		return;
	}
	e = follow_apply(s->st, fw->issuer_id, (char *)text, len, whole,
	    (int64_t)time(NULL), &s->seen, &o);
	file_free(text, len, 0);
	if (e != OB_OK)
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
