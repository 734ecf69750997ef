package io.slipstream.loadtest.accounting;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * Which change version ({@code v}, numbered by the tool when it builds each change) sits at which
 * seq, kept as runs: a run is consecutive seqs whose versions are consecutive too, so a stream of a
 * single publisher is one run however long it is, and each version the server never applied (a
 * publish that failed for good) starts a new one. The publisher keeps the runs it was acknowledged
 * (every 200's {@code firstSeq..lastSeq} with the versions of its body) and every subscriber the
 * runs it applied; {@link DeliveryCheck} compares the two.
 *
 * <p>Confined to one thread (a client's event loop, or the publisher's); {@link #copy} hands a
 * snapshot to another. Bounded: at most {@link #MAX_RUNS} runs; past that it stops recording and
 * says so ({@link #overflowed}), so a pathological stream costs a fixed amount of memory.
 */
public final class VersionRuns {

  /** Most runs kept (three longs each). */
  public static final int MAX_RUNS = 100_000;

  /**
   * A run: seqs {@code seq .. seq + count - 1} carry versions {@code v .. v + count - 1}.
   *
   * @param seq the first seq
   * @param v the version at {@code seq}
   * @param count how many consecutive seqs
   */
  public record Run(long seq, long v, long count) {

    /** The seq after the run. */
    public long endSeq() {
      return seq + count;
    }

    /** The version after the run. */
    public long endV() {
      return v + count;
    }

    /** {@code v - seq}: equal for two runs that agree wherever they overlap. */
    long offset() {
      return v - seq;
    }
  }

  private final List<Run> runs = new ArrayList<>();
  private long from = -1;
  private long total;
  private boolean overflowed;
  private Run open;

  /**
   * Notes the seq after which this stream starts (a subscriber's first {@code subscribed}), once;
   * later calls are ignored. Seqs up to it are covered by the snapshot, not by changes.
   */
  public void startAfter(long seq) {
    if (from < 0) {
      from = seq;
    }
  }

  /** The seq after which the stream starts, or -1 when {@link #startAfter} was never called. */
  public long from() {
    return from;
  }

  /** Records that {@code seq} carried version {@code v}. */
  public void add(long seq, long v) {
    add(seq, v, 1);
  }

  /** Records that {@code count} seqs from {@code seq} carried versions from {@code v}. */
  public void add(long seq, long v, long count) {
    if (count <= 0 || overflowed) {
      return;
    }
    total += count;
    if (open != null && open.endSeq() == seq && open.endV() == v) {
      open = new Run(open.seq(), open.v(), open.count() + count);
      runs.set(runs.size() - 1, open);
      return;
    }
    if (runs.size() >= MAX_RUNS) {
      overflowed = true;
      return;
    }
    open = new Run(seq, v, count);
    runs.add(open);
  }

  /** The runs in the order they were recorded (unmodifiable). */
  public List<Run> runs() {
    return Collections.unmodifiableList(runs);
  }

  /** The runs sorted by seq (a copy). */
  List<Run> bySeq() {
    List<Run> out = new ArrayList<>(runs);
    out.sort(Comparator.comparingLong(Run::seq));
    return out;
  }

  /** Seqs recorded. */
  public long total() {
    return total;
  }

  /** Whether more than {@link #MAX_RUNS} runs came and recording stopped. */
  public boolean overflowed() {
    return overflowed;
  }

  /** A copy, to hand to another thread. */
  public VersionRuns copy() {
    VersionRuns c = new VersionRuns();
    c.runs.addAll(runs);
    c.from = from;
    c.total = total;
    c.overflowed = overflowed;
    c.open = open;
    return c;
  }
}
