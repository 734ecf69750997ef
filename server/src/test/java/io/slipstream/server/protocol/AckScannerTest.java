package io.slipstream.server.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link AckScanner} against the full strict parser: whatever it reads, it reads as {@link
 * Inbound#parseTree} does, and the acks clients send are all read by it.
 */
class AckScannerTest {

  /** The common shape in every member order and spacing: read, and read as the tree reads it. */
  @Property(tries = 2000)
  void readsEveryCanonicalAckAsTheTreeDoes(@ForAll("acks") String ack) {
    Inbound.Parsed fast = AckScanner.scan(ack);
    assertThat(fast).as(ack).isNotNull();
    assertThat(fast).as(ack).isEqualTo(Inbound.parseTree(ack));
    assertThat(Inbound.parse(ack)).isEqualTo(fast);
  }

  /**
   * Acks with a few characters inserted, deleted or replaced by JSON-significant ones: the scanner
   * either declines or agrees with the tree, so a malformed frame still gets the tree's error.
   */
  @Property(tries = 20000)
  void neverDisagreesWithTheTreeOnAMutatedAck(
      @ForAll("acks") String ack,
      @ForAll @IntRange(min = 1, max = 3) int edits,
      @ForAll("seeds") long seed) {
    String text = mutate(ack, edits, new java.util.Random(seed));
    Inbound.Parsed fast = AckScanner.scan(text);
    if (fast != null) {
      assertThat(fast).as(text).isEqualTo(Inbound.parseTree(text));
    }
    assertThat(Inbound.parse(text)).as(text).isEqualTo(Inbound.parseTree(text));
  }

  @Example
  void declinesWhatItDoesNotRead() {
    String[] others = {
      "{\"type\":\"ack\",\"topic\":\"t\",\"seq\":01}", // leading zero: bad-json
      "{\"type\":\"ack\",\"topic\":\"t\",\"seq\":-1}", // negative
      "{\"type\":\"ack\",\"topic\":\"t\",\"seq\":1.0}", // not an integer
      "{\"type\":\"ack\",\"topic\":\"t\",\"seq\":1e3}",
      "{\"type\":\"ack\",\"topic\":\"t\",\"seq\":1234567890123456789}", // 19 digits
      "{\"type\":\"ack\",\"topic\":\"t\",\"seq\":1,\"seq\":2}", // repeated member
      "{\"type\":\"ack\",\"topic\":\"t\",\"seq\":1,\"x\":2}", // another member
      "{\"type\":\"ack\",\"topic\":\"t\\u0041\",\"seq\":1}", // an escape
      "{\"type\":\"ack\",\"topic\":\"é\",\"seq\":1}", // not ASCII
      "{\"type\":\"ack\",\"topic\":\"a b\",\"seq\":1}", // not a topic name
      "{\"type\":\"ack\",\"topic\":\"t\"}", // no seq
      "{\"type\":\"ack\",\"topic\":\"t\",\"seq\":1}x", // trailing
      "{\"type\":\"ack\",\"topic\":\"t\",\"seq\":1,}", // trailing comma
      "{\"type\":\"Ack\",\"topic\":\"t\",\"seq\":1}",
      "{\"type\":\"ack\",\"topic\":\"t\",\"seq\":1,\"id\":-3}",
      "{\"type\":\"ack\",\"topic\":\"t\",\"seq\":1,\"id\":\"" + "i".repeat(257) + "\"}",
      "{\"type\":\"ping\"}",
      "\uFEFF{\"type\":\"ack\",\"topic\":\"t\",\"seq\":1}",
    };
    for (String o : others) {
      assertThat(AckScanner.scan(o)).as(o).isNull();
      assertThat(Inbound.parse(o)).as(o).isEqualTo(Inbound.parseTree(o));
    }
  }

  @Example
  void readsIdsAsJacksonTypesThem() {
    assertThat(AckScanner.scan("{\"type\":\"ack\",\"topic\":\"t\",\"seq\":7,\"id\":2147483647}"))
        .extracting(p -> p.message().id())
        .isEqualTo(Integer.MAX_VALUE);
    assertThat(AckScanner.scan("{\"type\":\"ack\",\"topic\":\"t\",\"seq\":7,\"id\":2147483648}"))
        .extracting(p -> p.message().id())
        .isEqualTo(2147483648L);
    assertThat(AckScanner.scan(" {\"id\":\"a-1\", \"seq\" : 0 ,\"topic\":\"t\",\"type\":\"ack\"}\n"))
        .isEqualTo(Inbound.Parsed.ok(new ClientMessage.Ack("a-1", "t", 0)));
  }

  @Provide
  Arbitrary<Long> seeds() {
    return Arbitraries.longs();
  }

  @Provide
  Arbitrary<String> acks() {
    Arbitrary<String> topic =
        Arbitraries.strings().withChars("abcXYZ019._-").ofMinLength(1).ofMaxLength(128);
    Arbitrary<Long> seq =
        Arbitraries.oneOf(
            Arbitraries.longs().between(0, 1000),
            Arbitraries.longs().between(0, 999_999_999_999_999_999L));
    Arbitrary<String> id =
        Arbitraries.oneOf(
            Arbitraries.just(""),
            Arbitraries.longs().between(0, 999_999_999_999_999_999L).map(n -> "\"id\":" + n),
            Arbitraries.strings()
                .withCharRange(' ', '~')
                .ofMaxLength(256)
                .filter(x -> x.indexOf('"') < 0 && x.indexOf('\\') < 0)
                .map(x -> "\"id\":\"" + x + "\""));
    Arbitrary<String> ws = Arbitraries.of("", "", " ", "\n", " \t\r\n ");
    return Combinators.combine(topic, seq, id, ws, Arbitraries.shuffle(0, 1, 2, 3))
        .as(
            (t, n, i, w, order) -> {
              String[] members = {
                "\"type\"" + w + ":" + w + "\"ack\"",
                "\"topic\":" + w + "\"" + t + "\"",
                "\"seq\"" + w + ":" + n,
                i
              };
              List<String> present = new ArrayList<>();
              for (int k : order) {
                if (!members[k].isEmpty()) {
                  present.add(members[k]);
                }
              }
              return w + "{" + w + String.join(w + "," + w, present) + w + "}" + w;
            });
  }

  private static String mutate(String s, int edits, java.util.Random r) {
    String alphabet = "{}[]:,\"\\ 0123456789-+.eE\u00e9\u0000tTanulsqid";
    StringBuilder b = new StringBuilder(s);
    for (int e = 0; e < edits && b.length() > 0; e++) {
      int at = r.nextInt(b.length());
      char c = alphabet.charAt(r.nextInt(alphabet.length()));
      switch (r.nextInt(3)) {
        case 0 -> b.insert(at, c);
        case 1 -> b.deleteCharAt(at);
        default -> b.setCharAt(at, c);
      }
    }
    return b.toString();
  }
}
