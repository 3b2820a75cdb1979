#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hv-kvpd's command line and configuration: usage errors exit 2, -h/-V exit 0, the reference
# name's help, [kvpd] keys (unknown keys and bad values refused with file:line), options win
# over the file, a missing device is a clear error (exit 1), READY=1 reaches $NOTIFY_SOCKET
# only after the registration, and without -n the daemon detaches and keeps serving.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/common.inc"
need_kvpd
need_sim
need_py
K=$BIN/hv-kvpd

"$K" --bogus >/dev/null 2>&1; [ $? = 2 ]; ok $? "unknown option: exit 2"
"$K" extra >/dev/null 2>&1; [ $? = 2 ]; ok $? "an operand: exit 2"
"$K" --device /x --device-fd 3 >/dev/null 2>&1; [ $? = 2 ]; ok $? "--device with --device-fd: exit 2"
"$K" --device-fd abc >/dev/null 2>&1; [ $? = 2 ]; ok $? "--device-fd abc: exit 2"
"$K" -h | grep -q -- '--state-dir'; ok $? "-h prints the options, exit 0"
"$K" -V | grep -q '^hv-kvpd '; ok $? "-V prints the version"
ln -s "$K" "$TMP/hv_kvp_daemon"
"$TMP/hv_kvp_daemon" -h | grep -q '^usage: hv_kvp_daemon '; ok $? "as hv_kvp_daemon, the help names hv_kvp_daemon"

printf '[kvpd]\nstate_dirr = /x\n' >"$TMP/bad1.conf"
out=$("$K" -n --config "$TMP/bad1.conf" --state-dir "$TMP/s" --device "$TMP/none" 2>&1); rc=$?
[ $rc = 1 ] && [[ $out == *"bad1.conf:2: unknown key 'state_dirr'"* ]]
ok $? "unknown [kvpd] key: exit 1 with file:line ($out)"
printf '[kvpd]\nfsync = maybe\n' >"$TMP/bad2.conf"
"$K" -n --config "$TMP/bad2.conf" --state-dir "$TMP/s" --device "$TMP/none" >/dev/null 2>&1
[ $? = 1 ]; ok $? "fsync = maybe: exit 1"
"$K" -n --config "$TMP/missing.conf" --state-dir "$TMP/s" >/dev/null 2>&1
[ $? = 1 ]; ok $? "an explicit --config that does not exist: exit 1"
out=$("$K" -n --config /dev/null --state-dir "$TMP/s" --device "$TMP/none" 2>&1); rc=$?
[ $rc = 1 ] && [[ $out == *"cannot open the KVP device"*"$TMP/none"* ]]
ok $? "missing device: exit 1, the message names it"

# Settings from the file: the state folder comes from [kvpd] unless --state-dir is given.
printf '[kvpd]\nstate_dir = %s\nfsync = no\n' "$TMP/from-conf" >"$TMP/good.conf"
"$BIN/hv-sim" -s kvp -q -e wait-register -e "kvp set pool=1 key=k value=v" -e "expect status=HV_S_OK" \
	-- "$K" -n --config "$TMP/good.conf" >/dev/null 2>&1
[ -s "$TMP/from-conf/.kvp_pool_1" ]; ok $? "state_dir from [kvpd] used"
"$BIN/hv-sim" -s kvp -q -e wait-register -e "kvp set pool=1 key=k value=v" \
	-- "$K" -n --config "$TMP/good.conf" --state-dir "$TMP/from-opt" >/dev/null 2>&1
[ -s "$TMP/from-opt/.kvp_pool_1" ] && [ "$(stat -c %s "$TMP/from-conf/.kvp_pool_1")" = 2560 ]
ok $? "--state-dir wins over the file"

# sd_notify: READY=1 arrives, and only after the registration.  First a device that takes the
# registration but never answers it: then a sentinel we send ourselves must be the first
# datagram on the notify socket.
$PY -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); s.settimeout(30)
for _ in range(2):
    print(s.recv(4096).decode().replace("\n", " "), flush=True)' "$TMP/notify" >"$TMP/notify.out" &
np=$!
$PY -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept(); print(len(c.recv(8000)), flush=True); c.close()' "$TMP/mute" >"$TMP/mute.out" &
mp=$!
for _ in $(seq 100); do [ -S "$TMP/notify" ] && [ -S "$TMP/mute" ] && break; sleep 0.05; done
NOTIFY_SOCKET=$TMP/notify "$K" -n --config /dev/null --state-dir "$TMP/n" --device "$TMP/mute" \
	2>"$TMP/mute.err" &
kp=$!
wait $mp
for _ in $(seq 200); do grep -q 'lost the KVP device' "$TMP/mute.err" && break; sleep 0.05; done
kill $kp 2>/dev/null; wait $kp
[ "$(cat "$TMP/mute.out")" = 7432 ]; ok $? "the registration message was sent"
$PY -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b"SENTINEL", sys.argv[1])' "$TMP/notify"
NOTIFY_SOCKET=$TMP/notify "$BIN/hv-sim" -s kvp -q -e wait-register -e "kvp enum pool=2 index=1" \
	-- "$K" -n --config /dev/null --state-dir "$TMP/n" >"$TMP/sim-notify.out" 2>&1
wait $np
[ "$(head -1 "$TMP/notify.out")" = SENTINEL ]
ok $? "no READY=1 while the registration is unanswered"
sed -n 2p "$TMP/notify.out" | grep -q 'READY=1'
ok $? "READY=1 after the registration ($(sed -n 2p "$TMP/notify.out"))"

# Without -n the daemon detaches (the parent exits 0) and the child keeps serving.
"$BIN/hv-sim" -s kvp -q --listen "$TMP/dsock" -e wait-register \
	-e "kvp set pool=1 key=detached value=yes" -e "expect status=HV_S_OK" \
	-- sh -c '"$1" --config /dev/null --state-dir "$2" --device "$3"; echo "parent=$?"; sleep 1' \
	sh "$K" "$TMP/d" "$TMP/dsock" >"$TMP/detach.out" 2>&1
ok $? "detached daemon registered and served ($(tr '\n' ' ' <"$TMP/detach.out"))"
grep -q '^parent=0$' "$TMP/detach.out"; ok $? "the foreground process exited 0"
pool "$TMP/d" 1 | grep -q '^detached	yes$'; ok $? "the detached daemon wrote the record"
# It now retries the vanished socket; end it (found by its unique state folder).
for p in $(pgrep -f -- "--state-dir $TMP/d --device"); do kill "$p"; done
tap_done
