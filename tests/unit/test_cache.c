/*
 * Unit tests for cache.c: the refresh horizon and single-flight under real
 * threads. The stats and metrics writers are tested in test_metrics.c.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server.h"
#include "harness.h"

static void
test_horizon(void)
{
	static const struct {
		int64_t validity, interval, want;
	} v[] = {
	    {86400, 3600, 43200}, /* the defaults: half the validity */
	    {10, 2, 5}, /* the refresh test */
	    {7200, 3600, 5400}, /* 1.5 intervals beat half */
	    {10, 8, 10}, /* never beyond the validity */
	    {3, 1, 1},
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		CHECK(cache_horizon(v[i].validity, v[i].interval) == v[i].want);
}

/* ---- single-flight ------------------------------------------------------ */

#define NTHREADS 16

static struct flights *fl;
static pthread_barrier_t bar;
static int leaders, signs, landed_before_return;

static void *
misser(void *arg)
{
	const char *key = arg;
	struct flight *lead;
	int s;

	pthread_barrier_wait(&bar);
	if (flights_join(fl, key, &lead)) {
		__atomic_add_fetch(&leaders, 1, __ATOMIC_SEQ_CST);
		usleep(200 * 1000); /* the signature */
		__atomic_add_fetch(&signs, 1, __ATOMIC_SEQ_CST);
		flights_done(fl, lead);
	} else {
		/* A follower returns only once the flight has landed. */
		s = __atomic_load_n(&signs, __ATOMIC_SEQ_CST);
		if (s >= 1)
			__atomic_add_fetch(
			    &landed_before_return, 1, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

static void
run_missers(const char *const *keys, int n)
{
	pthread_t th[NTHREADS];
	int i;

	leaders = signs = landed_before_return = 0;
	pthread_barrier_init(&bar, NULL, (unsigned)n);
	for (i = 0; i < n; i++)
		pthread_create(&th[i], NULL, misser, (void *)keys[i]);
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&bar);
}

static void
test_flights_one_key(void)
{
	const char *keys[NTHREADS];
	int i;

	for (i = 0; i < NTHREADS; i++)
		keys[i] = "ca/1";
	CHECK((fl = flights_new()) != NULL);
	if (fl == NULL)
		return;
	run_missers(keys, NTHREADS);
	/* 16 misses at once, one signature; every follower saw it land. */
	CHECK(leaders == 1);
	CHECK(signs == 1);
	CHECK(landed_before_return == NTHREADS - 1);
	/* Landed flights are gone: the next miss leads again. */
	run_missers(keys, 2);
	CHECK(leaders == 1 && signs == 1);
	flights_free(fl);
}

static void
test_flights_keys_apart(void)
{
	const char *keys[NTHREADS];
	int i;

	/* Four keys, four threads each: one leader per key. */
	for (i = 0; i < NTHREADS; i++)
		keys[i] = (const char *[]){"a/1", "a/2", "b/1", "b/2"}[i % 4];
	CHECK((fl = flights_new()) != NULL);
	if (fl == NULL)
		return;
	run_missers(keys, NTHREADS);
	CHECK(leaders == 4);
	CHECK(signs == 4);
	flights_free(fl);
}

static const struct test tests[] = {
    {"horizon", test_horizon},
    {"flights_one_key", test_flights_one_key},
    {"flights_keys_apart", test_flights_keys_apart},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
	return harness_main(argc, argv, tests);
}
