package io.slipstream.core.topic;

import io.slipstream.core.replay.ReplayLog;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The sequencer's cost per change: {@link Topic#apply} (seq, event, persistent {@link RowMap}
 * update, replay log append, view publication), and the row map alone at a million rows.
 *
 * <p>The encoder returns a fixed frame, so serialization (measured by the server's
 * ChangeFramesBenchmark) is left out. Scores of the batch benchmark are per change.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// A fixed heap: grown from the small ergonomic default around a large live set, G1 made the
// million-row benchmarks alternate between two speeds several times apart.
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class TopicBenchmark {

  private static final int TOPIC_KEYS = 10_000;
  private static final int MAP_ROWS = 1_000_000;
  /**
   * Pre-built publishes, powers of two for the index mask. Both benchmarks cycle through about
   * 30,000 random keys, so neither runs on a few cache-warm paths of the trie.
   */
  private static final int SINGLES = 1 << 15;
  private static final int HUNDREDS = 1 << 8;
  private static final byte[] FRAME = new byte[256];
  private static final ChangeEncoder FIXED_FRAME = e -> FRAME;
  /** A 256-character row: the topic stores the text, so only its reference matters here. */
  private static final String ROW = "{\"v\":\"" + "x".repeat(248) + "\"}";

  /** What does the sequencer pay for a publish of one change (an UPDATE of one of 10k rows)? */
  @Benchmark
  public List<ChangeEvent> applyOneChange(TenThousandRowTopic t) {
    return t.topic.apply(t.nextSingle(), 1);
  }

  /** What does each change cost when a publish carries 100 of them (UPDATEs of 10k rows)? */
  @Benchmark
  @OperationsPerInvocation(100)
  public List<ChangeEvent> applyHundredChangesPerChange(TenThousandRowTopic t) {
    return t.topic.apply(t.nextHundred(), 1);
  }

  /** What does reading one row of a million cost (a snapshot reader's lookup)? */
  @Benchmark
  public Row rowMapGetAtMillionRows(MillionRows m) {
    return m.rows.get(m.nextKey());
  }

  /** What does a new version of a million-row map cost, for an update of an existing row? */
  @Benchmark
  public RowMap rowMapPutAtMillionRows(MillionRows m) {
    return m.rows.put(m.nextKey(), m.newRow);
  }

  /** A topic preloaded with 10,000 rows, and batches of UPDATEs of random rows to apply. */
  @State(Scope.Thread)
  public static class TenThousandRowTopic {
    Topic topic;
    private List<List<ChangeRequest>> singles;
    private List<List<ChangeRequest>> hundreds;
    private int nextSingle;
    private int nextHundred;

    @Setup(Level.Trial)
    public void setUp() {
      SplittableRandom random = new SplittableRandom(42);
      topic = new Topic("orders", ReplayLog.DEFAULT_CAPACITY, FIXED_FRAME);
      List<ChangeRequest> preload = new ArrayList<>(TOPIC_KEYS);
      for (int i = 0; i < TOPIC_KEYS; i++) {
        preload.add(new ChangeRequest(ChangeOp.INSERT, "order-" + i, ROW));
      }
      topic.apply(preload, 0);
      singles = batches(random, SINGLES, 1);
      hundreds = batches(random, HUNDREDS, 100);
    }

    List<ChangeRequest> nextSingle() {
      List<ChangeRequest> b = singles.get(nextSingle);
      nextSingle = (nextSingle + 1) & (SINGLES - 1);
      return b;
    }

    List<ChangeRequest> nextHundred() {
      List<ChangeRequest> b = hundreds.get(nextHundred);
      nextHundred = (nextHundred + 1) & (HUNDREDS - 1);
      return b;
    }
  }

  /** A row map of a million rows, and random keys of it to look up or replace. */
  @State(Scope.Thread)
  public static class MillionRows {
    RowMap rows;
    Row newRow;
    private String[] keys;
    private int nextKey;

    @Setup(Level.Trial)
    public void setUp() {
      SplittableRandom random = new SplittableRandom(42);
      RowMap map = RowMap.EMPTY;
      Row row = new Row(ROW, 0);
      for (int i = 0; i < MAP_ROWS; i++) {
        map = map.put("row-" + i, row);
      }
      rows = map;
      keys = new String[1 << 16];
      for (int i = 0; i < keys.length; i++) {
        keys[i] = "row-" + random.nextInt(MAP_ROWS);
      }
      newRow = new Row(ROW, 1);
    }

    String nextKey() {
      String k = keys[nextKey];
      nextKey = (nextKey + 1) & (keys.length - 1);
      return k;
    }
  }

  private static List<List<ChangeRequest>> batches(
      SplittableRandom random, int count, int size) {
    List<List<ChangeRequest>> all = new ArrayList<>(count);
    for (int b = 0; b < count; b++) {
      List<ChangeRequest> batch = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        batch.add(
            new ChangeRequest(ChangeOp.UPDATE, "order-" + random.nextInt(TOPIC_KEYS), ROW));
      }
      all.add(List.copyOf(batch));
    }
    return all;
  }
}
