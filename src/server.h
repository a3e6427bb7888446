/*
 * The server's runtime: the issuers loaded at start (issuers.c),
 * single-flight (flight.c), the read-through cache (cache.c), answering
 * OCSP (responder.c), the refresh pass and thread (refresh.c), and CRL
 * building and its thread (crlgen.c). No HTTP here: the listeners sit
 * above, in http.h.
 */
#ifndef OCSPBOX_SERVER_H
#define OCSPBOX_SERVER_H

#include "signer.h"

/* ---- flight.c: single-flight ------------------------------------------- */

/*
 * Single-flight: of the threads that miss one key at once, one signs and
 * the others wait for it, then look again. Any thread.
 */
struct flights;
struct flight;

struct flights *flights_new(void); /* NULL when out of memory */
void flights_free(struct flights *);

/*
 * Joins the flight for key (at most OB_FLIGHT_KEY_MAX bytes). Returns 1
 * when the caller leads it: *lead is set, and the caller must end it with
 * flights_done. Returns 0 after another thread's flight for key has
 * landed (or at once when none was under way and memory ran out, with
 * *lead NULL): the caller looks again, then may join again.
 */
#define OB_FLIGHT_KEY_MAX (OB_ID_MAX + 1 + OB_SERIAL_HEX_MAX)
int flights_join(struct flights *, const char *key, struct flight **lead);
void flights_done(struct flights *, struct flight *);

/* ---- issuers.c: the issuers served, their keys, signing a response ---- */

/*
 * The issuers a server answers for: a table (a snapshot, read-only once
 * made) of issuers, each with its record and signers. A reload makes a
 * new table, sharing the issuers whose records did not change; a table
 * lives while anyone holds it, so an answer begun before a reload ends
 * with the signer it began with.
 */
struct issuer;
struct issuers;

/*
 * Loads every issuer of st, with its name aliases and its responder key
 * in a pool of nsign signing contexts (signer_open), into a new table
 * *out, held once (free with issuers_release, which wipes the keys of
 * the issuers no other table holds). prev NULL (at start): every issuer
 * must load, or *out is NULL and errbuf says which issuer and why. With
 * prev (a reload): an issuer whose record (aliases included) is
 * unchanged is shared from prev, unless force (a SIGHUP: key files are
 * read again); one that fails to load keeps prev's (or stays out),
 * logged; additions, replacements and removals are logged. *rotated (may
 * be NULL) is set when an issuer's responder changed: its cache entries
 * are to be re-signed (issuers_resign).
 * Errors: the store's, OB_ERR_NOMEM, OB_ERR_CRYPTO (at start).
 */
enum ob_err issuers_load(struct store *st, int nsign,
    const struct issuers *prev, int force, struct issuers **out, int *rotated,
    char *errbuf, size_t errsz);

/* Takes one more hold of t; returns t. Any thread. */
struct issuers *issuers_hold(struct issuers *t);

/*
 * Drops one hold; the last frees the table (NULL is a no-op). Any
 * thread.
 */
void issuers_release(struct issuers *);

/*
 * Marks t superseded: *count is incremented now and decremented when t
 * is freed, so that count says how many superseded tables (and signers
 * of an earlier responder) are still in use.
 */
void issuers_retire(struct issuers *t, int *count);

/*
 * The issuer a CertID names (RFC 6960 4.1.1), or NULL (the answer is
 * then "unauthorized"): its issuerKeyHash must be the hash of the
 * issuer's key and its issuerNameHash that of the issuer's subject or of
 * one of its name aliases (the issuer field of a leaf it signed, encoded
 * otherwise; store_issuer_alias_add), with the CertID's hash algorithm,
 * SHA-1 or SHA-256. A subject match beats an alias match. An empty
 * issuerKeyHash (Windows certutil sends one) matches on the name alone,
 * and only when exactly one issuer has that name: two CAs may share one.
 * Borrowed from the table. Any thread.
 */
struct issuer *issuers_match(struct issuers *, const struct ocsp_certid *);

/* The issuer of id, or NULL; borrowed. Any thread. */
struct issuer *issuers_find(struct issuers *, const char *id);

/*
 * Its id and its CA's key hash (SHA-1, the issuerKeyHash of RFC 6960
 * 4.1.1; borrowed), and whether its every signing context is busy.
 */
const char *issuer_id(const struct issuer *);
const unsigned char *issuer_key_sha1(const struct issuer *);

/* Its CA certificate's notAfter, seconds since the epoch. */
int64_t issuer_ca_not_after(const struct issuer *);
int issuer_saturated(const struct issuer *);

/*
 * Signs singles (n of them, with the nonce extension when nonce_ext is
 * not NULL) as of now with the issuer's responder key, counting the
 * signature's latency in its histogram: *der is a malloc'd OCSPResponse
 * (RFC 6960 4.2.1) of *len bytes, the caller frees it. OB_ERR_NOMEM,
 * OB_ERR_CRYPTO, or OB_ERR_EXPIRED when the responder certificate, or
 * its CA's, is past its notAfter (logged once). Any thread.
 */
enum ob_err issuer_sign(struct issuer *, const struct ocsp_single *singles,
    size_t n, const unsigned char *nonce_ext, size_t nonce_ext_len, int64_t now,
    unsigned char **der, size_t *len);

/*
 * The status of serial as st holds it, into s->status, revoked_at and
 * reason (certid and times are the caller's): unknown when it was never
 * registered. OB_OK, or the store's error (OB_ERR_BUSY, OB_ERR_DB),
 * logged; OB_ERR_STALE when the issuer's id is no longer this CA's in the
 * database (removed, or reused for another CA, and not yet reloaded:
 * answer tryLater), logged once per loaded issuer. Any thread with its
 * own st.
 */
enum ob_err issuer_status(struct issuer *, struct store *st, const char *serial,
    struct ocsp_single *s);

/*
 * The SHA-1 CertID a pre-signed response of serial carries, into buf;
 * *der points inside it. OB_OK or an error of util_serial_to_der.
 */
enum ob_err issuer_certid(const struct issuer *, const char *serial,
    unsigned char buf[OCSP_CERTID_MAX], unsigned char **der, size_t *len);

/*
 * ocsp_single_times (RFC 5019 2.2.4 times), then nextUpdate brought back
 * to the responder certificate's notAfter when it would pass it: a
 * client that checks the responder's validity at nextUpdate (Caddy does)
 * must not find it expired. Pure.
 */
void issuer_times(const struct issuer *, struct ocsp_single *s, int64_t now,
    int64_t validity, int64_t backdate);

/* The responder certificate's notAfter, in seconds. */
int64_t issuer_responder_not_after(const struct issuer *);

/*
 * An issuer's health as of now (seconds): the state of its responder
 * certificate (respcert_state, with warn seconds of warning).
 */
enum respcert_state issuer_health(
    const struct issuer *, int64_t now, int64_t warn);

/* One issuer's health, as issuers_health reports it. */
struct issuer_state {
	char id[OB_ID_MAX + 1];
	/* the responder's notAfter, or its CA's when that comes first */
	int64_t not_after; /* seconds */
	int ca_first; /* 1: not_after is the CA's */
	enum respcert_state health;
	int expiring; /* 1 unless RESPCERT_OK */
};

/*
 * A registered issuer whose record failed to load at the last reload (a
 * responder key unreadable, too open, not matching): not served at all,
 * or (kept) still served with the responder it had before.
 */
struct issuer_failure {
	char id[OB_ID_MAX + 1];
	int kept;
};

/*
 * The issuers of t that failed to load (issuers_load logged why): at
 * most max into out; returns how many were copied, or, with out NULL,
 * how many there are. Any thread.
 */
size_t issuers_failures(
    const struct issuers *t, struct issuer_failure *out, size_t max);

/* Fills out with at most max issuers' health; returns how many. */
size_t issuers_health(struct issuers *, int64_t now, int64_t warn,
    struct issuer_state *out, size_t max);

/*
 * Logs every issuer whose responder certificate (or CA) expires within
 * warn seconds of now, each at most once a day (a reload starts again),
 * and once one that has expired; an automatic responder only after its
 * renewal was tried and failed (issuers_renew). Run it after
 * issuers_renew.
 */
void issuers_warn(struct issuers *, int64_t now, int64_t warn);

/*
 * Renews the automatic responder (issuer add --auto-responder) of every
 * issuer of t whose certificate is due (respcert_renew_due as of now): a
 * new key in keydir and a certificate signed with the CA key
 * (signer_issue_responder), stored as the active responder
 * (store_responder_replace) on st; the next reload serves it and re-signs
 * the cache. Tried once per loaded issuer (a failure is logged and tried
 * again after the next reload or SIGHUP). After a renewal, the key files
 * of superseded automatic responders are removed from keydir
 * (signer_prune_keys). Returns how many were renewed.
 * The refresh thread, on its own connection.
 */
size_t issuers_renew(
    struct issuers *t, struct store *st, const char *keydir, int64_t now);

/*
 * The issuers whose cache may hold entries signed by an earlier
 * responder, at most max into out (members borrowed from t: hold t while
 * using them); returns how many there are. issuers_resign_done clears
 * the mark of those in done whose responder is still the one named there
 * (a pass found none of their entries left to re-sign).
 */
size_t issuers_resign(struct issuers *t, struct store_resign *out, size_t max);
void issuers_resign_done(
    struct issuers *t, const struct store_resign *done, size_t n);

/* Upper bounds, in seconds, of the signing-latency histogram's buckets. */
#define OB_SIGN_BUCKETS 12
extern const double ob_sign_buckets[OB_SIGN_BUCKETS];

/* One issuer's signing latencies since start (live and refresh). */
struct responder_hist {
	char issuer[OB_ID_MAX + 1];
	int64_t bucket[OB_SIGN_BUCKETS + 1]; /* per bucket; last: +Inf */
	int64_t count, sum_us;
};

/* Fills out with at most max issuers' histograms; returns how many. */
size_t issuers_sign_hists(
    struct issuers *, struct responder_hist *out, size_t max);

/*
 * How many issuers were loaded with a CRL key; the ids of the first max
 * of them into ids (borrowed; ids may be NULL when max is 0).
 */
size_t issuers_crl_ids(struct issuers *, const char **ids, size_t max);

/*
 * The CRL signer of an issuer loaded at start, opened on first use and
 * kept (borrowed). A key that fails to load is tried again only after
 * 30 s, unless retry (the refresh tick) is set: OB_ERR_BUSY until then.
 * OB_ERR_NOTFOUND when the issuer was not loaded or has no CRL key. Any
 * thread.
 */
enum ob_err issuers_crl_signer(struct issuers *, const char *issuer_id,
    int retry, struct signer **out, char *errbuf, size_t errsz);

/* ---- cache.c: the read-through cache and its counters ------------------ */

/* What an answer carries besides its DER, for HTTP headers and counters. */
struct responder_answer {
	unsigned char *der; /* malloc'd; caller frees */
	size_t len;
	enum ocsp_resp_status status;
	int nonce; /* echoed a nonce: not cacheable */
	int unknown; /* a certificate status among them is "unknown" */
	int64_t this_update, next_update; /* the earliest thisUpdate */
};

/*
 * The read-through cache of a server: single-flight, its policy
 * (validity and backdate in seconds, the most "unknown" entries kept)
 * and its counters. cache_new takes the count of cached "unknown"
 * entries as of now; NULL when out of memory. cache_free(NULL) is a
 * no-op.
 */
struct cache;
struct cache *cache_new(
    int64_t validity, int64_t backdate, int64_t unknown_max, int64_t unknown);
void cache_free(struct cache *);

/*
 * The hot path: the cached response of (ie, serial) as of now (seconds),
 * else one signature per key however many requests miss it at once
 * (flight.c), written back unless a revoke raced it (store_cache_put)
 * or it is one "unknown" too many. Followers look again once the leader
 * lands instead of taking its answer: one that arrived after a revoke
 * must not get a "good" the leader read before it. cid is the request's
 * CertID, byte for byte the one a cache entry carries. On OB_OK *out is
 * a successful answer (out->der malloc'd, the caller frees it); else the
 * store's error (OB_ERR_BUSY: tryLater) or OB_ERR_CRYPTO, logged, and
 * out->der NULL. Any thread with its own st.
 */
enum ob_err cache_answer(struct cache *, struct issuer *ie, struct store *st,
    const struct ocsp_certid *cid, const char *serial, int64_t now,
    struct responder_answer *out);

/*
 * Only the first step of cache_answer: the cached response of (ie,
 * serial) as of now, at most max bytes, counted as a hit, on OB_OK
 * (out->der malloc'd, the caller frees it). Anything else counts nothing
 * and logs nothing: OB_ERR_NOTFOUND for a miss (or a stale entry),
 * OB_ERR_RANGE for a response over max, or the store's error
 * (OB_ERR_BUSY at once on a connection that does not wait); the caller
 * then answers through cache_answer. Any thread with its own st.
 */
enum ob_err cache_hit(struct cache *, struct issuer *ie, struct store *st,
    const char *serial, int64_t now, size_t max, struct responder_answer *out);

/* Counts a signature made for one request, outside cache_answer. */
void cache_count_live(struct cache *);

/* Hits, misses and live signatures, counted as requests are answered. */
struct responder_counters {
	int64_t hits, misses, live_signs;
};

/*
 * cache_counters_take moves the counts into *n and restarts them at 0
 * (for adding to cache_counters); _give adds back what could not be
 * written; _peek reads without taking. Any thread.
 */
void cache_counters_take(struct cache *, struct responder_counters *n);
void cache_counters_give(struct cache *, const struct responder_counters *n);
void cache_counters_peek(struct cache *, struct responder_counters *n);

/*
 * While held, the counts in cache_counters and in memory add up: hold it
 * from taking the counts to writing them (the flush), and from reading
 * cache_counters to peeking (the stats), or a request counted between
 * the two is in neither. Any thread; not recursive.
 */
void cache_counters_hold(struct cache *);
void cache_counters_release(struct cache *);

/* The same counts since start, never taken (for /metrics). */
void cache_totals(struct cache *, struct responder_counters *n);

/* The count of cached "unknown" entries, as a refresh pass counted it. */
void cache_unknown_set(struct cache *, int64_t n);

/* ---- cache.c: the refresh horizon ---------------------------------------- */

/*
 * How long before its nextUpdate an entry is re-signed: half the validity,
 * but at least one and a half intervals, so that a tick that runs late
 * still finds it; never more than validity. Pure.
 */
int64_t cache_horizon(int64_t validity, int64_t interval);

/* ---- responder.c: answering OCSP requests -------------------------------- */

/*
 * A server's answering context: its issuers, its cache, and one
 * database connection per thread that answers, opened on first use.
 */
struct responder;

/* How a responder answers. */
struct responder_conf {
	const char *db_path;
	int nsign; /* signing contexts per issuer: one per core */
	int64_t validity; /* seconds from signing to nextUpdate */
	/* seconds thisUpdate is set before the signing time (never before
	 * a revocation), for clients whose clocks run slow */
	int64_t backdate;
	int64_t unknown_max; /* "unknown" answers kept in the cache */
	/* seconds before a responder certificate's notAfter that it shows
	 * as expiring (/healthz, the log, the panel); 0: the default */
	int64_t warn;
};

/* The default warning period before a responder certificate expires. */
#define RESPONDER_WARN_DEFAULT (14 * 86400)

/*
 * Loads every issuer of the database with a signer each. On failure *out
 * is NULL and errbuf says which issuer and why.
 */
enum ob_err responder_new(const struct responder_conf *, struct responder **out,
    char *errbuf, size_t errsz);
void responder_free(struct responder *);

/*
 * Signs the response a cache entry holds for t as of now with t's issuer
 * in iss (held by the caller): its SHA-1 CertID, no nonce. Fills *out
 * (out->der malloc'd; issuer_id borrows iss). OB_ERR_NOTFOUND when t's
 * issuer is not in iss; OB_ERR_BUSY when its responder has expired;
 * OB_ERR_CRYPTO when signing fails. Any thread.
 */
enum ob_err responder_presign(struct responder *, struct issuers *iss,
    const struct store_todo *t, int64_t now, struct store_cache_entry *out);

/* The validity given at start, in seconds. */
int64_t responder_validity(const struct responder *);

/* Its cache (borrowed; it lives as long as the responder). */
struct cache *responder_cache(struct responder *);

/*
 * Its current table of issuers, held: the caller issuers_release()s it.
 * A reload meanwhile does not change it. Any thread.
 */
struct issuers *responder_issuers_hold(struct responder *);

/* The warning period before a responder expires, in seconds. */
int64_t responder_warn(const struct responder *);

/*
 * Reads the issuers again when they changed in the database since the
 * last load (store_issuers_version), or always when force (SIGHUP: key
 * files are read again too), and makes the new table current; answers
 * under way finish with the old one. *rotated: 0 when nothing was
 * read, 1 when the issuers were read again, 2 when an issuer's responder
 * changed too (a refresh pass should run now to re-sign its cache). An
 * issuer that fails to load keeps what it had (unless its id is now
 * another CA's), logged; the
 * database's version is then not read again until it changes or force.
 * Errors: the store's (the current table stays). One thread at a time
 * (the refresh thread), on its own connection.
 */
enum ob_err responder_reload(
    struct responder *, int force, int *rotated, char *errbuf, size_t errsz);

/*
 * How many superseded tables are still held: while any is, an answer
 * signed by an earlier responder may still be written to the cache.
 */
int responder_retired(struct responder *);

/*
 * The cached CRL of issuer_id, read on this thread's connection: *der
 * malloc'd (caller frees), its cRLNumber and times. OB_ERR_NOTFOUND
 * when there is none (no such issuer, none built or imported yet). Any
 * thread.
 */
enum ob_err responder_crl_get(struct responder *, const char *issuer_id,
    unsigned char **der, size_t *len, struct ob_crlnum *number,
    int64_t *this_update, int64_t *next_update);

/*
 * Answers the DER OCSPRequest req (len bytes): always fills *out with a
 * response to send (an OCSP error response when the request is bad or the
 * store fails); out->der is NULL only when memory ran out. Any thread.
 */
void responder_answer(struct responder *, const unsigned char *req, size_t len,
    struct responder_answer *out);

/*
 * responder_answer for a request the cache answers at once: one CertID
 * in the form a cached response carries (RFC 5019 2.1), no nonce, and a
 * fresh cached response of at most max bytes. 1 with *out filled as
 * responder_answer fills it (out->der malloc'd, the caller frees it),
 * counted as a hit. -1 for a request it could answer but for a wait
 * the next request may not have: a miss (none cached, or stale) to
 * sign, a page of the database not in memory (OB_ERR_BUSY), or a lock.
 * 0 for anything else (a bad request, a nonce, an answer over max, no
 * memory). On -1 and 0 nothing is counted or logged and out->der is
 * NULL: responder_answer then answers the request. It never waits: on
 * its first call the calling thread's connection is set to give up at
 * once on a lock, and its lookups give up on a page that is not in
 * memory (store_reads_nowait: the worker that answers instead reads it),
 * so call it only on a thread that answers nothing else (the HTTP
 * gate's). Any such thread.
 */
int responder_answer_cached(struct responder *, const unsigned char *req,
    size_t len, size_t max, struct responder_answer *out);

/*
 * responder_answer_cached reads in one transaction, begun by its first
 * call and ended by this: every call in between answers from the cache
 * as it was at the first (a revoke committed since is not seen), and the
 * database's lock is taken once for all of them. Only answer requests
 * received in full before that first call, and call this before waiting
 * for more: then a request sent after a revoke returned is answered
 * after it too. A no-op when nothing is held. The thread that made the
 * calls.
 */
void responder_cached_done(struct responder *);

/* Whether the store answers (for /healthz). Any thread. */
int responder_healthy(struct responder *);

/*
 * Marks the database file as replaced or removed (serve watches its
 * path): from then on every answer is tryLater, CRLs and /healthz are
 * 503, and no connection to the old file is used again. Any thread;
 * there is no way back (serve stops).
 */
void responder_db_gone(struct responder *);

/* ---- refresh.c: the refresh pass and the thread that runs it ----------- */

/* What one pass did. */
struct refresh_result {
	int64_t started_at, duration_ms;
	size_t todo; /* certificates found due */
	size_t nsigned, errors; /* signatures made, failed */
	size_t written; /* entries written (a revoke may win over one) */
	size_t dropped; /* entries of expired certificates dropped */
	size_t skipped; /* certificates of issuers not loaded */
};

/* The most threads a refresh pass signs on (and cli_cpu_count says). */
#define REFRESH_THREADS_MAX 64

/* Called now and then during a long pass, from any of its threads. */
typedef void (*refresh_progress_fn)(void *arg, size_t done, size_t total);

/*
 * One refresh pass over the database at db_path: drops the entries of
 * expired certificates, then signs, on nthreads threads, every registered
 * unexpired certificate whose entry is missing or due within
 * cache_horizon(validity, interval), writing them back in batches, and
 * records the pass in cache_refresh_runs under source ("serve" | "cli").
 * Passes never overlap, in one process or several: OB_ERR_BUSY when one is
 * under way. Signing errors are counted, not fatal; errbuf says why a pass
 * could not run. progress may be NULL; so may stop, which ends the pass
 * early (what is signed is written) once *stop is set (atomically).
 */
enum ob_err refresh_pass(struct responder *, const char *db_path,
    int64_t interval, int nthreads, const char *source, const int *stop,
    refresh_progress_fn progress, void *arg, struct refresh_result *res,
    char *errbuf, size_t errsz);

/*
 * The refresh thread: a pass at start, then every interval seconds (on
 * CLOCK_MONOTONIC) and at once after the wall clock steps, and every few
 * seconds the responder's counters added to cache_counters; every
 * RELOAD_SECONDS (and at once on refresh_reload) the issuers read again
 * when they changed (responder_reload). Beside it, the CRL thread
 * (crlgen_start).
 */
struct refresher;

enum ob_err refresh_start(struct responder *, const char *db_path,
    int64_t interval, int nthreads, struct refresher **out, char *errbuf,
    size_t errsz);

/* Finishes the pass under way, flushes the counters, joins the thread. */
void refresh_stop(struct refresher *);

/* Asks for a pass now (the admin API's POST /api/v1/cache/refresh). */
void refresh_kick(struct refresher *);

/* Whether a pass is under way. */
/*
 * When this server's next refresh pass is due (wall clock, seconds), as
 * its own interval says (not whichever process ran the last pass):
 * INT64_MIN before its first pass. Any thread.
 */
int64_t refresh_next_due(struct refresher *);
int refresh_running(struct refresher *);

/* Asks for the issuers and their key files to be read again (SIGHUP). */
void refresh_reload(struct refresher *);

/* Asks the CRL thread to look for revokes now (one was just made). */
void refresh_crl_poke(struct refresher *);

/* ---- crlgen.c: building CRLs, and the thread that keeps them fresh ---- */

/* What building one CRL gave. */
struct crlgen_result {
	struct ob_crlnum number; /* its cRLNumber */
	size_t revoked; /* entries */
	size_t bytes; /* DER */
	int64_t duration_ms; /* from the first read to the signature */
	int64_t this_update, next_update; /* as signed */
	/* not tried, not recorded: the CRL key failed lately, the issuer's
	 * id is now another CA's, or the CA has expired */
	int deferred;
};

/*
 * Builds, signs and stores the CRL of issuer_id (one loaded at start with
 * a CRL key) on st, numbered one above the last, listing every revoked
 * certificate, valid for the responder's validity but not past the CA
 * certificate's notAfter (RFC 5280 5.1); records the attempt in
 * crl_generation_events, failed or not. retry: try a CRL key that failed
 * to load again at once (else, for 30 s after, OB_ERR_BUSY with
 * res->deferred set, unrecorded). OB_ERR_NOTFOUND (unrecorded) for an
 * issuer without a loaded CRL key; OB_ERR_STALE and OB_ERR_EXPIRED
 * (deferred, unrecorded) when its id is now another CA's, or its CA has
 * expired. One thread per st.
 */
enum ob_err crlgen_build(struct responder *, struct store *st,
    const char *issuer_id, int retry, struct crlgen_result *res, char *errbuf,
    size_t errsz);

/*
 * When the CRLs fall due by the clock alone (store_crl_due): once it
 * reads next_update_min or later, or before this_update_max (it stepped
 * back). INT64_MIN in next_update_min: one is missing or failed, look
 * again at once.
 */
struct crlgen_window {
	int64_t next_update_min, this_update_max;
};

/*
 * Called once per CRL crlgen_build_all built or failed to build: e is
 * crlgen_build's result, res what it gave, err its message on failure.
 */
typedef void (*crlgen_report_fn)(void *arg, const char *issuer_id,
    enum ob_err e, const struct crlgen_result *res, const char *err);

/*
 * Builds the CRL of every issuer loaded with a CRL key (only_due: of
 * those store_crl_due finds due as of now), calling report for each
 * (NULL: one log line each, as serve logs them, failures of a key
 * waiting out its 30 s not logged); retry as for crlgen_build. Fills *w
 * (may be NULL) with the window of the CRLs as they are afterwards.
 * Returns how many failed (a CRL key waiting out its 30 s counts as
 * failed).
 */
size_t crlgen_build_all(struct responder *, struct store *st, int only_due,
    int retry, crlgen_report_fn report, void *arg, struct crlgen_window *w);

/*
 * The CRL thread, beside the refresh thread (started whatever the
 * issuers: one added while serving may have a CRL key; every function
 * below takes NULL as a no-op). It opens its own connection to db_path.
 * crlgen_tick asks it to build every CRL (each refresh tick);
 * crlgen_poke to look now for CRLs that are due (a revoke, or issuers
 * reloaded: one added has none yet), even when the database's
 * data_version has not moved since it last looked. crlgen_halt asks
 * it to stop after the build under way, and returns at once (a tick or
 * poke after it does nothing); crlgen_stop does that, joins it and frees
 * it. r must outlive it.
 */
struct crlgen;
enum ob_err crlgen_start(struct responder *r, const char *db_path,
    struct crlgen **out, char *errbuf, size_t errsz);
void crlgen_tick(struct crlgen *);
void crlgen_poke(struct crlgen *);
void crlgen_halt(struct crlgen *);
void crlgen_stop(struct crlgen *);

/* ---- follow.c: following an `openssl ca` database ----------------------- */

/*
 * What was applied of an index: its lines, each as the first 64 bits of
 * a keyed SHA-256 (without its newline), sorted; apart, those that could not
 * be read (broken), so that they are not logged again while they stay
 * as they are; and one serial written, whose absence
 * later tells that the issuer's certificates were removed. Zeroed is
 * empty; follow_seen_free frees it.
 */
struct follow_seen {
	uint64_t *h, *bad;
	size_t n, nbad;
	char anchor[OB_SERIAL_HEX_MAX + 1]; /* "" when none */
	unsigned char key[16]; /* the hashes' key, random (keyed: made) */
	int keyed;
};
void follow_seen_free(struct follow_seen *);

/* What follow_apply made of one version of an index. */
struct follow_outcome {
	long long lines; /* lines read */
	long long valid, revoked, expired; /* changed in the store: V, R, E */
	long long unchanged; /* lines the store held as they say already */
	long long released; /* certificateHolds a V line released */
	long long kept; /* revoked here otherwise than the line says: kept */
	long long broken; /* lines that cannot be read, skipped */
	long long new_broken; /* of those, ones not broken before */
	long long bad_line; /* the first broken line, 1-based; 0: none */
	long long clamped; /* R lines dated after now: revoked as of now */
	long long noted; /* R lines whose reason part was not all read */
	int torn; /* a last line without its newline: left for later */
	char err[OB_ERRBUF]; /* the first broken line's, or the error */
	char clamp_note[OB_ERRBUF]; /* the first clamped line's */
	char note[OB_ERRBUF]; /* the first noted line's */
	char kept_note[OB_ERRBUF]; /* the first kept line's */
};

/* The longest index line read; a longer one is broken. */
#define FOLLOW_LINE_MAX 8192

/*
 * Applies one version of an `openssl ca` index, read from f to its end,
 * to issuer issuer_id in st: each line that *seen does not hold (new or
 * changed since the version applied before) is written as `cert import`
 * writes it (a V line good, R revoked with its time and reason, its
 * cached answer dropped; E expired; never un-revoked but for a
 * certificateHold an index made that a V line releases, out->released;
 * a line
 * that says otherwise than a revocation stored is counted in out->kept,
 * the first in out->kept_note, and the revocation kept), then the cached
 * "unknown" of each new serial dropped, all in one transaction, begun
 * at the first line the store does not already hold as it says (one it
 * holds is read, not written: out->unchanged), so that a whole index
 * read again after a restart takes no write lock. Memory: 16 bytes a
 * line, whatever the file's size. A last line without its newline is a
 * file caught mid-write: unless whole is set it is not read
 * (out->torn). A broken line (index_parse_line refuses it, or it is
 * over FOLLOW_LINE_MAX) is skipped and counted, the first one's number
 * and why in out; the lines around it are applied, since a revocation
 * must not wait for a line somebody mistyped. An R line dated after now
 * (seconds since the epoch; the CA's clock ahead of ours) is revoked as
 * of now (out->clamped, out->clamp_note). On OB_OK *seen holds this
 * version (the old set freed). Store errors as the store gives them
 * (OB_ERR_NOTFOUND: no issuer issuer_id), and OB_ERR_IO, with out->err:
 * nothing written, *seen unchanged. The caller holds no transaction on
 * st.
 */
enum ob_err follow_apply(struct store *st, const char *issuer_id, FILE *f,
    int whole, int64_t now, struct follow_seen *seen,
    struct follow_outcome *out);

/* How long a last line without its newline is waited for, seconds. */
#define FOLLOW_TORN_WAIT 5

/* The largest index followed: some 3 million lines of openssl ca. */
#define FOLLOW_MAX_BYTES ((size_t)512 * 1024 * 1024)

/* Where a follower stands, for /metrics and the panel. */
struct follow_status {
	long long versions; /* versions of the file applied */
	long long broken; /* versions applied with broken lines skipped */
	int64_t applied_at; /* when the last version was applied; 0: none */
	long long bad_line; /* the current version's first broken line */
	char err[OB_ERRBUF]; /* what is wrong now ("" when nothing) */
};

struct follower;

/*
 * Starts a thread that follows the `openssl ca` index at path for
 * issuer issuer_id of the database at db_path (its own connection):
 * each version of the file, as openssl ca writes it (index.txt.new
 * renamed over it) or in place, is applied with follow_apply within a
 * second (inotify on its directory; without inotify, and besides it, a
 * look every second). A broken line is logged once and skipped; a
 * missing file is waited for; a last line still without its newline
 * after FOLLOW_TORN_WAIT seconds is read as it is; store errors (the
 * database busy or unreadable) are retried, less often each time up to
 * once a minute; when the certificates it wrote are gone (the issuer
 * removed, or added again) the whole file is applied again. The first
 * version is applied at once. On OB_OK *out is the follower (follower_stop ends and frees
 * it); OB_ERR_NOMEM when it cannot start, with errbuf. Strings are
 * copied.
 */
enum ob_err follower_start(const char *db_path, const char *issuer_id,
    const char *path, struct follower **out, char *errbuf, size_t errsz);

/* Stops and frees the follower (NULL: nothing); waits for its thread. */
void follower_stop(struct follower *);

/* A copy of where the follower stands. Any thread. */
void follower_status(struct follower *, struct follow_status *out);

#endif /* OCSPBOX_SERVER_H */
