#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""An IPVS client in Python (socket module, no netlink library) that starts
child processes the way Python programs do: subprocess (vfork + close_range
by default), os.system, os.posix_spawn, children that inherit and use a
socket, and threads that talk IPVS while another thread starts children.
Each request creates a firewall-mark service from BASE upwards; one line
per check: "WHAT ok" or "WHAT error TEXT".

usage: ipvs-fdops.py BASE        (uses marks BASE .. BASE+99)
       ipvs-fdops.py child FD FAMILY MARK   (internal: the exec'd child)
"""
import os
import socket
import struct
import subprocess
import sys
import threading

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLMSG_ERROR = 2
NLM_F_REQUEST = 1
NLM_F_ACK = 4
IPVS_CMD_NEW_SERVICE = 1
IPVS_CMD_ATTR_SERVICE = 1
NLA_F_NESTED = 0x8000

_seq = 0
_seq_lock = threading.Lock()


def nla(atype, data):
    hdr = struct.pack("=HH", 4 + len(data), atype)
    return hdr + data + b"\0" * ((4 - len(data) % 4) % 4)


def nl_open():
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    s.bind((0, 0))
    return s


def talk(s, mtype, cmd, payload):
    """Send one genl request with ACK; return (error, attrs of the reply)."""
    global _seq
    with _seq_lock:
        _seq += 1
        seq = _seq
    body = struct.pack("=BBH", cmd, 1, 0) + payload
    msg = struct.pack("=IHHII", 16 + len(body), mtype, NLM_F_REQUEST | NLM_F_ACK, seq, 0)
    s.sendto(msg + body, (0, 0))
    attrs = {}
    while True:
        data = s.recv(65536)
        if not data:
            return ("EOF", attrs)
        off = 0
        while off + 16 <= len(data):
            mlen, typ, _flags, mseq, _pid = struct.unpack_from("=IHHII", data, off)
            if mlen < 16:
                return ("bad message", attrs)
            if mseq == seq and typ == NLMSG_ERROR:
                err = struct.unpack_from("=i", data, off + 16)[0]
                return (None if err == 0 else os.strerror(-err), attrs)
            if mseq == seq:
                a = off + 20
                while a + 4 <= off + mlen:
                    alen, atype = struct.unpack_from("=HH", data, a)
                    if alen < 4:
                        break
                    attrs[atype & 0x3FFF] = data[a + 4:a + alen]
                    a += (alen + 3) & ~3
            off += (mlen + 3) & ~3


def resolve(s):
    err, attrs = talk(s, GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                      nla(CTRL_ATTR_FAMILY_NAME, b"IPVS\0"))
    if err:
        return err, None
    return None, struct.unpack("=H", attrs[CTRL_ATTR_FAMILY_ID][:2])[0]


def new_fwmark(s, family, mark):
    svc = (nla(1, struct.pack("=H", socket.AF_INET)) +     # AF
           nla(5, struct.pack("=I", mark)) +               # FWMARK
           nla(6, b"rr\0") +                               # SCHED_NAME
           nla(7, struct.pack("=II", 0, 0xFFFFFFFF)) +     # FLAGS
           nla(8, struct.pack("=I", 0)) +                  # TIMEOUT
           nla(9, struct.pack("=I", 0xFFFFFFFF)))          # NETMASK
    err, _ = talk(s, family, IPVS_CMD_NEW_SERVICE,
                  nla(IPVS_CMD_ATTR_SERVICE | NLA_F_NESTED, svc))
    return err


def report(what, err):
    print(f"{what} {'ok' if err is None else 'error ' + str(err)}", flush=True)
    return err is None


class Marks:
    def __init__(self, base):
        self.next = base

    def take(self):
        self.next += 1
        return self.next - 1


def after_child(what, a, family, b, marks):
    """A request on the socket resolved before the child, a lookup and a
    request on the one that was still the kernel's."""
    ok = report(f"request after {what}", new_fwmark(a, family, marks.take()))
    err, fam_b = resolve(b)
    ok &= report(f"lookup on a socket opened before {what}", err)
    if fam_b is not None:
        ok &= report("request on it", new_fwmark(b, fam_b, marks.take()))
    return ok


def main(base):
    marks = Marks(base)
    ok = True

    a = nl_open()
    err, family = resolve(a)
    if not report("lookup", err):
        return 1

    # subprocess's defaults: vfork, close_fds (close_range) in the child.
    b = nl_open()
    r = subprocess.run(["true"])
    ok &= report("subprocess.run", None if r.returncode == 0 else r.returncode)
    ok &= after_child("subprocess.run", a, family, b, marks)

    b = nl_open()
    ok &= report("os.system", None if os.system("true") == 0 else "failed")
    ok &= after_child("os.system", a, family, b, marks)

    b = nl_open()
    pid = os.posix_spawn("/bin/true", ["true"], os.environ,
                         file_actions=[(os.POSIX_SPAWN_CLOSE, b.fileno()),
                                       (os.POSIX_SPAWN_DUP2, 2, a.fileno())])
    _, st = os.waitpid(pid, 0)
    ok &= report("os.posix_spawn", None if st == 0 else st)
    ok &= after_child("os.posix_spawn", a, family, b, marks)

    # A child that inherits the resolved socket and uses it after exec.
    r = subprocess.run([sys.executable, __file__, "child", str(a.fileno()), str(family),
                        str(marks.take())], pass_fds=[a.fileno()])
    ok &= report("child using the inherited socket", None if r.returncode == 0 else "failed")
    ok &= report("request after it", new_fwmark(a, family, marks.take()))

    # Threads on their own sockets while another thread keeps starting children.
    nthreads, per_thread = 4, 10
    failures = []
    stop = threading.Event()

    def worker(first):
        s = nl_open()
        err, fam = resolve(s)
        if err:
            failures.append(err)
            return
        for i in range(per_thread):
            err = new_fwmark(s, fam, first + i)
            if err:
                failures.append(err)
        s.close()

    def spawner():
        while not stop.is_set():
            subprocess.run(["true"])

    sp = threading.Thread(target=spawner)
    sp.start()
    threads = [threading.Thread(target=worker, args=(marks.next + i * per_thread,))
               for i in range(nthreads)]
    marks.next += nthreads * per_thread
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    sp.join()
    ok &= report(f"{nthreads} threads, {per_thread} requests each, children started meanwhile",
                 ", ".join(failures) if failures else None)
    return 0 if ok else 1


def child(fd, family, mark):
    # socket(fileno=) asks the kernel (SO_DOMAIN, SO_TYPE, SO_PROTOCOL) what it is.
    s = socket.socket(fileno=fd)
    same = s.family == socket.AF_NETLINK and s.proto == NETLINK_GENERIC
    ok = report("inherited socket is netlink in the child", None if same else
                f"family {s.family} proto {s.proto}")
    ok &= report("request from the child", new_fwmark(s, family, mark))
    s.detach()
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "child":
        sys.exit(child(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(int(sys.argv[1])))
