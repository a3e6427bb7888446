/*
 * Rates for `make bench`. On one thread, per second of its CPU time, so
 * that the machine's other work counts less: raw signatures with one
 * issuer's responder key (what the refresh pass is compared with); cache
 * lookups of one cached serial (what an in-memory layer in front of
 * SQLite could save at most); and `PRAGMA data_version` reads (what such
 * a layer would still pay on every request to see another process's
 * revoke). Then the same lookups on as many threads as there are cores,
 * each with its own connection as serve's workers have, per second of
 * real time: what SQLite's locks cost threads of one process
 * (bench/own.sh compares builds of SQLite and mbedTLS by these rates).
 * Usage: micro DB ISSUER_ID SERIAL SECONDS [sign | lookup]; prints
 * "signatures/s N", "lookups/s N", "data_version/s N" and
 * "parallel_lookups/s N", each measured for SECONDS; with "sign" only
 * the first, with "lookup" the others.
 * micro DB ISSUER_ID SERIAL SECONDS spread N: "spread_lookups/s R" per
 * second of CPU time, each lookup of a serial drawn at random among the
 * N from SERIAL (hexadecimal, all of SERIAL's length) and read as the
 * HTTP gate reads (store_reads_nowait; a page not in memory is counted
 * in "spread_not_in_memory K" and read again without it): what a
 * lookup costs over a large set beside a small one, without HTTP.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cli.h"

static double
clock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* This thread's CPU time, in seconds. */
static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Whether a loop that started at CPU time t0 and went round count times
 * has run secs: the clock, a system call, is read every 16th time.
 */
static int
spent(double t0, double secs, long count)
{
	return count % 16 == 0 && cpu_now() - t0 >= secs;
}

/* One thread of the parallel lookups. */
struct looker {
	pthread_t th;
	const char *db, *issuer, *serial;
	int64_t now, validity;
	double secs;
	long count;
	int failed;
};

static void *
look(void *arg)
{
	struct looker *lk = arg;
	struct store *st = NULL;
	char err[OB_ERRBUF];
	unsigned char *der;
	size_t len;
	int64_t tu, nu;
	double t0;
	int cs;

	if (store_open(lk->db, 0, &st, err, sizeof(err)) != OB_OK) {
		fprintf(stderr, "micro: %s\n", err);
		lk->failed = 1;
		return NULL;
	}
	t0 = clock_now();
	while (clock_now() - t0 < lk->secs) {
		if (store_cache_get(st, lk->issuer, lk->serial, lk->now,
			lk->validity, &der, &len, &tu, &nu, &cs, err,
			sizeof(err)) != OB_OK) {
			fprintf(stderr, "micro: lookup: %s\n", err);
			lk->failed = 1;
			break;
		}
		free(der);
		lk->count++;
	}
	store_close(st);
	return NULL;
}

/*
 * Lookups of serial on as many threads as there are cores, each on its
 * own connection, for secs; prints their sum per second. 0 or 1.
 */
static int
parallel_lookups(const char *db, const char *issuer, const char *serial,
    int64_t now, int64_t validity, double secs)
{
	struct looker lk[64];
	long n = sysconf(_SC_NPROCESSORS_ONLN), i, started, total = 0;
	int failed = 0;

	if (n < 2)
		n = 2;
	if (n > 64)
		n = 64;
	memset(lk, 0, sizeof(lk));
	for (started = 0; started < n; started++) {
		lk[started].db = db;
		lk[started].issuer = issuer;
		lk[started].serial = serial;
		lk[started].now = now;
		lk[started].validity = validity;
		lk[started].secs = secs;
		if (pthread_create(&lk[started].th, NULL, look, &lk[started]) !=
		    0)
			break;
	}
	for (i = 0; i < started; i++) {
		pthread_join(lk[i].th, NULL);
		total += lk[i].count;
		failed |= lk[i].failed;
	}
	if (started < n || failed)
		return 1;
	printf("parallel_lookups/s %.1f\n", (double)total / secs);
	return 0;
}

/*
 * The spread mode: lookups of random serials among the n from lo_hex
 * (at most 16 hexadecimal digits, cached under issuer), for secs of this
 * thread's CPU time, on st (the database at db), read as the HTTP gate
 * reads. 0, or 1 with a
 * message.
 */
static int
spread_lookups(struct store *st, const char *db, const char *issuer,
    const char *lo_hex, long n, int64_t now, int64_t validity, double secs)
{
	char err[OB_ERRBUF], serial[OB_SERIAL_HEX_MAX + 1], *end;
	unsigned long long lo;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	unsigned char *der;
	size_t len;
	int64_t tu, nu;
	long count = 0, missed = 0;
	enum ob_err e;
	double t0;
	int cs;

	errno = 0;
	lo = strtoull(lo_hex, &end, 16);
	if (errno != 0 || end == lo_hex || *end != '\0' ||
	    strlen(lo_hex) > 16 || lo > UINT64_MAX - (unsigned long long)n) {
		fprintf(stderr,
		    "micro: spread: SERIAL must be at most 16 hexadecimal "
		    "digits, and SERIAL + N fit in 64 bits\n");
		return 1;
	}
	if (!store_reads_nowait_works(db))
		printf("note: no RWF_NOWAIT reads here: lookups wait for "
		       "the disk\n");
	t0 = cpu_now();
	while (!spent(t0, secs, count)) {
		x ^= x << 13; /* xorshift64 */
		x ^= x >> 7;
		x ^= x << 17;
		/* As the store keeps serials: lower case, no leading 0. */
		snprintf(serial, sizeof(serial), "%llx",
		    lo + (unsigned long long)(x % (uint64_t)n));
		err[0] = '\0';
		store_reads_nowait(1);
		e = store_cache_get(st, issuer, serial, now, validity, &der,
		    &len, &tu, &nu, &cs, err, sizeof(err));
		store_reads_nowait(0);
		if (e == OB_ERR_BUSY) {
			missed++;
			e = store_cache_get(st, issuer, serial, now, validity,
			    &der, &len, &tu, &nu, &cs, err, sizeof(err));
		}
		if (e != OB_OK) {
			fprintf(stderr, "micro: lookup of %s/%s: %s\n", issuer,
			    serial, err[0] != '\0' ? err : ob_strerror(e));
			return 1;
		}
		free(der);
		count++;
	}
	printf("spread_lookups/s %.1f\n", (double)count / (cpu_now() - t0));
	printf("spread_not_in_memory %ld\n", missed);
	return 0;
}

int
main(int argc, char **argv)
{
	struct store_issuer *v = NULL;
	struct signer *sg = NULL;
	struct store *st = NULL;
	unsigned char data[300], sig[SIGNER_SIG_MAX];
	char err[OB_ERRBUF];
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	unsigned char *der;
	size_t n = 0, i, siglen, len;
	int64_t tu, nu, now = (int64_t)time(NULL), validity = 0;
	int cs;
	double t0, secs;
	long count = 0;
	int sign, lookup;

	if (argc != 5 &&
	    !(argc == 6 &&
		(strcmp(argv[5], "sign") == 0 ||
		    strcmp(argv[5], "lookup") == 0)) &&
	    !(argc == 7 && strcmp(argv[5], "spread") == 0)) {
		fprintf(stderr,
		    "usage: micro DB ISSUER_ID SERIAL SECONDS "
		    "[sign | lookup | spread N]\n");
		return 2;
	}
	secs = atof(argv[4]);
	sign = argc == 5 || strcmp(argv[5], "sign") == 0;
	lookup = argc == 5 || strcmp(argv[5], "lookup") == 0;
	/* bench/run.sh signs with serve's default validity */
	util_duration_parse(CLI_VALIDITY_DEFAULT, &validity);
	if (store_open(argv[1], 0, &st, err, sizeof(err)) != OB_OK ||
	    store_issuer_list(st, &v, &n, err, sizeof(err)) != OB_OK) {
		fprintf(stderr, "micro: %s\n", err);
		return 1;
	}
	if (argc == 7) {
		char *end;
		long spread;

		errno = 0;
		spread = strtol(argv[6], &end, 10);
		if (errno != 0 || end == argv[6] || *end != '\0' ||
		    spread < 1 || secs <= 0) {
			fprintf(stderr,
			    "micro: spread N: N and SECONDS must "
			    "be positive numbers\n");
			return 2;
		}
		for (i = 0; i < n && strcmp(v[i].id, argv[2]) != 0; i++)
			;
		if (i == n) {
			fprintf(stderr, "micro: no such issuer\n");
			return 1;
		}
		cs = spread_lookups(
		    st, argv[1], argv[2], argv[3], spread, now, validity, secs);
		store_issuer_list_free(v, n);
		store_close(st);
		return cs;
	}
	for (i = 0; i < n; i++)
		if (strcmp(v[i].id, argv[2]) == 0)
			break;
	if (i == n || signer_open(&v[i], 1, &sg, err, sizeof(err)) != OB_OK) {
		fprintf(stderr, "micro: %s\n", i == n ? "no such issuer" : err);
		return 1;
	}
	/* About the size of a one-CertID tbsResponseData. */
	memset(data, 0x5a, sizeof(data));
	t0 = cpu_now();
	while (sign && !spent(t0, secs, count)) {
		if (signer_sign(sg, data, sizeof(data), sig, &siglen) !=
		    OB_OK) {
			fprintf(stderr, "micro: signing failed\n");
			return 1;
		}
		count++;
	}
	if (sign)
		printf("signatures/s %.1f\n", (double)count / (cpu_now() - t0));
	if (!lookup)
		goto out;
	count = 0;
	t0 = cpu_now();
	while (!spent(t0, secs, count)) {
		if (store_cache_get(st, argv[2], argv[3], now, validity, &der,
			&len, &tu, &nu, &cs, err, sizeof(err)) != OB_OK) {
			fprintf(stderr, "micro: lookup: %s\n", err);
			return 1;
		}
		free(der);
		count++;
	}
	printf("lookups/s %.1f\n", (double)count / (cpu_now() - t0));
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) !=
		SQLITE_OK ||
	    sqlite3_prepare_v2(db, "PRAGMA data_version", -1, &stmt, NULL) !=
		SQLITE_OK) {
		fprintf(stderr, "micro: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	count = 0;
	t0 = cpu_now();
	while (!spent(t0, secs, count)) {
		if (sqlite3_step(stmt) != SQLITE_ROW) {
			fprintf(stderr, "micro: %s\n", sqlite3_errmsg(db));
			return 1;
		}
		sqlite3_reset(stmt);
		count++;
	}
	printf("data_version/s %.1f\n", (double)count / (cpu_now() - t0));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	if (parallel_lookups(argv[1], argv[2], argv[3], now, validity, secs) !=
	    0)
		return 1;
out:
	signer_free(sg);
	store_issuer_list_free(v, n);
	store_close(st);
	return 0;
}
