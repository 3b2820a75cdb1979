# SPDX-License-Identifier: MIT
# Publish N events through cloud-init's real KVP writer (HyperVKvpReportingHandler from
# Debian's cloud-init, appending under flock) into the pool file given, flushing in batches,
# then print the event names it published.  Usage: cloudinit-publish.py POOLFILE N
import sys

from cloudinit.reporting.events import ReportingEvent
from cloudinit.reporting.handlers import HyperVKvpReportingHandler

path, count = sys.argv[1], int(sys.argv[2])
handler = HyperVKvpReportingHandler(kvp_file_path=path)
for i in range(count):
    # every 7th event is long enough that cloud-init splits it into several records
    desc = ("d%d " % i) * (400 if i % 7 == 0 else 3)
    handler.publish_event(ReportingEvent("start", "event-%d" % i, desc))
    if i % 5 == 4:
        handler.flush()
handler.flush()
