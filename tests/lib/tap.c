/* SPDX-License-Identifier: MIT */
/*
 * tap.c - prints TAP test points and the closing summary line.
 */
#include "tap.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static unsigned int n_run, n_pass, n_fail, n_skip;

static void __attribute__((format(printf, 2, 0))) point(bool ok, const char *fmt, va_list ap)
{
	n_run++;
	if (ok)
		n_pass++;
	else
		n_fail++;
	printf("%sok %u - ", ok ? "" : "not ", n_run);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

bool tap_check(bool ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	point(ok, fmt, ap);
	va_end(ap);
	if (!ok)
		printf("#   at %s:%d\n", file, line);
	return ok;
}

bool tap_check_int(long long got, long long want, const char *file, int line, const char *fmt, ...)
{
	bool ok = got == want;
	va_list ap;

	va_start(ap, fmt);
	point(ok, fmt, ap);
	va_end(ap);
	if (!ok)
		printf("#   at %s:%d\n#   got:  %lld\n#   want: %lld\n", file, line, got, want);
	return ok;
}

bool tap_check_str(const char *got, const char *want, const char *file, int line, const char *fmt,
		   ...)
{
	bool ok = (got && want) ? strcmp(got, want) == 0 : got == want;
	va_list ap;

	va_start(ap, fmt);
	point(ok, fmt, ap);
	va_end(ap);
	if (!ok)
		printf("#   at %s:%d\n#   got:  \"%s\"\n#   want: \"%s\"\n", file, line,
		       got ? got : "(null)", want ? want : "(null)");
	return ok;
}

bool tap_check_mem(const void *got, const void *want, size_t len, const char *file, int line,
		   const char *fmt, ...)
{
	bool ok = memcmp(got, want, len) == 0;
	va_list ap;

	va_start(ap, fmt);
	point(ok, fmt, ap);
	va_end(ap);
	if (!ok) {
		const unsigned char *g = got, *w = want;
		size_t i = 0;

		while (i < len && g[i] == w[i])
			i++;
		printf("#   at %s:%d\n#   first difference at byte %zu: got 0x%02x, want 0x%02x\n",
		       file, line, i, g[i], w[i]);
	}
	return ok;
}

void tap_skip(const char *fmt, ...)
{
	va_list ap;

	n_run++;
	n_skip++;
	printf("ok %u # SKIP ", n_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int tap_done(void)
{
	printf("1..%u\n", n_run);
	printf("%u passed, %u failed", n_pass, n_fail);
	if (n_skip > 0)
		printf(", %u skipped", n_skip);
	putchar('\n');
	fflush(stdout);
	return n_fail == 0 ? 0 : 1;
}
