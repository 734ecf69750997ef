package io.slipstream.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import org.junit.jupiter.api.Test;

/**
 * {@link WebSocketTransport#nothingOutboundBelow}: frames skip the pipeline walk only where nothing
 * below the frame encoder would have seen them. A TLS or idle handler there (outbound, or both
 * ways) must keep every frame going through it: writing past it would send plain bytes on a TLS
 * socket.
 */
class DirectWriteTest {

  private static boolean direct(EmbeddedChannel ch) {
    return WebSocketTransport.nothingOutboundBelow(
        ch.pipeline(), ch.pipeline().context(WebSocketFrameEncoder.class));
  }

  @Test
  void onlyInboundHandlersBelowTheEncoderLetFramesGoStraightToTheChannel() {
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new ChannelInboundHandlerAdapter(),
            new WebSocket13FrameDecoder(true, false, 65536),
            new WebSocket13FrameEncoder(false),
            new ChannelInboundHandlerAdapter());
    assertThat(direct(ch)).isTrue();
    ch.finishAndReleaseAll();
  }

  @Test
  void anOutboundHandlerBelowTheEncoderKeepsFramesInThePipeline() {
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new ChannelOutboundHandlerAdapter(), new WebSocket13FrameEncoder(false));
    assertThat(direct(ch)).isFalse();
    ch.finishAndReleaseAll();
  }

  @Test
  void aHandlerOfBothDirectionsBelowTheEncoderKeepsFramesInThePipeline() {
    EmbeddedChannel ch =
        new EmbeddedChannel(new ChannelDuplexHandler(), new WebSocket13FrameEncoder(false));
    assertThat(direct(ch)).isFalse();
    ch.finishAndReleaseAll();
  }

  @Test
  void anOutboundHandlerAboveTheEncoderDoesNotMatter() {
    EmbeddedChannel ch =
        new EmbeddedChannel(new WebSocket13FrameEncoder(false), new ChannelOutboundHandlerAdapter());
    assertThat(direct(ch)).isTrue();
    ch.finishAndReleaseAll();
  }
}
