#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lsvmbus against its golden files and against the kernel's own tools/hv/lsvmbus.
#
# Golden files (tests/data/lsvmbus/<case>{.txt,-v.txt,-vv.txt,.json,.stderr,.status}) hold
# what lsvmbus prints for tests/data/sysfs/<case> as if that tree were /sys.  The reference
# script is extracted from Debian's linux-source-6.12 into a cache under build/ and run with
# /usr/bin/python3 in a private mount namespace where the fixture is bind-mounted over /sys
# (it reads /sys/bus/vmbus/devices/*/{id,class_id,device_id,channel_vp_mapping}); our binary
# runs in the same namespace, so both print the same /sys paths.  Our output must equal the
# reference's byte for byte, except that a device the reference calls "Unknown" may carry a
# real name.  UPDATE_GOLDEN=1 rewrites the golden files from our output.
# timeout: 180
. "$(dirname "$0")/../../lib/tap.sh"

LSVMBUS=$BIN/lsvmbus
DATA=$TOP/tests/data
GOOD="gen1 gen1-sriov gen2 gen2-sriov quirks" # the reference can show every device of these
BAD="half-written malformed"                   # the reference crashes on these
TARBALL=/usr/src/linux-source-6.12.tar.xz
SRC=linux-source-6.12
MEMBERS="$SRC/tools/hv/lsvmbus $SRC/include/linux/hyperv.h $SRC/net/vmw_vsock/hyperv_transport.c"
CACHE=$TOP/build/cache/linux-source-6.12
REF=$CACHE/tools/hv/lsvmbus
PY=/usr/bin/python3

if [ ! -x "$LSVMBUS" ]; then
	echo "1..0 # SKIP $LSVMBUS is not built"
	exit 77
fi

# Our output for a case, with the fixture's path shown as /sys (the golden form).
ours() { # case, options...
	local c=$1
	shift
	(cd "$DATA/sysfs" && "$LSVMBUS" --sysfs "$c" "$@" 2>"$TMP/stderr") >"$TMP/raw"
	echo $? >"$TMP/status"
	sed -e "s#^\(	Sysfs path: \)$c/#\1/sys/#" \
		-e "s#\(\"sysfs_path\": \"\)$c/#\1/sys/#g" "$TMP/raw"
	sed "s#'$c/#'/sys/#g" "$TMP/stderr" >"$TMP/stderr.sys"
}

golden() { # case, suffix, options...
	local c=$1 suffix=$2 g
	shift 2
	g=$DATA/lsvmbus/$c$suffix
	ours "$c" "$@" >"$TMP/out"
	if [ -n "${UPDATE_GOLDEN:-}" ]; then
		cp "$TMP/out" "$g"
		case $suffix in .txt)
			cp "$TMP/stderr.sys" "$DATA/lsvmbus/$c.stderr"
			cp "$TMP/status" "$DATA/lsvmbus/$c.status" ;;
		esac
	fi
	if cmp -s "$TMP/out" "$g"; then
		ok 0 "$c: lsvmbus $* matches $c$suffix"
	else
		ok 1 "$c: lsvmbus $* matches $c$suffix"
		diff -u "$g" "$TMP/out" | head -30 | sed 's/^/#   /'
	fi
	case $suffix in .txt)
		cmp -s "$TMP/stderr.sys" "$DATA/lsvmbus/$c.stderr"
		ok $? "$c: messages match $c.stderr"
		cmp -s "$TMP/status" "$DATA/lsvmbus/$c.status"
		ok $? "$c: exit status $(cat "$TMP/status") as in $c.status" ;;
	esac
}

for c in $GOOD $BAD; do
	golden "$c" .txt
	golden "$c" -v.txt -v
	golden "$c" -vv.txt -vv
	golden "$c" .json --json
done

# The golden JSON must be JSON.
if [ -x "$PY" ]; then
	for c in $GOOD $BAD; do
		check "$c.json is valid JSON" "$PY" -c 'import json,sys; json.load(open(sys.argv[1]))' \
			"$DATA/lsvmbus/$c.json"
	done
fi

# -- the reference -------------------------------------------------------------------------
why=
[ "$(id -u)" = 0 ] || why="needs root for a private mount namespace"
[ -n "$why" ] || command -v unshare >/dev/null || why="unshare (util-linux) is missing"
[ -n "$why" ] || [ -x "$PY" ] || why="$PY is missing"
have_cache() {
	[ -f "$REF" ] && [ -f "$CACHE/include/linux/hyperv.h" ] &&
		[ -f "$CACHE/net/vmw_vsock/hyperv_transport.c" ]
}
if [ -z "$why" ] && ! have_cache; then
	if [ ! -f "$TARBALL" ]; then
		why="$TARBALL is missing (package linux-source-6.12)"
	else
		# One pass over the tarball for all three files; the cache appears whole or not at all.
		# shellcheck disable=SC2086
		mkdir -p "$TOP/build/cache" "$TMP/x" &&
			tar -xJf "$TARBALL" -C "$TMP/x" $MEMBERS &&
			rm -rf "$CACHE.$$" "$CACHE" && mv "$TMP/x/$SRC" "$CACHE.$$" &&
			{ mv -T "$CACHE.$$" "$CACHE" 2>/dev/null || rm -rf "$CACHE.$$"; } &&
			have_cache || why="cannot extract the reference files from $TARBALL"
	fi
fi
if [ -n "$why" ]; then
	skip "comparison with tools/hv/lsvmbus: $why"
	tap_done
	exit
fi

# Run the reference and ours on one fixture as /sys.  Writes $TMP/ref.* and $TMP/our.*.
both() { # case, options...
	local c=$1
	shift
	unshare --mount --propagation private sh -c '
		mount --bind "$1" /sys || exit 99
		shift; ref=$1 lsv=$2 out=$3; shift 3
		'"$PY"' "$ref" "$@" >"$out/ref.out" 2>"$out/ref.err"; echo $? >"$out/ref.status"
		"$lsv" "$@" >"$out/our.out" 2>"$out/our.err"; echo $? >"$out/our.status"
	' sh "$DATA/sysfs/$c" "$REF" "$LSVMBUS" "$TMP" "$@"
}

# Line by line equal, or the reference says Unknown where we give the real name.
same_but_names() { # ref-file our-file
	"$PY" - "$1" "$2" <<'PYEOF'
import sys
ref = open(sys.argv[1], "rb").read().split(b"\n")
our = open(sys.argv[2], "rb").read().split(b"\n")
if len(ref) != len(our):
    print("# %d lines from the reference, %d from ours" % (len(ref), len(our)))
    sys.exit(1)
for r, o in zip(ref, our):
    if r == o:
        continue
    if r.endswith(b"Unknown") and o.startswith(r[:-7]) and len(o) > len(r) - 7:
        continue
    print("# reference: %r" % r)
    print("# ours:      %r" % o)
    sys.exit(1)
PYEOF
}

for c in $GOOD; do
	for opt in "" -v -vv -vvv; do
		# shellcheck disable=SC2086
		both "$c" $opt
		[ "$(cat "$TMP/ref.status")" = 0 ]
		ok $? "$c: the reference runs cleanly${opt:+ with $opt}"
		same_but_names "$TMP/ref.out" "$TMP/our.out"
		ok $? "$c: lsvmbus ${opt:-(no option)} prints what the reference prints"
		g=$DATA/lsvmbus/$c.txt
		case $opt in -v) g=$DATA/lsvmbus/$c-v.txt ;; -vv | -vvv) g=$DATA/lsvmbus/$c-vv.txt ;; esac
		cmp -s "$TMP/our.out" "$g"
		ok $? "$c: lsvmbus ${opt:-(no option)} under /sys matches ${g##*/}"
		same_but_names "$TMP/ref.out" "$g"
		ok $? "$c: ${g##*/} is what the reference prints"
	done
done

# Only names the reference calls Unknown may differ: count them in one case we know.
both gen2
n=$(diff "$TMP/ref.out" "$TMP/our.out" | grep -c '^< .*Unknown$')
[ "$n" = 3 ]
ok $? "gen2: exactly the IMC device and the two sockets are named where the reference says Unknown ($n)"

for c in $BAD; do
	both "$c" -v
	[ "$(cat "$TMP/ref.status")" != 0 ] && grep -q Traceback "$TMP/ref.err"
	ok $? "$c: the reference crashes (so only the golden files count)"
	[ "$(cat "$TMP/our.status")" = 1 ] && [ -s "$TMP/our.out" ] && ! grep -q Traceback "$TMP/our.err"
	ok $? "$c: lsvmbus lists the readable devices and exits 1"
	cmp -s "$TMP/our.out" "$DATA/lsvmbus/$c-v.txt"
	ok $? "$c: lsvmbus -v under /sys matches $c-v.txt"
done

# Every class GUID of the kernel's hyperv.h and the Hyper-V socket template must have a name.
"$PY" - "$CACHE/include/linux/hyperv.h" "$CACHE/net/vmw_vsock/hyperv_transport.c" >"$TMP/kguids" <<'PYEOF'
import re, sys
text = (open(sys.argv[1]).read() + open(sys.argv[2]).read()).replace("\\\n", " ")
pat = re.compile(r"(?:#define\s+(HV_\w+_GUID)\s+\.guid|guid_t\s+(srv_id_template))"
                 r"\s*=\s*GUID_INIT\(([^)]*)\)")
for m in pat.finditer(text):
    v = [int(x, 16) for x in re.findall(r"0x[0-9a-fA-F]+", m.group(3))]
    g = "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x" % tuple(v)
    if m.group(2):
        g = "0000abcd" + g[8:]  # a socket on port 0xabcd
    print(m.group(1) or m.group(2), g)
PYEOF
n=0
while read -r macro guid; do
	n=$((n + 1))
	d=$TMP/kernel/bus/vmbus/devices/$guid
	mkdir -p "$d"
	echo "$n" >"$d/id"
	echo "{$guid}" >"$d/class_id"
	echo "{$guid}" >"$d/device_id"
	echo "$n:0" >"$d/channel_vp_mapping"
	echo "$macro" >"$d/macro"
done <"$TMP/kguids"
"$LSVMBUS" --sysfs "$TMP/kernel" >"$TMP/kernel.out"
[ "$n" -ge 21 ] && [ "$(wc -l <"$TMP/kernel.out")" = "$n" ] && ! grep -q 'Unknown$' "$TMP/kernel.out"
ok $? "every class of hyperv.h and the socket template has a name ($n GUIDs)"
grep 'Unknown$' "$TMP/kernel.out" | sed 's/^/#   /'

# Not a Hyper-V guest: both say so; we exit 3 (the reference exits 255).
both not-a-guest
[ "$(cat "$TMP/ref.status")" = 255 ] && grep -q "doesn't exist" "$TMP/ref.out"
ok $? "not-a-guest: the reference says the bus does not exist and exits 255"
[ "$(cat "$TMP/our.status")" = 3 ] && [ ! -s "$TMP/our.out" ] &&
	[ "$(wc -l <"$TMP/our.err")" = 1 ] && grep -q 'not a Hyper-V guest' "$TMP/our.err"
ok $? "not-a-guest: lsvmbus says so in one line on stderr and exits 3"

tap_done
