/* SPDX-License-Identifier: MIT */
/*
 * test-util.c - str_copy truncation, parse_uint's strictness, the rate limiter.
 */
#include <errno.h>

#include "tap.h"
#include "util.h"

static const struct {
	const char *in;
	unsigned long long max;
	int want;
	unsigned long long want_v;
} uint_cases[] = {
	/* clang-format off */
	{ "0",                    10,          0,       0 },
	{ "10",                   10,          0,       10 },
	{ "11",                   10,          -ERANGE, 0 },
	{ "0x1f",                 255,         0,       31 },
	{ "",                     10,          -EINVAL, 0 },
	{ " 1",                   10,          -EINVAL, 0 },
	{ "-1",                   10,          -EINVAL, 0 },
	{ "1x",                   10,          -EINVAL, 0 },
	{ "99999999999999999999", ~0ULL,       -ERANGE, 0 },
	/* clang-format on */
};

static void test_parse_uint(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(uint_cases); i++) {
		unsigned long long v = 12345;
		int r = parse_uint(uint_cases[i].in, uint_cases[i].max, &v);

		CHECK_INT(r, uint_cases[i].want, "parse_uint(\"%s\") result", uint_cases[i].in);
		if (uint_cases[i].want == 0)
			CHECK_INT(v, uint_cases[i].want_v, "parse_uint(\"%s\") value",
				  uint_cases[i].in);
		else
			CHECK_INT(v, 12345, "parse_uint(\"%s\") leaves the output alone on error",
				  uint_cases[i].in);
	}
}

static void test_str_copy(void)
{
	char b[4];

	CHECK_INT(str_copy(b, sizeof(b), "abc"), 0, "str_copy fits exactly");
	CHECK_STR(b, "abc", "str_copy copied");
	CHECK_INT(str_copy(b, sizeof(b), "abcd"), -ENAMETOOLONG, "str_copy one over reports it");
	CHECK_STR(b, "abc", "str_copy truncated and terminated");
	CHECK_INT(str_copy(b, 0, "a"), -ENAMETOOLONG, "str_copy into nothing");
}

static void test_ratelimit(void)
{
	struct ratelimit rl = RATELIMIT_INIT(60000, 3);
	int allowed = 0;

	for (int i = 0; i < 10; i++)
		allowed += ratelimit_ok(&rl);
	CHECK_INT(allowed, 3, "burst of 3 then suppressed");
	CHECK_INT(rl.suppressed, 7, "suppressed events are counted");
}

int main(void)
{
	test_parse_uint();
	test_str_copy();
	test_ratelimit();
	return tap_done();
}
