#!/usr/bin/env python3
# usage: storm-pcap.py CAPTURE.pcap PORT
#
# Splits a resume storm's reconnect time between the server and the tool, by the kernel's
# timestamps of a loopback capture rather than by either process's clock (docs/benchmarks.md,
# goal 6). Capture while the `resume` scenario runs in storm mode, headers and the first bytes
# of every segment with payload (the welcome is recognised by its first 40 bytes):
#
#   tcpdump -i lo -s 100 -B 131072 -w CAPTURE.pcap 'tcp port PORT and ((tcp[tcpflags] & tcp-syn != 0)
#     or ((ip[2:2] - ((ip[0]&0xf)<<2) - ((tcp[12]&0xf0)>>2)) > 0))'
#
# Per WebSocket connection (first payload `GET /ws`): its SYN, the upgrade request, the 101, the
# client's first frame after it (the hello), the server's frame that starts with the welcome,
# and the server's next segment. Connections are grouped into bursts (SYNs less than 1 s apart);
# burst 0 is the first connect, the others are the storms. Server time: request -> 101 and
# hello -> welcome. Tool time: the SYNs' spread, SYN -> request and 101 -> hello.
import struct
import sys


def read(path, port):
    f = open(path, 'rb')
    head = f.read(24)
    nano = struct.unpack('<I', head[:4])[0] == 0xa1b23c4d
    link = struct.unpack('<I', head[20:24])[0]
    off = {1: 14, 0: 4}.get(link, 16)  # Ethernet on lo, BSD loopback, Linux cooked
    live = {}  # client port -> its current connection
    conns = []
    while True:
        h = f.read(16)
        if len(h) < 16:
            return conns
        sec, frac, incl, _ = struct.unpack('<IIII', h)
        d = f.read(incl)
        t = sec + frac / (1e9 if nano else 1e6)
        ip = d[off:]
        ihl = (ip[0] & 15) * 4
        total = struct.unpack('>H', ip[2:4])[0]
        tcp = ip[ihl:]
        sp, dp = struct.unpack('>HH', tcp[:4])
        doff = (tcp[12] >> 4) * 4
        flags = tcp[13]
        plen = total - ihl - doff
        pay = tcp[doff:]
        client = sp if dp == port else dp
        if dp == port and flags & 2 and not flags & 16:  # SYN: a new connection on this port
            c = live[client] = {'syn': t, 'ws': False}
            conns.append(c)
            continue
        c = live.get(client)
        if c is None or plen <= 0:
            continue
        if dp == port:
            if 'req' not in c:
                c['req'] = t
                c['ws'] = pay.startswith(b'GET /ws')
            elif 'hello' not in c:
                c['hello'] = t
        elif 'r101' not in c:
            c['r101'] = t
        elif 'welcome' not in c:
            if b'welcome' in pay[:40]:
                c['welcome'] = t
        elif 'next' not in c:
            c['next'] = t


def pct(values, q):
    v = sorted(values)
    return v[min(len(v) - 1, int(q * len(v)))] * 1000 if v else float('nan')


def main():
    conns = [c for c in read(sys.argv[1], int(sys.argv[2]))
             if c['ws'] and all(k in c for k in ('req', 'r101', 'hello', 'welcome'))]
    conns.sort(key=lambda c: c['syn'])
    bursts, cur = [], []
    for c in conns:
        if cur and c['syn'] - cur[-1]['syn'] > 1.0:
            bursts.append(cur)
            cur = []
        cur.append(c)
    if cur:
        bursts.append(cur)
    print('| burst | n | SYN spread p50 / max | SYN → request p50 | request → 101 p50 / p99 (server)'
          ' | 101 → hello p50 / p99 (tool) | hello → welcome p50 / p99 (server)'
          ' | first SYN → welcome p50 / p99 | own SYN → welcome p50 |')
    print('|---|---|---|---|---|---|---|---|---|')
    for i, b in enumerate(bursts):
        t0 = min(c['syn'] for c in b)
        span = lambda a, z: [c[z] - c[a] for c in b]
        since = lambda z: [c[z] - t0 for c in b]
        print('| %d | %d | %.1f / %.1f | %.1f | %.1f / %.1f | %.1f / %.1f | %.1f / %.1f | %.1f / %.1f | %.1f |' % (
            i, len(b), pct(since('syn'), .5), pct(since('syn'), 1), pct(span('syn', 'req'), .5),
            pct(span('req', 'r101'), .5), pct(span('req', 'r101'), .99),
            pct(span('r101', 'hello'), .5), pct(span('r101', 'hello'), .99),
            pct(span('hello', 'welcome'), .5), pct(span('hello', 'welcome'), .99),
            pct(since('welcome'), .5), pct(since('welcome'), .99), pct(span('syn', 'welcome'), .5)))


main()
