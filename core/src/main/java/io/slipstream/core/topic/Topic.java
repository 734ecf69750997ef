package io.slipstream.core.topic;

import io.slipstream.core.replay.ReplayLog;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * One topic: keyed rows, its epoch, the gap-free sequencer and the replay log.
 *
 * <p>Single writer: {@link #apply}, {@link #prepare}, {@link #commit} and {@link #reset} are called
 * only from the topic's owning context. Every other method is safe from any thread: {@link #view()}
 * and {@link #log()} read one volatile, immutable pair published after each batch, and the {@link
 * ReplayLog} is lock-free for readers. Because the pair is replaced only after the batch's events
 * are in the log, a reader that sees seq S in the view finds every seq up to S in the log (while
 * the window still holds it). A {@link #reset} replaces view and log together, so a reader never
 * pairs the new epoch with the old log or the other way round.
 *
 * <p>The topic also keeps an estimate of its memory, {@link #footprint()} (rows plus replay log),
 * which the node-wide topic-state budget adds up; {@link #prepare} tells how much a batch would add
 * before anything is applied, so a publish beyond the budget can be refused whole.
 */
public final class Topic {

  /** Bytes a row costs beyond its key and JSON text: trie leaf, {@link Row}, two Strings. */
  public static final int ROW_OVERHEAD_BYTES = 96;

  /** Bytes a logged event costs beyond its frame, key and row: the event and its arrays. */
  public static final int EVENT_OVERHEAD_BYTES = 64;

  private static final SecureRandom EPOCH_RANDOM = new SecureRandom();

  /** View and log, always replaced together. */
  private static final class State {
    final TopicView view;
    final ReplayLog<ChangeEvent> log;
    final boolean deleted;

    State(TopicView view, ReplayLog<ChangeEvent> log, boolean deleted) {
      this.view = view;
      this.log = log;
      this.deleted = deleted;
    }
  }

  private final String name;
  private final int replayLogSize;
  private final long replayLogBytes;
  private final ChangeEncoder encoder;
  private volatile State state;
  /**
   * A follower replica of a cluster's authority (docs/cluster.md): it may lag the history its
   * clients have seen on other nodes, so a position ahead of it in its epoch is waited for rather
   * than refused. Set once, before the topic is shared.
   */
  private volatile boolean follower;
  // Owner-thread bookkeeping of the rows' estimated bytes.
  private long rowBytes;

  /**
   * A new, empty topic with a fresh epoch whose replay log is bounded in events only.
   *
   * @param name a valid topic name (see {@link TopicName})
   * @param replayLogSize events the replay log keeps
   * @param encoder serializes each change once
   */
  public Topic(String name, int replayLogSize, ChangeEncoder encoder) {
    this(name, replayLogSize, Long.MAX_VALUE, encoder);
  }

  /**
   * A new, empty topic with a fresh epoch.
   *
   * @param name a valid topic name (see {@link TopicName})
   * @param replayLogSize events the replay log keeps ({@code replayLogSize})
   * @param replayLogBytes bytes the replay log keeps, as {@link #eventBytes} counts them ({@code
   *     replayLogBytes})
   * @param encoder serializes each change once
   */
  public Topic(String name, int replayLogSize, long replayLogBytes, ChangeEncoder encoder) {
    if (!TopicName.isValid(name)) {
      throw new IllegalArgumentException("invalid topic name " + name);
    }
    this.name = name;
    this.replayLogSize = replayLogSize;
    this.replayLogBytes = replayLogBytes;
    this.encoder = encoder;
    this.state = new State(new TopicView(newEpoch(), 0, RowMap.EMPTY), newLog(), false);
  }

  /** A fresh epoch: unique across restarts with overwhelming probability. */
  public static String newEpoch() {
    return Long.toString(System.currentTimeMillis(), 36)
        + "-"
        + Long.toString(EPOCH_RANDOM.nextLong() & Long.MAX_VALUE, 36);
  }

  /** The estimated bytes of a row held under {@code key}. */
  public static long rowBytes(String key, String json) {
    return ROW_OVERHEAD_BYTES + key.length() + json.length();
  }

  /**
   * The estimated bytes of an event in the replay log; also what {@code replayLogBytes} counts. The
   * row text is counted although the current row may share it: an estimate that errs high.
   */
  public static long eventBytes(ChangeEvent e) {
    return EVENT_OVERHEAD_BYTES
        + e.size()
        + e.key().length()
        + (e.row() == null ? 0 : e.row().length());
  }

  public String name() {
    return name;
  }

  /**
   * Marks this topic as a follower replica: {@link #canReplayFrom} then accepts a position ahead of
   * it in its epoch, since a client may come from a node the replica has not caught up with yet;
   * the subscription skips the changes the client already has as they arrive. Call before the
   * topic is shared.
   *
   * @return this topic
   */
  public Topic follow() {
    follower = true;
    return this;
  }

  /** Whether this topic is a follower replica ({@link #follow}). */
  public boolean isFollower() {
    return follower;
  }

  /** What serializes this topic's changes; a follower builds the events it restores with it. */
  public ChangeEncoder encoder() {
    return encoder;
  }

  /** The latest consistent state. */
  public TopicView view() {
    return state.view;
  }

  /** The replay log of the current epoch. */
  public ReplayLog<ChangeEvent> log() {
    return state.log;
  }

  /**
   * Whether the current epoch began with a {@link #reset} (a {@code DELETE} of the topic,
   * docs/protocol.md §10), so that a subscriber of an earlier epoch is told {@code reset {reason:
   * deleted}}.
   */
  public boolean wasDeleted() {
    return state.deleted;
  }

  /** The estimated bytes of rows and replay log. Owner thread only. */
  public long footprint() {
    return rowBytes + state.log.footprint();
  }

  /**
   * Applies changes in order, giving each the next seq, appending it to the replay log, and then
   * publishing the new view. Owner thread only.
   *
   * @param changes validated changes, applied all together
   * @param ts publish time, ms since the Unix epoch
   * @return the sequenced events, in seq order
   */
  public List<ChangeEvent> apply(List<ChangeRequest> changes, long ts) {
    return commit(prepare(changes, ts));
  }

  /**
   * Builds (and serializes) a batch without applying anything, and measures what it would add to
   * {@link #footprint()}. Owner thread only; commit it before anything else changes the topic.
   *
   * @param changes validated changes, applied all together
   * @param ts publish time, ms since the Unix epoch
   */
  public Prepared prepare(List<ChangeRequest> changes, long ts) {
    State current = state;
    TopicView view = current.view;
    RowMap rows = view.rows();
    long seq = view.seq();
    long rowDelta = 0;
    // Build (and serialize) every event before touching the log: if the encoder throws, the
    // topic is left exactly as it was instead of half-appended.
    List<ChangeEvent> events = new ArrayList<>(changes.size());
    long[] sizes = new long[changes.size()];
    for (ChangeRequest c : changes) {
      seq++;
      ChangeEvent e =
          new ChangeEvent(name, view.epoch(), seq, c.op(), c.key(), c.row(), ts, encoder);
      sizes[events.size()] = eventBytes(e);
      events.add(e);
      Row old = rows.get(c.key());
      if (old != null) {
        rowDelta -= rowBytes(c.key(), old.json());
      }
      if (c.op() == ChangeOp.DELETE) {
        rows = rows.remove(c.key());
      } else {
        rows = rows.put(c.key(), new Row(c.row(), ts));
        rowDelta += rowBytes(c.key(), c.row());
      }
    }
    long logDelta = current.log.footprintGrowth(sizes);
    return new Prepared(
        current, events, new TopicView(view.epoch(), seq, rows), rowDelta, logDelta);
  }

  /**
   * Applies a prepared batch: appends its events to the log, then publishes the new view. Owner
   * thread only.
   *
   * @return the sequenced events, in seq order
   * @throws IllegalStateException if the topic changed since {@code p} was prepared (a bug)
   */
  public List<ChangeEvent> commit(Prepared p) {
    State current = state;
    if (p.base != current) {
      throw new IllegalStateException("topic " + name + " changed since the batch was prepared");
    }
    for (ChangeEvent e : p.events) {
      current.log.append(e);
    }
    rowBytes += p.rowDelta;
    state = new State(p.view, current.log, current.deleted);
    return p.events;
  }

  /**
   * Empties the topic under a new epoch: no rows, an empty replay log. Owner thread only.
   *
   * @return the new epoch
   */
  public String reset() {
    String epoch = newEpoch();
    rowBytes = 0;
    state = new State(new TopicView(epoch, 0, RowMap.EMPTY), newLog(), true);
    return epoch;
  }

  /**
   * Replaces the whole state with a copy of the authority's (a follower replica's bootstrap or
   * resync, docs/cluster.md): {@code rows} at {@code seq} of {@code epoch}, and a replay log
   * holding {@code tail}, the newest changes up to {@code seq}. Readers see old or new state,
   * never a mix, as with {@link #reset}. Owner thread only.
   *
   * @param tail gap-free changes of {@code epoch} ending at {@code seq}, oldest first; may be
   *     empty (the log then starts after {@code seq})
   */
  public void restore(String epoch, long seq, RowMap rows, List<ChangeEvent> tail) {
    restore(epoch, seq, rows, tail, false);
  }

  /**
   * As {@link #restore(String, long, RowMap, List)}; {@code deleted} says the new epoch began with
   * a {@code DELETE} on the authority, so that {@link #wasDeleted()} tells subscribers so.
   */
  public void restore(
      String epoch, long seq, RowMap rows, List<ChangeEvent> tail, boolean deleted) {
    if (epoch == null || seq < 0 || rows == null || tail == null) {
      throw new IllegalArgumentException("epoch, seq >= 0, rows and tail are required");
    }
    long first = seq - tail.size() + 1;
    ReplayLog<ChangeEvent> log = newLog();
    log.startAfter(first - 1);
    for (ChangeEvent e : tail) {
      if (!epoch.equals(e.epoch())) {
        throw new IllegalArgumentException("tail event of another epoch: " + e);
      }
      log.append(e);
    }
    long bytes = 0;
    for (RowMap.Entry r : rows) {
      bytes += rowBytes(r.key(), r.row().json());
    }
    rowBytes = bytes;
    state = new State(new TopicView(epoch, seq, rows), log, deleted);
  }

  /**
   * Whether a subscriber at {@code from} can catch up from the replay log instead of taking a
   * snapshot: same epoch, and every change after it is still in the log.
   */
  public boolean canReplayFrom(Position from) {
    State s = state;
    TopicView v = s.view;
    if (!from.epoch().equals(v.epoch())) {
      return false;
    }
    // A follower that lags the client will bring the missing changes live; the subscription
    // skips up to from.seq meanwhile.
    return follower && from.seq() > v.seq() || s.log.covers(from.seq());
  }

  private ReplayLog<ChangeEvent> newLog() {
    return new ReplayLog<>(replayLogSize, replayLogBytes, Topic::eventBytes);
  }

  /**
   * A batch built by {@link #prepare} and not yet applied: its events and the footprint it would
   * add. Immutable; valid only until the topic changes.
   */
  public static final class Prepared {
    private final State base;
    private final List<ChangeEvent> events;
    private final TopicView view;
    private final long rowDelta;
    private final long logDelta;

    private Prepared(
        State base, List<ChangeEvent> events, TopicView view, long rowDelta, long logDelta) {
      this.base = base;
      this.events = events;
      this.view = view;
      this.rowDelta = rowDelta;
      this.logDelta = logDelta;
    }

    /** The events the batch would append, in seq order. */
    public List<ChangeEvent> events() {
      return events;
    }

    /** How much {@link Topic#footprint()} would change; negative when it would shrink. */
    public long growthBytes() {
      return rowDelta + logDelta;
    }
  }
}
