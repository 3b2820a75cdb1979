#!/bin/sh
# SPDX-License-Identifier: MIT
# hv-fcopyd throughput: a 100 MiB file copied through each transport (UIO under hv-sim
# fcopy-uio, the character device under hv-sim's socket mode, and the reference
# hv_fcopy_daemon under hv-sim's sandbox when run as root), against the limit measured in the
# same run: dd writing the same data in the same 6144-byte chunks to the same filesystem,
# with an fsync at the end as the daemon does.  Printed as MB/s and as a ratio.
set -eu
BIN=${BIN:-build/default/bin}
SIZE_MB=${FCOPY_BENCH_MB:-100}
[ -x "$BIN/hv-fcopyd" ] && [ -x "$BIN/hv-sim" ] || { echo "fcopy: hv-fcopyd or hv-sim not built, skipped"; exit 0; }
T=$(mktemp -d "${TMPDIR:-/var/tmp}/hv-fcopy-bench.XXXXXX")
DPID=
# hv-sim fcopy-uio, or the test driver that compiles the same host code in.
uiohost() {
	if "$BIN/hv-sim" fcopy-uio --help >/dev/null 2>&1; then
		"$BIN/hv-sim" fcopy-uio "$@"
	elif [ -x "${O:-build/default}/tests/test-hv-fcopyd-uio" ]; then
		"${O:-build/default}/tests/test-hv-fcopyd-uio" host "$@"
	else
		echo "fcopy: no UIO host (hv-sim fcopy-uio or tests/test-hv-fcopyd-uio)" >&2
		return 1
	fi
}
trap '[ -z "$DPID" ] || kill $DPID 2>/dev/null; rm -rf "$T"' EXIT
mkdir -p "$T/dst"
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom >"$T/src"
sync

secs() { # command...: prints elapsed seconds
	s=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	e=$(date +%s.%N)
	echo "$s $e" | awk '{ printf "%.3f", $2 - $1 }'
}
best() { # command...: the fastest of three runs (the machine may be shared)
	b=
	for _ in 1 2 3; do
		t=$(secs "$@")
		b=$(echo "${b:-$t} $t" | awk '{ print ($2 < $1) ? $2 : $1 }')
	done
	echo "$b"
}
rate() { echo "$1" | awk -v mb="$SIZE_MB" '{ printf "%.1f", mb / $1 }'; }
ratio() { echo "$1 $2" | awk '{ printf "%.2f", $2 / $1 }'; }

base=$(best dd if="$T/src" of="$T/dst/dd" bs=6144 conv=fsync)
rm -f "$T/dst/dd"
echo "fcopy: dd bs=6144 conv=fsync (the limit): ${base}s, $(rate "$base") MB/s"

# UIO: the host code times the copy itself, so start-up is not counted.
uiohost --root "$T/uio" --setup-only
"$BIN/hv-fcopyd" -n --no-record --uio --sysfs "$T/uio/sys" --dev "$T/uio/dev" --uio-irq "$T/uio/dev/uio0.irq" --no-record 2>/dev/null &
DPID=$!
line=$(uiohost -q --root "$T/uio" -e "bench src=$T/src path=$T/dst name=uio" \
	-e "bench src=$T/src path=$T/dst name=uio flags=overwrite" \
	-e "bench src=$T/src path=$T/dst name=uio flags=overwrite" | sort -t= -k3 -n | head -1)
kill $DPID; wait $DPID 2>/dev/null || true; DPID=
uio=$(echo "$line" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
cmp -s "$T/src" "$T/dst/uio" || { echo "fcopy: UIO copy differs from the source"; exit 1; }
echo "fcopy: UIO transport: ${uio}s, $(rate "$uio") MB/s, $(ratio "$uio" "$base") of dd"
rm -f "$T/dst/uio"

# Character device over a socketpair (includes daemon start-up and registration).
chr=$(best "$BIN/hv-sim" -q -s fcopy -e wait-register -e "fcopy copy src=$T/src path=$T/dst name=chr flags=overwrite" \
	-e "expect status=HV_S_OK" -- "$BIN/hv-fcopyd" -n --no-record)
cmp -s "$T/src" "$T/dst/chr" || { echo "fcopy: char-device copy differs from the source"; exit 1; }
echo "fcopy: character device: ${chr}s, $(rate "$chr") MB/s, $(ratio "$chr" "$base") of dd"
rm -f "$T/dst/chr"

if [ "$(id -u)" = 0 ] && [ -x /usr/sbin/hv_fcopy_daemon ] && [ -c /dev/fuse ]; then
	our=$(best "$BIN/hv-sim" -q -s fcopy --sandbox -e wait-register \
		-e "fcopy copy src=$T/src path=$T/dst name=our flags=overwrite" -e "expect status=HV_S_OK" -- "$BIN/hv-fcopyd" -n --no-record)
	ref=$(best "$BIN/hv-sim" -q -s fcopy --sandbox -e wait-register \
		-e "fcopy copy src=$T/src path=$T/dst name=ref flags=overwrite" -e "expect status=HV_S_OK" -- /usr/sbin/hv_fcopy_daemon -n)
	echo "fcopy: character device (FUSE): hv-fcopyd ${our}s, reference hv_fcopy_daemon ${ref}s," \
		"ours at $(ratio "$our" "$ref") of the reference's rate"
else
	echo "fcopy: reference comparison skipped (needs root, /dev/fuse and hyperv-daemons)"
fi
