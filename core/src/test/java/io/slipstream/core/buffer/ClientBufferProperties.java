package io.slipstream.core.buffer;

import static io.slipstream.core.buffer.BufferEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.buffer.BufferScenarios.Advance;
import io.slipstream.core.buffer.BufferScenarios.Discard;
import io.slipstream.core.buffer.BufferScenarios.Observe;
import io.slipstream.core.buffer.BufferScenarios.Offer;
import io.slipstream.core.buffer.BufferScenarios.Poll;
import io.slipstream.core.buffer.BufferScenarios.Resize;
import io.slipstream.core.buffer.BufferScenarios.Scenario;
import io.slipstream.core.buffer.BufferScenarios.Step;
import io.slipstream.core.message.DropReason;
import io.slipstream.core.time.FakeClock;
import io.slipstream.core.topic.ChangeEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * {@link ClientBuffer} against a model, under random interleavings of offers to 1-4 topics, polls,
 * topic discards, clock moves and changes of the effective bound ({@link
 * ClientBuffer#effectiveMax}, shrinks often below what is queued), for each policy, small random
 * bounds and re-arm periods.
 *
 * <p>The model is a list of the queued events in offer order, and per topic a list of its seqs not
 * yet handed out, each queued or dropped. Markers are never modelled as objects: the buffer must
 * hold exactly one per run of dropped seqs of a topic (adjacent ranges merge), each weighing {@link
 * ClientBuffer#MARKER_BYTES}. What a full buffer must do is computed from scratch on the model,
 * from the contract (docs/protocol.md §6): the fewest drops, by the policy's order, after which the
 * state fits, markers included; drop-oldest prefers accepting the event after dropping its oldest
 * events to dropping it, whose marker must then stand before every event of its topic; refused
 * (DISCONNECT, nothing changed) when no drop fits.
 *
 * <p>The model's allowance is the effective bound, or what was queued when it shrank below that and
 * has since fallen with every step: a full buffer is one at its allowance, and its decisions are
 * taken against it (a shrink drops nothing; the policy acts on the offers after it).
 *
 * <p>Checked after every step: the buffer's own invariants; pending (events and markers), bytes
 * (markers included), markers, fill (over the effective bound) and dropped count equal the model's,
 * and are within the allowance, which never grows but with the bound;
 * each offer's outcome, and the events it dropped, are the ones the model decides; every change
 * handed out is the model's oldest queued event; the warning fires at an upward crossing of {@code
 * warn} only when armed, or when the fill stayed below {@code warn} for the re-arm period; the
 * sustain condition, read now and then, follows the fill with its dip tolerance. Checked on what
 * the sink receives, per topic: changes and gaps tile the offered seqs in strictly increasing
 * order, each seq once, a gap {@code [from, to]} naming exactly a whole run of dropped seqs, with
 * {@code count = to - from + 1}. At the end (polled until empty): every offered seq was received or
 * dropped, and {@code droppedEvents()} is the sum of all gap counts (including gaps a discard threw
 * away). Under DISCONNECT nothing is ever dropped.
 */
class ClientBufferProperties {

  private static final int MARKER = ClientBuffer.MARKER_BYTES;

  /** What a full buffer must do with an offer: drop {@code victims} events, keep or drop it. */
  record Decision(int victims, boolean accepted) {
    static final Decision REFUSE = new Decision(-1, false);
  }

  private static final List<String> DROP_LABELS =
      List.of(
          "dropped, full by the event bound",
          "dropped, full by the byte bound",
          "more than one event dropped by an offer",
          "refused: not even the markers would fit",
          "gap handed out",
          "bound shrunk below pending",
          "policy acted over a shrunk bound");

  private static final List<String> COMMON_LABELS =
      List.of(
          "condition sustained",
          "passed through",
          "topic discarded",
          "warning re-armed",
          "warning held back by the re-arm period");

  @Property(tries = 300)
  void dropOldest(@ForAll("dropOldestScenarios") Scenario s, @ForAll boolean passThrough) {
    new Run(s, passThrough).execute();
    checkCoverage(DROP_LABELS);
  }

  @Property(tries = 300)
  void dropNewest(@ForAll("dropNewestScenarios") Scenario s, @ForAll boolean passThrough) {
    new Run(s, passThrough).execute();
    checkCoverage(DROP_LABELS);
  }

  @Property(tries = 300)
  void disconnect(@ForAll("disconnectScenarios") Scenario s, @ForAll boolean passThrough) {
    new Run(s, passThrough).execute();
    checkCoverage(
        List.of(
            "refused by the event bound",
            "refused by the byte bound",
            "bound shrunk below pending"));
  }

  /**
   * Fails the property if the generators stop reaching the interesting cases: each label must come
   * up in at least 5% of the tries (typically 15-60%).
   */
  private static void checkCoverage(List<String> labels) {
    for (String label : labels) {
      Statistics.label(label).coverage(c -> c.check(true).percentage(p -> p >= 5));
    }
    for (String label : COMMON_LABELS) {
      Statistics.label(label).coverage(c -> c.check(true).percentage(p -> p >= 5));
    }
  }

  /** One scenario against the buffer and the model; also the sink that checks the tiling. */
  static final class Run implements BufferSink {
    private final Scenario s;
    private final BufferLimits limits;
    private final FakeClock clock = new FakeClock();
    private final ClientBuffer buffer;

    private final long[] nextSeq;
    private final long[] expectedNext;

    /** The queued events, in offer order. */
    private final ArrayDeque<ChangeEvent> queued = new ArrayDeque<>();

    /** Per topic, its seqs from {@code expectedNext} on: true if dropped, false if queued. */
    private final List<List<Boolean>> pending = new ArrayList<>();

    private long modelDropped;
    private long receivedGapCount;
    private long discardedGapCount;
    private boolean warnArmed = true;
    private long belowWarnSince = -1;
    private double lastFill;
    private long since = -1;
    private long dipSince = -1;

    /** The effective bound the model set, in entries and (scaled) bytes. */
    private int boundEvents;

    private long boundBytes;

    /** What the buffer may hold: the bound, or what it held since the bound shrank below it. */
    private int allowEntries;

    private long allowBytes;

    private final List<String> trace = new ArrayList<>();
    private final Set<String> seen = new TreeSet<>();

    /**
     * Whether an event the buffer says may pass through ({@link ClientBuffer#passesThrough}) goes
     * straight to the sink, as the server's write pump sends it, instead of an offer and a poll.
     */
    private final boolean passThrough;

    Run(Scenario s, boolean passThrough) {
      this.s = s;
      this.passThrough = passThrough;
      this.limits = s.limits();
      this.buffer = new ClientBuffer(limits, s.warnRearmMs(), clock);
      this.boundEvents = limits.maxEvents();
      this.boundBytes = limits.maxBytes();
      this.allowEntries = boundEvents;
      this.allowBytes = boundBytes;
      this.nextSeq = new long[s.topics()];
      this.expectedNext = new long[s.topics()];
      Arrays.fill(nextSeq, 1);
      Arrays.fill(expectedNext, 1);
      for (int t = 0; t < s.topics(); t++) {
        pending.add(new ArrayList<>());
      }
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
        } else if (step instanceof Resize) {
          resize((Resize) step);
        } else {
          clock.advance(((Advance) step).ms());
          checkAfterStep();
        }
      }
      // Poll until empty; bounded by what can be queued (events and markers, within buffer.max).
      int bound = limits.maxEvents() + 10;
      for (int i = 0; i < bound && !buffer.isEmpty(); i++) {
        poll();
      }
      observeSustain();
      assertThat(buffer.isEmpty()).as("drained").isTrue();
      assertThat(queued).isEmpty();
      for (int t = 0; t < s.topics(); t++) {
        assertThat(pending.get(t)).as("topic t%d: nothing left unaccounted for", t).isEmpty();
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
              "dropped, full by the event bound",
              "dropped, full by the byte bound",
              "more than one event dropped by an offer",
              "refused: not even the markers would fit",
              "gap handed out",
              "refused by the event bound",
              "refused by the byte bound",
              "bound shrunk below pending",
              "policy acted over a shrunk bound")) {
        Statistics.label(label).collect(seen.contains(label));
      }
      for (String label : COMMON_LABELS) {
        Statistics.label(label).collect(seen.contains(label));
      }
    }

    // ---------------------------------------------------------------- the model's state

    private long markers() {
      long markers = 0;
      for (List<Boolean> seqs : pending) {
        markers += runs(seqs, Set.of(), 0, null);
      }
      return markers;
    }

    private long eventBytes() {
      return queued.stream().mapToLong(ChangeEvent::size).sum();
    }

    private long entries() {
      return queued.size() + markers();
    }

    private long bytes() {
      return eventBytes() + markers() * MARKER;
    }

    /**
     * Runs of dropped seqs in {@code seqs} (one topic's, from {@code first}) once {@code victims}
     * are dropped too and, if {@code dropped} is not null, one more seq is appended as dropped.
     */
    private static long runs(List<Boolean> seqs, Set<Long> victims, long first, Boolean dropped) {
      long runs = 0;
      boolean previous = false;
      for (int i = 0; i < seqs.size(); i++) {
        boolean d = seqs.get(i) || victims.contains(first + i);
        if (d && !previous) {
          runs++;
        }
        previous = d;
      }
      if (dropped != null && dropped && !previous) {
        runs++;
      }
      return runs;
    }

    /** Whether the state fits with {@code victims} dropped and {@code e} accepted or dropped. */
    private boolean fitsAfter(List<ChangeEvent> victims, ChangeEvent e, boolean accepted) {
      Set<ChangeEvent> gone = new HashSet<>(victims);
      long events = accepted ? 1 : 0;
      long bytes = accepted ? e.size() : 0;
      for (ChangeEvent q : queued) {
        if (!gone.contains(q)) {
          events++;
          bytes += q.size();
        }
      }
      long markers = 0;
      for (int t = 0; t < s.topics(); t++) {
        Set<Long> seqs = new HashSet<>();
        for (ChangeEvent v : victims) {
          if (topicIndex(v.topic()) == t) {
            seqs.add(v.seq());
          }
        }
        Boolean appended = topicIndex(e.topic()) == t && !accepted ? Boolean.TRUE : null;
        markers += runs(pending.get(t), seqs, expectedNext[t], appended);
      }
      return events + markers <= allowEntries && bytes + markers * MARKER <= allowBytes;
    }

    /** What the contract asks of a full buffer for {@code e}, decided on the model alone. */
    private Decision decide(ChangeEvent e) {
      List<ChangeEvent> q = new ArrayList<>(queued);
      if (limits.policy() == DropPolicy.DROP_NEWEST) {
        for (int k = 0; k <= q.size(); k++) {
          if (fitsAfter(q.subList(q.size() - k, q.size()), e, false)) {
            return new Decision(k, false);
          }
        }
        return Decision.REFUSE;
      }
      for (int k = 1; k <= q.size(); k++) {
        if (fitsAfter(q.subList(0, k), e, true)) {
          return new Decision(k, true);
        }
      }
      int afterLastOfTopic = 0;
      for (int i = 0; i < q.size(); i++) {
        if (q.get(i).topic().equals(e.topic())) {
          afterLastOfTopic = i + 1;
        }
      }
      for (int k = afterLastOfTopic; k <= q.size(); k++) {
        if (fitsAfter(q.subList(0, k), e, false)) {
          return new Decision(k, false);
        }
      }
      return Decision.REFUSE;
    }

    // ---------------------------------------------------------------- steps

    private void offer(Offer o) {
      int t = o.topic() % s.topics();
      ChangeEvent e = event("t" + t, nextSeq[t], o.size());
      // Passing through is an offer and a poll that change nothing: only into an empty buffer, of
      // an event whose fill alone stays below both thresholds, computed here from the model.
      double alone =
          Math.max(
              1.0 / boundEvents, (double) Math.min(boundBytes, e.size()) / boundBytes);
      boolean through =
          queued.isEmpty()
              && markers() == 0
              && alone < limits.warn()
              && alone < limits.disconnect();
      assertThat(buffer.passesThrough(e)).as("may %s pass through", e).isEqualTo(through);
      if (through && passThrough) {
        seen.add("passed through");
        enqueue(e);
        change(e);
        checkAfterStep();
        return;
      }
      boolean byEvents = entries() + 1 > allowEntries;
      boolean fits = !byEvents && bytes() + e.size() <= allowBytes;
      boolean overBound = entries() > boundEvents || bytes() > boundBytes;
      Decision decision = null;
      if (!fits && limits.policy() != DropPolicy.DISCONNECT) {
        decision = decide(e);
      }
      long droppedBefore = buffer.droppedEvents();
      OfferOutcome outcome = buffer.offer(e);
      long drops = 0;
      if (fits) {
        assertThat(outcome).as("an event that fits is accepted").isEqualTo(OfferOutcome.ACCEPTED);
        enqueue(e);
      } else if (limits.policy() == DropPolicy.DISCONNECT) {
        assertThat(outcome).isEqualTo(OfferOutcome.DISCONNECT);
        seen.add(byEvents ? "refused by the event bound" : "refused by the byte bound");
        // Refused, not dropped: the seq is not part of the stream and is offered again.
      } else if (decision == Decision.REFUSE) {
        assertThat(outcome).as("no drop fits: refused").isEqualTo(OfferOutcome.DISCONNECT);
        seen.add("refused: not even the markers would fit");
      } else {
        assertThat(outcome).isEqualTo(OfferOutcome.DROPPED);
        seen.add(byEvents ? "dropped, full by the event bound" : "dropped, full by the byte bound");
        for (int i = 0; i < decision.victims(); i++) {
          ChangeEvent victim =
              limits.policy() == DropPolicy.DROP_NEWEST ? queued.pollLast() : queued.pollFirst();
          int v = topicIndex(victim.topic());
          pending.get(v).set((int) (victim.seq() - expectedNext[v]), true);
        }
        drops = decision.victims();
        if (decision.accepted()) {
          enqueue(e);
        } else {
          pending.get(t).add(true);
          nextSeq[t]++;
          drops++;
        }
        if (drops > 1) {
          seen.add("more than one event dropped by an offer");
        }
        if (overBound) {
          seen.add("policy acted over a shrunk bound");
        }
      }
      modelDropped += drops;
      assertThat(buffer.droppedEvents() - droppedBefore)
          .as("events dropped by this offer")
          .isEqualTo(drops);
      checkAfterStep();
    }

    /** Moves the effective bound: nothing is dropped, nothing handed out, the allowance moves. */
    private void resize(Resize r) {
      int events = 1 + r.maxEvents() % limits.maxEvents();
      long droppedBefore = buffer.droppedEvents();
      buffer.effectiveMax(events);
      boundEvents = events;
      // ceil(maxBytes * events / maxEvents): the test's bounds are small enough to multiply.
      boundBytes = (limits.maxBytes() * events + limits.maxEvents() - 1) / limits.maxEvents();
      assertThat(buffer.effectiveMaxEvents()).isEqualTo(boundEvents);
      assertThat(buffer.effectiveMaxBytes()).as("bytes in proportion").isEqualTo(boundBytes);
      assertThat(buffer.droppedEvents()).as("a shrink drops nothing").isEqualTo(droppedBefore);
      if (entries() > boundEvents || bytes() > boundBytes) {
        seen.add("bound shrunk below pending");
      }
      checkAfterStep();
    }

    private void enqueue(ChangeEvent e) {
      int t = topicIndex(e.topic());
      queued.addLast(e);
      pending.get(t).add(false);
      nextSeq[t]++;
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
      seen.add("topic discarded");
      buffer.discardTopic(topic);
      queued.removeIf(e -> e.topic().equals(topic));
      discardedGapCount += pending.get(t).stream().filter(dropped -> dropped).count();
      pending.get(t).clear();
      nextSeq[t] += d.jump();
      expectedNext[t] = nextSeq[t];
      checkAfterStep();
    }

    @Override
    public void change(ChangeEvent event) {
      trace.add("change " + event);
      assertThat(event).as("changes leave in the order they were queued").isSameAs(queued.poll());
      int t = topicIndex(event.topic());
      assertThat(event.seq()).as("next seq of %s", event.topic()).isEqualTo(expectedNext[t]);
      assertThat(pending.get(t).remove(0)).as("a change handed out was not dropped").isFalse();
      expectedNext[t]++;
    }

    @Override
    public void conflated(String topic, long from, long to, long count) {
      throw new AssertionError("no conflation under " + limits.policy());
    }

    @Override
    public void dropped(String topic, long from, long to, long count, DropReason reason) {
      assertThat(reason).isEqualTo(DropReason.BUFFER_FULL);
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
      List<Boolean> seqs = pending.get(t);
      assertThat(seqs.subList(0, (int) count))
          .as("a gap names dropped seqs only")
          .doesNotContain(false);
      seqs.subList(0, (int) count).clear();
      assertThat(seqs.isEmpty() || !seqs.get(0))
          .as("a gap names a whole run: adjacent ranges of one topic merge")
          .isTrue();
      expectedNext[t] = to + 1;
      receivedGapCount += count;
      seen.add("gap handed out");
    }

    private static int topicIndex(String topic) {
      return Integer.parseInt(topic.substring(1));
    }

    private void checkAfterStep() {
      buffer.checkInvariants();
      long markers = markers();
      assertThat(buffer.markers()).as("one marker per run of dropped seqs").isEqualTo(markers);
      assertThat(buffer.pending())
          .as("pending counts events and markers")
          .isEqualTo(queued.size() + markers)
          .as("within the bound, or what was queued when it shrank, which never grows")
          .isLessThanOrEqualTo(allowEntries)
          .isLessThanOrEqualTo(limits.maxEvents());
      assertThat(buffer.pendingBytes())
          .as("pendingBytes counts events and markers")
          .isEqualTo(eventBytes() + markers * MARKER)
          .as("within the byte bound, or what was queued when it shrank, which never grows")
          .isLessThanOrEqualTo(allowBytes)
          .isLessThanOrEqualTo(limits.maxBytes());
      allowEntries = Math.max(boundEvents, buffer.pending());
      allowBytes = Math.max(boundBytes, buffer.pendingBytes());
      assertThat(buffer.droppedEvents()).isEqualTo(modelDropped);
      long undelivered = modelDropped - receivedGapCount - discardedGapCount;
      assertThat(undelivered).as("drops not yet handed out").isNotNegative();
      assertThat(buffer.isEmpty()).isEqualTo(queued.isEmpty() && undelivered == 0);

      double fill =
          Math.max(
              (double) Math.min(boundEvents, queued.size() + markers) / boundEvents,
              (double) Math.min(boundBytes, eventBytes() + markers * MARKER) / boundBytes);
      assertThat(buffer.fill()).isEqualTo(fill);

      // Warning: at an upward crossing of warn, if armed or below warn long enough before it.
      long now = clock.millis();
      boolean warning = false;
      if (fill >= limits.warn()) {
        if (warnArmed || (belowWarnSince >= 0 && now - belowWarnSince >= s.warnRearmMs())) {
          if (!warnArmed) {
            seen.add("warning re-armed");
          }
          warning = true;
          warnArmed = false;
        } else if (lastFill < limits.warn()) {
          seen.add("warning held back by the re-arm period");
        }
        belowWarnSince = -1;
      } else if (!warnArmed && belowWarnSince < 0) {
        belowWarnSince = now;
      }
      lastFill = fill;
      assertThat(buffer.takeWarning()).as("warning at fill %s", fill).isEqualTo(warning);

      // Sustain: from reaching disconnect until a dip below it lasts longer than the tolerance.
      // A dip starts when the fill falls, whenever anyone looks.
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
    return BufferScenarios.scenarios(DropPolicy.DROP_OLDEST);
  }

  @Provide
  Arbitrary<Scenario> dropNewestScenarios() {
    return BufferScenarios.scenarios(DropPolicy.DROP_NEWEST);
  }

  @Provide
  Arbitrary<Scenario> disconnectScenarios() {
    return BufferScenarios.scenarios(DropPolicy.DISCONNECT);
  }
}
