# SPDX-License-Identifier: MIT
# pooldump.py FILE [--strict] - print each record of a KVP pool file as "key<TAB>value" (each
# cut at its first NUL).  --strict also fails (exit 1) when the file size is not a multiple of
# 2560 or a field has non-zero bytes after its terminator, or no terminator at all.
import sys

REC, KEY = 2560, 512
data = open(sys.argv[1], "rb").read()
strict = "--strict" in sys.argv[2:]
bad = []
if strict and len(data) % REC:
    bad.append("size %d is not a multiple of %d" % (len(data), REC))
for i in range(len(data) // REC):
    rec = data[i * REC:(i + 1) * REC]
    for name, field in (("key", rec[:KEY]), ("value", rec[KEY:])):
        nul = field.find(b"\0")
        if nul < 0:
            bad.append("record %d: %s has no NUL" % (i, name))
        elif any(field[nul:]):
            bad.append("record %d: %s has bytes after its NUL" % (i, name))
    k = rec[:KEY].split(b"\0", 1)[0].decode("utf-8", "replace")
    v = rec[KEY:].split(b"\0", 1)[0].decode("utf-8", "replace")
    print("%s\t%s" % (k, v))
if strict and bad:
    for b in bad:
        print("# " + b, file=sys.stderr)
    sys.exit(1)
