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

#include <sqlite3.h>

#include "extern.h"

struct store {
	sqlite3 *db;
	char *path;
};

/* How long a writer waits for another process's lock before tryLater. */
#define STORE_BUSY_MS 5000

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
	if (stat(path, &sb) == -1) {
		if (errno != ENOENT || !create) {
			snprintf(errbuf, errsz, "%s: %s%s", path,
			    strerror(errno),
			    errno == ENOENT ? " (run ocspbox migrate)" : "");
			return errno == ENOENT ? OB_ERR_NOTFOUND : OB_ERR_IO;
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
		 path, errbuf, errsz)) != OB_OK)
		goto fail;
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
	if (st == NULL)
		return;
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
		 " DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')));",
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
			  " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now')"
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
		return OB_OK;
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
	return OB_OK;
}

enum ob_err
store_revoke(struct store *st, const char *issuer_id, const char *serial,
    int reason, int64_t at, int *already, char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	if (already != NULL)
		*already = 0;
	if ((e = store_begin(st, errbuf, errsz)) != OB_OK)
		return e;
	if ((e = store_issuer_exists(st, issuer_id, errbuf, errsz)) != OB_OK)
		goto fail;
	if ((e = prepare(st,
		 "SELECT status FROM certificates"
		 " WHERE issuer_id = ? AND serial_hex = ?",
		 &stmt, errbuf, errsz)) != OB_OK)
		goto fail;
	sqlite3_bind_text(stmt, 1, issuer_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(stmt, 0), "revoked") ==
		0) {
		sqlite3_finalize(stmt);
		store_rollback(st);
		if (already != NULL)
			*already = 1;
		return OB_OK;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		e = dberr(st, rc, "revoke", errbuf, errsz);
		goto fail;
	}
	if ((e = prepare(st,
		 "INSERT INTO certificates (issuer_id, serial_hex, status,"
		 " revoked_at, revocation_reason) VALUES (?, ?, 'revoked', ?, ?)"
		 " ON CONFLICT (issuer_id, serial_hex) DO UPDATE SET"
		 " status = 'revoked', revoked_at = excluded.revoked_at,"
		 " revocation_reason = excluded.revocation_reason,"
		 " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now')",
		 &stmt, errbuf, errsz)) != OB_OK)
		goto fail;
	sqlite3_bind_text(stmt, 1, issuer_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, serial, -1, SQLITE_STATIC);
	bind_time(stmt, 3, at);
	if (reason >= 0)
		sqlite3_bind_int(stmt, 4, reason);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		e = dberr(st, rc, "revoke", errbuf, errsz);
		goto fail;
	}
	if ((e = cache_drop(st, issuer_id, serial, errbuf, errsz)) != OB_OK)
		goto fail;
	return store_commit(st, errbuf, errsz);
fail:
	store_rollback(st);
	return e;
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
		 " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now')"
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
	if ((e = prepare(st,
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
	sqlite3_finalize(stmt);
	return e;
}

enum ob_err
store_ping(struct store *st, char *errbuf, size_t errsz)
{
	return exec(
	    st, "SELECT 1 FROM issuers LIMIT 1;", "ping", errbuf, errsz);
}
