/*
 * A tiny test harness: named tests, run as `prog [all | name ...]`, and a
 * last line "N passed, N failed". CHECK records a failure and continues.
 */
#ifndef OCSPBOX_HARNESS_H
#define OCSPBOX_HARNESS_H

#include <stdio.h>
#include <string.h>

struct test {
	const char *name;
	void (*fn)(void);
};

extern int harness_failures;

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", \
			    __FILE__, __LINE__, #cond); \
			harness_failures++; \
		} \
	} while (0)

#define CHECK_STR(a, b) \
	do { \
		const char *ha_ = (a), *hb_ = (b); \
		if (ha_ == NULL || hb_ == NULL || strcmp(ha_, hb_) != 0) { \
			fprintf(stderr, "  %s:%d: \"%s\" != \"%s\"\n", \
			    __FILE__, __LINE__, ha_ ? ha_ : "(null)", \
			    hb_ ? hb_ : "(null)"); \
			harness_failures++; \
		} \
	} while (0)

int harness_main(int, char **, const struct test *);

/*
 * Drops the file at path and its "-wal" (a SQLite database's) from the
 * kernel's page cache (posix_fadvise DONTNEED, after sync). Returns how
 * many pages of both are still there (mincore), or -1 when it cannot
 * tell (no file at path, no mapping).
 */
long harness_evict(const char *path);

#endif
