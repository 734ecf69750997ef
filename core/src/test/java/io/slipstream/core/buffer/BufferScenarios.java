package io.slipstream.core.buffer;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

/**
 * The random scenarios {@link ClientBufferProperties} runs: bounds, thresholds and periods, and a
 * list of steps under a random pressure. Stateless and thread-safe.
 */
final class BufferScenarios {

  private static final int MARKER = ClientBuffer.MARKER_BYTES;

  private BufferScenarios() {}

  sealed interface Step permits Offer, Poll, Discard, Advance, Observe, Resize {}

  /** Offers the next seq of topic {@code topic % topics}, with a frame of {@code size} bytes. */
  record Offer(int topic, int size) implements Step {}

  /** Polls up to {@code count} entries. */
  record Poll(int count) implements Step {}

  /** Discards a topic; its stream restarts {@code jump} seqs further on (a new subscription). */
  record Discard(int topic, int jump) implements Step {}

  /** Moves the clock. */
  record Advance(long ms) implements Step {}

  /**
   * Reads the sustain condition, as the server's timer does now and then. Not after every step:
   * reading it must not be what keeps it right.
   */
  record Observe() implements Step {}

  /**
   * Sets the effective bound ({@link ClientBuffer#effectiveMax}) to {@code 1 + maxEvents % max}
   * entries, {@code max} the scenario's {@code buffer.max}: a shrink (often below what is queued)
   * or a grow, as an adaptive QoS class's tick does.
   */
  record Resize(int maxEvents) implements Step {}

  record Scenario(
      BufferLimits limits, int topics, long sustainMs, long warnRearmMs, List<Step> steps) {}

  static Arbitrary<Scenario> scenarios(DropPolicy policy) {
    Arbitrary<Integer> maxEvents = Arbitraries.integers().between(1, 20);
    // Often small enough to bind before the event bound (a few markers' worth, sometimes not even
    // one), often out of the way.
    Arbitrary<Long> maxBytes =
        Arbitraries.frequencyOf(
            Tuple.of(2, Arbitraries.longs().between(1, 4 * MARKER)),
            Tuple.of(1, Arbitraries.longs().between(4 * MARKER, 20 * MARKER)),
            Tuple.of(2, Arbitraries.just(1_000_000L)));
    // warn < disconnect <= 1, in percent so that exact boundaries come up.
    Arbitrary<double[]> thresholds =
        Arbitraries.integers()
            .between(1, 99)
            .flatMap(
                w ->
                    Arbitraries.integers()
                        .between(w + 1, 100)
                        .map(d -> new double[] {w / 100.0, d / 100.0}));
    Arbitrary<BufferLimits> limits =
        Combinators.combine(maxEvents, maxBytes, thresholds)
            .as((me, mb, th) -> new BufferLimits(me, mb, th[0], th[1], policy));
    Arbitrary<Integer> topics = Arbitraries.integers().between(1, 4);
    Arbitrary<Long> sustainMs = Arbitraries.longs().between(0, 1_500);
    Arbitrary<Long> warnRearmMs = Arbitraries.longs().between(0, 1_500);
    return Combinators.combine(limits, topics, sustainMs, warnRearmMs, steps()).as(Scenario::new);
  }

  /**
   * Steps under a random pressure: how often the client reads, against how often topics publish.
   */
  private static Arbitrary<List<Step>> steps() {
    return Arbitraries.integers().between(1, 12).flatMap(BufferScenarios::steps);
  }

  private static Arbitrary<List<Step>> steps(int pollWeight) {
    Arbitrary<Integer> topic = Arbitraries.integers().between(0, 3);
    Arbitrary<Integer> size =
        Arbitraries.frequencyOf(
            Tuple.of(9, Arbitraries.integers().between(1, 40)),
            Tuple.of(1, Arbitraries.integers().between(41, 400)));
    Arbitrary<Step> offer = Combinators.combine(topic, size).as(Offer::new);
    Arbitrary<Step> poll = Arbitraries.integers().between(1, 4).map(Poll::new);
    Arbitrary<Step> discard =
        Combinators.combine(topic, Arbitraries.integers().between(1, 50)).as(Discard::new);
    Arbitrary<Step> advance =
        Arbitraries.longs().between(0, 2 * ClientBuffer.DIP_TOLERANCE_MS).map(Advance::new);
    Arbitrary<Step> observe = Arbitraries.just(new Observe());
    Arbitrary<Step> resize = Arbitraries.integers().between(0, 19).map(Resize::new);
    return Arbitraries.frequencyOf(
            Tuple.of(12, offer),
            Tuple.of(pollWeight, poll),
            Tuple.of(1, discard),
            Tuple.of(3, advance),
            Tuple.of(2, observe),
            Tuple.of(2, resize))
        .list()
        .ofMaxSize(150)
        .withSizeDistribution(RandomDistribution.uniform());
  }
}
