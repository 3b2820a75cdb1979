#!/bin/sh
# SPDX-License-Identifier: MIT
# Bench for hv-check (meant to be run from scripts/bench.d/, see the report of issue 7).  A query and a live check (fixture root) against a baseline measured in
# the same run: `hv-check --version`, which starts the process but loads no map.  Prints the
# per-run times and the ratios; the goal is well under 100 ms per run on a guest.
set -u
BIN=${BIN:-build/default/bin}
HVC=$BIN/hv-check
[ -x "$HVC" ] || { echo "hv-check: not built, skipped"; exit 0; }
N=${HVC_BENCH_RUNS:-50}
ROOT=tests/data/hv-check/roots/rhel10-2025-uio
ms() { # command... -> average milliseconds per run
	start=$(date +%s%N)
	i=0
	while [ $i -lt "$N" ]; do "$@" >/dev/null 2>&1; i=$((i + 1)); done
	end=$(date +%s%N)
	echo $(((end - start) / N / 1000)) # microseconds
}
base=$(ms "$HVC" --version)
query=$(ms "$HVC" features --distro centos --version 6.5 --lis 4.1 --host 2012R2 --json)
table=$(ms "$HVC" table --distro rhel --series 7.x --source seed --markdown)
live=$(HV_CHECK_CPUID="Microsoft Hv" ms "$HVC" check --root "$ROOT" --json)
echo "hv-check: $N runs each (microseconds per run)"
echo "  baseline (--version)   $base"
echo "  features --json        $query   ratio $(awk "BEGIN{printf \"%.1f\", $query/($base?$base:1)}")"
echo "  table seed markdown    $table   ratio $(awk "BEGIN{printf \"%.1f\", $table/($base?$base:1)}")"
echo "  check --root           $live   ratio $(awk "BEGIN{printf \"%.1f\", $live/($base?$base:1)}")"
