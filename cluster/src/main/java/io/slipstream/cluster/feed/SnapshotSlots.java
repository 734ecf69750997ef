package io.slipstream.cluster.feed;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the snapshot reads a node has in flight: each can carry a whole topic's rows, and a
 * bootstrap asks for one per topic at once. Reads beyond the bound wait in a queue and start as
 * answers free their slots.
 *
 * <p>Thread-safe, lock-free. Bounds: {@code slots} reads in flight; the queue holds each follower
 * at most once (its own pending flag guards the submit), so at most the node's followed topics.
 */
final class SnapshotSlots {

  private final int slots;
  private final ConcurrentLinkedQueue<TopicFollower> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger running = new AtomicInteger();

  SnapshotSlots(int slots) {
    this.slots = slots;
  }

  /** Starts {@code f}'s read now if a slot is free, else when one frees. */
  void submit(TopicFollower f) {
    queue.add(f);
    drain();
  }

  /** A read answered: its slot goes to the next in the queue. */
  void finished() {
    running.decrementAndGet();
    drain();
  }

  private void drain() {
    while (!queue.isEmpty()) {
      int n = running.get();
      if (n >= slots) {
        // The read that holds the slot starts the next one when it finishes.
        return;
      }
      if (!running.compareAndSet(n, n + 1)) {
        continue;
      }
      TopicFollower f = queue.poll();
      if (f == null) {
        // Another thread took the last one between the check and the poll.
        running.decrementAndGet();
        continue;
      }
      f.issueSnapshot();
    }
  }
}
