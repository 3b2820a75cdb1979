#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lsvmbus command line: options, exit statuses, the new outputs (--driver, --cpus, --json),
# and trees that would hang or crash a careless reader (a FIFO, an oversized attribute).
. "$(dirname "$0")/../../lib/tap.sh"

LSVMBUS=$BIN/lsvmbus
SYSFS=$TOP/tests/data/sysfs
MAN=$TOP/man/lsvmbus.8
if [ ! -x "$LSVMBUS" ]; then
	echo "1..0 # SKIP $LSVMBUS is not built"
	exit 77
fi

run() { # runs lsvmbus; stdout in $TMP/out, stderr in $TMP/err, status in $rc
	timeout 20 "$LSVMBUS" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}

# -- options and statuses ------------------------------------------------------------------
run --help
[ $rc = 0 ] && grep -q '^usage: lsvmbus' "$TMP/out"
ok $? "--help prints the usage to stdout and exits 0"
for o in $(grep -o -- '--[a-z][a-z-]*' "$TMP/out" | sort -u); do
	grep -q -- "Fl Fl ${o#--}" "$MAN"
	ok $? "option $o from --help is in man/lsvmbus.8"
done
run -V
[ $rc = 0 ] && grep -qE '^lsvmbus [0-9]' "$TMP/out"
ok $? "-V prints the version"
run --bogus
[ $rc = 2 ] && [ ! -s "$TMP/out" ] && grep -q '^usage:' "$TMP/err"
ok $? "an unknown option exits 2 with the usage on stderr"
run extra
[ $rc = 2 ] && grep -q "unexpected argument 'extra'" "$TMP/err"
ok $? "an operand exits 2 and is named"
run --json --cpus --sysfs "$SYSFS/gen2"
[ $rc = 2 ] && [ ! -s "$TMP/out" ]
ok $? "--json with --cpus exits 2"
run --sysfs
[ $rc = 2 ]
ok $? "--sysfs without a directory exits 2"

run --sysfs "$SYSFS/not-a-guest"
[ $rc = 3 ] && [ ! -s "$TMP/out" ] && [ "$(wc -l <"$TMP/err")" = 1 ] &&
	grep -q "$SYSFS/not-a-guest/bus/vmbus/devices does not exist: not a Hyper-V guest" "$TMP/err"
ok $? "no bus/vmbus: one line on stderr, exit 3"
run --sysfs "$TMP/nowhere" -vv
[ $rc = 3 ]
ok $? "a --sysfs folder that does not exist exits 3"

mkdir -p "$TMP/empty/bus/vmbus/devices"
run --sysfs "$TMP/empty" -vv
[ $rc = 0 ] && [ ! -s "$TMP/out" ] && [ ! -s "$TMP/err" ]
ok $? "an empty bus prints nothing and exits 0"
run --sysfs "$TMP/empty" --json
[ $rc = 0 ] && [ "$(cat "$TMP/out")" = "[]" ]
ok $? "an empty bus in JSON is []"

run --sysfs "$SYSFS/gen2" -vv
cp "$TMP/out" "$TMP/vv"
run --sysfs "$SYSFS/gen2/" --verbose --verbose --verbose
cmp -s "$TMP/out" "$TMP/vv"
ok $? "-vvv and --verbose x3 print what -vv prints; a trailing / on --sysfs changes nothing"

if [ -w /dev/full ]; then
	"$LSVMBUS" --sysfs "$SYSFS/gen2" -vv >/dev/full 2>"$TMP/err"
	[ $? = 1 ] && grep -q 'cannot write' "$TMP/err"
	ok $? "a failed write of the output exits 1 with a message"
fi

# -- the bound driver ----------------------------------------------------------------------
run --sysfs "$SYSFS/gen2" --driver
[ $rc = 0 ] && grep -qx 'VMBUS ID  6: \[Guest services\] (driver: uio_hv_generic)' "$TMP/out" &&
	grep -qx 'VMBUS ID 13: \[Reserved system device\] (driver: none)' "$TMP/out"
ok $? "--driver: fcopy bound to uio_hv_generic, RDV bound to nothing"
run --sysfs "$SYSFS/gen1" -v -d
grep -A1 'Guest services' "$TMP/out" | grep -qx '	Driver: none' &&
	grep -A1 'Synthetic IDE Controller' "$TMP/out" | grep -qx '	Driver: hv_storvsc'
ok $? "-v -d: a Driver line after the Class_ID line"
run --sysfs "$SYSFS/gen2" --json
grep -q '"class": "fcopy", "name": "\[Guest services\]", .*"driver": "uio_hv_generic"' "$TMP/out" &&
	grep -q '"class": "hvsock", "name": "Hyper-V socket", .*"driver": "hv_sock"' "$TMP/out"
ok $? "--json carries the class keyword and the driver"

# -- the channel-to-CPU map ----------------------------------------------------------------
run --sysfs "$SYSFS/gen2-sriov" --cpus
[ $rc = 0 ]
ok $? "--cpus exits 0"
sed -n 's/^CPU \([0-9]*\): \([0-9]*\) channels\{0,1\}$/\1 \2/p' "$TMP/out" >"$TMP/cpus"
[ "$(cut -d' ' -f1 "$TMP/cpus" | tr '\n' ' ')" = "0 1 2 3 4 5 6 7 " ]
ok $? "--cpus lists CPUs 0..7 in order"
total=$(awk '{ s += $2 } END { print s }' "$TMP/cpus")
lines=$(grep -c '^	Rel_ID=' "$TMP/out")
want=$(grep -hc . "$SYSFS"/gen2-sriov/bus/vmbus/devices/*/channel_vp_mapping | awk '{ s += $1 } END { print s }')
[ "$total" = "$want" ] && [ "$lines" = "$want" ]
ok $? "--cpus counts every channel once ($total of $want)"
awk '/^CPU 5:/ { on = 1; next } /^CPU/ { on = 0 } on' "$TMP/out" >"$TMP/cpu5"
grep -qx '	Rel_ID=17, VMBUS ID 17: PCI Express pass-through' "$TMP/cpu5" &&
	grep -qx '	Rel_ID=36, VMBUS ID 16: Synthetic network adapter' "$TMP/cpu5"
ok $? "--cpus: CPU 5 serves the pass-through device and NIC sub-channel 36"

# -- hostile trees -------------------------------------------------------------------------
cp -a "$SYSFS/gen2" "$TMP/fifo"
dev=$TMP/fifo/bus/vmbus/devices/fd149e91-82e0-4a7d-afa6-2a4166cbd7c0
rm -f "$dev/id" && mkfifo "$dev/id"
run --sysfs "$TMP/fifo"
[ $rc = 1 ] && grep -q "device 'fd149e91-82e0-4a7d-afa6-2a4166cbd7c0': 'id' is not a regular file, left out" "$TMP/err" &&
	[ "$(wc -l <"$TMP/out")" = 15 ]
ok $? "a FIFO for an attribute: no hang, that device left out with a message, the rest shown"

cp -a "$SYSFS/gen2" "$TMP/big"
dev=$TMP/big/bus/vmbus/devices/fd149e91-82e0-4a7d-afa6-2a4166cbd7c0
head -c 70000 /dev/zero | tr '\0' '1' >"$dev/channel_vp_mapping"
run --sysfs "$TMP/big" -v
[ $rc = 1 ] && grep -q "cannot read 'channel_vp_mapping': File too large; no channels shown" "$TMP/err" &&
	grep -qx 'VMBUS ID  3: Class_ID = {57164f39-9115-4e78-ab55-382f3bd5422d} - \[Heartbeat\]' "$TMP/out"
ok $? "an oversized attribute is refused with a message, the device still listed"

cp -a "$SYSFS/gen2" "$TMP/dir"
dev=$TMP/dir/bus/vmbus/devices/fd149e91-82e0-4a7d-afa6-2a4166cbd7c0
rm "$dev/class_id" && mkdir "$dev/class_id"
run --sysfs "$TMP/dir"
[ $rc = 1 ] && grep -q "cannot read 'class_id': Is a directory" "$TMP/err"
ok $? "a folder where an attribute should be is named"

tap_done
