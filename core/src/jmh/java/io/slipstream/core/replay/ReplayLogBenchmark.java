package io.slipstream.core.replay;

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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The cost of a topic's {@link ReplayLog}: the writer's append per change, and a catching-up
 * subscriber's sequential read, both at the default size of 100,000 events.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// A fixed heap: grown from the small ergonomic default around a large live set, G1 made the
// million-row benchmarks alternate between two speeds several times apart.
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class ReplayLogBenchmark {

  private static final int CAPACITY = ReplayLog.DEFAULT_CAPACITY;
  private static final int READ = 1_000;
  private static final byte[] FRAME = new byte[256];

  /**
   * Stands for every appended event: the log reads only {@code seq()}, so one object whose seq
   * moves on keeps event allocation (measured in TopicBenchmark) out of the append's cost.
   */
  private final MovingSeq appended = new MovingSeq();
  private ReplayLog<MovingSeq> appendLog;

  private ReplayLog<ChangeEvent> fullLog;
  private long readFrom;

  @Setup(Level.Trial)
  public void setUp() {
    appendLog = new ReplayLog<>(CAPACITY);
    fullLog = new ReplayLog<>(CAPACITY);
    // One and a half turns of the ring, so reads see a log that has wrapped.
    long last = CAPACITY + CAPACITY / 2;
    for (long seq = 1; seq <= last; seq++) {
      fullLog.append(
          new ChangeEvent("orders", "e1", seq, ChangeOp.UPDATE, "k" + seq, "{}", 0, e -> FRAME));
    }
    readFrom = fullLog.firstSeq();
  }

  /** What does the topic's writer pay to keep one change for replay? */
  @Benchmark
  public long append() {
    appended.seq++;
    appendLog.append(appended);
    return appendLog.lastSeq();
  }

  /**
   * What does a subscriber pay to read 1,000 consecutive changes during catch-up? Successive
   * reads sweep the whole window, so they are not served from one warm corner of the ring.
   */
  @Benchmark
  public void readThousandInOrder(Blackhole bh) {
    long from = readFrom;
    for (long seq = from; seq < from + READ; seq++) {
      bh.consume(fullLog.get(seq));
    }
    long next = from + READ;
    readFrom = next + READ - 1 > fullLog.lastSeq() ? fullLog.firstSeq() : next;
  }

  /** A mutable {@link Sequenced}, for the append benchmark only. */
  static final class MovingSeq implements Sequenced {
    long seq;

    @Override
    public long seq() {
      return seq;
    }
  }
}
