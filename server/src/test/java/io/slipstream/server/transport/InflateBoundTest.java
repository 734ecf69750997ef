package io.slipstream.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/**
 * {@link InflateBound} on Netty's real permessage-deflate decoder, negotiated as Vert.x 5.0.7
 * negotiates it (no bound). Regression: a message of a few KiB on the wire inflated to whatever
 * it encoded; {@link #theNegotiatedDecoderInflatesWithoutBound} shows what the bound is for.
 */
class InflateBoundTest {

  private static final int LIMIT = 1 << 20;
  private static final String OFFER = "permessage-deflate; client_max_window_bits";

  /** A pipeline holding the decoder Vert.x's negotiation installs for {@link #OFFER}. */
  private static EmbeddedChannel negotiated() {
    PerMessageDeflateServerExtensionHandshaker vertx =
        new PerMessageDeflateServerExtensionHandshaker(
            6,
            ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(),
            PerMessageDeflateServerExtensionHandshaker.MAX_WINDOW_SIZE,
            true,
            false);
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline()
        .addLast(
            "deflate",
            vertx
                .handshakeExtension(
                    new WebSocketExtensionData(
                        "permessage-deflate", Map.of("client_max_window_bits", "")))
                .newExtensionDecoder());
    return ch;
  }

  /** A compressed text frame (RSV1) of {@code inflated} bytes of 'a': ~1,000 times smaller. */
  private static TextWebSocketFrame bomb(int inflated) {
    byte[] plain = new byte[inflated];
    Arrays.fill(plain, (byte) 'a');
    Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
    d.setInput(plain);
    byte[] out = new byte[inflated / 100 + 64];
    int n = d.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
    d.end();
    // RFC 7692 §7.2.1: the sender drops the 00 00 ff ff tail of the sync flush.
    return new TextWebSocketFrame(true, 4, Unpooled.wrappedBuffer(out, 0, n - 4));
  }

  @Test
  void theNegotiatedDecoderInflatesWithoutBound() {
    EmbeddedChannel ch = negotiated();
    TextWebSocketFrame frame = bomb(4 * LIMIT);
    assertThat(frame.content().readableBytes()).isLessThan(LIMIT / 100);
    ch.writeInbound(frame);
    TextWebSocketFrame inflated = ch.readInbound();
    assertThat(inflated.content().readableBytes()).isEqualTo(4 * LIMIT);
    inflated.release();
    ch.finishAndReleaseAll();
  }

  @Test
  void boundedTheDecoderFailsPastTheLimit() {
    EmbeddedChannel ch = negotiated();
    InflateBound.apply(ch.pipeline(), OFFER, LIMIT);
    assertThat(ch.pipeline().names()).contains("deflate");
    assertThatThrownBy(() -> ch.writeInbound(bomb(4 * LIMIT)))
        .isInstanceOf(DecompressionException.class);
    assertThat((Object) ch.readInbound()).isNull();
    ch.finishAndReleaseAll();
  }

  @Test
  void boundedTheDecoderStillInflatesWhatFits() {
    EmbeddedChannel ch = negotiated();
    InflateBound.apply(ch.pipeline(), OFFER, LIMIT);
    ch.writeInbound(bomb(LIMIT / 2));
    TextWebSocketFrame inflated = ch.readInbound();
    assertThat(inflated.content().readableBytes()).isEqualTo(LIMIT / 2);
    inflated.release();
    ch.finishAndReleaseAll();
  }

  @Test
  void nothingNegotiatedLeavesThePipelineAlone() {
    EmbeddedChannel ch = new EmbeddedChannel();
    InflateBound.apply(ch.pipeline(), OFFER, LIMIT);
    InflateBound.apply(negotiated().pipeline(), null, LIMIT);
    assertThat(ch.pipeline().names()).doesNotContain("deflate");
    ch.finishAndReleaseAll();
  }
}
