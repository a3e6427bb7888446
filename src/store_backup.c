/*
 * The store's online backup: a consistent copy of the database, made
 * with SQLite's backup API while servers read and write it, checked
 * before it takes its name.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store_int.h"

/* Pages copied a step: small enough for progress, large enough to be
 * quick (4 MiB of 4 KiB pages). */
#define BACKUP_STEP_PAGES 1024
/* Tries, 50 ms apart, while the copy's file is locked: 5 s, as the
 * store's busy timeout. */
#define BACKUP_BUSY_TRIES 100

/* fsyncs the file or directory at path; 0 or -1 (errno set). */
static int
sync_path(const char *path)
{
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* The directory of path, into out (cap bytes): "." when it has none. */
static void
dir_of(const char *path, char *out, size_t cap)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(out, cap, ".");
	else if (slash == path)
		snprintf(out, cap, "/");
	else
		snprintf(out, cap, "%.*s", (int)(slash - path), path);
}

/* One integer of the copy; -1 on any error. */
static int64_t
copy_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *q = NULL;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_type(q, 0) == SQLITE_NULL
		    ? INT64_MIN
		    : sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/*
 * What the copy at db holds, and whether SQLite finds it whole
 * (integrity_check): OB_OK, or OB_ERR_DB with errbuf.
 */
static enum ob_err
check_copy(
    sqlite3 *db, struct store_backup_info *info, char *errbuf, size_t errsz)
{
	sqlite3_stmt *q = NULL;
	const unsigned char *t;
	int rc;

	/* One file, no -wal beside it: what a restore copies back. */
	if (sqlite3_exec(db, "PRAGMA journal_mode = DELETE", NULL, NULL,
		NULL) != SQLITE_OK)
		goto dberr;
	if ((rc = sqlite3_prepare_v2(
		 db, "PRAGMA integrity_check", -1, &q, NULL)) != SQLITE_OK)
		goto dberr;
	rc = sqlite3_step(q);
	t = rc == SQLITE_ROW ? sqlite3_column_text(q, 0) : NULL;
	if (t == NULL || strcmp((const char *)t, "ok") != 0) {
		snprintf(errbuf, errsz,
		    "the copy fails integrity_check: %.200s",
		    t != NULL ? (const char *)t : sqlite3_errmsg(db));
		sqlite3_finalize(q);
		return OB_ERR_DB;
	}
	sqlite3_finalize(q);
	info->integrity_ok = 1;
	info->pages = copy_int(db, "PRAGMA page_count");
	info->page_size = copy_int(db, "PRAGMA page_size");
	info->issuers = copy_int(db, "SELECT count(*) FROM issuers");
	info->certificates = copy_int(db, "SELECT count(*) FROM certificates");
	info->revoked = copy_int(
	    db, "SELECT count(*) FROM certificates WHERE status = 'revoked'");
	info->schema_version[0] = '\0';
	if (sqlite3_prepare_v2(db, "SELECT max(version) FROM schema_migrations",
		-1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW &&
	    (t = sqlite3_column_text(q, 0)) != NULL)
		snprintf(info->schema_version, sizeof(info->schema_version),
		    "%s", (const char *)t);
	sqlite3_finalize(q);
	info->last_revoked_at = INT64_MIN;
	if (sqlite3_prepare_v2(db,
		"SELECT max(revoked_at) FROM certificates"
		" WHERE status = 'revoked'",
		-1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW &&
	    (t = sqlite3_column_text(q, 0)) != NULL &&
	    util_time_parse((const char *)t, &info->last_revoked_at) != OB_OK)
		info->last_revoked_at = INT64_MIN;
	sqlite3_finalize(q);
	return OB_OK;
dberr:
	snprintf(errbuf, errsz, "the copy: %s", sqlite3_errmsg(db));
	return OB_ERR_DB;
}

/* Removes the work directory wd and what SQLite may have left in it. */
static void
remove_work(const char *wd)
{
	static const char *const files[] = {
	    "copy.db", "copy.db-journal", "copy.db-wal", "copy.db-shm", NULL};
	char p[4096 + 32];
	int i;

	for (i = 0; files[i] != NULL; i++) {
		snprintf(p, sizeof(p), "%s/%s", wd, files[i]);
		(void)unlink(p);
	}
	(void)rmdir(wd);
}

/*
 * Gives the file at from the name to, in one step: with replace over
 * any file of that name; without, failing with EEXIST when the name is
 * taken (renameat2's RENAME_NOREPLACE, or link() where the kernel or
 * the file system has no such rename). 0, or -1 with errno.
 */
static int
place(const char *from, const char *to, int replace)
{
	int e;

	if (replace)
		return rename(from, to);
#ifdef SYS_renameat2
	if (syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, 1) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return -1;
#endif
	if (link(from, to) != 0)
		return -1;
	e = errno;
	(void)unlink(from);
	errno = e;
	return 0;
}

enum ob_err
store_backup(struct store *st, const char *dest, int replace,
    void (*progress)(int64_t done, int64_t total, void *), void *arg,
    struct store_backup_info *info, char *errbuf, size_t errsz)
{
	sqlite3 *db = NULL;
	sqlite3_backup *b = NULL;
	char wd[4096], tmp[4096 + 16], dir[4096];
	enum ob_err e = OB_ERR_IO;
	int rc, fd, in_read = 0, made = 0, busy = 0, err;
	struct timespec nap = {0, 50 * 1000000L};
	struct stat sd, ss;
	static const char *const sides[] = {"-wal", "-shm", "-journal"};
	char side[4200];
	int i;

	memset(info, 0, sizeof(*info));
	dir_of(dest, dir, sizeof(dir));
	if ((size_t)snprintf(wd, sizeof(wd), "%s/.ocspbox-backup.XXXXXX",
		dir) >= sizeof(wd) ||
	    strlen(dest) >= sizeof(dir)) {
		snprintf(errbuf, errsz, "%.200s: path too long", dest);
		return OB_ERR_INVAL;
	}
	/* The database's own side files are never a backup's name. */
	for (i = 0; i < 3; i++) {
		snprintf(side, sizeof(side), "%s%s", st->path, sides[i]);
		if (strcmp(dest, side) == 0) {
			snprintf(errbuf, errsz,
			    "%.300s is the database's own %s file", dest,
			    sides[i] + 1);
			return OB_ERR_INVAL;
		}
	}
	if (lstat(dest, &sd) == 0) {
		if (stat(st->path, &ss) == 0 && sd.st_dev == ss.st_dev &&
		    sd.st_ino == ss.st_ino) {
			snprintf(errbuf, errsz, "%.300s is the database itself",
			    dest);
			return OB_ERR_INVAL;
		}
		/* --force replaces a file, never a device, FIFO or link. */
		if (!S_ISREG(sd.st_mode)) {
			snprintf(errbuf, errsz,
			    "%.300s exists and is not a regular file", dest);
			return OB_ERR_INVAL;
		}
		if (!replace) {
			snprintf(errbuf, errsz,
			    "%.300s exists (give another name, or --force to "
			    "replace it)",
			    dest);
			return OB_ERR_EXISTS;
		}
	}
	/*
	 * The copy is made in a directory of its own (0700) beside dest:
	 * SQLite opens the copy and its side files (-journal, -wal, -shm)
	 * by name, which in a directory others may write could be links
	 * planted to elsewhere. The copy is 0600: it holds the admin
	 * token's hash.
	 */
	if (mkdtemp(wd) == NULL) {
		snprintf(errbuf, errsz, "%.300s: %s", dir, strerror(errno));
		return OB_ERR_IO;
	}
	made = 1;
	snprintf(tmp, sizeof(tmp), "%s/copy.db", wd);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) <
	    0) {
		snprintf(errbuf, errsz, "%.300s: %s", tmp, strerror(errno));
		goto out;
	}
	close(fd);
	if ((rc = sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE, NULL)) !=
	    SQLITE_OK) {
		snprintf(errbuf, errsz, "%.300s: %s", tmp, sqlite3_errmsg(db));
		goto out;
	}
	/*
	 * One read transaction over the whole copy: in WAL mode it is a
	 * snapshot, which the servers' writes do not change, so every
	 * step copies the same database and none starts again.
	 */
	if ((e = store_exec(st, "BEGIN", "backup", errbuf, errsz)) != OB_OK)
		goto out;
	in_read = 1;
	if ((e = store_exec(st, "SELECT count(*) FROM sqlite_master", "backup",
		 errbuf, errsz)) != OB_OK)
		goto out;
	if ((b = sqlite3_backup_init(db, "main", st->db, "main")) == NULL) {
		snprintf(errbuf, errsz, "backup: %s", sqlite3_errmsg(db));
		e = OB_ERR_DB;
		goto out;
	}
	for (;;) {
		rc = sqlite3_backup_step(b, BACKUP_STEP_PAGES);
		if (progress != NULL)
			progress(sqlite3_backup_pagecount(b) -
				sqlite3_backup_remaining(b),
			    sqlite3_backup_pagecount(b), arg);
		if (rc == SQLITE_DONE)
			break;
		/* A lock in the way: waited for as long as the store waits
		 * for one, then given up. */
		if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) &&
		    busy++ < BACKUP_BUSY_TRIES) {
			nanosleep(&nap, NULL);
			continue;
		}
		if (rc != SQLITE_OK) {
			snprintf(
			    errbuf, errsz, "backup: %s", sqlite3_errstr(rc));
			e = rc == SQLITE_FULL ? OB_ERR_IO : OB_ERR_DB;
			goto out;
		}
	}
	rc = sqlite3_backup_finish(b);
	b = NULL;
	if (rc != SQLITE_OK) {
		snprintf(errbuf, errsz, "backup: %s", sqlite3_errmsg(db));
		e = OB_ERR_DB;
		goto out;
	}
	store_rollback(st);
	in_read = 0;
	if ((e = check_copy(db, info, errbuf, errsz)) != OB_OK)
		goto out;
	rc = sqlite3_close(db);
	db = NULL;
	if (rc != SQLITE_OK) {
		snprintf(errbuf, errsz, "%.300s: %s", tmp, sqlite3_errstr(rc));
		e = OB_ERR_DB;
		goto out;
	}
	/* On disk before it takes its name; the name on disk after. */
	if (sync_path(tmp) != 0 || place(tmp, dest, replace) != 0) {
		err = errno;
		snprintf(errbuf, errsz, "%.300s: %s", dest, strerror(err));
		e = err == EEXIST ? OB_ERR_EXISTS : OB_ERR_IO;
		goto out;
	}
	info->dir_unsynced = sync_path(dir) != 0;
	e = OB_OK;
out:
	if (b != NULL)
		sqlite3_backup_finish(b);
	if (in_read)
		store_rollback(st);
	sqlite3_close(db);
	if (made)
		remove_work(wd);
	return e;
}
