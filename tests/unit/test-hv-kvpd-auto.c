/* SPDX-License-Identifier: MIT */
/*
 * test-hv-kvpd-auto.c - the auto pool's contents against fixture roots in
 * tests/data/hv-kvpd/: key names and order, os-release parsing (quotes and escapes the way
 * the reference undoes them, the legacy release files, the sysname fallback), uname-derived
 * values, the version string, the FQDN, and empty address lists in a fresh network
 * namespace.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/utsname.h>

#include "kvpd_auto.h"
#include "tap.h"

#define DATA "tests/data/hv-kvpd/"

enum {
	I_FQDN,
	I_VERSION,
	I_IPV4,
	I_IPV6,
	I_BUILD,
	I_NAME,
	I_MAJOR,
	I_MINOR,
	I_OSVER,
	I_ARCH
};

static const char *const want_keys[] = {
	"FullyQualifiedDomainName",
	"IntegrationServicesVersion",
	"NetworkAddressIPv4",
	"NetworkAddressIPv6",
	"OSBuildNumber",
	"OSName",
	"OSMajorVersion",
	"OSMinorVersion",
	"OSVersion",
	"ProcessorArchitecture",
};

static const struct {
	const char *root;
	const char *name; /* NULL: uname().sysname */
	const char *major;
	const char *minor;
} os_cases[] = {
	/* clang-format off */
	{ DATA "root-debian",  "Debian GNU/Linux",        "12",         "" },
	{ DATA "root-escapes", "Foo \"Bar\" Linux",       "22.04",      "" },
	{ DATA "root-usrlib",  "Fedora Linux",            "41",         "" },
	{ DATA "root-redhat",  "Red Hat Enterprise Linux Server release 6.10 (Santiago)", "6", "10" },
	{ DATA "root-suse",    "SUSE Linux Enterprise Server 11 (x86_64)", "VERSION = 11",
	  "PATCHLEVEL = 4" },
	{ DATA "root-noname",  NULL,                      "3.1",        "" },
	{ DATA "root-empty",   NULL,                      "",           "" },
	/* clang-format on */
};

static char *value(struct kvpd_auto *a, uint32_t i)
{
	static char buf[KVPD_VALUE_MAX];
	int r = kvpd_auto_value(a, i, buf, sizeof(buf));

	return r < 0 ? NULL : buf;
}

static void test_keys(void)
{
	for (uint32_t i = 0; i < ARRAY_SIZE(want_keys); i++)
		CHECK_STR(kvpd_auto_key(i), want_keys[i], "key %u", i);
	CHECK(kvpd_auto_key(KVPD_AUTO_COUNT) == NULL, "no key 10");
	CHECK(kvpd_auto_key(0xffffffffu) == NULL, "no key 2^32-1");
}

static void test_os(void)
{
	struct utsname u;

	if (!CHECK(uname(&u) == 0, "uname"))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(os_cases); i++) {
		struct kvpd_auto a;

		if (!CHECK_INT(kvpd_auto_init(&a, os_cases[i].root), 0, "init %s",
			       os_cases[i].root))
			continue;
		CHECK_STR(value(&a, I_NAME), os_cases[i].name ? os_cases[i].name : u.sysname,
			  "%s: OSName", os_cases[i].root);
		CHECK_STR(value(&a, I_MAJOR), os_cases[i].major, "%s: OSMajorVersion",
			  os_cases[i].root);
		CHECK_STR(value(&a, I_MINOR), os_cases[i].minor, "%s: OSMinorVersion",
			  os_cases[i].root);
	}
}

static void test_uname(void)
{
	struct kvpd_auto a;
	struct utsname u;
	char cut[sizeof(u.release)];

	if (!CHECK(uname(&u) == 0, "uname") ||
	    !CHECK_INT(kvpd_auto_init(&a, DATA "root-debian"), 0, "init"))
		return;
	CHECK_STR(value(&a, I_BUILD), u.release, "OSBuildNumber is the whole release");
	(void)str_copy(cut, sizeof(cut), u.release);
	cut[strcspn(cut, "-")] = '\0';
	CHECK_STR(value(&a, I_OSVER), cut, "OSVersion is the release up to the first '-'");
	CHECK_STR(value(&a, I_ARCH), u.machine, "ProcessorArchitecture is the machine");
}

static void test_version_fqdn(void)
{
	static char long_root[sizeof(((struct kvpd_auto *)0)->root) + 1];
	struct kvpd_auto a;
	char small[4];

	if (!CHECK_INT(kvpd_auto_init(&a, NULL), 0, "init with the real root"))
		return;
	CHECK_STR(value(&a, I_VERSION), "Unknown version", "version before registration");
	kvpd_auto_set_version(&a, "3.1");
	CHECK_STR(value(&a, I_VERSION), "3.1", "version after registration");
	a.fake_hostname = "localhost";
	CHECK_STR(value(&a, I_FQDN), "localhost", "FQDN of localhost");
	CHECK_INT(kvpd_auto_value(&a, I_NAME, small, sizeof(small)), 3, "a value is cut to fit");
	CHECK_INT(kvpd_auto_value(&a, KVPD_AUTO_COUNT, small, sizeof(small)), -ENOENT,
		  "index 10 is -ENOENT");
	memset(long_root, 'x', sizeof(long_root) - 1);
	long_root[0] = '/';
	long_root[sizeof(long_root) - 1] = '\0';
	CHECK_INT(kvpd_auto_init(&a, long_root), -ENAMETOOLONG,
		  "a root longer than the buffer is refused");
}

static const struct {
	const char *text;
	const char *key;
	int want;
	const char *value;
} rel_cases[] = {
	/* clang-format off */
	{ "NAME=a\n",                    "NAME",       0,       "a" },
	{ "NAME=\"a b\"\n",              "NAME",       0,       "a b" },
	{ "NAME='a b'",                  "NAME",       0,       "a b" },
	{ "NAME=\"a\\\\b\\$c\"\n",       "NAME",       0,       "a\\b$c" },
	{ "NAME=a\nNAME=b\n",            "NAME",       0,       "b" },
	{ "#NAME=a\n",                   "NAME",       -ENOENT, NULL },
	{ "NAMEX=a\n",                   "NAME",       -ENOENT, NULL },
	{ "PRETTY_NAME=a\n",             "NAME",       -ENOENT, NULL },
	{ "NAME\n",                      "NAME",       -ENOENT, NULL },
	{ "",                            "NAME",       -ENOENT, NULL },
	{ "NAME=trailing\\",             "NAME",       0,       "trailing" },
	/* clang-format on */
};

static void test_os_release_parser(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(rel_cases); i++) {
		char out[64] = "unchanged";
		int r = kvpd_auto_os_release_get(rel_cases[i].text, rel_cases[i].key, out,
						 sizeof(out));

		CHECK_INT(r, rel_cases[i].want, "os-release case %zu result", i);
		if (rel_cases[i].want == 0)
			CHECK_STR(out, rel_cases[i].value, "os-release case %zu value", i);
	}
}

static void test_addresses_empty_netns(void)
{
	struct kvpd_auto a;

	if (unshare(CLONE_NEWNET) < 0) {
		SKIP("cannot unshare the network namespace (%s): address lists not checked",
		     strerror(errno));
		return;
	}
	if (!CHECK_INT(kvpd_auto_init(&a, NULL), 0, "init"))
		return;
	CHECK_STR(value(&a, I_IPV4), "", "no IPv4 address in a fresh namespace (lo skipped)");
	CHECK_STR(value(&a, I_IPV6), "", "no IPv6 address in a fresh namespace");
}

int main(void)
{
	test_keys();
	test_os();
	test_uname();
	test_version_fqdn();
	test_os_release_parser();
	test_addresses_empty_netns();
	return tap_done();
}
