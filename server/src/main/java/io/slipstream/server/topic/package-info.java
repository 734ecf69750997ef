/**
 * Topic ownership on one node: the registry of topics, the sequencers that own shards of them, and
 * the messages that carry publishes in and change batches out on the event bus.
 */
package io.slipstream.server.topic;
