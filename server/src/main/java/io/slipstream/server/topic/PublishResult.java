package io.slipstream.server.topic;

/**
 * What a publish was given: the topic's epoch and the seqs of its first and last change.
 *
 * <p>Immutable.
 */
public record PublishResult(String topic, String epoch, long firstSeq, long lastSeq) {}
