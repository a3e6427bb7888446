/*
 * Keeping the cache fresh: a refresh pass re-signs what is missing or due,
 * on every core, and the refresh thread runs one at start and then every
 * interval, and adds the request counters to the database every few
 * seconds. `ocspbox cache refresh` runs the same pass. Each tick also
 * asks the CRL thread (crlgen.c) to rebuild every CRL.
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

#include "server.h"

/* Entries written per transaction, and errors logged per pass. */
#define BATCH 64
/*
 * Due certificates listed per read: the pass's memory, whatever the
 * number of certificates (about 130 bytes each).
 */
#define PAGE 1024
#define LOG_ERRORS_MAX 10
/* How often the counters are added to cache_counters, in seconds. */
#define FLUSH_SECONDS 5
/* How often the issuers in the database are compared with those served. */
#define RELOAD_SECONDS 2
/* How soon a pass that could not run is tried again, in seconds. */
#define RETRY_SECONDS 30
/* How often a long pass reports progress, in seconds. */
#define PROGRESS_SECONDS 2
/*
 * How far the wall clock must move against CLOCK_MONOTONIC between two
 * looks (at most FLUSH_SECONDS apart, or a pass) to count as a step, in
 * ms: NTP slews at most 0.5 ms a second, so this is never a slew.
 */
#define CLOCK_STEP_MS 2000

/*
 * One pass's shared state. The workers take due certificates in order
 * from a page that the one who finds it empty refills, on the pass's own
 * connection, under mu.
 */
struct pass {
	struct responder *r;
	struct issuers *iss; /* held for the pass */
	const char *db_path;
	struct store *st; /* the listing's connection; used under mu */
	int64_t now, horizon, validity; /* the listing's bounds; now: of the
					 * last read */
	pthread_mutex_t mu; /* guards what follows */
	struct store_todo page[PAGE];
	struct store_todo_cursor cur;
	size_t npage, next; /* items in page; the next one to take */
	int end; /* listed to the end, stopped, or the listing failed */
	enum ob_err list_err; /* why the listing failed, or OB_OK */
	char list_errbuf[OB_ERRBUF];
	size_t listed, total; /* total: for progress, at least listed */
	size_t done, nsigned, errors, written, skipped;
	int64_t last_progress_ms;
	refresh_progress_fn progress;
	void *arg;
	const int *stop; /* atomic; may be NULL */
};

static int
stopped(const struct pass *p)
{
	return p->stop != NULL && __atomic_load_n(p->stop, __ATOMIC_RELAXED);
}

/*
 * Reads the next page into p->page; with p->mu held. "Due" is as of the
 * read: a pass over a million takes minutes, and answers written ahead of
 * the cursor meanwhile (by serve's misses) must not look from the future.
 */
static void
refill(struct pass *p)
{
	size_t n = 0;

	p->now = (int64_t)time(NULL);
	p->list_err = store_refresh_todo(p->st, p->now, p->horizon, p->validity,
	    &p->cur, p->page, PAGE, &n, p->list_errbuf, sizeof(p->list_errbuf));
	if (p->list_err != OB_OK)
		n = 0;
	p->npage = n;
	p->next = 0;
	p->listed += n;
	if (p->listed > p->total)
		p->total = p->listed;
	if (n < PAGE)
		p->end = 1;
}

/*
 * Copies the next due certificate into *t: 1, or 0 when there is none
 * left or the pass is stopping (what is signed is written, the rest
 * waits for the next pass).
 */
static int
take(struct pass *p, struct store_todo *t)
{
	int got = 0;

	pthread_mutex_lock(&p->mu);
	while (p->next == p->npage && !p->end && !stopped(p))
		refill(p);
	if (p->next < p->npage && !stopped(p)) {
		*t = p->page[p->next++];
		got = 1;
	}
	pthread_mutex_unlock(&p->mu);
	return got;
}

static void
pass_error(struct pass *p, const struct store_todo *t, const char *what)
{
	pthread_mutex_lock(&p->mu);
	if (p->errors++ < LOG_ERRORS_MAX)
		log_warnx("refresh: issuer %s serial %s: %s", t->issuer_id,
		    t->serial, what);
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
	if (store_cache_put(st, b, *n, (int64_t)time(NULL), p->validity,
		&written, err, sizeof(err)) != OB_OK) {
		pthread_mutex_lock(&p->mu);
		p->nsigned -= *n; /* signed, but for nothing: errors */
		p->errors += *n;
		log_warnx("refresh: %s", err);
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
	struct store_todo t;
	struct store *st = NULL;
	char err[OB_ERRBUF];
	size_t n = 0;
	int64_t ms;
	enum ob_err e;

	if (store_open(p->db_path, 0, &st, err, sizeof(err)) != OB_OK) {
		log_warnx("refresh: %s", err);
		return NULL; /* the others do the work */
	}
	store_relax_sync(st); /* it writes only cache entries */
	while (take(p, &t)) {
		e = responder_presign(
		    p->r, p->iss, &t, (int64_t)time(NULL), &batch[n]);
		if (e != OB_OK && e != OB_ERR_NOTFOUND)
			pass_error(p, &t, ob_strerror(e));
		ms = p->progress != NULL ? util_mono_ms() : 0;
		pthread_mutex_lock(&p->mu);
		p->done++;
		if (e == OB_OK)
			p->nsigned++;
		else if (e == OB_ERR_NOTFOUND)
			p->skipped++;
		if (p->progress != NULL &&
		    ms - p->last_progress_ms >= PROGRESS_SECONDS * 1000) {
			p->last_progress_ms = ms;
			p->progress(p->arg, p->done, p->total);
		}
		pthread_mutex_unlock(&p->mu);
		if (e == OB_OK && ++n == BATCH)
			flush_batch(p, st, batch, &n);
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
	struct pass *p;
	pthread_t th[REFRESH_THREADS_MAX];
	char msg[OB_ERRBUF];
	struct store_resign *rs = NULL;
	int64_t start_ms = util_mono_ms(), unknown;
	enum ob_err e;
	size_t nrs = 0;
	int fd, i, started = 0, clean, mu = 0;

	memset(res, 0, sizeof(*res));
	res->started_at = (int64_t)time(NULL);
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(errbuf, errsz, "out of memory");
		return OB_ERR_NOMEM;
	}
	if ((fd = pass_lock(db_path, errbuf, errsz)) < 0) {
		free(p);
		return fd == -2 ? OB_ERR_BUSY : OB_ERR_IO;
	}
	/*
	 * The pass signs with the issuers as of its start. When no earlier
	 * table is held any more, nothing can still write an answer of an
	 * earlier responder: a pass that finds every such entry re-signed
	 * may say so (issuers_resign_done).
	 */
	p->iss = responder_issuers_hold(r);
	clean = responder_retired(r) == 0;
	if ((nrs = issuers_resign(p->iss, NULL, 0)) > 0 &&
	    (rs = calloc(nrs, sizeof(*rs))) == NULL) {
		e = OB_ERR_NOMEM;
		snprintf(errbuf, errsz, "out of memory");
		goto out;
	}
	if (nrs > 0)
		issuers_resign(p->iss, rs, nrs);
	p->r = r;
	p->db_path = db_path;
	p->now = res->started_at;
	p->validity = responder_validity(r);
	p->horizon = cache_horizon(p->validity, interval);
	p->progress = progress;
	p->arg = arg;
	p->stop = stop;
	p->last_progress_ms = start_ms;
	if ((e = store_open(db_path, 0, &p->st, errbuf, errsz)) != OB_OK)
		goto out;
	store_relax_sync(p->st);
	if ((e = store_cache_prune(p->st, p->now, p->validity, &res->dropped,
		 errbuf, errsz)) != OB_OK ||
	    (e = store_refresh_resign(p->st, rs, nrs, errbuf, errsz)) !=
		OB_OK ||
	    (progress != NULL &&
		(e = store_refresh_count(p->st, p->now, p->horizon, p->validity,
		     &p->total, errbuf, errsz)) != OB_OK))
		goto out;
	/* The first page before any thread: a listing that fails, fails. */
	refill(p);
	if ((e = p->list_err) != OB_OK) {
		snprintf(errbuf, errsz, "%s", p->list_errbuf);
		goto out;
	}
	if (pthread_mutex_init(&p->mu, NULL) != 0) {
		e = OB_ERR_NOMEM;
		snprintf(errbuf, errsz, "out of memory");
		goto out;
	}
	mu = 1;
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > REFRESH_THREADS_MAX)
		nthreads = REFRESH_THREADS_MAX;
	for (i = 0; i < nthreads && (size_t)i < p->npage; i++) {
		if (pthread_create(&th[i], NULL, pass_worker, p) != 0)
			break;
		started++;
	}
	if (started == 0 && p->npage > 0)
		pass_worker(p); /* no thread to spare: do it here */
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	res->todo = p->listed;
	res->nsigned = p->nsigned;
	res->errors = p->errors;
	res->written = p->written;
	res->skipped = p->skipped;
	res->duration_ms = util_mono_ms() - start_ms;
	if (p->list_err != OB_OK) {
		/* A later page: what was signed is written; the pass failed. */
		e = p->list_err;
		snprintf(errbuf, errsz, "%s", p->list_errbuf);
		goto out;
	}
	if (!stopped(p)) {
		/* Listed, but no worker got to them: errors. */
		res->errors += p->listed - p->done;
		if (!p->end) {
			/* Every worker failed to open the database (logged). */
			e = OB_ERR_IO;
			snprintf(errbuf, errsz,
			    "the pass stopped after %zu of its certificates: "
			    "no worker could open the database",
			    p->done);
			goto out;
		}
	}

	memset(&run, 0, sizeof(run));
	run.started_at = res->started_at;
	run.duration_ms = res->duration_ms;
	run.nsigned = (int64_t)res->nsigned;
	run.errors = (int64_t)res->errors;
	run.dropped = (int64_t)res->dropped;
	snprintf(run.source, sizeof(run.source), "%s", source);
	if (store_refresh_record(p->st, &run, msg, sizeof(msg)) != OB_OK)
		log_warnx("refresh: %s", msg);
	if (store_cache_unknown_count(p->st, &unknown, msg, sizeof(msg)) ==
	    OB_OK)
		cache_unknown_set(responder_cache(r), unknown);
	/* Every entry of an earlier responder found was re-signed. */
	if (nrs > 0 && clean && res->errors == 0 && p->end && !stopped(p) &&
	    p->done == p->listed)
		issuers_resign_done(p->iss, rs, nrs);
	e = OB_OK;
out:
	if (mu)
		pthread_mutex_destroy(&p->mu);
	issuers_release(p->iss);
	free(rs);
	store_close(p->st);
	free(p);
	close(fd); /* releases the lock */
	return e;
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
	int64_t next_due; /* wall clock of the next pass; 0: none yet */
	int kick_crl; /* the kick is the API's: build every CRL too */
	int reload; /* SIGHUP: read the issuers and their keys again */
	int reload_soon; /* a renewal was stored: reload at the next look */
	char *keydir; /* where automatic responders' keys go: DB.keys */
	struct crlgen *crl; /* the CRL thread, or NULL: no CRL keys */
};

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

	cache_counters_hold(responder_cache(rf->r));
	cache_counters_take(responder_cache(rf->r), &c);
	if (st == NULL ||
	    store_counters_add(
		st, c.hits, c.misses, c.live_signs, err, sizeof(err)) != OB_OK)
		cache_counters_give(responder_cache(rf->r), &c);
	cache_counters_release(responder_cache(rf->r));
}

/*
 * Reloads the issuers when they changed (or always when force), logs
 * expiring responders, and has the CRL thread build what a change made
 * due. *changed: 0 nothing, 1 issuers changed, 2 a responder changed.
 */
static void
reload(struct refresher *rf, struct store *st, int force, int *changed)
{
	struct issuers *iss;
	char err[OB_ERRBUF];
	int rotated = 0;

	*changed = 0;
	if (responder_reload(rf->r, force, &rotated, err, sizeof(err)) != OB_OK)
		log_warnx("reload: %s", err);
	else if (rotated != 0) {
		*changed = rotated;
		/*
		 * The due CRLs only (an issuer added has none): a SIGHUP, or
		 * a responder replaced, changes no CRL, and rebuilding every
		 * one on every reload would spend a cRLNumber each.
		 */
		crlgen_poke(rf->crl);
	}
	if (force)
		log_warnx("reload: issuers and keys read again (SIGHUP)");
	iss = responder_issuers_hold(rf->r);
	/* What it renews is stored; the next reload serves it. */
	if (rf->keydir != NULL && st != NULL &&
	    issuers_renew(iss, st, rf->keydir, (int64_t)time(NULL)) > 0)
		rf->reload_soon = 1;
	/* After the renewals: a failed one is said with its reason. */
	issuers_warn(iss, (int64_t)time(NULL), responder_warn(rf->r));
	issuers_release(iss);
}

/* Whether an issuer's cache still waits to be called re-signed. */
static int
resign_pending(struct responder *r)
{
	struct issuers *t = responder_issuers_hold(r);
	size_t n = issuers_resign(t, NULL, 0);

	issuers_release(t);
	return n > 0;
}

static void *
refresher_main(void *arg)
{
	struct refresher *rf = arg;
	struct refresh_result res;
	struct store *st = NULL;
	struct timespec ts;
	char err[OB_ERRBUF];
	int64_t next_pass = 0, next_flush, next_reload = 0, wake, offset, step;
	enum ob_err e;
	int force, changed, tick;

	if (store_open(rf->db_path, 0, &st, err, sizeof(err)) != OB_OK)
		log_warnx("refresh: counters: %s", err);
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
			log_warnx("the clock stepped %s by %lld s: "
				  "refreshing now",
			    step < 0 ? "back" : "forward",
			    (long long)((step < 0 ? -step : step) / 1000));
			rf->kick = 1;
		}
		offset += step;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		/*
		 * Issuers added, replaced or removed in the database are
		 * served within RELOAD_SECONDS; a new responder's pass runs
		 * at once to re-sign the cache.
		 */
		if (rf->reload || ts.tv_sec >= next_reload) {
			force = rf->reload;
			rf->reload = 0;
			pthread_mutex_unlock(&rf->mu);
			reload(rf, st, force, &changed);
			pthread_mutex_lock(&rf->mu);
			if (changed == 2)
				rf->kick = 1;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			next_reload = rf->reload_soon
			    ? ts.tv_sec
			    : ts.tv_sec + RELOAD_SECONDS;
			rf->reload_soon = 0;
		}
		if (rf->kick || ts.tv_sec >= next_pass) {
			/*
			 * Every interval's tick builds every CRL; a pass run
			 * early (a responder replaced, the clock stepped)
			 * changes no CRL, and the CRL thread rebuilds those
			 * a clock step made due by itself.
			 */
			tick = ts.tv_sec >= next_pass || rf->kick_crl;
			rf->kick = 0;
			rf->kick_crl = 0;
			rf->running = 1;
			pthread_mutex_unlock(&rf->mu);
			if (tick)
				crlgen_tick(rf->crl);
			e = refresh_pass(rf->r, rf->db_path, rf->interval,
			    rf->nthreads, "serve", &rf->stop, NULL, NULL, &res,
			    err, sizeof(err));
			if (e == OB_OK)
				log_warnx(
				    "refresh: %zu due, signed %zu, "
				    "written %zu, errors %zu, dropped %zu, "
				    "in %lld ms",
				    res.todo, res.nsigned, res.written,
				    res.errors, res.dropped,
				    (long long)res.duration_ms);
			else
				log_warnx("refresh: %s", err);
			pthread_mutex_lock(&rf->mu);
			rf->running = 0;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			/* A pass that could not run is tried again soon. */
			next_pass = ts.tv_sec +
			    (e == OB_OK || rf->interval < RETRY_SECONDS
				    ? rf->interval
				    : RETRY_SECONDS);
			/*
			 * A responder replaced whose re-signing a pass could
			 * not yet call done (an answer still held the table
			 * before it): another pass soon, not an interval
			 * later, so that the cache is known re-signed.
			 */
			if (resign_pending(rf->r) &&
			    next_pass > ts.tv_sec + FLUSH_SECONDS)
				next_pass = ts.tv_sec + FLUSH_SECONDS;
			/* This server's next pass, for the stats. */
			rf->next_due = (int64_t)time(NULL) +
			    (next_pass - (int64_t)ts.tv_sec);
		}
		if (ts.tv_sec >= next_flush) {
			pthread_mutex_unlock(&rf->mu);
			flush_counters(rf, st);
			pthread_mutex_lock(&rf->mu);
			next_flush = ts.tv_sec + FLUSH_SECONDS;
		}
		if (rf->stop || rf->kick || rf->reload)
			continue;
		wake = next_pass < next_flush ? next_pass : next_flush;
		if (next_reload < wake)
			wake = next_reload;
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
	int have_mu = 0, have_cv = 0;
	enum ob_err e = OB_ERR_NOMEM;

	*out = NULL;
	if ((rf = calloc(1, sizeof(*rf))) == NULL ||
	    (rf->db_path = strdup(db_path)) == NULL)
		goto fail;
	rf->r = r;
	rf->interval = interval;
	if ((rf->keydir = file_key_dir(db_path)) == NULL)
		goto fail;
	rf->nthreads = nthreads;
	if (pthread_mutex_init(&rf->mu, NULL) != 0)
		goto fail;
	have_mu = 1;
	if (pthread_condattr_init(&ca) != 0)
		goto fail;
	have_cv = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
	    pthread_cond_init(&rf->cv, &ca) == 0;
	pthread_condattr_destroy(&ca);
	if (!have_cv)
		goto fail;
	if ((e = crlgen_start(r, db_path, &rf->crl, errbuf, errsz)) != OB_OK)
		goto fail;
	if (pthread_create(&rf->th, NULL, refresher_main, rf) != 0) {
		crlgen_stop(rf->crl);
		e = OB_ERR_NOMEM;
		goto fail;
	}
	*out = rf;
	return OB_OK;
fail:
	if (e == OB_ERR_NOMEM)
		snprintf(errbuf, errsz, "cannot start the refresh thread");
	if (have_cv)
		pthread_cond_destroy(&rf->cv);
	if (have_mu)
		pthread_mutex_destroy(&rf->mu);
	if (rf != NULL) {
		free(rf->db_path);
		free(rf->keydir);
	}
	free(rf);
	return e;
}

void
refresh_stop(struct refresher *rf)
{
	if (rf == NULL)
		return;
	pthread_mutex_lock(&rf->mu);
	__atomic_store_n(&rf->stop, 1, __ATOMIC_RELAXED); /* a pass reads it */
	pthread_cond_signal(&rf->cv);
	pthread_mutex_unlock(&rf->mu);
	/* Both threads wind down at once; the CRL thread is freed only
	 * after the refresh thread, the one that ticks it, has ended. */
	crlgen_halt(rf->crl);
	pthread_join(rf->th, NULL);
	crlgen_stop(rf->crl);
	pthread_cond_destroy(&rf->cv);
	pthread_mutex_destroy(&rf->mu);
	free(rf->db_path);
	free(rf->keydir);
	free(rf);
}

void
refresh_kick(struct refresher *rf)
{
	pthread_mutex_lock(&rf->mu);
	rf->kick = 1;
	rf->kick_crl = 1; /* as a tick: every CRL too */
	pthread_cond_signal(&rf->cv);
	pthread_mutex_unlock(&rf->mu);
}

int64_t
refresh_next_due(struct refresher *rf)
{
	int64_t t;

	pthread_mutex_lock(&rf->mu);
	t = rf->next_due;
	pthread_mutex_unlock(&rf->mu);
	return t > 0 ? t : INT64_MIN;
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
refresh_reload(struct refresher *rf)
{
	pthread_mutex_lock(&rf->mu);
	rf->reload = 1;
	pthread_cond_signal(&rf->cv);
	pthread_mutex_unlock(&rf->mu);
}

void
refresh_crl_poke(struct refresher *rf)
{
	crlgen_poke(rf->crl);
}
