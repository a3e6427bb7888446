/*
 * The issuer commands: issuer add (with an automatic responder), update,
 * remove and list. Each parses its own options, prints one line per
 * error (starting "ocspbox: ") and returns an exit code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/*
 * Says on stderr, a line each, which of the n issuers v have a responder
 * certificate (or a CA) that has expired, or expires within warn seconds
 * of now (respcert_state: for an automatic responder, whose renewal is
 * overdue). The earlier of the two notAfters counts: past the CA's, no
 * answer verifies whatever the responder. Nothing for the others.
 */
static void
issuer_warn(const struct store_issuer *v, size_t n, int64_t now, int64_t warn)
{
	enum respcert_state state;
	char ts[32], left[24];
	int64_t end;
	size_t i;
	int ca_first;

	for (i = 0; i < n; i++) {
		ca_first = v[i].not_after <= v[i].resp_not_after;
		end = ca_first ? v[i].not_after : v[i].resp_not_after;
		util_time_format(end, ts, sizeof(ts));
		state =
		    respcert_state(v[i].resp_not_before, v[i].resp_not_after,
			v[i].not_after, v[i].auto_life_s > 0, now, warn);
		if (state == RESPCERT_EXPIRED && ca_first)
			log_warnx("issuer %s: its CA certificate expired at "
				  "%s: every answer is tryLater (renew the CA)",
			    v[i].id, ts);
		else if (state == RESPCERT_EXPIRED)
			log_warnx("issuer %s: its responder certificate "
				  "expired at %s: every answer is tryLater "
				  "(ocspbox issuer update %s ...)",
			    v[i].id, ts, v[i].id);
		else if (state == RESPCERT_EXPIRING && ca_first)
			log_warnx("issuer %s: its CA certificate expires at "
				  "%s, in %s: no answer verifies past it, "
				  "whatever the responder (renew the CA)",
			    v[i].id, ts,
			    util_time_left(end - now, left, sizeof(left)));
		else if (state == RESPCERT_EXPIRING && v[i].auto_life_s > 0)
			log_warnx("issuer %s: its automatic responder was "
				  "not renewed and expires at %s, in %s "
				  "(is serve running? its log says why)",
			    v[i].id, ts,
			    util_time_left(end - now, left, sizeof(left)));
		else if (state == RESPCERT_EXPIRING)
			log_warnx("issuer %s: its responder certificate "
				  "expires at %s, in %s (ocspbox issuer "
				  "update %s ...)",
			    v[i].id, ts,
			    util_time_left(end - now, left, sizeof(left)),
			    v[i].id);
	}
}

static void
issuer_print_table(
    const struct store_issuer *v, size_t n, int64_t now, int64_t warn)
{
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
	issuer_warn(v, n, now, warn);
}

/*
 * --responder-life arg of cmd into *life, in seconds (untouched when arg
 * is NULL): a duration from SIGNER_RESPONDER_LIFE_MIN to
 * UTIL_DURATION_MAX. 0 after saying why, naming both bounds.
 */
static int
parse_life(const char *cmd, const char *arg, int64_t *life)
{
	int64_t v;

	if (arg == NULL)
		return 1;
	if (util_duration_parse(arg, &v) != OB_OK ||
	    v < SIGNER_RESPONDER_LIFE_MIN) {
		log_warnx("%s: bad --responder-life \"%s\" (want a duration "
			  "from %lldd to %lldd, e.g. 7d, 30d)",
		    cmd, arg, (long long)SIGNER_RESPONDER_LIFE_MIN / 86400,
		    (long long)UTIL_DURATION_MAX / 86400);
		return 0;
	}
	*life = v;
	return 1;
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
 * The directory of the keys ocspbox makes, "<database>.keys" with the
 * database's real path (file_key_dir, as serve's refresh thread has it):
 * malloc'd, the caller frees; NULL after saying so when out of memory.
 */
static char *
key_dir(const struct cli_ctx *ctx)
{
	char *keydir;

	if ((keydir = file_key_dir(ctx->db)) == NULL)
		log_warnx("out of memory");
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
	const char *pos[1], *ca = NULL, *resp_cert = NULL, *resp_key = NULL,
			    *ck = NULL;
	const char *crlk = NULL, *life_arg = NULL;
	int automatic = 0;
	const struct cli_opt opts[] = {
	    {"cert", 1, &ca, NULL},
	    {"responder-cert", 1, &resp_cert, NULL},
	    {"responder-key", 1, &resp_key, NULL},
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

	rc = cli_parse_opts("issuer add", argc, argv, opts, pos, 1, &npos);
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
		    "valid (default 30d, from\n"
		    "                      %lldd to %lldd); never past the "
		    "CA certificate's\n"
		    "                      notAfter: a longer life ends "
		    "there.\n",
		    (long long)SIGNER_RESPONDER_LIFE_MIN / 86400,
		    (long long)UTIL_DURATION_MAX / 86400);
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
	if (automatic && (resp_cert != NULL || resp_key != NULL)) {
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
	if (!parse_life("issuer add", life_arg, &life))
		return OB_EXIT_USAGE;
	if (npos != 1 || ca == NULL ||
	    (!automatic && (resp_cert == NULL || resp_key == NULL))) {
		log_warnx("issuer add: need ID, --cert, and --responder-cert "
			  "with --responder-key or --auto-responder (see "
			  "--help)");
		return OB_EXIT_USAGE;
	}
	if (!cli_check_id("issuer add", pos[0]))
		return OB_EXIT_USAGE;
	if (signer_check_issuer(
		ca, resp_cert, resp_key, ck, &is, err, sizeof(err)) != OB_OK) {
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
	/* Registered, but soon of no use: what issuer list would say. */
	if (rc == OB_EXIT_OK)
		issuer_warn(
		    &is, 1, (int64_t)time(NULL), RESPONDER_WARN_DEFAULT);
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

	rc = cli_parse_opts("issuer list", argc, argv, opts, NULL, 0, &npos);
	if (rc == 1) {
		printf("usage: ocspbox issuer list [--json] [--expiry-warning "
		       "DUR]\n\n"
		       "Lists the registered issuers, their responders "
		       "(until when, and whether\nthat is within "
		       "--expiry-warning, default 14d, at most 365d: "
		       "STATUS\nexpiring, or expired) and certificate "
		       "counts. An expiring responder is\nalso said on "
		       "stderr.\n");
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
 * Reads issuer update's --responder-life DUR into *life (may be NULL: the
 * issuer's own life if it had an automatic responder, else the default).
 * 0 after saying why.
 */
static int
update_life(const char *arg, const struct store_issuer *is, int64_t *life)
{
	*life = is->auto_life_s > 0 ? is->auto_life_s
				    : SIGNER_RESPONDER_LIFE_DEFAULT;
	return parse_life("issuer update", arg, life);
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
	const char *pos[1], *resp_cert = NULL, *resp_key = NULL, *ck = NULL,
			    *ck2 = NULL;
	const char *life_arg = NULL;
	int automatic = 0;
	const struct cli_opt opts[] = {
	    {"responder-cert", 1, &resp_cert, NULL},
	    {"responder-key", 1, &resp_key, NULL},
	    {"auto-responder", 0, NULL, &automatic},
	    {"responder-life", 1, &life_arg, NULL},
	    {"ca-key", 1, &ck, NULL},
	    {"crl-key", 1, &ck2, NULL},
	    {NULL, 0, NULL, NULL},
	};
	struct store_issuer *v = NULL, *is, upd, made, now_is;
	struct store *st = NULL;
	const struct store_issuer *resp = NULL;
	char err[OB_ERRBUF], na[32], *keydir;
	size_t n = 0, removed;
	int64_t life = 0;
	int npos, rc;

	memset(&upd, 0, sizeof(upd));
	memset(&made, 0, sizeof(made));
	rc = cli_parse_opts("issuer update", argc, argv, opts, pos, 1, &npos);
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
		    "                      else 30d; from %lldd to "
		    "%lldd).\n"
		    "--responder-cert/--responder-key end automatic "
		    "renewal: the responder is\nthe operator's again.\n",
		    (long long)SIGNER_RESPONDER_LIFE_MIN / 86400,
		    (long long)UTIL_DURATION_MAX / 86400);
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
	if (automatic && (resp_cert != NULL || resp_key != NULL)) {
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
	if (npos != 1 || (resp_cert == NULL) != (resp_key == NULL) ||
	    (resp_cert == NULL && ck == NULL && !automatic)) {
		log_warnx("issuer update: need ID, and --responder-cert with "
			  "--responder-key, --auto-responder, or --ca-key (see "
			  "--help)");
		return OB_EXIT_USAGE;
	}
	if (!cli_check_id("issuer update", pos[0]))
		return OB_EXIT_USAGE;
	if ((st = cli_open_db(ctx, 0)) == NULL)
		return OB_EXIT_ERR;
	if (!cli_find_issuer("issuer update", st, pos[0], &v, &n, &is)) {
		rc = OB_EXIT_ERR;
		goto out;
	}
	if (automatic && !update_life(life_arg, is, &life)) {
		rc = OB_EXIT_USAGE;
		goto out;
	}
	if (signer_check_update(
		is, resp_cert, resp_key, ck, &upd, err, sizeof(err)) != OB_OK) {
		log_warnx("issuer update: %s", err);
		rc = OB_EXIT_ERR;
		goto out;
	}
	if (automatic &&
	    (rc = update_auto(ctx, is, upd.crl_key_path, life, &made)) !=
		OB_EXIT_OK)
		goto out;
	resp = automatic ? &made : resp_cert != NULL ? &upd : NULL;
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
	} else if (resp_cert != NULL)
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
	/* What issuer list would now say of it: the responder it has now
	 * (its members borrowed, not freed). */
	now_is = *is;
	if (resp != NULL) {
		now_is.resp_not_before = resp->resp_not_before;
		now_is.resp_not_after = resp->resp_not_after;
		now_is.auto_life_s = resp->auto_life_s;
	}
	issuer_warn(&now_is, 1, (int64_t)time(NULL), RESPONDER_WARN_DEFAULT);
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

	rc = cli_parse_opts("issuer remove", argc, argv, NULL, pos, 1, &npos);
	if (rc == 1) {
		printf("usage: ocspbox issuer remove ID\n\n"
		       "Removes an issuer and everything under it: its "
		       "responders, certificates,\nrevocations, cached "
		       "answers and CRLs. The key files ocspbox made for its\n"
		       "automatic responders are removed; an operator's key "
		       "files are left\nwhere they are. A running serve "
		       "stops answering for it within a few\nseconds "
		       "(unauthorized). Its revocations are gone with it: "
		       "registered again,\nthe CA starts with none (import "
		       "them again). Back up the database first.\n");
		return OB_EXIT_OK;
	}
	if (rc < 0)
		return OB_EXIT_USAGE;
	if (npos != 1) {
		log_warnx("issuer remove: need ID (see --help)");
		return OB_EXIT_USAGE;
	}
	if (!cli_check_id("issuer remove", pos[0]))
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
		       "           --responder-key R.key | --auto-responder "
		       "[--responder-life DUR])\n"
		       "           [--ca-key CA.key]\n"
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
