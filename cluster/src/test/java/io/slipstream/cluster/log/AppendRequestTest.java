package io.slipstream.cluster.log;

import static io.slipstream.cluster.log.Logs.delete;
import static io.slipstream.cluster.log.Logs.upsert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipstream.core.topic.ChangeOp;
import io.slipstream.core.topic.ChangeRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link AppendRequest}'s validation and the body hash that tells a retry from a conflict. */
class AppendRequestTest {

  @Test
  void theSameChangesHashAlikeAndAnyDifferenceHashesApart() {
    List<ChangeRequest> body = List.of(upsert("a", 1), delete("b"));

    assertThat(AppendRequest.hashOf(body)).isEqualTo(AppendRequest.hashOf(List.copyOf(body)));
    assertThat(AppendRequest.hashOf(body))
        .isNotEqualTo(AppendRequest.hashOf(List.of(upsert("a", 2), delete("b"))))
        .isNotEqualTo(AppendRequest.hashOf(List.of(delete("b"), upsert("a", 1))))
        .isNotEqualTo(AppendRequest.hashOf(List.of(
            new ChangeRequest(ChangeOp.INSERT, "a", "{\"v\":1}"), delete("b"))));
    // Separators: moving characters between key and row changes the hash.
    assertThat(AppendRequest.hashOf(List.of(new ChangeRequest(ChangeOp.UPDATE, "ab", "{}"))))
        .isNotEqualTo(
            AppendRequest.hashOf(List.of(new ChangeRequest(ChangeOp.UPDATE, "a", "b{}"))));
  }

  @Test
  void aRequestNeedsAValidTopicChangesAndABoundedId() {
    List<ChangeRequest> one = List.of(upsert("a", 1));

    assertThatThrownBy(() -> AppendRequest.of("bad topic", null, one, 0))
        .hasMessageContaining("topic");
    assertThatThrownBy(() -> AppendRequest.of("t", null, List.of(), 0))
        .hasMessageContaining("changes");
    assertThatThrownBy(() -> AppendRequest.of("t", "x".repeat(257), one, 0))
        .hasMessageContaining("publishId");
    assertThat(AppendRequest.of("t", "x".repeat(256), one, 0).publishId()).hasSize(256);
  }
}
