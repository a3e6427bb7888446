/*
 * Unit tests for the stats and metrics writers: the stats JSON, the text
 * of `cache stats` and the Prometheus exposition, compared byte for byte
 * with golden files in tests/vectors/metrics/ for fixed inputs, plus
 * targeted checks of what the bytes mean. To regenerate the goldens after
 * an intended change of output, run from the top of the tree
 *	OB_METRICS_GOLDEN=write build/tests/test_metrics
 * and read the diff before committing it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "harness.h"

#define VECTORS "tests/vectors/metrics/"
#define NOW 1800000000 /* 2027-01-15T08:00:00Z */

/* ---- the fixed inputs --------------------------------------------------- */

static struct store_issuer_stats issuers[5];
static struct store_stats stats;
static struct http_ocsp_counts requests;
static struct http_admin_counts admin;
static struct responder_counters totals;
static struct responder_hist hists[2];
static struct issuer_state states[3];
static struct metrics_live live;
static struct metrics_follow follows[2];

/*
 * The richest input: a refresh pass recorded, five issuers (a fresh CRL,
 * a stale one numbered 2^53, one numbered 2^159 - 1 without a key, none
 * at all, and a failed attempt), an error string and an issuer id that
 * need escaping, and everything a running server knows. Every count is
 * distinct, so a field read in the wrong place shows.
 */
static void
fixture_full(void)
{
	struct store_issuer_stats *is = issuers;
	size_t i, j;

	memset(issuers, 0, sizeof(issuers));
	memset(&stats, 0, sizeof(stats));
	snprintf(is[0].id, sizeof(is[0].id), "a.root");
	is[0].entries = 5;
	is[0].good = 3;
	is[0].revoked = 1;
	is[0].unknown = 1;
	is[0].stale = 2;
	is[0].next_update_min = 1800003600;
	is[0].crl_key = 1;
	is[0].crl_present = 1;
	util_crlnum_set(&is[0].crl_number, 7);
	is[0].crl_this_update = 1799913600;
	is[0].crl_next_update = 1800086400;
	is[0].crl_generated_at = 1799913601;
	is[0].crl_revoked = 1;
	is[0].cert_total = 6;
	is[0].cert_good = 4;
	is[0].cert_revoked = 1;
	is[0].cert_expired = 1;

	snprintf(is[1].id, sizeof(is[1].id), "big_ca");
	is[1].entries = 9;
	is[1].good = 8;
	is[1].unknown = 1;
	is[1].next_update_min = 1800000001;
	is[1].crl_key = 1;
	is[1].crl_present = 1;
	util_crlnum_set(&is[1].crl_number, (uint64_t)1 << 53);
	is[1].crl_this_update = 1799900000;
	is[1].crl_next_update = NOW; /* stale: nextUpdate <= now */
	is[1].crl_generated_at = 1799900002;
	is[1].crl_revoked = 123456;
	snprintf(is[1].crl_error, sizeof(is[1].crl_error),
	    "open \"k\\1.pem\": no\nsuch\tfile");
	/* Its CRL lacks a revocation the build failures left out. */
	is[1].crl_behind = 1;
	is[1].cert_total = 123457;
	is[1].cert_revoked = 123457;

	snprintf(is[2].id, sizeof(is[2].id), "huge-ca");
	is[2].entries = 1;
	is[2].revoked = 1;
	is[2].next_update_min = 1800007200;
	is[2].crl_present = 1; /* imported: no key */
	CHECK(util_crlnum_from_hex("7fffffffffffffffffffffffffffffffffffffff",
		  &is[2].crl_number) == OB_OK);
	is[2].crl_this_update = 1799000000;
	is[2].crl_next_update = 1900000000;
	is[2].crl_generated_at = 1799000003;
	is[2].crl_revoked = 0;

	snprintf(is[3].id, sizeof(is[3].id), "nocrl");
	is[3].next_update_min = INT64_MIN;

	/* Not an id the CLI accepts; the writers escape it all the same. */
	snprintf(is[4].id, sizeof(is[4].id), "we\"ird\\id\n");
	is[4].entries = 2;
	is[4].good = 1;
	is[4].revoked = 1;
	is[4].stale = 1;
	is[4].next_update_min = 1799990000;
	is[4].crl_key = 1;
	snprintf(is[4].crl_error, sizeof(is[4].crl_error), "k.pem: gone");

	stats.issuers = issuers;
	stats.nissuers = 5;
	stats.entries = 17;
	stats.stale = 3;
	stats.hits = 100;
	stats.misses = 25;
	stats.live_signs = 7;
	stats.invalidations = 3;
	stats.have_run = 1;
	stats.last_run.started_at = 1799999000;
	stats.last_run.duration_ms = 1234;
	stats.last_run.nsigned = 40;
	stats.last_run.errors = 2;
	stats.last_run.dropped = 5;
	snprintf(stats.last_run.source, sizeof(stats.last_run.source), "serve");

	memset(&requests, 0, sizeof(requests));
	for (i = 0; i < 2; i++)
		for (j = 0; j < OCSP_RESP_STATUS_COUNT; j++)
			requests.by[i][j] = (int64_t)(1000 * (i + 1) + j);
	requests.get = 501;
	requests.post = 502;
	for (j = 0; j < OCSP_RESP_STATUS_COUNT; j++)
		requests.status[j] = (int64_t)(600 + j);
	requests.http_errors = 13;
	requests.crl = 17;
	requests.conn_open = 2;
	requests.conn_accepted = 300;
	requests.conn_evicted = 4;
	requests.conn_idle_closed = 5;
	requests.req_timed_out = 6;
	requests.req_rejected = 8;
	requests.gate_answered = 9;

	admin.auth_failures = 21;
	admin.auth_limited = 22;
	admin.misdirected = 23;
	totals.hits = 1000;
	totals.misses = 200;
	totals.live_signs = 30;

	memset(hists, 0, sizeof(hists));
	snprintf(hists[0].issuer, sizeof(hists[0].issuer), "a.root");
	for (j = 0; j <= OB_SIGN_BUCKETS; j++)
		hists[0].bucket[j] = (int64_t)j;
	hists[0].count = 78;
	hists[0].sum_us = 1234567;
	snprintf(hists[1].issuer, sizeof(hists[1].issuer), "we\"ird\\id\n");
	hists[1].bucket[3] = 2;
	hists[1].bucket[OB_SIGN_BUCKETS] = 1;
	hists[1].count = 3;
	hists[1].sum_us = 2600001;

	memset(&live, 0, sizeof(live));
	live.hits = 11;
	live.misses = 4;
	live.live_signs = 2;
	live.interval = 3600;
	live.running = 1;
	live.next_due = NOW + 2600;
	live.host = "box-1";
	live.database = "/var/lib/ocspbox/ocspbox.db";
	live.started_at = 1799990000;
	live.requests = &requests;
	live.totals = &totals;
	live.hists = hists;
	live.nhists = 2;
	live.admin = &admin;
	/* Responders: one fine, one expiring, one expired. */
	memset(states, 0, sizeof(states));
	snprintf(states[0].id, sizeof(states[0].id), "a.root");
	states[0].not_after = NOW + 90 * 86400;
	snprintf(states[1].id, sizeof(states[1].id), "big_ca");
	states[1].not_after = NOW + 86400;
	states[1].health = RESPCERT_EXPIRING;
	states[1].expiring = 1;
	snprintf(states[2].id, sizeof(states[2].id), "we\"ird\\id\n");
	states[2].not_after = NOW - 60;
	states[2].health = RESPCERT_EXPIRED;
	states[2].expiring = 1;
	live.states = states;
	live.nstates = 3;
	live.warn = 14 * 86400;
	/* A build-info label escaped as any other. */
	live.version = "1.2.3+git20261130.67abe0f";
	live.sqlite_version = "3.40.1";
	live.mbedtls_version = "2.28.3";
	live.civetweb_version = "1.15\"x";
	/* Indexes followed: one applied, one whose version is broken. */
	memset(follows, 0, sizeof(follows));
	follows[0].issuer = "a.root";
	follows[0].path = "/srv/ca/index.txt";
	follows[0].st.versions = 12;
	follows[0].st.applied_at = NOW - 30;
	follows[1].issuer = "big_ca";
	follows[1].path = "/srv/big \"ca\"/index.txt";
	follows[1].st.versions = 3;
	follows[1].st.broken = 2;
	follows[1].st.applied_at = NOW - 7200;
	follows[1].st.bad_line = 5;
	snprintf(follows[1].st.err, sizeof(follows[1].st.err),
	    "/srv/big/index.txt:5: bad status X");
	live.follows = follows;
	live.nfollows = 2;
}

/* The CLI's input: the same store, no pass recorded, no live numbers. */
static void
fixture_bare(void)
{
	fixture_full();
	stats.have_run = 0;
	memset(&stats.last_run, 0, sizeof(stats.last_run));
}

/* A new database and a live part with nothing set. */
static void
fixture_empty(void)
{
	memset(&stats, 0, sizeof(stats));
	memset(&live, 0, sizeof(live));
}

/* ---- golden files ------------------------------------------------------- */

static char *
slurp(const char *path, size_t *len)
{
	char *buf = NULL;
	size_t cap = 0, n;
	FILE *fp;

	*len = 0;
	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (*len + 4096 + 1 > cap) {
			cap = (*len + 4096 + 1) * 2;
			if ((buf = realloc(buf, cap)) == NULL)
				break;
		}
		if ((n = fread(buf + *len, 1, 4096, fp)) == 0)
			break;
		*len += n;
	}
	fclose(fp);
	if (buf != NULL)
		buf[*len] = '\0';
	return buf;
}

/*
 * Compares got (len bytes) with the golden file name, or writes it there
 * when OB_METRICS_GOLDEN=write. On a difference, prints the first line
 * that differs.
 */
static void
golden(const char *name, const char *got, size_t len)
{
	char path[256];
	const char *mode = getenv("OB_METRICS_GOLDEN");
	char *want;
	size_t wlen, i, line = 1, bol = 0;
	FILE *fp;

	snprintf(path, sizeof(path), VECTORS "%s", name);
	CHECK(got != NULL);
	if (got == NULL)
		return;
	if (mode != NULL && strcmp(mode, "write") == 0) {
		fp = fopen(path, "wb");
		CHECK(fp != NULL && fwrite(got, 1, len, fp) == len);
		CHECK(fp != NULL && fclose(fp) == 0);
		return;
	}
	want = slurp(path, &wlen);
	CHECK(want != NULL);
	if (want == NULL)
		return;
	for (i = 0; i < len && i < wlen && got[i] == want[i]; i++)
		if (got[i] == '\n') {
			line++;
			bol = i + 1;
		}
	if (i < len || i < wlen) {
		fprintf(stderr,
		    "  %s: differs at line %zu\n   got: %.*s\n  want: %.*s\n",
		    path, line, (int)strcspn(got + bol, "\n"), got + bol,
		    (int)strcspn(want + bol, "\n"), want + bol);
		harness_failures++;
	}
	free(want);
}

/* The three writers on the current fixture, each against its golden. */
static void
golden_all(const char *base, const struct metrics_live *lp)
{
	char name[64], *out = NULL;
	size_t len = 0;
	FILE *fp;

	snprintf(name, sizeof(name), "%s.json", base);
	CHECK(metrics_stats_json(&stats, lp, NOW, &out, &len) == OB_OK);
	CHECK(out != NULL && strlen(out) == len);
	golden(name, out, len);
	free(out);
	out = NULL;

	snprintf(name, sizeof(name), "%s.prom", base);
	CHECK(metrics_text(&stats, lp, &out, &len) == OB_OK);
	CHECK(out != NULL && strlen(out) == len);
	golden(name, out, len);
	free(out);
	out = NULL;

	snprintf(name, sizeof(name), "%s.txt", base);
	CHECK((fp = open_memstream(&out, &len)) != NULL);
	if (fp == NULL)
		return;
	metrics_stats_text(&stats, NOW, fp);
	CHECK(fclose(fp) == 0);
	golden(name, out, len);
	free(out);
}

static void
test_golden_full(void)
{
	fixture_full();
	golden_all("full", &live);
}

static void
test_golden_bare(void)
{
	fixture_bare();
	golden_all("bare", NULL);
}

static void
test_golden_empty(void)
{
	fixture_empty();
	golden_all("empty", &live);
}

/* ---- what the bytes mean ------------------------------------------------ */

/*
 * The exposition's grammar, as a scraper reads it: each family has one
 * HELP and then one TYPE line, before its samples and right after each
 * other, and no family appears twice; every sample line is NAME[{...}]
 * VALUE with its name in the family last declared.
 */
static void
test_prom_shape(void)
{
	char *out = NULL, *line, *next, fam[128] = "", key[132];
	char seen[8192] = ",";
	size_t len = 0, n, samples = 0;
	int want_type = 0;

	fixture_full();
	CHECK(metrics_text(&stats, &live, &out, &len) == OB_OK);
	if (out == NULL)
		return;
	CHECK(len > 0 && out[len - 1] == '\n');
	for (line = out; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		CHECK(next != NULL);
		if (next == NULL)
			break;
		*next++ = '\0';
		if (strncmp(line, "# HELP ocspbox_", 15) == 0) {
			CHECK(!want_type);
			n = strcspn(line + 7, " ");
			CHECK(n < sizeof(fam));
			snprintf(fam, sizeof(fam), "%.*s", (int)n, line + 7);
			snprintf(key, sizeof(key), ",%s,", fam);
			CHECK(strstr(seen, key) == NULL); /* once */
			CHECK(strlen(seen) + n + 2 < sizeof(seen));
			if (strlen(seen) + n + 2 < sizeof(seen))
				strcat(strcat(seen, fam), ",");
			want_type = 1;
		} else if (strncmp(line, "# TYPE ", 7) == 0) {
			n = strlen(fam);
			CHECK(want_type && strncmp(line + 7, fam, n) == 0 &&
			    line[7 + n] == ' ');
			CHECK(strcmp(line + 8 + n, "counter") == 0 ||
			    strcmp(line + 8 + n, "gauge") == 0 ||
			    strcmp(line + 8 + n, "histogram") == 0);
			want_type = 0;
		} else {
			n = strlen(fam);
			CHECK(
			    !want_type && n > 0 && strncmp(line, fam, n) == 0);
			CHECK(strchr("{ _", line[n]) != NULL);
			CHECK(strrchr(line, ' ') != NULL &&
			    strrchr(line, ' ')[1] != '\0');
			samples++;
		}
	}
	CHECK(!want_type);
	CHECK(samples > 50);
	free(out);
}

static void
test_stats_json(void)
{
	struct store_issuer_stats is[2];
	struct store_stats s;
	struct metrics_live l;
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
	memset(&l, 0, sizeof(l));
	l.hits = 2;
	l.interval = 3600;
	CHECK(metrics_stats_json(&s, &l, 1800000000, &json, &len) == OB_OK);
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
		  "\"is_stale\":true,\"behind\":false,\"key\":true,"
		  "\"this_update\":\"2027-01-14T07:59:59Z\","
		  "\"generated_at\":\"2027-01-14T08:00:00Z\","
		  "\"revoked_count\":1,\"last_error\":null}") != NULL);
	CHECK(
	    strstr(json,
		"\"next_update_min\":null,\"certificates\":{\"total\":0,"
		"\"good\":0,\"revoked\":0,\"expired\":0},"
		"\"crl\":{\"present\":false,\"crl_number\":null,\"next_update\":null,"
		"\"is_stale\":false,\"behind\":false,\"key\":false,"
		"\"this_update\":null,"
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
		CHECK(metrics_stats_json(&s, NULL, 1800000000, &out, &len) ==
		    OB_OK);
		CHECK(out != NULL && strstr(out, v[i].json) != NULL);
		free(out);
		out = NULL;
		CHECK(metrics_text(&s, NULL, &out, &len) == OB_OK);
		snprintf(want, sizeof(want),
		    "\nocspbox_crl_number{issuer=\"big\"} %s\n", dec);
		CHECK(out != NULL && strstr(out, want) != NULL);
		free(out);
		out = NULL;
		if ((fp = open_memstream(&out, &len)) != NULL) {
			metrics_stats_text(&s, 1800000000, fp);
			fclose(fp);
		}
		snprintf(want, sizeof(want), "  crl #%s, ", dec);
		CHECK(out != NULL && strstr(out, want) != NULL);
		free(out);
		out = NULL;
	}
}

static const struct test tests[] = {
    {"golden_full", test_golden_full},
    {"golden_bare", test_golden_bare},
    {"golden_empty", test_golden_empty},
    {"prom_shape", test_prom_shape},
    {"stats_json", test_stats_json},
    {"stats_crl_numbers", test_stats_crl_numbers},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
	return harness_main(argc, argv, tests);
}
