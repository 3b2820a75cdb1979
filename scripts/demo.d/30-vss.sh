#!/bin/sh
# SPDX-License-Identifier: MIT
# Demo part: hv-vssd.  As root: a host backup session (HOT_BACKUP, FREEZE, THAW) against a
# loop-mounted ext4 image in a private mount namespace.  Otherwise: --check on a fixture.
set -u
BIN=${BIN:-build/default/bin}
[ -x "$BIN/hv-vssd" ] || { echo "== hv-vssd: not built, skipped"; exit 0; }
TOP=$(pwd)
echo "== hv-vssd --check: which mounts a backup would freeze (fixture of a server)"
T=$(mktemp -d)
for d in / /var/lib/mysql /srv/backup /data /opt/app /tank /media/usb /boot/efi; do mkdir -p "$T/root$d"; done
touch "$T/root/etc-hosts"
"$BIN/hv-vssd" --check --config /dev/null --mountinfo "$TOP/tests/data/hv-vssd/mountinfo-server.txt" \
	--root "$T/root" --sysfs /nonexistent --hook-dir "$T/hooks" --no-legacy-hooks --run-dir "$T"
if [ "$(id -u)" = 0 ] && command -v mkfs.ext4 >/dev/null && command -v unshare >/dev/null; then
	echo "== hv-vssd: a host backup session against a loop-mounted ext4 image"
	unshare --mount --propagation private sh -c '
		T=$1 BIN=$2 TOP=$3
		truncate -s 32M "$T/demo.img" && mkfs.ext4 -q -F "$T/demo.img" && mkdir -p "$T/mnt/demo" &&
			mount -o loop "$T/demo.img" "$T/mnt/demo" || exit 0
		set -- "$BIN/hv-vssd" -n --config /dev/null --include "$T/mnt/*" --exclude / \
			--run-dir "$T" --no-record --no-legacy-hooks --hook-dir "$T/hooks"
		if [ -x "$BIN/hv-sim" ]; then
			"$BIN/hv-sim" -s vss -t -e wait-register -e "vss hot-backup" \
				-e "expect status=HV_S_OK" -e "vss freeze" -e "expect status=HV_S_OK" \
				-e "echo == the image is frozen: the host takes its snapshot now" \
				-e "vss thaw" -e "expect status=HV_S_OK" -- "$@" 2>&1
		else
			printf "register\nsend hot-backup HV_S_OK\nsend freeze HV_S_OK\nsend thaw HV_S_OK\nclose\nwait-exit 0\n" >"$T/scn"
			/usr/bin/python3 "$TOP/tests/e2e/hv-vssd/vsshost.py" "$T/scn" -- "$@" 2>&1
		fi
		fsfreeze -u "$T/mnt/demo" 2>/dev/null
		umount "$T/mnt/demo"' sh "$T" "$BIN" "$TOP"
fi
rm -rf "$T"
