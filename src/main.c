/*
 * ocspbox's entry point: global options, then one command. Only main
 * decides the exit code; commands return theirs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct command {
	const char *name;
	int (*fn)(struct cli_ctx *, int, char **);
	const char *summary;
} commands[] = {
    {"migrate", cli_migrate, "apply the embedded schema migrations"},
    {"schema", cli_schema, "schema translate FILE: print SQLite DDL"},
    {"issuer", cli_issuer,
	"issuer add | update | remove | list: manage the CAs served"},
    {"cert", cli_cert,
	"cert add | import | show | list | remove: certificates"},
    {"revoke", cli_revoke, "revoke ISSUER_ID SERIAL: revoke one"},
    {"unrevoke", cli_unrevoke,
	"unrevoke ISSUER_ID SERIAL: release a certificateHold"},
    {"cache", cli_cache, "cache refresh | stats: the pre-signed cache"},
    {"crl", cli_crl, "crl import ISSUER_ID FILE: an offline CA's CRL"},
    {"backup", cli_backup, "backup FILE: a checked copy, while serving"},
    {"serve", cli_serve, "run the OCSP responder"},
    {NULL, NULL, NULL},
};

/* The version line of --version and `version`. */
static void
version(void)
{
	printf(
	    "ocspbox %s (SQLite %s, mbedTLS %s, civetweb %s)%s\n", ob_version,
	    store_sqlite_version(), signer_mbedtls_version(), http_version(),
#ifdef OB_TEST_HOOKS
	    " test-hooks"
#else
	    ""
#endif
	);
}

static void
usage(FILE *f)
{
	const struct command *c;

	fprintf(f,
	    "usage: ocspbox [--db PATH] COMMAND [ARGS...]\n"
	    "       ocspbox --version | --help (or: version, help [COMMAND])\n\n"
	    "An OCSP responder for small private PKIs, answering from a\n"
	    "pre-signed response cache in SQLite.\n\n"
	    "commands:\n");
	for (c = commands; c->name != NULL; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f,
	    "\n--db defaults to $OCSPBOX_DB, then ./ocspbox.db.\n"
	    "Run `ocspbox COMMAND --help` for a command's options.\n");
}

int
main(int argc, char *argv[])
{
	const struct command *c;
	struct cli_ctx ctx;
	int i;

	memset(&ctx, 0, sizeof(ctx));
	ctx.prog = "ocspbox";
	ctx.db = getenv("OCSPBOX_DB");
	if (ctx.db == NULL || ctx.db[0] == '\0')
		ctx.db = "./ocspbox.db";

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return OB_EXIT_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			version();
			return OB_EXIT_OK;
		} else if (strcmp(argv[i], "--db") == 0) {
			if (i + 1 >= argc) {
				log_warnx("--db needs a path (see ocspbox "
					  "--help)");
				return OB_EXIT_USAGE;
			}
			ctx.db = argv[++i];
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			ctx.db = argv[i] + 5;
		} else {
			log_warnx(
			    "unknown option %s (see ocspbox --help)", argv[i]);
			return OB_EXIT_USAGE;
		}
	}
	if (ctx.db[0] == '\0') {
		log_warnx("--db needs a path");
		return OB_EXIT_USAGE;
	}
	if (i == argc) {
		usage(stderr);
		return OB_EXIT_USAGE;
	}
	/* What people type before they read --help. */
	if (strcmp(argv[i], "version") == 0 && i + 1 == argc) {
		version();
		return OB_EXIT_OK;
	}
	if (strcmp(argv[i], "help") == 0 && i + 1 == argc) {
		usage(stdout);
		return OB_EXIT_OK;
	}
	if (strcmp(argv[i], "help") == 0 && i + 2 == argc) {
		char *h[] = {argv[i + 1], "--help", NULL};

		for (c = commands; c->name != NULL; c++)
			if (strcmp(c->name, argv[i + 1]) == 0)
				return c->fn(&ctx, 2, h);
		log_warnx(
		    "unknown command %s (see ocspbox --help)", argv[i + 1]);
		return OB_EXIT_USAGE;
	}
	for (c = commands; c->name != NULL; c++)
		if (strcmp(c->name, argv[i]) == 0)
			return c->fn(&ctx, argc - i, argv + i);
	log_warnx("unknown command %s (see ocspbox --help)", argv[i]);
	return OB_EXIT_USAGE;
}
