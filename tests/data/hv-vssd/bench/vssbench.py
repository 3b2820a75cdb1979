# SPDX-License-Identifier: MIT
"""Timing helper of scripts/bench.d/35-vss.sh (make bench, VSS part).

  vssbench.py bare fsfreeze|ioctl ROUNDS MOUNT...
      The baseline: freeze every MOUNT in the order given, then thaw them in the reverse
      order (hv-vssd's order), ROUNDS times.  "fsfreeze" runs fsfreeze -f / -u once per
      mount; "ioctl" issues FIFREEZE / FITHAW on descriptors opened beforehand (the floor
      of any daemon).  Each full freeze set and each full thaw set is timed.

  vssbench.py daemon CTL ROUNDS [--guard PID ALLOWED] MOUNT...
      A daemon under hv-sim: "vss freeze" and "vss thaw" sent over hv-sim's control socket
      CTL, ROUNDS times; each request is timed from the write of the command to the reply
      line.  "vss get-dm-info" (answered by the simulated kernel, no daemon involved) is
      timed first: its median is the control round trip, printed as ctl_p50_us so the
      caller can subtract it.  After the first FREEZE every MOUNT must be frozen (a
      FIFREEZE of our own answers EBUSY) and after the first THAW thawed, or the run fails:
      a daemon that froze nothing would otherwise look fast.

      --guard PID ALLOWED: before every FREEZE, read the mount table the daemon PID sees
      (/proc/PID/mounts, what the reference daemon reads, and /proc/PID/mountinfo) and
      refuse to send FREEZE (exit 3) if any mount it would freeze (source under /dev/,
      read-write, not vfat) is not one of ALLOWED, a comma-separated list of MAJ:MIN of the
      bench's own block devices, or is "/".

Output: one line "freeze_p50_us=.. freeze_mean_us=.. thaw_p50_us=.. thaw_mean_us=.."
(daemon mode adds ctl_p50_us=..).  Exit 0 on success, 1 on a failed request or check,
3 when the guard refused.
"""
import errno
import fcntl
import os
import socket
import statistics
import subprocess
import sys
import time

FIFREEZE = 0xC0045877
FITHAW = 0xC0045878


def stats(name, xs):
    return "%s_p50_us=%.1f %s_mean_us=%.1f" % (
        name, statistics.median(xs) * 1e6, name, statistics.fmean(xs) * 1e6)


def is_frozen(path):
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.ioctl(fd, FIFREEZE, 0)
        except OSError as e:
            return e.errno == errno.EBUSY
        fcntl.ioctl(fd, FITHAW, 0)
        return False
    finally:
        os.close(fd)


def bare(mode, rounds, mounts):
    fr, th = [], []
    fds = [os.open(m, os.O_RDONLY | os.O_DIRECTORY) for m in mounts]
    try:
        for _ in range(rounds):
            if mode == "fsfreeze":
                a = time.perf_counter()
                for m in mounts:
                    subprocess.run(["fsfreeze", "-f", m], check=True)
                b = time.perf_counter()
                for m in reversed(mounts):
                    subprocess.run(["fsfreeze", "-u", m], check=True)
                c = time.perf_counter()
            else:
                a = time.perf_counter()
                for fd in fds:
                    fcntl.ioctl(fd, FIFREEZE, 0)
                b = time.perf_counter()
                for fd in reversed(fds):
                    fcntl.ioctl(fd, FITHAW, 0)
                c = time.perf_counter()
            fr.append(b - a)
            th.append(c - b)
    finally:
        for fd in fds:
            try:
                fcntl.ioctl(fd, FITHAW, 0)
            except OSError:
                pass
            os.close(fd)
    print(stats("freeze", fr), stats("thaw", th))
    return 0


def unescape(s):
    # getmntent's decoding of \040, \011, \012, \134
    for a, b in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        s = s.replace(a, b)
    return s


def guard(pid, allowed):
    """A reason why FREEZE must not be sent, or None."""
    allowed = set(allowed.split(","))
    bad = []
    qualifying = 0
    with open("/proc/%d/mounts" % pid) as f:
        for line in f:
            fs, mdir, typ, opts = (unescape(x) for x in line.split()[:4])
            if not fs.startswith("/dev/") or "ro" in opts.split(",") or typ == "vfat":
                continue
            qualifying += 1
            if mdir == "/":
                bad.append("/ from %s" % fs)
    with open("/proc/%d/mountinfo" % pid) as f:
        for line in f:
            left, right = line.split(" - ", 1)
            lf, rf = left.split(), right.split()
            devno, mdir, mopts = lf[2], unescape(lf[4]), lf[5]
            typ, src, sopts = rf[0], unescape(rf[1]), rf[2]
            ro = "ro" in mopts.split(",") or "ro" in sopts.split(",")
            if not src.startswith("/dev/") or ro or typ == "vfat":
                continue
            if devno not in allowed or mdir == "/":
                bad.append("%s on %s (%s)" % (src, mdir, devno))
    if qualifying != len(allowed):
        bad.append("%d read-write /dev mounts in the daemon's /proc/mounts, expected %d"
                   % (qualifying, len(allowed)))
    return "; ".join(bad) or None


def daemon(ctl, rounds, mounts, guard_pid, allowed):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(ctl)
    f = s.makefile("rwb", buffering=0)

    def req(cmd):
        a = time.perf_counter()
        f.write(cmd.encode() + b"\n")
        line = f.readline().decode().strip()
        return time.perf_counter() - a, line

    floor = []
    for _ in range(50):
        t, line = req("vss get-dm-info")
        if not line.startswith("ok status=0x00000000"):
            sys.exit("vss get-dm-info: %s" % line)
        floor.append(t)
    fr, th = [], []
    rc = 0
    for i in range(rounds):
        if guard_pid:
            why = guard(guard_pid, allowed)
            if why:
                print("guard: not sending FREEZE: %s" % why, file=sys.stderr)
                return 3
        t, line = req("vss freeze")
        ok = line.startswith("ok status=0x00000000")
        if ok and i == 0:
            cold = [m for m in mounts if not is_frozen(m)]
            if cold:
                print("after FREEZE not frozen: %s" % " ".join(cold), file=sys.stderr)
                rc = 1
        t2, line2 = req("vss thaw")
        if not ok or not line2.startswith("ok status=0x00000000"):
            print("round %d: freeze: %s / thaw: %s" % (i, line, line2), file=sys.stderr)
            return 1
        if i == 0:
            warm = [m for m in mounts if is_frozen(m)]
            if warm:
                print("after THAW still frozen: %s" % " ".join(warm), file=sys.stderr)
                rc = 1
        if rc:
            return rc
        fr.append(t)
        th.append(t2)
    print(stats("freeze", fr), stats("thaw", th),
          "ctl_p50_us=%.1f" % (statistics.median(floor) * 1e6))
    return 0


def main(argv):
    if len(argv) >= 4 and argv[1] == "bare":
        return bare(argv[2], int(argv[3]), argv[4:])
    if len(argv) >= 4 and argv[1] == "daemon":
        ctl, rounds, rest = argv[2], int(argv[3]), argv[4:]
        pid, allowed = 0, ""
        if rest[:1] == ["--guard"]:
            pid, allowed, rest = int(rest[1]), rest[2], rest[3:]
        return daemon(ctl, rounds, rest, pid, allowed)
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
