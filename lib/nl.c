/* SPDX-License-Identifier: MIT */
/*
 * nl.c - rtnetlink requests and dumps over one NETLINK_ROUTE socket, parsed into the small
 * structs of nl.h.  Every request asks for an ACK; replies are matched by sequence number.
 */
#include "nl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#define NL_BUF_SIZE 32768
#define NL_REQ_SIZE 512

size_t nl_family_len(int family)
{
	if (family == AF_INET)
		return 4;
	if (family == AF_INET6)
		return 16;
	return 0;
}

int nl_open(struct nl *nl)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t len = sizeof(sa);
	struct timeval tv = { .tv_sec = 5 };
	int one = 1;

	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		return -errno;
	(void)setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	/* A kernel answer never takes seconds; never hang the daemon on a lost one. */
	(void)setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(nl->fd, (struct sockaddr *)&sa, &len) < 0) {
		int r = -errno;

		close(nl->fd);
		nl->fd = -1;
		return r;
	}
	nl->portid = sa.nl_pid;
	nl->seq = (uint32_t)getpid() << 8;
	return 0;
}

void nl_close(struct nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

/* Append one attribute to the request in 'buf' (of NL_REQ_SIZE bytes). */
static int add_attr(struct nlmsghdr *h, unsigned short type, const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(h->nlmsg_len);
	struct rtattr *rta;

	if (off + RTA_SPACE(len) > NL_REQ_SIZE)
		return -E2BIG;
	rta = (struct rtattr *)((char *)h + off);
	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len > 0)
		memcpy(RTA_DATA(rta), data, len);
	h->nlmsg_len = (uint32_t)(off + RTA_SPACE(len));
	return 0;
}

typedef int msg_fn(struct nlmsghdr *h, void *data);

/*
 * Send the request 'h' and read replies until the ACK (or NLMSG_DONE for a dump), passing
 * each data message to 'fn'.  The first callback error or kernel error is returned after
 * the rest of the answer has been read, so the socket stays in step.
 */
static int transact(struct nl *nl, struct nlmsghdr *h, msg_fn *fn, void *data)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char *buf;
	int ret = 0;
	/* NLM_F_DUMP is two bits; NLM_F_REPLACE and NLM_F_EXCL reuse one each. */
	bool dump = (h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;

	h->nlmsg_seq = ++nl->seq;
	h->nlmsg_pid = 0;
	h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (sendto(nl->fd, h, h->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;

	buf = malloc(NL_BUF_SIZE);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		struct sockaddr_nl from;
		socklen_t fromlen = sizeof(from);
		ssize_t n = recvfrom(nl->fd, buf, NL_BUF_SIZE, MSG_TRUNC, (struct sockaddr *)&from,
				     &fromlen);
		struct nlmsghdr *m;
		size_t left;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out;
		}
		if ((size_t)n > NL_BUF_SIZE) {
			ret = -EMSGSIZE;
			goto out;
		}
		if (from.nl_pid != 0)
			continue; /* not from the kernel */
		left = (size_t)n;
		for (m = (struct nlmsghdr *)buf; NLMSG_OK(m, left); m = NLMSG_NEXT(m, left)) {
			if (m->nlmsg_seq != h->nlmsg_seq)
				continue;
			if (m->nlmsg_type == NLMSG_DONE)
				goto out;
			if (m->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(m);

				if (m->nlmsg_len < NLMSG_LENGTH(sizeof(*e))) {
					ret = ret ? ret : -EBADMSG;
					goto out;
				}
				if (e->error != 0 && ret == 0)
					ret = e->error;
				/* An ACK (error 0) ends a request; for a dump, an error ends it. */
				if (!dump || e->error != 0)
					goto out;
				continue;
			}
			if (ret == 0 && fn) {
				int r = fn(m, data);

				if (r != 0)
					ret = r;
			}
		}
	}
out:
	free(buf);
	return ret;
}

struct cb_ctx {
	void *fn;
	void *data;
	int family;
};

static void parse_attrs(struct rtattr **tb, int max, struct rtattr *rta, size_t len)
{
	memset(tb, 0, sizeof(*tb) * (size_t)(max + 1));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type <= max && !tb[rta->rta_type])
			tb[rta->rta_type] = rta;
}

static int link_msg(struct nlmsghdr *h, void *data)
{
	const struct cb_ctx *c = data;
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct rtattr *tb[IFLA_MAX + 1];
	struct nl_link l = { 0 };

	if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return 0;
	parse_attrs(tb, IFLA_MAX, IFLA_RTA(ifi), h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi)));
	l.ifindex = ifi->ifi_index;
	l.flags = ifi->ifi_flags;
	if (tb[IFLA_IFNAME]) {
		size_t n = RTA_PAYLOAD(tb[IFLA_IFNAME]);

		n = strnlen(RTA_DATA(tb[IFLA_IFNAME]), MIN(n, sizeof(l.name) - 1));
		memcpy(l.name, RTA_DATA(tb[IFLA_IFNAME]), n);
	}
	if (tb[IFLA_ADDRESS] && RTA_PAYLOAD(tb[IFLA_ADDRESS]) <= sizeof(l.mac)) {
		l.mac_len = RTA_PAYLOAD(tb[IFLA_ADDRESS]);
		memcpy(l.mac, RTA_DATA(tb[IFLA_ADDRESS]), l.mac_len);
	}
	if (tb[IFLA_MASTER] && RTA_PAYLOAD(tb[IFLA_MASTER]) >= sizeof(uint32_t))
		memcpy(&l.master, RTA_DATA(tb[IFLA_MASTER]), sizeof(l.master));
	return ((nl_link_fn *)c->fn)(&l, c->data);
}

int nl_links(struct nl *nl, nl_link_fn *fn, void *data)
{
	union {
		struct nlmsghdr h;
		char b[NL_REQ_SIZE];
	} req = { 0 };
	struct ifinfomsg *ifi;
	struct cb_ctx c = { .fn = (void *)fn, .data = data };

	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	req.h.nlmsg_type = RTM_GETLINK;
	req.h.nlmsg_flags = NLM_F_DUMP;
	ifi = NLMSG_DATA(&req.h);
	ifi->ifi_family = AF_UNSPEC;
	return transact(nl, &req.h, link_msg, &c);
}

static int addr_msg(struct nlmsghdr *h, void *data)
{
	const struct cb_ctx *c = data;
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	struct rtattr *tb[IFA_MAX + 1];
	struct nl_addr a = { 0 };
	struct rtattr *src;
	size_t alen;

	if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)))
		return 0;
	alen = nl_family_len(ifa->ifa_family);
	if (alen == 0)
		return 0;
	parse_attrs(tb, IFA_MAX, IFA_RTA(ifa), h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifa)));
	/* IFA_LOCAL is the address itself on point-to-point links; IFA_ADDRESS otherwise. */
	src = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!src || RTA_PAYLOAD(src) != alen)
		return 0;
	a.ifindex = (int)ifa->ifa_index;
	a.family = ifa->ifa_family;
	memcpy(a.addr, RTA_DATA(src), alen);
	a.prefix = ifa->ifa_prefixlen;
	a.scope = ifa->ifa_scope;
	a.flags = ifa->ifa_flags;
	if (tb[IFA_FLAGS] && RTA_PAYLOAD(tb[IFA_FLAGS]) >= sizeof(uint32_t))
		memcpy(&a.flags, RTA_DATA(tb[IFA_FLAGS]), sizeof(uint32_t));
	a.valid_lft = UINT32_MAX;
	a.preferred_lft = UINT32_MAX;
	if (tb[IFA_CACHEINFO] && RTA_PAYLOAD(tb[IFA_CACHEINFO]) >= sizeof(struct ifa_cacheinfo)) {
		struct ifa_cacheinfo ci;

		memcpy(&ci, RTA_DATA(tb[IFA_CACHEINFO]), sizeof(ci));
		a.valid_lft = ci.ifa_valid;
		a.preferred_lft = ci.ifa_prefered;
	}
	return ((nl_addr_fn *)c->fn)(&a, c->data);
}

int nl_addrs(struct nl *nl, int family, nl_addr_fn *fn, void *data)
{
	union {
		struct nlmsghdr h;
		char b[NL_REQ_SIZE];
	} req = { 0 };
	struct ifaddrmsg *ifa;
	struct cb_ctx c = { .fn = (void *)fn, .data = data };

	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(*ifa));
	req.h.nlmsg_type = RTM_GETADDR;
	req.h.nlmsg_flags = NLM_F_DUMP;
	ifa = NLMSG_DATA(&req.h);
	ifa->ifa_family = (unsigned char)family;
	return transact(nl, &req.h, addr_msg, &c);
}

static int route_msg(struct nlmsghdr *h, void *data)
{
	const struct cb_ctx *c = data;
	struct rtmsg *rtm = NLMSG_DATA(h);
	struct rtattr *tb[RTA_MAX + 1];
	struct nl_route r = { 0 };
	size_t alen;

	if (h->nlmsg_type != RTM_NEWROUTE || h->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)))
		return 0;
	if (rtm->rtm_family != c->family)
		return 0;
	alen = nl_family_len(rtm->rtm_family);
	parse_attrs(tb, RTA_MAX, RTM_RTA(rtm), h->nlmsg_len - NLMSG_LENGTH(sizeof(*rtm)));
	r.family = rtm->rtm_family;
	r.dst_len = rtm->rtm_dst_len;
	r.table = rtm->rtm_table;
	r.protocol = rtm->rtm_protocol;
	r.type = rtm->rtm_type;
	if (tb[RTA_TABLE] && RTA_PAYLOAD(tb[RTA_TABLE]) >= sizeof(uint32_t))
		memcpy(&r.table, RTA_DATA(tb[RTA_TABLE]), sizeof(uint32_t));
	if (tb[RTA_OIF] && RTA_PAYLOAD(tb[RTA_OIF]) >= sizeof(uint32_t))
		memcpy(&r.oif, RTA_DATA(tb[RTA_OIF]), sizeof(uint32_t));
	if (tb[RTA_PRIORITY] && RTA_PAYLOAD(tb[RTA_PRIORITY]) >= sizeof(uint32_t))
		memcpy(&r.priority, RTA_DATA(tb[RTA_PRIORITY]), sizeof(uint32_t));
	if (tb[RTA_DST] && RTA_PAYLOAD(tb[RTA_DST]) == alen)
		memcpy(r.dst, RTA_DATA(tb[RTA_DST]), alen);
	if (tb[RTA_GATEWAY] && RTA_PAYLOAD(tb[RTA_GATEWAY]) == alen) {
		memcpy(r.gw, RTA_DATA(tb[RTA_GATEWAY]), alen);
		r.has_gw = true;
	}
	return ((nl_route_fn *)c->fn)(&r, c->data);
}

int nl_routes(struct nl *nl, int family, nl_route_fn *fn, void *data)
{
	union {
		struct nlmsghdr h;
		char b[NL_REQ_SIZE];
	} req = { 0 };
	struct rtmsg *rtm;
	struct cb_ctx c = { .fn = (void *)fn, .data = data, .family = family };

	if (nl_family_len(family) == 0)
		return -EAFNOSUPPORT;
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(*rtm));
	req.h.nlmsg_type = RTM_GETROUTE;
	req.h.nlmsg_flags = NLM_F_DUMP;
	rtm = NLMSG_DATA(&req.h);
	rtm->rtm_family = (unsigned char)family;
	return transact(nl, &req.h, route_msg, &c);
}

int nl_addr_change(struct nl *nl, bool add, const struct nl_addr *a)
{
	union {
		struct nlmsghdr h;
		char b[NL_REQ_SIZE];
	} req = { 0 };
	struct ifaddrmsg *ifa;
	size_t alen = nl_family_len(a->family);
	int r;

	if (alen == 0 || a->prefix > alen * 8 || a->ifindex <= 0)
		return -EINVAL;
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(*ifa));
	req.h.nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	req.h.nlmsg_flags = add ? (NLM_F_CREATE | NLM_F_REPLACE) : 0;
	ifa = NLMSG_DATA(&req.h);
	ifa->ifa_family = (unsigned char)a->family;
	ifa->ifa_prefixlen = (unsigned char)a->prefix;
	ifa->ifa_index = (unsigned int)a->ifindex;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	r = add_attr(&req.h, IFA_LOCAL, a->addr, alen);
	if (r == 0)
		r = add_attr(&req.h, IFA_ADDRESS, a->addr, alen);
	if (r == 0 && add && a->family == AF_INET && a->prefix < 31) {
		/* The broadcast address, as "ip addr add ... brd +" would set it. */
		uint32_t ip, mask;
		uint8_t brd[4];

		memcpy(&ip, a->addr, 4);
		mask = htonl((uint32_t)(0xffffffffull << (32 - a->prefix)));
		ip |= ~mask;
		memcpy(brd, &ip, 4);
		r = add_attr(&req.h, IFA_BROADCAST, brd, 4);
	}
	if (r == 0 && add && (a->valid_lft || a->preferred_lft)) {
		struct ifa_cacheinfo ci = { .ifa_valid = a->valid_lft,
					    .ifa_prefered = a->preferred_lft };

		r = add_attr(&req.h, IFA_CACHEINFO, &ci, sizeof(ci));
	}
	if (r)
		return r;
	return transact(nl, &req.h, NULL, NULL);
}

int nl_route_change(struct nl *nl, bool add, const struct nl_route *rt)
{
	union {
		struct nlmsghdr h;
		char b[NL_REQ_SIZE];
	} req = { 0 };
	struct rtmsg *rtm;
	size_t alen = nl_family_len(rt->family);
	uint32_t oif = (uint32_t)rt->oif, table = rt->table ? rt->table : RT_TABLE_MAIN;
	int r = 0;

	if (alen == 0 || rt->dst_len > alen * 8)
		return -EINVAL;
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(*rtm));
	req.h.nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	req.h.nlmsg_flags = add ? (NLM_F_CREATE | NLM_F_EXCL) : 0;
	rtm = NLMSG_DATA(&req.h);
	rtm->rtm_family = (unsigned char)rt->family;
	rtm->rtm_dst_len = (unsigned char)rt->dst_len;
	rtm->rtm_table = table < 256 ? (unsigned char)table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = add ? RTPROT_STATIC : 0;
	rtm->rtm_scope = rt->has_gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = add ? RTN_UNICAST : 0;
	if (!add)
		rtm->rtm_scope = RT_SCOPE_NOWHERE;
	if (rt->dst_len > 0)
		r = add_attr(&req.h, RTA_DST, rt->dst, alen);
	if (r == 0 && rt->has_gw)
		r = add_attr(&req.h, RTA_GATEWAY, rt->gw, alen);
	if (r == 0 && oif)
		r = add_attr(&req.h, RTA_OIF, &oif, sizeof(oif));
	if (r == 0 && table >= 256)
		r = add_attr(&req.h, RTA_TABLE, &table, sizeof(table));
	if (r == 0 && rt->priority)
		r = add_attr(&req.h, RTA_PRIORITY, &rt->priority, sizeof(rt->priority));
	if (r)
		return r;
	return transact(nl, &req.h, NULL, NULL);
}

int nl_link_up(struct nl *nl, int ifindex)
{
	union {
		struct nlmsghdr h;
		char b[NL_REQ_SIZE];
	} req = { 0 };
	struct ifinfomsg *ifi;

	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	req.h.nlmsg_type = RTM_NEWLINK;
	ifi = NLMSG_DATA(&req.h);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return transact(nl, &req.h, NULL, NULL);
}

struct neigh_ctx {
	int ifindex;
	int family;
	const void *addr;
	uint16_t state;
	bool found;
};

static int neigh_msg(struct nlmsghdr *h, void *data)
{
	struct neigh_ctx *c = data;
	struct ndmsg *nd = NLMSG_DATA(h);
	struct rtattr *tb[NDA_MAX + 1];
	size_t alen = nl_family_len(c->family);

	if (h->nlmsg_type != RTM_NEWNEIGH || h->nlmsg_len < NLMSG_LENGTH(sizeof(*nd)))
		return 0;
	if (nd->ndm_family != c->family || nd->ndm_ifindex != c->ifindex)
		return 0;
	parse_attrs(tb, NDA_MAX, (struct rtattr *)((char *)nd + NLMSG_ALIGN(sizeof(*nd))),
		    h->nlmsg_len - NLMSG_LENGTH(sizeof(*nd)));
	if (!tb[NDA_DST] || RTA_PAYLOAD(tb[NDA_DST]) != alen ||
	    memcmp(RTA_DATA(tb[NDA_DST]), c->addr, alen) != 0)
		return 0;
	c->state = nd->ndm_state;
	c->found = true;
	return 0;
}

int nl_neigh_state(struct nl *nl, int ifindex, int family, const void *addr, uint16_t *ret_state)
{
	union {
		struct nlmsghdr h;
		char b[NL_REQ_SIZE];
	} req = { 0 };
	struct ndmsg *nd;
	struct neigh_ctx c = { .ifindex = ifindex, .family = family, .addr = addr };
	int r;

	if (nl_family_len(family) == 0)
		return -EAFNOSUPPORT;
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(*nd));
	req.h.nlmsg_type = RTM_GETNEIGH;
	req.h.nlmsg_flags = NLM_F_DUMP;
	nd = NLMSG_DATA(&req.h);
	nd->ndm_family = (unsigned char)family;
	r = transact(nl, &req.h, neigh_msg, &c);
	if (r)
		return r;
	if (!c.found)
		return -ENOENT;
	*ret_state = c.state;
	return 0;
}
