#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every KVP operation through hv-sim (socket mode): SET/GET/DELETE/ENUMERATE on the pools,
# u32/u64 values converted by the kernel, UTF-8, the auto pool's keys and values against a
# fixture root, and the pool files on disk afterwards (byte-exact records, zero padding).
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/common.inc"
need_kvpd
need_sim
need_py

rel=$(uname -r)
"$BIN/hv-sim" -s kvp -q \
	-e "kvp enum pool=2 index=4" -e "expect value=$rel" \
	-e "kvp enum pool=2 index=5" -e "expect value=\"Debian GNU/Linux\"" \
	-e "kvp enum pool=2 index=6" -e "expect value=12" \
	-e "kvp enum pool=2 index=7" -e "expect value=" \
	-e "kvp enum pool=2 index=8" -e "expect value=${rel%%-*}" \
	-e "kvp enum pool=2 index=9" -e "expect value=$(uname -m)" - \
	-- "$BIN/hv-kvpd" -n --state-dir "$TMP/s" --config /dev/null --root "$FIXTURES/root-debian" \
	>"$TMP/out" 2>&1 < <(scn_ours "$HERE/ops.scn")
rc=$?
sed 's/^/# /' "$TMP/out" | head -30
ok $rc "every reply of ops.scn and the auto pool values as expected"

for p in 0 1 2 3 4; do
	[ -f "$TMP/s/.kvp_pool_$p" ]
	ok $? "pool file $p exists"
done
check "pool 0 on disk" diff <(pool "$TMP/s" 0) <(printf 'HostName\thost-2\nUnicode\tcaf\xc3\xa9 \xe2\x82\xac\n')
check "pool 1 on disk (a deleted)" diff <(pool "$TMP/s" 1 | sort) <(printf 'b\t2\nc\t3\n')
check "pool 3 on disk (numbers as decimal text)" diff <(pool "$TMP/s" 3) \
	<(printf 'Number\t4294967295\nBig\t18446744073709551615\n')
for p in 0 1 3; do
	check "pool $p: whole records, zero after every terminator" \
		$PY "$HERE/pooldump.py" "$TMP/s/.kvp_pool_$p" --strict
done
[ "$(stat -c %a "$TMP/s/.kvp_pool_1")" = 644 ]
ok $? "new pool files are mode 0644"
tap_done
