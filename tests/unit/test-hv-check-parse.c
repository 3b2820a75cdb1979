/* SPDX-License-Identifier: MIT */
/*
 * test-hv-check-parse.c - the parsers of guest input: os-release (quotes, comments, missing
 * ID), redhat-release, the boot log's three host-build formats with kmsg and dmesg prefixes,
 * and KVP pool 3 records (whole, truncated, unterminated).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvc_parse.h"
#include "tap.h"

static void test_osrel(void)
{
	static const struct {
		const char *name, *text;
		int ret;
		const char *id, *version;
	} cases[] = {
		/* clang-format off */
		{ "quoted", "NAME=\"Debian\"\nID=debian\nVERSION_ID=\"12\"\n", 0, "debian", "12" },
		{ "single quotes", "ID='rhel'\nVERSION_ID='8.5'\n", 0, "rhel", "8.5" },
		{ "comments and blanks", "# c\n\n  ID=ubuntu\nVERSION_ID=22.04\r\n", 0, "ubuntu", "22.04" },
		{ "upper-case id", "ID=CentOS\nVERSION_ID=\"7\"\n", 0, "centos", "7" },
		{ "no ID", "NAME=x\nVERSION_ID=1\n", -ENOENT, "", "1" },
		{ "empty ID", "ID=\nVERSION_ID=1\n", -ENOENT, "", "1" },
		{ "garbage", "\x01\x02=\xff\n===\n", -ENOENT, "", "" },
		{ "long value cut", "ID=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", 0,
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "" },
		/* clang-format on */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct hvc_osrel o;

		CHECK_INT(hvc_osrel_parse(cases[i].text, strlen(cases[i].text), &o), cases[i].ret,
			  "os-release %s: result", cases[i].name);
		CHECK_STR(o.id, cases[i].id, "os-release %s: ID", cases[i].name);
		CHECK_STR(o.version_id, cases[i].version, "os-release %s: VERSION_ID",
			  cases[i].name);
	}
}

static void test_redhat(void)
{
	static const struct {
		const char *text;
		int ret;
		const char *id, *version;
	} cases[] = {
		/* clang-format off */
		{ "CentOS release 5.11 (Final)\n", 0, "centos", "5.11" },
		{ "CentOS release 6.5 (Final)", 0, "centos", "6.5" },
		{ "CentOS Linux release 7.9.2009 (Core)\n", 0, "centos", "7.9" },
		{ "Red Hat Enterprise Linux Server release 7.2 (Maipo)\n", 0, "rhel", "7.2" },
		{ "Oracle Linux Server release 8.4\n", 0, "ol", "8.4" },
		{ "Fedora release 39 (Thirty Nine)\n", -ENOENT, "", "" },
		{ "CentOS release x.y\n", -ENOENT, "", "" },
		{ "", -ENOENT, "", "" },
		/* clang-format on */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct hvc_osrel o;
		int r = hvc_redhat_release_parse(cases[i].text, strlen(cases[i].text), &o);

		CHECK_INT(r, cases[i].ret, "redhat-release case %zu", i);
		if (r == 0) {
			CHECK_STR(o.id, cases[i].id, "redhat-release id");
			CHECK_STR(o.version_id, cases[i].version, "redhat-release version");
		}
	}
}

static void test_bootlog(void)
{
	static const struct {
		const char *name, *text;
		enum hvc_build_format fmt;
		unsigned long build, number;
	} cases[] = {
		/* clang-format off */
		{ "old x86 format, dmesg prefix",
		  "[    0.000000] Hyper-V Host Build:17763-10.0-0-0.737\n", HVC_BUILD_OLD, 17763, 737 },
		{ "6.12 format, kmsg prefix",
		  "6,12,0,-;Hyper-V: Host Build 10.0.20348.1138-1-0\n", HVC_BUILD_HOST, 20348, 1138 },
		{ "hypervisor build format",
		  "Hyper-V: Hypervisor Build 10.0.26100.7462-7-0\n", HVC_BUILD_HYPERVISOR, 26100, 7462 },
		{ "2012 R2", "[0.0] Hyper-V Host Build:9600-6.3-0-0.16384\n", HVC_BUILD_OLD, 9600, 16384 },
		{ "truncated build line", "Hyper-V Host Build:17763-10.0\n", HVC_BUILD_NONE, 0, 0 },
		{ "no build", "Linux version 6.1\nhv_vmbus: registering driver\n", HVC_BUILD_NONE, 0, 0 },
		/* clang-format on */
	};
	struct hvc_bootlog b;
	static const char many[] =
		"[    0.000000] Hypervisor detected: Microsoft Hyper-V\n"
		"[    1.1] hv_vmbus: Vmbus version:4.0\n"
		"[    2.2] hv_utils: TimeSync IC version 4.0\n"
		"[    3.3] hv_balloon: Using Dynamic Memory protocol version 2.0\n"
		"[    4.4] secureboot: Secure boot enabled\n"
		"[    5.5] hv_utils: KVP: IP injection functionality not available\n";

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		hvc_bootlog_parse(cases[i].text, strlen(cases[i].text), &b);
		CHECK_INT(b.build_format, cases[i].fmt, "boot log %s: format", cases[i].name);
		CHECK_INT(b.build, cases[i].build, "boot log %s: build", cases[i].name);
		CHECK_INT(b.number, cases[i].number, "boot log %s: number", cases[i].name);
	}
	hvc_bootlog_parse(many, strlen(many), &b);
	CHECK(b.hyperv_detected, "boot log: hypervisor detected");
	CHECK_STR(b.vmbus_version, "4.0", "boot log: VMBus version");
	CHECK_STR(b.timesync_ic, "4.0", "boot log: TimeSync IC");
	CHECK_STR(b.dm_protocol, "2.0", "boot log: DM protocol");
	CHECK_INT(b.secure_boot, 1, "boot log: secure boot");
	CHECK(b.kvp_no_ip_injection, "boot log: no IP injection");
	CHECK_INT(b.lines, 6, "boot log: 6 lines");
}

static void put(uint8_t *rec, const char *k, const char *v)
{
	memset(rec, 0, HVC_KVP_RECORD_SIZE);
	memcpy(rec, k, strlen(k));
	memcpy(rec + HVC_KVP_KEY_SIZE, v, strlen(v));
}

static void test_kvp(void)
{
	uint8_t *buf = calloc(5, HVC_KVP_RECORD_SIZE);
	struct hvc_kvp3 k;

	if (!buf)
		abort();
	put(buf, "HostName", "hyperv01.example.com");
	put(buf + HVC_KVP_RECORD_SIZE, "HostingSystemOsMajor", "6");
	put(buf + 2 * HVC_KVP_RECORD_SIZE, "HostingSystemOsMinor", "3");
	put(buf + 3 * HVC_KVP_RECORD_SIZE, "HostingSystemEditionId", "8");
	/* a record whose key and value fill their fields with no NUL */
	memset(buf + 4 * HVC_KVP_RECORD_SIZE, 'A', HVC_KVP_RECORD_SIZE);

	CHECK_INT(hvc_kvp3_parse(buf, 5 * HVC_KVP_RECORD_SIZE, &k), 0, "pool 3: whole records");
	CHECK_INT(k.records, 5, "pool 3: 5 records");
	CHECK_STR(k.host_name, "hyperv01.example.com", "pool 3: HostName");
	CHECK_INT(k.os_major, 6, "pool 3: OsMajor");
	CHECK_INT(k.os_minor, 3, "pool 3: OsMinor");
	CHECK_INT(k.edition, 8, "pool 3: EditionId");
	CHECK_INT(hvc_kvp3_parse(buf, 2 * HVC_KVP_RECORD_SIZE + 100, &k), -EINVAL,
		  "pool 3: a torn record is reported");
	CHECK_INT(k.records, 2, "pool 3: the whole records before it are kept");
	put(buf + HVC_KVP_RECORD_SIZE, "HostingSystemOsMajor", "ten");
	CHECK_INT(hvc_kvp3_parse(buf, 2 * HVC_KVP_RECORD_SIZE, &k), 0, "pool 3: parse again");
	CHECK_INT(k.os_major, -1, "pool 3: non-numeric OsMajor is absent, not 0");
	CHECK_INT(hvc_kvp3_parse(buf, 0, &k), 0, "pool 3: empty");
	CHECK_INT(k.records, 0, "pool 3: empty has no records");
	free(buf);
}

int main(void)
{
	test_osrel();
	test_redhat();
	test_bootlog();
	test_kvp();
	return tap_done();
}
