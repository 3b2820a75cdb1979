#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hv-sim's control socket: a shell drives the host one command at a time with "hv-sim ctl",
# sees each reply line and exit status (0 ok, 1 failed expectation, 2 error), and hv-sim
# keeps running after a failure until "quit".
. "$(dirname "$0")/../../lib/tap.sh"
SIM=$BIN/hv-sim

"$SIM" -s kvp --control "$TMP/ctl" -- "$SIM" responder -s kvp >"$TMP/out" 2>"$TMP/err" &
sim=$!
check "wait-register" "$SIM" ctl "$TMP/ctl" wait-register timeout=5s
out=$("$SIM" ctl "$TMP/ctl" kvp enum pool=1 index=3)
ok $? "a request answers ok"
[ "$out" = "ok status=0x00000000 outcome=reply key= value=" ]
ok $? "with the host's view of the reply ($out)"
out=$("$SIM" ctl "$TMP/ctl" expect status=HV_E_FAIL)
[ $? -eq 1 ]
ok $? "a failed expectation: exit 1"
case $out in "fail control:3: expect status=HV_E_FAIL: expected status=HV_E_FAIL, got HV_S_OK"*) r=0 ;; *) r=1 ;; esac
ok $r "the reply says what was expected and what came ($out)"
out=$("$SIM" ctl "$TMP/ctl" kvp get pool=x)
[ $? -eq 2 ]
ok $? "a syntax error: exit 2"
case $out in "error control:4: kvp get: pool=: 'x' is not a number") r=0 ;; *) r=1 ;; esac
ok $r "with the parser's message ($out)"
check "hv-sim still serves after failures" "$SIM" ctl "$TMP/ctl" kvp set pool=0 key=a value=b
check "expect after it" "$SIM" ctl "$TMP/ctl" expect status=HV_S_OK state=ready
out=$("$SIM" ctl "$TMP/ctl" bench set key=a value=b count=200)
case $out in "ok bench op=set count=200 seconds="*" ops_per_s="*" p50_us="*" p99_us="*) r=0 ;; *) r=1 ;; esac
ok $r "bench answers with its result line ($out)"
check "quit" "$SIM" ctl "$TMP/ctl" quit
wait $sim
ok $? "hv-sim exits 0 after quit"
[ ! -e "$TMP/ctl" ]
ok $? "the socket is removed"
"$SIM" ctl "$TMP/ctl" wait 2>"$TMP/err"
[ $? -eq 2 ] && grep -q 'cannot connect' "$TMP/err"
ok $? "ctl without a server: exit 2 and a message"
tap_done
