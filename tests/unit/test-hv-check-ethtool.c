/* SPDX-License-Identifier: MIT */
/*
 * test-hv-check-ethtool.c - reading offload features with SIOCETHTOOL, on the loopback device
 * of a private network namespace (as root), else on the machine's own "lo" (read only): lo
 * always segments and checksums in software, so TSO and tx/rx checksumming show as on.  A
 * missing interface gives -ENODEV; an over-long name is refused.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include "hvc_ethtool.h"
#include "tap.h"

int main(void)
{
	int nf;

	if (geteuid() == 0 && unshare(CLONE_NEWNET) == 0)
		tap_diag("in a private network namespace");
	nf = hvc_ethtool_features("lo");
	if (nf == -EPERM || nf == -EOPNOTSUPP) {
		SKIP("SIOCETHTOOL on lo not permitted here (%d)", nf);
		return tap_done();
	}
	CHECK(nf >= 0, "lo: features read (%d)", nf);
	CHECK(nf & HVC_NF_TSO, "lo: tx-tcp-segmentation on");
	CHECK(nf & HVC_NF_TXCSUM, "lo: tx checksumming on");
	CHECK(!(nf & HVC_NF_VLAN_TX), "lo: no VLAN insert offload");
	CHECK_INT(hvc_ethtool_features("hvc-no-such0"), -ENODEV, "missing interface: -ENODEV");
	CHECK_INT(hvc_ethtool_features("a-name-longer-than-ifnamsiz"), -ENAMETOOLONG,
		  "over-long interface name refused");
	return tap_done();
}
