#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hv-kvp watch: changes made by hv-kvp, by a cloud-init-style appender and by truncation are
# reported as they happen, as text and as JSON; --count and --timeout end it.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/common.inc"

kvp set seed 1
kvp -p 0 set host pushed

# Text, every pool, stops after 5 changes.
kvp watch --count 5 --timeout 30 >"$TMP/w.out" 2>"$TMP/w.err" &
wpid=$!
wait_for "$TMP/w.err" watching
ok $? "watch says when it is watching"
# Each change waits until the one before it was reported, so none can be coalesced.
kvp set a 1
wait_for "$TMP/w.out" "a	1"
kvp set a 2
wait_for "$TMP/w.out" "a	2"
kvp set a 3 # same length as 2: only the journal generation tells
wait_for "$TMP/w.out" "a	3"
"$PY" - "$S/.kvp_pool_1" <<'PYEOF'
import fcntl, struct, sys
with open(sys.argv[1], "ab") as f:
    fcntl.flock(f, fcntl.LOCK_EX)
    f.write(struct.pack("512s2048s", b"CLOUD_INIT|1|start|x", b'{"msg":"hi"}'))
PYEOF
wait_for "$TMP/w.out" CLOUD_INIT
kvp del seed
wait $wpid
ok $? "watch exits 0 after --count changes"
printf 'set\t1\ta\t1\nset\t1\ta\t2\nset\t1\ta\t3\nset\t1\tCLOUD_INIT|1|start|x\t{"msg":"hi"}\ndel\t1\tseed\n' >"$TMP/want"
check "every change reported in order" diff "$TMP/want" "$TMP/w.out"

# JSON, one pool, a truncation by someone else.
kvp -p 0 --json watch --count 1 --timeout 30 >"$TMP/j.out" 2>"$TMP/j.err" &
wpid=$!
wait_for "$TMP/j.err" watching
kvp set other pool1 # another pool: not reported
: >"$S/.kvp_pool_0" # cloud-init style truncation
wait $wpid
ok $? "json watch exits 0"
check "the truncation is a delete, as JSON" \
	test "$(cat "$TMP/j.out")" = '{"event":"del","pool":0,"key":"host"}'

# --timeout with nothing happening.
kvp watch --timeout 1 >"$TMP/t.out" 2>/dev/null
ok $? "watch --timeout exits 0"
check "and reports nothing" test ! -s "$TMP/t.out"
kvp watch --count 0 2>/dev/null
ok $(($? != 2)) "--count 0 is a usage error"
"$HV_KVP" --state-dir "$TMP/none" watch --timeout 1 2>/dev/null
ok $(($? != 1)) "watching a missing directory exits 1"
tap_done
