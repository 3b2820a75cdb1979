#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# daemon-bad.sh - SET_IP_INFO bad input through the whole path: hv-sim plays the host, hv-kvpd
# (socket mode, --root a temp tree) owns a veth NIC in a private network namespace, configured
# by an ifupdown stanza under the root (so a request that got through would rewrite a file and
# change the live addresses).  Every row of tests/data/ipcfg/daemon-bad.tsv and the generated
# ones (overlong tokens, counts past the arrays, shell metacharacters and line breaks in every
# field) must get its error status, leave every file under the root as it was (checksums),
# leave the namespace's addresses and routes as they were, and leave the daemon serving (a GET
# right after succeeds).  Then one good SET is applied live, and the --ip-* options are shown
# to work: --ip-dry-run, --ip-exclude (name pattern and MAC), --ip-backend with
# --ip-no-activate, --ip-rollback-ms, --ip-set-script, --ip-backup-dir, bad option values.
# timeout: 60
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/common.inc"

MAC=00:15:5D:01:02:03
GUID="{0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d}"
TABLE=$TOP/tests/data/ipcfg/daemon-bad.tsv

if [ "${1:-}" != --inner ]; then
	need_sim_kvpd
	[ -f "$TABLE" ] || { echo "1..0 # SKIP $TABLE missing"; exit 77; }
	# a child, not exec: this shell's EXIT trap removes its $TMP
	unshare --net --mount --propagation private bash "$0" --inner
	exit $?
fi

# ---- inside the private network and mount namespaces ----------------------------------------
trap 'sim_stop_all; _tap_cleanup' EXIT
R=$TMP/root
mkdir -p "$R/etc/network" "$R/sys/class/net/hn0/device"
printf '%s\n' "$GUID" >"$R/sys/class/net/hn0/device/device_id"
printf 'nameserver 192.0.2.53\n' >"$R/etc/resolv.conf"
printf 'auto lo\niface lo inet loopback\n\nauto hn0\niface hn0 inet static\n    address 192.0.2.10/24\n    gateway 192.0.2.1\n' \
	>"$R/etc/network/interfaces"

netns_init && netns_nic hn0 "$MAC" gw0 &&
	ip addr add 192.0.2.10/24 dev hn0 && ip route add default via 192.0.2.1 dev hn0 &&
	netns_settle hn0 gw0
ok $? "namespace: veth hn0 ($MAC), 192.0.2.10/24, default via 192.0.2.1"

# kvpd NAME OPTION...: hv-kvpd behind hv-sim at $TMP/NAME.ctl, pools in $TMP/NAME.
kvpd() {
	local name=$1
	shift
	sim_start "$name" -- "$BIN/hv-kvpd" -n --state-dir "$TMP/$name" --config /dev/null \
		--root "$R" "$@"
}
# setip SOCKET ARGS...: send one SET_IP_INFO, print the status (hex)
setip() {
	local r
	r=$(sim_ctl "$@") || { echo "error: $r"; return; }
	r=${r#ok status=}
	echo "${r%% *}"
}
hex() {
	case $1 in
	HV_S_OK) echo 0x00000000 ;;
	HV_E_FAIL) echo 0x80004005 ;;
	HV_INVALIDARG) echo 0x80070057 ;;
	HV_GUID_NOTFOUND) echo 0x80041002 ;;
	HV_ERROR_NOT_SUPPORTED) echo 0x80070032 ;;
	*) echo "$1" ;;
	esac
}
# result NAME: the pool-1 record of the last SET in daemon NAME's pools
result() { /usr/bin/python3 "$TOP/tests/e2e/hv-kvpd/pooldump.py" "$TMP/$1/.kvp_pool_1" |
	sed -n 's/^HvGuestIpInjectionResult\t//p'; }
snapshot() { tree_sum "$R" >"$TMP/tree.$1"; net_state >"$TMP/net.$1"; }
unchanged() { # label: files and network as at snapshot "0"
	snapshot now
	diff "$TMP/tree.0" "$TMP/tree.now" >"$TMP/diff" && diff "$TMP/net.0" "$TMP/net.now" >>"$TMP/diff"
}

kvpd a --ip-backup-dir /backups
ok $? "hv-kvpd registered (auto backend: ifupdown owns hn0 under the root)"
snapshot 0

# ---- the bad-input table ---------------------------------------------------------------
cp "$TABLE" "$TMP/rows"
declare -A base=([adapter]=$GUID [ip]=192.0.2.20 [subnet]=255.255.255.0 [gateway]=192.0.2.1 [dns]=192.0.2.53)
row() { printf '%s\t%s\t%s\n' "$@" >>"$TMP/rows"; }
# request with FIELD's value replaced by VALUE (scenario-quoted)
req() {
	local f v out=""
	for f in adapter ip subnet gateway dns; do
		v=${base[$f]}
		[ "$f" = "$1" ] && v=$2
		out="$out $f=\"$v\""
	done
	echo "family=ipv4 dhcp=0$out"
}
# Shell metacharacters, quotes, line breaks, control and non-ASCII bytes, appended to a good
# value in every field (scenario escapes: \x24 is "$", \x60 a backquote).
payloads=('\x24(touch /tmp/hvguest-pwned)' '\x60id\x60' ';reboot' '|id' '&id' '>x' '<x' "'"
	'\"' '\\' '#x' '*' '\nIPADDR1=203.0.113.9' '\x0d' '\t' ' x' '=x' ',192.0.2.21' '\x7f'
	'\xc3\xa9' '%hn0')
for f in adapter ip subnet gateway dns; do
	v=${base[$f]}
	for p in "${payloads[@]}"; do
		row HV_INVALIDARG "$f: metacharacter $p" "$(req $f "$v$p")"
	done
done
# Overlong tokens: 46 bytes (the reference's stack buffer), and the largest the field holds.
long() { printf "%${1}s" "" | tr ' ' 1; }
for f in ip subnet gateway dns; do
	max=2047
	[ $f = gateway ] && max=1023
	row HV_INVALIDARG "$f: 46-byte token" "$(req $f "$(long 46)")"
	row HV_INVALIDARG "$f: $max-byte token" "$(req $f "$(long $max)")"
done
row HV_INVALIDARG "adapter: 255-byte id" "$(req adapter "$(long 255)")"
# Counts past the arrays (16 addresses, 4 gateways, 8 DNS servers).
ips=$(seq -s ';' -f '192.0.2.%g' 21 37) masks=$(printf '24;%.0s' $(seq 17))
row HV_INVALIDARG "ip: 17 addresses" "adapter=\"$GUID\" family=ipv4 ip=\"$ips\" subnet=\"${masks%;}\""
row HV_INVALIDARG "gateway: 5 gateways" "$(req gateway "$(seq -s ';' -f '192.0.2.%g' 1 5)")"
row HV_INVALIDARG "dns: 9 servers" "$(req dns "$(seq -s ';' -f '192.0.2.%g' 50 58)")"

n=0 bad=0
while IFS=$'\t' read -r want what args; do
	case $want in '#'* | '') continue ;; esac
	n=$((n + 1))
	args=${args//@A@/\"$GUID\"}
	got=$(setip "$TMP/a.ctl" kvp set-ip "$args")
	alive=$(getip "$TMP/a.ctl" "$MAC" | field status)
	msg=""
	[ "$got" = "$(hex "$want")" ] || msg="status $got, want $want ($(hex "$want"))"
	unchanged || msg="$msg; changed: $(head -5 "$TMP/diff" | tr '\n' ' ')"
	[ "$alive" = 0x00000000 ] || msg="$msg; the GET after it got '$alive'"
	if [ -n "$msg" ]; then
		bad=$((bad + 1))
		ok 1 "bad SET refused, nothing changed, daemon alive: $what"
		diag "$msg"
		diag "request: $args"
		snapshot 0 # judge the next rows on their own
	fi
done <"$TMP/rows"
[ "$n" -gt 150 ] && [ "$bad" = 0 ]
ok $? "all $n bad SET_IP_INFO requests refused with their status; files, addresses and routes unchanged; the daemon answered a GET after each"
[ ! -e /tmp/hvguest-pwned ]
ok $? "no metacharacter payload ran"
case $(result a) in
*"ip_addr"* | *"sub_net"* | *"adapter"* | *"gate_way"* | *"dns_addr"*) r=0 ;;
*) r=1 ;;
esac
ok $r "the pool-1 record names the offending field: '$(result a | cut -c1-100)'"
grep -q 'hv-kvpd' "$TMP/a.sim" && ! grep -qiE 'sanitizer|segv|abort' "$TMP/a.sim"
ok $? "no crash or sanitizer report in the daemon's log"

# ---- one good SET, applied live through the ifupdown backend --------------------------------
got=$(setip "$TMP/a.ctl" kvp set-ip "$(req none)")
ok "$([ "$got" = 0x00000000 ]; echo $?)" "good SET: HV_S_OK ($got)"
ip -o addr show dev hn0 | grep -q 'inet 192.0.2.20/24' && ! ip -o addr show dev hn0 | grep -q 'inet 192.0.2.10/'
ok $? "good SET: hn0 now has 192.0.2.20/24 instead of 192.0.2.10"
ip route show default | grep -q 'default via 192.0.2.1 dev hn0'
ok $? "good SET: the default route via 192.0.2.1"
grep -q '192.0.2.20' "$R/etc/network/interfaces" && ! grep -q '192.0.2.10' "$R/etc/network/interfaces"
ok $? "good SET: the ifupdown stanza was rewritten"
grep -qs 'address 192.0.2.10/24' "$R"/backups/etc_network_interfaces.*
ok $? "--ip-backup-dir /backups: the old file kept there (below --root): $(ls "$R/backups" 2>&1)"
case $(result a) in "ok: hn0 via ifupdown"*) r=0 ;; *) r=1 ;; esac
ok $r "good SET: pool 1 says '$(result a | cut -c1-60)'"
sim_stop_all

# From here on: the state after the good SET is the reference.
snapshot 0

# ---- --ip-dry-run: validated and answered, nothing changes ----------------------------------
kvpd dry --ip-dry-run
got=$(setip "$TMP/dry.ctl" kvp set-ip "$(req ip 192.0.2.30)")
unchanged
ok $? "--ip-dry-run: files, addresses and routes unchanged"
[ "$got" = 0x00000000 ]
ok $? "--ip-dry-run: a good SET is answered HV_S_OK ($got)"
result dry | grep -qi 'dry'
ok $? "--ip-dry-run: pool 1 says it was a dry run: '$(result dry | cut -c1-80)'"
got=$(setip "$TMP/dry.ctl" kvp set-ip "$(req ip 192.0.2.300)")
[ "$got" = 0x80070057 ]
ok $? "--ip-dry-run: a bad SET is still refused ($got)"
sim_stop_all

# ---- --ip-exclude: a pattern, and a MAC in lower case (repeatable) -------------------------
kvpd exa --ip-exclude 'hn*'
got=$(setip "$TMP/exa.ctl" kvp set-ip "$(req ip 192.0.2.31)")
[ "$got" = 0x80070032 ] && unchanged
ok $? "--ip-exclude 'hn*': SET refused with ERROR_NOT_SUPPORTED ($got), nothing changed"
[ "$(getip "$TMP/exa.ctl" "$MAC" | field ip | cut -d';' -f1)" = 192.0.2.20 ]
ok $? "--ip-exclude: GET still reports the excluded NIC"
sim_stop_all
kvpd exb --ip-exclude eth9 --ip-exclude 00:15:5d:01:02:03
got=$(setip "$TMP/exb.ctl" kvp set-ip "$(req ip 192.0.2.32)")
[ "$got" = 0x80070032 ] && unchanged
ok $? "--ip-exclude eth9 --ip-exclude <MAC>: SET refused ($got), nothing changed"
sim_stop_all

# ---- --ip-backend networkd --ip-no-activate: the file only -----------------------------------
kvpd nd --ip-backend networkd --ip-no-activate
got=$(setip "$TMP/nd.ctl" kvp set-ip "$(req ip 192.0.2.33)")
[ "$got" = 0x00000000 ] && grep -q '^Address=192.0.2.33/24' "$R/etc/systemd/network/10-hvguest-hn0.network"
ok $? "--ip-backend networkd: the .network file written ($got)"
net_state >"$TMP/net.now"
diff "$TMP/net.0" "$TMP/net.now" >/dev/null
ok $? "--ip-no-activate: addresses and routes unchanged"
sim_stop_all
rm -rf "$R/etc/systemd"

# ---- --ip-rollback-ms: a gateway that never answers, so the change is undone -----------------
addrs() { ip -o addr show | awk '{ print $2, $4 }' | sort; ip route show default; }
addrs >"$TMP/addrs.0"
kvpd rb --ip-backend live --ip-rollback-ms 700
got=$(setip "$TMP/rb.ctl" kvp set-ip "$(req ip 192.0.2.34 | sed 's/gateway="[^"]*"/gateway="192.0.2.99"/')")
[ "$got" = 0x80004005 ]
ok $? "--ip-rollback-ms 700: a dead gateway gives HV_E_FAIL ($got)"
addrs | diff "$TMP/addrs.0" - >/dev/null
ok $? "--ip-rollback-ms: the previous addresses and default route are back"
result rb | grep -qiE 'roll|gateway'
ok $? "--ip-rollback-ms: pool 1 says why: '$(result rb | cut -c1-80)'"
sim_stop_all

# ---- --ip-set-script: the site's script, run with the reference's two file arguments -------
printf '#!/bin/sh\nprintf "%%s\\n" "$@" >%s/script-args\n' "$TMP" >"$TMP/hv_set_ifconfig"
chmod 755 "$TMP/hv_set_ifconfig"
kvpd sc --ip-set-script "$TMP/hv_set_ifconfig"
got=$(setip "$TMP/sc.ctl" kvp set-ip "$(req ip 192.0.2.35)")
[ "$got" = 0x00000000 ] && [ "$(sed -n 1p "$TMP/script-args")" = "$R/var/lib/hyperv/ifcfg-hn0" ] &&
	grep -q '^IPADDR0=192.0.2.35$' "$R/var/lib/hyperv/ifcfg-hn0"
ok $? "--ip-set-script: the script ran with the ifcfg file ($got: $(tr '\n' ' ' <"$TMP/script-args" 2>/dev/null))"
sim_stop_all

# ---- bad option values stop the daemon before it starts ------------------------------------
for o in "--ip-backend dhcpcd" "--ip-rollback-ms 15001" "--ip-set-script relative/x" \
	"--ip-backup-dir relative" "--ip-exclude="; do
	# shellcheck disable=SC2086 # the option and its value are two words on purpose
	"$BIN/hv-kvpd" -n --device /nonexistent $o >"$TMP/opt.out" 2>&1
	r=$?
	[ $r = 2 ] && grep -q -- "--ip-" "$TMP/opt.out"
	ok $? "$o: usage error (exit $r): $(head -1 "$TMP/opt.out")"
done
tap_done
