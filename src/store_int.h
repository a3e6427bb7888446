/*
 * The store's private header, included by src/store*.c only: the
 * connection, its prepared statements and the SQLite helpers the table
 * groups share. Nothing outside the store sees sqlite3.h.
 */
#ifndef OCSPBOX_STORE_INT_H
#define OCSPBOX_STORE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "store.h"

/*
 * The statements the hot paths (and an import's lines) run, prepared
 * once per connection.
 */
enum store_stmt {
	STMT_CACHE_GET,
	STMT_CERT_STATUS,
	STMT_CACHE_PUT,
	STMT_CERT_PUT,
	STMT_CERT_PUT_DROP,
	STMT_CERT_SAME,
	STMT_READ_BEGIN,
	STMT_READ_END,
	STMT_COUNT
};

struct store {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *stmt[STMT_COUNT];
	const char *source; /* store_source: a static string, or NULL */
};

/* "Now" in the stored time form, for defaults and updated_at columns. */
#define SQL_NOW "strftime('%Y-%m-%dT%H:%M:%SZ','now')"

/*
 * A row's cRLNumber as 40 hex digits, which compare as the numbers do:
 * crl_number_hex, or in a row written before migration 000026, its exact
 * crl_number; NULL when the row has none (a failed attempt). The columns
 * unqualified: in each statement only crl_cache or crl_generation_events
 * has them (and in an upsert's WHERE they name the stored row).
 */
#define CRLNUM_SQL \
	"coalesce(crl_number_hex, CASE WHEN crl_number IS NOT NULL" \
	" THEN printf('%040x', crl_number) END)"

/* ---- store.c: errors, statements, values --------------------------------
 * Every function here runs on the thread that owns st, like the rest of
 * the store.
 */

/*
 * Maps SQLite result code rc to ours (BUSY and LOCKED to OB_ERR_BUSY,
 * NOMEM to OB_ERR_NOMEM, anything else to OB_ERR_DB) and writes
 * "what: message" to errbuf, the message being the connection's last
 * error, or rc's text when there is no connection.
 */
enum ob_err store_dberr(
    struct store *st, int rc, const char *what, char *errbuf, size_t errsz);

/* Runs sql (no parameters, any number of statements); errors as dberr. */
enum ob_err store_exec(struct store *st, const char *sql, const char *what,
    char *errbuf, size_t errsz);

/*
 * Prepares sql into *stmt, which the caller sqlite3_finalize()s; *stmt
 * is NULL on error, which errbuf reports as "prepare: message".
 */
enum ob_err store_prepare(struct store *st, const char *sql,
    sqlite3_stmt **stmt, char *errbuf, size_t errsz);

/*
 * Statement which of this connection, prepared on first use and kept;
 * the caller resets it (store_stmt_done) before the connection runs it
 * again. The connection owns it: store_close finalizes it.
 */
enum ob_err store_stmt_get(struct store *st, enum store_stmt which,
    const char *sql, sqlite3_stmt **stmt, char *errbuf, size_t errsz);
/* Resets a kept statement and clears its bindings. */
void store_stmt_done(sqlite3_stmt *stmt);

/*
 * Binds time t (seconds since the epoch) to parameter col as RFC 3339
 * text, or NULL for INT64_MIN. Returns SQLite's code.
 */
int store_bind_time(sqlite3_stmt *stmt, int col, int64_t t);
/* Column col as seconds since the epoch; INT64_MIN for NULL or garbage. */
int64_t store_column_time(sqlite3_stmt *stmt, int col);
/* A malloc'd copy of text column col (caller frees), or NULL for NULL. */
char *store_column_strdup(sqlite3_stmt *stmt, int col);
/*
 * A malloc'd copy of blob column col (caller frees) and its length in
 * *len; NULL and *len 0 for NULL, an empty blob or no memory.
 */
unsigned char *store_column_blobdup(sqlite3_stmt *stmt, int col, size_t *len);
/* Blob column col into out when it is exactly len bytes, else zeros. */
void store_column_fixed(
    sqlite3_stmt *stmt, int col, unsigned char *out, size_t len);

/*
 * Reads the CRLNUM_SQL column col into *n: OB_OK, OB_ERR_NOTFOUND (*n
 * zero) when NULL, OB_ERR_INVAL, saying so in errbuf with issuer_id,
 * when not 40 lower-case hex digits.
 */
enum ob_err store_column_crlnum(sqlite3_stmt *stmt, int col,
    struct ob_crlnum *n, const char *issuer_id, char *errbuf, size_t errsz);

/*
 * The statement runner, for every statement the store runs once instead
 * of keeping it (store_stmt_get): prepares sql, binds one argument per
 * letter of types to parameters 1, 2, ... in order, steps once and
 * finalizes. The letters:
 *   t  const char *       text, borrowed for the call; NULL binds NULL
 *   i  int64_t            an integer
 *   o  int64_t            an integer, or NULL when negative (an absent
 *                         reason or count)
 *   T  int64_t            a time in seconds, as store_bind_time binds it
 *   b  const void *, size_t  a blob, borrowed, and its length in bytes
 *   c  const struct ob_crlnum *  two parameters, crl_number and
 *                         crl_number_hex (see CRLNUM_SQL); NULL, two NULLs
 * Every integer argument is an int64_t: cast an int, which varargs do not
 * convert. store_run's statement returns no rows (it steps to
 * SQLITE_DONE); store_run_int reads the first column of the first row
 * into *out, 0 when there is none. Errors: a failed prepare reads
 * "prepare: message", a failed bind or step "what: message", the code
 * mapped as store_dberr (BUSY is OB_ERR_BUSY). Afterwards
 * sqlite3_errcode(st->db) is still SQLite's code (for a caller that tells
 * SQLITE_CONSTRAINT apart) and sqlite3_changes(st->db) counts the rows a
 * write changed.
 */
enum ob_err store_run(struct store *st, const char *sql, const char *what,
    char *errbuf, size_t errsz, const char *types, ...);
enum ob_err store_run_int(struct store *st, const char *sql, const char *what,
    int64_t *out, char *errbuf, size_t errsz, const char *types, ...);

/* ---- store_cert.c ---- */

/*
 * Marks a certificate revoked (registering it if it was not) and drops
 * its cached response, inside the caller's transaction. *already is 1,
 * and nothing changes, when it was revoked before: a revocation's time
 * (at, seconds) and reason (-1 for none) are never rewritten, but for a
 * certificateHold revoked now for another reason (RFC 5280 5.3.1), which
 * takes at and reason, drops the cached answers and sets *already to 2.
 */
enum ob_err store_revoke_tx(struct store *st, const char *issuer_id,
    const char *serial, int reason, int64_t at, int *already, char *errbuf,
    size_t errsz);

/* ---- store_stats.c ---- */

/*
 * Adds delta to cache_counters.name (nothing when delta is 0), inside
 * the caller's transaction.
 */
enum ob_err store_counter_add(struct store *st, const char *name, int64_t delta,
    char *errbuf, size_t errsz);

#endif /* OCSPBOX_STORE_INT_H */
