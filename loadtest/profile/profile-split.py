#!/usr/bin/env python3
"""Splits a collapsed itimer profile of the fan-out (profile.sh) into what a delivery costs.

Samples in the kernel's send/writev (the write syscalls of the deliveries) are the yardstick:
every other sample is counted per 1,000 of them, so two servers (or two builds) compare by what
they spend beyond the kernel's cost of the same deliveries, whatever the machine's speed that
minute. Categories: deliver (the fan-out of a batch to a loop's sockets, split into the server's
own code and Netty's write and flush), http-read (publishes), ws-read (what clients send),
timers, other event-loop tasks, and the JVM's own threads (JIT, GC).

    profile-split.py OUT.collapsed [N]     # N: also the N hottest leaves of the server's own code
"""
import collections
import sys

WRITES = ('__GI___send', 'writev', '__GI_write')


def category(frames):
    s = ';'.join(frames)
    if frames[0] != 'java/lang/Thread.run':
        return 'jvm threads (jit, gc)'
    if 'VertxHandler.channelRead' in s:
        return 'http-read'
    if 'epollInReady' in s:
        return 'ws-read'
    if 'InternalTimerHandler' in s or 'ScheduledFutureTask' in s:
        return 'timers'
    if 'Hub$Channel.deliver' in s or 'broadcastRaw' in s:
        if 'invokeFlush' in s or 'AbstractChannelHandlerContext.flush' in s or 'AbstractUnsafe.flush' in s:
            return 'deliver: netty flush'
        if 'AbstractChannelHandlerContext.write' in s or 'AbstractUnsafe.write' in s:
            return 'deliver: netty write'
        return 'deliver: own code'
    return 'other event-loop work'


def main():
    rows = []
    with open(sys.argv[1]) as f:
        for line in f:
            stack, _, count = line.rstrip().rpartition(' ')
            rows.append((stack.split(';'), int(count)))
    total = sum(c for _, c in rows)
    writes = sum(c for fr, c in rows if fr[-1] in WRITES)
    by = collections.Counter()
    leaves = collections.Counter()
    for fr, c in rows:
        if fr[-1] in WRITES:
            continue
        k = category(fr)
        by[k] += c
        if k == 'deliver: own code':
            leaves[fr[-1]] += c
    print(f'samples {total}, in send/writev {writes} ({writes * 100 / total:.1f} %)')
    print(f'everything else per 1,000 write samples: {(total - writes) * 1000 / writes:.0f}')
    for k, v in sorted(by.items()):
        print(f'  {v * 1000 / writes:6.0f}  {k}')
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    for k, v in leaves.most_common(n):
        print(f'  {v * 1000 / writes:6.1f}  {k}')


if __name__ == '__main__':
    main()
