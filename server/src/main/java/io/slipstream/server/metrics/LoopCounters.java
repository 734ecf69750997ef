package io.slipstream.server.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.ToLongFunction;

/**
 * The counters every write-pump turn and flush adds to (messages and changes written, /ws bytes),
 * kept per thread instead of in Micrometer's shared adders: a turn per connection is the hot path
 * (100,000 turns a second at 1,000 subscribers × 100 changes/s), and a plain load and a release
 * store per counter cost a fraction of a {@code DoubleAdder} CAS. Prometheus reads the sum of all
 * threads' figures when it scrapes ({@link Metrics} registers function counters over them).
 *
 * <p>Thread-safe: each {@link Tally} has one writer (its thread) and any number of readers, who
 * see every value a release store published. Bounded: one tally per thread that ever counted,
 * i.e. the event loops (and the odd worker in a test); a thread's figures stay after it ends, as a
 * counter's must.
 */
final class LoopCounters {

  /** One thread's counters; written only by that thread. */
  static final class Tally {
    private static final VarHandle MESSAGES;
    private static final VarHandle CHANGES;
    private static final VarHandle WS_BYTES;

    static {
      try {
        MethodHandles.Lookup l = MethodHandles.lookup();
        MESSAGES = l.findVarHandle(Tally.class, "messages", long.class);
        CHANGES = l.findVarHandle(Tally.class, "changes", long.class);
        WS_BYTES = l.findVarHandle(Tally.class, "wsBytes", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private volatile long messages;
    private volatile long changes;
    private volatile long wsBytes;

    void sent(long messages, long changes) {
      // Single writer: a plain read of its own field and a release store, no read-modify-write.
      MESSAGES.setRelease(this, (long) MESSAGES.get(this) + messages);
      CHANGES.setRelease(this, (long) CHANGES.get(this) + changes);
    }

    void wsBytes(long bytes) {
      WS_BYTES.setRelease(this, (long) WS_BYTES.get(this) + bytes);
    }
  }

  private final ThreadParts<Tally> tallies = new ThreadParts<>(Tally::new);

  /** The calling thread's tally. */
  Tally mine() {
    return tallies.mine();
  }

  long messages() {
    return sum(t -> t.messages);
  }

  long changes() {
    return sum(t -> t.changes);
  }

  long wsBytes() {
    return sum(t -> t.wsBytes);
  }

  private long sum(ToLongFunction<Tally> f) {
    long s = 0;
    for (Tally t : tallies.all()) {
      s += f.applyAsLong(t);
    }
    return s;
  }
}
