/*
 * The commands that manage the store: migrate, schema translate, cert and
 * revoke (issuer is cli_issuer.c's), and what the commands share: option
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

	rc = cli_parse_opts("cert add", argc, argv, opts, pos, 1, &npos);
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
	if (!cli_check_id("cert add", pos[0]))
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
	if (!cli_find_issuer("cert add", st, pos[0], &v, &n, &is))
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
	const char *pos[2], *path = NULL;
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
	long long lineno = 0, counts[3] = {0, 0, 0}, total;
	int64_t now, shown = util_mono_ms();
	struct stat sb;
	off_t size = 0;
	size_t len;
	int npos, rc;

	rc = cli_parse_opts("cert import", argc, argv, opts, pos, 2, &npos);
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
	if (npos == 2 && path == NULL) {
		/* `cert import lab index.txt`: say where the file goes. */
		log_warnx("cert import: give the file as --openssl-index %s "
			  "(cert import %s --openssl-index %s)",
		    pos[1], pos[0], pos[1]);
		return OB_EXIT_USAGE;
	}
	if (npos != 1 || path == NULL) {
		log_warnx("cert import: need ISSUER_ID and --openssl-index "
			  "FILE (see --help)");
		return OB_EXIT_USAGE;
	}
	if (!cli_check_id("cert import", pos[0]))
		return OB_EXIT_USAGE;
	if ((f = fopen(path, "r")) == NULL) {
		log_warnx("cert import: %s: %s", path, strerror(errno));
		return OB_EXIT_ERR;
	}
	if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode))
		size = sb.st_size;
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
		/* Revoked all the same: said, since its reason is not. */
		if (ent.note[0] != '\0')
			log_warnx("cert import: %s:%lld: serial %s: %s", path,
			    lineno, ent.serial, ent.note);
		if (ent.status == 'R' && ent.revoked_at > now) {
			util_time_format(ent.revoked_at, t, sizeof(t));
			util_time_format(now, tn, sizeof(tn));
			snprintf(msg, sizeof(msg),
			    "revocation time %s of serial %s is after now (%s)",
			    t, ent.serial, tn);
			goto fail;
		}
		if (store_cert_put(st, pos[0], &ent, NULL, msg, sizeof(msg)) !=
		    OB_OK)
			goto fail;
		counts[ent.status == 'V' ? 0 : ent.status == 'R' ? 1 : 2]++;
		/*
		 * Progress at line 65,536 (a big import says at once that it
		 * is under way), then every 2 s, as a share of the file when
		 * it has a size.
		 */
		if (lineno % 4096 == 0 &&
		    (lineno == 65536 || util_mono_ms() - shown >= 2000)) {
			shown = util_mono_ms();
			if (size > 0)
				log_warnx("cert import: %lld lines, %d%%",
				    lineno,
				    (int)(100.0 * (double)ftello(f) /
					(double)size));
			else
				log_warnx("cert import: %lld lines", lineno);
		}
	}
	if (store_cert_put_end(st, pos[0], err, sizeof(err)) != OB_OK ||
	    store_commit(st, err, sizeof(err)) != OB_OK) {
		store_rollback(st);
		log_warnx("cert import: %s; nothing imported", err);
		goto out;
	}
	total = counts[0] + counts[1] + counts[2];
	printf("imported %lld certificate%s into issuer %s: %lld valid, "
	       "%lld revoked, %lld expired\n",
	    total, total == 1 ? "" : "s", pos[0], counts[0], counts[1],
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

/*
 * cert show ISSUER_ID SERIAL [--json]: what the database holds of one
 * certificate, as GET /api/v1/certificates/... says it.
 */
static int
cert_show(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *pos[2];
	int json = 0;
	const struct cli_opt opts[] = {
	    {"json", 0, NULL, &json},
	    {NULL, 0, NULL, NULL},
	};
	char serial[OB_SERIAL_HEX_MAX + 1], err[OB_ERRBUF], t[32], *text;
	struct store_cert sc;
	struct store *st = NULL;
	int64_t now = (int64_t)time(NULL);
	int npos, rc;
	enum ob_err e;

	rc = cli_parse_opts("cert show", argc, argv, opts, pos, 2, &npos);
	if (rc == 1) {
		printf("usage: ocspbox cert show ISSUER_ID SERIAL [--json]\n\n"
		       "What the database holds of one certificate: its "
		       "status (good or\nrevoked, with the time and reason), "
		       "notAfter, subject, and when it was\nregistered and "
		       "last changed. --json prints what GET\n"
		       "/api/v1/certificates/ISSUER_ID/SERIAL answers. Exit 1 "
		       "when it is not\nregistered.\n");
		return OB_EXIT_OK;
	}
	if (rc < 0)
		return OB_EXIT_USAGE;
	if (npos != 2) {
		log_warnx("cert show: need ISSUER_ID and SERIAL (see --help)");
		return OB_EXIT_USAGE;
	}
	if (!cli_check_id("cert show", pos[0]) ||
	    !parse_serial("cert show", pos[1], serial))
		return OB_EXIT_USAGE;
	if ((st = cli_open_db(ctx, 0)) == NULL)
		return OB_EXIT_ERR;
	e = store_cert_get(st, pos[0], serial, &sc, err, sizeof(err));
	store_close(st);
	if (e != OB_OK) {
		log_warnx("cert show: %s", err);
		return OB_EXIT_ERR;
	}
	if (json) {
		if ((text = api_cert_json(pos[0], serial, &sc, now)) == NULL) {
			store_cert_clear(&sc);
			log_warnx("cert show: out of memory");
			return OB_EXIT_ERR;
		}
		printf("%s\n", text);
		free(text);
		store_cert_clear(&sc);
		return OB_EXIT_OK;
	}
	if (sc.revoked) {
		util_time_format(sc.revoked_at, t, sizeof(t));
		printf("certificate %s of issuer %s: revoked at %s%s%s\n",
		    serial, pos[0], t, sc.reason >= 0 ? ", " : "",
		    sc.reason >= 0 ? util_reason_name(sc.reason) : "");
	} else
		printf("certificate %s of issuer %s: good\n", serial, pos[0]);
	if (sc.not_after != INT64_MIN) {
		util_time_format(sc.not_after, t, sizeof(t));
		printf("  not after   %s%s\n", t,
		    sc.not_after <= now ? " (expired)" : "");
	} else
		printf("  not after   (not known)\n");
	printf("  subject     %s\n",
	    sc.subject != NULL ? sc.subject : "(not known)");
	util_time_format(sc.created_at, t, sizeof(t));
	printf("  registered  %s\n", t);
	util_time_format(sc.updated_at, t, sizeof(t));
	printf("  changed     %s\n", t);
	store_cert_clear(&sc);
	return OB_EXIT_OK;
}

int
cli_cert(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return cert_add(ctx, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "import") == 0)
		return cert_import(ctx, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return cert_show(ctx, argc - 1, argv + 1);
	if (argc >= 2 &&
	    (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: ocspbox cert add ISSUER_ID (--serial HEX | "
		       "--cert LEAF.pem) [--not-after TIME]\n"
		       "       ocspbox cert import ISSUER_ID --openssl-index "
		       "index.txt\n"
		       "       ocspbox cert show ISSUER_ID SERIAL [--json]\n");
		return OB_EXIT_OK;
	}
	log_warnx("usage: ocspbox cert add|import|show ... (see --help)");
	return OB_EXIT_USAGE;
}

int
cli_revoke(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *pos[2], *reason_arg = NULL, *at_arg = NULL;
	int unregistered = 0;
	const struct cli_opt opts[] = {
	    {"reason", 1, &reason_arg, NULL},
	    {"at", 1, &at_arg, NULL},
	    {"unregistered", 0, NULL, &unregistered},
	    {NULL, 0, NULL, NULL},
	};
	struct store *st = NULL;
	char serial[OB_SERIAL_HEX_MAX + 1], err[OB_ERRBUF], t[32];
	int64_t at = (int64_t)time(NULL), now = at, was_at;
	int npos, rc, reason = -1, already, was, was_reason;
	enum ob_err e;

	rc = cli_parse_opts("revoke", argc, argv, opts, pos, 2, &npos);
	if (rc == 1) {
		printf("usage: ocspbox revoke ISSUER_ID SERIAL [--reason NAME] "
		       "[--at TIME]\n       [--unregistered]\n\n"
		       "Revokes a certificate, durably, and drops its cached "
		       "response: once this\nreturns no request is answered "
		       "\"good\" for it. NAME is an RFC 5280 reason:\n"
		       "unspecified keyCompromise cACompromise "
		       "affiliationChanged superseded\ncessationOfOperation "
		       "certificateHold privilegeWithdrawn aACompromise.\n"
		       "TIME (RFC 3339) defaults to now, and may not be after "
		       "now. A serial never\nregistered is refused as a "
		       "typo, unless --unregistered: then it is registered\n"
		       "revoked. SERIAL is hex, after a \"-\" when negative "
		       "(revoke ca -66, or\nrevoke ca -- -66).\n");
		return OB_EXIT_OK;
	}
	if (rc < 0)
		return OB_EXIT_USAGE;
	if (npos != 2) {
		log_warnx("revoke: need ISSUER_ID and SERIAL (see --help)");
		return OB_EXIT_USAGE;
	}
	if (!cli_check_id("revoke", pos[0]) ||
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
	/* A serial never registered is most likely a typo (1OO2 for 1002),
	 * which would leave the real certificate good: said, unless meant. */
	if (!unregistered &&
	    (e = store_issuer_exists(st, pos[0], err, sizeof(err))) == OB_OK &&
	    (e = store_cert_status(st, pos[0], NULL, serial, &was, &was_at,
		 &was_reason, err, sizeof(err))) == OB_ERR_NOTFOUND) {
		log_warnx("revoke: no certificate %s registered for issuer %s "
			  "(a typo? --unregistered revokes it all the same)",
		    serial, pos[0]);
		store_close(st);
		return OB_EXIT_ERR;
	}
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
