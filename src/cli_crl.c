/*
 * `ocspbox crl import`: the CRL of an offline CA, whose key never comes
 * near this box, checked against the issuer certificate, its revocations
 * applied and the CRL served as it is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* CRL files larger than this are not what we think. */
#define CRL_FILE_MAX (256 * 1024 * 1024)

/*
 * Reads path into a buffer with a NUL after it (PEM parsing counts it):
 * *len counts the NUL for PEM, not for DER. NULL after saying why.
 */
static unsigned char *
read_crl_file(const char *path, size_t *len)
{
	unsigned char *buf;
	char err[OB_ERRBUF];

	if (file_read(path, CRL_FILE_MAX, 0, &buf, len, err, sizeof(err)) !=
	    OB_OK) {
		log_warnx("crl import: %s", err);
		return NULL;
	}
	if (*len == 0) {
		log_warnx("crl import: %s: empty file", path);
		free(buf);
		return NULL;
	}
	if (strstr((char *)buf, "-----BEGIN") != NULL)
		*len += 1;
	return buf;
}

static int
crl_import(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *pos[2];
	struct store_issuer *v = NULL, *is = NULL;
	struct crl_info ci;
	struct store *st = NULL;
	struct timespec t0, t1;
	unsigned char *buf = NULL;
	char err[OB_ERRBUF], ts[32], dec[OB_CRLNUM_DEC + 1];
	size_t len = 0, n = 0, i, revoked = 0;
	int npos, rv, ret = OB_EXIT_ERR, only = 0;
	const struct cli_opt opts[] = {
	    {"revocations-only", 0, NULL, &only},
	    {NULL, 0, NULL, NULL},
	};

	memset(&ci, 0, sizeof(ci));
	rv = cli_parse_opts("crl import", argc, argv, opts, pos, 2, &npos);
	if (rv == 1) {
		printf("usage: ocspbox crl import ISSUER_ID FILE "
		       "[--revocations-only]\n\n"
		       "Imports the CRL (DER or PEM) of an issuer whose CA "
		       "key is kept offline.\nIt must be a v2 CRL with a "
		       "cRLNumber above any this issuer had, and a\n"
		       "nextUpdate, issued and signed by the issuer's "
		       "certificate. Its serials\nare revoked as it says "
		       "(revocations made before are kept as they are),\n"
		       "in one transaction, and it is served as it is at "
		       "/crl/ISSUER_ID.crl.\nIssuers registered with "
		       "--ca-key build their own CRLs instead.\n\n"
		       "--revocations-only applies its revocations and "
		       "nothing else, for any\nissuer and any number: after "
		       "a restore from a backup, the last CRL\npublished "
		       "puts back what was revoked since.\n");
		return OB_EXIT_OK;
	}
	if (rv < 0)
		return OB_EXIT_USAGE;
	if (npos != 2) {
		log_warnx("crl import: need ISSUER_ID and FILE (see --help)");
		return OB_EXIT_USAGE;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((st = cli_open_db(ctx, 0)) == NULL)
		return OB_EXIT_ERR;
	store_source(st, "crl");
	if (store_issuer_list(st, &v, &n, err, sizeof(err)) != OB_OK) {
		log_warnx("crl import: %s", err);
		goto out;
	}
	for (i = 0; i < n; i++)
		if (strcmp(v[i].id, pos[0]) == 0)
			is = &v[i];
	if (is == NULL) {
		log_warnx("crl import: no issuer %s", pos[0]);
		goto out;
	}
	if (is->crl_key_path != NULL && !only) {
		log_warnx("crl import: issuer %s has a CRL key and builds its "
			  "own CRLs (--revocations-only applies a CRL's "
			  "revocations)",
		    pos[0]);
		goto out;
	}
	if ((buf = read_crl_file(pos[1], &len)) == NULL)
		goto out;
	if (crl_parse(buf, len, &ci, err, sizeof(err)) != OB_OK ||
	    signer_crl_verify(is->cert_der, is->cert_len, ci.der, ci.len, err,
		sizeof(err)) != OB_OK) {
		log_warnx("crl import: %s: %s", pos[1], err);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (only) {
		if (store_crl_apply(
			st, pos[0], &ci, &revoked, err, sizeof(err)) != OB_OK) {
			log_warnx("crl import: %s: %s", pos[1], err);
			goto out;
		}
		util_crlnum_dec(&ci.number, dec);
		printf("applied the revocations of CRL #%s of issuer %s: %zu "
		       "entries, %zu newly revoked\n",
		    dec, pos[0], ci.n, revoked);
		ret = OB_EXIT_OK;
		goto out;
	}
	if (store_crl_import(st, pos[0], &ci,
		(int64_t)(t1.tv_sec - t0.tv_sec) * 1000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000000,
		&revoked, err, sizeof(err)) != OB_OK) {
		log_warnx("crl import: %s: %s", pos[1], err);
		goto out;
	}
	util_time_format(ci.next_update, ts, sizeof(ts));
	util_crlnum_dec(&ci.number, dec);
	printf("imported CRL #%s of issuer %s: %zu entries, %zu newly "
	       "revoked, nextUpdate %s\n",
	    dec, pos[0], ci.n, revoked, ts);
	if (ci.next_update <= (int64_t)time(NULL))
		log_warnx("crl import: note: this CRL is past its nextUpdate; "
			  "it is served, marked stale");
	ret = OB_EXIT_OK;
out:
	crl_info_free(&ci);
	free(buf);
	store_issuer_list_free(v, n);
	store_close(st);
	return ret;
}

int
cli_crl(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fprintf(argc < 2 ? stderr : stdout,
		    "usage: ocspbox crl import ISSUER_ID FILE "
		    "[--revocations-only]\n");
		return argc < 2 ? OB_EXIT_USAGE : OB_EXIT_OK;
	}
	if (strcmp(argv[1], "import") == 0)
		return crl_import(ctx, argc - 1, argv + 1);
	log_warnx("crl: unknown subcommand %s (import)", argv[1]);
	return OB_EXIT_USAGE;
}
