package io.slipstream.server.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.ChangeOp;
import io.slipstream.core.topic.Row;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChangeFramesTest {

  @Test
  void aChangeIsValidJsonWithEveryFieldAndTheRowLast() {
    String key = "we\"ird\\key\n\u0001é€";
    ChangeEvent e =
        new ChangeEvent("t.1", "ep-1", 42, ChangeOp.UPDATE, key, "{\"seq\":99,\"a\":[1]}", 1234, ChangeFrames.INSTANCE);
    String text = new String(e.frame(), StandardCharsets.UTF_8);
    JsonObject m = new JsonObject(text);
    assertThat(m.getString("type")).isEqualTo("change");
    assertThat(m.getString("topic")).isEqualTo("t.1");
    assertThat(m.getString("epoch")).isEqualTo("ep-1");
    assertThat(m.getLong("seq")).isEqualTo(42);
    assertThat(m.getString("op")).isEqualTo("UPDATE");
    assertThat(m.getString("key")).isEqualTo(key);
    assertThat(m.getLong("ts")).isEqualTo(1234);
    assertThat(m.getJsonObject("row")).isEqualTo(new JsonObject().put("seq", 99).put("a", new io.vertx.core.json.JsonArray().add(1)));
    assertThat(m.containsKey("snapshot")).isFalse();
    // A scanner looking for the envelope's seq must find it before any field of the row.
    assertThat(text.indexOf("\"seq\":")).isLessThan(text.indexOf("\"row\":"));
  }

  @Test
  void aDeleteHasNoRow() {
    ChangeEvent e = new ChangeEvent("t", "e", 1, ChangeOp.DELETE, "k", null, 1, ChangeFrames.INSTANCE);
    JsonObject m = new JsonObject(new String(e.frame(), StandardCharsets.UTF_8));
    assertThat(m.containsKey("row")).isFalse();
    assertThat(m.getString("op")).isEqualTo("DELETE");
  }

  @Test
  void aSnapshotRowIsAnInsertAtTheSnapshotSeq() {
    byte[] f = ChangeFrames.snapshotRow("t", "e", 7, "k", new Row("{\"v\":1}", 99));
    JsonObject m = new JsonObject(new String(f, StandardCharsets.UTF_8));
    assertThat(m.getString("op")).isEqualTo("INSERT");
    assertThat(m.getLong("seq")).isEqualTo(7);
    assertThat(m.getBoolean("snapshot")).isTrue();
    assertThat(m.getLong("ts")).isEqualTo(99);
    assertThat(m.getJsonObject("row").getInteger("v")).isEqualTo(1);
  }

  /** The hand-written UTF-8 must equal the JDK's for every kind of character. */
  @Test
  void bytesEqualTheJdksUtf8ForAnyKeyAndRow() {
    String[] keys = {"plain", "é", "€uro", "😀 emoji", "\"quoted\\", "ctl\u0001\t", "lone\uD800surrogate", "中文"};
    for (String key : keys) {
      String row = "{\"v\":\"" + key.replace("\\", "").replace("\"", "").replaceAll("[\\x00-\\x1F]", "") + "\"}";
      ChangeEvent e = new ChangeEvent("t", "e", 3, ChangeOp.INSERT, key, row, 9, ChangeFrames.INSTANCE);
      String expected =
          "{\"type\":\"change\",\"topic\":\"t\",\"epoch\":\"e\",\"seq\":3,\"op\":\"INSERT\",\"key\":"
              + io.vertx.core.json.Json.encode(key) + ",\"ts\":9,\"row\":" + row + "}";
      assertThat(e.frame()).as("key %s", key).isEqualTo(expected.getBytes(StandardCharsets.UTF_8));
    }
  }
}
