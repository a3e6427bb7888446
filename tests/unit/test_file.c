/*
 * Unit tests for whole-file reading (file.c): sizes up to and past the
 * bound, empty files, files whose size fstat does not tell (/proc, a
 * pipe), the key checks, and the one-line errors; writing and removing
 * key files.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ob.h"
#include "harness.h"

static char dir[64];

/* Writes n bytes of 'x' to dir/name with mode; returns the path. */
static const char *
make(const char *name, size_t n, mode_t mode)
{
	static char path[128];
	FILE *f;
	size_t i;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		return path;
	for (i = 0; i < n; i++)
		fputc('x', f);
	fclose(f);
	chmod(path, mode);
	return path;
}

/* A file of exactly max bytes is read; one byte more is refused. */
static void
test_bound(void)
{
	unsigned char *b;
	char err[OB_ERRBUF];
	size_t len;

	CHECK(file_read(make("a", 100, 0644), 100, 0, &b, &len, err,
		  sizeof(err)) == OB_OK);
	CHECK(b != NULL && len == 100 && b[100] == '\0' && b[99] == 'x');
	file_free(b, len, 0);
	CHECK(file_read(make("b", 101, 0644), 100, 0, &b, &len, err,
		  sizeof(err)) == OB_ERR_INVAL);
	CHECK(b == NULL && len == 0 && strstr(err, ": file too large") != NULL);
	/* Empty is no error here; the callers say what empty means. */
	CHECK(file_read(make("c", 0, 0644), 100, FILE_REGULAR, &b, &len, err,
		  sizeof(err)) == OB_OK);
	CHECK(b != NULL && len == 0 && b[0] == '\0');
	file_free(b, len, 0);
}

/* /proc files say size 0 and have content; a FIFO has no size at all. */
static void
test_unsized(void)
{
	unsigned char *b;
	char err[OB_ERRBUF], path[128];
	size_t len;
	pid_t pid;
	int fd;

	CHECK(file_read("/proc/self/status", 1 << 20, 0, &b, &len, err,
		  sizeof(err)) == OB_OK);
	CHECK(len > 0 && strstr((char *)b, "Name:") != NULL);
	file_free(b, len, 0);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	CHECK(mkfifo(path, 0600) == 0);
	if ((pid = fork()) == 0) {
		/* 200 KiB in pieces: several growths of the buffer. */
		char chunk[1000];
		int i;

		memset(chunk, 'y', sizeof(chunk));
		if ((fd = open(path, O_WRONLY)) < 0)
			_exit(1);
		for (i = 0; i < 200; i++)
			if (write(fd, chunk, sizeof(chunk)) != sizeof(chunk))
				_exit(1);
		_exit(0);
	}
	CHECK(file_read(path, 1 << 20, 0, &b, &len, err, sizeof(err)) == OB_OK);
	CHECK(len == 200000 && b[0] == 'y' && b[len - 1] == 'y' &&
	    b[len] == '\0');
	file_free(b, len, 0);
	waitpid(pid, NULL, 0);
	/* The same FIFO is no regular file. */
	CHECK(file_read(path, 1 << 20, FILE_REGULAR, &b, &len, err,
		  sizeof(err)) == OB_ERR_INVAL);
	CHECK(strstr(err, ": not a regular file") != NULL);
}

/* A key must be a regular file only its owner can read. */
static void
test_secret(void)
{
	unsigned char *b;
	char err[OB_ERRBUF];
	size_t len;

	CHECK(file_read(make("k1", 50, 0644), 1000, FILE_SECRET, &b, &len, err,
		  sizeof(err)) == OB_ERR_PERM);
	CHECK(strstr(err, "accessible by group or others (mode 644)") != NULL);
	CHECK(file_read(make("k2", 50, 0600), 1000, FILE_SECRET | FILE_REGULAR,
		  &b, &len, err, sizeof(err)) == OB_OK);
	CHECK(len == 50);
	file_free(b, len, FILE_SECRET);
	CHECK(file_read("/dev/null", 1000, FILE_SECRET, &b, &len, err,
		  sizeof(err)) == OB_ERR_INVAL);
}

/* What cannot be opened or read: one line naming the path. */
static void
test_errors(void)
{
	unsigned char *b;
	char err[OB_ERRBUF], want[256];
	size_t len;

	char path[128];

	snprintf(path, sizeof(path), "%s/none", dir);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	CHECK(file_read(path, 100, 0, &b, &len, err, sizeof(err)) ==
	    OB_ERR_NOTFOUND);
	CHECK_STR(err, want);
	snprintf(want, sizeof(want), "%s: Is a directory", dir);
	CHECK(file_read(dir, 100, 0, &b, &len, err, sizeof(err)) == OB_ERR_IO);
	CHECK_STR(err, want);
	CHECK(b == NULL);
}

/* How many entries directory d holds, . and .. aside; -1 on error. */
static int
entries(const char *d)
{
	DIR *dp;
	struct dirent *de;
	int n = 0;

	if ((dp = opendir(d)) == NULL)
		return -1;
	while ((de = readdir(dp)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(dp);
	return n;
}

/*
 * file_write_secret: 0600 and 0700 whatever the umask, the whole data,
 * no temporary file left, and the refusals, which write nothing.
 */
static void
test_write_secret(void)
{
	char err[OB_ERRBUF], kd[128], *path = NULL;
	unsigned char *buf = NULL;
	struct stat sb;
	size_t len = 0;
	mode_t old;

	snprintf(kd, sizeof(kd), "%s/keys", dir);
	old = umask(0777); /* would leave the owner nothing */
	CHECK(file_write_secret(kd, "a.key", "secret\n", 7, &path, err,
		  sizeof(err)) == OB_OK);
	umask(old);
	CHECK(path != NULL && path[0] == '/' &&
	    strstr(path, "/keys/a.key") != NULL);
	CHECK(stat(kd, &sb) == 0 && S_ISDIR(sb.st_mode) &&
	    (sb.st_mode & 0777) == 0700);
	CHECK(path != NULL && stat(path, &sb) == 0 &&
	    (sb.st_mode & 0777) == 0600);
	CHECK(path != NULL &&
	    file_read(path, 100, FILE_SECRET, &buf, &len, err, sizeof(err)) ==
		OB_OK &&
	    len == 7 && memcmp(buf, "secret\n", 7) == 0);
	file_free(buf, len, FILE_SECRET);
	free(path);
	/* Only a.key: no temporary file left. */
	CHECK(entries(kd) == 1);

	/* An existing name is never replaced. */
	CHECK(file_write_secret(kd, "a.key", "other", 5, &path, err,
		  sizeof(err)) == OB_ERR_EXISTS);
	CHECK(path == NULL && strstr(err, "exists") != NULL);
	/* Names that are not plain file names. */
	CHECK(file_write_secret(kd, "../b.key", "x", 1, NULL, err,
		  sizeof(err)) == OB_ERR_INVAL);
	CHECK(file_write_secret(kd, ".b", "x", 1, NULL, err, sizeof(err)) ==
	    OB_ERR_INVAL);
	CHECK(file_write_secret(kd, "", "x", 1, NULL, err, sizeof(err)) ==
	    OB_ERR_INVAL);
	/* A directory group or others may enter. */
	chmod(kd, 0750);
	CHECK(file_write_secret(kd, "c.key", "x", 1, NULL, err, sizeof(err)) ==
	    OB_ERR_PERM);
	CHECK(strstr(err, "mode 750") != NULL &&
	    strstr(err, "chmod 700") != NULL);
	chmod(kd, 0700);
	/* Not a directory: a file, and a symbolic link to our directory. */
	CHECK(file_write_secret(make("plain", 1, 0600), "c.key", "x", 1, NULL,
		  err, sizeof(err)) == OB_ERR_INVAL);
	CHECK(strstr(err, "not a directory") != NULL);
	/* A link is refused (a planted one is not followed), and said so. */
	snprintf(kd, sizeof(kd), "%s/link", dir);
	CHECK(symlink("keys", kd) == 0);
	CHECK(file_write_secret(kd, "c.key", "x", 1, NULL, err, sizeof(err)) ==
	    OB_ERR_INVAL);
	CHECK(strstr(err,
		  "link: is a symbolic link; the key directory must be "
		  "a real directory (mode 0700)") != NULL);
	/* A directory that cannot be made. */
	snprintf(kd, sizeof(kd), "%s/none/keys", dir);
	CHECK(file_write_secret(kd, "c.key", "x", 1, NULL, err, sizeof(err)) ==
	    OB_ERR_IO);
	snprintf(kd, sizeof(kd), "%s/keys", dir);
	CHECK(entries(kd) == 1);
}

/*
 * file_remove_secret: a key file in its directory goes (and is gone for
 * a second call); one in another directory, reached through a path with
 * ".." or a symbolic link to elsewhere, and a link in the key's place,
 * stay.
 */
static void
test_remove_secret(void)
{
	char err[OB_ERRBUF], kd[128], other[128], p[300], *path = NULL;

	snprintf(kd, sizeof(kd), "%s/rkeys", dir);
	snprintf(other, sizeof(other), "%s/elsewhere", dir);
	CHECK(file_write_secret(kd, "r.key", "k", 1, &path, err, sizeof(err)) ==
	    OB_OK);
	CHECK(path != NULL &&
	    file_remove_secret(kd, path, err, sizeof(err)) == OB_OK);
	CHECK(path != NULL && access(path, F_OK) == -1);
	CHECK(path != NULL &&
	    file_remove_secret(kd, path, err, sizeof(err)) == OB_ERR_NOTFOUND);
	free(path);
	path = NULL;
	CHECK(entries(kd) == 0);

	/* Another directory: refused, the file stays. */
	CHECK(file_write_secret(
		  other, "o.key", "k", 1, &path, err, sizeof(err)) == OB_OK);
	CHECK(path != NULL &&
	    file_remove_secret(kd, path, err, sizeof(err)) == OB_ERR_PERM);
	CHECK(strstr(err, "not in the key directory") != NULL &&
	    strstr(err, "left alone") != NULL);
	CHECK(path != NULL && access(path, F_OK) == 0);
	/* The same file by a path that starts in the key directory. */
	snprintf(p, sizeof(p), "%s/../elsewhere/o.key", kd);
	CHECK(file_remove_secret(kd, p, err, sizeof(err)) == OB_ERR_PERM);
	CHECK(path != NULL && access(path, F_OK) == 0);
	/* A symbolic link in the key directory to it: the link stays too. */
	snprintf(p, sizeof(p), "%s/l.key", kd);
	CHECK(path != NULL && symlink(path, p) == 0);
	CHECK(file_remove_secret(kd, p, err, sizeof(err)) == OB_ERR_INVAL);
	CHECK(strstr(err, "not a regular file") != NULL);
	CHECK(path != NULL && access(path, F_OK) == 0 && access(p, F_OK) == 0);
	/* A key directory that does not exist holds nothing. */
	snprintf(p, sizeof(p), "%s/missing", dir);
	CHECK(path != NULL &&
	    file_remove_secret(p, path, err, sizeof(err)) == OB_ERR_PERM);
	free(path);
}

static const struct test tests[] = {
    {"bound", test_bound},
    {"unsized", test_unsized},
    {"secret", test_secret},
    {"errors", test_errors},
    {"write_secret", test_write_secret},
    {"remove_secret", test_remove_secret},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/ocspbox-test-file.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	rc = harness_main(argc, argv, tests);
	/* Best effort: the files of a failed run are worth a look. */
	if (rc == 0) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			rc = 1;
	}
	return rc;
}
