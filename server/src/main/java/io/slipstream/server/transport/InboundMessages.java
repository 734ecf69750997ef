package io.slipstream.server.transport;

import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;

/**
 * A socket's data frames put together into messages (RFC 6455 §5.4): a message is one text or
 * binary frame and the continuation frames after it, up to the one marked final.
 *
 * <p>Confined to the socket's event loop. Bounded: a message is held only up to {@code maxBytes}
 * (its fragments' payloads together); one longer is dropped and reported {@link Result#TOO_BIG}.
 * Binary messages are not part of the protocol, so only their length is kept, never their bytes.
 * Netty's decoder has already refused a continuation outside a message and a new message inside
 * one (close 1002).
 */
final class InboundMessages {

  /** What a frame completed. */
  enum Result {
    /** Nothing yet: a fragment of a message not finished. */
    NONE,
    /** A text message: {@link #text()}. */
    TEXT,
    /** A binary message: {@link #binaryLength()}. */
    BINARY,
    /** The message went over the bound; it is dropped. */
    TOO_BIG
  }

  private final int maxBytes;

  /** Whether a message is being put together. */
  private boolean inMessage;

  private boolean binary;

  /** Payload bytes of the message so far. */
  private long length;

  /** The text fragments so far (retained); null for a message in one frame, or a binary one. */
  private CompositeByteBuf fragments;

  private String text;

  InboundMessages(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Takes one data frame (not released here); what it completed. */
  Result add(WebSocketFrame frame) {
    if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
      discard();
      inMessage = true;
      binary = frame instanceof BinaryWebSocketFrame;
      length = 0;
    } else if (!(frame instanceof ContinuationWebSocketFrame) || !inMessage) {
      return Result.NONE;
    }
    length += frame.content().readableBytes();
    if (length > maxBytes) {
      discard();
      return Result.TOO_BIG;
    }
    boolean last = frame.isFinalFragment();
    if (!binary) {
      if (last && fragments == null) {
        text = frame.content().toString(StandardCharsets.UTF_8);
      } else {
        if (fragments == null) {
          fragments = Unpooled.compositeBuffer(Integer.MAX_VALUE);
        }
        fragments.addComponent(true, frame.content().retain());
        if (last) {
          text = fragments.toString(StandardCharsets.UTF_8);
          fragments.release();
          fragments = null;
        }
      }
    }
    if (!last) {
      return Result.NONE;
    }
    inMessage = false;
    return binary ? Result.BINARY : Result.TEXT;
  }

  /** The text message the last {@link #add} completed; taken once. */
  String text() {
    String t = text;
    text = null;
    return t;
  }

  /** The length in bytes of the binary message the last {@link #add} completed. */
  int binaryLength() {
    return (int) length;
  }

  /** Drops a message being put together, freeing its fragments. */
  void discard() {
    inMessage = false;
    if (fragments != null) {
      fragments.release();
      fragments = null;
    }
  }
}
