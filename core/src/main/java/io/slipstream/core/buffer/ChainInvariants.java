package io.slipstream.core.buffer;

/**
 * The structural invariants of a {@link ChainQueue}, recounted from scratch: the stream and topic
 * links, each topic's seqs (increasing, tiling outside compacted runs and sealed survivors), the
 * runs' survivor counts, marker merging, and the totals within the bounds.
 *
 * <p>Stateless; called on the queue's thread, by tests.
 */
final class ChainInvariants {

  private ChainInvariants() {}

  /**
   * Checks {@code q}, then its policy's own structure ({@link ChainQueue#checkChain}).
   *
   * @throws IllegalStateException naming the broken invariant
   */
  static void check(ChainQueue q) {
    int events = 0;
    int gaps = 0;
    long eventBytes = 0;
    StreamNode prev = null;
    for (StreamNode n = q.head; n != null; n = n.next) {
      PendingQueue.check(n.prev == prev, "stream links are consistent");
      PendingQueue.check((n.event == null) != (n.gap == null), "a node is an event or a marker");
      PendingQueue.check(q.chains.get(n.chain.topic) == n.chain, "a node's chain is its topic's");
      if (n.event != null) {
        events++;
        eventBytes += n.event.size();
        PendingQueue.check(
            n.event.topic().equals(n.chain.topic), "an event sits in its topic's chain");
      } else {
        gaps++;
        PendingQueue.check(n.gap.topic.equals(n.chain.topic), "a marker sits in its topic's chain");
      }
      prev = n;
    }
    PendingQueue.check(q.tail == prev, "the tail is the last node");
    int chained = 0;
    for (TopicChain c : q.chains.values()) {
      PendingQueue.check(c.first != null, "a chain without nodes is forgotten");
      int chainEvents = 0;
      StreamNode tp = null;
      // Per topic: seqs increase along the chain; outside compacted runs and sealed survivors
      // (whose replaced seqs were counted by a conflated marker) they tile, without a hole.
      long lastTo = Long.MIN_VALUE;
      boolean loose = false;
      long runTo = Long.MIN_VALUE;
      long runEvents = 0;
      Gap run = null;
      int conflatedMarkers = 0;
      for (StreamNode n = c.first; n != null; n = n.topicNext) {
        chained++;
        PendingQueue.check(n.topicPrev == tp, "topic links are consistent");
        PendingQueue.check(n.chain == c, "a chain holds only its own nodes");
        PendingQueue.check(
            tp == null || tp.order <= n.order, "a topic's chain follows stream order");
        long from = n.from();
        boolean inRun = from <= runTo;
        boolean thisLoose = n.sealed || (n.event != null && inRun);
        if (lastTo != Long.MIN_VALUE) {
          PendingQueue.check(from > lastTo, "a topic's seqs increase along its chain");
          PendingQueue.check(
              loose || thisLoose || from == lastTo + 1, "a topic's entries tile its seqs");
        }
        if (n.event != null) {
          chainEvents++;
          if (inRun) {
            runEvents++;
          }
        } else {
          PendingQueue.check(n.gap.from <= n.gap.to, "a marker names at least one seq");
          if (n.gap.reason == null) {
            conflatedMarkers++;
            PendingQueue.check(c.conflated == n, "the chain knows its conflated marker");
            run = n.gap;
            runTo = n.gap.to;
            runEvents = 0;
          } else {
            PendingQueue.check(
                !(ChainQueue.isDropped(tp, n.gap.reason) && tp.gap.to + 1 == n.gap.from),
                "touching markers of one topic and reason merge");
            PendingQueue.check(!inRun, "no dropped marker inside a compacted run");
          }
        }
        // A compacted run's survivors follow its marker inside its range.
        lastTo = ChainQueue.isConflated(n) ? n.gap.from - 1 : n.to();
        // What follows a survivor may skip the replaced seqs; what follows a run's last seq not.
        loose = n.sealed || (n.event != null && inRun && n.event.seq() < runTo);
        if (run != null && lastTo == runTo && n.event != null) {
          PendingQueue.check(
              run.kept == runEvents, "a conflated marker counts the survivors of its run");
        }
        tp = n;
      }
      PendingQueue.check(c.last == tp, "a chain's last is its last node");
      PendingQueue.check(c.events == chainEvents, "a chain counts its events");
      PendingQueue.check(conflatedMarkers <= 1, "at most one conflated marker per topic");
      PendingQueue.check(
          conflatedMarkers == 1 || c.conflated == null, "the chain's conflated marker is queued");
      if (run != null) {
        PendingQueue.check(
            runEvents == run.kept, "a compacted run ends with its survivors, seq to the last");
      }
      q.checkChain(c);
    }
    PendingQueue.check(chained == events + gaps, "every node sits in one chain");
    q.checkTotals(events, eventBytes, gaps);
  }
}
