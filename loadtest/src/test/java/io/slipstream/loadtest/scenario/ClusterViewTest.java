package io.slipstream.loadtest.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Reading {@code GET /api/cluster} and the names the cluster scenario gives its clients. */
class ClusterViewTest {

  private static final String BODY =
      "{\"node\":\"a\",\"minMembers\":2,\"members\":["
          + "{\"id\":\"a\",\"address\":\"127.0.0.1:5801\",\"self\":true,\"reachable\":true,"
          + "\"connections\":3,\"topicsOwned\":0,\"replicaLag\":0},"
          + "{\"id\":\"b\",\"address\":\"127.0.0.1:5802\",\"self\":false,\"reachable\":true,"
          + "\"connections\":4,\"topicsOwned\":1,\"replicaLag\":2},"
          + "{\"id\":\"c\",\"address\":\"127.0.0.1:5803\",\"reachable\":false}]}";

  @Test
  void theOwnerIsTheMemberHoldingTheTopic() {
    ClusterView v = ClusterView.parse(new JsonObject(BODY));
    assertThat(v.node()).isEqualTo("a");
    assertThat(v.minMembers()).isEqualTo(2);
    assertThat(v.members()).hasSize(3);
    assertThat(v.owner()).isEqualTo("127.0.0.1:5802");
    assertThat(v.members().get(1).replicaLag()).isEqualTo(2);
    assertThat(v.members().get(2).reachable()).isFalse();
  }

  @Test
  void allReachableNeedsEveryMemberToAnswer() {
    assertThat(ClusterView.parse(new JsonObject(BODY)).allReachable(3)).isFalse();
    String all = BODY.replace("\"reachable\":false", "\"reachable\":true");
    assertThat(ClusterView.parse(new JsonObject(all)).allReachable(3)).isTrue();
    assertThat(ClusterView.parse(new JsonObject(all)).allReachable(2)).isFalse();
  }

  @Test
  void noOwnerWhenNobodyOrTwoHoldTheTopic() {
    String nobody = BODY.replace("\"topicsOwned\":1", "\"topicsOwned\":0");
    String two = BODY.replace("\"topicsOwned\":0", "\"topicsOwned\":1");
    assertThat(ClusterView.parse(new JsonObject(nobody)).owner()).isNull();
    assertThat(ClusterView.parse(new JsonObject(two)).owner()).isNull();
  }

  @Test
  void aClientsHomeNodeIsInItsName() {
    assertThat(ClusterFigures.homeNode("lt-n2-17")).isEqualTo(2);
    assertThat(ClusterFigures.homeNode("lt-n10-3")).isEqualTo(10);
    assertThat(ClusterFigures.homeNode("lt-fresh-20")).isEqualTo(-1);
  }
}
