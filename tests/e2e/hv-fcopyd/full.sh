#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A full filesystem: a small tmpfs in a private mount namespace.  A file that cannot fit is
# refused at START with HV_ERROR_DISK_FULL; a filesystem that fills up during a copy gives
# HV_ERROR_DISK_FULL when its gathered writes hit ENOSPC (here on the COMPLETE that writes
# out a write smaller than the daemon's 256 KiB buffer), and the partial file is removed; the
# daemon then serves the next copy.  hv-sim's control socket lets the test fill the
# filesystem between two requests.
# timeout: 60
if [ -z "${HVFCOPYD_IN_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root: a tmpfs in a private mount namespace"; exit 77; }
	command -v unshare >/dev/null || { echo "1..0 # SKIP unshare is missing"; exit 77; }
	HVFCOPYD_IN_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/common.inc"
[ -x "$BIN/hv-sim" ] || { echo "1..0 # SKIP hv-sim is not built in $BIN"; exit 77; }

S=$TMP/small
mkdir -p "$S" "$TMP/state" "$TMP/dst"
trap 'umount "$S" 2>/dev/null; _tap_cleanup' EXIT
check "mounted a 256 KiB tmpfs" mount -t tmpfs -o size=256k,nr_inodes=64 none "$S"
head -c 300000 /dev/urandom >"$TMP/big"
head -c 20000 /dev/urandom >"$TMP/mid"
ctl() { "$BIN/hv-sim" ctl "$TMP/ctl" "$@" >/dev/null; }

"$BIN/hv-sim" -q -s fcopy --control "$TMP/ctl" -- "$BIN/hv-fcopyd" -n --state-dir "$TMP/state" \
	2>"$TMP/daemon.log" &
SIM=$!
check "daemon registered" ctl wait-register
ctl fcopy copy src="$TMP/big" path="$S" name=big
check "a file larger than the free space is refused at START" ctl expect status=HV_ERROR_DISK_FULL
ctl fcopy start path="$S" name=grow size=20000
check "a file that fits is started" ctl expect status=HV_S_OK
dd if=/dev/zero of="$S/filler" bs=4096 2>/dev/null
ctl fcopy write offset=0 file="$TMP/mid" len=6144
check "a write smaller than the buffer is gathered, not written yet" ctl expect status=HV_S_OK
for o in 6144 12288; do ctl fcopy write offset=$o file="$TMP/mid" file-offset=$o len=6144; done
ctl fcopy write offset=18432 file="$TMP/mid" file-offset=18432 len=1568
ctl fcopy complete
check "the COMPLETE that writes it out hits ENOSPC: HV_ERROR_DISK_FULL" ctl expect status=HV_ERROR_DISK_FULL
[ ! -e "$S/grow" ] && no_tmp_files "$S" && [ ! -e "$S/big" ]
ok $? "no partial file is left on the full filesystem"
ctl fcopy copy src="$TMP/mid" path="$TMP/dst" name=after-full
check "the daemon serves the next copy" ctl expect status=HV_S_OK
same_sha "$TMP/mid" "$TMP/dst/after-full"
ok $? "and it is byte-identical"
ctl quit
wait $SIM
ok $? "hv-sim ended cleanly"
grep -q 'No space left on device' "$TMP/daemon.log"
ok $? "the daemon logged the reason"
tap_done
