#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The units promise what the daemons do: the ExecStart= flags exist; a Type=notify daemon
# really sends READY=1 to $NOTIFY_SOCKET once it serves (each daemon against hv-sim, hv-fcopyd
# on both transports, on UIO binding the channel to uio_hv_generic itself through new_id, as
# the unit and the udev rules expect); the device a unit waits for is the one the daemon opens; the udev rules start
# only units that exist, for devices those units wait for.
# timeout: 120
. "$(dirname "$0")/../../lib/tap.sh"

units=$TOP/packaging/systemd
rules=$TOP/packaging/udev/60-hvguest.rules
PY=/usr/bin/python3

# READY=1 receiver: binds a datagram socket, prints what arrives until READY=1 or 20 s.
cat >"$TMP/recv.py" <<'EOT'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[1] + ".bound", "w").close()
s.settimeout(20)
try:
    while True:
        d = s.recv(4096).decode()
        print(d.replace("\n", " "), flush=True)
        if "READY=1" in d.split("\n"):
            break
except socket.timeout:
    print("timeout", flush=True)
EOT

start_recv() { # name: starts a receiver on $TMP/name.sock, output in $TMP/name.got
	rm -f "$TMP/$1.sock" "$TMP/$1.sock.bound"
	$PY "$TMP/recv.py" "$TMP/$1.sock" >"$TMP/$1.got" &
	RECV=$!
	for _ in $(seq 100); do [ -e "$TMP/$1.sock.bound" ] && break; sleep 0.05; done
}

unit_val() { sed -n "s/^$2=//p" "$units/$1.service.in"; }

# What hv-sim sends once registration is done, so the daemon has read the reply.
declare -A service=([hv-kvpd]=kvp [hv-vssd]=vss [hv-fcopyd]=fcopy)
declare -A poke=([hv-kvpd]="kvp enum pool=0 index=0" [hv-vssd]="vss op=99" [hv-fcopyd]="fcopy cancel")
declare -A extra=([hv-kvpd]="--state-dir $TMP/kvp" [hv-vssd]="--run-dir $TMP/run --pool-dir $TMP/pool"
	[hv-fcopyd]="--no-record")

for u in "$units"/*.service.in; do
	p=$(basename "$u" .service.in)
	exec_line=$(unit_val "$p" ExecStart)
	case $exec_line in
	@sbindir@/"$p" | @sbindir@/"$p "*) ok 0 "$p.service runs $p from sbindir" ;;
	*) ok 1 "$p.service runs $p from sbindir (ExecStart=$exec_line)" ;;
	esac
	if [ ! -x "$BIN/$p" ]; then
		skip "$p is not built in $BIN"
		continue
	fi
	# every flag of ExecStart= is one the daemon's --help lists
	flags=${exec_line#@sbindir@/"$p" }
	bad=
	for f in $flags; do
		"$BIN/$p" --help 2>&1 | grep -qE -- "(^|[ ,])$f([ ,=]|$)" || bad="$bad $f"
	done
	[ -z "$bad" ]
	ok $? "$p.service: the daemon knows every ExecStart flag ($flags)${bad:+, not:$bad}"

	# the device the unit waits for is the daemon's default device
	for dev in $(unit_val "$p" ConditionPathExists | sed 's/^|//' | grep '^/dev/'); do
		"$BIN/$p" --help 2>&1 | grep -q "default $dev)"
		ok $? "$p.service waits for $dev, the daemon's default device"
	done

	type=$(unit_val "$p" Type)
	if [ "$type" != notify ]; then
		ok 0 "$p.service is Type=$type: nothing to check about readiness"
		continue
	fi
	if [ ! -x "$BIN/hv-sim" ] || [ ! -x $PY ]; then
		skip "$p: hv-sim is not built in $BIN or $PY is missing (scripts/packages.d/packaging.list)"
		continue
	fi
	start_recv "$p"
	# shellcheck disable=SC2086 # the flags and the extra options are words
	NOTIFY_SOCKET=$TMP/$p.sock timeout 30 "$BIN/hv-sim" -s "${service[$p]}" -q -e wait-register \
		-e "${poke[$p]}" -- "$BIN/$p" $flags --config /dev/null ${extra[$p]} >"$TMP/$p.log" 2>&1
	rc=$?
	# the receiver ends at READY=1 (maybe still queued in its socket) or after 20 s
	wait "$RECV" 2>/dev/null
	grep -qx 'READY=1 .*' "$TMP/$p.got"
	r=$?
	ok $r "$p ($flags) sends READY=1 once it serves the host, as Type=notify expects (hv-sim exit $rc)"
	[ $r -eq 0 ] || sed 's/^/#   /' "$TMP/$p.log" "$TMP/$p.got" | head -10
done

# hv-fcopyd on the UIO transport: what the unit starts on kernels 6.10 and later, when only
# the VMBus device exists, not yet bound to uio_hv_generic: the daemon must write new_id.
if [ -x "$BIN/hv-fcopyd" ] && [ -x "$BIN/hv-sim" ] && [ -x $PY ] && "$BIN/hv-sim" fcopy-uio --help >/dev/null 2>&1; then
	R=$TMP/uio
	"$BIN/hv-sim" fcopy-uio --root "$R" --unbound --setup-only >"$TMP/uio-setup.log" 2>&1
	ok $? "hv-sim fcopy-uio builds an unbound file-copy channel and no character device"
	start_recv uio
	# shellcheck disable=SC2046 # the unit's flags are words
	NOTIFY_SOCKET=$TMP/uio.sock "$BIN/hv-fcopyd" $(unit_val hv-fcopyd ExecStart | cut -d' ' -f2-) \
		--config /dev/null --no-record --sysfs "$R/sys" --dev "$R/dev" --uio-irq "$R/dev/uio0.irq" \
		>"$TMP/uio.log" 2>&1 &
	daemon=$!
	# the host: negotiates with the daemon, then cancels a copy that never started
	timeout 30 "$BIN/hv-sim" fcopy-uio -q --root "$R" --unbound -e cancel >"$TMP/uio-host.log" 2>&1
	wait "$RECV" 2>/dev/null
	kill "$daemon" 2>/dev/null
	wait "$daemon" 2>/dev/null
	grep -qx 'READY=1 .*uio.*' "$TMP/uio.got"
	r=$?
	ok $r "hv-fcopyd picks UIO without the character device, binds it and sends READY=1"
	[ $r -eq 0 ] || sed 's/^/#   /' "$TMP/uio.log" "$TMP/uio.got" "$TMP/uio-host.log" | head -10
	grep -q '34d14be3-dee4-41c8-9ae7-6b174977c192' "$R/sys/bus/vmbus/drivers/uio_hv_generic/new_id"
	ok $? "hv-fcopyd wrote the file-copy class to uio_hv_generic's new_id itself"
else
	skip "hv-fcopyd or hv-sim fcopy-uio is not built in $BIN"
fi

# -- the udev rules ---------------------------------------------------------------------------
wanted=$(grep -oE 'SYSTEMD_WANTS\}\+="[^"]+"' "$rules" | sed -E 's/.*"(.*)"/\1/' | sort -u)
[ -n "$wanted" ]
ok $? "60-hvguest.rules starts units ($(echo $wanted))"
for w in $wanted; do
	[ -f "$units/${w%.service}.service.in" ]
	ok $? "60-hvguest.rules: $w is one of our units"
done
while read -r dev unit; do
	grep -q "^ConditionPathExists=|\{0,1\}/dev/$dev\$" "$units/${unit%.service}.service.in"
	ok $? "60-hvguest.rules: $unit, started for /dev/$dev, waits for that device"
done < <(sed -nE 's/^KERNEL=="([^"]+)".*SYSTEMD_WANTS\}\+="([^"]+)".*/\1 \2/p' "$rules")
# A "systemd" tag only on "add" would make the device look unplugged after a change event.
! grep -E 'ACTION=="add".*TAG\+="systemd"' "$rules" >/dev/null
ok $? "60-hvguest.rules tags devices for systemd on every event, not only add"
grep -qE 'class_id\}=="\{34d14be3-dee4-41c8-9ae7-6b174977c192\}".*kmod load uio_hv_generic' "$rules"
ok $? "60-hvguest.rules loads uio_hv_generic for the file-copy channel (kernels 6.10+)"
tap_done
