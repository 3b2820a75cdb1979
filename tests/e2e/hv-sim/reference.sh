#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Compatibility: the unmodified reference daemons of Debian's hyperv-daemons run against
# hv-sim's FUSE devices in its sandbox (a private mount namespace: /dev/vmbus and
# /var/lib/hyperv exist only there).  hv_kvp_daemon registers and answers SET/GET/ENUMERATE
# with its pool in a temporary state directory; hv_vss_daemon registers with the 4-byte
# version reply (no freeze is sent: it would freeze the machine's file systems);
# hv_fcopy_daemon registers and copies a file into a temporary directory.
. "$(dirname "$0")/../../lib/tap.sh"
need_root "the sandbox needs a mount namespace and FUSE"
[ -c /dev/fuse ] || { echo "1..0 # SKIP /dev/fuse is missing"; exit 77; }
for d in hv_kvp_daemon hv_vss_daemon hv_fcopy_daemon; do
	[ -x /usr/sbin/$d ] ||
		{ echo "1..0 # SKIP /usr/sbin/$d missing (hyperv-daemons, scripts/packages.d/hv-sim.list)"; exit 77; }
done
SIM=$BIN/hv-sim
[ -e /dev/vmbus ]
real_vmbus=$?
[ -e /var/lib/hyperv ]
real_state=$?

mkdir "$TMP/state"
timeout 60 "$SIM" -s kvp --sandbox --state-dir "$TMP/state" --register-timeout 20s \
	-e wait-register -e 'expect version=100' \
	-e 'kvp set pool=0 key=HostName value=vm1' -e 'expect status=HV_S_OK' \
	-e 'kvp get pool=0 key=HostName value-size=2048' -e 'expect status=HV_S_OK value=vm1' \
	-e 'kvp get pool=0 key=HostName' -e 'expect status=HV_S_OK value=""' \
	-e 'kvp get pool=0 key=Missing' -e 'expect status=HV_S_CONT' \
	-e 'kvp enum pool=2 index=1' -e 'expect key=IntegrationServicesVersion value=3.1' \
	-e 'kvp enum pool=0 index=0' -e 'expect key=HostName value=vm1' \
	-- /usr/sbin/hv_kvp_daemon -n >"$TMP/kvp.out" 2>&1
rc=$?
sed 's/^/# /' "$TMP/kvp.out" | tail -5
ok $rc "hv_kvp_daemon registers and answers SET, GET, ENUMERATE through the FUSE device"
[ "$(stat -c %s "$TMP/state/.kvp_pool_0" 2>/dev/null)" = 2560 ]
ok $? "its pool 0 is in the temporary state directory: one 2560-byte record"
head -c 8 "$TMP/state/.kvp_pool_0" | grep -q '^HostName'
ok $? "the record holds the key"
[ "$(od -An -c -j 512 -N 3 "$TMP/state/.kvp_pool_0" | tr -d ' ')" = vm1 ]
ok $? "and the value at offset 512"

mkdir "$TMP/state2"
timeout 60 "$SIM" -s kvp --sandbox --state-dir "$TMP/state2" --register-timeout 20s \
	-e wait-register -e 'kvp set pool=1 key=k value=v' -e 'expect status=HV_S_OK' \
	-e reset -e wait-register -e 'expect registrations=2' \
	-e 'kvp get pool=1 key=k value-size=2048' -e 'expect status=HV_S_OK value=v' \
	-e hibernate -e 'kvp enum pool=1 index=0' -e 'expect key=k value=v' \
	-- /usr/sbin/hv_kvp_daemon -n >"$TMP/kvp2.out" 2>&1
rc=$?
sed 's/^/# /' "$TMP/kvp2.out" | tail -5
ok $rc "hv_kvp_daemon reopens and registers again after a driver reload (EBADF/POLLHUP)"

timeout 60 "$SIM" -s vss --sandbox --register-timeout 20s \
	-e wait-register -e 'expect version=129 state=ready' \
	-e 'vss hot-backup' -e 'expect status=HV_S_OK reply-size=12' \
	-e 'vss op=9' -e 'expect status=HV_S_OK' \
	-- /usr/sbin/hv_vss_daemon -n >"$TMP/vss.out" 2>&1
rc=$?
sed 's/^/# /' "$TMP/vss.out" | tail -5
ok $rc "hv_vss_daemon registers (4-byte reply) and answers HOT_BACKUP and an unknown op"

printf 'file copy through the reference daemon\n' >"$TMP/src"
timeout 60 "$SIM" -s fcopy --sandbox --register-timeout 20s \
	-e wait-register -e 'expect version=1' \
	-e "fcopy copy src=$TMP/src path=$TMP/out/sub/ name=copied.txt flags=create-path" \
	-e 'expect status=HV_S_OK' \
	-e "fcopy start path=$TMP/out/sub/ name=copied.txt" -e 'expect status=HV_ERROR_ALREADY_EXISTS' \
	-- /usr/sbin/hv_fcopy_daemon -n >"$TMP/fcopy.out" 2>&1
rc=$?
sed 's/^/# /' "$TMP/fcopy.out" | tail -5
ok $rc "hv_fcopy_daemon registers, copies, and refuses to overwrite without the flag"
check "the copy has the same bytes" cmp "$TMP/src" "$TMP/out/sub/copied.txt"

[ -e /dev/vmbus ]
[ $? = "$real_vmbus" ]
ok $? "the machine's /dev is untouched"
[ -e /var/lib/hyperv ]
[ $? = "$real_state" ]
ok $? "the machine's /var/lib/hyperv is untouched"
tap_done
