/*
 * The harness runner: runs the named tests (or all), prints "ok NAME" or
 * "FAIL NAME" per test and "N passed, N failed" last; exits 1 on failure.
 */
#include <stdio.h>
#include <string.h>

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
