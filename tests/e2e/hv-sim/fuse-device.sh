#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hv-sim's FUSE device file behaves as the kernel's /dev/vmbus/hv_kvp, exact errno values
# included: EBUSY for a second opener, EINVAL for bad sizes and late replies, one message per
# read, blocking reads and poll that wake up, timeouts (short override), reset on close, and
# EBADF/POLLHUP after a driver reload.  Runs in a private mount namespace.
. "$(dirname "$0")/../../lib/tap.sh"
need_root "FUSE mounts need root"
[ -c /dev/fuse ] || { echo "1..0 # SKIP /dev/fuse is missing"; exit 77; }
[ -x /usr/bin/python3 ] || { echo "1..0 # SKIP /usr/bin/python3 is missing"; exit 77; }
if [ -z "${HVSIM_IN_NS:-}" ]; then
	HVSIM_IN_NS=1 exec unshare --mount --propagation private "$0" "$@"
fi

mkdir "$TMP/dev"
"$BIN/hv-sim" -s kvp -q --fuse "$TMP/dev" --control "$TMP/ctl" --timeout 1s \
	>"$TMP/sim.out" 2>"$TMP/sim.err" &
sim=$!
for _ in $(seq 100); do [ -e "$TMP/dev/hv_kvp" ] && break; sleep 0.05; done
check "the device file hv_kvp appears" test -e "$TMP/dev/hv_kvp"
check "only the simulated service's file" test ! -e "$TMP/dev/hv_vss"

timeout 60 /usr/bin/python3 "$TOP/tests/data/hv-sim/fuse_client.py" "$TMP/dev/hv_kvp" \
	"$BIN/hv-sim" "$TMP/ctl" >"$TMP/client.out" 2>&1
while read -r st desc; do
	case $st in
	PASS) ok 0 "$desc" ;;
	FAIL) ok 1 "$desc" ;;
	*) diag "$st $desc" ;;
	esac
done <"$TMP/client.out"
grep -q '^PASS' "$TMP/client.out"
ok $? "the client ran"

"$BIN/hv-sim" ctl "$TMP/ctl" quit >/dev/null
wait $sim
ok $? "hv-sim exits 0 on quit"
! grep -q " $TMP/dev " /proc/self/mounts
ok $? "the FUSE file system is unmounted at exit"

for svc in vss fcopy; do
	"$BIN/hv-sim" -s $svc -q --fuse "$TMP/dev" --control "$TMP/ctl-$svc" >/dev/null 2>&1 &
	sim=$!
	for _ in $(seq 100); do [ -e "$TMP/dev/hv_$svc" ] && break; sleep 0.05; done
	timeout 30 /usr/bin/python3 "$TOP/tests/data/hv-sim/fuse_sizes.py" $svc "$TMP/dev/hv_$svc" \
		>"$TMP/$svc.out" 2>&1
	while read -r st desc; do
		case $st in PASS) ok 0 "$desc" ;; FAIL) ok 1 "$desc" ;; *) diag "$st $desc" ;; esac
	done <"$TMP/$svc.out"
	check "$svc: the host saw the registration and the close" "$BIN/hv-sim" ctl "$TMP/ctl-$svc" \
		expect state=init registrations=1 rejected=2
	"$BIN/hv-sim" ctl "$TMP/ctl-$svc" quit >/dev/null
	wait $sim
done
tap_done
