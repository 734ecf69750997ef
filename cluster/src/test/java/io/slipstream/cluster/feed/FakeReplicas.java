package io.slipstream.cluster.feed;

import io.slipstream.core.spi.Replicas;
import io.slipstream.core.topic.ChangeEncoder;
import io.slipstream.core.topic.Topic;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A node's replicas for the feed tests: follower topics by name, at most {@code maxTopics} of
 * them, never forgotten. Thread-safe (one lock; the tests are not about its speed).
 */
final class FakeReplicas implements Replicas {

  /** Each event's frame is its position, enough to tell events apart. */
  static final ChangeEncoder ENCODER =
      e -> (e.epoch() + ":" + e.seq()).getBytes(StandardCharsets.UTF_8);

  private final Map<String, Topic> topics = new HashMap<>();
  private final int maxTopics;
  private final int replayLogSize;

  FakeReplicas(int maxTopics, int replayLogSize) {
    this.maxTopics = maxTopics;
    this.replayLogSize = replayLogSize;
  }

  @Override
  public synchronized Topic open(String topic) {
    Topic t = topics.get(topic);
    if (t == null && topics.size() < maxTopics) {
      t = new Topic(topic, replayLogSize, ENCODER).follow();
      topics.put(topic, t);
    }
    return t;
  }

  @Override
  public synchronized Topic find(String topic) {
    return topics.get(topic);
  }

  @Override
  public void forgetIfIdle(String topic) {}
}
