/* SPDX-License-Identifier: MIT */
/*
 * test-nl.c - the rtnetlink client against the kernel, inside a private network namespace:
 * dumps see what `ip` configured, changes show up in the next dump, kernel errors come back
 * as -errno, and the socket stays in step after errors and many requests.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "nl.h"
#include "tap.h"

static int ip(const char *const argv[])
{
	pid_t pid = fork();
	int st = 0;

	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(devnull, 1);
		dup2(devnull, 2);
		execv("/usr/sbin/ip", (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}
#define IP(...) ip((const char *const[]){ "ip", __VA_ARGS__, NULL })

struct seen {
	int want_if;
	int n_links, ifindex, master;
	uint8_t mac[6];
	int n_v4, n_v6, n_default;
	unsigned int prefix;
	uint32_t valid;
};

static int on_link(const struct nl_link *l, void *data)
{
	struct seen *s = data;

	s->n_links++;
	if (streq(l->name, "t0")) {
		s->ifindex = l->ifindex;
		memcpy(s->mac, l->mac, 6);
	}
	if (streq(l->name, "t1"))
		s->master = l->master;
	return 0;
}

static int on_addr(const struct nl_addr *a, void *data)
{
	struct seen *s = data;
	char t[64];

	if (a->ifindex != s->want_if)
		return 0;
	inet_ntop(a->family, a->addr, t, sizeof(t));
	if (a->family == AF_INET && streq(t, "10.7.0.5")) {
		s->n_v4++;
		s->prefix = a->prefix;
		s->valid = a->valid_lft;
	}
	if (a->family == AF_INET6 && streq(t, "2001:db8:7::5"))
		s->n_v6++;
	return 0;
}

static int on_route(const struct nl_route *r, void *data)
{
	struct seen *s = data;

	if (r->oif == s->want_if && r->dst_len == 0 && r->has_gw)
		s->n_default++;
	return 0;
}

static int stop_at_first(const struct nl_link *l, void *data)
{
	(void)l;
	(*(int *)data)++;
	return -ECANCELED;
}

int main(void)
{
	struct nl nl;
	struct seen s = { 0 };
	struct nl_addr a = { 0 };
	struct nl_route rt = { 0 };
	uint16_t state;
	int i, r, calls = 0;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0 || access("/usr/sbin/ip", X_OK) != 0) {
		printf("1..0 # SKIP needs root, a private network namespace and iproute2\n");
		return 77;
	}
	IP("link", "add", "t0", "type", "veth", "peer", "name", "t1");
	IP("link", "set", "t0", "address", "02:00:00:00:07:05");
	IP("link", "add", "tb", "type", "bridge");
	IP("link", "set", "t1", "master", "tb");
	IP("link", "set", "t0", "up");
	IP("link", "set", "t1", "up");
	CHECK_INT(nl_open(&nl), 0, "open");

	CHECK_INT(nl_links(&nl, on_link, &s), 0, "link dump");
	CHECK_INT(s.n_links, 4, "lo, t0, t1, tb");
	CHECK(s.ifindex > 0 && s.mac[0] == 0x02 && s.mac[5] == 0x05, "t0 with its MAC");
	CHECK(s.master > 0, "t1 reports its master");
	s.want_if = s.ifindex;

	r = nl_links(&nl, stop_at_first, &calls);
	CHECK_INT(r, -ECANCELED, "callback error stops the dump");
	CHECK_INT(calls, 1, "callback not called again");

	a.ifindex = s.ifindex;
	a.family = AF_INET;
	a.prefix = 24;
	inet_pton(AF_INET, "10.7.0.5", a.addr);
	CHECK_INT(nl_addr_change(&nl, true, &a), 0, "add IPv4 address");
	a.family = AF_INET6;
	a.prefix = 64;
	inet_pton(AF_INET6, "2001:db8:7::5", a.addr);
	CHECK_INT(nl_addr_change(&nl, true, &a), 0, "add IPv6 address");
	CHECK_INT(nl_addrs(&nl, AF_UNSPEC, on_addr, &s), 0, "address dump");
	CHECK_INT(s.n_v4, 1, "IPv4 address seen once");
	CHECK_INT(s.n_v6, 1, "IPv6 address seen once");
	CHECK_INT(s.prefix, 24, "with its prefix");
	CHECK(s.valid == UINT32_MAX, "permanent address has an infinite lifetime");

	a.family = AF_INET;
	a.prefix = 24;
	inet_pton(AF_INET, "10.7.0.5", a.addr);
	a.valid_lft = a.preferred_lft = 300;
	CHECK_INT(nl_addr_change(&nl, true, &a), 0, "replace with a lifetime");
	s.n_v4 = 0;
	CHECK_INT(nl_addrs(&nl, AF_INET, on_addr, &s), 0, "IPv4 dump");
	CHECK(s.n_v4 == 1 && s.valid <= 300, "lifetime reported (%u)", s.valid);

	rt.family = AF_INET;
	rt.oif = s.ifindex;
	rt.has_gw = true;
	inet_pton(AF_INET, "10.7.0.1", rt.gw);
	CHECK_INT(nl_route_change(&nl, true, &rt), 0, "add default route");
	CHECK_INT(nl_route_change(&nl, true, &rt), -EEXIST, "adding it again is -EEXIST");
	CHECK_INT(nl_routes(&nl, AF_INET, on_route, &s), 0, "route dump");
	CHECK_INT(s.n_default, 1, "default route seen");
	CHECK_INT(nl_route_change(&nl, false, &rt), 0, "delete it");
	s.n_default = 0;
	CHECK_INT(nl_routes(&nl, AF_INET, on_route, &s), 0, "route dump");
	CHECK_INT(s.n_default, 0, "default route gone");

	a.ifindex = 9999;
	CHECK_INT(nl_addr_change(&nl, true, &a), -ENODEV, "unknown ifindex is -ENODEV");
	a.ifindex = s.ifindex;
	a.prefix = 40;
	CHECK_INT(nl_addr_change(&nl, true, &a), -EINVAL, "prefix 40 refused before sending");
	CHECK_INT(nl_neigh_state(&nl, s.ifindex, AF_INET, rt.gw, &state), -ENOENT,
		  "no neighbour entry yet");
	IP("neigh", "add", "10.7.0.1", "lladdr", "02:00:00:00:07:01", "dev", "t0", "nud",
	   "permanent");
	CHECK_INT(nl_neigh_state(&nl, s.ifindex, AF_INET, rt.gw, &state), 0, "neighbour found");
	CHECK(state & NUD_PERMANENT, "permanent state");
	for (i = 0, r = 0; i < 200 && r == 0; i++)
		r = nl_links(&nl, on_link, &s);
	CHECK_INT(r, 0, "200 dumps in a row stay in step");
	nl_close(&nl);
	return tap_done();
}
