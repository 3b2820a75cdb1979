/* SPDX-License-Identifier: MIT */
/*
 * test-lsvmbus-sysfs.c - the attribute parsers of lsvmbus, table-driven: Python's strip()
 * and int() rules, first lines with every line ending, channel_vp_mapping parsing and its
 * stable sort, and the per-device verdicts of lsvmbus_device_parse().
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "lsvmbus_sysfs.h"
#include "tap.h"

#define BYTES(s) (s), sizeof(s) - 1 /* keeps embedded NULs */

static const struct {
	const char *in;
	size_t len;
	const char *want;
} strip_cases[] = {
	/* clang-format off */
	{ BYTES("abc"),            "abc" },
	{ BYTES("  a b \n"),       "a b" },
	{ BYTES("\t\v\f\r\n x"),   "x" },
	{ BYTES("x\x1c\x1d\x1e\x1f"), "x" },
	{ BYTES("   "),            "" },
	{ BYTES(""),               "" },
	{ BYTES("\x01x\x01"),      "\x01x\x01" },
	/* clang-format on */
};

static void test_strip(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(strip_cases); i++) {
		size_t a, n;
		char out[64];

		lsvmbus_strip(strip_cases[i].in, strip_cases[i].len, &a, &n);
		memcpy(out, strip_cases[i].in + a, n);
		out[n] = '\0';
		CHECK_STR(out, strip_cases[i].want, "strip case %zu", i);
	}
}

static const struct {
	const char *in;
	size_t len;
	size_t out_size;
	int want;
	const char *want_out;
} first_line_cases[] = {
	/* clang-format off */
	{ BYTES("12\n"),               64, 0,             "12" },
	{ BYTES("12"),                 64, 0,             "12" },
	{ BYTES(" 12 \r\n13\n"),       64, 0,             "12" },
	{ BYTES("12\r13"),             64, 0,             "12" },
	{ BYTES("\n12\n"),             64, 0,             "" },
	{ BYTES("   \n"),              64, 0,             "" },
	{ BYTES(""),                   64, -ENODATA,      NULL },
	{ BYTES("1\0002\n"),           64, -EINVAL,       NULL },
	{ BYTES("12\n\0"),             64, 0,             "12" },
	{ BYTES("1234\n"),             5,  0,             "1234" },
	{ BYTES("12345\n"),            5,  -ENAMETOOLONG, NULL },
	{ BYTES("  12345  \n"),        6,  0,             "12345" },
	/* clang-format on */
};

static void test_first_line(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(first_line_cases); i++) {
		char out[64] = "untouched";
		int r = lsvmbus_first_line(first_line_cases[i].in, first_line_cases[i].len, out,
					   first_line_cases[i].out_size);

		CHECK_INT(r, first_line_cases[i].want, "first_line case %zu result", i);
		if (first_line_cases[i].want_out)
			CHECK_STR(out, first_line_cases[i].want_out, "first_line case %zu text", i);
	}
}

static const struct {
	const char *in;
	int want;
	long long want_v;
} int_cases[] = {
	/* clang-format off */
	{ "0",                     0,       0 },
	{ "12",                    0,       12 },
	{ "007",                   0,       7 },
	{ " 12 ",                  0,       12 },
	{ "\t12\n",                0,       12 },
	{ "+5",                    0,       5 },
	{ "-5",                    0,       -5 },
	{ "1_000",                 0,       1000 },
	{ "1_0_0",                 0,       100 },
	{ "9223372036854775807",   0,       9223372036854775807LL },
	{ "-9223372036854775808",  0,       -9223372036854775807LL - 1 },
	{ "9223372036854775808",   -ERANGE, 0 },
	{ "99999999999999999999",  -ERANGE, 0 },
	{ "",                      -EINVAL, 0 },
	{ "   ",                   -EINVAL, 0 },
	{ "+",                     -EINVAL, 0 },
	{ "-",                     -EINVAL, 0 },
	{ "+-1",                   -EINVAL, 0 },
	{ "_1",                    -EINVAL, 0 },
	{ "1_",                    -EINVAL, 0 },
	{ "1__0",                  -EINVAL, 0 },
	{ "1 2",                   -EINVAL, 0 },
	{ "0x10",                  -EINVAL, 0 },
	{ "1.0",                   -EINVAL, 0 },
	{ "four",                  -EINVAL, 0 },
	/* clang-format on */
};

static void test_parse_int(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(int_cases); i++) {
		long long v = 4242;
		int r = lsvmbus_parse_int(int_cases[i].in, strlen(int_cases[i].in), &v);

		CHECK_INT(r, int_cases[i].want, "int case %zu result", i);
		CHECK_INT(v, int_cases[i].want == 0 ? int_cases[i].want_v : 4242,
			  "int case %zu value (untouched on error)", i);
	}
}

/* Expected channels as "relid_text|cpu_text" joined by ';' (sorted order). */
static const struct {
	const char *in;
	size_t len;
	int want;
	const char *want_channels;
	const char *want_err; /* a part of the message */
} mapping_cases[] = {
	/* clang-format off */
	{ BYTES("14:0\n"),                     0,       "14|0",                  NULL },
	{ BYTES("14:0\n30:1\n31:2\n"),         0,       "14|0;30|1;31|2",        NULL },
	{ BYTES("31:2\n14:0\n30:1\n"),         0,       "14|0;30|1;31|2",        NULL },
	{ BYTES("9:1\n10:0\n"),                0,       "9|1;10|0",              NULL },
	{ BYTES("5:a\n5:b\n4:c\n5:d\n"),       0,       "4|c;5|a;5|b;5|d",       NULL },
	{ BYTES("1:0\r\n2:1\r\n"),             0,       "1|0;2|1",               NULL },
	{ BYTES("2:1\r1:0"),                   0,       "1|0;2|1",               NULL },
	{ BYTES("1:2:3\n"),                    0,       "1|2",                   NULL },
	{ BYTES(" 3 : 1 \n"),                  0,       "3 | 1",                 NULL },
	{ BYTES("3:\n"),                       0,       "3|",                    NULL },
	{ BYTES("007:1\n"),                    0,       "007|1",                 NULL },
	{ BYTES(""),                           0,       "",                      NULL },
	{ BYTES("1:0\n\n"),                    -EINVAL, NULL,                    "line 2 is not RELID:CPU: ''" },
	{ BYTES("1:0\n20\n"),                  -EINVAL, NULL,                    "line 2 is not RELID:CPU: '20'" },
	{ BYTES("x:0\n"),                      -EINVAL, NULL,                    "line 1 is not RELID:CPU: 'x:0'" },
	{ BYTES(":0\n"),                       -EINVAL, NULL,                    "line 1" },
	{ BYTES("1:\0000\n"),                  -EINVAL, NULL,                    "'1:\\x000'" },
	/* clang-format on */
};

static void join_channels(const struct lsvmbus_channel *ch, size_t n, char *out, size_t size)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(out + o, size - o, "%s%s|%s", i ? ";" : "", ch[i].relid_text,
				 ch[i].cpu_text);

		if (w < 0 || (size_t)w >= size - o)
			return;
		o += (size_t)w;
	}
}

static void test_parse_mapping(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(mapping_cases); i++) {
		struct lsvmbus_channel *ch = NULL;
		size_t n = 99;
		char err[128] = "", got[512];
		int r = lsvmbus_parse_mapping(mapping_cases[i].in, mapping_cases[i].len, &ch, &n,
					      err, sizeof(err));

		CHECK_INT(r, mapping_cases[i].want, "mapping case %zu result", i);
		if (r == 0) {
			join_channels(ch, n, got, sizeof(got));
			CHECK_STR(got, mapping_cases[i].want_channels, "mapping case %zu channels",
				  i);
			free(ch);
		}
		if (mapping_cases[i].want_err)
			CHECK(strstr(err, mapping_cases[i].want_err) != NULL,
			      "mapping case %zu message '%s' has '%s'", i, err,
			      mapping_cases[i].want_err);
	}
}

static void test_mapping_numbers(void)
{
	struct lsvmbus_channel *ch = NULL;
	size_t n = 0;
	int r = lsvmbus_parse_mapping(BYTES("30:3\n14:x\n 15 : 7 \n"), &ch, &n, NULL, 0);

	if (!CHECK(r == 0 && n == 3, "three channels parsed"))
		return;
	CHECK(ch[0].relid == 14 && !ch[0].cpu_valid, "relid 14, CPU 'x' is not a number");
	CHECK(ch[1].relid == 15 && ch[1].cpu_valid && ch[1].cpu == 7, "relid 15 on CPU 7");
	CHECK(ch[2].relid == 30 && ch[2].cpu_valid && ch[2].cpu == 3, "relid 30 on CPU 3");
	free(ch);
}

static void test_mapping_limit(void)
{
	size_t len = (LSVMBUS_CHANNELS_MAX + 1) * 4;
	char *buf = malloc(len);
	struct lsvmbus_channel *ch = NULL;
	size_t n = 0;
	char err[128] = "";

	if (!buf)
		abort();
	for (size_t i = 0; i < LSVMBUS_CHANNELS_MAX + 1; i++)
		memcpy(buf + i * 4, "1:0\n", 4);
	CHECK_INT(lsvmbus_parse_mapping(buf, len - 4, &ch, &n, err, sizeof(err)), 0,
		  "exactly LSVMBUS_CHANNELS_MAX channels are taken");
	CHECK_INT(n, LSVMBUS_CHANNELS_MAX, "... all of them");
	free(ch);
	ch = NULL;
	CHECK_INT(lsvmbus_parse_mapping(buf, len, &ch, &n, err, sizeof(err)), -E2BIG,
		  "one channel more is refused");
	CHECK(ch == NULL, "... with nothing allocated");
	free(buf);
}

#define ATTR(s)                                                                                    \
	{                                                                                          \
		(s), sizeof(s) - 1, 0                                                              \
	}
#define NOATTR                                                                                     \
	{                                                                                          \
		NULL, 0, -ENOENT                                                                   \
	}
#define NOTREG                                                                                     \
	{                                                                                          \
		NULL, 0, -EINVAL                                                                   \
	}
#define GUID_NIC "{f8615163-df3e-46c5-913f-f2d2f965ed0e}\n"
#define GUID_DEV "{00000000-0000-0000-0000-000000000001}\n"

static const struct {
	const char *what;
	struct lsvmbus_attr id, class_id, device_id, mapping;
	bool want_ok;
	size_t want_channels;
	const char *want_problem; /* NULL: none; else a part of it */
} device_cases[] = {
	/* clang-format off */
	{ "a good device",          ATTR("12\n"),  ATTR(GUID_NIC), ATTR(GUID_DEV), ATTR("12:0\n20:1\n"), true,  2, NULL },
	{ "no mapping",             ATTR("12\n"),  ATTR(GUID_NIC), ATTR(GUID_DEV), NOATTR,               true,  0, "cannot read 'channel_vp_mapping'" },
	{ "bad mapping",            ATTR("12\n"),  ATTR(GUID_NIC), ATTR(GUID_DEV), ATTR("12\n"),         true,  0, "line 1 is not RELID:CPU" },
	{ "empty mapping",          ATTR("12\n"),  ATTR(GUID_NIC), ATTR(GUID_DEV), ATTR(""),             true,  0, NULL },
	{ "no id",                  NOATTR,        ATTR(GUID_NIC), ATTR(GUID_DEV), ATTR("12:0\n"),       false, 0, "cannot read 'id'" },
	{ "empty id",               ATTR(""),      ATTR(GUID_NIC), ATTR(GUID_DEV), ATTR("12:0\n"),       false, 0, "'id' is empty" },
	{ "blank id",               ATTR(" \n"),   ATTR(GUID_NIC), ATTR(GUID_DEV), ATTR("12:0\n"),       false, 0, "'id' is not a number: ''" },
	{ "id not a number",        ATTR("x1\n"),  ATTR(GUID_NIC), ATTR(GUID_DEV), ATTR("12:0\n"),       false, 0, "'id' is not a number: 'x1'" },
	{ "id too big",             ATTR("99999999999999999999\n"), ATTR(GUID_NIC), ATTR(GUID_DEV), ATTR(""), false, 0, "'id' is out of range" },
	{ "id is a FIFO",           NOTREG,        ATTR(GUID_NIC), ATTR(GUID_DEV), ATTR("12:0\n"),       false, 0, "'id' is not a regular file" },
	{ "no class_id",            ATTR("12\n"),  NOATTR,         ATTR(GUID_DEV), ATTR("12:0\n"),       false, 0, "cannot read 'class_id'" },
	{ "class_id with a NUL",    ATTR("12\n"),  ATTR("{f8\0}\n"), ATTR(GUID_DEV), ATTR("12:0\n"),     false, 0, "'class_id' holds a NUL byte" },
	{ "empty class_id line",    ATTR("12\n"),  ATTR("\n"),     ATTR(GUID_DEV), ATTR("12:0\n"),       true,  1, NULL },
	{ "no device_id",           ATTR("12\n"),  ATTR(GUID_NIC), NOATTR,         ATTR("12:0\n"),       false, 0, "cannot read 'device_id'" },
	{ "empty device_id",        ATTR("12\n"),  ATTR(GUID_NIC), ATTR(""),       ATTR("12:0\n"),       false, 0, "'device_id' is empty" },
	/* clang-format on */
};

static void test_device_parse(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(device_cases); i++) {
		struct lsvmbus_device d;
		int r;

		memset(&d, 0, sizeof(d));
		r = lsvmbus_device_parse(&d, &device_cases[i].id, &device_cases[i].class_id,
					 &device_cases[i].device_id, &device_cases[i].mapping);
		CHECK_INT(r, 0, "%s: parsed", device_cases[i].what);
		CHECK_INT(d.ok, device_cases[i].want_ok, "%s: usable or not", device_cases[i].what);
		CHECK_INT(d.n_channels, device_cases[i].want_channels, "%s: channels",
			  device_cases[i].what);
		if (device_cases[i].want_problem)
			CHECK(strstr(d.problem, device_cases[i].want_problem) != NULL,
			      "%s: problem '%s' says '%s'", device_cases[i].what, d.problem,
			      device_cases[i].want_problem);
		else
			CHECK_STR(d.problem, "", "%s: no problem", device_cases[i].what);
		lsvmbus_device_release(&d);
	}
}

static void test_device_fields(void)
{
	struct lsvmbus_attr id = ATTR("  007 \r\n"), cls = ATTR(GUID_NIC), dev = ATTR(GUID_DEV),
			    map = ATTR("7:1\n");
	struct lsvmbus_device d;

	memset(&d, 0, sizeof(d));
	if (!CHECK(lsvmbus_device_parse(&d, &id, &cls, &dev, &map) == 0 && d.ok, "parsed"))
		return;
	CHECK_STR(d.id_text, "007", "id text is stripped, zeros kept (printed as is)");
	CHECK_INT(d.id, 7, "id value 7 (the sort key)");
	CHECK_STR(d.class_id, "{f8615163-df3e-46c5-913f-f2d2f965ed0e}", "class_id stripped");
	CHECK_STR(d.device_id, "{00000000-0000-0000-0000-000000000001}", "device_id stripped");
	lsvmbus_device_release(&d);
}

static void test_sort(void)
{
	struct lsvmbus_device devs[4];
	struct lsvmbus_bus bus = { devs, ARRAY_SIZE(devs) };
	static const struct {
		const char *entry;
		long long id;
		bool ok;
	} in[] = { { "d", 10, true }, { "c", 0, false }, { "b", 2, true }, { "a", 10, true } };

	memset(devs, 0, sizeof(devs));
	for (size_t i = 0; i < ARRAY_SIZE(in); i++) {
		(void)str_copy(devs[i].entry, sizeof(devs[i].entry), in[i].entry);
		devs[i].id = in[i].id;
		devs[i].ok = in[i].ok;
	}
	lsvmbus_bus_sort(&bus);
	CHECK(streq(devs[0].entry, "b") && streq(devs[1].entry, "a") && streq(devs[2].entry, "d") &&
		      streq(devs[3].entry, "c"),
	      "sorted by id as a number (2 before 10), ties by name, unusable last");
}

/* Scans of the fixture trees (tests/run starts tests in the source tree). */
static const struct {
	const char *tree;
	int want;
	size_t want_devices, want_ok, want_problems;
	const char *entry;  /* one device to look at, or NULL */
	const char *driver; /* ... its driver */
	size_t channels;    /* ... its channel count */
} scan_cases[] = {
	/* clang-format off */
	{ "tests/data/sysfs/gen2",         0,        16, 16, 0, "eb765408-105f-49b6-b4aa-c123b64d17d4", "uio_hv_generic", 1 },
	{ "tests/data/sysfs/gen1",         0,        14, 14, 0, "eb765408-105f-49b6-b4aa-c123b64d17d4", "",               1 },
	{ "tests/data/sysfs/gen2-sriov",   0,        14, 14, 0, "fd149e91-82e0-4a7d-afa6-2a4166cbd7c0", "hv_utils",       1 },
	{ "tests/data/sysfs/half-written", 0,        6,  2,  4, NULL,                                   NULL,             0 },
	{ "tests/data/sysfs/malformed",    0,        8,  3,  7, NULL,                                   NULL,             0 },
	{ "tests/data/sysfs/not-a-guest",  -ENOENT,  0,  0,  0, NULL,                                   NULL,             0 },
	{ "tests/data/sysfs/generate.py",  -ENOTDIR, 0,  0,  0, NULL,                                   NULL,             0 },
	/* clang-format on */
};

static void test_scan(void)
{
	if (access("tests/data/sysfs/gen2", F_OK) != 0) {
		SKIP("fixture trees not found: not started from the source tree");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(scan_cases); i++) {
		struct lsvmbus_bus bus = { NULL, 0 };
		char path[256];
		size_t n_ok = 0, n_problems = 0;
		int r;

		(void)snprintf(path, sizeof(path), "%s%s", scan_cases[i].tree,
			       scan_cases[i].want == -ENOTDIR ? "" : "/bus/vmbus/devices");
		r = lsvmbus_bus_scan(path, &bus);
		CHECK_INT(r, scan_cases[i].want, "scan %s", scan_cases[i].tree);
		CHECK_INT(bus.n_devices, scan_cases[i].want_devices, "%s: entries",
			  scan_cases[i].tree);
		for (size_t k = 0; k < bus.n_devices; k++) {
			const struct lsvmbus_device *d = &bus.devices[k];

			n_ok += d->ok;
			n_problems += d->problem[0] != '\0';
			if (scan_cases[i].entry && streq(d->entry, scan_cases[i].entry)) {
				CHECK_STR(d->driver, scan_cases[i].driver, "%s: driver of %s",
					  scan_cases[i].tree, d->entry);
				CHECK_INT(d->n_channels, scan_cases[i].channels,
					  "%s: channels of %s", scan_cases[i].tree, d->entry);
			}
		}
		CHECK_INT(n_ok, scan_cases[i].want_ok, "%s: usable devices", scan_cases[i].tree);
		CHECK_INT(n_problems, scan_cases[i].want_problems, "%s: devices with a message",
			  scan_cases[i].tree);
		lsvmbus_bus_release(&bus);
	}
}

int main(void)
{
	test_strip();
	test_first_line();
	test_parse_int();
	test_parse_mapping();
	test_mapping_numbers();
	test_mapping_limit();
	test_device_parse();
	test_device_fields();
	test_sort();
	test_scan();
	return tap_done();
}
