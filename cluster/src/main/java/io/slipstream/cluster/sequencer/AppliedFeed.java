package io.slipstream.cluster.sequencer;

import io.slipstream.core.spi.Feed;
import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.Topic;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's {@link Feed} as the clustered feed calls it, with two things the clustered sequencer
 * needs to know about this node's replicas: when a replica has reached a seq (so a publish is
 * answered only once this node's subscribers can see it: read-your-writes on the publishing node),
 * and how many bytes all replicas hold (the node's {@code topicStateBudgetBytes}: every node
 * follows every topic, so this is also about what the cluster holds).
 *
 * <p>Thread-safe. {@link #committed} and {@link #reset} come on the topic's shard, one at a time
 * per topic, after the replica changed; {@link #whenApplied} from anywhere. A waiter is registered
 * before the replica is checked, and the feed looks at the waiters after the replica changed, so no
 * wake-up is lost. Waiters are bounded by the publishes pending (each publish registers at most
 * one; {@code maxPendingPublishes} per shard bounds them).
 */
public final class AppliedFeed implements Feed {

  private record Waiter(String epoch, long seq, Runnable then) {}

  private final Feed delegate;
  private final ConcurrentHashMap<String, List<Waiter>> waiters = new ConcurrentHashMap<>();

  /** Per topic, the footprint last counted; bounded by the node's replicas (maxTopics). */
  private final ConcurrentHashMap<String, Long> footprints = new ConcurrentHashMap<>();

  private final AtomicLong bytes = new AtomicLong();

  public AppliedFeed(Feed delegate) {
    this.delegate = delegate;
  }

  @Override
  public void committed(Topic replica, List<ChangeEvent> events) {
    recount(replica);
    delegate.committed(replica, events);
    wake(replica);
  }

  @Override
  public void reset(Topic replica, String epoch) {
    recount(replica);
    delegate.reset(replica, epoch);
    wake(replica);
  }

  /** The bytes every replica of this node holds, as {@link Topic#footprint()} counts them. */
  public long usedBytes() {
    return bytes.get();
  }

  /** Forgets the count of a replica the node no longer holds. */
  public void forgotten(String topic) {
    Long old = footprints.remove(topic);
    if (old != null) {
      bytes.addAndGet(-old);
    }
  }

  /**
   * Runs {@code then} once {@code replica} holds {@code seq} of {@code epoch}, at once if it
   * already does. {@code then} runs on the thread that saw it, exactly once per registration unless
   * {@link #cancel} removed it first. A replica in another epoch is not a reason to run it: it may
   * be one that has not yet caught up with a new epoch (a new topic, a delete), so the caller
   * bounds the wait with a timer and cancels.
   *
   * @return a handle for {@link #cancel}
   */
  public Object whenApplied(Topic replica, String epoch, long seq, Runnable then) {
    Waiter w = new Waiter(epoch, seq, then);
    waiters.compute(
        replica.name(),
        (k, list) -> {
          List<Waiter> l = list == null ? new ArrayList<>(2) : list;
          l.add(w);
          return l;
        });
    wake(replica);
    return w;
  }

  /** Removes a waiter that has not run; whether it was removed (then it never runs). */
  public boolean cancel(String topic, Object handle) {
    boolean[] removed = new boolean[1];
    waiters.computeIfPresent(
        topic,
        (k, list) -> {
          removed[0] = list.remove(handle);
          return list.isEmpty() ? null : list;
        });
    return removed[0];
  }

  private void wake(Topic replica) {
    if (!waiters.containsKey(replica.name())) {
      return;
    }
    String epoch = replica.view().epoch();
    long seq = replica.view().seq();
    List<Waiter> due = new ArrayList<>(2);
    waiters.computeIfPresent(
        replica.name(),
        (k, list) -> {
          for (Iterator<Waiter> it = list.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.epoch.equals(epoch) && w.seq <= seq) {
              due.add(w);
              it.remove();
            }
          }
          return list.isEmpty() ? null : list;
        });
    for (Waiter w : due) {
      w.then.run();
    }
  }

  private void recount(Topic replica) {
    long now = replica.footprint();
    Long old = footprints.put(replica.name(), now);
    bytes.addAndGet(now - (old == null ? 0 : old));
  }
}
