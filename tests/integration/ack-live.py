#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""ack-live.py HOST PORT N CMD...: run CMD (an ipvsadm change: it returns
once nlvsd acknowledged it), then at once, without a pause, N HTTP GETs to
HOST:PORT, one after the other.  Prints the bodies (each stripped; "-" for
a GET that failed) on one line, space-separated.  Exit 1 if CMD failed.
A change acknowledged is in force (IPVS): these GETs must see it."""
import socket
import subprocess
import sys


def get(host, port):
    try:
        s = socket.create_connection((host, port), timeout=1)
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        data = b""
        while True:
            b = s.recv(4096)
            if not b:
                break
            data += b
        s.close()
        body = data.split(b"\r\n\r\n", 1)[1].decode().strip()
        return body or "-"
    except (OSError, IndexError):
        return "-"


def main():
    host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    if subprocess.call(sys.argv[4:]) != 0:
        print("command failed")
        return 1
    print(" ".join(get(host, port) for _ in range(n)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
