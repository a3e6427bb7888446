/*
 * The harness runner: runs the named tests (or all), prints "ok NAME" or
 * "FAIL NAME" per test and "N passed, N failed" last; exits 1 on failure.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

int harness_failures;

static int
wanted(int argc, char **argv, const char *name)
{
	int i;

	if (argc < 2)
		return 1;
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "all") == 0 || strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

int
harness_main(int argc, char **argv, const struct test *tests)
{
	const struct test *t;
	int passed = 0, failed = 0, before;

	for (t = tests; t->name != NULL; t++) {
		if (!wanted(argc, argv, t->name))
			continue;
		before = harness_failures;
		t->fn();
		if (harness_failures == before) {
			printf("ok   %s\n", t->name);
			passed++;
		} else {
			printf("FAIL %s\n", t->name);
			failed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}

/* Pages of the file at path in the page cache (mincore); -1: cannot tell. */
static long
resident(const char *path)
{
	unsigned char *vec;
	struct stat sb;
	long left = -1;
	size_t pages, i;
	void *map;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return -1;
	if (fstat(fd, &sb) != 0)
		left = -1;
	else if (sb.st_size == 0)
		left = 0;
	else if ((map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED,
		      fd, 0)) != MAP_FAILED) {
		pages = ((size_t)sb.st_size + 4095) / 4096;
		if ((vec = calloc(pages, 1)) != NULL &&
		    mincore(map, (size_t)sb.st_size, vec) == 0)
			for (left = 0, i = 0; i < pages; i++)
				left += vec[i] & 1;
		free(vec);
		munmap(map, (size_t)sb.st_size);
	}
	close(fd);
	return left;
}

long
harness_evict(const char *path)
{
	char wal[4096];
	const char *files[2] = {path, wal};
	long left = 0, n;
	int fd, f;

	if ((size_t)snprintf(wal, sizeof(wal), "%s-wal", path) >= sizeof(wal))
		return -1;
	sync();
	for (f = 0; f < 2; f++) {
		if ((fd = open(files[f], O_RDONLY)) == -1)
			continue;
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		close(fd);
	}
	if ((left = resident(path)) < 0)
		return -1;
	if (access(wal, F_OK) == 0) {
		if ((n = resident(wal)) < 0)
			return -1;
		left += n;
	}
	return left;
}
