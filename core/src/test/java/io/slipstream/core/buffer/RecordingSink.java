package io.slipstream.core.buffer;

import io.slipstream.core.message.DropReason;
import io.slipstream.core.topic.ChangeEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link BufferSink} that records everything it is handed, in order, for the assertions of the
 * buffer's tests. Confined to the test thread.
 */
final class RecordingSink implements BufferSink {

  /** One thing the buffer handed out. */
  sealed interface Received permits Change, Dropped, Conflated {}

  /** A change, as {@code topic:seq}. */
  record Change(String topic, long seq) implements Received {}

  /** A gap of dropped changes. */
  record Dropped(String topic, long from, long to, long count, DropReason reason)
      implements Received {}

  /** A compacted run's marker. */
  record Conflated(String topic, long from, long to, long count) implements Received {}

  final List<Received> received = new ArrayList<>();

  @Override
  public void change(ChangeEvent event) {
    received.add(new Change(event.topic(), event.seq()));
  }

  @Override
  public void dropped(String topic, long from, long to, long count, DropReason reason) {
    received.add(new Dropped(topic, from, to, count, reason));
  }

  @Override
  public void conflated(String topic, long from, long to, long count) {
    received.add(new Conflated(topic, from, to, count));
  }

  /**
   * Polls {@code buffer} until it is empty (at most {@code limit} entries), then returns and
   * forgets what came.
   */
  List<Received> drain(ClientBuffer buffer, int limit) {
    for (int i = 0; i < limit && buffer.poll(this); i++) {
      buffer.checkInvariants();
    }
    List<Received> out = List.copyOf(received);
    received.clear();
    return out;
  }

  /** Polls exactly {@code n} entries into this sink, checking invariants after each. */
  void take(ClientBuffer buffer, int n) {
    for (int i = 0; i < n; i++) {
      if (!buffer.poll(this)) {
        throw new AssertionError("buffer empty after " + i + " of " + n + " polls");
      }
      buffer.checkInvariants();
    }
  }

  static Change change(String topic, long seq) {
    return new Change(topic, seq);
  }

  static Dropped dropped(String topic, long from, long to) {
    return dropped(topic, from, to, DropReason.BUFFER_FULL);
  }

  static Dropped dropped(String topic, long from, long to, DropReason reason) {
    return new Dropped(topic, from, to, to - from + 1, reason);
  }

  static Conflated run(String topic, long from, long to, long count) {
    return new Conflated(topic, from, to, count);
  }
}
