package io.slipstream.core.buffer;

import io.slipstream.core.message.DropReason;
import io.slipstream.core.time.Clock;
import io.slipstream.core.topic.ChangeEvent;

/**
 * One connection's bounded queue of outbound live events and the {@code dropped} and {@code
 * conflated} markers between them (docs/protocol.md §6).
 *
 * <p>Confined to its connection's event loop: no locks, no volatile fields.
 *
 * <p>Bounds: events and markers are both entries, and together they never exceed the effective
 * bound: {@link BufferLimits#maxEvents()} entries and {@link BufferLimits#maxBytes()} bytes, a
 * marker weighing {@link #MARKER_BYTES}, unless {@link #effectiveMax} has lowered it (an adaptive
 * QoS class), the byte bound in proportion. A bound lowered below what is queued applies at once
 * and drops nothing then: the queue keeps what it holds, counts as full, and the policy acts on
 * each new event, so the queue never grows past what it held and shrinks to the bound as the
 * client reads (the excess is what was queued at the shrink, and it only falls). The fill and both
 * thresholds are measured against the effective bound.
 *
 * <p>Gaps left by dropping are kept as markers in the stream position of the missing events, so a
 * client can always tell which seqs it lacks; adjacent ranges of one topic
 * merge into one marker (markers of different {@link io.slipstream.core.message.DropReason}s never
 * merge). A policy that needs room for a marker drops one more event into it; when even the markers
 * of everything queued would not fit (more topics than the bounds can name), the event is refused
 * with {@link OfferOutcome#DISCONNECT} under every policy (under drop-oldest, drop-newest and
 * disconnect with nothing changed; the others may have dropped first, all accounted for). Each
 * policy lives in its own {@link PendingQueue}; {@code by-age} reads the injected clock to age
 * events, lazily on offer and poll.
 *
 * <p>The buffer also tracks the two thresholds of its fill, {@code warn} (a one-shot {@link
 * #takeWarning()}, re-armed after {@code warnRearmMs} below it) and {@code disconnect} (since when
 * the fill is there, dips of up to {@link #DIP_TOLERANCE_MS} tolerated): {@link FillThresholds},
 * told of every change of the fill, on the injected clock, without timers.
 *
 * <p>The fill also counts the changes the connection's stalled catch-ups lag their topics by
 * ({@link #behind(long)}): they are not queued here (the replay log holds them, docs/protocol.md
 * §5), but a client that stops reading in the middle of a snapshot falls behind its topics as
 * surely as one whose buffer fills, and must meet the same {@code warning} and 4001. They hold no
 * memory here, so they are never dropped, and they count at most a full buffer.
 */
public final class ClientBuffer {

  /**
   * The longest dip below {@code disconnect} that still counts as "no pause" in the
   * sustained-disconnect condition, in ms.
   */
  public static final long DIP_TOLERANCE_MS = 250;

  /**
   * Default {@code warnRearmMs}: how long, in ms, the fill must stay below {@code warn} before
   * another upward crossing sends another {@code warning} (docs/protocol.md §4).
   */
  public static final long DEFAULT_WARN_REARM_MS = 1_000;

  /**
   * What one queued {@code dropped} marker weighs against {@code buffer.maxBytes}, in bytes: about
   * its encoded size, 75 bytes of fixed JSON plus a topic of some 24 characters and three ten-digit
   * numbers.
   */
  public static final int MARKER_BYTES = 128;

  private final Clock clock;
  private final FillThresholds thresholds;

  /** The bounds, thresholds and policy in force; changed by {@link #retarget}. */
  private BufferLimits limits;

  private PendingQueue queue;

  /** The effective bound in entries: {@code limits.maxEvents()} unless {@link #effectiveMax}. */
  private int boundEvents;

  /** The effective bound in bytes: {@code limits.maxBytes()} scaled as {@link #boundEvents}. */
  private long boundBytes;

  /**
   * Limits {@link #retarget} asked for that cannot apply yet (what is queued does not fit them, or
   * their policy differs and entries are queued); null when none wait.
   */
  private BufferLimits nextLimits;

  /** Changes published that catching-up subscriptions have not sent yet; not queued here. */
  private long behind;

  /** The largest event that {@link #passesThrough}; -1: none. Kept by {@link #afterChange}. */
  private long passBytes = -1;

  /*
   * The queue's figures that a delivery reads (whether it is empty, its bytes, its drop counts),
   * copied here after every change: a delivery that passes through then reads this object only,
   * not the queue's too (one cache miss fewer per connection, docs/benchmarks.md).
   */
  private boolean empty = true;
  private long bytes;
  private long dropped;
  private long conflated;

  /**
   * An empty buffer with the given bounds and the default {@link #DEFAULT_WARN_REARM_MS}, timing on
   * {@code clock}.
   */
  public ClientBuffer(BufferLimits limits, Clock clock) {
    this(limits, DEFAULT_WARN_REARM_MS, clock);
  }

  /**
   * An empty buffer with the given bounds, timing the warning's re-arm and the sustained fill on
   * {@code clock}.
   *
   * @param warnRearmMs how long the fill must stay below {@code warn} before the next upward
   *     crossing warns again ({@code warnRearmMs}); 0 re-arms on any fall below {@code warn}
   */
  public ClientBuffer(BufferLimits limits, long warnRearmMs, Clock clock) {
    this.thresholds = new FillThresholds(warnRearmMs, clock);
    this.queue = PendingQueue.of(limits, clock);
    this.limits = limits;
    this.boundEvents = limits.maxEvents();
    this.boundBytes = limits.maxBytes();
    this.clock = clock;
    updatePassBytes();
  }

  /** The bounds, thresholds and policy in force, of the class ({@link #effectiveMaxEvents}). */
  public BufferLimits limits() {
    return limits;
  }

  /**
   * Sets the effective bound to {@code maxEvents} entries and {@code ceil(limits().maxBytes() *
   * maxEvents / limits().maxEvents())} bytes (an adaptive QoS class, docs/protocol.md §6), at
   * once. A larger bound gives room at once; a smaller one than what is queued drops nothing now:
   * the policy acts as new events arrive, until what is queued is within it. Lasts until the limits
   * in force change ({@link #retarget}), which restores the full bound. O(1).
   *
   * @param maxEvents 1 to {@code limits().maxEvents()}
   */
  public void effectiveMax(int maxEvents) {
    if (maxEvents < 1 || maxEvents > limits.maxEvents()) {
      throw new IllegalArgumentException(
          "effective max must be 1 to buffer.max (" + limits.maxEvents() + "), was " + maxEvents);
    }
    if (maxEvents == boundEvents) {
      return;
    }
    boundEvents = maxEvents;
    boundBytes = scaledBytes(limits, maxEvents);
    afterChange();
  }

  /** The effective bound in entries: what the fill, {@code warning.max} and the policy use. */
  public int effectiveMaxEvents() {
    return boundEvents;
  }

  /** The effective bound in bytes: {@code buffer.maxBytes} in proportion to the entries. */
  public long effectiveMaxBytes() {
    return boundBytes;
  }

  /** {@code ceil(maxBytes * events / maxEvents)}, exactly and without overflow. */
  static long scaledBytes(BufferLimits limits, int events) {
    long max = limits.maxEvents();
    long whole = limits.maxBytes() / max;
    long rest = limits.maxBytes() % max;
    // rest < max < 2^31 and events < 2^31: the product fits; whole * events <= maxBytes.
    return whole * events + (rest * events + max - 1) / max;
  }

  /**
   * Gives the queue the effective bound, or what it holds while that is more: called after every
   * change, so the allowance over the bound only ever falls.
   */
  private void bindQueue() {
    queue.rebound(Math.max(boundEvents, queue.entries), Math.max(boundBytes, queue.bytes));
  }

  /**
   * Moves this buffer to {@code next} (a connection changing QoS class, docs/protocol.md §5)
   * without dropping anything on the way: bounds that what is queued fits, of the same policy (and
   * {@code maxAgeMs} and priorities), apply at once; otherwise {@code next} applies as soon as they
   * do (bounds) or the buffer is empty (a different policy), and until then the current limits stay
   * in force. So a stalled client moved to a larger class of its policy gets the room at once, and
   * no policy ever has to act on a queue it did not build. A later call replaces a waiting one.
   */
  public void retarget(BufferLimits next) {
    nextLimits = next.equals(limits) ? null : next;
    applyNextLimits();
    afterChange();
  }

  /** The limits {@link #retarget} asked for that wait to apply; null when none wait. */
  public BufferLimits waitingLimits() {
    return nextLimits;
  }

  /** Whether a queue built for {@code a} serves {@code b} with other bounds only. */
  private static boolean sameQueue(BufferLimits a, BufferLimits b) {
    return a.policy() == b.policy()
        && a.maxAgeMs() == b.maxAgeMs()
        && a.priorities().equals(b.priorities());
  }

  private void applyNextLimits() {
    BufferLimits next = nextLimits;
    if (next == null) {
      return;
    }
    if (sameQueue(next, limits)) {
      if (queue.entries <= next.maxEvents() && queue.bytes <= next.maxBytes()) {
        queue.rebound(next.maxEvents(), next.maxBytes());
        applied(next);
      }
    } else if (queue.isEmpty()) {
      PendingQueue old = queue;
      queue = PendingQueue.of(next, clock);
      queue.droppedEvents = old.droppedEvents;
      System.arraycopy(old.droppedBy, 0, queue.droppedBy, 0, old.droppedBy.length);
      queue.conflatedEvents = old.conflatedEvents;
      applied(next);
    }
  }

  /** {@code next} is in force, with its full bound. */
  private void applied(BufferLimits next) {
    limits = next;
    nextLimits = null;
    boundEvents = next.maxEvents();
    boundBytes = next.maxBytes();
  }

  /** How long the fill must stay below {@code warn} before the warning re-arms, in ms. */
  public long warnRearmMs() {
    return thresholds.warnRearmMs();
  }

  /**
   * Queues a live event, applying the drop policy when the buffer is full. The seqs of one topic
   * are offered consecutively (after {@link #discardTopic} a topic may restart anywhere), which is
   * what lets a marker name its range by its ends.
   *
   * @return what happened; {@link OfferOutcome#DISCONNECT} refuses the event (under {@code
   *     drop-oldest}, {@code drop-newest} and {@code disconnect} having changed nothing)
   */
  public OfferOutcome offer(ChangeEvent event) {
    OfferOutcome outcome = queue.offer(event);
    // Also after a refusal: the policies that drop from anywhere may have dropped before refusing.
    afterChange();
    return outcome;
  }

  /**
   * Drops this buffer's oldest live events for {@code reason}, under every policy, until its
   * pending bytes have fallen by at least {@code bytes}: the node's buffers together are over
   * {@code buffer.budgetBytes} and this connection is among those furthest behind (docs/protocol.md
   * §6). Each dropped event is accounted for by a {@code dropped} marker of {@code reason} in its
   * stream position, like any other drop, and the bounds hold throughout. Sheds less when fewer
   * events are queued (markers stay: they are the accounting), or when the next event is smaller
   * than the marker it would open and the byte bound has no room for it.
   *
   * @return the bytes freed, at least {@code bytes} unless nothing more could be shed
   */
  public long shed(long bytes, DropReason reason) {
    if (reason == null) {
      throw new IllegalArgumentException("shed needs a drop reason");
    }
    if (bytes <= 0) {
      return 0;
    }
    long freed = queue.shed(bytes, reason);
    // Also when no bytes were freed: merging drops free entries, so the fill may have changed.
    applyNextLimits();
    afterChange();
    return freed;
  }

  /**
   * Hands the oldest entry, a change or a gap, to {@code sink}.
   *
   * @return false when the buffer was empty
   */
  public boolean poll(BufferSink sink) {
    Object head = queue.poll();
    if (head == null) {
      return false;
    }
    if (nextLimits != null) {
      applyNextLimits();
    }
    afterChange();
    if (head instanceof ChangeEvent) {
      sink.change((ChangeEvent) head);
    } else {
      Gap g = (Gap) head;
      if (g.isConflated()) {
        sink.conflated(g.topic, g.from, g.to, g.count());
      } else {
        sink.dropped(g.topic, g.from, g.to, g.count(), g.reason);
      }
    }
    return true;
  }

  /**
   * Whether {@code e} may skip this buffer and go straight to a socket with room: nothing is queued
   * or behind, and {@code e} alone would keep the fill below both thresholds. Then {@link #offer}
   * followed by {@link #poll} would accept it under every policy, hand it straight back and leave
   * the buffer as it was (the thresholds saw a fill below {@code warn} before, and would see one
   * again), so skipping both changes nothing but the work: the fan-out's usual delivery, to a
   * client that keeps up, costs no queue node, no link and no fill computed twice. O(1).
   */
  public boolean passesThrough(ChangeEvent e) {
    // One field of this object per delivery: the fan-out's cost is its cache misses, one per
    // object it touches per connection, not its arithmetic.
    return e.size() <= passBytes;
  }

  /**
   * Recomputes {@link #passBytes} after a change: the largest event that alone keeps the fill, as
   * {@link #fill()} computes it, below both thresholds, or -1 while nothing may pass.
   */
  private void updatePassBytes() {
    double below = Math.min(limits.warn(), limits.disconnect());
    if (behind != 0 || !empty || 1.0 / boundEvents >= below) {
      passBytes = -1;
    } else if (below > 1) {
      passBytes = Long.MAX_VALUE; // a fill is at most 1
    } else {
      // The fill grows with the size: step from the estimate to the exact edge.
      long s = Math.min(boundBytes, (long) (below * boundBytes));
      while (s >= 0 && (double) s / boundBytes >= below) {
        s--;
      }
      while (s < boundBytes && (double) (s + 1) / boundBytes < below) {
        s++;
      }
      passBytes = s;
    }
  }

  /** Whether nothing (no change, no gap) is waiting. */
  public boolean isEmpty() {
    return empty;
  }

  /**
   * Entries waiting: live events and {@code dropped} markers, both of which count against {@code
   * buffer.max} (docs/protocol.md §6).
   */
  public int pending() {
    return queue.entries;
  }

  /** Bytes waiting: the frames of the events plus {@link #MARKER_BYTES} per marker. */
  public long pendingBytes() {
    return bytes;
  }

  /**
   * Sets how many changes the connection's catching-up subscriptions lag their topics by, as the
   * caller counts them (the server: changes published while a catch-up stood still, which a live
   * subscription would hold here). They count toward {@link #fill()} like queued entries, up to a
   * full buffer, but take no room and are never dropped. Call it whenever the lag changes.
   */
  public void behind(long changes) {
    if (changes < 0) {
      throw new IllegalArgumentException("behind must not be negative, was " + changes);
    }
    if (changes != behind) {
      behind = changes;
      afterChange();
    }
  }

  /** The lag of the catching-up subscriptions last set by {@link #behind(long)}. */
  public long behind() {
    return behind;
  }

  /** Markers waiting; for tests. */
  int markers() {
    return queue.markers;
  }

  /** Events this buffer has dropped since it was made. */
  public long droppedEvents() {
    return dropped;
  }

  /** Events this buffer has dropped for {@code reason} since it was made. */
  public long droppedEvents(DropReason reason) {
    return queue.droppedBy[reason.ordinal()];
  }

  /**
   * Events this buffer has conflated away (replaced by a newer event of their key, counted by a
   * {@code conflated} marker) since it was made; not among {@link #droppedEvents()}.
   */
  public long conflatedEvents() {
    return conflated;
  }

  /**
   * {@code max(min(max, pending + behind) / max, min(maxBytes, pendingBytes) / maxBytes)} over the
   * effective bound: 0 to 1 (the lag counts up to a full buffer, and so does what a shrunk bound
   * left queued beyond it).
   */
  public double fill() {
    long entries = Math.min(boundEvents, queue.entries + behind);
    return Math.max(
        (double) entries / boundEvents, (double) Math.min(boundBytes, queue.bytes) / boundBytes);
  }

  /**
   * Returns true once after each upward crossing of {@code warn} that found the warning armed; the
   * caller then sends one {@code warning}.
   */
  public boolean takeWarning() {
    return thresholds.takeWarning();
  }

  /**
   * When the fill reached {@code disconnect} without a dip longer than {@link #DIP_TOLERANCE_MS}
   * since, in clock millis; -1 when it is not there now.
   */
  public long overDisconnectSince() {
    return thresholds.overDisconnectSince();
  }

  /**
   * Whether the fill has stayed at or above {@code disconnect}, without pause, for {@code
   * sustainMs}.
   */
  public boolean sustainedOverDisconnect(long sustainMs) {
    return thresholds.sustainedOverDisconnect(sustainMs);
  }

  /**
   * Forgets every queued event and gap of {@code topic}, as when its subscription ends or restarts.
   * O(pending).
   */
  public void discardTopic(String topic) {
    queue.discardTopic(topic);
    applyNextLimits();
    afterChange();
  }

  /** Empties the buffer and re-arms the warning, as when the connection closes. */
  public void clear() {
    queue.clear();
    applyNextLimits();
    behind = 0;
    thresholds.reset();
    afterChange();
  }

  /**
   * Checks the structure's invariants; for tests.
   *
   * @throws IllegalStateException naming the broken invariant
   */
  public void checkInvariants() {
    queue.checkInvariants();
    long byReason = 0;
    for (long n : queue.droppedBy) {
      byReason += n;
    }
    PendingQueue.check(byReason == queue.droppedEvents, "every drop is counted under its reason");
    PendingQueue.check(
        boundEvents >= 1
            && boundEvents <= limits.maxEvents()
            && boundBytes == scaledBytes(limits, boundEvents),
        "the effective bound lies within the limits in force, the bytes in proportion");
    PendingQueue.check(
        queue.maxEntries == Math.max(boundEvents, queue.entries)
            && queue.maxBytes == Math.max(boundBytes, queue.bytes),
        "the queue enforces the effective bound, or holds no more than it did since it shrank");
    PendingQueue.check(
        nextLimits == null
            || (sameQueue(nextLimits, limits)
                ? queue.entries > nextLimits.maxEvents() || queue.bytes > nextLimits.maxBytes()
                : !queue.isEmpty()),
        "waiting limits wait only while they cannot apply");
    PendingQueue.check(behind >= 0, "the catch-up lag is not negative");
    PendingQueue.check(
        empty == queue.isEmpty()
            && bytes == queue.bytes
            && dropped == queue.droppedEvents
            && conflated == queue.conflatedEvents,
        "the copies of the queue's figures are the queue's");
    thresholds.checkInvariants(fill(), limits);
  }

  private void afterChange() {
    empty = queue.isEmpty();
    bytes = queue.bytes;
    dropped = queue.droppedEvents;
    conflated = queue.conflatedEvents;
    bindQueue();
    thresholds.onFill(fill(), limits);
    updatePassBytes();
  }
}
