package io.slipstream.core.buffer;

import static io.slipstream.core.buffer.BufferEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.time.FakeClock;
import io.slipstream.core.topic.ChangeEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * {@link ClientBuffer} against a model (a list of queued events, counters, and the two thresholds),
 * under random interleavings of offers to 1-4 topics, polls, topic discards and clock moves, for
 * each policy and small random bounds.
 *
 * <p>Checked after every step: the buffer's own invariants; pending, bytes, fill and dropped count
 * equal the model's, within the bounds; each offer's outcome is the one its fit decides (DROPPED or
 * DISCONNECT only when the event would not fit); every change handed out is the model's oldest
 * queued event; the warning fires once per upward crossing of {@code warn}; the sustain condition,
 * read now and then, follows the fill with its dip tolerance. Checked on what the sink receives,
 * per topic: changes and gaps tile the offered seqs in strictly increasing order, each seq once, a
 * gap {@code [from, to]} standing exactly where its seqs would have stood, with {@code count = to -
 * from + 1}. At the end (polled until empty): every offered seq was received or dropped, and {@code
 * droppedEvents()} is the sum of all gap counts (including gaps a discard threw away). Under
 * DISCONNECT nothing is ever dropped.
 */
class ClientBufferProperties {

  sealed interface Step permits Offer, Poll, Discard, Advance, Observe {}

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

  record Scenario(BufferLimits limits, int topics, long sustainMs, List<Step> steps) {}

  @Property(tries = 300)
  void dropOldest(@ForAll("dropOldestScenarios") Scenario s) {
    new Run(s).execute();
    checkCoverage("dropped by the event bound", "dropped by the byte bound", "gap handed out");
  }

  @Property(tries = 300)
  void dropNewest(@ForAll("dropNewestScenarios") Scenario s) {
    new Run(s).execute();
    checkCoverage("dropped by the event bound", "dropped by the byte bound", "gap handed out");
  }

  @Property(tries = 300)
  void disconnect(@ForAll("disconnectScenarios") Scenario s) {
    new Run(s).execute();
    checkCoverage("refused by the event bound", "refused by the byte bound");
  }

  /**
   * Fails the property if the generators stop reaching the interesting cases: each label, the
   * sustain condition and a discard must each come up in at least 5% of the tries (typically
   * 15-50%).
   */
  private static void checkCoverage(String... labels) {
    for (String label : labels) {
      Statistics.label(label).coverage(c -> c.check(true).percentage(p -> p >= 5));
    }
    Statistics.label("condition sustained").coverage(c -> c.check(true).percentage(p -> p >= 5));
    Statistics.label("topic discarded").coverage(c -> c.check(true).percentage(p -> p >= 5));
  }

  /** One scenario against the buffer and the model; also the sink that checks the tiling. */
  static final class Run implements BufferSink {
    private final Scenario s;
    private final BufferLimits limits;
    private final FakeClock clock = new FakeClock();
    private final ClientBuffer buffer;

    private final long[] nextSeq;
    private final long[] expectedNext;
    private final ArrayDeque<ChangeEvent> model = new ArrayDeque<>();
    private long modelBytes;
    private long modelDropped;
    private long receivedGapCount;
    private long discardedGapCount;
    private boolean warnArmed = true;
    private long since = -1;
    private long dipSince = -1;
    private final List<String> trace = new ArrayList<>();
    private final Set<String> seen = new TreeSet<>();

    Run(Scenario s) {
      this.s = s;
      this.limits = s.limits();
      this.buffer = new ClientBuffer(limits, clock);
      this.nextSeq = new long[s.topics()];
      this.expectedNext = new long[s.topics()];
      Arrays.fill(nextSeq, 1);
      Arrays.fill(expectedNext, 1);
    }

    void execute() {
      checkAfterStep();
      for (Step step : s.steps()) {
        trace.add(step.toString());
        if (step instanceof Offer) {
          offer((Offer) step);
        } else if (step instanceof Poll) {
          for (int i = 0; i < ((Poll) step).count(); i++) {
            poll();
          }
        } else if (step instanceof Discard) {
          discard((Discard) step);
        } else if (step instanceof Observe) {
          observeSustain();
        } else {
          clock.advance(((Advance) step).ms());
          checkAfterStep();
        }
      }
      // Poll until empty; bounded by what can be queued (events plus at most one gap per event).
      int bound = 2 * (limits.maxEvents() + s.topics()) + 2 * s.steps().size() + 10;
      for (int i = 0; i < bound && !buffer.isEmpty(); i++) {
        poll();
      }
      observeSustain();
      assertThat(buffer.isEmpty()).as("drained").isTrue();
      assertThat(model).isEmpty();
      for (int t = 0; t < s.topics(); t++) {
        assertThat(expectedNext[t])
            .as("topic t%d: every offered seq below %d was received or dropped", t, nextSeq[t])
            .isEqualTo(nextSeq[t]);
      }
      assertThat(buffer.droppedEvents())
          .as("dropped count is the sum of the gap counts")
          .isEqualTo(receivedGapCount + discardedGapCount);
      if (limits.policy() == DropPolicy.DISCONNECT) {
        assertThat(buffer.droppedEvents()).isZero();
      }
      for (String label :
          List.of(
              "dropped by the event bound",
              "dropped by the byte bound",
              "gap handed out",
              "refused by the event bound",
              "refused by the byte bound",
              "condition sustained",
              "topic discarded")) {
        Statistics.label(label).collect(seen.contains(label));
      }
    }

    private boolean modelFits(ChangeEvent e) {
      return model.size() + 1 <= limits.maxEvents() && modelBytes + e.size() <= limits.maxBytes();
    }

    private void offer(Offer o) {
      int t = o.topic() % s.topics();
      ChangeEvent e = event("t" + t, nextSeq[t], o.size());
      boolean fits = modelFits(e);
      long droppedBefore = buffer.droppedEvents();
      OfferOutcome outcome = buffer.offer(e);
      long drops = 0;
      if (!fits) {
        boolean byEvents = model.size() + 1 > limits.maxEvents();
        seen.add(
            (limits.policy() == DropPolicy.DISCONNECT ? "refused" : "dropped")
                + (byEvents ? " by the event bound" : " by the byte bound"));
      }
      if (fits) {
        assertThat(outcome).as("an event that fits is accepted").isEqualTo(OfferOutcome.ACCEPTED);
        enqueue(e);
      } else {
        switch (limits.policy()) {
          case DISCONNECT:
            assertThat(outcome).isEqualTo(OfferOutcome.DISCONNECT);
            // Refused, not dropped: the seq is not part of the stream and is offered again.
            break;
          case DROP_NEWEST:
            assertThat(outcome).isEqualTo(OfferOutcome.DROPPED);
            drops = 1;
            nextSeq[t]++;
            break;
          case DROP_OLDEST:
            assertThat(outcome).isEqualTo(OfferOutcome.DROPPED);
            while (!model.isEmpty() && !modelFits(e)) {
              ChangeEvent evicted = model.pollFirst();
              modelBytes -= evicted.size();
              drops++;
            }
            if (modelFits(e)) {
              enqueue(e);
            } else {
              drops++; // larger than the whole byte bound
              nextSeq[t]++;
            }
            break;
          default:
            throw new AssertionError(limits.policy());
        }
      }
      modelDropped += drops;
      assertThat(buffer.droppedEvents() - droppedBefore)
          .as("events dropped by this offer")
          .isEqualTo(drops);
      checkAfterStep();
    }

    private void enqueue(ChangeEvent e) {
      model.addLast(e);
      modelBytes += e.size();
      nextSeq[topicIndex(e.topic())]++;
    }

    private void poll() {
      boolean wasEmpty = buffer.isEmpty();
      int before = trace.size();
      boolean polled = buffer.poll(this);
      assertThat(polled).isEqualTo(!wasEmpty);
      if (!polled) {
        assertThat(trace).as("an empty buffer hands out nothing").hasSize(before);
      }
      checkAfterStep();
    }

    private void discard(Discard d) {
      int t = d.topic() % s.topics();
      String topic = "t" + t;
      int pendingBefore = buffer.pending();
      long queued = model.stream().filter(e -> e.topic().equals(topic)).count();
      model.stream()
          .filter(e -> e.topic().equals(topic))
          .forEach(e -> assertThat(e.seq()).isGreaterThanOrEqualTo(expectedNext[t]));
      seen.add("topic discarded");
      buffer.discardTopic(topic);
      model.removeIf(e -> e.topic().equals(topic));
      modelBytes = model.stream().mapToLong(ChangeEvent::size).sum();
      assertThat(pendingBefore - buffer.pending()).as("discarded events").isEqualTo(queued);
      // Offered but not yet handed out: either queued (now discarded) or inside a gap.
      long lostInGaps = (nextSeq[t] - expectedNext[t]) - queued;
      assertThat(lostInGaps).isNotNegative();
      discardedGapCount += lostInGaps;
      nextSeq[t] += d.jump();
      expectedNext[t] = nextSeq[t];
      checkAfterStep();
    }

    @Override
    public void change(ChangeEvent event) {
      trace.add("change " + event);
      ChangeEvent oldest = model.pollFirst();
      assertThat(event).as("changes leave in the order they were queued").isSameAs(oldest);
      modelBytes -= event.size();
      int t = topicIndex(event.topic());
      assertThat(event.seq()).as("next seq of %s", event.topic()).isEqualTo(expectedNext[t]);
      expectedNext[t]++;
    }

    @Override
    public void dropped(String topic, long from, long to, long count) {
      trace.add("dropped " + topic + " " + from + ".." + to + " (" + count + ")");
      assertThat(limits.policy())
          .as("nothing is dropped under disconnect")
          .isNotEqualTo(DropPolicy.DISCONNECT);
      int t = topicIndex(topic);
      assertThat(from)
          .as("gap of %s stands where its first seq would", topic)
          .isEqualTo(expectedNext[t]);
      assertThat(to).isGreaterThanOrEqualTo(from).isLessThan(nextSeq[t]);
      assertThat(count).isEqualTo(to - from + 1);
      for (ChangeEvent e : model) {
        if (e.topic().equals(topic)) {
          assertThat(e.seq()).as("a dropped seq is not also queued").isGreaterThan(to);
        }
      }
      expectedNext[t] = to + 1;
      receivedGapCount += count;
      seen.add("gap handed out");
    }

    private static int topicIndex(String topic) {
      return Integer.parseInt(topic.substring(1));
    }

    private void checkAfterStep() {
      buffer.checkInvariants();
      assertThat(buffer.pending()).isEqualTo(model.size()).isLessThanOrEqualTo(limits.maxEvents());
      assertThat(buffer.pendingBytes())
          .isEqualTo(modelBytes)
          .isLessThanOrEqualTo(limits.maxBytes());
      assertThat(buffer.droppedEvents()).isEqualTo(modelDropped);
      long undelivered = modelDropped - receivedGapCount - discardedGapCount;
      assertThat(undelivered).as("drops not yet handed out").isNotNegative();
      assertThat(buffer.isEmpty()).isEqualTo(model.isEmpty() && undelivered == 0);

      double fill =
          Math.max(
              (double) model.size() / limits.maxEvents(), (double) modelBytes / limits.maxBytes());
      assertThat(buffer.fill()).isEqualTo(fill);

      // Warning: once per upward crossing of warn.
      boolean warning = false;
      if (fill >= limits.warn()) {
        warning = warnArmed;
        warnArmed = false;
      } else {
        warnArmed = true;
      }
      assertThat(buffer.takeWarning()).as("warning at fill %s", fill).isEqualTo(warning);

      // Sustain: from reaching disconnect until a dip below it lasts longer than the tolerance.
      // A dip starts when the fill falls, whenever anyone looks.
      long now = clock.millis();
      if (fill >= limits.disconnect()) {
        if (since < 0 || (dipSince >= 0 && now - dipSince > ClientBuffer.DIP_TOLERANCE_MS)) {
          since = now;
        }
        dipSince = -1;
      } else if (since >= 0 && dipSince < 0) {
        dipSince = now;
      }
    }

    private void observeSustain() {
      long now = clock.millis();
      if (dipSince >= 0 && now - dipSince > ClientBuffer.DIP_TOLERANCE_MS) {
        since = -1;
        dipSince = -1;
      }
      assertThat(buffer.overDisconnectSince()).as("overDisconnectSince").isEqualTo(since);
      boolean sustained = since >= 0 && now - since >= s.sustainMs();
      assertThat(buffer.sustainedOverDisconnect(s.sustainMs())).isEqualTo(sustained);
      if (sustained) {
        seen.add("condition sustained");
      }
    }
  }

  // ------------------------------------------------------------------ generators

  @Provide
  Arbitrary<Scenario> dropOldestScenarios() {
    return scenarios(DropPolicy.DROP_OLDEST);
  }

  @Provide
  Arbitrary<Scenario> dropNewestScenarios() {
    return scenarios(DropPolicy.DROP_NEWEST);
  }

  @Provide
  Arbitrary<Scenario> disconnectScenarios() {
    return scenarios(DropPolicy.DISCONNECT);
  }

  private static Arbitrary<Scenario> scenarios(DropPolicy policy) {
    Arbitrary<Integer> maxEvents = Arbitraries.integers().between(1, 20);
    // Often small enough to bind before the event bound, often out of the way.
    Arbitrary<Long> maxBytes =
        Arbitraries.frequencyOf(
            Tuple.of(2, Arbitraries.longs().between(1, 300)),
            Tuple.of(1, Arbitraries.longs().between(300, 1_000)),
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
    return Combinators.combine(limits, topics, sustainMs, steps()).as(Scenario::new);
  }

  /**
   * Steps under a random pressure: how often the client reads, against how often topics publish.
   */
  private static Arbitrary<List<Step>> steps() {
    return Arbitraries.integers().between(1, 12).flatMap(ClientBufferProperties::steps);
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
    return Arbitraries.frequencyOf(
            Tuple.of(12, offer),
            Tuple.of(pollWeight, poll),
            Tuple.of(1, discard),
            Tuple.of(3, advance),
            Tuple.of(2, observe))
        .list()
        .ofMaxSize(150)
        .withSizeDistribution(RandomDistribution.uniform());
  }
}
