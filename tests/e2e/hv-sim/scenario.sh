#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hv-sim's scenario runs in socket mode against its own echo responder: a passing scenario
# exits 0; a syntax error exits 2 naming file and line before anything runs; a failed
# expectation exits 1 printing what was expected and what came; TAP output; timeouts with a
# short override and the late reply rejected; reset on close (the daemon killed with a
# request outstanding) answered HV_E_FAIL; listen mode; the benchmark's output line.
. "$(dirname "$0")/../../lib/tap.sh"
SIM=$BIN/hv-sim
DATA=$TOP/tests/data/hv-sim
resp=("$SIM" responder -s)

"$SIM" -s kvp "$DATA/responder-kvp.scn" -- "${resp[@]}" kvp >"$TMP/out" 2>"$TMP/err"
ok $? "the responder scenario passes"
grep -qx marker-after-raw "$TMP/out"
ok $? "echo lines reach stdout, so every line ran"

printf 'wait-register\nkvp set pool=0 key=a value=b\nexpect stauts=HV_S_OK\n' >"$TMP/typo.scn"
# shellcheck disable=SC2016 # $0 is expanded by the inner shell
"$SIM" -s kvp "$TMP/typo.scn" -- sh -c 'echo started >"$0"' "$TMP/started" 2>"$TMP/err"
[ $? -eq 2 ]
ok $? "a syntax error exits 2"
grep -q "typo.scn:3: expect: unknown argument 'stauts'" "$TMP/err"
ok $? "the error names file, line and problem"
[ ! -e "$TMP/started" ]
ok $? "nothing ran: the daemon was never started"

"$SIM" -s kvp -e wait-register -e 'kvp set pool=0 key=a value=b' \
	-e 'expect status=HV_E_FAIL' -e 'echo not-reached' -- "${resp[@]}" kvp >"$TMP/out" 2>"$TMP/err"
[ $? -eq 1 ]
ok $? "a failed expectation exits 1"
grep -q -- "-e:3: expect status=HV_E_FAIL: expected status=HV_E_FAIL, got HV_S_OK (0x00000000)" "$TMP/err"
ok $? "it prints what was expected and what came"
! grep -q not-reached "$TMP/out"
ok $? "the scenario stops at the failure"

"$SIM" -s kvp -t -e wait-register -e 'kvp get pool=0 key=a' -e 'expect status=0' \
	-- "${resp[@]}" kvp >"$TMP/tap" 2>/dev/null
check "TAP: three points and a plan" diff "$TMP/tap" - <<TAP
ok 1 - -e:1: wait-register
ok 2 - -e:2: kvp get pool=0 key=a
ok 3 - -e:3: expect status=0
1..3
TAP

# timeouts: the responder is stopped, the 300 ms override fires, the late reply is refused
"$SIM" -s kvp --timeout 300ms -e wait-register -e 'kill signal=STOP' \
	-e 'kvp set pool=0 key=a value=b' -e expect-timeout -e 'expect state=ready' \
	-e 'kill signal=CONT' -e 'sleep 300' -e 'expect rejected=1 write-error=EINVAL' \
	-e 'kvp get pool=0 key=a' -e 'expect status=HV_S_OK outcome=reply' \
	-- "${resp[@]}" kvp 2>"$TMP/err"
ok $? "timeout (short override), late reply rejected, the next request served"

printf 'wait-register\nkvp get pool=0 key=a\nexpect-timeout\n' >"$TMP/answered.scn"
"$SIM" -s kvp --timeout 300ms "$TMP/answered.scn" -- "${resp[@]}" kvp 2>"$TMP/err"
[ $? -eq 1 ] && grep -q 'answered.scn:3: expect-timeout: expected a timeout (HV_E_FAIL), got HV_S_OK' "$TMP/err"
ok $? "expect-timeout fails when the daemon answered"

"$SIM" -s vss --freeze-timeout 200ms -e wait-register -e 'expect version=129' \
	-e 'kill signal=STOP' -e 'vss freeze' -e expect-timeout -e 'kill signal=CONT' \
	-- "${resp[@]}" vss 2>"$TMP/err"
ok $? "VSS freeze uses the freeze timeout (override)"

# reset on close: the daemon dies with a request outstanding
"$SIM" -s kvp -e wait-register -e 'kill signal=STOP' -e 'kvp set pool=0 key=a value=b nowait' \
	-e 'kill signal=KILL' -e wait -e 'expect status=HV_E_FAIL outcome=reset state=init' \
	-e 'wait-exit status=137' -- "${resp[@]}" kvp 2>"$TMP/err"
ok $? "the daemon's close answers the pending request HV_E_FAIL, state back to INIT"

"$SIM" -s vss -e 'vss thaw' -e 'expect status=HV_E_FAIL outcome=no-daemon' \
	-e 'vss get-dm-info' -e 'expect status=0 outcome=kernel' -- true 2>"$TMP/err"
ok $? "VSS without a daemon: HV_E_FAIL at once; GET_DM_INFO answered by the kernel"

"$SIM" -s kvp --register-timeout 300ms -e 'kvp get pool=0 key=a' \
	-e 'expect status=HV_E_FAIL outcome=no-daemon' -- true 2>"$TMP/err"
ok $? "KVP waits for a registration, then fails with no-daemon"

"$SIM" -s kvp -e wait-register -- sh -c 'exit 3' 2>"$TMP/err"
[ $? -eq 1 ] && grep -q 'expected a registration, but the daemon exited with status 3' "$TMP/err"
ok $? "wait-register fails at once when the daemon exits"

"$SIM" -s kvp -e 'vss freeze' -- "${resp[@]}" kvp 2>"$TMP/err"
[ $? -eq 1 ] && grep -q 'simulates kvp' "$TMP/err"
ok $? "a request for another service is an error"

"$SIM" -s fcopy -e wait-register -e 'expect version=1' \
	-e 'fcopy start path=/x name=y flags=overwrite' -e 'expect status=0 reply-size=4' \
	-e 'fcopy write offset=0 text=hi' -e 'fcopy complete' -e 'expect status=HV_S_OK' \
	-- "${resp[@]}" fcopy 2>"$TMP/err"
ok $? "fcopy: registration and requests with the responder"

"$SIM" -s kvp --listen "$TMP/sock" -e 'wait-register timeout=5s' -e 'kvp set pool=0 key=a value=b' \
	-e 'expect status=0' -e reset -e 'wait-register timeout=5s' -e 'expect registrations=2' \
	-- sh -c "\"$SIM\" responder -s kvp --device \"$TMP/sock\"; \"$SIM\" responder -s kvp --device \"$TMP/sock\"" \
	2>"$TMP/err"
ok $? "listen mode: the daemon connects; after a reset it connects again"

"$SIM" -s kvp -e wait-register -e 'bench get key=a count=500' -e 'bench set key=a value=b count=500' \
	-e 'bench enum count=500' -- "${resp[@]}" kvp >"$TMP/bench" 2>"$TMP/err"
ok $? "bench runs"
grep -cE '^bench op=(get|set|enum) count=500 seconds=[0-9.]+ ops_per_s=[0-9]+ p50_us=[0-9.]+ p99_us=[0-9.]+ max_us=[0-9.]+$' \
	"$TMP/bench" | grep -qx 3
ok $? "one result line per operation, with ops/s and percentiles"
tap_done
