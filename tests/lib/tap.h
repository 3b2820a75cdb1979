/* SPDX-License-Identifier: MIT */
/*
 * tap.h - the homemade TAP harness for unit tests.
 *
 * CHECK(cond, fmt, ...), CHECK_INT(got, want, fmt, ...), CHECK_STR(got, want, fmt, ...) and
 * CHECK_MEM(got, want, len, fmt, ...) print "ok N - ..." or "not ok N - ..."; a failure is
 * followed by "#" lines with the place and the values.  SKIP(fmt, ...) records a skipped
 * point with its reason.  tap_done() prints the plan and "N passed, N failed[, N skipped]" and
 * returns the exit status (0 when nothing failed).
 */
#ifndef HVGUEST_TAP_H
#define HVGUEST_TAP_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

bool tap_check(bool ok, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
bool tap_check_int(long long got, long long want, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
bool tap_check_str(const char *got, const char *want, const char *file, int line, const char *fmt,
		   ...) __attribute__((format(printf, 5, 6)));
bool tap_check_mem(const void *got, const void *want, size_t len, const char *file, int line,
		   const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void tap_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int tap_done(void);

#define CHECK(cond, ...) tap_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_INT(got, want, ...)                                                                  \
	tap_check_int((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_STR(got, want, ...) tap_check_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_MEM(got, want, n, ...)                                                               \
	tap_check_mem((got), (want), (n), __FILE__, __LINE__, __VA_ARGS__)
#define SKIP(...) tap_skip(__VA_ARGS__)

#endif /* HVGUEST_TAP_H */
