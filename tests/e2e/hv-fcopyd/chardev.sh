#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hv-fcopyd on the character-device transport, with hv-sim playing the host and the old
# hv_fcopy kernel driver: byte-identical copies of every size and of non-ASCII and astral
# names, then bad input (.., symlinks, a planted symlink, writes past the size, messages of
# wrong sizes, size limits, folders outside the allowed ones), cancel, a copy of several
# write-back steps and one cancelled after them, a host that resets mid-copy and a silent
# host - each with the right status, nothing left behind, daemon alive.
# timeout: 300
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/common.inc"
[ -x "$BIN/hv-sim" ] || { echo "1..0 # SKIP hv-sim is not built in $BIN"; exit 77; }

make_sources
D=$TMP/dst
mkdir -p "$D" "$TMP/outside"
sim() { "$BIN/hv-sim" -q -s fcopy "$@"; }

# -- copies ---------------------------------------------------------------------------------
args=(-e wait-register)
for f in $SOURCES; do
	args+=(-e "fcopy copy src=$TMP/src/$f path=$D name=$f" -e "expect status=HV_S_OK")
done
NAME1=$'\xc3\xa9t\xc3\xa9 \xe2\x82\xac'          # "été €"
NAME2=$'\xf0\x9f\x98\x80\xf0\x90\x90\xb7-astral' # U+1F600 U+10437
args+=(-e "fcopy copy src=$TMP/src/f6145 path=$D name=\"$NAME1\"" -e "expect status=HV_S_OK")
args+=(-e "fcopy copy src=$TMP/src/one path=$D name=\"$NAME2\"" -e "expect status=HV_S_OK")
check "hv-sim: every copy answered HV_S_OK" sim "${args[@]}" -- "$BIN/hv-fcopyd" -n --state-dir "$TMP/state" --allow "$D"
for f in $SOURCES; do
	same_sha "$TMP/src/$f" "$D/$f"
	ok $? "$f: same sha256 as the source"
done
same_sha "$TMP/src/f6145" "$D/$NAME1"
ok $? "non-ASCII name arrives as UTF-8"
same_sha "$TMP/src/one" "$D/$NAME2"
ok $? "astral-plane name arrives as UTF-8"
[ "$(stat -c %a "$D/one")" = 644 ]
ok $? "new files are 0644 by default"
no_tmp_files "$D"
ok $? "no temporary files after the copies"

# -- overwrite and create-path ----------------------------------------------------------------
printf 'new' >"$TMP/src/new"
check "overwrite only with the flag; create-path makes every level" sim -e wait-register \
	-e "fcopy copy src=$TMP/src/new path=$D name=one" -e "expect status=HV_ERROR_ALREADY_EXISTS" \
	-e "fcopy copy src=$TMP/src/new path=$D name=one flags=overwrite" -e "expect status=HV_S_OK" \
	-e "fcopy copy src=$TMP/src/new path=$D/a/b/c name=n" -e "expect status=0x80070003" \
	-e "fcopy copy src=$TMP/src/new path=$D/a/b/c name=n flags=create-path" -e "expect status=HV_S_OK" \
	-- "$BIN/hv-fcopyd" -n --state-dir "$TMP/state"
same_sha "$TMP/src/new" "$D/one" && same_sha "$TMP/src/new" "$D/a/b/c/n"
ok $? "overwritten file and file in created folders have the new bytes"

# -- bad input --------------------------------------------------------------------------------
ln -s "$TMP/outside" "$D/abslink"
ln -s "$TMP/outside/victim" "$D/planted"
check "bad input gets clear errors and the daemon keeps serving" sim -e wait-register \
	-e "fcopy start path=$D/../outside name=dotdot size=1" -e "expect status=HV_INVALIDARG" \
	-e "fcopy start path=$D/abslink name=via-link size=1" -e "expect status=0x80070005" \
	-e "fcopy start path=$D name=planted size=1 flags=overwrite" -e "expect status=0x80070005" \
	-e "fcopy start path=$TMP/outside name=outside size=1" -e "expect status=0x80070005" \
	-e "fcopy start path=$D name=past size=3" -e "expect status=HV_S_OK" \
	-e "fcopy write offset=0 text=hello" -e "expect status=HV_INVALIDARG" \
	-e "fcopy start path=$D name=bigfrag size=10000" -e "expect status=HV_S_OK" \
	-e "fcopy write offset=0 text=ab size=7000" -e "expect status=HV_INVALIDARG" \
	-e "fcopy write offset=0 text=ab" -e "expect status=HV_E_FAIL" \
	-e "raw hex=01000000 size=20" -e "expect reply-hex=57000780" \
	-e "raw hex=00000000 size=100" -e "expect reply-hex=57000780" \
	-e "raw hex=09000000 size=36" -e "expect reply-hex=05400080" \
	-e "fcopy start path=$D name=toolarge size=100000" -e "expect status=HV_ERROR_DISK_FULL" \
	-e "fcopy start path=$D name=short size=10" -e "fcopy write offset=0 text=abc" \
	-e "fcopy complete" -e "expect status=HV_E_FAIL" \
	-e "fcopy start path=$D name=ooo size=6" -e "fcopy write offset=3 text=def" \
	-e "fcopy write offset=0 text=abc" -e "fcopy complete" -e "expect status=HV_S_OK" \
	-e "fcopy start path=$D name=cancelled size=100" -e "fcopy write offset=0 text=abc" \
	-e "fcopy cancel" -e "expect status=HV_S_OK" \
	-e "fcopy copy src=$TMP/src/f6144 path=$D name=alive" -e "expect status=HV_S_OK" \
	-- "$BIN/hv-fcopyd" -n --state-dir "$TMP/state" --allow "$D" --max-size 64K
[ ! -e "$TMP/outside/victim" ] && [ -z "$(ls -A "$TMP/outside")" ]
ok $? "nothing was written outside the allowed folder"
[ -L "$D/planted" ]
ok $? "the planted symlink is left as it was"
for f in dotdot past bigfrag short cancelled; do
	[ ! -e "$D/$f" ] || { ok 1 "$f left a file"; continue; }
done
ok 0 "refused, short and cancelled copies left no file"
no_tmp_files "$D"
ok $? "no temporary files after bad input"
same_sha "$TMP/src/f6144" "$D/alive"
ok $? "a good copy after all that is byte-identical"
[ "$(cat "$D/ooo")" = abcdef ]
ok $? "writes out of order land at their offsets"
pool1() { tr '\0' '\n' <"$TMP/state/.kvp_pool_1" | grep -a .; }
pool1 | grep -q "^status=0x80004005 bytes=3 of=100 path=$D/cancelled why=cancelled by the host\$"
ok $? "the cancelled copy left a result record in KVP pool 1"
pool1 | grep -q "^status=0x00000000 bytes=6144 of=6144 path=$D/alive\$"
ok $? "the good copy left a result record in KVP pool 1"
[ "$(pool1 | grep -c '^hv-fcopyd\.result\.')" -le 17 ]
ok $? "pool 1 holds at most 16 result records and the counter"

# -- write-back across several 8 MiB steps ---------------------------------------------------
# Every 8 MiB the daemon starts the write-back of the newest 8 MiB, waits for the 8 MiB before
# them and drops those from the page cache: a copy of five steps must arrive byte-identical,
# and one the host cancels after three steps (26 MiB of 40, one WRITE per scenario line) must
# leave nothing behind.
head -c $((40 * 1024 * 1024)) /dev/urandom >"$TMP/src/steps"
{
	echo "wait-register"
	echo "fcopy copy src=$TMP/src/steps path=$D name=steps"
	echo "expect status=HV_S_OK"
	echo "fcopy start path=$D name=steps-cancelled size=$((40 * 1024 * 1024))"
	for ((o = 0; o < 26 * 1024 * 1024; o += 6144)); do
		echo "fcopy write offset=$o file=$TMP/src/steps file-offset=$o len=6144"
	done
	echo "expect status=HV_S_OK"
	echo "fcopy cancel"
	echo "expect status=HV_S_OK"
} >"$TMP/steps.scn"
check "a 40 MiB copy, and one cancelled after three write-back steps" \
	sim "$TMP/steps.scn" -- "$BIN/hv-fcopyd" -n --no-record
same_sha "$TMP/src/steps" "$D/steps"
ok $? "the 40 MiB copy is byte-identical across the write-back steps"
[ ! -e "$D/steps-cancelled" ] && no_tmp_files "$D"
ok $? "the copy cancelled after the write-back left nothing behind"
rm -f "$TMP/src/steps" "$D/steps" "$TMP/steps.scn"

# -- host resets mid-copy; daemon reconnects ----------------------------------------------------
check "device reset mid-copy: daemon re-registers and copies again" \
	sim --listen "$TMP/sock" -e wait-register \
	-e "fcopy start path=$D name=interrupted size=100" -e "fcopy write offset=0 text=partial" \
	-e reset -e "wait-register timeout=10000" \
	-e "fcopy copy src=$TMP/src/f12288 path=$D name=after-reset" -e "expect status=HV_S_OK" \
	-- "$BIN/hv-fcopyd" -n --state-dir "$TMP/state" --device "$TMP/sock"
[ ! -e "$D/interrupted" ] && no_tmp_files "$D"
ok $? "the interrupted copy left nothing behind"
same_sha "$TMP/src/f12288" "$D/after-reset"
ok $? "the copy after the reset is byte-identical"

# -- a host that goes silent ------------------------------------------------------------------
check "silent host: the open copy is abandoned after --timeout" sim -e wait-register \
	-e "fcopy start path=$D name=silent size=100" -e "fcopy write offset=0 text=partial" \
	-e "sleep 1500" -e "fcopy write offset=7 text=more" -e "expect status=HV_E_FAIL" \
	-e "fcopy copy src=$TMP/src/one path=$D name=after-silence" -e "expect status=HV_S_OK" \
	-- "$BIN/hv-fcopyd" -n --state-dir "$TMP/state" --timeout 1
[ ! -e "$D/silent" ] && no_tmp_files "$D"
ok $? "the abandoned copy left nothing behind"

# -- a stop signal while the daemon waits for the next message of a copy -------------------------
# In a copy the daemon reads without poll(); the periodic SIGALRM must still let SIGTERM stop it.
"$BIN/hv-sim" -q -s fcopy -e wait-register -e "fcopy start path=$D name=stopped size=100" -e "fcopy write offset=0 text=abc" \
	-e "sleep 4000" -- "$BIN/hv-fcopyd" -n --no-record --timeout 60 2>"$TMP/stop.log" &
SPID=$!
for _ in $(seq 100); do
	no_tmp_files "$D" || break
	sleep 0.05
done
DPID=$(pgrep -P "$SPID" -x hv-fcopyd)
[ -n "$DPID" ] && kill "$DPID"
for _ in $(seq 100); do # well before hv-sim's sleep ends
	grep -q 'stopped after' "$TMP/stop.log" && break
	sleep 0.02
done
grep -q 'signal 15' "$TMP/stop.log" && grep -q 'stopped after' "$TMP/stop.log" &&
	grep -q 'partial file removed' "$TMP/stop.log"
ok $? "SIGTERM in the middle of a copy stops the daemon and removes the partial file"
[ ! -e "$D/stopped" ] && no_tmp_files "$D"
ok $? "nothing left behind"
kill "$SPID" 2>/dev/null # hv-sim is still sleeping
wait "$SPID" 2>/dev/null

# -- policy from the configuration file, options winning ---------------------------------------
mkdir -p "$TMP/conf-ok" "$TMP/conf-other"
cat >"$TMP/hvguest.conf" <<CONF
[fcopyd]
allow = $TMP/conf-ok
mode = 0600
owner = nobody
group = 0
max-size = 8K
CONF
check "[fcopyd] settings apply: allow, mode, owner, group, max-size" sim -e wait-register \
	-e "fcopy copy src=$TMP/src/one path=$TMP/conf-ok name=p" -e "expect status=HV_S_OK" \
	-e "fcopy copy src=$TMP/src/one path=$TMP/conf-other name=p" -e "expect status=0x80070005" \
	-e "fcopy copy src=$TMP/src/f12288 path=$TMP/conf-ok name=big" -e "expect status=HV_ERROR_DISK_FULL" \
	-- "$BIN/hv-fcopyd" -n --state-dir "$TMP/state" -c "$TMP/hvguest.conf"
[ "$(stat -c '%a %U %g' "$TMP/conf-ok/p")" = "600 nobody 0" ]
ok $? "new file has mode 0600, owner nobody, group 0 (got $(stat -c '%a %U %g' "$TMP/conf-ok/p"))"
check "--allow on the command line replaces the file's list" sim -e wait-register \
	-e "fcopy copy src=$TMP/src/one path=$TMP/conf-other name=q" -e "expect status=HV_S_OK" \
	-- "$BIN/hv-fcopyd" -n --state-dir "$TMP/state" -c "$TMP/hvguest.conf" --allow "$TMP/conf-other"
printf '[fcopyd]\nallow = relative/path\n' >"$TMP/bad.conf"
"$BIN/hv-fcopyd" -n -c "$TMP/bad.conf" --device "$TMP/nowhere" 2>"$TMP/bad.err"
[ $? -eq 1 ] && grep -q "bad value 'relative/path' for 'allow'" "$TMP/bad.err"
ok $? "a bad setting is refused with its line, exit status 1"
"$BIN/hv-fcopyd" -n --mode 999 2>/dev/null
[ $? -eq 2 ]
ok $? "a bad option value is a usage error (exit status 2)"

# -- the reference name -------------------------------------------------------------------------
ln -s "$BIN/hv-fcopyd" "$TMP/hv_fcopy_daemon"
check "started as hv_fcopy_daemon with the reference flag -n" sim -e wait-register \
	-e "fcopy copy src=$TMP/src/one path=$D name=refname" -e "expect status=HV_S_OK" \
	-- "$TMP/hv_fcopy_daemon" -n --no-record
"$TMP/hv_fcopy_daemon" -h | grep -q '^usage: hv_fcopy_daemon'
ok $? "hv_fcopy_daemon -h names itself"
tap_done
