#!/bin/sh
# SPDX-License-Identifier: MIT
# Demo part: hv-check.  The feature map answers a question without a guest (CentOS 6.5 with
# LIS 4.1 on Windows Server 2012 R2), then a live check runs against a bundled guest tree.
set -u
BIN=${BIN:-build/default/bin}
HVC=$BIN/hv-check
[ -x "$HVC" ] || { echo "== hv-check: not built, skipped"; exit 0; }
echo "== hv-check: which Hyper-V features does CentOS 6.5 with LIS 4.1 get on Windows Server 2012 R2?"
"$HVC" features --distro centos --version 6.5 --lis 4.1 --host 2012R2
echo
echo "== hv-check: live check of a RHEL 7.2 guest on 2016 (bundled tree; hot-added memory stays offline)"
HV_CHECK_CPUID="Microsoft Hv" "$HVC" check --root tests/data/hv-check/roots/rhel72-2016-hotadd-off
echo "(exit status $?: 1 = problems found)"
echo
