#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hv-vssd --check on a fixture mount table: every verdict and reason, the freeze order and
# the hooks that would run (ours, qemu's and open-vm-tools', with refused ones), compared
# with a golden file; and the reference-name alias hv_vss_daemon (flags -h, -n, -d, its name
# in ps).
. "$(dirname "$0")/../../lib/tap.sh"
VSSD=$BIN/hv-vssd
[ -x "$VSSD" ] || { echo "1..0 # SKIP hv-vssd is not built in $BIN"; exit 77; }
DATA=$TOP/tests/data/hv-vssd

R=$TMP/root
for d in / /var/lib/mysql /srv/backup /data /opt/app /tank /media/usb /boot/efi /etc; do mkdir -p "$R$d"; done
: >"$R/etc/hosts"
mkdir -p "$TMP/h/ours" "$TMP/h/qemu" "$TMP/h/vmw"
for f in ours/20-db ours/10-app qemu/50-pg vmw/a-tool; do printf '#!/bin/sh\nexit 0\n' >"$TMP/h/$f"; chmod 755 "$TMP/h/$f"; done
printf '#!/bin/sh\n' >"$TMP/h/ours/30-writable" && chmod 777 "$TMP/h/ours/30-writable"
printf '#!/bin/sh\n' >"$TMP/h/ours/40-noexec" && chmod 644 "$TMP/h/ours/40-noexec"
: >"$TMP/h/ours/10-app.dpkg-old"
"$VSSD" --check --config /dev/null --mountinfo "$DATA/mountinfo-server.txt" --root "$R" \
	--sysfs /nonexistent --run-dir "$TMP" --hook-dir "$TMP/h/ours" --qemu-hook-dir "$TMP/h/qemu" \
	--vmware-hook-dir "$TMP/h/vmw" >"$TMP/out" 2>&1
ok $? "--check exits 0 when something would be frozen"
sed -e "s#$TMP#TMP#g" -e "s#$DATA#DATA#g" "$TMP/out" >"$TMP/got"
if [ -n "${UPDATE_GOLDEN:-}" ]; then cp "$TMP/got" "$DATA/check-server.golden"; fi
diff -u "$DATA/check-server.golden" "$TMP/got" >"$TMP/diff"
ok $? "--check output matches tests/data/hv-vssd/check-server.golden"
[ -s "$TMP/diff" ] && sed 's/^/#   /' "$TMP/diff" | head -40

"$VSSD" --check --config /dev/null --mountinfo "$DATA/mountinfo-server.txt" --root "$R" \
	--sysfs /nonexistent --run-dir "$TMP" --no-legacy-hooks --hook-dir "$TMP/none" \
	--exclude 'type:*' >"$TMP/out2" 2>&1
[ $? = 1 ] && grep -q '(nothing would be frozen)' "$TMP/out2"
ok $? "--check exits 1 when nothing would be frozen"

printf 'garbage line\n' >"$TMP/badmi"
"$VSSD" --check --config /dev/null --mountinfo "$TMP/badmi" >"$TMP/out3" 2>&1
[ $? = 1 ] && grep -q "line 1 is malformed" "$TMP/out3"
ok $? "a malformed mount table is named with its line"

printf '[vssd]\nfreeze_timeout = 0\n' >"$TMP/bad.conf"
"$VSSD" --check --config "$TMP/bad.conf" >"$TMP/out4" 2>&1
[ $? = 1 ] && grep -q 'freeze_timeout' "$TMP/out4"
ok $? "a bad configuration value is refused with its key"

# Reference name.
ln -s "$VSSD" "$TMP/hv_vss_daemon"
"$TMP/hv_vss_daemon" -h 2>&1 | grep -q '^usage: hv_vss_daemon'
ok $? "hv_vss_daemon -h"
printf 'register\npidfile %s\nsh test "$(cat /proc/$(cat %s)/comm)" = hv_vss_daemon\nsend hot-backup\nclose\nwait-exit 0\n' \
	"$TMP/pid" "$TMP/pid" >"$TMP/scn"
/usr/bin/python3 "$TOP/tests/e2e/hv-vssd/vsshost.py" "$TMP/scn" -- "$TMP/hv_vss_daemon" -n -d \
	--config /dev/null --run-dir "$TMP" --no-record --include "$TMP/nothing" 2>"$TMP/log"
ok $? "hv_vss_daemon -n -d runs and shows its name in ps"
grep -q '^<[0-9]>hv_vss_daemon: ' "$TMP/log"
ok $? "it logs under that name"
tap_done
