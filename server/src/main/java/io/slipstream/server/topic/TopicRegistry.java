package io.slipstream.server.topic;

import io.slipstream.core.topic.Topic;
import io.slipstream.server.protocol.ChangeFrames;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every topic of this node by name, created on first publish or subscribe, at most {@code
 * maxTopics} of them.
 *
 * <p>Thread-safe. A topic is mutated only by its shard's {@link SequencerVerticle}; any thread may
 * read it (see {@link Topic}).
 */
public final class TopicRegistry {

  /** A topic and how many connections of this node subscribe to it. */
  public static final class Entry {
    private final Topic topic;
    private final AtomicInteger subscribers = new AtomicInteger();

    Entry(Topic topic) {
      this.topic = topic;
    }

    public Topic topic() {
      return topic;
    }

    public int subscribers() {
      return subscribers.get();
    }

    public void subscribed() {
      subscribers.incrementAndGet();
    }

    public void unsubscribed() {
      subscribers.decrementAndGet();
    }
  }

  private final ConcurrentHashMap<String, Entry> topics = new ConcurrentHashMap<>();
  private final AtomicInteger reserved = new AtomicInteger();
  private final int maxTopics;
  private final int replayLogSize;
  private final int shards;

  /**
   * @param maxTopics the bound on topics
   * @param replayLogSize events each topic's replay log keeps
   * @param shards how many sequencers share the topics
   */
  public TopicRegistry(int maxTopics, int replayLogSize, int shards) {
    this.maxTopics = maxTopics;
    this.replayLogSize = replayLogSize;
    this.shards = shards;
  }

  /** The topic's entry, or null when it does not exist. */
  public Entry get(String name) {
    return topics.get(name);
  }

  /** The topic's entry, created when absent; null when creating it would pass {@code maxTopics}. */
  public Entry getOrCreate(String name) {
    Entry e = topics.get(name);
    if (e != null) {
      return e;
    }
    if (reserved.incrementAndGet() > maxTopics) {
      reserved.decrementAndGet();
      return topics.get(name);
    }
    Entry created = new Entry(new Topic(name, replayLogSize, ChangeFrames.INSTANCE));
    Entry raced = topics.putIfAbsent(name, created);
    if (raced != null) {
      reserved.decrementAndGet();
      return raced;
    }
    return created;
  }

  /** All topics, weakly consistent. */
  public Collection<Entry> all() {
    return topics.values();
  }

  /** Number of topics. */
  public int size() {
    return topics.size();
  }

  /** Which sequencer owns {@code topic}. */
  public int shardOf(String topic) {
    return Math.floorMod(topic.hashCode(), shards);
  }

  /** Number of sequencers. */
  public int shards() {
    return shards;
  }
}
