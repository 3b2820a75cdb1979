#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# GET_IP_INFO and SET_IP_INFO plumbing, in a private network namespace with a veth NIC: the
# host asks by MAC and gets the NIC's addresses (lib/ipcfg does the work); a SET_IP_INFO in a
# dry run (configuration [ip] dry_run = yes) is validated, answered HV_S_OK and its result is
# recorded in pool 1; unknown adapters get the reference's statuses.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/common.inc"
need_kvpd
need_sim
need_py
need_root "a network namespace"
command -v ip >/dev/null || { echo "1..0 # SKIP ip (iproute2) missing"; exit 77; }
unshare --net true 2>/dev/null || { echo "1..0 # SKIP cannot unshare the network namespace"; exit 77; }

guid="{0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d}"
mkdir -p "$TMP/root/sys/class/net/dummy0/device" "$TMP/root/etc"
printf '%s\n' "$guid" >"$TMP/root/sys/class/net/dummy0/device/device_id"
printf '[ip]\ndry_run = yes\n' >"$TMP/conf"

unshare --net bash -c '
	ip link add dummy0 address 00:15:5d:01:02:03 type veth peer name peer0 &&
	sysctl -qw net.ipv6.conf.all.disable_ipv6=1 &&
	ip link set dummy0 up && ip link set peer0 up && ip addr add 192.0.2.10/24 dev dummy0 || exit 3
	"$@"' sh "$BIN/hv-sim" -s kvp -q \
	-e wait-register \
	-e "kvp get-ip adapter=00:15:5D:01:02:03 family=both" \
	-e "expect status=HV_S_OK ip=192.0.2.10 subnet=255.255.255.0" \
	-e "kvp get-ip adapter=00:15:5D:99:99:99" -e "expect status=HV_E_FAIL" \
	-e "kvp set-ip adapter=$guid family=ipv4 dhcp=0 ip=192.0.2.20 subnet=255.255.255.0 gateway=192.0.2.1 dns=192.0.2.53" \
	-e "expect status=HV_S_OK" \
	-e "kvp set-ip adapter={00000000-0000-0000-0000-000000000000} ip=192.0.2.20 subnet=255.255.255.0" \
	-e "expect status=HV_GUID_NOTFOUND" \
	-e "kvp enum pool=2 index=2" -e "expect key=NetworkAddressIPv4 value=192.0.2.10" \
	-- "$BIN/hv-kvpd" -n --state-dir "$TMP/s" --config "$TMP/conf" --root "$TMP/root" \
	>"$TMP/out" 2>&1
rc=$?
sed 's/^/# /' "$TMP/out" | grep -v '<6>' | head -20
ok $rc "GET_IP_INFO by MAC, unknown MAC, SET_IP_INFO dry run and unknown adapter as expected"
pool "$TMP/s" 1 | grep -q "^HvGuestIpInjectionResult	"
ok $? "the SET_IP_INFO results are recorded in pool 1"
tap_done
