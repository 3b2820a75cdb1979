# SPDX-License-Identifier: MIT
# kvphost.py - a minimal stand-in for the kernel's KVP device over a SOCK_SEQPACKET listening
# socket, for tests that do not need hv-sim: it accepts the daemon's connection, checks its
# registration, answers it, sends requests and prints the replies, and closes the connection
# to simulate a device reset.  Used by reset.sh.  Message layout: <linux/hyperv.h>.
import socket
import struct
import sys

MSG = 7432


def recv_exact(conn):
    data = conn.recv(MSG + 16)
    if len(data) != MSG:
        raise SystemExit("reply of %d bytes, not %d" % (len(data), MSG))
    return data


def register(conn, version=b"3.1"):
    reg = recv_exact(conn)
    if reg[0] != 100 or any(reg[1:]):
        raise SystemExit("registration is not a zeroed op-100 message")
    conn.send((bytes([100, 0, 0, 0]) + version).ljust(MSG, b"\0"))


def kv(op, pool, key, value=b""):
    body = struct.pack("<III", 0, len(key) + 1, len(value) + 1 if value else 0)
    body += key.ljust(512, b"\0") + value.ljust(2048, b"\0")
    return (bytes([op, pool, 0, 0]) + body).ljust(MSG, b"\0")


def enum(pool, index):
    return (bytes([3, pool, 0, 0]) + struct.pack("<I", index)).ljust(MSG, b"\0")


def status(rep):
    return struct.unpack_from("<I", rep, 0)[0]


def cstr(b):
    return b.split(b"\0", 1)[0].decode()


def main():
    path, rounds = sys.argv[1], int(sys.argv[2])
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    srv.bind(path)
    srv.listen(1)
    srv.settimeout(20)
    for r in range(rounds):
        conn, _ = srv.accept()
        conn.settimeout(20)
        register(conn)
        conn.send(kv(1, 1, b"round", str(r).encode()))
        print("set round=%d status=0x%08x" % (r, status(recv_exact(conn))))
        conn.send(kv(0, 1, b"round"))
        print("get round value=%s" % cstr(recv_exact(conn)[532:2580]))
        conn.send(enum(2, 1))
        rep = recv_exact(conn)
        print("enum auto 1 %s=%s" % (cstr(rep[20:532]), cstr(rep[532:2580])))
        conn.send(b"\x01\x01\x00\x00short")
        print("short status=0x%08x" % status(recv_exact(conn)))
        conn.close()
    print("done")


main()
