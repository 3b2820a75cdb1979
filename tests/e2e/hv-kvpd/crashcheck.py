# SPDX-License-Identifier: MIT
# crashcheck.py LOG - read "pool<TAB>key<TAB>value" lines (hv-kvp list -p 1) from stdin and
# check them against crashburst.py's LOG: every key that got a success reply holds the value
# of its last acknowledged SET, or of a later SET that was sent but not acknowledged (the daemon
# may have written it before it was killed); no key appears twice; no value appears that was
# never sent for that key.  Prints one line per problem and exits 1 when there is one.
import sys

sent, acked = {}, {}
for line in open(sys.argv[1]):
    what, key, seq = line.split()
    if what == "sent":
        sent.setdefault(key, set()).add(int(seq))
    else:
        acked[key] = max(acked.get(key, -1), int(seq))

seen, bad = {}, []
for line in sys.stdin:
    pool, key, value = line.rstrip("\n").split("\t", 2)
    if key in seen:
        bad.append("%s: twice in the pool" % key)
    head, _, filler = value.partition(":")
    seq = int(head) if head.isdigit() else -1
    if seq not in sent.get(key, ()) or filler != "x" * (1500 + seq * 97 % 400):
        bad.append("%s: value %.40r was never sent for it" % (key, value))
    seen[key] = seq
for key, last in sorted(acked.items()):
    have = seen.get(key)
    if have is None:
        bad.append("%s: acknowledged SET %d lost (key missing)" % (key, last))
    elif have < last:
        bad.append("%s: acknowledged SET %d lost (the pool has the older %d)" % (key, last, have))
for b in bad[:20]:
    print(b)
print("%d keys acknowledged, %d in the pool, %d problems" % (len(acked), len(seen), len(bad)))
sys.exit(1 if bad else 0)
