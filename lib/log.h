/* SPDX-License-Identifier: MIT */
/*
 * log.h - the one logging API of every hvguest program.
 *
 * Sinks: in the foreground or under systemd (JOURNAL_STREAM set) messages go to stderr with a
 * kernel-style "<N>" priority prefix that journald understands (the prefix is left out when
 * stderr is a terminal); a daemon that detached uses syslog.
 *
 * Hold mode (log_hold): messages are kept in a fixed in-memory ring instead of being written,
 * and written out by log_release().  hv-vssd holds the log between freeze and thaw so that
 * logging can never block on, or write to, a frozen filesystem.
 *
 * Library code returns errors and logs at most at debug level; main.c and loop code log.
 */
#ifndef HVGUEST_LOG_H
#define HVGUEST_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

#define LOG_HOLD_MAX 64 /* messages kept while held; later ones are counted and dropped */

enum log_sink {
	LOG_SINK_STDERR,
	LOG_SINK_SYSLOG,
};

/* verbosity: 0 = info and above, 1 = debug. */
void log_init(const char *progname, enum log_sink sink, int verbosity);
void log_set_verbosity(int verbosity);
const char *log_progname(void);

void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_err(...)    log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)   log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)   log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)  log_msg(LOG_DEBUG, __VA_ARGS__)

/* Log "<message>: <strerror(-r)>" and return r (a negative errno). */
int log_errno(int priority, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define log_err_errno(r, ...)  log_errno(LOG_ERR, (r), __VA_ARGS__)
#define log_warn_errno(r, ...) log_errno(LOG_WARNING, (r), __VA_ARGS__)

/* Keep messages in memory from now on (see above). */
void log_hold(void);
/* Write out every held message in order, then log normally again.  Returns how many were
 * dropped because the ring was full. */
size_t log_release(void);
bool log_is_held(void);

#endif /* HVGUEST_LOG_H */
