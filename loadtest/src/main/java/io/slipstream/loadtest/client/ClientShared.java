package io.slipstream.loadtest.client;

import io.slipstream.loadtest.accounting.PhaseMaxima;
import io.slipstream.loadtest.accounting.Tally;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Recorder;

/**
 * What all clients of a run share with the harness: the run-wide {@link Tally}, the time-to-live
 * recorder, the switches the harness flips between phases, and the first few errors the server
 * sent.
 *
 * <p>Thread-safe: written by every client event loop and read by the harness and the sampler.
 */
public final class ClientShared {

  /** Largest latency the histograms track: one hour, in microseconds. */
  public static final long HIGHEST_MICROS = 3_600_000_000L;

  /** {@code micros} within what the histograms hold: 0 to {@link #HIGHEST_MICROS}. */
  public static long clamp(long micros) {
    return Math.max(0, Math.min(micros, HIGHEST_MICROS));
  }

  private static final int MAX_LOGGED = 20;

  private final Tally tally = new Tally();
  private final PhaseMaxima stalls = new PhaseMaxima();
  private final Recorder timeToLive = new Recorder(1, HIGHEST_MICROS, 3);
  private final Recorder backToChange = new Recorder(1, HIGHEST_MICROS, 3);
  private final Recorder backToWelcome = new Recorder(1, HIGHEST_MICROS, 3);
  /** The storm in force: every client drops at {@code stormDropAt}, back at {@code stormBackAt}. */
  private volatile long stormDropAt;
  private volatile long stormBackAt;
  private final List<String> serverErrors = new ArrayList<>();
  private volatile int slowReceiveBuffer;

  private final java.util.concurrent.atomic.AtomicInteger traceBudget =
      new java.util.concurrent.atomic.AtomicInteger();
  private volatile boolean churning;
  private volatile Churn churn = Churn.cleanOnly(1000);

  /** The run-wide counters. */
  public Tally tally() {
    return tally;
  }

  /**
   * The longest time, in nanoseconds, one client went between two changes, per phase of the run;
   * recorded only while the scenario has a phase open (while it publishes).
   */
  public PhaseMaxima stalls() {
    return stalls;
  }

  /** Time from sending {@code subscribe} to the first live moment, in microseconds. */
  public Recorder timeToLive() {
    return timeToLive;
  }

  /**
   * Time from a client starting to reconnect after a {@link #storm} to the first change it
   * received on the new socket (the first replayed one when it resumed), in microseconds.
   */
  public Recorder backToChange() {
    return backToChange;
  }

  /** Like {@link #backToChange}, to the {@code welcome} on the new socket. */
  public Recorder backToWelcome() {
    return backToWelcome;
  }

  /**
   * A resume storm: every connected client closes its socket cleanly (after acking) at its first
   * tick at or after {@code dropAtNanos} and reconnects at {@code backAtNanos} ({@link
   * System#nanoTime()}), all at once, with no jitter.
   */
  public void storm(long dropAtNanos, long backAtNanos) {
    stormBackAt = backAtNanos;
    stormDropAt = dropAtNanos;
  }

  /** When the latest storm drops its clients ({@link System#nanoTime()}), or 0 for none. */
  long stormDropAt() {
    return stormDropAt;
  }

  /** When the latest storm's clients come back ({@link System#nanoTime()}). */
  long stormBackAt() {
    return stormBackAt;
  }

  /** Whether clients drop their connections at random now, cleanly, about every {@code meanMs}. */
  public void churn(boolean on, long meanMs) {
    churn(on, Churn.cleanOnly(meanMs));
  }

  /** Whether clients drop their connections at random now, and how. */
  public void churn(boolean on, Churn how) {
    this.churn = how;
    this.churning = on;
  }

  /** Whether clients drop their connections at random now. */
  public boolean churning() {
    return churning;
  }

  /** How clients drop their connections while {@link #churning()}. */
  public Churn churnPlan() {
    return churn;
  }

  /** Prints the next {@code frames} frames the first client sends or receives on stderr. */
  /**
   * Gives the sockets of slow subscribers connected from now on a receive buffer of {@code bytes}
   * (SO_RCVBUF, which also stops the kernel's autotuning); 0 leaves the OS default, which on Linux
   * grows to {@code net.ipv4.tcp_rmem}'s max (often 6-32 MiB) and so hides a stalled reader from
   * the server for that long.
   */
  public void slowReceiveBuffer(int bytes) {
    slowReceiveBuffer = bytes;
  }

  /** The receive buffer of slow subscribers' sockets, or 0 for the OS default. */
  int slowReceiveBuffer() {
    return slowReceiveBuffer;
  }

  public void trace(int frames) {
    traceBudget.set(frames);
  }

  /** Prints {@code line} on stderr while the trace budget lasts. */
  void trace(String line) {
    if (traceBudget.getAndDecrement() > 0) {
      System.err.println(line.length() > 500 ? line.substring(0, 500) + "…" : line);
    }
  }

  /** Whether frames are still being traced. */
  boolean tracing() {
    return traceBudget.get() > 0;
  }

  /** Keeps {@code message} when fewer than 20 were kept. */
  public void logError(String message) {
    synchronized (serverErrors) {
      if (serverErrors.size() < MAX_LOGGED) {
        serverErrors.add(message);
      }
    }
  }

  /** The errors kept by {@link #logError}. */
  public List<String> errors() {
    synchronized (serverErrors) {
      return List.copyOf(serverErrors);
    }
  }
}
