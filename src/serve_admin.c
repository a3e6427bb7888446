/*
 * What serve checks and says of its listeners before they start: a
 * listen address (one, exactly), whether it is loopback only, the admin
 * token (from a file, the environment, or made once and printed), and
 * the panel's URL in the log. Used by serve.c only.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include "cli.h"

/*
 * The host part of a listen address s ("" for a bare port) into host
 * (size bytes), brackets of an IPv6 literal removed. Returns 0 when s is
 * not exactly one address: "PORT", "IPV4:PORT", "[IPV6]:PORT" or
 * "NAME:PORT" with a port from 1 to 65535. civetweb would also take a
 * list ("A:P,B:Q") and suffixes ("8081s", "8081r"): one flag, one
 * address, so what a flag says is what is checked.
 */
static int
listen_host(const char *s, char *host, size_t size)
{
	const char *colon = strrchr(s, ':'), *port = colon ? colon + 1 : s;
	unsigned char a[16];
	size_t n, i;
	long p = 0;

	for (i = 0; port[i] != '\0'; i++) {
		if (!isdigit((unsigned char)port[i]) || i >= 5)
			return 0;
		p = p * 10 + (port[i] - '0');
	}
	if (i == 0 || p < 1 || p > 65535)
		return 0;
	host[0] = '\0';
	if (colon == NULL)
		return 1;
	if ((n = (size_t)(colon - s)) == 0 || n >= size)
		return 0;
	if (s[0] == '[') {
		if (n < 3 || s[n - 1] != ']')
			return 0;
		memcpy(host, s + 1, n - 2);
		host[n - 2] = '\0';
		return inet_pton(AF_INET6, host, a) == 1;
	}
	memcpy(host, s, n);
	host[n] = '\0';
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)host[i]) && host[i] != '.' &&
		    host[i] != '-')
			return 0;
	return 1;
}

int
serve_listen_valid(const char *s)
{
	char host[256];

	return listen_host(s, host, sizeof(host));
}

/* Whether a listen address (valid_listen) binds loopback only: 127/8,
 * ::1 or localhost. A bare port binds every address. */
int
serve_listen_loopback(const char *s)
{
	char host[256];
	unsigned char a[16];
	struct in6_addr a6;

	if (!listen_host(s, host, sizeof(host)) || host[0] == '\0')
		return 0;
	if (inet_pton(AF_INET, host, a) == 1)
		return a[0] == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return strcasecmp(host, "localhost") == 0;
}

/*
 * The admin token's hash: from --admin-token-file (0600 or stricter, like
 * the keys), else $OCSPBOX_ADMIN_TOKEN, else the one serve made before
 * (only its hash is kept), else a new one, printed once and copied to
 * made (65 bytes; "" when none was made). Returns an OB_EXIT_ code.
 */
int
serve_admin_token(
    struct store *st, const char *file, unsigned char hash[32], char made[65])
{
	static const char weak[] =
	    "the token needs at least 128 bits: 32 or more hex digits, or "
	    "22 or more base64 characters (make one: openssl rand -hex 16)";
	char buf[512], tok[65], err[OB_ERRBUF];
	const char *env = getenv("OCSPBOX_ADMIN_TOKEN");
	struct stat sb;
	size_t n;
	FILE *fp;

	made[0] = '\0';
	if (file != NULL) {
		if ((fp = fopen(file, "r")) == NULL ||
		    fstat(fileno(fp), &sb) == -1) {
			log_warnx("serve: --admin-token-file %s: %s", file,
			    strerror(errno));
			if (fp != NULL)
				fclose(fp);
			return OB_EXIT_ERR;
		}
		if ((sb.st_mode & 077) != 0) {
			fclose(fp);
			log_warnx("serve: --admin-token-file %s: readable by "
				  "group or others (chmod 600 it)",
			    file);
			return OB_EXIT_ERR;
		}
		n = fread(buf, 1, sizeof(buf) - 1, fp);
		if (ferror(fp)) {
			log_warnx("serve: --admin-token-file %s: %s", file,
			    strerror(errno));
			fclose(fp);
			return OB_EXIT_ERR;
		}
		fclose(fp);
		buf[n] = '\0';
		while (n > 0 && strchr(" \t\r\n", buf[n - 1]) != NULL)
			buf[--n] = '\0';
		if (n == 0 || n == sizeof(buf) - 1 || strchr(buf, '\n')) {
			log_warnx("serve: --admin-token-file %s: want one line "
				  "of 1 to 500 characters",
			    file);
			return OB_EXIT_ERR;
		}
		if (!http_admin_token_strong(buf)) {
			memset(buf, 0, sizeof(buf));
			log_warnx(
			    "serve: --admin-token-file %s: %s", file, weak);
			return OB_EXIT_ERR;
		}
		http_admin_token_hash(buf, hash);
		memset(buf, 0, sizeof(buf));
		return OB_EXIT_OK;
	}
	if (env != NULL && env[0] != '\0') {
		/* An EnvironmentFile written on Windows ends lines in CR. */
		n = strlen(env);
		while (n > 0 && strchr(" \t\r\n", env[n - 1]) != NULL)
			n--;
		if (n >= sizeof(buf)) {
			log_warnx("serve: $OCSPBOX_ADMIN_TOKEN: longer than "
				  "500 characters");
			return OB_EXIT_ERR;
		}
		memcpy(buf, env, n);
		buf[n] = '\0';
		if (!http_admin_token_strong(buf)) {
			memset(buf, 0, sizeof(buf));
			log_warnx("serve: $OCSPBOX_ADMIN_TOKEN: %s", weak);
			return OB_EXIT_ERR;
		}
		http_admin_token_hash(buf, hash);
		memset(buf, 0, sizeof(buf));
		return OB_EXIT_OK;
	}
	if (store_admin_token(st, hash, err, sizeof(err)) == OB_OK) {
		log_warnx("admin token: the one printed when "
			  "it was made (only its hash is kept)");
		return OB_EXIT_OK;
	}
	if (http_admin_token_new(tok, hash) != OB_OK ||
	    store_admin_token_set(st, hash, err, sizeof(err)) != OB_OK) {
		log_warnx("serve: cannot make an admin token: %s", err);
		return OB_EXIT_ERR;
	}
	log_warnx("admin token (shown once, only its hash is kept): %s", tok);
	memcpy(made, tok, sizeof(tok));
	memset(tok, 0, sizeof(tok));
	return OB_EXIT_OK;
}

/*
 * Logs the panel's URL on the admin listener listen: its host the first
 * of hosts (--admin-host) when given, else listen's address (a
 * wildcard, or a bare port, as loopback); "#token=" and the token when
 * serve made it (made: printed just before anyway), else where the
 * token comes from.
 */
void
serve_panel_url(const char *listen, const char *hosts, const char *made,
    const char *token_file)
{
	char host[300];
	const char *colon = strrchr(listen, ':');
	size_t n;

	if (hosts != NULL && hosts[0] != '\0') {
		n = strcspn(hosts, ",");
		snprintf(host, sizeof(host), "%.*s%s", (int)(n > 255 ? 255 : n),
		    hosts, colon != NULL ? colon : ":");
		if (colon == NULL)
			snprintf(host + strlen(host),
			    sizeof(host) - strlen(host), "%s", listen);
	} else if (colon == NULL)
		snprintf(host, sizeof(host), "127.0.0.1:%s", listen);
	else if (strncmp(listen, "0.0.0.0:", 8) == 0)
		snprintf(host, sizeof(host), "127.0.0.1%s", colon);
	else if (strncmp(listen, "[::]:", 5) == 0)
		snprintf(host, sizeof(host), "[::1]%s", colon);
	else
		snprintf(host, sizeof(host), "%s", listen);
	if (made[0] != '\0')
		log_warnx("panel: http://%s/#token=%s", host, made);
	else if (token_file != NULL)
		log_warnx(
		    "panel: http://%s/ (its token is in %s)", host, token_file);
	else if (getenv("OCSPBOX_ADMIN_TOKEN") != NULL &&
	    getenv("OCSPBOX_ADMIN_TOKEN")[0] != '\0')
		log_warnx("panel: http://%s/ (its token is "
			  "$OCSPBOX_ADMIN_TOKEN)",
		    host);
	else
		log_warnx("panel: http://%s/ (its token is the one printed "
			  "when it was made; lost: see --admin-token-file in "
			  "ocspbox(8))",
		    host);
}
