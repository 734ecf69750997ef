package io.slipstream.cluster.feed;

import io.slipstream.cluster.log.LoggedChange;
import io.slipstream.core.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns one topic's committed batches, as they reach this node (out of order from several
 * publishers, some twice, some never), into the exact seq order of the authority's history: each
 * seq delivered once, none skipped (shared/notes/cluster.md §3.5).
 *
 * <p>Confined to the feed's owning thread (its event-loop context): no locks, no volatile fields.
 * Time comes from the injected {@link Clock}; the reorder sets no timers, so its owner calls
 * {@link #poll} now and then (every few tens of ms while {@link #waiting()}).
 *
 * <p>States: <em>syncing</em> (no position yet, or the history changed: batches are only held
 * until {@link #start}) and <em>live</em> at {@code (epoch, next)}. Live, a batch that starts at or
 * before {@code next} is delivered from {@code next} on (a duplicate is dropped), and whatever it
 * unblocks follows; a later one waits in the buffer. A gap becomes a fill request when a batch has
 * waited behind it for {@code gapWaitMs}, when the buffer would go over its bound, or when a tip
 * check shows seqs this node has not seen (tail loss). Another epoch, in a batch, a tip or a fill,
 * sends the topic back to syncing and asks the owner to resync from a snapshot.
 *
 * <p>Bounds: at most {@link ReorderLimits#maxBufferedChanges()} changes are held; a batch that does
 * not fit is dropped (the authority still has it, and a fill brings it back). At most one fill is
 * outstanding.
 */
final class TopicReorder {

  private final String topic;
  private final ReorderLimits limits;
  private final Clock clock;
  private final FeedSink sink;

  /** Held batches by first seq: live, all start after {@code next}; syncing, any. */
  private final TreeMap<Long, FeedBatch> buffer = new TreeMap<>();

  private int buffered;
  /** Null while syncing. */
  private String epoch;
  /** The next seq to deliver, when live. */
  private long next;
  /** The highest seq known to exist in this epoch (seen in a batch or a tip). */
  private long knownTip;
  /** When the current gap was first noticed (a batch waited behind it), or -1. */
  private long gapSince = -1;

  private boolean fillInFlight;
  private long fillIssuedAt;
  /** The outstanding fill's range {@code (fillAfter, fillTo]}. */
  private long fillAfter;
  private long fillTo;
  /** Not before this time may a fill be issued for a tail (after a failed one). */
  private long fillAllowedAt;

  TopicReorder(String topic, ReorderLimits limits, Clock clock, FeedSink sink) {
    this.topic = topic;
    this.limits = limits;
    this.clock = clock;
    this.sink = sink;
  }

  /**
   * Goes live at {@code (epoch, seq)}: the local replica holds everything up to {@code seq} (from a
   * validated snapshot). Held batches of other epochs are dropped, those of this epoch delivered
   * from {@code seq + 1} as far as they reach.
   */
  void start(String epoch, long seq) {
    this.epoch = epoch;
    this.next = seq + 1;
    this.knownTip = seq;
    this.fillInFlight = false;
    this.fillAllowedAt = clock.millis();
    buffer.values().removeIf(b -> {
      boolean stale = !b.epoch().equals(epoch) || b.lastSeq() < next;
      if (stale) {
        buffered -= b.size();
      } else {
        knownTip = Math.max(knownTip, b.lastSeq());
      }
      return stale;
    });
    gapSince = buffer.isEmpty() ? -1 : clock.millis();
    drain();
  }

  /** A batch pushed by a publishing node. */
  void offer(FeedBatch batch) {
    if (epoch == null) {
      hold(batch);
      return;
    }
    if (!batch.epoch().equals(epoch)) {
      resync();
      hold(batch);
      return;
    }
    accept(batch);
  }

  /**
   * The answer to the outstanding fill: contiguous {@code changes} from {@code firstSeq} (maybe
   * none, maybe fewer than asked for) of {@code epoch}.
   */
  void filled(String epoch, long firstSeq, List<LoggedChange> changes) {
    if (fillInFlight && firstSeq == fillAfter + 1) {
      fillInFlight = false;
    }
    // Otherwise a late answer to a fill given up on: its changes are as good as any batch's.
    if (this.epoch == null) {
      return;
    }
    if (!this.epoch.equals(epoch)) {
      resync();
      return;
    }
    if (!changes.isEmpty()) {
      accept(new FeedBatch(topic, epoch, firstSeq, changes));
    }
    if (next <= knownTip && !fillInFlight) {
      // Still behind: the read was capped, or more came meanwhile.
      issueFill();
    }
  }

  /**
   * The outstanding fill failed (indeterminate, no quorum): try again after {@code gapWaitMs}. A
   * failure of a fill already given up on or made redundant is ignored.
   */
  void fillFailed() {
    if (!fillInFlight) {
      return;
    }
    fillInFlight = false;
    fillAllowedAt = clock.millis() + limits.gapWaitMs();
  }

  /** The fill cannot be served from this epoch's ring (changed epoch, evicted, lost): resync. */
  void lost() {
    fillInFlight = false;
    if (epoch != null) {
      resync();
    }
  }

  /**
   * A tip check's answer: the primary is at {@code (tipEpoch, lastSeq)}, or has no entry ({@code
   * tipEpoch} null). Seqs beyond what this node has are filled at once; another epoch resyncs.
   */
  void tip(String tipEpoch, long lastSeq) {
    if (epoch == null) {
      return;
    }
    if (tipEpoch == null || !tipEpoch.equals(epoch)) {
      resync();
      return;
    }
    knownTip = Math.max(knownTip, lastSeq);
    if (next <= knownTip && !fillInFlight && clock.millis() >= fillAllowedAt) {
      issueFill();
    }
  }

  /** Times out a lost fill and fills a gap that has waited long enough. */
  void poll() {
    if (epoch == null) {
      return;
    }
    long now = clock.millis();
    if (fillInFlight && now - fillIssuedAt >= limits.fillTimeoutMs()) {
      fillInFlight = false;
    }
    if (fillInFlight || now < fillAllowedAt) {
      return;
    }
    boolean gapDue = gapSince >= 0 && now - gapSince >= limits.gapWaitMs();
    boolean tailDue = buffer.isEmpty() && next <= knownTip;
    if (gapDue || tailDue) {
      issueFill();
    }
  }

  /** Whether anything waits for time to pass: a gap, a known tail or a fill. */
  boolean waiting() {
    return epoch != null && (fillInFlight || !buffer.isEmpty() || next <= knownTip);
  }

  /** Whether live (has a position); false while syncing. */
  boolean live() {
    return epoch != null;
  }

  /** The next seq to deliver when live. */
  long next() {
    return next;
  }

  /** Changes held out of order now. */
  int buffered() {
    return buffered;
  }

  private void accept(FeedBatch b) {
    knownTip = Math.max(knownTip, b.lastSeq());
    if (b.lastSeq() < next) {
      return;
    }
    if (b.firstSeq() <= next) {
      deliverFrom(b);
      drain();
      return;
    }
    if (!hold(b)) {
      // Over the bound: the batch is dropped, and the gap up to it is read back now.
      if (!fillInFlight) {
        issueFill();
      }
    }
  }

  /** Buffers {@code b}; false when it does not fit the bound (nothing changes then). */
  private boolean hold(FeedBatch b) {
    FeedBatch same = buffer.get(b.firstSeq());
    if (same != null && same.epoch().equals(b.epoch()) && same.lastSeq() >= b.lastSeq()) {
      return true;
    }
    int extra = b.size() - (same == null ? 0 : same.size());
    if (buffered + extra > limits.maxBufferedChanges()) {
      return false;
    }
    if (buffer.isEmpty()) {
      gapSince = clock.millis();
    }
    buffer.put(b.firstSeq(), b);
    buffered += extra;
    return true;
  }

  /** Delivers whatever the buffer holds from {@code next} on, until the next gap. */
  private void drain() {
    boolean progressed = false;
    Map.Entry<Long, FeedBatch> first;
    while ((first = buffer.firstEntry()) != null && first.getKey() <= next) {
      FeedBatch b = first.getValue();
      buffer.pollFirstEntry();
      buffered -= b.size();
      if (b.lastSeq() >= next) {
        deliverFrom(b);
        progressed = true;
      }
    }
    if (buffer.isEmpty()) {
      gapSince = -1;
    } else if (progressed) {
      // A new gap: its batches have waited only since now, as far as this gap is concerned.
      gapSince = clock.millis();
    }
  }

  private void deliverFrom(FeedBatch b) {
    int from = (int) (next - b.firstSeq());
    next = b.lastSeq() + 1;
    if (fillInFlight && next > fillTo) {
      // Pushes brought everything the fill asked for; its answer will be dropped as duplicates.
      fillInFlight = false;
    }
    sink.deliver(b, from);
  }

  /** Asks for {@code next ..} up to the first held batch, or up to the known tip. */
  private void issueFill() {
    long to = buffer.isEmpty() ? knownTip : buffer.firstKey() - 1;
    if (to < next) {
      return;
    }
    fillInFlight = true;
    fillIssuedAt = clock.millis();
    fillAfter = next - 1;
    fillTo = to;
    sink.fill(topic, epoch, next - 1, to);
  }

  private void resync() {
    epoch = null;
    fillInFlight = false;
    knownTip = 0;
    gapSince = -1;
    sink.resync(topic);
  }
}
