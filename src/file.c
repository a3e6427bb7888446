/*
 * Reading a whole file into memory, the one way ocspbox does it: the
 * certificates, keys, migrations and CRLs that commands and the server
 * are given by path. Bounded, so that a wrong path (a disk image, a
 * device) fails with a line instead of filling the memory.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ob.h"

/* The first buffer for a file whose size fstat does not tell. */
#define FILE_CHUNK 65536

/* Frees buf of cap bytes, wiping it first when it held a secret. */
static void
drop(unsigned char *buf, size_t cap, int secret)
{
	if (buf != NULL && secret)
		explicit_bzero(buf, cap);
	free(buf);
}

enum ob_err
file_read(const char *path, size_t max, int flags, unsigned char **out,
    size_t *len, char *errbuf, size_t errsz)
{
	struct stat sb;
	unsigned char *buf = NULL, *nb, one;
	size_t n = 0, cap = 0;
	int secret = (flags & FILE_SECRET) != 0, fd;
	enum ob_err e = OB_ERR_IO;
	ssize_t r;

	*out = NULL;
	*len = 0;
	/*
	 * What must be a regular file is opened without waiting: a FIFO at
	 * a key's path would block the open until something wrote to it.
	 */
	if ((fd = open(path,
		 O_RDONLY | O_CLOEXEC |
		     (flags & (FILE_REGULAR | FILE_SECRET) ? O_NONBLOCK
							   : 0))) == -1) {
		e = errno == ENOENT ? OB_ERR_NOTFOUND : OB_ERR_IO;
		snprintf(errbuf, errsz, "%s: %s", path, strerror(errno));
		return e;
	}
	/* fstat on the open file: no window between check and read. */
	if (fstat(fd, &sb) == -1) {
		snprintf(errbuf, errsz, "%s: %s", path, strerror(errno));
		goto fail;
	}
	/* A key is read in one buffer of its size: never copied by realloc. */
	if ((flags & FILE_REGULAR || secret) && !S_ISREG(sb.st_mode)) {
		snprintf(errbuf, errsz, "%s: not a regular file", path);
		e = OB_ERR_INVAL;
		goto fail;
	}
	if (secret && (sb.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		snprintf(errbuf, errsz,
		    "%s: key file is accessible by group or others "
		    "(mode %03o); chmod 600 it",
		    path, (unsigned)(sb.st_mode & 0777));
		e = OB_ERR_PERM;
		goto fail;
	}
	if (S_ISREG(sb.st_mode) && (uintmax_t)sb.st_size > max) {
		snprintf(errbuf, errsz, "%s: file too large", path);
		e = OB_ERR_INVAL;
		goto fail;
	}
	/*
	 * Anything else is read to its end, in a buffer that starts at the
	 * size fstat gives (0 for a pipe, and for some files that have
	 * content, as in /proc) and grows up to max.
	 */
	cap = S_ISREG(sb.st_mode) && sb.st_size > 0 ? (size_t)sb.st_size
						    : FILE_CHUNK;
	if (!secret && cap > max)
		cap = max;
	if ((buf = malloc(cap + 1)) == NULL) {
		snprintf(errbuf, errsz, "%s: out of memory", path);
		e = OB_ERR_NOMEM;
		goto fail;
	}
	for (;;) {
		if (n == cap) {
			if (secret)
				break; /* what grows after fstat is not read */
			/* Full: one byte more says whether there is more. */
			r = read(fd, &one, 1);
			if (r == -1 && errno == EINTR)
				continue;
			if (r == 0)
				break;
			if (r == -1) {
				snprintf(errbuf, errsz, "%s: %s", path,
				    strerror(errno));
				goto fail;
			}
			if (cap >= max) {
				snprintf(
				    errbuf, errsz, "%s: file too large", path);
				e = OB_ERR_INVAL;
				goto fail;
			}
			cap = cap > max / 2 ? max : cap * 2;
			if ((nb = realloc(buf, cap + 1)) == NULL) {
				snprintf(
				    errbuf, errsz, "%s: out of memory", path);
				e = OB_ERR_NOMEM;
				goto fail;
			}
			buf = nb;
			buf[n++] = one;
			continue;
		}
		r = read(fd, buf + n, cap - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(
			    errbuf, errsz, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (secret && n != (size_t)sb.st_size) {
		snprintf(errbuf, errsz, "%s: short read", path);
		goto fail;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return OB_OK;
fail:
	close(fd);
	drop(buf, cap + 1, secret);
	return e;
}

void
file_free(unsigned char *buf, size_t len, int flags)
{
	drop(buf, len + 1, (flags & FILE_SECRET) != 0);
}

/* fsyncs the directory at path, so that an entry made in it lasts. */
static int
sync_dir(const char *path)
{
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/*
 * Makes dir (mode 0700) when missing, fsyncing its parent, and checks
 * that it is a directory of ours closed to group and others.
 */
static enum ob_err
private_dir(const char *dir, char *errbuf, size_t errsz)
{
	struct stat sb;
	char *parent, *slash;

	if (mkdir(dir, 0700) == 0) {
		/* 0700 exactly: the umask may have taken the owner's bits. */
		if (chmod(dir, 0700) == -1) {
			snprintf(errbuf, errsz, "%s: %s", dir, strerror(errno));
			return OB_ERR_IO;
		}
		if ((parent = strdup(dir)) == NULL) {
			snprintf(errbuf, errsz, "%s: out of memory", dir);
			return OB_ERR_NOMEM;
		}
		slash = strrchr(parent, '/');
		if (slash == parent)
			slash[1] = '\0';
		else if (slash != NULL)
			*slash = '\0';
		(void)sync_dir(slash != NULL ? parent : ".");
		free(parent);
	} else if (errno != EEXIST) {
		snprintf(errbuf, errsz,
		    "%s: cannot create the key directory: %s", dir,
		    strerror(errno));
		return errno == EACCES ? OB_ERR_PERM : OB_ERR_IO;
	}
	/* lstat: a symbolic link someone planted is not our directory. */
	if (lstat(dir, &sb) == -1) {
		snprintf(errbuf, errsz, "%s: %s", dir, strerror(errno));
		return OB_ERR_IO;
	}
	if (S_ISLNK(sb.st_mode)) {
		snprintf(errbuf, errsz,
		    "%s: is a symbolic link; the key directory must be a real "
		    "directory (mode 0700)",
		    dir);
		return OB_ERR_INVAL;
	}
	if (!S_ISDIR(sb.st_mode)) {
		snprintf(errbuf, errsz, "%s: not a directory", dir);
		return OB_ERR_INVAL;
	}
	if (sb.st_uid != geteuid()) {
		snprintf(errbuf, errsz,
		    "%s: key directory is owned by uid %u, not by uid %u "
		    "running ocspbox; run ocspbox as its owner (the service "
		    "user)",
		    dir, (unsigned)sb.st_uid, (unsigned)geteuid());
		return OB_ERR_PERM;
	}
	if ((sb.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		snprintf(errbuf, errsz,
		    "%s: key directory is accessible by group or others "
		    "(mode %03o); chmod 700 it",
		    dir, (unsigned)(sb.st_mode & 0777));
		return OB_ERR_PERM;
	}
	return OB_OK;
}

enum ob_err
file_write_secret(const char *dir, const char *name, const void *data,
    size_t len, char **path, char *errbuf, size_t errsz)
{
	const unsigned char *p = data;
	char *absdir = NULL, *tmp = NULL, *final = NULL;
	size_t n;
	ssize_t w;
	int fd = -1;
	enum ob_err e;

	if (path != NULL)
		*path = NULL;
	if (name[0] == '\0' || name[0] == '.' || strchr(name, '/') != NULL) {
		snprintf(errbuf, errsz, "%s: not a plain file name", name);
		return OB_ERR_INVAL;
	}
	if ((e = private_dir(dir, errbuf, errsz)) != OB_OK)
		return e;
	/* Absolute: the database keeps the path, and serve may run
	 * elsewhere. */
	if ((absdir = realpath(dir, NULL)) == NULL) {
		snprintf(errbuf, errsz, "%s: %s", dir, strerror(errno));
		return OB_ERR_IO;
	}
	n = strlen(absdir) + strlen(name) + 8;
	if ((tmp = malloc(n)) == NULL || (final = malloc(n)) == NULL) {
		snprintf(errbuf, errsz, "%s: out of memory", dir);
		e = OB_ERR_NOMEM;
		goto out;
	}
	snprintf(tmp, n, "%s/.%s.tmp", absdir, name);
	snprintf(final, n, "%s/%s", absdir, name);
	/* Never replace a key: the name comes with a random serial. */
	if (access(final, F_OK) == 0) {
		snprintf(errbuf, errsz, "%s: exists already", final);
		e = OB_ERR_EXISTS;
		goto out;
	}
	e = OB_ERR_IO;
	if ((fd = open(tmp,
		 O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) ==
	    -1) {
		snprintf(errbuf, errsz, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	/* 0600 exactly: the umask may have taken the owner's bits too. */
	if (fchmod(fd, 0600) == -1)
		goto fail;
	while (len > 0) {
		if ((w = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, final) == -1)
		goto fail;
	if (sync_dir(absdir) == -1) {
		snprintf(errbuf, errsz, "%s: %s", absdir, strerror(errno));
		unlink(final);
		goto out;
	}
	if (path != NULL) {
		*path = final;
		final = NULL;
	}
	e = OB_OK;
	goto out;
fail:
	snprintf(errbuf, errsz, "%s: %s", tmp, strerror(errno));
	if (fd != -1)
		close(fd);
	fd = -1;
	unlink(tmp);
out:
	if (fd != -1)
		close(fd);
	free(absdir);
	free(tmp);
	free(final);
	return e;
}

enum ob_err
file_remove_secret(
    const char *dir, const char *path, char *errbuf, size_t errsz)
{
	struct stat sb;
	char *absdir = NULL, *parent = NULL, *absparent = NULL, *slash;
	enum ob_err e;

	/* lstat: a link in its place is not the file that was written. */
	if (lstat(path, &sb) == -1) {
		snprintf(errbuf, errsz, "%s: %s", path, strerror(errno));
		return errno == ENOENT ? OB_ERR_NOTFOUND : OB_ERR_IO;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(
		    errbuf, errsz, "%s: not a regular file; left alone", path);
		return OB_ERR_INVAL;
	}
	e = OB_ERR_NOMEM;
	if ((parent = strdup(path)) == NULL)
		goto out;
	if ((slash = strrchr(parent, '/')) == NULL)
		snprintf(parent, strlen(parent) + 1, ".");
	else if (slash == parent)
		slash[1] = '\0';
	else
		*slash = '\0';
	e = OB_ERR_PERM;
	if ((absdir = realpath(dir, NULL)) == NULL ||
	    (absparent = realpath(parent, NULL)) == NULL ||
	    strcmp(absdir, absparent) != 0) {
		snprintf(errbuf, errsz,
		    "%s: not in the key directory %s; left "
		    "alone",
		    path, dir);
		goto out;
	}
	e = OB_ERR_IO;
	if (unlink(path) == -1) {
		snprintf(errbuf, errsz, "%s: %s", path, strerror(errno));
		if (errno == ENOENT)
			e = OB_ERR_NOTFOUND;
		goto out;
	}
	if (sync_dir(absdir) == -1) {
		snprintf(errbuf, errsz, "%s: %s", absdir, strerror(errno));
		goto out;
	}
	e = OB_OK;
out:
	if (e == OB_ERR_NOMEM)
		snprintf(errbuf, errsz, "%s: out of memory", path);
	free(absdir);
	free(parent);
	free(absparent);
	return e;
}

char *
file_key_dir(const char *db_path)
{
	char *real, *dir;
	size_t n;

	if ((real = realpath(db_path, NULL)) == NULL &&
	    (real = strdup(db_path)) == NULL)
		return NULL;
	n = strlen(real) + sizeof(".keys");
	if ((dir = malloc(n)) != NULL)
		snprintf(dir, n, "%s.keys", real);
	free(real);
	return dir;
}
