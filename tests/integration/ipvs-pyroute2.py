#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""An IPVS client built on a third-party netlink library (pyroute2's
GenericNetlinkSocket: its own family lookup, socket handling and parsing),
starting children the way Python programs do around its sockets.  Each
NEW_SERVICE creates firewall-mark service BASE, BASE+1, ...; one line per
check: "WHAT ok" or "WHAT error TEXT".

usage: ipvs-pyroute2.py BASE       (uses marks BASE .. BASE+29)
"""
import os
import socket
import subprocess
import sys
import threading

from pyroute2.netlink import NLM_F_ACK, NLM_F_REQUEST, genlmsg, nla
from pyroute2.netlink.generic import GenericNetlinkSocket

IPVS_CMD_NEW_SERVICE = 1
IPVS_CMD_GET_INFO = 15


class ipvsmsg(genlmsg):
    prefix = "IPVS_CMD_ATTR_"
    nla_map = (("IPVS_CMD_ATTR_UNSPEC", "none"),
               ("IPVS_CMD_ATTR_SERVICE", "service"))

    class service(nla):
        prefix = "IPVS_SVC_ATTR_"
        nla_map = (("IPVS_SVC_ATTR_UNSPEC", "none"),
                   ("IPVS_SVC_ATTR_AF", "uint16"),
                   ("IPVS_SVC_ATTR_PROTOCOL", "uint16"),
                   ("IPVS_SVC_ATTR_ADDR", "hex"),
                   ("IPVS_SVC_ATTR_PORT", "be16"),
                   ("IPVS_SVC_ATTR_FWMARK", "uint32"),
                   ("IPVS_SVC_ATTR_SCHED_NAME", "asciiz"),
                   ("IPVS_SVC_ATTR_FLAGS", "svc_flags"),
                   ("IPVS_SVC_ATTR_TIMEOUT", "uint32"),
                   ("IPVS_SVC_ATTR_NETMASK", "uint32"))

        class svc_flags(nla):
            fields = (("flags", "I"), ("mask", "I"))


def ipvs_open():
    s = GenericNetlinkSocket()
    s.bind("IPVS", ipvsmsg)
    return s


def request(s, cmd, attrs=None, flags=NLM_F_REQUEST | NLM_F_ACK):
    m = ipvsmsg()
    m["cmd"] = cmd
    m["version"] = 1
    m["attrs"] = attrs or []
    return s.nlm_request(m, msg_type=s.prid, msg_flags=flags)


def new_fwmark(s, mark):
    svc = {"attrs": [("IPVS_SVC_ATTR_AF", socket.AF_INET),
                     ("IPVS_SVC_ATTR_FWMARK", mark),
                     ("IPVS_SVC_ATTR_SCHED_NAME", "rr"),
                     ("IPVS_SVC_ATTR_FLAGS", {"flags": 0, "mask": 0xFFFFFFFF}),
                     ("IPVS_SVC_ATTR_TIMEOUT", 0),
                     ("IPVS_SVC_ATTR_NETMASK", 0xFFFFFFFF)]}
    request(s, IPVS_CMD_NEW_SERVICE, [("IPVS_CMD_ATTR_SERVICE", svc)])


def check(what, fn):
    try:
        fn()
    except Exception as e:          # the test prints what failed, whatever it was
        print(f"{what} error {e!r}", flush=True)
        return False
    print(f"{what} ok", flush=True)
    return True


def main(base):
    mark = iter(range(base, base + 30))
    ok = True

    # The library's socket exists (a kernel socket) while children start;
    # the IPVS lookup comes after them.
    s = GenericNetlinkSocket()
    ok &= check("subprocess.run", lambda: subprocess.run(["true"], check=True))
    ok &= check("os.system", lambda: os.system("true") == 0 or sys.exit(1))
    ok &= check("lookup after the children", lambda: s.bind("IPVS", ipvsmsg))
    ok &= check("GET_INFO", lambda: request(s, IPVS_CMD_GET_INFO, flags=NLM_F_REQUEST))
    ok &= check("NEW_SERVICE", lambda: new_fwmark(s, next(mark)))
    ok &= check("subprocess.run again", lambda: subprocess.run(["true"], check=True))
    ok &= check("NEW_SERVICE after it", lambda: new_fwmark(s, next(mark)))

    # Threads with their own sockets while another thread starts children.
    marks = [[next(mark) for _ in range(5)] for _ in range(4)]
    errors = []
    stop = threading.Event()

    def worker(mine):
        try:
            t = ipvs_open()
            for m in mine:
                new_fwmark(t, m)
            t.close()
        except Exception as e:      # collected and reported below
            errors.append(repr(e))

    def spawner():
        while not stop.is_set():
            subprocess.run(["true"])

    sp = threading.Thread(target=spawner)
    sp.start()
    threads = [threading.Thread(target=worker, args=(m,)) for m in marks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    sp.join()
    print(f"4 threads, 5 requests each: {'ok' if not errors else 'error ' + '; '.join(errors)}",
          flush=True)
    s.close()
    return 0 if ok and not errors else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(int(sys.argv[1])))
