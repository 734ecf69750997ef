package io.slipstream.server.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** {@link RowsJson}: the pieces of a {@code /rows} answer join into one JSON object. */
class RowsJsonTest {

  @Test
  void piecesJoinIntoTheAnswerWithRowsSplicedInAndKeysEscaped() {
    StringBuilder sb = RowsJson.head(new StringBuilder(), "t", "e-1", 42);
    RowsJson.row(sb, true, "plain", "{\"v\":1}");
    RowsJson.row(sb, false, "q\"u\\o\nte\u0001", "{}");
    JsonObject answer = new JsonObject(RowsJson.tail(sb, "q\"").toString());
    assertThat(answer)
        .isEqualTo(
            new JsonObject()
                .put("topic", "t")
                .put("epoch", "e-1")
                .put("seq", 42)
                .put(
                    "rows",
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put("key", "plain")
                                .put("row", new JsonObject().put("v", 1)))
                        .add(
                            new JsonObject()
                                .put("key", "q\"u\\o\nte\u0001")
                                .put("row", new JsonObject())))
                .put("next", "q\""));
  }

  @Test
  void anEmptyLastPageHasNoNext() {
    String json = RowsJson.tail(RowsJson.head(new StringBuilder(), "t", "e", 0), null).toString();
    assertThat(json).isEqualTo("{\"topic\":\"t\",\"epoch\":\"e\",\"seq\":0,\"rows\":[]}");
  }
}
