#!/bin/sh
# SPDX-License-Identifier: MIT
# hv-check: cost of a query, a table and a live check against a bare --version run.
exec sh tests/data/hv-check/bench.sh
