/* SPDX-License-Identifier: MIT */
/*
 * hvc_ethtool.h - the offload features of a network interface as `ethtool -k` shows them, read
 * with the SIOCETHTOOL ioctl (ETHTOOL_GSSET_INFO, ETHTOOL_GSTRINGS, ETHTOOL_GFEATURES).  Only
 * meaningful on the running system, so the live check uses it when --root is "/".
 */
#ifndef HVC_ETHTOOL_H
#define HVC_ETHTOOL_H

enum {
	HVC_NF_TSO = 1 << 0,     /* tx-tcp-segmentation */
	HVC_NF_TXCSUM = 1 << 1,  /* tx-checksum-ipv4 or tx-checksum-ip-generic */
	HVC_NF_RXCSUM = 1 << 2,  /* rx-checksum */
	HVC_NF_LRO = 1 << 3,     /* rx-lro */
	HVC_NF_VLAN_RX = 1 << 4, /* rx-vlan-hw-parse */
	HVC_NF_VLAN_TX = 1 << 5, /* tx-vlan-hw-insert */
};

/* Active features of 'ifname' as HVC_NF_* bits (>= 0), or a negative errno. */
int hvc_ethtool_features(const char *ifname);

#endif /* HVC_ETHTOOL_H */
