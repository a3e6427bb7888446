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
