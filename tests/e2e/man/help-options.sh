#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every program has a man page that passes mandoc's lint, and every long option its --help
# prints is documented in that page.
. "$(dirname "$0")/../../lib/tap.sh"

progs=$(ls "$BIN" 2>/dev/null)
[ -n "$progs" ] || { echo "1..0 # SKIP nothing built in $BIN"; exit 77; }
for p in $progs; do
	page=$(ls "$TOP"/man/"$p".[1-8] 2>/dev/null | head -1)
	if [ -z "$page" ]; then
		ok 1 "$p has a man page in man/"
		continue
	fi
	ok 0 "$p has a man page (${page#"$TOP"/})"
	if command -v mandoc >/dev/null; then
		check "$p: mandoc -Tlint is clean" mandoc -Tlint -Wwarning "$page"
	else
		skip "$p: mandoc is not installed (scripts/setup installs it)"
	fi
	help=$("$BIN/$p" --help 2>&1)
	ok $? "$p --help exits 0"
	opts=$(printf '%s\n' "$help" | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u)
	[ -n "$opts" ]
	ok $? "$p --help lists long options"
	missing=
	for o in $opts; do
		# mdoc writes a long option as "Fl \-name" or "Fl -name".
		name=${o#--}
		grep -qE -- "(Fl|Op Fl) (\\\\-|-|Fl )$name\\b|\\\\-\\\\-$name\\b|--$name\\b" "$page" ||
			missing="$missing $o"
	done
	[ -z "$missing" ]
	ok $? "$p: every long option of --help is in ${page##*/}${missing:+ (missing:$missing)}"
done
tap_done
