package io.slipstream.core.spi;

import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.Topic;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A {@link Feed} that records every call, in arrival order, for a test to assert.
 *
 * <p>Thread-safe.
 */
public final class RecordingFeed implements Feed {

  /**
   * One call: a committed batch ({@code events} non-empty) or a reset ({@code events} empty).
   *
   * @param topic the replica's topic
   * @param epoch the batch's or the new epoch
   * @param events the batch, or empty for a reset
   * @param thread the thread that called
   */
  public record Call(String topic, String epoch, List<ChangeEvent> events, String thread) {
    public boolean isReset() {
      return events.isEmpty();
    }
  }

  private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();

  @Override
  public void committed(Topic replica, List<ChangeEvent> events) {
    calls.add(
        new Call(
            replica.name(),
            events.get(0).epoch(),
            List.copyOf(events),
            Thread.currentThread().getName()));
  }

  @Override
  public void reset(Topic replica, String epoch) {
    calls.add(new Call(replica.name(), epoch, List.of(), Thread.currentThread().getName()));
  }

  /** Every call for {@code topic}, in order. */
  public List<Call> calls(String topic) {
    List<Call> out = new ArrayList<>();
    for (Call c : calls) {
      if (c.topic().equals(topic)) {
        out.add(c);
      }
    }
    return out;
  }

  /** Every committed event of {@code topic}, in the order the feed got them. */
  public List<ChangeEvent> events(String topic) {
    List<ChangeEvent> out = new ArrayList<>();
    for (Call c : calls(topic)) {
      out.addAll(c.events());
    }
    return out;
  }
}
