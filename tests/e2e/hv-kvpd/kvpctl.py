# SPDX-License-Identifier: MIT
# kvpctl.py SOCKET [COMMAND...] - a client of hv-sim's control socket (docs/hv-sim.md section
# 4).  With a COMMAND, sends that one line and prints the reply; without, sends every line of
# stdin in turn and prints each reply.  Exit status: 0 when every reply was "ok", 1 when one
# was "fail", 2 for "error" or when it cannot connect (it retries for 5 s).
import socket
import sys
import time

path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
deadline = time.time() + 5
while True:
    try:
        s.connect(path)
        break
    except OSError as e:
        if time.time() > deadline:
            print("kvpctl: cannot connect to %s: %s" % (path, e), file=sys.stderr)
            sys.exit(2)
        time.sleep(0.05)
f = s.makefile("rwb", buffering=0)
lines = [" ".join(sys.argv[2:])] if len(sys.argv) > 2 else [l.rstrip("\n") for l in sys.stdin]
rc = 0
for line in lines:
    f.write(line.encode() + b"\n")
    reply = f.readline().decode("utf-8", "replace").rstrip("\n")
    print(reply, flush=True)
    if reply.startswith("fail"):
        rc = max(rc, 1)
    elif not reply.startswith("ok"):
        rc = 2
sys.exit(rc)
