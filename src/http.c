/*
 * What both listeners share on top of civetweb: starting one with the
 * limits that keep rude clients out of its workers, sending an answer in
 * one write with its Date, and the HTTP dates and max-age of cacheable
 * answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civetweb.h"
#include "http.h"

/*
 * While this thread starts a listener, civetweb's messages about it (a
 * port it cannot bind, then that it failed) are kept here, the first
 * one only, for http_start's one-line error, instead of logged; logged
 * after a start that worked.
 */
static __thread char *start_msg;
static __thread size_t start_msg_size;

/* civetweb's own errors (bad request lines, say): one line to stderr. */
static int
log_message(const struct mg_connection *c, const char *msg)
{
	(void)c;
	if (start_msg != NULL) {
		if (start_msg[0] == '\0')
			snprintf(start_msg, start_msg_size, "%s", msg);
		return 1;
	}
	log_warnx("http: %s", msg);
	return 1;
}

/*
 * The one line that says why listening on listen failed, from civetweb's
 * first message (msg: "cannot bind to ADDR: 98 (Address already in
 * use)") or its error text, into errbuf.
 */
static void
start_error(const char *listen, const char *msg, const char *text, char *errbuf,
    size_t errsz)
{
	const char *open = strrchr(msg, '('), *close = strrchr(msg, ')');

	if (strstr(msg, "cannot bind") != NULL && open != NULL &&
	    close != NULL && close > open)
		snprintf(errbuf, errsz, "cannot listen on %s: %.*s%s", listen,
		    (int)(close - open - 1), open + 1,
		    strstr(msg, "in use") != NULL
			? " (another server holds the port: ss -ltnp shows "
			  "which; or give another one)"
			: "");
	else
		snprintf(errbuf, errsz, "cannot listen on %s: %s", listen,
		    msg[0] != '\0'        ? msg
			: text[0] != '\0' ? text
					  : "cannot start");
}

enum ob_err
http_start(const struct http_listen_conf *lc,
    int (*fn)(struct mg_connection *, void *), void *user,
    struct mg_context **ctx, char *errbuf, size_t errsz)
{
	struct mg_callbacks cb;
	struct mg_init_data init;
	struct mg_error_data err;
	char errtext[256], msg[256], threads[16], rto[16], kato[16], fbto[16],
	    maxconn[16], body[24], budget[24], queue[16];
	const char *opts[] = {
	    "listening_ports",
	    lc->listen,
	    "num_threads",
	    threads,
	    /* The gate's deadlines and limits (third_party/civetweb). */
	    "request_timeout_ms",
	    rto,
	    "keep_alive_timeout_ms",
	    kato,
	    "first_byte_timeout_ms",
	    fbto,
	    "max_connections",
	    maxconn,
	    "max_request_body",
	    body,
	    "request_buffer_budget",
	    budget,
	    "enable_keep_alive",
	    "yes",
	    "max_request_size",
	    "16384",
	    "listen_backlog",
	    "512",
	    "connection_queue",
	    queue,
	    "decode_url",
	    lc->decode_url ? "yes" : "no",
	    /*
	     * No CORS: civetweb's defaults ("*") would approve every
	     * preflight, letting a page anywhere send the admin API a
	     * request with the operator's token. The panel is same-origin
	     * and OCSP clients are not browsers' scripts.
	     */
	    "access_control_allow_origin",
	    "",
	    "access_control_allow_methods",
	    "",
	    "access_control_allow_headers",
	    "",
	    NULL,
	    NULL,
	};

	*ctx = NULL;
	snprintf(threads, sizeof(threads), "%d", lc->threads);
	snprintf(rto, sizeof(rto), "%d", HTTP_REQUEST_TIMEOUT_MS);
	snprintf(kato, sizeof(kato), "%d", HTTP_KEEP_ALIVE_TIMEOUT_MS);
	snprintf(fbto, sizeof(fbto), "%d", HTTP_FIRST_BYTE_TIMEOUT_MS);
	snprintf(maxconn, sizeof(maxconn), "%d", lc->max_connections);
	snprintf(body, sizeof(body), "%zu",
	    lc->body_max > 0 ? lc->body_max : (size_t)HTTP_BODY_MAX);
	snprintf(budget, sizeof(budget), "%zu", lc->buffer_budget);
	snprintf(queue, sizeof(queue), "%d", HTTP_CONNECTION_QUEUE);
	memset(&cb, 0, sizeof(cb));
	cb.log_message = log_message;
	memset(&init, 0, sizeof(init));
	init.callbacks = &cb;
	init.user_data = user;
	init.configuration_options = opts;
	memset(&err, 0, sizeof(err));
	errtext[0] = '\0';
	err.text = errtext;
	err.text_buffer_size = sizeof(errtext);
	msg[0] = '\0';
	start_msg = msg;
	start_msg_size = sizeof(msg);
	*ctx = mg_start2(&init, &err);
	start_msg = NULL;
	if (*ctx == NULL) {
		start_error(lc->listen, msg, errtext, errbuf, errsz);
		return OB_ERR_IO;
	}
	/* Started all the same (a worker thread it could not start): said. */
	if (msg[0] != '\0')
		log_warnx("http: %s", msg);
	mg_set_request_handler(*ctx, "/", fn, user);
	return OB_OK;
}

void
http_date(int64_t t, char out[HTTP_DATE_LEN])
{
	static const char days[] = "SunMonTueWedThuFriSat",
			  months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct util_civil c;

	util_time_split(t, &c);
	if (c.year < 0 || c.year > 9999)
		c.year = c.year < 0 ? 0 : 9999;
	/* IMF-fixdate, RFC 9110 5.6.7: "Sun, 06 Nov 1994 08:49:37 GMT" */
	memcpy(out, days + 3 * c.wday, 3);
	memcpy(out + 3, ", ", 2);
	out[5] = (char)('0' + c.day / 10);
	out[6] = (char)('0' + c.day % 10);
	out[7] = ' ';
	memcpy(out + 8, months + 3 * (c.mon - 1), 3);
	out[11] = ' ';
	out[12] = (char)('0' + c.year / 1000);
	out[13] = (char)('0' + c.year / 100 % 10);
	out[14] = (char)('0' + c.year / 10 % 10);
	out[15] = (char)('0' + c.year % 10);
	out[16] = ' ';
	out[17] = (char)('0' + c.hour / 10);
	out[18] = (char)('0' + c.hour % 10);
	out[19] = ':';
	out[20] = (char)('0' + c.min / 10);
	out[21] = (char)('0' + c.min % 10);
	out[22] = ':';
	out[23] = (char)('0' + c.sec / 10);
	out[24] = (char)('0' + c.sec % 10);
	memcpy(out + 25, " GMT", 5);
}

int64_t
http_max_age(int64_t next_update, int64_t now, int64_t validity)
{
	int64_t margin = validity / 2 < HTTP_MAX_AGE_MARGIN
	    ? validity / 2
	    : HTTP_MAX_AGE_MARGIN,
		age;

	/* now is whole seconds, rounded down: take the next one. */
	age = next_update - (now + 1) - margin;
	if (age > validity)
		age = validity;
	return age < 0 ? 0 : age;
}

/* "Date: ...\r\n" for this second, formatted once a second per thread;
 * out has room for more after it. */
static size_t
date_line(char *out)
{
	static _Thread_local int64_t last = -1;
	static _Thread_local char line[HTTP_DATE_LEN + 8];
	int64_t now = (int64_t)time(NULL);

	if (now != last) {
		memcpy(line, "Date: ", 6);
		http_date(now, line + 6);
		memcpy(line + 6 + HTTP_DATE_LEN - 1, "\r\n", 3);
		last = now;
	}
	memcpy(out, line, HTTP_DATE_LEN + 8);
	return 6 + HTTP_DATE_LEN - 1 + 2;
}

size_t
http_frame(char *out, size_t cap, const char *head, size_t hlen,
    const unsigned char *body, size_t blen, const char *conn)
{
	char date[HTTP_DATE_LEN + 8], line[40];
	const char *eol = memchr(head, '\n', hlen);
	size_t first = eol != NULL ? (size_t)(eol - head) + 1 : hlen, dlen,
	       clen = 0;

	/* Every answer says when (RFC 9110 6.6.1), after its status line,
	 * and what becomes of the connection after it (RFC 9112 9.3, 9.6). */
	dlen = date_line(date);
	if (conn != NULL)
		clen = (size_t)snprintf(
		    line, sizeof(line), "Connection: %s\r\n", conn);
	if (clen >= sizeof(line) || hlen + dlen + clen + blen > cap)
		return 0;
	memcpy(out, head, first);
	memcpy(out + first, date, dlen);
	memcpy(out + first + dlen, line, clen);
	memcpy(out + first + dlen + clen, head + first, hlen - first);
	if (blen > 0)
		memcpy(out + hlen + dlen + clen, body, blen);
	return hlen + dlen + clen + blen;
}

void
http_send_all(struct mg_connection *c, const char *head, size_t hlen,
    const unsigned char *body, size_t blen)
{
	const struct mg_request_info *ri = mg_get_request_info(c);
	char stack[4096], *buf = stack;
	const char *conn = NULL;
	size_t total, n;

	/* A HEAD answer has the headers of GET's, Content-Length too. */
	if (strcmp(ri->request_method, "HEAD") == 0)
		blen = 0;
	if (mg_response_closes(c))
		conn = "close";
	else if (ri->http_version != NULL &&
	    strcmp(ri->http_version, "1.0") == 0)
		conn = "keep-alive"; /* kept open as it asked: say so */
	total = hlen + HTTP_DATE_LEN + 48 + blen;
	if (total > sizeof(stack) && (buf = malloc(total)) == NULL) {
		/* No memory for one write: the head, then the body. */
		if ((n = http_frame(stack, sizeof(stack), head, hlen, NULL, 0,
			 conn)) == 0) {
			mg_set_must_close(c);
			return;
		}
		mg_write_gated(c, stack, n);
		if (blen > 0)
			mg_write_gated(c, body, blen);
		return;
	}
	/*
	 * One write: two small ones on one connection meet Nagle's
	 * algorithm and the peer's delayed ACK, 40 ms an answer. What the
	 * client does not take at once (it reads slowly, or not at all) the
	 * gate sends later: a worker never waits on it.
	 */
	n = http_frame(buf, total, head, hlen, body, blen, conn);
	if (n > 0)
		mg_write_gated(c, buf, n);
	else
		mg_set_must_close(c);
	if (buf != stack)
		free(buf);
}

void
http_init(void)
{
	mg_init_library(0);
}

void
http_exit(void)
{
	mg_exit_library();
}

const char *
http_version(void)
{
	return mg_version();
}
