package io.slipstream.loadtest.proc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeapWatchTest {

  private static final String HEADER =
      "    S0C         S1C         S0U         S1U          EC           EU           OC      "
          + "     OU          MC         MU       CCSC      CCSU     YGC     YGCT     FGC    FGCT "
          + "    CGC    CGCT       GCT   ";

  @Test
  void peaksAreUsedAndRetainedHeapAcrossSamples() {
    HeapWatch.Columns c = new HeapWatch.Columns();
    assertThat(c.accept(HEADER)).isNull();
    // used = 0 + 1024 + 10240 + 2048 KiB; retained = 0 + 1024 + 2048 KiB
    assertThat(
            c.accept(
                "  0.0  2048.0  0.0  1024.0  65536.0  10240.0  262144.0  2048.0  9000.0  8800.5"
                    + "  1000.0  900.0  3  0.010  0  0.000  2  0.001  0.011"))
        .isNull();
    // eden grew but survivors and old shrank: used peak moves, retained peak stays
    assertThat(
            c.accept(
                "  0.0  2048.0  0.0  0.0  65536.0  60000.0  262144.0  1024.0  9000.0  8800.5"
                    + "  1000.0  900.0  4  0.012  0  0.000  2  0.001  0.013"))
        .isNull();
    assertThat(c.samples).isEqualTo(2);
    assertThat(c.peakRetained).isEqualTo((1024 + 2048) * 1024L);
    assertThat(c.peakUsed).isEqualTo((60000 + 1024) * 1024L);
  }

  @Test
  void whatIsNeitherHeaderNorSampleIsReturnedAsTheProblem() {
    HeapWatch.Columns c = new HeapWatch.Columns();
    String error = "12345 not found";
    assertThat(c.accept(error)).isEqualTo(error);
    assertThat(c.accept(HEADER)).isNull();
    assertThat(c.accept("1.0 2.0")).isEqualTo("1.0 2.0");
    assertThat(c.samples).isZero();
  }

  /** The real jstat against this JVM, while it holds a 64 MiB array that no GC can take. */
  @Test
  void followsARealJvm() throws Exception {
    byte[][] held = new byte[64][];
    for (int i = 0; i < held.length; i++) {
      held[i] = new byte[1 << 20];
    }
    HeapWatch w = HeapWatch.start(ProcessHandle.current().pid(), 20);
    // jstat's JVM takes a few hundred ms to print its first line
    assertThat(w.awaitSamples(3, 20_000)).isTrue();
    HeapWatch.Peaks p = w.stop();
    assertThat(p.problem()).isNull();
    assertThat(p.samples()).isGreaterThanOrEqualTo(3);
    assertThat(p.usedBytes()).isGreaterThanOrEqualTo(p.retainedBytes());
    assertThat(p.usedBytes()).isGreaterThan(64L << 20);
    assertThat(held[63]).hasSize(1 << 20);
  }

  @Test
  void aJvmThatIsNotThereGivesAProblemAndNoPeaks() throws Exception {
    HeapWatch w = HeapWatch.start(Integer.MAX_VALUE - 7, 20);
    assertThat(w.awaitSamples(1, 20_000)).isFalse(); // returns when jstat has given up
    HeapWatch.Peaks p = w.stop();
    assertThat(p.samples()).isZero();
    assertThat(p.problem()).isNotNull();
    assertThat(p.usedMiB()).isNaN();
  }
}
