# SPDX-License-Identifier: GPL-2.0-or-later
"""Run nlvsd as systemd's Type=notify would, and say what it was like when
it reported READY=1.

usage: sd-notify.py DIR NLVSCTL COMMAND...
COMMAND starts nlvsd in the foreground with its control socket at
DIR/ipvs.sock.  With NOTIFY_SOCKET at DIR/notify, waits (60 s) for READY=1,
then at once: connects to the control socket, runs `NLVSCTL -s SOCK stats`;
then SIGTERM and waits for STOPPING=1 and the exit.  Prints one line each:
  ready READY=1 | none
  socket accepts | refused: ERROR
  stats N port lines | failed: ...
  stopping STOPPING=1 | none
  exit STATUS
"""
import os
import signal
import socket
import subprocess
import sys

d, nlvsctl, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
sock = d + '/ipvs.sock'
path = d + '/notify'
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(60)
p = subprocess.Popen(cmd, env=dict(os.environ, NOTIFY_SOCKET=path),
                     stdin=subprocess.DEVNULL, stdout=open(d + '/nlvsd.out', 'w'),
                     stderr=subprocess.STDOUT)


def wait_for(word):
    try:
        while True:
            msg = s.recv(4096).decode()
            if word in msg.split('\n'):
                return word
    except socket.timeout:
        return 'none'


print('ready', wait_for('READY=1'), flush=True)
try:
    c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    c.connect(sock)
    c.close()
    print('socket accepts')
except OSError as e:
    print('socket refused:', e)
r = subprocess.run([nlvsctl, '-s', sock, 'stats'], capture_output=True, text=True)
ports = [l for l in r.stdout.splitlines() if l.startswith('port.') and l.endswith('.link up')]
print('stats %d port lines' % len(ports) if r.returncode == 0 else
      'stats failed: ' + r.stderr.strip())
p.send_signal(signal.SIGTERM)
print('stopping', wait_for('STOPPING=1'))
try:
    print('exit', p.wait(60))
except subprocess.TimeoutExpired:
    p.kill()
    print('exit timeout')
