/*
 * Keeping the cache fresh: a refresh pass re-signs what is missing or due,
 * on every core, and the refresh thread runs one at start and then every
 * interval. `ocspbox cache refresh` runs the same pass. The issuers' CRLs
 * are rebuilt on every tick and soon after each revoke, on a thread of
 * their own so that a long pass never holds a revoke off the CRL.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "extern.h"

/* Entries written per transaction, and errors logged per pass. */
#define BATCH 64
#define LOG_ERRORS_MAX 10
/* How often the counters are added to cache_counters, in seconds. */
#define FLUSH_SECONDS 5
/* How soon a pass that could not run is tried again, in seconds. */
#define RETRY_SECONDS 30
/* How often a long pass reports progress, in seconds. */
#define PROGRESS_SECONDS 2
/* How often the CRL thread looks for revokes, in ms. */
#define CRL_POLL_MS 250
/* How soon the CRL thread tries a failed build again, in ms. */
#define CRL_RETRY_MS 30000
/*
 * How far the wall clock must move against CLOCK_MONOTONIC between two
 * looks (at most FLUSH_SECONDS apart, or a pass) to count as a step, in
 * ms: NTP slews at most 0.5 ms a second, so this is never a slew.
 */
#define CLOCK_STEP_MS 2000

/* One pass's shared state; the workers take todo items in order. */
struct pass {
	struct responder *r;
	const char *db_path;
	struct store_todo *todo;
	size_t ntodo;
	size_t next, done; /* atomics */
	pthread_mutex_t mu; /* guards what follows */
	size_t nsigned, errors, written, skipped;
	int64_t last_progress_ms;
	refresh_progress_fn progress;
	void *arg;
	const int *stop; /* atomic; may be NULL */
};

static void
pass_error(struct pass *p, const struct store_todo *t, const char *what)
{
	pthread_mutex_lock(&p->mu);
	if (p->errors++ < LOG_ERRORS_MAX)
		fprintf(stderr, "ocspbox: refresh: issuer %s serial %s: %s\n",
		    t->issuer_id, t->serial, what);
	pthread_mutex_unlock(&p->mu);
}

/* Writes the batch back and frees its responses; counts what went in. */
static void
flush_batch(
    struct pass *p, struct store *st, struct store_cache_entry *b, size_t *n)
{
	char err[OB_ERRBUF];
	size_t i, written = 0;

	if (*n == 0)
		return;
	if (store_cache_put(st, b, *n, (int64_t)time(NULL),
		responder_validity(p->r), &written, err,
		sizeof(err)) != OB_OK) {
		pthread_mutex_lock(&p->mu);
		p->nsigned -= *n; /* signed, but for nothing: errors */
		p->errors += *n;
		fprintf(stderr, "ocspbox: refresh: %s\n", err);
		pthread_mutex_unlock(&p->mu);
	} else {
		pthread_mutex_lock(&p->mu);
		p->written += written;
		pthread_mutex_unlock(&p->mu);
	}
	for (i = 0; i < *n; i++)
		free(b[i].der);
	*n = 0;
}

static void *
pass_worker(void *arg)
{
	struct pass *p = arg;
	struct store_cache_entry batch[BATCH];
	struct store *st = NULL;
	char err[OB_ERRBUF];
	size_t i, n = 0, done;
	int64_t t;
	enum ob_err e;

	if (store_open(p->db_path, 0, &st, err, sizeof(err)) != OB_OK) {
		fprintf(stderr, "ocspbox: refresh: %s\n", err);
		return NULL; /* the others do the work */
	}
	store_relax_sync(st); /* it writes only cache entries */
	while ((i = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED)) <
	    p->ntodo) {
		/* Shutting down: what is signed is written, the rest waits. */
		if (p->stop != NULL &&
		    __atomic_load_n(p->stop, __ATOMIC_RELAXED))
			break;
		e = responder_presign(
		    p->r, &p->todo[i], (int64_t)time(NULL), &batch[n]);
		if (e == OB_OK) {
			n++;
			pthread_mutex_lock(&p->mu);
			p->nsigned++;
			pthread_mutex_unlock(&p->mu);
		} else if (e == OB_ERR_NOTFOUND) {
			pthread_mutex_lock(&p->mu);
			p->skipped++;
			pthread_mutex_unlock(&p->mu);
		} else
			pass_error(p, &p->todo[i], ob_strerror(e));
		if (n == BATCH)
			flush_batch(p, st, batch, &n);
		done = __atomic_add_fetch(&p->done, 1, __ATOMIC_RELAXED);
		if (p->progress == NULL)
			continue;
		t = util_mono_ms();
		pthread_mutex_lock(&p->mu);
		if (t - p->last_progress_ms >= PROGRESS_SECONDS * 1000) {
			p->last_progress_ms = t;
			p->progress(p->arg, done, p->ntodo);
		}
		pthread_mutex_unlock(&p->mu);
	}
	flush_batch(p, st, batch, &n);
	store_close(st);
	return NULL;
}

/* Takes the cross-process pass lock: a file beside the database. */
static int
pass_lock(const char *db_path, char *errbuf, size_t errsz)
{
	char path[4096];
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s-refresh.lock", db_path) >=
	    sizeof(path)) {
		snprintf(errbuf, errsz, "database path too long for its lock");
		return -1;
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		snprintf(errbuf, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		snprintf(errbuf, errsz,
		    "a refresh pass is already running (%s)", path);
		close(fd);
		return -2;
	}
	return fd;
}

enum ob_err
refresh_pass(struct responder *r, const char *db_path, int64_t interval,
    int nthreads, const char *source, const int *stop,
    refresh_progress_fn progress, void *arg, struct refresh_result *res,
    char *errbuf, size_t errsz)
{
	struct store_refresh_run run;
	struct pass p;
	struct store *st = NULL;
	pthread_t th[64];
	char msg[OB_ERRBUF];
	int64_t start_ms = util_mono_ms(), unknown;
	enum ob_err e;
	int fd, i, started = 0;

	memset(res, 0, sizeof(*res));
	memset(&p, 0, sizeof(p));
	res->started_at = (int64_t)time(NULL);
	if ((fd = pass_lock(db_path, errbuf, errsz)) < 0)
		return fd == -2 ? OB_ERR_BUSY : OB_ERR_IO;
	if ((e = store_open(db_path, 0, &st, errbuf, errsz)) != OB_OK)
		goto out;
	store_relax_sync(st);
	if ((e = store_cache_prune(st, res->started_at, responder_validity(r),
		 &res->dropped, errbuf, errsz)) != OB_OK ||
	    (e = store_refresh_todo(st, res->started_at,
		 cache_horizon(responder_validity(r), interval),
		 responder_validity(r), &p.todo, &p.ntodo, errbuf, errsz)) !=
		OB_OK)
		goto out;
	p.r = r;
	p.db_path = db_path;
	p.progress = progress;
	p.arg = arg;
	p.stop = stop;
	p.last_progress_ms = start_ms;
	if (pthread_mutex_init(&p.mu, NULL) != 0) {
		e = OB_ERR_NOMEM;
		goto out;
	}
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > 64)
		nthreads = 64;
	for (i = 0; i < nthreads && (size_t)i < p.ntodo; i++) {
		if (pthread_create(&th[i], NULL, pass_worker, &p) != 0)
			break;
		started++;
	}
	if (started == 0 && p.ntodo > 0)
		pass_worker(&p); /* no thread to spare: do it here */
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&p.mu);
	res->todo = p.ntodo;
	res->nsigned = p.nsigned;
	res->errors = p.errors;
	/* Items no worker reached count as errors, unless we were stopped. */
	if (stop == NULL || !__atomic_load_n(stop, __ATOMIC_RELAXED))
		res->errors += p.ntodo - p.done;
	res->written = p.written;
	res->skipped = p.skipped;
	res->duration_ms = util_mono_ms() - start_ms;

	memset(&run, 0, sizeof(run));
	run.started_at = res->started_at;
	run.duration_ms = res->duration_ms;
	run.nsigned = (int64_t)res->nsigned;
	run.errors = (int64_t)res->errors;
	run.dropped = (int64_t)res->dropped;
	snprintf(run.source, sizeof(run.source), "%s", source);
	if (store_refresh_record(st, &run, msg, sizeof(msg)) != OB_OK)
		fprintf(stderr, "ocspbox: refresh: %s\n", msg);
	if (store_cache_unknown_count(st, &unknown, msg, sizeof(msg)) == OB_OK)
		responder_unknown_set(r, unknown);
	e = OB_OK;
out:
	free(p.todo);
	store_close(st);
	close(fd); /* releases the lock */
	return e;
}

/* Builds, signs and stores one CRL inside store_crl_begin's transaction. */
static enum ob_err
build_crl(struct responder *r, struct store *st, struct signer *sg,
    const char *issuer_id, int64_t started_at, int64_t start_ms,
    struct refresh_crl_result *res, char *errbuf, size_t errsz)
{
	struct crl_tbs_in in;
	struct crl_entry *v = NULL;
	struct store_crl c;
	unsigned char *buf = NULL, *crl = NULL, *tbs, *der;
	unsigned char sig[SIGNER_SIG_MAX];
	size_t n = 0, cap, tbs_len, sig_len, der_len;
	struct ob_crlnum number;
	int64_t now;
	enum ob_err e;

	if ((e = store_crl_begin(
		 st, issuer_id, &number, &v, &n, errbuf, errsz)) != OB_OK)
		return e;
	/*
	 * thisUpdate once the write lock is held: a CRL is never dated
	 * before the one numbered below it, nor before what it lists.
	 */
	now = (int64_t)time(NULL);
	memset(&in, 0, sizeof(in));
	in.alg = signer_alg(sg, &in.alg_len);
	in.issuer = signer_name(sg, &in.issuer_len);
	in.key_id = signer_key_id(sg, &in.key_id_len);
	in.number = number;
	in.this_update = now;
	in.next_update = now + responder_validity(r);
	in.entries = v;
	in.n = n;
	cap = crl_tbs_max(&in);
	if ((buf = malloc(cap)) == NULL) {
		snprintf(errbuf, errsz, "out of memory");
		e = OB_ERR_NOMEM;
		goto fail;
	}
	if ((e = crl_tbs(&in, buf, cap, &tbs, &tbs_len)) != OB_OK) {
		snprintf(errbuf, errsz, "encoding: %s", ob_strerror(e));
		goto fail;
	}
	if ((e = signer_sign(sg, tbs, tbs_len, sig, &sig_len)) != OB_OK) {
		snprintf(errbuf, errsz, "signing with the CRL key failed");
		goto fail;
	}
	cap = tbs_len + in.alg_len + sig_len + 16;
	if ((crl = malloc(cap)) == NULL) {
		snprintf(errbuf, errsz, "out of memory");
		e = OB_ERR_NOMEM;
		goto fail;
	}
	if ((e = crl_wrap(tbs, tbs_len, in.alg, in.alg_len, sig, sig_len, crl,
		 cap, &der, &der_len)) != OB_OK) {
		snprintf(errbuf, errsz, "encoding: %s", ob_strerror(e));
		goto fail;
	}
	memset(&c, 0, sizeof(c));
	c.issuer_id = issuer_id;
	c.der = der;
	c.len = der_len;
	c.number = number;
	c.this_update = in.this_update;
	c.next_update = in.next_update;
	c.started_at = started_at;
	c.duration_ms = util_mono_ms() - start_ms;
	c.revoked_count = (int64_t)n;
	if ((e = store_crl_put(st, &c, errbuf, errsz)) != OB_OK)
		goto out; /* rolled back */
	res->number = number;
	res->revoked = n;
	res->bytes = der_len;
	res->duration_ms = c.duration_ms;
	res->this_update = c.this_update;
	res->next_update = c.next_update;
	goto out;
fail:
	store_rollback(st);
out:
	free(v);
	free(buf);
	free(crl);
	return e;
}

enum ob_err
refresh_crl(struct responder *r, struct store *st, const char *issuer_id,
    int retry, struct refresh_crl_result *res, char *errbuf, size_t errsz)
{
	struct signer *sg = NULL;
	int64_t start_ms = util_mono_ms(), now = (int64_t)time(NULL);
	char msg[OB_ERRBUF];
	enum ob_err e;

	memset(res, 0, sizeof(*res));
	e = responder_crl_signer(r, issuer_id, retry, &sg, errbuf, errsz);
	if (e == OB_ERR_BUSY || e == OB_ERR_NOTFOUND) {
		/* recorded when it failed; or not ours to build */
		res->deferred = e == OB_ERR_BUSY;
		return e;
	}
	if (e == OB_OK)
		e = build_crl(
		    r, st, sg, issuer_id, now, start_ms, res, errbuf, errsz);
	if (e != OB_OK &&
	    store_crl_failed(st, issuer_id, now, util_mono_ms() - start_ms,
		errbuf, msg, sizeof(msg)) != OB_OK)
		fprintf(stderr, "ocspbox: crl %s: recording the failure: %s\n",
		    issuer_id, msg);
	return e;
}

/* Widens w by a CRL's times; INT64_MIN ones (none, or failed): look again. */
static void
window_add(
    struct refresh_crl_window *w, int64_t this_update, int64_t next_update)
{
	if (this_update == INT64_MIN || next_update == INT64_MIN) {
		w->next_update_min = INT64_MIN;
		return;
	}
	if (next_update < w->next_update_min)
		w->next_update_min = next_update;
	if (this_update > w->this_update_max)
		w->this_update_max = this_update;
}

/* Builds the CRLs of ids (n), logging each; returns how many failed. */
static size_t
crl_build_all(struct responder *r, struct store *st, const char **ids, size_t n,
    int retry, struct refresh_crl_window *w)
{
	struct refresh_crl_result res;
	char err[OB_ERRBUF], dec[OB_CRLNUM_DEC + 1];
	size_t i, failed = 0;
	enum ob_err e;

	for (i = 0; i < n; i++) {
		e = refresh_crl(r, st, ids[i], retry, &res, err, sizeof(err));
		if (e == OB_OK) {
			util_crlnum_dec(&res.number, dec);
			fprintf(stderr,
			    "ocspbox: crl %s: #%s, %zu revoked, %zu bytes, "
			    "in %lld ms\n",
			    ids[i], dec, res.revoked, res.bytes,
			    (long long)res.duration_ms);
			window_add(w, res.this_update, res.next_update);
		} else if (e != OB_ERR_NOTFOUND) {
			if (!res.deferred)
				fprintf(stderr, "ocspbox: crl %s: %s\n", ids[i],
				    err);
			failed++;
			window_add(w, INT64_MIN, INT64_MIN);
		}
	}
	return failed;
}

size_t
refresh_crls(struct responder *r, struct store *st, int only_due, int retry,
    struct refresh_crl_window *w)
{
	struct refresh_crl_window ignored;
	const char **ids;
	char err[OB_ERRBUF];
	size_t n, i, k = 0, failed = 0;
	int64_t now = (int64_t)time(NULL), tu, nu;
	int due;

	if (w == NULL)
		w = &ignored;
	w->next_update_min = INT64_MAX;
	w->this_update_max = INT64_MIN;
	if ((n = responder_crl_issuers(r, NULL, 0)) == 0)
		return 0;
	if ((ids = calloc(n, sizeof(*ids))) == NULL) {
		fprintf(stderr, "ocspbox: crl: out of memory\n");
		w->next_update_min = INT64_MIN;
		return 1;
	}
	responder_crl_issuers(r, ids, n);
	for (i = 0; i < n; i++) {
		if (only_due) {
			if (store_crl_due(st, ids[i], now, &due, &tu, &nu, err,
				sizeof(err)) != OB_OK) {
				fprintf(stderr, "ocspbox: crl %s: %s\n", ids[i],
				    err);
				failed++;
				window_add(w, INT64_MIN, INT64_MIN);
				continue;
			}
			if (!due) {
				window_add(w, tu, nu);
				continue;
			}
		}
		ids[k++] = ids[i];
	}
	failed += crl_build_all(r, st, ids, k, retry, w);
	free(ids);
	return failed;
}

struct refresher {
	struct responder *r;
	char *db_path;
	int64_t interval;
	int nthreads;
	pthread_t th;
	pthread_mutex_t mu;
	/*
	 * Both waits are on CLOCK_MONOTONIC, which no clock step moves: an
	 * absolute CLOCK_REALTIME deadline would sleep on for as long as the
	 * clock stepped back (or wake at once after a step forward). The
	 * wall clock is read, and compared, after each wake instead.
	 */
	pthread_cond_t cv; /* CLOCK_MONOTONIC */
	int stop, kick, running;
	/* the CRL thread, when an issuer has a CRL key */
	pthread_t crl_th;
	int has_crl;
	pthread_cond_t crl_cv; /* CLOCK_MONOTONIC, under mu */
	int crl_all; /* a tick: build every CRL */
	int crl_poke; /* a revoke here: look for due CRLs now */
};

/*
 * The CRL thread: every CRL at each tick, and between ticks, every
 * CRL_POLL_MS, the due ones (a revoke since their CRL) once anything
 * changed. A burst of revokes therefore yields one CRL per poll, not one
 * per revoke, and a revoke by another process is on the CRL within about
 * CRL_POLL_MS plus the time to build it. Each poll also compares the wall
 * clock with the window of the CRLs' times, kept from the last look: a
 * CRL that expired, or that a step back left dated in the future, is
 * re-signed within CRL_POLL_MS whatever the tick, at the cost of one
 * time() per poll.
 */
static void *
crl_main(void *arg)
{
	struct refresher *rf = arg;
	struct refresh_crl_window w = {INT64_MIN, INT64_MIN};
	struct store *st = NULL;
	struct timespec ts;
	char err[OB_ERRBUF];
	int64_t seen = -1, v, wake, retry_ms = 0, now;
	int all, again, clock_due, ticked = 0;

	if (store_open(rf->db_path, 0, &st, err, sizeof(err)) != OB_OK) {
		fprintf(stderr, "ocspbox: crl: %s\n", err);
		return NULL;
	}
	pthread_mutex_lock(&rf->mu);
	while (!rf->stop) {
		all = rf->crl_all;
		rf->crl_all = 0;
		rf->crl_poke = 0;
		pthread_mutex_unlock(&rf->mu);
		if (store_data_version(st, &v, err, sizeof(err)) != OB_OK)
			v = -1; /* look anyway */
		/*
		 * The first tick, at start, comes at once and builds all.
		 * A build that failed is tried again after CRL_RETRY_MS:
		 * nothing else may change data_version meanwhile.
		 */
		again = retry_ms != 0 && util_mono_ms() >= retry_ms;
		/* A failure pending waits for its retry, not for the clock. */
		now = (int64_t)time(NULL);
		clock_due = retry_ms == 0 &&
		    (now >= w.next_update_min || now < w.this_update_max);
		if (all)
			retry_ms = refresh_crls(rf->r, st, 0, 1, &w) > 0
			    ? util_mono_ms() + CRL_RETRY_MS
			    : 0;
		else if (ticked && (v != seen || v == -1 || again || clock_due))
			retry_ms = refresh_crls(rf->r, st, 1, again, &w) > 0
			    ? util_mono_ms() + CRL_RETRY_MS
			    : 0;
		ticked |= all;
		seen = v;
		pthread_mutex_lock(&rf->mu);
		if (rf->stop || rf->crl_all || rf->crl_poke)
			continue;
		wake = util_mono_ms() + CRL_POLL_MS;
		ts.tv_sec = (time_t)(wake / 1000);
		ts.tv_nsec = (long)(wake % 1000) * 1000000;
		pthread_cond_timedwait(&rf->crl_cv, &rf->mu, &ts);
	}
	pthread_mutex_unlock(&rf->mu);
	store_close(st);
	return NULL;
}

/* CLOCK_REALTIME less CLOCK_MONOTONIC, in ms: changes only by steps. */
static int64_t
clock_offset_ms(void)
{
	struct timespec real, mono;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return ((int64_t)real.tv_sec - (int64_t)mono.tv_sec) * 1000 +
	    (real.tv_nsec - mono.tv_nsec) / 1000000;
}

/* Adds the counters to cache_counters; gives them back if it fails. */
static void
flush_counters(struct refresher *rf, struct store *st)
{
	struct responder_counters c;
	char err[OB_ERRBUF];

	responder_counters_hold(rf->r);
	responder_counters_take(rf->r, &c);
	if (st == NULL ||
	    store_counters_add(
		st, c.hits, c.misses, c.live_signs, err, sizeof(err)) != OB_OK)
		responder_counters_give(rf->r, &c);
	responder_counters_release(rf->r);
}

static void *
refresher_main(void *arg)
{
	struct refresher *rf = arg;
	struct refresh_result res;
	struct store *st = NULL;
	struct timespec ts;
	char err[OB_ERRBUF];
	int64_t next_pass = 0, next_flush, wake, offset, step;
	enum ob_err e;

	if (store_open(rf->db_path, 0, &st, err, sizeof(err)) != OB_OK)
		fprintf(stderr, "ocspbox: refresh: counters: %s\n", err);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	next_flush = ts.tv_sec + FLUSH_SECONDS;
	offset = clock_offset_ms();
	pthread_mutex_lock(&rf->mu);
	while (!rf->stop) {
		/*
		 * The interval runs on CLOCK_MONOTONIC, so a step of the wall
		 * clock moves no tick; but a step back leaves entries signed
		 * in the future, and one forward (or a resume from suspend)
		 * entries past their nextUpdate: both want a pass now.
		 */
		step = clock_offset_ms() - offset;
		if (step >= CLOCK_STEP_MS || step <= -CLOCK_STEP_MS) {
			fprintf(stderr,
			    "ocspbox: the clock stepped %s by %lld s: "
			    "refreshing now\n",
			    step < 0 ? "back" : "forward",
			    (long long)((step < 0 ? -step : step) / 1000));
			rf->kick = 1;
		}
		offset += step;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		if (rf->kick || ts.tv_sec >= next_pass) {
			rf->kick = 0;
			rf->running = 1;
			rf->crl_all = 1; /* every tick builds every CRL */
			pthread_cond_signal(&rf->crl_cv);
			pthread_mutex_unlock(&rf->mu);
			e = refresh_pass(rf->r, rf->db_path, rf->interval,
			    rf->nthreads, "serve", &rf->stop, NULL, NULL, &res,
			    err, sizeof(err));
			if (e == OB_OK)
				fprintf(stderr,
				    "ocspbox: refresh: %zu due, signed %zu, "
				    "errors %zu, dropped %zu, in %lld ms\n",
				    res.todo, res.nsigned, res.errors,
				    res.dropped, (long long)res.duration_ms);
			else
				fprintf(stderr, "ocspbox: refresh: %s\n", err);
			pthread_mutex_lock(&rf->mu);
			rf->running = 0;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			/* A pass that could not run is tried again soon. */
			next_pass = ts.tv_sec +
			    (e == OB_OK || rf->interval < RETRY_SECONDS
				    ? rf->interval
				    : RETRY_SECONDS);
		}
		if (ts.tv_sec >= next_flush) {
			pthread_mutex_unlock(&rf->mu);
			flush_counters(rf, st);
			pthread_mutex_lock(&rf->mu);
			next_flush = ts.tv_sec + FLUSH_SECONDS;
		}
		if (rf->stop || rf->kick)
			continue;
		wake = next_pass < next_flush ? next_pass : next_flush;
		ts.tv_sec = (time_t)wake;
		ts.tv_nsec = 0;
		pthread_cond_timedwait(&rf->cv, &rf->mu, &ts);
	}
	pthread_mutex_unlock(&rf->mu);
	flush_counters(rf, st);
	store_close(st);
	return NULL;
}

enum ob_err
refresh_start(struct responder *r, const char *db_path, int64_t interval,
    int nthreads, struct refresher **out, char *errbuf, size_t errsz)
{
	struct refresher *rf;
	pthread_condattr_t ca;

	*out = NULL;
	if ((rf = calloc(1, sizeof(*rf))) == NULL ||
	    (rf->db_path = strdup(db_path)) == NULL) {
		free(rf);
		return OB_ERR_NOMEM;
	}
	rf->r = r;
	rf->interval = interval;
	rf->nthreads = nthreads;
	if (pthread_mutex_init(&rf->mu, NULL) != 0)
		goto fail_mem;
	if (pthread_condattr_init(&ca) != 0 ||
	    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&rf->cv, &ca) != 0) {
		pthread_mutex_destroy(&rf->mu);
		goto fail_mem;
	}
	if (pthread_cond_init(&rf->crl_cv, &ca) != 0) {
		pthread_condattr_destroy(&ca);
		pthread_cond_destroy(&rf->cv);
		pthread_mutex_destroy(&rf->mu);
		goto fail_mem;
	}
	pthread_condattr_destroy(&ca);
	rf->has_crl = responder_crl_issuers(r, NULL, 0) > 0;
	if (rf->has_crl && pthread_create(&rf->crl_th, NULL, crl_main, rf) != 0)
		goto fail_threads;
	if (pthread_create(&rf->th, NULL, refresher_main, rf) != 0) {
		if (rf->has_crl) {
			pthread_mutex_lock(&rf->mu);
			rf->stop = 1;
			pthread_cond_signal(&rf->crl_cv);
			pthread_mutex_unlock(&rf->mu);
			pthread_join(rf->crl_th, NULL);
		}
		goto fail_threads;
	}
	*out = rf;
	return OB_OK;
fail_threads:
	pthread_cond_destroy(&rf->crl_cv);
	pthread_cond_destroy(&rf->cv);
	pthread_mutex_destroy(&rf->mu);
	snprintf(errbuf, errsz, "cannot start the refresh thread");
	free(rf->db_path);
	free(rf);
	return OB_ERR_NOMEM;
fail_mem:
	snprintf(errbuf, errsz, "cannot start the refresh thread");
	free(rf->db_path);
	free(rf);
	return OB_ERR_NOMEM;
}

void
refresh_stop(struct refresher *rf)
{
	if (rf == NULL)
		return;
	pthread_mutex_lock(&rf->mu);
	__atomic_store_n(&rf->stop, 1, __ATOMIC_RELAXED); /* a pass reads it */
	pthread_cond_signal(&rf->cv);
	pthread_cond_signal(&rf->crl_cv);
	pthread_mutex_unlock(&rf->mu);
	pthread_join(rf->th, NULL);
	if (rf->has_crl)
		pthread_join(rf->crl_th, NULL);
	pthread_cond_destroy(&rf->crl_cv);
	pthread_cond_destroy(&rf->cv);
	pthread_mutex_destroy(&rf->mu);
	free(rf->db_path);
	free(rf);
}

void
refresh_kick(struct refresher *rf)
{
	pthread_mutex_lock(&rf->mu);
	rf->kick = 1;
	pthread_cond_signal(&rf->cv);
	pthread_mutex_unlock(&rf->mu);
}

int
refresh_running(struct refresher *rf)
{
	int running;

	pthread_mutex_lock(&rf->mu);
	running = rf->running;
	pthread_mutex_unlock(&rf->mu);
	return running;
}

void
refresh_crl_poke(struct refresher *rf)
{
	pthread_mutex_lock(&rf->mu);
	rf->crl_poke = 1;
	pthread_cond_signal(&rf->crl_cv);
	pthread_mutex_unlock(&rf->mu);
}
