/*
 * The commands that manage the schema: migrate, schema translate (issuer
 * is cli_issuer.c's, cert and revoke cli_cert.c's), and what the commands
 * share: option
 * parsing, opening the database, issuer ids. Each parses its own options,
 * prints one line per error (starting "ocspbox: ") and returns an exit
 * code; nothing here exits.
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
cli_parse_opts(const char *cmd, int argc, char **argv,
    const struct cli_opt *opts, const char **pos, int maxpos, int *npos)
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
				log_warnx("%s: unexpected argument %s", cmd, a);
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
			log_warnx("%s: unknown option %s", cmd, a);
			return -1;
		}
		if (!o->has_arg) {
			if (eq != NULL) {
				log_warnx(
				    "%s: --%s takes no value", cmd, o->name);
				return -1;
			}
			*o->flag = 1;
		} else {
			const char *v;
			int k = 0;

			if (eq != NULL)
				v = eq + 1;
			else if (i + 1 < argc)
				v = argv[++i];
			else {
				log_warnx(
				    "%s: --%s needs a value", cmd, o->name);
				return -1;
			}
			if (o->has_arg == CLI_OPT_REPEAT) {
				while (k < CLI_REPEAT_MAX && o->val[k] != NULL)
					k++;
				if (k == CLI_REPEAT_MAX) {
					log_warnx("%s: --%s given more than %d "
						  "times",
					    cmd, o->name, CLI_REPEAT_MAX);
					return -1;
				}
				o->val[k] = v;
			} else
				*o->val = v;
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

int
cli_check_id(const char *cmd, const char *id)
{
	if (!api_issuer_id_valid(id)) {
		log_warnx("%s: bad issuer id \"%s\" (1-%d of A-Z a-z 0-9 . _ "
			  "-, not starting with .)",
		    cmd, id, OB_ID_MAX);
		return 0;
	}
	return 1;
}

enum ob_err
cli_time_arg(const char *in, int64_t *out)
{
	char full[32];

	/* RFC 3339's full-date alone: that day's 00:00:00Z. */
	if (strlen(in) == 10 && in[4] == '-' && in[7] == '-') {
		snprintf(full, sizeof(full), "%sT00:00:00Z", in);
		return util_time_parse(full, out);
	}
	return util_time_parse(in, out);
}

int
cli_parse_serial(const char *cmd, const char *in, char *out)
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

	switch (cli_parse_opts("migrate", argc, argv, NULL, NULL, 0, &npos)) {
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
	rc = cli_parse_opts("schema", argc, argv, NULL, pos, 2, &npos);
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

int
cli_find_issuer(const char *cmd, struct store *st, const char *id,
    struct store_issuer **v, size_t *n, struct store_issuer **out)
{
	char err[OB_ERRBUF];
	size_t i;

	*out = NULL;
	if (store_issuer_records(st, v, n, err, sizeof(err)) != OB_OK) {
		log_warnx("%s: %s", cmd, err);
		return 0;
	}
	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i].id, id) == 0)
			*out = &(*v)[i];
	if (*out == NULL)
		log_warnx(
		    "%s: no issuer %s (see ocspbox issuer list)", cmd, id);
	return *out != NULL;
}
