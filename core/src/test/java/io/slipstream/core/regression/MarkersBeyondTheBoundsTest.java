package io.slipstream.core.regression;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.buffer.BufferLimits;
import io.slipstream.core.buffer.BufferSink;
import io.slipstream.core.buffer.ClientBuffer;
import io.slipstream.core.buffer.DropPolicy;
import io.slipstream.core.buffer.OfferOutcome;
import io.slipstream.core.message.DropReason;
import io.slipstream.core.time.FakeClock;
import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.ChangeOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Regression: {@code dropped} markers escaped the buffer's bounds. Under drop-newest the buffer
 * queued one marker per topic between accepted events (and under drop-oldest one per topic at the
 * head), counted by neither {@code pending} nor {@code pendingBytes}: a stalled client subscribed
 * to many topics made its buffer grow without bound, 25,600 markers behind 100 events. The contract
 * (docs/protocol.md §6) counts markers against {@code buffer.max} and {@code buffer.maxBytes}, a
 * policy that needs room for a marker drops one more event into it, and what cannot be named within
 * the bounds is refused (the connection closes 4001) rather than dropped unaccounted for.
 */
class MarkersBeyondTheBoundsTest {

  private static final int MAX = 100;
  private static final int TOPICS = 25_600;
  private static final int FRAME = 200;

  private final FakeClock clock = new FakeClock();

  @ParameterizedTest
  @EnumSource(
      value = DropPolicy.class,
      names = {"DROP_NEWEST", "DROP_OLDEST", "BY_AGE", "PRIORITY", "SAMPLE"})
  void manyTopicsMarkersStayWithinTheEventBound(DropPolicy policy) {
    floodAStalledClient(new BufferLimits(MAX, 1L << 30, 0.8, 0.95, policy));
  }

  @ParameterizedTest
  @EnumSource(
      value = DropPolicy.class,
      names = {"DROP_NEWEST", "DROP_OLDEST", "BY_AGE", "PRIORITY", "SAMPLE"})
  void manyTopicsMarkersStayWithinTheByteBound(DropPolicy policy) {
    // The byte bound binds first: 100 frames, or 156 markers.
    floodAStalledClient(new BufferLimits(1_000_000, MAX * FRAME, 0.8, 0.95, policy));
  }

  /**
   * A client that reads nothing: 100 events of one topic fill its buffer, then each of 25,600 other
   * topics publishes once. Nothing is polled until the end, so what is handed out then is
   * everything the buffer held at once.
   */
  private void floodAStalledClient(BufferLimits limits) {
    ClientBuffer b = new ClientBuffer(limits, clock);
    Map<String, List<Long>> offered = new HashMap<>();
    int refused = 0;
    for (long seq = 1; seq <= MAX; seq++) {
      offer(b, "feed", seq, offered);
    }
    for (int t = 0; t < TOPICS; t++) {
      if (!offer(b, "topic-" + t, 1, offered)) {
        refused++;
      }
      assertThat(b.pending()).isLessThanOrEqualTo(limits.maxEvents());
      assertThat(b.pendingBytes()).isLessThanOrEqualTo(limits.maxBytes());
    }

    int pending = b.pending();
    long pendingBytes = b.pendingBytes();
    Drain drain = new Drain();
    while (b.poll(drain)) {
      assertThat(drain.entries).as("entries handed out").isLessThanOrEqualTo(pending);
    }
    assertThat(drain.entries)
        .as("pending counted every event and marker")
        .isEqualTo(pending)
        .isLessThanOrEqualTo(limits.maxEvents());
    assertThat(drain.bytes)
        .as("pendingBytes counted every event and MARKER_BYTES per marker")
        .isEqualTo(pendingBytes)
        .isLessThanOrEqualTo(limits.maxBytes());
    // Every event that was not refused was delivered or named by a marker, exactly once, in order.
    assertThat(drain.seqs).isEqualTo(offered);
    assertThat(b.droppedEvents()).isEqualTo(drain.droppedCount);
    assertThat(refused)
        .as("more topics than the bounds can name: the rest is refused, the client closed")
        .isPositive();
  }

  /** Offers {@code topic:seq}; records it unless refused; returns whether it was taken. */
  private static boolean offer(
      ClientBuffer b, String topic, long seq, Map<String, List<Long>> offered) {
    ChangeEvent e =
        new ChangeEvent(topic, "e1", seq, ChangeOp.UPDATE, "k", "{}", 0, x -> new byte[FRAME]);
    if (b.offer(e) == OfferOutcome.DISCONNECT) {
      return false;
    }
    offered.computeIfAbsent(topic, t -> new ArrayList<>()).add(seq);
    return true;
  }

  /** Counts what the buffer hands out, and the seqs it accounts for per topic, in order. */
  private static final class Drain implements BufferSink {
    final Map<String, List<Long>> seqs = new HashMap<>();
    int entries;
    long bytes;
    long droppedCount;

    @Override
    public void change(ChangeEvent event) {
      entries++;
      bytes += event.size();
      seqs.computeIfAbsent(event.topic(), t -> new ArrayList<>()).add(event.seq());
    }

    @Override
    public void dropped(String topic, long from, long to, long count, DropReason reason) {
      entries++;
      bytes += ClientBuffer.MARKER_BYTES;
      droppedCount += count;
      assertThat(count).isEqualTo(to - from + 1);
      List<Long> s = seqs.computeIfAbsent(topic, t -> new ArrayList<>());
      for (long seq = from; seq <= to; seq++) {
        s.add(seq);
      }
    }

    @Override
    public void conflated(String topic, long from, long to, long count) {
      throw new AssertionError("every event has its own key: nothing to conflate");
    }
  }
}
