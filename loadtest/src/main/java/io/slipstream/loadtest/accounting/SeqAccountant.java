package io.slipstream.loadtest.accounting;

/**
 * Checks one client's stream of one topic against the order guarantee (docs/protocol.md §5) and
 * counts every seq: received, dropped by the server (named by {@code dropped}), conflated, lost (a
 * gap no message names) and doubled (a seq at or below the last one applied).
 *
 * <p>Confined to its client's event loop; not thread-safe. It survives reconnects, so a resumed
 * stream is checked against what the previous connection applied: a resume that skips changes shows
 * up as a gap, one that repeats them as duplicates.
 *
 * <p>Rules. After {@code subscribed{seq}} the next change must be {@code seq + 1}; every change
 * moves {@code last} to its seq. Snapshot rows ({@code change} with {@code snapshot: true}) carry
 * the snapshot's seq and are state, not deliveries. {@code dropped{from,to}} must start at {@code
 * last + 1} and moves {@code last} to {@code to}. {@code conflated{count}} allows that many seqs to
 * be missing. {@code reset} forgets the position: the snapshot that follows restarts it.
 */
public final class SeqAccountant {

  /** What a live change did to the stream. */
  public enum Outcome {
    /** The change was {@code last + 1}. */
    IN_ORDER,
    /** The change skipped seqs that no {@code dropped} or {@code conflated} named. */
    GAP,
    /** The change was at or below {@code last}. */
    DUPLICATE
  }

  /** Where in its subscription the stream is. */
  public enum Phase {
    /** No {@code subscribed} yet. */
    UNSUBSCRIBED,
    /** Subscribed; the snapshot has begun but not ended. */
    SNAPSHOT,
    /** Receiving changes after the snapshot or replay position. */
    LIVE,
    /** A {@code reset} arrived; waiting for the new snapshot. */
    RESET
  }

  /** Unknown position. */
  public static final long NONE = -1;

  private final String topic;
  private Phase phase = Phase.UNSUBSCRIBED;
  private String epoch;
  private long last = NONE;
  private long snapshotSeq = NONE;

  private long received;
  private long snapshotRows;
  private long droppedByServer;
  private long conflated;
  private long gaps;
  private long duplicates;
  private long outOfOrder;
  private long protocolErrors;
  private long resets;
  private long snapshots;
  private long replays;
  private long epochChanges;

  /** Seqs missing from gaps that a later {@code conflated} may still explain. */
  private long unexplained;

  /** Seqs a {@code conflated} announced that no gap has used yet. */
  private long conflateCredit;

  /** A new accountant for {@code topic}. */
  public SeqAccountant(String topic) {
    this.topic = topic;
  }

  /**
   * {@code subscribed}: the stream continues after {@code seq} of {@code epoch}.
   *
   * @param replay whether {@code mode} is {@code replay}: the server claims to continue exactly
   *     from the client's position, so a {@code seq} past {@code last} is a loss and one before it
   *     will show up as duplicates
   */
  public void subscribed(String epoch, long seq, boolean replay) {
    boolean sameHistory = this.epoch != null && this.epoch.equals(epoch) && last != NONE;
    if (this.epoch != null && !this.epoch.equals(epoch)) {
      epochChanges++;
    }
    this.epoch = epoch;
    if (replay) {
      replays++;
      if (sameHistory) {
        if (seq > last) {
          addGap(seq - last);
          last = seq;
        }
        // seq < last: keep last, so re-sent changes count as duplicates.
      } else {
        last = seq;
      }
      phase = Phase.LIVE;
    } else {
      // A snapshot replaces the state: whatever came before is superseded, not lost.
      last = seq;
      snapshotSeq = seq;
      phase = Phase.SNAPSHOT;
    }
  }

  /** {@code snapshot{phase: begin}} at {@code seq} (also what follows a {@code reset}). */
  public void snapshotBegin(String epoch, long seq) {
    if (epoch != null) {
      if (this.epoch != null && !this.epoch.equals(epoch)) {
        epochChanges++;
      }
      this.epoch = epoch;
    }
    snapshots++;
    last = seq;
    snapshotSeq = seq;
    phase = Phase.SNAPSHOT;
  }

  /** {@code snapshot{phase: end}}. */
  public void snapshotEnd(long seq) {
    if (phase != Phase.SNAPSHOT || seq != snapshotSeq) {
      protocolErrors++;
    }
    phase = Phase.LIVE;
  }

  /** A snapshot row at {@code seq}; it must carry the snapshot's seq inside the brackets. */
  public void snapshotRow(long seq) {
    snapshotRows++;
    if (phase != Phase.SNAPSHOT || seq != snapshotSeq) {
      protocolErrors++;
    }
  }

  /** A live (or replayed) change at {@code seq}. */
  public Outcome change(long seq) {
    if (last == NONE) {
      // A change before any position (e.g. after a reset without a snapshot): adopt it.
      received++;
      last = seq;
      return Outcome.IN_ORDER;
    }
    if (seq == last + 1) {
      received++;
      last = seq;
      return Outcome.IN_ORDER;
    }
    if (seq <= last) {
      duplicates++;
      if (seq < last) {
        outOfOrder++;
      }
      return Outcome.DUPLICATE;
    }
    received++;
    boolean explained = addGap(seq - last - 1);
    last = seq;
    return explained ? Outcome.IN_ORDER : Outcome.GAP;
  }

  /** {@code dropped{from, to, count}}: those seqs were dropped by the server's buffer. */
  public void dropped(long from, long to, long count) {
    if (to < from || count != to - from + 1) {
      protocolErrors++;
    }
    if (last != NONE) {
      if (from > last + 1) {
        addGap(from - last - 1);
      } else if (from <= last) {
        duplicates += Math.min(to, last) - from + 1;
      }
    }
    droppedByServer += Math.max(0, to - from + 1);
    last = last == NONE ? to : Math.max(last, to);
  }

  /** {@code conflated{count}}: that many intermediate updates were replaced, so may be missing. */
  public void conflated(long count) {
    conflated += count;
    long use = Math.min(count, unexplained);
    unexplained -= use;
    gaps -= use;
    conflateCredit += count - use;
  }

  /** {@code reset}: history was discontinuous; a new snapshot follows. */
  public void reset() {
    resets++;
    phase = Phase.RESET;
    last = NONE;
  }

  /** Counts a gap of {@code n} seqs; returns whether conflation credit explained all of it. */
  private boolean addGap(long n) {
    long use = Math.min(n, conflateCredit);
    conflateCredit -= use;
    long rest = n - use;
    gaps += rest;
    unexplained += rest;
    return rest == 0;
  }

  /** The topic. */
  public String topic() {
    return topic;
  }

  /** Where the subscription is. */
  public Phase phase() {
    return phase;
  }

  /** The epoch of the current history, or null before {@code subscribed}. */
  public String epoch() {
    return epoch;
  }

  /** The last seq applied (or accounted for by {@code dropped}), or {@link #NONE}. */
  public long last() {
    return last;
  }

  /** Live and replayed changes applied. */
  public long received() {
    return received;
  }

  /** Snapshot rows received. */
  public long snapshotRows() {
    return snapshotRows;
  }

  /** Seqs the server named in {@code dropped}. */
  public long droppedByServer() {
    return droppedByServer;
  }

  /** Updates the server named in {@code conflated}. */
  public long conflated() {
    return conflated;
  }

  /** Seqs missing without a {@code dropped}/{@code conflated} naming them: violations. */
  public long gaps() {
    return gaps;
  }

  /** Changes at or below the last seq: violations. */
  public long duplicates() {
    return duplicates;
  }

  /**
   * Of the {@link #duplicates}, changes below the last seq applied (not a repeat of the last one):
   * the stream went back, as a reordering would make it.
   */
  public long outOfOrder() {
    return outOfOrder;
  }

  /**
   * Other violations: a snapshot row outside its brackets or of the wrong seq, a bad drop range.
   */
  public long protocolErrors() {
    return protocolErrors;
  }

  /** {@code reset} messages. */
  public long resets() {
    return resets;
  }

  /** Snapshots begun (including the one after each {@code reset}). */
  public long snapshots() {
    return snapshots;
  }

  /** Subscriptions that continued by replay. */
  public long replays() {
    return replays;
  }

  /** Times the epoch changed. */
  public long epochChanges() {
    return epochChanges;
  }
}
