/* SPDX-License-Identifier: MIT */
/*
 * test-ipcfg-netns.c - GET_IP_INFO and SET_IP_INFO against a real kernel, inside a private
 * network namespace this process creates (unshare(CLONE_NEWNET); it disappears with the
 * process).  A veth pair stands in for the Hyper-V NIC, with the MAC the host asks about; the
 * peer end plays the gateway.  Every file write goes under a temporary root.  What the
 * library reports or changes is compared with what `ip` itself shows.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs.h"
#include "ipcfg.h"
#include "tap.h"

#define MAC_H0 "00:15:5d:aa:bb:01"

static char root[64];
static char peer_ns[64]; /* /proc/<pid>/ns/net of the gateway's namespace */
static pid_t peer_pid;

/* Run a command (argument vector, no shell); its stdout goes to 'out' when given. */
static int run(char *out, size_t out_size, const char *const argv[])
{
	int p[2], st = 0;
	size_t got = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(p[1], 1);
		dup2(devnull, 2);
		execv(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		char tmp[512];
		ssize_t n = read(p[0], tmp, sizeof(tmp));

		if (n <= 0)
			break;
		if (out && got + (size_t)n < out_size) {
			memcpy(out + got, tmp, (size_t)n);
			got += (size_t)n;
		}
	}
	close(p[0]);
	if (out)
		out[got] = '\0';
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

#define IP(...) run(NULL, 0, (const char *const[]){ "/usr/sbin/ip", __VA_ARGS__, NULL })
/* ip inside the peer ("gateway") namespace. */
#define PEER(...)                                                                                  \
	run(NULL, 0,                                                                               \
	    (const char *const[]){ "/usr/bin/nsenter", peer_ns, "/usr/sbin/ip", __VA_ARGS__,       \
				   NULL })

/* A child that sits in its own network namespace, holding it for the gateway end. */
static int start_peer(void)
{
	int p[2];
	char c;

	if (pipe(p) < 0)
		return -1;
	peer_pid = fork();
	if (peer_pid < 0)
		return -1;
	if (peer_pid == 0) {
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		(void)!write(p[1], "x", 1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1)
		return -1;
	close(p[0]);
	(void)snprintf(peer_ns, sizeof(peer_ns), "--net=/proc/%d/ns/net", (int)peer_pid);
	return 0;
}

static const char *ip_show(const char *what, const char *dev)
{
	static char buf[8192];

	if (streq(what, "addr"))
		run(buf, sizeof(buf),
		    (const char *const[]){ "/usr/sbin/ip", "-o", "addr", "show", "dev", dev,
					   NULL });
	else
		run(buf, sizeof(buf),
		    (const char *const[]){ "/usr/sbin/ip", "-o", what, "route", "show", "default",
					   NULL });
	return buf;
}

static void put(void *field, size_t size, const char *s)
{
	memset(field, 0, size);
	memcpy(field, s, MIN(strlen(s), size - 1));
}

static void fill(struct hv_kvp_ipaddr_value *v, const char *ad, int dhcp, const char *ip,
		 const char *mask, const char *gw, const char *dns)
{
	memset(v, 0, sizeof(*v));
	put(v->adapter_id, sizeof(v->adapter_id), ad);
	v->dhcp_enabled = (uint8_t)dhcp;
	put(v->ip_addr, sizeof(v->ip_addr), ip);
	put(v->sub_net, sizeof(v->sub_net), mask);
	put(v->gate_way, sizeof(v->gate_way), gw);
	put(v->dns_addr, sizeof(v->dns_addr), dns);
}

static int write_at(const char *rel, const char *text)
{
	char path[256], dir[256], *slash;
	int fd;

	(void)snprintf(path, sizeof(path), "%s/%s", root, rel);
	(void)snprintf(dir, sizeof(dir), "%s", path);
	for (slash = dir + strlen(root) + 1; (slash = strchr(slash, '/')); slash++) {
		*slash = '\0';
		(void)mkdir(dir, 0755);
		*slash = '/';
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (fs_write_all(fd, text, strlen(text)) < 0) {
		close(fd);
		return -EIO;
	}
	return close(fd);
}

static char *read_at(const char *rel)
{
	char path[256], *buf = NULL;
	size_t len;

	(void)snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (fs_read_file_at(AT_FDCWD, path, 1 << 20, &buf, &len) < 0)
		return NULL;
	return buf;
}

static bool exists_at(const char *rel)
{
	char path[256];

	(void)snprintf(path, sizeof(path), "%s/%s", root, rel);
	return access(path, F_OK) == 0;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static void clean_root(void)
{
	(void)nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	(void)mkdir(root, 0755);
}

static size_t tree_sig_n;
static unsigned long long tree_sig_sum;
static int sig_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)flag;
	(void)f;
	tree_sig_n++;
	tree_sig_sum += (unsigned long long)st->st_size * 31 + st->st_mtim.tv_nsec + strlen(p);
	return 0;
}

/* A signature of every path, size and mtime under the root. */
static unsigned long long tree_sig(void)
{
	tree_sig_n = 0;
	tree_sig_sum = 0;
	(void)nftw(root, sig_one, 16, FTW_PHYS);
	return tree_sig_sum * 1000003ull + tree_sig_n;
}

static int ifindex_of(const char *name)
{
	char path[96], *buf = NULL;
	size_t len;
	int idx = 0;

	/* /sys shows the host namespace; ask ip instead. */
	char out[512];

	(void)path;
	(void)buf;
	(void)len;
	run(out, sizeof(out),
	    (const char *const[]){ "/usr/sbin/ip", "-o", "link", "show", name, NULL });
	if (sscanf(out, "%d:", &idx) != 1)
		return -1;
	return idx;
}

static void setup_net(void)
{
	char pid[16];

	(void)snprintf(pid, sizeof(pid), "%d", (int)peer_pid);
	IP("link", "set", "lo", "up");
	IP("link", "add", "h0", "type", "veth", "peer", "name", "p0");
	IP("link", "set", "h0", "address", MAC_H0);
	IP("link", "add", "h01", "type", "veth", "peer", "name", "p01");
	IP("link", "set", "h01", "address", "00:15:5d:aa:bb:02");
	IP("link", "set", "p0", "netns", pid);
	IP("link", "set", "p01", "netns", pid);
	/* No automatic link-local addresses: they would appear at a time of the kernel's
	 * choosing; the test adds one itself. */
	IP("link", "set", "h0", "addrgenmode", "none");
	IP("link", "set", "h01", "addrgenmode", "none");
	IP("link", "set", "h0", "up");
	IP("link", "set", "h01", "up");
	PEER("link", "set", "p0", "up");
	PEER("link", "set", "p01", "up");
	PEER("addr", "add", "10.1.0.1/24", "dev", "p0");
	PEER("addr", "add", "2001:db8:1::1/64", "dev", "p0", "nodad");
	PEER("addr", "add", "10.2.0.1/24", "dev", "p01");
	IP("addr", "add", "10.1.0.5/24", "dev", "h0");
	IP("addr", "add", "2001:db8:1::5/64", "dev", "h0", "nodad");
	IP("route", "add", "default", "via", "10.1.0.1", "dev", "h0");
	IP("-6", "route", "add", "default", "via", "2001:db8:1::1", "dev", "h0");
	/* A name that starts with "h0" (the reference's prefix match would take it). */
	IP("addr", "add", "10.2.0.5/24", "dev", "h01");
	IP("route", "add", "default", "via", "10.2.0.1", "dev", "h01", "metric", "50");
}

/* Every ';'-separated entry of 'list' parses as an address. */
static bool all_addresses(const char *list)
{
	char copy[2048], *save = NULL, *t;
	uint8_t buf[16];

	(void)snprintf(copy, sizeof(copy), "%s", list);
	for (t = strtok_r(copy, ";", &save); t; t = strtok_r(NULL, ";", &save))
		if (inet_pton(AF_INET, t, buf) != 1 && inet_pton(AF_INET6, t, buf) != 1)
			return false;
	return true;
}

static void test_get(struct ipcfg_opts *o)
{
	struct hv_kvp_ipaddr_value v;
	int r;

	write_at("etc/resolv.conf", "# test\nsearch example\nnameserver 10.1.0.53\n"
				    "nameserver 2001:db8:1::53\noptions edns0\n");
	fill(&v, "00:15:5D:AA:BB:01", 0, "", "", "", "");
	r = ipcfg_get(o, &v);
	CHECK_INT(r, 0, "GET by upper-case MAC");
	CHECK_STR((char *)v.ip_addr, "10.1.0.5;2001:db8:1::5", "ip_addr: both families, not h01's");
	CHECK_STR((char *)v.sub_net, "255.255.255.0;/64", "sub_net: dotted mask and /prefix");
	CHECK_STR((char *)v.gate_way, "10.1.0.1;2001:db8:1::1;", "gate_way: only h0's routes");
	CHECK_STR((char *)v.dns_addr, "10.1.0.53;2001:db8:1::53;", "dns_addr from resolv.conf");
	CHECK_INT(v.addr_family, 3, "addr_family bitmask");
	CHECK_INT(v.dhcp_enabled, 0, "static addresses: DHCP off");
	CHECK_STR((char *)v.adapter_id, "00:15:5D:AA:BB:01", "adapter_id left as received");

	IP("addr", "add", "fe80::5/64", "dev", "h0", "nodad");
	CHECK_INT(ipcfg_get(o, &v), 0, "GET with a link-local address");
	CHECK_STR((char *)v.ip_addr, "10.1.0.5;2001:db8:1::5;fe80::5",
		  "link-local listed after the global one, as the reference does");
	CHECK_STR((char *)v.sub_net, "255.255.255.0;/64;/64", "with its prefix");
	IP("addr", "del", "fe80::5/64", "dev", "h0");

	fill(&v, "00-15-5d-aa-bb-01", 0, "", "", "", "");
	CHECK_INT(ipcfg_get(o, &v), 0, "GET by lower-case MAC with dashes");
	CHECK_STR((char *)v.ip_addr, "10.1.0.5;2001:db8:1::5", "same answer");

	fill(&v, "00:15:5d:00:00:99", 0, "", "", "", "");
	r = ipcfg_get(o, &v);
	CHECK_INT(r, -ENODEV, "unknown MAC");
	CHECK_INT(ipcfg_status(IPCFG_OP_GET, r), HV_E_FAIL, "unknown MAC is HV_E_FAIL");
	fill(&v, "not-a-mac", 0, "", "", "", "");
	CHECK_INT(ipcfg_get(o, &v), -EINVAL, "malformed adapter id");

	/* Adapter id: sysfs device_id under the root. */
	write_at("sys/class/net/h0/device/device_id", "{5a1ce0de-0000-4000-8000-00155daabb01}\n");
	fill(&v, "{5A1CE0DE-0000-4000-8000-00155DAABB01}", 0, "", "", "", "");
	CHECK_INT(ipcfg_get(o, &v), 0, "GET by adapter GUID");
	CHECK_STR((char *)v.ip_addr, "10.1.0.5;2001:db8:1::5", "GUID finds h0");

	/* Lists longer than the host's fields are cut at a whole entry, in step. */
	{
		char big[8192] = "", a[64];
		size_t k, n_ip = 0, n_mask = 0;
		const char *p;

		for (k = 0; k < 60; k++) {
			(void)snprintf(a, sizeof(a), "2001:db8:ffff:%zx:1234:5678:9abc:%zx/64", k,
				       k);
			IP("addr", "add", a, "dev", "h01", "nodad");
		}
		for (k = 0; k < 200; k++) {
			size_t len = strlen(big);

			(void)snprintf(big + len, sizeof(big) - len,
				       "nameserver 2001:db8:eeee:%zx::53\n", k);
		}
		write_at("etc/resolv.conf", big);
		fill(&v, "00:15:5d:aa:bb:02", 0, "", "", "", "");
		CHECK_INT(ipcfg_get(o, &v), 0, "GET with 61 addresses and 200 DNS servers");
		CHECK(strlen((char *)v.ip_addr) < MAX_IP_ADDR_SIZE,
		      "ip_addr fits the host field (%zu)", strlen((char *)v.ip_addr));
		CHECK(strlen((char *)v.dns_addr) < MAX_IP_ADDR_SIZE,
		      "dns_addr fits the host field");
		for (p = (char *)v.ip_addr; *p; p++)
			n_ip += *p == ';';
		for (p = (char *)v.sub_net; *p; p++)
			n_mask += *p == ';';
		CHECK(n_ip > 10 && n_ip == n_mask, "addresses and masks cut in step (%zu, %zu)",
		      n_ip, n_mask);
		p = (char *)v.ip_addr;
		CHECK(p[strlen(p) - 1] != ';' && strstr(p, "10.2.0.5;") == p, "whole entries only");
		CHECK(strlen((char *)v.dns_addr) > 900 && all_addresses((char *)v.dns_addr) &&
			      all_addresses((char *)v.ip_addr),
		      "every entry left in both lists is a whole address");
		write_at("etc/resolv.conf", "nameserver 10.1.0.53\n");
	}

	/* SR-IOV shape: a slave (the VF) and its master share the MAC; the master with the
	 * addresses is the adapter. */
	IP("link", "add", "h2", "type", "veth", "peer", "name", "p2");
	IP("link", "set", "h2", "address", "00:15:5d:aa:bb:03");
	IP("link", "add", "br3", "type", "bridge");
	IP("link", "set", "br3", "address", "00:15:5d:aa:bb:03");
	IP("link", "set", "h2", "master", "br3");
	IP("addr", "add", "10.6.0.5/24", "dev", "br3");
	fill(&v, "00:15:5d:aa:bb:03", 0, "", "", "", "");
	CHECK_INT(ipcfg_get(o, &v), 0, "GET of a MAC shared by a slave and its master");
	CHECK_STR((char *)v.ip_addr, "10.6.0.5", "the master with the address answers");

	/* resolv.conf pointing at the resolved stub: the upstream list is used. */
	write_at("etc/resolv.conf", "nameserver 127.0.0.53\n");
	write_at("run/systemd/resolve/resolv.conf", "nameserver 192.0.2.53\n");
	fill(&v, MAC_H0, 0, "", "", "", "");
	CHECK_INT(ipcfg_get(o, &v), 0, "GET with resolved stub");
	CHECK_STR((char *)v.dns_addr, "192.0.2.53;", "DNS from resolved's upstream list");
	write_at("run/systemd/resolve/resolv.conf", "nameserver 127.0.0.53\n");
	write_at("run/NetworkManager/no-stub-resolv.conf", "nameserver 192.0.2.54\n");
	CHECK_INT(ipcfg_get(o, &v), 0, "GET with NetworkManager's upstream list");
	CHECK_STR((char *)v.dns_addr, "192.0.2.54;", "DNS from NetworkManager's no-stub file");

	/* networkd's per-link DNS wins over resolv.conf. */
	{
		char rel[64];

		(void)snprintf(rel, sizeof(rel), "run/systemd/netif/links/%d", ifindex_of("h0"));
		write_at(rel, "ADMIN_STATE=configured\nDNS=10.1.0.54 10.1.0.55\n");
		CHECK_INT(ipcfg_get(o, &v), 0, "GET with networkd link state");
		CHECK_STR((char *)v.dns_addr, "10.1.0.54;10.1.0.55;",
			  "DNS from networkd link state");
	}

	/* A leased address (finite lifetime) means DHCP. */
	IP("addr", "add", "10.1.0.77/24", "dev", "h0", "valid_lft", "3600", "preferred_lft",
	   "3600");
	CHECK_INT(ipcfg_get(o, &v), 0, "GET with a leased address");
	CHECK_INT(v.dhcp_enabled, 1, "finite lifetime: DHCP on");
	CHECK(strstr((char *)v.ip_addr, "10.1.0.77") != NULL, "leased address listed");
	IP("addr", "del", "10.1.0.77/24", "dev", "h0");
	CHECK_INT(ipcfg_get(o, &v), 0, "GET after the lease is gone");
	CHECK_INT(v.dhcp_enabled, 0, "DHCP off again");
	write_at("etc/network/interfaces", "auto h0\niface h0 inet dhcp\n");
	CHECK_INT(ipcfg_get(o, &v), 0, "GET with ifupdown dhcp stanza");
	CHECK_INT(v.dhcp_enabled, 1, "ifupdown inet dhcp: DHCP on");
	clean_root();
}

static void test_set_live(struct ipcfg_opts *o)
{
	struct hv_kvp_ipaddr_value v;
	char why[IPCFG_WHY_MAX];
	int r;

	clean_root();
	o->rollback_ms = 700;
	fill(&v, MAC_H0, 0, "10.3.0.7", "255.255.255.0", "10.3.0.1", "10.3.0.53");
	r = ipcfg_set(o, &v, why, sizeof(why));
	CHECK_INT(r, -ETIMEDOUT, "SET with a dead gateway rolls back: %s", why);
	CHECK(strstr(ip_show("addr", "h0"), "10.1.0.5/24") != NULL, "old address back");
	CHECK(strstr(ip_show("addr", "h0"), "10.3.0.7") == NULL, "new address gone");
	CHECK(strstr(ip_show("-4", "h0"), "via 10.1.0.1 dev h0") != NULL, "old default route back");
	CHECK(strstr(ip_show("addr", "h0"), "inet6 2001:db8:1::5/64") != NULL,
	      "IPv6 untouched by an IPv4-only request");

	PEER("addr", "add", "10.3.0.1/24", "dev", "p0");
	r = ipcfg_set(o, &v, why, sizeof(why));
	CHECK_INT(r, 0, "SET with a live gateway: %s", why);
	CHECK(strncmp(why, "ok: h0 via live", 15) == 0, "reason names interface and backend");
	CHECK(strstr(ip_show("addr", "h0"), "inet 10.3.0.7/24") != NULL,
	      "ip addr shows 10.3.0.7/24");
	CHECK(strstr(ip_show("addr", "h0"), "10.1.0.5") == NULL, "old IPv4 address removed");
	CHECK(strstr(ip_show("-4", "h0"), "via 10.3.0.1 dev h0") != NULL,
	      "ip route shows the new default");
	CHECK(strstr(ip_show("-4", "h0"), "via 10.1.0.1 dev h0") == NULL, "old default removed");
	CHECK(strstr(ip_show("-4", "h0"), "via 10.2.0.1 dev h01") != NULL,
	      "other interface's default untouched");
	CHECK(strstr(ip_show("addr", "h01"), "10.2.0.5/24") != NULL, "h01 untouched");
	CHECK(strstr(ip_show("addr", "h0"), "inet6 2001:db8:1::5/64") != NULL,
	      "IPv4-only request leaves the IPv6 address");
	CHECK(strstr(ip_show("-6", "h0"), "via 2001:db8:1::1 dev h0") != NULL,
	      "IPv4-only request leaves the IPv6 default route");

	o->rollback_ms = 0;
	fill(&v, MAC_H0, 0, "10.3.0.8;2001:db8:3::8", "24;/64", "10.3.0.1;2001:db8:3::1", "");
	r = ipcfg_set(o, &v, why, sizeof(why));
	CHECK_INT(r, 0, "dual-stack SET: %s", why);
	CHECK(strstr(ip_show("addr", "h0"), "inet6 2001:db8:3::8/64") != NULL, "IPv6 address set");
	CHECK(strstr(ip_show("-6", "h0"), "via 2001:db8:3::1 dev h0") != NULL, "IPv6 default set");
	CHECK(strstr(ip_show("addr", "h0"), "2001:db8:1::5") == NULL, "old IPv6 address replaced");
	CHECK(strstr(ip_show("-6", "h0"), "via 2001:db8:1::1") == NULL,
	      "old IPv6 default replaced");
	{
		struct hv_kvp_ipaddr_value g;

		fill(&g, MAC_H0, 0, "", "", "", "");
		CHECK_INT(ipcfg_get(o, &g), 0, "GET after SET");
		CHECK_STR((char *)g.ip_addr, "10.3.0.8;2001:db8:3::8",
			  "GET reports what SET applied");
		CHECK_STR((char *)g.gate_way, "10.3.0.1;2001:db8:3::1;", "and the gateways");
	}
	fill(&v, MAC_H0, 1, "", "", "", "");
	CHECK_INT(ipcfg_set(o, &v, why, sizeof(why)), -ENOTSUP,
		  "DHCP on an unmanaged interface is refused: %s", why);
}

static void test_set_bad(struct ipcfg_opts *o)
{
	static const char *const rows[][5] = {
		{ MAC_H0, "10.0.0.5;$(reboot)", "24;24", "", "" },
		{ MAC_H0, "10.4.0.5", "24\nIPADDR1=1.2.3.4", "", "" },
		{ MAC_H0, "10.4.0.5", "33", "", "" },
		{ MAC_H0, "2001:db8::5", "129", "", "" },
		{ MAC_H0, "10.4.0.5", "24", "10.4.0.1;`id`", "" },
		{ MAC_H0, "10.4.0.5", "24", "", "1.1.1.1|x" },
		{ MAC_H0, "10.4.0.5", "ffff::", "", "" },
		{ "00:15:5d:00:00:99", "10.4.0.5", "24", "", "" },
		{ MAC_H0, "10.4.0.5", "24", "10.9.0.1", "" },
	};
	static const int want[] = { -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL,
				    -EINVAL, -EINVAL, -ENODEV, -EINVAL };
	char before_addr[8192], before_route[8192], why[IPCFG_WHY_MAX];
	unsigned long long sig;
	size_t i;

	clean_root();
	write_at("etc/sysconfig/network-scripts/ifcfg-h0", "DEVICE=h0\nBOOTPROTO=dhcp\n");
	sig = tree_sig();
	(void)snprintf(before_addr, sizeof(before_addr), "%s", ip_show("addr", "h0"));
	(void)snprintf(before_route, sizeof(before_route), "%s", ip_show("-4", "h0"));
	o->activate = true;
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		struct hv_kvp_ipaddr_value v;
		int r;

		fill(&v, rows[i][0], 0, rows[i][1], rows[i][2], rows[i][3], rows[i][4]);
		r = ipcfg_set(o, &v, why, sizeof(why));
		CHECK_INT(r, want[i], "bad SET %zu refused: %s", i, why);
		CHECK(why[0] != '\0', "bad SET %zu has a reason", i);
	}
	CHECK(tree_sig() == sig, "no file under the root changed");
	CHECK_STR(ip_show("addr", "h0"), before_addr, "addresses unchanged");
	CHECK_STR(ip_show("-4", "h0"), before_route, "routes unchanged");
	{
		struct hv_kvp_ipaddr_value v;
		int r;

		fill(&v, "00:15:5d:00:00:99", 0, "10.4.0.5", "24", "", "");
		r = ipcfg_set(o, &v, why, sizeof(why));
		CHECK_INT(ipcfg_status(IPCFG_OP_SET, r), HV_GUID_NOTFOUND,
			  "unknown adapter maps to HV_GUID_NOTFOUND");
	}
	/* Policy. */
	CHECK_INT(ipcfg_opts_exclude(o, "h?"), 0, "exclude pattern added");
	{
		struct hv_kvp_ipaddr_value v;

		fill(&v, MAC_H0, 0, "10.4.0.5", "24", "", "");
		CHECK_INT(ipcfg_set(o, &v, why, sizeof(why)), -EPERM, "excluded: %s", why);
		CHECK(strstr(why, "excluded") != NULL, "reason says excluded");
	}
	CHECK(tree_sig() == sig, "still no file changed");
	CHECK_STR(ip_show("addr", "h0"), before_addr, "addresses still unchanged");
	o->n_exclude = 0;
}

static bool contains(const char *rel, const char *needle)
{
	char *s = read_at(rel);
	bool ok = s && strstr(s, needle);

	free(s);
	return ok;
}

static void test_backends(struct ipcfg_opts *o)
{
	struct hv_kvp_ipaddr_value v;
	char why[IPCFG_WHY_MAX], rel[96], preview[4096];
	struct stat st;
	char path[256];
	int idx = ifindex_of("h0");

	o->activate = false;
	fill(&v, MAC_H0, 0, "10.5.0.7;2001:db8:5::7", "24;64", "10.5.0.1", "10.5.0.53");

	/* NetworkManager, detected from its device state. */
	clean_root();
	(void)snprintf(rel, sizeof(rel), "run/NetworkManager/devices/%d", idx);
	write_at(rel, "[device]\nmanaged=true\n");
	CHECK_INT(ipcfg_set(o, &v, why, sizeof(why)), 0, "NM: %s", why);
	CHECK(strstr(why, "via nm") != NULL, "NM detected");
	CHECK(contains("etc/NetworkManager/system-connections/hvguest-h0.nmconnection",
		       "address1=10.5.0.7/24\ngateway=10.5.0.1\ndns=10.5.0.53;\nmethod=manual\n"),
	      "NM keyfile has the IPv4 settings");
	(void)snprintf(path, sizeof(path),
		       "%s/etc/NetworkManager/system-connections/hvguest-h0.nmconnection", root);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600, "NM keyfile mode 0600");
	fill(&v, MAC_H0, 0, "10.5.0.8", "24", "10.5.0.1", "");
	CHECK_INT(ipcfg_set(o, &v, why, sizeof(why)), 0, "NM again: %s", why);
	CHECK(contains("etc/NetworkManager/system-connections/hvguest-h0.nmconnection",
		       "address1=10.5.0.8/24"),
	      "NM keyfile replaced");
	{
		char bdir[256];
		int n = 0;
		DIR *d;
		struct dirent *de;

		(void)snprintf(bdir, sizeof(bdir), "%s/var/lib/hvguest/ip-backup", root);
		d = opendir(bdir);
		while (d && (de = readdir(d)))
			if (strstr(de->d_name, "hvguest-h0.nmconnection."))
				n++;
		if (d)
			closedir(d);
		CHECK_INT(n, 1, "the replaced keyfile was backed up");
	}
	fill(&v, MAC_H0, 0, "10.5.0.7;2001:db8:5::7", "24;64", "10.5.0.1", "10.5.0.53");

	/* netplan: a YAML naming the interface; then netplan's own generator. */
	clean_root();
	write_at("etc/netplan/50-cloud-init.yaml",
		 "network:\n  version: 2\n  ethernets:\n    h0:\n      dhcp4: true\n");
	(void)snprintf(path, sizeof(path), "%s/etc/netplan/50-cloud-init.yaml", root);
	(void)chmod(path, 0600);
	CHECK_INT(ipcfg_set(o, &v, why, sizeof(why)), 0, "netplan: %s", why);
	CHECK(strstr(why, "via netplan") != NULL, "netplan detected");
	CHECK(contains("etc/netplan/90-hvguest-h0.yaml", "- \"10.5.0.7/24\""), "netplan file");
	if (access("/usr/sbin/netplan", X_OK) == 0) {
		CHECK_INT(run(NULL, 0,
			      (const char *const[]){ "/usr/sbin/netplan", "generate", "--root-dir",
						     root, NULL }),
			  0, "netplan generate accepts the result");
		CHECK(contains("run/systemd/network/10-netplan-h0.network", "Address=10.5.0.7/24"),
		      "netplan rendered our address for networkd");
	} else {
		SKIP("netplan not installed");
	}

	/* systemd-networkd: a .network file matching the name. */
	clean_root();
	write_at("etc/systemd/network/20-wired.network",
		 "[Match]\nName=h0\n\n[Network]\nDHCP=yes\n");
	CHECK_INT(ipcfg_set(o, &v, why, sizeof(why)), 0, "networkd: %s", why);
	CHECK(strstr(why, "via networkd") != NULL, "networkd detected");
	CHECK(contains("etc/systemd/network/10-hvguest-h0.network",
		       "[Match]\nMACAddress=00:15:5D:AA:BB:01\nName=h0\n"),
	      "networkd file matches the NIC");
	CHECK(contains("etc/systemd/network/10-hvguest-h0.network", "Gateway=10.5.0.1\n"),
	      "networkd file has the gateway");

	/* ifcfg. */
	clean_root();
	write_at("etc/sysconfig/network-scripts/ifcfg-lo", "DEVICE=lo\n");
	CHECK_INT(ipcfg_set(o, &v, why, sizeof(why)), 0, "ifcfg: %s", why);
	CHECK(strstr(why, "via ifcfg") != NULL, "ifcfg detected");
	CHECK(contains("etc/sysconfig/network-scripts/ifcfg-h0",
		       "BOOTPROTO=none\nIPADDR=10.5.0.7\nPREFIX=24\nGATEWAY=10.5.0.1\n"),
	      "ifcfg file");

	/* ifupdown: the interface's stanzas are replaced, the rest kept. */
	clean_root();
	write_at("etc/network/interfaces", "source /etc/network/interfaces.d/*\n\nauto lo\n"
					   "iface lo inet loopback\n\nauto h0\niface h0 inet dhcp\n"
					   "\thostname x\n\nauto h01\niface h01 inet manual\n");
	fill(&v, MAC_H0, 0, "10.5.0.7", "24", "10.5.0.1", "10.5.0.53");
	CHECK_INT(ipcfg_set(o, &v, why, sizeof(why)), 0, "ifupdown: %s", why);
	CHECK(strstr(why, "via ifupdown") != NULL, "ifupdown detected");
	{
		char *s = read_at("etc/network/interfaces");

		CHECK_STR(
			s,
			"source /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n\n"
			"auto h01\niface h01 inet manual\n\n"
			"# written by hvguest (hv-kvpd) for a Hyper-V SET_IP_INFO request\n"
			"auto h0\n\niface h0 inet static\n\taddress 10.5.0.7/24\n"
			"\tgateway 10.5.0.1\n\tdns-nameservers 10.5.0.53\n",
			"interfaces rewritten, other stanzas kept");
		free(s);
	}

	/* ifupdown with the stanza in interfaces.d: that file is the one rewritten. */
	clean_root();
	write_at("etc/network/interfaces", "source /etc/network/interfaces.d/*\n");
	write_at("etc/network/interfaces.d/wired", "allow-hotplug h0\niface h0 inet dhcp\n");
	CHECK_INT(ipcfg_set(o, &v, why, sizeof(why)), 0, "ifupdown (interfaces.d): %s", why);
	CHECK(strstr(why, "via ifupdown") != NULL, "ifupdown detected from interfaces.d");
	CHECK(contains("etc/network/interfaces", "source /etc/network/interfaces.d/*\n") &&
		      !contains("etc/network/interfaces", "iface h0"),
	      "main file left alone");
	CHECK(contains("etc/network/interfaces.d/wired",
		       "iface h0 inet static\n\taddress 10.5.0.7/24") &&
		      !contains("etc/network/interfaces.d/wired", "inet dhcp") &&
		      !contains("etc/network/interfaces.d/wired", "allow-hotplug"),
	      "the stanza's own file rewritten");

	/* Dry run: preview, no file. */
	clean_root();
	write_at("etc/sysconfig/network-scripts/ifcfg-lo", "DEVICE=lo\n");
	o->dry_run = true;
	o->preview = preview;
	o->preview_size = sizeof(preview);
	CHECK_INT(ipcfg_set(o, &v, why, sizeof(why)), 0, "dry run: %s", why);
	CHECK(!exists_at("etc/sysconfig/network-scripts/ifcfg-h0"), "dry run wrote nothing");
	CHECK(strstr(preview, "--- etc/sysconfig/network-scripts/ifcfg-h0 (new)\n") &&
		      strstr(preview, "IPADDR=10.5.0.7\n"),
	      "preview shows the file");
	o->dry_run = false;
	o->preview = NULL;
	o->preview_size = 0;

	/* ifcfg + activate: the file and the live change. */
	o->activate = true;
	fill(&v, MAC_H0, 0, "10.3.0.9", "24", "10.3.0.1", "");
	CHECK_INT(ipcfg_set(o, &v, why, sizeof(why)), 0, "ifcfg activated: %s", why);
	CHECK(strstr(ip_show("addr", "h0"), "inet 10.3.0.9/24") != NULL, "activated live");
	o->activate = false;

	/* The site's script (opt-in), with an argument vector. */
	clean_root();
	{
		char script[256], text[512], *args;

		(void)snprintf(script, sizeof(script), "%s/hv_set_ifconfig", root);
		(void)snprintf(text, sizeof(text),
			       "#!/bin/sh\nprintf '%%s|' \"$@\" > %s/args\ntest -s \"$1\" && test "
			       "-s \"$2\"\n",
			       root);
		write_at("hv_set_ifconfig", text);
		(void)chmod(script, 0755);
		o->set_script = script;
		o->activate = true;
		CHECK_INT(ipcfg_set(o, &v, why, sizeof(why)), 0, "script: %s", why);
		args = read_at("args");
		(void)snprintf(text, sizeof(text),
			       "%s/var/lib/hyperv/ifcfg-h0|%s/var/lib/hyperv/h0.nmconnection|",
			       root, root);
		CHECK_STR(args, text, "script got the two file paths as arguments");
		free(args);
		(void)snprintf(text, sizeof(text), "#!/bin/sh\nexit 3\n");
		write_at("hv_set_ifconfig", text);
		CHECK_INT(ipcfg_set(o, &v, why, sizeof(why)), -ECHILD, "failing script: %s", why);
		CHECK(strstr(why, "exit status 3") != NULL, "reason has the exit status");
		CHECK(contains("var/lib/hyperv/ifcfg-h0", "IPADDR0=10.3.0.9\n") &&
			      exists_at("var/lib/hyperv/h0.nmconnection"),
		      "files of the earlier run restored (not deleted)");
		o->set_script = NULL;
		o->activate = false;
	}
}

int main(void)
{
	struct ipcfg_opts o;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0) {
		printf("1..0 # SKIP needs root and a private network namespace\n");
		return 77;
	}
	if (access("/usr/sbin/ip", X_OK) != 0) {
		printf("1..0 # SKIP iproute2 not installed\n");
		return 77;
	}
	if (access("/usr/bin/nsenter", X_OK) != 0 || start_peer() < 0) {
		printf("1..0 # SKIP needs nsenter and a second network namespace\n");
		return 77;
	}
	(void)snprintf(root, sizeof(root), "/tmp/hvguest-ipcfg.XXXXXX");
	if (!mkdtemp(root))
		return 1;
	setup_net();
	ipcfg_opts_init(&o);
	o.root = root;
	test_get(&o);
	test_set_live(&o);
	test_set_bad(&o);
	test_backends(&o);
	(void)nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	(void)kill(peer_pid, SIGKILL);
	(void)waitpid(peer_pid, NULL, 0);
	return tap_done();
}
