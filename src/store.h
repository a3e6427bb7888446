/*
 * The store: the SQLite database, behind one interface. Its files
 * (store.c, store_issuer.c, store_cert.c, store_cache.c, store_crl.c,
 * store_stats.c, store_backup.c) are the only ones that include
 * sqlite3.h; they share store_int.h.
 */
#ifndef OCSPBOX_STORE_H
#define OCSPBOX_STORE_H

#include "codec.h"

/* ---- store.c, store_issuer.c, store_cert.c: issuers and certificates ---- */

struct store; /* one SQLite connection; one per thread */

/* An issuer and its active responder, as stored. */
struct store_issuer {
	char id[OB_ID_MAX + 1];
	char *subject;
	unsigned char *cert_der;
	size_t cert_len;
	unsigned char name_sha1[20], key_sha1[20];
	unsigned char name_sha256[32], key_sha256[32];
	int64_t not_after;
	char *crl_key_path; /* NULL: no CRL */
	/* the responder */
	unsigned char *resp_der;
	size_t resp_len;
	char *resp_subject;
	char *resp_key_path;
	char resp_key_alg[16]; /* rsa | ec-p256 | ec-p384 */
	int64_t resp_not_before, resp_not_after;
	int resp_is_ca;
	int64_t resp_id; /* its responder_certs row, as stored */
	int64_t resp_created_at; /* when it became the issuer's responder */
	int resp_generated; /* ocspbox made it and its key file */
	/* issuers.auto_responder_life_s: the life in seconds of the
	 * responders ocspbox issues for it; 0 when it is not automatic */
	int64_t auto_life_s;
	/* counts, filled by store_issuer_list */
	int64_t n_certs, n_revoked;
};

/* Frees the members of an issuer record (not the record itself). */
void store_issuer_clear(struct store_issuer *);

/*
 * Opens the database at path. With create, a missing file is created (its
 * directory must exist); without, a missing file is OB_ERR_NOTFOUND. Sets
 * WAL, synchronous=FULL, foreign_keys=ON and a busy timeout. On failure
 * *out is NULL and errbuf says why in one line. Caller store_close()s.
 */
enum ob_err store_open(const char *path, int create, struct store **out,
    char *errbuf, size_t errsz);
void store_close(struct store *);

/*
 * Whether st is an ocspbox database: *yes is 1 when schema_migrations
 * holds at least one migration, 0 for an empty file or another
 * program's database (which only `migrate` may make one of).
 */
enum ob_err store_migrated(
    struct store *, int *yes, char *errbuf, size_t errsz);

/*
 * Applies every embedded migration not yet in schema_migrations, each in
 * one transaction. *applied (may be NULL) counts those applied. When
 * verbose, prints one line per migration applied to stdout.
 */
enum ob_err store_migrate(
    struct store *, int verbose, int *applied, char *errbuf, size_t errsz);

/*
 * Registers an issuer and its responder in one transaction, with
 * auto_responder_life_s = is->auto_life_s (NULL when 0) and the
 * responder's generated flag = is->resp_generated.
 */
enum ob_err store_issuer_add(
    struct store *, const struct store_issuer *, char *errbuf, size_t errsz);

/*
 * Makes with's responder (its resp_* fields: resp_der, resp_key_path,
 * resp_key_alg, resp_subject, resp_not_before, resp_not_after,
 * resp_is_ca, resp_generated) the active responder of issuer_id, in one
 * transaction: every responder_certs row of the issuer marked inactive
 * (kept, with its key file: RFC 6960 answers signed by it stay valid to
 * their nextUpdate), the new row inserted active, and
 * issuers.auto_responder_life_s set to with->auto_life_s (NULL when 0:
 * an operator's responder is never renewed by ocspbox). The cached
 * answers are not touched: a running server re-signs them. OB_OK;
 * OB_ERR_NOTFOUND when there is no such issuer; OB_ERR_BUSY, OB_ERR_DB.
 * Nothing changes on failure. Any thread, on its own connection.
 */
enum ob_err store_responder_replace(struct store *, const char *issuer_id,
    const struct store_issuer *with, char *errbuf, size_t errsz);

/*
 * A renewal of an automatic responder: store_responder_replace, but only
 * while issuer_id is still the CA of key_sha1 (OB_SHA1_LEN octets), still
 * automatic (auto_responder_life_s set) and its active responder still
 * row resp_id, the one renewed, all checked in the same transaction.
 * Otherwise OB_ERR_STALE, nothing written: the issuer was removed,
 * re-added for another CA, or updated by an operator while the new
 * certificate was made, and that change wins. Other errors as
 * store_responder_replace.
 */
enum ob_err store_responder_renew(struct store *, const char *issuer_id,
    const unsigned char *key_sha1, int64_t resp_id,
    const struct store_issuer *with, char *errbuf, size_t errsz);

/*
 * Lists every issuer with its active responder and counts, ordered by id.
 * *out is a malloc'd array of *n records; free with store_issuer_list_free.
 */
enum ob_err store_issuer_list(struct store *, struct store_issuer **out,
    size_t *n, char *errbuf, size_t errsz);
void store_issuer_list_free(struct store_issuer *, size_t);

/* As store_issuer_list without the counts (left 0), which scan every
 * certificate: for loading the issuers a server answers for. */
enum ob_err store_issuer_records(struct store *, struct store_issuer **out,
    size_t *n, char *errbuf, size_t errsz);

/*
 * A text that changes whenever an issuer is added or removed, its
 * active responder or CRL key is replaced, or it gains a name alias
 * (store_issuer_alias_add): *out malloc'd (caller frees),
 * "" when there are none. One small query, for polling every few seconds.
 */
enum ob_err store_issuers_version(
    struct store *, char **out, char *errbuf, size_t errsz);

/*
 * Rotates issuer id in one transaction: with resp (its resp_* fields; the
 * rest ignored), the active responder row is retired (kept, inactive) and
 * resp's inserted as the active one; with crl_key_path, that becomes the
 * CRL key's path. NULL keeps either as it is. OB_ERR_NOTFOUND when there
 * is no issuer id (errbuf "no issuer ID"); else the store's errors.
 */
enum ob_err store_issuer_update(struct store *, const char *id,
    const struct store_issuer *resp, const char *crl_key_path, char *errbuf,
    size_t errsz);

/*
 * Removes issuer id with everything under it (its responders,
 * certificates, cached responses and CRLs, by ON DELETE CASCADE) in one
 * transaction, keeping the highest cRLNumber its CRLs carried in
 * crl_number_floor under its CA's key, so that the CA's next CRL, under
 * any id, is numbered above it (RFC 5280 5.2.3). *keys (*nkeys of them; may be NULL and 0) gets the paths of
 * the key files ocspbox made for its automatic responders
 * (responder_certs.generated), which nothing uses now: the caller removes
 * them after this returns (signer_remove_keys) and frees them with
 * store_paths_free. OB_ERR_NOTFOUND when there is no issuer id; else the
 * store's errors, with *keys NULL. The thread that owns st.
 */
enum ob_err store_issuer_remove(struct store *, const char *id, char ***keys,
    size_t *nkeys, char *errbuf, size_t errsz);

/*
 * The paths of the key files ocspbox made for automatic responders
 * (responder_certs.generated) that no active responder uses any more:
 * superseded by a renewal or an `issuer update`. *paths is a malloc'd
 * array of *n malloc'd paths (NULL and 0 when none); free with
 * store_paths_free. OB_OK, OB_ERR_NOMEM or the store's errors. The
 * thread that owns st.
 */
enum ob_err store_responder_keys_unused(
    struct store *, char ***paths, size_t *n, char *errbuf, size_t errsz);

/* Frees n paths of v and v (NULL is a no-op). */
void store_paths_free(char **v, size_t n);

/*
 * Another encoding of an issuer's name (RFC 6960 4.1.1): the SHA-1 and
 * SHA-256 of the issuer field DER of a certificate the issuer signed,
 * when that field encodes the issuer's name otherwise than its subject.
 */
struct store_name_alias {
	unsigned char name_sha1[OB_SHA1_LEN], name_sha256[OB_SHA256_LEN];
};

/*
 * Records alias as a name of issuer_id unless it is its subject's own
 * (issuers.name_sha1) or already recorded: one statement, in the
 * caller's transaction if one is open. *added (may be NULL) is 1 when a
 * row was written, else 0. OB_OK (also for an unknown issuer_id, which
 * gets nothing), OB_ERR_BUSY or OB_ERR_DB with errbuf saying why. The
 * caller has checked that the issuer signed the certificate the hashes
 * come from. The thread that owns st.
 */
enum ob_err store_issuer_alias_add(struct store *, const char *issuer_id,
    const struct store_name_alias *alias, int *added, char *errbuf,
    size_t errsz);

/*
 * The name aliases of issuer_id, oldest first: *out a malloc'd array of
 * *n (NULL and 0 when there are none); the caller frees it. OB_OK,
 * OB_ERR_NOMEM, OB_ERR_BUSY or OB_ERR_DB. The thread that owns st.
 */
enum ob_err store_issuer_aliases(struct store *, const char *issuer_id,
    struct store_name_alias **out, size_t *n, char *errbuf, size_t errsz);

/* Whether issuer id exists: OB_OK, OB_ERR_NOTFOUND or an error. */
enum ob_err store_issuer_exists(
    struct store *, const char *id, char *errbuf, size_t errsz);

/* What the store knows of one certificate. */
struct store_cert {
	int revoked;
	int64_t not_after; /* INT64_MIN: unknown */
	int64_t revoked_at; /* INT64_MIN: not revoked */
	int reason; /* RFC 5280 CRLReason; -1: none */
	char *subject; /* malloc'd, or NULL: unknown (store_cert_clear) */
	int64_t created_at, updated_at; /* when registered, last changed */
	int64_t invalidity_at; /* RFC 5280 5.3.2; INT64_MIN: none */
};

/*
 * The row of certificate (issuer_id, serial: canonical) into *out.
 * OB_OK; OB_ERR_NOTFOUND (errbuf: no such issuer, or no such
 * certificate); OB_ERR_NOMEM, OB_ERR_BUSY, OB_ERR_DB. The thread that
 * owns st.
 */
enum ob_err store_cert_get(struct store *, const char *issuer_id,
    const char *serial, struct store_cert *out, char *errbuf, size_t errsz);
void store_cert_clear(struct store_cert *);

/*
 * Registers certificate (issuer_id, serial) with not_after (INT64_MIN:
 * unknown). An existing row is OB_ERR_EXISTS unless update is set, which
 * refreshes not_after and subject but never un-revokes.
 */
enum ob_err store_cert_add(struct store *, const char *issuer_id,
    const char *serial, int64_t not_after, const char *subject, int update,
    char *errbuf, size_t errsz);

/*
 * Marks (issuer_id, serial) revoked at time at with reason (-1: none) and
 * drops its cached OCSP response, in one durable transaction; a serial
 * not registered yet is registered revoked. *already (may be NULL) is 1
 * when it was revoked before, in which case nothing changes; 2 when it
 * was on certificateHold and reason is another one: the hold is made a
 * revocation at at for reason (RFC 5280 5.3.1).
 */
enum ob_err store_revoke(struct store *, const char *issuer_id,
    const char *serial, int reason, int64_t at, int *already, char *errbuf,
    size_t errsz);

/* What store_cert_put did with an index line's certificate. */
enum store_put {
	STORE_PUT_SAME, /* the row said it already: left as it was */
	STORE_PUT_NEW, /* not registered before: registered now */
	STORE_PUT_UPDATED, /* its expiry or subject rewritten */
	STORE_PUT_REVOKED, /* good before, revoked now */
	STORE_PUT_REASON, /* on certificateHold, now revoked for the line's
			     reason (RFC 5280 5.3.1) */
	STORE_PUT_RELEASED, /* on a certificateHold an index made (source
			       import or follow); a V line released it */
	STORE_PUT_KEPT, /* revoked otherwise than the line says (a V line,
			   another time or reason): kept as it is */
};

/*
 * Upserts a certificate as an import does, inside the caller's
 * transaction, from an index line (ent: serial, not_after, subject, ""
 * keeping the one known; an R line's revoked_at, reason and
 * invalidity_at, RFC 5280 5.3.1-2): marks it revoked, dropping in the
 * same transaction its cached answer unless that says "revoked"
 * already. An E line is registered as a V line (its expiry says the
 * rest). Never un-revokes, nor changes a revocation, but for a
 * certificateHold: a V line releases one an index made (store_source
 * "import" or "follow"; one made by revoke stays), an R line of another
 * reason (>= 0) makes it that revocation, each dropping its cached
 * answers and marking the CRL behind. A
 * row that already says all this is left as it is (its updated_at too).
 * *what (may be NULL) tells what was done. Its statements are prepared
 * once per connection. The caller ends the lines of an issuer with
 * store_cert_put_end, in the same transaction.
 */
enum ob_err store_cert_put(struct store *, const char *issuer_id,
    const struct index_entry *ent, enum store_put *what, char *errbuf,
    size_t errsz);

/*
 * What store_cert_put of ent would do to the row stored now: *what, and
 * *write 1 when it would write the row (a KEPT row is written only when
 * its expiry or subject changed). A read, in or out of a transaction;
 * the statement is prepared once per connection. OB_OK or the store's
 * errors.
 */
enum ob_err store_cert_plan(struct store *, const char *issuer_id,
    const struct index_entry *ent, enum store_put *what, int *write,
    char *errbuf, size_t errsz);

/*
 * Drops the "unknown" answers cached for serials of issuer_id that are
 * registered now (as store_cert_add does one by one): one statement for
 * a whole import, after its last store_cert_put.
 */
enum ob_err store_cert_put_end(
    struct store *, const char *issuer_id, char *errbuf, size_t errsz);

/*
 * Releases a certificateHold (RFC 5280 5.3.1): certificate (issuer_id,
 * serial), revoked for certificateHold, is good again, its cached
 * answers dropped in the same durable transaction, so that the next
 * request is signed "good" and the next CRL leaves it out. OB_OK;
 * OB_ERR_NOTFOUND (no such issuer or certificate); OB_ERR_INVAL when it
 * is not revoked, or revoked for another reason (only a hold is ever
 * released); OB_ERR_BUSY, OB_ERR_DB. errbuf says which.
 */
enum ob_err store_unrevoke(struct store *, const char *issuer_id,
    const char *serial, char *errbuf, size_t errsz);

/*
 * Removes certificates serials[0..n-1] (canonical) of issuer_id and
 * their cached answers, all or none, in one durable transaction: a
 * registration made by mistake undone. Each is answered "unknown" from
 * then on (RFC 6960 2.2). A revoked one is refused (OB_ERR_PERM: removing
 * it takes it off the CRL) unless revoked_too. On an error *bad is the
 * index of the serial it is about: OB_ERR_NOTFOUND (no such issuer or
 * certificate), OB_ERR_PERM, OB_ERR_BUSY, OB_ERR_DB; errbuf says which.
 */
enum ob_err store_cert_remove(struct store *, const char *issuer_id,
    const char *const *serials, size_t n, int revoked_too, size_t *bad,
    char *errbuf, size_t errsz);

/* Which certificates store_cert_each passes on. */
enum store_cert_filter {
	STORE_CERTS_ALL,
	STORE_CERTS_GOOD, /* not revoked, and not expired at now */
	STORE_CERTS_REVOKED, /* revoked, expired or not */
	STORE_CERTS_EXPIRED, /* not revoked, notAfter at or before now */
};

/*
 * Calls fn(arg, serial, c) for each certificate of issuer_id that filter
 * takes, and changed at or after since (seconds; INT64_MIN: any time; a
 * revocation's row changes when it is made, whatever its --at), in
 * numeric order of the positive serials (then by text), until
 * fn returns nonzero. serial and c (c->subject too) are valid during the
 * call only; the caller frees nothing. One read snapshot throughout:
 * writers go on meanwhile. now: seconds. OB_OK; OB_ERR_NOTFOUND (no such
 * issuer), OB_ERR_BUSY, OB_ERR_DB.
 */
enum ob_err store_cert_each(struct store *, const char *issuer_id,
    enum store_cert_filter filter, int64_t now, int64_t since,
    int (*fn)(void *arg, const char *serial, const struct store_cert *c),
    void *arg, char *errbuf, size_t errsz);

/*
 * The status of one certificate: OB_OK with *revoked 0 or 1 (and
 * *revoked_at, *reason; reason -1 when none), or OB_ERR_NOTFOUND when the
 * serial was never registered. With key_sha1 (OB_SHA1_LEN octets, the
 * issuerKeyHash of the CA the caller answers for; may be NULL), the
 * issuer_id row must still be that CA's: OB_ERR_STALE when it is gone or
 * now another CA's (an issuer removed and an id reused, not yet seen by a
 * server's loaded table), so that no answer signed for one CA carries the
 * status of another's certificate. OB_ERR_BUSY when locked; the thread
 * that owns st.
 */
enum ob_err store_cert_status(struct store *, const char *issuer_id,
    const unsigned char *key_sha1, const char *serial, int *revoked,
    int64_t *revoked_at, int *reason, char *errbuf, size_t errsz);

/*
 * Names where this connection's revocations come from: "cli", "api",
 * "import", "follow" or "crl" (a static string; NULL: not said), kept
 * with each revocation it writes (certificates.revocation_source) and
 * shown by the history (store_history). The thread that owns st.
 */
void store_source(struct store *, const char *source);

/* Whether the database answers a trivial query: OB_OK or an error. */
enum ob_err store_ping(struct store *, char *errbuf, size_t errsz);

/* Explicit transactions, for batch imports. */
enum ob_err store_begin(struct store *, char *errbuf, size_t errsz);
enum ob_err store_commit(struct store *, char *errbuf, size_t errsz);
void store_rollback(struct store *);

/*
 * One read transaction across several lookups, so that they share one
 * snapshot and one lock of the database (for the HTTP gate's batches).
 * store_read_hold begins it unless one is open (BEGIN DEFERRED: the
 * snapshot is taken by the next read); store_read_release ends it (a
 * no-op without one). Every read in between sees the database as it was
 * at the first of them: hold it only while every request those reads
 * answer was received before that first read, and release it before
 * waiting for more. Errors: the store's. The thread that owns st.
 */
enum ob_err store_read_hold(struct store *, char *errbuf, size_t errsz);
void store_read_release(struct store *);

/* ---- store_cache.c: the pre-signed response cache (the seed's 000024) ---- */

/*
 * cert_status values are those of enum ocsp_cert_status: 0 good,
 * 1 revoked, 2 unknown.
 */

/* One pre-signed response as it is cached; der borrowed or owned. */
struct store_cache_entry {
	const char *issuer_id;
	/*
	 * The issuerKeyHash of the CA it was signed for (borrowed; NULL: not
	 * checked): store_cache_put drops an entry whose issuer_id is now
	 * another CA's, or gone (store_cert_status's OB_ERR_STALE).
	 */
	const unsigned char *key_sha1;
	char serial[OB_SERIAL_HEX_MAX + 1];
	unsigned char *der;
	size_t len;
	int status;
	int64_t revoked_at; /* revoked only */
	int reason; /* -1: none */
	int64_t this_update, next_update;
};

/*
 * How far an entry's times may lie ahead of now before it counts as
 * signed by a clock that has since stepped back, in seconds: a little
 * more than two threads' time() differ by when one signs and the other
 * looks, so that an answer signed a second after a request started is
 * still its answer.
 */
#define STORE_CLOCK_SLACK 5

/*
 * The cached response of (issuer_id, serial) if it is current at now:
 * its nextUpdate after now, and not from the future (thisUpdate not after
 * now, nextUpdate not after now + validity, give or take
 * STORE_CLOCK_SLACK), which only a clock stepped back since the signature
 * leaves behind. OB_OK with *der malloc'd (caller frees), *len, the times
 * and the status it says (enum ocsp_cert_status) set; OB_ERR_NOTFOUND
 * when there is none, it is stale or from the future; OB_ERR_BUSY or
 * OB_ERR_DB. One primary-key lookup on a statement prepared once per
 * connection.
 */
enum ob_err store_cache_get(struct store *, const char *issuer_id,
    const char *serial, int64_t now, int64_t validity, unsigned char **der,
    size_t *len, int64_t *this_update, int64_t *next_update, int *status,
    char *errbuf, size_t errsz);

/*
 * Writes n signed responses back in one write transaction, each only if
 * the certificate's status is still the one signed (for unknown: the
 * serial is still unregistered) and no newer entry is there; an entry
 * from the future as of now (see store_cache_get) is no newer entry, and
 * is replaced. The check and the write are one transaction, serialised
 * with every revoke, so a signature that raced a revoke is dropped, never
 * cached. *written (may be NULL) counts the rows written.
 */
enum ob_err store_cache_put(struct store *, const struct store_cache_entry *,
    size_t n, int64_t now, int64_t validity, size_t *written, char *errbuf,
    size_t errsz);

/* A certificate the refresh pass must (re-)sign, with its status. */
struct store_todo {
	char issuer_id[OB_ID_MAX + 1];
	char serial[OB_SERIAL_HEX_MAX + 1];
	int status; /* 0 good or 1 revoked */
	int64_t revoked_at;
	int reason;
};

/*
 * An issuer whose cache entries signed by an earlier responder are to be
 * re-signed: each entry whose DER does not contain needle (the current
 * responder's certificate, or key hash) is due. Members borrowed.
 */
struct store_resign {
	const char *issuer_id;
	const unsigned char *needle;
	size_t needle_len;
};

/*
 * Where a listing of due certificates has got to: the last one listed.
 * Zeroed, it is before the first.
 */
struct store_todo_cursor {
	char issuer_id[OB_ID_MAX + 1];
	char serial[OB_SERIAL_HEX_MAX + 1];
};

/*
 * Sets, for this connection, the nresign issuers of resign (may be NULL
 * when nresign is 0) whose entries lacking their needle are due; called
 * once before store_refresh_todo and store_refresh_count on it.
 */
enum ob_err store_refresh_resign(struct store *,
    const struct store_resign *resign, size_t nresign, char *errbuf,
    size_t errsz);

/*
 * The next certificates due for the refresh pass after *cur, in (issuer
 * id, serial) order: registered, unexpired at now, and whose entry is
 * missing, has a nextUpdate at or before now + horizon (unless that
 * nextUpdate is already its responder's notAfter, which no signature can
 * pass), is from the future (as store_cache_get has it, with validity),
 * no longer matches its status, was written before its issuer's active
 * responder was registered, or (for the issuers of store_refresh_resign)
 * lacks the needle. Up to max go into out (the caller's); *n says how
 * many, fewer than max only at the end; *cur moves to the last. Each call
 * is one short read: memory does not grow with the certificates, and
 * rows written meanwhile behind the cursor are not listed again.
 */
enum ob_err store_refresh_todo(struct store *, int64_t now, int64_t horizon,
    int64_t validity, struct store_todo_cursor *cur, struct store_todo *out,
    size_t max, size_t *n, char *errbuf, size_t errsz);

/*
 * How many certificates store_refresh_todo would list from the start,
 * into *n: one scan, for a progress report.
 */
enum ob_err store_refresh_count(struct store *, int64_t now, int64_t horizon,
    int64_t validity, size_t *n, char *errbuf, size_t errsz);

/*
 * Drops the entries of certificates expired at now and unknown entries
 * past their nextUpdate or from the future (with validity, as
 * store_cache_get has it). *dropped counts them.
 */
enum ob_err store_cache_prune(struct store *, int64_t now, int64_t validity,
    size_t *dropped, char *errbuf, size_t errsz);

/* How many cached entries answer "unknown". */
enum ob_err store_cache_unknown_count(
    struct store *, int64_t *n, char *errbuf, size_t errsz);

/* (store.c) */

/*
 * Lets this connection's commits skip the fsync (synchronous=NORMAL) for
 * connections that only ever write cache entries, which can be re-signed;
 * WAL keeps the order, so no later commit outlives an earlier revoke.
 */
void store_relax_sync(struct store *);

/*
 * How long this connection waits for another's lock (5 s from
 * store_open) before OB_ERR_BUSY.
 */
void store_busy_ms(struct store *, int ms);

/*
 * Whether the calling thread's reads of database files may wait for
 * storage (on 0, the default) or must not (on 1): a page not in the
 * kernel's page cache then fails the statement at once, and the
 * operation returns OB_ERR_BUSY ("page not in memory") instead of
 * blocking the thread on the disk; the kernel does not start reading it
 * (another thread's read does). Only the pages of statements run with it
 * on: opening a connection reads as always. Where the kernel or file
 * system cannot do this (preadv2 RWF_NOWAIT; store_reads_nowait_works),
 * reads wait as always. The read transaction the failed statement was
 * in ends (SQLite rolls it back), so the next read sees a snapshot at
 * least as new. Returns the previous setting.
 */
int store_reads_nowait(int on);

/*
 * 1 when reads of the database at path can be made without waiting for
 * storage here (store_reads_nowait has effect), 0 when not: no such
 * kernel support, a file system without it, or no file could be made
 * beside it to try (a temporary one, removed at once; the database
 * itself is not opened).
 */
int store_reads_nowait_works(const char *path);

/* ---- store_stats.c: counters, refresh runs, stats, the admin token ----- */

/* Adds to the running totals of cache_counters. */
enum ob_err store_counters_add(struct store *, int64_t hits, int64_t misses,
    int64_t live_signs, char *errbuf, size_t errsz);

/* One refresh pass, as recorded in cache_refresh_runs. */
struct store_refresh_run {
	int64_t started_at, duration_ms;
	int64_t nsigned, errors, dropped;
	char source[8]; /* serve | cli */
};

/* Records a pass and keeps the newest 1000. */
enum ob_err store_refresh_record(struct store *,
    const struct store_refresh_run *, char *errbuf, size_t errsz);

/* What the stats show of one issuer. Times INT64_MIN when absent. */
struct store_issuer_stats {
	char id[OB_ID_MAX + 1];
	int64_t entries, good, revoked, unknown, stale;
	int64_t next_update_min;
	int crl_key; /* registered with a CRL key */
	int crl_present;
	struct ob_crlnum crl_number;
	int64_t crl_this_update, crl_next_update;
	int64_t crl_revoked, crl_generated_at;
	char crl_error[200]; /* the last attempt's error; "" when it worked */
	/* Certificates registered (the certificates table, not the cache):
	 * all; revoked; not revoked but past notAfter; neither. */
	int64_t cert_total, cert_revoked, cert_expired, cert_good;
	/* The CRL ocspbox built (with a CRL key) lacks a revocation, or a
	 * change of one (a hold released, a revoked one removed): a new
	 * one is due. */
	int crl_behind;
};

/* The numbers of `cache stats`, read in one transaction. */
struct store_stats {
	int64_t entries, stale;
	int64_t hits, misses, live_signs, invalidations;
	int have_run; /* last_run is set */
	struct store_refresh_run last_run;
	struct store_issuer_stats *issuers; /* malloc'd, by id */
	size_t nissuers;
};

/* Fills *out as of now; free with store_stats_free. */
enum ob_err store_stats(struct store *, int64_t now, struct store_stats *out,
    char *errbuf, size_t errsz);
void store_stats_free(struct store_stats *);

/* One revocation as the history shows it. Times INT64_MIN if absent. */
struct store_revocation_event {
	char issuer_id[OB_ID_MAX + 1];
	char serial[OB_SERIAL_HEX_MAX + 1];
	int64_t revoked_at; /* the revocation's time (RFC 5280 5.3.1) */
	int64_t recorded_at; /* when the database last changed the row */
	int reason; /* CRLReason; -1: none */
	char source[8]; /* cli api import follow crl; "": not known */
};

/* One CRL generation event: a build, or a failure and its repeats. */
struct store_crl_event {
	char issuer_id[OB_ID_MAX + 1];
	int64_t started_at, last_at; /* last_at: of the last repeat */
	int64_t repeated; /* 1, or identical failures in a row */
	int succeeded;
	int has_number; /* a build's number (not a failure's) */
	struct ob_crlnum number;
	int64_t revoked_count; /* -1: none (a failure) */
	int64_t duration_ms;
	char error[200]; /* a failure's; "" for a build */
};

/* What GET /api/v1/history shows: each list newest first. */
struct store_history {
	struct store_revocation_event *revocations;
	size_t nrevocations;
	struct store_crl_event *crl_builds;
	size_t ncrl_builds;
	struct store_refresh_run *runs;
	size_t nruns;
};

/*
 * The newest limit revocations (by when they were recorded), CRL
 * generation events and refresh passes, read in one transaction into
 * *out (malloc'd; free with store_history_free). Revocations walk
 * idx_certificates_revocation_recorded. OB_OK, OB_ERR_NOMEM, OB_ERR_BUSY,
 * OB_ERR_DB.
 */
enum ob_err store_history(struct store *, size_t limit,
    struct store_history *out, char *errbuf, size_t errsz);
void store_history_free(struct store_history *);

/*
 * The stored SHA-256 of the admin token serve generated: OB_OK with hash
 * set, or OB_ERR_NOTFOUND. store_admin_token_set replaces it.
 */
enum ob_err store_admin_token(
    struct store *, unsigned char hash[32], char *errbuf, size_t errsz);
enum ob_err store_admin_token_set(
    struct store *, const unsigned char hash[32], char *errbuf, size_t errsz);

/*
 * PRAGMA data_version: changes whenever another connection (in this
 * process or another) commits; a cheap "did anything change?".
 */
enum ob_err store_data_version(
    struct store *, int64_t *v, char *errbuf, size_t errsz);

/* ---- store_crl.c: CRLs built, imported and served ----------------------- */

/*
 * Building a CRL is one write transaction: store_crl_begin opens it (BEGIN
 * IMMEDIATE), reads the next crlNumber (one above any stored before for
 * the issuer, or for its CA under an issuer since removed:
 * crl_number_floor; 1 for the first; with time_floor, at least the wall
 * clock in milliseconds since the epoch, so that numbers never go back
 * after a restore: RFC 5280 5.2.3) and the issuer's revoked
 * certificates (*out malloc'd, caller frees, in revocation order). With
 * key_sha1 (the issuerKeyHash of the CA whose key will sign; may be
 * NULL), issuer_id must still be that CA's: else OB_ERR_STALE, so that a
 * server that has not yet reloaded never signs another CA's revocations.
 * The caller builds and signs, then either store_crl_put, which stores
 * the CRL, records a successful event and commits, or store_rollback and
 * store_crl_failed. On error the transaction is rolled back; OB_ERR_RANGE
 * when the last number has no next one (util_crlnum_next).
 */
struct crl_entry;
enum ob_err store_crl_begin(struct store *, const char *issuer_id,
    const unsigned char *key_sha1, int time_floor, struct ob_crlnum *number,
    struct crl_entry **out, size_t *n, char *errbuf, size_t errsz);

/* A CRL as stored in crl_cache; der borrowed. */
struct store_crl {
	const char *issuer_id;
	const unsigned char *der;
	size_t len;
	struct ob_crlnum number;
	int64_t this_update, next_update;
	int64_t started_at, duration_ms, revoked_count;
};

enum ob_err store_crl_put(
    struct store *, const struct store_crl *, char *errbuf, size_t errsz);

/* Records a failed attempt in crl_generation_events (its own commit). */
enum ob_err store_crl_failed(struct store *, const char *issuer_id,
    int64_t started_at, int64_t duration_ms, const char *error, char *errbuf,
    size_t errsz);

/*
 * The cached CRL of an issuer: *der malloc'd (caller frees), its
 * cRLNumber, thisUpdate and nextUpdate. OB_ERR_NOTFOUND when there is
 * none.
 */
enum ob_err store_crl_get(struct store *, const char *issuer_id,
    unsigned char **der, size_t *len, struct ob_crlnum *number,
    int64_t *this_update, int64_t *next_update, char *errbuf, size_t errsz);

/*
 * Whether the CRL of issuer_id is due at now: missing, lacking a
 * revocation (its revoked_count differs from the count of revoked
 * certificates), expired (nextUpdate at or before now) or from the future
 * (thisUpdate after now: the clock stepped back since it was signed).
 * *this_update and *next_update (either may be NULL) get its times,
 * INT64_MIN when there is none.
 */
enum ob_err store_crl_due(struct store *, const char *issuer_id, int64_t now,
    int *due, int64_t *this_update, int64_t *next_update, char *errbuf,
    size_t errsz);

/*
 * Applies the revocations of ci (parsed and verified by the caller) to
 * issuer_id in one durable transaction, and nothing else: no number is
 * checked, the CRL is neither stored nor served. A revocation already
 * stored is kept; a certificateHold the CRL gives another reason is made
 * that revocation. For putting back, after a restore, what the last CRL
 * published held. *revoked: how many were revoked now. OB_OK,
 * OB_ERR_NOTFOUND (no such issuer), or the store's errors.
 */
enum ob_err store_crl_apply(struct store *, const char *issuer_id,
    const struct crl_info *ci, size_t *revoked, char *errbuf, size_t errsz);

/*
 * Stores a CRL an offline CA made (ci, read by crl_parse and checked by
 * signer_crl_verify) as the issuer's, in one transaction: each of its
 * serials revoked as the CRL says, unless revoked already (*revoked
 * counts the new ones; their cached responses dropped), the CRL served
 * as it is, and an event (duration_ms: what the caller measured). Refuses
 * with OB_ERR_EXISTS a cRLNumber not above every one stored before.
 */
struct crl_info;
enum ob_err store_crl_import(struct store *, const char *issuer_id,
    const struct crl_info *ci, int64_t duration_ms, size_t *revoked,
    char *errbuf, size_t errsz);

/* SQLite's version string. */
const char *store_sqlite_version(void);

/* ---- store_backup.c: the online backup ---------------------------------- */

/* What a backup holds, read from the copy. */
struct store_backup_info {
	int integrity_ok; /* PRAGMA integrity_check said "ok" */
	int64_t pages, page_size; /* the copy's size: pages of bytes */
	char schema_version[16]; /* the last migration applied ("000032") */
	int64_t issuers, certificates, revoked;
	int64_t last_revoked_at; /* the latest revocation; INT64_MIN: none */
	int dir_unsynced; /* dest's directory could not be fsynced */
};

/*
 * Copies st's database to dest with SQLite's online backup API, as one
 * snapshot (a read transaction over the whole copy, which in WAL mode
 * servers' writes neither block nor change), in a work directory of its
 * own (0700) beside dest, as a file of mode 0600; then switches the
 * copy to one file (journal_mode DELETE), checks it (integrity_check),
 * reads *info from it, fsyncs it and gives it the name dest in one step
 * (with replace, over a file of that name; without, OB_ERR_EXISTS when
 * the name is taken, then or meanwhile), fsyncing the directory
 * (info->dir_unsynced when that fails: the copy is whole and named, its
 * name may not survive a crash). dest may not be the database itself.
 * A failed backup leaves nothing behind. progress (may be NULL) is
 * called after each step with pages done and in all. OB_OK;
 * OB_ERR_EXISTS, OB_ERR_INVAL, OB_ERR_IO (a directory missing, a full
 * disk), OB_ERR_DB (the copy is not whole) with errbuf. The caller
 * holds no transaction on st.
 */
enum ob_err store_backup(struct store *, const char *dest, int replace,
    void (*progress)(int64_t done, int64_t total, void *), void *arg,
    struct store_backup_info *info, char *errbuf, size_t errsz);

#endif /* OCSPBOX_STORE_H */
