package io.slipstream.server.connection;

import io.slipstream.core.buffer.BufferLimits;
import io.slipstream.core.buffer.BufferSink;
import io.slipstream.core.buffer.ClientBuffer;
import io.slipstream.core.buffer.DropPolicy;
import io.slipstream.core.message.DropReason;
import io.slipstream.core.time.Clock;
import io.slipstream.core.topic.ChangeEncoder;
import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.ChangeOp;
import io.slipstream.server.topic.TopicRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What Slipstream's own bookkeeping costs one live change per subscribed connection, without the
 * socket: the subscription check ({@link Subscription#acceptLive}, the gap-free seq check), and
 * that check plus the topic lookup, the buffer's offer and poll and the sink's hand-off, as {@code
 * Subscriptions.onChanges} and the write pump do them.
 *
 * <p>Each benchmark thread has its own subscription and buffer (both are confined to one event
 * loop). Events are consecutive seqs of one topic, built once (2^20 of them, 256-byte frames); when
 * they run out, a fresh subscription starts again at seq 0 (once per million operations).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class LiveDeliveryBenchmark {

  private static final int EVENTS = 1 << 20;
  private static final byte[] FRAME = new byte[256];
  private static final ChangeEncoder FIXED_FRAME = e -> FRAME;
  private static final Clock STOPPED = () -> 0L;

  private TopicRegistry.Entry entry;
  private ChangeEvent[] events;
  private int next;
  private Subscription subscription;
  private final Map<String, Subscription> byTopic = new HashMap<>();
  private ClientBuffer buffer;
  private BufferSink sink;

  @Setup(Level.Trial)
  public void setUp(Blackhole bh) {
    entry = new TopicRegistry(16, 1024, 1 << 20).getOrCreate("topic-a");
    String epoch = entry.topic().view().epoch();
    events = new ChangeEvent[EVENTS];
    for (int i = 0; i < EVENTS; i++) {
      events[i] =
          new ChangeEvent("topic-a", epoch, i + 1, ChangeOp.UPDATE, "k", "{}", 0, FIXED_FRAME);
    }
    // Other subscriptions of the connection, so that the lookup is not of a one-entry map.
    for (int i = 0; i < 7; i++) {
      byTopic.put("topic-" + i, null);
    }
    restart();
    buffer =
        new ClientBuffer(
            new BufferLimits(
                BufferLimits.DEFAULT_MAX_EVENTS,
                BufferLimits.DEFAULT_MAX_BYTES,
                BufferLimits.DEFAULT_WARN,
                BufferLimits.DEFAULT_DISCONNECT,
                DropPolicy.DROP_OLDEST),
            STOPPED);
    sink =
        new BufferSink() {
          @Override
          public void change(ChangeEvent event) {
            bh.consume(event.frame());
          }

          @Override
          public void dropped(String topic, long from, long to, long count, DropReason reason) {
            bh.consume(count);
          }

          @Override
          public void conflated(String topic, long from, long to, long count) {
            bh.consume(count);
          }
        };
  }

  /** A live subscription at seq 0 of the (empty) topic. */
  private void restart() {
    subscription = new Subscription("topic-a", entry, null);
    subscription.begin(null, false);
    while (subscription.nextCatchUpFrame() != null) {
      // subscribed, snapshot begin, snapshot end: then live
    }
    byTopic.put("topic-a", subscription);
    next = 0;
  }

  private ChangeEvent nextEvent() {
    if (next == EVENTS) {
      restart();
    }
    return events[next++];
  }

  /** What does the gap-free check of one live change cost one subscription? */
  @Benchmark
  public Subscription.Live subscriptionCheck() {
    return subscription.acceptLive(nextEvent());
  }

  /**
   * What does one live change cost one connection before the socket: the topic lookup, the check,
   * the buffer's offer and poll, and the hand-off to the sink?
   */
  @Benchmark
  public boolean lookupCheckOfferPoll() {
    ChangeEvent e = nextEvent();
    Subscription s = byTopic.get(e.topic());
    if (s.acceptLive(e) != Subscription.Live.ACCEPT) {
      return false;
    }
    buffer.offer(e);
    return buffer.poll(sink);
  }
}
