package io.slipstream.core.spi;

import java.util.concurrent.CompletionStage;

/**
 * Who sequences topics: gives each accepted change of a topic the next seq of its epoch, exactly
 * once, and is where the topic's authoritative rows, replay log and dedupe window live. Every
 * committed batch then reaches this node's {@link Feed} in seq order.
 *
 * <p>Thread-safe: any thread may call any method; stages complete on the sequencer's own threads,
 * so callers hop back to their own context. Methods never block and never throw for a refusal:
 * overload, a full budget, a duplicate or a conflict are outcomes.
 *
 * <p>The contract every implementation keeps (and {@code SequencerContract} checks):
 *
 * <ul>
 *   <li>A publish is applied whole or not at all, and at most once per {@code (topic,
 *       Idempotency-Key)} within the dedupe window: a repeat gets the first answer ({@link
 *       PublishOutcome.Status#DUPLICATE}), also while the first is still in flight; the same key
 *       with other changes gets {@link PublishOutcome.Status#CONFLICT} (docs/protocol.md §10).
 *   <li>Refusals change nothing: {@code OVERLOADED}, {@code STORAGE_FULL}, {@code TOPIC_LIMIT},
 *       {@code CONFLICT}.
 *   <li>Deadline: a publish not begun by {@link Publish#deadline()} is never applied, and its stage
 *       completes {@code OVERLOADED} at about that time. One that began completes with its result.
 *       An implementation that cannot tell (a remote call timed out) completes {@code
 *       INDETERMINATE}; so does an unexpected failure.
 *   <li>Seqs are gap-free from 1 in each epoch; {@link #delete} starts a new, empty epoch.
 * </ul>
 */
public interface Sequencer {

  /** Sequences and applies one publish; see the class doc for the outcomes. */
  CompletionStage<PublishOutcome> publish(Publish publish);

  /**
   * Removes the topic's rows, replay log and dedupe window and starts a new, empty epoch; its
   * subscribers are told through {@link Feed#reset}. Counts against the same bounds as publishes.
   *
   * @param deadline monotonic ms ({@link io.slipstream.core.time.Clock#millis()}) after which a
   *     delete not yet begun is refused as {@code OVERLOADED}
   */
  CompletionStage<DeleteOutcome> delete(String topic, long deadline);

  /**
   * Tells the sequencer this node holds no subscriber of {@code topic} any more. A single-node
   * sequencer then forgets a topic nothing was published to (its replica is its only state), so
   * subscribing to names cannot fill the node; a clustered one may stop following it. Fire and
   * forget; never fails.
   */
  void idle(String topic);
}
