#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hv-kvpd survives device resets: a stand-in kernel device (kvphost.py, a SOCK_SEQPACKET
# listening socket) closes the connection after each round, and the daemon reopens, registers
# again (zeroed op-100 message) and serves the next round.  Also: a bad request does not end
# it, the version from the registration reply is served, started as hv_kvp_daemon it shows
# that name, SIGTERM ends it with status 0.
. "$(dirname "$0")/../../lib/tap.sh"
PY=/usr/bin/python3
[ -x "$BIN/hv-kvpd" ] || { echo "1..0 # SKIP hv-kvpd not built in $BIN"; exit 77; }
[ -x $PY ] || { echo "1..0 # SKIP $PY missing (scripts/packages.d/kvpd.list)"; exit 77; }

ln -s "$BIN/hv-kvpd" "$TMP/hv_kvp_daemon"
$PY "$(dirname "$0")/kvphost.py" "$TMP/dev" 3 >"$TMP/host.out" 2>"$TMP/host.err" &
host=$!
for _ in $(seq 100); do [ -S "$TMP/dev" ] && break; sleep 0.05; done
"$TMP/hv_kvp_daemon" -n --device "$TMP/dev" --state-dir "$TMP/state" --config /dev/null \
	2>"$TMP/daemon.err" &
daemon=$!
wait $host
ok $? "the stand-in device served three connections"
sed 's/^/# /' "$TMP/host.err"

grep -c '^set round=.* status=0x00000000' "$TMP/host.out" | grep -qx 3
ok $? "a SET succeeded on each of the three connections"
grep -qx 'get round value=2' "$TMP/host.out"
ok $? "GET after the second reset returns the last value"
grep -c '^enum auto 1 IntegrationServicesVersion=3.1$' "$TMP/host.out" | grep -qx 3
ok $? "IntegrationServicesVersion is the version of each registration"
grep -c '^short status=0x80070057$' "$TMP/host.out" | grep -qx 3
ok $? "a short message gets HV_INVALIDARG, and the daemon carries on"
grep -c 'registered again' "$TMP/daemon.err" | grep -qx 2
ok $? "the daemon logged two re-registrations"

[ "$(cat /proc/$daemon/comm 2>/dev/null)" = hv_kvp_daemon ]
ok $? "started as hv_kvp_daemon, ps shows hv_kvp_daemon"
ps -ef | grep -v grep | grep -q hv_kvp_daemon
ok $? "the Azure agent's 'ps -ef | grep hv_kvp_daemon' finds it"

# The device is gone for good now: it keeps retrying; SIGTERM ends it cleanly.
kill -TERM $daemon
wait $daemon
ok $? "SIGTERM: exit status 0"

[ "$(stat -c %s "$TMP/state/.kvp_pool_1")" = 2560 ]
ok $? "pool 1 holds exactly one record (SET overwrote it in place)"
head -c 5 "$TMP/state/.kvp_pool_1" | cmp -s - <(printf 'round')
ok $? "the record's key is 'round'"
tap_done
