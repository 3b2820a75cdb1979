#!/bin/bash
# SPDX-License-Identifier: MIT
# hv-check features: for several distributions, releases, LIS choices and hosts, the column
# chosen and every feature's answer are checked against support.tsv read directly by Python;
# the JSON is validated with json.tool; notes that narrow a cell are applied; bad input gives
# "not in the map" (exit 1) or a usage error (exit 3), never a guess.
. "$(dirname "$0")/../../lib/tap.sh"
HVC=$BIN/hv-check
PY=/usr/bin/python3
SUPPORT=$TOP/data/featuremap/support.tsv
[ -x "$HVC" ] || { echo "1..0 # SKIP hv-check not built"; exit 77; }

# distro version lis host | expected source, series, column label, availability
while IFS='|' read -r distro version lis host src series label avail; do
	args=(--distro "$distro" --version "$version")
	[ -n "$lis" ] && args+=(--lis "$lis")
	[ -n "$host" ] && args+=(--host "$host")
	out=$TMP/q.json
	"$HVC" features "${args[@]}" --json >"$out"
	ok $? "features ${args[*]} answers"
	$PY -m json.tool "$out" >/dev/null
	ok $? "features ${args[*]}: valid JSON"
	$PY - "$out" "$SUPPORT" "$src" "$series" "$label" "$avail" "$host" >"$TMP/why" <<'PYEOF'
import csv, json, sys
ans = json.load(open(sys.argv[1]))
src, series, label, avail, host = sys.argv[3:8]
hostid = {"": None, "2008R2": "WS2008R2", "2012": "WS2012", "2012R2": "WS2012R2",
          "2016": "WS2016", "2019": "WS2019", "2022": "WS2022", "2025": "WS2025"}[host]
t = ans["table"]
if (ans["source"]["id"], t["series"], t["label"], t["availability"]) != (src, series, label, avail):
    print("picked %s %s %s %s" % (ans["source"]["id"], t["series"], t["label"], t["availability"]))
    sys.exit(1)
rows = [r for r in csv.DictReader(open(sys.argv[2], encoding="utf-8"), delimiter="\t",
                                  quoting=csv.QUOTE_NONE)
        if r["source_id"] == src and r["series"] == series and r["version_label"] == label
        and r["lis_availability"] == avail]
if len(rows) != len(ans["features"]):
    print("feature count: data %d, answer %d" % (len(rows), len(ans["features"])))
    sys.exit(1)
for r, f in zip(rows, ans["features"]):
    want = {"yes": True, "no": False, "na": None}[r["supported"]]
    if f["id"] != r["feature_id"] or f["name"] != r["feature_label_in_source"]:
        print("order/name differs at %s" % r["feature_id"]); sys.exit(1)
    if f["available_in_table"] != want or f["cell"] != r["cell_text"]:
        print("%s: table says %r, answer %r" % (r["feature_id"], want, f["available_in_table"])); sys.exit(1)
    nums = [int(n) for n in r["notes"].split(",") if n]
    if [n["number"] for n in f["notes"]] != nums:
        print("%s: notes differ" % r["feature_id"]); sys.exit(1)
    if hostid and r["hosts"] and hostid not in r["hosts"].split(";") and f["available"]:
        print("%s: host %s not listed but available" % (r["feature_id"], hostid)); sys.exit(1)
    if f["available"] and not want:
        print("%s: available although the table says no" % r["feature_id"]); sys.exit(1)
print("%d features match" % len(rows))
PYEOF
	ok $? "features ${args[*]}: column $src '$label' [$avail], $(cat "$TMP/why")"
done <<'CASES'
centos|6.5|4.1|2012R2|B_lis42|RHEL/CentOS 6.x|6.0-6.8|LIS 4.1
centos|6.5|||D_2023|RHEL/CentOS 6.x|6.5|builtin
centos|6.2|||D_2023|RHEL/CentOS 6.x|6.0-6.3|LIS 4.3
centos|6.7|4.0||A_seed|RHEL/CentOS 6.x|6.0-6.7|LIS 4.0
centos|5.11|4.1|2008R2|B_lis42|RHEL/CentOS 5.x|5.5-5.11|LIS 4.1
centos|5.11|4.1||D_2023|RHEL/CentOS 5.x|5.2-5.11|LIS 4.1
centos|5.3|4.3||D_2023|RHEL/CentOS 5.x|5.2 -5.11|LIS 4.3
rhel|7.2|builtin|2016|E_2025|RHEL/CentOS 7.x|7.2|builtin
rhel|7.8|||E_2025|RHEL/CentOS 7.x|7.6-7.9|builtin
rhel|7.6|4.3|2019|E_2025|RHEL/CentOS 7.x|7.5-7.7|LIS 4.3
rhel|8.5||2016|E_2025|RHEL/CentOS 8.x|8.1-8.6+|builtin
rhel|8.10||2022|E_2025|RHEL/CentOS 8.x|8.1-8.6+|builtin
rhel|9.4||2022|E_2025|RHEL/CentOS 9.x|9.x|builtin
rhel|10.0||2025|E_2025|RHEL 10.x|10.x|builtin
debian|11||2019|F_debian|Debian|11 (Bullseye)|builtin
debian|10.2|||F_debian|Debian|10.0-10.3 (Buster)|builtin
ubuntu|22.04||2022|G_ubuntu|Ubuntu|22.04 LTS|builtin
sles|15.3|||H_sles|SLES|SLES 15 SP1-SP4|builtin
sles|12.2|||H_sles|SLES|SLES 12 SP2|builtin
oracle|8.4|||I_oracle|Oracle Linux 8.x|8.0-8.5 (RHCK)|unspecified
freebsd|12.1|||J_freebsd|FreeBSD|12.0-12.4|builtin
CASES

j() { "$HVC" features "$@" --json | $PY -c "$PYQ"; }
feat() { # feature-id field args...
	local id=$1 field=$2
	shift 2
	"$HVC" features "$@" --json | $PY -c '
import json, sys
a = json.load(sys.stdin)
f = [x for x in a["features"] if x["id"] == sys.argv[1]][0]
print(json.dumps(f[sys.argv[2]], ensure_ascii=False))' "$id" "$field"
}

# Notes that narrow a cell are applied (README ambiguity 3): the 5.2-5.11 LIS 4.1 column says
# yes for live backup, note 15 takes 5.2-5.4 out.
[ "$(feat live_backup available --distro centos --version 5.3 --lis 4.1 --source seed)" = false ]
ok $? "seed 5.x LIS 4.1: live backup not available on 5.3 (note 15)"
[ "$(feat live_backup available --distro centos --version 5.5 --lis 4.1 --source seed)" = true ]
ok $? "seed 5.x LIS 4.1: live backup available on 5.5 (note 15 does not apply)"
# Note 17 (RHEL 8.5 needs a 2019 host) narrows UEFI boot by host.
[ "$(feat uefi_boot available --distro rhel --version 8.5 --host 2016)" = false ]
ok $? "RHEL 8.5 on 2016: UEFI boot not available (note 17)"
[ "$(feat uefi_boot available --distro rhel --version 8.5 --host 2019)" = true ]
ok $? "RHEL 8.5 on 2019: UEFI boot available"
[ "$(feat uefi_boot available --distro rhel --version 8.4 --host 2016)" = true ]
ok $? "RHEL 8.4 on 2016: note 17 does not apply"
# Kernel-dependent note 16 is reported as a condition, not applied without a kernel.
[ "$(feat vcpus_gt_256 available --distro rhel --version 7.6)" = true ]
ok $? "RHEL 7.6: >256 vCPUs available, note 16 kept as a condition"
# A host not listed in the row makes the feature unavailable on that host.
[ "$(feat hv_sockets available --distro centos --version 6.5 --lis 4.1 --host 2012R2 --source seed)" = false ]
ok $? "seed LIS 4.1: Hyper-V sockets not on 2012 R2 (row lists 2016 only)"
[ "$(feat hv_sockets available --distro centos --version 6.5 --lis 4.1 --host 2016 --source seed)" = true ]
ok $? "seed LIS 4.1: Hyper-V sockets on 2016"
# N/A stays null; suspicious cells keep their flag.
[ "$(feat pae_kernel available --distro rhel --version 7.1 --lis 4.0 --source seed)" = null ]
ok $? "seed 7.x LIS 4.0: PAE is n.a. (null)"
feat sriov flags --distro rhel --version 7.3 | grep -q suspect_column_shift
ok $? "E_2025 7.3 SR-IOV keeps its suspect_column_shift flag"
# Duplicate column titles told apart by their LIS availability.
a=$(feat dm_ballooning cell --distro centos --version 6.5 --lis 4.1 --source seed)
b=$(feat dm_ballooning cell --distro centos --version 6.5 --lis 4.0 --source seed)
[ "$a" = '"√ Note 7, 8, 9, 10"' ] && [ "$b" = '"√ Note 7, 9, 10"' ]
ok $? "seed 6.x '6.0-6.7' twice: LIS 4.1 ($a) and LIS 4.0 ($b) are different columns"
# Host-qualified note: note 3 speaks of 2012 R2 only.
[ "$(feat virtual_fibre_channel notes --distro centos --version 6.5 --lis 4.1 --host 2016 --source seed |
	$PY -c 'import json,sys; print(json.load(sys.stdin)[0]["applies"])')" = False ]
ok $? "note 3 ([applies on WS2012 R2]) does not apply on 2016"

# Text output names the notes and what to do.
"$HVC" features --distro centos --version 6.5 --lis 4.1 --host 2012R2 >"$TMP/t.txt"
grep -q '^map: B_lis42' "$TMP/t.txt" && grep -q 'do: set NM_CONTROLLED=no' "$TMP/t.txt"
ok $? "text output: source and remedies"

# Bad input: clear answers, no guesses.
"$HVC" features --distro debian --version 12 >/dev/null 2>"$TMP/e"
[ $? = 1 ] && grep -q 'not in the map' "$TMP/e"
ok $? "debian 12: not in the map (exit 1)"
"$HVC" features --distro centos --version 4.8 >/dev/null 2>"$TMP/e"
[ $? = 1 ] && grep -q 'not in the map' "$TMP/e"
ok $? "centos 4.8 (outside every table): not in the map"
"$HVC" features --distro gentoo --version 1.0 >/dev/null 2>"$TMP/e"
[ $? = 1 ] && grep -q 'not in the map' "$TMP/e"
ok $? "unknown distribution: not in the map"
"$HVC" features --distro centos --version 6.x5 >/dev/null 2>"$TMP/e"
[ $? = 3 ] && grep -q 'not a release number' "$TMP/e"
ok $? "garbled version: error, exit 3"
"$HVC" features --distro centos --version 6.5 --lis 9.9 >/dev/null 2>"$TMP/e"
[ $? = 1 ]
ok $? "LIS 9.9: not in the map"
"$HVC" features --distro centos --version 6.5 --host 2025 >/dev/null 2>"$TMP/e"
[ $? = 1 ] && grep -q 'not covered' "$TMP/e"
ok $? "centos 6.5 on 2025: host not covered by the table"
"$HVC" features --distro centos --version 6.5 --host 1999 >/dev/null 2>"$TMP/e"
[ $? = 3 ]
ok $? "unknown host name: error"
"$HVC" features --distro rhel --version 7 >/dev/null 2>"$TMP/e"
[ $? = 3 ] && grep -q 'minor' "$TMP/e"
ok $? "rhel 7 without a minor release: asks for it"

# compare: two releases and two hosts
"$HVC" compare --distro centos --version 6.5 --version 7.2 >"$TMP/c.txt"
ok $? "compare two releases"
grep -q '^A: centos 6.5' "$TMP/c.txt" && grep -q '^B: centos 7.2' "$TMP/c.txt"
ok $? "compare names both sides"
"$HVC" compare --distro rhel --version 8.5 --host 2016 --host 2019 --json >"$TMP/c.json"
$PY -c '
import json,sys
a=json.load(open(sys.argv[1]))
u=[f for f in a["features"] if f["id"]=="uefi_boot"][0]
sys.exit(0 if u["a"] is False and u["b"] is True and u["differs"] else 1)' "$TMP/c.json"
ok $? "compare two hosts: UEFI differs for RHEL 8.5 on 2016 vs 2019 (JSON)"

tap_done
