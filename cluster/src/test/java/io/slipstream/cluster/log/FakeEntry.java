package io.slipstream.cluster.log;

import java.util.Map;

/**
 * A map entry standing in for Hazelcast's, so entry processors run as plain functions of (state,
 * input). Counts {@code setValue} calls, since a processor that changes nothing must not call it.
 */
final class FakeEntry implements Map.Entry<String, TopicLog> {

  private final String key;
  private TopicLog value;
  int sets;

  FakeEntry(String key, TopicLog value) {
    this.key = key;
    this.value = value;
  }

  static FakeEntry empty() {
    return new FakeEntry("t", null);
  }

  @Override
  public String getKey() {
    return key;
  }

  @Override
  public TopicLog getValue() {
    return value;
  }

  @Override
  public TopicLog setValue(TopicLog v) {
    sets++;
    TopicLog old = value;
    value = v;
    return old;
  }
}
