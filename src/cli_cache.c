/*
 * The cache commands (`cache refresh`, `cache stats`) and the settings the
 * cache shares with serve: the refresh interval from the flag or the
 * environment, and a validity longer than it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

int
cli_cache_settings(const char *cmd, const char *interval_arg,
    const char *validity_arg, const char *backdate_arg, int64_t *interval,
    int64_t *validity, int64_t *backdate)
{
	static const char *const envs[] = {
	    "OCSPBOX_REFRESH_INTERVAL",
	    "CERTCTL_OCSP_CACHE_REFRESH_INTERVAL",
	};
	const char *src = "--refresh-interval", *v = interval_arg;
	size_t i;

	/* The flag beats the environment; ours beats the seed's name. */
	for (i = 0; v == NULL && i < sizeof(envs) / sizeof(envs[0]); i++)
		if ((v = getenv(envs[i])) != NULL && v[0] != '\0')
			src = envs[i];
		else
			v = NULL;
	if (v == NULL)
		v = CLI_REFRESH_INTERVAL_DEFAULT;
	if (util_duration_parse(v, interval) != OB_OK) {
		log_warnx("%s: bad %s \"%s\" (want e.g. 90s, 30m, 1h, 7d)", cmd,
		    src, v);
		return OB_EXIT_USAGE;
	}
	if (validity_arg == NULL)
		validity_arg = CLI_VALIDITY_DEFAULT;
	if (util_duration_parse(validity_arg, validity) != OB_OK) {
		log_warnx("%s: bad --validity \"%s\" (want e.g. 90s, 30m, "
			  "1h, 7d)",
		    cmd, validity_arg);
		return OB_EXIT_USAGE;
	}
	/*
	 * Each interval re-signs what is due and builds every CRL again (a
	 * new cRLNumber each time): a second is a typo for an hour, not a
	 * setting. A validity that short (a lab's) allows a fifth of it.
	 */
	if (*interval < (*validity / 5 < 60 ? *validity / 5 : 60)) {
		log_warnx("%s: %s %llds is too short: each interval re-signs "
			  "what is due and builds every CRL again (a new "
			  "CRL number each time); want at least 60s, or a "
			  "fifth of --validity when that is shorter",
		    cmd, src, (long long)*interval);
		return OB_EXIT_USAGE;
	}
	/* Else a response could reach its nextUpdate before a re-sign. */
	if (*validity <= *interval) {
		log_warnx("%s: --validity (%llds) must be longer than the "
			  "refresh interval (%llds)",
		    cmd, (long long)*validity, (long long)*interval);
		return OB_EXIT_USAGE;
	}
	return cli_duration_arg(cmd, "backdate",
	    backdate_arg != NULL ? backdate_arg : CLI_BACKDATE_DEFAULT,
	    7 * 86400, backdate);
}

int
cli_cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1                  ? 1
	    : n > REFRESH_THREADS_MAX ? REFRESH_THREADS_MAX
				      : (int)n;
}

static void
progress(void *arg, size_t done, size_t total)
{
	(void)arg;
	log_warnx("cache refresh: %zu of %zu signed", done, total);
}

/* The report of `cache refresh`: built CRLs on stdout, failures warned. */
static void
report_cli(void *arg, const char *issuer_id, enum ob_err e,
    const struct crlgen_result *res, const char *err)
{
	char dec[OB_CRLNUM_DEC + 1];

	(void)arg;
	if (e != OB_OK) {
		log_warnx("cache refresh: crl %s: %s", issuer_id, err);
		return;
	}
	util_crlnum_dec(&res->number, dec);
	printf("crl %s: #%s, %zu revoked, %zu bytes, in %lld ms\n", issuer_id,
	    dec, res->revoked, res->bytes, (long long)res->duration_ms);
}

/*
 * Builds the CRL of every issuer with a CRL key, as each refresh tick of
 * serve does, printing one line each. Returns how many failed.
 */
static int
refresh_cli_crls(struct cli_ctx *ctx, struct responder *r)
{
	struct issuers *iss = responder_issuers_hold(r);
	struct store *st;
	size_t failed;

	failed = issuers_crl_ids(iss, NULL, 0);
	issuers_release(iss);
	if (failed == 0)
		return 0;
	if ((st = cli_open_db(ctx, 0)) == NULL)
		return 1;
	failed = crlgen_build_all(r, st, 0, 1, report_cli, NULL, NULL);
	store_close(st);
	return (int)failed;
}

static int
cache_refresh(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *interval_arg = NULL, *validity_arg = NULL,
		   *backdate_arg = NULL;
	const struct cli_opt opts[] = {
	    {"refresh-interval", 1, &interval_arg, NULL},
	    {"validity", 1, &validity_arg, NULL},
	    {"backdate", 1, &backdate_arg, NULL},
	    {NULL, 0, NULL, NULL},
	};
	struct responder_conf rc;
	struct refresh_result res;
	struct responder *r = NULL;
	struct store *st;
	char err[OB_ERRBUF];
	int64_t interval, validity, backdate;
	int npos, rv, crl_failed, ncpu = cli_cpu_count();
	enum ob_err e;

	rv = cli_parse_opts("cache refresh", argc, argv, opts, NULL, 0, &npos);
	if (rv == 1) {
		printf("usage: ocspbox cache refresh [--validity DUR] "
		       "[--refresh-interval DUR] [--backdate DUR]\n\n"
		       "Runs one refresh pass, as serve's refresh thread "
		       "does: drops the entries\nof expired certificates and "
		       "signs every registered, unexpired certificate\n"
		       "whose entry is missing or due. Give the same "
		       "--validity, interval and\n--backdate as serve "
		       "(defaults %s; $OCSPBOX_REFRESH_INTERVAL, else\n"
		       "$CERTCTL_OCSP_CACHE_REFRESH_INTERVAL, else %s; and "
		       "%s).\nPrints the counts; a long pass reports progress "
		       "on stderr. Then\nbuilds the CRL of every issuer with "
		       "a CRL key.\n",
		    CLI_VALIDITY_DEFAULT, CLI_REFRESH_INTERVAL_DEFAULT,
		    CLI_BACKDATE_DEFAULT);
		return OB_EXIT_OK;
	}
	if (rv < 0)
		return OB_EXIT_USAGE;
	if ((rv = cli_cache_settings("cache refresh", interval_arg,
		 validity_arg, backdate_arg, &interval, &validity,
		 &backdate)) != OB_EXIT_OK)
		return rv;
	if ((st = cli_open_db(ctx, 0)) == NULL)
		return OB_EXIT_ERR;
	store_close(st);
	memset(&rc, 0, sizeof(rc));
	rc.db_path = ctx->db;
	rc.nsign = ncpu;
	rc.validity = validity;
	rc.backdate = backdate;
	rc.unknown_max = 0;
	if (responder_new(&rc, &r, err, sizeof(err)) != OB_OK) {
		log_warnx("cache refresh: %s", err);
		return OB_EXIT_ERR;
	}
	e = refresh_pass(r, ctx->db, interval, ncpu, "cli", NULL, progress,
	    NULL, &res, err, sizeof(err));
	if (e != OB_OK) {
		responder_free(r);
		log_warnx("cache refresh: %s", err);
		return OB_EXIT_ERR;
	}
	printf("refreshed: %zu due, %zu signed, %zu written, %zu errors, "
	       "%zu dropped, %zu skipped, in %lld ms\n",
	    res.todo, res.nsigned, res.written, res.errors, res.dropped,
	    res.skipped, (long long)res.duration_ms);
	crl_failed = refresh_cli_crls(ctx, r);
	responder_free(r);
	return res.errors > 0 || crl_failed ? OB_EXIT_ERR : OB_EXIT_OK;
}

static int
cache_stats(struct cli_ctx *ctx, int argc, char **argv)
{
	int npos, rv, as_json = 0;
	const struct cli_opt opts[] = {
	    {"json", 0, NULL, &as_json},
	    {NULL, 0, NULL, NULL},
	};
	struct store_stats s;
	struct store *st;
	char err[OB_ERRBUF], *json;
	size_t len;
	int64_t now = (int64_t)time(NULL);

	rv = cli_parse_opts("cache stats", argc, argv, opts, NULL, 0, &npos);
	if (rv == 1) {
		printf("usage: ocspbox cache stats [--json]\n\n"
		       "Prints what the admin panel shows: entries, fresh "
		       "and stale, per issuer\ngood / revoked / unknown, the "
		       "oldest nextUpdate, the counters (totals\nsince the "
		       "database was made; a running server adds its own "
		       "every 5 s)\nand the last refresh pass. --json "
		       "prints the admin API's document.\n");
		return OB_EXIT_OK;
	}
	if (rv < 0)
		return OB_EXIT_USAGE;
	if ((st = cli_open_db(ctx, 0)) == NULL)
		return OB_EXIT_ERR;
	if (store_stats(st, now, &s, err, sizeof(err)) != OB_OK) {
		log_warnx("cache stats: %s", err);
		store_close(st);
		return OB_EXIT_ERR;
	}
	store_close(st);
	if (!as_json) {
		metrics_stats_text(&s, now, stdout);
		store_stats_free(&s);
		return OB_EXIT_OK;
	}
	if (metrics_stats_json(&s, NULL, now, &json, &len) != OB_OK) {
		store_stats_free(&s);
		log_warnx("cache stats: out of memory");
		return OB_EXIT_ERR;
	}
	store_stats_free(&s);
	fwrite(json, 1, len, stdout);
	free(json);
	return OB_EXIT_OK;
}

int
cli_cache(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fprintf(argc < 2 ? stderr : stdout,
		    "usage: ocspbox cache refresh [--validity DUR] "
		    "[--refresh-interval DUR] [--backdate DUR]\n"
		    "       ocspbox cache stats [--json]\n");
		return argc < 2 ? OB_EXIT_USAGE : OB_EXIT_OK;
	}
	if (strcmp(argv[1], "refresh") == 0)
		return cache_refresh(ctx, argc - 1, argv + 1);
	if (strcmp(argv[1], "stats") == 0)
		return cache_stats(ctx, argc - 1, argv + 1);
	log_warnx("cache: unknown subcommand %s (refresh or stats)", argv[1]);
	return OB_EXIT_USAGE;
}
