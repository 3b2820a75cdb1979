#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Crash consistency of the daemon: hv-sim (listen mode, control socket) sends a burst of SETs
# to pool 1 while hv-kvpd is SIGKILLed at a random moment; then hv-kvpd is started again and
# the next burst follows, several times.  After every kill, every pool file must load (hv-kvp
# list, the library's read-only view, which shows a change left pending in the journal) and
# hold every SET that got a success reply: per key the value of the last acknowledged SET or
# of a later one that was sent but not answered.  At the end the restarted daemon must serve
# the same values to the host and leave whole, zero-padded records on disk.  The log of what
# was sent and acknowledged is crashburst.py's; crashcheck.py compares.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/common.inc"
need_kvpd
need_sim
need_py
[ -x "$BIN/hv-kvp" ] || { echo "1..0 # SKIP hv-kvp not built in $BIN"; exit 77; }

S=$TMP/s CTL=$TMP/ctl LOG=$TMP/log
: >"$LOG"
"$BIN/hv-sim" -s kvp -q --listen "$TMP/sock" --control "$CTL" --register-timeout 300ms \
	>"$TMP/sim.out" 2>&1 &
# hv-kvpd is started only once hv-sim listens (a slow start, e.g. under ASan, would otherwise
# leave the first hv-kvpd without a device to connect to).
for _ in $(seq 100); do
	[ -S "$TMP/sock" ] && [ -S "$CTL" ] && break
	sleep 0.1
done

kvpd_pid=
start_kvpd() { # [slow-write-usec]
	HVKVPD_TEST_SLOW_WRITES=${1:-0} "$BIN/hv-kvpd" -n --device "$TMP/sock" --state-dir "$S" --config /dev/null \
		2>>"$TMP/kvpd.err" &
	kvpd_pid=$!
	ctl "$CTL" wait-register timeout=10000 >/dev/null
}
stop_all() {
	[ -z "$kvpd_pid" ] || kill -KILL "$kvpd_pid" 2>/dev/null
	ctl "$CTL" quit >/dev/null 2>&1
	{ wait; } 2>/dev/null
}
trap 'stop_all; _tap_cleanup' EXIT

# at most 16 iterations or about 12 seconds, whichever comes first
start=$SECONDS iter=0 kills_inside=0
while [ "$iter" -lt 16 ] && [ $((SECONDS - start)) -lt 12 ]; do
	iter=$((iter + 1))
	# one iteration in four at normal speed and killed at a random moment; the others with
	# writes slowed down (a kill then lands inside a change, often inside a half-written
	# record), two killed at a random moment and one right after a success reply
	mode=${CRASH_MODE:-$((iter % 4 == 3 ? 1 : iter % 4))} slow=0 burst_kill=()
	[ "$mode" = 0 ] || slow=3000
	start_kvpd $slow
	[ "$mode" != 2 ] || burst_kill=("$kvpd_pid" $((1 + RANDOM % 20)))
	check "iteration $iter: hv-kvpd registered" ctl "$CTL" expect state=ready
	first=$(($(grep -c '^sent' "$LOG") + 1000))
	$PY "$HERE/crashburst.py" "$CTL" "$LOG" "$first" "${burst_kill[@]}" >"$TMP/burst.out" 2>&1 &
	burst=$!
	# a random moment 20..420 ms into the burst
	[ "$mode" = 2 ] || sleep "0.$(printf '%03d' $((20 + RANDOM % 400)))"
	[ "$mode" = 2 ] || kill -KILL "$kvpd_pid"
	{ wait "$burst"; } 2>/dev/null
	st=$?
	kill -KILL "$kvpd_pid" 2>/dev/null
	{ wait "$kvpd_pid"; } 2>/dev/null
	kvpd_pid=
	[ "$st" = 0 ]
	ok $? "iteration $iter: burst ran ($(grep -c '^ack' "$LOG") SETs acknowledged so far)"
	sed 's/^/# /' "$TMP/burst.out"
	[ -s "$S/.kvp_journal_1" ] && od -An -tu4 -j16 -N4 "$S/.kvp_journal_1" | grep -qw 1 &&
		kills_inside=$((kills_inside + 1))
	for p in 0 1 2 3 4; do
		check "iteration $iter: pool $p loads after the kill" "$BIN/hv-kvp" -d "$S" list -p $p
	done
	"$BIN/hv-kvp" -d "$S" list -p 1 >"$TMP/list" 2>&1
	check "iteration $iter: every acknowledged SET is in pool 1" \
		$PY "$HERE/crashcheck.py" "$LOG" <"$TMP/list"
done
diag "$iter kills, $kills_inside of them left a change pending in the journal"
[ "$(grep -c '^ack' "$LOG")" -gt 0 ]
ok $? "the bursts got success replies at all"

# The daemon again: it completes a pending change, and the host reads the acknowledged values.
start_kvpd
ctl "$CTL" kvp enum pool=1 index=0 >/dev/null
check "after a restart and one request, pool 1 is whole records, zero-padded" \
	$PY "$HERE/pooldump.py" "$S/.kvp_pool_1" --strict
check "after a restart, pool 1 on disk holds every acknowledged SET" \
	$PY "$HERE/crashcheck.py" "$LOG" < <(sed 's/^/1\t/' <($PY "$HERE/pooldump.py" "$S/.kvp_pool_1"))
"$BIN/hv-kvp" -d "$S" list -p 1 | shuf -n 20 | while IFS=$'\t' read -r _ k v; do
	printf 'kvp get pool=1 key=%s\nexpect status=HV_S_OK host-value="%s"\n' "$k" "$v"
done >"$TMP/gets"
ctl "$CTL" <"$TMP/gets" >"$TMP/gets.out"
check "after a restart, the host's GETs of 20 keys answer what the pool holds" \
	test "$(grep -c "^ok" "$TMP/gets.out")" = 40
tap_done
