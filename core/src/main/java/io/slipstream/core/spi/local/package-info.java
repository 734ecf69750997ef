/**
 * The single-node implementation of the SPI: one in-memory sequencer per shard of topics, each
 * running on its own ordered executor (the single writer of its topics), with the publish path's
 * bounds: {@code maxPendingPublishes} per shard, a deadline per publish, a dedupe window of {@code
 * Idempotency-Key}s per topic and the node-wide {@link
 * io.slipstream.core.spi.local.TopicStateBudget}. Built by {@link
 * io.slipstream.core.spi.local.LocalSequencers}; the node's replicas are the authoritative state,
 * and committed batches go straight to the node's feed. Sessions stay in the node's {@code
 * SessionRegistry}, behind the {@link io.slipstream.core.spi.SessionStore} that {@link
 * io.slipstream.core.spi.local.LocalSessionStores} builds.
 */
package io.slipstream.core.spi.local;
