#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Compatibility: the reference hv_vss_daemon and hv-vssd answer the same hv-sim scenario
# through hv-sim's FUSE device file, and differ only where docs/vssd.md says so (an unknown
# operation: HV_S_OK from the reference, HV_ERROR_NOT_SUPPORTED from us).
#
# Safety: the reference daemon freezes every read-write /dev-backed mount it can see.  Both
# daemons therefore run chrooted into a tmpfs whose only other mounts are read-only binds of
# /usr, /etc and /lib64, proc and hv-sim's FUSE device, in a private mount namespace; the test
# refuses to start a daemon if that view holds any read-write /dev mount.
# timeout: 120
[ -n "${VSSD_NS:-}" ] || [ "$(id -u)" != 0 ] || VSSD_NS=1 exec unshare --mount --propagation private "$0" "$@"
. "$(dirname "$0")/../../lib/tap.sh"
need_root "mount namespace, chroot and FUSE"
VSSD=$BIN/hv-vssd
SIM=$BIN/hv-sim
REF=${HV_VSS_REFERENCE:-/usr/sbin/hv_vss_daemon}
[ -x "$VSSD" ] || { echo "1..0 # SKIP hv-vssd is not built in $BIN"; exit 77; }
[ -x "$SIM" ] || { echo "1..0 # SKIP hv-sim is not built in $BIN"; exit 77; }
[ -x "$REF" ] || { echo "1..0 # SKIP no reference daemon at $REF (Debian package hyperv-daemons)"; exit 77; }
[ -c /dev/fuse ] || { echo "1..0 # SKIP /dev/fuse is missing"; exit 77; }

R=$TMP/root
mkdir -p "$R"
mount -t tmpfs -o mode=755 tmpfs "$R" || { echo "1..0 # SKIP cannot mount a tmpfs"; exit 77; }
trap 'umount -R -l "$R"; _tap_cleanup' EXIT
mkdir -p "$R/usr" "$R/etc" "$R/lib64" "$R/proc" "$R/dev/vmbus" "$R/tmp" "$R/hv" "$R/var/lib/hyperv"
for d in usr etc lib64; do
	mount --bind "/$d" "$R/$d" && mount -o remount,bind,ro "$R/$d" || { echo "1..0 # SKIP cannot bind /$d"; exit 77; }
done
ln -s usr/bin "$R/bin"; ln -s usr/lib "$R/lib"; ln -s usr/sbin "$R/sbin"
mount --bind "$(dirname "$VSSD")" "$R/hv" && mount -o remount,bind,ro "$R/hv"
cp "$REF" "$R/tmp/hv_vss_daemon"
mount -t proc proc "$R/proc"
: >"$R/dev/null"

rw_dev_mounts() {
	chroot "$R" /usr/bin/awk '$1 ~ /^\/dev\// && $4 !~ /(^|,)ro(,|$)/ { print }' /proc/mounts
}
bad=$(rw_dev_mounts)
[ -z "$bad" ]
ok $? "the chroot shows no read-write /dev mount${bad:+ (found: $bad)}"
[ -z "$bad" ] || { tap_done; exit 1; }

# The scenario both must pass.
cat >"$TMP/common.scn" <<'S'
wait-register
expect registrations=1 version=129
vss hot-backup
expect outcome=reply status=HV_S_OK
vss freeze
expect outcome=reply status=HV_S_OK
vss thaw
expect outcome=reply status=HV_S_OK
vss get-dm-info
expect outcome=kernel status=HV_S_OK
vss create
expect outcome=kernel status=HV_S_OK
vss freeze
expect outcome=reply status=HV_S_OK
hibernate
sleep 1500ms
wait-register timeout=10000
vss thaw
expect outcome=reply status=HV_S_OK
reset
sleep 1500ms
wait-register timeout=10000
vss freeze
expect outcome=reply status=HV_S_OK
vss thaw
expect outcome=reply status=HV_S_OK
S
run_sim() { # name scenario daemon...
	_n=$1 _s=$2
	shift 2
	"$SIM" -s vss -q --fuse "$R/dev/vmbus" "$_s" -- chroot "$R" "$@" >"$TMP/$_n.out" 2>&1
}
run_sim ref "$TMP/common.scn" /tmp/hv_vss_daemon -n
rc=$?
ok $rc "reference hv_vss_daemon passes the common scenario"
[ $rc = 0 ] || sed 's/^/#   /' "$TMP/ref.out" | tail -20
OURS="/hv/hv-vssd -n --config /dev/null --device /dev/vmbus/hv_vss --run-dir /tmp/run --no-record --no-legacy-hooks --hook-dir /tmp/none"
# shellcheck disable=SC2086
run_sim ours "$TMP/common.scn" $OURS
rc=$?
ok $rc "hv-vssd passes the same scenario"
[ $rc = 0 ] || sed 's/^/#   /' "$TMP/ours.out" | tail -20

# The documented difference: an unknown operation.
printf 'wait-register\nvss op=9\nexpect outcome=reply status=HV_S_OK\n' >"$TMP/ref-unknown.scn"
printf 'wait-register\nvss op=9\nexpect outcome=reply status=HV_ERROR_NOT_SUPPORTED\n' >"$TMP/ours-unknown.scn"
run_sim ref2 "$TMP/ref-unknown.scn" /tmp/hv_vss_daemon -n
ok $? "reference: unknown operation answered HV_S_OK"
# shellcheck disable=SC2086
run_sim ours2 "$TMP/ours-unknown.scn" $OURS
ok $? "hv-vssd: unknown operation answered HV_ERROR_NOT_SUPPORTED (documented difference)"
tap_done
