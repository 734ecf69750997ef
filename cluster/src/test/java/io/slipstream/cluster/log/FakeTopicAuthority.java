package io.slipstream.cluster.log;

import io.slipstream.core.topic.ChangeOp;
import io.slipstream.core.topic.ChangeRequest;
import io.slipstream.core.topic.Row;
import io.slipstream.core.topic.RowMap;
import io.slipstream.core.topic.Topic;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory {@link TopicAuthority} for the feed's unit tests: one history per topic, answered at
 * once on the caller's thread, with knobs for what a real cluster does now and then: reads the
 * backup cannot confirm yet, a ring that no longer reaches back, a primary's tip ahead of what is
 * confirmed, an entry lost on both copies.
 *
 * <p>Thread-safe (one lock). Lives in the log package for the package-private answer factories.
 */
public final class FakeTopicAuthority implements TopicAuthority {

  private static final class Log {
    final String epoch = Topic.newEpoch();

    /** Change of seq {@code s} at index {@code s - 1}. */
    final List<LoggedChange> changes = new ArrayList<>();

    RowMap rows = RowMap.EMPTY;

    /** The oldest seq the ring still holds. */
    long ringFirst = 1;

    /** How far the primary's tip runs ahead of the confirmed history. */
    long tipAhead;
  }

  private final Map<String, Log> logs = new HashMap<>();
  private int unconfirmedSnapshots;
  private final AtomicInteger snapshotReads = new AtomicInteger();
  private final AtomicInteger rangeReads = new AtomicInteger();

  @Override
  public synchronized CompletionStage<LogTip> ensure(String topic, String candidate) {
    Log log = logs.computeIfAbsent(topic, t -> new Log());
    return CompletableFuture.completedFuture(new LogTip(log.epoch, log.changes.size()));
  }

  @Override
  public synchronized CompletionStage<Boolean> removeIfEmpty(String topic) {
    Log log = logs.get(topic);
    boolean empty = log != null && log.changes.isEmpty();
    if (empty) {
      logs.remove(topic);
    }
    return CompletableFuture.completedFuture(empty);
  }

  @Override
  public synchronized CompletionStage<DeleteResult> delete(String topic, String newEpoch) {
    if (!logs.containsKey(topic)) {
      return CompletableFuture.completedFuture(DeleteResult.ABSENT);
    }
    Log fresh = new Log();
    logs.put(topic, fresh);
    return CompletableFuture.completedFuture(DeleteResult.deleted(fresh.epoch));
  }

  /** Appends and answers {@code APPENDED} with the seqs. */
  public synchronized AppendOutcome appendNow(String topic, List<ChangeRequest> changes, long ts) {
    Log log = logs.computeIfAbsent(topic, t -> new Log());
    long first = log.changes.size() + 1;
    for (ChangeRequest c : changes) {
      log.changes.add(LoggedChange.of(c, ts, null));
      log.rows =
          c.op() == ChangeOp.DELETE
              ? log.rows.remove(c.key())
              : log.rows.put(c.key(), new Row(c.row(), ts));
    }
    return AppendOutcome.appended(log.epoch, first, log.changes.size());
  }

  /** The topic's changes from {@code firstSeq} to {@code lastSeq}. */
  public synchronized List<LoggedChange> changes(String topic, long firstSeq, long lastSeq) {
    return List.copyOf(logs.get(topic).changes.subList((int) firstSeq - 1, (int) lastSeq));
  }

  /** The topic's rows now. */
  public synchronized RowMap rows(String topic) {
    return logs.get(topic).rows;
  }

  /** The next {@code n} snapshots answer {@code INDETERMINATE}. */
  public synchronized void unconfirmSnapshots(int n) {
    unconfirmedSnapshots = n;
  }

  /** The ring keeps only the changes from {@code seq} on. */
  public synchronized void evictBefore(String topic, long seq) {
    logs.get(topic).ringFirst = seq;
  }

  /** Tips name {@code n} seqs beyond the confirmed history (a primary that will die with them). */
  public synchronized void tipAhead(String topic, long n) {
    logs.get(topic).tipAhead = n;
  }

  public int snapshotReads() {
    return snapshotReads.get();
  }

  public int rangeReads() {
    return rangeReads.get();
  }

  @Override
  public synchronized CompletionStage<AppendOutcome> append(AppendRequest r) {
    return CompletableFuture.completedFuture(appendNow(r.topic(), r.changes(), r.ts()));
  }

  @Override
  public synchronized CompletionStage<LogRead> snapshot(String topic, int tailEvents) {
    snapshotReads.incrementAndGet();
    if (unconfirmedSnapshots > 0) {
      unconfirmedSnapshots--;
      return done(LogRead.of(LogRead.Kind.INDETERMINATE, null, 0));
    }
    Log log = logs.get(topic);
    if (log == null) {
      return done(LogRead.of(LogRead.Kind.ABSENT, null, 0));
    }
    long last = log.changes.size();
    long from = Math.max(log.ringFirst, last - tailEvents + 1);
    return done(LogRead.snapshot(log.epoch, last, log.rows, from, slice(log, from, last)));
  }

  @Override
  public synchronized CompletionStage<LogRead> range(
      String topic, String epoch, long afterSeq, int maxEvents) {
    rangeReads.incrementAndGet();
    Log log = logs.get(topic);
    if (log == null) {
      return done(LogRead.of(LogRead.Kind.ABSENT, null, 0));
    }
    long last = log.changes.size();
    if (!log.epoch.equals(epoch)) {
      return done(LogRead.of(LogRead.Kind.EPOCH_CHANGED, log.epoch, last));
    }
    if (afterSeq + 1 < log.ringFirst && afterSeq < last) {
      return done(LogRead.of(LogRead.Kind.NOT_COVERED, log.epoch, last));
    }
    long to = Math.min(last, afterSeq + maxEvents);
    return done(LogRead.range(log.epoch, last, afterSeq + 1, slice(log, afterSeq + 1, to)));
  }

  @Override
  public synchronized CompletionStage<Map<String, LogTip>> tips(Set<String> topics) {
    Map<String, LogTip> tips = new HashMap<>();
    for (String t : topics) {
      Log log = logs.get(t);
      tips.put(
          t,
          log == null
              ? new LogTip(null, 0)
              : new LogTip(log.epoch, log.changes.size() + log.tipAhead));
    }
    return done(tips);
  }

  @Override
  public synchronized CompletionStage<Set<String>> topics() {
    return done(Set.copyOf(logs.keySet()));
  }

  private static List<LoggedChange> slice(Log log, long from, long to) {
    return from > to ? List.of() : List.copyOf(log.changes.subList((int) from - 1, (int) to));
  }

  private static <T> CompletionStage<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }
}
