package io.slipstream.server.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link AckLag#quantileOver}, which the quality tick asks instead of sorting the window, against
 * the sorted answer {@code percentileOr(q, 0) > limit}, before and after a sort, for windows from
 * one ack to a wrapped ring, lags with many ties, and limits around them.
 */
class AckLagTest {

  @Test
  void quantileOverAgreesWithTheSortedQuantile() {
    Random random = new Random(10);
    double[] quantiles = {0.0, 0.5, 0.9, 0.99, 1.0};
    for (int round = 0; round < 2_000; round++) {
      AckLag lags = new AckLag();
      int acks = 1 + random.nextInt(AckLag.SAMPLES * 2);
      int spread = 1 + random.nextInt(50);
      for (int i = 0; i < acks; i++) {
        lags.record(random.nextInt(spread));
      }
      long limit = random.nextInt(spread + 2);
      for (double q : quantiles) {
        boolean counted = lags.quantileOver(q, limit);
        boolean sorted = lags.percentileOr(q, 0) > limit;
        String what = acks + " acks, q " + q + ", limit " + limit;
        assertEquals(sorted, counted, what);
        // percentileOr sorted the window: the answer from the sorted samples is the same.
        assertEquals(sorted, lags.quantileOver(q, limit), what + ", sorted");
        lags.record(random.nextInt(spread));
      }
    }
  }

  @Test
  void noAcksIsNeverOver() {
    assertFalse(new AckLag().quantileOver(0.99, 0));
  }
}
