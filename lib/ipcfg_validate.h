/* SPDX-License-Identifier: MIT */
/*
 * ipcfg_validate.h - the strict parser of a SET_IP_INFO request (and of the adapter id of a
 * GET_IP_INFO request).  Nothing from the host reaches a file or a netlink message without
 * passing through here; the backends only ever see the binary struct ipcfg_req.
 *
 * Rules (docs/ip-injection.md has the full table):
 *  - every string field must be NUL-terminated inside its storage;
 *  - adapter_id: a MAC (6 hex pairs, ':' or '-', any case) or a GUID with optional braces;
 *  - list fields: tokens separated by ';', blanks around a token dropped, one trailing ';'
 *    allowed; a token may hold only hex digits, '.', ':' and (sub_net) '/'; anything else
 *    (shell metacharacters, newlines, '%' zones, '=' ...) is refused, as are empty tokens and
 *    tokens longer than INET6_ADDRSTRLEN - 1;
 *  - ip_addr: at most IPCFG_ADDR_MAX unicast addresses, no duplicates; not unspecified,
 *    loopback, multicast, broadcast, IPv4-mapped or IPv6 link-local; an IPv4 address that is
 *    the network or broadcast address of its prefix is refused;
 *  - sub_net: exactly one entry per address, in order: for IPv4 a contiguous dotted mask, "N"
 *    or "/N" with 1 <= N <= 32; for IPv6 "N" or "/N" with 1 <= N <= 128;
 *  - gate_way: at most IPCFG_GW_MAX; an IPv4 gateway must lie inside one of the IPv4
 *    subnets (or DHCP is on and there are none); an IPv6 gateway must be link-local or lie
 *    inside one of the IPv6 prefixes; never one of our own addresses;
 *  - dns_addr: at most IPCFG_DNS_MAX unicast, non-loopback addresses;
 *  - dhcp_enabled 0 or 1; addr_family 0..3, and when exactly IPv4 (1) or IPv6 (2) every
 *    address in ip_addr must be of that family;
 *  - there must be something to do: DHCP on, or at least one address.
 */
#ifndef HVGUEST_IPCFG_VALIDATE_H
#define HVGUEST_IPCFG_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipcfg.h"

struct ipcfg_ip {
	int family; /* AF_INET or AF_INET6 */
	uint8_t a[16];
	unsigned int prefix; /* addresses only */
};

enum ipcfg_adapter_kind {
	IPCFG_ADAPTER_MAC,
	IPCFG_ADAPTER_GUID,
};

struct ipcfg_adapter {
	enum ipcfg_adapter_kind kind;
	uint8_t mac[6];
	char guid[39]; /* "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}", lower case */
};

struct ipcfg_req {
	struct ipcfg_adapter adapter;
	bool dhcp;
	uint8_t addr_family;
	struct ipcfg_ip addr[IPCFG_ADDR_MAX];
	size_t n_addr;
	struct ipcfg_ip gw[IPCFG_GW_MAX];
	size_t n_gw;
	struct ipcfg_ip dns[IPCFG_DNS_MAX];
	size_t n_dns;
};

/*
 * Parse 'len' bytes at 's' (must hold a NUL) as an adapter id.  -EINVAL otherwise.
 */
int ipcfg_parse_adapter(const char *s, size_t len, struct ipcfg_adapter *ret) WARN_UNUSED;

/*
 * Validate the whole request.  0 and *req filled, or -EINVAL with the field, the token
 * (escaped) and the rule it broke in 'why'.
 */
int ipcfg_validate(const struct hv_kvp_ipaddr_value *v, struct ipcfg_req *req, char *why,
		   size_t why_size) WARN_UNUSED;

/* Text of an address, without prefix ("10.0.0.5", "2001:db8::5"); 'buf' >= 46 bytes. */
const char *ipcfg_ip_str(const struct ipcfg_ip *ip, char *buf, size_t size);
/* The dotted IPv4 mask of a prefix length ("255.255.255.0"); 'buf' >= 16 bytes. */
const char *ipcfg_mask_str(unsigned int prefix, char *buf, size_t size);
/* True when 'ip' lies in the subnet of 'net' (same family, net->prefix bits equal). */
bool ipcfg_ip_in_subnet(const struct ipcfg_ip *ip, const struct ipcfg_ip *net);

#endif /* HVGUEST_IPCFG_VALIDATE_H */
