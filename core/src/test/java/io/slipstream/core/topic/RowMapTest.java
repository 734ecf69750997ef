package io.slipstream.core.topic;

import static io.slipstream.core.topic.RowMapProperties.assertSameContent;
import static io.slipstream.core.topic.RowMapProperties.iterate;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Worked examples of {@link RowMap}: scale, collision nodes forming, splitting and collapsing. */
class RowMapTest {

  private static Row row(int i) {
    return new Row("{\"v\":" + i + "}", i);
  }

  @Test
  void emptyMapHasNothing() {
    assertThat(RowMap.EMPTY.size()).isZero();
    assertThat(RowMap.EMPTY.get("a")).isNull();
    assertThat(RowMap.EMPTY.iterator().hasNext()).isFalse();
    assertThat(RowMap.EMPTY.remove("a")).isSameAs(RowMap.EMPTY);
  }

  @Test
  void hundredThousandKeys() {
    int n = 100_000;
    RowMap map = RowMap.EMPTY;
    Map<String, Row> model = new HashMap<>();
    RowMap half = null;
    Map<String, Row> halfModel = null;
    for (int i = 0; i < n; i++) {
      // Mixed shapes of key: sequential, and colliding-looking "Aa"/"BB" prefixes.
      String key = (i % 3 == 0 ? "AaBB" : i % 3 == 1 ? "BBAa" : "row-") + i;
      map = map.put(key, row(i));
      model.put(key, row(i));
      if (i == n / 2) {
        half = map;
        halfModel = new HashMap<>(model);
      }
    }
    assertThat(map.size()).isEqualTo(n);
    List<String> keys = new ArrayList<>(model.keySet());
    for (String k : keys) {
      assertThat(map.get(k)).isEqualTo(model.get(k));
    }
    assertThat(iterate(map)).isEqualTo(model);

    // Overwrite every tenth key, remove every other key: size and content follow the model.
    RowMap updated = map;
    for (int i = 0; i < keys.size(); i++) {
      String k = keys.get(i);
      if (i % 2 == 0) {
        updated = updated.remove(k);
        model.remove(k);
      } else if (i % 10 == 1) {
        updated = updated.put(k, row(-i));
        model.put(k, row(-i));
      }
    }
    assertThat(updated.size()).isEqualTo(model.size());
    assertThat(iterate(updated)).isEqualTo(model);

    // The earlier versions are untouched.
    assertThat(map.size()).isEqualTo(n);
    assertThat(half.size()).isEqualTo(n / 2 + 1);
    assertThat(iterate(half)).isEqualTo(halfModel);

    // Removing everything gives back an empty map.
    for (String k : keys) {
      updated = updated.remove(k);
    }
    assertThat(updated.size()).isZero();
    assertThat(updated.iterator().hasNext()).isFalse();
  }

  @Test
  void collisionNodeFormsGrowsShrinksAndCollapses() {
    List<String> family = CollidingKeys.aaBbFamily(3); // 8 keys, one hashCode
    assertThat(family.stream().mapToInt(String::hashCode).distinct().count()).isEqualTo(1);
    RowMap map = RowMap.EMPTY;
    Map<String, Row> model = new HashMap<>();
    List<RowMap> versions = new ArrayList<>();
    List<Map<String, Row>> models = new ArrayList<>();
    for (int i = 0; i < family.size(); i++) {
      map = map.put(family.get(i), row(i));
      model.put(family.get(i), row(i));
      versions.add(map);
      models.add(new HashMap<>(model));
      assertSameContent(map, model, family, "after adding " + family.get(i));
    }
    // Replacing inside a collision node keeps the size.
    map = map.put(family.get(3), row(99));
    model.put(family.get(3), row(99));
    assertSameContent(map, model, family, "after replacing");
    for (int i = family.size() - 1; i >= 0; i--) {
      map = map.remove(family.get((i * 3) % family.size()));
      model.remove(family.get((i * 3) % family.size()));
      assertSameContent(map, model, family, "after removing");
    }
    assertThat(map.size()).isZero();
    for (int i = 0; i < versions.size(); i++) {
      assertSameContent(versions.get(i), models.get(i), family, "version " + i);
    }
  }

  @Test
  void collisionNodeSplitsWhenAKeyDiffersAtEachLevel() {
    int base = 0x5A5A_5A5A;
    for (int bit : new int[] {0, 4, 5, 9, 10, 15, 20, 25, 29, 30, 31}) {
      String c1 = CollidingKeys.withSpreadHash(base, 0);
      String c2 = CollidingKeys.withSpreadHash(base, 1);
      String other = CollidingKeys.withSpreadHash(base ^ (1 << bit), 0);
      String other2 = CollidingKeys.withSpreadHash(base ^ (1 << bit), 1);
      List<String> keys = List.of(c1, c2, other, other2);
      Map<String, Row> model = new HashMap<>();
      RowMap map = RowMap.EMPTY;
      // Collision first, then the near-miss keys, which must split below the collision.
      for (String k : keys) {
        map = map.put(k, row(k.hashCode()));
        model.put(k, row(k.hashCode()));
        assertSameContent(map, model, keys, "bit " + bit + " put " + k);
      }
      // Remove in an order that collapses the collision to a leaf under the split.
      for (String k : List.of(c2, other, c1, other2)) {
        map = map.remove(k);
        model.remove(k);
        assertSameContent(map, model, keys, "bit " + bit + " remove " + k);
      }
      // And the other way round: a near miss first, then the collision beside it.
      map = RowMap.EMPTY;
      model.clear();
      for (String k : List.of(other, c1, c2, other2)) {
        map = map.put(k, row(1));
        model.put(k, row(1));
        assertSameContent(map, model, keys, "bit " + bit + " reversed put " + k);
      }
    }
  }

  @Test
  void crafterKeysHaveTheHashAskedFor() {
    for (int h : new int[] {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0x12345678}) {
      for (int v = 0; v < 26; v++) {
        assertThat(CollidingKeys.withHashCode(h, v).hashCode()).isEqualTo(h);
        assertThat(CollidingKeys.spread(CollidingKeys.spread(h))).isEqualTo(h);
      }
    }
  }
}
