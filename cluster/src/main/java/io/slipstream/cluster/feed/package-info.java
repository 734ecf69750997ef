/**
 * The per-node feed: committed batches arrive over the best-effort event bus, out of order across
 * publishers and sometimes lost; {@code TopicReorder} turns them into each topic's exact seq order,
 * asking for gap fills and resyncs as it needs them. {@link io.slipstream.cluster.feed.ClusterFeed}
 * runs one reorder per topic ({@code TopicFollower}) on the topic's sequencer shard, carries out
 * its fills and resyncs against the topic authority, applies what it delivers to the node's
 * replica and tells the node's {@code Feed}. Every node follows every topic, so the read side stays
 * local.
 */
package io.slipstream.cluster.feed;
