package io.slipstream.loadtest.accounting;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Checks a subscriber's stream against what the publisher was acknowledged: every publish answered
 * 200 must be at the subscriber exactly once, at the seq the answer named, carrying the version the
 * publisher sent (docs/protocol.md §9, guarantees 9 and 10). Works on {@link VersionRuns}, so the
 * cost is in runs, not in changes.
 *
 * <p>Stateless.
 */
public final class DeliveryCheck {

  private DeliveryCheck() {}

  /**
   * What one subscriber's stream held of the acknowledged publishes after its start.
   *
   * @param expected acknowledged seqs after the subscriber's start (its first {@code subscribed})
   * @param delivered of those, applied at their seq with the acknowledged version
   * @param missing of those, never applied
   * @param wrongVersion of those, applied with another version: another change sits at that seq
   * @param unacknowledged seqs the subscriber applied that no 200 named (a publish whose answer
   *     was lost, or that failed for good after being applied): allowed, counted
   * @param versionsTwice versions the subscriber applied at more than one seq: a publish applied
   *     twice (guarantee 10)
   * @param first the first problem found, or null
   */
  public record Result(
      long expected,
      long delivered,
      long missing,
      long wrongVersion,
      long unacknowledged,
      long versionsTwice,
      String first) {

    /** Whether every acknowledged publish was there once, at its seq, and nothing twice. */
    public boolean exact() {
      return missing == 0 && wrongVersion == 0 && versionsTwice == 0 && delivered == expected;
    }
  }

  /**
   * Compares {@code received} (one subscriber) with {@code acked} (the publisher), counting only
   * acknowledged seqs after {@code received.from()} (0 when it never subscribed).
   */
  public static Result check(VersionRuns acked, VersionRuns received) {
    long from = Math.max(0, received.from());
    List<VersionRuns.Run> a = acked.bySeq();
    List<VersionRuns.Run> c = received.bySeq();
    long expected = 0;
    for (VersionRuns.Run run : a) {
      expected += Math.max(0, run.endSeq() - Math.max(run.seq(), from + 1));
    }
    long matched = 0;
    long wrong = 0;
    String first = null;
    int i = 0;
    int j = 0;
    while (i < a.size() && j < c.size()) {
      VersionRuns.Run x = a.get(i);
      VersionRuns.Run y = c.get(j);
      long lo = Math.max(Math.max(x.seq(), y.seq()), from + 1);
      long hi = Math.min(x.endSeq(), y.endSeq());
      if (hi > lo) {
        if (x.offset() == y.offset()) {
          matched += hi - lo;
        } else {
          wrong += hi - lo;
          if (first == null) {
            first =
                "seq "
                    + lo
                    + ": acknowledged v="
                    + (x.v() + lo - x.seq())
                    + ", received v="
                    + (y.v() + lo - y.seq());
          }
        }
      }
      if (x.endSeq() <= y.endSeq()) {
        i++;
      } else {
        j++;
      }
    }
    long missing = expected - matched - wrong;
    if (missing > 0 && first == null) {
      first = firstMissing(a, c, from);
    }
    long twice = overlapping(c, Comparator.comparingLong(VersionRuns.Run::v), true);
    if (twice > 0 && first == null) {
      first = twice + " versions applied at two seqs";
    }
    long unacknowledged = received.total() - matched - wrong;
    return new Result(expected, matched, missing, wrong, unacknowledged, twice, first);
  }

  /** Seqs that two acknowledged runs both claim: the server gave one seq to two publishes. */
  public static long seqsAckedTwice(VersionRuns acked) {
    return overlapping(acked.runs(), Comparator.comparingLong(VersionRuns.Run::seq), false);
  }

  /** How much of {@code runs} overlaps, in versions ({@code byVersion}) or in seqs. */
  private static long overlapping(
      List<VersionRuns.Run> runs, Comparator<VersionRuns.Run> order, boolean byVersion) {
    List<VersionRuns.Run> sorted = new ArrayList<>(runs);
    sorted.sort(order);
    long twice = 0;
    long reach = 0;
    boolean first = true;
    for (VersionRuns.Run r : sorted) {
      long start = byVersion ? r.v() : r.seq();
      long end = byVersion ? r.endV() : r.endSeq();
      if (!first) {
        twice += Math.max(0, Math.min(reach, end) - start);
      }
      reach = first ? end : Math.max(reach, end);
      first = false;
    }
    return twice;
  }

  /** The first acknowledged seq after {@code from} that no received run covers, as a sentence. */
  private static String firstMissing(
      List<VersionRuns.Run> acked, List<VersionRuns.Run> received, long from) {
    for (VersionRuns.Run x : acked) {
      long s = Math.max(x.seq(), from + 1);
      while (s < x.endSeq()) {
        long covered = coveredUntil(received, s);
        if (covered < 0) {
          return "seq " + s + " (acknowledged v=" + (x.v() + s - x.seq()) + ") never applied";
        }
        s = covered;
      }
    }
    return null;
  }

  /** The end of the run covering {@code seq}, or -1 when none does. */
  private static long coveredUntil(List<VersionRuns.Run> runs, long seq) {
    for (VersionRuns.Run r : runs) {
      if (r.seq() <= seq && seq < r.endSeq()) {
        return r.endSeq();
      }
    }
    return -1;
  }
}
