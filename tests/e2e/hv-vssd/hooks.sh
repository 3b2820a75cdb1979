#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Application hooks around a real freeze of an ext4 image: our folder, qemu-ga's
# fsfreeze-hook.d and open-vm-tools' backupScripts.d run in that order with their own
# arguments, thaw hooks in reverse after the thaw; a failing freeze hook with policy
# "continue" lets the backup go on, with "abort" fails it (nothing frozen, thaw/freezeFail
# hooks for those that ran); a hook that is writable by others is not run; SIGTERM while
# frozen thaws before the daemon exits.
# timeout: 120
[ -n "${VSSD_NS:-}" ] || [ "$(id -u)" != 0 ] || VSSD_NS=1 exec unshare --mount --propagation private "$0" "$@"
. "$(dirname "$0")/../../lib/tap.sh"
need_root "loop devices, mounts and FIFREEZE"
. "$(dirname "$0")/common.inc"
need_tools mkfs.ext4 fsfreeze
sed -n '/^is_frozen()/,/^}/p' "$(dirname "$0")/common.inc" >"$TMP/fns.sh"
F=". $TMP/fns.sh;"

mk_image a ext4
ok $? "made and mounted an ext4 image"

H=$TMP/hk
mkdir -p "$H/ours" "$H/qemu" "$H/vmw"
# Each hook records "name argument frozen-or-not" in a file outside the image.
mkhook() { # folder name [exit-status]
	cat >"$H/$1/$2" <<X
#!/bin/sh
. $TMP/fns.sh
if is_frozen $MNT/a; then s=frozen; else s=thawed; fi
echo "$1/$2 \$1 \$s" >> $TMP/hooklog
exit ${3:-0}
X
	chmod 755 "$H/$1/$2"
}
mkhook ours 20-b
mkhook ours 10-a
mkhook qemu 50-pg
mkhook vmw tool
mkhook ours 30-open && chmod 757 "$H/ours/30-open"
HOOKOPTS="--hook-dir $H/ours --qemu-hook-dir $H/qemu --vmware-hook-dir $H/vmw"

printf 'register\nsend freeze HV_S_OK\nsend thaw HV_S_OK\nclose\nwait-exit 0\n' >"$TMP/s1"
$HOST "$TMP/s1" -- "$VSSD" "${VSSD_OPTS[@]}" $HOOKOPTS 2>"$TMP/log1"
ok $? "freeze and thaw with hooks"
cat >"$TMP/want1" <<W
ours/10-a freeze thawed
ours/20-b freeze thawed
qemu/50-pg freeze thawed
vmw/tool freeze thawed
vmw/tool thaw thawed
qemu/50-pg thaw thawed
ours/20-b thaw thawed
ours/10-a thaw thawed
W
diff -u "$TMP/want1" "$TMP/hooklog" >"$TMP/d1"
ok $? "freeze hooks in order before the freeze, thaw hooks in reverse after the thaw"
[ -s "$TMP/d1" ] && sed 's/^/#   /' "$TMP/d1"
grep -q "hook '$H/ours/30-open' not run: writable by group or others" "$TMP/log1"
ok $? "a hook writable by others is refused"

# A failing freeze hook, policy continue: the backup goes on.
rm -f "$TMP/hooklog"
mkhook ours 20-b 3
$HOST "$TMP/s1" -- "$VSSD" "${VSSD_OPTS[@]}" $HOOKOPTS --hook-failure continue 2>"$TMP/log2"
ok $? "a failing freeze hook with policy continue: FREEZE and THAW succeed"
grep -q "freeze hook '$H/ours/20-b' failed: the backup is only file-system consistent" "$TMP/log2"
ok $? "the downgrade to file-system consistent is logged"

# Policy abort: FREEZE fails, nothing is frozen, the hooks that ran get thaw / freezeFail.
rm -f "$TMP/hooklog"
mkhook ours 10-a
mkhook ours 20-b
mkhook qemu 50-pg 1
printf 'register\nsend freeze HV_E_FAIL\nsh %s ! is_frozen %s\nclose\nwait-exit 0\n' "$F" "$MNT/a" >"$TMP/s3"
$HOST "$TMP/s3" -- "$VSSD" "${VSSD_OPTS[@]}" $HOOKOPTS --hook-failure abort 2>"$TMP/log3"
ok $? "a failing freeze hook with policy abort: FREEZE fails and nothing is frozen"
cat >"$TMP/want3" <<W
ours/10-a freeze thawed
ours/20-b freeze thawed
qemu/50-pg freeze thawed
qemu/50-pg thaw thawed
ours/20-b thaw thawed
ours/10-a thaw thawed
W
diff -u "$TMP/want3" "$TMP/hooklog" >"$TMP/d3"
ok $? "after an abort the hooks that ran are undone in reverse; later hooks never ran"
[ -s "$TMP/d3" ] && sed 's/^/#   /' "$TMP/d3"

# A freeze that fails on the filesystem: open-vm-tools hooks get freezeFail.
rm -f "$TMP/hooklog"
mkhook qemu 50-pg
printf 'register\nsend freeze\nclose\nwait-exit 0\n' >"$TMP/s4"
$HOST "$TMP/s4" -- "$VSSD" "${VSSD_OPTS[@]}" $HOOKOPTS --run-dir "$TMP/no/such/dir" 2>"$TMP/log4"
grep -q 'vmw/tool freezeFail thawed' "$TMP/hooklog" && grep -q 'qemu/50-pg thaw thawed' "$TMP/hooklog"
ok $? "a failed freeze gives open-vm-tools hooks freezeFail and the others thaw"

# SIGTERM while frozen: thawed before the daemon exits, thaw hooks run.
rm -f "$TMP/hooklog"
printf 'register\nsend freeze HV_S_OK\nsh %s is_frozen %s\nkill TERM\nwait-exit 0\nsh %s ! is_frozen %s\nsh test ! -e %s\n' \
	"$F" "$MNT/a" "$F" "$MNT/a" "$TMP/run/vssd-frozen" >"$TMP/s5"
$HOST "$TMP/s5" -- "$VSSD" "${VSSD_OPTS[@]}" $HOOKOPTS 2>"$TMP/log5"
ok $? "SIGTERM while frozen: thawed, marker removed, then exit 0"
grep -q 'ours/10-a thaw thawed' "$TMP/hooklog"
ok $? "thaw hooks ran on the way out"
tap_done
