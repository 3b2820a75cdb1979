#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hv-kvp get/set/del/list/scrub against a temporary state directory: values, pools, exit
# codes (0/1/2), JSON, escaping, the host's byte limits, split values, scrub's confirmation,
# the byte format on disk (compared with cloud-init's struct.pack encoding) and kept modes.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/common.inc"

kvp set HostName vm1
ok $? "set exits 0"
for p in 0 1 2 3 4; do
	[ -f "$S/.kvp_pool_$p" ]
	ok $? "set created pool file $p"
done
check "get prints the value" test "$(kvp get HostName)" = vm1
kvp -p 3 set HostName host3
check "pool 3 is separate" test "$(kvp -p 3 get HostName)" = host3
check "get without --pool answers from the first pool that has the key" \
	test "$(kvp get HostName)" = vm1
kvp get Absent 2>"$TMP/err"
ok $(($? != 1)) "a missing key exits 1"
check "and says so" grep -q "not found" "$TMP/err"
kvp bogus 2>/dev/null
ok $(($? != 2)) "an unknown command exits 2"
kvp -p 7 get x 2>/dev/null
ok $(($? != 2)) "a bad pool number exits 2"
kvp get 2>/dev/null
ok $(($? != 2)) "get without a key exits 2"
kvp set k 2>/dev/null
ok $(($? != 2)) "set without a value exits 2"
kvp --count 3 get HostName 2>/dev/null
ok $(($? != 2)) "--count outside watch exits 2"

# The overwrite leaves no stale bytes: compare the whole file with cloud-init's encoding.
kvp set a "a long first value"
kvp set b 2
kvp set a short
"$PY" - "$S/.kvp_pool_1" <<'PYEOF'
import struct, sys
want = b"".join(struct.pack("512s2048s", k.encode(), v.encode())
                 for k, v in [("HostName", "vm1"), ("a", "short"), ("b", "2")])
sys.exit(0 if open(sys.argv[1], "rb").read() == want else 1)
PYEOF
ok $? "pool 1 is byte for byte what struct.pack(\"512s2048s\") gives"

check "list shows pool, key and value" test "$(kvp -p 1 list)" = "$(printf '1\tHostName\tvm1\n1\ta\tshort\n1\tb\t2')"
kvp set "tab	key" "two
lines\\"
kvp -p 1 list >"$TMP/list.txt"
check "list escapes tabs, newlines and backslashes" \
	grep -qxF -- $'1\ttab\\tkey\ttwo\\nlines\\\\' "$TMP/list.txt"
kvp --json list >"$TMP/list.json"
"$PY" - "$TMP/list.json" <<'PYEOF'
import json, sys
recs = json.load(open(sys.argv[1]))
ok = {"pool": 1, "key": "tab\tkey", "value": "two\nlines\\"} in recs and \
     {"pool": 3, "key": "HostName", "value": "host3"} in recs and len(recs) == 5
sys.exit(0 if ok else 1)
PYEOF
ok $? "list --json is valid JSON with every record"
check "get --json" test "$(kvp --json -p 3 get HostName)" = '{"pool":3,"key":"HostName","value":"host3"}'

# The host's limits: 254-byte keys, 1,022-byte values (UTF-16 units).
k254=$(head -c 254 /dev/zero | tr '\0' k)
v1022=$(head -c 1022 /dev/zero | tr '\0' v)
check "a 254-byte key and a 1,022-byte value are accepted" kvp set "$k254" "$v1022"
kvp set "${k254}k" x 2>"$TMP/err"
ok $(($? != 1)) "a 255-byte key is refused with exit 1"
check "naming the limit" grep -q 254 "$TMP/err"
kvp set big "${v1022}v" 2>"$TMP/err"
ok $(($? != 1)) "a 1,023-byte value is refused with exit 1"
check "naming the limit" grep -q 1022 "$TMP/err"
check "nothing was stored" test -z "$(kvp -p 1 get big 2>/dev/null)"
check "--allow-long stores up to the field size" kvp set --allow-long big "${v1022}v"
kvp set --allow-long big "$(head -c 2048 /dev/zero | tr '\0' v)" 2>/dev/null
ok $(($? != 1)) "but not past 2,047 bytes"
kvp set bad "$(printf 'caf\xc3')" 2>"$TMP/err"
ok $(($? != 1)) "invalid UTF-8 is refused"
e=$(printf '\xc3\xa9')
accents=$(for _ in $(seq 1022); do printf '%s' "$e"; done)
check "1,022 two-byte characters (2,044 bytes) are 1,022 units: accepted" kvp set accents "$accents"

# Split values.
long=$(head -c 2500 /dev/urandom | base64 -w0 | head -c 2500)
check "--split stores a long value" kvp set --split doc "$long"
check "as parts doc.0, doc.1, doc.2" test "$(kvp -p 1 list | cut -f2 | grep -c '^doc\.')" = 3
check "get joins the parts" test "$(kvp get doc)" = "$long"
check "a shorter value removes the old parts" kvp set --split doc "$(head -c 1500 /dev/zero | tr '\0' s)"
check "two parts left" test "$(kvp -p 1 list | cut -f2 | grep -c '^doc\.')" = 2
check "del removes every part" kvp del doc
check "no parts left" test "$(kvp -p 1 list | cut -f2 | grep -c '^doc')" = 0
kvp del doc 2>/dev/null
ok $(($? != 1)) "deleting a missing key exits 1"

# Duplicates written by someone else: first match, del removes the first.
"$PY" - "$S/.kvp_pool_4" <<'PYEOF'
import fcntl, struct, sys
with open(sys.argv[1], "ab") as f:
    fcntl.flock(f, fcntl.LOCK_EX)
    for k, v in [("dup", "first"), ("x", "y"), ("dup", "second")]:
        f.write(struct.pack("512s2048s", k.encode(), v.encode()))
PYEOF
check "first match wins" test "$(kvp -p 4 get dup)" = first
check "del removes the first" kvp -p 4 del dup
check "then the second answers" test "$(kvp -p 4 get dup)" = second

# Scrub needs confirmation, keeps the files and their modes.
chmod 600 "$S/.kvp_pool_0"
kvp -p 0 set secret s3cr3t
check "an existing 0600 pool keeps its mode" test "$(stat -c %a "$S/.kvp_pool_0")" = 600
kvp scrub 2>/dev/null
ok $(($? != 2)) "scrub without --yes exits 2"
check "and leaves the pools alone" test "$(kvp -p 0 get secret)" = s3cr3t
check "scrub --yes -p 3 empties pool 3" kvp scrub --yes -p 3
check "pool 3 empty" test ! -s "$S/.kvp_pool_3"
check "pool 1 untouched" test -s "$S/.kvp_pool_1"
check "scrub --yes empties every pool" kvp scrub --yes
for p in 0 1 2 3 4; do
	[ -f "$S/.kvp_pool_$p" ] && [ ! -s "$S/.kvp_pool_$p" ]
	ok $? "pool $p is there and empty"
done
check "pool 0 still 0600" test "$(stat -c %a "$S/.kvp_pool_0")" = 600

# Read-only commands create nothing.
"$HV_KVP" --state-dir "$TMP/none" get x 2>/dev/null
ok $(($? != 1)) "get on a missing directory exits 1"
check "and creates nothing" test ! -e "$TMP/none"
check "--help lists every option" sh -c "'$HV_KVP' --help | grep -q -- --state-dir"
check "--version" sh -c "'$HV_KVP' --version | grep -q '^hv-kvp '"
tap_done
