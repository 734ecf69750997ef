package io.slipstream.server.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionUtil;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import java.util.Map;

/**
 * Bounds what one compressed message from the client may inflate to. Vert.x 5.0.7 negotiates
 * permessage-deflate with Netty's decoder at no bound ({@code maxAllocation} 0), so a few KiB on
 * the wire could inflate to gigabytes of direct memory before any message limit saw them. Once
 * the upgrade is done the negotiated decoder is replaced by the same negotiation's decoder with
 * the message limit as its bound: over it the decoder fails and the connection closes 1009.
 *
 * <p>Run on the socket's event loop, right after the 101 and before any frame was read.
 */
final class InflateBound {

  private InflateBound() {}

  /**
   * Replaces the pipeline's permessage-deflate decoder, if one was negotiated for {@code offered}
   * (the request's {@code Sec-WebSocket-Extensions}), with one bounded at {@code maxBytes}.
   */
  static void apply(ChannelPipeline pipeline, String offered, int maxBytes) {
    String name = handlerNamed(pipeline, "PerMessageDeflateDecoder");
    if (name == null || offered == null) {
      return;
    }
    // The negotiation Vert.x made (HttpServerConnectionHandler, with ServerVerticle's options):
    // the same offers give the same parameters, hence the same decoder but for the bound (the
    // level only matters to the encoder, which stays).
    PerMessageDeflateServerExtensionHandshaker handshaker =
        new PerMessageDeflateServerExtensionHandshaker(
            6,
            ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(),
            PerMessageDeflateServerExtensionHandshaker.MAX_WINDOW_SIZE,
            true,
            false,
            maxBytes);
    for (WebSocketExtensionData data : WebSocketExtensionUtil.extractExtensions(offered)) {
      WebSocketServerExtension extension = handshaker.handshakeExtension(data);
      if (extension != null) {
        pipeline.replace(name, name, extension.newExtensionDecoder());
        return;
      }
    }
  }

  /**
   * The name of the first handler of {@code pipeline} whose class is called {@code simpleName}, or
   * null: Netty's permessage-deflate encoder and decoder are package-private, known by name only.
   */
  static String handlerNamed(ChannelPipeline pipeline, String simpleName) {
    for (Map.Entry<String, ChannelHandler> e : pipeline) {
      if (e.getValue().getClass().getSimpleName().equals(simpleName)) {
        return e.getKey();
      }
    }
    return null;
  }
}
