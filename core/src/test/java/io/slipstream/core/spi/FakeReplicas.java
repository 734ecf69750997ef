package io.slipstream.core.spi;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.slipstream.core.topic.ChangeEncoder;
import io.slipstream.core.topic.Topic;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Replicas in a map, with a topic limit and no subscribers (so an unpublished topic is always
 * idle): the node side of a {@link Sequencer} under test.
 *
 * <p>Thread-safe.
 */
public final class FakeReplicas implements Replicas {

  /** Frames that name the topic and seq, a few bytes each. */
  public static final ChangeEncoder ENCODER = e -> (e.topic() + ":" + e.seq()).getBytes(UTF_8);

  private final ConcurrentHashMap<String, Topic> topics = new ConcurrentHashMap<>();
  private final int maxTopics;
  private final int replayLogSize;
  private final long replayLogBytes;
  private final boolean followers;

  public FakeReplicas(int maxTopics, int replayLogSize, long replayLogBytes) {
    this(maxTopics, replayLogSize, replayLogBytes, false);
  }

  /**
   * @param followers whether the topics are a cluster's follower replicas ({@link Topic#follow})
   */
  public FakeReplicas(int maxTopics, int replayLogSize, long replayLogBytes, boolean followers) {
    this.maxTopics = maxTopics;
    this.replayLogSize = replayLogSize;
    this.replayLogBytes = replayLogBytes;
    this.followers = followers;
  }

  @Override
  public synchronized Topic open(String topic) {
    Topic t = topics.get(topic);
    if (t == null && topics.size() < maxTopics) {
      t = new Topic(topic, replayLogSize, replayLogBytes, ENCODER);
      topics.put(topic, followers ? t.follow() : t);
    }
    return t;
  }

  @Override
  public Topic find(String topic) {
    return topics.get(topic);
  }

  @Override
  public synchronized void forgetIfIdle(String topic) {
    Topic t = topics.get(topic);
    if (t != null && t.view().seq() == 0) {
      topics.remove(topic);
    }
  }

  /** Topics held now. */
  public int size() {
    return topics.size();
  }
}
