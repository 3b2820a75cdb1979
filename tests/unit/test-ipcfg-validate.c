/* SPDX-License-Identifier: MIT */
/*
 * test-ipcfg-validate.c - the SET_IP_INFO validator (a table of good requests and a table of
 * bad ones: overlong tokens, non-addresses, wrong families, prefixes out of range, shell
 * metacharacters and newlines in every field, counts past the arrays), the adapter id parser,
 * the HRESULT mapping, the [ip] configuration section, and every backend's renderer against
 * the golden files in tests/data/ipcfg/ (UPDATE_GOLDEN=1 rewrites them).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "ipcfg.h"
#include "ipcfg_int.h"
#include "ipcfg_validate.h"
#include "tap.h"

static void put(void *field, size_t size, const char *s)
{
	memset(field, 0, size);
	memcpy(field, s, MIN(strlen(s), size - 1));
}

static void fill(struct hv_kvp_ipaddr_value *v, const char *ad, int fam, int dhcp, const char *ip,
		 const char *mask, const char *gw, const char *dns)
{
	memset(v, 0, sizeof(*v));
	put(v->adapter_id, sizeof(v->adapter_id), ad);
	v->addr_family = (uint8_t)fam;
	v->dhcp_enabled = (uint8_t)dhcp;
	put(v->ip_addr, sizeof(v->ip_addr), ip);
	put(v->sub_net, sizeof(v->sub_net), mask);
	put(v->gate_way, sizeof(v->gate_way), gw);
	put(v->dns_addr, sizeof(v->dns_addr), dns);
}

#define MAC "00:15:5d:aa:bb:cc"

struct row {
	const char *name, *ad;
	int fam, dhcp;
	const char *ip, *mask, *gw, *dns;
	const char *why; /* bad rows: a piece of the reason */
};

static const struct row good[] = {
	/* clang-format off */
	{ "one IPv4",           MAC, 0, 0, "10.0.0.5", "255.255.255.0", "10.0.0.1", "10.0.0.53", NULL },
	{ "prefix form",        MAC, 1, 0, "10.0.0.5", "24", "10.0.0.1;", "", NULL },
	{ "slash prefix",       MAC, 1, 0, "10.0.0.5", "/24", "", "", NULL },
	{ "dual stack",         MAC, 3, 0, "10.0.0.5;2001:db8::5", "255.255.255.0;/64",
				"10.0.0.1;fe80::1", "10.0.0.53;2001:db8::53", NULL },
	{ "IPv6 64 no slash",   MAC, 2, 0, "2001:db8::5", "64", "2001:db8::1", "", NULL },
	{ "blanks and final ;", MAC, 0, 0, " 10.0.0.5 ; 10.0.1.5 ;", "255.255.255.0; 255.255.255.0",
				" 10.0.0.1 ;", "", NULL },
	{ "DHCP only",          MAC, 0, 1, "", "", "", "", NULL },
	{ "DHCP with gateway",  MAC, 0, 1, "", "", "10.9.9.1", "1.1.1.1", NULL },
	{ "GUID with braces",   "{01234567-89AB-cdef-0123-456789abcdef}", 0, 1, "", "", "", "", NULL },
	{ "GUID bare",          "01234567-89ab-cdef-0123-456789abcdef", 0, 1, "", "", "", "", NULL },
	{ "MAC with dashes",    "00-15-5D-AA-BB-CC", 0, 1, "", "", "", "", NULL },
	{ "/31 point to point", MAC, 0, 0, "10.0.0.0", "255.255.255.254", "10.0.0.1", "", NULL },
	/* clang-format on */
};

static const char long_tok[] = "1111111111111111111111111111111111111111111111111111111111111";

static const struct row bad[] = {
	/* clang-format off */
	{ "unknown adapter form", "eth0", 0, 1, "", "", "", "", "adapter_id" },
	{ "MAC too short",      "00:15:5d:aa:bb", 0, 1, "", "", "", "", "adapter_id" },
	{ "MAC bad hex",        "00:15:5d:aa:bb:cg", 0, 1, "", "", "", "", "adapter_id" },
	{ "MAC mixed seps",     "00:15-5d:aa:bb:cc", 0, 1, "", "", "", "", "adapter_id" },
	{ "GUID one brace",     "{01234567-89ab-cdef-0123-456789abcdef", 0, 1, "", "", "", "", "adapter_id" },
	{ "adapter with ;",     "00:15:5d:aa:bb:cc;rm", 0, 1, "", "", "", "", "adapter_id" },
	{ "dhcp 2",             MAC, 0, 2, "10.0.0.5", "24", "", "", "dhcp_enabled" },
	{ "family 4",           MAC, 4, 0, "10.0.0.5", "24", "", "", "addr_family" },
	{ "nothing to do",      MAC, 0, 0, "", "", "", "", "neither" },
	{ "overlong token",     MAC, 0, 0, long_tok, "24", "", "", "limit" },
	{ "overlong mask",      MAC, 0, 0, "10.0.0.5", long_tok, "", "", "limit" },
	{ "overlong gateway",   MAC, 0, 0, "10.0.0.5", "24", long_tok, "", "limit" },
	{ "overlong dns",       MAC, 0, 0, "10.0.0.5", "24", "", long_tok, "limit" },
	{ "not an address",     MAC, 0, 0, "10.0.0", "24", "", "", "not an IP" },
	{ "hex word",           MAC, 0, 0, "abc", "24", "", "", "not an IP" },
	{ "IPv6 in IPv4 family", MAC, 1, 0, "2001:db8::5", "64", "", "", "addr_family" },
	{ "IPv4 in IPv6 family", MAC, 2, 0, "10.0.0.5", "24", "", "", "addr_family" },
	{ "IPv6 mask for IPv4", MAC, 0, 0, "10.0.0.5", "ffff:ff00::", "", "", "netmask" },
	{ "IPv4 mask for IPv6", MAC, 0, 0, "2001:db8::5", "255.255.255.0", "", "", "prefix" },
	{ "prefix 33",          MAC, 0, 0, "10.0.0.5", "33", "", "", "sub_net" },
	{ "prefix 129",         MAC, 0, 0, "2001:db8::5", "/129", "", "", "sub_net" },
	{ "prefix 0",           MAC, 0, 0, "10.0.0.5", "0", "", "", "sub_net" },
	{ "prefix leading 0",   MAC, 0, 0, "10.0.0.5", "024", "", "", "sub_net" },
	{ "holey mask",         MAC, 0, 0, "10.0.0.5", "255.0.255.0", "", "", "sub_net" },
	{ "masks short",        MAC, 0, 0, "10.0.0.5;10.0.1.5", "24", "", "", "entries" },
	{ "masks long",         MAC, 0, 0, "10.0.0.5", "24;24", "", "", "entries" },
	{ "network address",    MAC, 0, 0, "10.0.0.0", "24", "", "", "network or broadcast" },
	{ "broadcast address",  MAC, 0, 0, "10.0.0.255", "24", "", "", "network or broadcast" },
	{ "loopback",           MAC, 0, 0, "127.0.0.2", "8", "", "", "loopback" },
	{ "multicast",          MAC, 0, 0, "224.0.0.5", "24", "", "", "multicast" },
	{ "zero",               MAC, 0, 0, "0.0.0.0", "24", "", "", "0.0.0.0/8" },
	{ "v6 unspecified",     MAC, 0, 0, "::", "64", "", "", "unspecified" },
	{ "v6 link-local addr", MAC, 0, 0, "fe80::5", "64", "", "", "link-local" },
	{ "v4-mapped",          MAC, 0, 0, "::ffff:10.0.0.5", "96", "", "", "mapped" },
	{ "duplicate address",  MAC, 0, 0, "10.0.0.5;10.0.0.5", "24;24", "", "", "twice" },
	{ "gateway off-link",   MAC, 0, 0, "10.0.0.5", "24", "10.0.1.1", "", "not inside" },
	{ "gateway is us",      MAC, 0, 0, "10.0.0.5", "24", "10.0.0.5", "", "own" },
	{ "v6 gateway no v6",   MAC, 0, 0, "10.0.0.5", "24", "2001:db8::1", "", "not inside" },
	{ "gateway multicast",  MAC, 0, 0, "10.0.0.5", "24", "239.1.1.1", "", "multicast" },
	{ "gateway not addr",   MAC, 0, 0, "10.0.0.5", "24", "10.0.0.1.1", "", "not an IP" },
	{ "dns loopback",       MAC, 0, 0, "10.0.0.5", "24", "", "127.0.0.1", "loopback" },
	{ "dns not addr",       MAC, 0, 0, "10.0.0.5", "24", "", "dns.example", "not allowed" },
	{ "empty middle entry", MAC, 0, 0, "10.0.0.5;;10.0.1.5", "24;24;24", "", "", "empty" },
	{ "leading ;",          MAC, 0, 0, ";10.0.0.5", "24", "", "", "empty" },
	{ "blank inside",       MAC, 0, 0, "10.0 .0.5", "24", "", "", "blank inside" },
	{ "zone id",            MAC, 0, 0, "fe80::1%eth0", "64", "", "", "not allowed" },
	{ "comma list",         MAC, 0, 0, "10.0.0.5,10.0.0.6", "24", "", "", "not allowed" },
	{ "too many addrs",     MAC, 0, 0,
	  "10.0.0.1;10.0.0.2;10.0.0.3;10.0.0.4;10.0.0.5;10.0.0.6;10.0.0.7;10.0.0.8;10.0.0.9;"
	  "10.0.0.10;10.0.0.11;10.0.0.12;10.0.0.13;10.0.0.14;10.0.0.15;10.0.0.16;10.0.0.17",
	  "24", "", "", "more than" },
	{ "too many gateways",  MAC, 0, 0, "10.0.0.5", "24",
	  "10.0.0.1;10.0.0.2;10.0.0.3;10.0.0.4;10.0.0.6", "", "more than" },
	{ "too many dns",       MAC, 0, 0, "10.0.0.5", "24", "",
	  "1.1.1.1;1.1.1.2;1.1.1.3;1.1.1.4;1.1.1.5;1.1.1.6;1.1.1.7;1.1.1.8;1.1.1.9", "more than" },
	/* clang-format on */
};

/* Shell metacharacters and line breaks, each tried in every field. */
static const char *const evil[] = {
	"$(reboot)",   "`id`", "10.0.0.5\nIPADDR1=6.6.6.6",
	"10.0.0.5\rX", "a|b",  "a&b",
	"a>b",         "a<b",  "a'b",
	"a\"b",        "a\\b", "10.0.0.5\tx",
	"a=b",         "a#b",  "a*b",
	"a?b",         "a~b",  "a!b",
	"a{b}",        "a[b]", "a(b)",
};

static void check_bad_everywhere(void)
{
	size_t i, f;

	for (i = 0; i < ARRAY_SIZE(evil); i++) {
		for (f = 0; f < 5; f++) {
			struct hv_kvp_ipaddr_value v;
			struct ipcfg_req req;
			char why[IPCFG_WHY_MAX] = "";
			const char *ip = "10.0.0.5", *mask = "24", *gw = "10.0.0.1",
				   *dns = "1.1.1.1", *ad = MAC;
			char buf[128];

			(void)snprintf(buf, sizeof(buf), "10.0.0.5;%s", evil[i]);
			if (f == 0)
				ad = evil[i];
			else if (f == 1)
				ip = buf;
			else if (f == 2)
				mask = evil[i];
			else if (f == 3)
				gw = evil[i];
			else
				dns = evil[i];
			fill(&v, ad, 0, 0, ip, mask, gw, dns);
			CHECK_INT(ipcfg_validate(&v, &req, why, sizeof(why)), -EINVAL,
				  "metacharacter %zu in field %zu refused (%s)", i, f, why);
			CHECK(!strchr(why, '\n') && !strchr(why, '\r'),
			      "reason for metacharacter %zu in field %zu is one line", i, f);
		}
	}
}

static void check_unterminated(void)
{
	struct hv_kvp_ipaddr_value v;
	struct ipcfg_req req;
	char why[IPCFG_WHY_MAX];

	fill(&v, MAC, 0, 0, "10.0.0.5", "24", "", "");
	memset(v.dns_addr, 'A', sizeof(v.dns_addr));
	CHECK_INT(ipcfg_validate(&v, &req, why, sizeof(why)), -EINVAL, "dns_addr without NUL: %s",
		  why);
	fill(&v, MAC, 0, 0, "10.0.0.5", "24", "", "");
	memset(v.adapter_id, '1', sizeof(v.adapter_id));
	CHECK_INT(ipcfg_validate(&v, &req, why, sizeof(why)), -EINVAL, "adapter_id without NUL: %s",
		  why);
	/* A 2047-byte list of '1's (the kernel's longest): refused, no overflow. */
	fill(&v, MAC, 0, 0, "", "24", "", "");
	memset(v.ip_addr, '1', sizeof(v.ip_addr) - 1);
	CHECK_INT(ipcfg_validate(&v, &req, why, sizeof(why)), -EINVAL,
		  "2047-byte token refused: %s", why);
}

static void check_parsed(void)
{
	struct hv_kvp_ipaddr_value v;
	struct ipcfg_req req;
	char why[IPCFG_WHY_MAX], t[64];

	fill(&v, "00:15:5D:AA:BB:CC", 3, 0, "10.0.0.5;2001:DB8:0:0::5", "255.255.254.0;/56",
	     "10.0.1.254;fe80::1", "10.0.0.53;2001:db8::53");
	CHECK_INT(ipcfg_validate(&v, &req, why, sizeof(why)), 0, "dual stack parses: %s", why);
	CHECK_INT(req.n_addr, 2, "two addresses");
	CHECK_INT(req.addr[0].prefix, 23, "255.255.254.0 is /23");
	CHECK_INT(req.addr[1].prefix, 56, "/56");
	CHECK_STR(ipcfg_ip_str(&req.addr[1], t, sizeof(t)), "2001:db8::5", "IPv6 normalised");
	CHECK_INT(req.n_gw, 2, "two gateways");
	CHECK_INT(req.n_dns, 2, "two DNS servers");
	CHECK_INT(req.adapter.kind, IPCFG_ADAPTER_MAC, "MAC adapter");
	CHECK(req.adapter.mac[0] == 0x00 && req.adapter.mac[3] == 0xaa &&
		      req.adapter.mac[5] == 0xcc,
	      "MAC bytes");
	fill(&v, "{01234567-89AB-CDEF-0123-456789ABCDEF}", 0, 1, "", "", "", "");
	CHECK_INT(ipcfg_validate(&v, &req, why, sizeof(why)), 0, "GUID parses");
	CHECK_STR(req.adapter.guid, "{01234567-89ab-cdef-0123-456789abcdef}", "GUID lower-cased");
	CHECK_STR(ipcfg_mask_str(20, t, sizeof(t)), "255.255.240.0", "mask of /20");
}

static void check_status(void)
{
	CHECK_INT(ipcfg_status(IPCFG_OP_GET, 0), HV_S_OK, "0 -> S_OK");
	CHECK_INT(ipcfg_status(IPCFG_OP_SET, -EINVAL), HV_INVALIDARG, "EINVAL -> INVALIDARG");
	CHECK_INT(ipcfg_status(IPCFG_OP_GET, -ENODEV), HV_E_FAIL, "GET ENODEV -> E_FAIL");
	CHECK_INT(ipcfg_status(IPCFG_OP_SET, -ENODEV), HV_GUID_NOTFOUND,
		  "SET ENODEV -> GUID_NOTFOUND");
	CHECK_INT(ipcfg_status(IPCFG_OP_SET, -EPERM), IPCFG_HV_ERROR_NOT_SUPPORTED,
		  "EPERM -> NOT_SUPPORTED");
	CHECK_INT(ipcfg_status(IPCFG_OP_SET, -ENOSPC), IPCFG_HV_ERROR_DISK_FULL,
		  "ENOSPC -> DISK_FULL");
	CHECK_INT(ipcfg_status(IPCFG_OP_SET, -ETIMEDOUT), HV_E_FAIL, "ETIMEDOUT -> E_FAIL");
}

static int load_conf(const char *text, struct conf **c)
{
	char path[] = "/tmp/hvguest-test-ipcfg.XXXXXX", err[128];
	int fd = mkstemp(path), r;

	if (fd < 0 || fs_write_all(fd, text, strlen(text)) < 0)
		abort();
	close(fd);
	r = conf_load(path, c, err, sizeof(err));
	unlink(path);
	return r;
}

static void check_conf(void)
{
	struct ipcfg_opts o;
	struct conf *c = NULL;
	char err[128];
	enum ipcfg_backend b;

	ipcfg_opts_init(&o);
	CHECK(o.activate && o.backend == IPCFG_BACKEND_AUTO && streq(o.root, "/"), "defaults");
	CHECK_INT(
		load_conf("[ip]\nbackend = networkd\nexclude = eth1\nexclude = 00:15:5D:00:00:01\n"
			  "rollback_ms = 3000\ndry_run = yes\nactivate = no\n"
			  "set_script = /usr/libexec/hypervkvpd/hv_set_ifconfig\n",
			  &c),
		0, "conf loads");
	CHECK_INT(ipcfg_opts_from_conf(&o, c, err, sizeof(err)), 0, "[ip] accepted: %s", err);
	CHECK_INT(o.backend, IPCFG_BACKEND_NETWORKD, "backend");
	CHECK_INT(o.n_exclude, 2, "two excludes");
	CHECK_INT(o.rollback_ms, 3000, "rollback_ms");
	CHECK(o.dry_run && !o.activate, "booleans");
	CHECK_STR(o.set_script, "/usr/libexec/hypervkvpd/hv_set_ifconfig", "set_script");
	{
		struct ipcfg_if ifc = { .name = "eth1" };
		struct ipcfg_if other = { .name = "eth2", .mac = { 0, 0x15, 0x5d, 0, 0, 1 } };
		struct ipcfg_if free_if = { .name = "eth3", .mac = { 0, 0x15, 0x5d, 0, 0, 2 } };

		CHECK(ipcfg_excluded(&o, &ifc), "excluded by name");
		CHECK(ipcfg_excluded(&o, &other), "excluded by MAC, any case");
		CHECK(!ipcfg_excluded(&o, &free_if), "other interfaces not excluded");
	}
	conf_free(c);
	c = NULL;
	ipcfg_opts_init(&o);
	CHECK_INT(load_conf("[ip]\nrollback_ms = 99999\n", &c), 0, "conf loads");
	CHECK_INT(ipcfg_opts_from_conf(&o, c, err, sizeof(err)), -EINVAL, "rollback over cap: %s",
		  err);
	CHECK_INT(o.rollback_ms, 0, "options unchanged after an error");
	conf_free(c);
	c = NULL;
	CHECK_INT(load_conf("[ip]\nbakend = nm\n", &c), 0, "conf loads");
	CHECK_INT(ipcfg_opts_from_conf(&o, c, err, sizeof(err)), -EINVAL, "unknown key: %s", err);
	conf_free(c);
	c = NULL;
	CHECK_INT(load_conf("[ip]\nset_script = hv_set_ifconfig\n", &c), 0, "conf loads");
	CHECK_INT(ipcfg_opts_from_conf(&o, c, err, sizeof(err)), -EINVAL, "relative script: %s",
		  err);
	conf_free(c);
	CHECK_INT(ipcfg_backend_parse("NetworkManager", &b), 0, "NetworkManager parses");
	CHECK_INT(b, IPCFG_BACKEND_NM, "as nm");
	CHECK_INT(ipcfg_backend_parse("wicked", &b), -EINVAL, "unknown backend");
}

/* -- golden files ------------------------------------------------------------------------ */

typedef int render_fn(const struct ipcfg_req *, const struct ipcfg_if *, struct ipcfg_buf *);

static void golden(const char *name, render_fn *fn, const struct ipcfg_req *req,
		   const struct ipcfg_if *ifc, int want)
{
	struct ipcfg_buf b = { 0 };
	char path[256], *exp = NULL;
	size_t len = 0;
	int r = fn(req, ifc, &b);

	CHECK_INT(r, want, "%s renders (%d)", name, r);
	if (r || want) {
		ipcfg_buf_free(&b);
		return;
	}
	(void)snprintf(path, sizeof(path), "tests/data/ipcfg/%s", name);
	if (getenv("UPDATE_GOLDEN")) {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd < 0 || fs_write_all(fd, b.s, b.len) < 0)
			abort();
		close(fd);
	}
	if (fs_read_file_at(AT_FDCWD, path, 1 << 20, &exp, &len) < 0) {
		CHECK(0, "golden file %s readable", path);
	} else {
		CHECK_STR(b.s, exp, "%s matches its golden file", name);
		free(exp);
	}
	ipcfg_buf_free(&b);
}

static void check_golden(void)
{
	struct ipcfg_if ifc = { .ifindex = 2,
				.name = "eth0",
				.mac = { 0x00, 0x15, 0x5d, 0xaa, 0xbb, 0xcc } };
	struct hv_kvp_ipaddr_value v;
	struct ipcfg_req s, d, m;
	char why[IPCFG_WHY_MAX];

	fill(&v, MAC, 0, 0, "192.0.2.10;2001:db8:1::10", "255.255.255.0;64",
	     "192.0.2.1;2001:db8:1::1", "192.0.2.53;2001:db8:1::53");
	CHECK_INT(ipcfg_validate(&v, &s, why, sizeof(why)), 0, "static request: %s", why);
	fill(&v, MAC, 0, 1, "", "", "", "");
	CHECK_INT(ipcfg_validate(&v, &d, why, sizeof(why)), 0, "DHCP request: %s", why);
	fill(&v, MAC, 0, 0, "192.0.2.10;198.51.100.10", "24;24", "192.0.2.1;198.51.100.1", "");
	CHECK_INT(ipcfg_validate(&v, &m, why, sizeof(why)), 0, "two-gateway request: %s", why);

	golden("static.nmconnection", ipcfg_render_nm, &s, &ifc, 0);
	golden("dhcp.nmconnection", ipcfg_render_nm, &d, &ifc, 0);
	golden("twogw.nmconnection", ipcfg_render_nm, &m, &ifc, 0);
	golden("static.network", ipcfg_render_networkd, &s, &ifc, 0);
	golden("dhcp.network", ipcfg_render_networkd, &d, &ifc, 0);
	golden("static.yaml", ipcfg_render_netplan, &s, &ifc, 0);
	golden("dhcp.yaml", ipcfg_render_netplan, &d, &ifc, 0);
	golden("twogw.yaml", ipcfg_render_netplan, &m, &ifc, 0);
	golden("static.ifcfg", ipcfg_render_ifcfg, &s, &ifc, 0);
	golden("dhcp.ifcfg", ipcfg_render_ifcfg, &d, &ifc, 0);
	golden("twogw.ifcfg", ipcfg_render_ifcfg, &m, &ifc, -ENOTSUP);
	golden("static.ifcfg-ref", ipcfg_render_ifcfg_ref, &s, &ifc, 0);
	golden("twogw.ifcfg-ref", ipcfg_render_ifcfg_ref, &m, &ifc, 0);
	golden("static.interfaces", ipcfg_render_ifupdown, &s, &ifc, 0);
	golden("dhcp.interfaces", ipcfg_render_ifupdown, &d, &ifc, 0);
	golden("twogw.interfaces", ipcfg_render_ifupdown, &m, &ifc, -ENOTSUP);
}

int main(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		struct hv_kvp_ipaddr_value v;
		struct ipcfg_req req;
		char why[IPCFG_WHY_MAX] = "";

		fill(&v, good[i].ad, good[i].fam, good[i].dhcp, good[i].ip, good[i].mask,
		     good[i].gw, good[i].dns);
		CHECK_INT(ipcfg_validate(&v, &req, why, sizeof(why)), 0, "good: %s (%s)",
			  good[i].name, why);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct hv_kvp_ipaddr_value v;
		struct ipcfg_req req;
		char why[IPCFG_WHY_MAX] = "";

		fill(&v, bad[i].ad, bad[i].fam, bad[i].dhcp, bad[i].ip, bad[i].mask, bad[i].gw,
		     bad[i].dns);
		CHECK_INT(ipcfg_validate(&v, &req, why, sizeof(why)), -EINVAL, "bad: %s",
			  bad[i].name);
		CHECK(strstr(why, bad[i].why) != NULL, "bad: %s: reason '%s' names '%s'",
		      bad[i].name, why, bad[i].why);
	}
	check_bad_everywhere();
	check_unterminated();
	check_parsed();
	check_status();
	check_conf();
	check_golden();
	return tap_done();
}
