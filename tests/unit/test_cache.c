/*
 * Unit tests for cache.c: the refresh horizon, single-flight under real
 * threads, and the stats JSON.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "extern.h"
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

static void
test_stats_json(void)
{
	struct store_issuer_stats is[2];
	struct store_stats s;
	struct cache_live live;
	char *json = NULL;
	size_t len = 0;

	memset(&s, 0, sizeof(s));
	memset(is, 0, sizeof(is));
	snprintf(is[0].id, sizeof(is[0].id), "ca\"1");
	is[0].entries = 3;
	is[0].good = 2;
	is[0].revoked = 1;
	is[0].next_update_min = 1800000000;
	is[0].crl_present = 1;
	util_crlnum_set(&is[0].crl_number, 7);
	is[0].crl_next_update = 1799999999;
	is[0].crl_key = 1;
	is[0].crl_this_update = 1799913599;
	is[0].crl_generated_at = 1799913600;
	is[0].crl_revoked = 1;
	snprintf(is[1].crl_error, sizeof(is[1].crl_error), "k.pem: gone");
	snprintf(is[1].id, sizeof(is[1].id), "b");
	is[1].next_update_min = INT64_MIN;
	s.issuers = is;
	s.nissuers = 2;
	s.entries = 3;
	s.stale = 1;
	s.hits = 6;
	s.misses = 2;
	memset(&live, 0, sizeof(live));
	live.hits = 2;
	live.interval = 3600;
	CHECK(cache_stats_json(&s, &live, 1800000000, &json, &len) == OB_OK);
	CHECK(json != NULL && strlen(json) == len);
	if (json == NULL)
		return;
	CHECK(
	    strstr(json, "\"generated_at\":\"2027-01-15T08:00:00Z\"") != NULL);
	CHECK(strstr(json,
		  "\"entries\":3,\"fresh\":2,\"stale\":1,"
		  "\"hits\":8,\"misses\":2,\"hit_ratio\":0.8000") != NULL);
	CHECK(strstr(json, "\"interval_seconds\":3600") != NULL);
	CHECK(strstr(json, "\"last_started_at\":null") != NULL);
	CHECK(strstr(json, "\"id\":\"ca\\\"1\"") != NULL);
	CHECK(strstr(json,
		  "\"crl\":{\"present\":true,\"crl_number\":7,"
		  "\"next_update\":\"2027-01-15T07:59:59Z\","
		  "\"is_stale\":true,\"key\":true,"
		  "\"this_update\":\"2027-01-14T07:59:59Z\","
		  "\"generated_at\":\"2027-01-14T08:00:00Z\","
		  "\"revoked_count\":1,\"last_error\":null}") != NULL);
	CHECK(strstr(json,
		  "\"next_update_min\":null,\"crl\":{\"present\":"
		  "false,\"crl_number\":null,\"next_update\":null,"
		  "\"is_stale\":false,\"key\":false,\"this_update\":null,"
		  "\"generated_at\":null,\"revoked_count\":null,"
		  "\"last_error\":\"k.pem: gone\"}") != NULL);
	CHECK(json[0] == '{' && json[len - 2] == '}' && json[len - 1] == '\n');
	free(json);
}

/*
 * cRLNumbers in the stats: a JSON number while a double holds it exactly
 * (to 2^53 - 1), then the decimal digits as a string; the metrics and the
 * text always show the exact decimal.
 */
static void
test_stats_crl_numbers(void)
{
	static const struct {
		const char *hex, *json;
	} v[] = {
	    {"000000000000000000000000001fffffffffffff",
		"\"crl_number\":9007199254740991,"},
	    {"0000000000000000000000000020000000000000",
		"\"crl_number\":\"9007199254740992\","},
	    {"0000000000000000000000008000000000000000",
		"\"crl_number\":\"9223372036854775808\","},
	    {"7fffffffffffffffffffffffffffffffffffffff",
		"\"crl_number\":"
		"\"730750818665451459101842416358141509827966271487\","},
	};
	struct store_issuer_stats is;
	struct store_stats s;
	char *out = NULL, want[128], dec[OB_CRLNUM_DEC + 1];
	size_t len = 0, i;
	FILE *fp;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(&s, 0, sizeof(s));
		memset(&is, 0, sizeof(is));
		snprintf(is.id, sizeof(is.id), "big");
		is.next_update_min = INT64_MIN;
		is.crl_present = 1;
		CHECK(util_crlnum_from_hex(v[i].hex, &is.crl_number) == OB_OK);
		util_crlnum_dec(&is.crl_number, dec);
		is.crl_next_update = 1799999999;
		s.issuers = &is;
		s.nissuers = 1;
		CHECK(cache_stats_json(&s, NULL, 1800000000, &out, &len) ==
		    OB_OK);
		CHECK(out != NULL && strstr(out, v[i].json) != NULL);
		free(out);
		out = NULL;
		CHECK(cache_metrics_text(&s, NULL, &out, &len) == OB_OK);
		snprintf(want, sizeof(want),
		    "\nocspbox_crl_number{issuer=\"big\"} %s\n", dec);
		CHECK(out != NULL && strstr(out, want) != NULL);
		free(out);
		out = NULL;
		if ((fp = open_memstream(&out, &len)) != NULL) {
			cache_stats_text(&s, 1800000000, fp);
			fclose(fp);
		}
		snprintf(want, sizeof(want), "  crl #%s, ", dec);
		CHECK(out != NULL && strstr(out, want) != NULL);
		free(out);
		out = NULL;
	}
}

static const struct test tests[] = {
    {"horizon", test_horizon},
    {"flights_one_key", test_flights_one_key},
    {"flights_keys_apart", test_flights_keys_apart},
    {"stats_json", test_stats_json},
    {"stats_crl_numbers", test_stats_crl_numbers},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
	return harness_main(argc, argv, tests);
}
