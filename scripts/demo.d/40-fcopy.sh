#!/bin/sh
# SPDX-License-Identifier: MIT
# Demo part: hv-fcopyd.  A Copy-VMFile session played by the simulated host into a temporary
# folder, on the UIO transport (rings, IC framing, UTF-16 names) and on the old character
# device; then what the reference daemons got wrong, refused with a clear error.
set -u
BIN=${BIN:-build/default/bin}
O=${O:-build/default}
[ -x "$BIN/hv-fcopyd" ] && [ -x "$BIN/hv-sim" ] || { echo "== hv-fcopyd: not built, skipped"; exit 0; }
uiohost() {
	if "$BIN/hv-sim" fcopy-uio --help >/dev/null 2>&1; then
		"$BIN/hv-sim" fcopy-uio "$@"
	else
		"$O/tests/test-hv-fcopyd-uio" host "$@"
	fi
}
T=$(mktemp -d)
DPID=
trap '[ -z "$DPID" ] || kill $DPID 2>/dev/null; rm -rf "$T"' EXIT
mkdir -p "$T/in" "$T/elsewhere"
printf 'hello from the host\n' >"$T/report.txt"
head -c 1000000 /dev/urandom >"$T/image.bin"

echo "== hv-fcopyd (UIO): the host copies two files; names are UTF-16 on the wire"
uiohost --root "$T/uio" --setup-only
"$BIN/hv-fcopyd" -n --uio --state-dir "$T/state" --sysfs "$T/uio/sys" --dev "$T/uio/dev" --uio-irq "$T/uio/dev/uio0.irq" \
	--allow "$T/in" --mode 0640 2>"$T/daemon.log" &
DPID=$!
NAME=$(printf 'r\303\251sum\303\251 \360\237\223\204.txt')
uiohost --root "$T/uio" \
	-e "copy src=$T/report.txt path=$T/in name=\"$NAME\"" \
	-e "copy src=$T/image.bin path=$T/in/images/2026 name=image.bin flags=create-path"
ls -lR "$T/in" | sed "s|$T|\$T|"
echo
echo "== hv-fcopyd (UIO): what the reference daemons got wrong is refused with a reason"
ln -s "$T/elsewhere" "$T/in/link"
uiohost --root "$T/uio" \
	-e "copy src=$T/report.txt path=$T/in name=\"$NAME\"" \
	-e "copy src=$T/report.txt path=$T/in/link name=x" \
	-e "copy src=$T/report.txt path=$T/elsewhere name=x" \
	-e "start path=$T/in name=bad name-hex=3dd80000 size=1" \
	-e "start path=$T/in name=partial size=100" -e "write offset=0 text=half" -e cancel
echo "-- the daemon's log:"
sed "s|$T|\$T|g" "$T/daemon.log"
echo "-- left in \$T/in after the cancel (no partial file):"
ls -A "$T/in"
kill $DPID; wait $DPID 2>/dev/null; DPID=
echo
echo "== hv-fcopyd (character device of kernels before 6.10): the same copy under hv-sim"
"$BIN/hv-sim" -s fcopy -e wait-register -e "fcopy copy src=$T/report.txt path=$T/in name=via-chardev" \
	-e "expect status=HV_S_OK" -- "$BIN/hv-fcopyd" -n --state-dir "$T/state" 2>&1 | sed "s|$T|\$T|g"
cmp "$T/report.txt" "$T/in/via-chardev" && echo "via-chardev: same bytes as the source"
echo
