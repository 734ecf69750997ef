package io.slipstream.server.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Accounts for every seq of every topic one client follows, across its connections
 * (docs/protocol.md guarantees 1 and 5): each published seq must be received once as a change,
 * or named once by a {@code dropped} range, or covered by a snapshot (the subscription's seq);
 * a seq seen twice is doubled, a seq skipped without a name is lost.
 *
 * <p>A topic's stream is ordered, so one number per topic is enough: the seq it is accounted
 * through ({@link #position}). Epochs must not change (the test publishes into one history).
 *
 * <p>Not thread-safe: confined to the client's thread; read the totals after it stopped.
 */
public final class SeqAccountant {

  /** Violations kept in full per accountant. */
  public static final int KEPT = 20;

  private static final class Stream {
    String epoch;
    long through;
    long received;
    long named;
    long covered;
    long lost;
    long doubled;
  }

  private final String client;
  private final Map<String, Stream> topics = new LinkedHashMap<>();
  private final List<String> violations = new ArrayList<>();
  private int violationCount;

  public SeqAccountant(String client) {
    this.client = client;
  }

  private Stream stream(String topic) {
    return topics.computeIfAbsent(topic, t -> new Stream());
  }

  /**
   * A {@code subscribed}: a snapshot at {@code seq} covers everything up to it; a replay
   * continues after {@code seq}, which must be where the client stands.
   */
  public void subscribed(String topic, String epoch, long seq, boolean snapshot) {
    Stream s = stream(topic);
    if (s.epoch != null && !s.epoch.equals(epoch)) {
      violation(topic, "epoch changed from " + s.epoch + " to " + epoch);
    }
    s.epoch = epoch;
    if (snapshot) {
      if (seq < s.through) {
        violation(topic, "snapshot at " + seq + " behind the position " + s.through);
        s.doubled += s.through - seq;
      } else {
        s.covered += seq - s.through;
        s.through = seq;
      }
      return;
    }
    if (seq > s.through) {
      violation(topic, "replay after " + seq + " but the client stands at " + s.through);
      s.lost += seq - s.through;
      s.through = seq;
    } else if (seq < s.through) {
      // What follows up to the position comes a second time: change() counts it as doubled.
      violation(topic, "replay after " + seq + " behind the position " + s.through);
    }
  }

  /** A live or replayed change (not a snapshot row). */
  public void change(String topic, String epoch, long seq) {
    Stream s = stream(topic);
    if (s.epoch == null || !s.epoch.equals(epoch)) {
      violation(topic, "change " + seq + " of epoch " + epoch + " outside a subscription of it");
    }
    if (seq <= s.through) {
      s.doubled++;
      violation(topic, "change " + seq + " again (accounted through " + s.through + ")");
      return;
    }
    if (seq > s.through + 1) {
      s.lost += seq - s.through - 1;
      violation(topic, "changes " + (s.through + 1) + ".." + (seq - 1) + " skipped without a name");
    }
    s.received++;
    s.through = seq;
  }

  /** A {@code dropped} range: must start right after the position. */
  public void dropped(String topic, long from, long to) {
    Stream s = stream(topic);
    if (to < from) {
      violation(topic, "dropped " + from + ".." + to + " is empty");
      return;
    }
    if (from <= s.through) {
      long twice = Math.min(to, s.through) - from + 1;
      s.doubled += twice;
      violation(topic, "dropped " + from + ".." + to + " names " + twice + " seqs already accounted through " + s.through);
    } else if (from > s.through + 1) {
      s.lost += from - s.through - 1;
      violation(topic, "dropped " + from + ".." + to + " leaves " + (s.through + 1) + ".." + (from - 1) + " unnamed");
    }
    if (to > s.through) {
      s.named += to - Math.max(from - 1, s.through);
      s.through = to;
    }
  }

  private void violation(String topic, String what) {
    violationCount++;
    if (violations.size() < KEPT) {
      violations.add(client + " " + topic + ": " + what);
    }
  }

  /** The seq {@code topic} is accounted through (0 before any), for {@code hello.positions}. */
  public long position(String topic) {
    Stream s = topics.get(topic);
    return s == null ? 0 : s.through;
  }

  /** The epoch of {@code topic}, or null before its first {@code subscribed}. */
  public String epoch(String topic) {
    Stream s = topics.get(topic);
    return s == null ? null : s.epoch;
  }

  /** Seqs skipped without a name, over all topics. */
  public long lost() {
    return topics.values().stream().mapToLong(s -> s.lost).sum();
  }

  /** Seqs accounted twice, over all topics. */
  public long doubled() {
    return topics.values().stream().mapToLong(s -> s.doubled).sum();
  }

  /** Changes received, named by {@code dropped}, covered by snapshots: per kind, all topics. */
  public long[] totals() {
    long[] t = new long[3];
    for (Stream s : topics.values()) {
      t[0] += s.received;
      t[1] += s.named;
      t[2] += s.covered;
    }
    return t;
  }

  /** The first {@link #KEPT} violations, and how many there were. */
  public List<String> violations() {
    List<String> out = new ArrayList<>(violations);
    if (violationCount > violations.size()) {
      out.add("… " + (violationCount - violations.size()) + " more");
    }
    return Collections.unmodifiableList(out);
  }
}
