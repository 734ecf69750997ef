package io.slipstream.core.regression;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.buffer.BufferLimits;
import io.slipstream.core.buffer.BufferSink;
import io.slipstream.core.buffer.ClientBuffer;
import io.slipstream.core.buffer.DropPolicy;
import io.slipstream.core.message.DropReason;
import io.slipstream.core.time.FakeClock;
import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.ChangeOp;
import org.junit.jupiter.api.Test;

/**
 * Regression: warning storms. The {@code warning} re-armed as soon as the fill fell below {@code
 * warn}, and the fill of a stalled client under flood rises and falls as the kernel's socket
 * buffers grow and the socket takes another chunk: one client got 40 warnings in 700 ms. The
 * contract (docs/protocol.md §4) re-arms it only after the fill has stayed below {@code warn} for
 * {@code warnRearmMs} (default 1,000 ms), so one stall gives one warning.
 */
class WarningStormTest {

  private static final long REARM = ClientBuffer.DEFAULT_WARN_REARM_MS;

  private final FakeClock clock = new FakeClock();
  private final BufferSink socket =
      new BufferSink() {
        @Override
        public void change(ChangeEvent event) {}

        @Override
        public void dropped(String topic, long from, long to, long count, DropReason reason) {}

        @Override
        public void conflated(String topic, long from, long to, long count) {}
      };
  private final ClientBuffer buffer =
      new ClientBuffer(new BufferLimits(100, 1L << 30, 0.8, 0.95, DropPolicy.DROP_OLDEST), clock);
  private long seq;
  private int warnings;

  @Test
  void aFillOscillatingAroundWarnWarnsOncePerRearmPeriod() {
    publish(80);
    assertThat(warnings).as("the first crossing").isEqualTo(1);

    // 700 ms of stall: every 10 ms the socket takes 5 events (fill 0.75), the flood refills.
    for (int chunk = 0; chunk < 70; chunk++) {
      socketTakes(5);
      clock.advance(10);
      publish(5);
    }
    assertThat(warnings).as("one stall, one warning").isEqualTo(1);

    // Dips a little shorter than the period never add up to one.
    for (int dip = 0; dip < 5; dip++) {
      socketTakes(40);
      clock.advance(REARM - 1);
      publish(40);
    }
    assertThat(warnings).isEqualTo(1);

    // Each dip that lasts the whole period re-arms it: one warning per period, not per dip.
    for (int period = 1; period <= 3; period++) {
      socketTakes(40);
      for (int i = 0; i < 10; i++) {
        clock.advance(REARM / 10);
        publish(1); // still below warn, and the period runs on
        socketTakes(1);
      }
      publish(40);
      assertThat(warnings).as("after %d whole periods below warn", period).isEqualTo(1 + period);
    }
  }

  private void publish(int events) {
    for (int i = 0; i < events; i++) {
      seq++;
      buffer.offer(
          new ChangeEvent("feed", "e1", seq, ChangeOp.UPDATE, "k", "{}", 0, e -> new byte[1]));
      if (buffer.takeWarning()) {
        warnings++;
      }
    }
  }

  private void socketTakes(int events) {
    for (int i = 0; i < events; i++) {
      assertThat(buffer.poll(socket)).isTrue();
    }
  }
}
