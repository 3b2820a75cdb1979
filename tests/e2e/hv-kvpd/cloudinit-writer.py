# SPDX-License-Identifier: MIT
# cloudinit-writer.py POOLFILE N - cloud-init's own Hyper-V KVP reporting handler
# (cloudinit.reporting.handlers.HyperVKvpReportingHandler) publishes N events into POOLFILE,
# one of them longer than a KVP value so that cloud-init splits it.  Prints every record the
# handler wrote, as cloud-init decodes them, one "key<TAB>value" line each.
import sys

from cloudinit.reporting import events
from cloudinit.reporting.handlers import HyperVKvpReportingHandler

path, n = sys.argv[1], int(sys.argv[2])
h = HyperVKvpReportingHandler(kvp_file_path=path)
for i in range(n):
    desc = "event %d: caf\u00e9 ok" % i
    if i == 3:
        desc = "long " + "x" * 2500
    h.publish_event(events.ReportingEvent("start", "hvguest/test-%d" % i, desc))
    h.publish_event(events.FinishReportingEvent("hvguest/test-%d" % i, desc, events.status.SUCCESS))
h.flush()
for item in h._iterate_kvps(0):
    print("%s\t%s" % (item["key"], item["value"]))
