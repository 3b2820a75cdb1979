/* SPDX-License-Identifier: MIT */
/*
 * log.c - stderr-with-priority or syslog sinks, and a hold ring that keeps messages in memory
 * while filesystems are frozen.
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define LOG_LINE_MAX 1024

static const char *prog = "hvguest";
static enum log_sink cur_sink = LOG_SINK_STDERR;
static int cur_verbosity;
static bool prefix_priority;

static struct {
	bool on;
	size_t head, count, dropped;
	int prio[LOG_HOLD_MAX];
	char line[LOG_HOLD_MAX][LOG_LINE_MAX];
} hold;

void log_init(const char *progname, enum log_sink sink, int verbosity)
{
	prog = progname;
	cur_sink = sink;
	cur_verbosity = verbosity;
	/* journald reads "<N>" prefixes; a person at a terminal does not want them. */
	prefix_priority = getenv("JOURNAL_STREAM") || !isatty(STDERR_FILENO);
	if (getenv("HVGUEST_LOG_PLAIN"))
		prefix_priority = false;
	if (sink == LOG_SINK_SYSLOG)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_verbosity(int verbosity)
{
	cur_verbosity = verbosity;
}

const char *log_progname(void)
{
	return prog;
}

static void emit(int priority, const char *line)
{
	if (cur_sink == LOG_SINK_SYSLOG) {
		syslog(priority, "%s", line);
		return;
	}
	if (prefix_priority)
		fprintf(stderr, "<%d>%s: %s\n", priority, prog, line);
	else
		fprintf(stderr, "%s: %s\n", prog, line);
	fflush(stderr);
}

static void dispatch(int priority, const char *line)
{
	if (priority == LOG_DEBUG && cur_verbosity < 1)
		return;
	if (!hold.on) {
		emit(priority, line);
		return;
	}
	if (hold.count == LOG_HOLD_MAX) {
		hold.dropped++;
		return;
	}
	size_t slot = (hold.head + hold.count) % LOG_HOLD_MAX;
	hold.prio[slot] = priority;
	(void)str_copy(hold.line[slot], LOG_LINE_MAX, line);
	hold.count++;
}

void log_msg(int priority, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	dispatch(priority, line);
}

int log_errno(int priority, int r, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(line))
		(void)snprintf(line + n, sizeof(line) - (size_t)n, ": %s",
			       strerror(r < 0 ? -r : r));
	dispatch(priority, line);
	return r;
}

void log_hold(void)
{
	hold.on = true;
}

bool log_is_held(void)
{
	return hold.on;
}

size_t log_release(void)
{
	size_t dropped = hold.dropped;

	hold.on = false;
	while (hold.count > 0) {
		emit(hold.prio[hold.head], hold.line[hold.head]);
		hold.head = (hold.head + 1) % LOG_HOLD_MAX;
		hold.count--;
	}
	hold.head = 0;
	hold.dropped = 0;
	if (dropped > 0)
		log_warn("%zu log messages were dropped while the log was held", dropped);
	return dropped;
}
