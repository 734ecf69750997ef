package io.slipstream.server.chaos;

import io.slipstream.server.testing.SeqAccountant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What one {@link ChaosClient} saw and did, for the test's verdict: its seqs ({@link
 * SeqAccountant}), its exits, resumes and stalls, what broke the contract, and a journal of its
 * last steps for reports.
 *
 * <p>Confined to the client's thread while it runs; the test reads it after the thread ended
 * ({@link Thread#join} orders the two). Bounded: {@link #KEPT} violations in full and {@link
 * #JOURNAL} journal entries.
 */
final class ChaosRecord {

  /** How a connection ends, when the client ends it. */
  enum Exit {
    /** A close frame, reading what comes before the server's close. */
    CLEAN,
    /** A TCP reset, and a new connection at once, racing the server's notice of the reset. */
    ABORT,
    /** A new connection first, the old one reset only after the new one's welcome. */
    TAKEOVER
  }

  /** One stall: what the client saw after it resumed reading, and when the server gave up. */
  record Stall(
      String session, int warnings, boolean dropped, int closeCode, long warnedTs, long slowTs) {}

  /** Violations kept in full. */
  static final int KEPT = 20;

  /** Journal entries kept. */
  static final int JOURNAL = 60;

  final String name;
  final SeqAccountant accountant;
  final List<Stall> stalls = new ArrayList<>();
  final Map<Exit, Integer> exits = new EnumMap<>(Exit.class);
  int connections;
  int resumes;

  /**
   * Stalls that neither ended nor showed a fault: the buffer was below disconnect and the topics
   * had published too little to fill it (a slow machine publishes slowly).
   */
  int inconclusiveStalls;

  /**
   * Stalls asked for after the server had already ended the connection (its close not read yet):
   * nothing to judge, the connection's own end is accounted instead.
   */
  int voidStalls;

  /** Closes 4001 outside a stall: the client fell behind (a loaded machine); it resumes. */
  int slowCloses;

  private final List<String> violations = new ArrayList<>();
  private int violationCount;
  private Throwable crash;
  private final ArrayDeque<String> journal = new ArrayDeque<>();
  private List<String> journalAtFirstViolation;
  private final long bornNanos = System.nanoTime();

  ChaosRecord(String name) {
    this.name = name;
    this.accountant = new SeqAccountant(name);
  }

  /** Counts one exit of kind {@code e}. */
  void exit(Exit e) {
    exits.merge(e, 1, Integer::sum);
  }

  /** Exits of kind {@code e}. */
  int exits(Exit e) {
    return exits.getOrDefault(e, 0);
  }

  /** Adds one step to the journal, dropping the oldest beyond {@link #JOURNAL}. */
  void log(String entry) {
    if (journal.size() == JOURNAL) {
      journal.pollFirst();
    }
    journal.addLast(String.format("%6d ms %s", (System.nanoTime() - bornNanos) / 1_000_000, entry));
  }

  /** Records something that broke the contract. */
  void violation(String what) {
    log("VIOLATION " + what);
    if (journalAtFirstViolation == null) {
      journalAtFirstViolation = new ArrayList<>(journal);
    }
    violationCount++;
    if (violations.size() < KEPT) {
      violations.add(name + ": " + what);
    }
  }

  /** The client's thread ended with {@code t}. */
  void crashed(Throwable t) {
    crash = t;
  }

  /** The journal at the first violation (empty without one). */
  List<String> journal() {
    return journalAtFirstViolation == null ? List.of() : journalAtFirstViolation;
  }

  /** Everything that broke the contract for this client, accountant included. */
  List<String> violations() {
    List<String> out = new ArrayList<>(violations);
    if (violationCount > violations.size()) {
      out.add(name + ": … " + (violationCount - violations.size()) + " more");
    }
    out.addAll(accountant.violations());
    if (crash != null) {
      out.add(name + " crashed: " + crash);
    }
    return out;
  }
}
