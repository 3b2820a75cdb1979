#!/bin/bash
# SPDX-License-Identifier: MIT
# make bench, VSS part: FREEZE and THAW latency with 1, 4 and 8 filesystems, hv-vssd through
# hv-sim against a bare fsfreeze loop over the same mounts in the same run (the target: within
# 10% of it), against the FIFREEZE/FITHAW ioctls alone (the floor of any daemon), and against
# the reference daemon (Debian's /usr/sbin/hv_vss_daemon) on the same FUSE device.
#
# Everything happens in a private mount namespace on filesystems this script makes: ext4 and
# xfs images (alternately) in a tmpfs, on loop devices, mounted under a tmpfs root $R.  The
# EXIT trap thaws, unmounts and detaches them all.  hv-vssd only ever gets --include of those
# mounts and --exclude /, as tests/e2e/hv-vssd do.
#
# The reference daemon freezes every read-write mount whose source is under /dev/ (it skips
# loop devices through sysfs), and a freeze acts machine-wide.  So it runs chrooted into $R,
# which holds only read-only binds of /usr, /etc, /lib64, the built programs, proc (no sysfs),
# hv-sim's FUSE device and the bench's images, mounted there as /dev/hvbenchN (device nodes of
# the loop devices, so the source names are not /dev/loop*).  Before every FREEZE
# tests/data/hv-vssd/bench/vssbench.py reads the daemon's own /proc/PID/mounts and mountinfo
# and refuses to send it if any mount the daemon would freeze is not one of the bench's loop
# devices, or is "/"; the reference part is then dropped with the reason printed.  hv-vssd
# runs the same way (FUSE, chroot) for that comparison, and over hv-sim's socket mode in the
# namespace for the comparison with the bare loop.
#
# Latency is host request to reply: vssbench.py times each "vss freeze"/"vss thaw" over
# hv-sim's control socket and the median control round trip (a "vss get-dm-info", answered by
# the simulated kernel) is subtracted.  The bare loop freezes in hv-vssd's order (reverse
# mount order) and thaws in the reverse of that; each full set is one sample.  hv-sim's
# built-in responder (answers at once, freezes nothing) gives the transports' own cost.
# VSS_BENCH_ROUNDS sets the number of rounds (default 50); the whole part takes about 15 s.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
say() { printf '%s\n' "vss: $*"; }
BIN=${BIN:-build/default/bin}
PY=/usr/bin/python3
REF=/usr/sbin/hv_vss_daemon
ROUNDS=${VSS_BENCH_ROUNDS:-50}
HELPER=$(cd "$(dirname "$0")/../.." && pwd)/tests/data/hv-vssd/bench/vssbench.py
if [ "$(id -u)" != 0 ]; then say "skipped: needs root (loop devices, mounts, FIFREEZE)"; exit 0; fi
for t in losetup mkfs.ext4 mkfs.xfs fsfreeze unshare chroot mknod stat; do
	command -v "$t" >/dev/null || { say "skipped: $t is not installed (scripts/setup installs it)"; exit 0; }
done
for f in "$BIN/hv-vssd" "$BIN/hv-sim" "$PY" "$HELPER"; do
	[ -e "$f" ] || { say "skipped: $f missing"; exit 0; }
done
[ -n "${VSS_BENCH_NS:-}" ] || VSS_BENCH_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
BIN=$(cd "$BIN" && pwd)

T=$(mktemp -d /tmp/hvguest-bench-vss.XXXXXX)
R=$T/root
SIM=
LOOPS=
MOUNTED=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	if [ -n "$SIM" ]; then
		kill "$SIM" 2>/dev/null
		wait "$SIM" 2>/dev/null
	fi
	for m in $MOUNTED; do
		fsfreeze -u "$m" 2>/dev/null
		umount "$m" 2>/dev/null || umount -l "$m"
	done
	for l in $LOOPS; do losetup -d "$l"; done
	mountpoint -q "$R" && umount -R -l "$R"
	mountpoint -q "$T" && umount -l "$T"
	rmdir "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# The images live in RAM, so a freeze's flush costs no disk time and the numbers show the
# daemons, not the machine's disk.
mount -t tmpfs -o mode=700 tmpfs "$T" || { say "skipped: cannot mount a tmpfs"; exit 0; }
mkdir -p "$R" "$T/img" "$T/run" "$T/nohooks"
mount -t tmpfs -o mode=755 tmpfs "$R" || { say "skipped: cannot mount a tmpfs"; exit 0; }
mkdir -p "$R/usr" "$R/etc" "$R/proc" "$R/dev/vmbus" "$R/tmp/run" "$R/tmp/none" "$R/hv" "$R/mnt"
for d in usr etc lib64; do
	[ -d "/$d" ] || continue
	mkdir -p "$R/$d"
	if ! mount --bind "/$d" "$R/$d" || ! mount -o remount,bind,ro "$R/$d"; then
		say "skipped: cannot bind /$d read-only"
		exit 0
	fi
done
ln -s usr/bin "$R/bin"
ln -s usr/lib "$R/lib"
ln -s usr/sbin "$R/sbin"
mount --bind "$BIN" "$R/hv" && mount -o remount,bind,ro "$R/hv"
mount -t proc proc "$R/proc"
mknod -m 666 "$R/dev/null" c 1 3

# Eight images: odd ones ext4 (32 MiB), even ones xfs (300 MiB, xfs's minimum; sparse).
declare -a FST DEVNO
for i in 1 2 3 4 5 6 7 8; do
	img=$T/img/fs$i.img
	if [ $((i % 2)) = 1 ]; then
		FST[i]=ext4
		truncate -s 32M "$img" && mkfs.ext4 -q -F "$img"
	else
		FST[i]=xfs
		truncate -s 300M "$img" && mkfs.xfs -q "$img"
	fi || { say "failed: mkfs ${FST[i]}"; exit 1; }
	l=$(losetup -f --show "$img") || { say "failed: losetup"; exit 1; }
	LOOPS="$LOOPS $l"
	DEVNO[i]=$(stat -c '%Hr:%Lr' "$l")
	mknod "$R/dev/hvbench$i" b "${DEVNO[i]%:*}" "${DEVNO[i]#*:}"
	mkdir "$R/mnt/fs$i"
done
mount_fs() { # i: mounted from inside the chroot, so the source reads /dev/hvbenchI
	chroot "$R" /usr/bin/mount -t "${FST[$1]}" "/dev/hvbench$1" "/mnt/fs$1" || { say "failed: mount fs$1"; exit 1; }
	MOUNTED="$R/mnt/fs$1 $MOUNTED"
}

REF_OK=
if [ ! -x "$REF" ]; then
	REF_WHY="no $REF (Debian package hyperv-daemons)"
elif [ ! -c /dev/fuse ]; then
	REF_WHY="no /dev/fuse"
else
	REF_OK=1
fi

# start_sim NAME fuse|socket DAEMON...: hv-sim in control mode, waits for the registration.
start_sim() {
	local name=$1 mode=$2
	shift 2
	CTL=$T/$name.ctl
	rm -f "$CTL"
	if [ "$mode" = fuse ]; then
		"$BIN/hv-sim" -s vss -q --fuse "$R/dev/vmbus" --control "$CTL" -- chroot "$R" "$@" >"$T/$name.out" 2>&1 &
	else
		"$BIN/hv-sim" -s vss -q --control "$CTL" -- "$@" >"$T/$name.out" 2>&1 &
	fi
	SIM=$!
	"$BIN/hv-sim" ctl "$CTL" wait-register timeout=10000 >/dev/null || { say "$name: no registration"; sed 's/^/  /' "$T/$name.out"; exit 1; }
}
stop_sim() {
	"$BIN/hv-sim" ctl "$CTL" quit >/dev/null
	wait "$SIM"
	SIM=
}
daemon_pid() { # the child of hv-sim named $1
	local p
	for p in $(pgrep -P "$SIM"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$1" ] && { echo "$p"; return; }
	done
}
record() { # n what helper-output
	printf '%s %s %s\n' "$1" "$2" "$3" >>"$T/results"
}

OURS_NS="$BIN/hv-vssd -n --config /dev/null --include $R/mnt/* --exclude / --run-dir $T/run --no-record --hook-dir $T/nohooks --no-legacy-hooks"
OURS_CHROOT="/hv/hv-vssd -n --config /dev/null --device /dev/vmbus/hv_vss --include /mnt/* --exclude / --run-dir /tmp/run --no-record --hook-dir /tmp/none --no-legacy-hooks"
set -f # the daemon options hold patterns

say "FREEZE/THAW latency, $ROUNDS rounds per case, images on loop devices over tmpfs"
# The transport's floor: hv-sim's built-in responder answers at once and freezes nothing.
start_sim resp socket "$BIN/hv-sim" responder -s vss
out=$($PY "$HELPER" daemon "$CTL" "$ROUNDS") || { say "failed: responder run"; stop_sim; exit 1; }
stop_sim
record 0 resp "$out"
start_sim respfuse fuse /hv/hv-sim responder -s vss --device /dev/vmbus/hv_vss
out=$($PY "$HELPER" daemon "$CTL" "$ROUNDS") || { say "failed: responder (FUSE) run"; stop_sim; exit 1; }
stop_sim
record 0 respfuse "$out"
have=0
for n in 1 4 8; do
	while [ $have -lt $n ]; do
		have=$((have + 1))
		mount_fs $have
	done
	# hv-vssd's order: reverse mount order ($MOUNTED is kept that way)
	read -ra order <<<"$MOUNTED"
	allowed=
	for i in $(seq 1 $n); do allowed="$allowed${allowed:+,}${DEVNO[i]}"; done

	# hv-vssd must select exactly our n mounts, in the order the bare loop uses
	# shellcheck disable=SC2086
	sel=$($OURS_NS --check 2>&1 | awk '/^# freeze order/ { on = 1; next } /^#/ { on = 0 } on && $1 ~ /^[0-9]+\.$/ { printf "%s ", $2 }')
	[ "$sel" = "$MOUNTED" ] || { say "failed: hv-vssd --check would freeze '$sel', expected '$MOUNTED'"; exit 1; }

	# one unrecorded round first: the first freeze after a mount writes more than later ones
	$PY "$HELPER" bare ioctl 1 "${order[@]}" >/dev/null || { say "failed: warm-up freeze"; exit 1; }
	out=$($PY "$HELPER" bare fsfreeze "$ROUNDS" "${order[@]}") || { say "failed: bare fsfreeze loop"; exit 1; }
	record $n bare "$out"
	out=$($PY "$HELPER" bare ioctl "$ROUNDS" "${order[@]}") || { say "failed: bare ioctl loop"; exit 1; }
	record $n ioctl "$out"

	# shellcheck disable=SC2086
	start_sim ours-$n socket $OURS_NS
	out=$($PY "$HELPER" daemon "$CTL" "$ROUNDS" "${order[@]}") || { say "failed: hv-vssd (socket) run"; stop_sim; exit 1; }
	stop_sim
	record $n ours "$out"

	# shellcheck disable=SC2086
	start_sim oursfuse-$n fuse $OURS_CHROOT
	out=$($PY "$HELPER" daemon "$CTL" "$ROUNDS" "${order[@]}") || { say "failed: hv-vssd (FUSE, chroot) run"; stop_sim; exit 1; }
	stop_sim
	record $n oursfuse "$out"

	if [ -n "$REF_OK" ]; then
		start_sim ref-$n fuse "$REF" -n
		pid=$(daemon_pid hv_vss_daemon)
		if [ -z "$pid" ]; then
			REF_OK='' REF_WHY="cannot find the reference daemon's pid"
		else
			out=$($PY "$HELPER" daemon "$CTL" "$ROUNDS" --guard "$pid" "$allowed" "${order[@]}" 2>"$T/ref-$n.err")
			rc=$?
			case $rc in
			0) record $n ref "$out" ;;
			3) REF_OK='' REF_WHY="the safety check refused: $(cat "$T/ref-$n.err")" ;;
			*) REF_OK='' REF_WHY="the reference run failed: $(cat "$T/ref-$n.err")" ;;
			esac
		fi
		stop_sim
	fi
done

# Table and ratios; ours = measured minus the control round trip.
awk -v target=1.10 -v rounds="$ROUNDS" '
function f(s, k,   i, a) {
	for (i = 1; i <= NF; i++) { split($i, a, "="); if (a[1] == k) return a[2] }
	return ""
}
{
	n = $1; w = $2; c = f($0, "ctl_p50_us") + 0
	fp[n, w] = f($0, "freeze_p50_us") - c; fm[n, w] = f($0, "freeze_mean_us") - c
	tp[n, w] = f($0, "thaw_p50_us") - c;   tm[n, w] = f($0, "thaw_mean_us") - c
	ctl[n, w] = c; seen[n, w] = 1; if (!(n in ns)) { ns[n] = 1; order[++nn] = n }
}
END {
	name["bare"] = "bare fsfreeze loop"; name["ioctl"] = "FIFREEZE ioctl loop"
	name["ours"] = "hv-vssd (socket)"; name["oursfuse"] = "hv-vssd (FUSE)"
	name["ref"] = "hv_vss_daemon (FUSE)"
	name["resp"] = "responder (socket)"; name["respfuse"] = "responder (FUSE)"
	split("resp respfuse bare ioctl ours oursfuse ref", ws, " ")
	printf "\n%-3s %-22s %11s %11s %11s %11s %9s\n", "fs", "", "freeze p50", "mean", "thaw p50", "mean", "ctl rtt"
	for (k = 1; k <= nn; k++) {
		n = order[k]
		for (j = 1; j <= 7; j++) {
			w = ws[j]
			if (!seen[n, w]) continue
			printf "%-3s %-22s %9.0fus %9.0fus %9.0fus %9.0fus", n, name[w], fp[n, w], fm[n, w], tp[n, w], tm[n, w]
			if (ctl[n, w]) printf " %7.0fus\n", ctl[n, w]; else printf " %9s\n", "-"
		}
	}
	met = 1
	printf "\nratios (p50; below 1 means hv-vssd is faster):\n"
	for (k = 1; k <= nn; k++) {
		n = order[k]
		if (n == 0) continue
		rf = fp[n, "ours"] / fp[n, "bare"]; rt = tp[n, "ours"] / tp[n, "bare"]
		if (rf > target || rt > target) met = 0
		printf "  %d fs: hv-vssd/bare fsfreeze  freeze %.2f  thaw %.2f", n, rf, rt
		printf "   hv-vssd/ioctl  freeze %.2f  thaw %.2f", fp[n, "ours"] / fp[n, "ioctl"], tp[n, "ours"] / tp[n, "ioctl"]
		if (seen[n, "ref"])
			printf "   hv-vssd/reference (FUSE)  freeze %.2f  thaw %.2f", fp[n, "oursfuse"] / fp[n, "ref"], tp[n, "oursfuse"] / tp[n, "ref"]
		printf "\n"
	}
	printf "target (hv-vssd within 10%% of the bare fsfreeze loop, freeze and thaw, 1/4/8 fs): %s\n", met ? "met" : "NOT met"
}' "$T/results"
[ -n "$REF_OK" ] || say "reference hv_vss_daemon not measured: $REF_WHY"
exit 0
