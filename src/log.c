/*
 * The one way ocspbox writes to its log: "ocspbox: MESSAGE" lines on
 * stderr, which systemd's journal (or whatever runs the server) keeps.
 * Commands and the server's threads both log here, so that a line is
 * never torn by another thread's.
 */
#include <stdarg.h>
#include <stdio.h>

#include "ob.h"

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	/* One locked stream for the three pieces: a line is never torn. */
	flockfile(stderr);
	fputs("ocspbox: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}
