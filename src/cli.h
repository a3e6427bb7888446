/*
 * The commands (main.c, cli.c, cli_issuer.c, cli_cert.c, cli_cache.c,
 * cli_crl.c, cli_backup.c, serve.c, serve_admin.c): the top layer, which
 * may use every layer below.
 */
#ifndef OCSPBOX_CLI_H
#define OCSPBOX_CLI_H

#include "http.h"

/* ---- cli.c: the commands, and what they share -------------------------- */

/* Exit codes (SPEC): success, runtime error, usage error. */
#define OB_EXIT_OK 0
#define OB_EXIT_ERR 1
#define OB_EXIT_USAGE 2

/* Global options every command sees. */
struct cli_ctx {
	const char *db; /* --db, $OCSPBOX_DB or ./ocspbox.db */
	const char *prog; /* "ocspbox" */
};

/* Each returns an OB_EXIT_ code; argv[0] is the command's own name. */
int cli_migrate(struct cli_ctx *, int, char **);
int cli_schema(struct cli_ctx *, int, char **);
int cli_issuer(struct cli_ctx *, int, char **); /* cli_issuer.c */
int cli_cert(struct cli_ctx *, int, char **); /* cli_cert.c */
int cli_revoke(struct cli_ctx *, int, char **); /* cli_cert.c */
int cli_unrevoke(struct cli_ctx *, int, char **); /* cli_cert.c */
int cli_serve(struct cli_ctx *, int, char **); /* serve.c */
int cli_cache(struct cli_ctx *, int, char **); /* cli_cache.c */
int cli_crl(struct cli_ctx *, int, char **); /* cli_crl.c */
int cli_backup(struct cli_ctx *, int, char **); /* cli_backup.c */

/* Defaults of serve and cache refresh (see the README's trade-offs). */
#define CLI_VALIDITY_DEFAULT "24h"
#define CLI_REFRESH_INTERVAL_DEFAULT "1h"
/* thisUpdate this long before signing: a client whose clock is up to an
 * hour slow takes a fresh answer (Boulder does the same). */
#define CLI_BACKDATE_DEFAULT "1h"

/*
 * The refresh interval (the flag, else $OCSPBOX_REFRESH_INTERVAL, else
 * $CERTCTL_OCSP_CACHE_REFRESH_INTERVAL, else 1h), the validity (the
 * flag, else 24h) and the backdate ("0" or a duration up to 7d, else
 * 1h), in seconds, checked: the interval at least 60 s (a fifth of the
 * validity when that is shorter), the validity longer than the interval.
 * Returns OB_EXIT_OK, or OB_EXIT_USAGE after saying why as cmd.
 */
int cli_cache_settings(const char *cmd, const char *interval_arg,
    const char *validity_arg, const char *backdate_arg, int64_t *interval,
    int64_t *validity, int64_t *backdate);

/* The CPUs online, 1 to REFRESH_THREADS_MAX. */
int cli_cpu_count(void);

/* One option of a command: --name VALUE, --name=VALUE, or a flag. */
struct cli_opt {
	const char *name;
	int has_arg; /* 0, 1, or CLI_OPT_REPEAT */
	const char **val; /* with has_arg */
	int *flag; /* without */
};
/* has_arg for an option given any number of times: val points to the
 * first of CLI_REPEAT_MAX + 1 pointers, NULL-ended, each value appended
 * in the order given. */
#define CLI_OPT_REPEAT 2
#define CLI_REPEAT_MAX 32

/*
 * Parses argv[1..] of the command cmd (its full name, as its messages
 * give it: "cert add", "issuer update") against opts (ending with a NULL
 * name; may be NULL); positional arguments go to pos (at most maxpos,
 * borrowed from argv). Options start with "--"; an argument with a
 * single "-" is positional (a negative serial: "-66"), "-h" aside; "--"
 * ends the options, and every argument after it is positional. Returns
 * -1 on a usage error (already said, as "ocspbox: cmd: ..."), 1 for
 * --help or -h, 0 otherwise, with *npos set.
 */
int cli_parse_opts(const char *cmd, int argc, char **argv,
    const struct cli_opt *opts, const char **pos, int maxpos, int *npos);

/* Opens (creating if asked) and migrates the database; NULL on error. */
struct store *cli_open_db(struct cli_ctx *, int create);

/*
 * A duration from --name arg of cmd: "0", or 90s, 30m, 1h, 7d; at most
 * max seconds. Into *out, in seconds (untouched when arg is NULL).
 * OB_EXIT_OK, or OB_EXIT_USAGE after saying why.
 */
int cli_duration_arg(const char *cmd, const char *name, const char *arg,
    int64_t max, int64_t *out);

/*
 * --expiry-warning arg of cmd into *out, in seconds: RESPONDER_WARN_DEFAULT
 * when arg is NULL, at most a year. OB_EXIT_OK, or OB_EXIT_USAGE after
 * saying why.
 */
int cli_warn_arg(const char *cmd, const char *arg, int64_t *out);

/*
 * Whether id is a valid issuer id (api_issuer_id_valid); 0 after saying
 * why as cmd.
 */
int cli_check_id(const char *cmd, const char *id);

/*
 * The canonical form (ob.h) of serial in as given on a command line
 * into out (OB_SERIAL_HEX_MAX + 1 bytes): 1, or 0 after saying why as
 * cmd (not hex, or longer than OB_SERIAL_MAX_OCTETS).
 */
int cli_parse_serial(const char *cmd, const char *in, char *out);

/*
 * A time given on a command line into *out (seconds since the epoch):
 * RFC 3339 (util_time_parse), or its full-date alone ("2027-01-31"),
 * taken as 00:00:00 UTC that day. OB_OK or OB_ERR_INVAL.
 */
enum ob_err cli_time_arg(const char *in, int64_t *out);

/*
 * Looks up one issuer's record (its certificates and keys; counts left 0)
 * among *v (*n of them, malloc'd: the caller frees them with
 * store_issuer_list_free); 0 after saying why, as command cmd, when
 * there is none.
 */
int cli_find_issuer(const char *cmd, struct store *st, const char *id,
    struct store_issuer **v, size_t *n, struct store_issuer **out);

/* ---- serve_admin.c: serve's listeners, checked before they start ----- */

/*
 * Whether s is exactly one listen address: "PORT", "IPV4:PORT",
 * "[IPV6]:PORT" or "NAME:PORT", port 1 to 65535. 1 or 0.
 */
int serve_listen_valid(const char *s);

/* Whether listen address s binds loopback only (127/8, ::1, localhost);
 * a bare port binds every address. 1 or 0. */
int serve_listen_loopback(const char *s);

/*
 * The admin token's SHA-256 into hash: from file (--admin-token-file,
 * 0600 or stricter; may be NULL), else $OCSPBOX_ADMIN_TOKEN, else the
 * one serve made before (its hash kept in st), else a new one, printed
 * once and copied to made (65 bytes; "" when none was made; the caller
 * wipes it). Returns an OB_EXIT_ code, after saying why.
 */
int serve_admin_token(
    struct store *st, const char *file, unsigned char hash[32], char made[65]);

/*
 * Logs the panel's URL on admin listener listen: its host the first of
 * hosts (--admin-host; may be NULL) when given, else listen's address
 * (a wildcard, or a bare port, as loopback); "#token=" and made when
 * serve made the token, else where the token comes from (token_file,
 * the environment, or the one printed when made).
 */
void serve_panel_url(const char *listen, const char *hosts, const char *made,
    const char *token_file);

#endif /* OCSPBOX_CLI_H */
