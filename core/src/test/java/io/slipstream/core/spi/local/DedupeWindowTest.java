package io.slipstream.core.spi.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipstream.core.spi.PublishOutcome;
import io.slipstream.core.topic.ChangeOp;
import io.slipstream.core.topic.ChangeRequest;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * {@link DedupeWindow} and {@link BodyDigest}: the window holds exactly the last {@code window}
 * keys (against a deque model), its byte count is the sum of its entries, and the digest tells
 * other changes apart but not the same changes.
 */
class DedupeWindowTest {

  private static PublishOutcome applied(long seq) {
    return PublishOutcome.applied("t", "e", seq, seq);
  }

  private static BodyDigest digest(String row) {
    return BodyDigest.of(List.of(new ChangeRequest(ChangeOp.INSERT, "k", row)));
  }

  @Property(tries = 300)
  void holdsExactlyTheLastWindowKeys(
      @ForAll @IntRange(min = 1, max = 8) int window,
      @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 15) Integer> keys) {
    DedupeWindow w = new DedupeWindow(window);
    ArrayDeque<String> model = new ArrayDeque<>();
    Map<String, Long> seqs = new HashMap<>();
    long seq = 0;
    long freedTotal = 0;
    long added = 0;
    for (int k : keys) {
      String key = "key-" + k;
      if (w.get(key) != null) {
        // A repeat is answered, not remembered again (the sequencer never re-remembers).
        assertThat(w.get(key).outcome().firstSeq()).isEqualTo(seqs.get(key));
        continue;
      }
      seq++;
      freedTotal += w.remember(key, digest("{}"), applied(seq));
      added += DedupeWindow.entryBytes(key);
      seqs.put(key, seq);
      model.addLast(key);
      while (model.size() > window) {
        model.removeFirst();
      }
      assertThat(w.size()).isEqualTo(model.size());
      for (String m : model) {
        assertThat(w.get(m)).isNotNull();
      }
      long bytes = 0;
      for (String m : model) {
        bytes += DedupeWindow.entryBytes(m);
      }
      assertThat(w.bytes()).isEqualTo(bytes).isEqualTo(added - freedTotal);
    }
  }

  @Test
  void rememberingAKeyTwiceIsABug() {
    DedupeWindow w = new DedupeWindow(4);
    w.remember("k", digest("{}"), applied(1));
    assertThatThrownBy(() -> w.remember("k", digest("{}"), applied(2)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theDigestSeesEveryPartOfEveryChange() {
    List<ChangeRequest> base =
        List.of(
            new ChangeRequest(ChangeOp.INSERT, "a", "{\"v\":1}"),
            new ChangeRequest(ChangeOp.DELETE, "b", null));
    assertThat(BodyDigest.of(base))
        .isEqualTo(BodyDigest.of(List.copyOf(base)))
        .isNotEqualTo(BodyDigest.of(List.of(base.get(0))))
        .isNotEqualTo(
            BodyDigest.of(
                List.of(new ChangeRequest(ChangeOp.UPDATE, "a", "{\"v\":1}"), base.get(1))))
        .isNotEqualTo(
            BodyDigest.of(
                List.of(new ChangeRequest(ChangeOp.INSERT, "a", "{\"v\":2}"), base.get(1))))
        .isNotEqualTo(BodyDigest.of(List.of(base.get(1), base.get(0))));
    // Lengths are hashed too: moving a character from key to row changes the digest.
    assertThat(BodyDigest.of(List.of(new ChangeRequest(ChangeOp.INSERT, "ab", "{}"))))
        .isNotEqualTo(BodyDigest.of(List.of(new ChangeRequest(ChangeOp.INSERT, "a", "b{}"))));
  }
}
