package io.slipstream.core.buffer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

/**
 * The random scenarios {@link DropPolicyProperties} runs for one policy: bounds, a maximum age,
 * topic priorities, and steps that offer keyed changes to 1-4 topics, poll, discard topics, shed
 * for the budget and move the clock. Stateless and thread-safe.
 */
final class PolicyScenarios {

  private static final int MARKER = ClientBuffer.MARKER_BYTES;

  private PolicyScenarios() {}

  sealed interface Step permits Offer, Poll, Discard, Advance, Shed, Resize {}

  /**
   * Offers the next seq of topic {@code topic % topics}: key {@code key % keys}, a DELETE when
   * {@code delete}, with a frame of {@code size} bytes.
   */
  record Offer(int topic, int key, boolean delete, int size) implements Step {}

  /** Polls up to {@code count} entries. */
  record Poll(int count) implements Step {}

  /** Discards a topic; its stream restarts {@code jump} seqs further on (a new subscription). */
  record Discard(int topic, int jump) implements Step {}

  /** Sheds at least {@code bytes} for the node's budget (reason {@code budget}). */
  record Shed(long bytes) implements Step {}

  /** Moves the clock. */
  record Advance(long ms) implements Step {}

  /**
   * Sets the effective bound ({@link ClientBuffer#effectiveMax}) to {@code 1 + maxEvents % max}
   * entries, {@code max} the scenario's {@code buffer.max}: a shrink (often below what is queued)
   * or a grow, as an adaptive QoS class's tick does.
   */
  record Resize(int maxEvents) implements Step {}

  record Scenario(BufferLimits limits, int topics, int keys, List<Step> steps) {}

  static Arbitrary<Scenario> scenarios(DropPolicy policy) {
    Arbitrary<Integer> maxEvents = Arbitraries.integers().between(1, 20);
    Arbitrary<Long> maxBytes =
        Arbitraries.frequencyOf(
            Tuple.of(2, Arbitraries.longs().between(1, 4 * MARKER)),
            Tuple.of(1, Arbitraries.longs().between(4 * MARKER, 20 * MARKER)),
            // Conflation is mostly about the event bound: runs often stay clean of drops then.
            Tuple.of(policy == DropPolicy.CONFLATE ? 8 : 3, Arbitraries.just(1_000_000L)));
    Arbitrary<Long> maxAgeMs = Arbitraries.longs().between(1, 400);
    Arbitrary<TopicPriorities> priorities = priorities();
    Arbitrary<BufferLimits> limits =
        Combinators.combine(maxEvents, maxBytes, maxAgeMs, priorities)
            .as((me, mb, age, pr) -> new BufferLimits(me, mb, 0.5, 0.9, policy, age, pr));
    Arbitrary<Integer> topics = Arbitraries.integers().between(1, 4);
    // Conflation needs keys that repeat before the buffer holds them all.
    Arbitrary<Integer> keys =
        Arbitraries.integers().between(1, policy == DropPolicy.CONFLATE ? 3 : 6);
    Arbitrary<List<Step>> steps =
        Arbitraries.integers().between(1, 12).flatMap(PolicyScenarios::steps);
    return Combinators.combine(limits, topics, keys, steps).as(Scenario::new);
  }

  /** Priorities for some of the topics t0..t3, by exact name or wildcard. */
  private static Arbitrary<TopicPriorities> priorities() {
    Arbitrary<Integer> priority = Arbitraries.integers().between(-2, 2);
    return Combinators.combine(priority, priority, priority, Arbitraries.of(true, false))
        .as(
            (a, b, c, wildcard) -> {
              Map<String, Integer> rules = new LinkedHashMap<>();
              rules.put("t0", a);
              rules.put("t1", b);
              if (wildcard) {
                rules.put("t*", c);
              }
              return TopicPriorities.of(rules);
            });
  }

  private static Arbitrary<List<Step>> steps(int pollWeight) {
    Arbitrary<Integer> topic = Arbitraries.integers().between(0, 3);
    Arbitrary<Integer> key = Arbitraries.integers().between(0, 5);
    Arbitrary<Boolean> delete = Arbitraries.integers().between(0, 5).map(i -> i == 0);
    Arbitrary<Integer> size =
        Arbitraries.frequencyOf(
            Tuple.of(9, Arbitraries.integers().between(1, 40)),
            Tuple.of(1, Arbitraries.integers().between(41, 400)));
    Arbitrary<Step> offer = Combinators.combine(topic, key, delete, size).as(Offer::new);
    Arbitrary<Step> poll = Arbitraries.integers().between(1, 4).map(Poll::new);
    Arbitrary<Step> discard =
        Combinators.combine(topic, Arbitraries.integers().between(1, 50)).as(Discard::new);
    Arbitrary<Step> advance = Arbitraries.longs().between(0, 200).map(Advance::new);
    Arbitrary<Step> shed = Arbitraries.longs().between(1, 6 * MARKER).map(Shed::new);
    Arbitrary<Step> resize = Arbitraries.integers().between(0, 19).map(Resize::new);
    return Arbitraries.frequencyOf(
            Tuple.of(12, offer),
            Tuple.of(pollWeight, poll),
            Tuple.of(1, discard),
            Tuple.of(3, advance),
            Tuple.of(1, shed),
            Tuple.of(2, resize))
        .list()
        .ofMaxSize(150)
        .withSizeDistribution(RandomDistribution.uniform());
  }
}
