package io.slipstream.core.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

/**
 * {@link RowMap} against a {@link HashMap} model: random put/remove/get sequences over keys that
 * collide in {@code hashCode()} or differ in a single trie level, so collision nodes form, split
 * and collapse at every depth. After every step the map and the model agree on size, lookups and
 * full iteration; at the end every earlier version still equals the model as it was then.
 */
class RowMapProperties {

  enum Kind {
    PUT,
    REMOVE,
    GET
  }

  record Op(Kind kind, String key) {}

  /** A run: the key pool it draws from (checked on every step, present or not) and its ops. */
  record Run(List<String> pool, List<Op> ops) {}

  @Property(tries = 300)
  void collidingKeysBehaveLikeAHashMap(@ForAll("collidingRuns") Run run) {
    check(run);
  }

  @Property(tries = 200)
  void shortRandomKeysBehaveLikeAHashMap(@ForAll("randomRuns") Run run) {
    check(run);
  }

  private static void check(Run run) {
    RowMap map = RowMap.EMPTY;
    Map<String, Row> model = new HashMap<>();
    List<RowMap> versions = new ArrayList<>();
    List<Map<String, Row>> modelVersions = new ArrayList<>();
    versions.add(map);
    modelVersions.add(Map.copyOf(model));
    int step = 0;
    for (Op op : run.ops()) {
      step++;
      switch (op.kind()) {
        case PUT:
          Row row = new Row("{\"v\":" + step + "}", step);
          map = map.put(op.key(), row);
          model.put(op.key(), row);
          break;
        case REMOVE:
          RowMap before = map;
          boolean present = model.containsKey(op.key());
          map = map.remove(op.key());
          model.remove(op.key());
          if (!present) {
            assertThat(map).as("removing an absent key returns the same map").isSameAs(before);
          }
          break;
        case GET:
          assertThat(map.get(op.key())).isEqualTo(model.get(op.key()));
          break;
        default:
          throw new AssertionError(op);
      }
      assertSameContent(map, model, run.pool(), "after step " + step + " " + op);
      versions.add(map);
      modelVersions.add(Map.copyOf(model));
    }
    for (int i = 0; i < versions.size(); i++) {
      assertSameContent(versions.get(i), modelVersions.get(i), run.pool(), "version " + i);
    }
    assertThat(RowMap.EMPTY.size()).as("EMPTY is never modified").isZero();
  }

  /** Size, every pool key's lookup, and one full iteration without duplicates. */
  static void assertSameContent(
      RowMap map, Map<String, Row> model, List<String> pool, String when) {
    assertThat(map.size()).as("size %s", when).isEqualTo(model.size());
    for (String key : pool) {
      assertThat(map.get(key)).as("get(%s) %s", key, when).isEqualTo(model.get(key));
    }
    assertThat(iterate(map)).as("iteration %s", when).isEqualTo(model);
  }

  /** The map's entries as a Map, failing on a duplicate key or an iterator that misbehaves. */
  static Map<String, Row> iterate(RowMap map) {
    Map<String, Row> seen = new HashMap<>();
    Iterator<RowMap.Entry> it = map.iterator();
    while (it.hasNext()) {
      RowMap.Entry e = it.next();
      Row previous = seen.put(e.key(), e.row());
      assertThat(previous).as("key %s iterated twice", e.key()).isNull();
    }
    assertThat(it.hasNext()).isFalse();
    assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
    return seen;
  }

  @Provide
  Arbitrary<Run> collidingRuns() {
    return Arbitraries.integers()
        .flatMap(
            base -> {
              List<String> pool = CollidingKeys.pool(base, 3);
              return ops(Arbitraries.of(pool), 150).map(ops -> new Run(pool, ops));
            });
  }

  @Provide
  Arbitrary<Run> randomRuns() {
    Arbitrary<String> keys =
        Arbitraries.strings().withCharRange('a', 'd').ofMinLength(1).ofMaxLength(3);
    return keys.list()
        .ofMinSize(1)
        .ofMaxSize(30)
        .uniqueElements()
        .flatMap(pool -> ops(Arbitraries.of(pool), 120).map(ops -> new Run(pool, ops)));
  }

  private static Arbitrary<List<Op>> ops(Arbitrary<String> keys, int maxSize) {
    Arbitrary<Kind> kinds =
        Arbitraries.frequency(
            Tuple.of(5, Kind.PUT), Tuple.of(3, Kind.REMOVE), Tuple.of(1, Kind.GET));
    return Combinators.combine(kinds, keys)
        .as(Op::new)
        .list()
        .ofMaxSize(maxSize)
        .withSizeDistribution(RandomDistribution.uniform());
  }
}
