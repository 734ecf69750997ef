package io.slipstream.loadtest.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BodiesTest {

  @Test
  void oneDueChangeIsOneObjectWithARowOfTheRequestedSize() {
    ChangeBodies b = new ChangeBodies("UPDATE", 256, 10, 0, 1 << 20, 500);
    JsonObject change = new JsonObject(b.next(1, 123_456_789L, 0));
    assertThat(change.getString("op")).isEqualTo("UPDATE");
    assertThat(change.getString("key")).isEqualTo("k0");
    JsonObject row = change.getJsonObject("row");
    assertThat(row.getLong("t")).isEqualTo(123_456_789L);
    assertThat(row.getLong("v")).isEqualTo(1);
    assertThat(row.encode().getBytes(StandardCharsets.UTF_8)).hasSize(256);
  }

  @Test
  void severalDueChangesAreOneArrayRoundRobinOverKeys() {
    ChangeBodies b = new ChangeBodies("INSERT", 64, 3, 0, 1 << 20, 500);
    JsonArray changes = new JsonArray(b.next(4, 5, 0));
    assertThat(changes).hasSize(4);
    assertThat(changes.getJsonObject(3).getString("key")).isEqualTo("k0");
    assertThat(changes.getJsonObject(3).getJsonObject("row").getLong("v")).isEqualTo(4);
    assertThat(changes.getJsonObject(0).getString("op")).isEqualTo("INSERT");
    assertThat(b.built()).isEqualTo(4);
  }

  @Test
  void realisticRowsAreOfTheRequestedSizeCarryTheStampsAndVary() {
    for (int size : new int[] {200, 256, 1024, 4096}) {
      ChangeBodies b = new ChangeBodies("UPDATE", size, 10, 0, 1 << 20, 500).realisticRows(true);
      JsonObject first = new JsonObject(b.next(1, 777, 0)).getJsonObject("row");
      JsonObject second = new JsonObject(b.next(1, 778, 0)).getJsonObject("row");
      assertThat(first.encode().getBytes(StandardCharsets.UTF_8)).as("size %d", size).hasSize(size);
      assertThat(second.encode().getBytes(StandardCharsets.UTF_8)).hasSize(size);
      assertThat(first.getLong("t")).isEqualTo(777);
      assertThat(second.getLong("v")).isEqualTo(2);
      assertThat(first.getString("sym")).isNotEmpty();
      assertThat(first.getString("id")).isNotEqualTo(second.getString("id"));
      if (size >= 1024) {
        assertThat(first.getJsonArray("fills")).as("size %d", size).isNotEmpty();
      }
    }
  }

  @Test
  void realisticRowsDeflateFarLessThanPaddedOnes() {
    int size = 1024;
    byte[] padded = new ChangeBodies("UPDATE", size, 1, 0, 1 << 20, 500).next(1, 1, 0)
        .getBytes(StandardCharsets.UTF_8);
    byte[] realistic =
        new ChangeBodies("UPDATE", size, 1, 0, 1 << 20, 500).realisticRows(true).next(1, 1, 0)
            .getBytes(StandardCharsets.UTF_8);
    assertThat(deflated(realistic)).isGreaterThan(3 * deflated(padded));
    assertThat(deflated(realistic)).as("still compresses").isLessThan(realistic.length * 3 / 4);
  }

  private static int deflated(byte[] input) {
    java.util.zip.Deflater d = new java.util.zip.Deflater(6, true);
    d.setInput(input);
    d.finish();
    byte[] out = new byte[input.length * 2 + 64];
    int n = d.deflate(out);
    d.end();
    return n;
  }

  @Test
  void tinySizesStillCarryTheStamps() {
    ChangeBodies b = new ChangeBodies("UPDATE", 0, 1, 0, 1 << 20, 500);
    JsonObject row = new JsonObject(b.next(1, 99, 0)).getJsonObject("row");
    assertThat(row.getLong("t")).isEqualTo(99);
    assertThat(row.getString("p")).isEmpty();
  }

  @Test
  void bodiesStayUnderTheByteBudget() {
    ChangeBodies b = new ChangeBodies("UPDATE", 10_000, 5, 0, 512 * 1024, 500);
    assertThat(b.maxPerBody()).isLessThanOrEqualTo(52);
    String body = b.next(b.maxPerBody(), 1, 0);
    assertThat(body.length()).isLessThan(512 * 1024);
  }

  @Test
  void deletesCarryNoRow() {
    ChangeBodies b = new ChangeBodies("UPDATE", 64, 10, 0.5, 1 << 20, 500);
    JsonArray changes = new JsonArray(b.next(200, 1, 0));
    long deletes =
        changes.stream()
            .map(o -> (JsonObject) o)
            .filter(c -> c.getString("op").equals("DELETE"))
            .count();
    assertThat(deletes).isBetween(50L, 150L);
    changes.stream()
        .map(o -> (JsonObject) o)
        .filter(c -> c.getString("op").equals("DELETE"))
        .forEach(c -> assertThat(c.containsKey("row")).isFalse());
  }

  @Test
  void rawMessagesAreNumberedFromZero() {
    RawBodies b = new RawBodies(100);
    JsonObject first = new JsonObject(b.next(1, 7, 0));
    JsonObject second = new JsonObject(b.next(1, 8, 0));
    assertThat(first.getLong("n")).isZero();
    assertThat(second.getLong("n")).isEqualTo(1);
    assertThat(second.getLong("t")).isEqualTo(8);
    assertThat(first.encode()).hasSize(100);
  }
}
