# SPDX-License-Identifier: MIT
# Read a pool file with cloud-init's own reader (_iterate_kvps, under flock) and print, one a
# line, "event <name>" for every cloud-init event record and "kv <key>\t<value>" for the
# others.  Exits 1 if any record fails to decode.  Usage: cloudinit-read.py POOLFILE
import json
import sys

from cloudinit.reporting.handlers import HyperVKvpReportingHandler

h = HyperVKvpReportingHandler.__new__(HyperVKvpReportingHandler)
h._kvp_file_path = sys.argv[1]
for item in h._iterate_kvps(0):
    if item["key"].startswith("CLOUD_INIT|"):
        print("event %s" % json.loads(item["value"])["name"])
    else:
        print("kv %s\t%s" % (item["key"], item["value"]))
