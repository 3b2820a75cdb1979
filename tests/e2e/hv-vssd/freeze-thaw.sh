#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Real freezes: ext4 and xfs loop images in a private mount namespace.  HOT_BACKUP, FREEZE
# (both frozen, a writer blocks), THAW (both thawed, the writer finishes), zero writes by the
# daemon while frozen (strace), the other operations, unknown operations and bad sizes.
# timeout: 120
[ -n "${VSSD_NS:-}" ] || [ "$(id -u)" != 0 ] || VSSD_NS=1 exec unshare --mount --propagation private "$0" "$@"
. "$(dirname "$0")/../../lib/tap.sh"
need_root "loop devices, mounts and FIFREEZE"
. "$(dirname "$0")/common.inc"
need_tools mkfs.ext4 mkfs.xfs fsfreeze losetup strace

mk_image a ext4 && mk_image b xfs
ok $? "made and mounted an ext4 and an xfs image"

# Mounts that must be left alone, all on our images or in memory: a second mount of image a,
# a bind mount of a file of image b, a read-only image, a tmpfs.
mkdir -p "$MNT/a-again" "$MNT/tmp" && touch "$MNT/b/f" "$MNT/fileb" &&
	mount --bind "$MNT/a" "$MNT/a-again" && mount --bind "$MNT/b/f" "$MNT/fileb" &&
	mount -t tmpfs tmpfs "$MNT/tmp" && mk_image c ext4 && mount -o remount,ro "$MNT/c"
ok $? "a second mount, a file bind mount, a read-only image and a tmpfs"
_vssd_images="$MNT/a-again $MNT/fileb $MNT/tmp $_vssd_images"
# shellcheck disable=SC2046
"$VSSD" --check "${VSSD_OPTS[@]}" >"$TMP/check" 2>&1
ok $? "--check in the namespace"
grep -q "^risky .* $MNT/a (ext4 .*loop device" "$TMP/check" &&
	grep -q "^risky .* $MNT/b (xfs .*loop device" "$TMP/check" &&
	grep -q "^skipped .* $MNT/a-again .*same device as '$MNT/a'" "$TMP/check" &&
	grep -q "^skipped .* $MNT/fileb .*bind mount of a file" "$TMP/check" &&
	grep -q "^skipped .* $MNT/c .*read-only" "$TMP/check" &&
	grep -q "^skipped .* $MNT/tmp .*memory filesystem" "$TMP/check" &&
	grep -q "^skipped .* / .*not in the include list\|^skipped .* / .*excluded" "$TMP/check" &&
	[ "$(grep -c '^[0-9]*\. ' "$TMP/check")" = 2 ]
rc=$?
ok $rc "real mount table: only a and b are frozen; the others are skipped with their reasons"
[ $rc = 0 ] || grep -v 'not in the include list' "$TMP/check" | sed 's/^/#   /'

cat >"$TMP/s1" <<S
register
send hot-backup HV_S_OK
send get-dm-info HV_S_OK
send create HV_S_OK
send delete HV_S_OK
send bu-complete HV_S_OK
send auto-recover HV_S_OK
send 9 HV_ERROR_NOT_SUPPORTED
send 200 HV_ERROR_NOT_SUPPORTED
raw 0500
noreply 300
send thaw HV_S_OK
send freeze HV_S_OK
sh test -s $TMP/run/vssd-frozen
sh (echo data > $MNT/a/file; echo done > $TMP/writer-done) & echo \$! > $TMP/writer.pid
sh . $TMP/fns.sh; wait_state \$(cat $TMP/writer.pid) D
sh . $TMP/fns.sh; is_frozen $MNT/a && is_frozen $MNT/b
sh test ! -e $TMP/writer-done
sh echo marker-frozen >> $TMP/strace.mark
send thaw HV_S_OK
sh . $TMP/fns.sh; ! is_frozen $MNT/a && ! is_frozen $MNT/b
sh test ! -e $TMP/run/vssd-frozen
close
wait-exit 0
S
# is_frozen and wait_state for the host's "sh" lines
sed -n '/^is_frozen()/,/^}/p; /^wait_state()/,/^}/p' "$(dirname "$0")/common.inc" >"$TMP/fns.sh" 2>/dev/null ||
	true

# LeakSanitizer cannot run under ptrace, so it is off for this one run.
# shellcheck disable=SC2046
ASAN_OPTIONS=detect_leaks=0 $HOST "$TMP/s1" -- strace -f -qq -o "$TMP/strace" -e trace=ioctl,write,pwrite64,writev,pwritev,pwritev2,sendto,sendmsg,fsync,fdatasync,rename,renameat,renameat2,unlink,unlinkat,openat \
	"$VSSD" "${VSSD_OPTS[@]}" 2>"$TMP/log"
rc=$?
ok $rc "hot-backup, other ops, unknown ops, freeze (writer blocks), thaw (writer resumes)"
[ $rc = 0 ] || sed 's/^/#   /' "$TMP/log" | tail -30

# The writer finished after the thaw, and its data is there.
i=0; while [ ! -e "$TMP/writer-done" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
test -e "$TMP/writer-done" && grep -q data "$MNT/a/file"
ok $? "the blocked writer completed after THAW"

# Between the first FIFREEZE and the last FITHAW the daemon and its watchdog made no write
# other than the reply on the device (fd 3) and no file operation at all.
awk '
	/FIFREEZE/ { if (!start) start = NR }
	/FITHAW/ { end = NR }
	{ line[NR] = $0 }
	END {
		bad = 0
		for (i = start + 1; i < end; i++) {
			l = line[i]
			if (l ~ /(write|pwrite64|writev|pwritev2?|sendto|sendmsg)\(3,/) continue
			if (l ~ /(write|pwrite64|writev|pwritev2?|sendto|sendmsg|fsync|fdatasync|rename|renameat2?|unlink|unlinkat)\(/ ||
			    l ~ /openat\(.*O_(WRONLY|RDWR|CREAT)/) { print "# " l; bad++ }
		}
		if (!start || !end) { print "# no FIFREEZE/FITHAW in the trace"; bad = 1 }
		exit bad != 0
	}' "$TMP/strace"
ok $? "zero writes by the daemon while frozen (strace)"
grep -q 'thawed 2 filesystem' "$TMP/log"
ok $? "held log flushed after the thaw"
grep -q 'unknown operation 9' "$TMP/log" && grep -q 'message of 2 bytes' "$TMP/log"
ok $? "unknown operation and bad size are logged"
pool_record | grep -q 'op=THAW status=0x00000000 frozen and thawed'
ok $? "pool-1 result record after the thaw"
tap_done
