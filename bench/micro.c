/*
 * Three rates on one thread, for `make bench`: raw signatures with one
 * issuer's responder key (what the refresh pass is compared with); cache
 * lookups of one cached serial (what an in-memory layer in front of
 * SQLite could save at most); and `PRAGMA data_version` reads (what such
 * a layer would still pay on every request to see another process's
 * revoke). Usage: micro DB ISSUER_ID SERIAL SECONDS; prints
 * "signatures/s N", "lookups/s N" and "data_version/s N".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "cli.h"

static double
clock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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

	if (argc != 5) {
		fprintf(stderr, "usage: micro DB ISSUER_ID SERIAL SECONDS\n");
		return 2;
	}
	secs = atof(argv[4]);
	/* bench/run.sh signs with serve's default validity */
	util_duration_parse(CLI_VALIDITY_DEFAULT, &validity);
	if (store_open(argv[1], 0, &st, err, sizeof(err)) != OB_OK ||
	    store_issuer_list(st, &v, &n, err, sizeof(err)) != OB_OK) {
		fprintf(stderr, "micro: %s\n", err);
		return 1;
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
	t0 = clock_now();
	while (clock_now() - t0 < secs) {
		if (signer_sign(sg, data, sizeof(data), sig, &siglen) !=
		    OB_OK) {
			fprintf(stderr, "micro: signing failed\n");
			return 1;
		}
		count++;
	}
	printf("signatures/s %.1f\n", (double)count / (clock_now() - t0));
	count = 0;
	t0 = clock_now();
	while (clock_now() - t0 < secs) {
		if (store_cache_get(st, argv[2], argv[3], now, validity, &der,
			&len, &tu, &nu, &cs, err, sizeof(err)) != OB_OK) {
			fprintf(stderr, "micro: lookup: %s\n", err);
			return 1;
		}
		free(der);
		count++;
	}
	printf("lookups/s %.1f\n", (double)count / (clock_now() - t0));
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) !=
		SQLITE_OK ||
	    sqlite3_prepare_v2(db, "PRAGMA data_version", -1, &stmt, NULL) !=
		SQLITE_OK) {
		fprintf(stderr, "micro: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	count = 0;
	t0 = clock_now();
	while (clock_now() - t0 < secs) {
		if (sqlite3_step(stmt) != SQLITE_ROW) {
			fprintf(stderr, "micro: %s\n", sqlite3_errmsg(db));
			return 1;
		}
		sqlite3_reset(stmt);
		count++;
	}
	printf("data_version/s %.1f\n", (double)count / (clock_now() - t0));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	signer_free(sg);
	store_issuer_list_free(v, n);
	store_close(st);
	return 0;
}
