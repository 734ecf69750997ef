package io.slipstream.loadtest.scenario;

import io.slipstream.loadtest.accounting.PhaseMaxima;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The longest stalls of a run, by phase: the longest time no subscriber at all received a change
 * (watched here, every few milliseconds), the longest time one subscriber went without (kept by the
 * clients) and the longest publish, first request to its 200 (kept by the publisher). The scenario
 * names each phase as it enters it ({@code steady}, {@code after kill -9}, …); a stall counts
 * towards the phase in which it ends.
 *
 * <p>The watcher is a daemon thread; {@link #phase} and {@link #close} are called from the
 * scenario's thread. Bounded: at most {@link PhaseMaxima#MAX_PHASES} phases.
 */
final class Stalls implements AutoCloseable {

  /** How often the watcher reads the deliveries: the resolution of the all-subscribers stall. */
  private static final long WATCH_MS = 5;

  private final PhaseMaxima all = new PhaseMaxima();
  private final PhaseMaxima one;
  private final PhaseMaxima publishes;
  private final LongAdder delivered;
  private final List<String> names = new ArrayList<>();
  private final Thread watcher;
  private volatile boolean running = true;

  /**
   * @param one the clients' per-subscriber stalls, nanoseconds
   * @param publishes the publisher's publish latency, microseconds
   * @param delivered the run's deliveries
   */
  Stalls(PhaseMaxima one, PhaseMaxima publishes, LongAdder delivered) {
    this.one = one;
    this.publishes = publishes;
    this.delivered = delivered;
    this.watcher = new Thread(this::watch, "loadtest-stalls");
    this.watcher.setDaemon(true);
  }

  /** Enters the next phase, {@code name}; the first call starts watching. */
  synchronized void phase(String name) {
    if (names.size() >= PhaseMaxima.MAX_PHASES) {
      throw new IllegalStateException("more than " + PhaseMaxima.MAX_PHASES + " phases");
    }
    names.add(name);
    int index = names.size() - 1;
    all.phase(index);
    one.phase(index);
    publishes.phase(index);
    if (index == 0) {
      watcher.start();
    }
  }

  /** The phases entered so far, in order. */
  synchronized List<String> names() {
    return List.copyOf(names);
  }

  /** The longest time no subscriber received a change, in ms, in phase {@code i}. */
  double allMs(int i) {
    return all.max(i) / 1e6;
  }

  /** The longest time one subscriber went without a change, in ms, in phase {@code i}. */
  double oneMs(int i) {
    return one.max(i) / 1e6;
  }

  /** The longest publish, first request to 200, in ms, in phase {@code i}. */
  double publishMs(int i) {
    return publishes.max(i) / 1e3;
  }

  private void watch() {
    long seen = delivered.sum();
    long since = System.nanoTime();
    while (running) {
      Harness.sleep(WATCH_MS);
      long now = System.nanoTime();
      long d = delivered.sum();
      if (d != seen) {
        all.record(now - since);
        seen = d;
        since = now;
      } else if (!running) {
        all.record(now - since); // a stall still going on when the run stops
      }
    }
  }

  /** Stops recording every measure and the watcher. */
  @Override
  public void close() {
    running = false;
    try {
      watcher.join(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    all.close();
    one.close();
    publishes.close();
  }
}
