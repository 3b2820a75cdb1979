/* SPDX-License-Identifier: MIT */
/*
 * util.h - small macros and helpers shared by every program.
 */
#ifndef HVGUEST_UTIL_H
#define HVGUEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)     ((a) < (b) ? (a) : (b))
#define MAX(a, b)     ((a) > (b) ? (a) : (b))

#define WARN_UNUSED __attribute__((warn_unused_result))

static inline bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/*
 * Copy the NUL-terminated 'src' into 'dst' of 'size' bytes.  Returns 0, or -ENAMETOOLONG
 * (leaving 'dst' truncated but terminated) when it does not fit.
 */
int str_copy(char *dst, size_t size, const char *src);

/*
 * Parse a whole decimal (or 0x-prefixed hex) unsigned number in [0, max].  Returns 0 and
 * sets *ret, or -EINVAL for junk and -ERANGE above max.
 */
int parse_uint(const char *s, unsigned long long max, unsigned long long *ret) WARN_UNUSED;

/* Monotonic clock in nanoseconds and milliseconds. */
uint64_t now_ns(void);
uint64_t now_ms(void);

/*
 * A token bucket: at most 'burst' events, refilled at one per 'interval_ms'.  Returns true
 * when the event may go ahead.  Used to rate-limit warnings caused by the host.
 */
struct ratelimit {
	uint64_t interval_ms;
	unsigned int burst;
	unsigned int tokens;
	uint64_t last_ms;
	unsigned long suppressed;
};
#define RATELIMIT_INIT(interval, b)                                                                \
	{                                                                                          \
		.interval_ms = (interval), .burst = (b), .tokens = (b)                             \
	}
bool ratelimit_ok(struct ratelimit *rl);

#endif /* HVGUEST_UTIL_H */
