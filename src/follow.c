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

static int
seen_has(const struct follow_seen *s, uint64_t h)
{
	return s->n > 0 && s->h != NULL &&
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
	struct index_entry *ents = NULL, *ent;
	char *p, *end = text + len, *nl, t[32], tn[32];
	size_t n, cap = 0, changed = 0, nents = 0, i;
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
	if (next.n > 1)
		qsort(next.h, next.n, sizeof(*next.h), cmp_u64);
	/* Second pass: parse every changed line, before any write: the
	 * database's write lock is then held for the writes alone. */
	if (changed > 0 && (ents = calloc(changed, sizeof(*ents))) == NULL) {
		follow_seen_free(&next);
		snprintf(out->err, sizeof(out->err), "out of memory");
		return OB_ERR_NOMEM;
	}
	for (p = text, i = 0; nents < changed && p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		i++;
		if ((n = line_len(p, nl)) == 0 ||
		    seen_has(seen, line_hash(p, n)))
			continue;
		p[n] = '\0';
		ent = &ents[nents++];
		if (index_parse_line(p, n, ent, out->err, sizeof(out->err)) !=
		    OB_OK) {
			e = OB_ERR_INVAL;
			goto bad;
		}
		if (ent->status == 'R' && ent->revoked_at > now) {
			util_time_format(ent->revoked_at, t, sizeof(t));
			util_time_format(now, tn, sizeof(tn));
			snprintf(out->err, sizeof(out->err),
			    "revocation time %s of serial %s is after now (%s)",
			    t, ent->serial, tn);
			e = OB_ERR_INVAL;
			goto bad;
		}
	}
	/* Then the writes, all or none. */
	for (i = 0; i < nents; i++) {
		ent = &ents[i];
		if (!in_tx) {
			if ((e = store_begin(st, out->err, sizeof(out->err))) !=
			    OB_OK)
				goto fail;
			in_tx = 1;
		}
		if ((e = store_cert_put(st, issuer_id, ent->serial,
			 ent->not_after,
			 ent->subject[0] != '\0' ? ent->subject : NULL,
			 ent->status == 'R' ? ent->revoked_at : INT64_MIN,
			 ent->reason, out->err, sizeof(out->err))) != OB_OK)
			goto fail;
		if (ent->status == 'V')
			out->valid++;
		else if (ent->status == 'R')
			out->revoked++;
		else
			out->expired++;
	}
	if (in_tx &&
	    ((e = store_cert_put_end(
		  st, issuer_id, out->err, sizeof(out->err))) != OB_OK ||
		(e = store_commit(st, out->err, sizeof(out->err))) != OB_OK))
		goto fail;
	free(ents);
	follow_seen_free(seen);
	*seen = next;
	return OB_OK;
bad:
	out->bad_line = (long long)i;
fail:
	if (in_tx)
		store_rollback(st);
	out->valid = out->revoked = out->expired = 0;
	free(ents);
	follow_seen_free(&next);
	return e;
}

struct follower {
	char *db_path, *issuer_id, *path;
	char *dir; /* path's directory, watched */
	int stop_pipe[2];
	int missing; /* the file was not there at the last look (thread) */
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

/*
 * Reads and applies the file if it changed since *last; updates *last
 * when a version was applied (a torn one is looked at again). Logs a
 * broken version once (*logged holds its signature).
 */
static void
follow_look(struct follower *fw, struct store *st, struct follow_seen *seen,
    struct file_sig *last, struct file_sig *logged)
{
	struct follow_outcome o;
	struct file_sig now;
	struct stat sb;
	unsigned char *text = NULL;
	size_t len = 0;
	char err[OB_ERRBUF];
	enum ob_err e;

	if (stat(fw->path, &sb) != 0) {
		/* Not there (yet), or not reachable: waited for, said once. */
		if (!fw->missing) {
			snprintf(err, sizeof(err), "%.300s: %s; waiting for it",
			    fw->path, strerror(errno));
			log_warnx("follow %s: %s", fw->issuer_id, err);
			pthread_mutex_lock(&fw->mu);
			snprintf(
			    fw->status.err, sizeof(fw->status.err), "%s", err);
			pthread_mutex_unlock(&fw->mu);
			fw->missing = 1;
		}
		return;
	}
	fw->missing = 0;
	memset(&now, 0, sizeof(now));
	now.dev = sb.st_dev;
	now.ino = sb.st_ino;
	now.size = sb.st_size;
	now.mtime = sb.st_mtim;
	now.ctime = sb.st_ctim;
	if (sig_same(&now, last))
		return;
	if ((e = file_read(fw->path, FOLLOW_MAX_BYTES, FILE_REGULAR, &text,
		 &len, err, sizeof(err))) != OB_OK) {
		if (!sig_same(&now, logged)) {
			log_warnx("follow %s: %s", fw->issuer_id, err);
			*logged = now;
		}
		pthread_mutex_lock(&fw->mu);
		snprintf(fw->status.err, sizeof(fw->status.err), "%s", err);
		pthread_mutex_unlock(&fw->mu);
		return;
	}
	e = follow_apply(st, fw->issuer_id, (char *)text, len,
	    (int64_t)time(NULL), seen, &o);
	file_free(text, len, 0);
	pthread_mutex_lock(&fw->mu);
	if (e == OB_OK) {
		fw->status.versions++;
		fw->status.applied_at = (int64_t)time(NULL);
		fw->status.bad_line = 0;
		fw->status.err[0] = '\0';
	} else {
		if (!sig_same(&now, logged))
			fw->status.broken++;
		fw->status.bad_line = o.bad_line;
		if (o.bad_line > 0)
			snprintf(fw->status.err, sizeof(fw->status.err),
			    "%.200s:%lld: %.280s", fw->path, o.bad_line, o.err);
		else
			snprintf(fw->status.err, sizeof(fw->status.err), "%s",
			    o.err);
	}
	pthread_mutex_unlock(&fw->mu);
	if (e == OB_OK) {
		if (o.valid + o.revoked + o.expired > 0)
			log_warnx("follow %s: %s: %lld valid, %lld revoked, "
				  "%lld expired applied",
			    fw->issuer_id, fw->path, o.valid, o.revoked,
			    o.expired);
		/* A torn version is read again when it is whole. */
		if (!o.torn)
			*last = now;
		return;
	}
	if (!sig_same(&now, logged)) {
		if (o.bad_line > 0)
			log_warnx("follow %s: %s:%lld: %s; nothing of this "
				  "version applied",
			    fw->issuer_id, fw->path, o.bad_line, o.err);
		else
			log_warnx("follow %s: %s: %s; nothing of this version "
				  "applied",
			    fw->issuer_id, fw->path, o.err);
		*logged = now;
	}
	/* A broken line: the same version is not read again; a store
	 * error (the database busy): tried again at the next look. */
	if (e == OB_ERR_INVAL)
		*last = now;
}

static void *
follower_main(void *arg)
{
	struct follower *fw = arg;
	struct follow_seen seen = {NULL, 0};
	struct file_sig last, logged;
	struct store *st = NULL;
	struct pollfd pf[2];
	char err[OB_ERRBUF], buf[4096];
	int in = -1, n;

	memset(&last, 0, sizeof(last));
	memset(&logged, 0, sizeof(logged));
	if (store_open(fw->db_path, 0, &st, err, sizeof(err)) != OB_OK) {
		log_warnx("follow %s: %s", fw->issuer_id, err);
		goto out;
	}
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
		follow_look(fw, st, &seen, &last, &logged);
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
out:
	if (in >= 0)
		close(in);
	follow_seen_free(&seen);
	store_close(st);
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
