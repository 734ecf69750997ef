package io.slipstream.core.buffer;

import io.slipstream.core.message.DropReason;
import io.slipstream.core.time.Clock;
import io.slipstream.core.topic.ChangeEncoder;
import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.ChangeOp;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The per-event cost of the policies that drop from anywhere in the stream ({@code conflate},
 * {@code by-age}, {@code priority}, {@code sample}): what a live change costs a connection whose
 * socket keeps up, and one whose buffer is full.
 *
 * <p>Unlike {@link ClientBufferBenchmark}, each operation builds its event (a few dozen bytes, the
 * 256-byte frame shared), because these queues read the seqs: they must increase per topic, which a
 * reused ring of events cannot give. {@link #makeEventOnly} is that cost alone, to subtract. Keys
 * cycle through 100 per topic, so {@code conflate} compacts; limits are the defaults (16,600
 * events, 16 MiB); the clock stands still, so {@code by-age} ages nothing and measures its checks.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class DropPolicyBenchmark {

  private static final byte[] FRAME = new byte[256];
  private static final ChangeEncoder FIXED_FRAME = e -> FRAME;
  private static final Clock STOPPED = () -> 0L;
  private static final String[] KEYS = new String[100];

  static {
    for (int i = 0; i < KEYS.length; i++) {
      KEYS[i] = "k" + i;
    }
  }

  @Param({"conflate", "by-age", "priority", "sample"})
  public String policy;

  /** Topics the connection is subscribed to; events alternate between them. */
  @Param({"1", "8"})
  public int topics;

  private String[] topicNames;
  private long[] seqs;
  private int next;
  private Sink sink;
  private ClientBuffer neverFull;
  private ClientBuffer full;

  @Setup(Level.Iteration)
  public void setUp(Blackhole bh) {
    topicNames = new String[topics];
    seqs = new long[topics];
    for (int t = 0; t < topics; t++) {
      topicNames[t] = "topic-" + t;
    }
    sink = new Sink(bh);
    DropPolicy p = DropPolicy.fromWireName(policy).orElseThrow();
    neverFull = new ClientBuffer(limits(p), STOPPED);
    for (int i = 0; i < 16; i++) {
      neverFull.offer(nextEvent());
    }
    full = new ClientBuffer(limits(p), STOPPED);
    while (full.offer(nextEvent()) == OfferOutcome.ACCEPTED && full.fill() < 1.0) {
      // fill it
    }
  }

  /** Baseline: building the event alone. */
  @Benchmark
  public ChangeEvent makeEventOnly() {
    return nextEvent();
  }

  /** What does a live event cost a connection whose socket keeps up (offer, then poll it out)? */
  @Benchmark
  public boolean offerThenPollNeverFull() {
    neverFull.offer(nextEvent());
    return neverFull.poll(sink);
  }

  /** What does a live event cost a stalled connection (its policy makes room every time)? */
  @Benchmark
  public OfferOutcome offerIntoFull() {
    return full.offer(nextEvent());
  }

  private ChangeEvent nextEvent() {
    int t = next++ % topics;
    long seq = ++seqs[t];
    return new ChangeEvent(
        topicNames[t],
        "e1",
        seq,
        ChangeOp.UPDATE,
        KEYS[(int) (seq % KEYS.length)],
        "{}",
        0,
        FIXED_FRAME);
  }

  private static BufferLimits limits(DropPolicy policy) {
    return new BufferLimits(
        BufferLimits.DEFAULT_MAX_EVENTS,
        BufferLimits.DEFAULT_MAX_BYTES,
        BufferLimits.DEFAULT_WARN,
        BufferLimits.DEFAULT_DISCONNECT,
        policy,
        BufferLimits.DEFAULT_MAX_AGE_MS,
        TopicPriorities.of(Map.of("topic-0", 1)));
  }

  /** Consumes whatever the buffer hands out into a {@link Blackhole}, as a write pump would. */
  private static final class Sink implements BufferSink {
    private final Blackhole bh;

    Sink(Blackhole bh) {
      this.bh = bh;
    }

    @Override
    public void change(ChangeEvent event) {
      bh.consume(event);
    }

    @Override
    public void dropped(String topic, long from, long to, long count, DropReason reason) {
      bh.consume(from + to + count);
    }

    @Override
    public void conflated(String topic, long from, long to, long count) {
      bh.consume(from + to + count);
    }
  }
}
