/*
 * The commands about certificates: cert add, import, show, list and
 * remove; revoke and unrevoke. Each writes through the store in one
 * durable transaction, so that a revocation is in force for every
 * reader the moment the command returns (the seed's invariant).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"

/* Longest line accepted from an index.txt. */
#define CLI_LINE_MAX 16384

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
	if (serial_arg != NULL &&
	    !cli_parse_serial("cert add", serial_arg, serial))
		return OB_EXIT_USAGE;
	if (na_arg != NULL && cli_time_arg(na_arg, &not_after) != OB_OK) {
		log_warnx("cert add: bad --not-after \"%s\" (want RFC 3339, "
			  "e.g. 2027-01-31T12:00:00Z, or a date, 2027-01-31)",
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

/*
 * Says why line lineno of path was not applied as it reads: its
 * certificate is revoked in the database otherwise than the line says
 * (store_cert_put's STORE_PUT_KEPT), and an index never un-revokes.
 */
static void
import_kept(struct store *st, const char *issuer_id, const char *path,
    long long lineno, const struct index_entry *ent)
{
	struct store_cert c;
	char err[OB_ERRBUF], t[32], lt[32] = "";

	if (store_cert_get(st, issuer_id, ent->serial, &c, err, sizeof(err)) !=
	    OB_OK) {
		log_warnx("cert import: %s:%lld: serial %s: %s", path, lineno,
		    ent->serial, err);
		return;
	}
	store_cert_clear(&c);
	util_time_format(c.revoked_at, t, sizeof(t));
	if (ent->status == 'R')
		util_time_format(ent->revoked_at, lt, sizeof(lt));
	log_warnx("cert import: %s:%lld: serial %s is revoked here (%s, %s); "
		  "the line says %s%s%s%s: kept revoked (an index releases "
		  "only a certificateHold it made; ocspbox unrevoke, any "
		  "other)",
	    path, lineno, ent->serial, t,
	    c.reason >= 0 ? util_reason_name(c.reason) : "no reason",
	    ent->status == 'R'       ? "revoked at "
		: ent->status == 'E' ? "expired"
				     : "valid",
	    lt, ent->status == 'R' ? ", " : "",
	    ent->status != 'R'     ? ""
		: ent->reason >= 0 ? util_reason_name(ent->reason)
				   : "no reason");
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
	long long lineno = 0, counts[3] = {0, 0, 0}, total, new_revoked = 0;
	long long changes[STORE_PUT_KEPT + 1] = {0};
	enum store_put what;
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
		       "un-revoked, but for a certificateHold an\nindex "
		       "made (imported or followed) whose line is V again: "
		       "released. The\nlast line says what changed.\n");
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
	store_source(st, "import");
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
		if (store_cert_put(st, pos[0], &ent, &what, msg, sizeof(msg)) !=
		    OB_OK)
			goto fail;
		counts[ent.status == 'V' ? 0 : ent.status == 'R' ? 1 : 2]++;
		changes[what]++;
		new_revoked += what == STORE_PUT_NEW && ent.status == 'R';
		if (what == STORE_PUT_KEPT && changes[what] <= 10)
			import_kept(st, pos[0], path, lineno, &ent);
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
	if (changes[STORE_PUT_KEPT] > 10)
		log_warnx("cert import: %lld more lines like it",
		    changes[STORE_PUT_KEPT] - 10);
	printf("imported %lld certificate%s into issuer %s: %lld valid, "
	       "%lld revoked, %lld expired\n",
	    total, total == 1 ? "" : "s", pos[0], counts[0], counts[1],
	    counts[2]);
	printf("changes: %lld new (%lld of them revoked), %lld newly "
	       "revoked, %lld released from certificateHold, %lld updated, "
	       "%lld unchanged",
	    changes[STORE_PUT_NEW], new_revoked, changes[STORE_PUT_REVOKED],
	    changes[STORE_PUT_RELEASED], changes[STORE_PUT_UPDATED],
	    changes[STORE_PUT_SAME]);
	if (changes[STORE_PUT_REASON] > 0)
		printf(", %lld certificateHold%s made revocation%s",
		    changes[STORE_PUT_REASON],
		    changes[STORE_PUT_REASON] == 1 ? "" : "s",
		    changes[STORE_PUT_REASON] == 1 ? "" : "s");
	if (changes[STORE_PUT_KEPT] > 0)
		printf(", %lld kept revoked against the index",
		    changes[STORE_PUT_KEPT]);
	printf("\n");
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
	    !cli_parse_serial("cert show", pos[1], serial))
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
		if (sc.invalidity_at != INT64_MIN) {
			util_time_format(sc.invalidity_at, t, sizeof(t));
			printf("  invalid since %s (RFC 5280 invalidityDate)\n",
			    t);
		}
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

/* cert list's state while the rows go by. */
struct list_out {
	const char *issuer_id;
	int json;
	int commands; /* --revoke-commands */
	int64_t now;
	long long n;
	int failed; /* out of memory, or stdout failed */
};

/* Prints one row of cert list; nonzero stops the walk. */
static int
list_row(void *arg, const char *serial, const struct store_cert *c)
{
	struct list_out *o = arg;
	char na[32], ra[32];
	char *text;

	if (o->commands) {
		/* The command that makes this revocation again, as it was;
		 * the id and serial after "--", whatever they start with. */
		util_time_format(c->revoked_at, ra, sizeof(ra));
		printf("ocspbox revoke --at %s%s%s --unregistered -- %s %s\n",
		    ra, c->reason >= 0 ? " --reason " : "",
		    c->reason >= 0 ? util_reason_name(c->reason) : "",
		    o->issuer_id, serial);
	} else if (o->json) {
		if ((text = api_cert_json(o->issuer_id, serial, c, o->now)) ==
		    NULL) {
			o->failed = 1;
			return 1;
		}
		printf("%s\n  %s", o->n == 0 ? "" : ",", text);
		free(text);
	} else {
		if (c->not_after != INT64_MIN)
			util_time_format(c->not_after, na, sizeof(na));
		else
			snprintf(na, sizeof(na), "-");
		if (c->revoked)
			util_time_format(c->revoked_at, ra, sizeof(ra));
		else
			snprintf(ra, sizeof(ra), "-");
		printf("%-20s %-8s %-20s %-20s %-20s %s\n", serial,
		    c->revoked ? "revoked"
			: c->not_after != INT64_MIN && c->not_after <= o->now
			? "expired"
			: "good",
		    na, ra,
		    c->revoked && c->reason >= 0 ? util_reason_name(c->reason)
						 : "-",
		    c->subject != NULL ? c->subject : "-");
	}
	o->n++;
	if (ferror(stdout)) {
		o->failed = 1;
		return 1;
	}
	return 0;
}

/*
 * cert list ISSUER_ID [--good | --revoked | --expired] [--json]: the
 * certificates of one issuer as the database holds them, in numeric
 * order of their serials, streamed (a million rows cost no memory).
 */
static int
cert_list(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *pos[1], *since_arg = NULL;
	int json = 0, good = 0, revoked = 0, expired = 0, commands = 0;
	const struct cli_opt opts[] = {
	    {"json", 0, NULL, &json},
	    {"good", 0, NULL, &good},
	    {"revoked", 0, NULL, &revoked},
	    {"expired", 0, NULL, &expired},
	    {"since", 1, &since_arg, NULL},
	    {"revoke-commands", 0, NULL, &commands},
	    {NULL, 0, NULL, NULL},
	};
	int64_t since = INT64_MIN;
	struct list_out o;
	struct store *st;
	char err[OB_ERRBUF];
	enum store_cert_filter filter = STORE_CERTS_ALL;
	enum ob_err e;
	int npos, rc;

	rc = cli_parse_opts("cert list", argc, argv, opts, pos, 1, &npos);
	if (rc == 1) {
		printf("usage: ocspbox cert list ISSUER_ID [--good | --revoked "
		       "| --expired] [--since TIME]\n"
		       "       [--json | --revoke-commands]\n\n"
		       "The certificates of one issuer (positive serials in "
		       "numeric order, then\nnegative ones): serial, "
		       "status, notAfter, revocation time and reason,\n"
		       "subject; then their count. "
		       "--good: not revoked and not expired;\n--revoked: "
		       "revoked, expired or not; --expired: not revoked, "
		       "past\nnotAfter. --json prints an array of what "
		       "cert show --json prints. Read\nfrom one snapshot: "
		       "writes go on meanwhile (a pipe left unread holds it,"
		       "\nand the database's -wal grows until it ends).\n"
		       "--since TIME: only those registered or changed at or "
		       "after TIME (a\nrevoked one: revoked then).\n"
		       "--revoke-commands: the revoked ones, as the `ocspbox "
		       "revoke --at` command\nthat makes each again with "
		       "its time and reason; kept beside the backups,\n"
		       "they put back after a restore what was revoked "
		       "since the backup\n(docs/operations.md).\n");
		return OB_EXIT_OK;
	}
	if (rc < 0)
		return OB_EXIT_USAGE;
	if (npos != 1) {
		log_warnx("cert list: need ISSUER_ID (see --help)");
		return OB_EXIT_USAGE;
	}
	if (commands && (json || good || expired)) {
		log_warnx("cert list: --revoke-commands lists the revoked "
			  "ones, as commands: not with --json, --good or "
			  "--expired");
		return OB_EXIT_USAGE;
	}
	if (since_arg != NULL && cli_time_arg(since_arg, &since) != OB_OK) {
		log_warnx("cert list: bad --since \"%s\" (want RFC 3339, e.g. "
			  "2026-01-31T12:00:00Z, or a date, 2026-01-31)",
		    since_arg);
		return OB_EXIT_USAGE;
	}
	if (commands)
		revoked = 1;
	if (good + revoked + expired > 1) {
		log_warnx("cert list: --good, --revoked and --expired are "
			  "each a whole list: give one");
		return OB_EXIT_USAGE;
	}
	if (!cli_check_id("cert list", pos[0]))
		return OB_EXIT_USAGE;
	filter = good ? STORE_CERTS_GOOD
	    : revoked ? STORE_CERTS_REVOKED
	    : expired ? STORE_CERTS_EXPIRED
		      : STORE_CERTS_ALL;
	if ((st = cli_open_db(ctx, 0)) == NULL)
		return OB_EXIT_ERR;
	/* Said before a header is printed for nothing. */
	if (store_issuer_exists(st, pos[0], err, sizeof(err)) != OB_OK) {
		log_warnx("cert list: %s", err);
		store_close(st);
		return OB_EXIT_ERR;
	}
	memset(&o, 0, sizeof(o));
	o.issuer_id = pos[0];
	o.json = json;
	o.commands = commands;
	o.now = (int64_t)time(NULL);
	if (json)
		printf("[");
	else if (!commands)
		printf("%-20s %-8s %-20s %-20s %-20s %s\n", "SERIAL", "STATUS",
		    "NOT_AFTER", "REVOKED_AT", "REASON", "SUBJECT");
	e = store_cert_each(
	    st, pos[0], filter, o.now, since, list_row, &o, err, sizeof(err));
	store_close(st);
	if (e != OB_OK) {
		fflush(stdout);
		log_warnx("cert list: %s", err);
		return OB_EXIT_ERR;
	}
	if (o.failed) {
		log_warnx("cert list: %s",
		    ferror(stdout) ? "writing failed" : "out of memory");
		return OB_EXIT_ERR;
	}
	if (json)
		printf("%s]\n", o.n > 0 ? "\n" : "");
	else if (!commands)
		printf("%lld certificate%s\n", o.n, o.n == 1 ? "" : "s");
	return fflush(stdout) == 0 ? OB_EXIT_OK : OB_EXIT_ERR;
}

/* The most serials one cert remove takes. */
#define CLI_REMOVE_MAX 1000

/*
 * cert remove ISSUER_ID SERIAL... [--revoked-too]: undoes registrations
 * made by mistake (another CA's index imported), all or none.
 */
static int
cert_remove(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char *pos[1 + CLI_REMOVE_MAX];
	static char serials[CLI_REMOVE_MAX][OB_SERIAL_HEX_MAX + 1];
	static const char *sv[CLI_REMOVE_MAX];
	int revoked_too = 0;
	const struct cli_opt opts[] = {
	    {"revoked-too", 0, NULL, &revoked_too},
	    {NULL, 0, NULL, NULL},
	};
	struct store *st;
	char err[OB_ERRBUF];
	size_t bad, n, i, j;
	enum ob_err e;
	int npos, rc;

	rc = cli_parse_opts(
	    "cert remove", argc, argv, opts, pos, 1 + CLI_REMOVE_MAX, &npos);
	if (rc == 1) {
		printf("usage: ocspbox cert remove ISSUER_ID SERIAL... "
		       "[--revoked-too]\n\n"
		       "Removes certificates registered by mistake (another "
		       "CA's index imported,\na serial mistyped), up to %d, "
		       "all or none, with their cached answers:\neach is "
		       "answered \"unknown\" from then on. A revoked one is "
		       "refused, since\nremoving it takes it off the CRL, "
		       "unless --revoked-too. A serial that a\nfollowed index "
		       "(serve --follow-index) holds comes back when that "
		       "line changes.\n",
		    CLI_REMOVE_MAX);
		return OB_EXIT_OK;
	}
	if (rc < 0)
		return OB_EXIT_USAGE;
	if (npos < 2) {
		log_warnx("cert remove: need ISSUER_ID and at least one "
			  "SERIAL (see --help)");
		return OB_EXIT_USAGE;
	}
	if (!cli_check_id("cert remove", pos[0]))
		return OB_EXIT_USAGE;
	/* A serial given twice is one certificate: removed once. */
	for (n = 0, i = 0; i < (size_t)npos - 1; i++) {
		if (!cli_parse_serial("cert remove", pos[1 + i], serials[n]))
			return OB_EXIT_USAGE;
		for (j = 0; j < n && strcmp(serials[j], serials[n]) != 0; j++)
			;
		if (j == n) {
			sv[n] = serials[n];
			n++;
		}
	}
	if ((st = cli_open_db(ctx, 0)) == NULL)
		return OB_EXIT_ERR;
	e = store_cert_remove(
	    st, pos[0], sv, n, revoked_too, &bad, err, sizeof(err));
	store_close(st);
	if (e == OB_ERR_PERM) {
		log_warnx("cert remove: %s (--revoked-too removes it all the "
			  "same); nothing removed",
		    err);
		return OB_EXIT_ERR;
	}
	if (e != OB_OK) {
		log_warnx("cert remove: %s; nothing removed", err);
		return OB_EXIT_ERR;
	}
	printf("removed %zu certificate%s of issuer %s\n", n, n == 1 ? "" : "s",
	    pos[0]);
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
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return cert_list(ctx, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "remove") == 0)
		return cert_remove(ctx, argc - 1, argv + 1);
	if (argc >= 2 &&
	    (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: ocspbox cert add ISSUER_ID (--serial HEX | "
		       "--cert LEAF.pem) [--not-after TIME]\n"
		       "       ocspbox cert import ISSUER_ID --openssl-index "
		       "index.txt\n"
		       "       ocspbox cert show ISSUER_ID SERIAL [--json]\n"
		       "       ocspbox cert list ISSUER_ID [--good | --revoked "
		       "| --expired] [--since TIME]\n"
		       "                          [--json | "
		       "--revoke-commands]\n"
		       "       ocspbox cert remove ISSUER_ID SERIAL... "
		       "[--revoked-too]\n");
		return OB_EXIT_OK;
	}
	log_warnx("usage: ocspbox cert add|import|show|list|remove ... (see "
		  "--help)");
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
	    !cli_parse_serial("revoke", pos[1], serial))
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
	if (at_arg != NULL && cli_time_arg(at_arg, &at) != OB_OK) {
		log_warnx("revoke: bad --at \"%s\" (want RFC 3339, e.g. "
			  "2026-01-31T12:00:00Z, or a date, 2026-01-31)",
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
	store_source(st, "cli");
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
	if (already == 1)
		printf("certificate %s of issuer %s was already revoked\n",
		    serial, pos[0]);
	else if (already == 2)
		printf("certificate %s of issuer %s was on certificateHold: "
		       "now revoked at %s%s%s\n",
		    serial, pos[0], t, reason >= 0 ? ", reason " : "",
		    reason >= 0 ? util_reason_name(reason) : ", no reason");
	else
		printf("revoked certificate %s of issuer %s at %s%s%s\n",
		    serial, pos[0], t, reason >= 0 ? ", reason " : "",
		    reason >= 0 ? util_reason_name(reason) : "");
	store_close(st);
	return OB_EXIT_OK;
}

int
cli_unrevoke(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *pos[2];
	struct store_issuer *v = NULL;
	size_t n = 0, i;
	struct store *st;
	char serial[OB_SERIAL_HEX_MAX + 1], err[OB_ERRBUF];
	int npos, rc;

	rc = cli_parse_opts("unrevoke", argc, argv, NULL, pos, 2, &npos);
	if (rc == 1) {
		printf("usage: ocspbox unrevoke ISSUER_ID SERIAL\n\n"
		       "Releases a certificateHold (RFC 5280 5.3.1), and "
		       "nothing else: the\ncertificate is good again, its "
		       "cached answers dropped in the same durable\n"
		       "transaction, and the next CRL ocspbox builds leaves "
		       "it out (an offline\nCA's imported CRL lists it until "
		       "the CA signs one without it). A\nrevocation for any "
		       "other reason is refused: it is final. A cache or "
		       "CDN\nin front may serve the \"revoked\" answer it "
		       "holds until that answer's\nmax-age.\n");
		return OB_EXIT_OK;
	}
	if (rc < 0)
		return OB_EXIT_USAGE;
	if (npos != 2) {
		log_warnx("unrevoke: need ISSUER_ID and SERIAL (see --help)");
		return OB_EXIT_USAGE;
	}
	if (!cli_check_id("unrevoke", pos[0]) ||
	    !cli_parse_serial("unrevoke", pos[1], serial))
		return OB_EXIT_USAGE;
	if ((st = cli_open_db(ctx, 0)) == NULL)
		return OB_EXIT_ERR;
	if (store_unrevoke(st, pos[0], serial, err, sizeof(err)) != OB_OK) {
		log_warnx("unrevoke: %s", err);
		store_close(st);
		return OB_EXIT_ERR;
	}
	printf("released certificate %s of issuer %s from certificateHold: "
	       "good from now on\n",
	    serial, pos[0]);
	/* An offline CA's CRL is its own: the one served keeps the hold. */
	if (store_issuer_list(st, &v, &n, err, sizeof(err)) == OB_OK) {
		for (i = 0; i < n; i++)
			if (strcmp(v[i].id, pos[0]) == 0 &&
			    v[i].crl_key_path == NULL)
				log_warnx(
				    "unrevoke: note: issuer %s has no CRL "
				    "key: the CRL served (imported) "
				    "lists the hold until its CA signs "
				    "one without it",
				    pos[0]);
		store_issuer_list_free(v, n);
	}
	store_close(st);
	return OB_EXIT_OK;
}
