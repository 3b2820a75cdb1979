#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fault tests on real loop images: one filesystem fails to freeze (all thawed, mount and
# errno reported), the host never sends THAW (thawed within the window), SIGKILL of the
# daemon while frozen (the watchdog thaws), a crash of daemon and watchdog while frozen (the
# next start thaws from the marker), a hook that hangs (killed at its timeout).
# timeout: 180
[ -n "${VSSD_NS:-}" ] || [ "$(id -u)" != 0 ] || VSSD_NS=1 exec unshare --mount --propagation private "$0" "$@"
. "$(dirname "$0")/../../lib/tap.sh"
need_root "loop devices, mounts and FIFREEZE"
. "$(dirname "$0")/common.inc"
need_tools mkfs.ext4 mkfs.xfs fsfreeze xfs_io

sed -n '/^is_frozen()/,/^}/p; /^wait_state()/,/^}/p' "$(dirname "$0")/common.inc" >"$TMP/fns.sh"
F=". $TMP/fns.sh;"

# The failing one is mounted first, so it is frozen last and the two others must be rolled
# back.  A shut-down ext4 still opens but FIFREEZE fails with EIO.
mk_image bad ext4 && mk_image a ext4 && mk_image b xfs && xfs_io -x -c shutdown "$MNT/bad"
ok $? "images: a shut-down ext4 (mounted first), an ext4 and an xfs"

cat >"$TMP/s1" <<S
register
send freeze HV_ERROR_IO_DEVICE
sh $F ! is_frozen $MNT/a && ! is_frozen $MNT/b
sh test ! -e $TMP/run/vssd-frozen
send thaw HV_S_OK
close
wait-exit 0
S
$HOST "$TMP/s1" -- "$VSSD" "${VSSD_OPTS[@]}" 2>"$TMP/log1"
ok $? "a failed freeze answers the errno's status and leaves nothing frozen"
grep -q "FREEZE failed: cannot freeze '$MNT/bad': Input/output error (errno 5)" "$TMP/log1"
ok $? "the log names the failing mount and errno"
pool_record | grep -q "op=FREEZE status=0x8007045d cannot freeze '$MNT/bad'"
ok $? "the pool-1 record names the failing mount"
umount "$MNT/bad"

# The host never sends THAW: the watchdog thaws at the end of the window, the later THAW is
# answered HV_E_FAIL (the snapshot may not be consistent).
cat >"$TMP/s2" <<S
register
send freeze HV_S_OK
sh $F is_frozen $MNT/a
sh i=0; $F until ! is_frozen $MNT/a; do sleep 0.1; i=\$((i+1)); [ \$i -lt 300 ] || exit 1; done
sh $F ! is_frozen $MNT/b
send thaw HV_E_FAIL
send freeze HV_S_OK
send thaw HV_S_OK
close
wait-exit 0
S
$HOST "$TMP/s2" -- "$VSSD" "${VSSD_OPTS[@]}" --freeze-timeout 1s 2>"$TMP/log2"
ok $? "no THAW: thawed by the watchdog within the window; THAW then fails; next cycle works"
grep -q 'no THAW within the freeze window of 1000 ms' "$TMP/log2"
ok $? "the expiry is logged"
test ! -e "$TMP/run/vssd-frozen"
ok $? "no marker left"

# SIGKILL of the daemon while frozen: its watchdog sees the socket close and thaws.
cat >"$TMP/s3" <<S
register
send freeze HV_S_OK
sh $F is_frozen $MNT/a && is_frozen $MNT/b
kill KILL
wait-exit -9
sh $F i=0; until ! is_frozen $MNT/a && ! is_frozen $MNT/b; do sleep 0.1; i=\$((i+1)); [ \$i -lt 100 ] || exit 1; done
sh i=0; while [ -e $TMP/run/vssd-frozen ]; do sleep 0.1; i=\$((i+1)); [ \$i -lt 100 ] || exit 1; done
S
$HOST "$TMP/s3" -- "$VSSD" "${VSSD_OPTS[@]}" 2>"$TMP/log3"
ok $? "SIGKILL while frozen: the watchdog thaws both and removes the marker"
grep -q 'daemon died while frozen: thawed 2' "$TMP/log3"
ok $? "the watchdog logs it after the thaw"

# Daemon and watchdog both die while frozen (stop the daemon so it cannot react, kill the
# watchdog, kill the daemon): the filesystems stay frozen, the marker stays; the next start
# thaws them.
cat >"$TMP/s4" <<S
register
pidfile $TMP/d.pid
send freeze HV_S_OK
sh kill -STOP \$(cat $TMP/d.pid); w=\$(cat /proc/\$(cat $TMP/d.pid)/task/*/children); kill -KILL \$w; kill -KILL \$(cat $TMP/d.pid)
wait-exit -9
sh $F is_frozen $MNT/a && is_frozen $MNT/b && test -s $TMP/run/vssd-frozen
S
$HOST "$TMP/s4" -- "$VSSD" "${VSSD_OPTS[@]}" 2>"$TMP/log4"
ok $? "daemon and watchdog killed while frozen: still frozen, marker present"
printf 'register\nsh %s ! is_frozen %s && ! is_frozen %s\nsh test ! -e %s\nclose\nwait-exit 0\n' \
	"$F" "$MNT/a" "$MNT/b" "$TMP/run/vssd-frozen" >"$TMP/s5"
$HOST "$TMP/s5" -- "$VSSD" "${VSSD_OPTS[@]}" 2>"$TMP/log5"
ok $? "the next start thaws from the marker and removes it"
grep -q 'left frozen by an earlier run: thawed' "$TMP/log5"
ok $? "the recovery is logged"

# A hook that hangs is killed (with its process group) at its timeout; the freeze goes on
# (policy continue).  Hooks get an empty signal mask.
mkdir -p "$TMP/hooks"
cat >"$TMP/hooks/10-hang" <<H
#!/bin/sh
[ "\$1" = freeze ] || exit 0
grep SigBlk /proc/self/status > $TMP/hook-sigblk
echo \$\$ > $TMP/hook.pid
exec sleep 600
H
chmod 755 "$TMP/hooks/10-hang"
cat >"$TMP/s6" <<S
register
send freeze HV_S_OK
sh ! kill -0 \$(cat $TMP/hook.pid) 2>/dev/null
send thaw HV_S_OK
close
wait-exit 0
S
$HOST "$TMP/s6" -- "$VSSD" "${VSSD_OPTS[@]}" --hook-timeout 500ms 2>"$TMP/log6"
ok $? "a hanging freeze hook is killed at its timeout and the freeze goes on"
grep -q "hook '$TMP/hooks/10-hang freeze' did not finish within 500 ms: killed" "$TMP/log6"
ok $? "the hook timeout is logged"
grep -q 'SigBlk:[[:space:]]*0000000000000000' "$TMP/hook-sigblk"
ok $? "hooks start with an empty signal mask"
tap_done
