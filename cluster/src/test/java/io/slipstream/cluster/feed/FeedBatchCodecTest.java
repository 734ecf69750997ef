package io.slipstream.cluster.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipstream.cluster.log.LoggedChange;
import io.slipstream.core.topic.ChangeOp;
import io.vertx.core.buffer.Buffer;
import java.io.UncheckedIOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The feed's event-bus codec: what another node decodes is the batch this node sent. */
class FeedBatchCodecTest {

  private final FeedBatchCodec codec = new FeedBatchCodec();

  @Test
  void aBatchSurvivesTheWireAtAnyPositionOfTheFrame() {
    FeedBatch sent =
        new FeedBatch(
            "orders",
            "mk3-7f",
            41,
            List.of(
                new LoggedChange(ChangeOp.INSERT, "a", "{\"v\":1}", 1_000, "p1"),
                new LoggedChange(ChangeOp.UPDATE, "b", "{\"v\":\"é€😀\"}", 1_000, "p1"),
                new LoggedChange(ChangeOp.DELETE, "a", null, 1_001, null),
                new LoggedChange(ChangeOp.UPDATE, "c", "{}", 1_002, "p2")));
    // The event bus writes its own header before the body: decode from where the body starts.
    Buffer frame = Buffer.buffer().appendString("header");
    int pos = frame.length();
    codec.encodeToWire(frame, sent);
    frame.appendString("trailer");

    FeedBatch received = codec.decodeFromWire(pos, frame);

    assertThat(received).isEqualTo(sent);
    assertThat(received.lastSeq()).isEqualTo(44);
  }

  @Test
  void localDeliverySharesTheInstanceAndTheNameIsFixed() {
    FeedBatch b = new FeedBatch(
        "t", "e", 1, List.of(new LoggedChange(ChangeOp.DELETE, "k", null, 1, null)));

    assertThat(codec.transform(b)).isSameAs(b);
    assertThat(codec.name()).isEqualTo("slipstream.feed-batch");
    assertThat(codec.systemCodecID()).isEqualTo((byte) -1);
  }

  @Test
  void anUnknownFormatIsRefused() {
    FeedBatch b = new FeedBatch(
        "t", "e", 1, List.of(new LoggedChange(ChangeOp.DELETE, "k", null, 1, null)));
    Buffer frame = Buffer.buffer();
    codec.encodeToWire(frame, b);
    // The format byte follows the length.
    frame.setByte(Integer.BYTES, (byte) 99);

    assertThatThrownBy(() -> codec.decodeFromWire(0, frame))
        .isInstanceOf(UncheckedIOException.class)
        .hasStackTraceContaining("format 99");
  }
}
