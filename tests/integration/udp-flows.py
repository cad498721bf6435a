# SPDX-License-Identifier: GPL-2.0-or-later
# SRC DST PORT N [TIMEOUT [SPORT]]: N new UDP flows at once, one socket each
# on address SRC ("" for any), each sending one datagram to DST:PORT; prints
# how many were answered within TIMEOUT seconds (default 2).  With SPORT the
# sockets use source ports SPORT, SPORT+1, ...: never-used ports cannot
# join an earlier flow the way a repeated ephemeral port would.  The
# datagrams leave in groups of 50, 5 ms apart, so that a single server's
# socket buffer is not what limits the answers.
import resource, socket, sys, time

src, dst, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
tmo = float(sys.argv[5]) if len(sys.argv) > 5 else 2.0
sport = int(sys.argv[6]) if len(sys.argv) > 6 else 0
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if soft < n + 64:
    want = n + 64
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(hard, want)))
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
socks = []
for i in range(n):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((src, sport + i if sport else 0))
    s.setblocking(False)
    s.sendto(b"q%d" % i, (dst, port))
    socks.append(s)
    if i % 50 == 49:
        time.sleep(0.005)
ok, end = set(), time.time() + tmo
while len(ok) < n and time.time() < end:
    for i, s in enumerate(socks):
        if i in ok:
            continue
        try:
            s.recv(512)
            ok.add(i)
        except BlockingIOError:
            pass
    time.sleep(0.01)
print(len(ok))
