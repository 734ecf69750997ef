package io.slipstream.core.spi.local;

import io.slipstream.core.spi.Feed;
import io.slipstream.core.spi.Replicas;
import io.slipstream.core.spi.Sequencer;
import io.slipstream.core.time.Clock;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Builds the single-node {@link Sequencer}.
 *
 * <p>Stateless and thread-safe.
 */
public final class LocalSequencers {

  /**
   * The publish path's bounds.
   *
   * @param maxPendingPublishes publishes and deletes queued or running per shard; beyond, {@code
   *     overloaded} ({@code maxPendingPublishes}); at least 1
   * @param idempotencyWindow keys remembered per topic ({@code idempotencyWindow}); at least 1
   */
  public record Bounds(int maxPendingPublishes, int idempotencyWindow) {
    public Bounds {
      if (maxPendingPublishes < 1) {
        throw new IllegalArgumentException(
            "maxPendingPublishes must be at least 1, was " + maxPendingPublishes);
      }
      if (idempotencyWindow < 1) {
        throw new IllegalArgumentException(
            "idempotencyWindow must be at least 1, was " + idempotencyWindow);
      }
    }
  }

  private LocalSequencers() {}

  /**
   * A sequencer over {@code replicas}: topic {@code t} belongs to shard {@code floorMod(
   * t.hashCode(), shards.size())}, and everything that writes it runs on that shard's executor.
   *
   * @param replicas where the topics live (single node: the authoritative state)
   * @param feed told of every committed batch and reset, on the shard's executor, in seq order
   * @param budget the node-wide topic-state budget
   * @param shards one executor per shard; each must run its tasks one at a time, in the order given
   *     (a Vert.x worker context, a single-thread executor): that order is what makes each shard
   *     the single writer of its topics
   * @param timer answers publishes whose deadline passes while they wait
   * @param clock the monotonic clock deadlines are measured on
   */
  public static Sequencer create(
      Replicas replicas,
      Feed feed,
      TopicStateBudget budget,
      List<? extends Executor> shards,
      DeadlineTimer timer,
      Clock clock,
      Bounds bounds) {
    return new LocalSequencer(replicas, feed, budget, shards, timer, clock, bounds);
  }
}
