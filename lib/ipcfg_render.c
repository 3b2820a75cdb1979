/* SPDX-License-Identifier: MIT */
/*
 * ipcfg_render.c - the files of each backend, rendered from a validated request.  Every
 * value written here came out of ipcfg_validate() as binary and is printed back with
 * inet_ntop, so nothing the host sent reaches a file as text.  The interface name comes from
 * the kernel; names with characters outside [A-Za-z0-9._-] are refused by ipcfg_set().
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ipcfg_int.h"

#define HEADER "written by hvguest (hv-kvpd) for a Hyper-V SET_IP_INFO request"

static size_t count_family(const struct ipcfg_ip *ips, size_t n, int family)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (ips[i].family == family)
			c++;
	return c;
}

/* A stable UUID for the connection of a MAC (so a repeated SET replaces, not adds). */
void ipcfg_nm_uuid(const uint8_t mac[6], char *buf, size_t size)
{
	uint8_t u[16];
	uint64_t h = 1469598103934665603ull; /* FNV-1a over "hvguest" + MAC, twice */
	size_t i;
	static const char salt[] = "hvguest-ipcfg";

	for (i = 0; i < 16; i++) {
		size_t k;

		for (k = 0; k < sizeof(salt) - 1; k++)
			h = (h ^ (uint8_t)salt[k]) * 1099511628211ull;
		for (k = 0; k < 6; k++)
			h = (h ^ mac[k]) * 1099511628211ull;
		h = (h ^ i) * 1099511628211ull;
		u[i] = (uint8_t)(h >> 56);
	}
	u[6] = (uint8_t)((u[6] & 0x0f) | 0x50); /* version 5 style, name-based */
	u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
	(void)snprintf(buf, size,
		       "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
		       u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		       u[13], u[14], u[15]);
}

static void nm_family(const struct ipcfg_req *req, struct ipcfg_buf *o, int family)
{
	size_t n_addr = count_family(req->addr, req->n_addr, family), i, k = 0, route = 0;
	bool v4 = family == AF_INET, first_gw = true;
	char a[INET6_ADDRSTRLEN];

	ipcfg_buf_printf(o, "\n[%s]\n", v4 ? "ipv4" : "ipv6");
	for (i = 0; i < req->n_addr; i++)
		if (req->addr[i].family == family)
			ipcfg_buf_printf(o, "address%zu=%s/%u\n", ++k,
					 ipcfg_ip_str(&req->addr[i], a, sizeof(a)),
					 req->addr[i].prefix);
	/* NetworkManager takes one gateway= and only with static addresses; further
	 * gateways become default routes. */
	for (i = 0; i < req->n_gw; i++) {
		if (req->gw[i].family != family)
			continue;
		if (first_gw && n_addr > 0)
			ipcfg_buf_printf(o, "gateway=%s\n",
					 ipcfg_ip_str(&req->gw[i], a, sizeof(a)));
		else {
			route++;
			ipcfg_buf_printf(o, "route%zu=%s,%s,%zu\n", route,
					 v4 ? "0.0.0.0/0" : "::/0",
					 ipcfg_ip_str(&req->gw[i], a, sizeof(a)), 100 + route);
		}
		first_gw = false;
	}
	if (count_family(req->dns, req->n_dns, family) > 0) {
		ipcfg_buf_printf(o, "dns=");
		for (i = 0; i < req->n_dns; i++)
			if (req->dns[i].family == family)
				ipcfg_buf_printf(o, "%s;",
						 ipcfg_ip_str(&req->dns[i], a, sizeof(a)));
		ipcfg_buf_printf(o, "\n");
	}
	if (v4)
		ipcfg_buf_printf(o, "method=%s\n",
				 req->dhcp    ? "auto"
				 : n_addr > 0 ? "manual"
					      : "disabled");
	else
		ipcfg_buf_printf(o, "method=%s\n", n_addr > 0 ? "manual" : "auto");
}

int ipcfg_render_nm(const struct ipcfg_req *req, const struct ipcfg_if *ifc, struct ipcfg_buf *o)
{
	char mac[32], uuid[40];

	ipcfg_nm_uuid(ifc->mac, uuid, sizeof(uuid));
	ipcfg_buf_printf(o,
			 "# " HEADER "\n[connection]\nid=hyperv-%s\nuuid=%s\ntype=ethernet\n"
			 "interface-name=%s\nautoconnect=true\nautoconnect-priority=100\n",
			 ifc->name, uuid, ifc->name);
	ipcfg_buf_printf(o, "\n[ethernet]\nmac-address=%s\n",
			 ipcfg_mac_str(ifc->mac, mac, sizeof(mac)));
	nm_family(req, o, AF_INET);
	nm_family(req, o, AF_INET6);
	return o->failed ? -ENOMEM : 0;
}

int ipcfg_render_networkd(const struct ipcfg_req *req, const struct ipcfg_if *ifc,
			  struct ipcfg_buf *o)
{
	char a[INET6_ADDRSTRLEN], mac[32];
	size_t i;

	ipcfg_buf_printf(o, "# " HEADER "\n[Match]\nMACAddress=%s\nName=%s\n\n[Network]\n",
			 ipcfg_mac_str(ifc->mac, mac, sizeof(mac)), ifc->name);
	ipcfg_buf_printf(o, "DHCP=%s\n", req->dhcp ? "ipv4" : "no");
	for (i = 0; i < req->n_addr; i++)
		ipcfg_buf_printf(o, "Address=%s/%u\n", ipcfg_ip_str(&req->addr[i], a, sizeof(a)),
				 req->addr[i].prefix);
	for (i = 0; i < req->n_gw; i++)
		ipcfg_buf_printf(o, "Gateway=%s\n", ipcfg_ip_str(&req->gw[i], a, sizeof(a)));
	for (i = 0; i < req->n_dns; i++)
		ipcfg_buf_printf(o, "DNS=%s\n", ipcfg_ip_str(&req->dns[i], a, sizeof(a)));
	return o->failed ? -ENOMEM : 0;
}

int ipcfg_render_netplan(const struct ipcfg_req *req, const struct ipcfg_if *ifc,
			 struct ipcfg_buf *o)
{
	char a[INET6_ADDRSTRLEN], mac[32];
	size_t i, k;

	ipcfg_mac_str(ifc->mac, mac, sizeof(mac));
	for (k = 0; mac[k]; k++)
		if (mac[k] >= 'A' && mac[k] <= 'F')
			mac[k] = (char)(mac[k] - 'A' + 'a');
	ipcfg_buf_printf(o,
			 "# " HEADER "\nnetwork:\n  version: 2\n  ethernets:\n    %s:\n"
			 "      match:\n        macaddress: \"%s\"\n      dhcp4: %s\n",
			 ifc->name, mac, req->dhcp ? "true" : "false");
	if (req->n_addr) {
		ipcfg_buf_printf(o, "      addresses:\n");
		for (i = 0; i < req->n_addr; i++)
			ipcfg_buf_printf(o, "        - \"%s/%u\"\n",
					 ipcfg_ip_str(&req->addr[i], a, sizeof(a)),
					 req->addr[i].prefix);
	}
	if (req->n_gw) {
		ipcfg_buf_printf(o, "      routes:\n");
		for (i = 0; i < req->n_gw; i++)
			ipcfg_buf_printf(o,
					 "        - to: \"%s\"\n          via: \"%s\"\n"
					 "          metric: %zu\n",
					 req->gw[i].family == AF_INET ? "0.0.0.0/0" : "::/0",
					 ipcfg_ip_str(&req->gw[i], a, sizeof(a)), 100 + i);
	}
	if (req->n_dns) {
		ipcfg_buf_printf(o, "      nameservers:\n        addresses:\n");
		for (i = 0; i < req->n_dns; i++)
			ipcfg_buf_printf(o, "          - \"%s\"\n",
					 ipcfg_ip_str(&req->dns[i], a, sizeof(a)));
	}
	return o->failed ? -ENOMEM : 0;
}

int ipcfg_render_ifcfg(const struct ipcfg_req *req, const struct ipcfg_if *ifc, struct ipcfg_buf *o)
{
	char a[INET6_ADDRSTRLEN], mac[32];
	size_t i, k4 = 0, k6 = 0, dns = 0;
	bool v6sec = false;

	if (count_family(req->gw, req->n_gw, AF_INET) > 1 ||
	    count_family(req->gw, req->n_gw, AF_INET6) > 1)
		return -ENOTSUP; /* one GATEWAY and one IPV6_DEFAULTGW */
	ipcfg_buf_printf(o, "# " HEADER "\nDEVICE=%s\nHWADDR=%s\nTYPE=Ethernet\nONBOOT=yes\n",
			 ifc->name, ipcfg_mac_str(ifc->mac, mac, sizeof(mac)));
	ipcfg_buf_printf(o, "BOOTPROTO=%s\n", req->dhcp ? "dhcp" : "none");
	for (i = 0; i < req->n_addr; i++) {
		if (req->addr[i].family != AF_INET)
			continue;
		if (k4 == 0)
			ipcfg_buf_printf(o, "IPADDR=%s\nPREFIX=%u\n",
					 ipcfg_ip_str(&req->addr[i], a, sizeof(a)),
					 req->addr[i].prefix);
		else
			ipcfg_buf_printf(o, "IPADDR%zu=%s\nPREFIX%zu=%u\n", k4,
					 ipcfg_ip_str(&req->addr[i], a, sizeof(a)), k4,
					 req->addr[i].prefix);
		k4++;
	}
	for (i = 0; i < req->n_gw; i++)
		if (req->gw[i].family == AF_INET)
			ipcfg_buf_printf(o, "GATEWAY=%s\n",
					 ipcfg_ip_str(&req->gw[i], a, sizeof(a)));
	if (count_family(req->addr, req->n_addr, AF_INET6) > 0 ||
	    count_family(req->gw, req->n_gw, AF_INET6) > 0)
		ipcfg_buf_printf(o, "IPV6INIT=yes\n");
	for (i = 0; i < req->n_addr; i++) {
		if (req->addr[i].family != AF_INET6)
			continue;
		if (k6 == 0) {
			ipcfg_buf_printf(o, "IPV6ADDR=%s/%u\n",
					 ipcfg_ip_str(&req->addr[i], a, sizeof(a)),
					 req->addr[i].prefix);
		} else {
			ipcfg_buf_printf(o, "%s%s/%u", v6sec ? " " : "IPV6ADDR_SECONDARIES=\"",
					 ipcfg_ip_str(&req->addr[i], a, sizeof(a)),
					 req->addr[i].prefix);
			v6sec = true;
		}
		k6++;
	}
	if (v6sec)
		ipcfg_buf_printf(o, "\"\n");
	for (i = 0; i < req->n_gw; i++)
		if (req->gw[i].family == AF_INET6)
			ipcfg_buf_printf(o, "IPV6_DEFAULTGW=%s\n",
					 ipcfg_ip_str(&req->gw[i], a, sizeof(a)));
	for (i = 0; i < req->n_dns; i++)
		ipcfg_buf_printf(o, "DNS%zu=%s\n", ++dns, ipcfg_ip_str(&req->dns[i], a, sizeof(a)));
	if (req->n_dns)
		ipcfg_buf_printf(o, "PEERDNS=no\n");
	return o->failed ? -ENOMEM : 0;
}

/*
 * The reference daemon's ifcfg file (PROTOCOL.md 5.5), for a site's own hv_set_ifconfig:
 * HWADDR, DEVICE, BOOTPROTO, then IPADDRn / IPV6ADDR[_n] in host order, NETMASKn /
 * IPV6NETMASK[_n], GATEWAY[n] / IPV6_DEFAULTGW[_n], DNSn with one counter.
 */
int ipcfg_render_ifcfg_ref(const struct ipcfg_req *req, const struct ipcfg_if *ifc,
			   struct ipcfg_buf *o)
{
	char a[INET6_ADDRSTRLEN], mac[32], m[20];
	size_t i, k4 = 0, k6 = 0;

	ipcfg_buf_printf(o, "HWADDR=%s\nDEVICE=%s\nBOOTPROTO=%s\n",
			 ipcfg_mac_str(ifc->mac, mac, sizeof(mac)), ifc->name,
			 req->dhcp ? "dhcp" : "none");
	for (i = 0; i < req->n_addr; i++) {
		ipcfg_ip_str(&req->addr[i], a, sizeof(a));
		if (req->addr[i].family == AF_INET)
			ipcfg_buf_printf(o, "IPADDR%zu=%s\n", k4++, a);
		else if (k6++ == 0)
			ipcfg_buf_printf(o, "IPV6ADDR=%s\n", a);
		else
			ipcfg_buf_printf(o, "IPV6ADDR_%zu=%s\n", k6 - 1, a);
	}
	k4 = k6 = 0;
	for (i = 0; i < req->n_addr; i++) {
		if (req->addr[i].family == AF_INET)
			ipcfg_buf_printf(o, "NETMASK%zu=%s\n", k4++,
					 ipcfg_mask_str(req->addr[i].prefix, m, sizeof(m)));
		else if (k6++ == 0)
			ipcfg_buf_printf(o, "IPV6NETMASK=%u\n", req->addr[i].prefix);
		else
			ipcfg_buf_printf(o, "IPV6NETMASK_%zu=%u\n", k6 - 1, req->addr[i].prefix);
	}
	k4 = k6 = 0;
	for (i = 0; i < req->n_gw; i++) {
		ipcfg_ip_str(&req->gw[i], a, sizeof(a));
		if (req->gw[i].family == AF_INET) {
			if (k4++ == 0)
				ipcfg_buf_printf(o, "GATEWAY=%s\n", a);
			else
				ipcfg_buf_printf(o, "GATEWAY%zu=%s\n", k4 - 1, a);
		} else if (k6++ == 0) {
			ipcfg_buf_printf(o, "IPV6_DEFAULTGW=%s\n", a);
		} else {
			ipcfg_buf_printf(o, "IPV6_DEFAULTGW_%zu=%s\n", k6 - 1, a);
		}
	}
	for (i = 0; i < req->n_dns; i++)
		ipcfg_buf_printf(o, "DNS%zu=%s\n", i + 1, ipcfg_ip_str(&req->dns[i], a, sizeof(a)));
	return o->failed ? -ENOMEM : 0;
}

static void ifupdown_family(const struct ipcfg_req *req, const struct ipcfg_if *ifc,
			    struct ipcfg_buf *o, int family)
{
	const char *fam = family == AF_INET ? "inet" : "inet6";
	char a[INET6_ADDRSTRLEN];
	bool first = true;
	size_t i, j;

	for (i = 0; i < req->n_addr; i++) {
		if (req->addr[i].family != family)
			continue;
		ipcfg_buf_printf(o, "\niface %s %s static\n\taddress %s/%u\n", ifc->name, fam,
				 ipcfg_ip_str(&req->addr[i], a, sizeof(a)), req->addr[i].prefix);
		if (!first)
			continue;
		first = false;
		for (j = 0; j < req->n_gw; j++)
			if (req->gw[j].family == family)
				ipcfg_buf_printf(o, "\tgateway %s\n",
						 ipcfg_ip_str(&req->gw[j], a, sizeof(a)));
		if (count_family(req->dns, req->n_dns, family) > 0) {
			ipcfg_buf_printf(o, "\tdns-nameservers");
			for (j = 0; j < req->n_dns; j++)
				if (req->dns[j].family == family)
					ipcfg_buf_printf(o, " %s",
							 ipcfg_ip_str(&req->dns[j], a, sizeof(a)));
			ipcfg_buf_printf(o, "\n");
		}
	}
}

int ipcfg_render_ifupdown(const struct ipcfg_req *req, const struct ipcfg_if *ifc,
			  struct ipcfg_buf *o)
{
	if (count_family(req->gw, req->n_gw, AF_INET) > 1 ||
	    count_family(req->gw, req->n_gw, AF_INET6) > 1)
		return -ENOTSUP; /* one gateway per family and interface */
	if (count_family(req->gw, req->n_gw, AF_INET6) > 0 &&
	    count_family(req->addr, req->n_addr, AF_INET6) == 0)
		return -ENOTSUP; /* an inet6 gateway needs an inet6 static stanza */
	if (req->dhcp && count_family(req->addr, req->n_addr, AF_INET) == 0 &&
	    count_family(req->gw, req->n_gw, AF_INET) > 0)
		return -ENOTSUP; /* an inet gateway needs an inet static stanza */
	ipcfg_buf_printf(o, "# " HEADER "\nauto %s\n", ifc->name);
	if (req->dhcp)
		ipcfg_buf_printf(o, "\niface %s inet dhcp\n", ifc->name);
	ifupdown_family(req, ifc, o, AF_INET);
	ifupdown_family(req, ifc, o, AF_INET6);
	return o->failed ? -ENOMEM : 0;
}
