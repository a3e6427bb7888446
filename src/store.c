/*
 * The store: every SQL statement of ocspbox and the only file that includes
 * sqlite3.h. One struct store is one connection, used by one thread at a
 * time. Times are stored as RFC 3339 text ("2026-01-02T03:04:05Z"), which
 * sorts as it compares.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include <sqlite3.h>

#include "extern.h"

/* The statements the hot paths run, prepared once per connection. */
enum store_stmt {
	STMT_CACHE_GET,
	STMT_CERT_STATUS,
	STMT_CACHE_PUT,
	STMT_COUNT
};

struct store {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *stmt[STMT_COUNT];
};

/* How long a writer waits for another process's lock before tryLater. */
#define STORE_BUSY_MS 5000

/* "Now" in the stored time form, for defaults and updated_at columns. */
#define SQL_NOW "strftime('%Y-%m-%dT%H:%M:%SZ','now')"

const char *
store_sqlite_version(void)
{
	return sqlite3_libversion();
}

/* Maps a SQLite result code to ours and writes "what: sqlite message". */
static enum ob_err
dberr(struct store *st, int rc, const char *what, char *errbuf, size_t errsz)
{
	snprintf(errbuf, errsz, "%s: %s", what,
	    st != NULL && st->db != NULL ? sqlite3_errmsg(st->db)
					 : sqlite3_errstr(rc));
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return OB_ERR_BUSY;
	if (rc == SQLITE_NOMEM)
		return OB_ERR_NOMEM;
	return OB_ERR_DB;
}

static enum ob_err
exec(struct store *st, const char *sql, const char *what, char *errbuf,
    size_t errsz)
{
	int rc;

	if ((rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL)) != SQLITE_OK)
		return dberr(st, rc, what, errbuf, errsz);
	return OB_OK;
}

static enum ob_err
prepare(struct store *st, const char *sql, sqlite3_stmt **stmt, char *errbuf,
    size_t errsz)
{
	int rc;

	*stmt = NULL;
	rc = sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL);
	if (rc != SQLITE_OK)
		return dberr(st, rc, "prepare", errbuf, errsz);
	return OB_OK;
}

/*
 * Statement which of this connection, prepared on first use and kept;
 * the caller resets it (stmt_done) before the connection runs it again.
 */
static enum ob_err
stmt_get(struct store *st, enum store_stmt which, const char *sql,
    sqlite3_stmt **stmt, char *errbuf, size_t errsz)
{
	int rc;

	*stmt = st->stmt[which];
	if (*stmt != NULL)
		return OB_OK;
	rc = sqlite3_prepare_v3(
	    st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->stmt[which], NULL);
	if (rc != SQLITE_OK)
		return dberr(st, rc, "prepare", errbuf, errsz);
	*stmt = st->stmt[which];
	return OB_OK;
}

static void
stmt_done(sqlite3_stmt *stmt)
{
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
}

/* Binds a time as RFC 3339 text, or NULL for INT64_MIN. */
static void
bind_time(sqlite3_stmt *stmt, int col, int64_t t)
{
	char buf[32];

	if (t == INT64_MIN) {
		sqlite3_bind_null(stmt, col);
		return;
	}
	util_time_format(t, buf, sizeof(buf));
	sqlite3_bind_text(stmt, col, buf, -1, SQLITE_TRANSIENT);
}

static int64_t
column_time(sqlite3_stmt *stmt, int col)
{
	int64_t t;

	if (sqlite3_column_type(stmt, col) == SQLITE_NULL ||
	    util_time_parse((const char *)sqlite3_column_text(stmt, col), &t) !=
		OB_OK)
		return INT64_MIN;
	return t;
}

/* A malloc'd copy of a text column, or NULL for NULL. */
static char *
column_strdup(sqlite3_stmt *stmt, int col)
{
	const unsigned char *p = sqlite3_column_text(stmt, col);

	return p == NULL ? NULL : strdup((const char *)p);
}

static unsigned char *
column_blobdup(sqlite3_stmt *stmt, int col, size_t *len)
{
	const void *p = sqlite3_column_blob(stmt, col);
	int n = sqlite3_column_bytes(stmt, col);
	unsigned char *out;

	*len = 0;
	if (p == NULL || n <= 0 || (out = malloc((size_t)n)) == NULL)
		return NULL;
	memcpy(out, p, (size_t)n);
	*len = (size_t)n;
	return out;
}

static void
column_fixed(sqlite3_stmt *stmt, int col, unsigned char *out, size_t len)
{
	const void *p = sqlite3_column_blob(stmt, col);

	memset(out, 0, len);
	if (p != NULL && (size_t)sqlite3_column_bytes(stmt, col) == len)
		memcpy(out, p, len);
}

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

/* What crl_number (BIGINT) holds of n: n, or 2^63 - 1 when n is larger. */
static int64_t
crlnum_bigint(const struct ob_crlnum *n)
{
	uint64_t v;

	return util_crlnum_u64(n, &v) && v <= INT64_MAX ? (int64_t)v
							: INT64_MAX;
}

/* Binds n to col (crl_number) and col + 1 (crl_number_hex). */
static void
bind_crlnum(sqlite3_stmt *stmt, int col, const struct ob_crlnum *n)
{
	char hex[OB_CRLNUM_HEX + 1];

	util_crlnum_hex(n, hex);
	sqlite3_bind_int64(stmt, col, crlnum_bigint(n));
	sqlite3_bind_text(stmt, col + 1, hex, -1, SQLITE_TRANSIENT);
}

/*
 * Reads the CRLNUM_SQL column col into *n: OB_OK, OB_ERR_NOTFOUND when
 * NULL, OB_ERR_INVAL (saying so) when not 40 lower-case hex digits.
 */
static enum ob_err
column_crlnum(sqlite3_stmt *stmt, int col, struct ob_crlnum *n,
    const char *issuer_id, char *errbuf, size_t errsz)
{
	const char *hex = (const char *)sqlite3_column_text(stmt, col);

	memset(n, 0, sizeof(*n));
	if (hex == NULL)
		return OB_ERR_NOTFOUND;
	if (util_crlnum_from_hex(hex, n) != OB_OK) {
		/* Written by hand, not by ocspbox */
		snprintf(errbuf, errsz,
		    "issuer %s: an unusable stored cRLNumber \"%.48s\"",
		    issuer_id, hex);
		return OB_ERR_INVAL;
	}
	return OB_OK;
}

enum ob_err
store_open(const char *path, int create, struct store **out, char *errbuf,
    size_t errsz)
{
	struct store *st = NULL;
	struct stat sb;
	char *dir = NULL, *slash;
	enum ob_err e;
	int rc, flags;

	*out = NULL;
#ifdef OB_TEST_HOOKS
	/*
	 * Sanitizer builds only: while the file named by
	 * $OCSPBOX_TEST_FAIL_OPEN exists, every open fails, so that tests
	 * drive the paths that follow a store that cannot be opened.
	 */
	if (getenv("OCSPBOX_TEST_FAIL_OPEN") != NULL &&
	    stat(getenv("OCSPBOX_TEST_FAIL_OPEN"), &sb) == 0) {
		snprintf(errbuf, errsz, "%s: injected fault", path);
		return OB_ERR_IO;
	}
#endif
	if (stat(path, &sb) == -1) {
		if (errno != ENOENT || !create) {
			int missing = errno == ENOENT;

			if (missing)
				snprintf(errbuf, errsz,
				    "%s: no such database (make one: ocspbox "
				    "--db %s migrate)",
				    path, path);
			else
				snprintf(errbuf, errsz, "%s: %s", path,
				    strerror(errno));
			return missing ? OB_ERR_NOTFOUND : OB_ERR_IO;
		}
		if ((dir = strdup(path)) == NULL)
			return OB_ERR_NOMEM;
		if ((slash = strrchr(dir, '/')) != NULL) {
			*slash = '\0';
			if (dir[0] != '\0' && stat(dir, &sb) == -1) {
				snprintf(errbuf, errsz,
				    "database directory %s: %s", dir,
				    strerror(errno));
				free(dir);
				return OB_ERR_NOTFOUND;
			}
		}
		free(dir);
	} else if (!S_ISREG(sb.st_mode)) {
		snprintf(errbuf, errsz, "%s: not a regular file", path);
		return OB_ERR_INVAL;
	}

	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->path = strdup(path)) == NULL) {
		free(st);
		return OB_ERR_NOMEM;
	}
	flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
	    (create ? SQLITE_OPEN_CREATE : 0);
	if ((rc = sqlite3_open_v2(path, &st->db, flags, NULL)) != SQLITE_OK) {
		e = dberr(st, rc, path, errbuf, errsz);
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 0);
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	/*
	 * WAL lets readers run beside the one writer. synchronous=FULL syncs
	 * the WAL on every commit, so a revocation that has returned survives
	 * power loss (NORMAL could lose the last commits). Foreign keys are
	 * off by default in SQLite.
	 */
	if ((e = exec(st,
		 "PRAGMA journal_mode=WAL;"
		 "PRAGMA synchronous=FULL;"
		 "PRAGMA foreign_keys=ON;",
		 path, errbuf, errsz)) != OB_OK) {
		/* SQLite says "unable to open database file" when it cannot
		 * write beside it (its -wal and -shm): say why, if the
		 * kernel knows. */
		if (access(path, W_OK) != 0)
			snprintf(errbuf, errsz, "%s: cannot write: %s", path,
			    strerror(errno));
		goto fail;
	}
	/* Catch a file that is not a database now, with a clear message. */
	if ((e = exec(st, "SELECT count(*) FROM sqlite_schema;", path, errbuf,
		 errsz)) != OB_OK)
		goto fail;
	*out = st;
	return OB_OK;
fail:
	store_close(st);
	return e;
}

void
store_close(struct store *st)
{
	int i;

	if (st == NULL)
		return;
	for (i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close_v2(st->db);
	free(st->path);
	free(st);
}

enum ob_err
store_begin(struct store *st, char *errbuf, size_t errsz)
{
	/* IMMEDIATE: take the write lock now, not on the first write. */
	return exec(st, "BEGIN IMMEDIATE;", "begin", errbuf, errsz);
}

enum ob_err
store_commit(struct store *st, char *errbuf, size_t errsz)
{
	enum ob_err e;

	if ((e = exec(st, "COMMIT;", "commit", errbuf, errsz)) != OB_OK)
		store_rollback(st);
	return e;
}

void
store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK;", NULL, NULL, NULL);
}

/* Whether migration version is recorded. Returns 1, 0 or -1 on error. */
static int
migration_applied(struct store *st, const char *version)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (sqlite3_prepare_v2(st->db,
		"SELECT 1 FROM schema_migrations WHERE version = ?", -1, &stmt,
		NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(stmt, 1, version, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

enum ob_err
store_migrate(
    struct store *st, int verbose, int *applied, char *errbuf, size_t errsz)
{
	const struct schema_migration *m;
	sqlite3_stmt *stmt = NULL;
	char *sql = NULL, msg[OB_ERRBUF];
	enum ob_err e;
	size_t i;
	int rc, done;

	if (applied != NULL)
		*applied = 0;
	if ((e = exec(st,
		 "CREATE TABLE IF NOT EXISTS schema_migrations ("
		 " version TEXT PRIMARY KEY,"
		 " name TEXT NOT NULL,"
		 " applied_at TEXT NOT NULL"
		 " DEFAULT (" SQL_NOW "));",
		 "schema_migrations", errbuf, errsz)) != OB_OK)
		return e;
	for (i = 0; i < schema_migrations_count; i++) {
		m = &schema_migrations[i];
		if ((e = store_begin(st, errbuf, errsz)) != OB_OK)
			return e;
		/* Checked inside the transaction: another process may race. */
		if ((done = migration_applied(st, m->version)) != 0) {
			store_rollback(st);
			if (done < 0)
				return dberr(
				    st, SQLITE_ERROR, m->name, errbuf, errsz);
			continue;
		}
		e = schema_translate(
		    m->name, m->up, m->up_len, &sql, msg, sizeof(msg));
		if (e != OB_OK) {
			snprintf(errbuf, errsz, "%s", msg);
			goto fail;
		}
		if ((e = exec(st, sql, m->name, errbuf, errsz)) != OB_OK)
			goto fail;
		free(sql);
		sql = NULL;
		if ((e = prepare(st,
			 "INSERT INTO schema_migrations (version, name) "
			 "VALUES (?, ?)",
			 &stmt, errbuf, errsz)) != OB_OK)
			goto fail;
		sqlite3_bind_text(stmt, 1, m->version, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, m->name, -1, SQLITE_STATIC);
		rc = sqlite3_step(stmt);
		sqlite3_finalize(stmt);
		stmt = NULL;
		if (rc != SQLITE_DONE) {
			e = dberr(st, rc, m->name, errbuf, errsz);
			goto fail;
		}
		if ((e = store_commit(st, errbuf, errsz)) != OB_OK)
			return e;
		if (applied != NULL)
			(*applied)++;
		if (verbose)
			printf("applied %s\n", m->name);
	}
	return OB_OK;
fail:
	free(sql);
	store_rollback(st);
	return e;
}

void
store_issuer_clear(struct store_issuer *is)
{
	if (is == NULL)
		return;
	free(is->subject);
	free(is->cert_der);
	free(is->crl_key_path);
	free(is->resp_der);
	free(is->resp_subject);
	free(is->resp_key_path);
	memset(is, 0, sizeof(*is));
}

enum ob_err
store_issuer_exists(
    struct store *st, const char *id, char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	if ((e = prepare(st, "SELECT 1 FROM issuers WHERE id = ?", &stmt,
		 errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc == SQLITE_ROW)
		return OB_OK;
	if (rc == SQLITE_DONE) {
		snprintf(errbuf, errsz, "no issuer %s", id);
		return OB_ERR_NOTFOUND;
	}
	return dberr(st, rc, "issuer lookup", errbuf, errsz);
}

enum ob_err
store_issuer_add(
    struct store *st, const struct store_issuer *is, char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	if ((e = store_begin(st, errbuf, errsz)) != OB_OK)
		return e;
	if ((e = prepare(st,
		 "INSERT INTO issuers (id, subject, cert_der, name_sha1,"
		 " key_sha1, name_sha256, key_sha256, not_after, crl_key_path)"
		 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		 &stmt, errbuf, errsz)) != OB_OK)
		goto fail;
	sqlite3_bind_text(stmt, 1, is->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, is->subject, -1, SQLITE_STATIC);
	sqlite3_bind_blob(
	    stmt, 3, is->cert_der, (int)is->cert_len, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 4, is->name_sha1, 20, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 5, is->key_sha1, 20, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 6, is->name_sha256, 32, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 7, is->key_sha256, 32, SQLITE_STATIC);
	bind_time(stmt, 8, is->not_after);
	if (is->crl_key_path != NULL)
		sqlite3_bind_text(stmt, 9, is->crl_key_path, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc == SQLITE_CONSTRAINT) {
		if (store_issuer_exists(st, is->id, errbuf, errsz) == OB_OK)
			snprintf(
			    errbuf, errsz, "issuer %s already exists", is->id);
		else
			snprintf(errbuf, errsz,
			    "this CA is already registered under another id");
		e = OB_ERR_EXISTS;
		goto fail;
	} else if (rc != SQLITE_DONE) {
		e = dberr(st, rc, "insert issuer", errbuf, errsz);
		goto fail;
	}
	if ((e = prepare(st,
		 "INSERT INTO responder_certs (issuer_id, cert_der, key_path,"
		 " key_algorithm, subject, not_before, not_after, is_ca)"
		 " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		 &stmt, errbuf, errsz)) != OB_OK)
		goto fail;
	sqlite3_bind_text(stmt, 1, is->id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(
	    stmt, 2, is->resp_der, (int)is->resp_len, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, is->resp_key_path, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, is->resp_key_alg, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, is->resp_subject, -1, SQLITE_STATIC);
	bind_time(stmt, 6, is->resp_not_before);
	bind_time(stmt, 7, is->resp_not_after);
	sqlite3_bind_int(stmt, 8, is->resp_is_ca != 0);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		e = dberr(st, rc, "insert responder", errbuf, errsz);
		goto fail;
	}
	return store_commit(st, errbuf, errsz);
fail:
	store_rollback(st);
	return e;
}

enum ob_err
store_issuer_list(struct store *st, struct store_issuer **out, size_t *n,
    char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	struct store_issuer *v = NULL, *is, *nv;
	size_t cap = 0, len = 0;
	enum ob_err e;
	int rc;

	*out = NULL;
	*n = 0;
	if ((e = prepare(st,
		 "SELECT i.id, i.subject, i.cert_der, i.name_sha1, i.key_sha1,"
		 " i.name_sha256, i.key_sha256, i.not_after, i.crl_key_path,"
		 " r.cert_der, r.subject, r.key_path, r.key_algorithm,"
		 " r.not_before, r.not_after, r.is_ca,"
		 " (SELECT count(*) FROM certificates c"
		 "   WHERE c.issuer_id = i.id),"
		 " (SELECT count(*) FROM certificates c"
		 "   WHERE c.issuer_id = i.id AND c.status = 'revoked')"
		 " FROM issuers i JOIN responder_certs r"
		 "  ON r.issuer_id = i.id AND r.active"
		 " ORDER BY i.id",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 8;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				e = OB_ERR_NOMEM;
				goto fail;
			}
			v = nv;
		}
		is = &v[len++];
		memset(is, 0, sizeof(*is));
		snprintf(is->id, sizeof(is->id), "%s",
		    (const char *)sqlite3_column_text(stmt, 0));
		is->subject = column_strdup(stmt, 1);
		is->cert_der = column_blobdup(stmt, 2, &is->cert_len);
		column_fixed(stmt, 3, is->name_sha1, 20);
		column_fixed(stmt, 4, is->key_sha1, 20);
		column_fixed(stmt, 5, is->name_sha256, 32);
		column_fixed(stmt, 6, is->key_sha256, 32);
		is->not_after = column_time(stmt, 7);
		is->crl_key_path = column_strdup(stmt, 8);
		is->resp_der = column_blobdup(stmt, 9, &is->resp_len);
		is->resp_subject = column_strdup(stmt, 10);
		is->resp_key_path = column_strdup(stmt, 11);
		snprintf(is->resp_key_alg, sizeof(is->resp_key_alg), "%s",
		    (const char *)sqlite3_column_text(stmt, 12));
		is->resp_not_before = column_time(stmt, 13);
		is->resp_not_after = column_time(stmt, 14);
		is->resp_is_ca = sqlite3_column_int(stmt, 15);
		is->n_certs = sqlite3_column_int64(stmt, 16);
		is->n_revoked = sqlite3_column_int64(stmt, 17);
		if (is->subject == NULL || is->cert_der == NULL ||
		    is->resp_der == NULL || is->resp_key_path == NULL) {
			e = OB_ERR_NOMEM;
			goto fail;
		}
	}
	if (rc != SQLITE_DONE) {
		e = dberr(st, rc, "list issuers", errbuf, errsz);
		goto fail;
	}
	sqlite3_finalize(stmt);
	*out = v;
	*n = len;
	return OB_OK;
fail:
	sqlite3_finalize(stmt);
	store_issuer_list_free(v, len);
	return e;
}

void
store_issuer_list_free(struct store_issuer *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_issuer_clear(&v[i]);
	free(v);
}

/*
 * A serial registered now was maybe answered "unknown" and cached: drop
 * that entry so the next request signs its real status.
 */
static enum ob_err
unknown_drop(struct store *st, const char *issuer_id, const char *serial,
    char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	if ((e = prepare(st,
		 "DELETE FROM ocsp_response_cache WHERE issuer_id = ?"
		 " AND serial_hex = ? AND cert_status = 'unknown'",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_text(stmt, 1, issuer_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return dberr(st, rc, "drop unknown entry", errbuf, errsz);
	return OB_OK;
}

enum ob_err
store_cert_add(struct store *st, const char *issuer_id, const char *serial,
    int64_t not_after, const char *subject, int update, char *errbuf,
    size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	if ((e = prepare(st,
		 update ? "INSERT INTO certificates (issuer_id, serial_hex,"
			  " not_after, subject) VALUES (?, ?, ?, ?)"
			  " ON CONFLICT (issuer_id, serial_hex) DO UPDATE SET"
			  " not_after = excluded.not_after,"
			  " subject = coalesce(excluded.subject, subject),"
			  " updated_at = " SQL_NOW
			: "INSERT INTO certificates (issuer_id, serial_hex,"
			  " not_after, subject) VALUES (?, ?, ?, ?)",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_text(stmt, 1, issuer_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, serial, -1, SQLITE_STATIC);
	bind_time(stmt, 3, not_after);
	if (subject != NULL)
		sqlite3_bind_text(stmt, 4, subject, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc == SQLITE_DONE)
		return unknown_drop(st, issuer_id, serial, errbuf, errsz);
	if (rc == SQLITE_CONSTRAINT) {
		/* The foreign key or the primary key: say which. */
		if ((e = store_issuer_exists(st, issuer_id, errbuf, errsz)) !=
		    OB_OK)
			return e;
		snprintf(errbuf, errsz,
		    "certificate %s of issuer %s "
		    "already registered",
		    serial, issuer_id);
		return OB_ERR_EXISTS;
	}
	return dberr(st, rc, "insert certificate", errbuf, errsz);
}

/* Adds delta to cache_counters.name, inside the caller's transaction. */
static enum ob_err
counter_add(struct store *st, const char *name, int64_t delta, char *errbuf,
    size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	if (delta == 0)
		return OB_OK;
	if ((e = prepare(st,
		 "INSERT INTO cache_counters (name, value) VALUES (?, ?)"
		 " ON CONFLICT (name) DO UPDATE SET"
		 " value = value + excluded.value,"
		 " updated_at = " SQL_NOW,
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, delta);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return dberr(st, rc, "cache counters", errbuf, errsz);
	return OB_OK;
}

/*
 * Drops the cached OCSP response of one certificate, inside the caller's
 * transaction. The seed's load-bearing invariant: no cached "good" may
 * outlive a revoke, so every revoke runs this in the same transaction,
 * making the two one event for every reader.
 */
static enum ob_err
cache_drop(struct store *st, const char *issuer_id, const char *serial,
    char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	if ((e = prepare(st,
		 "DELETE FROM ocsp_response_cache"
		 " WHERE issuer_id = ? AND serial_hex = ?",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_text(stmt, 1, issuer_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return dberr(st, rc, "invalidate cache", errbuf, errsz);
	if (sqlite3_changes(st->db) == 0)
		return OB_OK;
	return counter_add(st, "invalidations", 1, errbuf, errsz);
}

/*
 * Marks a certificate revoked (registering it if it was not) and drops
 * its cached response, inside the caller's transaction. *already is set,
 * and nothing changes, when it was revoked before: a revocation's time
 * and reason are never rewritten.
 */
static enum ob_err
revoke_tx(struct store *st, const char *issuer_id, const char *serial,
    int reason, int64_t at, int *already, char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	*already = 0;
	if ((e = prepare(st,
		 "SELECT status FROM certificates"
		 " WHERE issuer_id = ? AND serial_hex = ?",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_text(stmt, 1, issuer_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(stmt, 0), "revoked") ==
		0) {
		sqlite3_finalize(stmt);
		*already = 1;
		return OB_OK;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return dberr(st, rc, "revoke", errbuf, errsz);
	if ((e = prepare(st,
		 "INSERT INTO certificates (issuer_id, serial_hex, status,"
		 " revoked_at, revocation_reason) VALUES (?, ?, 'revoked', ?, ?)"
		 " ON CONFLICT (issuer_id, serial_hex) DO UPDATE SET"
		 " status = 'revoked', revoked_at = excluded.revoked_at,"
		 " revocation_reason = excluded.revocation_reason,"
		 " updated_at = " SQL_NOW,
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_text(stmt, 1, issuer_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, serial, -1, SQLITE_STATIC);
	bind_time(stmt, 3, at);
	if (reason >= 0)
		sqlite3_bind_int(stmt, 4, reason);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return dberr(st, rc, "revoke", errbuf, errsz);
	return cache_drop(st, issuer_id, serial, errbuf, errsz);
}

enum ob_err
store_revoke(struct store *st, const char *issuer_id, const char *serial,
    int reason, int64_t at, int *already, char *errbuf, size_t errsz)
{
	enum ob_err e;
	int was;

	if (already != NULL)
		*already = 0;
	if ((e = store_begin(st, errbuf, errsz)) != OB_OK)
		return e;
	if ((e = store_issuer_exists(st, issuer_id, errbuf, errsz)) != OB_OK ||
	    (e = revoke_tx(st, issuer_id, serial, reason, at, &was, errbuf,
		 errsz)) != OB_OK) {
		store_rollback(st);
		return e;
	}
	if (already != NULL)
		*already = was;
	if (was) {
		store_rollback(st); /* nothing changed */
		return OB_OK;
	}
	return store_commit(st, errbuf, errsz);
}

enum ob_err
store_cert_put(struct store *st, const char *issuer_id, const char *serial,
    int64_t not_after, const char *subject, int64_t revoked_at, int reason,
    char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	if ((e = store_cert_add(st, issuer_id, serial, not_after, subject, 1,
		 errbuf, errsz)) != OB_OK)
		return e;
	if (revoked_at == INT64_MIN)
		return OB_OK;
	if ((e = prepare(st,
		 "UPDATE certificates SET status = 'revoked', revoked_at = ?,"
		 " revocation_reason = ?,"
		 " updated_at = " SQL_NOW
		 " WHERE issuer_id = ? AND serial_hex = ? AND status = 'good'",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	bind_time(stmt, 1, revoked_at);
	if (reason >= 0)
		sqlite3_bind_int(stmt, 2, reason);
	sqlite3_bind_text(stmt, 3, issuer_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return dberr(st, rc, "import revocation", errbuf, errsz);
	/* Revoked before: its cached "revoked" answer is still right. */
	if (sqlite3_changes(st->db) == 0)
		return OB_OK;
	return cache_drop(st, issuer_id, serial, errbuf, errsz);
}

enum ob_err
store_cert_status(struct store *st, const char *issuer_id, const char *serial,
    int *revoked, int64_t *revoked_at, int *reason, char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	*revoked = 0;
	*revoked_at = 0;
	*reason = -1;
	if ((e = stmt_get(st, STMT_CERT_STATUS,
		 "SELECT status = 'revoked', revoked_at, revocation_reason"
		 " FROM certificates WHERE issuer_id = ? AND serial_hex = ?",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_text(stmt, 1, issuer_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*revoked = sqlite3_column_int(stmt, 0);
		*revoked_at = column_time(stmt, 1);
		if (sqlite3_column_type(stmt, 2) != SQLITE_NULL)
			*reason = sqlite3_column_int(stmt, 2);
		e = OB_OK;
	} else if (rc == SQLITE_DONE)
		e = OB_ERR_NOTFOUND;
	else
		e = dberr(st, rc, "certificate status", errbuf, errsz);
	stmt_done(stmt);
	return e;
}

enum ob_err
store_ping(struct store *st, char *errbuf, size_t errsz)
{
	return exec(
	    st, "SELECT 1 FROM issuers LIMIT 1;", "ping", errbuf, errsz);
}

/* ---- the pre-signed response cache ------------------------------------- */

static const char *const status_names[] = {"good", "revoked", "unknown"};

enum ob_err
store_cache_get(struct store *st, const char *issuer_id, const char *serial,
    int64_t now, int64_t validity, unsigned char **der, size_t *len,
    int64_t *this_update, int64_t *next_update, int *status, char *errbuf,
    size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	const unsigned char *name;
	enum ob_err e;
	int rc;

	*der = NULL;
	*len = 0;
	*status = OCSP_UNKNOWN;
	if ((e = stmt_get(st, STMT_CACHE_GET,
		 "SELECT response_der, this_update, next_update, cert_status"
		 " FROM ocsp_response_cache"
		 " WHERE issuer_id = ? AND serial_hex = ?",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_text(stmt, 1, issuer_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*this_update = column_time(stmt, 1);
		*next_update = column_time(stmt, 2);
		if ((name = sqlite3_column_text(stmt, 3)) != NULL)
			*status = strcmp((const char *)name, "good") == 0
			    ? OCSP_GOOD
			    : strcmp((const char *)name, "revoked") == 0
			    ? OCSP_REVOKED
			    : OCSP_UNKNOWN;
		/*
		 * A stale entry is a miss: never serve past nextUpdate. So is
		 * one from the future, signed before the clock stepped back:
		 * clients would find it not yet valid, or keep it longer
		 * than the validity.
		 */
		if (*next_update == INT64_MIN || *next_update <= now ||
		    *this_update == INT64_MIN ||
		    *this_update > now + STORE_CLOCK_SLACK ||
		    *next_update > now + validity + STORE_CLOCK_SLACK)
			e = OB_ERR_NOTFOUND;
		else if ((*der = column_blobdup(stmt, 0, len)) == NULL)
			e = OB_ERR_NOMEM;
		else
			e = OB_OK;
	} else if (rc == SQLITE_DONE)
		e = OB_ERR_NOTFOUND;
	else
		e = dberr(st, rc, "cache lookup", errbuf, errsz);
	stmt_done(stmt);
	return e;
}

/* Whether the certificate's status now is the one c was signed with. */
static enum ob_err
status_unchanged(struct store *st, const struct store_cache_entry *c, int *same,
    char *errbuf, size_t errsz)
{
	int64_t at;
	int revoked, reason;
	enum ob_err e;

	*same = 0;
	e = store_cert_status(
	    st, c->issuer_id, c->serial, &revoked, &at, &reason, errbuf, errsz);
	if (e == OB_ERR_NOTFOUND) {
		*same = c->status == OCSP_UNKNOWN;
		return OB_OK;
	}
	if (e != OB_OK)
		return e;
	if (c->status == OCSP_GOOD)
		*same = !revoked;
	else if (c->status == OCSP_REVOKED)
		*same = revoked && at == c->revoked_at && reason == c->reason;
	return OB_OK;
}

enum ob_err
store_cache_put(struct store *st, const struct store_cache_entry *v, size_t n,
    int64_t now, int64_t validity, size_t *written, char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	size_t i, w = 0;
	int rc, same;

	if (written != NULL)
		*written = 0;
	if (n == 0)
		return OB_OK;
	/* IMMEDIATE: the status read below sees every committed revoke. */
	if ((e = store_begin(st, errbuf, errsz)) != OB_OK)
		return e;
	if ((e = stmt_get(st, STMT_CACHE_PUT,
		 "INSERT INTO ocsp_response_cache (issuer_id, serial_hex,"
		 " response_der, cert_status, revocation_reason, revoked_at,"
		 " this_update, next_update) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
		 " ON CONFLICT (issuer_id, serial_hex) DO UPDATE SET"
		 " response_der = excluded.response_der,"
		 " cert_status = excluded.cert_status,"
		 " revocation_reason = excluded.revocation_reason,"
		 " revoked_at = excluded.revoked_at,"
		 " this_update = excluded.this_update,"
		 " next_update = excluded.next_update,"
		 " generated_at = " SQL_NOW
		 " WHERE excluded.this_update >= this_update"
		 " OR this_update > ?9 OR next_update > ?10",
		 &stmt, errbuf, errsz)) != OB_OK)
		goto fail;
	for (i = 0; i < n; i++) {
		if (v[i].status < OCSP_GOOD || v[i].status > OCSP_UNKNOWN) {
			e = OB_ERR_INVAL;
			snprintf(
			    errbuf, errsz, "cache: bad status %d", v[i].status);
			goto fail;
		}
		if ((e = status_unchanged(st, &v[i], &same, errbuf, errsz)) !=
		    OB_OK)
			goto fail;
		if (!same)
			continue; /* a revoke won the race: drop it */
		sqlite3_bind_text(stmt, 1, v[i].issuer_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, v[i].serial, -1, SQLITE_STATIC);
		sqlite3_bind_blob(
		    stmt, 3, v[i].der, (int)v[i].len, SQLITE_STATIC);
		sqlite3_bind_text(
		    stmt, 4, status_names[v[i].status], -1, SQLITE_STATIC);
		if (v[i].status == OCSP_REVOKED) {
			if (v[i].reason >= 0)
				sqlite3_bind_int(stmt, 5, v[i].reason);
			bind_time(stmt, 6, v[i].revoked_at);
		}
		bind_time(stmt, 7, v[i].this_update);
		bind_time(stmt, 8, v[i].next_update);
		/* What is there is from the future: no newer entry. */
		bind_time(stmt, 9, now + STORE_CLOCK_SLACK);
		bind_time(stmt, 10, now + validity + STORE_CLOCK_SLACK);
		rc = sqlite3_step(stmt);
		stmt_done(stmt);
		if (rc != SQLITE_DONE) {
			e = dberr(st, rc, "cache write", errbuf, errsz);
			goto fail;
		}
		w += (size_t)sqlite3_changes(st->db);
	}
	if ((e = store_commit(st, errbuf, errsz)) != OB_OK)
		return e;
	if (written != NULL)
		*written = w;
	return OB_OK;
fail:
	store_rollback(st);
	return e;
}

enum ob_err
store_refresh_todo(struct store *st, int64_t now, int64_t horizon,
    int64_t validity, struct store_todo **out, size_t *n, char *errbuf,
    size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	struct store_todo *v = NULL, *nv, *t;
	size_t cap = 0, len = 0;
	enum ob_err e;
	const char *p;
	int rc;

	*out = NULL;
	*n = 0;
	if ((e = prepare(st,
		 "SELECT c.issuer_id, c.serial_hex, c.status = 'revoked',"
		 " c.revoked_at, c.revocation_reason"
		 " FROM certificates c LEFT JOIN ocsp_response_cache o"
		 " ON o.issuer_id = c.issuer_id AND o.serial_hex = c.serial_hex"
		 " WHERE (c.not_after IS NULL OR c.not_after > ?1)"
		 " AND (o.serial_hex IS NULL OR o.next_update <= ?2"
		 " OR o.this_update > ?3 OR o.next_update > ?4"
		 " OR o.cert_status <> c.status)"
		 " ORDER BY c.issuer_id, c.serial_hex",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	bind_time(stmt, 1, now);
	bind_time(stmt, 2, now + horizon);
	/* From the future (store_cache_get): due, whatever its nextUpdate. */
	bind_time(stmt, 3, now + STORE_CLOCK_SLACK);
	bind_time(stmt, 4, now + validity + STORE_CLOCK_SLACK);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 256;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				e = OB_ERR_NOMEM;
				goto fail;
			}
			v = nv;
		}
		t = &v[len];
		memset(t, 0, sizeof(*t));
		p = (const char *)sqlite3_column_text(stmt, 0);
		if (p == NULL || strlen(p) > OB_ID_MAX)
			continue; /* not an id we could have registered */
		memcpy(t->issuer_id, p, strlen(p) + 1);
		p = (const char *)sqlite3_column_text(stmt, 1);
		if (p == NULL || strlen(p) > OB_SERIAL_HEX_MAX)
			continue;
		memcpy(t->serial, p, strlen(p) + 1);
		t->status =
		    sqlite3_column_int(stmt, 2) ? OCSP_REVOKED : OCSP_GOOD;
		t->revoked_at = column_time(stmt, 3);
		t->reason = sqlite3_column_type(stmt, 4) == SQLITE_NULL
		    ? -1
		    : sqlite3_column_int(stmt, 4);
		len++;
	}
	if (rc != SQLITE_DONE) {
		e = dberr(st, rc, "refresh list", errbuf, errsz);
		goto fail;
	}
	sqlite3_finalize(stmt);
	*out = v;
	*n = len;
	return OB_OK;
fail:
	sqlite3_finalize(stmt);
	free(v);
	return e;
}

enum ob_err
store_cache_prune(struct store *st, int64_t now, int64_t validity,
    size_t *dropped, char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	*dropped = 0;
	if ((e = prepare(st,
		 "DELETE FROM ocsp_response_cache"
		 " WHERE (cert_status = 'unknown' AND (next_update <= ?1"
		 " OR this_update > ?2 OR next_update > ?3))"
		 " OR EXISTS (SELECT 1 FROM certificates c"
		 " WHERE c.issuer_id = ocsp_response_cache.issuer_id"
		 " AND c.serial_hex = ocsp_response_cache.serial_hex"
		 " AND c.not_after IS NOT NULL AND c.not_after <= ?1)",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	bind_time(stmt, 1, now);
	bind_time(stmt, 2, now + STORE_CLOCK_SLACK);
	bind_time(stmt, 3, now + validity + STORE_CLOCK_SLACK);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return dberr(st, rc, "cache prune", errbuf, errsz);
	*dropped = (size_t)sqlite3_changes(st->db);
	return OB_OK;
}

/*
 * Runs sql (one row, one integer column; ?1 bound to arg unless it is
 * NULL) into *out, 0 when there is no row.
 */
static enum ob_err
query_int(struct store *st, const char *sql, const char *arg, int64_t *out,
    char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	*out = 0;
	if ((e = prepare(st, sql, &stmt, errbuf, errsz)) != OB_OK)
		return e;
	if (arg != NULL)
		sqlite3_bind_text(stmt, 1, arg, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return dberr(st, rc, "query", errbuf, errsz);
	return OB_OK;
}

enum ob_err
store_migrated(struct store *st, int *yes, char *errbuf, size_t errsz)
{
	int64_t n = 0;
	enum ob_err e;

	*yes = 0;
	if ((e = query_int(st,
		 "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
		 " AND name = 'schema_migrations'",
		 NULL, &n, errbuf, errsz)) != OB_OK)
		return e;
	if (n > 0 &&
	    (e = query_int(st, "SELECT count(*) FROM schema_migrations", NULL,
		 &n, errbuf, errsz)) != OB_OK)
		return e;
	*yes = n > 0;
	return OB_OK;
}

enum ob_err
store_cache_unknown_count(
    struct store *st, int64_t *n, char *errbuf, size_t errsz)
{
	return query_int(st,
	    "SELECT count(*) FROM ocsp_response_cache"
	    " WHERE cert_status = 'unknown'",
	    NULL, n, errbuf, errsz);
}

void
store_busy_ms(struct store *st, int ms)
{
	sqlite3_busy_timeout(st->db, ms);
}

void
store_relax_sync(struct store *st)
{
	sqlite3_exec(st->db, "PRAGMA synchronous=NORMAL;", NULL, NULL, NULL);
}

enum ob_err
store_counters_add(struct store *st, int64_t hits, int64_t misses,
    int64_t live_signs, char *errbuf, size_t errsz)
{
	enum ob_err e;

	if (hits == 0 && misses == 0 && live_signs == 0)
		return OB_OK;
	if ((e = store_begin(st, errbuf, errsz)) != OB_OK)
		return e;
	if ((e = counter_add(st, "hits", hits, errbuf, errsz)) != OB_OK ||
	    (e = counter_add(st, "misses", misses, errbuf, errsz)) != OB_OK ||
	    (e = counter_add(st, "live_signs", live_signs, errbuf, errsz)) !=
		OB_OK) {
		store_rollback(st);
		return e;
	}
	return store_commit(st, errbuf, errsz);
}

enum ob_err
store_refresh_record(struct store *st, const struct store_refresh_run *run,
    char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	if ((e = prepare(st,
		 "INSERT INTO cache_refresh_runs (started_at, duration_ms,"
		 " signed, errors, dropped, source)"
		 " VALUES (?, ?, ?, ?, ?, ?)",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	bind_time(stmt, 1, run->started_at);
	sqlite3_bind_int64(stmt, 2, run->duration_ms);
	sqlite3_bind_int64(stmt, 3, run->nsigned);
	sqlite3_bind_int64(stmt, 4, run->errors);
	sqlite3_bind_int64(stmt, 5, run->dropped);
	sqlite3_bind_text(stmt, 6, run->source, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return dberr(st, rc, "record refresh", errbuf, errsz);
	return exec(st,
	    "DELETE FROM cache_refresh_runs WHERE id <="
	    " (SELECT max(id) - 1000 FROM cache_refresh_runs);",
	    "record refresh", errbuf, errsz);
}

static enum ob_err
stats_counters(
    struct store *st, struct store_stats *out, char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	const char *name;
	enum ob_err e;
	int64_t v;
	int rc;

	if ((e = prepare(st, "SELECT name, value FROM cache_counters", &stmt,
		 errbuf, errsz)) != OB_OK)
		return e;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(stmt, 0);
		v = sqlite3_column_int64(stmt, 1);
		if (name == NULL)
			continue;
		if (strcmp(name, "hits") == 0)
			out->hits = v;
		else if (strcmp(name, "misses") == 0)
			out->misses = v;
		else if (strcmp(name, "live_signs") == 0)
			out->live_signs = v;
		else if (strcmp(name, "invalidations") == 0)
			out->invalidations = v;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return dberr(st, rc, "stats", errbuf, errsz);

	if ((e = prepare(st,
		 "SELECT started_at, duration_ms, signed, errors, dropped,"
		 " source FROM cache_refresh_runs ORDER BY id DESC LIMIT 1",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		out->have_run = 1;
		out->last_run.started_at = column_time(stmt, 0);
		out->last_run.duration_ms = sqlite3_column_int64(stmt, 1);
		out->last_run.nsigned = sqlite3_column_int64(stmt, 2);
		out->last_run.errors = sqlite3_column_int64(stmt, 3);
		out->last_run.dropped = sqlite3_column_int64(stmt, 4);
		snprintf(out->last_run.source, sizeof(out->last_run.source),
		    "%s", (const char *)sqlite3_column_text(stmt, 5));
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return dberr(st, rc, "stats", errbuf, errsz);
	return OB_OK;
}

static enum ob_err
stats_issuers(struct store *st, int64_t now, struct store_stats *out,
    char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	struct store_issuer_stats *nv, *is;
	size_t cap = 0;
	const char *id;
	enum ob_err e;
	int rc;

	if ((e = prepare(st,
		 "SELECT i.id, count(o.serial_hex),"
		 " coalesce(sum(o.cert_status = 'good'), 0),"
		 " coalesce(sum(o.cert_status = 'revoked'), 0),"
		 " coalesce(sum(o.cert_status = 'unknown'), 0),"
		 " coalesce(sum(o.next_update <= ?1), 0), min(o.next_update),"
		 " " CRLNUM_SQL ", cc.next_update,"
		 " i.crl_key_path IS NOT NULL,"
		 " cc.this_update, cc.revoked_count, cc.generated_at,"
		 " (SELECT coalesce(e.error, '') FROM crl_generation_events e"
		 " WHERE e.issuer_id = i.id ORDER BY e.id DESC LIMIT 1)"
		 " FROM issuers i"
		 " LEFT JOIN ocsp_response_cache o ON o.issuer_id = i.id"
		 " LEFT JOIN crl_cache cc ON cc.issuer_id = i.id"
		 " GROUP BY i.id ORDER BY i.id",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	bind_time(stmt, 1, now);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		id = (const char *)sqlite3_column_text(stmt, 0);
		if (id == NULL || strlen(id) > OB_ID_MAX)
			continue;
		if (out->nissuers == cap) {
			cap = cap ? cap * 2 : 8;
			if ((nv = realloc(out->issuers, cap * sizeof(*nv))) ==
			    NULL) {
				sqlite3_finalize(stmt);
				return OB_ERR_NOMEM;
			}
			out->issuers = nv;
		}
		is = &out->issuers[out->nissuers++];
		memset(is, 0, sizeof(*is));
		memcpy(is->id, id, strlen(id) + 1);
		is->entries = sqlite3_column_int64(stmt, 1);
		is->good = sqlite3_column_int64(stmt, 2);
		is->revoked = sqlite3_column_int64(stmt, 3);
		is->unknown = sqlite3_column_int64(stmt, 4);
		is->stale = sqlite3_column_int64(stmt, 5);
		is->next_update_min = column_time(stmt, 6);
		e = column_crlnum(
		    stmt, 7, &is->crl_number, is->id, errbuf, errsz);
		if (e == OB_ERR_INVAL) {
			sqlite3_finalize(stmt);
			return e;
		}
		is->crl_present = e == OB_OK;
		is->crl_next_update = column_time(stmt, 8);
		is->crl_key = sqlite3_column_int(stmt, 9);
		is->crl_this_update = column_time(stmt, 10);
		is->crl_revoked = sqlite3_column_int64(stmt, 11);
		is->crl_generated_at = column_time(stmt, 12);
		if (sqlite3_column_text(stmt, 13) != NULL)
			snprintf(is->crl_error, sizeof(is->crl_error), "%s",
			    (const char *)sqlite3_column_text(stmt, 13));
		out->entries += is->entries;
		out->stale += is->stale;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return dberr(st, rc, "stats", errbuf, errsz);
	return OB_OK;
}

enum ob_err
store_stats(struct store *st, int64_t now, struct store_stats *out,
    char *errbuf, size_t errsz)
{
	enum ob_err e;

	memset(out, 0, sizeof(*out));
	/* One read transaction: the numbers agree with each other. */
	if ((e = exec(st, "BEGIN;", "stats", errbuf, errsz)) != OB_OK)
		return e;
	if ((e = stats_counters(st, out, errbuf, errsz)) == OB_OK)
		e = stats_issuers(st, now, out, errbuf, errsz);
	store_rollback(st);
	if (e != OB_OK)
		store_stats_free(out);
	return e;
}

void
store_stats_free(struct store_stats *s)
{
	if (s == NULL)
		return;
	free(s->issuers);
	s->issuers = NULL;
	s->nissuers = 0;
}

enum ob_err
store_admin_token(
    struct store *st, unsigned char hash[32], char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	if ((e = prepare(st,
		 "SELECT token_sha256 FROM admin_tokens"
		 " ORDER BY id DESC LIMIT 1",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(stmt, 0) == 32) {
		column_fixed(stmt, 0, hash, 32);
		e = OB_OK;
	} else if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		e = OB_ERR_NOTFOUND;
	else
		e = dberr(st, rc, "admin token", errbuf, errsz);
	sqlite3_finalize(stmt);
	return e;
}

enum ob_err
store_admin_token_set(
    struct store *st, const unsigned char hash[32], char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	if ((e = store_begin(st, errbuf, errsz)) != OB_OK)
		return e;
	if ((e = exec(st, "DELETE FROM admin_tokens;", "admin token", errbuf,
		 errsz)) != OB_OK ||
	    (e = prepare(st,
		 "INSERT INTO admin_tokens (token_sha256) VALUES (?)", &stmt,
		 errbuf, errsz)) != OB_OK)
		goto fail;
	sqlite3_bind_blob(stmt, 1, hash, 32, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		e = dberr(st, rc, "admin token", errbuf, errsz);
		goto fail;
	}
	return store_commit(st, errbuf, errsz);
fail:
	store_rollback(st);
	return e;
}

enum ob_err
store_data_version(struct store *st, int64_t *v, char *errbuf, size_t errsz)
{
	return query_int(st, "PRAGMA data_version", NULL, v, errbuf, errsz);
}

/* Keeps the newest CRL_EVENTS_KEEP generation events of an issuer. */
#define CRL_EVENTS_KEEP 1000

static enum ob_err
crl_event(struct store *st, const char *issuer_id,
    const struct ob_crlnum *number, int64_t started_at, int64_t duration_ms,
    int64_t revoked_count, const char *error, char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	if ((e = prepare(st,
		 "INSERT INTO crl_generation_events (issuer_id, crl_number,"
		 " crl_number_hex, started_at, duration_ms, revoked_count,"
		 " succeeded, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_text(stmt, 1, issuer_id, -1, SQLITE_STATIC);
	if (error == NULL) {
		bind_crlnum(stmt, 2, number);
		sqlite3_bind_int64(stmt, 6, revoked_count);
	} else
		sqlite3_bind_text(stmt, 8, error, -1, SQLITE_STATIC);
	bind_time(stmt, 4, started_at);
	sqlite3_bind_int64(stmt, 5, duration_ms);
	sqlite3_bind_int(stmt, 7, error == NULL);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return dberr(st, rc, "crl event", errbuf, errsz);
	if ((e = prepare(st,
		 "DELETE FROM crl_generation_events WHERE issuer_id = ?1"
		 " AND id <= (SELECT id FROM crl_generation_events"
		 " WHERE issuer_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_text(stmt, 1, issuer_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 2, CRL_EVENTS_KEEP);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return dberr(st, rc, "crl event", errbuf, errsz);
	return OB_OK;
}

/*
 * The highest cRLNumber this issuer ever had, in crl_cache or in the
 * events (which keep it should the cache row be gone): OB_OK, or
 * OB_ERR_NOTFOUND (*out zero) when it never had one.
 */
static enum ob_err
crl_last_number(struct store *st, const char *issuer_id, struct ob_crlnum *out,
    char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((e = prepare(st,
		 "SELECT max(n) FROM (SELECT " CRLNUM_SQL " AS n"
		 " FROM crl_cache WHERE issuer_id = ?1"
		 " UNION ALL SELECT " CRLNUM_SQL
		 " FROM crl_generation_events WHERE issuer_id = ?1)",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_text(stmt, 1, issuer_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		e = column_crlnum(stmt, 0, out, issuer_id, errbuf, errsz);
	else
		e = dberr(st, rc, "crl number", errbuf, errsz);
	sqlite3_finalize(stmt);
	return e;
}

enum ob_err
store_crl_begin(struct store *st, const char *issuer_id,
    struct ob_crlnum *number, struct crl_entry **out, size_t *n, char *errbuf,
    size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	struct crl_entry *v = NULL, *nv, *ce;
	struct ob_crlnum last;
	char canon[OB_SERIAL_HEX_MAX + 1], dec[OB_CRLNUM_DEC + 1];
	const char *serial;
	size_t cap = 0;
	enum ob_err e;
	int rc;

	memset(number, 0, sizeof(*number));
	*out = NULL;
	*n = 0;
	if ((e = store_begin(st, errbuf, errsz)) != OB_OK)
		return e;
	/*
	 * Read in the write transaction that will store the new CRL: two
	 * builders, in one process or two, can never take the same number.
	 */
	e = crl_last_number(st, issuer_id, &last, errbuf, errsz);
	if (e == OB_ERR_NOTFOUND)
		util_crlnum_set(number, 1);
	else if (e != OB_OK)
		goto fail;
	else if ((e = util_crlnum_next(&last, number)) != OB_OK) {
		/* Never wrap, never reuse: stop, and say why. */
		util_crlnum_dec(&last, dec);
		snprintf(errbuf, errsz,
		    "cRLNumber %s is the last: the next would be longer than "
		    "20 octets (RFC 5280 5.2.3); no CRL built",
		    dec);
		goto fail;
	}
	if ((e = prepare(st,
		 "SELECT serial_hex, revoked_at, revocation_reason"
		 " FROM certificates WHERE issuer_id = ? AND status = 'revoked'"
		 " ORDER BY revoked_at, serial_hex",
		 &stmt, errbuf, errsz)) != OB_OK)
		goto fail;
	sqlite3_bind_text(stmt, 1, issuer_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		serial = (const char *)sqlite3_column_text(stmt, 0);
		if (serial == NULL || strlen(serial) > OB_SERIAL_HEX_MAX ||
		    util_serial_canon(serial, canon) != OB_OK ||
		    strcmp(serial, canon) != 0) {
			/* Written by hand, not by ocspbox: say so, list none */
			snprintf(errbuf, errsz,
			    "certificates: a revoked row of issuer %s has an "
			    "unusable serial \"%.40s\"",
			    issuer_id, serial != NULL ? serial : "");
			sqlite3_finalize(stmt);
			e = OB_ERR_INVAL;
			goto fail;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				sqlite3_finalize(stmt);
				snprintf(errbuf, errsz, "out of memory");
				e = OB_ERR_NOMEM;
				goto fail;
			}
			v = nv;
		}
		ce = &v[(*n)++];
		memcpy(ce->serial, serial, strlen(serial) + 1);
		ce->revoked_at = column_time(stmt, 1);
		ce->reason = sqlite3_column_type(stmt, 2) == SQLITE_NULL
		    ? -1
		    : sqlite3_column_int(stmt, 2);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		e = dberr(st, rc, "crl revoked", errbuf, errsz);
		goto fail;
	}
	*out = v;
	return OB_OK;
fail:
	store_rollback(st);
	free(v);
	*n = 0;
	return e;
}

enum ob_err
store_crl_put(
    struct store *st, const struct store_crl *c, char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	char dec[OB_CRLNUM_DEC + 1];
	enum ob_err e;
	int rc;

	if ((e = prepare(st,
		 "INSERT INTO crl_cache (issuer_id, crl_der, crl_number,"
		 " crl_number_hex, this_update, next_update, generated_at,"
		 " generation_duration_ms, revoked_count)"
		 " VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
		 " " SQL_NOW ", ?7, ?8)"
		 " ON CONFLICT (issuer_id) DO UPDATE SET"
		 " crl_der = excluded.crl_der, crl_number = excluded.crl_number,"
		 " crl_number_hex = excluded.crl_number_hex,"
		 " this_update = excluded.this_update,"
		 " next_update = excluded.next_update,"
		 " generated_at = excluded.generated_at,"
		 " generation_duration_ms = excluded.generation_duration_ms,"
		 " revoked_count = excluded.revoked_count"
		 " WHERE excluded.crl_number_hex > " CRLNUM_SQL,
		 &stmt, errbuf, errsz)) != OB_OK)
		goto fail;
	sqlite3_bind_text(stmt, 1, c->issuer_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob64(stmt, 2, c->der, c->len, SQLITE_STATIC);
	bind_crlnum(stmt, 3, &c->number);
	bind_time(stmt, 5, c->this_update);
	bind_time(stmt, 6, c->next_update);
	sqlite3_bind_int64(stmt, 7, c->duration_ms);
	sqlite3_bind_int64(stmt, 8, c->revoked_count);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		e = dberr(st, rc, "store crl", errbuf, errsz);
		goto fail;
	}
	if (sqlite3_changes(st->db) != 1) {
		/* store_crl_begin numbered it: cannot happen, never hide it */
		util_crlnum_dec(&c->number, dec);
		snprintf(errbuf, errsz,
		    "store crl: crlNumber %s not above the stored one", dec);
		e = OB_ERR_DB;
		goto fail;
	}
	if ((e = crl_event(st, c->issuer_id, &c->number, c->started_at,
		 c->duration_ms, c->revoked_count, NULL, errbuf, errsz)) !=
	    OB_OK)
		goto fail;
	return store_commit(st, errbuf, errsz);
fail:
	store_rollback(st);
	return e;
}

enum ob_err
store_crl_failed(struct store *st, const char *issuer_id, int64_t started_at,
    int64_t duration_ms, const char *error, char *errbuf, size_t errsz)
{
	return crl_event(st, issuer_id, NULL, started_at, duration_ms, 0,
	    error != NULL && error[0] != '\0' ? error : "failed", errbuf,
	    errsz);
}

enum ob_err
store_crl_get(struct store *st, const char *issuer_id, unsigned char **der,
    size_t *len, struct ob_crlnum *number, int64_t *this_update,
    int64_t *next_update, char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	const void *blob;
	enum ob_err e;
	int rc, n;

	*der = NULL;
	*len = 0;
	if ((e = prepare(st,
		 "SELECT crl_der, this_update, next_update, " CRLNUM_SQL
		 " FROM crl_cache WHERE issuer_id = ?1",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_text(stmt, 1, issuer_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		blob = sqlite3_column_blob(stmt, 0);
		n = sqlite3_column_bytes(stmt, 0);
		*this_update = column_time(stmt, 1);
		*next_update = column_time(stmt, 2);
		e = column_crlnum(stmt, 3, number, issuer_id, errbuf, errsz);
		if (e == OB_ERR_NOTFOUND) /* crl_number is NOT NULL */
			snprintf(errbuf, errsz,
			    "issuer %s: a CRL without a cRLNumber", issuer_id);
		if (e != OB_OK)
			e = OB_ERR_INVAL;
		else if (n > 0 && blob != NULL &&
		    (*der = malloc((size_t)n)) != NULL) {
			memcpy(*der, blob, (size_t)n);
			*len = (size_t)n;
		} else
			e = n > 0 ? OB_ERR_NOMEM : OB_ERR_NOTFOUND;
	} else if (rc == SQLITE_DONE)
		e = OB_ERR_NOTFOUND;
	else
		e = dberr(st, rc, "crl", errbuf, errsz);
	sqlite3_finalize(stmt);
	if (e == OB_ERR_NOTFOUND)
		snprintf(errbuf, errsz, "no CRL for issuer %s", issuer_id);
	return e;
}

enum ob_err
store_crl_due(struct store *st, const char *issuer_id, int64_t now, int *due,
    int64_t *this_update, int64_t *next_update, char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	*due = 0;
	if (this_update != NULL)
		*this_update = INT64_MIN;
	if (next_update != NULL)
		*next_update = INT64_MIN;
	/*
	 * A revoke never leaves the revoked set (there is no unrevoke), so
	 * a count that differs from the CRL's means the CRL lacks one; no
	 * CRL at all is due too, and so is one the clock has left: expired,
	 * or dated after now. The count walks idx_certificates_revoked.
	 */
	if ((e = prepare(st,
		 "SELECT c.revoked_count IS NOT (SELECT count(*)"
		 " FROM certificates WHERE issuer_id = ?1"
		 " AND status = 'revoked')"
		 " OR c.next_update IS NULL OR c.next_update <= ?2"
		 " OR c.this_update IS NULL OR c.this_update > ?2,"
		 " c.this_update, c.next_update"
		 " FROM (SELECT 1) LEFT JOIN crl_cache c ON c.issuer_id = ?1",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_text(stmt, 1, issuer_id, -1, SQLITE_STATIC);
	bind_time(stmt, 2, now);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*due = sqlite3_column_int(stmt, 0) != 0;
		if (this_update != NULL)
			*this_update = column_time(stmt, 1);
		if (next_update != NULL)
			*next_update = column_time(stmt, 2);
		e = OB_OK;
	} else
		e = dberr(st, rc, "crl due", errbuf, errsz);
	sqlite3_finalize(stmt);
	return e;
}

enum ob_err
store_crl_import(struct store *st, const char *issuer_id,
    const struct crl_info *ci, int64_t duration_ms, size_t *revoked,
    char *errbuf, size_t errsz)
{
	struct store_crl c;
	struct ob_crlnum have;
	char got[OB_CRLNUM_DEC + 1], last[OB_CRLNUM_DEC + 1];
	enum ob_err e;
	size_t i;
	int was;

	*revoked = 0;
	if ((e = store_begin(st, errbuf, errsz)) != OB_OK)
		return e;
	if ((e = store_issuer_exists(st, issuer_id, errbuf, errsz)) != OB_OK)
		goto fail;
	/* Never go back to an older CRL, nor serve one number twice. */
	e = crl_last_number(st, issuer_id, &have, errbuf, errsz);
	if (e != OB_OK && e != OB_ERR_NOTFOUND)
		goto fail;
	if (e == OB_OK && util_crlnum_cmp(&ci->number, &have) <= 0) {
		util_crlnum_dec(&ci->number, got);
		util_crlnum_dec(&have, last);
		snprintf(errbuf, errsz,
		    "cRLNumber %s is not above %s, the last one here", got,
		    last);
		e = OB_ERR_EXISTS;
		goto fail;
	}
	for (i = 0; i < ci->n; i++) {
		if ((e = revoke_tx(st, issuer_id, ci->entries[i].serial,
			 ci->entries[i].reason, ci->entries[i].revoked_at, &was,
			 errbuf, errsz)) != OB_OK)
			goto fail;
		if (!was)
			(*revoked)++;
	}
	memset(&c, 0, sizeof(c));
	c.issuer_id = issuer_id;
	c.der = ci->der;
	c.len = ci->len;
	c.number = ci->number;
	c.this_update = ci->this_update;
	c.next_update = ci->next_update;
	c.started_at = (int64_t)time(NULL);
	c.duration_ms = duration_ms;
	c.revoked_count = (int64_t)ci->n;
	return store_crl_put(st, &c, errbuf, errsz); /* commits */
fail:
	store_rollback(st);
	return e;
}
