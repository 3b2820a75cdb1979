#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# vsshost.py - a small simulated VSS device for the hv-vssd end-to-end tests: it plays the
# kernel's side of /dev/vmbus/hv_vss over a SOCK_SEQPACKET socketpair handed to the daemon as
# fd 3 (--device-fd 3), and runs a script of commands, one per argument line:
#
#   register            wait for the 12-byte REGISTER1 and answer the 4-byte version
#   send OP [STATUS]    send a 12-byte message with operation OP (name or number); with STATUS
#                       (hex or name) expect that reply status
#   raw HEX             send raw bytes (bad-input tests); nothing is expected back
#   noreply MS          expect no reply within MS milliseconds
#   sh CMD              run a shell command; it must exit 0
#   kill SIG            signal the daemon
#   close               close our end of the device (the daemon sees EOF)
#   wait-exit [STATUS]  wait for the daemon to exit (optionally with STATUS)
#   pidfile PATH        write the daemon's pid to PATH
#
# Usage: vsshost.py SCRIPT-FILE -- DAEMON ARGS...   (prints what it does; exit 1 on the first
# unmet expectation, with the reason)
import os, select, signal, socket, struct, subprocess, sys

OPS = {"create": 0, "delete": 1, "hot-backup": 2, "get-dm-info": 3, "bu-complete": 4,
       "freeze": 5, "thaw": 6, "auto-recover": 7}
STATUS = {"HV_S_OK": 0, "HV_E_FAIL": 0x80004005, "HV_ERROR_NOT_SUPPORTED": 0x80070032,
          "HV_ERROR_IO_DEVICE": 0x8007045D, "HV_ERROR_DEVICE_NOT_CONNECTED": 0x8007048F}


def die(msg):
    print("vsshost: " + msg, file=sys.stderr, flush=True)
    sys.exit(1)


def main():
    argv = sys.argv[1:]
    if "--" not in argv:
        die("usage: vsshost.py SCRIPT -- DAEMON ARGS...")
    i = argv.index("--")
    script, cmd = argv[:i], argv[i + 1:]
    lines = []
    for f in script:
        with open(f) as fh:
            lines += [l.strip() for l in fh if l.strip() and not l.startswith("#")]
    host, dev = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)

    def child_setup():
        os.dup2(dev.fileno(), 3)
        os.set_inheritable(3, True)

    proc = subprocess.Popen(cmd + ["--device-fd", "3"], close_fds=False,
                            preexec_fn=child_setup)
    dev.close()
    for n, line in enumerate(lines, 1):
        words = line.split(None, 1)
        verb, arg = words[0], (words[1] if len(words) > 1 else "")
        print("vsshost: %d: %s" % (n, line), file=sys.stderr, flush=True)
        if verb == "register":
            r, _, _ = select.select([host], [], [], 10)
            if not r:
                die("%d: no registration within 10 s" % n)
            msg = host.recv(64)
            if len(msg) != 12 or msg[0] != 129:
                die("%d: bad registration %s" % (n, msg.hex()))
            host.send(struct.pack("<I", 129))
        elif verb == "send":
            a = arg.split()
            op = OPS.get(a[0])
            op = int(a[0], 0) if op is None else op
            host.send(bytes([op]) + bytes(7) + struct.pack("<I", 0x11223344))
            r, _, _ = select.select([host], [], [], 120)
            if not r:
                die("%d: no reply within 120 s" % n)
            rep = host.recv(64)
            if len(rep) != 12:
                die("%d: reply of %d bytes" % (n, len(rep)))
            st = struct.unpack("<I", rep[:4])[0]
            print("vsshost: %d: status=0x%08x flags=0x%08x" % (n, st, struct.unpack("<I", rep[8:])[0]),
                  file=sys.stderr, flush=True)
            if len(a) > 1:
                want = STATUS.get(a[1])
                want = int(a[1], 0) if want is None else want
                if st != want:
                    die("%d: status 0x%08x, want 0x%08x" % (n, st, want))
        elif verb == "raw":
            host.send(bytes.fromhex(arg))
        elif verb == "noreply":
            r, _, _ = select.select([host], [], [], int(arg) / 1000)
            if r:
                die("%d: unexpected reply %s" % (n, host.recv(64).hex()))
        elif verb == "sh":
            rc = subprocess.call(["sh", "-c", arg])
            if rc != 0:
                die("%d: command failed (%d): %s" % (n, rc, arg))
        elif verb == "kill":
            proc.send_signal(getattr(signal, "SIG" + arg))
        elif verb == "close":
            host.close()
        elif verb == "wait-exit":
            try:
                rc = proc.wait(60)
            except subprocess.TimeoutExpired:
                die("%d: daemon still running after 60 s" % n)
            if arg and rc != int(arg):
                die("%d: daemon exited %d, want %s" % (n, rc, arg))
        elif verb == "pidfile":
            with open(arg, "w") as fh:
                fh.write("%d\n" % proc.pid)
        else:
            die("%d: unknown command %s" % (n, verb))
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            die("daemon did not exit on SIGTERM")
    sys.exit(0)


main()
