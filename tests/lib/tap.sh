# SPDX-License-Identifier: MIT
# tap.sh - the TAP harness for end-to-end shell tests.  Source it, then call
#   ok COND-EXIT-STATUS DESCRIPTION   (e.g.  cmp -s a b; ok $? "same bytes")
#   check DESCRIPTION COMMAND...      (runs COMMAND, ok when it exits 0; its output is shown on failure)
#   skip DESCRIPTION-WITH-REASON
#   diag TEXT
#   tap_done                          (prints the plan and the summary; exits 1 on any failure)
# Also provides: $TOP (source tree), $BIN (built programs), $TMP (private temp dir removed at exit),
# and need_root (exits 77 with a reason when not root).
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../../.." 2>/dev/null && pwd)}
[ -f "$TOP/Makefile" ] || TOP=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-build/default}
case $O in /*) BIN=$O/bin ;; *) BIN=$TOP/$O/bin ;; esac
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hvguest-test.XXXXXX")
_tap_cleanup() { [ -n "${_TAP_KEEP:-}" ] || rm -rf "$TMP"; }
trap _tap_cleanup EXIT
_tap_n=0 _tap_pass=0 _tap_fail=0 _tap_skip=0

ok() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		_tap_pass=$((_tap_pass + 1)); echo "ok $_tap_n - $2"
	else
		_tap_fail=$((_tap_fail + 1)); echo "not ok $_tap_n - $2"
	fi
}

check() {
	_d=$1; shift
	if _out=$("$@" 2>&1); then ok 0 "$_d"; else
		ok 1 "$_d"; printf '%s\n' "$_out" | sed 's/^/#   /' | head -40
	fi
}

skip() {
	_tap_n=$((_tap_n + 1)); _tap_skip=$((_tap_skip + 1)); echo "ok $_tap_n # SKIP $1"
}

diag() { printf '# %s\n' "$*"; }

need_root() {
	if [ "$(id -u)" != 0 ]; then echo "1..0 # SKIP needs root: $*"; exit 77; fi
}

tap_done() {
	echo "1..$_tap_n"
	if [ "$_tap_skip" -gt 0 ]; then
		echo "$_tap_pass passed, $_tap_fail failed, $_tap_skip skipped"
	else
		echo "$_tap_pass passed, $_tap_fail failed"
	fi
	[ "$_tap_fail" -eq 0 ]
}
