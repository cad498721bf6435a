# SPDX-License-Identifier: GPL-2.0-or-later
# N HTTP/1.0 requests to http://VIP/ from T threads, each a new TCP
# connection; prints "ok=N fail=F" and the answers per server.
# With a fourth argument SPORT every connection leaves from that source
# port, one after the other (T must be 1): the server closes first, so the
# port is free again at once on the client, while the load balancer still
# holds the previous connection (TIME_WAIT) under the same tuple.
import collections, errno, socket, sys, threading, time

vip, total, nthreads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sport = int(sys.argv[4]) if len(sys.argv) > 4 else 0
fam = socket.AF_INET6 if ":" in vip else socket.AF_INET
lock = threading.Lock()
got = collections.Counter()


def connect():
    if not sport:
        return socket.create_connection((vip, 80), 5)
    # the last connection from the port may still wait for the ACK of its
    # FIN (LAST_ACK) on this side: the tuple is busy for a moment
    for _ in range(50):
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(5)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("", sport))
        try:
            s.connect((vip, 80))
            return s
        except OSError as e:
            s.close()
            if e.errno not in (errno.EADDRNOTAVAIL, errno.EADDRINUSE):
                raise
            time.sleep(0.05)
    raise OSError(errno.EADDRNOTAVAIL, "source port %d stays busy" % sport)


def one():
    try:
        s = connect()
        s.sendall(b"GET / HTTP/1.0\r\nHost: vip\r\n\r\n")
        data = s.makefile("rb").read()  # all of it, until the server closes
        s.close()
        body = data.split(b"\r\n\r\n", 1)[-1].decode().strip()
        return body if data.startswith(b"HTTP/1.0 200") else "bad"
    except OSError as e:
        print("error:", e, file=sys.stderr)
        return "fail"


def worker(n):
    for _ in range(n):
        r = one()
        with lock:
            got[r] += 1


per = total // nthreads
ts = [threading.Thread(target=worker, args=(per + (1 if i < total % nthreads else 0),))
      for i in range(nthreads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
ok = sum(v for k, v in got.items() if k.startswith("rs"))
print("ok=%d fail=%d" % (ok, total - ok), " ".join("%s=%d" % kv for kv in sorted(got.items())))
