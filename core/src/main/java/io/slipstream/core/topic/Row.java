package io.slipstream.core.topic;

/**
 * A row as the topic stores it: its JSON object text and the publish time of the change that set
 * it.
 *
 * <p>Immutable.
 *
 * @param json the row as compact JSON object text
 * @param ts publish time of the last change to this row, ms since the Unix epoch
 */
public record Row(String json, long ts) {}
