#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A real pool-1 writer: cloud-init's HyperVKvpReportingHandler appends events to pool 1 (with
# flock, no fcntl lock) while hv-kvpd serves the host; the host then enumerates pool 1, as
# Hyper-V does for guest data, and every event arrives intact, in order.
# timeout: 120
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/common.inc"
need_kvpd
need_sim
need_py
$PY -c 'import cloudinit.reporting.handlers' 2>/dev/null ||
	{ echo "1..0 # SKIP cloud-init is not installed (scripts/packages.d/kvpd.list)"; exit 77; }

mkdir -p "$TMP/s"
"$BIN/hv-sim" -s kvp --control "$TMP/ctl" \
	-- "$BIN/hv-kvpd" -n --state-dir "$TMP/s" --config /dev/null >"$TMP/sim.out" 2>"$TMP/sim.err" &
sim=$!
ctl "$TMP/ctl" wait-register >/dev/null
rc=$?
ok $rc "hv-kvpd registered"
[ $rc = 0 ] || { kill $sim; wait $sim; tap_done; exit 1; }
# The host writes while cloud-init writes: both must survive.
ctl "$TMP/ctl" kvp set pool=1 key=HostWroteFirst value=1 >/dev/null
$PY "$HERE/cloudinit-writer.py" "$TMP/s/.kvp_pool_1" 8 >"$TMP/ci.txt" 2>"$TMP/ci.err"
ok $? "cloud-init published its events"
sed 's/^/# /' "$TMP/ci.err" | head
ctl "$TMP/ctl" kvp set pool=1 key=HostWroteLast value=2 >/dev/null

i=0
: >"$TMP/host.txt"
while :; do
	line=$(ctl "$TMP/ctl" kvp enum pool=1 index=$i) || break
	case $line in *status=0x00000000*) ;; *) break ;; esac
	$PY -c 'import re,sys
l=sys.argv[1]
k=re.search(r" key=(.*) value=", l).group(1); v=re.search(r" value=(.*)$", l).group(1)
print(k+"\t"+v)' "$line" >>"$TMP/host.txt"
	i=$((i + 1))
done
ctl "$TMP/ctl" quit >/dev/null || kill $sim
wait $sim

n=$(grep -c '^CLOUD_INIT|' "$TMP/ci.txt")
[ "$n" -ge 16 ]
ok $? "cloud-init wrote $n records (16 events, one split)"
grep -q '^CLOUD_INIT|.*|0	' "$TMP/ci.txt"
ok $? "the long event was split into chunks by cloud-init"
check "the host enumerated every cloud-init record intact and in order" \
	diff <(grep '^CLOUD_INIT|' "$TMP/host.txt") <(grep '^CLOUD_INIT|' "$TMP/ci.txt")
[ "$(head -1 "$TMP/host.txt")" = "HostWroteFirst	1" ] && [ "$(tail -1 "$TMP/host.txt")" = "HostWroteLast	2" ]
ok $? "the host's own records before and after cloud-init's are kept"
tap_done
