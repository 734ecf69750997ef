package io.slipstream.loadtest.accounting;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.loadtest.wire.FrameScanner;
import org.junit.jupiter.api.Test;

class RawAccountantTest {

  @Test
  void countsDistinctMissingDoubledAndReordered() {
    RawAccountant a = new RawAccountant();
    a.message(0);
    a.message(2);
    a.message(1);
    a.message(2);
    a.message(FrameScanner.ABSENT);
    assertThat(a.received()).isEqualTo(3);
    assertThat(a.duplicates()).isEqualTo(1);
    assertThat(a.reordered()).isEqualTo(1);
    assertThat(a.unnumbered()).isEqualTo(1);
    assertThat(a.missing(0, 5)).isEqualTo(2);
    assertThat(a.missing(0, 0)).isZero();
  }
}
