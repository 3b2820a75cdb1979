# SPDX-License-Identifier: MIT
# fuse_client.py DEV HV-SIM CTL - plays a daemon on hv-sim's FUSE device file DEV (service
# kvp, hv-sim started with --control CTL --timeout 1s) and checks that every open, read,
# write and poll behaves as the kernel's /dev/vmbus/hv_kvp does, exact errno values included.
# Prints "PASS description" or "FAIL description" lines for tap.sh.
import errno
import os
import select
import signal
import struct
import subprocess
import sys
import threading
import time

dev, sim, ctl = sys.argv[1:4]
KVP = 7432


def check(cond, desc):
    print(("PASS " if cond else "FAIL ") + desc, flush=True)


def ctl_cmd(line):
    p = subprocess.run([sim, "ctl", ctl, line], capture_output=True, text=True)
    return p.returncode, (p.stdout + p.stderr).strip()


def errno_of(fn):
    try:
        fn()
        return 0
    except OSError as e:
        return e.errno


def register(fd):
    os.write(fd, b"\x64" + bytes(KVP - 1))
    return os.read(fd, 8192)


fd = os.open(dev, os.O_RDWR | os.O_CLOEXEC)
check(errno_of(lambda: os.open(dev, os.O_RDWR)) == errno.EBUSY, "a second open fails with EBUSY")
check(errno_of(lambda: os.write(fd, b"\x64" + bytes(99))) == errno.EINVAL,
      "a 100-byte registration fails with EINVAL")
check(errno_of(lambda: os.write(fd, b"\x64" + bytes(KVP - 2))) == errno.EINVAL,
      "a 7431-byte registration fails with EINVAL")
check(errno_of(lambda: os.write(fd, b"\x00" + bytes(KVP - 1))) == errno.EINVAL,
      "operation 0 before registering fails with EINVAL")
pl = select.poll()
pl.register(fd, select.POLLIN)
check(pl.poll(0) == [], "poll: nothing to read before registering")
check(os.write(fd, b"\x64" + bytes(KVP - 1)) == KVP, "a 7432-byte op 100 registration is accepted")
ev = pl.poll(2000)
check(bool(ev) and ev[0][1] & select.POLLIN, "poll: POLLIN for the version reply")
check(errno_of(lambda: os.read(fd, 100)) == errno.EINVAL, "a read with a short buffer fails with EINVAL")
r = os.read(fd, 8192)
check(len(r) == KVP and r[0] == 100 and r[4:8] == b"3.1\0",
      "the reply is one 7432-byte message: op 100, version \"3.1\"")
rc, out = ctl_cmd("expect state=ready registrations=1 version=100")
check(rc == 0, "the host sees the registration (%s)" % out)

rc, out = ctl_cmd("kvp get pool=1 key=k nowait")
check(rc == 0, "host request sent (%s)" % out)
rc, out = ctl_cmd("kvp get pool=1 key=k2")
check(rc == 2 and "outstanding" in out, "a second host request while one is outstanding is refused")
r = os.read(fd, 8192)
check(len(r) == KVP and r[0] == 0 and r[1] == 1 and r[16:18] == b"k\0",
      "the request arrives whole: op GET, pool 1, key k")
check(errno_of(lambda: os.read(fd, 8192) if not os.set_blocking(fd, False) else None) == errno.EAGAIN,
      "one message per read: a non-blocking read now fails with EAGAIN")
os.set_blocking(fd, True)
check(errno_of(lambda: os.write(fd, bytes(12))) == errno.EINVAL, "a 12-byte reply fails with EINVAL")
reply = bytearray(r)
reply[0:4] = struct.pack("<I", 0x80070103)
check(os.write(fd, bytes(reply)) == KVP, "the 7432-byte reply is accepted")
ctl_cmd("wait")
rc, out = ctl_cmd("expect status=HV_S_CONT outcome=reply")
check(rc == 0, "the host got the daemon's status (%s)" % out)
check(errno_of(lambda: os.write(fd, bytes(reply))) == errno.EINVAL,
      "a reply with nothing outstanding fails with EINVAL")

rc, out = ctl_cmd("kvp set pool=0 key=a value=b nowait")
ctl_cmd("wait")
rc, out = ctl_cmd("expect-timeout")
check(rc == 0, "an unanswered request times out with HV_E_FAIL (1 s override) (%s)" % out)
r = os.read(fd, 8192)
check(len(r) == KVP and r[0] == 1, "the timed-out request is still there to read")
check(errno_of(lambda: os.write(fd, r)) == errno.EINVAL, "the late reply fails with EINVAL")
rc, out = ctl_cmd("expect rejected=6 write-error=EINVAL")
check(rc == 0, "the host counted every rejected write (%s)" % out)

# a blocked read and a blocked poll wake up when a request comes
got = {}
t1 = threading.Thread(target=lambda: got.__setitem__("read", os.read(fd, 8192)))
t1.start()
rc, out = ctl_cmd("kvp enum pool=2 index=4 nowait")
t1.join(10)
check("read" in got and got["read"][0] == 3 and got["read"][4:8] == struct.pack("<I", 4),
      "a blocked read wakes up with the ENUMERATE request")
os.write(fd, got.get("read", bytes(KVP)))
ctl_cmd("wait")
t2 = threading.Thread(target=lambda: got.__setitem__("poll", pl.poll(10000)))
t2.start()
ctl_cmd("kvp delete pool=1 key=x nowait")
t2.join(12)
check(bool(got.get("poll")) and got["poll"][0][1] & select.POLLIN, "a blocked poll wakes up with POLLIN")
r = os.read(fd, 8192)

# close with a request outstanding
os.close(fd)
ctl_cmd("wait")
rc, out = ctl_cmd("expect status=HV_E_FAIL outcome=reset state=init")
check(rc == 0, "close answers the pending request HV_E_FAIL and goes back to INIT (%s)" % out)
fd = os.open(dev, os.O_RDWR)
check(errno_of(lambda: os.write(fd, b"\x01" + bytes(KVP - 1))) == errno.EINVAL,
      "after reopening, the daemon must register again")
check(register(fd)[0] == 100, "registered again")

# driver reload
rc, out = ctl_cmd("reset")
check(errno_of(lambda: os.read(fd, 8192)) == errno.EBADF, "after a driver reload read fails with EBADF")
ev = pl.poll(0)
check(bool(ev) and ev[0][1] & (select.POLLERR | select.POLLHUP) == (select.POLLERR | select.POLLHUP),
      "poll reports POLLERR|POLLHUP")
check(errno_of(lambda: os.open(dev, os.O_RDWR)) == errno.EBUSY, "still EBUSY while the old opener holds it")
os.close(fd)
fd = os.open(dev, os.O_RDWR)
check(register(fd)[0] == 100, "a fresh open registers after the reload")
rc, out = ctl_cmd("expect registrations=3 state=ready")
check(rc == 0, "three registrations counted (%s)" % out)
os.close(fd)

# a daemon killed while blocked in read(): the read is interrupted, the file released
pid = os.fork()
if pid == 0:
    cfd = os.open(dev, os.O_RDWR)
    register(cfd)
    os.read(cfd, 8192)
    os._exit(0)
time.sleep(0.3)
os.kill(pid, signal.SIGKILL)
deadline = time.time() + 5
reaped = 0
while time.time() < deadline and not reaped:
    reaped = os.waitpid(pid, os.WNOHANG)[0]
    time.sleep(0.02)
check(reaped == pid, "a daemon killed in a blocked read() dies (its read is interrupted)")
fd = -1
for _ in range(100):
    try:
        fd = os.open(dev, os.O_RDWR)
        break
    except OSError:
        time.sleep(0.02)
check(fd >= 0, "and the device can be opened again")
if fd >= 0:
    os.close(fd)
