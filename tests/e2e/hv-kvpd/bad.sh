#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Malformed host messages through hv-sim: wrong sizes, missing terminators, pools out of
# range, invalid UTF-8, unknown operations, short and long messages.  Each gets an error
# reply of the full message size, the warnings are rate-limited, the daemon carries on, and
# no refused request leaves a record behind.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/common.inc"
need_kvpd
need_sim
need_py

flood=()
for i in $(seq 40); do flood+=(-e "kvp set pool=6 key=k$i value=v" -e "expect status=HV_INVALIDARG"); done
"$BIN/hv-sim" -s kvp -q "${flood[@]}" \
	-e "kvp set pool=1 key=after value=flood" -e "expect status=HV_S_OK" "$HERE/bad.scn" \
	-- "$BIN/hv-kvpd" -n --state-dir "$TMP/s" --config /dev/null >"$TMP/out" 2>"$TMP/err"
rc=$?
sed 's/^/# /' "$TMP/out" | head -30
ok $rc "every bad request got its error reply and the daemon kept serving"
check "only the good records are in pool 1" diff <(pool "$TMP/s" 1) <(printf 'ok\talive\nafter\tflood\n')
for p in 0 2 3 4; do
	[ ! -s "$TMP/s/.kvp_pool_$p" ]
	ok $? "pool $p untouched (empty)"
done
n=$(grep -c 'rejecting' "$TMP/err")
[ "$n" -ge 5 ] && [ "$n" -le 20 ]
ok $? "warnings are rate-limited ($n for 58 bad requests)"
grep -q 'similar warnings suppressed\|pool number out of range' "$TMP/err"
ok $? "the warnings name the reason"
tap_done
