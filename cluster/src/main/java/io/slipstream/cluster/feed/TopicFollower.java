package io.slipstream.cluster.feed;

import io.slipstream.cluster.log.LogRead;
import io.slipstream.cluster.log.LogTip;
import io.slipstream.cluster.log.LoggedChange;
import io.slipstream.cluster.log.TopicAuthority;
import io.slipstream.core.time.Clock;
import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.ChangeRequest;
import io.slipstream.core.topic.RowMap;
import io.slipstream.core.topic.Topic;
import io.slipstream.core.topic.TopicView;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * One followed topic on this node: its local replica, the {@link TopicReorder} that puts the pushed
 * batches in seq order, and what the reorder asks for (fills, resyncs), carried out against the
 * {@link TopicAuthority} and applied to the replica, which then tells the node's {@code Feed}.
 *
 * <p>Confined to the topic's shard ({@link FeedShard}): every method except {@link #issueSnapshot}
 * and the two lag fields runs there, so the replica has one writer and the reorder one owner.
 * Answers from the authority come back on Hazelcast's threads and hop to the shard before they
 * touch anything.
 *
 * <p>States: <em>syncing</em> (no position: a snapshot is pending, and the reorder holds what
 * arrives), <em>live</em> (the reorder has {@code (epoch, next)}), and <em>absent</em> (the
 * authority has no entry: both copies were lost, or the topic is gone; the replica is empty under a
 * placeholder epoch until a history appears again, by a batch or a tip).
 *
 * <p>Bounds: what the reorder holds ({@link ReorderLimits#maxBufferedChanges()}), one fill and one
 * snapshot outstanding at a time, one retry timer at a time.
 */
final class TopicFollower implements FeedSink {

  private static final System.Logger LOG = System.getLogger(TopicFollower.class.getName());

  /** Subscriptions that may wait for one topic to be live at once (see {@link #whenLive}). */
  static final int MAX_LIVE_WAITERS = 1_024;

  /** The first retry of a failed snapshot waits this long; each further one twice as long. */
  static final long RETRY_BASE_MS = 50;

  /** The longest wait between two snapshot retries. */
  static final long RETRY_MAX_MS = 2_000;

  final String topic;
  final FeedShard shard;
  private final ClusterFeed feed;
  private final Topic replica;
  private final TopicReorder reorder;

  /** The epoch the reorder was last started in; valid while {@code reorder.live()}. */
  private String liveEpoch;

  /** A snapshot is queued, in flight or waiting to be retried. */
  private boolean snapshotPending;

  private int snapshotFailures;
  private boolean absent;

  /** The replica did not stand where a delivery expected it (a bug): ignore until restored. */
  private boolean diverged;

  /** The previous tip check's answer, to tell a lost tail from batches still on their way. */
  private String tipEpoch;

  private long tipSeq;

  /** Inside {@code reorder.tip}: a fill asked for now is a tip repair. */
  private boolean inTip;

  /** Whether this topic still counts against the node's bootstrap. */
  private boolean bootstrapping;

  /** The range of the last fill asked for, {@code (fillAfter, fillTo]}. */
  private long fillAfter = -1;

  private long fillTo = -1;

  /**
   * Subscriptions waiting for the topic to be live (their {@code subscribed} must carry the
   * authority's epoch); at most {@link #MAX_LIVE_WAITERS}, beyond which a waiter goes at once.
   */
  private final List<Runnable> liveWaiters = new ArrayList<>(0);

  /** An {@code Ensure} call is out. */
  private boolean ensurePending;

  /** The highest seq known to exist in the live epoch; read by {@link ClusterFeed#stats}. */
  private volatile long knownTip;

  /** The replica's seq; read by {@link ClusterFeed#stats}. */
  private volatile long delivered;

  TopicFollower(String topic, Topic replica, ClusterFeed feed, FeedShard shard) {
    this.topic = topic;
    this.replica = replica;
    this.feed = feed;
    this.shard = shard;
    this.reorder = new TopicReorder(topic, feed.settings().reorder(), Clock.system(), this);
    this.delivered = replica.view().seq();
    this.knownTip = delivered;
  }

  /** The replica this follower writes. */
  Topic replica() {
    return replica;
  }

  // ---- Events, on the shard ----

  /** This node's bootstrap wants the topic live: snapshot it unless it already is. */
  void bootstrap() {
    bootstrapping = true;
    if (reorder.live() || absent) {
      bootstrapped();
      return;
    }
    requestSnapshot();
  }

  /**
   * Runs {@code then} once the topic is live on the authority's history, at once if it is: a
   * subscription waits for it so that it announces the epoch every node shares. A topic the
   * authority does not have yet is given an empty entry first ({@code Ensure}), in this
   * replica's epoch, so that its first publish keeps that epoch (docs/cluster.md). The caller
   * bounds the wait; a failed call lets the waiters go.
   */
  void whenLive(Runnable then) {
    if (reorder.live() || liveWaiters.size() >= MAX_LIVE_WAITERS) {
      then.run();
      return;
    }
    liveWaiters.add(then);
    if (!snapshotPending) {
      ensure();
    }
  }

  /** Asks the authority for the topic's entry, creating an empty one in our epoch if absent. */
  private void ensure() {
    if (ensurePending) {
      return;
    }
    ensurePending = true;
    TopicView at = replica.view();
    // An empty history keeps its epoch: a re-created empty entry is the same (empty) state.
    String candidate =
        liveEpoch != null && knownTip == 0
            ? liveEpoch
            : at.seq() == 0 ? at.epoch() : Topic.newEpoch();
    ClusterFeed.<LogTip>call(() -> feed.authority().ensure(topic, candidate))
        .whenComplete(
            (tip, error) ->
                feed.run(
                    shard,
                    () -> {
                      ensured(tip, error);
                      shard.track(this);
                    }));
  }

  private void ensured(LogTip tip, Throwable error) {
    ensurePending = false;
    if (feed.stopped() || reorder.live()) {
      releaseLiveWaiters();
      return;
    }
    if (error != null || tip == null || tip.epoch() == null) {
      if (error != null) {
        LOG.log(Level.DEBUG, "ensure of " + topic + " failed", error);
      }
      releaseLiveWaiters();
      return;
    }
    if (tip.lastSeq() == 0) {
      startFresh(tip.epoch());
    } else {
      requestSnapshot();
    }
  }

  private void releaseLiveWaiters() {
    if (liveWaiters.isEmpty()) {
      return;
    }
    List<Runnable> go = new ArrayList<>(liveWaiters);
    liveWaiters.clear();
    for (Runnable r : go) {
      r.run();
    }
  }

  /** A batch pushed by a publishing node. */
  void offer(FeedBatch b) {
    if (!reorder.live()) {
      TopicView at = replica.view();
      boolean ahead = at.epoch().equals(b.epoch()) && at.seq() > 0;
      if (b.firstSeq() == 1 && !diverged && !ahead) {
        // An epoch's history starts empty: no snapshot needed to follow it from its first seq.
        // (Not when the replica already holds more of that epoch: a late duplicate of seq 1
        // must not empty it.)
        startFresh(b.epoch());
      } else {
        requestSnapshot();
      }
    } else if (b.epoch().equals(liveEpoch)) {
      if (b.lastSeq() < reorder.next()) {
        feed.duplicatesDropped.increment();
      }
      raiseKnownTip(b.lastSeq());
    }
    reorder.offer(b);
  }

  /**
   * A tip check's answer: the primary stands at {@code (epoch, lastSeq)}, epoch null if absent.
   *
   * <p>A periodic check ({@code urgent} false) fills only up to what the primary already had at the
   * check before: seqs appended since may still be on their way, since a batch is pushed after its
   * append's answer, and filling them would cost a read per active topic per check. So a lost tail
   * is repaired one to two periods after it was lost. A check after a member left ({@code urgent})
   * fills up to the tip at once: pushes in flight from that member are gone.
   */
  void tip(String epoch, long lastSeq, boolean urgent) {
    String previousEpoch = tipEpoch;
    long previousSeq = tipSeq;
    tipEpoch = epoch;
    tipSeq = lastSeq;
    if (absent) {
      if (epoch != null) {
        requestSnapshot();
      }
      return;
    }
    if (!reorder.live()) {
      return;
    }
    long upTo = lastSeq;
    if (liveEpoch.equals(epoch)) {
      raiseKnownTip(lastSeq);
      if (!urgent) {
        if (!epoch.equals(previousEpoch)) {
          return;
        }
        upTo = Math.min(lastSeq, previousSeq);
      }
    }
    inTip = true;
    try {
      reorder.tip(epoch, upTo);
    } finally {
      inTip = false;
    }
  }

  /** Fills a gap that waited long enough, times out a lost fill. */
  void poll() {
    reorder.poll();
  }

  /** Whether time must pass for something to happen (see {@link TopicReorder#waiting()}). */
  boolean waiting() {
    return reorder.waiting();
  }

  /** Seqs known to exist in the live epoch and not yet in the replica; any thread. */
  long lag() {
    return Math.max(0, knownTip - delivered);
  }

  // ---- FeedSink: called by the reorder, on the shard ----

  @Override
  public void deliver(FeedBatch batch, int fromIndex) {
    if (diverged) {
      return;
    }
    long first = batch.firstSeq() + fromIndex;
    TopicView at = replica.view();
    if (at.seq() != first - 1 || !at.epoch().equals(batch.epoch())) {
      LOG.log(
          Level.ERROR,
          "replica of {0} stands at {1}:{2}, the feed delivers {3}:{4}; resyncing",
          topic,
          at.epoch(),
          at.seq(),
          batch.epoch(),
          first);
      diverged = true;
      requestSnapshot();
      return;
    }
    List<LoggedChange> changes = batch.changes();
    List<ChangeEvent> events = null;
    int i = fromIndex;
    while (i < changes.size()) {
      // Topic.apply stamps one ts on all it applies: apply each run of equal ts together.
      long ts = changes.get(i).ts();
      int end = i + 1;
      while (end < changes.size() && changes.get(end).ts() == ts) {
        end++;
      }
      List<ChangeRequest> requests = new ArrayList<>(end - i);
      for (int k = i; k < end; k++) {
        LoggedChange c = changes.get(k);
        requests.add(new ChangeRequest(c.op(), c.key(), c.row()));
      }
      List<ChangeEvent> applied = replica.apply(requests, ts);
      if (events == null) {
        events = applied;
      } else {
        List<ChangeEvent> all = new ArrayList<>(events.size() + applied.size());
        all.addAll(events);
        all.addAll(applied);
        events = all;
      }
      i = end;
    }
    delivered = replica.view().seq();
    raiseKnownTip(delivered);
    try {
      feed.local().committed(replica, events);
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "the node's feed failed on " + topic, e);
    }
  }

  @Override
  public void fill(String topic, String epoch, long afterSeq, long toSeq) {
    feed.gapFills.increment();
    if (inTip) {
      feed.tipRepairs.increment();
    }
    fillAfter = afterSeq;
    fillTo = toSeq;
    int max = (int) Math.min(toSeq - afterSeq, TopicAuthority.MAX_READ_EVENTS);
    ClusterFeed.<LogRead>call(() -> feed.authority().range(topic, epoch, afterSeq, max))
        .whenComplete(
            (read, error) ->
                feed.run(
                    shard,
                    () -> {
                      filled(afterSeq, toSeq, read, error);
                      shard.track(this);
                    }));
  }

  @Override
  public void resync(String topic) {
    feed.resyncs.increment();
    requestSnapshot();
  }

  // ---- Answers, on the shard ----

  private void filled(long afterSeq, long toSeq, LogRead read, Throwable error) {
    if (feed.stopped()) {
      return;
    }
    if (error != null) {
      LOG.log(Level.DEBUG, "fill of " + topic + " failed", error);
      reorder.fillFailed();
      return;
    }
    switch (read.kind()) {
      case OK:
        raiseKnownTip(read.lastSeq());
        boolean current = afterSeq == fillAfter && toSeq == fillTo;
        if (current && reorder.live() && read.epoch().equals(liveEpoch) && read.lastSeq() < toSeq) {
          // The fill went up to a seq only an unconfirmed tip named (a primary that died with
          // it unconfirmed): forget that tip, or the reorder would ask for it again at once.
          reorder.start(liveEpoch, reorder.next() - 1);
          knownTip = read.lastSeq();
          if (!read.changes().isEmpty()) {
            reorder.offer(new FeedBatch(topic, read.epoch(), read.firstSeq(), read.changes()));
          }
        } else {
          reorder.filled(read.epoch(), read.firstSeq(), read.changes());
        }
        return;
      case EPOCH_CHANGED:
      case NOT_COVERED:
      case ABSENT:
        reorder.lost();
        return;
      default:
        // INDETERMINATE, NO_QUORUM: the reorder retries after its gap wait.
        reorder.fillFailed();
    }
  }

  /** Asks for a validated snapshot unless one is already pending. */
  private void requestSnapshot() {
    if (snapshotPending) {
      return;
    }
    snapshotPending = true;
    feed.submitSnapshot(this);
  }

  /** Calls the authority; any thread (the snapshot limiter runs it where a slot frees). */
  void issueSnapshot() {
    ClusterFeed.<LogRead>call(
            () -> feed.authority().snapshot(topic, feed.settings().snapshotTailEvents()))
        .whenComplete(
            (read, error) -> {
              feed.snapshotFinished();
              feed.run(
                  shard,
                  () -> {
                    snapshotted(read, error);
                    shard.track(this);
                  });
            });
  }

  private void snapshotted(LogRead read, Throwable error) {
    if (feed.stopped()) {
      return;
    }
    LogRead.Kind kind = error == null ? read.kind() : null;
    if (reorder.live() && !diverged) {
      // Went live meanwhile from an epoch's first seq (which proves the entry exists): an
      // absent answer was read before that append; one of this epoch says how far to fill.
      if (kind == LogRead.Kind.ABSENT
          || kind == LogRead.Kind.OK && read.epoch().equals(liveEpoch)) {
        snapshotPending = false;
        snapshotFailures = 0;
        if (kind == LogRead.Kind.OK) {
          tip(read.epoch(), read.lastSeq(), true);
        }
        return;
      }
    }
    if (kind == LogRead.Kind.OK) {
      snapshotPending = false;
      snapshotFailures = 0;
      restore(read);
    } else if (kind == LogRead.Kind.ABSENT) {
      // Batches held meanwhile are recovered when a tip check finds the entry again.
      snapshotPending = false;
      snapshotFailures = 0;
      becomeAbsent();
      if (!liveWaiters.isEmpty()) {
        // Subscriptions wait: a topic nobody published to gets its empty entry now.
        ensure();
      }
    } else {
      // INDETERMINATE or NO_QUORUM (retried until the backup confirms or the quorum is back),
      // or a failed call.
      if (error != null) {
        LOG.log(Level.DEBUG, "snapshot of " + topic + " failed", error);
      }
      long delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS << Math.min(snapshotFailures, 10));
      snapshotFailures++;
      feed.later(delay, () -> feed.submitSnapshot(this));
    }
  }

  private void restore(LogRead read) {
    List<LoggedChange> changes = read.changes();
    List<ChangeEvent> tail = new ArrayList<>(changes.size());
    long seq = read.firstSeq();
    for (LoggedChange c : changes) {
      tail.add(
          new ChangeEvent(
              topic, read.epoch(), seq++, c.op(), c.key(), c.row(), c.ts(), replica.encoder()));
    }
    if (!tail.isEmpty() && seq - 1 != read.lastSeq()) {
      throw new IllegalStateException(
          "snapshot tail of "
              + topic
              + " ends at "
              + (seq - 1)
              + ", its rows stand at "
              + read.lastSeq());
    }
    // An entry is created only by a change, so an empty one of a new epoch is a DELETE: its
    // subscribers are told reset {reason: deleted} (docs/protocol.md §4).
    boolean deleted =
        read.lastSeq() == 0 && liveEpoch != null && !liveEpoch.equals(read.epoch());
    replica.restore(read.epoch(), read.lastSeq(), read.rows(), tail, deleted);
    live(read.epoch(), read.lastSeq());
  }

  /** Follows {@code epoch} from its empty beginning. */
  private void startFresh(String epoch) {
    TopicView at = replica.view();
    if (!(at.epoch().equals(epoch) && at.seq() == 0)) {
      replica.restore(epoch, 0, RowMap.EMPTY, List.of());
    }
    live(epoch, 0);
  }

  private void live(String epoch, long seq) {
    delivered = seq;
    knownTip = seq;
    absent = false;
    diverged = false;
    liveEpoch = epoch;
    tellReset(epoch);
    reorder.start(epoch, seq);
    bootstrapped();
    releaseLiveWaiters();
  }

  /**
   * The authority has no entry. A replica that held a history empties under a placeholder epoch
   * (its clients get {@code reset} and an empty snapshot); the reorder stays syncing, holding what
   * comes, until a batch or a tip shows the next epoch.
   */
  private void becomeAbsent() {
    if (liveEpoch != null && knownTip == 0 && replica.view().seq() == 0) {
      // An empty topic whose entry another node removed when it forgot the topic (or whose
      // empty entry was lost): this node still follows it, so it gives it back its entry in the
      // same epoch rather than resetting its subscribers from empty to empty.
      ensure();
      bootstrapped();
      return;
    }
    if (replica.view().seq() != 0 || liveEpoch != null) {
      String placeholder = Topic.newEpoch();
      replica.restore(placeholder, 0, RowMap.EMPTY, List.of());
      delivered = 0;
      knownTip = 0;
      tellReset(placeholder);
    }
    liveEpoch = null;
    absent = true;
    bootstrapped();
  }

  private void tellReset(String epoch) {
    try {
      feed.local().reset(replica, epoch);
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "the node's feed failed on the reset of " + topic, e);
    }
  }

  private void bootstrapped() {
    if (bootstrapping) {
      bootstrapping = false;
      feed.bootstrapped();
    }
  }

  private void raiseKnownTip(long seq) {
    if (seq > knownTip) {
      knownTip = seq;
    }
  }
}
