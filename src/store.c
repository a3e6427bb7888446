/*
 * The store's connection: open, pragmas, busy and sync settings,
 * transactions, migrations, and what every table group shares
 * (store_int.h): the statement runner and the value helpers. A struct
 * store is one connection, opened once per worker thread (per request in
 * the admin API, per pass in refresh) and used by one thread at a time;
 * each table group's statements are in its own store_*.c. Times are
 * stored as RFC 3339 text ("2026-01-02T03:04:05Z"), which sorts as it
 * compares.
 */
/* preadv2(2) and RWF_NOWAIT (Linux). */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "store_int.h"

/* How long a writer waits for another process's lock before tryLater. */
#define STORE_BUSY_MS 5000

/* store_reads_nowait: this thread's setting. */
static _Thread_local int reads_nowait;
/* A read of this thread that RWF_NOWAIT stopped, since store_dberr last
 * looked (sqlite3_system_errno keeps an errno read later than the read). */
static _Thread_local int nowait_missed;
/* Set once preadv2 refused RWF_NOWAIT here: plain reads since. */
static int nowait_unsupported;
/* SQLite's own pread, which nowait_pread stands in front of. */
static ssize_t (*sqlite_pread)(int, void *, size_t, off_t);
static pthread_once_t pread_once = PTHREAD_ONCE_INIT;

/* SQLite's unix VFS is built with 64-bit file offsets; so are we. */
_Static_assert(sizeof(off_t) == 8, "build with -D_FILE_OFFSET_BITS=64");

/*
 * Whether preadv2's errno e says RWF_NOWAIT cannot be had here: a kernel
 * without preadv2 or the flag, a file system without it (NFS, FUSE,
 * overlayfs, ...), or a seccomp filter refusing the call.
 */
static int
nowait_refused(int e)
{
	return e == EOPNOTSUPP || e == ENOSYS || e == EINVAL || e == EPERM;
}

/*
 * The pread of SQLite's unix VFS (USE_PREAD): with store_reads_nowait
 * on, preadv2 with RWF_NOWAIT, which fails with EAGAIN when a page is
 * not in the kernel's page cache (and starts no read: Linux 5.9 and
 * later); SQLite then fails the statement with SQLITE_IOERR.
 */
static ssize_t
nowait_pread(int fd, void *buf, size_t n, off_t off)
{
	struct iovec v = {buf, n};
	ssize_t got;

	if (reads_nowait &&
	    !__atomic_load_n(&nowait_unsupported, __ATOMIC_RELAXED)) {
		got = preadv2(fd, &v, 1, off, RWF_NOWAIT);
		if (got == -1 && errno == EAGAIN)
			nowait_missed = 1;
		if (got >= 0 || !nowait_refused(errno))
			return got;
		__atomic_store_n(&nowait_unsupported, 1, __ATOMIC_RELAXED);
	}
	return sqlite_pread(fd, buf, n, off);
}

/*
 * Puts nowait_pread in front of SQLite's pread, through the unix VFS's
 * interface for replacing its system calls (xSetSystemCall), once per
 * process, before the first connection opens.
 */
static void
pread_install(void)
{
	sqlite3_vfs *vfs = sqlite3_vfs_find(NULL);

	if (vfs == NULL || vfs->iVersion < 3 || vfs->xGetSystemCall == NULL ||
	    (sqlite_pread = (ssize_t(*)(int, void *, size_t,
		 off_t))vfs->xGetSystemCall(vfs, "pread")) == NULL ||
	    vfs->xSetSystemCall(
		vfs, "pread", (sqlite3_syscall_ptr)nowait_pread) != SQLITE_OK)
		__atomic_store_n(&nowait_unsupported, 1, __ATOMIC_RELAXED);
}

int
store_reads_nowait_works(const char *path)
{
	struct iovec v;
	char probe[PATH_MAX], c = 0;
	int fd, ok;

	pthread_once(&pread_once, pread_install);
	if (__atomic_load_n(&nowait_unsupported, __ATOMIC_RELAXED))
		return 0;
	/*
	 * A file of our own beside the database, never the database: closing
	 * any descriptor of a file drops every POSIX lock this process holds
	 * on it, SQLite's included (which would let another process write
	 * under this one's readers).
	 */
	if ((size_t)snprintf(probe, sizeof(probe), "%s.nowait-XXXXXX", path) >=
	    sizeof(probe))
		return 0;
	if ((fd = mkstemp(probe)) == -1)
		return 0;
	unlink(probe);
	v.iov_base = &c;
	v.iov_len = 1;
	ok = write(fd, &c, 1) == 1 &&
	    (preadv2(fd, &v, 1, 0, RWF_NOWAIT) >= 0 || errno == EAGAIN);
	close(fd);
	return ok;
}

int
store_reads_nowait(int on)
{
	int was = reads_nowait;

	reads_nowait = on;
	return was;
}

const char *
store_sqlite_version(void)
{
	return sqlite3_libversion();
}

enum ob_err
store_dberr(
    struct store *st, int rc, const char *what, char *errbuf, size_t errsz)
{
	/* A read that store_reads_nowait stopped: the page is on disk. */
	if ((rc & 0xff) == SQLITE_IOERR && nowait_missed) {
		nowait_missed = 0;
		snprintf(errbuf, errsz, "%s: page not in memory", what);
		return OB_ERR_BUSY;
	}
	nowait_missed = 0;
	snprintf(errbuf, errsz, "%s: %s", what,
	    st != NULL && st->db != NULL ? sqlite3_errmsg(st->db)
					 : sqlite3_errstr(rc));
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return OB_ERR_BUSY;
	if (rc == SQLITE_NOMEM)
		return OB_ERR_NOMEM;
	return OB_ERR_DB;
}

enum ob_err
store_exec(struct store *st, const char *sql, const char *what, char *errbuf,
    size_t errsz)
{
	int rc;

	if ((rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL)) != SQLITE_OK)
		return store_dberr(st, rc, what, errbuf, errsz);
	return OB_OK;
}

enum ob_err
store_prepare(struct store *st, const char *sql, sqlite3_stmt **stmt,
    char *errbuf, size_t errsz)
{
	int rc;

	*stmt = NULL;
	rc = sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL);
	if (rc != SQLITE_OK)
		return store_dberr(st, rc, "prepare", errbuf, errsz);
	return OB_OK;
}

enum ob_err
store_stmt_get(struct store *st, enum store_stmt which, const char *sql,
    sqlite3_stmt **stmt, char *errbuf, size_t errsz)
{
	int rc;

	*stmt = st->stmt[which];
	if (*stmt != NULL)
		return OB_OK;
	rc = sqlite3_prepare_v3(
	    st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->stmt[which], NULL);
	if (rc != SQLITE_OK)
		return store_dberr(st, rc, "prepare", errbuf, errsz);
	*stmt = st->stmt[which];
	return OB_OK;
}

void
store_stmt_done(sqlite3_stmt *stmt)
{
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
}

int
store_bind_time(sqlite3_stmt *stmt, int col, int64_t t)
{
	char buf[32];

	if (t == INT64_MIN)
		return sqlite3_bind_null(stmt, col);
	util_time_format(t, buf, sizeof(buf));
	return sqlite3_bind_text(stmt, col, buf, -1, SQLITE_TRANSIENT);
}

int64_t
store_column_time(sqlite3_stmt *stmt, int col)
{
	int64_t t;

	if (sqlite3_column_type(stmt, col) == SQLITE_NULL ||
	    util_time_parse((const char *)sqlite3_column_text(stmt, col), &t) !=
		OB_OK)
		return INT64_MIN;
	return t;
}

char *
store_column_strdup(sqlite3_stmt *stmt, int col)
{
	const unsigned char *p = sqlite3_column_text(stmt, col);

	return p == NULL ? NULL : strdup((const char *)p);
}

unsigned char *
store_column_blobdup(sqlite3_stmt *stmt, int col, size_t *len)
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

void
store_column_fixed(sqlite3_stmt *stmt, int col, unsigned char *out, size_t len)
{
	const void *p = sqlite3_column_blob(stmt, col);

	memset(out, 0, len);
	if (p != NULL && (size_t)sqlite3_column_bytes(stmt, col) == len)
		memcpy(out, p, len);
}

/* What crl_number (BIGINT) holds of n: n, or 2^63 - 1 when n is larger. */
static int64_t
crlnum_bigint(const struct ob_crlnum *n)
{
	uint64_t v;

	return util_crlnum_u64(n, &v) && v <= INT64_MAX ? (int64_t)v
							: INT64_MAX;
}

/*
 * Binds n to col (crl_number) and col + 1 (crl_number_hex). Returns
 * SQLite's code.
 */
static int
bind_crlnum(sqlite3_stmt *stmt, int col, const struct ob_crlnum *n)
{
	char hex[OB_CRLNUM_HEX + 1];
	int rc;

	util_crlnum_hex(n, hex);
	if ((rc = sqlite3_bind_int64(stmt, col, crlnum_bigint(n))) != SQLITE_OK)
		return rc;
	return sqlite3_bind_text(stmt, col + 1, hex, -1, SQLITE_TRANSIENT);
}

enum ob_err
store_column_crlnum(sqlite3_stmt *stmt, int col, struct ob_crlnum *n,
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

/*
 * Binds ap's arguments, one per letter of types (see store_run), to
 * parameters 1, 2, ... of stmt. Returns SQLITE_OK or the code of the
 * first bind that failed.
 */
static int
bind_args(sqlite3_stmt *stmt, const char *types, va_list ap)
{
	const struct ob_crlnum *num;
	const void *blob;
	size_t len;
	int64_t v;
	int col = 1, rc = SQLITE_OK;

	for (; *types != '\0' && rc == SQLITE_OK; types++) {
		switch (*types) {
		case 't':
			rc = sqlite3_bind_text(stmt, col++,
			    va_arg(ap, const char *), -1, SQLITE_STATIC);
			break;
		case 'i':
			rc = sqlite3_bind_int64(
			    stmt, col++, va_arg(ap, int64_t));
			break;
		case 'o':
			v = va_arg(ap, int64_t);
			rc = v < 0 ? sqlite3_bind_null(stmt, col)
				   : sqlite3_bind_int64(stmt, col, v);
			col++;
			break;
		case 'T':
			rc = store_bind_time(stmt, col++, va_arg(ap, int64_t));
			break;
		case 'b':
			blob = va_arg(ap, const void *);
			len = va_arg(ap, size_t);
			rc = sqlite3_bind_blob64(
			    stmt, col++, blob, len, SQLITE_STATIC);
			break;
		case 'c':
			num = va_arg(ap, const struct ob_crlnum *);
			if (num != NULL)
				rc = bind_crlnum(stmt, col, num);
			else if ((rc = sqlite3_bind_null(stmt, col)) ==
			    SQLITE_OK)
				rc = sqlite3_bind_null(stmt, col + 1);
			col += 2;
			break;
		default:
			assert(!"store_run: no such type letter");
			return SQLITE_MISUSE;
		}
	}
	/* One letter per parameter: a miscount would bind the wrong ones. */
	assert(
	    rc != SQLITE_OK || col - 1 == sqlite3_bind_parameter_count(stmt));
	return rc;
}

/* store_run and store_run_int, with *row NULL for store_run. */
static enum ob_err
run(struct store *st, const char *sql, const char *what, int64_t *row,
    char *errbuf, size_t errsz, const char *types, va_list ap)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	if (row != NULL)
		*row = 0;
	if ((e = store_prepare(st, sql, &stmt, errbuf, errsz)) != OB_OK)
		return e;
	if ((rc = bind_args(stmt, types, ap)) == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && row != NULL) {
		*row = sqlite3_column_int64(stmt, 0);
		rc = SQLITE_DONE;
	}
	/* A statement that returns rows is store_run_int's, or a loop's. */
	assert(rc != SQLITE_ROW);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return store_dberr(st, rc, what, errbuf, errsz);
	return OB_OK;
}

enum ob_err
store_run(struct store *st, const char *sql, const char *what, char *errbuf,
    size_t errsz, const char *types, ...)
{
	enum ob_err e;
	va_list ap;

	va_start(ap, types);
	e = run(st, sql, what, NULL, errbuf, errsz, types, ap);
	va_end(ap);
	return e;
}

enum ob_err
store_run_int(struct store *st, const char *sql, const char *what, int64_t *out,
    char *errbuf, size_t errsz, const char *types, ...)
{
	enum ob_err e;
	va_list ap;

	va_start(ap, types);
	e = run(st, sql, what, out, errbuf, errsz, types, ap);
	va_end(ap);
	return e;
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
	pthread_once(&pread_once, pread_install);
	flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
	    (create ? SQLITE_OPEN_CREATE : 0);
	if ((rc = sqlite3_open_v2(path, &st->db, flags, NULL)) != SQLITE_OK) {
		e = store_dberr(st, rc, path, errbuf, errsz);
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
	if ((e = store_exec(st,
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
	if ((e = store_exec(st, "SELECT count(*) FROM sqlite_schema;", path,
		 errbuf, errsz)) != OB_OK)
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
	return store_exec(st, "BEGIN IMMEDIATE;", "begin", errbuf, errsz);
}

enum ob_err
store_commit(struct store *st, char *errbuf, size_t errsz)
{
	enum ob_err e;

	if ((e = store_exec(st, "COMMIT;", "commit", errbuf, errsz)) != OB_OK)
		store_rollback(st);
	return e;
}

void
store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK;", NULL, NULL, NULL);
}

/* Steps a kept statement of no rows (BEGIN, COMMIT): SQLite's code. */
static int
stmt_run(struct store *st, enum store_stmt which, const char *sql)
{
	sqlite3_stmt *stmt;
	char err[OB_ERRBUF];
	int rc;

	if (store_stmt_get(st, which, sql, &stmt, err, sizeof(err)) != OB_OK)
		return SQLITE_ERROR;
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	return rc;
}

enum ob_err
store_read_hold(struct store *st, char *errbuf, size_t errsz)
{
	int rc;

	if (!sqlite3_get_autocommit(st->db))
		return OB_OK; /* held already */
	if ((rc = stmt_run(st, STMT_READ_BEGIN, "BEGIN")) != SQLITE_DONE)
		return store_dberr(st, rc, "begin", errbuf, errsz);
	return OB_OK;
}

void
store_read_release(struct store *st)
{
	if (sqlite3_get_autocommit(st->db))
		return;
	if (stmt_run(st, STMT_READ_END, "COMMIT") != SQLITE_DONE)
		store_rollback(st);
}

enum ob_err
store_migrate(
    struct store *st, int verbose, int *applied, char *errbuf, size_t errsz)
{
	const struct schema_migration *m;
	char *sql = NULL, msg[OB_ERRBUF];
	enum ob_err e;
	int64_t done;
	size_t i;

	if (applied != NULL)
		*applied = 0;
	if ((e = store_exec(st,
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
		/*
		 * Checked inside the transaction: another process may race.
		 * An error is OB_ERR_DB, "name: " and SQLite's message as it
		 * stands after the rollback, as before the runner.
		 */
		if (store_run_int(st,
			"SELECT 1 FROM schema_migrations WHERE version = ?",
			m->name, &done, errbuf, errsz, "t",
			m->version) != OB_OK) {
			store_rollback(st);
			return store_dberr(
			    st, SQLITE_ERROR, m->name, errbuf, errsz);
		}
		if (done) {
			store_rollback(st);
			continue;
		}
		e = schema_translate(
		    m->name, m->up, m->up_len, &sql, msg, sizeof(msg));
		if (e != OB_OK) {
			snprintf(errbuf, errsz, "%s", msg);
			goto fail;
		}
		if ((e = store_exec(st, sql, m->name, errbuf, errsz)) != OB_OK)
			goto fail;
		free(sql);
		sql = NULL;
		if ((e = store_run(st,
			 "INSERT INTO schema_migrations (version, name) "
			 "VALUES (?, ?)",
			 m->name, errbuf, errsz, "tt", m->version, m->name)) !=
		    OB_OK)
			goto fail;
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

enum ob_err
store_migrated(struct store *st, int *yes, char *errbuf, size_t errsz)
{
	int64_t n = 0;
	enum ob_err e;

	*yes = 0;
	if ((e = store_run_int(st,
		 "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
		 " AND name = 'schema_migrations'",
		 "query", &n, errbuf, errsz, "")) != OB_OK)
		return e;
	if (n > 0 &&
	    (e = store_run_int(st, "SELECT count(*) FROM schema_migrations",
		 "query", &n, errbuf, errsz, "")) != OB_OK)
		return e;
	*yes = n > 0;
	return OB_OK;
}

enum ob_err
store_ping(struct store *st, char *errbuf, size_t errsz)
{
	return store_exec(
	    st, "SELECT 1 FROM issuers LIMIT 1;", "ping", errbuf, errsz);
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
store_data_version(struct store *st, int64_t *v, char *errbuf, size_t errsz)
{
	return store_run_int(
	    st, "PRAGMA data_version", "query", v, errbuf, errsz, "");
}
