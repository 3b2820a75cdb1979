#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The configuration file: every key a program reads (found in the sources, not listed here)
# is documented in man/hvguest.conf.5 and present in packaging/hvguest.conf; the daemons accept
# the shipped file as it is and with every default uncommented, and the uncommented defaults
# change nothing; a bad key or value in the same place is refused.
. "$(dirname "$0")/../../lib/tap.sh"
# timeout: 120

conf=$TOP/packaging/hvguest.conf
page=$TOP/man/hvguest.conf.5

# -- the keys the sources read ------------------------------------------------------------
# Three ways the code names a key: conf_get*(c, "section", "key"...); a table of key names
# (known[], conf_keys[], keys[]) in a file that reads the section, used with conf_foreach() or
# with conf_get(c, "section", keys[i]); and streq(key, "name") inside a conf_foreach() visitor.
keys_of() { # section source-files...: the keys that section's code reads, one per line
	local sec=$1
	shift
	{
		grep -ohE "conf_get[a-z_]*\([a-z]+, \"$sec\", \"[a-z_-]+\"" "$@" |
			sed -E 's/.*"([a-z_-]+)"$/\1/'
		awk '/(known|keys)\[\] = \{/,/\};/' "$@" | grep -oE '"[a-z_-]+"' | tr -d '"'
		if grep -q "conf_foreach([a-z]*, \"$sec\"" "$@"; then
			grep -ohE 'streq\(key, "[a-z_-]+"\)' "$@" | sed -E 's/.*"([a-z_-]+)".*/\1/'
		fi
	} | sort -u
}
src_for() { # section: the source files that read it
	grep -lE "conf_(get[a-z_]*|foreach)\([a-z]+, \"$1\"" "$TOP"/lib/*.c "$TOP"/src/*/*.c
}

all_keys=
for sec in kvpd ip vssd fcopyd; do
	files=$(src_for "$sec" | tr '\n' ' ')
	keys=$(keys_of "$sec" $files)
	n=$(printf '%s\n' "$keys" | grep -c .)
	[ "$n" -ge 3 ]
	ok $? "[$sec]: found the keys the sources read ($n in ${files//$TOP\//})"
	miss_page='' miss_conf=''
	for k in $keys; do
		all_keys="$all_keys $sec.$k"
		# the page: ".It Cm key No = ..." inside the section's own ".Ss [sec]" part
		sed -n "/^\.Ss \[$sec\]/,/^\.S[sh] /p" "$page" | grep -qE "^\.It Cm $k No =" ||
			miss_page="$miss_page $k"
		# the shipped file: "#key = " or "key = " (an example) inside "[sec]"
		sed -n "/^\[$sec\]/,/^\[/p" "$conf" | grep -qE "(^#|[ ])$k = " ||
			miss_conf="$miss_conf $k"
	done
	[ -z "$miss_page" ]
	ok $? "[$sec]: every key is documented in hvguest.conf.5${miss_page:+ (missing:$miss_page)}"
	[ -z "$miss_conf" ]
	ok $? "[$sec]: every key is in packaging/hvguest.conf${miss_conf:+ (missing:$miss_conf)}"
done

# The other way round: nothing is documented that no program reads.
extra=
for sec in kvpd ip vssd fcopyd; do
	for k in $(sed -n "/^\.Ss \[$sec\]/,/^\.S[sh] /p" "$page" | sed -nE 's/^\.It Cm ([a-z_-]+) No =.*/\1/p'); do
		case " $all_keys " in *" $sec.$k "*) ;; *) extra="$extra $sec.$k" ;; esac
	done
done
[ -z "$extra" ]
ok $? "hvguest.conf.5 documents no key the programs do not read${extra:+ (extra:$extra)}"

# Every option the page names for a key is one the daemon has.
for pair in kvpd:hv-kvpd ip:hv-kvpd vssd:hv-vssd fcopyd:hv-fcopyd; do
	sec=${pair%%:*} prog=${pair#*:}
	if [ ! -x "$BIN/$prog" ]; then
		skip "$prog is not built in $BIN"
		continue
	fi
	bad=''
	opts=$(sed -n "/^\.Ss \[$sec\]/,/^\.S[sh] /p" "$page" | sed -nE 's/^\.Fl \\-([a-z0-9-]+).*/\1/p')
	for o in $opts; do
		"$BIN/$prog" --help 2>&1 | grep -qE -- "--$o([^a-z0-9-]|\$)" || bad="$bad --$o"
	done
	[ -n "$opts" ] && [ -z "$bad" ]
	ok $? "[$sec]: the $(echo $opts | wc -w) options hvguest.conf.5 names are in $prog --help${bad:+ (not:$bad)}"
done

if command -v mandoc >/dev/null; then
	check "hvguest.conf.5: mandoc -Tlint is clean" mandoc -Tlint -Wwarning "$page"
else
	skip "hvguest.conf.5: mandoc is not installed (scripts/setup installs it)"
fi

# -- the daemons accept it ------------------------------------------------------------------
# The shipped file, and the same with every "#key = default" line uncommented.
sed -E 's/^#([a-z_-]+ = )/\1/' "$conf" >"$TMP/defaults.conf"
n=$(grep -cE '^[a-z_-]+ = ' "$TMP/defaults.conf")
[ "$n" -ge 20 ]
ok $? "uncommenting the shipped file gives $n settings"

for f in "$conf" "$TMP/defaults.conf"; do
	what=${f##*/}
	if [ -x "$BIN/hv-vssd" ]; then
		# --check reads the file, lists what it would freeze and the hooks, and exits.
		"$BIN/hv-vssd" --check --config /dev/null --run-dir "$TMP/run" --pool-dir "$TMP/pool" \
			>"$TMP/vssd-none" 2>&1
		"$BIN/hv-vssd" --check --config "$f" --run-dir "$TMP/run" --pool-dir "$TMP/pool" \
			>"$TMP/vssd-$what" 2>&1
		rc=$?
		[ $rc -le 1 ] && ! grep -q 'vssd\]' "$TMP/vssd-$what"
		ok $? "hv-vssd --check accepts $what (exit $rc)"
		check "hv-vssd --check: $what selects the same mounts and hooks as no file" \
			diff "$TMP/vssd-none" "$TMP/vssd-$what"
	else
		skip "hv-vssd is not built in $BIN"
	fi
	if [ -x "$BIN/hv-fcopyd" ]; then
		# hv-fcopyd reads the file before it looks at --help.
		check "hv-fcopyd accepts $what" "$BIN/hv-fcopyd" --config "$f" --help
	else
		skip "hv-fcopyd is not built in $BIN"
	fi
	if [ -x "$BIN/hv-kvpd" ] && [ -x "$BIN/hv-sim" ]; then
		# hv-kvpd has no dry run: it serves one SET from a simulated host with the file.
		rm -rf "$TMP/kvp"
		timeout 30 "$BIN/hv-sim" -s kvp -q -e wait-register \
			-e "kvp set pool=1 key=conf value=ok" -e "expect status=HV_S_OK" \
			-- "$BIN/hv-kvpd" -n --state-dir "$TMP/kvp" --config "$f" >"$TMP/kvpd.out" 2>&1
		rc=$?
		[ $rc -eq 0 ] && grep -q 'registered with the kernel' "$TMP/kvpd.out"
		r=$?
		ok $r "hv-kvpd accepts $what and serves the host (exit $rc)"
		[ $r -eq 0 ] || sed 's/^/#   /' "$TMP/kvpd.out" | head -10
	else
		skip "hv-kvpd or hv-sim is not built in $BIN"
	fi
done

# -- and refuses what it must refuse ---------------------------------------------------------
# The same places with a wrong key or value: otherwise the checks above could not fail.
bad() { # section line: the defaults file with 'line' added at the end of a new '[section]'
	{ cat "$TMP/defaults.conf"; printf '[%s]\n%s\n' "$1" "$2"; } >"$TMP/bad.conf"
}
if [ -x "$BIN/hv-vssd" ]; then
	bad vssd "freeze_timeout = 0"
	! "$BIN/hv-vssd" --check --config "$TMP/bad.conf" --run-dir "$TMP/run" >/dev/null 2>&1
	ok $? "hv-vssd refuses [vssd] freeze_timeout = 0"
fi
if [ -x "$BIN/hv-fcopyd" ]; then
	bad fcopyd "max_size = 4G"
	! "$BIN/hv-fcopyd" --config "$TMP/bad.conf" --help >/dev/null 2>&1
	ok $? "hv-fcopyd refuses an unknown key (max_size for max-size)"
fi
if [ -x "$BIN/hv-kvpd" ]; then
	# A bad file stops hv-kvpd before it opens the device.
	for l in "kvpd:fsync = maybe" "ip:backend = wicked" "ip:gateway = 10.0.0.1"; do
		bad "${l%%:*}" "${l#*:}"
		"$BIN/hv-kvpd" -n --config "$TMP/bad.conf" --device "$TMP/none" \
			--state-dir "$TMP/kvp" >"$TMP/out" 2>&1
		rc=$?
		[ $rc -ne 0 ] && ! grep -q 'cannot open the KVP device' "$TMP/out"
		ok $? "hv-kvpd refuses [${l%%:*}] ${l#*:} before opening the device"
	done
	"$BIN/hv-kvpd" -n --config "$TMP/defaults.conf" --device "$TMP/none" \
		--state-dir "$TMP/kvp" >"$TMP/out" 2>&1
	grep -q 'cannot open the KVP device' "$TMP/out"
	ok $? "hv-kvpd with the defaults file gets as far as the device"
fi
tap_done
