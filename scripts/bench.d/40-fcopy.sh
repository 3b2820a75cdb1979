#!/bin/bash
# SPDX-License-Identifier: MIT
# hv-fcopyd throughput (issue 6): a 1 GiB file (FCOPY_BENCH_MB) copied through each transport
# against the limit measured in the same run - a plain sequential write of the same data in
# the same 6144-byte chunks to the same filesystem with one fsync at the end, as the daemon
# does on COMPLETE (dd bs=6144 conv=fsync) - and, on the character device, against the
# reference hv_fcopy_daemon on the same transport (hv-sim --sandbox, FUSE; needs root).
# FCOPY_BENCH_ROUNDS rounds (default 3) alternate every contender; the medians are printed
# with the ratios and whether the targets (UIO >= 0.80 of the plain write; character device
# >= the reference's rate) are met.  "hv-sim fcopy-uio --sink" measures the UIO host and
# rings alone (a guest that discards the data), which splits the UIO time into transport
# and writing.
#
# The FUSE comparison: both daemons are timed the same way, from hv-sim's start to its exit
# (FUSE mount, daemon start-up, registration, the copy, SIGTERM and teardown), each writing a
# new file after a sync.  The reference's time stops with data still dirty in the page cache
# (it never fsyncs; the sync before the next contender is not timed); hv-fcopyd's includes
# its fsync.  Every FUSE message costs two round trips to hv-sim, i.e. four wake-ups; on a VM
# a wake-up of another, idle vCPU is slow, and unpinned the scheduler put hv-sim and the
# daemon sometimes on one CPU, sometimes on two, which made single rounds differ by 2-3x and
# the ratio of the medians swing from 0.83 to 1.31 between runs.  So the pair is measured
# twice, the same for both daemons: on one CPU (taskset -c $FCOPY_BENCH_CPU, default the
# first CPU we may use: the daemons' own work per message, what differs between them) and
# on two CPUs (hv-sim on the first, the daemon on the second, $FCOPY_BENCH_CPU2: mostly the cost of the
# simulator's wake-ups, the same for both).  Within a round the two daemons run back to back,
# the reference first in odd rounds and second in even ones; the ratio of each round's pair
# is printed too (min-max).
set -eu
BIN=${BIN:-build/default/bin}
SIZE_MB=${FCOPY_BENCH_MB:-1024}
ROUNDS=${FCOPY_BENCH_ROUNDS:-3}
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
trap '[ -z "$DPID" ] || kill $DPID 2>/dev/null; [ -z "${FCOPY_BENCH_KEEP:-}" ] || cp -r "$T/times" "$FCOPY_BENCH_KEEP"; rm -rf "$T"' EXIT
mkdir -p "$T/dst" "$T/times"
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom >"$T/src"
sync

secs() { # command...: prints elapsed seconds
	local s e
	s=$(date +%s.%N)
	"$@" >/dev/null 2>&1 || { echo "fcopy: failed: $*" >&2; return 1; }
	e=$(date +%s.%N)
	echo "$s $e" | awk '{ printf "%.3f", $2 - $1 }'
}
fresh() { # a new target file each time, with no write-back of the last one still going on
	rm -f "$T/dst"/*
	sync
}
note() { echo "$2" >>"$T/times/$1"; }
median() { sort -n "$T/times/$1" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
rate() { echo "$1" | awk -v mb="$SIZE_MB" '{ printf "%.0f", mb / $1 }'; }
ratio() { echo "$1 $2" | awk '{ printf "%.2f", $2 / $1 }'; } # time-ours time-limit
verdict() { echo "$1 $2" | awk '{ print ($1 >= $2) ? "met" : "NOT met" }'; }

REF=
if [ "$(id -u)" = 0 ] && [ -x /usr/sbin/hv_fcopy_daemon ] && [ -c /dev/fuse ]; then
	REF=/usr/sbin/hv_fcopy_daemon
fi
SIMPRE=() DPRE=() # taskset commands before hv-sim and before the daemon
fuse_copy() { # daemon...: one copy through hv-sim's FUSE character device
	"${SIMPRE[@]}" "$BIN/hv-sim" -q -s fcopy --sandbox -e wait-register \
		-e "fcopy copy src=$T/src path=$T/dst name=fuse flags=overwrite" -e "expect status=HV_S_OK" -- \
		"${DPRE[@]}" "$@"
}
# The CPUs for the FUSE pair: the first two we may run on.
CPUS=()
if [ -n "$REF" ] && command -v taskset >/dev/null; then
	mapfile -t CPUS < <(taskset -c -p $$ | sed 's/.*: //' | tr ',' '\n' |
		awk -F- '{ for (i = $1; i <= ($2 == "" ? $1 : $2); i++) print i }' | head -n 2)
	CPUS[0]=${FCOPY_BENCH_CPU:-${CPUS[0]}}
	[ "${#CPUS[@]}" -lt 2 ] || CPUS[1]=${FCOPY_BENCH_CPU2:-${CPUS[1]}}
fi
fuse_pair() { # round tag [hv-sim prefix...] -- [daemon prefix...]: ours and the reference, in turn
	local round=$1 tag=$2 who
	shift 2
	SIMPRE=()
	while [ "$1" != -- ]; do SIMPRE+=("$1"); shift; done
	shift
	DPRE=("$@")
	for who in $( [ $((round % 2)) = 1 ] && echo "ref ours" || echo "ours ref"); do
		fresh
		if [ "$who" = ours ]; then
			note "fuse$tag" "$(secs fuse_copy "$BIN/hv-fcopyd" -n --no-record)"
		else
			note "ref$tag" "$(secs fuse_copy "$REF" -n)"
		fi
	done
	echo "$(tail -n 1 "$T/times/ref$tag") $(tail -n 1 "$T/times/fuse$tag")" |
		awk '{ printf "%.2f\n", $1 / $2 }' >>"$T/times/pair$tag"
}

# The UIO daemon serves every round (it reconnects to each hv-sim run).
uiohost --root "$T/uio" --setup-only
"$BIN/hv-fcopyd" -n --no-record --uio --sysfs "$T/uio/sys" --dev "$T/uio/dev" \
	--uio-irq "$T/uio/dev/uio0.irq" 2>/dev/null &
DPID=$!

round=1
while [ "$round" -le "$ROUNDS" ]; do
	fresh
	note base "$(secs dd if="$T/src" of="$T/dst/base" bs=6144 conv=fsync)"
	fresh
	# The host times the copy itself (START to COMPLETE's reply), so start-up is not counted.
	line=$(uiohost -q --root "$T/uio" -e "bench src=$T/src path=$T/dst name=uio")
	note uio "$(echo "$line" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')"
	if [ "$round" = 1 ]; then
		cmp -s "$T/src" "$T/dst/uio" || { echo "fcopy: UIO copy differs from the source"; exit 1; }
	fi
	if line=$(uiohost -q --root "$T/sink" --sink -e "bench src=$T/src path=$T/dst name=sink" 2>/dev/null); then
		note sink "$(echo "$line" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')"
	fi
	fresh
	# Character device over a socketpair (includes daemon start-up and registration).
	note chr "$(secs "$BIN/hv-sim" -q -s fcopy -e wait-register \
		-e "fcopy copy src=$T/src path=$T/dst name=chr flags=overwrite" \
		-e "expect status=HV_S_OK" -- "$BIN/hv-fcopyd" -n --no-record)"
	if [ "$round" = 1 ]; then
		cmp -s "$T/src" "$T/dst/chr" || { echo "fcopy: char-device copy differs from the source"; exit 1; }
	fi
	if [ -n "$REF" ] && [ "${#CPUS[@]}" -ge 1 ]; then
		fuse_pair "$round" 1 taskset -c "${CPUS[0]}" --
		if [ "${#CPUS[@]}" -ge 2 ]; then
			fuse_pair "$round" 2 taskset -c "${CPUS[0]}" -- taskset -c "${CPUS[1]}"
		fi
	elif [ -n "$REF" ]; then
		fuse_pair "$round" 0 --
	fi
	round=$((round + 1))
done
kill $DPID
wait $DPID 2>/dev/null || true
DPID=

base=$(median base) uio=$(median uio) chr=$(median chr)
echo "fcopy: $SIZE_MB MiB in 6144-byte chunks, medians of $ROUNDS alternating rounds"
echo "fcopy: plain write (dd bs=6144 conv=fsync, the limit): ${base}s, $(rate "$base") MiB/s"
r=$(ratio "$uio" "$base")
echo "fcopy: UIO transport: ${uio}s, $(rate "$uio") MiB/s, $r of the plain write (target 0.80: $(verdict "$r" 0.80))"
if [ -s "$T/times/sink" ]; then
	sink=$(median sink)
	echo "fcopy: UIO host and rings alone (--sink, nothing written): ${sink}s, $(rate "$sink") MiB/s;" \
		"so of the UIO copy about ${sink}s is transport and $(echo "$uio $sink" | awk '{ printf "%.3f", $1 - $2 }')s the daemon's writing"
fi
echo "fcopy: character device (socket): ${chr}s, $(rate "$chr") MiB/s, $(ratio "$chr" "$base") of the plain write"
fuse_line() { # tag what
	local fuse ref r
	[ -s "$T/times/fuse$1" ] || return 0
	fuse=$(median "fuse$1") ref=$(median "ref$1")
	r=$(ratio "$fuse" "$ref")
	echo "fcopy: character device (FUSE, $2): hv-fcopyd ${fuse}s ($(rate "$fuse") MiB/s, $(ratio "$fuse" "$base") of the plain write)," \
		"reference hv_fcopy_daemon ${ref}s ($(rate "$ref") MiB/s, no fsync): ours at $r of the reference's rate" \
		"(rounds $(sort -n "$T/times/pair$1" | sed -n '1p;$p' | paste -sd- -); target 1.00: $(verdict "$r" 1.00))"
}
if [ -n "$REF" ]; then
	fuse_line 1 "hv-sim and the daemon on CPU ${CPUS[0]:-}"
	fuse_line 2 "hv-sim on CPU ${CPUS[0]:-}, the daemon on CPU ${CPUS[1]:-}"
	fuse_line 0 "unpinned, no taskset"
else
	echo "fcopy: reference comparison skipped (needs root, /dev/fuse and hyperv-daemons)"
fi
