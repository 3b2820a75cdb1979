#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hv-fcopyd on the UIO transport against hv-sim's fcopy-uio host: a fake sysfs (class id,
# channel ring size, uio device, new_id), the rings in a shared file and interrupts over a
# socket, real IC packets with UTF-16LE names and a version negotiation.  Byte-identical
# copies of every size and of non-ASCII and astral names; two ring sizes; binding through
# new_id; bad input (.., symlinks, invalid UTF-16, wrong sizes, writes past the size, no
# common version); cancel; a host that vanishes or goes silent mid-copy; the reference name.
# timeout: 300
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/common.inc"

make_sources
D=$TMP/dst
mkdir -p "$D" "$TMP/outside"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	_tap_cleanup
}
trap cleanup EXIT

start_daemon() { # root, daemon-binary, extra args...
	local r=$1 bin=$2
	shift 2
	"$bin" -n --uio --state-dir "$TMP/state" --sysfs "$r/sys" --dev "$r/dev" --uio-irq "$r/dev/uio0.irq" "$@" \
		2>>"$TMP/daemon.log" &
	pids+=($!)
	DPID=$!
}

R=$TMP/uio
check "host builds the simulated sysfs and uio device" uiohost --root "$R" --setup-only
start_daemon "$R" "$BIN/hv-fcopyd" --allow "$D" --max-size 64M --timeout 2
host() { uiohost -q --root "$R" "$@"; }

# -- copies -------------------------------------------------------------------------------------
args=()
for f in $SOURCES; do
	args+=(-e "copy src=$TMP/src/$f path=$D name=$f" -e "expect status=HV_S_OK")
done
NAME1=$'\xc3\xa9t\xc3\xa9 \xe2\x82\xac'          # "été €"
NAME2=$'\xf0\x9f\x98\x80\xf0\x90\x90\xb7-astral' # U+1F600 U+10437
args+=(-e "copy src=$TMP/src/f6145 path=$D name=\"$NAME1\"" -e "expect status=HV_S_OK")
args+=(-e "copy src=$TMP/src/one path=$D name=\"$NAME2\"" -e "expect status=HV_S_OK")
check "negotiation and every copy answered HV_S_OK" host "${args[@]}"
for f in $SOURCES; do
	same_sha "$TMP/src/$f" "$D/$f"
	ok $? "$f: same sha256 as the source"
done
same_sha "$TMP/src/f6145" "$D/$NAME1"
ok $? "non-ASCII name decoded from UTF-16 (not turned into X)"
same_sha "$TMP/src/one" "$D/$NAME2"
ok $? "astral-plane name (surrogate pairs) decoded"
grep -q 'negotiated framework 3.0, file copy 1.1' "$TMP/daemon.log"
ok $? "daemon negotiated framework 3.0 and file copy 1.1"

# -- bad input ----------------------------------------------------------------------------------
ln -s "$TMP/outside" "$D/abslink"
ln -s "$TMP/outside/victim" "$D/planted"
check "bad input gets clear errors and the daemon keeps serving" host \
	-e "start path=$D/../outside name=dotdot size=1" -e "expect status=HV_INVALIDARG" \
	-e "start path=$D/abslink name=via-link size=1" -e "expect status=E_ACCESSDENIED" \
	-e "start path=$D name=planted size=1 flags=overwrite" -e "expect status=E_ACCESSDENIED" \
	-e "start path=$TMP/outside name=outside size=1" -e "expect status=E_ACCESSDENIED" \
	-e "start path=$D name=lone name-hex=3dd8410000 size=1" -e "expect status=HV_INVALIDARG" \
	-e "start path=$D name=low name-hex=00dc0000 size=1" -e "expect status=HV_INVALIDARG" \
	-e "start path=$D name=past size=3" -e "expect status=HV_S_OK" \
	-e "write offset=0 text=hello" -e "expect status=HV_INVALIDARG" \
	-e "start path=$D name=frag size=10000" -e "write offset=0 text=ab size=7000" \
	-e "expect status=HV_INVALIDARG" \
	-e "op code=1 len=20" -e "expect status=HV_INVALIDARG" \
	-e "op code=0 len=100" -e "expect status=HV_INVALIDARG" \
	-e "op code=9" -e "expect status=HV_E_FAIL" \
	-e "start path=$D name=short size=10" -e "write offset=0 text=abc" -e complete \
	-e "expect status=HV_E_FAIL" \
	-e "start path=$D name=cancelled size=100" -e "write offset=0 text=abc" -e cancel \
	-e "expect status=HV_S_OK" \
	-e "negotiate fw-major=9" -e "expect status=HV_E_FAIL" \
	-e "copy src=$TMP/src/f6144 path=$D name=alive" -e "expect status=HV_S_OK"
[ ! -e "$TMP/outside/victim" ] && [ -z "$(ls -A "$TMP/outside")" ]
ok $? "nothing was written outside the allowed folder"
left=
for f in dotdot lone low past frag short cancelled; do [ -e "$D/$f" ] && left="$left $f"; done
[ -z "$left" ]
ok $? "refused, short and cancelled copies left no file${left:+ (left:$left)}"
no_tmp_files "$D"
ok $? "no temporary files after bad input"

# -- the host vanishes, then goes silent ------------------------------------------------------
check "host vanishes in the middle of a copy" host \
	-e "start path=$D name=vanished size=100" -e "write offset=0 text=partial" -e vanish
check "daemon reconnects to the next host and copies" host \
	-e "copy src=$TMP/src/f12288 path=$D name=after-vanish" -e "expect status=HV_S_OK"
[ ! -e "$D/vanished" ] && same_sha "$TMP/src/f12288" "$D/after-vanish"
ok $? "the vanished copy left nothing; the next one is byte-identical"
check "silent host: the copy is abandoned after --timeout" host \
	-e "start path=$D name=silent size=100" -e "write offset=0 text=partial" \
	-e "sleep 2600" -e "write offset=7 text=more" -e "expect status=HV_E_FAIL"
[ ! -e "$D/silent" ] && no_tmp_files "$D"
ok $? "the abandoned copy left nothing behind"
kill -0 "$DPID"
ok $? "daemon still running after all of it"
grep -q 'partial file removed' "$TMP/daemon.log"
ok $? "the daemon said it removed the partial file"

# -- the first daemon's 16 KiB rings, binding through new_id, the reference name -----------------
R2=$TMP/uio2
ln -s "$BIN/hv-fcopyd" "$TMP/hv_fcopy_uio_daemon"
check "unbound tree with 0x4000-byte rings" uiohost --root "$R2" --ring-size 0x4000 --unbound --setup-only
start_daemon "$R2" "$TMP/hv_fcopy_uio_daemon"
check "hv_fcopy_uio_daemon binds via new_id and copies through 16 KiB rings" \
	uiohost -q --root "$R2" --ring-size 0x4000 --unbound \
	-e "copy src=$TMP/src/large path=$D name=small-rings" -e "expect status=HV_S_OK"
same_sha "$TMP/src/large" "$D/small-rings"
ok $? "large file through small rings is byte-identical"
grep -q 34d14be3-dee4-41c8-9ae7-6b174977c192 "$R2/sys/bus/vmbus/drivers/uio_hv_generic/new_id"
ok $? "the daemon wrote the file-copy class to new_id"
ps -o args= -p "$DPID" | grep -q '^[^ ]*hv_fcopy_uio_daemon -n'
ok $? "ps shows the reference name"

# -- the bench's sink: the host and rings alone, nothing written ---------------------------------
if "$BIN/hv-sim" fcopy-uio --help >/dev/null 2>&1; then
	out=$(uiohost -q --root "$TMP/sink" --sink -e "bench src=$TMP/src/large path=$D name=sunk" \
		-e "expect status=HV_S_OK" -e "complete" -e "expect status=HV_S_OK")
	ok $? "--sink: a guest in hv-sim answers the copy and exits when the host does"
	case $out in *"bench fcopy-uio bytes=$(wc -c <"$TMP/src/large") "*) true ;; *) false ;; esac
	ok $? "--sink: the bench line counts every byte"
	[ ! -e "$D/sunk" ]
	ok $? "--sink: and nothing was written"
else
	for _ in 1 2 3; do skip "--sink: hv-sim was built without fcopy-uio"; done
fi
tap_done
