/* SPDX-License-Identifier: MIT */
/*
 * ipcfg_int.h - what the ipcfg modules share among themselves (not for callers of ipcfg):
 * the interface lookup, the root directory, policy, and the renderers of every backend's
 * files (pure functions from a validated request to text, tested against golden files).
 */
#ifndef HVGUEST_IPCFG_INT_H
#define HVGUEST_IPCFG_INT_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "ipcfg.h"
#include "ipcfg_validate.h"
#include "nl.h"

struct ipcfg_if {
	int ifindex;
	char name[IF_NAMESIZE];
	uint8_t mac[6];
	unsigned int flags;
};

/* A growable text buffer; on allocation failure 'failed' is set and appends do nothing. */
struct ipcfg_buf {
	char *s;
	size_t len, cap;
	bool failed;
};
void ipcfg_buf_printf(struct ipcfg_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ipcfg_buf_free(struct ipcfg_buf *b);

/* Open the root directory of 'o' (O_PATH); the caller closes it. */
int ipcfg_root_open(const struct ipcfg_opts *o) WARN_UNUSED;

/* Find the interface for 'a' (see ipcfg_get() for the rules).  -ENODEV when none. */
int ipcfg_find_if(struct nl *nl, int rootfd, const struct ipcfg_adapter *a,
		  struct ipcfg_if *ret) WARN_UNUSED;

/* True when policy says to leave 'ifc' alone. */
bool ipcfg_excluded(const struct ipcfg_opts *o, const struct ipcfg_if *ifc);

/* "00:15:5D:AA:BB:CC" (upper case, as the reference and NetworkManager write it). */
const char *ipcfg_mac_str(const uint8_t mac[6], char *buf, size_t size);

/* The connection UUID hvguest gives the NetworkManager profile of a MAC (stable). */
void ipcfg_nm_uuid(const uint8_t mac[6], char *buf, size_t size);

/*
 * Renderers: append the complete file for 'req' on interface 'ifc' to 'out'.  Return 0 or
 * -ENOTSUP when the format cannot express the request.
 */
int ipcfg_render_nm(const struct ipcfg_req *req, const struct ipcfg_if *ifc,
		    struct ipcfg_buf *out) WARN_UNUSED;
int ipcfg_render_networkd(const struct ipcfg_req *req, const struct ipcfg_if *ifc,
			  struct ipcfg_buf *out) WARN_UNUSED;
int ipcfg_render_netplan(const struct ipcfg_req *req, const struct ipcfg_if *ifc,
			 struct ipcfg_buf *out) WARN_UNUSED;
int ipcfg_render_ifcfg(const struct ipcfg_req *req, const struct ipcfg_if *ifc,
		       struct ipcfg_buf *out) WARN_UNUSED;
/* The reference daemon's ifcfg format, for the site's hv_set_ifconfig (script backend). */
int ipcfg_render_ifcfg_ref(const struct ipcfg_req *req, const struct ipcfg_if *ifc,
			   struct ipcfg_buf *out) WARN_UNUSED;
/* ifupdown: one stanza file for /etc/network/interfaces.d/<if>. */
int ipcfg_render_ifupdown(const struct ipcfg_req *req, const struct ipcfg_if *ifc,
			  struct ipcfg_buf *out) WARN_UNUSED;

#endif /* HVGUEST_IPCFG_INT_H */
