/*
 * The serve command: load the issuers, start the listeners (checked,
 * with the admin token and the panel URL, in serve_admin.c) and the
 * refresh and CRL threads, and wait for SIGTERM or SIGINT, then finish
 * the requests in flight and exit 0.
 *
 * THREAD SAFETY NOTES. The threads of a running server, each with the
 * SQLite connection it uses (never shared: SQLite connections are used
 * by one thread each) and the locks it takes:
 *
 *   main            this file: startup, then serve_wait (signalfd,
 *                   inotify on the database file). A connection of its
 *                   own only during startup (the admin token). No lock.
 *   civetweb        per listener, one gate loop per core (at most 8;
 *                   the master thread runs the first, third_party/
 *                   civetweb/gate.inl): accepts, reads requests, sends
 *                   what a worker could not write at once. On the public
 *                   listener each loop also answers cached requests
 *                   itself (http_ocsp.c gate_answer,
 *                   responder_answer_cached) on a connection of its own
 *                   that never waits for a lock or a page read from
 *                   disk (store_reads_nowait), holding the responder's
 *                   iss_mu briefly as workers do. Otherwise civetweb's
 *                   own locks only.
 *   public workers  --threads of them (http_ocsp.c): responder_answer on
 *                   the thread's own connection (responder.c
 *                   thread_store, opened on first use, closed at thread
 *                   exit). Locks: flights.mu (flight.c) and a signer
 *                   context's lock (signer.c), neither held across a
 *                   SQLite call nor with another lock held.
 *   admin workers   HTTP_ADMIN_THREADS of them (http_admin.c): a
 *                   connection per request, closed after it. Locks:
 *                   http_admin.lock (the limiter and counts; no SQLite
 *                   under it); cache.counters_mu (below).
 *   refresher       refresh.c: its own connection to flush the request
 *                   counters; refresher.mu guards its flags and is never
 *                   held across SQLite, a pass or crlgen_tick. A pass
 *                   holds the pass lock file (flock, across processes).
 *   pass workers    up to REFRESH_THREADS_MAX, during a pass only: a
 *                   connection each; pass.mu guards the pass's counts.
 *   CRL thread      crlgen.c, when an issuer has a CRL key: its own
 *                   connection; crlgen.mu guards its flags, never held
 *                   across SQLite; issuers.crl_mu while it opens a CRL
 *                   key (file reads only).
 *
 * cache.counters_mu is the one lock held across SQLite calls: by the
 * flush (take the counts, add them to cache_counters) and by the stats
 * (read cache_counters, peek the counts), so that a request counted in
 * between is in one of the two, never in neither nor both. Nothing else
 * is taken under it, and SQLite's busy timeout bounds how long it is
 * held, so it cannot deadlock. No thread holds two of our locks at once.
 * The issuer table and the responder are written before the first
 * thread starts and only read after (except the atomics they count in);
 * the database file's replacement is published by one atomic flag
 * (responder_db_gone), read before each connection is used.
 */
#include <ctype.h>
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* "unknown" answers kept in the cache, by default. */
#define SERVE_UNKNOWN_MAX 10000
/* Connections the public listener holds open, by default (README: about
 * a kilobyte each, at most 16 MiB of requests and answers in all). */
#define SERVE_MAX_CONNECTIONS 4096

/*
 * A count from --name arg, min to max, into *out (untouched when arg is
 * NULL). OB_EXIT_OK, or OB_EXIT_USAGE after saying why.
 */
static int
count_arg(const char *name, const char *arg, long min, long max, long *out)
{
	char *end;
	long v;

	if (arg == NULL)
		return OB_EXIT_OK;
	errno = 0;
	v = strtol(arg, &end, 10);
	if (!isdigit((unsigned char)arg[0]) || *end != '\0' || errno != 0 ||
	    v < min || v > max) {
		log_warnx("serve: bad --%s \"%s\" (want %ld to %ld)", name, arg,
		    min, max);
		return OB_EXIT_USAGE;
	}
	*out = v;
	return OB_EXIT_OK;
}

/*
 * Raises the soft limit on open files so that want descriptors fit; when
 * the hard limit is lower, returns how many fit (at least 16), and the
 * caller holds fewer connections. Each held connection is a descriptor.
 */
static long
fit_descriptors(long want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return want;
	if (rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur < want) {
		rl.rlim_cur =
		    (rl.rlim_max == RLIM_INFINITY || (long)rl.rlim_max >= want)
		    ? (rlim_t)want
		    : rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
			return want;
	}
	if (rl.rlim_cur == RLIM_INFINITY || (long)rl.rlim_cur >= want)
		return want;
	return (long)rl.rlim_cur < 16 ? 16 : (long)rl.rlim_cur;
}

/*
 * Unlinks db's "-wal" and "-shm" when the files at those names are the
 * ones this process holds open (found among /proc/self/fd): the old
 * file's, which SQLite would otherwise replay into a new file put in its
 * place when serve starts again. A -wal or -shm that came with the new
 * file is not ours and stays.
 */
static void
drop_old_sidecars(const char *db)
{
	static const char *const sfx[] = {"-wal", "-shm"};
	char path[4096], fdpath[300];
	struct stat at, fd_st;
	struct dirent *de;
	DIR *d;
	size_t i;
	int ours;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s%s", db, sfx[i]);
		if (stat(path, &at) != 0 ||
		    (d = opendir("/proc/self/fd")) == NULL)
			continue;
		ours = 0;
		while (!ours && (de = readdir(d)) != NULL) {
			snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%s",
			    de->d_name);
			ours = de->d_name[0] != '.' &&
			    stat(fdpath, &fd_st) == 0 &&
			    fd_st.st_dev == at.st_dev &&
			    fd_st.st_ino == at.st_ino;
		}
		closedir(d);
		if (ours && unlink(path) == 0)
			log_warnx("removed %s, the old file's, so that "
				  "SQLite does not replay it into the new one",
			    path);
	}
}

/* What ended serve's wait. */
enum serve_end { SERVE_SIGNAL, SERVE_DB_GONE };

/* Whether the file at path is still the one (dev, ino) serve opened. */
static int
same_file(const char *path, dev_t dev, ino_t ino)
{
	struct stat sb;

	return stat(path, &sb) == 0 && sb.st_dev == dev && sb.st_ino == ino;
}

/*
 * serve's main thread, once everything runs: waits for SIGTERM or
 * SIGINT (returns SERVE_SIGNAL, *sig set), has rf read the issuers and
 * their keys again on SIGHUP, logs and ignores the other signals in set,
 * and watches the database file: when the name db no
 * longer names the file (dev, ino) that was opened -- replaced by a
 * rename, say, or removed -- returns SERVE_DB_GONE at once. inotify on
 * the file's directory wakes it when a name there changes; a stat every
 * second covers file systems without it.
 */
static enum serve_end
serve_wait(const sigset_t *set, const char *db, dev_t dev, ino_t ino,
    struct refresher *rf, int *sig)
{
	char dir[4096], real[PATH_MAX], events[4096];
	const char *slash = strrchr(db, '/');
	struct signalfd_siginfo si;
	struct pollfd pfd[2];
	enum serve_end end = SERVE_SIGNAL;
	int sfd, ifd;

	*sig = SIGTERM;
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s",
		    slash == db ? 1 : (int)(slash - db), db);
	sfd = signalfd(-1, set, SFD_CLOEXEC);
	if ((ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) != -1 &&
	    inotify_add_watch(ifd, dir,
		IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
		    IN_DELETE_SELF | IN_MOVE_SELF) == -1) {
		close(ifd);
		ifd = -1;
	}
	/* A --db that is a symbolic link: the file's own directory too. */
	if (ifd != -1 && realpath(db, real) != NULL &&
	    (slash = strrchr(real, '/')) != NULL) {
		*(char *)(slash == real ? slash + 1 : slash) = '\0';
		if (strcmp(real, dir) != 0)
			(void)inotify_add_watch(ifd, real,
			    IN_CREATE | IN_DELETE | IN_MOVED_FROM |
				IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF);
	}
	for (;;) {
		pfd[0].fd = sfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = ifd;
		pfd[1].events = POLLIN;
		if (sfd == -1) {
			/* No signalfd: sigtimedwait polls instead. */
			struct timespec ts = {1, 0};

			if ((*sig = sigtimedwait(set, NULL, &ts)) > 0)
				goto got;
		} else if (poll(pfd, 2, 1000) > 0 &&
		    (pfd[0].revents & POLLIN) &&
		    read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			*sig = (int)si.ssi_signo;
			goto got;
		}
		if (ifd != -1)
			while (read(ifd, events, sizeof(events)) > 0)
				;
		if (!same_file(db, dev, ino)) {
			end = SERVE_DB_GONE;
			break;
		}
		continue;
	got:
		if (*sig == SIGTERM || *sig == SIGINT)
			break;
		if (*sig == SIGHUP) {
			log_warnx("SIGHUP: reading the issuers and their keys "
				  "again");
			refresh_reload(rf);
			continue;
		}
		log_warnx("%s: ignored", strsignal(*sig));
	}
	if (sfd != -1)
		close(sfd);
	if (ifd != -1)
		close(ifd);
	return end;
}

/* The `openssl ca` indexes serve follows: issuer ids and paths. */
struct follows {
	int n;
	char id[CLI_REPEAT_MAX][OB_ID_MAX + 1];
	char *path[CLI_REPEAT_MAX];
	struct follower *fw[CLI_REPEAT_MAX];
	struct http_follow hf[CLI_REPEAT_MAX]; /* for the admin listener */
};

/*
 * Reads the ISSUER_ID=PATH pairs of --follow-index (flags, NULL-ended),
 * else of $OCSPBOX_FOLLOW_INDEX (pairs separated by spaces), into *f:
 * each issuer once, each registered in st. OB_EXIT_OK, or
 * OB_EXIT_USAGE / OB_EXIT_ERR after saying why.
 */
static int
follow_args(const char *const *flags, struct store *st, struct follows *f)
{
	const char *env = getenv("OCSPBOX_FOLLOW_INDEX");
	char err[OB_ERRBUF], *copy = NULL, *tok, *save = NULL, *eq;
	char cwd[PATH_MAX];
	const char *spec[CLI_REPEAT_MAX];
	const char *from = "--follow-index";
	int n = 0, i, j, rc = OB_EXIT_USAGE;

	memset(f, 0, sizeof(*f));
	for (; flags[n] != NULL; n++)
		spec[n] = flags[n];
	if (n == 0 && env != NULL && env[0] != '\0') {
		from = "$OCSPBOX_FOLLOW_INDEX";
		if ((copy = strdup(env)) == NULL)
			return OB_EXIT_ERR;
		for (tok = strtok_r(copy, " \t", &save); tok != NULL;
		     tok = strtok_r(NULL, " \t", &save)) {
			if (n == CLI_REPEAT_MAX) {
				log_warnx("serve: %s: more than %d indexes",
				    from, CLI_REPEAT_MAX);
				goto out;
			}
			spec[n++] = tok;
		}
	}
	for (i = 0; i < n; i++) {
		if ((eq = strchr(spec[i], '=')) == NULL || eq == spec[i] ||
		    eq[1] == '\0' || (size_t)(eq - spec[i]) > OB_ID_MAX) {
			log_warnx("serve: %s \"%s\": want ISSUER_ID=PATH", from,
			    spec[i]);
			goto out;
		}
		memcpy(f->id[i], spec[i], (size_t)(eq - spec[i]));
		f->id[i][eq - spec[i]] = '\0';
		if (!cli_check_id("serve", f->id[i]))
			goto out;
		for (j = 0; j < i; j++)
			if (strcmp(f->id[j], f->id[i]) == 0) {
				log_warnx("serve: %s: issuer %s given twice",
				    from, f->id[i]);
				goto out;
			}
		/* A relative path, made absolute here: the follower's
		 * messages name the file, and under systemd the working
		 * directory is / whatever the operator's shell was. */
		if (eq[1] == '/')
			f->path[i] = strdup(eq + 1);
		else if (getcwd(cwd, sizeof(cwd)) != NULL &&
		    (f->path[i] = malloc(strlen(cwd) + strlen(eq) + 1)) != NULL)
			sprintf(f->path[i], "%s/%s", cwd, eq + 1);
		if (f->path[i] == NULL) {
			log_warnx("serve: %s %s: cannot make it an absolute "
				  "path",
			    from, spec[i]);
			rc = OB_EXIT_ERR;
			goto out;
		}
		f->n = i + 1;
		if (store_issuer_exists(st, f->id[i], err, sizeof(err)) !=
		    OB_OK) {
			log_warnx("serve: %s %s: %s", from, spec[i], err);
			rc = OB_EXIT_ERR;
			goto out;
		}
	}
	rc = OB_EXIT_OK;
out:
	free(copy);
	return rc;
}

/* Stops the followers and frees the paths. */
static void
follows_stop(struct follows *f)
{
	int i;

	for (i = 0; i < f->n; i++) {
		follower_stop(f->fw[i]);
		f->fw[i] = NULL;
		free(f->path[i]);
		f->path[i] = NULL;
	}
	f->n = 0;
}

int
cli_serve(struct cli_ctx *ctx, int argc, char **argv)
{
	char made[65] = "";
	const char *listen = "0.0.0.0:8080", *admin_listen = "127.0.0.1:8081",
		   *threads_arg = NULL, *validity_arg = NULL,
		   *interval_arg = NULL, *token_file = NULL,
		   *unknown_arg = NULL, *maxconn_arg = NULL,
		   *backdate_arg = NULL, *unknown_age_arg = NULL,
		   *admin_hosts = NULL, *warn_arg = NULL;
	const char *follow_flags[CLI_REPEAT_MAX + 1] = {NULL};
	static struct follows follows;
	const struct cli_opt opts[] = {
	    {"follow-index", CLI_OPT_REPEAT, follow_flags, NULL},
	    {"listen", 1, &listen, NULL},
	    {"admin-listen", 1, &admin_listen, NULL},
	    {"admin-token-file", 1, &token_file, NULL},
	    {"admin-host", 1, &admin_hosts, NULL},
	    {"refresh-interval", 1, &interval_arg, NULL},
	    {"validity", 1, &validity_arg, NULL},
	    {"threads", 1, &threads_arg, NULL},
	    {"max-unknown", 1, &unknown_arg, NULL},
	    {"max-connections", 1, &maxconn_arg, NULL},
	    {"backdate", 1, &backdate_arg, NULL},
	    {"unknown-max-age", 1, &unknown_age_arg, NULL},
	    {"expiry-warning", 1, &warn_arg, NULL},
	    {NULL, 0, NULL, NULL},
	};
	struct http_ocsp_conf conf;
	struct http_admin_conf aconf;
	struct responder_conf rconf;
	struct responder *r = NULL;
	struct http_ocsp *h = NULL;
	struct http_admin *ha = NULL;
	struct refresher *rf = NULL;
	struct store *st = NULL;
	sigset_t set;
	struct stat sb;
	dev_t db_dev;
	ino_t db_ino;
	char err[OB_ERRBUF];
	int64_t validity, interval, backdate, unknown_age = 0, warn = 0;
	int npos, rc, sig, configured, ncpu = cli_cpu_count();
	long threads, unknown_max = SERVE_UNKNOWN_MAX,
		      max_conns = SERVE_MAX_CONNECTIONS, reserve, fit;

	rc = cli_parse_opts("serve", argc, argv, opts, NULL, 0, &npos);
	if (rc == 1) {
		printf("usage: ocspbox serve [OPTION]...\n\n"
		       "Answers OCSP from the pre-signed cache on --listen: "
		       "POST / and /ocsp,\nGET /{base64} and /ocsp/{base64}; "
		       "also GET /crl/{issuer_id}.crl and\n/healthz. The "
		       "panel, the admin API and /metrics are on "
		       "--admin-listen.\n\n"
		       "  --listen [ADDR:]PORT      default 0.0.0.0:8080 (ADDR "
		       "an IPv4 address,\n"
		       "                            [IPv6] or a name; "
		       "none: every address)\n"
		       "  --admin-listen [ADDR:]PORT  default 127.0.0.1:8081\n"
		       "  --admin-host NAME[,NAME]  names the admin listener "
		       "answers to in Host,\n"
		       "                            besides IP addresses and "
		       "localhost\n"
		       "  --admin-token-file FILE   the admin Bearer token; "
		       "else $OCSPBOX_ADMIN_TOKEN,\n"
		       "                            else the one serve "
		       "made at an earlier start\n"
		       "                            (only its hash is kept), "
		       "else serve makes one\n"
		       "                            and prints it once\n"
		       "  --refresh-interval DUR    re-sign what is due this "
		       "often (default\n"
		       "                            $OCSPBOX_REFRESH_INTERVAL, "
		       "else\n"
		       "                            "
		       "$CERTCTL_OCSP_CACHE_REFRESH_INTERVAL, else %s)\n"
		       "  --validity DUR            nextUpdate this long "
		       "after signing (default %s;\n"
		       "                            longer than the "
		       "interval)\n"
		       "  --backdate DUR            thisUpdate this long "
		       "before signing, for clients\n"
		       "                            whose clocks run slow "
		       "(default 1h; 0 for none)\n"
		       "  --unknown-max-age DUR     how long shared caches "
		       "may keep an \"unknown\"\n"
		       "                            answer (default 0: "
		       "revalidated every time)\n"
		       "  --threads N               HTTP workers (default 4 "
		       "per core, at least 8)\n"
		       "  --max-connections N       connections held open "
		       "without a complete request\n"
		       "                            (default %d; past it the "
		       "oldest is closed)\n"
		       "  --max-unknown N           \"unknown\" answers kept "
		       "in the cache (default %d)\n"
		       "  --expiry-warning DUR      a responder certificate "
		       "expiring within this (or\n"
		       "                            the validity) shows in "
		       "/healthz, the log, the\n"
		       "                            panel and /metrics "
		       "(default 14d)\n"
		       "  --follow-index ISSUER_ID=PATH  follow that issuer's "
		       "`openssl ca` database:\n"
		       "                            each change applied "
		       "within a second, as cert\n"
		       "                            import would (repeatable; "
		       "default\n"
		       "                            $OCSPBOX_FOLLOW_INDEX, "
		       "pairs separated by spaces)\n\n"
		       "Issuers added, updated or removed are served within "
		       "a few seconds. SIGHUP\nreads the issuers and their "
		       "key files again at once. SIGTERM or SIGINT\nfinish "
		       "the requests in flight, then exit 0; SIGUSR1, "
		       "SIGUSR2, SIGALRM and\nSIGQUIT are logged and "
		       "ignored. If the database file is replaced or\n"
		       "removed, serve answers tryLater and exits 1.\n",
		    CLI_REFRESH_INTERVAL_DEFAULT, CLI_VALIDITY_DEFAULT,
		    SERVE_MAX_CONNECTIONS, SERVE_UNKNOWN_MAX);
		return OB_EXIT_OK;
	}
	if (rc < 0)
		return OB_EXIT_USAGE;
	if (!serve_listen_valid(listen)) {
		log_warnx(
		    "serve: bad --listen \"%s\" (want ADDR:PORT)", listen);
		return OB_EXIT_USAGE;
	}
	if (!serve_listen_valid(admin_listen)) {
		log_warnx("serve: bad --admin-listen \"%s\" (want ADDR:PORT)",
		    admin_listen);
		return OB_EXIT_USAGE;
	}
	if (admin_hosts != NULL && !http_admin_names_valid(admin_hosts)) {
		log_warnx("serve: bad --admin-host \"%s\" (want DNS names, "
			  "comma-separated: A-Z a-z 0-9 . -)",
		    admin_hosts);
		return OB_EXIT_USAGE;
	}
	threads = ncpu * 4 < 8 ? 8 : ncpu * 4;
	if ((rc = count_arg("threads", threads_arg, 1, 1024, &threads)) !=
		OB_EXIT_OK ||
	    (rc = count_arg("max-unknown", unknown_arg, 0, 100000000,
		 &unknown_max)) != OB_EXIT_OK ||
	    (rc = count_arg("max-connections", maxconn_arg, 16, 1000000,
		 &max_conns)) != OB_EXIT_OK ||
	    (rc = cli_duration_arg("serve", "unknown-max-age", unknown_age_arg,
		 7 * 86400, &unknown_age)) != OB_EXIT_OK ||
	    (rc = cli_warn_arg("serve", warn_arg, &warn)) != OB_EXIT_OK)
		return rc;
	if ((rc = cli_cache_settings("serve", interval_arg, validity_arg,
		 backdate_arg, &interval, &validity, &backdate)) != OB_EXIT_OK)
		return rc;

	/*
	 * A token serve makes up is printed to a log: keep it off the
	 * network. Checked before one is made, so a refusal stores none.
	 */
	configured = token_file != NULL ||
	    (getenv("OCSPBOX_ADMIN_TOKEN") != NULL &&
		getenv("OCSPBOX_ADMIN_TOKEN")[0] != '\0');
	if (!configured && !serve_listen_loopback(admin_listen)) {
		log_warnx("serve: --admin-listen %s is not loopback: set "
			  "$OCSPBOX_ADMIN_TOKEN or --admin-token-file first",
		    admin_listen);
		return OB_EXIT_USAGE;
	}

	/* From here on a server's log: each line says when. */
	log_stamps(1);
	/* Migrate and check the database before anything listens. */
	if ((st = cli_open_db(ctx, 0)) == NULL)
		return OB_EXIT_ERR;
	/* The file serve answers from: serve_wait watches that its name
	 * still names it. */
	if (stat(ctx->db, &sb) != 0) {
		log_warnx("serve: %s: %s", ctx->db, strerror(errno));
		store_close(st);
		return OB_EXIT_ERR;
	}
	db_dev = sb.st_dev;
	db_ino = sb.st_ino;
	memset(&aconf, 0, sizeof(aconf));
	rc = follow_args(follow_flags, st, &follows);
	if (rc == OB_EXIT_OK)
		rc =
		    serve_admin_token(st, token_file, aconf.token_sha256, made);
	store_close(st);
	if (rc != OB_EXIT_OK) {
		follows_stop(&follows);
		return rc;
	}
	memset(&rconf, 0, sizeof(rconf));
	rconf.db_path = ctx->db;
	/* The refresh pass signs on every core; one more context keeps
	 * a live signature from waiting behind it. */
	rconf.nsign = ncpu + 1;
	rconf.validity = validity;
	rconf.backdate = backdate;
	rconf.unknown_max = unknown_max;
	/* Expiring within a validity is as urgent as within the period. */
	rconf.warn = warn > validity ? warn : validity;
	if (responder_new(&rconf, &r, err, sizeof(err)) != OB_OK) {
		log_warnx("serve: %s", err);
		follows_stop(&follows);
		return OB_EXIT_ERR;
	}

	/*
	 * Every thread started from here inherits the blocked signals; the
	 * main thread takes them. Those whose default would kill serve
	 * (SIGHUP from a closed terminal or a reload, SIGUSR1/2, SIGALRM,
	 * SIGQUIT) are logged and ignored; SIGTERM and SIGINT stop it.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGALRM);
	sigaddset(&set, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	/*
	 * Every held connection is a descriptor; so are each thread's
	 * database files (three in WAL mode), the admin listener's
	 * connections and the listeners themselves; a follower holds its
	 * database's three, an inotify instance, a pipe's two and the index
	 * while it reads it. Requests queued for a worker hold one each
	 * too, but only under overload: then, out of descriptors, the gate
	 * closes the connection held longest.
	 */
	reserve = 3 * (threads + HTTP_ADMIN_THREADS + ncpu + 8) +
	    7 * follows.n + HTTP_ADMIN_MAX_CONNECTIONS + 64;
	if ((fit = fit_descriptors(max_conns + reserve)) <
	    max_conns + reserve) {
		log_warnx(
		    "serve: the open-file limit is %ld: --max-connections "
		    "%ld lowered to %ld (raise it: ulimit -n, or "
		    "LimitNOFILE= in the systemd unit)",
		    fit, max_conns, fit - reserve < 16 ? 16 : fit - reserve);
		max_conns = fit - reserve < 16 ? 16 : fit - reserve;
	}

	http_init();
	memset(&conf, 0, sizeof(conf));
	conf.lc.listen = listen;
	conf.lc.threads = (int)threads;
	conf.lc.max_connections = (int)max_conns;
	conf.lc.buffer_budget = HTTP_REQUEST_BUFFER_BUDGET;
	conf.validity = validity;
	conf.unknown_max_age = unknown_age;
	if (http_ocsp_start(r, &conf, &h, err, sizeof(err)) != OB_OK)
		goto fail;
	if (refresh_start(r, ctx->db, interval, ncpu, &rf, err, sizeof(err)) !=
	    OB_OK)
		goto fail;
	aconf.listen = admin_listen;
	aconf.hosts = admin_hosts;
	aconf.db_path = ctx->db;
	aconf.r = r;
	aconf.rf = rf;
	aconf.interval = interval;
	aconf.pub = h;
	aconf.started_at = (int64_t)time(NULL);
	/* Started before the admin listener, which reads their status. */
	for (rc = 0; rc < follows.n; rc++) {
		if (follower_start(ctx->db, follows.id[rc], follows.path[rc],
			&follows.fw[rc], err, sizeof(err)) != OB_OK)
			goto fail;
		follows.hf[rc].issuer = follows.id[rc];
		follows.hf[rc].path = follows.path[rc];
		follows.hf[rc].fw = follows.fw[rc];
		log_warnx("following %s for issuer %s", follows.path[rc],
		    follows.id[rc]);
	}
	aconf.follows = follows.hf;
	aconf.nfollows = (size_t)follows.n;
	if (http_admin_start(&aconf, &ha, err, sizeof(err)) != OB_OK)
		goto fail;
	/* A bare port is every interface: said so, not left to guess. */
	log_warnx(
	    "serving OCSP on %s%s%s (%ld workers, %d signing "
	    "contexts per issuer, validity %llds, refresh every %llds, at "
	    "most %ld connections), admin on %s",
	    strchr(listen, ':') == NULL ? "0.0.0.0:" : "", listen,
	    strchr(listen, ':') == NULL ? " (every interface)" : "", threads,
	    rconf.nsign, (long long)validity, (long long)interval, max_conns,
	    admin_listen);
	serve_panel_url(admin_listen, admin_hosts, made, token_file);
	memset(made, 0, sizeof(made));
	if (!store_reads_nowait_works(ctx->db))
		log_warnx("serve: %s: this kernel or file system cannot read "
			  "without waiting for the disk (preadv2 RWF_NOWAIT): "
			  "the gate's cached answers may then wait for it too",
		    ctx->db);

	if (serve_wait(&set, ctx->db, db_dev, db_ino, rf, &sig) ==
	    SERVE_DB_GONE) {
		/*
		 * The file was replaced or removed under serve (a restore by
		 * rename, say). Reopening by name would meet the old file's
		 * -wal and -shm, still in use by this process, beside the
		 * new one; so no more answers from either, and stop: a
		 * supervisor starts serve again on the new file.
		 */
		responder_db_gone(r);
		log_warnx("serve: %s was replaced or removed while serving: "
			  "stopping (restore only while serve is stopped: "
			  "docs/operations.md)",
		    ctx->db);
		drop_old_sidecars(ctx->db);
		/*
		 * No graceful stop: closing the last connection to the old
		 * file would checkpoint and then unlink "-wal" by name, which
		 * may by now be the new file's. Nothing committed is lost:
		 * the old file is gone, and the new one untouched.
		 */
		_exit(OB_EXIT_ERR);
	} else {
		log_warnx("%s: finishing requests in flight",
		    sig == SIGTERM ? "SIGTERM" : "SIGINT");
		rc = OB_EXIT_OK;
	}
	/* The admin listener reads the public one's counts: it goes first. */
	http_admin_stop(ha);
	http_ocsp_stop(h);
	follows_stop(&follows);
	refresh_stop(rf);
	responder_free(r);
	http_exit();
	log_warnx("stopped");
	return rc;
fail:
	log_warnx("serve: %s", err);
	http_admin_stop(ha);
	http_ocsp_stop(h);
	follows_stop(&follows);
	refresh_stop(rf);
	responder_free(r);
	http_exit();
	return OB_EXIT_ERR;
}
