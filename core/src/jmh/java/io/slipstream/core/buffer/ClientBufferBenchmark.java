package io.slipstream.core.buffer;

import io.slipstream.core.message.DropReason;
import io.slipstream.core.time.Clock;
import io.slipstream.core.topic.ChangeEncoder;
import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.ChangeOp;
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
 * The per-event cost of one connection's {@link ClientBuffer}: the work every live change pays once
 * per subscribed connection, on that connection's event loop.
 *
 * <p>Each benchmark thread has its own buffers (the buffer is confined to one event loop). Events
 * are built once, with a 256-byte frame, and offered again and again: the buffer keeps references
 * and never reads the frame, so reuse changes nothing it does. Limits are the defaults (16,600
 * events, 16 MiB), so the event bound is the one that binds.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// A fixed heap: grown from the small ergonomic default around a large live set, G1 made the
// million-row benchmarks alternate between two speeds several times apart.
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class ClientBufferBenchmark {

  private static final int EVENTS = 1024; // a power of two, for the index mask
  private static final byte[] FRAME = new byte[256];
  private static final ChangeEncoder FIXED_FRAME = e -> FRAME;
  private static final Clock STOPPED = () -> 0L;

  /** Topics the connection is subscribed to; events alternate between them. */
  @Param({"1", "8"})
  public int topics;

  private ChangeEvent[] events;
  private int next;
  private BlackholeSink sink;

  private ClientBuffer neverFull;
  private ClientBuffer fullDropOldest;
  private ClientBuffer fullDropNewest;
  private ClientBuffer keptFullDropOldest;

  @Setup(Level.Trial)
  public void setUp(Blackhole bh) {
    events = new ChangeEvent[EVENTS];
    for (int i = 0; i < EVENTS; i++) {
      String topic = "topic-" + (i % topics);
      long seq = i / topics + 1;
      events[i] = new ChangeEvent(topic, "e1", seq, ChangeOp.UPDATE, "k" + i, "{}", 0, FIXED_FRAME);
    }
    sink = new BlackholeSink(bh);

    neverFull = new ClientBuffer(limits(DropPolicy.DROP_OLDEST), STOPPED);
    // A few events already queued, as behind a socket that is momentarily busy.
    for (int i = 0; i < 16; i++) {
      neverFull.offer(nextEvent());
    }
    fullDropOldest = filled(DropPolicy.DROP_OLDEST);
    fullDropNewest = filled(DropPolicy.DROP_NEWEST);
    keptFullDropOldest = filled(DropPolicy.DROP_OLDEST);
  }

  /** What does a live event cost a connection whose socket keeps up (offer, then poll it out)? */
  @Benchmark
  public boolean offerThenPollNeverFull() {
    neverFull.offer(nextEvent());
    return neverFull.poll(sink);
  }

  /**
   * What does a live event cost a stalled connection under drop-oldest (evict the oldest, extend
   * its topic's gap marker at the head)?
   */
  @Benchmark
  public OfferOutcome offerIntoFullDropOldest() {
    return fullDropOldest.offer(nextEvent());
  }

  /** What does a live event cost a stalled connection under drop-newest (extend the tail gap)? */
  @Benchmark
  public OfferOutcome offerIntoFullDropNewest() {
    return fullDropNewest.offer(nextEvent());
  }

  /**
   * What does a live event cost a connection that reads exactly as fast as events arrive but is a
   * full buffer behind (every offer evicts and opens a new gap; every poll delivers that gap)?
   */
  @Benchmark
  public boolean offerThenPollKeptFullDropOldest() {
    keptFullDropOldest.offer(nextEvent());
    return keptFullDropOldest.poll(sink);
  }

  private ChangeEvent nextEvent() {
    ChangeEvent e = events[next];
    next = (next + 1) & (EVENTS - 1);
    return e;
  }

  private ClientBuffer filled(DropPolicy policy) {
    ClientBuffer b = new ClientBuffer(limits(policy), STOPPED);
    for (int i = 0; i < BufferLimits.DEFAULT_MAX_EVENTS; i++) {
      b.offer(nextEvent());
    }
    return b;
  }

  private static BufferLimits limits(DropPolicy policy) {
    return new BufferLimits(
        BufferLimits.DEFAULT_MAX_EVENTS,
        BufferLimits.DEFAULT_MAX_BYTES,
        BufferLimits.DEFAULT_WARN,
        BufferLimits.DEFAULT_DISCONNECT,
        policy);
  }

  /** Consumes whatever the buffer hands out into a {@link Blackhole}, as a write pump would. */
  private static final class BlackholeSink implements BufferSink {
    private final Blackhole bh;

    BlackholeSink(Blackhole bh) {
      this.bh = bh;
    }

    @Override
    public void change(ChangeEvent event) {
      bh.consume(event);
    }

    @Override
    public void conflated(String topic, long from, long to, long count) {
      dropped(topic, from, to, count, null);
    }

    @Override
    public void dropped(String topic, long from, long to, long count, DropReason reason) {
      bh.consume(topic);
      bh.consume(from);
      bh.consume(to);
      bh.consume(count);
    }
  }
}
