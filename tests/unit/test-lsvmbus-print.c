/* SPDX-License-Identifier: MIT */
/*
 * test-lsvmbus-print.c - the output formats: the reference's text layouts (including the
 * empty line after each -v block and "%2s" padding), --driver, JSON with its string escaping,
 * and the channel-to-CPU map.
 */
#include <stdio.h>
#include <stdlib.h>

#include "lsvmbus_print.h"
#include "tap.h"

static struct lsvmbus_channel nic_ch[] = {
	{ .relid_text = "14", .cpu_text = "0", .relid = 14, .cpu = 0, .cpu_valid = true },
	{ .relid_text = "20", .cpu_text = "1", .relid = 20, .cpu = 1, .cpu_valid = true },
	{ .relid_text = "21", .cpu_text = "x", .relid = 21, .cpu_valid = false },
};
static struct lsvmbus_channel hb_ch[] = {
	{ .relid_text = "3", .cpu_text = "1", .relid = 3, .cpu = 1, .cpu_valid = true },
};

static struct lsvmbus_device devs[] = {
	{ .entry = "fd14",
	  .id_text = "3",
	  .id = 3,
	  .class_id = "{57164f39-9115-4e78-ab55-382f3bd5422d}",
	  .device_id = "{fd14}",
	  .driver = "hv_utils",
	  .channels = hb_ch,
	  .n_channels = 1,
	  .ok = true },
	{ .entry = "e1",
	  .id_text = "14",
	  .id = 14,
	  .class_id = "{f8615163-df3e-46c5-913f-f2d2f965ed0e}",
	  .device_id = "{e1}",
	  .driver = "",
	  .channels = nic_ch,
	  .n_channels = 3,
	  .ok = true },
	{ .entry = "nochan",
	  .id_text = "100",
	  .id = 100,
	  .class_id = "{c376c1c3-d276-48d2-90a9-c04748072c60}",
	  .device_id = "{\"q\"\\}",
	  .driver = "",
	  .ok = true },
	{ .entry = "bad", .ok = false, .problem = "'id' is empty" },
};

static const struct lsvmbus_bus bus = { devs, ARRAY_SIZE(devs) };

static const struct {
	int verbose;
	bool driver;
	const char *want;
} text_cases[] = {
	{ 0, false,
	  "VMBUS ID  3: [Heartbeat]\n"
	  "VMBUS ID 14: Synthetic network adapter\n"
	  "VMBUS ID 100: [Initial Machine Configuration]\n" },
	{ 1, false,
	  "VMBUS ID  3: Class_ID = {57164f39-9115-4e78-ab55-382f3bd5422d} - [Heartbeat]\n"
	  "\tRel_ID=3, target_cpu=1\n"
	  "\n"
	  "VMBUS ID 14: Class_ID = {f8615163-df3e-46c5-913f-f2d2f965ed0e} - Synthetic network "
	  "adapter\n"
	  "\tRel_ID=14, target_cpu=0\n"
	  "\tRel_ID=20, target_cpu=1\n"
	  "\tRel_ID=21, target_cpu=x\n"
	  "\n"
	  "VMBUS ID 100: Class_ID = {c376c1c3-d276-48d2-90a9-c04748072c60} - [Initial Machine "
	  "Configuration]\n"
	  "\n" },
	{ 2, false,
	  "VMBUS ID  3: Class_ID = {57164f39-9115-4e78-ab55-382f3bd5422d} - [Heartbeat]\n"
	  "\tDevice_ID = {fd14}\n"
	  "\tSysfs path: /s/bus/vmbus/devices/fd14\n"
	  "\tRel_ID=3, target_cpu=1\n"
	  "\n"
	  "VMBUS ID 14: Class_ID = {f8615163-df3e-46c5-913f-f2d2f965ed0e} - Synthetic network "
	  "adapter\n"
	  "\tDevice_ID = {e1}\n"
	  "\tSysfs path: /s/bus/vmbus/devices/e1\n"
	  "\tRel_ID=14, target_cpu=0\n"
	  "\tRel_ID=20, target_cpu=1\n"
	  "\tRel_ID=21, target_cpu=x\n"
	  "\n"
	  "VMBUS ID 100: Class_ID = {c376c1c3-d276-48d2-90a9-c04748072c60} - [Initial Machine "
	  "Configuration]\n"
	  "\tDevice_ID = {\"q\"\\}\n"
	  "\tSysfs path: /s/bus/vmbus/devices/nochan\n"
	  "\n" },
	{ 0, true,
	  "VMBUS ID  3: [Heartbeat] (driver: hv_utils)\n"
	  "VMBUS ID 14: Synthetic network adapter (driver: none)\n"
	  "VMBUS ID 100: [Initial Machine Configuration] (driver: none)\n" },
	{ 1, true,
	  "VMBUS ID  3: Class_ID = {57164f39-9115-4e78-ab55-382f3bd5422d} - [Heartbeat]\n"
	  "\tDriver: hv_utils\n"
	  "\tRel_ID=3, target_cpu=1\n"
	  "\n"
	  "VMBUS ID 14: Class_ID = {f8615163-df3e-46c5-913f-f2d2f965ed0e} - Synthetic network "
	  "adapter\n"
	  "\tDriver: none\n"
	  "\tRel_ID=14, target_cpu=0\n"
	  "\tRel_ID=20, target_cpu=1\n"
	  "\tRel_ID=21, target_cpu=x\n"
	  "\n"
	  "VMBUS ID 100: Class_ID = {c376c1c3-d276-48d2-90a9-c04748072c60} - [Initial Machine "
	  "Configuration]\n"
	  "\tDriver: none\n"
	  "\n" },
};

typedef void print_fn(FILE *f, const struct lsvmbus_bus *b, const struct lsvmbus_print_opts *o);

/* Run one printer into memory; the caller frees the result. */
static char *capture(print_fn *fn, const struct lsvmbus_print_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	fn(f, &bus, o);
	fclose(f);
	return buf;
}

static void test_text(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(text_cases); i++) {
		struct lsvmbus_print_opts o = { .verbose = text_cases[i].verbose,
						.driver = text_cases[i].driver,
						.devices_path = "/s/bus/vmbus/devices" };
		char *got = capture(lsvmbus_print_text, &o);

		CHECK_STR(got, text_cases[i].want, "text, verbose %d, driver %d",
			  text_cases[i].verbose, text_cases[i].driver);
		free(got);
	}
}

static void test_json(void)
{
	struct lsvmbus_print_opts o = { .devices_path = "/s/bus/vmbus/devices" };
	struct lsvmbus_bus none = { NULL, 0 };
	char *got = capture(lsvmbus_print_json, &o);
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	CHECK_STR(got,
		  "[\n"
		  "  {\"id\": 3, \"class_id\": \"{57164f39-9115-4e78-ab55-382f3bd5422d}\", "
		  "\"class\": \"heartbeat\", \"name\": \"[Heartbeat]\", \"device_id\": \"{fd14}\", "
		  "\"sysfs_path\": \"/s/bus/vmbus/devices/fd14\", \"driver\": \"hv_utils\", "
		  "\"channels\": [{\"relid\": 3, \"cpu\": 1}]},\n"
		  "  {\"id\": 14, \"class_id\": \"{f8615163-df3e-46c5-913f-f2d2f965ed0e}\", "
		  "\"class\": \"network\", \"name\": \"Synthetic network adapter\", "
		  "\"device_id\": \"{e1}\", \"sysfs_path\": \"/s/bus/vmbus/devices/e1\", "
		  "\"driver\": null, \"channels\": [{\"relid\": 14, \"cpu\": 0}, "
		  "{\"relid\": 20, \"cpu\": 1}, {\"relid\": 21, \"cpu\": null}]},\n"
		  "  {\"id\": 100, \"class_id\": \"{c376c1c3-d276-48d2-90a9-c04748072c60}\", "
		  "\"class\": \"imc\", \"name\": \"[Initial Machine Configuration]\", "
		  "\"device_id\": \"{\\\"q\\\"\\\\}\", \"sysfs_path\": "
		  "\"/s/bus/vmbus/devices/nochan\", \"driver\": null, \"channels\": []}\n"
		  "]\n",
		  "JSON of three devices, the unusable one left out");
	free(got);

	f = open_memstream(&buf, &len);
	if (!f)
		abort();
	lsvmbus_print_json(f, &none, &o);
	fclose(f);
	CHECK_STR(buf, "[]\n", "JSON of no device");
	free(buf);
}

static const struct {
	const char *in;
	const char *want;
} json_string_cases[] = {
	/* clang-format off */
	{ "plain",              "\"plain\"" },
	{ "q\"b\\",             "\"q\\\"b\\\\\"" },
	{ "\t\n\x01\x1f\x7f",   "\"\\u0009\\u000a\\u0001\\u001f\\u007f\"" },
	{ "caf\xc3\xa9",        "\"caf\xc3\xa9\"" },
	{ "\xe2\x82\xac\xf0\x9f\x98\x80", "\"\xe2\x82\xac\xf0\x9f\x98\x80\"" },
	{ "a\xffz",             "\"a\\ufffdz\"" },
	{ "\xc3",               "\"\\ufffd\"" },
	{ "\xc0\xaf",           "\"\\ufffd\\ufffd\"" },
	{ "\xed\xa0\x80",       "\"\\ufffd\\ufffd\\ufffd\"" },
	{ "\xf4\x90\x80\x80",   "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
	{ "",                   "\"\"" },
	/* clang-format on */
};

static void test_json_string(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(json_string_cases); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		if (!f)
			abort();
		lsvmbus_json_string(f, json_string_cases[i].in);
		fclose(f);
		CHECK_STR(buf, json_string_cases[i].want, "JSON string case %zu", i);
		free(buf);
	}
}

static void test_cpus(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	CHECK_INT(lsvmbus_print_cpus(f, &bus), 0, "CPU map printed");
	fclose(f);
	CHECK_STR(buf,
		  "CPU 0: 1 channel\n"
		  "\tRel_ID=14, VMBUS ID 14: Synthetic network adapter\n"
		  "CPU 1: 2 channels\n"
		  "\tRel_ID=3, VMBUS ID 3: [Heartbeat]\n"
		  "\tRel_ID=20, VMBUS ID 14: Synthetic network adapter\n"
		  "CPU unknown: 1 channel\n"
		  "\tRel_ID=21, VMBUS ID 14: Synthetic network adapter\n",
		  "CPU map: by CPU, then relid; a CPU that is no number last");
	free(buf);
}

int main(void)
{
	test_text();
	test_json();
	test_json_string();
	test_cpus();
	return tap_done();
}
