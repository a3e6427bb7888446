/*
 * Certificate revocation lists (RFC 5280 5): building, signing and storing
 * an issuer's CRL, and the CRL thread that keeps every CRL fresh: each
 * refresh tick rebuilds them all, and a revoke is on its issuer's CRL
 * within about CRL_POLL_MS. The CRL itself is encoded by crl.c, signed
 * with the key issuers.c opens, and stored by store_crl.c.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server.h"

/* How often the CRL thread looks for revokes, in ms. */
#define CRL_POLL_MS 250
/* How soon the CRL thread tries a failed build again, in ms. */
#define CRL_RETRY_MS 30000

struct crlgen {
	struct responder *r;
	char *db_path;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* CLOCK_MONOTONIC, under mu */
	int stop;
	int all; /* a tick: build every CRL */
	int poke; /* a revoke here: look for due CRLs now */
};

/* Builds, signs and stores one CRL inside store_crl_begin's transaction. */
static enum ob_err
build_crl(struct responder *r, struct store *st, struct signer *sg,
    const struct issuer *ie, int64_t started_at, int64_t start_ms,
    struct crlgen_result *res, char *errbuf, size_t errsz)
{
	const char *id = issuer_id(ie);
	struct crl_tbs_in in;
	struct crl_entry *v = NULL;
	struct store_crl c;
	unsigned char *buf = NULL, *crl = NULL, *tbs, *der;
	unsigned char sig[SIGNER_SIG_MAX];
	size_t n = 0, cap, tbs_len, sig_len, der_len;
	struct ob_crlnum number;
	int64_t now;
	enum ob_err e;

	if ((e = store_crl_begin(st, id, issuer_key_sha1(ie), 1, &number, &v,
		 &n, errbuf, errsz)) != OB_OK)
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
	/* Nothing the CA signed verifies past its notAfter. */
	if (in.next_update > issuer_ca_not_after(ie))
		in.next_update = issuer_ca_not_after(ie);
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
	c.issuer_id = id;
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
crlgen_build(struct responder *r, struct store *st, const char *issuer_id,
    int retry, struct crlgen_result *res, char *errbuf, size_t errsz)
{
	struct signer *sg = NULL;
	struct issuers *iss;
	int64_t start_ms = util_mono_ms(), now = (int64_t)time(NULL);
	char msg[OB_ERRBUF];
	enum ob_err e;

	memset(res, 0, sizeof(*res));
	/* The signer lives in the issuers' table: held while it signs. */
	iss = responder_issuers_hold(r);
	e = issuers_crl_signer(iss, issuer_id, retry, &sg, errbuf, errsz);
	if (e == OB_ERR_BUSY || e == OB_ERR_NOTFOUND) {
		/* recorded when it failed; or not ours to build */
		res->deferred = e == OB_ERR_BUSY;
		issuers_release(iss);
		return e;
	}
	/*
	 * Past the CA's notAfter nothing it signs verifies: no CRL, and no
	 * failure recorded every retry (the log says once that it expired).
	 */
	if (e == OB_OK &&
	    now >= issuer_ca_not_after(issuers_find(iss, issuer_id))) {
		snprintf(errbuf, errsz,
		    "the CA certificate has expired; no CRL "
		    "built");
		e = OB_ERR_EXPIRED;
	} else if (e == OB_OK)
		e = build_crl(r, st, sg, issuers_find(iss, issuer_id), now,
		    start_ms, res, errbuf, errsz);
	issuers_release(iss);
	/*
	 * Not this CA's to build any more (the reload drops it), or the CA
	 * has expired: deferred, not recorded.
	 */
	if (e == OB_ERR_STALE || e == OB_ERR_EXPIRED) {
		res->deferred = 1;
		return e;
	}
	if (e != OB_OK &&
	    store_crl_failed(st, issuer_id, now, util_mono_ms() - start_ms,
		errbuf, msg, sizeof(msg)) != OB_OK)
		log_warnx("crl %s: recording the failure: %s", issuer_id, msg);
	return e;
}

/* Widens w by a CRL's times; INT64_MIN ones (none, or failed): look again. */
static void
window_add(struct crlgen_window *w, int64_t this_update, int64_t next_update)
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

/* The report of serve's CRL thread: one log line per CRL, built or not. */
static void
report_log(void *arg, const char *issuer_id, enum ob_err e,
    const struct crlgen_result *res, const char *err)
{
	char dec[OB_CRLNUM_DEC + 1];

	(void)arg;
	if (e == OB_OK) {
		util_crlnum_dec(&res->number, dec);
		log_warnx("crl %s: #%s, %zu revoked, %zu bytes, in %lld ms",
		    issuer_id, dec, res->revoked, res->bytes,
		    (long long)res->duration_ms);
	} else if (!res->deferred)
		log_warnx("crl %s: %s", issuer_id, err);
}

/* Builds the CRLs of ids (n), reporting each; returns how many failed. */
static size_t
crl_build_all(struct responder *r, struct store *st, const char **ids, size_t n,
    int retry, crlgen_report_fn report, void *arg, struct crlgen_window *w)
{
	struct crlgen_result res;
	char err[OB_ERRBUF];
	size_t i, failed = 0;
	enum ob_err e;

	for (i = 0; i < n; i++) {
		e = crlgen_build(r, st, ids[i], retry, &res, err, sizeof(err));
		if (e == OB_ERR_NOTFOUND)
			continue;
		report(arg, ids[i], e, &res, err);
		if (e == OB_OK)
			window_add(w, res.this_update, res.next_update);
		else {
			failed++;
			window_add(w, INT64_MIN, INT64_MIN);
		}
	}
	return failed;
}

size_t
crlgen_build_all(struct responder *r, struct store *st, int only_due, int retry,
    crlgen_report_fn report, void *arg, struct crlgen_window *w)
{
	struct crlgen_window ignored;
	struct issuers *iss;
	const char **ids;
	char err[OB_ERRBUF];
	size_t n, i, k = 0, failed = 0;
	int64_t now = (int64_t)time(NULL), tu, nu;
	int due;

	if (w == NULL)
		w = &ignored;
	if (report == NULL)
		report = report_log;
	w->next_update_min = INT64_MAX;
	w->this_update_max = INT64_MIN;
	/* The ids are borrowed from the table: held until the end. */
	iss = responder_issuers_hold(r);
	if ((n = issuers_crl_ids(iss, NULL, 0)) == 0) {
		issuers_release(iss);
		return 0;
	}
	if ((ids = calloc(n, sizeof(*ids))) == NULL) {
		log_warnx("crl: out of memory");
		w->next_update_min = INT64_MIN;
		issuers_release(iss);
		return 1;
	}
	issuers_crl_ids(iss, ids, n);
	for (i = 0; i < n; i++) {
		if (only_due) {
			if (store_crl_due(st, ids[i], now, &due, &tu, &nu, err,
				sizeof(err)) != OB_OK) {
				log_warnx("crl %s: %s", ids[i], err);
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
	failed += crl_build_all(r, st, ids, k, retry, report, arg, w);
	free(ids);
	issuers_release(iss);
	return failed;
}

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
	struct crlgen *cg = arg;
	struct crlgen_window w = {INT64_MIN, INT64_MIN};
	struct store *st = NULL;
	struct timespec ts;
	char err[OB_ERRBUF];
	int64_t seen = -1, v, wake, retry_ms = 0, now;
	int all, poked, again, clock_due, ticked = 0;

	if (store_open(cg->db_path, 0, &st, err, sizeof(err)) != OB_OK) {
		log_warnx("crl: %s", err);
		return NULL;
	}
	pthread_mutex_lock(&cg->mu);
	while (!cg->stop) {
		all = cg->all;
		poked = cg->poke;
		cg->all = 0;
		cg->poke = 0;
		pthread_mutex_unlock(&cg->mu);
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
			retry_ms = crlgen_build_all(
				       cg->r, st, 0, 1, NULL, NULL, &w) > 0
			    ? util_mono_ms() + CRL_RETRY_MS
			    : 0;
		else if (ticked &&
		    (v != seen || v == -1 || poked || again || clock_due))
			retry_ms = crlgen_build_all(
				       cg->r, st, 1, again, NULL, NULL, &w) > 0
			    ? util_mono_ms() + CRL_RETRY_MS
			    : 0;
		ticked |= all;
		seen = v;
		pthread_mutex_lock(&cg->mu);
		if (cg->stop || cg->all || cg->poke)
			continue;
		wake = util_mono_ms() + CRL_POLL_MS;
		ts.tv_sec = (time_t)(wake / 1000);
		ts.tv_nsec = (long)(wake % 1000) * 1000000;
		pthread_cond_timedwait(&cg->cv, &cg->mu, &ts);
	}
	pthread_mutex_unlock(&cg->mu);
	store_close(st);
	return NULL;
}

enum ob_err
crlgen_start(struct responder *r, const char *db_path, struct crlgen **out,
    char *errbuf, size_t errsz)
{
	struct crlgen *cg;
	pthread_condattr_t ca;
	int have_mu = 0, have_cv = 0;

	*out = NULL;
	if ((cg = calloc(1, sizeof(*cg))) == NULL ||
	    (cg->db_path = strdup(db_path)) == NULL)
		goto fail;
	cg->r = r;
	if (pthread_mutex_init(&cg->mu, NULL) != 0)
		goto fail;
	have_mu = 1;
	if (pthread_condattr_init(&ca) != 0)
		goto fail;
	have_cv = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
	    pthread_cond_init(&cg->cv, &ca) == 0;
	pthread_condattr_destroy(&ca);
	if (!have_cv || pthread_create(&cg->th, NULL, crl_main, cg) != 0)
		goto fail;
	*out = cg;
	return OB_OK;
fail:
	snprintf(errbuf, errsz, "cannot start the CRL thread");
	if (have_cv)
		pthread_cond_destroy(&cg->cv);
	if (have_mu)
		pthread_mutex_destroy(&cg->mu);
	if (cg != NULL)
		free(cg->db_path);
	free(cg);
	return OB_ERR_NOMEM;
}

void
crlgen_tick(struct crlgen *cg)
{
	if (cg == NULL)
		return;
	pthread_mutex_lock(&cg->mu);
	cg->all = 1;
	pthread_cond_signal(&cg->cv);
	pthread_mutex_unlock(&cg->mu);
}

void
crlgen_poke(struct crlgen *cg)
{
	if (cg == NULL)
		return;
	pthread_mutex_lock(&cg->mu);
	cg->poke = 1;
	pthread_cond_signal(&cg->cv);
	pthread_mutex_unlock(&cg->mu);
}

void
crlgen_halt(struct crlgen *cg)
{
	if (cg == NULL)
		return;
	pthread_mutex_lock(&cg->mu);
	cg->stop = 1;
	pthread_cond_signal(&cg->cv);
	pthread_mutex_unlock(&cg->mu);
}

void
crlgen_stop(struct crlgen *cg)
{
	if (cg == NULL)
		return;
	crlgen_halt(cg);
	pthread_join(cg->th, NULL);
	pthread_cond_destroy(&cg->cv);
	pthread_mutex_destroy(&cg->mu);
	free(cg->db_path);
	free(cg);
}
