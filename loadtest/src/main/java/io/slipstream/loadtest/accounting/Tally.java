package io.slipstream.loadtest.accounting;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Run-wide sums of what every client saw, read once a second by the sampler.
 *
 * <p>Thread-safe: every client event loop adds, the sampler reads. Counters are {@link LongAdder}s
 * so that the clients, which add on every delivery, do not contend on one cache line.
 */
public final class Tally {

  /** Sockets opened (handshake completed), over the run. */
  public final LongAdder opened = new LongAdder();

  /** Sockets that failed to open. */
  public final LongAdder connectFailures = new LongAdder();

  /** Sockets open now. */
  public final AtomicInteger open = new AtomicInteger();

  /** Subscriptions receiving live changes now (snapshot or replay done). */
  public final AtomicInteger live = new AtomicInteger();

  /** Live and replayed changes applied (deliveries). */
  public final LongAdder received = new LongAdder();

  /** Snapshot rows received. */
  public final LongAdder snapshotRows = new LongAdder();

  /** Seqs named by {@code dropped}. */
  public final LongAdder droppedByServer = new LongAdder();

  /** Updates named by {@code conflated}. */
  public final LongAdder conflated = new LongAdder();

  /** Lost seqs: violations. */
  public final LongAdder gaps = new LongAdder();

  /** Doubled seqs: violations. */
  public final LongAdder duplicates = new LongAdder();

  /** Other protocol violations seen by the accountants or the clients. */
  public final LongAdder protocolErrors = new LongAdder();

  /** {@code reset} messages. */
  public final LongAdder resets = new LongAdder();

  /** {@code warning} messages. */
  public final LongAdder warnings = new LongAdder();

  /** {@code error} messages. */
  public final LongAdder errors = new LongAdder();

  /** Reconnects (a new socket for a client that had one). */
  public final LongAdder reconnects = new LongAdder();

  /** Reconnects that went to another endpoint of the client's list (a failover). */
  public final LongAdder failovers = new LongAdder();

  /** Sockets given up because the server said nothing, not even {@code pong}, for too long. */
  public final LongAdder silenceGiveUps = new LongAdder();

  /** {@code welcome} with {@code resumed: true}. */
  public final LongAdder resumed = new LongAdder();

  /** {@code welcome} with {@code resumed: false} after presenting a resume token. */
  public final LongAdder resumeRefused = new LongAdder();

  /** Subscriptions that started with a snapshot. */
  public final LongAdder snapshots = new LongAdder();

  /** Subscriptions that continued by replay. */
  public final LongAdder replays = new LongAdder();

  /** Planned drops by a clean close (churn). */
  public final LongAdder dropsClean = new LongAdder();

  /** Planned drops by a TCP reset, without a close frame (churn). */
  public final LongAdder dropsReset = new LongAdder();

  /** Planned drops by giving the socket up while it is still open (churn). */
  public final LongAdder dropsVanish = new LongAdder();

  /** Planned drops after which the client came back as a new client, without its session. */
  public final LongAdder freshStarts = new LongAdder();

  /** Sockets given up by a client and then closed by the server, by close code. */
  private final Map<Integer, LongAdder> abandonedCloses = new ConcurrentHashMap<>();

  /** {@code ack} messages sent. */
  public final LongAdder acks = new LongAdder();

  private final Map<Integer, LongAdder> closes = new ConcurrentHashMap<>();

  /** Counts a socket closed with {@code code} (1006 when the peer vanished). */
  public void closed(int code) {
    closes.computeIfAbsent(code, c -> new LongAdder()).increment();
  }

  /** Closes seen so far, by close code. */
  public Map<Integer, Long> closesByCode() {
    Map<Integer, Long> out = new TreeMap<>();
    closes.forEach((code, n) -> out.put(code, n.sum()));
    return out;
  }

  /** Counts a socket the client had given up ({@code VANISH}) closed with {@code code}. */
  public void abandonedClosed(int code) {
    abandonedCloses.computeIfAbsent(code, c -> new LongAdder()).increment();
  }

  /** Given-up sockets closed so far, by close code. */
  public Map<Integer, Long> abandonedClosesByCode() {
    Map<Integer, Long> out = new TreeMap<>();
    abandonedCloses.forEach((code, n) -> out.put(code, n.sum()));
    return out;
  }

  /** Closes with {@code code} so far. */
  public long closes(int code) {
    LongAdder n = closes.get(code);
    return n == null ? 0 : n.sum();
  }

  /** Lost, doubled and otherwise wrong events: zero on a correct server. */
  public long violations() {
    return gaps.sum() + duplicates.sum() + protocolErrors.sum();
  }
}
