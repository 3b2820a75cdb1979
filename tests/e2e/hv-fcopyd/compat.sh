#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Compatibility with the reference: Debian's hv_fcopy_daemon (hyperv-daemons) and hv-fcopyd,
# each unmodified on /dev/vmbus/hv_fcopy inside hv-sim's sandbox (FUSE device, private mount
# namespace), get the same scenarios and must give the same files and the same replies,
# except for the documented fixes (docs/fcopy.md): mode 0644 instead of 0744, create-path
# creates the last folder too, and a missing folder is reported as ERROR_PATH_NOT_FOUND
# instead of E_FAIL.
# timeout: 120
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/common.inc"
need_root "hv-sim --sandbox mounts a FUSE device in a private mount namespace"
REF=/usr/sbin/hv_fcopy_daemon
[ -x "$REF" ] || { echo "1..0 # SKIP $REF missing (scripts/packages.d/fcopyd.list: hyperv-daemons)"; exit 77; }
[ -x "$BIN/hv-sim" ] || { echo "1..0 # SKIP hv-sim is not built in $BIN"; exit 77; }
[ -c /dev/fuse ] || { echo "1..0 # SKIP no /dev/fuse"; exit 77; }

make_sources
printf 'new' >"$TMP/src/new"

# scenario DEST-DIR EXPECT-MISSING-FOLDER EXPECT-CREATE-LAST: the same requests for both.
scenario() {
	local d=$1 missing=$2 createlast=$3 f
	args=(-e wait-register)
	for f in $SOURCES; do
		args+=(-e "fcopy copy src=$TMP/src/$f path=$d name=$f" -e "expect status=HV_S_OK")
	done
	args+=(-e "fcopy copy src=$TMP/src/new path=$d name=one" \
		-e "expect status=HV_ERROR_ALREADY_EXISTS" \
		-e "fcopy copy src=$TMP/src/new path=$d name=f6144 flags=overwrite" \
		-e "expect status=HV_S_OK" \
		-e "fcopy copy src=$TMP/src/new path=$d/a/b name=n flags=create-path" \
		-e "expect status=$createlast" \
		-e "fcopy copy src=$TMP/src/new path=$d/a/b/ name=m flags=create-path" \
		-e "expect status=HV_S_OK" \
		-e "fcopy copy src=$TMP/src/new path=$d/nowhere name=x" -e "expect status=$missing" \
		-e "fcopy start path=$d name=cancelled size=100" -e "fcopy write offset=0 text=abc" \
		-e "fcopy cancel" -e "expect status=HV_S_OK" \
		-e "fcopy copy src=$TMP/src/one path=$d name=after-cancel" -e "expect status=HV_S_OK")
}

mkdir -p "$TMP/ref" "$TMP/our" "$TMP/state-ref" "$TMP/state-our"
scenario "$TMP/ref" HV_E_FAIL HV_E_FAIL
check "reference hv_fcopy_daemon gives the expected replies" \
	"$BIN/hv-sim" -q -s fcopy --sandbox --state-dir "$TMP/state-ref" "${args[@]}" -- "$REF" -n
scenario "$TMP/our" 0x80070003 HV_S_OK
check "hv-fcopyd gives the same replies (with the documented fixes)" \
	"$BIN/hv-sim" -q -s fcopy --sandbox --state-dir "$TMP/state-our" "${args[@]}" -- "$BIN/hv-fcopyd" -n

for f in $SOURCES f6144 one after-cancel a/b/m; do
	same_sha "$TMP/ref/$f" "$TMP/our/$f"
	ok $? "$f: same bytes from both daemons"
done
[ ! -e "$TMP/ref/cancelled" ] && [ ! -e "$TMP/our/cancelled" ]
ok $? "cancel leaves no file with either daemon"
[ "$(stat -c %a "$TMP/ref/one")" = 744 ] && [ "$(stat -c %a "$TMP/our/one")" = 644 ]
ok $? "documented fix: new files are 0644, not the reference's 0744"
[ ! -e "$TMP/ref/a/b/n" ] && [ -f "$TMP/our/a/b/n" ]
ok $? "documented fix: create-path creates the last folder too"

# Hibernation on the real device: the kernel queues a fake CANCEL and refuses the reply with
# EINVAL; the daemon removes the partial file, reopens and registers again.  (The sleep lets
# the daemon take the fake CANCEL: wait-register alone returns at once, as the daemon has not
# closed the device yet.)
mkdir -p "$TMP/fuse" "$TMP/hib"
check "hibernation mid-copy: partial file removed, daemon re-registers and copies" \
	"$BIN/hv-sim" -q -s fcopy --fuse "$TMP/fuse" -e wait-register \
	-e "fcopy start path=$TMP/hib name=h size=10" -e "fcopy write offset=0 text=abc" \
	-e hibernate -e "sleep 1000" -e "wait-register timeout=10000" \
	-e "fcopy copy src=$TMP/src/f6145 path=$TMP/hib name=after" -e "expect status=HV_S_OK" \
	-- "$BIN/hv-fcopyd" -n --device "$TMP/fuse/hv_fcopy" --state-dir "$TMP/state-our"
[ ! -e "$TMP/hib/h" ] && no_tmp_files "$TMP/hib" && same_sha "$TMP/src/f6145" "$TMP/hib/after"
ok $? "nothing left of the interrupted copy; the next one is byte-identical"
tap_done
