# SPDX-License-Identifier: MIT
# crashburst.py SOCKET LOG FIRST-SEQ [PID N] - the host side of crash.sh: sends KVP SETs to
# pool 1 through hv-sim's control socket (docs/hv-sim.md section 4), one at a time, until a SET
# does not succeed (the daemon was killed) or 3 seconds have passed.  With PID and N, it
# SIGKILLs process PID itself as soon as the N-th success reply has come, before sending on:
# the moment a daemon that answers before it has written would lose the change.  Before
# sending, it appends "sent KEY SEQ" to LOG; after a success reply, "ack KEY SEQ".  Keys come from a set that
# grows with SEQ, so the burst both overwrites records in place and appends new ones; values
# are "SEQ:" plus a filler of 1,500..1,899 bytes, so that a record torn part-way (old bytes
# from the middle of the value field on) shows as a value never sent.
import os
import random
import signal
import socket
import sys
import time

path, logname, seq = sys.argv[1], sys.argv[2], int(sys.argv[3])
victim, kill_after = (int(sys.argv[4]), int(sys.argv[5])) if len(sys.argv) > 5 else (0, 0)
acks = 0
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
f = s.makefile("rwb", buffering=0)
log = open(logname, "a", buffering=1)
deadline = time.time() + 3
while time.time() < deadline:
    key = "k%d" % random.randrange(min(seq // 2, 400) + 1)
    value = "%d:%s" % (seq, "x" * (1500 + seq * 97 % 400))
    log.write("sent %s %d\n" % (key, seq))
    f.write(("kvp set pool=1 key=%s value=%s\n" % (key, value)).encode())
    reply = f.readline().decode("utf-8", "replace")
    if not reply.startswith("ok status=0x00000000 outcome=reply"):
        print("# seq %d: %s" % (seq, reply.strip()))
        break
    log.write("ack %s %d\n" % (key, seq))
    acks += 1
    if acks == kill_after:
        os.kill(victim, signal.SIGKILL)
    seq += 1
log.close()
