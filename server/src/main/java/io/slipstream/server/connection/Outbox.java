package io.slipstream.server.connection;

import io.slipstream.core.time.Clock;
import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.server.metrics.Metrics;
import io.slipstream.server.transport.Transport;
import java.util.ArrayList;
import java.util.List;

/**
 * A connection's way out to its socket: frames written in order, grouped into JSON-array frames
 * for clients that said {@code batch: true}, flushed once per pump turn, and counted.
 *
 * <p>Confined to its connection's event loop.
 *
 * <p>Inside a turn ({@link #beginTurn()} .. {@link #endTurn()}) frames only queue in the socket;
 * the turn's end sends them with one flush. A frame written outside a turn (a warning, the
 * replies flushed at close) goes out at once.
 */
final class Outbox {

  /** Most messages in one frame for a client that said {@code batch: true}. */
  static final int BATCH_MESSAGES = 64;
  /** Most bytes in one frame for a client that said {@code batch: true}. */
  static final int BATCH_BYTES = 32 * 1024;

  private final Transport transport;
  private final Metrics metrics;
  private boolean batching;
  private final List<byte[]> batch = new ArrayList<>();
  private int batchBytes;
  private boolean inTurn;

  private final Clock clock;
  /**
   * The publish time (wall ms) of the turn's first change, or -1: one latency sample per turn, so
   * the shared histogram is touched once per turn, not once per delivery.
   */
  private long sampleTs = -1;

  private long sent;
  private long changesSent;
  private long sentReported;
  private long changesReported;

  Outbox(Transport transport, Metrics metrics, Clock clock) {
    this.transport = transport;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** Whether frames may carry several messages (the client's {@code hello.batch}). */
  void batching(boolean batching) {
    this.batching = batching;
  }

  /** Whether the socket's own queue is full: stop writing until it drains. */
  boolean full() {
    return transport.writeQueueFull();
  }

  /** Writes a live change (counted apart for the metrics, its publish time sampled). */
  void writeChange(ChangeEvent event) {
    changesSent++;
    if (sampleTs < 0) {
      sampleTs = event.ts();
    }
    if (batching) {
      write(event.frame());
      return;
    }
    sent++;
    transport.writeChange(event);
    if (!inTurn) {
      transport.flush();
    }
  }

  /** Writes one message. */
  void write(byte[] frame) {
    sent++;
    if (!batching) {
      transport.write(frame);
      if (!inTurn) {
        transport.flush();
      }
      return;
    }
    batch.add(frame);
    batchBytes += frame.length;
    if (!inTurn || batch.size() >= BATCH_MESSAGES || batchBytes >= BATCH_BYTES) {
      writeBatch();
    }
  }

  void beginTurn() {
    inTurn = true;
  }

  /** Ends a pump turn: the turn's frames leave together, and the meters hear of them once. */
  void endTurn() {
    inTurn = false;
    writeBatch();
    transport.flush();
    metrics.sent(sent - sentReported, changesSent - changesReported);
    if (sampleTs >= 0) {
      metrics.publishToSocket(clock.wallMillis() - sampleTs);
      sampleTs = -1;
    }
    sentReported = sent;
    changesReported = changesSent;
  }

  /** Messages written since the connection opened. */
  long sent() {
    return sent;
  }

  private void writeBatch() {
    if (batch.isEmpty()) {
      return;
    }
    if (batch.size() == 1) {
      transport.write(batch.get(0));
    } else {
      transport.writeBatch(batch);
    }
    batch.clear();
    batchBytes = 0;
    if (!inTurn) {
      transport.flush();
    }
  }
}
