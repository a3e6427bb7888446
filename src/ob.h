/*
 * ocspbox's base layer: the error enum, limits, serials, cRLNumbers,
 * times, reasons (util.c), the log (log.c), whole-file reading (file.c)
 * and the growing string (buf.c). Every other header includes it; it
 * includes only the C library's.
 */
#ifndef OCSPBOX_OB_H
#define OCSPBOX_OB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/*
 * ocspbox's version, as scripts/version.sh prints it ("0.1.0", or
 * "0.1.0+git20261130.67abe0f" between releases): made by the Makefile
 * into build/gen/version.c.
 */
extern const char ob_version[];

/* ---- util.c: errors, serials, times, durations, reasons ---------------- */

#define OB_ID_MAX 64 /* longest issuer id */
#define OB_ERRBUF 512 /* size of the errbuf every caller passes */

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
	OB_ERR_STALE, /* an issuer loaded earlier is no longer the stored one */
	OB_ERR_EXPIRED, /* a responder or CA certificate past its notAfter */
};

const char *ob_strerror(enum ob_err);

/* Digest lengths, in octets: SHA-1 and SHA-256 (FIPS 180-4). */
#define OB_SHA1_LEN 20
#define OB_SHA256_LEN 32

/*
 * Serials (RFC 5280 4.1.2.2) are INTEGERs, and CAs issue negative ones,
 * which clients must handle: the sign is kept everywhere. Their canonical
 * text, the key of every table, is lower-case hex of the magnitude
 * without leading zeros ("0" for zero), after a "-" when negative: DER
 * 9a (-0x66) is "-66", DER 00 9a (+0x9a) is "9a". The magnitude takes up
 * to 64 octets (RFC 5280 allows 20).
 */
#define OB_SERIAL_MAX_OCTETS 64
#define OB_SERIAL_DIGITS_MAX (OB_SERIAL_MAX_OCTETS * 2)
/* Longest canonical serial, sign included; buffers take one more byte. */
#define OB_SERIAL_HEX_MAX (OB_SERIAL_DIGITS_MAX + 1)

/*
 * Canonicalises a serial as a user types it: an optional "-", then an
 * optional "0x", hex digits in any case with leading zeros and ':'
 * separators tolerated ("-0x00:66" is "-66"; "-0" is "0"). Writes the
 * canonical text into out (OB_SERIAL_HEX_MAX + 1 bytes). Returns OB_OK,
 * OB_ERR_INVAL (no digits, another character) or OB_ERR_RANGE (a
 * magnitude over OB_SERIAL_DIGITS_MAX digits); out is "" on failure.
 * Pure; any thread.
 */
enum ob_err util_serial_canon(const char *in, char *out);

/*
 * The canonical text of the contents of a DER INTEGER (len octets at p,
 * big-endian two's complement, X.690 8.3: a first octet with its top bit
 * set is a negative value; redundant leading 00 or ff octets tolerated,
 * as CAs issue them) into out (OB_SERIAL_HEX_MAX + 1 bytes). OB_OK,
 * OB_ERR_INVAL when len is 0, OB_ERR_RANGE when the magnitude needs more
 * than OB_SERIAL_MAX_OCTETS octets; out is "" on failure. Pure.
 */
enum ob_err util_serial_from_bytes(
    const unsigned char *p, size_t len, char *out);

/*
 * The inverse for a canonical serial hex: the contents of its minimal
 * two's complement DER INTEGER (X.690 8.3.2; 0x80 is 00 80, -0x80 is 80,
 * -0x81 is ff 7f) into out (cap bytes; OB_SERIAL_MAX_OCTETS + 1 always
 * suffice), *outlen their count. OB_OK, OB_ERR_INVAL (not canonical:
 * upper case, another character, "-" without digits) or OB_ERR_RANGE
 * (empty, too long, or cap too small); *outlen is 0 on failure. Pure.
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

/*
 * Formats a time left, seconds >= 0, for a person: whole hours ("5 h")
 * from an hour up, whole minutes ("42 min") from a minute, else seconds
 * ("20 s"); a negative one as "0 s". Into buf (at least 24 bytes);
 * returns buf.
 */
const char *util_time_left(int64_t seconds, char *buf, size_t bufsz);

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

/*
 * Parses "90s", "30m", "1h", "7d" (or bare seconds) into *out, seconds
 * from 1 to UTIL_DURATION_MAX. OB_ERR_INVAL for what is not such a
 * duration, OB_ERR_RANGE for 0 or more than UTIL_DURATION_MAX; *out is 0
 * on failure. Pure.
 */
enum ob_err util_duration_parse(const char *s, int64_t *out);

/* The longest duration util_duration_parse takes: more than ten years
 * (3660d) is certainly a typo. */
#define UTIL_DURATION_MAX (10LL * 366 * 86400)

/*
 * RFC 5280 CRLReason names. Returns the code (0..10, not 7) for a name
 * (case-insensitive), or -1. util_reason_name returns NULL for a bad code.
 */
int util_reason_code(const char *name);
/* RFC 5280 5.3.1 codes named in the code. */
#define OB_REASON_KEY_COMPROMISE 1
#define OB_REASON_CA_COMPROMISE 2
#define OB_REASON_CERTIFICATE_HOLD 6
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

/*
 * With on set, every line log_warnx writes from then on starts with the
 * time, RFC 3339 in UTC to the millisecond and a space:
 * "2026-11-30T18:10:08.123Z ocspbox: MSG". Serve sets it before it
 * starts a thread; commands leave it off (their lines are errors read at
 * once). Not thread-safe: call before any thread logs.
 */
void log_stamps(int on);

/* ---- file.c: reading whole files -------------------------------------- */

#define FILE_REGULAR 1 /* refuse anything but a regular file */
/* a key: a regular file only, that group and others cannot read, read in
 * one buffer of the size fstat gives (never copied by realloc) */
#define FILE_SECRET 2

/*
 * Reads the file at path, at most max bytes, into *out (malloc'd, with a
 * NUL after its *len bytes, which *len does not count; free it with
 * file_free, which wipes a secret). flags: FILE_REGULAR, FILE_SECRET,
 * or 0 for anything that reads to an end (a pipe too). On failure *out
 * is NULL and errbuf says "PATH: why" in one line: OB_ERR_NOTFOUND (no
 * such file), OB_ERR_PERM (a secret readable by others), OB_ERR_INVAL
 * (not a regular file, larger than max), OB_ERR_NOMEM or OB_ERR_IO. An
 * empty file is OB_OK with *len 0. Any thread.
 */
enum ob_err file_read(const char *path, size_t max, int flags,
    unsigned char **out, size_t *len, char *errbuf, size_t errsz);
void file_free(unsigned char *buf, size_t len, int flags);

/*
 * Writes len bytes of data (a private key) as the new file name in the
 * directory dir, so that no one but its owner can read it at any moment
 * and a crash leaves either nothing or the whole file: dir is created
 * (mode 0700) when missing, and must otherwise be a directory of ours
 * that group and others cannot access; the data goes to a temporary file
 * created with O_CREAT|O_EXCL at mode 0600, is fsync'd, and the file is
 * renamed to name and the directory fsync'd. name must be a plain file
 * name (no '/', not starting with '.'). On success *path (may be NULL) is
 * the file's absolute path, malloc'd (the caller frees). On failure
 * nothing is left behind but the directory, and errbuf says "PATH: why":
 * OB_ERR_PERM (dir too open, or not ours), OB_ERR_EXISTS (name exists),
 * OB_ERR_INVAL (a bad name, dir not a directory), OB_ERR_NOMEM,
 * OB_ERR_IO. Any thread.
 */
enum ob_err file_write_secret(const char *dir, const char *name,
    const void *data, size_t len, char **path, char *errbuf, size_t errsz);

/*
 * Removes the key file at path that file_write_secret wrote into dir,
 * once nothing uses it: only a regular file (a symbolic link in its place
 * is left, as is anything else) whose directory is dir itself, both
 * compared after realpath, so that a path stored in a database that
 * points elsewhere removes nothing. The directory is fsync'd after. OB_OK;
 * OB_ERR_NOTFOUND when the file is gone already; OB_ERR_PERM (not in
 * dir), OB_ERR_INVAL (not a regular file), OB_ERR_NOMEM or OB_ERR_IO
 * with errbuf saying "PATH: why". The file's bytes are not overwritten:
 * on journaling file systems and flash that promises nothing. Any thread.
 */
enum ob_err file_remove_secret(
    const char *dir, const char *path, char *errbuf, size_t errsz);

/*
 * The directory of the keys ocspbox makes for the database at db_path:
 * its real path (symbolic links resolved, so that every spelling of the
 * database finds the same directory) followed by ".keys"; db_path itself
 * when it cannot be resolved (it does not exist yet). malloc'd, the
 * caller frees; NULL when out of memory. Any thread.
 */
char *file_key_dir(const char *db_path);

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

#endif /* OCSPBOX_OB_H */
