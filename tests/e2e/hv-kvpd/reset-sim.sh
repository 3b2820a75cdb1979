#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Device resets through hv-sim: in listen mode (a socket the daemon connects to) and in FUSE
# mode (the device file, as the kernel's char device: reads fail and poll reports
# POLLERR|POLLHUP after a driver reload), hv-kvpd registers again after every reset and
# serves the data it had.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/common.inc"
need_kvpd
need_sim

scn=(-e wait-register -e "expect registrations=1"
	-e "kvp set pool=1 key=k value=v" -e "expect status=HV_S_OK"
	-e reset -e wait-register
	-e "kvp get pool=1 key=k" -e "expect status=HV_S_OK host-value=v"
	-e "kvp set pool=1 key=k2 value=v2" -e "expect status=HV_S_OK"
	-e reset -e wait-register
	-e "kvp enum pool=2 index=1" -e "expect value=3.1"
	-e "kvp enum pool=1 index=1" -e "expect key=k2 value=v2")

"$BIN/hv-sim" -s kvp -q --listen "$TMP/sock" "${scn[@]}" \
	-- "$BIN/hv-kvpd" -n --device "$TMP/sock" --state-dir "$TMP/s1" --config /dev/null \
	>"$TMP/out1" 2>"$TMP/err1"
rc=$?
sed 's/^/# /' "$TMP/out1" | head -20
ok $rc "listen mode: two resets, registered again each time, data kept"
[ "$(grep -c 'registered again' "$TMP/err1")" = 2 ]
ok $? "listen mode: two re-registrations logged"

if [ "$(id -u)" != 0 ] || [ ! -c /dev/fuse ]; then
	skip "FUSE mode needs root and /dev/fuse"
else
	mkdir "$TMP/dev"
	"$BIN/hv-sim" -s kvp -q --fuse "$TMP/dev" "${scn[@]}" -e hibernate \
		-e "kvp set pool=1 key=k3 value=v3" -e "expect status=HV_S_OK" \
		-- "$BIN/hv-kvpd" -n --device "$TMP/dev/hv_kvp" --state-dir "$TMP/s2" \
		--config /dev/null >"$TMP/out2" 2>"$TMP/err2"
	rc=$?
	sed 's/^/# /' "$TMP/out2" | head -20
	ok $rc "FUSE mode: resets and a hibernation, registered again, data kept"
fi
tap_done
