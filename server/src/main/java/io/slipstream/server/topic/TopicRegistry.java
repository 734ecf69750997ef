package io.slipstream.server.topic;

import io.slipstream.core.spi.Replicas;
import io.slipstream.core.spi.Sequencer;
import io.slipstream.core.topic.Topic;
import io.slipstream.server.protocol.ChangeFrames;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Every topic of this node by name (the node's {@link Replicas}), created on first publish or
 * subscribe, at most {@code maxTopics} of them, with the {@link Sequencer} that writes them.
 *
 * <p>Thread-safe. A topic is mutated only by its sequencer; any thread may read it (see {@link
 * Topic}).
 *
 * <p>A topic that nothing was published to is forgotten when its last subscriber on this node
 * leaves, so subscribing to names cannot fill the node (bug 4): the sequencer runs the check, in
 * order with the topic's publishes, so a publish is never lost to a forget. A subscriber racing the
 * forget (it looked the entry up just before) is never left on a dead topic: {@link
 * Entry#subscribed()} puts the entry back, or, if a publish has already created a new one, moves to
 * it, and {@link Entry#topic()} then answers the new topic. Such comebacks may pass {@code
 * maxTopics}, by at most one per event loop subscribing at that instant.
 */
public final class TopicRegistry implements Replicas {

  /** A topic and how many connections of this node subscribe to it. */
  public static final class Entry {
    /** The count of an entry removed from the registry. */
    private static final int FORGOTTEN = -1;

    private final TopicRegistry registry;
    private final Topic topic;

    /** Subscribing connections of this node, or FORGOTTEN (then under this entry's lock). */
    private final AtomicInteger subscribers = new AtomicInteger();

    /** The newer entry that took this forgotten one's place, if any; set once, under the lock. */
    private volatile Entry successor;

    Entry(TopicRegistry registry, Topic topic) {
      this.registry = registry;
      this.topic = topic;
    }

    /** The topic; a forgotten entry answers with the entry that replaced it. */
    public Topic topic() {
      Entry s = successor;
      return s == null ? topic : s.topic();
    }

    public int subscribers() {
      Entry s = successor;
      return s == null ? Math.max(0, subscribers.get()) : s.subscribers();
    }

    /**
     * Counts a subscribing connection and keeps the topic (or its replacement) in the registry.
     *
     * @return the entry that now counts the connection: this one, or the one that replaced it
     *     after a forget; the connection's {@link #unsubscribed()} goes to that entry, whatever
     *     the registry holds by then
     */
    public Entry subscribed() {
      while (true) {
        int n = subscribers.get();
        if (n >= 0) {
          if (subscribers.compareAndSet(n, n + 1)) {
            return this;
          }
          continue;
        }
        // Forgotten between the caller's lookup and now: come back, or follow the replacement.
        Entry target;
        synchronized (this) {
          if (subscribers.get() != FORGOTTEN) {
            continue;
          }
          target = successor;
          if (target == null) {
            Entry current = registry.topics.putIfAbsent(topic.name(), this);
            if (current == null) {
              registry.reserved.incrementAndGet();
              subscribers.set(1);
              return this;
            }
            successor = current;
            target = current;
          }
        }
        return target.subscribed();
      }
    }

    /**
     * Counts a connection leaving; call it on the entry {@link #subscribed()} returned. The last
     * one may let an unpublished topic be forgotten. A counted entry is never forgotten, so this
     * never meets a forgotten one unless the caller counted elsewhere.
     */
    public void unsubscribed() {
      while (true) {
        int n = subscribers.get();
        if (n <= 0) {
          return; // not counted here (a connection bug): never go below zero
        }
        if (subscribers.compareAndSet(n, n - 1)) {
          if (n == 1) {
            registry.idle(this);
          }
          return;
        }
      }
    }
  }

  private final ConcurrentHashMap<String, Entry> topics = new ConcurrentHashMap<>();
  private final AtomicInteger reserved = new AtomicInteger();
  private final int maxTopics;
  private final int replayLogSize;
  private final long replayLogBytes;
  private final boolean followers;
  private volatile Sequencer sequencer;
  /** When a subscription may read a topic; at once on a single node (see {@link #ready}). */
  private volatile Function<String, Future<Void>> readiness = topic -> Future.succeededFuture();

  /**
   * The topics of a single node, where they are the authoritative state.
   *
   * @param maxTopics the bound on topics
   * @param replayLogSize events each topic's replay log keeps
   * @param replayLogBytes bytes each topic's replay log keeps
   */
  public TopicRegistry(int maxTopics, int replayLogSize, long replayLogBytes) {
    this(maxTopics, replayLogSize, replayLogBytes, false);
  }

  /**
   * @param maxTopics the bound on topics
   * @param replayLogSize events each topic's replay log keeps
   * @param replayLogBytes bytes each topic's replay log keeps
   * @param followers whether the topics are follower replicas of a cluster's authority ({@link
   *     Topic#follow})
   */
  public TopicRegistry(int maxTopics, int replayLogSize, long replayLogBytes, boolean followers) {
    this.maxTopics = maxTopics;
    this.replayLogSize = replayLogSize;
    this.replayLogBytes = replayLogBytes;
    this.followers = followers;
  }

  /**
   * Sets what {@link #ready} waits for; once, before the node serves. In a cluster: until the
   * node follows the topic live on the authority's history, so a subscription announces the epoch
   * every node shares.
   */
  public void readiness(Function<String, Future<Void>> readiness) {
    this.readiness = readiness;
  }

  /**
   * Completes, on the caller's context, when a subscriber may read {@code topic}'s replica; never
   * fails (a bounded wait that gives up goes on with what the replica has).
   */
  public Future<Void> ready(String topic) {
    return readiness.apply(topic).otherwiseEmpty();
  }

  /** Sets the sequencer that writes these topics; once, before the node serves. */
  public void attach(Sequencer sequencer) {
    if (this.sequencer != null) {
      throw new IllegalStateException("a sequencer is already attached");
    }
    this.sequencer = sequencer;
  }

  /** The sequencer that writes these topics. */
  public Sequencer sequencer() {
    Sequencer s = sequencer;
    if (s == null) {
      throw new IllegalStateException("no sequencer attached");
    }
    return s;
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
    Topic topic = new Topic(name, replayLogSize, replayLogBytes, ChangeFrames.INSTANCE);
    Entry created = new Entry(this, followers ? topic.follow() : topic);
    Entry raced = topics.putIfAbsent(name, created);
    if (raced != null) {
      reserved.decrementAndGet();
      return raced;
    }
    return created;
  }

  @Override
  public Topic open(String topic) {
    Entry e = getOrCreate(topic);
    return e == null ? null : e.topic();
  }

  @Override
  public Topic find(String topic) {
    Entry e = topics.get(topic);
    return e == null ? null : e.topic();
  }

  @Override
  public void forgetIfIdle(String topic) {
    Entry e = topics.get(topic);
    // Seq 0: nothing published in this epoch, so the topic holds nothing worth keeping.
    if (e == null || e.topic.view().seq() != 0) {
      return;
    }
    synchronized (e) {
      if (e.subscribers.compareAndSet(0, Entry.FORGOTTEN)) {
        topics.remove(topic, e);
        reserved.decrementAndGet();
      }
    }
  }

  private void idle(Entry e) {
    Sequencer s = sequencer;
    // Published topics are kept: ask the sequencer only about empty ones (it checks again).
    if (s != null && e.topic.view().seq() == 0) {
      s.idle(e.topic.name());
    }
  }

  /** All topics, weakly consistent. */
  public Collection<Entry> all() {
    return topics.values();
  }

  /** Number of topics. */
  public int size() {
    return topics.size();
  }
}
