/*
 * ocspbox backup: a consistent, checked copy of the database, taken
 * while servers run, without the sqlite3 program (an embedded box may
 * not have it).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Progress on stderr, every 2 s, for a copy that takes that long. */
struct backup_progress {
	int64_t shown; /* monotonic ms of the last line */
	int64_t started;
};

static void
backup_progress(int64_t done, int64_t total, void *arg)
{
	struct backup_progress *p = arg;
	int64_t now = util_mono_ms();

	if (done >= total || now - p->shown < 2000 || now - p->started < 2000)
		return;
	p->shown = now;
	log_warnx("backup: %lld of %lld pages (%d%%)", (long long)done,
	    (long long)total, (int)(100 * done / (total > 0 ? total : 1)));
}

int
cli_backup(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *pos[1];
	int force = 0;
	const struct cli_opt opts[] = {
	    {"force", 0, NULL, &force},
	    {NULL, 0, NULL, NULL},
	};
	struct backup_progress p;
	struct store_backup_info info;
	struct store *st = NULL;
	char err[OB_ERRBUF], t[32];
	int npos, rc;
	enum ob_err e;

	rc = cli_parse_opts("backup", argc, argv, opts, pos, 1, &npos);
	if (rc == 1) {
		printf("usage: ocspbox backup FILE [--force]\n\n"
		       "Copies the database to FILE while servers run: one "
		       "consistent snapshot\n(SQLite's online backup), checked "
		       "with integrity_check, written as one\nfile of mode "
		       "0600 and given its name only once whole. An existing "
		       "FILE\nis refused unless --force. Prints what the copy "
		       "holds, the last\nrevocation's time among it: what was "
		       "revoked after that time is not in\nthe copy "
		       "(docs/operations.md, Back up and restore).\n");
		return OB_EXIT_OK;
	}
	if (rc < 0)
		return OB_EXIT_USAGE;
	if (npos != 1) {
		log_warnx("backup: need FILE (see --help)");
		return OB_EXIT_USAGE;
	}
	if ((st = cli_open_db(ctx, 0)) == NULL)
		return OB_EXIT_ERR;
	memset(&p, 0, sizeof(p));
	p.started = util_mono_ms();
	e = store_backup(
	    st, pos[0], force, backup_progress, &p, &info, err, sizeof(err));
	store_close(st);
	if (e != OB_OK) {
		log_warnx("backup: %s", err);
		return OB_EXIT_ERR;
	}
	if (info.dir_unsynced)
		log_warnx("backup: %s's directory could not be synced: its "
			  "name may not survive a crash",
		    pos[0]);
	printf("backed up %s to %s: %lld pages of %lld bytes (%.1f MiB), "
	       "integrity_check ok\n",
	    ctx->db, pos[0], (long long)info.pages, (long long)info.page_size,
	    (double)(info.pages * info.page_size) / (1024.0 * 1024.0));
	if (info.last_revoked_at != INT64_MIN)
		util_time_format(info.last_revoked_at, t, sizeof(t));
	printf("it holds schema %s; %lld issuer%s, %lld certificates, %lld "
	       "revoked%s%s\n",
	    info.schema_version[0] != '\0' ? info.schema_version : "(none)",
	    (long long)info.issuers, info.issuers == 1 ? "" : "s",
	    (long long)info.certificates, (long long)info.revoked,
	    info.last_revoked_at != INT64_MIN ? ", the last revoked at " : "",
	    info.last_revoked_at != INT64_MIN ? t : "");
	return OB_EXIT_OK;
}
