# SPDX-License-Identifier: GPL-2.0-or-later
"""Compare nlvsd's Prometheus metrics with what ipvsadm and nlvsctl show.

usage: metrics-compare.py DIR
DIR holds, read at one moment without traffic in between:
  metrics     GET /metrics
  stats       ipvsadm -Ln --stats --exact
  list        ipvsadm -Ln
  totals      nlvsctl totals (/proc/net/ip_vs_stats)
  nlvsctl     nlvsctl stats
  laddrs      nlvsctl laddrs
Prints one line per figure compared ("ok NAME" or "MISMATCH NAME: ..."), then
"compared N, mismatched M"; exits 1 on a mismatch or when a figure is
missing from the metrics.
"""
import re
import sys

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    out = {}
    for line in text.splitlines():
        if not line or line.startswith('#'):
            continue
        m = SAMPLE.match(line)
        if not m:
            raise SystemExit('unparsable sample: ' + line)
        labels = tuple(sorted(LABEL.findall(m.group(2) or '')))
        out[(m.group(1), labels)] = int(float(m.group(3)))
    return out


class Cmp:
    def __init__(self, metrics):
        self.m = metrics
        self.n = 0
        self.bad = 0

    def eq(self, what, name, labels, want):
        self.n += 1
        key = (name, tuple(sorted(labels.items())))
        got = self.m.get(key)
        if got == want:
            print('ok %s = %d' % (what, want))
            return
        self.bad += 1
        print('MISMATCH %s: metrics %s%s = %s, tools say %d' %
              (what, name, dict(labels), got, want))


def addr_port(s):
    """'10.77.2.11:80' or '[fd00::1]:80' as ipvsadm -n prints them."""
    host, port = s.rsplit(':', 1)
    return host.strip('[]'), port


def main():
    d = sys.argv[1]
    read = lambda n: open('%s/%s' % (d, n)).read()
    c = Cmp(parse_metrics(read('metrics')))
    fields = ['connections', 'incoming_packets', 'outgoing_packets',
              'incoming_bytes', 'outgoing_bytes']

    # ipvsadm -Ln --stats --exact: services and dests, five counters each
    svc = None
    for line in read('stats').splitlines():
        w = line.split()
        if len(w) == 7 and w[0] in ('TCP', 'UDP', 'SCTP'):
            a, p = addr_port(w[1])
            svc = {'local_address': a, 'local_port': p, 'proto': w[0],
                   'local_mark': ''}
            for f, v in zip(fields, w[2:]):
                c.eq('service %s %s' % (w[1], f), 'nlvs_service_%s_total' % f,
                     svc, int(v))
        elif len(w) == 7 and w[0] == '->' and svc:
            a, p = addr_port(w[1])
            lab = dict(svc, remote_address=a, remote_port=p)
            for f, v in zip(fields, w[2:]):
                c.eq('dest %s %s' % (w[1], f), 'nlvs_backend_%s_total' % f,
                     lab, int(v))

    # ipvsadm -Ln: weight, ActiveConn, InActConn under node_exporter's names
    svc = None
    for line in read('list').splitlines():
        w = line.split()
        if len(w) >= 3 and w[0] in ('TCP', 'UDP', 'SCTP'):
            a, p = addr_port(w[1])
            svc = {'local_address': a, 'local_port': p, 'proto': w[0],
                   'local_mark': ''}
        elif len(w) == 6 and w[0] == '->' and svc:
            a, p = addr_port(w[1])
            lab = dict(svc, remote_address=a, remote_port=p)
            for name, v in (('node_ipvs_backend_weight', w[3]),
                            ('node_ipvs_backend_connections_active', w[4]),
                            ('node_ipvs_backend_connections_inactive', w[5])):
                c.eq('dest %s %s' % (w[1], name), name, lab, int(v))

    # /proc/net/ip_vs_stats: totals in hex on the third line
    tot = read('totals').splitlines()[2].split()
    for f, v in zip(fields, tot):
        c.eq('total %s' % f, 'node_ipvs_%s_total' % f, {}, int(v, 16))

    # nlvsctl stats: name value lines
    names = {
        'rx': 'nlvs_worker_rx_packets_total', 'tx': 'nlvs_worker_tx_packets_total',
        'handoff_in': 'nlvs_worker_handoff_in_packets_total',
        'handoff_out': 'nlvs_worker_handoff_out_packets_total',
        'neigh_entries': 'nlvs_worker_neighbour_entries',
        'neigh_size': 'nlvs_worker_neighbour_table_size',
        'lcore': 'nlvs_worker_lcore',
    }
    totals = {
        'ctl_tx': 'control_tx_packets', 'arp_replies': 'arp_replies',
        'nd_adverts': 'nd_adverts', 'echo_replies': 'echo_replies',
        'icmp_errors': 'icmp_errors', 'neigh_requests': 'neighbour_requests',
        'neigh_msgs_lost': 'neighbour_messages_lost',
        'neigh_evicted': 'neighbour_evicted', 'neigh_full': 'neighbour_full',
        'neigh_offlink': 'neighbour_offlink',
        'neigh_reclaimed': 'neighbour_reclaimed',
    }
    ports = {
        'ipackets': 'rx_packets', 'opackets': 'tx_packets', 'ibytes': 'rx_bytes',
        'obytes': 'tx_bytes', 'imissed': 'rx_missed', 'ierrors': 'rx_errors',
        'oerrors': 'tx_errors', 'rx_nombuf': 'rx_nombuf',
    }
    hosts = {
        'host.up': 'nlvs_host_up_packets_total',
        'host.up_queued': 'nlvs_host_up_queued_packets_total',
        'host.down': 'nlvs_host_down_packets_total',
        'host.down_read': 'nlvs_host_down_read_packets_total',
    }  # (host.sleeps moves while idle: not compared)
    for line in read('nlvsctl').splitlines():
        k, v = line.split(None, 1)
        parts = k.split('.')
        if parts[0] == 'worker' and len(parts) == 3:
            # (sleeps moves while the worker idles: not compared)
            if parts[2] in names:
                c.eq(k, names[parts[2]], {'worker': parts[1]}, int(v))
        elif parts[0] == 'drop':
            c.eq(k, 'nlvs_drops_total', {'reason': k[5:]}, int(v))
        elif k in totals:
            c.eq(k, 'nlvs_%s_total' % totals[k], {}, int(v))
        elif k in ('rx', 'tx'):
            continue  # sums of the workers', compared above
        elif k in hosts:
            c.eq(k, hosts[k], {}, int(v))
        elif parts[0] == 'port':
            port = parts[1]
            rest = parts[2:]
            if len(rest) == 2 and rest[0] == 'twin':
                c.eq(k, 'nlvs_port_twin_%s' % ('errors_total' if rest[1] == 'errors'
                                               else rest[1] + '_packets_total'),
                     {'port': port}, int(v))
            elif rest == ['link']:
                c.eq(k, 'nlvs_port_up', {'port': port}, 1 if v == 'up' else 0)
            elif len(rest) == 1 and rest[0] in ports:
                c.eq(k, 'nlvs_port_%s_total' % ports[rest[0]], {'port': port}, int(v))
            elif len(rest) == 2 and rest[0].startswith('rxq'):
                c.eq(k, 'nlvs_port_queue_rx_packets_total',
                     {'port': port, 'queue': rest[0][3:]}, int(v))
            elif len(rest) == 2 and rest[0].startswith('txq'):
                c.eq(k, 'nlvs_port_queue_tx_packets_total',
                     {'port': port, 'queue': rest[0][3:]}, int(v))
            elif rest[0] == 'x':
                c.eq(k, 'nlvs_port_xstats_total',
                     {'port': port, 'name': '.'.join(rest[1:])}, int(v))

    # nlvsctl laddrs: kind address state held ports [pool]
    for line in read('laddrs').splitlines()[1:]:
        w = line.split()
        if len(w) < 5:
            continue
        lab = {'kind': w[0], 'address': w[1], 'state': w[2]}
        c.eq('laddr %s held' % w[1], 'nlvs_laddr_ports_held', lab, int(w[3]))
        c.eq('laddr %s ports' % w[1], 'nlvs_laddr_ports', lab, int(w[4]))

    print('compared %d, mismatched %d' % (c.n, c.bad))
    return 1 if c.bad else 0


sys.exit(main())
