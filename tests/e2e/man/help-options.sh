#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every program has a man page that passes mandoc's lint, and every long option its --help
# prints is documented in that page.  An option counts as documented only when the page names
# it whole: "--device" is not found by "--device-fd".
. "$(dirname "$0")/../../lib/tap.sh"

# The long options a page documents, one per line: "Fl \-name", "Fl -name", "Fl Fl name",
# "Op Fl \-name", or "\-\-name" / "--name" in running text; mdoc's "\-" inside a name is "-".
page_options() {
	sed -e 's/\\-/-/g' "$1" |
		grep -oE -- '(Fl -|Fl Fl |--)[a-z][a-z0-9-]*[a-z0-9]' |
		sed -E 's/^(Fl -|Fl Fl |--)//' | sort -u
}

# Self-test of the matcher, so that a too-loose pattern cannot pass every page.
printf '.It Fl \\-device-fd Ar n\n.Op Fl Fl state-dir\nsee \\-\\-no\\-record\n' >"$TMP/t.8"
[ "$(page_options "$TMP/t.8" | tr '\n' ' ')" = "device-fd no-record state-dir " ]
ok $? "the page matcher finds whole option names only (device-fd is not device)"

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
	opts=$(printf '%s\n' "$help" | grep -oE -- '--[a-z][a-z0-9-]*[a-z0-9]' | sed 's/^--//' | sort -u)
	[ -n "$opts" ]
	ok $? "$p --help lists long options"
	documented=$(page_options "$page")
	missing=
	for o in $opts; do
		printf '%s\n' "$documented" | grep -qxF -- "$o" || missing="$missing --$o"
	done
	[ -z "$missing" ]
	ok $? "$p: every long option of --help is in ${page##*/}${missing:+ (missing:$missing)}"
done
tap_done
