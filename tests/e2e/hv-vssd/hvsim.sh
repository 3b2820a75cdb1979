#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hv-vssd under hv-sim (socket mode) with a real loop-mounted xfs image: a backup session,
# a lost THAW (the freeze window ends first: the late THAW fails, the image is thawed), and
# hv-sim killing the daemon while frozen (its watchdog thaws).  The lost-THAW case sleeps 10
# times the 300 ms window before it sends THAW.
# timeout: 120
[ -n "${VSSD_NS:-}" ] || [ "$(id -u)" != 0 ] || VSSD_NS=1 exec unshare --mount --propagation private "$0" "$@"
. "$(dirname "$0")/../../lib/tap.sh"
need_root "loop devices, mounts and FIFREEZE"
. "$(dirname "$0")/common.inc"
need_tools mkfs.xfs fsfreeze
SIM=$BIN/hv-sim
[ -x "$SIM" ] || { echo "1..0 # SKIP hv-sim is not built in $BIN"; exit 77; }

mk_image x xfs
ok $? "made and mounted an xfs image"

# shellcheck disable=SC2046
"$SIM" -s vss -q -e wait-register -e 'vss hot-backup' -e 'expect status=HV_S_OK' \
	-e 'vss freeze' -e 'expect status=HV_S_OK' -e 'vss thaw' -e 'expect status=HV_S_OK' \
	-- "$VSSD" "${VSSD_OPTS[@]}" >"$TMP/o1" 2>&1
ok $? "hot-backup, freeze, thaw of a real image under hv-sim"
grep -q 'thawed 1 filesystem' "$TMP/o1"
ok $? "one filesystem frozen and thawed"

# shellcheck disable=SC2046
"$SIM" -s vss -q -e wait-register -e 'vss freeze' -e 'expect status=HV_S_OK' -e 'sleep 3s' \
	-e 'vss thaw' -e 'expect status=HV_E_FAIL' -e 'vss freeze' -e 'expect status=HV_S_OK' \
	-e 'vss thaw' -e 'expect status=HV_S_OK' \
	-- "$VSSD" "${VSSD_OPTS[@]}" --freeze-timeout 300ms >"$TMP/o2" 2>&1
ok $? "a THAW after the window: HV_E_FAIL, and the next cycle works"
! is_frozen "$MNT/x"
ok $? "the image is thawed"

# shellcheck disable=SC2046
"$SIM" -s vss -q -e wait-register -e 'vss freeze' -e 'expect status=HV_S_OK' \
	-e 'kill signal=KILL' -e 'wait-exit' -- "$VSSD" "${VSSD_OPTS[@]}" >"$TMP/o3" 2>&1
ok $? "hv-sim kills the daemon while frozen"
i=0
while is_frozen "$MNT/x" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
! is_frozen "$MNT/x"
ok $? "the watchdog thawed the image"
tap_done
