package io.slipstream.server.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/connections}' parameters (docs/protocol.md §10): the bare array without them, a
 * page with them, worst first, filtered, and a cursor that continues where its page stopped.
 */
class ConnectionsQueryTest {

  private static JsonObject conn(String id, double fill, Long p99, double rate, String quality) {
    return new JsonObject()
        .put("id", id)
        .put("state", "active")
        .put("quality", quality)
        .put("topics", new JsonArray().add(id.startsWith("a") ? "t1" : "t2"))
        .put("fill", fill)
        .put("sentPerSec", rate)
        .put("ackLagMs", new JsonObject().put("p50", p99).put("p99", p99));
  }

  private final List<JsonObject> all =
      List.of(
          conn("a1", 0.1, 5L, 10, "healthy"),
          conn("a2", 0.9, null, 1, "warned"),
          conn("b1", 0.5, 50L, 100, "lagging"),
          conn("b2", 0.5, 7L, 3, "lagging"),
          conn("b3", 0.0, 500L, 0, "healthy"));

  private static ConnectionsQuery q(String sort, String limit, String cursor) {
    return ConnectionsQuery.parse(sort, limit, cursor, null, null, null, null).query();
  }

  private static List<String> ids(JsonArray a) {
    List<String> out = new ArrayList<>();
    for (Object o : a) {
      out.add(((JsonObject) o).getString("id"));
    }
    return out;
  }

  @Test
  void withoutParametersTheAnswerIsTheBareArrayOfEveryConnection() {
    ConnectionsQuery query = q(null, null, null);
    assertThat(query.paged()).isFalse();
    assertThat(ids(new JsonArray(query.answer(query.select(all)))))
        .containsExactly("a1", "a2", "b1", "b2", "b3");
  }

  @Test
  void sortPutsTheWorstFirstTiesByIdAndPagesFollowTheCursorToTheEnd() {
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      ConnectionsQuery query = q("fill", "2", cursor);
      JsonObject page = new JsonObject(query.answer(query.select(all)));
      seen.addAll(ids(page.getJsonArray("connections")));
      cursor = page.getString("next");
      pages++;
    } while (cursor != null && pages < 10);
    assertThat(pages).isEqualTo(3);
    assertThat(seen).containsExactly("a2", "b1", "b2", "a1", "b3");
  }

  @Test
  void lagSortsByAckLagP99WithNoAcksLastAndRateBySendRate() {
    ConnectionsQuery lag = q("lag", "10", null);
    assertThat(ids(new JsonObject(lag.answer(lag.select(all))).getJsonArray("connections")))
        .containsExactly("b3", "b1", "b2", "a1", "a2");
    ConnectionsQuery rate = q("rate", "1", null);
    JsonObject page = new JsonObject(rate.answer(rate.select(all)));
    assertThat(ids(page.getJsonArray("connections"))).containsExactly("b1");
    assertThat(page.getString("next")).isNotNull();
  }

  @Test
  void filtersByStateQualityAndTopic() {
    ConnectionsQuery lagging =
        ConnectionsQuery.parse(null, null, null, "active", "lagging", "t2", null).query();
    assertThat(ids(new JsonArray(lagging.answer(lagging.select(all))))).containsExactly("b1", "b2");
    ConnectionsQuery none =
        ConnectionsQuery.parse(null, null, null, "connecting", null, null, null).query();
    assertThat(new JsonArray(none.answer(none.select(all)))).isEmpty();
  }

  @Test
  void membersPagesMergeIntoOnePage() {
    ConnectionsQuery query = q("fill", "2", null);
    List<JsonObject> merged = new ArrayList<>(query.select(all.subList(0, 2)));
    merged.addAll(query.select(all.subList(2, 5)));
    JsonObject page = new JsonObject(query.answer(merged));
    assertThat(ids(page.getJsonArray("connections"))).containsExactly("a2", "b1");
    assertThat(page.getString("next")).isNotNull();
  }

  @Test
  void aControlMessageCarriesTheQueryToAnotherMember() {
    ConnectionsQuery first = q("lag", "2", null);
    String next = new JsonObject(first.answer(first.select(all))).getString("next");
    ConnectionsQuery query =
        ConnectionsQuery.parse("lag", "2", next, null, "lagging", "t2", "true").query();
    ConnectionsQuery carried = ConnectionsQuery.fromJson(query.toJson());
    assertThat(carried.sort()).isEqualTo("lag");
    assertThat(carried.limit()).isEqualTo(2);
    assertThat(carried.cursor()).isEqualTo(query.cursor());
    assertThat(carried.quality()).isEqualTo("lagging");
    assertThat(carried.topic()).isEqualTo("t2");
  }

  @Test
  void badParametersAreRefusedNamingTheParameter() {
    assertThat(ConnectionsQuery.parse("speed", null, null, null, null, null, null).violation())
        .satisfies(v -> assertThat(v.message()).startsWith("sort"));
    assertThat(ConnectionsQuery.parse(null, "0", null, null, null, null, null).violation())
        .satisfies(v -> assertThat(v.message()).startsWith("limit"));
    assertThat(ConnectionsQuery.parse(null, "1001", null, null, null, null, null).violation())
        .isNotNull();
    assertThat(ConnectionsQuery.parse(null, "x", null, null, null, null, null).violation())
        .isNotNull();
    assertThat(ConnectionsQuery.parse("fill", null, "!!", null, null, null, null).violation())
        .satisfies(v -> assertThat(v.message()).startsWith("cursor"));
    assertThat(ConnectionsQuery.parse(null, null, null, null, null, null, "yes").violation())
        .satisfies(v -> assertThat(v.message()).startsWith("all"));
  }
}
