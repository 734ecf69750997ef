/**
 * The per-node feed: committed batches arrive over the best-effort event bus, out of order across
 * publishers and sometimes lost; {@code TopicReorder} turns them into each topic's exact seq order,
 * asking for gap fills and resyncs as it needs them.
 */
package io.slipstream.cluster.feed;
