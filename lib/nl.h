/* SPDX-License-Identifier: MIT */
/*
 * nl.h - a small rtnetlink client: dump links, addresses and routes of the caller's network
 * namespace, add and remove addresses and routes, bring a link up, read a neighbour entry.
 * Enough for ipcfg; no general attribute builder.
 *
 * Errors: 0 or a negative errno (the kernel's, from NLMSG_ERROR, or the socket's).  A
 * callback that returns non-zero stops a dump (the rest of the dump is drained) and its
 * value is returned.  Nothing here logs.
 *
 * Ownership: the structs handed to callbacks live only during the call.
 */
#ifndef HVGUEST_NL_H
#define HVGUEST_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <net/if.h>

#include "util.h"

struct nl {
	int fd;
	uint32_t seq;
	uint32_t portid;
};

struct nl_link {
	int ifindex;
	char name[IF_NAMESIZE];
	uint8_t mac[32];
	size_t mac_len;
	int master;         /* ifindex of the master (bond, bridge, netvsc for a VF), or 0 */
	unsigned int flags; /* IFF_* */
};

struct nl_addr {
	int ifindex;
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	unsigned int prefix;
	unsigned char scope;
	uint32_t flags;     /* IFA_F_*, from IFA_FLAGS when present */
	uint32_t valid_lft; /* seconds; UINT32_MAX is forever */
	uint32_t preferred_lft;
};

struct nl_route {
	int family;
	int oif;
	unsigned int dst_len;
	uint8_t dst[16];
	bool has_gw;
	uint8_t gw[16];
	uint32_t table;
	uint32_t priority;
	unsigned char protocol;
	unsigned char type; /* RTN_* */
};

int nl_open(struct nl *nl) WARN_UNUSED;
void nl_close(struct nl *nl);

typedef int nl_link_fn(const struct nl_link *l, void *data);
typedef int nl_addr_fn(const struct nl_addr *a, void *data);
typedef int nl_route_fn(const struct nl_route *r, void *data);

int nl_links(struct nl *nl, nl_link_fn *fn, void *data) WARN_UNUSED;
/* family: AF_INET, AF_INET6 or AF_UNSPEC for both. */
int nl_addrs(struct nl *nl, int family, nl_addr_fn *fn, void *data) WARN_UNUSED;
/* Unicast routes of every table, family AF_INET or AF_INET6. */
int nl_routes(struct nl *nl, int family, nl_route_fn *fn, void *data) WARN_UNUSED;

/* Add (replacing an existing one) or delete an address; uses ifindex, family, addr, prefix,
 * and for add valid_lft/preferred_lft when they are not 0 (0 means forever). */
int nl_addr_change(struct nl *nl, bool add, const struct nl_addr *a);
/* Add (create, fail if it exists) or delete a route; uses family, oif, dst, dst_len, gw
 * (has_gw), table (0 = main), priority. */
int nl_route_change(struct nl *nl, bool add, const struct nl_route *r);
/* Set IFF_UP on a link. */
int nl_link_up(struct nl *nl, int ifindex) WARN_UNUSED;
/* The NUD_* state of the neighbour entry for 'addr' on 'ifindex'; -ENOENT when absent. */
int nl_neigh_state(struct nl *nl, int ifindex, int family, const void *addr,
		   uint16_t *ret_state) WARN_UNUSED;

/* Address length of a family: 4, 16, or 0 for anything else. */
size_t nl_family_len(int family);

#endif /* HVGUEST_NL_H */
