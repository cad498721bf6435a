# SPDX-License-Identifier: GPL-2.0-or-later
# N HTTP/1.0 requests to http://VIP/ from T threads, each a new TCP
# connection; prints "ok=N fail=F" and the answers per server.
import collections, socket, sys, threading

vip, total, nthreads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fam = socket.AF_INET6 if ":" in vip else socket.AF_INET
lock = threading.Lock()
got = collections.Counter()


def one():
    try:
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect((vip, 80))
        s.sendall(b"GET / HTTP/1.0\r\nHost: vip\r\n\r\n")
        data = b""
        while True:
            b = s.recv(4096)
            if not b:
                break
            data += b
        s.close()
        body = data.split(b"\r\n\r\n", 1)[-1].decode().strip()
        return body if data.startswith(b"HTTP/1.0 200") else "bad"
    except OSError:
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
