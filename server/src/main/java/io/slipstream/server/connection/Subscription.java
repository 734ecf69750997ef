package io.slipstream.server.connection;

import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.Position;
import io.slipstream.core.topic.RowMap;
import io.slipstream.core.topic.Topic;
import io.slipstream.core.topic.TopicView;
import io.slipstream.server.protocol.ChangeFrames;
import io.slipstream.server.protocol.Outbound;
import io.slipstream.server.protocol.Outbound.Mode;
import io.slipstream.server.protocol.Outbound.ResetReason;
import io.slipstream.server.topic.TopicRegistry;
import java.util.Iterator;

/**
 * One topic of one connection: first catching up (snapshot and/or replay, generated lazily one
 * frame at a time as the socket takes them), then live.
 *
 * <p>Confined to its connection's event loop.
 *
 * <p>Catch-up never copies the topic: the snapshot iterates the persistent row map as of seq S,
 * and the replay reads the shared replay log from the cursor on. Live events that arrive while
 * catching up are ignored, because the replay log will supply them; the subscription turns live
 * only when its cursor has reached the log's newest seq, and from then on takes every live event
 * after the cursor. If the log overtakes the cursor (the client reads slower than the topic
 * changes for a whole log's length), a {@code reset} starts a new snapshot; so does a live event
 * of another epoch (the topic was deleted: {@code reset {reason: deleted}}, then the new, empty
 * epoch's snapshot).
 */
final class Subscription {

  private enum Step {
    ANNOUNCE,
    SNAPSHOT_BEGIN,
    SNAPSHOT_ROWS,
    SNAPSHOT_END,
    REPLAY,
    LIVE
  }

  final String topic;

  /** The registry entry that counts this connection as a subscriber of the topic. */
  final TopicRegistry.Entry entry;

  private final Topic source;
  private final Object requestId;

  private Step step;
  private Mode mode;
  /** Snapshot rows handed out; {@link #rowsReported} of them are in the meters. */
  private long rowsStreamed;

  /** What of {@link #rowsStreamed} the meters have heard of; the connection's to keep. */
  long rowsReported;
  private String epoch;
  /** Last seq delivered or covered (by the snapshot) in this subscription. */
  private long cursor;
  private TopicView snapshot;
  private Iterator<RowMap.Entry> rows;
  private byte[] pendingReset;
  /** Where this subscription started: the snapshot's seq or the replay's {@code from.seq}. */
  private long startSeq;
  /** The highest seq the client acknowledged in this subscription, -1 before any. */
  private long acked = -1;
  /**
   * The topic's newest seq when this catch-up last moved (began, or produced a frame): changes
   * after it arrived while the catch-up stood still, and count as its lag ({@link #lag()}).
   */
  private long liveMark;

  /**
   * @param entry the entry that counted the connection ({@link TopicRegistry.Entry#subscribed()}),
   *     whose topic is read
   */
  Subscription(String topic, TopicRegistry.Entry entry, Object requestId) {
    this.topic = topic;
    this.entry = entry;
    this.source = entry.topic();
    this.requestId = requestId;
  }

  /**
   * Starts catching up; call only once the hub has joined this topic.
   *
   * @param from where the client stands, or null for a snapshot
   * @param resetIfNotReplayable whether a position that cannot be replayed is announced with a
   *     {@code reset} (on resume) or silently answered with a snapshot (on subscribe)
   */
  void begin(Position from, boolean resetIfNotReplayable) {
    if (from != null && source.canReplayFrom(from)) {
      mode = Mode.REPLAY;
      epoch = from.epoch();
      cursor = from.seq();
      startSeq = cursor;
      acked = -1;
      liveMark = source.log().lastSeq();
      step = Step.ANNOUNCE;
      return;
    }
    if (from != null && resetIfNotReplayable) {
      ResetReason reason =
          from.epoch().equals(source.view().epoch())
              ? ResetReason.OUT_OF_WINDOW
              : ResetReason.EPOCH_CHANGED;
      pendingReset = Outbound.reset(topic, reason);
    }
    startSnapshot();
  }

  private void startSnapshot() {
    snapshot = source.view();
    mode = Mode.SNAPSHOT;
    epoch = snapshot.epoch();
    cursor = snapshot.seq();
    startSeq = cursor;
    acked = -1;
    liveMark = cursor;
    rows = null;
    step = Step.ANNOUNCE;
  }

  /** Whether it catches up by replay (else by snapshot), once begun. */
  boolean replaying() {
    return mode == Mode.REPLAY;
  }

  /** Whether its beginning announces a {@code reset} first. */
  boolean resetting() {
    return pendingReset != null;
  }

  /** Snapshot rows it has handed out, over its snapshots. */
  long rowsStreamed() {
    return rowsStreamed;
  }

  /** Records a client's {@code ack}; a seq not yet delivered is capped at the cursor. */
  void ack(long seq) {
    acked = Math.max(acked, Math.min(seq, cursor));
  }

  /**
   * Where a resumed session continues this topic when the client names no position: after its
   * last ack; after {@code from} for a replay it never acked; nowhere (a new snapshot) for a
   * snapshot it never acked, since nothing proves the client has it.
   */
  Position resumePosition() {
    if (epoch == null) {
      return null;
    }
    if (acked >= startSeq) {
      return new Position(epoch, acked);
    }
    return mode == Mode.REPLAY ? new Position(epoch, startSeq) : null;
  }

  boolean isLive() {
    return step == Step.LIVE;
  }

  long cursor() {
    return cursor;
  }

  /**
   * How many changes this subscription fell behind while its catch-up stood still: those published
   * since it last moved (began, or produced a frame) that it has not sent yet, which a live
   * subscription would hold in the buffer; 0 once live. What it was asked to replay, or what was
   * published while it kept moving, is not lag: a catch-up that moves only takes longer
   * (docs/protocol.md §5).
   */
  long lag() {
    if (step == Step.LIVE) {
      return 0;
    }
    return Math.max(0, source.log().lastSeq() - Math.max(cursor, liveMark));
  }

  /**
   * The next catch-up frame, or null when the subscription has caught up and is now live.
   */
  byte[] nextCatchUpFrame() {
    byte[] frame = nextFrame();
    if (frame != null) {
      liveMark = source.log().lastSeq();
    }
    return frame;
  }

  private byte[] nextFrame() {
    switch (step) {
      case ANNOUNCE:
        if (pendingReset != null) {
          byte[] reset = pendingReset;
          pendingReset = null;
          return reset;
        }
        step = mode == Mode.SNAPSHOT ? Step.SNAPSHOT_BEGIN : Step.REPLAY;
        return Outbound.subscribed(requestId, topic, epoch, cursor, mode);
      case SNAPSHOT_BEGIN:
        step = Step.SNAPSHOT_ROWS;
        rows = snapshot.rows().iterator();
        return Outbound.snapshotBegin(topic, epoch, cursor, snapshot.rows().size());
      case SNAPSHOT_ROWS:
        if (rows.hasNext()) {
          rowsStreamed++;
          RowMap.Entry e = rows.next();
          return ChangeFrames.snapshotRow(topic, epoch, cursor, e.key(), e.row());
        }
        step = Step.SNAPSHOT_END;
        rows = null;
        snapshot = null;
        return Outbound.snapshotEnd(topic, epoch, cursor);
      case SNAPSHOT_END:
      case REPLAY:
        return nextReplayed();
      default:
        return null;
    }
  }

  private byte[] nextReplayed() {
    step = Step.REPLAY;
    if (!epoch.equals(source.view().epoch())) {
      return restart(epochChanged());
    }
    long last = source.log().lastSeq();
    if (cursor >= last) {
      step = Step.LIVE;
      return null;
    }
    ChangeEvent e = source.log().get(cursor + 1);
    if (e == null) {
      return restart(ResetReason.OUT_OF_WINDOW);
    }
    if (!epoch.equals(e.epoch())) {
      // The topic was reset between reading its view and its log: the log is the new epoch's.
      return restart(epochChanged());
    }
    cursor = e.seq();
    return e.frame();
  }

  /** Why the topic's epoch is not ours: a delete (docs/protocol.md §4 {@code reset}) or not. */
  private ResetReason epochChanged() {
    return source.wasDeleted() ? ResetReason.DELETED : ResetReason.EPOCH_CHANGED;
  }

  private byte[] restart(ResetReason reason) {
    pendingReset = Outbound.reset(topic, reason);
    startSnapshot();
    return nextFrame();
  }

  /** What to do with a live event. */
  enum Live {
    /** Not for this stream now: already covered, or still catching up. */
    SKIP,
    /** The next event of the stream: queue it. */
    ACCEPT,
    /** A seq was skipped on the way here: catch up from the replay log again. */
    CATCH_UP
  }

  /**
   * Classifies a live event; advances the cursor when it is accepted. Events at or before the
   * cursor were already covered by the catch-up.
   */
  Live acceptLive(ChangeEvent e) {
    if (step != Step.LIVE) {
      return Live.SKIP;
    }
    if (!epoch.equals(e.epoch())) {
      // A new history (the topic was deleted, docs/protocol.md §4): catching up resets us onto
      // it. Epoch-start markers (seq 0) bring this about even when no change follows.
      step = Step.REPLAY;
      liveMark = cursor;
      return Live.CATCH_UP;
    }
    if (e.seq() <= cursor) {
      return Live.SKIP;
    }
    if (e.seq() != cursor + 1) {
      // Everything after the cursor would have been buffered: all of it is lag.
      step = Step.REPLAY;
      liveMark = cursor;
      return Live.CATCH_UP;
    }
    cursor = e.seq();
    return Live.ACCEPT;
  }
}
