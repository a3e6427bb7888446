/*
 * The serve command: load the issuers, start the public listener, and wait
 * for SIGTERM or SIGINT, then finish the requests in flight and exit 0.
 */
#include <ctype.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "civetweb.h"
#include "extern.h"

/* Default validity of a response; see the README for the trade-off. */
#define SERVE_VALIDITY_DEFAULT "24h"

/* Whether s is "A:P", "[v6]:P" or "P" with a port from 1 to 65535. */
static int
valid_listen(const char *s)
{
	const char *colon = strrchr(s, ':'), *port = colon ? colon + 1 : s;
	long p;
	char *end;

	if (*port == '\0')
		return 0;
	p = strtol(port, &end, 10);
	if (*end != '\0' || p < 1 || p > 65535)
		return 0;
	return colon == NULL || colon > s;
}

static int
cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

int
cli_serve(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *listen = "0.0.0.0:8080", *threads_arg = NULL,
		   *validity_arg = SERVE_VALIDITY_DEFAULT;
	const struct cli_opt opts[] = {
	    {"listen", 1, &listen, NULL},
	    {"threads", 1, &threads_arg, NULL},
	    {"validity", 1, &validity_arg, NULL},
	    {NULL, 0, NULL, NULL},
	};
	struct http_ocsp_conf conf;
	struct responder *r = NULL;
	struct http_ocsp *h = NULL;
	struct store *st = NULL;
	sigset_t set;
	char err[OB_ERRBUF], *end;
	int64_t validity;
	int npos, rc, sig, ncpu = cpu_count();
	long threads;

	rc = cli_parse_opts(argc, argv, opts, NULL, 0, &npos);
	if (rc == 1) {
		printf(
		    "usage: ocspbox serve [--listen ADDR:PORT] [--threads N] "
		    "[--validity DUR]\n\n"
		    "Answers OCSP on --listen (default 0.0.0.0:8080): POST / "
		    "and /ocsp, GET\n/{base64} and /ocsp/{base64}, and "
		    "/healthz. --threads is the number of\nHTTP workers "
		    "(default 4 per core, at least 8); --validity how "
		    "long a\nresponse is valid (default %s). SIGTERM or "
		    "SIGINT finish the requests\nin flight, then exit 0.\n",
		    SERVE_VALIDITY_DEFAULT);
		return OB_EXIT_OK;
	}
	if (rc < 0)
		return OB_EXIT_USAGE;
	if (!valid_listen(listen)) {
		cli_warnx(
		    "serve: bad --listen \"%s\" (want ADDR:PORT)", listen);
		return OB_EXIT_USAGE;
	}
	threads = ncpu * 4 < 8 ? 8 : ncpu * 4;
	if (threads_arg != NULL &&
	    ((threads = strtol(threads_arg, &end, 10)) < 1 || threads > 1024 ||
		*end != '\0' || !isdigit((unsigned char)threads_arg[0]))) {
		cli_warnx("serve: bad --threads \"%s\" (want 1 to 1024)",
		    threads_arg);
		return OB_EXIT_USAGE;
	}
	if (util_duration_parse(validity_arg, &validity) != OB_OK) {
		cli_warnx("serve: bad --validity \"%s\" (want e.g. 90s, 30m, "
			  "1h, 7d)",
		    validity_arg);
		return OB_EXIT_USAGE;
	}

	/* Migrate and check the database before anything listens. */
	if ((st = cli_open_db(ctx, 1)) == NULL)
		return OB_EXIT_ERR;
	store_close(st);
	if (responder_new(ctx->db, ncpu, validity, &r, err, sizeof(err)) !=
	    OB_OK) {
		cli_warnx("serve: %s", err);
		return OB_EXIT_ERR;
	}

	/* Every thread started from here inherits the blocked signals. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	mg_init_library(0);
	memset(&conf, 0, sizeof(conf));
	conf.listen = listen;
	conf.threads = (int)threads;
	conf.request_timeout_ms = 5000;
	conf.keep_alive_timeout_ms = 5000;
	if (http_ocsp_start(r, &conf, &h, err, sizeof(err)) != OB_OK) {
		cli_warnx("serve: %s", err);
		responder_free(r);
		mg_exit_library();
		return OB_EXIT_ERR;
	}
	fprintf(stderr,
	    "ocspbox: serving OCSP on %s (%ld workers, %d signing "
	    "contexts per issuer, validity %llds)\n",
	    listen, threads, ncpu, (long long)validity);

	while (sigwait(&set, &sig) != 0)
		;
	fprintf(stderr, "ocspbox: %s: finishing requests in flight\n",
	    sig == SIGTERM ? "SIGTERM" : "SIGINT");
	http_ocsp_stop(h);
	responder_free(r);
	mg_exit_library();
	fprintf(stderr, "ocspbox: stopped\n");
	return OB_EXIT_OK;
}
