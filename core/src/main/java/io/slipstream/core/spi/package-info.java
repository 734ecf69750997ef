/**
 * What clustering replaces, as plain Java: who sequences a topic and where its authoritative state
 * and log live ({@link io.slipstream.core.spi.Sequencer}), how committed batches reach this node's
 * replicas and its connections in seq order ({@link io.slipstream.core.spi.Feed}), where the
 * node's replicas are kept ({@link io.slipstream.core.spi.Replicas}), and where sessions live
 * ({@link io.slipstream.core.spi.SessionStore}).
 *
 * <p>Every outcome is a value ({@link io.slipstream.core.spi.PublishOutcome}, {@link
 * io.slipstream.core.spi.DeleteOutcome}), every wait a {@link
 * java.util.concurrent.CompletionStage}; nothing here knows Vert.x or Hazelcast. The single-node
 * implementation is in {@code spi.local}; a clustered one implements the same interfaces and runs
 * the same contract tests ({@code SequencerContract}, {@code SessionStoreContract}, shipped in
 * core's test-jar).
 */
package io.slipstream.core.spi;
