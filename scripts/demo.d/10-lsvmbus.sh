#!/bin/sh
# SPDX-License-Identifier: MIT
# Demo part: lsvmbus on a bundled sysfs tree of a Hyper-V Gen2 guest (file copy on
# uio_hv_generic, two Hyper-V sockets).  Run by scripts/demo with $BIN set.
set -eu
LSVMBUS=${BIN:-build/default/bin}/lsvmbus
TREE=tests/data/sysfs/gen2
if [ ! -x "$LSVMBUS" ]; then
	echo "== lsvmbus: not built, skipped"
	exit 0
fi
echo "== lsvmbus: the VMBus devices of a Gen2 guest ($TREE), as the kernel's lsvmbus shows them"
"$LSVMBUS" --sysfs "$TREE"
echo
echo "== lsvmbus -vv: ids, sysfs path and the CPU of every channel (file copy and the NIC shown)"
"$LSVMBUS" --sysfs "$TREE" -vv | awk '/Guest services|network adapter/ { on = 1 } on { print } /^$/ { on = 0 }'
echo "== lsvmbus --driver: which driver serves each device (file copy on uio_hv_generic)"
"$LSVMBUS" --sysfs "$TREE" --driver | grep -E 'Guest services|socket|network'
echo
echo "== lsvmbus --json (first two devices) and --cpus (channels per CPU)"
"$LSVMBUS" --sysfs "$TREE" --json | sed -n '2,3p'
"$LSVMBUS" --sysfs "$TREE" --cpus | grep '^CPU'
echo
