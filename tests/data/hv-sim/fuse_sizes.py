# SPDX-License-Identifier: MIT
# fuse_sizes.py SERVICE DEV - the registration size checks of the VSS or file-copy device
# file served by hv-sim, with the kernel's errno values.  Prints PASS/FAIL lines for tap.sh.
import errno
import os
import struct
import sys

service, dev = sys.argv[1:3]


def check(cond, desc):
    print(("PASS " if cond else "FAIL ") + service + ": " + desc, flush=True)


def errno_of(fn):
    try:
        fn()
        return 0
    except OSError as e:
        return e.errno


fd = os.open(dev, os.O_RDWR)
if service == "vss":
    reg = bytes([129]) + bytes(11)
    check(errno_of(lambda: os.write(fd, reg + b"\0")) == errno.EINVAL, "13-byte registration: EINVAL")
    check(errno_of(lambda: os.write(fd, reg[:11])) == errno.EINVAL, "11-byte registration: EINVAL")
    check(os.write(fd, reg) == 12, "12-byte op 129 registration accepted")
    r = os.read(fd, 12)
    check(r == struct.pack("<I", 129), "the reply is 4 bytes: 129")
else:
    check(errno_of(lambda: os.write(fd, struct.pack("<Q", 1))) == errno.EINVAL, "8-byte version: EINVAL")
    check(errno_of(lambda: os.write(fd, struct.pack("<I", 2))) == errno.EINVAL, "version 2: EINVAL")
    check(os.write(fd, struct.pack("<I", 1)) == 4, "version 1 accepted")
    r = os.read(fd, 6196)
    check(r == struct.pack("<I", 1), "the reply is 4 bytes: 1")
os.close(fd)
