#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Azure agent reads pool 0 with no lock (Debian's waagent, rdma.py).  What hv-kvp stores
# there, including values overwritten by shorter ones and records moved by a delete, is what
# the agent's own code reads back.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/common.inc"
if ! "$PY" -c 'import azurelinuxagent.common.rdma' 2>/dev/null; then
	echo "1..0 # SKIP Debian's waagent is not installed (scripts/packages.d/kvpool.list)"
	exit 77
fi

kvp -p 0 set IPoIB_Data "a much longer value that is replaced by a shorter one below"
kvp -p 0 set Filler1 x
kvp -p 0 set NdDriverVersion "142.0"
kvp -p 0 set Filler2 y
kvp -p 0 set IPoIB_Data "NUMPAIRS:1|00155D0A0B0C:172.16.1.4"
kvp -p 0 del Filler1 # moves the last record into the hole
"$PY" "$HERE/waagent-read.py" "$S" >"$TMP/out" 2>"$TMP/err"
ok $? "the agent's reader ran"
sed 's/^/# /' "$TMP/err" | head -5
check "the agent finds NdDriverVersion" grep -qxF "NdDriverVersion 142.0" "$TMP/out"
check "the agent reads IPoIB_Data without stale bytes" \
	grep -qxF "IPoIB_Data NUMPAIRS:1|00155D0A0B0C:172.16.1.4" "$TMP/out"
kvp -p 0 del NdDriverVersion
"$PY" "$HERE/waagent-read.py" "$S" >"$TMP/out" 2>/dev/null
check "after a delete the agent no longer finds it" grep -qxF "NdDriverVersion None" "$TMP/out"
tap_done
