package io.slipstream.loadtest.accounting;

import java.util.BitSet;

/**
 * Accounts for the messages one client of a plain WebSocket server received, for servers with no
 * seqs: every message the tool posts carries a counter {@code n} (0, 1, 2, ...) and this records
 * which were seen, so that missing and doubled messages are exact even when concurrent posts
 * reorder them.
 *
 * <p>Confined to its client's event loop; not thread-safe.
 */
public final class RawAccountant {

  private final BitSet seen = new BitSet();
  private long received;
  private long duplicates;
  private long reordered;
  private long unnumbered;
  private long highest = -1;

  /** A message numbered {@code n}, or {@link io.slipstream.loadtest.wire.FrameScanner#ABSENT}. */
  public void message(long n) {
    if (n < 0 || n > Integer.MAX_VALUE) {
      unnumbered++;
      return;
    }
    int i = (int) n;
    if (seen.get(i)) {
      duplicates++;
      return;
    }
    seen.set(i);
    received++;
    if (n < highest) {
      reordered++;
    } else {
      highest = n;
    }
  }

  /** Distinct numbered messages received. */
  public long received() {
    return received;
  }

  /** Numbers received more than once. */
  public long duplicates() {
    return duplicates;
  }

  /** Messages that arrived after a higher number: not an error when posts run concurrently. */
  public long reordered() {
    return reordered;
  }

  /** Messages without a number (e.g. the server's own greetings). */
  public long unnumbered() {
    return unnumbered;
  }

  /** Of the numbers {@code [first, first + count)}, how many were not received. */
  public long missing(long first, long count) {
    if (count <= 0) {
      return 0;
    }
    int from = (int) first;
    int to = (int) Math.min(Integer.MAX_VALUE, first + count);
    return count - seen.get(from, to).cardinality();
  }
}
