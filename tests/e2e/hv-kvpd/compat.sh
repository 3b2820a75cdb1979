#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Compatibility with the reference daemon: Debian's /usr/sbin/hv_kvp_daemon and hv-kvpd each
# run unmodified in hv-sim's sandbox (FUSE device on /dev/vmbus in a private mount namespace,
# a temp dir on /var/lib/hyperv), get the same host requests (ops.scn), and must give the
# host the same replies and leave the same records in the pool files.  The only differences
# allowed are the ones in docs/kvp-differences.md, and each is checked here to be exactly that.
# timeout: 120
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/common.inc"
need_kvpd
need_sim
need_py
need_root "the sandbox needs a mount namespace"
REF=/usr/sbin/hv_kvp_daemon
[ -x $REF ] || { echo "1..0 # SKIP $REF missing (hyperv-daemons, scripts/packages.d/kvpd.list)"; exit 77; }
[ -c /dev/fuse ] || { echo "1..0 # SKIP /dev/fuse missing"; exit 77; }

# Requests only: the replies are recorded and compared, not checked against expectations.
grep -vE '^(expect|#|$)' "$HERE/ops.scn" | grep -v '^wait-register' >"$TMP/requests"

run() { # name, daemon command...
	local name=$1
	shift
	mkdir -p "$TMP/$name"
	"$BIN/hv-sim" -s kvp --sandbox --state-dir "$TMP/$name" --control "$TMP/$name.ctl" \
		--register-timeout 10s -- "$@" >"$TMP/$name.sim" 2>&1 &
	local sim=$!
	ctl "$TMP/$name.ctl" wait-register >/dev/null || { kill $sim; wait $sim; return 1; }
	ctl "$TMP/$name.ctl" <"$TMP/requests" >"$TMP/$name.out"
	paste -d '\t' "$TMP/requests" "$TMP/$name.out" | sed 's/\t/ => /' >"$TMP/$name.replies"
	# What the host really receives for a GET: the value at the ENUMERATE offset.
	printf '%s\n' "kvp get pool=0 key=HostName" "expect host-value=host-2" \
		"kvp get pool=3 key=Number" "expect host-value=4294967295" |
		ctl "$TMP/$name.ctl" >"$TMP/$name.get"
	ctl "$TMP/$name.ctl" quit >/dev/null || kill $sim
	wait $sim
}

run ref $REF -n
ok $? "the reference daemon served the scenario in the sandbox"
run ours "$BIN/hv-kvpd" -n --config /dev/null
ok $? "hv-kvpd served the scenario in the sandbox"
[ "$(wc -l <"$TMP/ours.replies")" -gt 30 ]
ok $? "replies recorded ($(wc -l <"$TMP/ours.replies"))"

# Difference 2 (DELETE): lib/kvpool moves the last record into the hole instead of shifting
# the later ones, so ENUMERATE of pool 1 after the DELETE gives the same records in another
# order.  Those replies are compared as a set, all others line by line.
after_delete() { awk -v want="$2" '/^kvp delete pool=1/ { d = 1 }
	{ m = d && /^kvp enum pool=1 / } (want && m) || (!want && !m)' "$1"; }
check "host-visible replies (status, key, value) identical for every request" \
	diff <(after_delete "$TMP/ref.replies" 0) <(after_delete "$TMP/ours.replies" 0)
check "pool 1 enumerated after the DELETE: the same records" \
	diff <(after_delete "$TMP/ref.replies" 1 | sed 's/index=[0-9]* //' | sort) \
	<(after_delete "$TMP/ours.replies" 1 | sed 's/index=[0-9]* //' | sort)

# Difference 1 (GET): the reference copies value_size (0) bytes at the GET offset, so the host
# gets an empty value.  hv-kvpd puts the value where the kernel reads it.
[ "$(grep -c '^ok' "$TMP/ours.get")" = 4 ]
ok $? "hv-kvpd: the host receives the GET values"
sed 's/^/# ours: /' "$TMP/ours.get" | grep -v ': ok'
[ "$(grep -c '^fail' "$TMP/ref.get")" = 2 ]
ok $? "reference: the host receives empty GET values (documented difference)"

for p in 0 2 3 4; do
	check "pool $p: same records as the reference, same order" \
		diff <(pool "$TMP/ref" $p) <(pool "$TMP/ours" $p)
done
# Difference 2 (DELETE): lib/kvpool moves the last record into the hole.
check "pool 1: same records as the reference (order after a DELETE differs)" \
	diff <(pool "$TMP/ref" 1 | sort) <(pool "$TMP/ours" 1 | sort)
for p in 0 1 3; do
	check "pool $p: ours has zero bytes after every terminator" \
		$PY "$HERE/pooldump.py" "$TMP/ours/.kvp_pool_$p" --strict
	if $PY "$HERE/pooldump.py" "$TMP/ref/.kvp_pool_$p" --strict >/dev/null 2>"$TMP/strict"; then
		diag "pool $p: the reference's records are clean this time"
	else
		diag "pool $p: the reference left stale bytes: $(head -1 "$TMP/strict")"
	fi
done
tap_done
