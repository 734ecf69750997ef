package io.slipstream.core.topic;

import io.slipstream.core.replay.ReplayLog;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * One topic: keyed rows, its epoch, the gap-free sequencer and the replay log.
 *
 * <p>Single writer: {@link #apply} is called only from the topic's owning context. Every other
 * method is safe from any thread: {@link #view()} is a volatile read of an immutable {@link
 * TopicView} published after each batch, and the {@link ReplayLog} is lock-free for readers.
 * Because the view is replaced only after the batch's events are in the log, a reader that sees
 * seq S in the view finds every seq up to S in the log (while the window still holds it).
 */
public final class Topic {

  private static final SecureRandom EPOCH_RANDOM = new SecureRandom();

  private final String name;
  private final ReplayLog<ChangeEvent> log;
  private final ChangeEncoder encoder;
  private volatile TopicView view;

  /**
   * A new, empty topic with a fresh epoch.
   *
   * @param name a valid topic name (see {@link TopicName})
   * @param replayLogSize events the replay log keeps
   * @param encoder serializes each change once
   */
  public Topic(String name, int replayLogSize, ChangeEncoder encoder) {
    if (!TopicName.isValid(name)) {
      throw new IllegalArgumentException("invalid topic name " + name);
    }
    this.name = name;
    this.log = new ReplayLog<>(replayLogSize);
    this.encoder = encoder;
    this.view = new TopicView(newEpoch(), 0, RowMap.EMPTY);
  }

  /** A fresh epoch: unique across restarts with overwhelming probability. */
  public static String newEpoch() {
    return Long.toString(System.currentTimeMillis(), 36)
        + "-"
        + Long.toString(EPOCH_RANDOM.nextLong() & Long.MAX_VALUE, 36);
  }

  public String name() {
    return name;
  }

  /** The latest consistent state. */
  public TopicView view() {
    return view;
  }

  /** The replay log of the current epoch. */
  public ReplayLog<ChangeEvent> log() {
    return log;
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
    TopicView current = view;
    RowMap rows = current.rows();
    long seq = current.seq();
    // Build (and serialize) every event before touching the log: if the encoder throws, the
    // topic is left exactly as it was instead of half-appended.
    List<ChangeEvent> events = new ArrayList<>(changes.size());
    for (ChangeRequest c : changes) {
      seq++;
      events.add(new ChangeEvent(name, current.epoch(), seq, c.op(), c.key(), c.row(), ts, encoder));
      rows = c.op() == ChangeOp.DELETE ? rows.remove(c.key()) : rows.put(c.key(), new Row(c.row(), ts));
    }
    for (ChangeEvent e : events) {
      log.append(e);
    }
    view = new TopicView(current.epoch(), seq, rows);
    return events;
  }

  /**
   * Whether a subscriber at {@code from} can catch up from the replay log instead of taking a
   * snapshot: same epoch, and every change after it is still in the log.
   */
  public boolean canReplayFrom(Position from) {
    TopicView v = view;
    return from.epoch().equals(v.epoch()) && from.seq() <= v.seq() && log.covers(from.seq());
  }
}
