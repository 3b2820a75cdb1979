#!/bin/sh
# SPDX-License-Identifier: MIT
# make bench, pool-library part: lib/kvpool GET and SET per operation on pools of 1,000 and
# 10,000 records, against two baselines measured in the same run by the same program
# (tests/unit/test-kvpool-bench.c): the reference daemon's cycle (lock, read the whole file,
# linear scan, rewrite the whole file per SET) and an in-memory pool that replaces the whole
# file atomically per SET.  Prints ns/op and the ratios baseline/library (higher is better
# for the library).  The library runs without fdatasync for the ratios, as the baselines do;
# the "lib+sync" column is its default, syncing mode.
set -eu
O=${O:-build/default}
make --no-print-directory -s O="$O" "$O/tests/test-kvpool-bench" >/dev/null
exec "$O/tests/test-kvpool-bench" --bench
