package io.slipstream.cluster.feed;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One of the node's sequencer shards as the {@link ClusterFeed} uses it: its executor and, confined
 * to it, the followers whose reorders wait for time to pass.
 *
 * <p>Threading: {@link #track} and {@link #poll} run on the shard; {@link #hasWaiting} and {@link
 * #queued} are read and written from anywhere.
 */
final class FeedShard {
  final Executor executor;

  /**
   * Batches handed to the executor and not yet run; at most {@link ClusterFeed#MAX_QUEUED_BATCHES}.
   */
  final AtomicInteger queued = new AtomicInteger();

  /** Confined to the shard; bounded by the shard's followers. */
  private final Set<TopicFollower> waiting = new HashSet<>();

  /** Whether {@code waiting} is non-empty, for the poll timer (which runs elsewhere). */
  volatile boolean hasWaiting;

  FeedShard(Executor executor) {
    this.executor = executor;
  }

  /** Notes whether {@code f} now waits; on the shard, after each event of {@code f}. */
  void track(TopicFollower f) {
    if (f.waiting()) {
      waiting.add(f);
    } else {
      waiting.remove(f);
    }
    hasWaiting = !waiting.isEmpty();
  }

  /** Polls every waiting follower; on the shard. */
  void poll() {
    for (TopicFollower f : new ArrayList<>(waiting)) {
      f.poll();
      track(f);
    }
  }
}
