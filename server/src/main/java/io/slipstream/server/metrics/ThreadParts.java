package io.slipstream.server.metrics;

import io.netty.util.concurrent.FastThreadLocal;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * One part per thread that records, for the meters the hot path writes ({@link LoopCounters},
 * {@link LoopHistogram}): each thread writes only its own part, a scrape reads them all.
 *
 * <p>Thread-safe. Bounded: one part per thread that ever asked (the event loops, the odd worker
 * in a test); a thread's part stays after it ends, as the counts it holds must.
 */
final class ThreadParts<T> {

  private final List<T> all = new CopyOnWriteArrayList<>();
  private final FastThreadLocal<T> mine;

  /** Parts made by {@code make}, once per thread, on that thread's first {@link #mine}. */
  ThreadParts(Supplier<T> make) {
    this.mine =
        new FastThreadLocal<>() {
          @Override
          protected T initialValue() {
            T part = make.get();
            all.add(part);
            return part;
          }
        };
  }

  /** The calling thread's part. */
  T mine() {
    return mine.get();
  }

  /** Every thread's part, for a scrape; a snapshot to iterate. */
  List<T> all() {
    return all;
  }
}
