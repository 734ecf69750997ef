package io.slipstream.cluster.log;

import io.slipstream.core.topic.ChangeOp;
import io.slipstream.core.topic.ChangeRequest;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Random publishes for the log properties: few ids (so repeats and conflicts happen), few keys
 * (so rows are overwritten and deleted), and limits small enough that the ring, the dedupe window
 * and the row bound all come into play.
 */
final class Publishes {

  /** Ring of 5 changes, window of 2 ids, about four rows. */
  static final LogLimits TIGHT =
      new LogLimits(5, 5 * 90, 2, 4 * TopicLog.rowWeight("k0", "{\"v\":0}") + 8);

  private Publishes() {}

  /**
   * One publish.
   *
   * @param publishId null or one of a few ids
   * @param changes one to three changes
   */
  record Pub(String publishId, List<ChangeRequest> changes) {

    Append append(String epochCandidate) {
      return new Append(
          publishId, AppendRequest.hashOf(changes), 7, changes, epochCandidate, TIGHT);
    }
  }

  static Arbitrary<List<Pub>> publishes() {
    Arbitrary<String> ids = Arbitraries.of("a", "b", "c", "d").injectNull(0.3);
    Arbitrary<ChangeRequest> change =
        Combinators.combine(
                Arbitraries.of(ChangeOp.UPDATE, ChangeOp.INSERT, ChangeOp.DELETE),
                Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(0, 1))
            .as(
                (op, k, v) ->
                    new ChangeRequest(
                        op, "k" + k, op == ChangeOp.DELETE ? null : "{\"v\":" + v + "}"));
    return Combinators.combine(ids, change.list().ofMinSize(1).ofMaxSize(3))
        .as(Pub::new)
        .list()
        .ofMinSize(1)
        .ofMaxSize(25);
  }
}
