/* SPDX-License-Identifier: MIT */
/*
 * hvc_ethtool.c - offload features through SIOCETHTOOL (see hvc_ethtool.h).
 */
#include "hvc_ethtool.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

#define HVC_ETHTOOL_MAX_FEATURES 1024

static int do_ioctl(int fd, const char *ifname, void *cmd)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (str_copy(ifr.ifr_name, sizeof(ifr.ifr_name), ifname) < 0)
		return -ENAMETOOLONG;
	ifr.ifr_data = cmd;
	return ioctl(fd, SIOCETHTOOL, &ifr) < 0 ? -errno : 0;
}

int hvc_ethtool_features(const char *ifname)
{
	static const struct {
		const char *name;
		int bit;
	} names[] = {
		{ "tx-tcp-segmentation", HVC_NF_TSO },
		{ "tx-checksum-ipv4", HVC_NF_TXCSUM },
		{ "tx-checksum-ip-generic", HVC_NF_TXCSUM },
		{ "rx-checksum", HVC_NF_RXCSUM },
		{ "rx-lro", HVC_NF_LRO },
		{ "rx-vlan-hw-parse", HVC_NF_VLAN_RX },
		{ "tx-vlan-hw-insert", HVC_NF_VLAN_TX },
	};
	struct ethtool_sset_info *info = NULL;
	struct ethtool_gstrings *strs = NULL;
	struct ethtool_gfeatures *feat = NULL;
	uint32_t count, blocks;
	int fd, r, result = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	info = calloc(1, sizeof(*info) + sizeof(uint32_t));
	if (!info) {
		r = -ENOMEM;
		goto out;
	}
	info->cmd = ETHTOOL_GSSET_INFO;
	info->sset_mask = 1ULL << ETH_SS_FEATURES;
	r = do_ioctl(fd, ifname, info);
	if (r < 0)
		goto out;
	if (!(info->sset_mask & (1ULL << ETH_SS_FEATURES))) {
		r = -EOPNOTSUPP;
		goto out;
	}
	count = info->data[0];
	if (count == 0 || count > HVC_ETHTOOL_MAX_FEATURES) {
		r = -EINVAL;
		goto out;
	}
	blocks = (count + 31) / 32;
	strs = calloc(1, sizeof(*strs) + (size_t)count * ETH_GSTRING_LEN);
	feat = calloc(1, sizeof(*feat) + blocks * sizeof(feat->features[0]));
	if (!strs || !feat) {
		r = -ENOMEM;
		goto out;
	}
	strs->cmd = ETHTOOL_GSTRINGS;
	strs->string_set = ETH_SS_FEATURES;
	strs->len = count;
	r = do_ioctl(fd, ifname, strs);
	if (r < 0)
		goto out;
	feat->cmd = ETHTOOL_GFEATURES;
	feat->size = blocks;
	r = do_ioctl(fd, ifname, feat);
	if (r < 0)
		goto out;
	for (uint32_t i = 0; i < count && i < strs->len; i++) {
		char name[ETH_GSTRING_LEN + 1];

		if (!(feat->features[i / 32].active & (1u << (i % 32))))
			continue;
		memcpy(name, strs->data + (size_t)i * ETH_GSTRING_LEN, ETH_GSTRING_LEN);
		name[ETH_GSTRING_LEN] = '\0';
		for (size_t k = 0; k < ARRAY_SIZE(names); k++)
			if (streq(name, names[k].name))
				result |= names[k].bit;
	}
	r = result;
out:
	free(info);
	free(strs);
	free(feat);
	close(fd);
	return r;
}
