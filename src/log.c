/*
 * The one way ocspbox writes to its log: "ocspbox: MESSAGE" lines on
 * stderr, which systemd's journal (or whatever runs the server) keeps;
 * serve's start with the time, RFC 3339 in UTC to the millisecond.
 * Commands and the server's threads both log here, so that a line is
 * never torn by another thread's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "ob.h"

/* Set once by serve before its threads start; read-only after. */
static int stamps;

void
log_stamps(int on)
{
	stamps = on;
}

void
log_warnx(const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	char t[96];
	va_list ap;

	t[0] = '\0';
	if (stamps && clock_gettime(CLOCK_REALTIME, &ts) == 0 &&
	    gmtime_r(&ts.tv_sec, &tm) != NULL)
		snprintf(t, sizeof(t), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ ",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec, (int)(ts.tv_nsec / 1000000));
	/* One locked stream for the pieces: a line is never torn. */
	flockfile(stderr);
	fputs(t, stderr);
	fputs("ocspbox: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}
