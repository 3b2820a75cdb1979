#!/bin/sh
# SPDX-License-Identifier: MIT
# Demo part: hv-kvpd.  A host session through hv-sim in a temporary state folder: the host
# pushes data into pool 0, reads the guest's intrinsic data (the auto pool), and reads a
# report a guest program wrote into pool 1 beforehand (with hv-kvp when it is built).
set -u
BIN=${BIN:-build/default/bin}
for p in hv-kvpd hv-sim; do
	[ -x "$BIN/$p" ] || { echo "== hv-kvpd: $p not built, skipped"; exit 0; }
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
S=$T/state

echo "== hv-kvpd 1/4: a guest program reports into pool 1 (guest -> host) before the session"
if [ -x "$BIN/hv-kvp" ]; then
	"$BIN/hv-kvp" --state-dir "$S" --pool 1 set DemoReport "backup=ok duration=12s"
	"$BIN/hv-kvp" --state-dir "$S" --pool 1 set DemoAgent "hvguest-demo/1.0"
	"$BIN/hv-kvp" --state-dir "$S" --pool 1 list
else
	mkdir -p "$S"
	/usr/bin/python3 -c 'import sys
rec = lambda k, v: k.encode().ljust(512, b"\0") + v.encode().ljust(2048, b"\0")
open(sys.argv[1], "ab").write(rec("DemoReport", "backup=ok duration=12s") + rec("DemoAgent", "hvguest-demo/1.0"))' \
		"$S/.kvp_pool_1"
	echo "(hv-kvp is not built: written straight into $S/.kvp_pool_1)"
fi

echo "== hv-kvpd 2/4: the host session (hv-sim plays Hyper-V and the kernel driver)"
"$BIN/hv-sim" -s kvp -v \
	-e wait-register \
	-e "echo == hv-kvpd 2/4: the host pushes data into pool 0 (host -> guest)" \
	-e "kvp set pool=0 key=VirtualMachineName value=demo-vm" -e "expect status=HV_S_OK" \
	-e "kvp set pool=0 key=DeploymentId value=4f1c2a" -e "expect status=HV_S_OK" \
	-e "kvp get pool=0 key=VirtualMachineName" -e "expect host-value=demo-vm" \
	-e "echo == hv-kvpd 3/4: the host reads the guest's intrinsic data (auto pool 2)" \
	-e "kvp enum pool=2 index=0" -e "kvp enum pool=2 index=1" -e "kvp enum pool=2 index=2" \
	-e "kvp enum pool=2 index=3" -e "kvp enum pool=2 index=4" -e "kvp enum pool=2 index=5" \
	-e "kvp enum pool=2 index=6" -e "kvp enum pool=2 index=7" -e "kvp enum pool=2 index=8" \
	-e "kvp enum pool=2 index=9" -e "kvp enum pool=2 index=10" -e "expect status=HV_S_CONT" \
	-e "echo == hv-kvpd 4/4: the host enumerates the guest's pool 1 (the report written first)" \
	-e "kvp enum pool=1 index=0" -e "expect key=DemoReport" \
	-e "kvp enum pool=1 index=1" -e "expect key=DemoAgent" \
	-e "kvp enum pool=1 index=2" -e "expect status=HV_S_CONT" \
	-- "$BIN/hv-kvpd" -n --state-dir "$S" --config /dev/null 2>&1 |
	sed -e 's/^hv-sim: -e:[0-9]*: expect host-value=/the host receives the value: /' \
		-e '/: expect /d' -e '/: as expected$/d' -e 's/^hv-sim: -e:[0-9]*: //' -e '/^echo /d' \
		-e 's/ outcome=reply value=$/ outcome=reply/'

echo "== hv-kvpd: what the host left in pool 0, as any reader (the Azure agent, hv-kvp) sees it"
if [ -x "$BIN/hv-kvp" ]; then
	"$BIN/hv-kvp" --state-dir "$S" --pool 0 list
else
	od -An -c "$S/.kvp_pool_0" | head -4
fi
