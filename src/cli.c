/*
 * The commands that manage the store: migrate, schema translate, issuer,
 * cert and revoke. Each parses its own options, prints one line per error
 * (starting "ocspbox: ") and returns an exit code; nothing here exits.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* Longest line accepted from an index.txt. */
#define CLI_LINE_MAX 16384
/* Read at most this much from a migration file. */
#define CLI_SQL_MAX (4 * 1024 * 1024)

int
cli_duration_arg(const char *cmd, const char *name, const char *arg,
    int64_t max, int64_t *out)
{
	int64_t v = 0;

	if (arg == NULL)
		return OB_EXIT_OK;
	if ((strcmp(arg, "0") != 0 && util_duration_parse(arg, &v) != OB_OK) ||
	    v > max) {
		log_warnx("%s: bad --%s \"%s\" (want 0, or e.g. 90s, 30m, 1h; "
			  "at most %llds)",
		    cmd, name, arg, (long long)max);
		return OB_EXIT_USAGE;
	}
	*out = v;
	return OB_EXIT_OK;
}

int
cli_warn_arg(const char *cmd, const char *arg, int64_t *out)
{
	*out = RESPONDER_WARN_DEFAULT;
	return cli_duration_arg(cmd, "expiry-warning", arg, 365 * 86400, out);
}

int
cli_parse_opts(int argc, char **argv, const struct cli_opt *opts,
    const char **pos, int maxpos, int *npos)
{
	const struct cli_opt *o;
	const char *a, *eq;
	size_t nlen;
	int i, rest = 0;

	*npos = 0;
	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (!rest && strcmp(a, "--") == 0) {
			rest = 1;
			continue;
		}
		if (!rest && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0))
			return 1;
		if (rest || strncmp(a, "--", 2) != 0) {
			if (*npos == maxpos) {
				log_warnx(
				    "%s: unexpected argument %s", argv[0], a);
				return -1;
			}
			pos[(*npos)++] = a;
			continue;
		}
		eq = strchr(a, '=');
		nlen = eq != NULL ? (size_t)(eq - a - 2) : strlen(a + 2);
		for (o = opts; o != NULL && o->name != NULL; o++)
			if (strlen(o->name) == nlen &&
			    strncmp(o->name, a + 2, nlen) == 0)
				break;
		if (o == NULL || o->name == NULL) {
			log_warnx("%s: unknown option %s", argv[0], a);
			return -1;
		}
		if (!o->has_arg) {
			if (eq != NULL) {
				log_warnx("%s: --%s takes no value", argv[0],
				    o->name);
				return -1;
			}
			*o->flag = 1;
		} else if (eq != NULL) {
			*o->val = eq + 1;
		} else if (i + 1 < argc) {
			*o->val = argv[++i];
		} else {
			log_warnx("%s: --%s needs a value", argv[0], o->name);
			return -1;
		}
	}
	return 0;
}

/* Opens (creating if asked) and migrates the database. */
struct store *
cli_open_db(struct cli_ctx *ctx, int create)
{
	struct store *st = NULL;
	char err[OB_ERRBUF];
	struct stat sb;
	int ours = 0;

	err[0] = '\0';
	/* An empty file is no database: said before SQLite writes a
	 * header into it. */
	if (!create && stat(ctx->db, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_size == 0) {
		log_warnx("%s: not an ocspbox database (make it one: ocspbox "
			  "--db %s migrate)",
		    ctx->db, ctx->db);
		return NULL;
	}
	if (store_open(ctx->db, create, &st, err, sizeof(err)) != OB_OK) {
		log_warnx("%s", err);
		return NULL;
	}
	/* An empty file (touched, truncated) or another program's database
	 * is a mistyped path too: only migrate makes one ours. */
	if (!create &&
	    (store_migrated(st, &ours, err, sizeof(err)) != OB_OK || !ours)) {
		if (ours == 0 && err[0] == '\0')
			log_warnx("%s: not an ocspbox database (make it one: "
				  "ocspbox --db %s migrate)",
			    ctx->db, ctx->db);
		else
			log_warnx("%s: %s", ctx->db, err);
		store_close(st);
		return NULL;
	}
	if (store_migrate(st, 0, NULL, err, sizeof(err)) != OB_OK) {
		log_warnx("%s: %s", ctx->db, err);
		store_close(st);
		return NULL;
	}
	return st;
}

static int
check_id(const char *cmd, const char *id)
{
	if (!api_issuer_id_valid(id)) {
		log_warnx("%s: bad issuer id \"%s\" (1-%d of A-Z a-z 0-9 . _ "
			  "-, not starting with .)",
		    cmd, id, OB_ID_MAX);
		return 0;
	}
	return 1;
}

static int
parse_serial(const char *cmd, const char *in, char *out)
{
	switch (util_serial_canon(in, out)) {
	case OB_OK:
		return 1;
	case OB_ERR_RANGE:
		log_warnx("%s: serial %.40s... is longer than %d octets", cmd,
		    in, OB_SERIAL_MAX_OCTETS);
		return 0;
	default:
		log_warnx("%s: bad serial \"%s\" (want hex digits, after a "
			  "\"-\" when negative)",
		    cmd, in);
		return 0;
	}
}

int
cli_migrate(struct cli_ctx *ctx, int argc, char **argv)
{
	struct store *st = NULL;
	char err[OB_ERRBUF];
	int n, npos;

	switch (cli_parse_opts(argc, argv, NULL, NULL, 0, &npos)) {
	case 1:
		printf("usage: ocspbox [--db PATH] migrate\n\n"
		       "Creates the database if needed and applies every "
		       "embedded migration\nnot applied yet, each in one "
		       "transaction. A second run changes nothing.\n");
		return OB_EXIT_OK;
	case -1:
		return OB_EXIT_USAGE;
	}
	if (store_open(ctx->db, 1, &st, err, sizeof(err)) != OB_OK) {
		log_warnx("%s", err);
		return OB_EXIT_ERR;
	}
	if (store_migrate(st, 1, &n, err, sizeof(err)) != OB_OK) {
		log_warnx("%s: %s", ctx->db, err);
		store_close(st);
		return OB_EXIT_ERR;
	}
	printf("%s: %d migration%s applied, schema at %s\n", ctx->db, n,
	    n == 1 ? "" : "s",
	    schema_migrations[schema_migrations_count - 1].name);
	store_close(st);
	return OB_EXIT_OK;
}

int
cli_schema(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *pos[2];
	char *src = NULL, *out = NULL, err[OB_ERRBUF];
	size_t len;
	int npos, rc;

	(void)ctx;
	rc = cli_parse_opts(argc, argv, NULL, pos, 2, &npos);
	if (rc == 1) {
		printf("usage: ocspbox schema translate FILE\n\n"
		       "Prints the SQLite translation of a migration written "
		       "in the PostgreSQL\ndialect of schema/. A construct "
		       "that cannot be translated is an\nerror naming "
		       "FILE:LINE.\n");
		return OB_EXIT_OK;
	}
	if (rc < 0)
		return OB_EXIT_USAGE;
	if (npos != 2 || strcmp(pos[0], "translate") != 0) {
		log_warnx("usage: ocspbox schema translate FILE");
		return OB_EXIT_USAGE;
	}
	if (file_read(pos[1], CLI_SQL_MAX, 0, (unsigned char **)&src, &len, err,
		sizeof(err)) != OB_OK) {
		log_warnx("%s", err);
		return OB_EXIT_ERR;
	}
	if (schema_translate(pos[1], src, len, &out, err, sizeof(err)) !=
	    OB_OK) {
		log_warnx("%s", err);
		free(src);
		return OB_EXIT_ERR;
	}
	fputs(out, stdout);
	free(out);
	free(src);
	return OB_EXIT_OK;
}

static void
issuer_print_table(
    const struct store_issuer *v, size_t n, int64_t now, int64_t warn)
{
	enum respcert_state state;
	const char *status;
	char ts[32];
	size_t i;

	printf("%-16s %-8s %-10s %8s %8s %-4s %-20s %-8s %s\n", "ID", "KEY",
	    "RESPONDER", "CERTS", "REVOKED", "CRL", "RESPONDER-UNTIL", "STATUS",
	    "SUBJECT");
	for (i = 0; i < n; i++) {
		util_time_format(v[i].resp_not_after, ts, sizeof(ts));
		status = api_responder_status(&v[i], now, warn);
		printf("%-16s %-8s %-10s %8lld %8lld %-4s %-20s %-8s %s\n",
		    v[i].id, v[i].resp_key_alg,
		    v[i].resp_is_ca            ? "CA"
			: v[i].auto_life_s > 0 ? "automatic"
					       : "delegated",
		    (long long)v[i].n_certs, (long long)v[i].n_revoked,
		    v[i].crl_key_path != NULL ? "yes" : "no", ts, status,
		    v[i].subject);
	}
	/* The warning, where an operator looks: after the table, on stderr. */
	for (i = 0; i < n; i++) {
		util_time_format(v[i].resp_not_after, ts, sizeof(ts));
		state =
		    respcert_state(v[i].resp_not_before, v[i].resp_not_after,
			v[i].not_after, v[i].auto_life_s > 0, now, warn);
		if (state == RESPCERT_EXPIRED)
			log_warnx("issuer %s: its responder certificate "
				  "expired at %s: every answer is tryLater "
				  "(ocspbox issuer update %s ...)",
			    v[i].id, ts, v[i].id);
		else if (state == RESPCERT_EXPIRING && v[i].auto_life_s > 0)
			log_warnx("issuer %s: its automatic responder was "
				  "not renewed and expires at %s, in %lld h "
				  "(is serve running? its log says why)",
			    v[i].id, ts,
			    (long long)((v[i].resp_not_after - now) / 3600));
		else if (state == RESPCERT_EXPIRING)
			log_warnx("issuer %s: its responder certificate "
				  "expires at %s, in %lld h (ocspbox issuer "
				  "update %s ...)",
			    v[i].id, ts,
			    (long long)((v[i].resp_not_after - now) / 3600),
			    v[i].id);
	}
}

/*
 * Moves the responder fields of from (signer_issue_responder's result)
 * into is, whose CA fields are set; from is left empty.
 */
static void
take_responder(struct store_issuer *is, struct store_issuer *from)
{
	is->resp_der = from->resp_der;
	is->resp_len = from->resp_len;
	is->resp_subject = from->resp_subject;
	is->resp_key_path = from->resp_key_path;
	memcpy(is->resp_key_alg, from->resp_key_alg, sizeof(is->resp_key_alg));
	is->resp_not_before = from->resp_not_before;
	is->resp_not_after = from->resp_not_after;
	is->resp_is_ca = from->resp_is_ca;
	is->resp_generated = from->resp_generated;
	is->auto_life_s = from->auto_life_s;
	memset(from, 0, sizeof(*from));
}

/*
 * The directory of the keys ocspbox makes, "<database>.keys" (as serve's
 * refresh thread has it): malloc'd, the caller frees; NULL after saying
 * so when out of memory.
 */
static char *
key_dir(const struct cli_ctx *ctx)
{
	size_t n = strlen(ctx->db) + sizeof(".keys");
	char *keydir;

	if ((keydir = malloc(n)) == NULL) {
		log_warnx("out of memory");
		return NULL;
	}
	snprintf(keydir, n, "%s.keys", ctx->db);
	return keydir;
}

/*
 * issuer add --auto-responder: the responder certificate and key that
 * ocspbox makes for is (checked, CA fields set) with the CA's key, the
 * key in "<database>.keys/". Returns an exit code.
 */
static int
auto_responder(struct cli_ctx *ctx, struct store *st, struct store_issuer *is,
    int64_t life)
{
	struct store_issuer made;
	char err[OB_ERRBUF], *keydir = NULL;

	/* Said before a key is made for nothing. */
	if (store_issuer_exists(st, is->id, err, sizeof(err)) == OB_OK) {
		log_warnx("issuer add: issuer %s already exists", is->id);
		return OB_EXIT_ERR;
	}
	if ((keydir = key_dir(ctx)) == NULL)
		return OB_EXIT_ERR;
	if (signer_issue_responder(is, (int64_t)time(NULL), life, keydir, &made,
		err, sizeof(err)) != OB_OK) {
		log_warnx("issuer add: %s", err);
		free(keydir);
		return OB_EXIT_ERR;
	}
	free(keydir);
	take_responder(is, &made);
	return OB_EXIT_OK;
}

static int
issuer_add(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *pos[1], *ca = NULL, *rc_ = NULL, *rk = NULL, *ck = NULL;
	const char *crlk = NULL, *life_arg = NULL;
	int automatic = 0;
	const struct cli_opt opts[] = {
	    {"cert", 1, &ca, NULL},
	    {"responder-cert", 1, &rc_, NULL},
	    {"responder-key", 1, &rk, NULL},
	    {"auto-responder", 0, NULL, &automatic},
	    {"responder-life", 1, &life_arg, NULL},
	    {"ca-key", 1, &ck, NULL},
	    {"crl-key", 1, &crlk, NULL}, /* --ca-key's first name */
	    {NULL, 0, NULL, NULL},
	};
	struct store_issuer is;
	struct store *st = NULL;
	char err[OB_ERRBUF], na[32];
	int64_t life = SIGNER_RESPONDER_LIFE_DEFAULT;
	int npos, rc;

	rc = cli_parse_opts(argc, argv, opts, pos, 1, &npos);
	if (rc == 1) {
		printf(
		    "usage: ocspbox issuer add ID --cert CA.pem\n"
		    "           (--responder-cert R.pem --responder-key R.key\n"
		    "            | --auto-responder [--responder-life DUR])\n"
		    "           [--ca-key CA.key]\n\n"
		    "Registers a CA. The responder certificate must be "
		    "issued by the CA and\ncarry id-kp-OCSPSigning, or be "
		    "the CA certificate itself. Key files\nmust not be "
		    "readable by group or others; only their paths are "
		    "stored.\n\n"
		    "--ca-key CA.key       the CA's key (also --crl-key): "
		    "ocspbox signs this\n"
		    "                      issuer's CRL with it and, with "
		    "--auto-responder,\n"
		    "                      its own delegated responder "
		    "certificates.\n"
		    "--auto-responder      ocspbox issues the OCSP "
		    "responder certificate itself,\n"
		    "                      signed with --ca-key, for a "
		    "fresh key of the CA key's\n"
		    "                      kind (RSA 2048, ECDSA P-256 or "
		    "P-384), kept at mode\n"
		    "                      0600 in DB.keys/ beside the "
		    "database DB.\n"
		    "--responder-life DUR  how long that certificate is "
		    "valid (default 30d, at\n"
		    "                      least 1d); never past the CA "
		    "certificate's notAfter:\n"
		    "                      a longer life ends there.\n");
		return OB_EXIT_OK;
	}
	if (rc < 0)
		return OB_EXIT_USAGE;
	if (ck != NULL && crlk != NULL) {
		log_warnx("issuer add: give the CA's key once: --ca-key "
			  "(--crl-key is its other name)");
		return OB_EXIT_USAGE;
	}
	if (ck == NULL)
		ck = crlk;
	if (automatic && (rc_ != NULL || rk != NULL)) {
		log_warnx("issuer add: --auto-responder makes the responder "
			  "certificate and key; do not give --responder-cert "
			  "or --responder-key with it");
		return OB_EXIT_USAGE;
	}
	if (automatic && ck == NULL) {
		log_warnx("issuer add: --auto-responder needs --ca-key CA.key "
			  "(the CA's key signs the responder certificates)");
		return OB_EXIT_USAGE;
	}
	if (life_arg != NULL && !automatic) {
		log_warnx("issuer add: --responder-life goes with "
			  "--auto-responder");
		return OB_EXIT_USAGE;
	}
	if (life_arg != NULL &&
	    (util_duration_parse(life_arg, &life) != OB_OK ||
		life < SIGNER_RESPONDER_LIFE_MIN)) {
		log_warnx("issuer add: bad --responder-life \"%s\" (want a "
			  "duration of at least 1d, e.g. 7d, 30d)",
		    life_arg);
		return OB_EXIT_USAGE;
	}
	if (npos != 1 || ca == NULL ||
	    (!automatic && (rc_ == NULL || rk == NULL))) {
		log_warnx("issuer add: need ID, --cert, and --responder-cert "
			  "with --responder-key or --auto-responder (see "
			  "--help)");
		return OB_EXIT_USAGE;
	}
	if (!check_id("issuer add", pos[0]))
		return OB_EXIT_USAGE;
	if (signer_check_issuer(ca, rc_, rk, ck, &is, err, sizeof(err)) !=
	    OB_OK) {
		log_warnx("issuer add: %s", err);
		return OB_EXIT_ERR;
	}
	snprintf(is.id, sizeof(is.id), "%s", pos[0]);
	if ((st = cli_open_db(ctx, 0)) == NULL) {
		store_issuer_clear(&is);
		return OB_EXIT_ERR;
	}
	if (automatic &&
	    (rc = auto_responder(ctx, st, &is, life)) != OB_EXIT_OK)
		goto out;
	if (store_issuer_add(st, &is, err, sizeof(err)) != OB_OK) {
		log_warnx("issuer add: %s", err);
		/* A key made for a responder that was not registered. */
		if (automatic)
			unlink(is.resp_key_path);
		rc = OB_EXIT_ERR;
	} else if (automatic) {
		util_time_format(is.resp_not_after, na, sizeof(na));
		printf("added issuer %s (%s), automatic responder %s (%s), "
		       "valid until %s%s, key %s\n",
		    is.id, is.subject, is.resp_subject, is.resp_key_alg, na,
		    is.resp_not_after == is.not_after
			? " (the CA certificate's notAfter)"
			: "",
		    is.resp_key_path);
		rc = OB_EXIT_OK;
	} else {
		printf("added issuer %s (%s), responder %s (%s)\n", is.id,
		    is.subject, is.resp_is_ca ? "is the CA" : is.resp_subject,
		    is.resp_key_alg);
		rc = OB_EXIT_OK;
	}
out:
	store_issuer_clear(&is);
	store_close(st);
	return rc;
}

static int
issuer_list(struct cli_ctx *ctx, int argc, char **argv)
{
	struct store_issuer *v = NULL;
	struct store *st = NULL;
	const char *warn_arg = NULL;
	char err[OB_ERRBUF], *text;
	int64_t warn, now = (int64_t)time(NULL);
	size_t n;
	int npos, json = 0, rc;
	const struct cli_opt opts[] = {
	    {"json", 0, NULL, &json},
	    {"expiry-warning", 1, &warn_arg, NULL},
	    {NULL, 0, NULL, NULL},
	};

	rc = cli_parse_opts(argc, argv, opts, NULL, 0, &npos);
	if (rc == 1) {
		printf("usage: ocspbox issuer list [--json] [--expiry-warning "
		       "DUR]\n\n"
		       "Lists the registered issuers, their responders "
		       "(until when, and whether\nthat is within "
		       "--expiry-warning, default 14d: STATUS expiring, or "
		       "expired)\nand certificate counts. An expiring "
		       "responder is also said on stderr.\n");
		return OB_EXIT_OK;
	}
	if (rc < 0 ||
	    cli_warn_arg("issuer list", warn_arg, &warn) != OB_EXIT_OK)
		return OB_EXIT_USAGE;
	if ((st = cli_open_db(ctx, 0)) == NULL)
		return OB_EXIT_ERR;
	if (store_issuer_list(st, &v, &n, err, sizeof(err)) != OB_OK) {
		log_warnx("issuer list: %s", err);
		store_close(st);
		return OB_EXIT_ERR;
	}
	rc = OB_EXIT_OK;
	if (!json)
		issuer_print_table(v, n, now, warn);
	else if ((text = api_issuers_json(v, n, now, warn)) != NULL) {
		printf("%s\n", text); /* the API's document, the same bytes */
		free(text);
	} else {
		log_warnx("issuer list: out of memory");
		rc = OB_EXIT_ERR;
	}
	store_issuer_list_free(v, n);
	store_close(st);
	return rc;
}

/*
 * Looks up one issuer's record (its certificates and keys; counts left 0)
 * among *v (*n of them, malloc'd: the caller frees them with
 * store_issuer_list_free); 0 after saying why when there is none.
 */
static int
find_issuer(struct store *st, const char *id, struct store_issuer **v,
    size_t *n, struct store_issuer **out)
{
	char err[OB_ERRBUF];
	size_t i;

	*out = NULL;
	if (store_issuer_records(st, v, n, err, sizeof(err)) != OB_OK) {
		log_warnx("%s", err);
		return 0;
	}
	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i].id, id) == 0)
			*out = &(*v)[i];
	if (*out == NULL)
		log_warnx("no issuer %s (see ocspbox issuer list)", id);
	return *out != NULL;
}

/*
 * Reads issuer update's --responder-life DUR into *life (may be NULL: the
 * issuer's own life if it had an automatic responder, else the default).
 * 0 after saying why.
 */
static int
update_life(const char *arg, const struct store_issuer *is, int64_t *life)
{
	*life = is->auto_life_s > 0 ? is->auto_life_s
				    : SIGNER_RESPONDER_LIFE_DEFAULT;
	if (arg != NULL &&
	    (util_duration_parse(arg, life) != OB_OK ||
		*life < SIGNER_RESPONDER_LIFE_MIN)) {
		log_warnx("issuer update: bad --responder-life \"%s\" (want a "
			  "duration of at least 1d, e.g. 7d, 30d)",
		    arg);
		return 0;
	}
	return 1;
}

/*
 * issuer update --auto-responder: a responder certificate and key made
 * for is with its CA key (crl_key_path: the new one when given, else the
 * stored one) into *out, the key in the database's key directory.
 * Returns an exit code.
 */
static int
update_auto(struct cli_ctx *ctx, const struct store_issuer *is,
    const char *crl_key_path, int64_t life, struct store_issuer *out)
{
	struct store_issuer ca = *is; /* borrowed members, not freed */
	char err[OB_ERRBUF], *keydir;
	enum ob_err e;

	if (crl_key_path != NULL)
		ca.crl_key_path = (char *)crl_key_path;
	if (ca.crl_key_path == NULL) {
		log_warnx("issuer update: issuer %s has no CA key to sign its "
			  "responder certificates with: give --ca-key CA.key",
		    is->id);
		return OB_EXIT_USAGE;
	}
	if ((keydir = key_dir(ctx)) == NULL)
		return OB_EXIT_ERR;
	e = signer_issue_responder(
	    &ca, (int64_t)time(NULL), life, keydir, out, err, sizeof(err));
	free(keydir);
	if (e != OB_OK) {
		log_warnx("issuer update: %s", err);
		return OB_EXIT_ERR;
	}
	return OB_EXIT_OK;
}

static int
issuer_update(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *pos[1], *rc_ = NULL, *rk = NULL, *ck = NULL, *ck2 = NULL;
	const char *life_arg = NULL;
	int automatic = 0;
	const struct cli_opt opts[] = {
	    {"responder-cert", 1, &rc_, NULL},
	    {"responder-key", 1, &rk, NULL},
	    {"auto-responder", 0, NULL, &automatic},
	    {"responder-life", 1, &life_arg, NULL},
	    {"ca-key", 1, &ck, NULL},
	    {"crl-key", 1, &ck2, NULL},
	    {NULL, 0, NULL, NULL},
	};
	struct store_issuer *v = NULL, *is, upd, made;
	struct store *st = NULL;
	const struct store_issuer *resp = NULL;
	char err[OB_ERRBUF], na[32], *keydir;
	size_t n = 0, removed;
	int64_t life = 0;
	int npos, rc;

	memset(&upd, 0, sizeof(upd));
	memset(&made, 0, sizeof(made));
	rc = cli_parse_opts(argc, argv, opts, pos, 1, &npos);
	if (rc == 1) {
		printf(
		    "usage: ocspbox issuer update ID [--responder-cert R.pem "
		    "--responder-key R.key\n"
		    "           | --auto-responder [--responder-life DUR]] "
		    "[--ca-key CA.key]\n\n"
		    "Replaces an issuer's responder certificate and key, "
		    "or its CA key (the\nCRL signing key; also spelled "
		    "--crl-key), in one transaction, with the\nchecks of "
		    "issuer add. The earlier responder is kept in the "
		    "database, inactive.\nA running serve picks the "
		    "change up within a few seconds (at once on\nSIGHUP) "
		    "and re-signs the issuer's cache with the new "
		    "responder; answers\nsigned by the old one stay "
		    "valid until then.\n\n"
		    "--auto-responder      ocspbox issues a new responder "
		    "certificate and key\n"
		    "                      itself, signed with the CA key "
		    "(the one given, else\n"
		    "                      the stored one), and renews it "
		    "from then on; see\n"
		    "                      issuer add --help. A key file "
		    "ocspbox made for a\n"
		    "                      responder this replaces is "
		    "removed.\n"
		    "--responder-life DUR  its life (default: the issuer's "
		    "automatic responder's,\n"
		    "                      else 30d).\n"
		    "--responder-cert/--responder-key end automatic "
		    "renewal: the responder is\nthe operator's again.\n");
		return OB_EXIT_OK;
	}
	if (rc < 0)
		return OB_EXIT_USAGE;
	if (ck != NULL && ck2 != NULL) {
		log_warnx("issuer update: give the CA's key once: --ca-key "
			  "(--crl-key is its other name)");
		return OB_EXIT_USAGE;
	}
	if (ck == NULL)
		ck = ck2;
	if (automatic && (rc_ != NULL || rk != NULL)) {
		log_warnx("issuer update: --auto-responder makes the responder "
			  "certificate and key; do not give --responder-cert "
			  "or --responder-key with it");
		return OB_EXIT_USAGE;
	}
	if (life_arg != NULL && !automatic) {
		log_warnx("issuer update: --responder-life goes with "
			  "--auto-responder");
		return OB_EXIT_USAGE;
	}
	if (npos != 1 || (rc_ == NULL) != (rk == NULL) ||
	    (rc_ == NULL && ck == NULL && !automatic)) {
		log_warnx("issuer update: need ID, and --responder-cert with "
			  "--responder-key, --auto-responder, or --ca-key (see "
			  "--help)");
		return OB_EXIT_USAGE;
	}
	if (!check_id("issuer update", pos[0]))
		return OB_EXIT_USAGE;
	if ((st = cli_open_db(ctx, 0)) == NULL)
		return OB_EXIT_ERR;
	if (!find_issuer(st, pos[0], &v, &n, &is)) {
		rc = OB_EXIT_ERR;
		goto out;
	}
	if (automatic && !update_life(life_arg, is, &life)) {
		rc = OB_EXIT_USAGE;
		goto out;
	}
	if (signer_check_update(is, rc_, rk, ck, &upd, err, sizeof(err)) !=
	    OB_OK) {
		log_warnx("issuer update: %s", err);
		rc = OB_EXIT_ERR;
		goto out;
	}
	if (automatic &&
	    (rc = update_auto(ctx, is, upd.crl_key_path, life, &made)) !=
		OB_EXIT_OK)
		goto out;
	resp = automatic ? &made : rc_ != NULL ? &upd : NULL;
	if (store_issuer_update(st, is->id, resp, upd.crl_key_path, err,
		sizeof(err)) != OB_OK) {
		log_warnx("issuer update: %s", err);
		/* A key made for a responder that was not stored. */
		if (automatic)
			unlink(made.resp_key_path);
		rc = OB_EXIT_ERR;
		goto out;
	}
	if (automatic) {
		util_time_format(made.resp_not_after, na, sizeof(na));
		printf("issuer %s: responder is now automatic, %s (%s), valid "
		       "until %s, key %s\n",
		    is->id, made.resp_subject, made.resp_key_alg, na,
		    made.resp_key_path);
	} else if (rc_ != NULL)
		printf("issuer %s: responder is now %s (%s)%s\n", is->id,
		    upd.resp_is_ca ? "the CA" : upd.resp_subject,
		    upd.resp_key_alg,
		    is->auto_life_s > 0 ? "; automatic renewal ended" : "");
	if (ck != NULL)
		printf(
		    "issuer %s: CA key is now %s\n", is->id, upd.crl_key_path);
	/* Key files ocspbox made for the responders this replaced. */
	if (resp != NULL && (keydir = key_dir(ctx)) != NULL) {
		if ((removed = signer_prune_keys(st, keydir)) > 0)
			printf("removed %zu superseded responder key file%s "
			       "from %s\n",
			    removed, removed == 1 ? "" : "s", keydir);
		free(keydir);
	}
	rc = OB_EXIT_OK;
out:
	store_issuer_clear(&made);
	store_issuer_clear(&upd);
	store_issuer_list_free(v, n);
	store_close(st);
	return rc;
}

static int
issuer_remove(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *pos[1];
	struct store *st = NULL;
	char err[OB_ERRBUF], **keys = NULL, *keydir;
	size_t nkeys = 0, removed;
	int npos, rc;

	rc = cli_parse_opts(argc, argv, NULL, pos, 1, &npos);
	if (rc == 1) {
		printf("usage: ocspbox issuer remove ID\n\n"
		       "Removes an issuer and everything under it: its "
		       "responders, certificates,\nrevocations, cached "
		       "answers and CRLs. The key files ocspbox made for its\n"
		       "automatic responders are removed; an operator's key "
		       "files are left\nwhere they are. A running serve "
		       "stops answering for it within a few\nseconds "
		       "(unauthorized).\n");
		return OB_EXIT_OK;
	}
	if (rc < 0)
		return OB_EXIT_USAGE;
	if (npos != 1) {
		log_warnx("issuer remove: need ID (see --help)");
		return OB_EXIT_USAGE;
	}
	if (!check_id("issuer remove", pos[0]))
		return OB_EXIT_USAGE;
	if ((st = cli_open_db(ctx, 0)) == NULL)
		return OB_EXIT_ERR;
	if (store_issuer_remove(st, pos[0], &keys, &nkeys, err, sizeof(err)) !=
	    OB_OK) {
		log_warnx("issuer remove: %s", err);
		rc = OB_EXIT_ERR;
	} else {
		printf("removed issuer %s\n", pos[0]);
		/* Its automatic responders' keys: nothing uses them now. */
		if (nkeys > 0 && (keydir = key_dir(ctx)) != NULL) {
			if ((removed = signer_remove_keys(
				 keydir, keys, nkeys)) > 0)
				printf("removed %zu responder key file%s "
				       "ocspbox made for it from %s\n",
				    removed, removed == 1 ? "" : "s", keydir);
			free(keydir);
		}
		rc = OB_EXIT_OK;
	}
	store_paths_free(keys, nkeys);
	store_close(st);
	return rc;
}

int
cli_issuer(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return issuer_add(ctx, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "update") == 0)
		return issuer_update(ctx, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "remove") == 0)
		return issuer_remove(ctx, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return issuer_list(ctx, argc - 1, argv + 1);
	if (argc >= 2 &&
	    (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: ocspbox issuer add ID --cert CA.pem "
		       "(--responder-cert R.pem\n"
		       "           --responder-key R.key | --auto-responder) "
		       "[--ca-key CA.key]\n"
		       "       ocspbox issuer update ID [--responder-cert "
		       "R.pem --responder-key R.key\n"
		       "           | --auto-responder [--responder-life DUR]] "
		       "[--ca-key CA.key]\n"
		       "       ocspbox issuer remove ID\n"
		       "       ocspbox issuer list [--json] [--expiry-warning "
		       "DUR]\n");
		return OB_EXIT_OK;
	}
	log_warnx("usage: ocspbox issuer add|update|remove|list ... (see "
		  "--help)");
	return OB_EXIT_USAGE;
}

static int
cert_add(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *pos[1], *serial_arg = NULL, *pem = NULL, *na_arg = NULL;
	const struct cli_opt opts[] = {
	    {"serial", 1, &serial_arg, NULL},
	    {"cert", 1, &pem, NULL},
	    {"not-after", 1, &na_arg, NULL},
	    {NULL, 0, NULL, NULL},
	};
	struct store_issuer *v = NULL, *is;
	struct signer_leaf leaf;
	struct store *st = NULL;
	char serial[OB_SERIAL_HEX_MAX + 1], err[OB_ERRBUF];
	int64_t not_after = INT64_MIN;
	size_t n = 0;
	int npos, rc, alias = 0;

	rc = cli_parse_opts(argc, argv, opts, pos, 1, &npos);
	if (rc == 1) {
		printf("usage: ocspbox cert add ISSUER_ID (--serial HEX | "
		       "--cert LEAF.pem)\n"
		       "           [--not-after TIME]\n\n"
		       "Registers an issued certificate so that OCSP answers "
		       "\"good\" for it.\nWith --cert, the certificate must be "
		       "signed by the issuer; its serial\nand notAfter are "
		       "read from it. TIME is RFC 3339. HEX may start with "
		       "\"-\"\n(a negative serial: --serial -66).\n");
		return OB_EXIT_OK;
	}
	if (rc < 0)
		return OB_EXIT_USAGE;
	if (npos != 1 || (serial_arg == NULL) == (pem == NULL)) {
		log_warnx("cert add: need ISSUER_ID and one of --serial or "
			  "--cert (see --help)");
		return OB_EXIT_USAGE;
	}
	if (!check_id("cert add", pos[0]))
		return OB_EXIT_USAGE;
	if (serial_arg != NULL && !parse_serial("cert add", serial_arg, serial))
		return OB_EXIT_USAGE;
	if (na_arg != NULL && util_time_parse(na_arg, &not_after) != OB_OK) {
		log_warnx("cert add: bad --not-after \"%s\" (want RFC 3339, "
			  "e.g. 2027-01-31T00:00:00Z)",
		    na_arg);
		return OB_EXIT_USAGE;
	}
	memset(&leaf, 0, sizeof(leaf));
	if ((st = cli_open_db(ctx, 0)) == NULL)
		return OB_EXIT_ERR;
	rc = OB_EXIT_ERR;
	if (!find_issuer(st, pos[0], &v, &n, &is))
		goto out;
	if (pem != NULL) {
		if (signer_leaf_info(pem, is->cert_der, is->cert_len, &leaf,
			err, sizeof(err)) != OB_OK) {
			log_warnx("cert add: %s", err);
			goto out;
		}
		memcpy(serial, leaf.serial, sizeof(serial));
		if (not_after == INT64_MIN)
			not_after = leaf.not_after;
	}
	/*
	 * One transaction: the row, the drop of a cached "unknown", and
	 * the leaf's issuer field as a name of the issuer when it encodes
	 * that name otherwise (RFC 6960 4.1.1 hashes it as the leaf has it).
	 */
	if (store_begin(st, err, sizeof(err)) != OB_OK ||
	    store_cert_add(st, pos[0], serial, not_after, leaf.subject, 0, err,
		sizeof(err)) != OB_OK ||
	    (pem != NULL &&
		store_issuer_alias_add(st, pos[0], &leaf.issuer, &alias, err,
		    sizeof(err)) != OB_OK) ||
	    store_commit(st, err, sizeof(err)) != OB_OK) {
		store_rollback(st);
		log_warnx("cert add: %s", err);
		goto out;
	}
	printf("added certificate %s to issuer %s\n", serial, pos[0]);
	if (alias)
		printf("its issuer field encodes the issuer's name otherwise "
		       "than the issuer certificate: recorded as another name "
		       "of issuer %s (RFC 6960 4.1.1; a running server reads "
		       "it when it starts)\n",
		    pos[0]);
	rc = OB_EXIT_OK;
out:
	free(leaf.subject);
	store_issuer_list_free(v, n);
	store_close(st);
	return rc;
}

/* What read_line found. */
enum line_read { LINE_OK, LINE_EOF, LINE_LONG, LINE_ERROR };

/*
 * Reads the next line of f into buf (size bytes; at most size - 1 are
 * kept, then a NUL), without its "\n", its length in *len (NUL bytes in
 * it count, so the parser refuses them). LINE_OK; LINE_EOF at the end
 * (a last line without "\n" is LINE_OK first); LINE_LONG when the line
 * does not fit, after reading no further than size bytes of it, so a
 * huge line costs no memory; LINE_ERROR on a read error (errno set).
 * End of file and a read error are told apart: a read error is never
 * the end of the data.
 */
static enum line_read
read_line(FILE *f, char *buf, size_t size, size_t *len)
{
	size_t n = 0;
	int c;

	while ((c = getc_unlocked(f)) != EOF && c != '\n') {
		if (n + 1 >= size)
			return LINE_LONG;
		buf[n++] = (char)c;
	}
	buf[n] = '\0';
	*len = n;
	if (c == EOF && ferror(f))
		return LINE_ERROR;
	return c == EOF && n == 0 ? LINE_EOF : LINE_OK;
}

static int
cert_import(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *pos[1], *path = NULL;
	const struct cli_opt opts[] = {
	    {"openssl-index", 1, &path, NULL},
	    {NULL, 0, NULL, NULL},
	};
	struct index_entry ent;
	struct store *st = NULL;
	FILE *f = NULL;
	static char line[CLI_LINE_MAX + 1];
	char err[OB_ERRBUF], msg[OB_ERRBUF], t[32], tn[32];
	enum line_read lr;
	long long lineno = 0, counts[3] = {0, 0, 0};
	int64_t now;
	size_t len;
	int npos, rc;

	rc = cli_parse_opts(argc, argv, opts, pos, 1, &npos);
	if (rc == 1) {
		printf("usage: ocspbox cert import ISSUER_ID --openssl-index "
		       "index.txt\n\n"
		       "Imports an OpenSSL `ca` database: V and E lines are "
		       "registered, R lines\nregistered revoked with their "
		       "time and reason. All or nothing: one bad\nline "
		       "imports nothing; a revocation time after now is a bad "
		       "line. A\ncertificate already revoked is never "
		       "un-revoked.\n");
		return OB_EXIT_OK;
	}
	if (rc < 0)
		return OB_EXIT_USAGE;
	if (npos != 1 || path == NULL) {
		log_warnx("cert import: need ISSUER_ID and --openssl-index "
			  "FILE (see --help)");
		return OB_EXIT_USAGE;
	}
	if (!check_id("cert import", pos[0]))
		return OB_EXIT_USAGE;
	if ((f = fopen(path, "r")) == NULL) {
		log_warnx("cert import: %s: %s", path, strerror(errno));
		return OB_EXIT_ERR;
	}
	rc = OB_EXIT_ERR;
	if ((st = cli_open_db(ctx, 0)) == NULL)
		goto out;
	if (store_issuer_exists(st, pos[0], err, sizeof(err)) != OB_OK ||
	    store_begin(st, err, sizeof(err)) != OB_OK) {
		log_warnx("cert import: %s", err);
		goto out;
	}
	/*
	 * A revocation after now would be signed into OCSP answers and
	 * CRLs as it stands (an answer's thisUpdate is pulled up to it):
	 * refused like a malformed line. Now is read once, before the
	 * first line.
	 */
	now = (int64_t)time(NULL);
	while ((lr = read_line(f, line, sizeof(line), &len)) != LINE_EOF) {
		lineno++;
		if (lr == LINE_LONG) {
			snprintf(msg, sizeof(msg), "line longer than %d bytes",
			    CLI_LINE_MAX);
			goto fail;
		}
		if (lr == LINE_ERROR) {
			snprintf(msg, sizeof(msg), "%s", strerror(errno));
			goto fail;
		}
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (index_parse_line(line, len, &ent, msg, sizeof(msg)) !=
		    OB_OK)
			goto fail;
		if (ent.status == 'R' && ent.revoked_at > now) {
			util_time_format(ent.revoked_at, t, sizeof(t));
			util_time_format(now, tn, sizeof(tn));
			snprintf(msg, sizeof(msg),
			    "revocation time %s of serial %s is after now (%s)",
			    t, ent.serial, tn);
			goto fail;
		}
		if (store_cert_put(st, pos[0], ent.serial, ent.not_after,
			ent.subject[0] != '\0' ? ent.subject : NULL,
			ent.status == 'R' ? ent.revoked_at : INT64_MIN,
			ent.reason, msg, sizeof(msg)) != OB_OK)
			goto fail;
		counts[ent.status == 'V' ? 0 : ent.status == 'R' ? 1 : 2]++;
		if (lineno % 50000 == 0)
			log_warnx("%lld lines read...", lineno);
	}
	if (store_commit(st, err, sizeof(err)) != OB_OK) {
		log_warnx("cert import: %s", err);
		goto out;
	}
	printf("imported %lld certificates into issuer %s: %lld valid, "
	       "%lld revoked, %lld expired\n",
	    counts[0] + counts[1] + counts[2], pos[0], counts[0], counts[1],
	    counts[2]);
	rc = OB_EXIT_OK;
	goto out;
fail:
	store_rollback(st);
	log_warnx("%s:%lld: %s; nothing imported", path, lineno, msg);
out:
	fclose(f);
	store_close(st);
	return rc;
}

int
cli_cert(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return cert_add(ctx, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "import") == 0)
		return cert_import(ctx, argc - 1, argv + 1);
	if (argc >= 2 &&
	    (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: ocspbox cert add ISSUER_ID (--serial HEX | "
		       "--cert LEAF.pem) [--not-after TIME]\n"
		       "       ocspbox cert import ISSUER_ID --openssl-index "
		       "index.txt\n");
		return OB_EXIT_OK;
	}
	log_warnx("usage: ocspbox cert add|import ... (see --help)");
	return OB_EXIT_USAGE;
}

int
cli_revoke(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *pos[2], *reason_arg = NULL, *at_arg = NULL;
	const struct cli_opt opts[] = {
	    {"reason", 1, &reason_arg, NULL},
	    {"at", 1, &at_arg, NULL},
	    {NULL, 0, NULL, NULL},
	};
	struct store *st = NULL;
	char serial[OB_SERIAL_HEX_MAX + 1], err[OB_ERRBUF], t[32];
	int64_t at = (int64_t)time(NULL), now = at;
	int npos, rc, reason = -1, already;

	rc = cli_parse_opts(argc, argv, opts, pos, 2, &npos);
	if (rc == 1) {
		printf("usage: ocspbox revoke ISSUER_ID SERIAL [--reason NAME] "
		       "[--at TIME]\n\n"
		       "Revokes a certificate, durably, and drops its cached "
		       "response: once this\nreturns no request is answered "
		       "\"good\" for it. NAME is an RFC 5280 reason:\n"
		       "unspecified keyCompromise cACompromise "
		       "affiliationChanged superseded\ncessationOfOperation "
		       "certificateHold privilegeWithdrawn aACompromise.\n"
		       "TIME (RFC 3339) defaults to now, and may not be after "
		       "now. A serial never\nregistered is registered "
		       "revoked. SERIAL is hex, after a \"-\" when negative\n"
		       "(revoke ca -66, or revoke ca -- -66).\n");
		return OB_EXIT_OK;
	}
	if (rc < 0)
		return OB_EXIT_USAGE;
	if (npos != 2) {
		log_warnx("revoke: need ISSUER_ID and SERIAL (see --help)");
		return OB_EXIT_USAGE;
	}
	if (!check_id("revoke", pos[0]) ||
	    !parse_serial("revoke", pos[1], serial))
		return OB_EXIT_USAGE;
	if (reason_arg != NULL && (reason = util_reason_code(reason_arg)) < 0) {
		log_warnx(
		    "revoke: unknown reason \"%s\" (see --help)", reason_arg);
		return OB_EXIT_USAGE;
	}
	if (reason == OB_REASON_REMOVE_FROM_CRL) {
		log_warnx("revoke: removeFromCRL marks delta-CRL entries; "
			  "it is not a reason to revoke");
		return OB_EXIT_USAGE;
	}
	if (at_arg != NULL && util_time_parse(at_arg, &at) != OB_OK) {
		log_warnx("revoke: bad --at \"%s\" (want RFC 3339, e.g. "
			  "2026-01-31T12:00:00Z)",
		    at_arg);
		return OB_EXIT_USAGE;
	}
	/* No skew allowed: a revocation is never dated after it is made. */
	if (at > now) {
		log_warnx("revoke: --at %s is in the future", at_arg);
		return OB_EXIT_USAGE;
	}
	if ((st = cli_open_db(ctx, 0)) == NULL)
		return OB_EXIT_ERR;
	if (store_revoke(st, pos[0], serial, reason, at, &already, err,
		sizeof(err)) != OB_OK) {
		log_warnx("revoke: %s", err);
		store_close(st);
		return OB_EXIT_ERR;
	}
	util_time_format(at, t, sizeof(t));
	if (already)
		printf("certificate %s of issuer %s was already revoked\n",
		    serial, pos[0]);
	else
		printf("revoked certificate %s of issuer %s at %s%s%s\n",
		    serial, pos[0], t, reason >= 0 ? ", reason " : "",
		    reason >= 0 ? util_reason_name(reason) : "");
	store_close(st);
	return OB_EXIT_OK;
}
