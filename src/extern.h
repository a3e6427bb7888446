/*
 * ocspbox: every module's interface, grouped by file. Pure modules (util,
 * schema translation, index) do no I/O and keep no globals; store.c is the
 * only includer of sqlite3.h and signer.c the only owner of mbedTLS keys.
 */
#ifndef OCSPBOX_EXTERN_H
#define OCSPBOX_EXTERN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define OCSPBOX_VERSION "0.1.0"

/* ---- util.c: errors, serials, times, durations, reasons ---------------- */

/* The one error enum of the project; ob_strerror() names each. */
enum ob_err {
	OB_OK = 0,
	OB_ERR_NOMEM, /* allocation failed */
	OB_ERR_INVAL, /* malformed input */
	OB_ERR_RANGE, /* input out of its allowed range */
	OB_ERR_NOTFOUND, /* no such issuer, certificate, file */
	OB_ERR_EXISTS, /* already registered */
	OB_ERR_IO, /* file or socket I/O failed */
	OB_ERR_DB, /* SQLite reported an error */
	OB_ERR_BUSY, /* database locked past the busy timeout */
	OB_ERR_CRYPTO, /* mbedTLS reported an error */
	OB_ERR_PERM, /* file permissions too open */
	OB_ERR_UNSUPPORTED, /* a construct we do not handle */
};

const char *ob_strerror(enum ob_err);

/* Digest lengths, in octets: SHA-1 and SHA-256 (FIPS 180-4). */
#define OB_SHA1_LEN 20
#define OB_SHA256_LEN 32

/* Longest canonical serial: RFC 5280 allows 20 octets; we take up to 64. */
#define OB_SERIAL_MAX_OCTETS 64
#define OB_SERIAL_HEX_MAX (OB_SERIAL_MAX_OCTETS * 2)

/*
 * Canonicalises a hex serial: optional "0x", any case, optional leading
 * zeros, ':' separators tolerated. Writes lower-case hex without leading
 * zeros ("0" for zero) into out (OB_SERIAL_HEX_MAX + 1 bytes).
 * Returns OB_OK, OB_ERR_INVAL or OB_ERR_RANGE; out is "" on failure.
 */
enum ob_err util_serial_canon(const char *in, char *out);

/* The same from big-endian serial octets (as in a DER INTEGER). */
enum ob_err util_serial_from_bytes(
    const unsigned char *p, size_t len, char *out);

/*
 * The inverse for a canonical serial: writes the contents of its DER
 * INTEGER (a 0x00 first when the top bit is set) into out (cap bytes, at
 * least OB_SERIAL_MAX_OCTETS + 1). OB_OK, OB_ERR_INVAL or OB_ERR_RANGE.
 */
enum ob_err util_serial_to_der(
    const char *hex, unsigned char *out, size_t cap, size_t *outlen);

/*
 * A cRLNumber (RFC 5280 5.2.3): an integer from 0 to 2^160 - 1, held
 * big-endian and zero-padded to 20 octets, so that memcmp (and
 * util_crlnum_cmp) orders two of them as integers. Its stored form
 * (crl_number_hex) is the same as 40 lower-case hex digits.
 */
#define OB_CRLNUM_OCTETS 20
#define OB_CRLNUM_HEX (OB_CRLNUM_OCTETS * 2)
#define OB_CRLNUM_DEC 49 /* decimal digits of 2^160 - 1 */
struct ob_crlnum {
	unsigned char b[OB_CRLNUM_OCTETS];
};

/* Sets *n to v. */
void util_crlnum_set(struct ob_crlnum *n, uint64_t v);

/* Below zero, zero or above zero as a is below, equal to or above b. */
int util_crlnum_cmp(const struct ob_crlnum *a, const struct ob_crlnum *b);

/*
 * From the contents of a DER INTEGER (len octets, minimal as X.690
 * 8.3.2 asks): OB_ERR_INVAL when empty, negative or not minimal (a 0x00
 * before an octet whose top bit is clear), OB_ERR_RANGE when its value
 * needs more than 20 octets. *out is zero on failure.
 */
enum ob_err util_crlnum_from_der(
    const unsigned char *p, size_t len, struct ob_crlnum *out);

/*
 * Writes the contents of n's DER INTEGER, minimal, with a 0x00 first when
 * the top bit is set, into out; returns their length (1 to 21).
 */
size_t util_crlnum_der(
    const struct ob_crlnum *n, unsigned char out[OB_CRLNUM_OCTETS + 1]);

/*
 * The number a CRL issuer uses after in: OB_OK, or OB_ERR_RANGE (and *out
 * is in) when it would take more than 20 octets in DER, from 2^159 on.
 * RFC 5280 5.2.3 forbids CRLNumbers "longer than 20 octets"; Go's
 * crypto/x509 counts the octets of the DER INTEGER, sign octet included,
 * and so does this, for what ocspbox signs itself. Reading, ocspbox takes
 * 20 octets of value (to 2^160 - 1), as a conforming user must.
 */
enum ob_err util_crlnum_next(const struct ob_crlnum *in, struct ob_crlnum *out);

/* The stored form: exactly 40 lower-case hex digits, zero-padded. */
void util_crlnum_hex(const struct ob_crlnum *n, char out[OB_CRLNUM_HEX + 1]);
enum ob_err util_crlnum_from_hex(const char *s, struct ob_crlnum *out);

/* Decimal, without leading zeros ("0" for zero). */
void util_crlnum_dec(const struct ob_crlnum *n, char out[OB_CRLNUM_DEC + 1]);

/*
 * Whether n fits in 64 bits: 1 with *v its value, else 0 with *v
 * UINT64_MAX.
 */
int util_crlnum_u64(const struct ob_crlnum *n, uint64_t *v);

/*
 * Parses RFC 3339 ("2026-01-02T03:04:05Z", offsets and fractions allowed)
 * into seconds since the epoch. Returns OB_OK or OB_ERR_INVAL.
 */
enum ob_err util_time_parse(const char *s, int64_t *out);

/* Seconds since the epoch of a UTC civil time; OB_ERR_INVAL if invalid. */
enum ob_err util_time_civil(
    int y, int mo, int d, int h, int mi, int s, int64_t *out);

/* Formats t as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes). */
void util_time_format(int64_t t, char *buf, size_t bufsz);

/* Milliseconds on CLOCK_MONOTONIC: for durations and rates, which no
 * step of the wall clock moves. */
int64_t util_mono_ms(void);
/* The same in microseconds: for timing one signature. */
int64_t util_mono_us(void);

/* n octets at p as 2n lower-case hex digits and a NUL into out (2n + 1
 * bytes). Pure. */
void util_hex(const unsigned char *p, size_t n, char *out);

/* A UTC civil time: month 1-12, day 1-31, weekday 0 (Sunday) to 6. */
struct util_civil {
	int year, mon, day, hour, min, sec, wday;
};

/* Splits t (seconds since the epoch, any sign) into its UTC fields. */
void util_time_split(int64_t t, struct util_civil *out);

/*
 * Seconds since the epoch of a time mbedTLS parsed from a certificate or
 * CRL (RFC 5280 4.1.2.5), or INT64_MIN when it is not a valid time.
 */
struct mbedtls_x509_time;
int64_t util_x509_time(const struct mbedtls_x509_time *);

/* Parses OpenSSL's UTCTime/GeneralizedTime "YYMMDDHHMMSSZ" forms. */
enum ob_err util_asn1time_parse(const char *s, int64_t *out);

/* Parses "90s", "30m", "1h", "7d" (or bare seconds) into seconds > 0. */
enum ob_err util_duration_parse(const char *s, int64_t *out);

/*
 * RFC 5280 CRLReason names. Returns the code (0..10, not 7) for a name
 * (case-insensitive), or -1. util_reason_name returns NULL for a bad code.
 */
int util_reason_code(const char *name);
/* removeFromCRL: a delta-CRL marker, refused as a reason to revoke. */
#define OB_REASON_REMOVE_FROM_CRL 8
const char *util_reason_name(int code);

/* ---- log.c: the log --------------------------------------------------- */

/*
 * Writes "ocspbox: MSG" and a newline to stderr as one line, whatever
 * other threads write. Every command's error and every server thread's
 * message goes through it. Any thread.
 */
void log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));

/* ---- file.c: reading whole files -------------------------------------- */

#define FILE_REGULAR 1 /* refuse anything but a regular file */
#define FILE_SECRET 2 /* a key: refuse a file group or others may read */

/*
 * Reads the file at path, at most max bytes, into *out (malloc'd, with a
 * NUL after its *len bytes, which *len does not count; free it with
 * file_free, which wipes a secret). flags: FILE_REGULAR, FILE_SECRET
 * (implies nothing else; combine them). On failure *out is NULL and
 * errbuf says "PATH: why" in one line: OB_ERR_NOTFOUND (no such file),
 * OB_ERR_PERM (a secret readable by others), OB_ERR_INVAL (not a regular
 * file, larger than max), OB_ERR_NOMEM or OB_ERR_IO. An empty file is
 * OB_OK with *len 0. Any thread.
 */
enum ob_err file_read(const char *path, size_t max, int flags,
    unsigned char **out, size_t *len, char *errbuf, size_t errsz);
void file_free(unsigned char *buf, size_t len, int flags);

/* ---- buf.c: a growing string, pure ------------------------------------ */

/*
 * A NUL-terminated string that grows as it is appended to. Start it all
 * zeroes ({NULL, 0, 0, 0}). Once an append has worked (even of ""), p is
 * malloc'd and p[len] is '\0'. An append that cannot grow it (out of memory,
 * or past SIZE_MAX / 4) sets oom and leaves the string as it was, and every
 * later append does nothing: a writer appends freely and looks at oom once,
 * at buf_finish. Readers may look at p and len. One thread at a time.
 */
struct ob_buf {
	char *p;
	size_t len, cap;
	int oom;
};

/* Appends n bytes of s (NULs included). */
void buf_add(struct ob_buf *, const void *s, size_t n);

/* Appends the C string s. */
void buf_puts(struct ob_buf *, const char *s);

/* Appends what printf would print. */
void buf_printf(struct ob_buf *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Keeps the first len bytes (len at most the current length). */
void buf_truncate(struct ob_buf *, size_t len);

/*
 * Appends s as a JSON string: in quotes, '"' and '\\' after a backslash,
 * bytes below 0x20 as \u00XX, every other byte as it is (UTF-8 is not
 * checked).
 */
void buf_json_str(struct ob_buf *, const char *s);

/* Appends t as a quoted RFC 3339 UTC time, or null when t is INT64_MIN. */
void buf_json_time(struct ob_buf *, int64_t t);

/*
 * Hands the string over: OB_OK with *out the malloc'd string (the caller
 * frees it; "" when nothing was appended) and *len its length in bytes, or
 * OB_ERR_NOMEM with *out NULL and *len 0 when an append failed (the string
 * is freed). Either way the buffer is empty again.
 */
enum ob_err buf_finish(struct ob_buf *, char **out, size_t *len);

/* Frees the string; the buffer is empty again. buf_free of an empty one is
 * a no-op. */
void buf_free(struct ob_buf *);

/* ---- schema.c: PostgreSQL-dialect migrations translated to SQLite ------- */

/*
 * Translates the migration text src (len bytes; the name is used in
 * errors) into SQLite DDL. On success *out is a NUL-terminated malloc'd
 * string the caller frees. On failure *out is NULL and errbuf holds one
 * line "NAME:LINE: what". Pure: no I/O, no globals.
 */
enum ob_err schema_translate(const char *name, const char *src, size_t len,
    char **out, char *errbuf, size_t errsz);

/* The migrations embedded at build time (build/gen/migrations.c). */
struct schema_migration {
	const char *version; /* "000024" */
	const char *name; /* "000024_ocsp_response_cache" */
	const char *up; /* the .up.sql text */
	size_t up_len;
	const char *down; /* the .down.sql text, or NULL */
	size_t down_len;
};
extern const struct schema_migration schema_migrations[];
extern const size_t schema_migrations_count;

/* ---- store.c: the one sqlite3 includer ---------------------------------- */

struct store; /* one SQLite connection; one per thread */

#define OB_ID_MAX 64 /* longest issuer id */
#define OB_ERRBUF 512 /* size of the errbuf every caller passes */

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

/* Registers an issuer and its responder in one transaction. */
enum ob_err store_issuer_add(
    struct store *, const struct store_issuer *, char *errbuf, size_t errsz);

/*
 * Lists every issuer with its active responder and counts, ordered by id.
 * *out is a malloc'd array of *n records; free with store_issuer_list_free.
 */
enum ob_err store_issuer_list(struct store *, struct store_issuer **out,
    size_t *n, char *errbuf, size_t errsz);
void store_issuer_list_free(struct store_issuer *, size_t);

/* Whether issuer id exists: OB_OK, OB_ERR_NOTFOUND or an error. */
enum ob_err store_issuer_exists(
    struct store *, const char *id, char *errbuf, size_t errsz);

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
 * not registered yet is registered revoked. *already (may be NULL) is set
 * when it was revoked before, in which case nothing changes.
 */
enum ob_err store_revoke(struct store *, const char *issuer_id,
    const char *serial, int reason, int64_t at, int *already, char *errbuf,
    size_t errsz);

/*
 * Upserts a certificate as an import does, inside the caller's
 * transaction: sets not_after and subject, and when revoked_at is not
 * INT64_MIN marks it revoked (dropping its cached response). Never
 * un-revokes: a stale import cannot bring a revoked certificate back.
 */
enum ob_err store_cert_put(struct store *, const char *issuer_id,
    const char *serial, int64_t not_after, const char *subject,
    int64_t revoked_at, int reason, char *errbuf, size_t errsz);

/*
 * The status of one certificate: OB_OK with *status "good" or "revoked"
 * (and *revoked_at, *reason; reason -1 when none), or OB_ERR_NOTFOUND when
 * the serial was never registered. OB_ERR_BUSY when locked.
 */
enum ob_err store_cert_status(struct store *, const char *issuer_id,
    const char *serial, int *revoked, int64_t *revoked_at, int *reason,
    char *errbuf, size_t errsz);

/* Whether the database answers a trivial query: OB_OK or an error. */
enum ob_err store_ping(struct store *, char *errbuf, size_t errsz);

/* Explicit transactions, for batch imports. */
enum ob_err store_begin(struct store *, char *errbuf, size_t errsz);
enum ob_err store_commit(struct store *, char *errbuf, size_t errsz);
void store_rollback(struct store *);

/*
 * ---- store.c: the pre-signed response cache (the seed's 000024) ----
 * cert_status values are those of enum ocsp_cert_status: 0 good,
 * 1 revoked, 2 unknown.
 */

/* One pre-signed response as it is cached; der borrowed or owned. */
struct store_cache_entry {
	const char *issuer_id;
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
 * Every registered certificate unexpired at now whose entry is missing,
 * has a nextUpdate at or before now + horizon, is from the future (as
 * store_cache_get has it, with validity), or no longer matches its
 * status. *out is malloc'd (*n records); the caller frees it.
 */
enum ob_err store_refresh_todo(struct store *, int64_t now, int64_t horizon,
    int64_t validity, struct store_todo **out, size_t *n, char *errbuf,
    size_t errsz);

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

/*
 * Building a CRL is one write transaction: store_crl_begin opens it (BEGIN
 * IMMEDIATE), reads the next crlNumber (one above any stored before, 1
 * for the first) and the issuer's revoked certificates (*out malloc'd,
 * caller frees, in revocation order). The caller builds and signs, then
 * either store_crl_put, which stores the CRL, records a successful event
 * and commits, or store_rollback and store_crl_failed. On error the
 * transaction is rolled back; OB_ERR_RANGE when the last number has no
 * next one (util_crlnum_next).
 */
struct crl_entry;
enum ob_err store_crl_begin(struct store *, const char *issuer_id,
    struct ob_crlnum *number, struct crl_entry **out, size_t *n, char *errbuf,
    size_t errsz);

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

/* ---- signer.c: keys, certificates, CertID hashes (the mbedTLS owner) ---- */

/*
 * Loads and checks what `issuer add` registers: the CA certificate, the
 * responder certificate and key, and optionally the CA's CRL key. Refuses
 * (OB_ERR_INVAL, OB_ERR_PERM, OB_ERR_CRYPTO...) a CA that is not a CA, a
 * responder not issued by the CA or lacking id-kp-OCSPSigning (unless it is
 * the CA), a key that does not match its certificate, an unsupported key
 * type, and a key file readable by group or others. On success fills *out
 * (except id; members malloc'd, free with store_issuer_clear). errbuf gets
 * one line on failure.
 */
enum ob_err signer_check_issuer(const char *ca_pem, const char *resp_pem,
    const char *resp_key, const char *crl_key, struct store_issuer *out,
    char *errbuf, size_t errsz);

/*
 * Reads the leaf certificate at pem, checks that the CA certificate ca_der
 * signed it, and returns its canonical serial (OB_SERIAL_HEX_MAX + 1
 * bytes), notAfter and subject (malloc'd; caller frees).
 */
enum ob_err signer_leaf_info(const char *pem, const unsigned char *ca_der,
    size_t ca_len, char *serial, int64_t *not_after, char **subject,
    char *errbuf, size_t errsz);

/*
 * A responder's signing key, loaded into a pool of contexts so that several
 * threads sign at once (mbedTLS key contexts are not safe to share). Any
 * thread may call signer_sign; it blocks only when every context is busy.
 */
struct signer;

/* Longest signature and AlgorithmIdentifier we produce. */
#define SIGNER_SIG_MAX 1024
#define SIGNER_ALG_MAX 32

/*
 * Loads the responder key of is (its file must be 0600 or stricter and
 * match is->resp_der) into ncontexts contexts, each with its own DRBG.
 * On failure *out is NULL and errbuf names the file and the reason.
 * Free with signer_free, which wipes the keys.
 */
enum ob_err signer_open(const struct store_issuer *is, int ncontexts,
    struct signer **out, char *errbuf, size_t errsz);
void signer_free(struct signer *);

/*
 * Signs data (len bytes) with SHA-256 (SHA-384 for P-384 keys). Writes
 * the signature (the BIT STRING value) into sig (SIGNER_SIG_MAX bytes).
 * Returns OB_OK or OB_ERR_CRYPTO.
 */
enum ob_err signer_sign(struct signer *, const unsigned char *data, size_t len,
    unsigned char *sig, size_t *siglen);

/*
 * Whether every context is busy, so that one more signature would wait.
 * A hint for choosing the cached answer over a live one; any thread.
 */
int signer_saturated(const struct signer *);

/* The signatureAlgorithm AlgorithmIdentifier DER; borrowed. */
const unsigned char *signer_alg(const struct signer *, size_t *len);

/* SHA-1 of the responder's public key BIT STRING: ResponderID byKey. */
const unsigned char *signer_key_hash(const struct signer *);

/*
 * A signer with the CRL key of an issuer (issuer add --crl-key), checked
 * against the issuer certificate: one context, for the thread that builds
 * CRLs. OB_ERR_NOTFOUND when the issuer has no CRL key; otherwise as
 * signer_open, with errbuf naming the key file and why.
 */
enum ob_err signer_open_crl(const struct store_issuer *, struct signer **out,
    char *errbuf, size_t errsz);

/*
 * Of a CRL signer: the issuer's Name DER, and the keyIdentifier for the
 * authorityKeyIdentifier (the issuer's subjectKeyIdentifier, else the
 * SHA-1 of its public key); borrowed. NULL and 0 for OCSP signers.
 */
const unsigned char *signer_name(const struct signer *, size_t *len);
const unsigned char *signer_key_id(const struct signer *, size_t *len);

/*
 * Whether the DER CRL was issued and signed by the issuer certificate
 * ca_der: the issuer Name matches its subject and the signature verifies
 * with its key (SHA-1 and MD5 signatures refused). OB_OK, or OB_ERR_INVAL
 * with errbuf saying why.
 */
enum ob_err signer_crl_verify(const unsigned char *ca_der, size_t ca_len,
    const unsigned char *crl_der, size_t crl_len, char *errbuf, size_t errsz);

/* mbedTLS's version string. */
const char *signer_mbedtls_version(void);

/* ---- index.c: OpenSSL `ca` index.txt lines ------------------------------ */

/* One parsed line; subject borrows the line. */
struct index_entry {
	char status; /* 'V', 'R' or 'E' */
	int64_t not_after;
	int64_t revoked_at; /* R only */
	int reason; /* R only; -1 when none given */
	char serial[OB_SERIAL_HEX_MAX + 1];
	const char *subject; /* "" when absent */
};

/*
 * Parses one line of an OpenSSL index.txt (tab-separated: status, expiry,
 * revocation[,reason], serial, file, subject) of len bytes, without its
 * newline; line[len] must be writable. The line is modified (fields
 * NUL-terminated) and borrowed by out->subject. Returns OB_OK, or
 * OB_ERR_INVAL with one line in errbuf (removeFromCRL is refused).
 */
enum ob_err index_parse_line(char *line, size_t len, struct index_entry *out,
    char *errbuf, size_t errsz);

/* ---- cli.c: the commands ------------------------------------------------- */

/* Exit codes (SPEC): success, runtime error, usage error. */
#define OB_EXIT_OK 0
#define OB_EXIT_ERR 1
#define OB_EXIT_USAGE 2

/* Global options every command sees. */
struct cli_ctx {
	const char *db; /* --db, $OCSPBOX_DB or ./ocspbox.db */
	const char *prog; /* "ocspbox" */
};

/* Each returns an OB_EXIT_ code; argv[0] is the command's own name. */
int cli_migrate(struct cli_ctx *, int, char **);
int cli_schema(struct cli_ctx *, int, char **);
int cli_issuer(struct cli_ctx *, int, char **);
int cli_cert(struct cli_ctx *, int, char **);
int cli_revoke(struct cli_ctx *, int, char **);
int cli_serve(struct cli_ctx *, int, char **); /* serve.c */
int cli_cache(struct cli_ctx *, int, char **); /* cli_cache.c */
int cli_crl(struct cli_ctx *, int, char **); /* cli_crl.c */

/* Defaults of serve and cache refresh (see the README's trade-offs). */
#define CLI_VALIDITY_DEFAULT "24h"
#define CLI_REFRESH_INTERVAL_DEFAULT "1h"
/* thisUpdate this long before signing: a client whose clock is up to an
 * hour slow takes a fresh answer (Boulder does the same). */
#define CLI_BACKDATE_DEFAULT "1h"

/*
 * The refresh interval (the flag, else $OCSPBOX_REFRESH_INTERVAL, else
 * $CERTCTL_OCSP_CACHE_REFRESH_INTERVAL, else 1h), the validity (the
 * flag, else 24h) and the backdate ("0" or a duration up to 7d, else
 * 1h), in seconds, checked: validity must be longer than the interval.
 * Returns OB_EXIT_OK, or OB_EXIT_USAGE after saying why as cmd.
 */
int cli_cache_settings(const char *cmd, const char *interval_arg,
    const char *validity_arg, const char *backdate_arg, int64_t *interval,
    int64_t *validity, int64_t *backdate);

/* The CPUs online, 1 to REFRESH_THREADS_MAX. */
int cli_cpu_count(void);

/* One option of a command: --name VALUE, --name=VALUE, or a flag. */
struct cli_opt {
	const char *name;
	int has_arg;
	const char **val; /* with has_arg */
	int *flag; /* without */
};

/*
 * Parses argv[1..] against opts (ending with a NULL name; may be NULL);
 * positional arguments go to pos (at most maxpos). Returns -1 on a usage
 * error (already reported), 1 for --help, 0 otherwise, with *npos set.
 */
int cli_parse_opts(
    int, char **, const struct cli_opt *, const char **, int, int *);

/* Opens (creating if asked) and migrates the database; NULL on error. */
struct store *cli_open_db(struct cli_ctx *, int create);

/*
 * A duration from --name arg of cmd: "0", or 90s, 30m, 1h, 7d; at most
 * max seconds. Into *out, in seconds (untouched when arg is NULL).
 * OB_EXIT_OK, or OB_EXIT_USAGE after saying why.
 */
int cli_duration_arg(const char *cmd, const char *name, const char *arg,
    int64_t max, int64_t *out);

/* ---- ocsp_req.c: OCSPRequest parsing (RFC 6960 4.1), pure --------------- */

/* Hard bounds: a request outside them is malformedRequest. */
#define OCSP_REQ_MAX_LEN (64 * 1024) /* DER bytes, as the HTTP cap */
#define OCSP_REQ_MAX_CERTIDS 32 /* Requests in one OCSPRequest */
#define OCSP_NONCE_MAX 32 /* RFC 8954 */

enum ocsp_hash {
	OCSP_HASH_OTHER = 0, /* parsed, but not one we match on */
	OCSP_HASH_SHA1,
	OCSP_HASH_SHA256,
};

/* One CertID; every pointer borrows the request buffer. */
struct ocsp_certid {
	enum ocsp_hash hash;
	const unsigned char *der; /* the whole CertID, to echo */
	size_t der_len;
	const unsigned char *name_hash; /* OCTET STRING contents */
	size_t name_hash_len;
	const unsigned char *key_hash;
	size_t key_hash_len;
	const unsigned char *serial; /* INTEGER contents */
	size_t serial_len;
};

struct ocsp_req {
	size_t ncertids;
	struct ocsp_certid certids[OCSP_REQ_MAX_CERTIDS];
	/*
	 * The nonce extension's extnValue contents (what to echo), and the
	 * nonce octets themselves (inside the inner OCTET STRING of RFC 8954;
	 * the whole extnValue for clients that send it bare). NULL if absent.
	 */
	const unsigned char *nonce_ext;
	size_t nonce_ext_len;
	const unsigned char *nonce;
	size_t nonce_len;
	int signed_req; /* optionalSignature present */
};

/*
 * Parses a DER OCSPRequest of len bytes. Borrows der: out points into it.
 * Returns OB_OK; OB_ERR_INVAL for anything that is not a well-formed DER
 * OCSPRequest (truncation, bad lengths, indefinite lengths, wrong tags,
 * trailing bytes, no CertID, a critical extension we do not know); and
 * OB_ERR_RANGE for one beyond the bounds above (too long, too many
 * CertIDs, a nonce of 0 or more than OCSP_NONCE_MAX octets). Pure: no
 * I/O, no allocation, any thread.
 */
enum ob_err ocsp_req_parse(
    const unsigned char *der, size_t len, struct ocsp_req *out);

/* ---- der.c: DER writing, backwards from the end of a buffer, pure ------ */

/*
 * A writer: each call writes before what is already written and returns
 * how many bytes it added. Once the buffer is full, full is set, every
 * later call is a no-op and the sizes returned mean nothing: a caller
 * checks full once, at the end.
 */
struct der_w {
	unsigned char *p; /* the first byte written so far */
	unsigned char *start;
	int full;
};

#define DER_SEQ 0x30 /* SEQUENCE, constructed */
#define DER_CTX(n) (0xa0 | (n)) /* [n] constructed, EXPLICIT */

void der_w_init(struct der_w *, unsigned char *buf, size_t cap);
size_t der_raw(struct der_w *, const unsigned char *, size_t);
size_t der_oid(struct der_w *, const char *oid, size_t len);
/* Prefixes the last len bytes written with tag and their length. */
size_t der_wrap(struct der_w *, size_t len, unsigned char tag);
size_t der_uint(struct der_w *, uint64_t); /* INTEGER, non-negative */
/* GeneralizedTime, whole seconds. */
size_t der_gentime(struct der_w *, int64_t);
/* RFC 5280 Time: UTCTime from 1950 to 2049, GeneralizedTime outside. */
size_t der_time(struct der_w *, int64_t);

/* ---- ocsp_resp.c: OCSPResponse building (RFC 6960 4.2), pure ------------ */

/* OCSPResponseStatus (4.2.1); 4 is not used. */
enum ocsp_resp_status {
	OCSP_SUCCESSFUL = 0,
	OCSP_MALFORMED = 1,
	OCSP_INTERNAL_ERROR = 2,
	OCSP_TRY_LATER = 3,
	OCSP_SIG_REQUIRED = 5,
	OCSP_UNAUTHORIZED = 6,
};
#define OCSP_RESP_STATUS_COUNT 7 /* an array indexed by status */

enum ocsp_cert_status {
	OCSP_GOOD = 0,
	OCSP_REVOKED = 1,
	OCSP_UNKNOWN = 2,
};

/* One SingleResponse to build; certid borrows the request. */
struct ocsp_single {
	const unsigned char *certid; /* echoed as received */
	size_t certid_len;
	enum ocsp_cert_status status;
	int64_t revoked_at; /* OCSP_REVOKED only */
	int reason; /* -1: no revocationReason */
	int64_t this_update, next_update;
};

/*
 * Sets the thisUpdate and nextUpdate of s, whose status is set, for a
 * signature made at now (seconds since the epoch). thisUpdate is
 * backdated by backdate seconds, so that a client whose clock runs slow
 * does not see an answer from its future, but never before the
 * revocation: thisUpdate is when the status was known to be right (RFC
 * 6960 4.2.2.1). Nor after now, the producedAt: a revocation time after
 * now was written by a clock that ran ahead and has since stepped back
 * (revoke refuses one in the future), and an answer dated from then
 * would be "not yet valid" to every client, which would take no
 * revocation from it. nextUpdate is now + validity, so nextUpdate -
 * thisUpdate is at most validity + backdate. Pure.
 */
void ocsp_single_times(
    struct ocsp_single *s, int64_t now, int64_t validity, int64_t backdate);

/* Upper bound of the tbsResponseData of n singles, for buffer sizing. */
size_t ocsp_resp_tbs_max(
    const struct ocsp_single *, size_t n, size_t nonce_ext_len);

/*
 * Writes tbsResponseData (ResponderID byKey from key_hash, producedAt,
 * the singles, and the nonce extension when nonce_ext is not NULL) at the
 * end of buf (cap bytes). *out points at its first byte inside buf.
 * Times are whole seconds (GeneralizedTime without fractions). Returns
 * OB_OK or OB_ERR_RANGE when cap is too small.
 */
enum ob_err ocsp_resp_tbs(const unsigned char key_hash[20], int64_t produced_at,
    const struct ocsp_single *, size_t n, const unsigned char *nonce_ext,
    size_t nonce_ext_len, unsigned char *buf, size_t cap, unsigned char **out,
    size_t *outlen);

/*
 * Wraps a signed tbsResponseData into an OCSPResponse (successful,
 * id-pkix-ocsp-basic) at the end of buf: alg is the signatureAlgorithm
 * DER, sig the signature, cert (may be NULL) the responder certificate
 * for `certs`. *out points inside buf. OB_OK or OB_ERR_RANGE.
 */
enum ob_err ocsp_resp_wrap(const unsigned char *tbs, size_t tbs_len,
    const unsigned char *alg, size_t alg_len, const unsigned char *sig,
    size_t sig_len, const unsigned char *cert, size_t cert_len,
    unsigned char *buf, size_t cap, unsigned char **out, size_t *outlen);

/* Room for any CertID ocsp_certid_sha1 writes. */
#define OCSP_CERTID_MAX (64 + OB_SERIAL_MAX_OCTETS)

/*
 * Writes the SHA-1 CertID of a certificate (issuer name and key hashes,
 * serial as DER INTEGER contents) at the end of buf (cap bytes), with the
 * algorithm's NULL parameters as OpenSSL and NSS send them: the CertID a
 * pre-signed response carries. *out points inside buf. OB_OK or
 * OB_ERR_RANGE.
 */
enum ob_err ocsp_certid_sha1(const unsigned char name_hash[20],
    const unsigned char key_hash[20], const unsigned char *serial,
    size_t serial_len, unsigned char *buf, size_t cap, unsigned char **out,
    size_t *outlen);

/*
 * The signature of a successful OCSPResponse (RFC 6960 4.2.1): *sig points
 * at the BIT STRING's octets inside der (borrowed), *sig_len of them.
 * OB_ERR_INVAL when der is not one, or the BIT STRING has unused bits.
 */
enum ob_err ocsp_resp_signature(const unsigned char *der, size_t len,
    const unsigned char **sig, size_t *sig_len);

/*
 * A strong ETag for der (RFC 9110 8.8.3), quotes included: the last 8
 * octets of its signature and its length, in hex. Two different signed
 * responses share it with odds of 2^-64 (an RSA PKCS#1 v1.5 signature
 * changes with what is signed, an ECDSA one anyway), and nothing is
 * hashed per request. A der without a signature gets its length only.
 */
#define OCSP_ETAG_MAX 28
void ocsp_resp_etag(
    const unsigned char *der, size_t len, char out[OCSP_ETAG_MAX]);

/* The 5-byte unsigned OCSPResponse for an error status. */
#define OCSP_ERROR_RESP_LEN 5
void ocsp_resp_error(
    enum ocsp_resp_status, unsigned char out[OCSP_ERROR_RESP_LEN]);

/* ---- crl.c: X.509 v2 CRL building (RFC 5280 5.1), pure ------------------ */

/* One revoked certificate on a CRL. */
struct crl_entry {
	char serial[OB_SERIAL_HEX_MAX + 1]; /* canonical hex */
	int64_t revoked_at;
	int reason; /* CRLReason; -1: none */
};

/* What a TBSCertList holds; every pointer is borrowed. */
struct crl_tbs_in {
	const unsigned char *alg; /* signature AlgorithmIdentifier DER */
	size_t alg_len;
	const unsigned char *issuer; /* the issuer's Name DER */
	size_t issuer_len;
	const unsigned char *key_id; /* authorityKeyIdentifier keyIdentifier */
	size_t key_id_len;
	struct ob_crlnum number; /* cRLNumber */
	int64_t this_update, next_update;
	const struct crl_entry *entries; /* revokedCertificates, in order */
	size_t n;
};

/* Upper bound of the TBSCertList crl_tbs writes, for buffer sizing. */
size_t crl_tbs_max(const struct crl_tbs_in *);

/*
 * Writes the TBSCertList (v2; crlExtensions authorityKeyIdentifier and
 * cRLNumber; each entry's reasonCode unless none, unspecified or
 * removeFromCRL) at the end of buf (cap bytes); *out points at its first
 * byte inside buf. Returns OB_OK, or OB_ERR_RANGE when cap is too small;
 * for an entry whose serial is not canonical hex, OB_ERR_INVAL (or
 * OB_ERR_RANGE when empty or too long).
 */
enum ob_err crl_tbs(const struct crl_tbs_in *, unsigned char *buf, size_t cap,
    unsigned char **out, size_t *outlen);

/*
 * Wraps a signed TBSCertList into a CertificateList at the end of buf:
 * alg the signatureAlgorithm DER (the one inside tbs), sig the signature.
 * *out points inside buf. OB_OK or OB_ERR_RANGE; cap of tbs_len + alg_len
 * + sig_len + 16 always suffices.
 */
enum ob_err crl_wrap(const unsigned char *tbs, size_t tbs_len,
    const unsigned char *alg, size_t alg_len, const unsigned char *sig,
    size_t sig_len, unsigned char *buf, size_t cap, unsigned char **out,
    size_t *outlen);

/*
 * From an Extensions SEQUENCE (its tag first, at most len bytes): the
 * cRLNumber (OB_ERR_NOTFOUND when absent, OB_ERR_RANGE when negative or
 * over 20 octets of value, zero on failure; *why, unless why is NULL, a
 * static phrase saying what is wrong, or "" on success), and an entry's
 * reasonCode (-1 when absent; der may be NULL). OB_ERR_INVAL for
 * anything malformed.
 */
enum ob_err crl_ext_number(
    const unsigned char *der, size_t len, struct ob_crlnum *, const char **why);
enum ob_err crl_ext_reason(const unsigned char *der, size_t len, int *);

/* A CRL as read from a file; every pointer malloc'd. */
struct crl_info {
	unsigned char *der; /* the CRL, DER */
	size_t len;
	unsigned char *issuer; /* the issuer Name DER */
	size_t issuer_len;
	struct ob_crlnum number;
	int64_t this_update, next_update;
	struct crl_entry *entries; /* in the CRL's order */
	size_t n;
};

/*
 * Reads a v2 CRL, DER or PEM (then buf[len - 1] must be its NUL), with a
 * cRLNumber and a nextUpdate: every entry's serial, time and reasonCode.
 * Checks no signature (signer_crl_verify does). On failure *out is empty
 * and errbuf says why: OB_ERR_INVAL, OB_ERR_RANGE or OB_ERR_NOMEM. Free
 * with crl_info_free.
 */
enum ob_err crl_parse(const unsigned char *buf, size_t len,
    struct crl_info *out, char *errbuf, size_t errsz);
void crl_info_free(struct crl_info *);

/* ---- issuers.c: the issuers served, their keys, signing a response ---- */

/* One issuer loaded at start, and the table of them; read-only after. */
struct issuer;
struct issuers;

/*
 * Loads every issuer of st with its responder key in a pool of nsign
 * signing contexts (signer_open). On failure *out is NULL and errbuf says
 * which issuer and why. Free with issuers_free (NULL is a no-op), which
 * wipes the keys.
 */
enum ob_err issuers_load(struct store *st, int nsign, struct issuers **out,
    char *errbuf, size_t errsz);
void issuers_free(struct issuers *);

/*
 * The issuer a CertID names (RFC 6960 4.1.1), or NULL: both hashes must
 * match; an empty issuerKeyHash (Windows certutil sends one) matches on
 * the name alone. Borrowed from the table. Any thread.
 */
struct issuer *issuers_match(struct issuers *, const struct ocsp_certid *);

/* The issuer of id, or NULL; borrowed. Any thread. */
struct issuer *issuers_find(struct issuers *, const char *id);

/* Its id (borrowed), and whether its every signing context is busy. */
const char *issuer_id(const struct issuer *);
int issuer_saturated(const struct issuer *);

/*
 * Signs singles (n of them, with the nonce extension when nonce_ext is
 * not NULL) as of now with the issuer's responder key, counting the
 * signature's latency in its histogram: *der is a malloc'd OCSPResponse
 * (RFC 6960 4.2.1) of *len bytes, the caller frees it. OB_ERR_NOMEM or
 * OB_ERR_CRYPTO. Any thread.
 */
enum ob_err issuer_sign(struct issuer *, const struct ocsp_single *singles,
    size_t n, const unsigned char *nonce_ext, size_t nonce_ext_len, int64_t now,
    unsigned char **der, size_t *len);

/*
 * The status of serial as st holds it, into s->status, revoked_at and
 * reason (certid and times are the caller's): unknown when it was never
 * registered. OB_OK, or the store's error (OB_ERR_BUSY, OB_ERR_DB),
 * logged. Any thread with its own st.
 */
enum ob_err issuer_status(struct issuer *, struct store *st, const char *serial,
    struct ocsp_single *s);

/*
 * The SHA-1 CertID a pre-signed response of serial carries, into buf;
 * *der points inside it. OB_OK or an error of util_serial_to_der.
 */
enum ob_err issuer_certid(const struct issuer *, const char *serial,
    unsigned char buf[OCSP_CERTID_MAX], unsigned char **der, size_t *len);

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
};

/*
 * Loads every issuer of the database with a signer each. On failure *out
 * is NULL and errbuf says which issuer and why.
 */
enum ob_err responder_new(const struct responder_conf *, struct responder **out,
    char *errbuf, size_t errsz);
void responder_free(struct responder *);

/*
 * Signs the response a cache entry holds for t as of now: its SHA-1
 * CertID, no nonce. Fills *out (out->der malloc'd; issuer_id borrows the
 * responder). OB_ERR_NOTFOUND when t's issuer is not one loaded at start;
 * OB_ERR_CRYPTO when signing fails. Any thread.
 */
enum ob_err responder_presign(struct responder *, const struct store_todo *t,
    int64_t now, struct store_cache_entry *out);

/* The validity given at start, in seconds. */
int64_t responder_validity(const struct responder *);

/* Its cache and its issuers (borrowed; they live as long as it does). */
struct cache *responder_cache(struct responder *);
struct issuers *responder_issuers(struct responder *);

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

/* Whether the store answers (for /healthz). Any thread. */
int responder_healthy(struct responder *);

/*
 * Marks the database file as replaced or removed (serve watches its
 * path): from then on every answer is tryLater, CRLs and /healthz are
 * 503, and no connection to the old file is used again. Any thread;
 * there is no way back (serve stops).
 */
void responder_db_gone(struct responder *);

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

/* ---- cache.c: the refresh horizon, the stats ---------------------------- */

/*
 * How long before its nextUpdate an entry is re-signed: half the validity,
 * but at least one and a half intervals, so that a tick that runs late
 * still finds it; never more than validity. Pure.
 */
int64_t cache_horizon(int64_t validity, int64_t interval);

/* ---- metrics.c: the stats document, its text, the Prometheus exposition -- */

/* What only a running server knows, for the stats. */
struct http_ocsp_counts;
struct responder_counters;
struct responder_hist;
struct metrics_live {
	int64_t hits, misses, live_signs; /* not yet in cache_counters */
	int64_t interval; /* 0: no refresh thread (the CLI) */
	int running; /* a refresh pass is under way */
	int64_t started_at; /* when serve started */
	const struct http_ocsp_counts *requests; /* NULL: none */
	const struct responder_counters *totals; /* since start, or NULL */
	const struct responder_hist *hists; /* per issuer */
	size_t nhists;
	const struct http_admin_counts *admin; /* NULL: none */
};

/*
 * The stats document of SPEC "The admin listener" as JSON, malloc'd into
 * *out (NUL-terminated, *len bytes). live may be NULL. Pure. A crl_number
 * is a JSON number up to 2^53 - 1 (what a double holds exactly) and a
 * string of its decimal digits above that.
 */
enum ob_err metrics_stats_json(const struct store_stats *,
    const struct metrics_live *, int64_t now, char **out, size_t *len);

/*
 * The Prometheus text exposition (format 0.0.4) of the same numbers and
 * live's (requests, totals, histograms), names prefixed ocspbox_,
 * malloc'd into *out. Pure.
 */
enum ob_err metrics_text(const struct store_stats *,
    const struct metrics_live *, char **out, size_t *len);

/* The same for people, as `cache stats` prints it. */
void metrics_stats_text(const struct store_stats *, int64_t now, FILE *);

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
 * seconds the responder's counters added to cache_counters. Beside it,
 * when an issuer has a CRL key, the CRL thread (crlgen_start).
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
int refresh_running(struct refresher *);

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
	int deferred; /* the CRL key failed lately: not tried, not recorded */
};

/*
 * Builds, signs and stores the CRL of issuer_id (one loaded at start with
 * a CRL key) on st, numbered one above the last, listing every revoked
 * certificate, valid for the responder's validity (RFC 5280 5.1);
 * records the attempt in crl_generation_events, failed or not. retry:
 * try a CRL key that failed to load again at once (else, for 30 s after,
 * OB_ERR_BUSY with res->deferred set, unrecorded). OB_ERR_NOTFOUND
 * (unrecorded) for an issuer without a loaded CRL key. One thread per st.
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
 * The CRL thread, beside the refresh thread when an issuer has a CRL key
 * (else crlgen_start sets *out to NULL and returns OB_OK; every function
 * below takes NULL as a no-op). It opens its own connection to db_path.
 * crlgen_tick asks it to build every CRL (each refresh tick);
 * crlgen_poke to look for CRLs a revoke made due now. crlgen_stop
 * finishes the build under way and joins it. r must outlive it.
 */
struct crlgen;
enum ob_err crlgen_start(struct responder *r, const char *db_path,
    struct crlgen **out, char *errbuf, size_t errsz);
void crlgen_tick(struct crlgen *);
void crlgen_poke(struct crlgen *);
void crlgen_stop(struct crlgen *);

/* ---- ocsp_get.c: GET request paths (RFC 6960 A.1), pure ------------------ */

/*
 * Decodes the path of an OCSP GET ("/{req}", "/ocsp/{req}") into the DER
 * request, as leniently as real clients need: repeated slashes before the
 * request, %-escapes in any case (%2B, %2F, %3D ...), '+' or a space for
 * '+' (form decoding turned it into one), missing '=' padding, and the
 * base64url alphabet. path is the raw request target without its query,
 * len bytes. Writes at most cap bytes to out. Returns OB_OK, OB_ERR_INVAL
 * for a path that is not base64 of anything, or OB_ERR_RANGE when the
 * result would exceed cap.
 */
enum ob_err ocsp_get_decode(const char *path, size_t len, unsigned char *out,
    size_t cap, size_t *outlen);

/* ---- http.c: what both listeners share (civetweb) ---------------------- */

/*
 * How long a client may take, in ms (both listeners): to send the first
 * byte of a new connection; to send one whole request, head and body,
 * from its first byte (then 408); to start the next request on a
 * keep-alive connection. Connections wait for these in civetweb's master
 * thread (the gate, third_party/civetweb/gate.inl), never in a worker.
 */
#define HTTP_FIRST_BYTE_TIMEOUT_MS 2000
#define HTTP_REQUEST_TIMEOUT_MS 5000
#define HTTP_KEEP_ALIVE_TIMEOUT_MS 5000
/* Bytes of requests not yet complete that a listener holds in all; past
 * it the connection held longest is closed. */
#define HTTP_REQUEST_BUFFER_BUDGET (16 * 1024 * 1024)
/* Complete requests waiting for a worker, per listener (each holds its
 * connection's descriptor). */
#define HTTP_CONNECTION_QUEUE 1024
/* The admin listener: its workers and the connections it holds. */
#define HTTP_ADMIN_THREADS 4
#define HTTP_ADMIN_MAX_CONNECTIONS 256

/* The largest request body accepted (SPEC: 413 above 64 KiB). */
#define HTTP_BODY_MAX (64 * 1024)

/* One listener's settings. */
struct http_listen_conf {
	const char *listen; /* "A:P", "[v6]:P" or "P" */
	int threads; /* workers */
	int max_connections; /* held without a complete request */
	size_t buffer_budget; /* bytes of incomplete requests, in all */
	int decode_url; /* civetweb %-decodes paths (the public one: no) */
};

/*
 * Starts a civetweb context listening as lc says, with the deadlines
 * above, that sends every path to fn(conn, user) and logs civetweb's own
 * errors to stderr. On failure *ctx is NULL and errbuf says why (a port
 * in use, say). Both listeners start this way.
 */
struct mg_context;
struct mg_connection;
enum ob_err http_start(const struct http_listen_conf *lc,
    int (*fn)(struct mg_connection *, void *), void *user,
    struct mg_context **ctx, char *errbuf, size_t errsz);

/*
 * Sends an answer's head (its status line, its fields and the empty
 * line) and body in one write, with "Date" added after the status line
 * (RFC 9110 6.6.1). HEAD requests get the head only. Never waits for the
 * client: what it does not take at once, civetweb's gate sends as it
 * reads (mg_write_gated); on an error the connection closes after the
 * handler. Worker threads.
 */
void http_send_all(struct mg_connection *, const char *head, size_t hlen,
    const unsigned char *body, size_t blen);

/*
 * civetweb's global state: http_init before the first listener starts,
 * http_exit after the last stops (main thread). http_version is
 * civetweb's version string.
 */
void http_init(void);
void http_exit(void);
const char *http_version(void);

/* t (seconds since the epoch) as an IMF-fixdate, RFC 9110 5.6.7. */
#define HTTP_DATE_LEN 30 /* with the NUL */
void http_date(int64_t t, char out[HTTP_DATE_LEN]);

/*
 * The max-age, in seconds, of a cacheable answer valid until next_update
 * (RFC 5019 6.2), as of now: it ends before next_update by a margin,
 * HTTP_MAX_AGE_MARGIN or half of validity if less, for caches that serve
 * a little past max-age (Varnish's default grace is 10 s) and for the
 * second now is rounded down from; never over validity, never negative.
 */
#define HTTP_MAX_AGE_MARGIN 60
int64_t http_max_age(int64_t next_update, int64_t now, int64_t validity);

/* ---- http_ocsp.c: the public listener (civetweb) ------------------------- */

struct http_ocsp;

/* Settings of the public listener. */
struct http_ocsp_conf {
	struct http_listen_conf lc;
	int64_t validity; /* seconds: --validity, for max-age */
	/* seconds a shared cache may keep an answer with an "unknown" in
	 * it; 0: "no-cache", revalidated every time */
	int64_t unknown_max_age;
};

/*
 * Starts serving POST / and /ocsp, GET /{req} and /ocsp/{req}, GET
 * /crl/{issuer_id}.crl and /healthz from r, with conf. On failure *out
 * is NULL and errbuf says why (a port in use, say). Stop with
 * http_ocsp_stop, which finishes the requests in flight first. r must
 * outlive it.
 */
enum ob_err http_ocsp_start(struct responder *r,
    const struct http_ocsp_conf *conf, struct http_ocsp **out, char *errbuf,
    size_t errsz);
void http_ocsp_stop(struct http_ocsp *);

/* ---- api_json.c: the admin API's request bodies (pure, fuzzed) ---------- */

struct cJSON;

/*
 * Parses body (len bytes; body[len] must be the NUL that ends it) as one
 * JSON value (RFC 8259) and nothing after it. Refuses a body with a NUL
 * byte, any string escape \u0000, which would cut the C string cJSON
 * hands out short, and an object with two members of one name (cJSON
 * finds the first, most parsers the last). Returns the document (free with cJSON_Delete), or NULL
 * with *why set to a static one-line reason for a 400.
 */
struct cJSON *api_json_parse(const char *body, size_t len, const char **why);

/* Whether id is an issuer id: 1 to OB_ID_MAX of A-Z a-z 0-9 . _ -, not
 * starting with "." (ids appear in URLs and log lines). */
int api_issuer_id_valid(const char *id);

/* POST /api/v1/revoke's body, checked. */
struct api_revoke {
	char issuer_id[OB_ID_MAX + 1];
	char serial[OB_SERIAL_HEX_MAX + 1]; /* canonical (util_serial_canon) */
	int reason; /* RFC 5280 5.3.1 CRLReason code; -1 when absent */
};

/*
 * Parses {"issuer_id": ID, "serial_hex": HEX, "reason": NAME or absent}
 * (body as for api_json_parse) into out. OB_OK, or OB_ERR_INVAL with *why
 * a static one-line reason for a 400: malformed JSON, a member missing,
 * of the wrong type, too long or malformed, an unknown reason name or
 * removeFromCRL (a delta-CRL marker, RFC 5280 5.3.1).
 */
enum ob_err api_revoke_parse(
    const char *body, size_t len, struct api_revoke *out, const char **why);

/*
 * The issuer document, {"issuers": [{"id", "subject", "not_after",
 * "key_sha1", "certificates", "revoked", "crl_key", "responder":
 * {"subject", "key_algorithm", "is_ca", "not_after"}}]} (times RFC 3339,
 * key_sha1 the issuerKeyHash of RFC 6960 4.1.1 in hex): GET
 * /api/v1/issuers and `issuer list --json` both print this one. Returns
 * the text, malloc'd (the caller frees it), or NULL when out of memory.
 */
struct store_issuer;
char *api_issuers_json(const struct store_issuer *v, size_t n);

/* ---- http_admin.c: the admin listener (civetweb) ------------------------ */

/* The panel's files, embedded at build time (build/gen/web.c). */
struct web_file {
	const char *path; /* "/index.html" */
	const char *type; /* Content-Type */
	const char *data;
	size_t len;
};
extern const struct web_file web_files[]; /* ends with a NULL path */

struct http_admin;

/* Settings of the admin listener; r, rf (may be NULL) outlive it. */
struct http_admin_conf {
	const char *listen; /* "A:P" */
	/* Host names, comma-separated, that requests may name in Host
	 * besides IP literals and localhost (DNS rebinding); may be NULL. */
	const char *hosts;
	const char *db_path;
	unsigned char token_sha256[32]; /* SHA-256 of the Bearer token */
	struct responder *r;
	struct refresher *rf;
	struct http_ocsp *pub; /* the public listener, for its counts */
	int64_t interval; /* the refresh interval, for the stats */
	int64_t started_at;
};

/*
 * Starts the admin listener: GET /api/v1/cache/stats, every /api/ path
 * behind "Authorization: Bearer TOKEN" (401 with a JSON error otherwise,
 * compared in constant time). On failure *out is NULL and errbuf says why.
 */
enum ob_err http_admin_start(const struct http_admin_conf *,
    struct http_admin **out, char *errbuf, size_t errsz);
void http_admin_stop(struct http_admin *);

/* What the admin listener refused since it started. */
struct http_admin_counts {
	int64_t auth_failures; /* 401: a wrong token (not a missing one) */
	int64_t auth_limited; /* 429: too many failures from one client */
	int64_t misdirected; /* 421: a Host that names another server */
};

/* Reads the counts; any thread. */
void http_admin_counts(struct http_admin *, struct http_admin_counts *);

/*
 * Whether a request's Host header (NULL when absent, as HTTP/1.0 allows)
 * may reach the admin listener: an IP literal, "localhost", or one of
 * names (comma-separated, may be NULL), any case, with or without a
 * port, a trailing dot on either side and blanks after the value
 * ignored (RFC 9110 5.5, 7.2). A browser sends the name it resolved, so
 * a page whose name an attacker points at 127.0.0.1 (DNS rebinding) is
 * refused. Pure.
 */
int http_admin_host_ok(const char *host, const char *names);

/* Whether names is a comma-separated list of DNS names (A-Z a-z 0-9 .
 * -, 1 to 253 each) for --admin-host. Pure. */
int http_admin_names_valid(const char *names);

/*
 * Whether token is strong enough for the admin listener: at least 128
 * bits, counting 4 bits a character when all are hex digits, 6 when
 * all are base64 (RFC 4648 4 or 5), and refusing any other character
 * (spaces and controls do not survive an Authorization header). Pure.
 */
int http_admin_token_strong(const char *token);

/* The SHA-256 of a token, as stored and compared. */
void http_admin_token_hash(const char *token, unsigned char out[32]);

/*
 * Makes a new random token: 32 octets from the kernel, as 64 hex digits
 * into out (65 bytes), and its hash. OB_OK or OB_ERR_IO.
 */
enum ob_err http_admin_token_new(char out[65], unsigned char hash[32]);

/* What the public listener answered since it started. */
struct http_ocsp_counts {
	/* [0] GET (HEAD too), [1] POST; by OCSPResponseStatus, [4] unused */
	int64_t by[2][OCSP_RESP_STATUS_COUNT];
	int64_t get, post; /* the sums of by[0] and by[1] */
	int64_t status[OCSP_RESP_STATUS_COUNT]; /* the sums over both methods */
	int64_t http_errors; /* answered with an HTTP 4xx */
	int64_t crl; /* CRLs served (200 or 304) */
	/* Connections, as the gate saw them (third_party/civetweb/gate.inl) */
	int64_t conn_open; /* held now without a complete request */
	int64_t conn_accepted, conn_evicted, conn_idle_closed;
	int64_t req_timed_out; /* answered 408 */
	int64_t req_rejected; /* bad framing or size, answered by the gate */
};

/* Reads the counts; any thread. */
void http_ocsp_counts(struct http_ocsp *, struct http_ocsp_counts *);

#endif /* OCSPBOX_EXTERN_H */
