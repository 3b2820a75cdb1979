/* SPDX-License-Identifier: MIT */
/*
 * test-utf16.c - strict UTF-16LE -> UTF-8 conversion (surrogate pairs, refusal of lone
 * surrogates, buffer limits) and the reverse direction with its UTF-8 strictness.
 */
#include <errno.h>

#include "tap.h"
#include "utf16.h"

/* Units are written as host numbers and stored little-endian by the test. */
static const struct {
	const char *what;
	uint16_t units[8];
	size_t n;
	size_t size;
	int want;
	const char *want_s;
} to8_cases[] = {
	/* clang-format off */
	{ "empty",                 { 0 },                          1, 8,  0,            "" },
	{ "no units at all",       { 0 },                          0, 8,  0,            "" },
	{ "ascii",                 { 'a', 'b', 'c', 0 },           4, 8,  3,            "abc" },
	{ "stops at NUL",          { 'a', 0, 'b' },                3, 8,  1,            "a" },
	{ "no NUL in field",       { 'a', 'b' },                   2, 8,  2,            "ab" },
	{ "latin-1 e-acute",       { 0xe9, 0 },                    2, 8,  2,            "\xc3\xa9" },
	{ "two-byte boundary",     { 0x7ff, 0 },                   2, 8,  2,            "\xdf\xbf" },
	{ "three-byte euro",       { 0x20ac, 0 },                  2, 8,  3,            "\xe2\x82\xac" },
	{ "U+FFFF",                { 0xffff, 0 },                  2, 8,  3,            "\xef\xbf\xbf" },
	{ "astral U+1F600",        { 0xd83d, 0xde00, 0 },          3, 8,  4,            "\xf0\x9f\x98\x80" },
	{ "astral U+10000",        { 0xd800, 0xdc00, 0 },          3, 8,  4,            "\xf0\x90\x80\x80" },
	{ "astral U+10FFFF",       { 0xdbff, 0xdfff, 0 },          3, 8,  4,            "\xf4\x8f\xbf\xbf" },
	{ "lone high at end",      { 'a', 0xd83d, 0 },             3, 8,  -EILSEQ,      "" },
	{ "lone high at field end",{ 'a', 0xd83d },                2, 8,  -EILSEQ,      "" },
	{ "high then ascii",       { 0xd83d, 'a', 0 },             3, 8,  -EILSEQ,      "" },
	{ "high then high",        { 0xd83d, 0xd83d, 0xde00, 0 },  4, 8,  -EILSEQ,      "" },
	{ "lone low",              { 0xde00, 0 },                  2, 8,  -EILSEQ,      "" },
	{ "reversed pair",         { 0xde00, 0xd83d, 0 },          3, 8,  -EILSEQ,      "" },
	{ "exact fit",             { 'a', 'b', 'c', 0 },           4, 4,  3,            "abc" },
	{ "one byte short",        { 'a', 'b', 'c', 0 },           4, 3,  -ENAMETOOLONG, "" },
	{ "multibyte short",       { 0x20ac, 0 },                  2, 3,  -ENAMETOOLONG, "" },
	{ "no room for NUL",       { 0 },                          1, 0,  -ENAMETOOLONG, NULL },
	/* clang-format on */
};

static void test_to_utf8(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(to8_cases); i++) {
		uint8_t in[16];
		char out[8];
		int r;

		for (size_t k = 0; k < 8; k++) {
			in[2 * k] = (uint8_t)(to8_cases[i].units[k] & 0xff);
			in[2 * k + 1] = (uint8_t)(to8_cases[i].units[k] >> 8);
		}
		memset(out, 'Z', sizeof(out));
		r = utf16le_to_utf8(in, to8_cases[i].n, out, to8_cases[i].size);
		CHECK_INT(r, to8_cases[i].want, "to utf8: %s: result", to8_cases[i].what);
		if (to8_cases[i].want_s)
			CHECK_STR(out, to8_cases[i].want_s, "to utf8: %s: text", to8_cases[i].what);
	}
}

static const struct {
	const char *what;
	const char *in;
	size_t units;
	int want;
	uint16_t want_u[6];
} to16_cases[] = {
	/* clang-format off */
	{ "ascii",            "ab",                     8, 2,             { 'a', 'b', 0 } },
	{ "euro",             "\xe2\x82\xac",           8, 1,             { 0x20ac, 0 } },
	{ "astral",           "\xf0\x9f\x98\x80",       8, 2,             { 0xd83d, 0xde00, 0 } },
	{ "overlong slash",   "\xc0\xaf",               8, -EILSEQ,       { 0 } },
	{ "overlong 3-byte",  "\xe0\x80\xaf",           8, -EILSEQ,       { 0 } },
	{ "encoded surrogate","\xed\xa0\x80",           8, -EILSEQ,       { 0 } },
	{ "above U+10FFFF",   "\xf4\x90\x80\x80",       8, -EILSEQ,       { 0 } },
	{ "truncated",        "\xe2\x82",               8, -EILSEQ,       { 0 } },
	{ "bare continuation","\x80",                   8, -EILSEQ,       { 0 } },
	{ "exact fit",        "abc",                    4, 3,             { 'a', 'b', 'c', 0 } },
	{ "no room for NUL",  "abc",                    3, -ENAMETOOLONG, { 0 } },
	{ "no room for pair", "a\xf0\x9f\x98\x80",      3, -ENAMETOOLONG, { 0 } },
	/* clang-format on */
};

static void test_to_utf16(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(to16_cases); i++) {
		uint8_t out[16] = { 0 }, want[16] = { 0 };
		int r = utf8_to_utf16le(to16_cases[i].in, out, to16_cases[i].units);

		CHECK_INT(r, to16_cases[i].want, "to utf16: %s: result", to16_cases[i].what);
		if (r < 0)
			continue;
		for (size_t k = 0; k < 6; k++) {
			want[2 * k] = (uint8_t)(to16_cases[i].want_u[k] & 0xff);
			want[2 * k + 1] = (uint8_t)(to16_cases[i].want_u[k] >> 8);
		}
		CHECK_MEM(out, want, 2 * ((size_t)r + 1), "to utf16: %s: units",
			  to16_cases[i].what);
	}
}

/* Every scalar value survives UTF-8 -> UTF-16 -> UTF-8 unchanged. */
static void test_round_trip(void)
{
	unsigned long bad = 0;

	for (uint32_t cp = 1; cp <= 0x10ffff; cp++) {
		char s[5] = { 0 }, back[8];
		uint8_t u[8];

		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		if (cp < 0x80) {
			s[0] = (char)cp;
		} else if (cp < 0x800) {
			s[0] = (char)(0xc0 | (cp >> 6));
			s[1] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			s[0] = (char)(0xe0 | (cp >> 12));
			s[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
			s[2] = (char)(0x80 | (cp & 0x3f));
		} else {
			s[0] = (char)(0xf0 | (cp >> 18));
			s[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
			s[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
			s[3] = (char)(0x80 | (cp & 0x3f));
		}
		if (utf8_to_utf16le(s, u, 4) < 0 || utf16le_to_utf8(u, 4, back, sizeof(back)) < 0 ||
		    strcmp(s, back) != 0)
			bad++;
	}
	CHECK_INT(bad, 0, "every scalar value round-trips");
}

static void test_validate(void)
{
	CHECK_INT(utf8_validate("caf\xc3\xa9", 5), 0, "validate accepts good UTF-8");
	CHECK_INT(utf8_validate("caf\xc3", 4), -EILSEQ, "validate refuses a cut sequence");
	CHECK_INT(utf8_validate("\xff", 1), -EILSEQ, "validate refuses 0xff");
	CHECK_INT(utf16le_len("a\0b\0\0\0", 3), 2, "utf16le_len stops at NUL");
}

int main(void)
{
	test_to_utf8();
	test_to_utf16();
	test_round_trip();
	test_validate();
	return tap_done();
}
