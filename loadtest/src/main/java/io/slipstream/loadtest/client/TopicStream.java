package io.slipstream.loadtest.client;

import io.slipstream.loadtest.accounting.PhaseMaxima;
import io.slipstream.loadtest.accounting.SeqAccountant;
import io.slipstream.loadtest.accounting.Tally;
import io.slipstream.loadtest.accounting.VersionRuns;
import io.slipstream.loadtest.wire.ClientMessages;
import io.slipstream.loadtest.wire.FrameScanner;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * One topic as one client sees it: the {@link SeqAccountant} that checks its order, whether it is
 * live, what was acked, and, when the plan asks, each key's version (the client's copy of the
 * topic's state), which version sat at which seq ({@link VersionRuns}), and the longest time
 * between two changes (a stall). It outlives the client's connections.
 *
 * <p>Confined to its client's event loop. Every outcome is also added to the run's {@link Tally}.
 */
final class TopicStream {

  private static final String T = "\"t\":";
  private static final String V = "\"v\":";
  private static final String N = "\"n\":";
  private static final String SNAPSHOT_TRUE = "\"snapshot\":true";
  private static final String KEY_K = "\"key\":\"k";
  private static final String OP_DELETE = "\"op\":\"DELETE\"";

  /** What the stream tells its client. */
  interface Owner {
    /** The subscription became live (snapshot or replay done). */
    void wentLive(TopicStream stream);

    /** The index of the node the client is connected to in its plan's node list, or -1. */
    int node();
  }

  /**
   * Where latency goes by where the change was published: through the client's own node or
   * another one (rows carry the index of the node the publisher sent them to, {@code "n"}).
   */
  record NodeLatency(SingleWriterRecorder sameNode, SingleWriterRecorder crossNode) {}

  private final String topic;
  private final SeqAccountant acc;
  private final Tally tally;
  private final ClientShared shared;
  private final SingleWriterRecorder latency;
  private final boolean recordLatency;
  private final Owner owner;
  private final long[] rows;
  private final VersionRuns versions;
  private final NodeLatency byNode;
  private final PhaseMaxima stalls;
  private long lastChangeNanos;
  private boolean live;
  private long lastAcked;
  private long subscribeSentNanos;

  TopicStream(
      String topic,
      ClientShared shared,
      SingleWriterRecorder latency,
      boolean recordLatency,
      int trackRows,
      boolean recordVersions,
      NodeLatency byNode,
      Owner owner) {
    this.topic = topic;
    this.acc = new SeqAccountant(topic);
    this.tally = shared.tally();
    this.shared = shared;
    this.latency = latency;
    this.recordLatency = recordLatency;
    this.owner = owner;
    this.rows = trackRows > 0 ? new long[trackRows] : null;
    this.versions = recordVersions ? new VersionRuns() : null;
    this.byNode = byNode;
    this.stalls = shared.stalls();
    if (rows != null) {
      Arrays.fill(rows, -1);
    }
  }

  String topic() {
    return topic;
  }

  SeqAccountant accountant() {
    return acc;
  }

  boolean live() {
    return live;
  }

  /** The tracked versions (a copy), or null. */
  long[] rows() {
    return rows == null ? null : rows.clone();
  }

  /** What version sat at which seq (a copy), or null when not recorded. */
  VersionRuns versions() {
    return versions == null ? null : versions.copy();
  }

  /** The position to resume or subscribe from, or null when there is none yet. */
  ClientMessages.Position position() {
    return acc.epoch() != null && acc.last() != SeqAccountant.NONE
        ? new ClientMessages.Position(acc.epoch(), acc.last())
        : null;
  }

  /** Notes that {@code subscribe} (or a resuming {@code hello}) was sent now. */
  void subscribing(long nowNanos) {
    subscribeSentNanos = nowNanos;
  }

  /**
   * A {@code change} in {@code s[from, to)} whose seq was already read.
   *
   * @return whether it was a live change (which counts towards the next ack)
   */
  boolean change(String s, int from, int to, long seq) {
    if (acc.phase() == SeqAccountant.Phase.SNAPSHOT
        && FrameScanner.contains(s, SNAPSHOT_TRUE, from, to)) {
      long e0 = acc.protocolErrors();
      acc.snapshotRow(seq);
      tally.snapshotRows.increment();
      tally.protocolErrors.add(acc.protocolErrors() - e0);
      applyRow(s, from, to);
      return false;
    }
    long g0 = acc.gaps();
    switch (acc.change(seq)) {
      case IN_ORDER:
        tally.received.increment();
        break;
      case GAP:
        tally.received.increment();
        tally.gaps.add(acc.gaps() - g0);
        break;
      default:
        tally.duplicates.increment();
        return false;
    }
    long now = System.nanoTime();
    if (stalls.open() && lastChangeNanos != 0) {
      // The first change of a stream ends no stall: before it the client had no stream.
      stalls.record(now - Math.max(lastChangeNanos, stalls.openedNanos()));
    }
    lastChangeNanos = now;
    if (versions != null) {
      long v = FrameScanner.longField(s, V, from, to);
      if (v != FrameScanner.ABSENT) {
        versions.add(seq, v);
      }
    }
    if (recordLatency) {
      long t = FrameScanner.longField(s, T, from, to);
      if (t != FrameScanner.ABSENT) {
        long lat = ClientShared.clamp(now / 1000 - t);
        latency.recordValue(lat);
        if (byNode != null) {
          recordByNode(s, from, to, lat);
        }
      }
    }
    applyRow(s, from, to);
    return true;
  }

  private void recordByNode(String s, int from, int to, long latencyMicros) {
    long n = FrameScanner.longField(s, N, from, to);
    int mine = owner.node();
    if (n == FrameScanner.ABSENT || mine < 0) {
      return;
    }
    (n == mine ? byNode.sameNode() : byNode.crossNode()).recordValue(latencyMicros);
  }

  /** Applies a change of key {@code k<i>} to the tracked versions. */
  private void applyRow(String s, int from, int to) {
    if (rows == null) {
      return;
    }
    int k = FrameScanner.indexOf(s, KEY_K, from, to);
    if (k < 0) {
      return;
    }
    long index = FrameScanner.parseLong(s, k + KEY_K.length(), to);
    if (index < 0 || index >= rows.length) {
      return;
    }
    if (FrameScanner.contains(s, OP_DELETE, from, to)) {
      rows[(int) index] = -1;
    } else {
      long v = FrameScanner.longField(s, V, from, to);
      rows[(int) index] = v == FrameScanner.ABSENT ? -2 : v;
    }
  }

  void subscribed(JsonObject m) {
    boolean replay = "replay".equals(m.getString("mode"));
    long g0 = acc.gaps();
    acc.subscribed(m.getString("epoch"), m.getLong("seq", 0L), replay);
    if (versions != null) {
      versions.startAfter(m.getLong("seq", 0L));
    }
    tally.gaps.add(acc.gaps() - g0);
    lastAcked = Math.min(lastAcked, acc.last());
    if (replay) {
      tally.replays.increment();
      setLive(true);
    } else {
      tally.snapshots.increment();
      setLive(false);
      clearRows();
    }
  }

  void snapshot(JsonObject m) {
    long seq = m.getLong("seq", 0L);
    if ("begin".equals(m.getString("phase"))) {
      if (acc.phase() != SeqAccountant.Phase.SNAPSHOT && acc.phase() != SeqAccountant.Phase.RESET) {
        tally.snapshots.increment(); // a server that skipped subscribed
      }
      acc.snapshotBegin(m.getString("epoch"), seq);
      clearRows();
    } else {
      long e0 = acc.protocolErrors();
      acc.snapshotEnd(seq);
      tally.protocolErrors.add(acc.protocolErrors() - e0);
      setLive(true);
    }
  }

  void dropped(JsonObject m) {
    long g0 = acc.gaps();
    long d0 = acc.duplicates();
    long x0 = acc.droppedByServer();
    long e0 = acc.protocolErrors();
    acc.dropped(m.getLong("from", 0L), m.getLong("to", 0L), m.getLong("count", 0L));
    tally.gaps.add(acc.gaps() - g0);
    tally.duplicates.add(acc.duplicates() - d0);
    tally.droppedByServer.add(acc.droppedByServer() - x0);
    tally.protocolErrors.add(acc.protocolErrors() - e0);
  }

  void conflated(JsonObject m) {
    long g0 = acc.gaps();
    long n = m.getLong("count", 0L);
    acc.conflated(n);
    tally.conflated.add(n);
    tally.gaps.add(acc.gaps() - g0);
  }

  void reset() {
    acc.reset();
    tally.resets.increment();
    setLive(false);
  }

  /** The socket closed: not live until the next subscription. */
  void disconnected() {
    setLive(false);
  }

  /** The {@code ack} to send now, or null when nothing new was applied. */
  String ackDue() {
    if (!live || acc.last() <= lastAcked) {
      return null;
    }
    lastAcked = acc.last();
    tally.acks.increment();
    return ClientMessages.ack(topic, acc.last());
  }

  private void clearRows() {
    if (rows != null) {
      Arrays.fill(rows, -1);
    }
  }

  private void setLive(boolean on) {
    if (live == on) {
      return;
    }
    live = on;
    if (on) {
      tally.live.incrementAndGet();
      long waited = (System.nanoTime() - subscribeSentNanos) / 1000;
      shared.timeToLive().recordValue(ClientShared.clamp(waited));
      owner.wentLive(this);
    } else {
      tally.live.decrementAndGet();
    }
  }
}
