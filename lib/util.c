/* SPDX-License-Identifier: MIT */
/*
 * util.c - string copies that report truncation, strict number parsing, clocks and a rate
 * limiter.
 */
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

int str_copy(char *dst, size_t size, const char *src)
{
	size_t n;

	if (size == 0)
		return -ENAMETOOLONG;
	n = strnlen(src, size);
	if (n == size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return -ENAMETOOLONG;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

int parse_uint(const char *s, unsigned long long max, unsigned long long *ret)
{
	unsigned long long v;
	char *end;

	/* strtoull accepts leading blanks and a minus sign; we accept neither. */
	if (!s || !*s || !((*s >= '0' && *s <= '9')))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno != 0 || *end != '\0')
		return -EINVAL;
	if (v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t now_ms(void)
{
	return now_ns() / 1000000u;
}

bool ratelimit_ok(struct ratelimit *rl)
{
	uint64_t now = now_ms();

	if (rl->interval_ms > 0 && now > rl->last_ms) {
		uint64_t refill = (now - rl->last_ms) / rl->interval_ms;

		if (refill > 0) {
			rl->tokens = (unsigned int)MIN((uint64_t)rl->burst, rl->tokens + refill);
			rl->last_ms = now;
		}
	}
	if (rl->tokens == 0) {
		rl->suppressed++;
		return false;
	}
	rl->tokens--;
	return true;
}
