/**
 * Topic ownership on one node: the registry of topics (the node's replicas, forgetting those
 * nothing was published to once their subscribers leave), the wiring of core's single-node
 * sequencer onto its own worker threads ({@code slipstream-sequencer}, one per shard), the feed
 * that hands committed batches to every event loop's hub, and {@code slipstream.publish} on the
 * event bus.
 */
package io.slipstream.server.topic;
