#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Side by side with cloud-init's real KVP writer (Debian's cloud-init,
# HyperVKvpReportingHandler, appending under flock): while cloud-init appends events to pool
# 1, hv-kvp sets, overwrites and deletes keys in the same pool.  Afterwards every event
# cloud-init published is there (read back by cloud-init's own reader), every key hv-kvp set
# has its last value, the deleted ones are gone, and the file is whole records only.
# timeout: 120
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/common.inc"
if ! "$PY" -c 'import cloudinit.reporting.handlers' 2>/dev/null; then
	echo "1..0 # SKIP Debian's cloud-init is not installed (scripts/packages.d/kvpool.list)"
	exit 77
fi

EVENTS=150
kvp set before cloud-init # creates the directory and the pool files
"$PY" "$HERE/cloudinit-publish.py" "$S/.kvp_pool_1" $EVENTS 2>"$TMP/ci.err" &
cpid=$!
# Keep going while cloud-init writes (and at least 60 rounds), so the two really overlap.
i=0
while [ $i -lt 60 ] || kill -0 $cpid 2>/dev/null; do
	i=$((i + 1))
	kvp set "ours-$((i % 20))" "value-$i" || echo "set $i failed" >>"$TMP/errors"
	if [ $((i % 9)) -eq 0 ]; then
		kvp del "ours-$((i % 20))" || echo "del $i failed" >>"$TMP/errors"
	fi
done
wait $cpid
ok $? "cloud-init's writer ran to the end"
check "cloud-init logged no failure" test ! -s "$TMP/ci.err"
check "every hv-kvp operation succeeded" test ! -e "$TMP/errors"

rounds=$i
diag "hv-kvp made $rounds rounds of changes while cloud-init wrote"
# What the last operation on each of our keys left.
: >"$TMP/want"
for k in $(seq 0 19); do
	last=
	for i in $(seq $rounds); do
		[ $((i % 20)) -eq "$k" ] || continue
		last="value-$i"
		[ $((i % 9)) -eq 0 ] && last=
	done
	[ -n "$last" ] && printf 'kv ours-%s\t%s\n' "$k" "$last" >>"$TMP/want"
done
printf 'kv before\tcloud-init\n' >>"$TMP/want"

"$PY" "$HERE/cloudinit-read.py" "$S/.kvp_pool_1" >"$TMP/got" 2>"$TMP/read.err"
ok $? "cloud-init's reader decodes every record"
check "every event cloud-init published is there, once each" \
	diff <(grep '^event ' "$TMP/got" | sort -u) <(seq 0 $((EVENTS - 1)) | sed 's/^/event event-/' | sort)
check "every key hv-kvp set has its last value; deleted ones are gone" \
	diff <(grep '^kv ' "$TMP/got" | sort) <(sort "$TMP/want")
size=$(stat -c %s "$S/.kvp_pool_1")
check "the file is whole 2,560-byte records" test $((size % 2560)) -eq 0
check "hv-kvp sees cloud-init's records" sh -c "'$HV_KVP' --state-dir '$S' -p 1 list | grep -c CLOUD_INIT | grep -qv '^0$'"
tap_done
